/**
 * Turns one request frame into one outcome: header and body decoded by the codec, the request handled by the
 * cluster through the API's registry entry, the response encoded. Input a broker cannot serve is answered as a
 * real broker answers it: ApiVersions of an unsupported version gets the v0 error-35 reply listing the versions; an
 * unknown API, an unsupported version of any other API or a malformed request closes the connection with a log line.
 */
import {
  ApiKey,
  ErrorCode,
  apiName,
  decodeRequestBody,
  decodeRequestHeader,
  encodeResponse,
  inRange,
  type RequestHeader,
} from '../../kafka/protocol';
import { errorMessage } from '../../util/errors';
import {
  SANDBOX_APIS,
  SASL_API_VERSIONS,
  isSandboxApiKey,
  servedApiVersions,
  type SandboxApiKey,
} from '../apis/registry';
import type { SandboxCluster } from '../cluster/sandbox-cluster';
import type { ConnectionContext, FrameOutcome } from './broker-listener';
import type { SaslGate } from './sasl-gate';

/** The part of SandboxCluster the dispatcher needs; tests may pass a fake. */
export type RequestHandler = Pick<SandboxCluster, 'handle'>;

const NONE: FrameOutcome = { kind: 'none' };

export class RequestDispatcher {
  private cluster: RequestHandler | null = null;

  /** `sasl`: every connection must log in through this gate before the cluster serves it. */
  constructor(private readonly deps: { log?: (line: string) => void; sasl?: SaslGate | null } = {}) {}

  /** The cluster exists only once every listener has its port, so it is attached after construction. */
  attach(cluster: RequestHandler): void {
    this.cluster = cluster;
  }

  async handle(frame: Buffer, connection: ConnectionContext): Promise<FrameOutcome> {
    const cluster = this.cluster;
    if (!cluster) return { kind: 'close', reason: 'the sandbox is still starting' };
    const gated = this.deps.sasl?.handle(frame, connection);
    if (gated) return gated;
    // Key, version and correlation id come first in every header version, so an unknown API or version is
    // answered from them alone, before the rest of the header (whose layout depends on the version) is read.
    if (frame.length < 8)
      return { kind: 'close', reason: `a ${frame.length}-byte frame is too short for a request header` };
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    if (!this.deps.sasl && (apiKey === ApiKey.SaslHandshake || apiKey === ApiKey.SaslAuthenticate))
      return this.saslOnPlainListener(apiKey, apiVersion, correlationId);
    if (!isSandboxApiKey(apiKey)) {
      return { kind: 'close', reason: `unknown API key ${apiKey} (correlation id ${correlationId})` };
    }
    const versions = SANDBOX_APIS[apiKey].versions;
    if (!inRange(versions, apiVersion)) {
      if (apiKey === ApiKey.ApiVersions) return { kind: 'reply', frame: this.apiVersionsUnsupported(correlationId) };
      return {
        kind: 'close',
        reason: `${apiName(apiKey)} v${apiVersion} is not supported (this broker serves v${versions.min}-v${versions.max})`,
      };
    }
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch (e) {
      return {
        kind: 'close',
        reason: `malformed ${apiName(apiKey)} v${apiVersion} request header (${frame.length}-byte frame): ${errorMessage(e)}`,
      };
    }
    return this.serve(cluster, apiKey, header, frame, connection);
  }

  private async serve<K extends SandboxApiKey>(
    cluster: RequestHandler,
    apiKey: K,
    header: RequestHeader,
    frame: Buffer,
    connection: ConnectionContext,
  ): Promise<FrameOutcome> {
    const { apiVersion, correlationId } = header;
    let request;
    try {
      request = decodeRequestBody(apiKey, apiVersion, frame, header.bodyOffset);
    } catch (e) {
      return {
        kind: 'close',
        reason: `malformed ${apiName(apiKey)} v${apiVersion} request (correlation id ${correlationId}): ${errorMessage(e)}`,
      };
    }
    const outcome = await cluster.handle(connection.brokerId, { ...header, apiKey }, request);
    switch (outcome.kind) {
      case 'respond':
        return { kind: 'reply', frame: encodeResponse(apiKey, apiVersion, correlationId, outcome.body) };
      case 'noResponse':
        return NONE;
      case 'drop':
        this.deps.log?.(
          `broker ${connection.brokerId}: no response to ${apiName(apiKey)} correlation id ${correlationId} (dropped by a fault, or the broker is stopped)`,
        );
        return NONE;
    }
  }

  /**
   * Kafka 2.1.1 on a PLAINTEXT listener answers SASL's requests with ILLEGAL_SASL_STATE (34), as for a connection
   * already authenticated (KafkaApis.handleSaslHandshakeRequest / handleSaslAuthenticateRequest), rather than closing.
   */
  private saslOnPlainListener(
    apiKey: typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate,
    apiVersion: number,
    correlationId: number,
  ): FrameOutcome {
    const range = SASL_API_VERSIONS.find((v) => v.apiKey === apiKey)!;
    if (apiVersion < range.minVersion || apiVersion > range.maxVersion) {
      return {
        kind: 'close',
        reason: `${apiName(apiKey)} v${apiVersion} is not supported (this broker serves v${range.minVersion}-v${range.maxVersion})`,
      };
    }
    const frame =
      apiKey === ApiKey.SaslHandshake
        ? encodeResponse(ApiKey.SaslHandshake, apiVersion, correlationId, {
            errorCode: ErrorCode.ILLEGAL_SASL_STATE,
            mechanisms: [],
          })
        : encodeResponse(ApiKey.SaslAuthenticate, apiVersion, correlationId, {
            errorCode: ErrorCode.ILLEGAL_SASL_STATE,
            errorMessage: 'SaslAuthenticate request received after successful authentication',
            authBytes: Buffer.alloc(0),
            sessionLifetimeMs: 0,
          });
    return { kind: 'reply', frame };
  }

  /**
   * What a broker answers to an ApiVersions request of a version it does not support: a v0 response with
   * UNSUPPORTED_VERSION and the versions it does support, so the client can retry with one of them.
   */
  private apiVersionsUnsupported(correlationId: number): Buffer {
    return encodeResponse(ApiKey.ApiVersions, 0, correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: servedApiVersions(Boolean(this.deps.sasl)),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  }
}

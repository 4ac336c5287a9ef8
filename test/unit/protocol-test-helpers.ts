/**
 * Loosely typed doors to the codec for the tests that sweep every served API and version with sample bodies
 * (the codec's own signatures tie each body to its API key's type), and the versions the sandbox serves.
 */
import * as codec from '../../extension/core/kafka/protocol';
import type { ApiKeyNumber, VersionRange } from '../../extension/core/kafka/protocol';
import { SANDBOX_APIS, type SandboxApiKey } from '../../extension/core/sandbox/apis/registry';
import type {
  HandleOutcome,
  RequestHeaderFields,
  SandboxCluster,
} from '../../extension/core/sandbox/cluster/sandbox-cluster';

export type ServedApiKey = SandboxApiKey;

/** The versions the sandbox serves, by API key. */
export const SUPPORTED_VERSIONS = Object.fromEntries(
  Object.values(SANDBOX_APIS).map((a) => [a.key, a.versions]),
) as Record<SandboxApiKey, VersionRange>;

export const servedKeys = (): SandboxApiKey[] => Object.values(SANDBOX_APIS).map((a) => a.key);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the fields of whichever API they decode
export function decodeRequest(apiKey: number, version: number, frame: Buffer, offset: number): any {
  return codec.decodeRequestBody(apiKey as ApiKeyNumber, version, frame, offset);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the fields of whichever API they decode
export function decodeResponse(apiKey: number, version: number, frame: Buffer, offset: number): any {
  return codec.decodeResponse(apiKey as ApiKeyNumber, version, frame, offset);
}

export function encodeRequest(
  apiKey: number,
  version: number,
  header: { correlationId: number; clientId: string | null },
  body: unknown,
): Buffer {
  return codec.encodeRequest(apiKey as ApiKeyNumber, version, header, body as never);
}

export function encodeResponse(apiKey: number, version: number, correlationId: number, body: unknown): Buffer {
  return codec.encodeResponse(apiKey as ApiKeyNumber, version, correlationId, body as never);
}

/** SandboxCluster.handle for a request built by hand (the key and the body's type are the test's to keep apart). */
export function handle(
  cluster: SandboxCluster,
  brokerId: number,
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null },
  request: unknown,
): Promise<HandleOutcome> {
  return cluster.handle(brokerId, header as RequestHeaderFields<SandboxApiKey>, request as never);
}

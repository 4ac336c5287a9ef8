/**
 * The KafkaConnection port over kafkajs 2.2.4, and the only file that imports kafkajs.
 *
 * kafkajs opens the connection: its Broker connects (TLS through its socket factory), negotiates ApiVersions and
 * logs in with SASL (PLAIN, SCRAM-SHA-256/512), all through its public `socketFactory` option. The socket kafkajs
 * is handed is a tap in front of the real one: until that login is done the tap passes bytes both ways; from then
 * on the connection is ours, and requests the codec encoded are written here (header plus body chunks in one
 * writev, so record batches are never copied) and answers matched by correlation id. Nothing of kafkajs is
 * mutated or reached into: kafkajs's Connection.send would join the chunks into two fresh buffers per request and
 * hides the correlation id and the time of writing, which the trace shows.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { encodeRequestHeader, type VersionRange } from '../kafka/protocol';
import { FrameDecoder, FrameError } from '../kafka/protocol/frame-decoder';
import { TransportError, type TransportErrorKind } from './transport';
import {
  BrokerClosedConnection,
  type IncomingResponse,
  type KafkaConnection,
  type KafkaConnectionOptions,
  type OutgoingRequest,
  type TransportLog,
} from './kafka-connection';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations */

// ---- the parts of kafkajs used, typed as narrowly as they are used -------------------------------------------

interface KafkajsLogger {
  namespace(name: string, level?: number | null): KafkajsLogger;
}

interface KafkajsBroker {
  /** The broker's versions by API key, once connected (read only). */
  readonly versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

type SocketFactory = (args: { host: string; port: number; ssl: unknown; onConnect: () => void }) => net.Socket;

const Broker: new (options: {
  connectionPool: unknown;
  logger: KafkajsLogger;
  allowAutoTopicCreation?: boolean;
}) => KafkajsBroker = require('kafkajs/src/broker');
const ConnectionPool: new (options: {
  host: string;
  port: number;
  ssl: unknown;
  sasl: unknown;
  clientId: string;
  socketFactory: SocketFactory;
  connectionTimeout: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  maxInFlightRequests: number | null;
  logger: KafkajsLogger;
}) => unknown = require('kafkajs/src/network/connectionPool');
const createSocketFactory: () => SocketFactory = require('kafkajs/src/network/socketFactory');
const loggers: {
  LEVELS: { NOTHING: number; INFO: number };
  createLogger(options: {
    level: number;
    logCreator: (level: number) => (entry: { namespace: string; log: { message: string } }) => void;
  }): KafkajsLogger;
} = require('kafkajs/src/loggers');

/** The most a response frame may declare (a metadata answer of a very large cluster is megabytes, not this). */
const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

export function createKafkajsConnection(options: KafkaConnectionOptions): KafkaConnection {
  return new KafkajsConnection(options);
}

interface Pending {
  correlationId: number;
  resolve(response: IncomingResponse): void;
  reject(error: TransportError): void;
  requestBytes: number;
  sentAtMs: number;
  sentAtHr: bigint;
  timer: NodeJS.Timeout;
}

/** One connection's life: kafkajs's broker (for the login) and the tapped socket. */
interface Session {
  broker: KafkajsBroker;
  tap: SocketTap;
  versions: Map<number, VersionRange>;
}

class KafkajsConnection implements KafkaConnection {
  readonly address: string;
  private readonly logger: KafkajsLogger;
  private session: Session | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private throttledUntil = 0;
  private closed = false;

  constructor(private readonly options: KafkaConnectionOptions) {
    this.address = `${options.host}:${options.port}`;
    this.logger = bridgedLogger(options.log);
  }

  isConnected(): boolean {
    return this.session !== null && this.session.tap.isOpen();
  }

  apiVersions(): ReadonlyMap<number, VersionRange> {
    return this.session?.versions ?? new Map();
  }

  connect(): Promise<void> {
    if (this.closed)
      return Promise.reject(new TransportError('the transport is closed', 'closed', { retriable: false }));
    if (this.isConnected()) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    this.dropSession();
    let tap: SocketTap | undefined;
    const kafkajsSockets = createSocketFactory();
    const connectionPool = new ConnectionPool({
      host: this.options.host,
      port: this.options.port,
      ssl: this.options.ssl ?? null,
      // A copy: kafkajs keeps its authenticator's state on the object it is given.
      sasl: this.options.sasl ? { ...this.options.sasl } : null,
      clientId: this.options.clientId,
      socketFactory: (args) => {
        tap = new SocketTap(kafkajsSockets(args));
        return tap as unknown as net.Socket;
      },
      connectionTimeout: this.options.connectionTimeoutMs,
      requestTimeout: this.options.connectionTimeoutMs,
      enforceRequestTimeout: true,
      maxInFlightRequests: null,
      logger: this.logger,
    });
    const broker = new Broker({ connectionPool, logger: this.logger, allowAutoTopicCreation: false });
    try {
      await broker.connect();
    } catch (e) {
      await broker.disconnect().catch(() => {});
      throw this.connectError(e);
    }
    if (!tap || !tap.isOpen() || this.closed) {
      await broker.disconnect().catch(() => {});
      throw this.closed
        ? new TransportError('the transport is closed', 'closed', { retriable: false })
        : this.closedError();
    }
    const versions = new Map<number, VersionRange>();
    for (const [key, v] of Object.entries(broker.versions ?? {}))
      versions.set(Number(key), { min: v.minVersion, max: v.maxVersion });
    const decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
    const session: Session = { broker, tap, versions };
    tap.takeOver({
      data: (chunk) => {
        let frames: Buffer[];
        try {
          frames = decoder.push(chunk);
        } catch (e) {
          this.fail(
            session,
            new TransportError(
              `${this.address} sent bytes that are not Kafka responses (${(e as FrameError).message})`,
              'protocol',
              { retriable: true, cause: e },
            ),
          );
          return;
        }
        for (const frame of frames) this.answer(frame);
      },
      closed: (error) => this.fail(session, error ? toTransportError(error, this.address) : this.closedError()),
    });
    this.session = session;
  }

  async send(request: OutgoingRequest): Promise<IncomingResponse> {
    await this.connect();
    if (this.throttledUntil > Date.now()) await this.waitForThrottle();
    const session = this.session;
    if (!session || !session.tap.isOpen()) throw this.closedError();
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId >= 0x7fffffff ? 1 : correlationId + 1;
    const header = encodeRequestHeader(
      request.apiKey,
      request.apiVersion,
      correlationId,
      this.options.clientId,
      request.body.length,
    );
    const requestBytes = header.length + request.body.length;
    const sentAtMs = Date.now();
    if (!request.expectResponse) {
      session.tap.writeChunks(header, request.body.chunks);
      return { payload: null, correlationId, requestBytes, sentAtMs, durationMs: 0 };
    }
    return new Promise<IncomingResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        // A late answer is then dropped: nobody waits for that correlation id.
        reject(
          new TransportError(
            `request to ${this.address} timed out: no answer within ${request.timeoutMs} ms (request.timeout.ms)`,
            'timeout',
            { retriable: true },
          ),
        );
      }, request.timeoutMs);
      this.pending.set(correlationId, {
        correlationId,
        resolve,
        reject,
        requestBytes,
        sentAtMs,
        sentAtHr: process.hrtime.bigint(),
        timer,
      });
      session.tap.writeChunks(header, request.body.chunks);
    });
  }

  throttle(ms: number): void {
    if (ms > 0) this.throttledUntil = Math.max(this.throttledUntil, Date.now() + ms);
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = null;
    this.rejectAll(
      new TransportError('the transport was closed while the request was in flight', 'closed', { retriable: false }),
    );
    if (session) await this.end(session);
  }

  private waitForThrottle(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, this.throttledUntil - Date.now())));
  }

  /** One response frame (no size prefix): its correlation id, then the payload. */
  private answer(frame: Buffer): void {
    if (frame.length < 4) return;
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) {
      this.options.log?.(
        'debug',
        `${this.address} answered correlation id ${correlationId}, which no request waits for (timed out)`,
      );
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    const durationMs = Number(process.hrtime.bigint() - p.sentAtHr) / 1e6;
    p.resolve({
      payload: frame.subarray(4),
      correlationId,
      requestBytes: p.requestBytes,
      sentAtMs: p.sentAtMs,
      durationMs,
    });
  }

  private fail(session: Session, error: TransportError): void {
    if (this.session !== session) return;
    this.session = null;
    this.rejectAll(error);
    void this.end(session);
  }

  private rejectAll(error: TransportError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  private dropSession(): void {
    if (this.session) void this.end(this.session);
    this.session = null;
  }

  private async end(session: Session): Promise<void> {
    session.tap.destroy();
    await session.broker.disconnect().catch(() => {});
  }

  /** A connect or login failure in words. */
  private connectError(e: unknown): TransportError {
    if ((e as { name?: string })?.name === 'KafkaJSConnectionClosedError') return this.closedError(e);
    return toTransportError(e, this.address);
  }

  /** The broker closed the connection (its cause says so, for the transport's hints). */
  private closedError(cause?: unknown): TransportError {
    return new TransportError(`${this.address} closed the connection`, 'connection', {
      retriable: true,
      cause: new BrokerClosedConnection(this.address, cause),
    });
  }
}

/**
 * What kafkajs gets as its socket. Until `takeOver`, every byte and event passes through; after it, the bytes
 * that arrive are the connection's, and kafkajs only hears that the socket ended (so it tidies up).
 */
class SocketTap extends EventEmitter {
  private owner: { data(chunk: Buffer): void; closed(error?: Error): void } | null = null;
  private open = true;

  constructor(private readonly socket: net.Socket) {
    super();
    socket.on('data', (chunk: Buffer) => (this.owner ? this.owner.data(chunk) : this.emit('data', chunk)));
    socket.on('end', () => this.ended(undefined, 'end'));
    socket.on('close', () => this.ended(undefined, null));
    socket.on('error', (e: Error) => this.ended(e, 'error'));
    socket.on('timeout', () => this.emit('timeout'));
  }

  isOpen(): boolean {
    return this.open && !this.socket.destroyed;
  }

  takeOver(owner: { data(chunk: Buffer): void; closed(error?: Error): void }): void {
    this.owner = owner;
  }

  /** Header and body chunks in one writev. */
  writeChunks(header: Buffer, chunks: readonly Buffer[]): void {
    this.socket.cork();
    this.socket.write(header);
    for (const chunk of chunks) this.socket.write(chunk);
    this.socket.uncork();
  }

  // What kafkajs's Connection calls on its socket.
  write(data: Buffer | string, encoding?: BufferEncoding): boolean {
    return encoding ? this.socket.write(data, encoding) : this.socket.write(data);
  }

  end(): this {
    this.socket.end();
    return this;
  }

  unref(): this {
    this.socket.unref();
    return this;
  }

  destroy(): this {
    this.open = false;
    this.socket.destroy();
    return this;
  }

  private ended(error: Error | undefined, event: 'end' | 'error' | null): void {
    const wasOpen = this.open;
    this.open = false;
    if (this.owner) {
      if (wasOpen) this.owner.closed(error);
      // kafkajs still holds the socket: let it hear the end, so it marks itself disconnected.
      if (event === 'end') this.emit('end');
      return;
    }
    if (event) this.emit(event, error);
  }
}

// ---- errors -----------------------------------------------------------------------------------------------------

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
]);

const SASL_ERROR_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

interface KafkajsLikeError {
  name?: string;
  message?: string;
  code?: string | number;
  type?: string;
  retriable?: boolean;
}

function isTlsFailure(code: string | undefined, message: string): boolean {
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) return true;
  return /certificate|ssl|tls|handshake/i.test(message);
}

/**
 * Maps an error kafkajs (or a Node socket under it) gave while connecting to `address` to a TransportError with a
 * kind, a retriable flag and a plain message that says which broker and what to check. TransportErrors pass through.
 */
export function toTransportError(e: unknown, address: string, brokerId?: number): TransportError {
  if (e instanceof TransportError) return e;
  const err = (e ?? {}) as KafkajsLikeError;
  const name = err.name ?? '';
  const message = err.message ?? String(e);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const make = (kind: TransportErrorKind, text: string, retriable: boolean): TransportError =>
    new TransportError(text, kind, { retriable, cause: e, brokerId });

  if (name === 'KafkaJSSASLAuthenticationError' || (err.type && SASL_ERROR_TYPES.has(err.type))) {
    return make(
      'authentication',
      `SASL login to ${address} was refused: ${stripPrefix(message)}. Check the mechanism, user name and password`,
      false,
    );
  }
  if (name === 'KafkaJSRequestTimeoutError') {
    return make('timeout', `request to ${address} timed out: no answer within the request timeout`, true);
  }
  if (name === 'KafkaJSLockTimeout' || name === 'KafkaJSTimeout') {
    return make('timeout', `connecting to ${address} timed out`, true);
  }
  if (name === 'KafkaJSConnectionClosedError') {
    return make('connection', `${address} closed the connection`, true);
  }
  if (name === 'KafkaJSConnectionError') {
    if (isTlsFailure(code, message)) {
      return make(
        'tls',
        `TLS connection to ${address} failed: ${stripPrefix(message)}. Check the CA certificate, the client certificate, or whether the listener uses TLS at all`,
        false,
      );
    }
    if (message === 'Connection timeout') return make('timeout', `connecting to ${address} timed out`, true);
    if (code === 'ECONNREFUSED')
      return make(
        'connection',
        `cannot reach broker ${address}: connection refused (is it running, and is the port right?)`,
        true,
      );
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return make('connection', `cannot reach broker ${address}: host name not found`, true);
    return make('connection', `cannot reach broker ${address}: ${stripPrefix(message)}`, true);
  }
  if (name === 'KafkaJSProtocolError') {
    return make('protocol', `${address} answered ${err.type ?? 'an error'}: ${message}`, err.retriable ?? false);
  }
  if (name === 'KafkaJSServerDoesNotSupportApiKey' && (e as { apiName?: string }).apiName === 'SaslHandshake') {
    return make(
      'authentication',
      `${address} does not offer SASL authentication on this listener; connect without SASL or use the SASL listener's port`,
      false,
    );
  }
  if (name === 'KafkaJSServerDoesNotSupportApiKey' || message === 'API Versions not supported') {
    return make(
      'protocol',
      `${address} does not support a request the producer needs (${message}); is it a Kafka broker of version 0.11 or later?`,
      false,
    );
  }
  // A Node socket error that escaped kafkajs's wrapping, or one of the tapped socket after the login.
  if (code && isTlsFailure(code, message)) return make('tls', `TLS connection to ${address} failed: ${message}`, false);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE')
    return make('connection', `connection to ${address} failed: ${message}`, true);
  return make('protocol', `unexpected failure talking to ${address}: ${message}`, err.retriable ?? false);
}

function stripPrefix(message: string): string {
  return message.replace(/^(Connection error|Failed to connect): /, '');
}

/** kafkajs logs through this; with no `log` given it says nothing at all. */
function bridgedLogger(log: TransportLog | undefined): KafkajsLogger {
  return loggers.createLogger({
    level: log ? loggers.LEVELS.INFO : loggers.LEVELS.NOTHING,
    logCreator: () => (entry) => {
      log?.('debug', `kafkajs ${entry.namespace}: ${entry.log.message}`);
    },
  });
}

/**
 * The port between the transport and whatever opens sockets to brokers: one connection to one broker address,
 * with TLS and SASL, that learns the broker's API versions, sends requests the codec encoded and hands back the
 * response bytes with their timing. kafkajs-connection.ts implements it over kafkajs 2.2.4; the README's Developing
 * section says what an implementation must do, so one on node:net/node:tls could replace it.
 */
import type { Chunks, VersionRange } from '../kafka/protocol';
import type { SaslConfig, TlsConfig } from './transport';

export type TransportLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export interface KafkaConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  /** true = TLS with the system's trust store. */
  ssl?: boolean | TlsConfig;
  sasl?: SaslConfig;
  connectionTimeoutMs: number;
  log?: TransportLog;
}

export interface OutgoingRequest {
  apiKey: number;
  apiVersion: number;
  /** The body as the codec encoded it (record batches are chunks of their own; they go out without a copy). */
  body: Chunks;
  /** false: settle once the bytes are handed to the socket (Produce with acks=0). */
  expectResponse: boolean;
  /** How long to wait for the answer before rejecting with a TransportError of kind 'timeout'. */
  timeoutMs: number;
}

export interface IncomingResponse {
  /** The response frame after its correlation id (a flexible response's header tagged fields included); null without one. */
  payload: Buffer | null;
  correlationId: number;
  /** Bytes of the request frame, size prefix included. */
  requestBytes: number;
  /** Wall clock (ms) when the request was written to the socket. */
  sentAtMs: number;
  /** Response time minus write time, in ms (0 without a response). */
  durationMs: number;
}

export interface KafkaConnection {
  /** host:port. */
  readonly address: string;
  /**
   * Connects (over TLS when configured), asks the broker's API versions and logs in (SASL) when not connected;
   * shared by concurrent callers. Rejects with a TransportError that says what to check.
   */
  connect(): Promise<void>;
  isConnected(): boolean;
  /** The versions the broker offers per API key (empty before the first connect). */
  apiVersions(): ReadonlyMap<number, VersionRange>;
  /** Writes one request (after connecting if needed); rejects with a TransportError when the connection fails. */
  send(request: OutgoingRequest): Promise<IncomingResponse>;
  /** KIP-219: the broker asked the client to hold back; later requests wait until `ms` from now. */
  throttle(ms: number): void;
  /** Closes the socket; requests still waiting reject with a TransportError of kind 'closed'. */
  close(): Promise<void>;
}

/** The cause of a TransportError when the broker closed the connection (not a timeout, a refusal or TLS). */
export class BrokerClosedConnection extends Error {
  constructor(address: string, cause?: unknown) {
    super(`${address} closed the connection`, cause === undefined ? undefined : { cause });
    this.name = 'BrokerClosedConnection';
  }
}

export type KafkaConnectionFactory = (options: KafkaConnectionOptions) => KafkaConnection;

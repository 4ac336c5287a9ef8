/**
 * Typed access to the parts of kafkajs 2.2.4 that the transport uses. kafkajs types only its public client, so the
 * deep modules (broker, connection pool, request lookup, logger) are described here, as narrowly as we use them.
 * Only this folder imports kafkajs; if the pinned version changes, this file is where to look first.
 */

/* eslint-disable @typescript-eslint/no-require-imports */

export interface KafkajsLogEntry {
  namespace: string;
  level: number;
  label: string;
  log: { message: string; [extra: string]: unknown };
}

export interface KafkajsLogger {
  namespace(name: string, level?: number | null): KafkajsLogger;
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
}

export interface KafkajsApiVersions {
  [apiKey: number]: { minVersion: number; maxVersion: number };
}

/** An object from kafkajs's protocol definitions: `encode()` returns an Encoder, whose `buffer` is the body. */
export interface KafkajsProtocolRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse?: () => boolean;
  encode(): Promise<{ buffer: Buffer }>;
}

export interface KafkajsProtocolResponse<T = unknown> {
  decode(payload: Buffer): Promise<T>;
  parse(decoded: T): Promise<T>;
}

export type KafkajsProtocol = (args: object) => { request: KafkajsProtocolRequest; response: KafkajsProtocolResponse<any> };

export interface KafkajsRequestEntry {
  apiKey: number;
  apiName: string;
  apiVersion: number;
  correlationId: number;
  resolve(result: { correlationId: number; size: number; payload: Buffer | null }): void;
  reject(error: unknown): void;
}

export interface KafkajsRequestQueue {
  push(request: { entry: KafkajsRequestEntry; expectResponse: boolean; requestTimeout?: number | null; sendRequest(): void }): void;
  maybeThrottle(clientSideThrottleTime: number | null): void;
  rejectAll(error: unknown): void;
}

export interface KafkajsConnection {
  readonly host: string;
  readonly port: number;
  readonly sasl: unknown;
  readonly clientId: string;
  readonly requestQueue: KafkajsRequestQueue;
  readonly socket: { write(data: Buffer): boolean; cork(): void; uncork(): void };
  isConnected(): boolean;
  isAuthenticated(): boolean;
  authenticate(): Promise<void>;
  nextCorrelationId(): number;
  failIfNotConnected(): void;
  disconnect(): Promise<boolean>;
}

export interface KafkajsConnectionPool {
  readonly host: string;
  readonly port: number;
  readonly pool: KafkajsConnection[];
  getConnection(index?: number): Promise<KafkajsConnection>;
  destroy(): Promise<void>;
}

export interface KafkajsBroker {
  nodeId: number | null;
  versions: KafkajsApiVersions | null;
  readonly connectionPool: KafkajsConnectionPool;
  lookupRequest(apiKey: number, definition: unknown): KafkajsProtocol;
  /** ListOffsets; kafkajs normalizes every version's answer to one `offset` per partition (a string). */
  listOffsets(request: {
    replicaId: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
  }): Promise<{ responses: { topic: string; partitions: { partition: number; errorCode: number; offset: string }[] }[] }>;
  isConnected(): boolean;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkajsErrorCode {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}

interface BrokerConstructor {
  new (options: {
    connectionPool: KafkajsConnectionPool;
    logger: KafkajsLogger;
    nodeId?: number | null;
    versions?: KafkajsApiVersions | null;
    authenticationTimeout?: number;
    allowAutoTopicCreation?: boolean;
  }): KafkajsBroker;
}

interface ConnectionPoolConstructor {
  new (options: {
    host: string;
    port: number;
    rack?: string | null;
    ssl?: unknown;
    sasl?: unknown;
    clientId: string;
    socketFactory: unknown;
    connectionTimeout: number;
    requestTimeout: number;
    enforceRequestTimeout: boolean;
    maxInFlightRequests: number | null;
    logger: KafkajsLogger;
    instrumentationEmitter?: unknown;
    reauthenticationThreshold?: number;
  }): KafkajsConnectionPool;
}

export const Broker: BrokerConstructor = require('kafkajs/src/broker');
export const ConnectionPool: ConnectionPoolConstructor = require('kafkajs/src/network/connectionPool');
export const createSocketFactory: () => unknown = require('kafkajs/src/network/socketFactory');
export const apiKeys: Record<string, number> = require('kafkajs/src/protocol/requests/apiKeys');
export const requestDefinitions: Record<string, unknown> = require('kafkajs/src/protocol/requests').requests;
export const errorCodes: KafkajsErrorCode[] = require('kafkajs/src/protocol/error').errorCodes;
export const loggers: {
  LEVELS: { NOTHING: number; ERROR: number; WARN: number; INFO: number; DEBUG: number };
  createLogger(options: { level: number; logCreator: (level: number) => (entry: KafkajsLogEntry) => void }): KafkajsLogger;
} = require('kafkajs/src/loggers');

/**
 * The in-memory model of collection (`*.kafka.json`) and environment (`*.kafka-env.json`) files. The types mirror
 * media/schemas/*.schema.json: a document that passes the schema can be read as these types.
 */

/** Bytes for a key, a header value or a value: text (templated), no bytes at all, or raw bytes in base64. */
export type BinarySpec = string | null | { base64: string };

/** Where a value's records come from when it is not inline. Paths are relative to the collection file. */
export interface FileSpec {
  file: string;
  /** `.jsonl` only: each line is the value itself (default) or a record object `{key, value, headers, partition, timestamp}`. */
  lines?: 'value' | 'record';
}

/** A literal JSON value, sent as is even if it looks like one of the special forms (`{"file": ...}`). */
export interface JsonEscape {
  json: unknown;
}

/** A value is a JSON value (rendered with templates, then serialized), a string, base64 bytes, a data file, or null. */
export type ValueSpec = unknown;

export type HeaderSpec = [name: string, value: BinarySpec];

export type ScalarVariable = string | number | boolean;
export type Variables = Record<string, ScalarVariable>;

/** Producer settings by their Java names (`acks`, `linger.ms`, ...); the engine validates them. */
export type ProducerSettings = Record<string, string | number | boolean>;

/** `keySchema` / `valueSchema`: encode with a registry schema (Confluent wire format); see SchemaSelection. */
export interface SchemaRefSpec {
  subject?: string;
  version?: number | 'latest';
  id?: number;
  strategy?: 'TopicName' | 'RecordName' | 'TopicRecordName';
  recordName?: string;
}

/** `transaction`: the records go in one transaction (transactional.id = id), committed, or aborted when `abort`. */
export interface TransactionSpec {
  id: string;
  abort?: boolean;
}

export interface MessageSpec {
  name: string;
  description?: string;
  topic: string;
  /** BinarySpec; with keySchema any JSON value (a string that is not JSON is that string). */
  key?: BinarySpec | unknown;
  value?: ValueSpec;
  headers?: HeaderSpec[];
  partition?: number | null;
  timestamp?: number | null;
  /** Records to send from this message; for a data file, at most this many lines (default: all of them). */
  count?: number;
  ratePerSecond?: number | null;
  variables?: Variables;
  producer?: ProducerSettings;
  keySchema?: SchemaRefSpec;
  valueSchema?: SchemaRefSpec;
  /** Records that must appear on other topics after this message is sent (a reply, an enriched event, a dead letter). */
  expect?: ExpectationSpec[];
  /** This message's records in one transaction of their own. */
  transaction?: TransactionSpec;
}

/** How an expected record's value must look: a JSON subset, the exact text, or a regular expression it contains. */
export type ValueMatchSpec = { jsonSubset: unknown } | { text: string } | { regex: string };

/** A record that must appear on `topic` within `withinMs` of the send. Every field given must match. */
export interface ExpectationSpec {
  /** Names the expectation in reports; default "<topic> #<n>". */
  name?: string;
  topic: string;
  /** How long to wait after the message's records were acknowledged (default 10,000 ms). */
  withinMs?: number;
  key?: BinarySpec;
  /** Each [name, value] must be among the record's headers. */
  headers?: HeaderSpec[];
  value?: ValueMatchSpec;
  /** The record must carry the key, or this header's value, of one of the records sent. */
  correlate?: 'key' | { header: string };
}

export interface Collection {
  $schema?: string;
  name: string;
  description?: string;
  variables?: Variables;
  /** Producer settings every message starts from; a message's own `producer` overrides them key by key. */
  producer?: ProducerSettings;
  /** The whole run (every selected message) in one transaction. */
  transaction?: TransactionSpec;
  messages: MessageSpec[];
}

export interface EnvironmentTls {
  /** Paths to PEM files, relative to the environment file. */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface EnvironmentSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  /** Always a secret reference, `{{$secret:NAME}}`: passwords are never written to files. */
  password: string;
}

export interface EnvironmentConnection {
  bootstrap: string | string[];
  clientId?: string;
  ssl?: boolean | EnvironmentTls;
  sasl?: EnvironmentSasl;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Where keySchema/valueSchema find their schemas; secrets are `{{$secret:NAME}}` references. */
export interface EnvironmentSchemaRegistry {
  url: string;
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
  /** Path to a PEM file, relative to the environment file. */
  ca?: string;
  rejectUnauthorized?: boolean;
}

export interface Environment {
  $schema?: string;
  name?: string;
  connection?: EnvironmentConnection;
  schemaRegistry?: EnvironmentSchemaRegistry;
  variables?: Variables;
}

/** A position in a text: 0-based line and character (as VS Code counts), plus the offset. */
export interface SourcePosition {
  line: number;
  character: number;
  offset: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  /** Where in the JSON document, as path segments (`['messages', 0, 'count']`). */
  path: (string | number)[];
  range: SourceRange;
}

/**
 * The messages between the extension host and the composer webview, declared once and imported by both bundles.
 * Imports only the domain rules (core/kafka/rules/, plain data with no imports): it must compile for Node and for the
 * browser. Inbound data is checked by ./validate.ts.
 *
 * Handshake: the webview posts `ready`; the host posts nothing before that, then `init`. Requests carry an id and
 * the host answers each with a `response` carrying the same id and either a result or an error (never a throw).
 */
import type { RequestSpan, RunCharts, Waterfall } from './visual';

import { COMPRESSION_NAMES, PRODUCER_DEFAULTS, type CompressionName } from '../core/kafka/rules';

export type KeyFormat = 'string' | 'json' | 'base64' | 'none' | 'schema';
export type ValueFormat = 'text' | 'json' | 'base64' | 'null' | 'schema';
export type SendMode = 'sync' | 'async' | 'fire-and-forget';
export type Acks = 'all' | '1' | '0';
export type Compression = CompressionName;

export const KEY_FORMATS: readonly KeyFormat[] = ['string', 'json', 'base64', 'none', 'schema'];
export const VALUE_FORMATS: readonly ValueFormat[] = ['text', 'json', 'base64', 'null', 'schema'];

/** Format 'schema' (Schema Registry): which schema; '' subject = <topic>-key / <topic>-value, null version = latest. */
export interface DraftSchemaRef {
  subject: string;
  version: number | null;
  /** A Protobuf message (or a record name); '' = the schema's first. */
  recordName: string;
}

/** A new draft's producer settings: the producer's own defaults. */
export function defaultProducerSettings(): DraftProducerSettings {
  const d = PRODUCER_DEFAULTS;
  return {
    acks: d.acks === -1 ? 'all' : (String(d.acks) as Acks),
    'compression.type': d.compressionType,
    'linger.ms': d.lingerMs,
    'batch.size': d.batchSize,
    retries: d.retries,
    'delivery.timeout.ms': d.deliveryTimeoutMs,
    'enable.idempotence': d.enableIdempotence,
    partitioner: d.partitioner,
    'partitioner.failover': d.partitionerFailover,
  };
}

export function defaultSchemaRef(): DraftSchemaRef {
  return { subject: '', version: null, recordName: '' };
}

/** A schema as the composer shows it: where it comes from, its text, and a value that fits ("fill example"). */
export interface SchemaDetails {
  subject: string | null;
  version: number | null;
  id: number;
  schemaType: string;
  schema: string;
  recordNames: string[];
  example: string;
}
export const SEND_MODES: readonly SendMode[] = ['sync', 'async', 'fire-and-forget'];
export const ACKS: readonly Acks[] = ['all', '1', '0'];
export const COMPRESSIONS: readonly Compression[] = COMPRESSION_NAMES;
export const PARTITIONERS = ['default', 'round-robin'] as const;
export type PartitionerName = (typeof PARTITIONERS)[number];

/** One header as typed in the composer; `binary` means `value` is base64. Duplicate keys are allowed. */
export interface DraftHeader {
  key: string;
  value: string;
  binary: boolean;
}

/** The producer settings the composer exposes, with Java's names. */
export interface DraftProducerSettings {
  acks: Acks;
  'compression.type': Compression;
  'linger.ms': number;
  'batch.size': number;
  retries: number;
  'delivery.timeout.ms': number;
  'enable.idempotence': boolean;
  partitioner: PartitionerName;
  'partitioner.failover': boolean;
}

/** Everything the composer holds; it survives hiding and reloading the panel. */
export interface ComposerDraft {
  topic: string;
  keyFormat: KeyFormat;
  key: string;
  valueFormat: ValueFormat;
  value: string;
  headers: DraftHeader[];
  /** null = let the partitioner choose. */
  partition: number | null;
  /** null = now; else milliseconds since the epoch. */
  timestamp: number | null;
  settings: DraftProducerSettings;
  sendMode: SendMode;
  repeat: number;
  /** For keyFormat / valueFormat 'schema'; absent in drafts saved before it existed. */
  keySchema?: DraftSchemaRef;
  valueSchema?: DraftSchemaRef;
  /** Send the records (all `repeat` of them) as one transaction; absent or null: no transaction. */
  transaction?: DraftTransaction | null;
}

/** The composer's "Send as one transaction": its transactional.id, and whether to abort it after sending. */
export interface DraftTransaction {
  id: string;
  abort: boolean;
}

export const MAX_REPEAT = 10_000;

/** The collection message a draft was opened from: its collection's variables apply, and Save Record offers it back. */
export interface DraftOrigin {
  /** The `*.kafka.json` file, absolute. */
  file: string;
  /** The message's name in it. */
  name: string;
}

/** The draft's first record as it will be sent (templates rendered; secrets stay `{{$secret:NAME}}`). */
export interface RecordPreview {
  /** Whether a field holds a template: without one the record is sent as typed. */
  templated: boolean;
  topic: string;
  /** Text, or `base64:...` for bytes; null for no key / a null value. */
  key: string | null;
  value: string | null;
  headers: { key: string; value: string }[];
  /** Where the variables came from, and what else of the message applies (its rate). */
  note?: string;
  /** Why the draft does not render (an unknown variable, a bad faker path), naming the field. */
  error?: string;
}

/** Result rows (and their traces) kept, by the host and the panel alike; the oldest fall off first. */
export const MAX_RESULT_ROWS = 10_000;

export function defaultDraft(): ComposerDraft {
  return {
    topic: '',
    keyFormat: 'string',
    key: '',
    valueFormat: 'text',
    value: '',
    headers: [],
    partition: null,
    timestamp: null,
    settings: defaultProducerSettings(),
    sendMode: 'sync',
    repeat: 1,
  };
}

export interface PartitionSummary {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offline: boolean;
}

export interface TopicSummary {
  name: string;
  partitions: PartitionSummary[];
}

export interface BrokerSummary {
  id: number;
  address: string;
  up: boolean;
}

export interface ConnectionSummary {
  id: string;
  name: string;
  isSandbox: boolean;
  /** Set for the active environment's connection: the `*.kafka-env.json` file it comes from. */
  environmentFile?: string;
}

/** One row of the results table. */
export interface ResultRow {
  recordId: string;
  status: 'pending' | 'acked' | 'failed';
  topic: string;
  /** The record's key as text (base64:... for bytes, cut at 200 characters); null for no key. */
  key: string | null;
  partition: number | null;
  offset: number | null;
  timestamp: number | null;
  timestampType?: 'CreateTime' | 'LogAppendTime';
  /** From submit to ack or failure. */
  latencyMs: number | null;
  attempts: number | null;
  batchId?: string;
  sentAt: number;
  /** Plain words, with the Kafka error name when there is one. */
  error?: string;
  errorName?: string;
}

/** One line of the trace timeline, already in words (the host turns engine events into these). */
export interface TimelineEntry {
  /** The engine's event type: composed, partitioned, appended, batch-closed, attempt-sent, attempt-result, ... */
  kind: string;
  time: number;
  title: string;
  detail: string;
  outcome?: 'ok' | 'retry' | 'error';
}

export interface RecordTraceView {
  recordId: string;
  entries: TimelineEntry[];
  /** The same trace as bars on a time axis. */
  waterfall?: Waterfall;
  /** Delivery metadata, key -> value, as shown next to the timeline. */
  metadata: Record<string, string | number | boolean | null>;
}

export interface BatchView {
  batchId: string;
  topic: string;
  partition: number;
  recordIds: string[];
  bytes: number | null;
  closeReason: string | null;
  /** Each produce request that carried the batch (one per attempt). */
  requests: RequestSpan[];
}

export type ChartFileFormat = 'svg' | 'png' | 'json';
export const CHART_FILE_FORMATS: readonly ChartFileFormat[] = ['svg', 'png', 'json'];

export interface SandboxView {
  running: boolean;
  brokers: BrokerSummary[];
  faults: number;
}

export interface PanelInit {
  connection: ConnectionSummary | null;
  /** Every connection the user can pick (the Local sandbox first). */
  connections: ConnectionSummary[];
  topics: TopicSummary[];
  sandbox: SandboxView | null;
  trusted: boolean;
}

export interface WebviewError {
  message: string;
  /** The Kafka error name (UNKNOWN_TOPIC_OR_PARTITION, ...) when one applies. */
  kafkaError?: string;
  /** The draft field the error belongs to, so the webview shows it next to the input. */
  field?: keyof ComposerDraft | `headers.${number}`;
}

export type SandboxAction =
  | { action: 'stopBroker'; broker: number }
  | { action: 'startBroker'; broker: number }
  | { action: 'moveLeader'; topic: string; partition: number; broker: number }
  | { action: 'injectError'; errorCode: number; count: number; topic?: string }
  | { action: 'addLatency'; latencyMs: number; count: number }
  | { action: 'clearFaults' };

/** Requests the webview makes, each answered by a `response`. */
export type WebviewRequest =
  | { type: 'send'; requestId: number; draft: ComposerDraft }
  | { type: 'refreshMetadata'; requestId: number }
  | { type: 'getTrace'; requestId: number; recordId: string }
  /** Fetches the record back from its partition and offset and opens it as stored, compared with what was sent. */
  | { type: 'readBack'; requestId: number; recordId: string }
  | { type: 'getBatches'; requestId: number }
  | { type: 'exportTrace'; requestId: number; recordIds: string[] | null }
  | { type: 'previewPartition'; requestId: number; topic: string; keyFormat: KeyFormat; key: string }
  | { type: 'sandbox'; requestId: number; command: SandboxAction }
  | { type: 'connect'; requestId: number; connectionId: string }
  | { type: 'previewRecord'; requestId: number; draft: ComposerDraft; origin: DraftOrigin | null }
  | { type: 'schemaSubjects'; requestId: number }
  | { type: 'schemaDetails'; requestId: number; topic: string; part: 'key' | 'value'; ref: DraftSchemaRef }
  | {
      type: 'checkSchemaValue';
      requestId: number;
      topic: string;
      part: 'key' | 'value';
      ref: DraftSchemaRef;
      text: string;
    }
  /** The last (or running) send's charts; null before any send. */
  | { type: 'getRunCharts'; requestId: number }
  /** Saves a chart the webview drew: SVG text, PNG as base64, or the charts' data as JSON. */
  | { type: 'saveChart'; requestId: number; format: ChartFileFormat; name: string; data: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'draftChanged'; draft: ComposerDraft; origin: DraftOrigin | null }
  | { type: 'clearResults' }
  /** Stop the running send: nothing more is handed to the producer; what it holds still settles. */
  | { type: 'cancelSend' }
  | WebviewRequest;

/** What a send answers once every record has settled or the send was cancelled. */
export interface SendResult {
  /** The last record handed over (the trace view selects it); null when none was. */
  lastRecordId: string | null;
  /** The run in one line, as collection sends say it: "3 of 3 records acknowledged", "...; cancelled, 4,000 of 5,000 not sent". */
  line: string;
  ok: boolean;
  cancelled: boolean;
}

/** A running send's progress, as collection sends count it. */
export interface SendProgress {
  /** "1,234 of 5,000 records: 1,230 acknowledged, 4 failed, 3,766 remaining, 812 records/s". */
  text: string;
  settled: number;
  acked: number;
  failed: number;
  remaining: number | null;
  perSecond: number;
}

export interface PreviewResult {
  partition: number | null;
  reason: string;
}

/** What each request answers with. */
export interface ResultOf {
  send: SendResult;
  refreshMetadata: PanelInit;
  /** `unavailable`: the host has no trace of that record (sent before a reload, cleared, or out of the window): why. */
  getTrace: RecordTraceView | { unavailable: string };
  /** One line: whether the stored record is byte for byte what was sent. */
  readBack: { summary: string };
  getBatches: BatchView[];
  exportTrace: { saved: boolean; path?: string };
  previewPartition: PreviewResult;
  sandbox: SandboxView;
  connect: PanelInit;
  previewRecord: RecordPreview;
  schemaSubjects: { registry: string | null; subjects: string[] };
  schemaDetails: SchemaDetails;
  /** null when the text fits the schema. */
  checkSchemaValue: { problem: string | null };
  getRunCharts: RunCharts | null;
  saveChart: { saved: boolean; path?: string };
}

export type HostToWebview =
  | { type: 'init'; init: PanelInit; draft: ComposerDraft | null; origin: DraftOrigin | null }
  | { type: 'response'; requestId: number; ok: true; result: unknown }
  | { type: 'response'; requestId: number; ok: false; error: WebviewError }
  | { type: 'results'; rows: ResultRow[] }
  | { type: 'state'; init: PanelInit }
  | { type: 'cleared' }
  | { type: 'sendProgress'; progress: SendProgress }
  /** A send's charts, every half second while it runs and once when it ends (bounded, sampled data). */
  | { type: 'runCharts'; charts: RunCharts }
  /** Replace the form with this draft ("Open in composer" from a collection). */
  | { type: 'loadDraft'; draft: ComposerDraft; origin: DraftOrigin | null };

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

/** The producer engine's public types (see the contract in the engine issue). */
import type { Disposable } from '../util/emitter';
import type { SchemaUsed } from '../schema-registry/schema-used';
import type { DeliveryError } from './errors';

export interface ProducerRecord {
  topic: string;
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: { key: string; value: string | Buffer | null }[];
  partition?: number;
  timestamp?: number;
  /** What encoded the key and value (Schema Registry schemas): named first in the record's trace. Share one array across records. */
  serialization?: readonly SchemaUsed[];
}

/** Why a record went to its partition. `hash` is Java's murmur2 of the key bytes (signed 32-bit). */
export type PartitionReason =
  | { type: 'explicit'; numPartitions: number }
  | { type: 'key-hash'; hash: number; numPartitions: number }
  | { type: 'sticky'; numPartitions: number; switched: boolean; previousPartition?: number }
  | { type: 'round-robin'; numPartitions: number }
  | {
      type: 'failover';
      numPartitions: number;
      /** The partition the normal rule picked, which had no live leader. */
      originalPartition: number;
      originalRule: 'key-hash' | 'sticky' | 'round-robin';
      hash?: number;
    };

export interface RecordMetadata {
  recordId: string;
  batchId: string;
  topic: string;
  partition: number;
  /** -1 with acks=0. */
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  serializedKeySize: number;
  serializedValueSize: number;
  attempts: number;
  partitionReason: PartitionReason;
}

export type BatchCloseReason = 'full' | 'linger' | 'flush' | 'close' | 'memory-pressure' | 'send-now';

export type TraceEvent =
  | ({ type: 'serialized'; recordId: string; time: number } & SchemaUsed)
  | {
      type: 'composed';
      recordId: string;
      time: number;
      topic: string;
      keySize: number;
      valueSize: number;
      headerCount: number;
      explicitPartition?: number;
    }
  | { type: 'blocked'; recordId: string; time: number; reason: 'metadata' | 'buffer-memory' }
  | { type: 'partitioned'; recordId: string; time: number; topic: string; partition: number; reason: PartitionReason }
  | { type: 'appended'; recordId: string; time: number; batchId: string; offsetDelta: number; newBatch: boolean }
  | { type: 'batch-created'; batchId: string; time: number; topic: string; partition: number; capacityBytes: number }
  | {
      type: 'batch-closed';
      batchId: string;
      time: number;
      reason: BatchCloseReason;
      recordCount: number;
      sizeBytes: number;
    }
  | {
      type: 'metadata-refresh';
      batchId?: string;
      time: number;
      reason: string;
      topics: string[] | null;
      durationMs?: number;
      error?: string;
    }
  | { type: 'producer-id'; batchId?: string; time: number; producerId: number; producerEpoch: number; reason: string }
  | {
      type: 'attempt-sent';
      batchId: string;
      time: number;
      attempt: number;
      brokerId: number;
      address: string;
      requestBytes: number;
      batchBytes: number;
      partitionsInRequest: number;
      queueTimeMs: number;
      producerId: number;
      producerEpoch: number;
      baseSequence: number;
    }
  | {
      type: 'attempt-result';
      batchId: string;
      time: number;
      attempt: number;
      brokerId: number;
      address: string;
      correlationId?: number;
      sentAt: number;
      roundTripMs: number;
      errorCode: number;
      errorName: string;
      retriable: boolean;
      baseOffset: number;
      message?: string;
    }
  | { type: 'backoff'; batchId: string; time: number; attempt: number; delayMs: number; until: number; reason: string }
  | {
      type: 'acked';
      recordId: string;
      batchId: string;
      time: number;
      offset: number;
      timestamp: number;
      timestampType: 'CreateTime' | 'LogAppendTime';
      attempts: number;
      queueTimeMs: number;
      roundTripMs: number;
    }
  | {
      type: 'failed';
      recordId: string;
      batchId?: string;
      time: number;
      error: string;
      errorName?: string;
      errorCode?: number;
      attempts: number;
    }
  /** A step of a transaction; on a batch (so in each of its records' traces) it names the transaction the records are in. */
  | {
      type: 'transaction';
      batchId?: string;
      time: number;
      transactionalId: string;
      transaction: number;
      step: TransactionStep;
      detail: string;
    };

/** Java's TransactionManager states, as Producer.transactionState reports them. */
export type TransactionState =
  | 'uninitialized'
  | 'initializing'
  | 'ready'
  | 'in_transaction'
  | 'committing_transaction'
  | 'aborting_transaction'
  | 'abortable_error'
  | 'fatal_error';

export type TransactionStep =
  | 'begin'
  | 'coordinator'
  | 'add-partitions'
  | 'add-offsets'
  | 'offsets'
  | 'batch'
  | 'committing'
  | 'end-txn'
  | 'retry'
  | 'error'
  | 'committed'
  | 'aborted'
  | 'closed';

/** One transaction of a transactional producer, for the transaction view (Producer.transactions()). */
export interface TransactionView {
  transactionalId: string;
  /** 1 for the producer's first transaction, and so on. */
  number: number;
  state: 'open' | 'committing' | 'aborting' | 'committed' | 'aborted' | 'failed';
  producerId: number;
  producerEpoch: number;
  coordinator: { nodeId: number; address: string } | null;
  startedAt: number;
  endedAt: number | null;
  /** In the order they joined; addedAt is null until AddPartitionsToTxn added them. */
  partitions: { topic: string; partition: number; addedAt: number | null }[];
  groups: { groupId: string; offsets: number; committed: boolean }[];
  records: number;
  failedRecords: number;
  /** The first records' ids (up to 1,000). */
  recordIds: string[];
  /** The partitions whose commit or abort marker the coordinator wrote (EndTxn succeeded). */
  markers: { topic: string; partition: number; type: 'commit' | 'abort' }[];
  outcome: 'committed' | 'aborted' | null;
  error: string | null;
  events: { time: number; step: TransactionStep; detail: string }[];
}

export type TraceEventType = TraceEvent['type'];

export interface RecordTrace {
  recordId: string;
  topic: string;
  partition?: number;
  batchId?: string;
  outcome: 'pending' | 'acked' | 'failed';
  events: TraceEvent[];
}

export interface BatchTrace {
  batchId: string;
  topic: string;
  partition: number;
  recordIds: string[];
  events: TraceEvent[];
}

export interface BrokerStats {
  brokerId: number;
  requests: number;
  inFlight: number;
  requestLatencyAvg: number;
  requestLatencyMax: number;
  errors: number;
}

/**
 * The Java producer's metrics, by its names (rates per second over the last 30 s, as Java's windowed rates; times in
 * ms; metadata-age in s), plus a few of ours: record-ack-*, record-latency-p50/p99 (hand-over to outcome).
 */
export interface ProducerStats {
  'record-send-total': number;
  'record-send-rate': number;
  'record-error-total': number;
  'record-error-rate': number;
  'record-retry-total': number;
  'record-retry-rate': number;
  'record-size-max': number;
  'batch-size-avg': number;
  'batch-size-max': number;
  'records-per-request-avg': number;
  'record-queue-time-avg': number;
  'record-queue-time-max': number;
  'request-latency-avg': number;
  'request-latency-max': number;
  'request-total': number;
  'request-rate': number;
  'request-size-avg': number;
  'request-size-max': number;
  'response-total': number;
  'outgoing-byte-total': number;
  'outgoing-byte-rate': number;
  'requests-in-flight': number;
  'compression-rate-avg': number;
  'produce-throttle-time-avg': number;
  'produce-throttle-time-max': number;
  'buffer-available-bytes': number;
  'buffer-total-bytes': number;
  'bufferpool-wait-ratio': number;
  'bufferpool-wait-time-ns-total': number;
  'metadata-age': number;
  'record-ack-total': number;
  'record-ack-rate': number;
  'record-latency-p50': number;
  'record-latency-p99': number;
  brokers: BrokerStats[];
}

/** One interval of a run's timeline (see Producer.timeline). Latencies in ms, null when no record settled. */
export interface MetricsInterval {
  at: number;
  acked: number;
  failed: number;
  sent: number;
  retried: number;
  requests: number;
  bytes: number;
  batches: number;
  batchRecordsAvg: number;
  batchBytesAvg: number;
  latencyP50: number | null;
  latencyP90: number | null;
  latencyP99: number | null;
  latencyMax: number;
  brokers: { brokerId: number; requests: number; errors: number; latencyAvg: number; latencyMax: number }[];
}

/** A run for charts: bounded (intervals merge as it grows), sampled from the producer's own counters. */
export interface MetricsTimeline {
  startedAt: number;
  intervalMs: number;
  intervals: MetricsInterval[];
  latency: {
    count: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    buckets: { upTo: number; count: number }[];
  };
  batches: {
    records: { upTo: number; count: number }[];
    bytes: { upTo: number; count: number }[];
    closeReasons: Record<BatchCloseReason, number>;
  };
}

/** Java's send callback: runs exactly once, with the record's metadata or its error. */
export type DeliveryCallback = (error: DeliveryError | null, metadata?: RecordMetadata) => void;

/**
 * The outcome of a group of records that settled together: the records of one batch, or one record that failed
 * before it joined a batch. Bulk senders read outcomes from these instead of asking for a callback or promise per
 * record. A report is only valid during the listener call that receives it.
 */
export interface DeliveryReport {
  readonly topic: string;
  /** -1 when the records never got a partition. */
  readonly partition: number;
  readonly batchId: string | undefined;
  readonly recordCount: number;
  /** The error every record of the report failed with, or undefined when they were acknowledged. */
  readonly error: DeliveryError | undefined;
  /** When the outcome was known (the producer's clock). */
  readonly settledAt: number;
  /** Produce attempts made. */
  readonly attempts: number;
  /** The i-th record's number in its producer (its id is `producer.recordId(seq)`), i in [0, recordCount). */
  recordSeq(i: number): number;
  /** When the i-th record was handed to the producer. */
  recordSentAt(i: number): number;
  /** The i-th record's offset; -1 when unknown (acks=0) or failed. */
  offset(i: number): number;
  /** The i-th record's metadata, as its callback gets it; undefined when the records failed. */
  recordMetadata(i: number): RecordMetadata | undefined;
}

export interface Producer {
  /** Hands a record over and returns a promise of its outcome (one promise per call: for callers that await records). */
  send(record: ProducerRecord, callback?: DeliveryCallback): Promise<RecordMetadata>;
  /** Same, but hands back the record's trace id at once (before the ack), for UIs and fire-and-forget. */
  submit(record: ProducerRecord): { recordId: string; result: Promise<RecordMetadata> };
  /**
   * Java's send(record, callback), without a promise: returns the record's number at once; the callback (if any)
   * runs exactly once with the metadata or the error. Every outcome also reaches onDelivery listeners, the trace and
   * the stats, so bulk senders need no callback at all.
   */
  produce(record: ProducerRecord, callback?: DeliveryCallback): number;
  /** The trace id of the record `produce` numbered `seq`. */
  recordId(seq: number): string;
  /** Batch-level outcomes of every record, as they settle. */
  onDelivery(listener: (report: DeliveryReport) => void): Disposable;
  /**
   * Whether a bulk sender should hand over more records now; when false it should wait (`waitForRoom`). False while
   * records wait for buffer memory; while unsettled batches hold more than an eighth of buffer.memory (enough to keep
   * every request slot fed with full batches: queueing deeper only adds latency to each record and memory to the
   * process); and while unsettled records fill half the trace window (so each record's trace is still there when it
   * settles). A sender that ignores it is still bounded by buffer.memory, as Java's send() would block.
   */
  readonly hasRoom: boolean;
  /** Resolves when `hasRoom` is true again (at once if it is). */
  waitForRoom(): Promise<void>;
  /** Records handed over and not settled yet. */
  readonly pendingRecords: number;
  flush(): Promise<void>;
  /**
   * Makes the batches there are now sendable without waiting for linger.ms, and returns at once: the caller hands
   * over nothing more until some records are acknowledged, so lingering would only leave the connection idle. (Java
   * does the same for a thread that blocks on buffer memory.) Batches begun later linger as usual.
   */
  sendNow(): void;
  /**
   * Cancel: every record handed over and not sent yet (waiting, or in a batch that never went out) fails now with
   * CANCELLED; records in requests, or being retried, still get their real outcome. Returns how many failed. The
   * producer stays usable. A producer shared by several senders cancels all of their unsent records.
   */
  abortUnsent(reason?: string): number;
  close(options?: { timeoutMs?: number }): Promise<void>;
  readonly onTrace: (listener: (event: TraceEvent) => void) => Disposable;
  recordTrace(recordId: string): RecordTrace | undefined;
  /** Keeps a record's trace past the trace window (for a record the user selected); false if it is already gone. */
  keepTrace(recordId: string): boolean;
  batchTrace(batchId: string): BatchTrace | undefined;
  exportTraces(filter?: { recordIds?: string[] }): object;
  stats(): ProducerStats;
  /** The run so far as intervals (records/s, outcomes, latency percentiles, batch fill, brokers), for charts. */
  timeline(): MetricsTimeline;
  /**
   * Transactions (a producer with transactional.id), with the Java producer's rules: initTransactions() once, then
   * beginTransaction(), send, optionally sendOffsetsToTransaction(), and commitTransaction() or abortTransaction().
   * Each rejects or throws a TransactionError saying what was wrong and what to do.
   */
  initTransactions(): Promise<void>;
  /** Where the transactional producer is (undefined without transactional.id): initTransactions() is due when 'uninitialized'. */
  readonly transactionState: TransactionState | undefined;
  beginTransaction(): void;
  sendOffsetsToTransaction(
    offsets: { topic: string; partition: number; offset: number; metadata?: string | null }[],
    groupId: string,
  ): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  /** The producer's transactions so far, newest last: partitions, coordinator, records, markers, outcome. */
  transactions(): TransactionView[];
}

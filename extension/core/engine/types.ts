/** The producer engine's public types (see the contract in the engine issue). */
import type { Disposable } from '../util/emitter';
import type { DeliveryError } from './errors';

export interface ProducerRecord {
  topic: string;
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: { key: string; value: string | Buffer | null }[];
  partition?: number;
  timestamp?: number;
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

export type BatchCloseReason = 'full' | 'linger' | 'flush' | 'close' | 'memory-pressure';

export type TraceEvent =
  | { type: 'composed'; recordId: string; time: number; topic: string; keySize: number; valueSize: number; headerCount: number; explicitPartition?: number }
  | { type: 'blocked'; recordId: string; time: number; reason: 'metadata' | 'buffer-memory' }
  | { type: 'partitioned'; recordId: string; time: number; topic: string; partition: number; reason: PartitionReason }
  | { type: 'appended'; recordId: string; time: number; batchId: string; offsetDelta: number; newBatch: boolean }
  | { type: 'batch-created'; batchId: string; time: number; topic: string; partition: number; capacityBytes: number }
  | { type: 'batch-closed'; batchId: string; time: number; reason: BatchCloseReason; recordCount: number; sizeBytes: number }
  | { type: 'metadata-refresh'; batchId?: string; time: number; reason: string; topics: string[] | null; durationMs?: number; error?: string }
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
  | { type: 'failed'; recordId: string; batchId?: string; time: number; error: string; errorName?: string; errorCode?: number; attempts: number };

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

/** Java-like producer metrics, over the producer's life. Rates are per second. */
export interface ProducerStats {
  'record-send-total': number;
  'record-send-rate': number;
  'record-error-total': number;
  'record-error-rate': number;
  'record-retry-total': number;
  'record-retry-rate': number;
  'batch-size-avg': number;
  'batch-size-max': number;
  'records-per-request-avg': number;
  'record-queue-time-avg': number;
  'record-queue-time-max': number;
  'request-latency-avg': number;
  'request-latency-max': number;
  'request-total': number;
  'buffer-available-bytes': number;
  'buffer-total-bytes': number;
  brokers: BrokerStats[];
}

export interface Producer {
  send(record: ProducerRecord, callback?: (error: DeliveryError | null, metadata?: RecordMetadata) => void): Promise<RecordMetadata>;
  /** Same, but hands back the record's trace id at once (before the ack), for UIs and fire-and-forget. */
  submit(record: ProducerRecord): { recordId: string; result: Promise<RecordMetadata> };
  flush(): Promise<void>;
  close(options?: { timeoutMs?: number }): Promise<void>;
  readonly onTrace: (listener: (event: TraceEvent) => void) => Disposable;
  recordTrace(recordId: string): RecordTrace | undefined;
  batchTrace(batchId: string): BatchTrace | undefined;
  exportTraces(filter?: { recordIds?: string[] }): object;
  stats(): ProducerStats;
}

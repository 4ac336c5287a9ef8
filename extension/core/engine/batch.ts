/** One record waiting for delivery, and the per-partition batch (Java's ProducerBatch) it joins. */
import { RecordBatchBuilder, type CompressionType, type RecordHeader, type RecordPayload } from '../kafka/record-batch-encoder';
import type { DeliveryError } from './errors';
import type { BatchCloseReason, PartitionReason, RecordMetadata, TraceEvent } from './types';

/**
 * A record from send() to its ack or failure. It doubles as the record's trace entry: the hot path fills fields
 * instead of allocating an event per step, and the trace store builds events from them when asked.
 */
export class PendingRecord {
  /** The record's number within its producer (its id is `<producer>r<seq>`). */
  seq = 0;
  partition = -1;
  reason: PartitionReason | undefined;
  batch: ProducerBatch | undefined;
  offsetDelta = -1;
  partitionedAt = 0;
  appendedAt = 0;
  blockedAt = 0;
  blockedReason: 'metadata' | 'buffer-memory' | undefined;
  /** When waiting for metadata or memory: give up at this time (max.block.ms). */
  blockDeadline = 0;
  settled = false;
  acked = false;
  error: DeliveryError | undefined;
  failedAt = 0;
  result: Promise<RecordMetadata> | undefined;
  resolve: ((m: RecordMetadata) => void) | undefined;
  reject: ((e: DeliveryError) => void) | undefined;
  callback: ((error: DeliveryError | null, metadata?: RecordMetadata) => void) | undefined;

  constructor(
    readonly id: string,
    readonly topic: string,
    public key: RecordPayload,
    public value: RecordPayload,
    public headers: RecordHeader[] | undefined,
    readonly timestamp: number,
    readonly explicitPartition: number | undefined,
    readonly composedAt: number,
    readonly keySize: number,
    readonly valueSize: number,
    readonly headerCount: number,
    /** recordBodySizeWithoutDeltas: computed once, used for every size decision. */
    readonly bodySize: number,
    readonly sizeUpperBound: number,
  ) {}
}

export type BatchState = 'open' | 'closed' | 'in-flight' | 'done';

export class ProducerBatch {
  state: BatchState = 'open';
  /** The batch's records while it is being delivered; emptied once it is done (the trace keeps recordSeqs). */
  records: PendingRecord[] = [];
  recordSeqs: Float64Array | undefined;
  builder: RecordBatchBuilder | undefined;
  /** Set when a record did not fit: the batch is full and ready. */
  full = false;
  closeReason: BatchCloseReason | undefined;
  drainedMs = -1;
  attempts = 0;
  /** Not drained again before this time (retry backoff). */
  retryAt = 0;
  baseSequence = -1;
  producerId = -1;
  producerEpoch = -1;
  encoded: Buffer | undefined;
  baseOffset = -1;
  doneMs = 0;
  lastSentMs = 0;
  lastRoundTripMs = 0;
  logAppendTime = -1;
  /** The last retriable failure, named when the batch finally times out. */
  lastFailure: string | undefined;
  /** The retry waits for metadata refreshed after this time (the leader may have moved). */
  awaitMetadataAfter = -1;
  /** Batch-level trace events (undefined when tracing is off). */
  readonly events: TraceEvent[] | undefined;
  readonly deliveryDeadline: number;

  constructor(
    readonly id: string,
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
    /** Bytes reserved from buffer.memory for this batch. */
    readonly reservedBytes: number,
    baseTimestamp: number,
    compression: CompressionType,
    deliveryTimeoutMs: number,
    tracing: boolean,
  ) {
    this.builder = new RecordBatchBuilder(reservedBytes, baseTimestamp, compression);
    this.deliveryDeadline = createdMs + deliveryTimeoutMs;
    this.events = tracing ? [] : undefined;
  }

  get recordCount(): number {
    return this.recordSeqs ? this.recordSeqs.length : this.records.length;
  }

  get sizeInBytes(): number {
    return this.encoded?.length ?? this.builder?.sizeInBytes ?? 0;
  }

  /** Appends the record if it fits; false when the batch is full. */
  tryAppend(record: PendingRecord, now: number): boolean {
    const builder = this.builder!;
    const delta = builder.tryAppend(record.timestamp, record.key, record.value, record.headers, record.bodySize, record.keySize, record.valueSize);
    if (delta < 0) {
      this.full = true;
      return false;
    }
    record.batch = this;
    record.offsetDelta = delta;
    record.appendedAt = now;
    // The bytes now live in the batch buffer; drop the record's own copies.
    record.key = null;
    record.value = null;
    record.headers = undefined;
    this.records.push(record);
    return true;
  }

  hasRoomFor(record: PendingRecord): boolean {
    return this.state === 'open' && !this.full && this.builder!.hasRoomFor(record.timestamp, record.bodySize);
  }
}

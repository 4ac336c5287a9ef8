/**
 * Java's ProducerBatch: the records of one partition, encoded straight into one buffer as they are appended, each
 * record's facts in typed arrays (no object per record, so a full buffer.memory of records costs the garbage
 * collector nothing), and the batch's life as a state machine whose transitions are checked. A batch settles its
 * own records: each callback once, then its sink (the producer's delivery reports, stats and trace).
 */
import { RecordBatchBuilder, type CompressionType, type ProducerState } from '../kafka/record-batch';
import { DeliveryError, type BatchFailure } from './errors';
import { ReasonCode, reasonFromFacts } from './reason';
import type { SchemaUsed } from '../schema-registry/schema-used';
import { RecordFacts, type FactsPool } from './record-facts';
import { Blocked, type RecordInput } from './record-input';
import type { BatchCloseReason, DeliveryCallback, DeliveryReport, RecordMetadata, TraceEvent } from './types';

/**
 * open: takes records. closed: takes no more, waits to be sent. in-flight: in a request not answered yet.
 * retrying: answered with a retriable error, back in its partition's queue. done / failed: settled, for good.
 */
export type BatchState = 'open' | 'closed' | 'in-flight' | 'retrying' | 'done' | 'failed';

const TRANSITIONS: Record<BatchState, readonly BatchState[]> = {
  open: ['closed', 'failed'],
  closed: ['in-flight', 'failed'],
  'in-flight': ['done', 'failed', 'retrying'],
  retrying: ['in-flight', 'failed'],
  done: [],
  failed: [],
};

/** Told when a batch has settled its records. The producer's delivery reports, stats and trace listen here. */
export interface BatchSink {
  batchSettled(batch: ProducerBatch): void;
  recordId(seq: number): string;
  callbackFailed(error: unknown): void;
}

export class ProducerBatch implements DeliveryReport {
  private stateValue: BatchState = 'open';
  /** The pooled buffer the records are written to, until the batch settles. */
  private buffer: Buffer | undefined;
  private builder: RecordBatchBuilder | undefined;
  private built: Buffer | undefined;
  private readonly facts: RecordFacts;
  private count = 0;
  private callbacks: (DeliveryCallback | undefined)[] | undefined;
  /** Per record, the schemas that encoded it; made only when a record has some. */
  private serializations: (readonly SchemaUsed[] | undefined)[] | undefined;
  private full = false;
  /** Why the batch stopped taking records; set once, when it is first drained. */
  closeReason: BatchCloseReason | undefined;
  closedAt = -1;
  /** Bytes of the batch on the wire once built (compressed), or the records written so far. */
  private wireBytes = 0;
  attempts = 0;
  /** An attempt went out and its answer never came (a timeout, a dropped connection): it may have been written. */
  hadUnansweredAttempt = false;
  lastSentAt = 0;
  lastRoundTripMs = 0;
  /** Not drained again before this time (retry backoff). */
  retryAt = 0;
  /** The last retriable failure, named when the batch finally times out. */
  lastFailure: string | undefined;
  /** The retry waits for metadata fetched after this time (the leader may have moved); -1 = no wait. */
  awaitMetadataAfter = -1;
  producerId = -1;
  /** Sent in a transaction (the transaction manager marks it when it stamps it). */
  isTransactional = false;
  producerEpoch = -1;
  baseSequence = -1;
  /** The sequence was rewritten after the batch was first stamped (an epoch bump or a new producer id). */
  sequenceHasBeenReset = false;
  /** Restamped while its request was on the way: an answer to that request is about the old stamp. */
  restampedInFlight = false;
  baseOffset = -1;
  logAppendTime = -1;
  error: DeliveryError | undefined;
  settledAt = 0;
  /** Its number in the trace window (TraceStore's to set), 0 once it has left the window or before it entered. */
  traceNumber = 0;
  /** The highest record number it holds, for the trace window: it leaves the window after that record. */
  traceNewestSeq = 0;
  /** Batch-level trace events (attempts, backoffs, refreshes); undefined when tracing is off. */
  readonly events: TraceEvent[] | undefined;
  readonly deliveryDeadline: number;
  /** The topic's partition count when the batch's partition was chosen. */
  readonly numPartitions: number;

  constructor(
    readonly id: string,
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
    /** Bytes reserved from buffer.memory for this batch. */
    readonly reservedBytes: number,
    firstRecord: RecordInput,
    compression: CompressionType,
    deliveryTimeoutMs: number,
    tracing: boolean,
    private readonly sink: BatchSink,
    /** From the buffer pool: `reservedBytes` long. */
    buffer: Buffer,
    factsPool: FactsPool,
  ) {
    this.buffer = buffer;
    this.builder = new RecordBatchBuilder(reservedBytes, firstRecord.timestamp, compression, -1, buffer);
    this.deliveryDeadline = createdMs + deliveryTimeoutMs;
    this.numPartitions = firstRecord.numPartitions;
    this.events = tracing ? [] : undefined;
    // Room for as many records as the first one's size fits (each adds at least 3 bytes to its body): one allocation.
    const estimate = Math.max(4, Math.min(1 << 16, Math.floor(reservedBytes / (firstRecord.bodySize + 3)) + 1));
    this.facts = new RecordFacts(factsPool, estimate, createdMs, firstRecord.seq);
  }

  get state(): BatchState {
    return this.stateValue;
  }

  private moveTo(next: BatchState): void {
    if (!TRANSITIONS[this.stateValue].includes(next)) {
      throw new Error(`engine bug: batch ${this.id} cannot go from ${this.stateValue} to ${next}`);
    }
    this.stateValue = next;
  }

  get isSettled(): boolean {
    return this.stateValue === 'done' || this.stateValue === 'failed';
  }

  get recordCount(): number {
    return this.count;
  }

  /** Wire size: the built bytes once built, else the records so far (uncompressed). */
  get sizeInBytes(): number {
    return this.built?.length ?? this.builder?.sizeInBytes ?? this.wireBytes;
  }

  /** Full (a record did not fit): ready to send without waiting for linger.ms. */
  get isFull(): boolean {
    return this.full;
  }

  get hasSequence(): boolean {
    return this.baseSequence >= 0;
  }

  get lastSequence(): number {
    return (this.baseSequence + this.count - 1) % 2147483648;
  }

  hasRoomFor(record: RecordInput): boolean {
    return this.stateValue === 'open' && !this.full && this.builder!.hasRoomFor(record.timestamp, record.bodySize);
  }

  /** Appends the record if it fits (returns its index in the batch), or marks the batch full and returns -1. */
  tryAppend(r: RecordInput, now: number): number {
    if (this.stateValue !== 'open') return -1;
    const delta = this.builder!.tryAppend(r.timestamp, r.key, r.value, r.headers, r.bodySize, r.keySize, r.valueSize);
    if (delta < 0) {
      this.full = true;
      return -1;
    }
    const i = this.count++;
    this.facts.write(i, r, now);
    if (r.callback) {
      this.callbacks ??= [];
      this.callbacks[i] = r.callback;
    }
    if (r.serialization) {
      this.serializations ??= [];
      this.serializations[i] = r.serialization;
    }
    return i;
  }

  /** Kept past the trace window (a record the user selected): its facts are never recycled. */
  kept = false;

  /**
   * Gives the facts back to the pool once nothing will read them: settled, its delivery reports made, out of the
   * trace window and not kept. The batch can no longer describe its records after this.
   */
  maybeRecycleFacts(): void {
    if (!this.isSettled || this.traceNumber !== 0 || this.kept || this.facts.recycled) return;
    this.facts.recycle();
  }

  // ---- life ----

  /** Takes no more records (drained, or expired before it was). */
  close(reason: BatchCloseReason, now: number): void {
    this.moveTo('closed');
    this.closeReason = reason;
    this.closedAt = now;
  }

  /** The wire bytes, stamped with the producer state; built once, so a retry resends them unchanged. */
  build(): Buffer {
    this.built ??= this.builder!.build(this.producerState());
    return this.built;
  }

  async buildAsync(
    compress: (type: Exclude<CompressionType, 'none'>, data: Buffer) => Promise<Buffer>,
  ): Promise<Buffer> {
    if (!this.built) {
      const bytes = await this.builder!.buildAsync(this.producerState(), compress);
      if (this.isSettled) return bytes; // failed while compressing (close timed out): nothing to keep
      this.built = bytes;
    }
    return this.built;
  }

  get isBuilt(): boolean {
    return this.built !== undefined;
  }

  private producerState(): ProducerState {
    return {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.baseSequence,
      isTransactional: this.isTransactional,
    };
  }

  /** Sets producer id, epoch and base sequence; bytes already built are rewritten (header and CRC) to match. */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    if (this.baseSequence >= 0) {
      this.sequenceHasBeenReset = true;
      if (this.stateValue === 'in-flight') this.restampedInFlight = true;
    }
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    if (this.built) {
      // A copy: the bytes of a request still on its way must not change under it.
      this.built = Buffer.from(this.built);
      RecordBatchBuilder.restamp(this.built, this.producerState());
    }
  }

  /** Goes into a request. */
  markSent(now: number): void {
    this.moveTo('in-flight');
    this.attempts++;
    this.lastSentAt = now;
    this.restampedInFlight = false;
  }

  /** A retriable failure: back into its partition's queue until `retryAt`. */
  markRetry(retryAt: number, failure: string): void {
    this.moveTo('retrying');
    this.retryAt = retryAt;
    this.lastFailure = failure;
  }

  /**
   * Acknowledged: every record settles with its offset. `bytesReusable`: the broker answered, so the request was read
   * whole and the buffer can go back to the pool (not so with acks=0, whose bytes may still wait in the socket).
   */
  complete(baseOffset: number, logAppendTime: number, now: number, bytesReusable: boolean): void {
    this.moveTo('done');
    this.baseOffset = baseOffset;
    this.logAppendTime = logAppendTime;
    this.settle(now, bytesReusable);
    const callbacks = this.callbacks;
    this.callbacks = undefined;
    if (callbacks) {
      for (let i = 0; i < callbacks.length; i++) {
        const cb = callbacks[i];
        if (cb) this.call(cb, null, this.metadata(i));
      }
    }
    this.sink.batchSettled(this);
    this.maybeRecycleFacts();
  }

  /**
   * Failed for good: every record settles with the error. `bytesReusable`: no request holds the bytes any more (never
   * sent, or answered by the broker); after a timeout or a dropped connection they may still wait in a socket.
   */
  fail(failure: BatchFailure, now: number, bytesReusable: boolean): void {
    this.moveTo('failed');
    this.error = this.errorFor(0, failure);
    this.settle(now, bytesReusable);
    const callbacks = this.callbacks;
    this.callbacks = undefined;
    if (callbacks) {
      for (let i = 0; i < callbacks.length; i++) {
        const cb = callbacks[i];
        if (cb) this.call(cb, i === 0 ? this.error : this.errorFor(i, failure));
      }
    }
    this.sink.batchSettled(this);
    this.maybeRecycleFacts();
  }

  private settle(now: number, bytesReusable: boolean): void {
    this.settledAt = now;
    this.wireBytes = this.sizeInBytes;
    // The bytes are not needed any more; the facts stay for the trace.
    if (!bytesReusable) this.buffer = undefined;
    this.builder = undefined;
    this.built = undefined;
  }

  /** Once settled: the buffer to give back to the pool, if nothing can still read it (handed over once). */
  takeReusableBuffer(): Buffer | undefined {
    const b = this.isSettled ? this.buffer : undefined;
    this.buffer = undefined;
    return b;
  }

  private call(cb: DeliveryCallback, error: DeliveryError | null, metadata?: RecordMetadata): void {
    try {
      cb(error, metadata);
    } catch (e) {
      this.sink.callbackFailed(e);
    }
  }

  private errorFor(i: number, failure: BatchFailure): DeliveryError {
    return new DeliveryError(failure.message, {
      recordId: this.sink.recordId(this.recordSeq(i)),
      topic: this.topic,
      partition: this.partition,
      errorCode: failure.errorCode,
      errorName: failure.errorName,
      attempts: this.attempts,
      retriable: failure.retriable,
      cause: failure.cause,
      maybeWritten: failure.maybeWritten,
    });
  }

  // ---- the records' facts (DeliveryReport and the trace) ----

  recordSeq(i: number): number {
    return this.facts.seq(i);
  }

  recordSentAt(i: number): number {
    return this.facts.sentAt(i);
  }

  recordTimestamp(i: number): number {
    return this.facts.timestamp(i);
  }

  recordPlacedAt(i: number): number {
    return this.facts.placedAt(i);
  }

  recordBlockedAt(i: number): number {
    return this.facts.blockedAt(i);
  }

  recordSerialization(i: number): readonly SchemaUsed[] | undefined {
    return this.serializations?.[i];
  }

  recordKeySize(i: number): number {
    return this.facts.keySize(i);
  }

  recordValueSize(i: number): number {
    return this.facts.valueSize(i);
  }

  recordHeaderCount(i: number): number {
    return this.facts.headerCount(i);
  }

  /** The partition the record asked for, or -1. */
  recordExplicitPartition(i: number): number {
    return this.facts.reasonCode(i) === ReasonCode.Explicit ? this.partition : -1;
  }

  recordBlocked(i: number): Blocked {
    return this.facts.blocked(i) as Blocked;
  }

  recordReason(i: number): ReturnType<typeof reasonFromFacts> {
    return reasonFromFacts(
      this.facts.reasonCode(i) as ReasonCode,
      this.numPartitions,
      this.facts.hash(i),
      this.facts.aux(i),
    );
  }

  offset(i: number): number {
    return this.stateValue === 'done' && this.baseOffset >= 0 ? this.baseOffset + i : -1;
  }

  recordMetadata(i: number): RecordMetadata | undefined {
    return this.stateValue === 'done' ? this.metadata(i) : undefined;
  }

  get usesLogAppendTime(): boolean {
    return this.logAppendTime !== -1;
  }

  metadata(i: number): RecordMetadata {
    const logAppend = this.usesLogAppendTime;
    return {
      recordId: this.sink.recordId(this.recordSeq(i)),
      batchId: this.id,
      topic: this.topic,
      partition: this.partition,
      offset: this.offset(i),
      timestamp: logAppend ? this.logAppendTime : this.recordTimestamp(i),
      timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
      serializedKeySize: this.recordKeySize(i),
      serializedValueSize: this.recordValueSize(i),
      attempts: this.attempts,
      partitionReason: this.recordReason(i),
    };
  }

  /** The DeliveryReport's batch id. */
  get batchId(): string {
    return this.id;
  }
}

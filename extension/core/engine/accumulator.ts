/**
 * Java's RecordAccumulator: a deque of batches per partition, and buffer.memory accounting. The sender decides when
 * a batch is ready and drains it; retried batches come back through `reenqueue`, in sequence order.
 */
import { RECORD_BATCH_OVERHEAD, type CompressionType } from '../kafka/record-batch-encoder';
import { ProducerBatch, type PendingRecord } from './batch';

export class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  /** Next sequence number for a batch of this partition (idempotence). */
  nextSequence = 0;
  /** Batches of this partition in requests that have not been answered yet. */
  inFlight = 0;
  /** Batches with a sequence that are not done yet (in flight or waiting to be retried), by sequence. */
  readonly sequenced: ProducerBatch[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get last(): ProducerBatch | undefined {
    return this.batches[this.batches.length - 1];
  }

  /** True when a batch of this partition with a lower sequence than `batch` is still unresolved. */
  hasEarlierUnresolved(batch: ProducerBatch): boolean {
    for (const b of this.sequenced) if (b !== batch && b.baseSequence < batch.baseSequence) return true;
    return false;
  }

  forgetSequenced(batch: ProducerBatch): void {
    const i = this.sequenced.indexOf(batch);
    if (i >= 0) this.sequenced.splice(i, 1);
  }
}

export type AppendOutcome = 'appended' | 'new-batch' | 'no-memory';

export interface AccumulatorOptions {
  batchSize: number;
  bufferMemory: number;
  compression: CompressionType;
  deliveryTimeoutMs: number;
  tracing: boolean;
  newBatchId: () => string;
}

export class RecordAccumulator {
  readonly queues = new Map<string, PartitionQueue>();
  private usedMemory = 0;

  constructor(private readonly options: AccumulatorOptions) {}

  static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  queue(topic: string, partition: number): PartitionQueue {
    const key = RecordAccumulator.key(topic, partition);
    let q = this.queues.get(key);
    if (!q) {
      q = new PartitionQueue(topic, partition);
      this.queues.set(key, q);
    }
    return q;
  }

  get availableMemory(): number {
    return this.options.bufferMemory - this.usedMemory;
  }

  get totalMemory(): number {
    return this.options.bufferMemory;
  }

  /** The open (last, not full, not drained) batch of a partition, if the record fits in it. */
  openBatchWithRoom(topic: string, partition: number, record: PendingRecord): ProducerBatch | undefined {
    const last = this.queues.get(RecordAccumulator.key(topic, partition))?.last;
    return last && last.hasRoomFor(record) ? last : undefined;
  }

  /**
   * Appends to the partition's open batch, or starts a new one (sized for the record when it is larger than
   * batch.size). 'no-memory' when buffer.memory cannot hold a new batch: the record was not appended.
   */
  append(record: PendingRecord, partition: number, now: number): AppendOutcome {
    const q = this.queue(record.topic, partition);
    const last = q.last;
    if (last && last.state === 'open' && !last.full) {
      if (last.tryAppend(record, now)) return 'appended';
    }
    const size = Math.max(this.options.batchSize, RECORD_BATCH_OVERHEAD + record.sizeUpperBound);
    if (size > this.availableMemory) return 'no-memory';
    this.usedMemory += size;
    const batch = new ProducerBatch(
      this.options.newBatchId(),
      record.topic,
      partition,
      now,
      size,
      record.timestamp,
      this.options.compression,
      this.options.deliveryTimeoutMs,
      this.options.tracing,
    );
    q.batches.push(batch);
    if (!batch.tryAppend(record, now)) throw new Error('a new batch is sized to hold its first record');
    return 'new-batch';
  }

  /** Puts a batch back at the front of its partition's deque, after any batch with a lower sequence (Java's insertInSequenceOrder). */
  reenqueue(batch: ProducerBatch): void {
    const q = this.queue(batch.topic, batch.partition);
    batch.state = 'closed';
    let i = 0;
    if (batch.baseSequence >= 0) {
      while (i < q.batches.length && q.batches[i].baseSequence >= 0 && q.batches[i].baseSequence < batch.baseSequence) i++;
    }
    q.batches.splice(i, 0, batch);
  }

  /** Gives a finished batch's memory back. */
  release(batch: ProducerBatch): void {
    this.usedMemory -= batch.reservedBytes;
  }

  get isEmpty(): boolean {
    for (const q of this.queues.values()) if (q.batches.length > 0) return false;
    return true;
  }
}

/**
 * Java's RecordAccumulator: the only code that touches the partition queues (a deque of batches per partition) and
 * buffer.memory. `append` puts a record in its partition's open batch; the sender asks `ready` which leaders have a
 * batch to send and `drain` for one request's batches per broker; batches past delivery.timeout.ms leave through
 * `expiredBatches`, retried ones come back through `reenqueue`, in sequence order.
 */
import { RECORD_BATCH_OVERHEAD, type CompressionType } from '../kafka/record-batch';
import { ProducerBatch, type BatchSink } from './batch';
import type { RecordInput } from './record-input';
import { BufferPool } from './buffer-pool';
import { FactsPool } from './record-facts';
import type { BatchFailure } from './errors';
import type { IdempotenceManager } from './idempotence';
import type { MetadataCache } from './metadata';
import type { BatchCloseReason } from './types';

/** One partition's deque of batches. */
class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  /** Muted while a batch of it is in flight, when order must be kept with one request in flight (Java's mute). */
  muted = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get last(): ProducerBatch | undefined {
    return this.batches[this.batches.length - 1];
  }
}

export interface AccumulatorOptions {
  batchSize: number;
  bufferMemory: number;
  lingerMs: number;
  compression: CompressionType;
  deliveryTimeoutMs: number;
  tracing: boolean;
  newBatchId: () => string;
  sink: BatchSink;
}

/** What `append` did. */
export enum AppendResult {
  /** Into the partition's open batch. */
  Appended = 0,
  /** Into a new batch, the partition's only one: it is ready after linger.ms. */
  NewBatch = 1,
  /** Into a new batch behind the full one before it: the sender has work now. */
  NewBatchAfterFull = 2,
  /** Not appended: buffer.memory has no room for a new batch. */
  NoMemory = 3,
  /** Not appended: a new batch was needed and the caller asked to be told first (the sticky partitioner switches). */
  AbortedForNewBatch = 4,
}

export interface ReadyCheck {
  /** Leaders with at least one batch ready to send. */
  readyNodes: Set<number>;
  /** When to look again for batches that are not ready yet (Infinity: on the next append or answer). */
  nextReadyCheckAt: number;
  /** A ready batch's partition has no known leader: metadata must be refreshed. */
  unknownLeader: string | undefined;
  /** A retried batch waits for metadata fetched after its failure. */
  awaitsMetadata: string | undefined;
}

export class RecordAccumulator {
  private readonly queues = new Map<string, PartitionQueue[]>();
  /** Every queue, for ready/drain/expiry; rotated so that no partition always goes first (Java's drainIndex). */
  private readonly allQueues: PartitionQueue[] = [];
  private drainStart = 0;
  private flushesInProgress = 0;
  private closed = false;
  /** Records wait for buffer memory: every batch is ready, so memory frees up (Java's "exhausted"). */
  memoryWanted = false;
  /** Batches begun at or before this time are ready at once (see Producer.sendNow). */
  private sendNowUpTo = -Infinity;
  /** The batch the last successful append went into. */
  lastBatch: ProducerBatch | undefined;
  private lastTopic = '';
  private lastTopicQueues: PartitionQueue[] = [];

  /** buffer.memory and the batch buffers in it. */
  private readonly pool: BufferPool;

  /** The batches' per-record facts, reused once batches leave the trace window. */
  private readonly factsPool = new FactsPool(4 * 1024 * 1024);

  constructor(private readonly options: AccumulatorOptions) {
    this.pool = new BufferPool(options.batchSize, options.bufferMemory);
  }

  private queue(topic: string, partition: number): PartitionQueue {
    let byPartition = topic === this.lastTopic ? this.lastTopicQueues : this.queues.get(topic);
    if (!byPartition) {
      byPartition = [];
      this.queues.set(topic, byPartition);
    }
    this.lastTopic = topic;
    this.lastTopicQueues = byPartition;
    let q = byPartition[partition];
    if (!q) {
      q = new PartitionQueue(topic, partition);
      byPartition[partition] = q;
      this.allQueues.push(q);
    }
    return q;
  }

  get availableMemory(): number {
    return this.pool.availableMemory;
  }

  /** Bytes held by batches not settled yet. */
  get usedMemory(): number {
    return this.options.bufferMemory - this.pool.availableMemory;
  }

  get totalMemory(): number {
    return this.options.bufferMemory;
  }

  /**
   * Appends to the partition's open batch, or starts a new one (sized for the record when it is larger than
   * batch.size). `abortOnNewBatch`: rather than start a new batch, say so (Java's abortOnNewBatch: the sticky
   * partitioner moves on to another partition when its batch is full or sent).
   */
  append(r: RecordInput, now: number, abortOnNewBatch = false): AppendResult {
    const q = this.queue(r.topic, r.partition);
    const last = q.last;
    if (last !== undefined && last.tryAppend(r, now) >= 0) {
      this.lastBatch = last;
      return AppendResult.Appended;
    }
    if (abortOnNewBatch) return AppendResult.AbortedForNewBatch;
    const size = Math.max(this.options.batchSize, RECORD_BATCH_OVERHEAD + r.sizeUpperBound);
    const buffer = this.pool.allocate(size);
    if (!buffer) return AppendResult.NoMemory;
    const o = this.options;
    const batch = new ProducerBatch(
      o.newBatchId(),
      r.topic,
      r.partition,
      now,
      size,
      r,
      o.compression,
      o.deliveryTimeoutMs,
      o.tracing,
      o.sink,
      buffer,
      this.factsPool,
    );
    q.batches.push(batch);
    if (batch.tryAppend(r, now) < 0) throw new Error('engine bug: a new batch is sized to hold its first record');
    this.lastBatch = batch;
    return q.batches.length > 1 ? AppendResult.NewBatchAfterFull : AppendResult.NewBatch;
  }

  // ---- what the sender asks ----

  /** The batches there are now are ready without lingering; ones begun later linger as usual. */
  sendNow(now: number): void {
    this.sendNowUpTo = now;
  }

  beginFlush(): void {
    this.flushesInProgress++;
  }

  endFlush(): void {
    this.flushesInProgress--;
  }

  /** No more appends are expected: every batch is ready at once. */
  close(): void {
    this.closed = true;
  }

  /** Why a head batch may go now, or undefined while it should wait for more records. */
  private sendableReason(q: PartitionQueue, head: ProducerBatch, now: number): BatchCloseReason | undefined {
    if (q.batches.length > 1 || head.isFull) return 'full';
    if (now - head.createdMs >= this.options.lingerMs) return 'linger';
    if (this.flushesInProgress > 0) return 'flush';
    if (this.closed) return 'close';
    if (this.memoryWanted) return 'memory-pressure';
    if (head.createdMs <= this.sendNowUpTo) return 'send-now';
    return undefined;
  }

  /** The leaders that have a batch to send now, and when to look again (Java's ready). */
  ready(metadata: MetadataCache, now: number): ReadyCheck {
    const check: ReadyCheck = {
      readyNodes: new Set(),
      nextReadyCheckAt: Infinity,
      unknownLeader: undefined,
      awaitsMetadata: undefined,
    };
    for (const q of this.allQueues) {
      const head = q.batches[0];
      if (head === undefined || q.muted) continue;
      if (head.state === 'retrying' && head.retryAt > now) {
        check.nextReadyCheckAt = Math.min(check.nextReadyCheckAt, head.retryAt);
        continue;
      }
      if (head.state === 'open' && this.sendableReason(q, head, now) === undefined) {
        check.nextReadyCheckAt = Math.min(check.nextReadyCheckAt, head.createdMs + this.options.lingerMs);
        continue;
      }
      if (head.awaitMetadataAfter >= 0) {
        check.awaitsMetadata ??= `retry of ${q.topic}-${q.partition} after ${head.lastFailure?.split(' ')[0] ?? 'an error'}`;
        continue;
      }
      const leader = metadata.leaderFor(q.topic, q.partition);
      if (leader < 0) check.unknownLeader ??= `no leader known for ${q.topic}-${q.partition}`;
      else check.readyNodes.add(leader);
    }
    return check;
  }

  /**
   * For each node, the head batches of its ready partitions that fit in one request of `maxRequestSize` (at least one
   * batch each), closed and stamped with their sequence (Java's drain). With idempotence, a partition whose sequence
   * order would break is skipped.
   */
  drain(
    metadata: MetadataCache,
    nodes: Set<number>,
    maxRequestSize: number,
    now: number,
    idempotence: IdempotenceManager | undefined,
  ): Map<number, ProducerBatch[]> {
    const out = new Map<number, ProducerBatch[]>();
    const sizes = new Map<number, number>();
    const n = this.allQueues.length;
    if (n === 0 || nodes.size === 0) return out;
    const start = this.drainStart++ % n;
    for (let k = 0; k < n; k++) {
      const q = this.allQueues[(start + k) % n];
      const head = q.batches[0];
      if (head === undefined || q.muted || head.awaitMetadataAfter >= 0) continue;
      if (head.state === 'retrying' && head.retryAt > now) continue;
      const reason = head.state === 'open' ? this.sendableReason(q, head, now) : undefined;
      if (head.state === 'open' && reason === undefined) continue;
      const leader = metadata.leaderFor(q.topic, q.partition);
      if (leader < 0 || !nodes.has(leader)) continue;
      const size = sizes.get(leader) ?? 0;
      const bytes = head.sizeInBytes;
      if (size > 0 && size + bytes > maxRequestSize) continue;
      if (idempotence && !idempotence.canDrain(head)) continue;
      q.batches.shift();
      if (head.state === 'open') head.close(reason!, now);
      idempotence?.stamp(head);
      let group = out.get(leader);
      if (!group) out.set(leader, (group = []));
      group.push(head);
      sizes.set(leader, size + bytes);
    }
    return out;
  }

  /** Takes out the batches past delivery.timeout.ms, from the head of each partition's deque (Java's expiredBatches). */
  expiredBatches(now: number): { expired: ProducerBatch[]; nextExpiryAt: number } {
    const expired: ProducerBatch[] = [];
    let nextExpiryAt = Infinity;
    for (const q of this.allQueues) {
      while (q.batches.length > 0) {
        const head = q.batches[0];
        if (now < head.deliveryDeadline) {
          nextExpiryAt = Math.min(nextExpiryAt, head.deliveryDeadline);
          break;
        }
        q.batches.shift();
        expired.push(head);
      }
    }
    return { expired, nextExpiryAt };
  }

  /**
   * Puts a retried batch back at the front of its partition's deque, behind only batches with a lower sequence
   * (Java's insertInSequenceOrder), so retries go out in their original order, ahead of newer batches.
   */
  reenqueue(batch: ProducerBatch): void {
    const q = this.queue(batch.topic, batch.partition);
    let i = 0;
    if (batch.hasSequence) {
      while (i < q.batches.length && q.batches[i].hasSequence && q.batches[i].baseSequence < batch.baseSequence) i++;
    }
    q.batches.splice(i, 0, batch);
  }

  /** Batches waiting for a metadata refresh that started at `fetchStartedAt` or later: they may go now. */
  releaseMetadataWaits(fetchStartedAt: number): ProducerBatch[] {
    const released: ProducerBatch[] = [];
    for (const q of this.allQueues) {
      for (const b of q.batches) {
        if (b.awaitMetadataAfter >= 0 && b.awaitMetadataAfter <= fetchStartedAt) {
          b.awaitMetadataAfter = -1;
          released.push(b);
        }
      }
    }
    return released;
  }

  mute(topic: string, partition: number): void {
    this.queue(topic, partition).muted = true;
  }

  unmute(topic: string, partition: number): void {
    this.queue(topic, partition).muted = false;
  }

  /** Gives a settled batch's memory back (and its buffer, for reuse, when nothing can still read it). */
  deallocate(batch: ProducerBatch): void {
    this.pool.deallocate(batch.reservedBytes, batch.takeReusableBuffer());
  }

  /** Fails every queued batch (close timed out, or a fatal error); returns them (already settled). */
  abortAll(failure: BatchFailure, now: number): ProducerBatch[] {
    const aborted: ProducerBatch[] = [];
    for (const q of this.allQueues) {
      for (const b of q.batches.splice(0)) {
        b.fail(failure, now, !b.hadUnansweredAttempt);
        this.deallocate(b);
        aborted.push(b);
      }
    }
    return aborted;
  }

  /**
   * Fails the queued batches that were never sent (a Cancel: they certainly were not written); batches being retried
   * stay, since an earlier attempt of theirs is part of the record's story. Returns how many records failed.
   */
  abortUnsent(failure: BatchFailure, now: number): number {
    let records = 0;
    for (const q of this.allQueues) {
      for (let i = 0; i < q.batches.length;) {
        const b = q.batches[i];
        if (b.attempts > 0) {
          i++;
          continue;
        }
        q.batches.splice(i, 1);
        records += b.recordCount;
        b.fail(failure, now, true);
        this.deallocate(b);
      }
    }
    return records;
  }

  get isEmpty(): boolean {
    for (const q of this.allQueues) if (q.batches.length > 0) return false;
    return true;
  }
}

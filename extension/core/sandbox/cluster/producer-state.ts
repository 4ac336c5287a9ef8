/**
 * Idempotent-producer bookkeeping, as a Kafka broker keeps it: producer ids handed out by InitProducerId, and per
 * producer and partition the sequences of the last 5 batches written, so a retried batch is recognised and
 * answered with its original offset instead of being written twice.
 */
import { ErrorCode } from '../../kafka/protocol/errors';

/** How many recent batches per producer and partition are remembered (max.in.flight.requests.per.connection <= 5). */
export const PRODUCER_BATCH_WINDOW = 5;
const INT32_MAX = 2147483647;

interface BatchSequence {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface PartitionProducerEntry {
  epoch: number;
  recent: BatchSequence[];
}

export type SequenceCheck =
  { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'error'; errorCode: number; reason: string };

export interface ProducerBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export class ProducerStateTable {
  private nextProducerId: number;
  /** Current epoch of every producer id this cluster handed out. */
  private readonly producers = new Map<number, number>();
  /** Key: `${topic}\u0000${partition}`; value: per producer id. */
  private readonly partitions = new Map<string, Map<number, PartitionProducerEntry>>();

  constructor(firstProducerId = 1000) {
    this.nextProducerId = firstProducerId;
  }

  /** InitProducerId without a transactional id: always a fresh id at epoch 0. */
  initProducerId(): { producerId: number; producerEpoch: number } {
    const producerId = this.nextProducerId++;
    this.producers.set(producerId, 0);
    return { producerId, producerEpoch: 0 };
  }

  /** A transaction coordinator bumped the producer's epoch: batches under older epochs are refused from now on. */
  setEpoch(producerId: number, producerEpoch: number): void {
    this.producers.set(producerId, producerEpoch);
  }

  knownProducers(): number {
    return this.producers.size;
  }

  /** Decides what to do with an idempotent batch (producerId >= 0) before it is written. */
  check(topic: string, partition: number, b: ProducerBatchInfo): SequenceCheck {
    const currentEpoch = this.producers.get(b.producerId);
    if (currentEpoch === undefined) {
      return {
        kind: 'error',
        errorCode: ErrorCode.UNKNOWN_PRODUCER_ID,
        reason: `producer id ${b.producerId} was not issued by this cluster`,
      };
    }
    if (b.producerEpoch < currentEpoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        reason: `producer ${b.producerId} epoch ${b.producerEpoch} is older than its current epoch ${currentEpoch}`,
      };
    }
    const lastSeq = lastSequence(b);
    const entry = this.partitions.get(key(topic, partition))?.get(b.producerId);
    if (!entry || b.producerEpoch > entry.epoch) {
      // A new producer (or a bumped epoch) on this partition must start at sequence 0.
      if (b.baseSequence !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          reason: `producer ${b.producerId} epoch ${b.producerEpoch} starts at sequence ${b.baseSequence}, expected 0`,
        };
      }
      return { kind: 'append' };
    }
    const dup = entry.recent.find((s) => s.firstSeq === b.baseSequence && s.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const expected = nextSequence(entry.recent[entry.recent.length - 1].lastSeq);
    if (b.baseSequence !== expected) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        reason: `producer ${b.producerId} sent sequence ${b.baseSequence}, expected ${expected}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records a batch that `check` allowed and that was written at `baseOffset`. */
  recordAppend(topic: string, partition: number, b: ProducerBatchInfo, baseOffset: number): void {
    const k = key(topic, partition);
    let byProducer = this.partitions.get(k);
    if (!byProducer) this.partitions.set(k, (byProducer = new Map()));
    let entry = byProducer.get(b.producerId);
    if (!entry || b.producerEpoch > entry.epoch) {
      entry = { epoch: b.producerEpoch, recent: [] };
      byProducer.set(b.producerId, entry);
    }
    entry.recent.push({ firstSeq: b.baseSequence, lastSeq: lastSequence(b), baseOffset });
    if (entry.recent.length > PRODUCER_BATCH_WINDOW) entry.recent.shift();
    if (b.producerEpoch > (this.producers.get(b.producerId) ?? -1)) this.producers.set(b.producerId, b.producerEpoch);
  }

  /** Forgets a deleted topic's partitions. */
  forgetTopic(topic: string): void {
    const prefix = `${topic}\u0000`;
    for (const k of [...this.partitions.keys()]) if (k.startsWith(prefix)) this.partitions.delete(k);
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Sequences wrap from INT32_MAX to 0, as in Kafka. */
function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

function lastSequence(b: ProducerBatchInfo): number {
  const last = b.baseSequence + b.recordCount - 1;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

/**
 * The idempotent producer's bookkeeping, in one place (Java's TransactionManager in its idempotent role, with a
 * TxnPartitionEntry per partition): the producer id and epoch, each partition's next sequence, its batches with a
 * sequence that are not settled yet (in flight or waiting to be retried), the last acknowledged sequence, and the
 * rules that keep a partition's sequences unbroken through retries, expiries and failures. Its own state moves only
 * along the table below. The transactional producer's TransactionManager (./transaction-manager.ts) extends it and
 * overrides the few places where Java's transactional rules differ (who asks for the producer id, fencing, epoch
 * bumps).
 */
import { ErrorCode } from '../kafka/protocol/errors';
import type { ProducerBatch } from './batch';

/**
 * uninitialized: no producer id (at start, or after one was given up). initializing: InitProducerId asked.
 * ready: batches can be stamped. fatal: nothing more can be sent (a refused InitProducerId, say).
 */
export type IdempotenceState = 'uninitialized' | 'initializing' | 'ready' | 'fatal';

const TRANSITIONS: Record<IdempotenceState, readonly IdempotenceState[]> = {
  uninitialized: ['initializing', 'fatal'],
  initializing: ['ready', 'uninitialized', 'fatal'],
  ready: ['uninitialized', 'fatal'],
  fatal: [],
};

const NO_SEQUENCE = -1;
const MAX_EPOCH = 32767;

/** Sequences wrap at 2^31, as in Kafka. */
function addSequence(sequence: number, increment: number): number {
  return (sequence + increment) % 2147483648;
}

/** One partition's sequences (Java's TxnPartitionEntry). */
class PartitionSequences {
  /** The producer id and epoch this partition's sequences belong to. */
  producerId = -1;
  producerEpoch = -1;
  nextSequence = 0;
  lastAckedSequence = NO_SEQUENCE;
  lastAckedOffset = -1;
  /** Batches with a sequence that have not settled (in flight, or back in the queue for a retry), by sequence. */
  readonly unsettled: ProducerBatch[] = [];
  /**
   * A batch with a sequence expired after it was sent: nobody knows if the broker wrote it. No new batch is stamped
   * until that is known; this is the sequence that would follow it (Java's partitionsWithUnresolvedSequences).
   */
  unresolvedNextSequence = NO_SEQUENCE;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  add(batch: ProducerBatch): void {
    let i = this.unsettled.length;
    while (i > 0 && this.unsettled[i - 1].baseSequence > batch.baseSequence) i--;
    this.unsettled.splice(i, 0, batch);
  }

  remove(batch: ProducerBatch): void {
    const i = this.unsettled.indexOf(batch);
    if (i >= 0) this.unsettled.splice(i, 1);
  }

  isNextSequence(sequence: number): boolean {
    return sequence - this.lastAckedSequence === 1;
  }

  /** Restamps the unsettled batches from sequence 0 under a new producer id or epoch. */
  startSequencesAtBeginning(producerId: number, producerEpoch: number): void {
    let sequence = 0;
    for (const b of this.unsettled) {
      b.setProducerState(producerId, producerEpoch, sequence);
      sequence = addSequence(sequence, b.recordCount);
    }
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.nextSequence = sequence;
    this.lastAckedSequence = NO_SEQUENCE;
    this.unresolvedNextSequence = NO_SEQUENCE;
  }
}

export class IdempotenceManager {
  private stateValue: IdempotenceState = 'uninitialized';
  producerId = -1;
  producerEpoch = -1;
  /** Why the producer id was (re)requested: shown in the trace. */
  initReason = 'first idempotent send';
  fatalError: string | undefined;
  private readonly partitions = new Map<string, PartitionSequences>();
  /** Partitions whose unsettled batches get new sequences at the next epoch bump. */
  private readonly toRewrite = new Set<PartitionSequences>();
  protected epochBumpRequired = false;
  private epochBumpReason = '';

  get state(): IdempotenceState {
    return this.stateValue;
  }

  private moveTo(next: IdempotenceState): void {
    if (!TRANSITIONS[this.stateValue].includes(next)) {
      throw new Error(`engine bug: idempotence cannot go from ${this.stateValue} to ${next}`);
    }
    this.stateValue = next;
  }

  private entry(topic: string, partition: number): PartitionSequences {
    const key = `${topic}\u0000${partition}`;
    let e = this.partitions.get(key);
    if (!e) {
      e = new PartitionSequences(topic, partition);
      this.partitions.set(key, e);
    }
    return e;
  }

  // ---- the producer id ----

  get needsProducerId(): boolean {
    return this.stateValue === 'uninitialized';
  }

  get hasProducerId(): boolean {
    return this.stateValue === 'ready';
  }

  beginInitProducerId(): void {
    this.moveTo('initializing');
  }

  /**
   * A new producer id: batches of an id given up that still wait for a retry restart their partition's sequences
   * under it; partitions with none restart at 0 when their next batch is stamped.
   */
  producerIdReceived(producerId: number, producerEpoch: number): void {
    this.moveTo('ready');
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    for (const e of this.partitions.values())
      if (e.unsettled.length > 0) e.startSequencesAtBeginning(producerId, producerEpoch);
  }

  /** InitProducerId failed: asked again later, unless nothing can fix it. */
  initProducerIdFailed(fatal: boolean, reason: string): void {
    if (fatal) {
      this.fatalError = reason;
      this.moveTo('fatal');
    } else {
      this.moveTo('uninitialized');
    }
  }

  /** Gives the producer id up: a new one is asked before the next batch, and every partition restarts at 0. */
  protected resetProducerId(reason: string): void {
    if (this.stateValue !== 'ready') return;
    this.moveTo('uninitialized');
    this.initReason = reason;
    this.producerId = -1;
    this.producerEpoch = -1;
    this.epochBumpRequired = false;
    this.toRewrite.clear();
  }

  // ---- epoch bumps and unresolved sequences (run at the start of each sender step) ----

  /**
   * Partitions whose expired batch left them unresolved settle it once nothing of theirs is in flight: resolved if a
   * later batch was acknowledged past it, else their sequences restart under a bumped epoch.
   */
  maybeResolveSequences(): void {
    for (const e of this.partitions.values()) {
      if (e.unresolvedNextSequence === NO_SEQUENCE || e.unsettled.length > 0) continue;
      if (e.isNextSequence(e.nextSequence)) e.unresolvedNextSequence = NO_SEQUENCE;
      else this.requestEpochBump(e, `an expired batch of ${e.topic}-${e.partition} may not have been written`);
    }
  }

  /**
   * Bumps the epoch when asked (locally, as Java's idempotent producer does; past the largest epoch a new producer
   * id is asked instead). Returns the reason when it bumped, for the trace.
   */
  maybeBumpEpoch(): string | undefined {
    if (!this.epochBumpRequired || this.stateValue !== 'ready') return undefined;
    const reason = this.epochBumpReason;
    if (this.producerEpoch >= MAX_EPOCH) {
      this.resetProducerId(`${reason}; the epoch cannot grow further`);
      return undefined;
    }
    this.producerEpoch++;
    for (const e of this.toRewrite) e.startSequencesAtBeginning(this.producerId, this.producerEpoch);
    this.toRewrite.clear();
    this.epochBumpRequired = false;
    return reason;
  }

  private requestEpochBump(e: PartitionSequences, reason: string): void {
    if (!this.epochBumpRequired) this.epochBumpReason = reason;
    this.epochBumpRequired = true;
    this.toRewrite.add(e);
  }

  // ---- draining (Java's shouldStopDrainBatchesForPartition) ----

  /** Whether the partition's head batch may go into a request now without breaking its sequence order. */
  canDrain(batch: ProducerBatch): boolean {
    if (this.stateValue !== 'ready') return false;
    const e = this.entry(batch.topic, batch.partition);
    if (!batch.hasSequence) {
      // Batches stamped under an older producer id or epoch must settle before one under the new one goes out.
      if (e.unsettled.length > 0 && this.isStale(e)) return false;
      if (e.unresolvedNextSequence !== NO_SEQUENCE) return false;
    }
    // A retried batch goes only when it is the lowest sequence not settled: retries go one at a time, in order.
    const first = e.unsettled[0];
    if (first && batch.hasSequence && batch.baseSequence !== first.baseSequence) return false;
    return true;
  }

  private isStale(e: PartitionSequences): boolean {
    return e.producerId !== this.producerId || e.producerEpoch !== this.producerEpoch;
  }

  /** Gives a batch drained for the first time its sequence (retried batches keep theirs). */
  stamp(batch: ProducerBatch): void {
    if (batch.hasSequence) return;
    const e = this.entry(batch.topic, batch.partition);
    if (this.isStale(e)) {
      // Nothing of the old id or epoch is unsettled (canDrain saw to it): this partition starts again at 0.
      e.producerId = this.producerId;
      e.producerEpoch = this.producerEpoch;
      e.nextSequence = 0;
      e.lastAckedSequence = NO_SEQUENCE;
    }
    batch.setProducerState(this.producerId, this.producerEpoch, e.nextSequence);
    e.nextSequence = addSequence(e.nextSequence, batch.recordCount);
    e.add(batch);
  }

  // ---- outcomes ----

  batchAcked(batch: ProducerBatch, baseOffset: number): void {
    if (!batch.hasSequence) return;
    const e = this.entry(batch.topic, batch.partition);
    if (batch.restampedInFlight) {
      // The broker wrote the bytes sent before the restamp, under the old sequence: the new sequences of this
      // partition do not match what the broker has, so they restart under a bumped epoch.
      e.remove(batch);
      this.requestEpochBump(e, `batch ${batch.id} of ${e.topic}-${e.partition} was written under its old sequence`);
      return;
    }
    if (
      batch.producerId === e.producerId &&
      batch.producerEpoch === e.producerEpoch &&
      batch.lastSequence > e.lastAckedSequence
    ) {
      e.lastAckedSequence = batch.lastSequence;
    }
    if (baseOffset >= 0) e.lastAckedOffset = Math.max(e.lastAckedOffset, baseOffset + batch.recordCount - 1);
    e.remove(batch);
  }

  /**
   * Whether a batch answered with a sequence error may be retried (Java's TransactionManager.canRetry); undefined
   * for other errors, whose retriability decides. May ask for an epoch bump that restamps the partition.
   */
  canRetry(batch: ProducerBatch, errorCode: number, logStartOffset: number): boolean | undefined {
    const e = this.entry(batch.topic, batch.partition);
    if (errorCode === ErrorCode.UNKNOWN_PRODUCER_ID) {
      // The broker has no state for this producer on the partition (its log start moved past our records, say).
      // Unless the batch was already restamped, restart the partition's sequences under a bumped epoch.
      if (logStartOffset !== -1 && !batch.sequenceHasBeenReset) {
        this.requestEpochBump(e, `UNKNOWN_PRODUCER_ID for ${e.topic}-${e.partition}`);
      }
      return true;
    }
    if (errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      if (e.unresolvedNextSequence === NO_SEQUENCE) {
        // An earlier batch is being retried, or this one was restamped: it follows them.
        if (batch.sequenceHasBeenReset || !e.isNextSequence(batch.baseSequence)) return true;
        return false; // the very next sequence was refused: the broker lost records it had acknowledged
      }
      if (batch.baseSequence === e.unresolvedNextSequence) {
        // The batch after the expired one was refused: the expired one was not written. Restart under a new epoch.
        this.requestEpochBump(
          e,
          `the expired batch before sequence ${batch.baseSequence} of ${e.topic}-${e.partition} was not written`,
        );
      }
      return true; // else wait and see whether the unresolved batch was written
    }
    return undefined;
  }

  /**
   * A batch failed for good. `notWritten`: the broker certainly did not write it (an error answer, not a timeout),
   * so its sequence leaves a gap that later batches must not wait on. `expiredAfterSend`: it may have been written.
   */
  batchFailed(batch: ProducerBatch, errorCode: number | undefined, how: 'not-written' | 'unknown'): void {
    if (!batch.hasSequence || this.stateValue === 'fatal') return;
    const e = this.entry(batch.topic, batch.partition);
    e.remove(batch);
    if (batch.producerId !== this.producerId) return; // from an id given up already: its partition restarts anyway
    const where = `${e.topic}-${e.partition}`;
    if (errorCode === ErrorCode.PRODUCER_FENCED || errorCode === ErrorCode.INVALID_PRODUCER_EPOCH) {
      this.producerFenced(
        `${errorCode === ErrorCode.PRODUCER_FENCED ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH'} for ${where}`,
      );
    } else if (errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      this.requestEpochBump(e, `OUT_OF_ORDER_SEQUENCE_NUMBER for ${where}`);
    } else if (how === 'not-written') {
      this.requestEpochBump(e, `batch ${batch.id} (sequence ${batch.baseSequence}) of ${where} failed`);
    } else {
      const next = addSequence(batch.lastSequence, 1);
      e.unresolvedNextSequence =
        e.unresolvedNextSequence === NO_SEQUENCE ? next : Math.max(e.unresolvedNextSequence, next);
    }
  }

  /** A broker said another producer took this producer id over: an idempotent producer asks for a new one. */
  protected producerFenced(reason: string): void {
    this.resetProducerId(reason);
  }

  /** A fatal error: nothing more is sent (the producer fails what waits). */
  fail(reason: string): void {
    if (this.stateValue === 'fatal') return;
    this.fatalError = reason;
    this.moveTo('fatal');
  }

  /** For tests and the trace: a partition's next sequence and its unsettled batches' sequences. */
  describe(
    topic: string,
    partition: number,
  ): { nextSequence: number; lastAckedSequence: number; unsettled: number[]; unresolved: boolean } {
    const e = this.entry(topic, partition);
    return {
      nextSequence: e.nextSequence,
      lastAckedSequence: e.lastAckedSequence,
      unsettled: e.unsettled.map((b) => b.baseSequence),
      unresolved: e.unresolvedNextSequence !== NO_SEQUENCE,
    };
  }
}

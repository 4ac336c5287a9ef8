/**
 * The sandbox's transaction coordinator (Kafka's TransactionCoordinator, its state kept in memory instead of
 * `__transaction_state`): per transactional id, the producer id and epoch, the transaction's state, the partitions
 * and groups in it, and its timeout. InitProducerId bumps the epoch, which fences an older producer with the same
 * transactional id; an open transaction it finds is aborted first (answered CONCURRENT_TRANSACTIONS, as Kafka
 * does while the abort completes). EndTxn writes a commit or abort marker into every partition of the
 * transaction at once (there is no PrepareCommit phase to wait for), commits the offsets sent with
 * TxnOffsetCommit, and closes the transaction in each partition's log (its last stable offset moves on). A
 * transaction open longer than its timeout is aborted under a bumped epoch, so its producer is fenced.
 */
import { ErrorCode, errorName } from '../../kafka/protocol/errors';
import { transactionMarkerBatch, type ControlRecordType } from '../../kafka/control-record';
import { setBaseOffset, setPartitionLeaderEpoch } from '../../kafka/record-batch';
import type { Clock } from '../../util/clock';
import type { ClusterModel } from './cluster-model';
import type { ProducerStateTable } from './producer-state';

/** Kafka's transaction.max.timeout.ms default. */
export const TRANSACTION_MAX_TIMEOUT_MS = 900_000;
const MAX_EPOCH = 32767;
const MAX_HISTORY = 20;

export type TransactionState = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';

/** Offsets a TxnOffsetCommit sent, committed with the transaction. */
export interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

interface TransactionMetadata {
  readonly transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionState;
  /** `topic\u0000partition` of the partitions added to the open transaction. */
  readonly partitions: Map<string, { topic: string; partition: number }>;
  readonly groups: Map<string, PendingOffset[]>;
  startedAt: number;
  cancelTimeout: (() => void) | undefined;
  /** Why the last transaction ended as it did, for the state view and for a fenced producer's error. */
  lastOutcome: string | undefined;
  readonly history: TransactionRecord[];
}

/** One finished transaction, for the control API's state view. */
export interface TransactionRecord {
  producerEpoch: number;
  outcome: 'committed' | 'aborted';
  reason: string;
  partitions: { topic: string; partition: number; markerOffset: number }[];
  groups: string[];
  startedAt: number;
  endedAt: number;
}

export interface TransactionView {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  state: TransactionState;
  timeoutMs: number;
  partitions: { topic: string; partition: number }[];
  groups: string[];
  startedAt: number | null;
  history: TransactionRecord[];
}

export interface TransactionCoordinatorDeps {
  model: ClusterModel;
  producers: ProducerStateTable;
  clock: Clock;
  log: (line: string) => void;
  /** The broker that coordinates `key` (a transactional id or a group id), or null when none is up. */
  coordinatorFor: (key: string) => number | null;
  /** Commits a group's offsets (the group coordinator's simple commit). */
  commitOffsets: (groupId: string, offsets: PendingOffset[]) => void;
}

type Checked = { errorCode: 0; meta: TransactionMetadata } | { errorCode: number; meta?: undefined };

export class TransactionCoordinator {
  private readonly transactions = new Map<string, TransactionMetadata>();
  private readonly byProducerId = new Map<number, TransactionMetadata>();

  constructor(private readonly deps: TransactionCoordinatorDeps) {}

  /** NOT_COORDINATOR unless `brokerId` coordinates `key`. */
  coordinatorError(brokerId: number, key: string): number {
    const coordinator = this.deps.coordinatorFor(key);
    if (coordinator === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return coordinator === brokerId ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
  }

  // ---- InitProducerId -----------------------------------------------------------------------------------------

  initProducerId(
    transactionalId: string,
    timeoutMs: number,
  ): { errorCode: number; producerId: number; producerEpoch: number } {
    const refused = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (transactionalId === '') return refused(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > TRANSACTION_MAX_TIMEOUT_MS) {
      this.deps.log(
        `InitProducerId for '${transactionalId}': transaction.timeout.ms=${timeoutMs} is not within 1..${TRANSACTION_MAX_TIMEOUT_MS} (transaction.max.timeout.ms); answering INVALID_TRANSACTION_TIMEOUT`,
      );
      return refused(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    let meta = this.transactions.get(transactionalId);
    if (!meta) {
      const { producerId, producerEpoch } = this.deps.producers.initProducerId();
      meta = {
        transactionalId,
        producerId,
        producerEpoch,
        timeoutMs,
        state: 'Empty',
        partitions: new Map(),
        groups: new Map(),
        startedAt: -1,
        cancelTimeout: undefined,
        lastOutcome: undefined,
        history: [],
      };
      this.transactions.set(transactionalId, meta);
      this.byProducerId.set(producerId, meta);
      this.deps.log(`transactional id '${transactionalId}' got producer id ${producerId} epoch 0`);
      return { errorCode: ErrorCode.NONE, producerId, producerEpoch };
    }
    if (meta.state === 'Ongoing') {
      // A new producer instance took the id over: the old one's open transaction is aborted under a bumped epoch
      // (fencing the old producer), and the new one asks again.
      this.bumpEpoch(meta);
      this.complete(meta, 'abort', `a new producer with transactional id '${transactionalId}' called initTransactions`);
      return refused(ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    meta.timeoutMs = timeoutMs;
    this.bumpEpoch(meta);
    this.deps.log(
      `transactional id '${transactionalId}': producer id ${meta.producerId} epoch ${meta.producerEpoch}; producers with an older epoch are fenced`,
    );
    return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  private bumpEpoch(meta: TransactionMetadata): void {
    if (meta.producerEpoch >= MAX_EPOCH) {
      this.byProducerId.delete(meta.producerId);
      const fresh = this.deps.producers.initProducerId();
      meta.producerId = fresh.producerId;
      meta.producerEpoch = fresh.producerEpoch;
      this.byProducerId.set(meta.producerId, meta);
      return;
    }
    meta.producerEpoch++;
    this.deps.producers.setEpoch(meta.producerId, meta.producerEpoch);
  }

  // ---- the transaction's requests -------------------------------------------------------------------------------

  /** Checks the producer id and epoch a request carries against the transactional id's. */
  private check(transactionalId: string, producerId: number, producerEpoch: number, what: string): Checked {
    const meta = this.transactions.get(transactionalId);
    if (!meta || meta.producerId !== producerId) {
      this.deps.log(
        `${what} for '${transactionalId}': producer id ${producerId} is not the one InitProducerId gave this transactional id`,
      );
      return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    }
    if (producerEpoch !== meta.producerEpoch) {
      const why = meta.lastOutcome ? ` (last: ${meta.lastOutcome})` : '';
      this.deps.log(
        `${what} for '${transactionalId}': epoch ${producerEpoch} is fenced by epoch ${meta.producerEpoch}${why}`,
      );
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    }
    return { errorCode: ErrorCode.NONE, meta };
  }

  /** The transaction is open from its first partition or group; its timeout runs from then. */
  private begin(meta: TransactionMetadata): void {
    if (meta.state === 'Ongoing') return;
    meta.state = 'Ongoing';
    meta.startedAt = this.deps.clock.now();
    meta.partitions.clear();
    meta.groups.clear();
    const epoch = meta.producerEpoch;
    meta.cancelTimeout = this.deps.clock.setTimeout(() => {
      meta.cancelTimeout = undefined;
      if (meta.state !== 'Ongoing' || meta.producerEpoch !== epoch) return;
      this.bumpEpoch(meta);
      this.complete(meta, 'abort', `timed out: open longer than transaction.timeout.ms=${meta.timeoutMs}`);
    }, meta.timeoutMs);
  }

  addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    topics: { name: string; partitions: number[] }[],
  ): Map<string, Map<number, number>> {
    const answer = new Map<string, Map<number, number>>();
    const answerAll = (code: (topic: string, partition: number) => number) => {
      for (const t of topics) answer.set(t.name, new Map(t.partitions.map((p) => [p, code(t.name, p)])));
      return answer;
    };
    const checked = this.check(transactionalId, producerId, producerEpoch, 'AddPartitionsToTxn');
    if (!checked.meta) return answerAll(() => checked.errorCode);
    const unknown = (topic: string, partition: number) => this.deps.model.partition(topic, partition) === undefined;
    if (topics.some((t) => t.partitions.some((p) => unknown(t.name, p)))) {
      return answerAll((t, p) =>
        unknown(t, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED,
      );
    }
    const { meta } = checked;
    this.begin(meta);
    for (const t of topics)
      for (const p of t.partitions) meta.partitions.set(`${t.name}\u0000${p}`, { topic: t.name, partition: p });
    return answerAll(() => ErrorCode.NONE);
  }

  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    const checked = this.check(transactionalId, producerId, producerEpoch, 'AddOffsetsToTxn');
    if (!checked.meta) return checked.errorCode;
    this.begin(checked.meta);
    if (!checked.meta.groups.has(groupId)) checked.meta.groups.set(groupId, []);
    return ErrorCode.NONE;
  }

  /** TxnOffsetCommit: the offsets wait for the transaction's commit. Answers one error code per partition. */
  txnOffsetCommit(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    groupId: string,
    offsets: PendingOffset[],
  ): (topic: string, partition: number) => number {
    const checked = this.check(transactionalId, producerId, producerEpoch, 'TxnOffsetCommit');
    if (!checked.meta) return () => checked.errorCode;
    const pending = checked.meta.state === 'Ongoing' ? checked.meta.groups.get(groupId) : undefined;
    if (!pending) {
      this.deps.log(
        `TxnOffsetCommit for '${transactionalId}': group '${groupId}' was not added to the transaction with AddOffsetsToTxn`,
      );
      return () => ErrorCode.INVALID_TXN_STATE;
    }
    const exists = (topic: string, partition: number) => this.deps.model.partition(topic, partition) !== undefined;
    for (const o of offsets) if (exists(o.topic, o.partition)) pending.push(o);
    return (topic, partition) => (exists(topic, partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }

  endTxn(transactionalId: string, producerId: number, producerEpoch: number, committed: boolean): number {
    const checked = this.check(transactionalId, producerId, producerEpoch, 'EndTxn');
    if (!checked.meta) return checked.errorCode;
    const { meta } = checked;
    if (meta.state === 'Ongoing') {
      this.complete(
        meta,
        committed ? 'commit' : 'abort',
        committed ? 'the producer committed' : 'the producer aborted',
      );
      return ErrorCode.NONE;
    }
    // A retried EndTxn whose first answer was lost finds its transaction complete already.
    if ((meta.state === 'CompleteCommit' && committed) || (meta.state === 'CompleteAbort' && !committed))
      return ErrorCode.NONE;
    this.deps.log(
      `EndTxn(${committed ? 'commit' : 'abort'}) for '${transactionalId}' in state ${meta.state}: answering ${errorName(ErrorCode.INVALID_TXN_STATE)}`,
    );
    return ErrorCode.INVALID_TXN_STATE;
  }

  /** Whether a transactional batch of `producerId` may be written to the partition (it was added to the transaction). */
  partitionInTransaction(producerId: number, topic: string, partition: number): boolean {
    const meta = this.byProducerId.get(producerId);
    return meta !== undefined && meta.state === 'Ongoing' && meta.partitions.has(`${topic}\u0000${partition}`);
  }

  /** Writes the markers, commits the offsets, and closes the transaction. */
  private complete(meta: TransactionMetadata, type: ControlRecordType, reason: string): void {
    meta.cancelTimeout?.();
    meta.cancelTimeout = undefined;
    const now = this.deps.clock.now();
    const markers: TransactionRecord['partitions'] = [];
    for (const { topic, partition } of meta.partitions.values()) {
      const markerOffset = this.writeMarker(topic, partition, type, meta.producerId, meta.producerEpoch, now);
      if (markerOffset >= 0) markers.push({ topic, partition, markerOffset });
    }
    if (type === 'commit')
      for (const [groupId, offsets] of meta.groups) if (offsets.length > 0) this.deps.commitOffsets(groupId, offsets);
    meta.state = type === 'commit' ? 'CompleteCommit' : 'CompleteAbort';
    meta.lastOutcome = `${type === 'commit' ? 'committed' : 'aborted'}: ${reason}`;
    meta.history.push({
      producerEpoch: meta.producerEpoch,
      outcome: type === 'commit' ? 'committed' : 'aborted',
      reason,
      partitions: markers,
      groups: [...meta.groups.keys()],
      startedAt: meta.startedAt,
      endedAt: now,
    });
    if (meta.history.length > MAX_HISTORY) meta.history.shift();
    this.deps.log(`transaction of '${meta.transactionalId}' ${meta.lastOutcome}; ${markers.length} marker(s) written`);
  }

  private writeMarker(
    topic: string,
    partition: number,
    type: ControlRecordType,
    producerId: number,
    producerEpoch: number,
    now: number,
  ): number {
    const p = this.deps.model.partition(topic, partition);
    if (!p) return -1; // deleted since it was added
    const bytes = transactionMarkerBatch(type, producerId, producerEpoch, 0, now);
    const baseOffset = p.log.nextOffset;
    setBaseOffset(bytes, baseOffset);
    setPartitionLeaderEpoch(bytes, p.leaderEpoch);
    this.deps.model.append(p, { baseOffset, lastOffset: baseOffset, recordCount: 1, maxTimestamp: now, bytes });
    p.log.transactionEnded(producerId, baseOffset, type === 'abort');
    return baseOffset;
  }

  // ---- housekeeping ----

  forgetTopic(topic: string): void {
    for (const meta of this.transactions.values()) {
      for (const [k, v] of meta.partitions) if (v.topic === topic) meta.partitions.delete(k);
    }
  }

  state(): TransactionView[] {
    return [...this.transactions.values()].map((m) => ({
      transactionalId: m.transactionalId,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      state: m.state,
      timeoutMs: m.timeoutMs,
      partitions: [...m.partitions.values()],
      groups: [...m.groups.keys()],
      startedAt: m.startedAt >= 0 ? m.startedAt : null,
      history: [...m.history],
    }));
  }

  stop(): void {
    for (const meta of this.transactions.values()) {
      meta.cancelTimeout?.();
      meta.cancelTimeout = undefined;
    }
  }
}

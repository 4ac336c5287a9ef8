/**
 * The trace window: the last `capacity` records' traces. A record's trace is not stored as events: its facts live
 * in its batch's typed arrays (or, for a record that never joined a batch, in its own RecordInput), and the window
 * holds only where to find them, in fixed-size typed arrays indexed by the record's number. Events are built when
 * asked. So the window costs the same at a thousand records or a billion, and nothing per record is kept past it,
 * except for records a user chose to keep (`keep`).
 *
 * A record's slot names its batch by number, not by reference, and batches leave the window a batch at a time: an
 * object reference per record, stored into an array that lives in the old generation, and a per-record count of
 * what each batch still had in the window made tracing cost the engine 12 to 20% more CPU.
 */
import { ProducerBatch } from './batch';
import { Blocked, type RecordInput } from './record-input';
import type { SchemaUsed } from '../schema-registry/schema-used';
import { reasonFromFacts } from './reason';
import type { BatchTrace, RecordTrace, TraceEvent } from './types';

/** Where a record's facts are: its batch and its index there, or the record itself. */
type Holder = ProducerBatch | RecordInput;

const MAX_KEPT = 1_000;
const MAX_CLUSTER_EVENTS = 1_000;
/** In a slot's batch number: the record is not in a batch (see `alone`). */
const ALONE = -1;

export class TraceStore {
  readonly capacity: number;
  /**
   * Per slot: the number (ProducerBatch.traceNumber) of the record's batch, or ALONE, and its index there. Which
   * record a slot holds is the batch's to say (recordSeq): no third array of numbers written per record.
   */
  private readonly batchNumbers: Int32Array;
  private readonly indexes: Int32Array;
  /** The window's batches by number, in the order they entered it (but see enter); they leave from the front. */
  private readonly batches = new Map<number, ProducerBatch>();
  private lastNumber = 0;
  /** Records in the window that are not in a batch, by slot (few: they wait for metadata or memory, or failed). */
  private readonly alone = new Map<number, RecordInput>();
  private readonly keptBatches = new Map<string, ProducerBatch>();
  private readonly kept = new Map<string, { holder: Holder; index: number }>();
  /** Cluster-wide events (metadata refreshes, producer ids), bounded too. */
  private readonly cluster: TraceEvent[] = [];

  constructor(
    capacity: number,
    private readonly recordIdOf: (seq: number) => string,
    private readonly seqOf: (recordId: string) => number,
  ) {
    this.capacity = Math.max(1, capacity);
    this.batchNumbers = new Int32Array(this.capacity);
    this.indexes = new Int32Array(this.capacity);
  }

  /** The record joined `batch` at `index` (the hot path: a few numbers written). */
  recordAppended(seq: number, batch: ProducerBatch, index: number): void {
    const slot = seq % this.capacity;
    if (this.batchNumbers[slot] === ALONE) this.alone.delete(slot);
    if (batch.traceNumber === 0) this.enter(batch, seq);
    if (seq > batch.traceNewestSeq) batch.traceNewestSeq = seq;
    this.batchNumbers[slot] = batch.traceNumber;
    this.indexes[slot] = index;
  }

  /** The record waits outside a batch, or failed before joining one: its own object holds its facts. */
  recordAlone(r: RecordInput): void {
    const slot = r.seq % this.capacity;
    this.batchNumbers[slot] = ALONE;
    this.indexes[slot] = -1;
    this.alone.set(slot, r);
  }

  /**
   * A batch's first record enters the window. First the batches at the front whose records have all left it (their
   * slots taken by newer records) go, up to the first that still has one there; if that one is still open, it moves
   * to the back: a batch that keeps taking records (a long linger.ms) must not hold up those behind it.
   */
  private enter(batch: ProducerBatch, seq: number): void {
    const left = seq - this.capacity; // records numbered up to this have left the window
    for (const old of this.batches.values()) {
      if (old.traceNewestSeq > left) {
        if (old.state === 'open') this.moveToBack(old);
        break;
      }
      this.batches.delete(old.traceNumber);
      old.traceNumber = 0;
      old.maybeRecycleFacts();
    }
    // A batch number is an int32; after 2^31 batches they start again (the old ones left the window long before).
    this.lastNumber = this.lastNumber === 0x7fffffff ? 1 : this.lastNumber + 1;
    batch.traceNumber = this.lastNumber;
    this.batches.set(batch.traceNumber, batch);
  }

  private moveToBack(batch: ProducerBatch): void {
    this.batches.delete(batch.traceNumber);
    this.batches.set(batch.traceNumber, batch);
  }

  private windowBatch(batchId: string): ProducerBatch | undefined {
    for (const b of this.batches.values()) if (b.id === batchId) return b;
    return undefined;
  }

  addCluster(e: TraceEvent): void {
    this.cluster.push(e);
    if (this.cluster.length > MAX_CLUSTER_EVENTS) this.cluster.splice(0, this.cluster.length - MAX_CLUSTER_EVENTS);
  }

  private find(recordId: string): { holder: Holder; index: number } | undefined {
    const seq = this.seqOf(recordId);
    if (seq > 0) {
      const found = this.inSlot(seq % this.capacity);
      if (found && seqAt(found.holder, found.index) === seq) return found;
    }
    return this.kept.get(recordId);
  }

  /** The record in `slot`, or undefined when there is none (its batch left the window, or it was never used). */
  private inSlot(slot: number): { holder: Holder; index: number } | undefined {
    const number = this.batchNumbers[slot];
    const holder = number === ALONE ? this.alone.get(slot) : number === 0 ? undefined : this.batches.get(number);
    return holder && { holder, index: this.indexes[slot] };
  }

  /** Keeps a record's trace past the window; false when it has left the window already. */
  keep(recordId: string): boolean {
    if (this.kept.has(recordId)) return true;
    const found = this.find(recordId);
    if (!found) return false;
    if (this.kept.size >= MAX_KEPT) {
      const [oldestId, oldest] = this.kept.entries().next().value!;
      this.kept.delete(oldestId);
      if (oldest.holder instanceof ProducerBatch && ![...this.kept.values()].some((k) => k.holder === oldest.holder)) {
        oldest.holder.kept = false;
        this.keptBatches.delete(oldest.holder.id);
        oldest.holder.maybeRecycleFacts();
      }
    }
    this.kept.set(recordId, found);
    if (found.holder instanceof ProducerBatch) {
      found.holder.kept = true;
      this.keptBatches.set(found.holder.id, found.holder);
    }
    return true;
  }

  recordTrace(recordId: string): RecordTrace | undefined {
    const found = this.find(recordId);
    if (!found) return undefined;
    const { holder, index } = found;
    if (holder instanceof ProducerBatch) return batchRecordTrace(recordId, holder, index);
    return aloneRecordTrace(recordId, holder);
  }

  batchTrace(batchId: string): BatchTrace | undefined {
    // Asked when a user opens a batch or exports: a look through the window's batches (a few hundred) will do.
    const b = this.windowBatch(batchId) ?? this.keptBatches.get(batchId);
    if (!b) return undefined;
    const recordIds: string[] = [];
    for (let i = 0; i < b.recordCount; i++) recordIds.push(this.recordIdOf(b.recordSeq(i)));
    const created: TraceEvent = {
      type: 'batch-created',
      batchId: b.id,
      time: b.createdMs,
      topic: b.topic,
      partition: b.partition,
      capacityBytes: b.reservedBytes,
    };
    return { batchId: b.id, topic: b.topic, partition: b.partition, recordIds, events: [created, ...(b.events ?? [])] };
  }

  /** JSON-able: records (with their events), the batches they joined, and cluster events. Holds no payloads or secrets. */
  export(filter?: { recordIds?: string[] }): object {
    const ids =
      filter?.recordIds ??
      Array.from({ length: this.capacity }, (_, slot) => this.inSlot(slot))
        .filter((found) => found !== undefined)
        .map((found) => seqAt(found.holder, found.index))
        .sort((a, b) => a - b)
        .map((seq) => this.recordIdOf(seq));
    const records: RecordTrace[] = [];
    const batchIds = new Set<string>();
    for (const id of ids) {
      const t = this.recordTrace(id);
      if (!t) continue;
      records.push(t);
      if (t.batchId) batchIds.add(t.batchId);
    }
    const batches = [...batchIds].map((id) => this.batchTrace(id)).filter((b): b is BatchTrace => b !== undefined);
    return { version: 1, records, batches, cluster: [...this.cluster] };
  }
}

/** The seq of the record at `index` of `holder` (a lone record is its own holder). */
function seqAt(holder: Holder, index: number): number {
  return holder instanceof ProducerBatch ? holder.recordSeq(index) : holder.seq;
}

/** The schemas that encoded the record come first: serialization happens before the producer gets the record. */
function serializedEvents(
  recordId: string,
  time: number,
  serialization: readonly SchemaUsed[] | undefined,
): TraceEvent[] {
  return serialization ? serialization.map((u) => ({ type: 'serialized', recordId, time, ...u })) : [];
}

function blockedReason(blocked: Blocked): 'metadata' | 'buffer-memory' {
  return blocked === Blocked.Metadata ? 'metadata' : 'buffer-memory';
}

/** The trace of the record at `i` in batch `b`, from the batch's facts and events. */
function batchRecordTrace(recordId: string, b: ProducerBatch, i: number): RecordTrace {
  const placedAt = b.recordPlacedAt(i);
  const explicit = b.recordExplicitPartition(i);
  const events: TraceEvent[] = serializedEvents(recordId, b.recordSentAt(i), b.recordSerialization(i));
  events.push({
    type: 'composed',
    recordId,
    time: b.recordSentAt(i),
    topic: b.topic,
    keySize: b.recordKeySize(i),
    valueSize: b.recordValueSize(i),
    headerCount: b.recordHeaderCount(i),
    explicitPartition: explicit >= 0 ? explicit : undefined,
  });
  const blocked = b.recordBlocked(i);
  if (blocked !== Blocked.None)
    events.push({ type: 'blocked', recordId, time: b.recordBlockedAt(i), reason: blockedReason(blocked) });
  events.push({
    type: 'partitioned',
    recordId,
    time: placedAt,
    topic: b.topic,
    partition: b.partition,
    reason: b.recordReason(i),
  });
  events.push({ type: 'appended', recordId, time: placedAt, batchId: b.id, offsetDelta: i, newBatch: i === 0 });
  if (b.events) for (const e of b.events) events.push(e);
  if (b.state === 'done') {
    const m = b.metadata(i);
    events.push({
      type: 'acked',
      recordId,
      batchId: b.id,
      time: b.settledAt,
      offset: m.offset,
      timestamp: m.timestamp,
      timestampType: m.timestampType,
      attempts: b.attempts,
      queueTimeMs: b.closedAt >= 0 ? b.closedAt - placedAt : 0,
      roundTripMs: b.lastRoundTripMs,
    });
  } else if (b.state === 'failed' && b.error) {
    events.push({
      type: 'failed',
      recordId,
      batchId: b.id,
      time: b.settledAt,
      error: b.error.message,
      errorName: b.error.errorName,
      errorCode: b.error.errorCode,
      attempts: b.attempts,
    });
  }
  return {
    recordId,
    topic: b.topic,
    partition: b.partition,
    batchId: b.id,
    outcome: b.state === 'done' ? 'acked' : b.state === 'failed' ? 'failed' : 'pending',
    events,
  };
}

/** The trace of a record that never joined a batch (still waiting, or failed before). */
function aloneRecordTrace(recordId: string, r: RecordInput): RecordTrace {
  const events: TraceEvent[] = serializedEvents(recordId, r.composedAt, r.serialization);
  events.push({
    type: 'composed',
    recordId,
    time: r.composedAt,
    topic: r.topic,
    keySize: r.keySize,
    valueSize: r.valueSize,
    headerCount: r.headerCount,
    explicitPartition: r.explicitPartition >= 0 ? r.explicitPartition : undefined,
  });
  if (r.blocked !== Blocked.None)
    events.push({ type: 'blocked', recordId, time: r.blockedAt, reason: blockedReason(r.blocked) });
  if (r.partition >= 0) {
    events.push({
      type: 'partitioned',
      recordId,
      time: r.placedAt,
      topic: r.topic,
      partition: r.partition,
      reason: reasonFromFacts(r.reasonCode, r.numPartitions, r.hash, r.aux),
    });
  }
  if (r.error) {
    events.push({
      type: 'failed',
      recordId,
      time: r.failedAt,
      error: r.error.message,
      errorName: r.error.errorName,
      errorCode: r.error.errorCode,
      attempts: r.error.attempts,
    });
  }
  return {
    recordId,
    topic: r.topic,
    partition: r.partition >= 0 ? r.partition : undefined,
    outcome: r.error ? 'failed' : 'pending',
    events,
  };
}

/**
 * The bounded trace store. Records are kept as their PendingRecord (fields, not events, so the send path stays
 * cheap); events are built when asked for. Oldest records and batches are dropped past the capacity.
 */
import { PendingRecord, type ProducerBatch } from './batch';
import type { DeliveryError } from './errors';
import type { BatchTrace, PartitionReason, RecordTrace, TraceEvent } from './types';

export function composedEvent(r: PendingRecord): TraceEvent {
  return { type: 'composed', recordId: r.id, time: r.composedAt, topic: r.topic, keySize: r.keySize, valueSize: r.valueSize, headerCount: r.headerCount, explicitPartition: r.explicitPartition };
}

export function blockedEvent(r: PendingRecord): TraceEvent {
  return { type: 'blocked', recordId: r.id, time: r.blockedAt, reason: r.blockedReason! };
}

export function partitionedEvent(r: PendingRecord): TraceEvent {
  return { type: 'partitioned', recordId: r.id, time: r.partitionedAt, topic: r.topic, partition: r.partition, reason: r.reason! };
}

export function appendedEvent(r: PendingRecord): TraceEvent {
  const b = r.batch!;
  return { type: 'appended', recordId: r.id, time: r.appendedAt, batchId: b.id, offsetDelta: r.offsetDelta, newBatch: r.offsetDelta === 0 };
}

/** The record's final event, or undefined while it is pending. */
export function outcomeEvent(r: PendingRecord): TraceEvent | undefined {
  if (r.acked) {
    const b = r.batch!;
    const logAppend = b.logAppendTime !== -1;
    return {
      type: 'acked', recordId: r.id, batchId: b.id, time: b.doneMs, offset: b.baseOffset >= 0 ? b.baseOffset + r.offsetDelta : -1,
      timestamp: logAppend ? b.logAppendTime : r.timestamp, timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
      attempts: b.attempts, queueTimeMs: b.drainedMs >= 0 ? b.drainedMs - r.appendedAt : 0, roundTripMs: b.lastRoundTripMs,
    };
  }
  if (r.error) {
    return { type: 'failed', recordId: r.id, batchId: r.batch?.id, time: r.failedAt, error: r.error.message, errorName: r.error.errorName, errorCode: r.error.errorCode, attempts: r.error.attempts };
  }
  return undefined;
}

/**
 * Insertion-ordered map that drops its oldest entry past `capacity`. A ring of keys finds the oldest in O(1)
 * (a Map's keys().next() after many deletes from the front walks the deleted slots: quadratic at 100k entries).
 */
class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  private readonly ring: (string | undefined)[];
  private pos = 0;

  constructor(capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(1, capacity));
  }

  set(key: string, value: V): void {
    const evicted = this.ring[this.pos];
    if (evicted !== undefined) this.map.delete(evicted);
    this.ring[this.pos] = key;
    this.pos = (this.pos + 1) % this.ring.length;
    this.map.set(key, value);
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  get size(): number {
    return this.map.size;
  }
}

const ACKED = 1;
const FAILED = 2;
const BLOCKED_METADATA = 4;
const BLOCKED_MEMORY = 8;
const TIME_FIELDS = 6; // composedAt, partitionedAt, appendedAt, blockedAt, timestamp, failedAt
const INT_FIELDS = 7; // partition, offsetDelta, keySize, valueSize, headerCount, explicitPartition, flags

/**
 * Record traces live in a ring indexed by the record's sequence number. While a record is pending the ring holds
 * the PendingRecord; once it settles its fields are copied into typed arrays and the object is let go, so keeping
 * 100k traces costs the garbage collector almost nothing (retained objects are what make a trace expensive).
 */
export class TraceStore {
  private readonly capacity: number;
  private readonly seqs: Float64Array;
  private readonly live: (PendingRecord | undefined)[];
  private readonly times: Float64Array;
  private readonly ints: Int32Array;
  private readonly topics: (string | undefined)[];
  private readonly reasons: (PartitionReason | undefined)[];
  private readonly batchRefs: (ProducerBatch | undefined)[];
  private readonly errors: (DeliveryError | undefined)[];
  private readonly batches: BoundedMap<ProducerBatch>;
  /** Cluster-wide events (metadata refreshes, producer ids), bounded too. */
  private readonly global: TraceEvent[] = [];

  constructor(
    capacity: number,
    private readonly idPrefix: string,
  ) {
    this.capacity = Math.max(1, capacity);
    this.seqs = new Float64Array(this.capacity);
    this.live = new Array(this.capacity);
    this.times = new Float64Array(this.capacity * TIME_FIELDS);
    this.ints = new Int32Array(this.capacity * INT_FIELDS);
    this.topics = new Array(this.capacity);
    this.reasons = new Array(this.capacity);
    this.batchRefs = new Array(this.capacity);
    this.errors = new Array(this.capacity);
    this.batches = new BoundedMap(capacity);
  }

  /** Starts a record's trace (dropping the oldest one in its slot). */
  addRecord(r: PendingRecord): void {
    const slot = r.seq % this.capacity;
    this.seqs[slot] = r.seq;
    this.live[slot] = r;
    this.topics[slot] = undefined;
    this.reasons[slot] = undefined;
    this.batchRefs[slot] = undefined;
    this.errors[slot] = undefined;
  }

  addBatch(b: ProducerBatch): void {
    this.batches.set(b.id, b);
  }

  /** The record settled: keep its fields, let the object go. */
  recordSettled(r: PendingRecord): void {
    const slot = r.seq % this.capacity;
    if (this.seqs[slot] !== r.seq) return;
    const t = slot * TIME_FIELDS;
    const times = this.times;
    times[t] = r.composedAt;
    times[t + 1] = r.partitionedAt;
    times[t + 2] = r.appendedAt;
    times[t + 3] = r.blockedAt;
    times[t + 4] = r.timestamp;
    times[t + 5] = r.failedAt;
    const i = slot * INT_FIELDS;
    const ints = this.ints;
    ints[i] = r.partition;
    ints[i + 1] = r.offsetDelta;
    ints[i + 2] = r.keySize;
    ints[i + 3] = r.valueSize;
    ints[i + 4] = r.headerCount;
    ints[i + 5] = r.explicitPartition ?? -1;
    ints[i + 6] =
      (r.acked ? ACKED : 0) | (r.error ? FAILED : 0) |
      (r.blockedReason === 'metadata' ? BLOCKED_METADATA : r.blockedReason === 'buffer-memory' ? BLOCKED_MEMORY : 0);
    this.topics[slot] = r.topic;
    this.reasons[slot] = r.reason;
    this.batchRefs[slot] = r.batch;
    this.errors[slot] = r.error;
    this.live[slot] = undefined;
  }

  private slotOf(recordId: string): number {
    if (!recordId.startsWith(this.idPrefix) || recordId[this.idPrefix.length] !== 'r') return -1;
    const seq = Number(recordId.slice(this.idPrefix.length + 1));
    if (!Number.isSafeInteger(seq) || seq <= 0) return -1;
    const slot = seq % this.capacity;
    return this.seqs[slot] === seq ? slot : -1;
  }

  /** The record as a PendingRecord: the live one, or one rebuilt from the stored fields. */
  private recordAt(slot: number): PendingRecord {
    const live = this.live[slot];
    if (live) return live;
    const t = slot * TIME_FIELDS;
    const i = slot * INT_FIELDS;
    const ints = this.ints;
    const times = this.times;
    const flags = ints[i + 6];
    const r = new PendingRecord(
      `${this.idPrefix}r${this.seqs[slot]}`, this.topics[slot]!, null, null, undefined, times[t + 4],
      ints[i + 5] >= 0 ? ints[i + 5] : undefined, times[t], ints[i + 2], ints[i + 3], ints[i + 4], 0, 0,
    );
    r.seq = this.seqs[slot];
    r.partitionedAt = times[t + 1];
    r.appendedAt = times[t + 2];
    r.blockedAt = times[t + 3];
    r.failedAt = times[t + 5];
    r.partition = ints[i];
    r.offsetDelta = ints[i + 1];
    r.blockedReason = flags & BLOCKED_METADATA ? 'metadata' : flags & BLOCKED_MEMORY ? 'buffer-memory' : undefined;
    r.acked = (flags & ACKED) !== 0;
    r.reason = this.reasons[slot];
    r.batch = this.batchRefs[slot];
    r.error = this.errors[slot];
    r.settled = true;
    return r;
  }

  recordIdOf(seq: number): string {
    return `${this.idPrefix}r${seq}`;
  }

  addGlobal(e: TraceEvent): void {
    this.global.push(e);
    if (this.global.length > 1000) this.global.splice(0, this.global.length - 1000);
  }

  recordTrace(recordId: string): RecordTrace | undefined {
    const slot = this.slotOf(recordId);
    if (slot < 0) return undefined;
    const r = this.recordAt(slot);
    const events: TraceEvent[] = [composedEvent(r)];
    if (r.blockedReason) events.push(blockedEvent(r));
    if (r.reason) events.push(partitionedEvent(r));
    const b = r.batch;
    if (b) {
      events.push(appendedEvent(r));
      for (const e of b.events ?? []) if (e.type !== 'batch-created') events.push(e);
    }
    const outcome = outcomeEvent(r);
    if (outcome) events.push(outcome);
    return {
      recordId: r.id,
      topic: r.topic,
      partition: r.partition >= 0 ? r.partition : undefined,
      batchId: b?.id,
      outcome: r.acked ? 'acked' : r.error ? 'failed' : 'pending',
      events,
    };
  }

  batchTrace(batchId: string): BatchTrace | undefined {
    const b = this.batches.get(batchId);
    if (!b) return undefined;
    const recordIds = b.recordSeqs ? Array.from(b.recordSeqs, (seq) => this.recordIdOf(seq)) : b.records.map((r) => r.id);
    return { batchId: b.id, topic: b.topic, partition: b.partition, recordIds, events: [...(b.events ?? [])] };
  }

  /** JSON-able: records (with their events), the batches they joined, and cluster events. Holds no payloads or secrets. */
  export(filter?: { recordIds?: string[] }): object {
    const ids =
      filter?.recordIds ??
      Array.from(this.seqs)
        .filter((seq) => seq > 0)
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
    return { version: 1, records, batches, cluster: [...this.global] };
  }
}

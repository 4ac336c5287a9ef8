/**
 * The bounded trace store. Records are kept as their PendingRecord (fields, not events, so the send path stays
 * cheap); events are built when asked for. Oldest records and batches are dropped past the capacity.
 */
import type { PendingRecord, ProducerBatch } from './batch';
import type { BatchTrace, RecordTrace, TraceEvent } from './types';

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

  constructor(private readonly capacity: number) {
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

export class TraceStore {
  private readonly records: BoundedMap<PendingRecord>;
  private readonly batches: BoundedMap<ProducerBatch>;
  /** Cluster-wide events (metadata refreshes, producer ids), bounded too. */
  private readonly global: TraceEvent[] = [];

  constructor(capacity: number) {
    this.records = new BoundedMap(capacity);
    this.batches = new BoundedMap(capacity);
  }

  addRecord(r: PendingRecord): void {
    this.records.set(r.id, r);
  }

  addBatch(b: ProducerBatch): void {
    this.batches.set(b.id, b);
  }

  addGlobal(e: TraceEvent): void {
    this.global.push(e);
    if (this.global.length > 1000) this.global.splice(0, this.global.length - 1000);
  }

  recordTrace(recordId: string): RecordTrace | undefined {
    const r = this.records.get(recordId);
    if (!r) return undefined;
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
    return { batchId: b.id, topic: b.topic, partition: b.partition, recordIds: b.records.map((r) => r.id), events: [...(b.events ?? [])] };
  }

  /** JSON-able: records (with their events), the batches they joined, and cluster events. Holds no payloads or secrets. */
  export(filter?: { recordIds?: string[] }): object {
    const ids = filter?.recordIds ?? [...this.records.keys()];
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

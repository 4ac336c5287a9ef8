/**
 * Records that could not join a batch when they were sent: their topic's metadata was missing, or buffer.memory was
 * full. Java's send() blocks the caller for these (up to max.block.ms); here they wait in order and are placed as
 * soon as they can be. Per topic for metadata, so a mistyped topic holds back only its own records; one queue for
 * memory, first come first served.
 */
import { Blocked, type RecordInput } from './record-input';

/** What placing a waiting record came to. */
export type PlaceResult = 'placed' | 'wait-metadata' | 'wait-memory';

export class WaitingRecords {
  private readonly forMetadata = new Map<string, Fifo<RecordInput>>();
  private readonly forMemory = new Fifo<RecordInput>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get waitingForMemory(): boolean {
    return this.forMemory.length > 0;
  }

  /** Later records of a topic that waits for metadata queue behind it (per-topic order, as a blocked send keeps). */
  topicWaits(topic: string): boolean {
    return this.forMetadata.has(topic);
  }

  /** Parks a record (max.block.ms counts from its send); returns true the first time it waits. */
  park(r: RecordInput, reason: Blocked.Metadata | Blocked.Memory, now: number, maxBlockMs: number): boolean {
    if (r.blockDeadline === 0) r.blockDeadline = r.composedAt + maxBlockMs;
    if (reason === Blocked.Metadata) {
      let q = this.forMetadata.get(r.topic);
      if (!q) this.forMetadata.set(r.topic, (q = new Fifo()));
      q.push(r);
    } else {
      this.forMemory.push(r);
    }
    this.count++;
    if (r.blocked !== Blocked.None) return false;
    // The trace shows the first thing the record waited for.
    r.blocked = reason;
    r.blockedAt = now;
    return true;
  }

  /**
   * Places what can be placed, in order; fails what waited past max.block.ms. `place` tries one record; `expire`
   * fails one. Returns the earliest deadline of those still waiting (Infinity if none).
   */
  process(
    now: number,
    place: (r: RecordInput) => PlaceResult,
    expire: (r: RecordInput, waitedFor: Blocked) => void,
  ): number {
    let next = Infinity;
    // Memory first: these came before any later record parked for metadata of a topic now known.
    const memory = this.forMemory;
    while (memory.length > 0) {
      const r = memory.peek()!;
      if (now >= r.blockDeadline) {
        this.take(memory);
        expire(r, Blocked.Memory);
        continue;
      }
      const behind = this.forMetadata.get(r.topic);
      if (behind) {
        // Its topic's earlier records still wait for metadata: keep per-topic order by queuing behind them.
        this.take(memory);
        behind.push(r);
        this.count++;
        continue;
      }
      const result = place(r);
      if (result === 'wait-memory') {
        next = Math.min(next, r.blockDeadline);
        break;
      }
      this.take(memory);
      if (result === 'wait-metadata') this.park(r, Blocked.Metadata, now, 0);
    }
    for (const [topic, q] of this.forMetadata) {
      while (q.length > 0) {
        const r = q.peek()!;
        if (now >= r.blockDeadline) {
          this.take(q);
          expire(r, Blocked.Metadata);
          continue;
        }
        const result = this.forMemory.length > 0 ? 'wait-memory' : place(r);
        if (result === 'placed') {
          this.take(q);
          continue;
        }
        if (result === 'wait-memory') {
          // The topic is known now; the rest of its records wait for memory, in order.
          while (q.length > 0) this.park(this.take(q)!, Blocked.Memory, now, 0);
          break;
        }
        next = Math.min(next, r.blockDeadline);
        break;
      }
      if (q.length === 0) this.forMetadata.delete(topic);
    }
    return next;
  }

  /** Fails every record waiting for metadata (a cluster that refuses the login, say). */
  failAllForMetadata(fail: (r: RecordInput) => void): void {
    const queues = [...this.forMetadata.values()];
    this.forMetadata.clear();
    for (const q of queues)
      for (const r of q.drain()) {
        this.count--;
        fail(r);
      }
  }

  /** Fails everything waiting (the producer closed before they could go). */
  failAll(fail: (r: RecordInput) => void): void {
    for (const r of this.forMemory.drain()) {
      this.count--;
      fail(r);
    }
    this.failAllForMetadata(fail);
  }

  private take(q: Fifo<RecordInput>): RecordInput | undefined {
    this.count--;
    return q.shift();
  }
}

/** A FIFO with O(1) shift: waiting records can number in the hundreds of thousands. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}

/**
 * A batch's records' facts (what the trace, the callbacks and the delivery reports need), without an object per
 * record: seven 32-bit numbers each in one Int32Array, plus three doubles for the rare record that has a timestamp of
 * its own or waited before joining the batch. The arrays come from a pool and go back once the batch has left the
 * trace window, so a long run allocates them once instead of leaving a stream of dead arrays outside the JavaScript
 * heap (which would stay there until a rare major collection).
 */
import type { RecordInput } from './record-input';

/** Per record: seq - first seq, sent - created, key size, value size, hash, flags (see below), aux. */
const FIELDS = 7;
/** Per record, when needed: timestamp, placedAt, blockedAt. */
const SIDE_FIELDS = 3;

// flags: reason code (4 bits) | blocked (2 bits) << 4 | has side facts << 6 | header count << 8
const REASON_MASK = 0xf;
const BLOCKED_SHIFT = 4;
const SIDE_BIT = 1 << 6;
const HEADERS_SHIFT = 8;

export class FactsPool {
  private readonly free = new Map<number, Int32Array[]>();
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes: number) {}

  take(records: number): Int32Array {
    const length = records * FIELDS;
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    return new Int32Array(length);
  }

  give(array: Int32Array): void {
    if (array.length === 0 || this.freeBytes + array.byteLength > this.maxFreeBytes) return;
    let list = this.free.get(array.length);
    if (!list) this.free.set(array.length, (list = []));
    list.push(array);
    this.freeBytes += array.byteLength;
  }
}

const EMPTY = new Int32Array(0);

export class RecordFacts {
  private i32: Int32Array;
  private side: Float64Array | undefined;
  private capacity: number;

  constructor(
    private readonly pool: FactsPool,
    records: number,
    private readonly createdMs: number,
    private readonly firstSeq: number,
  ) {
    this.capacity = records;
    this.i32 = pool.take(records);
  }

  write(i: number, r: RecordInput, now: number): void {
    if (i >= this.capacity) this.grow();
    const n = i * FIELDS;
    const a = this.i32;
    a[n] = r.seq - this.firstSeq;
    a[n + 1] = r.composedAt - this.createdMs;
    a[n + 2] = r.keySize;
    a[n + 3] = r.valueSize;
    a[n + 4] = r.hash;
    // Most records are stamped and placed the moment they are sent: only the others need the side facts.
    const needsSide = r.timestamp !== r.composedAt || now !== r.composedAt || r.blocked !== 0;
    a[n + 5] =
      r.reasonCode | (r.blocked << BLOCKED_SHIFT) | (needsSide ? SIDE_BIT : 0) | (r.headerCount << HEADERS_SHIFT);
    a[n + 6] = r.aux;
    if (needsSide) {
      this.side ??= new Float64Array(this.capacity * SIDE_FIELDS);
      const s = i * SIDE_FIELDS;
      this.side[s] = r.timestamp;
      this.side[s + 1] = now;
      this.side[s + 2] = r.blockedAt;
    }
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const i32 = this.pool.take(capacity);
    i32.set(this.i32);
    this.pool.give(this.i32);
    this.i32 = i32;
    if (this.side) {
      const side = new Float64Array(capacity * SIDE_FIELDS);
      side.set(this.side);
      this.side = side;
    }
    this.capacity = capacity;
  }

  /** Gives the arrays back; the facts cannot be read after this. */
  recycle(): void {
    this.pool.give(this.i32);
    this.i32 = EMPTY;
    this.side = undefined;
    this.capacity = 0;
  }

  get recycled(): boolean {
    return this.i32 === EMPTY;
  }

  seq(i: number): number {
    return this.firstSeq + this.i32[i * FIELDS];
  }

  sentAt(i: number): number {
    return this.createdMs + this.i32[i * FIELDS + 1];
  }

  keySize(i: number): number {
    return this.i32[i * FIELDS + 2];
  }

  valueSize(i: number): number {
    return this.i32[i * FIELDS + 3];
  }

  hash(i: number): number {
    return this.i32[i * FIELDS + 4];
  }

  private flags(i: number): number {
    return this.i32[i * FIELDS + 5];
  }

  reasonCode(i: number): number {
    return this.flags(i) & REASON_MASK;
  }

  blocked(i: number): number {
    return (this.flags(i) >> BLOCKED_SHIFT) & 3;
  }

  headerCount(i: number): number {
    return this.flags(i) >>> HEADERS_SHIFT;
  }

  aux(i: number): number {
    return this.i32[i * FIELDS + 6];
  }

  private sideFact(i: number, field: number): number | undefined {
    return this.flags(i) & SIDE_BIT ? this.side![i * SIDE_FIELDS + field] : undefined;
  }

  timestamp(i: number): number {
    return this.sideFact(i, 0) ?? this.sentAt(i);
  }

  placedAt(i: number): number {
    return this.sideFact(i, 1) ?? this.sentAt(i);
  }

  blockedAt(i: number): number {
    return this.sideFact(i, 2) ?? this.sentAt(i);
  }
}

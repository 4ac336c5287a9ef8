/**
 * A batch's records' facts (what the trace, the callbacks and the delivery reports need), without an object per
 * record: seven 32-bit numbers each, plus three doubles for the rare record that has a timestamp of its own or waited
 * before joining the batch. Stored field by field: a field that has had the same value for every record so far is
 * that one number, and gets an Int32Array only when a record differs. In a bulk send most fields never differ (one
 * value size, no key, one reason, consecutive records), so a batch of 600 records writes 2.4 KB of facts, not 17 KB:
 * the trace window keeps a few hundred batches, and writing every batch's facts into memory the window had long
 * left cold cost tracing a few percent of the engine's CPU time.
 * The arrays come from a pool and go back once the batch has left the trace window, so a long run allocates them
 * once instead of leaving a stream of dead arrays outside the JavaScript heap (which would stay there until a rare
 * major collection).
 */
import type { RecordInput } from './record-input';

/** The fields, by number. SEQ holds seq - first seq - index: 0 for every record of a batch of consecutive records. */
const SEQ = 0;
const SENT = 1; // sent (composed) - the batch's creation time
const KEY_SIZE = 2;
const VALUE_SIZE = 3;
const HASH = 4;
const FLAGS = 5; // see below
const AUX = 6;
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

  take(length: number): Int32Array {
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    return new Int32Array(length);
  }

  give(array: Int32Array): void {
    if (this.freeBytes + array.byteLength > this.maxFreeBytes) return;
    let list = this.free.get(array.length);
    if (!list) this.free.set(array.length, (list = []));
    list.push(array);
    this.freeBytes += array.byteLength;
  }
}

export class RecordFacts {
  /** Per field: its column, or undefined while every record so far had `same[field]`. */
  private readonly columns: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(FIELDS).fill(undefined);
  private readonly same = new Int32Array(FIELDS);
  private side: Float64Array | undefined;
  private capacity: number;
  private recycledValue = false;

  constructor(
    private readonly pool: FactsPool,
    records: number,
    private readonly createdMs: number,
    private readonly firstSeq: number,
  ) {
    this.capacity = records;
  }

  /** Records are written in order: `i` is the number written before. */
  write(i: number, r: RecordInput, now: number): void {
    if (i >= this.capacity) this.grow();
    this.put(SEQ, i, r.seq - this.firstSeq - i);
    this.put(SENT, i, r.composedAt - this.createdMs);
    this.put(KEY_SIZE, i, r.keySize);
    this.put(VALUE_SIZE, i, r.valueSize);
    this.put(HASH, i, r.hash);
    // Most records are stamped and placed the moment they are sent: only the others need the side facts.
    const needsSide = r.timestamp !== r.composedAt || now !== r.composedAt || r.blocked !== 0;
    this.put(
      FLAGS,
      i,
      r.reasonCode | (r.blocked << BLOCKED_SHIFT) | (needsSide ? SIDE_BIT : 0) | (r.headerCount << HEADERS_SHIFT),
    );
    this.put(AUX, i, r.aux);
    if (needsSide) {
      this.side ??= new Float64Array(this.capacity * SIDE_FIELDS);
      const s = i * SIDE_FIELDS;
      this.side[s] = r.timestamp;
      this.side[s + 1] = now;
      this.side[s + 2] = r.blockedAt;
    }
  }

  private put(field: number, i: number, value: number): void {
    const column = this.columns[field];
    if (column !== undefined) column[i] = value;
    else if (i === 0) this.same[field] = value;
    else if (value !== this.same[field]) {
      // The first record that differs: the field gets its column, filled in for the records before it.
      const made = this.pool.take(this.capacity);
      made.fill(this.same[field], 0, i);
      made[i] = value;
      this.columns[field] = made;
    }
  }

  private get(field: number, i: number): number {
    const column = this.columns[field];
    return column === undefined ? this.same[field] : column[i];
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    for (let f = 0; f < FIELDS; f++) {
      const old = this.columns[f];
      if (!old) continue;
      const column = this.pool.take(capacity);
      column.set(old);
      this.pool.give(old);
      this.columns[f] = column;
    }
    if (this.side) {
      const side = new Float64Array(capacity * SIDE_FIELDS);
      side.set(this.side);
      this.side = side;
    }
    this.capacity = capacity;
  }

  /** Gives the arrays back; the facts cannot be read after this. */
  recycle(): void {
    for (let f = 0; f < FIELDS; f++) {
      const column = this.columns[f];
      if (column) this.pool.give(column);
      this.columns[f] = undefined;
    }
    this.side = undefined;
    this.capacity = 0;
    this.recycledValue = true;
  }

  get recycled(): boolean {
    return this.recycledValue;
  }

  seq(i: number): number {
    return this.firstSeq + i + this.get(SEQ, i);
  }

  sentAt(i: number): number {
    return this.createdMs + this.get(SENT, i);
  }

  keySize(i: number): number {
    return this.get(KEY_SIZE, i);
  }

  valueSize(i: number): number {
    return this.get(VALUE_SIZE, i);
  }

  hash(i: number): number {
    return this.get(HASH, i);
  }

  private flags(i: number): number {
    return this.get(FLAGS, i);
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
    return this.get(AUX, i);
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

/**
 * Writes Kafka protocol primitives. Small fields go into a growing scratch buffer; large byte fields (record
 * batches) are kept as chunks of their own, never copied, so a Produce request goes to the socket as a list of
 * chunks (one writev) with the producer's batches in it as they are.
 */
const LARGE_CHUNK_BYTES = 1024;

/** Encoded bytes as chunks, in order, and their total length. */
export interface Chunks {
  chunks: Buffer[];
  length: number;
}

export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private at = 0;
  private total = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.total + this.at;
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.at);
    this.at += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.at);
    this.at += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.at);
    this.at += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.at);
    this.at += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.at);
    this.at += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / 4294967296);
    this.buf.writeInt32BE(hi, this.at);
    this.buf.writeUInt32BE(v - hi * 4294967296, this.at + 4);
    this.at += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.at);
    this.at += 8;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.at++] = v;
    return this;
  }

  /** A length: int16/int32 in classic versions (-1 = null), uvarint plus one in compact ones (0 = null). */
  private lengthPrefix(n: number | null, compact: boolean, wide: boolean): this {
    if (compact) return this.uvarint(n === null ? 0 : n + 1);
    return wide ? this.int32(n ?? -1) : this.int16(n ?? -1);
  }

  string(s: string | null, compact = false): this {
    if (s === null) return this.lengthPrefix(null, compact, false);
    const len = Buffer.byteLength(s, 'utf8');
    this.lengthPrefix(len, compact, false);
    this.ensure(len);
    this.buf.write(s, this.at, 'utf8');
    this.at += len;
    return this;
  }

  bytes(b: Buffer | null, compact = false): this {
    if (b === null) return this.lengthPrefix(null, compact, true);
    this.lengthPrefix(b.length, compact, true);
    return this.raw(b);
  }

  arrayLength(n: number | null, compact = false): this {
    return this.lengthPrefix(n, compact, true);
  }

  /** Appends bytes as they are (no length prefix); large ones become a chunk of their own, not a copy. */
  raw(b: Buffer): this {
    if (b.length >= LARGE_CHUNK_BYTES) {
      this.flush();
      this.chunks.push(b);
      this.total += b.length;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
    return this;
  }

  private flush(): void {
    if (this.at === 0) return;
    this.chunks.push(this.buf.subarray(0, this.at));
    this.total += this.at;
    this.buf = this.buf.length - this.at >= 64 ? this.buf.subarray(this.at) : Buffer.allocUnsafe(256);
    this.at = 0;
  }

  toChunks(): Chunks {
    this.flush();
    return { chunks: this.chunks, length: this.total };
  }

  /** One buffer (a copy only when there is more than one chunk). */
  toBuffer(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
  }
}

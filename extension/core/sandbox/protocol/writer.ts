/**
 * Writes Kafka protocol primitives. Small fields go into a growing scratch buffer; large byte fields (record data)
 * are kept as separate chunks and joined once at the end, so a Fetch response's records are copied only once.
 */
const LARGE_CHUNK_BYTES = 1024;

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

  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s, 'utf8');
    this.int16(len);
    this.ensure(len);
    this.buf.write(s, this.at, 'utf8');
    this.at += len;
    return this;
  }

  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  /** Appends bytes as they are (no length prefix). */
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

  uvarint(v: number): this {
    while (v >= 0x80) {
      this.int8(((v & 0x7f) | 0x80) << 24 >> 24);
      v = Math.floor(v / 128);
    }
    return this.int8(v << 24 >> 24);
  }

  private flush(): void {
    if (this.at === 0) return;
    this.chunks.push(this.buf.subarray(0, this.at));
    this.total += this.at;
    this.buf = Buffer.allocUnsafe(Math.max(256, this.buf.length - this.at));
    this.at = 0;
  }

  toBuffer(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
  }
}

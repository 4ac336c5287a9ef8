/**
 * Reads Kafka protocol primitives from a frame. Every read is bounds-checked and throws ProtocolError, so malformed
 * or truncated input can never crash the caller or read past the frame. Byte fields are views of the frame, never
 * copies. The compact forms (unsigned-varint lengths, plus one) are those of flexible versions.
 */
import { WorkbenchError } from '../../util/errors';

/** A request or response does not follow the Kafka protocol (truncated, a bad length, an unknown version). */
export class ProtocolError extends WorkbenchError {}

export class Reader {
  constructor(
    readonly buf: Buffer,
    public at = 0,
    /** Where reading must stop (a tagged field's end); the buffer's end by default. */
    public end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.at;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.at) {
      throw new ProtocolError(`Truncated ${what} at byte ${this.at}: need ${n} bytes, ${this.end - this.at} remain.`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.at++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** int64 as a JS number (exact up to 2^53, which offsets, ids and timestamps never exceed). */
  int64(): number {
    this.need(8, 'int64');
    const v = this.buf.readInt32BE(this.at) * 4294967296 + this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return v;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }

  /** 16 bytes, as a view. */
  uuid(): Buffer {
    this.need(16, 'uuid');
    this.at += 16;
    return this.buf.subarray(this.at - 16, this.at);
  }

  /** Unsigned varint (flexible versions: compact lengths, tagged fields). */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      this.need(1, 'varint');
      const b = this.buf[this.at++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new ProtocolError(`Varint longer than 5 bytes at byte ${this.at}.`);
    }
  }

  /** A length: int16/int32 in classic versions (-1 = null), uvarint minus one in compact ones (0 = null). */
  private length(compact: boolean, wide: boolean, nullable: boolean, what: string): number | null {
    const start = this.at;
    const len = compact ? this.uvarint() - 1 : wide ? this.int32() : this.int16();
    if (len < 0) {
      if (len === -1 && nullable) return null;
      throw new ProtocolError(`Invalid ${what} length ${len} at byte ${start}.`);
    }
    return len;
  }

  /** A string; null when its length says so and `nullable`. */
  string(nullable: boolean, compact = false): string | null {
    const len = this.length(compact, false, nullable, 'string');
    if (len === null) return null;
    this.need(len, 'string');
    const s = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return s;
  }

  /** Bytes, as a view of the frame (never copied). */
  bytes(nullable: boolean, compact = false): Buffer | null {
    const len = this.length(compact, true, nullable, 'bytes');
    if (len === null) return null;
    this.need(len, 'bytes');
    const b = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return b;
  }

  /** An element count; null when nullable and null. Counts that cannot fit in the remaining bytes are refused. */
  arrayLength(nullable: boolean, minElementBytes = 1, compact = false): number | null {
    const start = this.at;
    const n = this.length(compact, true, nullable, 'array');
    if (n === null) return null;
    if (n * minElementBytes > this.remaining) {
      throw new ProtocolError(
        `Array of ${n} elements at byte ${start} cannot fit in the ${this.remaining} bytes that remain.`,
      );
    }
    return n;
  }

  /** Skips `n` bytes (an unknown tagged field). */
  skip(n: number, what: string): void {
    this.need(n, what);
    this.at += n;
  }
}

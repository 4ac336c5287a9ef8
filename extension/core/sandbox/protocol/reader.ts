/**
 * Reads Kafka protocol primitives from a frame. Every read is bounds-checked and throws ProtocolError, so malformed
 * or truncated input can never crash the caller or read past the frame.
 */
import { WorkbenchError } from '../../util/errors';

/** A request or response does not follow the Kafka protocol (truncated, a bad length, an unknown version). */
export class ProtocolError extends WorkbenchError {}

export class Reader {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.at;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.at) {
      throw new ProtocolError(`Truncated ${what} at byte ${this.at}: need ${n} bytes, ${this.buf.length - this.at} remain.`);
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

  /** int64 as a JS number (exact up to 2^53, which offsets and timestamps never exceed). */
  int64(): number {
    this.need(8, 'int64');
    const v = this.buf.readInt32BE(this.at) * 4294967296 + this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return v;
  }

  /** An int16-length string; null when the length is -1 and `nullable`. */
  string(nullable: true): string | null;
  string(nullable?: false): string;
  string(nullable = false): string | null {
    const len = this.int16();
    if (len < 0) {
      if (len === -1 && nullable) return null;
      throw new ProtocolError(`Invalid string length ${len} at byte ${this.at - 2}.`);
    }
    this.need(len, 'string');
    const s = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return s;
  }

  /** int32-length bytes, as a view of the frame (never copied). */
  bytes(nullable: true): Buffer | null;
  bytes(nullable?: false): Buffer;
  bytes(nullable = false): Buffer | null {
    const len = this.int32();
    if (len < 0) {
      if (len === -1 && nullable) return null;
      throw new ProtocolError(`Invalid bytes length ${len} at byte ${this.at - 4}.`);
    }
    this.need(len, 'bytes');
    const b = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return b;
  }

  /** An int32 element count; null for -1 when `nullable`. Counts that cannot fit in the remaining bytes are refused. */
  arrayLength(nullable: boolean, minElementBytes = 1): number | null {
    const n = this.int32();
    if (n < 0) {
      if (n === -1 && nullable) return null;
      throw new ProtocolError(`Invalid array length ${n} at byte ${this.at - 4}.`);
    }
    if (n * minElementBytes > this.remaining) {
      throw new ProtocolError(`Array of ${n} elements at byte ${this.at - 4} cannot fit in the ${this.remaining} bytes that remain.`);
    }
    return n;
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

  /** Skips a tagged-fields section (flexible versions): a count, then tag, size and data per field. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.need(size, 'tagged field');
      this.at += size;
    }
  }
}

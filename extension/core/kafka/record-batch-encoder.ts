/**
 * Kafka record batch v2 (magic 2) encoder. Records are written straight into one buffer allocated per batch
 * (allocUnsafe: no zero fill), and the size of every record is computed exactly before it is written, so a batch
 * never outgrows its capacity (that is how `batch.size` is honoured). The 61-byte header is filled in when the
 * batch is built, because producer id, epoch and base sequence are only known when the batch is first drained.
 */
import { crc32c } from './crc32c';

/** Bytes before the first record: baseOffset .. recordCount. */
export const RECORD_BATCH_OVERHEAD = 61;
const ATTRIBUTES_OFFSET = 21; // the CRC covers attributes .. end
const CRC_OFFSET = 17;
const MAGIC = 2;

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
const COMPRESSION_CODEC: Record<CompressionType, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** A key or value: bytes, a string (written as UTF-8 straight into the batch, no intermediate Buffer), or null. */
export type RecordPayload = Buffer | string | null;

/** Bytes the payload takes on the wire (-1 for null). */
export function payloadSize(data: RecordPayload): number {
  if (data === null) return -1;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

export interface RecordHeader {
  key: Buffer;
  value: Buffer | null;
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export const NO_PRODUCER_STATE: ProducerState = { producerId: -1, producerEpoch: -1, baseSequence: -1 };

export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

/** Zigzag varlong size for integers within +-2^52 (timestamps deltas). */
export function sizeOfVarlong(value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

function sizeOfHeaders(headers: readonly RecordHeader[] | undefined): number {
  if (!headers || headers.length === 0) return 1;
  let size = sizeOfVarint(headers.length);
  for (const h of headers) {
    size += sizeOfVarint(h.key.length) + h.key.length;
    size += h.value === null ? 1 : sizeOfVarint(h.value.length) + h.value.length;
  }
  return size;
}

/**
 * The record's body size without the timestamp and offset deltas (those depend on the batch it joins).
 * `keySize`/`valueSize` are payloadSize() of the key and value (-1 = null), computed once by the caller.
 */
export function bodySizeFromSizes(keySize: number, valueSize: number, headers?: readonly RecordHeader[]): number {
  return (
    1 + // attributes
    (keySize < 0 ? 1 : sizeOfVarint(keySize) + keySize) +
    (valueSize < 0 ? 1 : sizeOfVarint(valueSize) + valueSize) +
    sizeOfHeaders(headers)
  );
}

export function recordBodySizeWithoutDeltas(key: RecordPayload, value: RecordPayload, headers?: readonly RecordHeader[]): number {
  return bodySizeFromSizes(payloadSize(key), payloadSize(value), headers);
}

/** Upper bound of the bytes one record adds to a batch, given its body size (as Java's estimateSizeInBytesUpperBound). */
export function upperBoundFromBodySize(bodyWithoutDeltas: number): number {
  const body = bodyWithoutDeltas + 10 /* varlong */ + 5; /* varint */
  return sizeOfVarint(body) + body;
}

export function recordSizeUpperBound(key: RecordPayload, value: RecordPayload, headers?: readonly RecordHeader[]): number {
  return upperBoundFromBodySize(recordBodySizeWithoutDeltas(key, value, headers));
}

export class RecordBatchBuilder {
  private readonly buffer: Buffer;
  private position = RECORD_BATCH_OVERHEAD;
  private count = 0;
  private maxTimestamp: number;
  private built: Buffer | undefined;

  /**
   * @param capacity largest total batch size in bytes (header included); one record larger than this still fits
   *   when the batch is empty, because the caller sizes the batch for it.
   */
  constructor(
    readonly capacity: number,
    readonly baseTimestamp: number,
    readonly compression: CompressionType = 'none',
    private readonly partitionLeaderEpoch = -1,
    /** Where to write (at least `capacity` bytes; a pooled buffer, say); a new one when not given. */
    buffer?: Buffer,
  ) {
    const size = Math.max(capacity, RECORD_BATCH_OVERHEAD);
    this.buffer = buffer && buffer.length >= size ? buffer.subarray(0, size) : Buffer.allocUnsafe(size);
    this.maxTimestamp = baseTimestamp;
  }

  /** The buffer records are written to (to give back to a pool once nothing refers to the batch's bytes). */
  get backingBuffer(): Buffer {
    return this.buffer;
  }

  get recordCount(): number {
    return this.count;
  }

  /** Bytes used so far, header included (before compression). */
  get sizeInBytes(): number {
    return this.position;
  }

  /** Exact bytes the record would take in this batch. */
  sizeOfNextRecord(timestamp: number, bodyWithoutDeltas: number): number {
    const body = bodyWithoutDeltas + sizeOfVarlong(timestamp - this.baseTimestamp) + sizeOfVarint(this.count);
    return sizeOfVarint(body) + body;
  }

  hasRoomFor(timestamp: number, bodyWithoutDeltas: number): boolean {
    return this.position + this.sizeOfNextRecord(timestamp, bodyWithoutDeltas) <= this.buffer.length;
  }

  /**
   * Appends one record; returns its offset delta, or -1 when it does not fit (the batch is then full).
   * `bodyWithoutDeltas` is `recordBodySizeWithoutDeltas(key, value, headers)`, passed in so it is computed once.
   */
  tryAppend(
    timestamp: number,
    key: RecordPayload,
    value: RecordPayload,
    headers: readonly RecordHeader[] | undefined,
    bodyWithoutDeltas: number,
    keySize = payloadSize(key),
    valueSize = payloadSize(value),
  ): number {
    if (this.built) throw new Error('record batch already built');
    const timestampDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.count;
    const body = bodyWithoutDeltas + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
    const total = sizeOfVarint(body) + body;
    if (this.position + total > this.buffer.length) return -1;
    const buf = this.buffer;
    let pos = writeVarint(buf, this.position, body);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarlong(buf, pos, timestampDelta);
    pos = writeVarint(buf, pos, offsetDelta);
    pos = writePayload(buf, pos, key, keySize);
    pos = writePayload(buf, pos, value, valueSize);
    if (!headers || headers.length === 0) {
      buf[pos++] = 0;
    } else {
      pos = writeVarint(buf, pos, headers.length);
      for (const h of headers) {
        pos = writeBytes(buf, pos, h.key);
        pos = writeBytes(buf, pos, h.value);
      }
    }
    this.position = pos;
    this.count++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return offsetDelta;
  }

  /** The finished batch bytes; the same buffer is returned on every later call (retries resend it unchanged). */
  build(state: ProducerState = NO_PRODUCER_STATE): Buffer {
    if (this.built) return this.built;
    if (this.compression !== 'none') throw new Error('compressed batches are built with buildAsync');
    this.built = this.finish(this.buffer.subarray(0, this.position), state);
    return this.built;
  }

  /** Same as build, compressing the records section with `compress` first (as Java, the record count stays outside). */
  async buildAsync(state: ProducerState, compress: (type: Exclude<CompressionType, 'none'>, data: Buffer) => Promise<Buffer>): Promise<Buffer> {
    if (this.built) return this.built;
    if (this.compression === 'none') return this.build(state);
    const compressed = await compress(this.compression, this.buffer.subarray(RECORD_BATCH_OVERHEAD, this.position));
    if (this.built) return this.built;
    const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
    compressed.copy(out, RECORD_BATCH_OVERHEAD);
    this.built = this.finish(out, state);
    return this.built;
  }

  /**
   * Rewrites the producer id, epoch and base sequence of built batch bytes in place, with the CRC to match (after
   * an epoch bump or a new producer id; the records, compressed or not, stay as they are).
   */
  static restamp(out: Buffer, state: ProducerState): void {
    writeInt64(out, 43, state.producerId);
    out.writeInt16BE(state.producerEpoch, 51);
    out.writeInt32BE(state.baseSequence, 53);
    out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  }

  get isBuilt(): boolean {
    return this.built !== undefined;
  }

  private finish(out: Buffer, state: ProducerState): Buffer {
    out.writeInt32BE(0, 0); // baseOffset (int64 0): the broker assigns offsets
    out.writeInt32BE(0, 4);
    out.writeInt32BE(out.length - 12, 8);
    out.writeInt32BE(this.partitionLeaderEpoch, 12);
    out[16] = MAGIC;
    out.writeInt16BE(COMPRESSION_CODEC[this.compression], ATTRIBUTES_OFFSET);
    out.writeInt32BE(Math.max(0, this.count - 1), 23);
    writeInt64(out, 27, this.baseTimestamp);
    writeInt64(out, 35, this.maxTimestamp);
    writeInt64(out, 43, state.producerId);
    out.writeInt16BE(state.producerEpoch, 51);
    out.writeInt32BE(state.baseSequence, 53);
    out.writeInt32BE(this.count, 57);
    out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
    return out;
  }
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  // Exact for |value| < 2^53, which covers timestamps and producer ids.
  const high = Math.floor(value / 4294967296);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * 4294967296, pos + 4);
}

function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarlong(buf: Buffer, pos: number, value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

function writePayload(buf: Buffer, pos: number, data: RecordPayload, size: number): number {
  if (typeof data !== 'string') return writeBytes(buf, pos, data);
  pos = writeVarint(buf, pos, size);
  if (size === data.length && size < 48) {
    // short ASCII (byte length = char count): a loop beats the native call
    for (let i = 0; i < size; i++) buf[pos + i] = data.charCodeAt(i);
  } else {
    buf.write(data, pos, size, 'utf8');
  }
  return pos + size;
}

function writeBytes(buf: Buffer, pos: number, data: Buffer | null): number {
  if (data === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, data.length);
  if (data.length < 64) {
    for (let i = 0; i < data.length; i++) buf[pos + i] = data[i];
  } else {
    buf.set(data, pos); // TypedArray#set: Buffer#copy checks its arguments and wraps the source in a new view first
  }
  return pos + data.length;
}

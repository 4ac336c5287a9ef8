/**
 * Record batch v2 (magic 2), both ways, with one set of layout constants.
 *
 * Encoding (the producer): records are written straight into one buffer allocated per batch (allocUnsafe: no zero
 * fill), and the size of every record is computed exactly before it is written, so a batch never outgrows its
 * capacity (that is how `batch.size` is honoured). The 61-byte header is filled in when the batch is built,
 * because producer id, epoch and base sequence are only known when the batch is first drained.
 *
 * Decoding (the sandbox, traces, tests): read a sequence of batches with their header fields, verify CRC32C, decode
 * (decompressing) the records inside on demand, and the in-place edits a broker makes to a stored batch (base
 * offset, leader epoch, LogAppendTime). Reading headers and checking CRCs never touches the individual records.
 */
import { crc32c } from './crc32c';
import { ErrorCode } from './protocol/errors';
import { compressionId, compressionName, decompress, CompressionError, type CompressionName } from './compression';
import { WorkbenchError } from '../util/errors';

// Byte offsets of the batch header fields (DefaultRecordBatch in the Java client).
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
/** Bytes before `batchLength` starts counting (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;
export const RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;

export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** A batch is malformed; `errorCode` is the Kafka error a broker answers with (CORRUPT_MESSAGE, UNSUPPORTED_FOR_MESSAGE_FORMAT). */
export class RecordBatchError extends WorkbenchError {
  constructor(
    message: string,
    readonly errorCode: number = ErrorCode.CORRUPT_MESSAGE,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export interface RecordBatchHeader {
  baseOffset: number;
  /** Bytes after the length field: the whole batch is `batchLength + 12` bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  /** As stored (unsigned 32-bit). */
  crc: number;
  attributes: number;
  compression: CompressionName;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** One batch read from a buffer: its header and its bytes (a view of the source, not a copy). */
export interface RecordBatch extends RecordBatchHeader {
  bytes: Buffer;
}

/** A record header as on the wire: key (UTF-8 text) and value bytes. */
export interface RecordHeader {
  key: Buffer;
  value: Buffer | null;
}

export interface KafkaRecord {
  offset: number;
  /** CreateTime: baseTimestamp + delta; LogAppendTime: the batch's maxTimestamp, as consumers see it. */
  timestamp: number;
  timestampDelta: number;
  offsetDelta: number;
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * 4294967296, at + 4);
}

/** The batch's total size in bytes, read from its first 12 bytes; undefined when fewer than 12 bytes are there. */
export function batchSizeAt(buf: Buffer, at = 0): number | undefined {
  if (at + LOG_OVERHEAD > buf.length) return undefined;
  return buf.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
}

/** Reads the header of the batch at `at` (which must hold a whole v2 header). */
export function readBatchHeader(buf: Buffer, at = 0): RecordBatchHeader {
  if (at + RECORDS_OFFSET > buf.length)
    throw new RecordBatchError(`Record batch header truncated: need ${RECORDS_OFFSET} bytes, have ${buf.length - at}.`);
  const magic = buf.readInt8(at + MAGIC_OFFSET);
  if (magic !== 2) {
    throw new RecordBatchError(
      `Record batch has magic ${magic}; only magic 2 (record batch v2, Kafka 0.11+) is supported.`,
      magic === 0 || magic === 1 ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT : ErrorCode.CORRUPT_MESSAGE,
    );
  }
  const attributes = buf.readInt16BE(at + ATTRIBUTES_OFFSET);
  const codec = attributes & COMPRESSION_MASK;
  if (codec > 4)
    throw new RecordBatchError(
      `Record batch uses unknown compression codec ${codec}.`,
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    );
  return {
    baseOffset: readInt64(buf, at + BASE_OFFSET_OFFSET),
    batchLength: buf.readInt32BE(at + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: buf.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET),
    magic,
    crc: buf.readUInt32BE(at + CRC_OFFSET),
    attributes,
    compression: compressionName(codec),
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    lastOffsetDelta: buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64(buf, at + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, at + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, at + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(at + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(at + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(at + RECORDS_COUNT_OFFSET),
  };
}

/** CRC32C of everything from the attributes to the end of the batch, as an unsigned 32-bit number. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(ATTRIBUTES_OFFSET));
}

export function verifyBatchCrc(batch: Buffer): boolean {
  return batch.length >= RECORDS_OFFSET && computeBatchCrc(batch) === batch.readUInt32BE(CRC_OFFSET);
}

export interface ReadBatchesOptions {
  /** Check each batch's CRC32C (default true). */
  verifyCrc?: boolean;
  /** A Fetch response may end in a partial batch: ignore it instead of failing (default false). */
  allowTruncatedTail?: boolean;
}

/**
 * Reads the batches `buf` holds, back to back. Throws RecordBatchError (with the Kafka error code to answer) on a
 * truncated batch, an old message format, a bad length or a CRC mismatch.
 */
export function readRecordBatches(buf: Buffer, options: ReadBatchesOptions = {}): RecordBatch[] {
  const verifyCrc = options.verifyCrc ?? true;
  const batches: RecordBatch[] = [];
  let at = 0;
  while (at < buf.length) {
    const size = batchSizeAt(buf, at);
    if (size === undefined || at + Math.max(size, RECORDS_OFFSET) > buf.length) {
      if (options.allowTruncatedTail) break;
      throw new RecordBatchError(
        `Record batch at byte ${at} is truncated: ${size === undefined ? 'its length is missing' : `it declares ${size} bytes but ${buf.length - at} remain`}.`,
      );
    }
    // Old formats (magic 0/1) have the magic byte at the same position; say so before complaining about sizes.
    if (buf.length >= at + MAGIC_OFFSET + 1 && buf.readInt8(at + MAGIC_OFFSET) !== 2) readBatchHeader(buf, at);
    if (size < RECORDS_OFFSET)
      throw new RecordBatchError(
        `Record batch at byte ${at} declares ${size} bytes, less than the ${RECORDS_OFFSET}-byte header.`,
      );
    const header = readBatchHeader(buf, at);
    if (header.recordCount < 0)
      throw new RecordBatchError(`Record batch at byte ${at} declares ${header.recordCount} records.`);
    if (header.lastOffsetDelta < 0)
      throw new RecordBatchError(
        `Record batch at byte ${at} has a negative lastOffsetDelta ${header.lastOffsetDelta}.`,
      );
    const bytes = buf.subarray(at, at + size);
    if (verifyCrc && computeBatchCrc(bytes) !== header.crc) {
      throw new RecordBatchError(
        `Record batch at byte ${at} failed its CRC32C check (stored ${header.crc.toString(16)}, computed ${computeBatchCrc(bytes).toString(16)}): the data is corrupt.`,
      );
    }
    batches.push({ ...header, bytes });
    at += size;
  }
  return batches;
}

/** Sets the batch's base offset in place. The CRC does not cover it, so nothing else changes. */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64(batch, BASE_OFFSET_OFFSET, baseOffset);
}

/** Sets the partition leader epoch in place (not covered by the CRC), as a leader does on append. */
export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * Marks the batch as LogAppendTime with the broker's append time, in place: the timestamp-type bit, maxTimestamp,
 * and the CRC recomputed (as the Java broker does; record timestamps stay as written, consumers use maxTimestamp).
 */
export function setLogAppendTime(batch: Buffer, timestampMs: number): void {
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK, ATTRIBUTES_OFFSET);
  writeInt64(batch, MAX_TIMESTAMP_OFFSET, timestampMs);
  batch.writeUInt32BE(computeBatchCrc(batch), CRC_OFFSET);
}

/** Decodes the records of one batch (decompressing them if needed), with absolute offsets and timestamps. */
export async function decodeRecords(
  batch: Buffer | RecordBatch,
  options: { maxDecompressedBytes?: number } = {},
): Promise<KafkaRecord[]> {
  const bytes = Buffer.isBuffer(batch) ? batch : batch.bytes;
  const header = Buffer.isBuffer(batch) ? readBatchHeader(batch) : batch;
  const end = header.batchLength + LOG_OVERHEAD;
  if (end < RECORDS_OFFSET || end > bytes.length)
    throw new RecordBatchError(`Record batch declares ${end} bytes but ${bytes.length} are there.`);
  let body = bytes.subarray(RECORDS_OFFSET, end);
  if (header.compression !== 'none') {
    try {
      body = await decompress(header.compression, body, options.maxDecompressedBytes);
    } catch (e) {
      if (e instanceof CompressionError)
        throw new RecordBatchError(
          `Record batch records could not be decompressed: ${e.message}`,
          ErrorCode.CORRUPT_MESSAGE,
          { cause: e },
        );
      throw e;
    }
  }
  return decodeRecordsBody(body, header);
}

/** Decodes uncompressed record bytes (what follows the header, after decompression). */
export function decodeRecordsBody(body: Buffer, header: RecordBatchHeader): KafkaRecord[] {
  const reader = new VarReader(body);
  const records: KafkaRecord[] = new Array(header.recordCount);
  const logAppend = header.timestampType === 'LogAppendTime';
  for (let i = 0; i < header.recordCount; i++) {
    const length = reader.varint();
    const start = reader.at;
    if (length < 0 || start + length > body.length)
      throw new RecordBatchError(
        `Record ${i} of the batch declares ${length} bytes but ${body.length - start} remain.`,
      );
    const attributes = reader.int8();
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const key = reader.varbytes();
    const value = reader.varbytes();
    const headerCount = reader.varint();
    if (headerCount < 0 || headerCount > length)
      throw new RecordBatchError(`Record ${i} declares ${headerCount} headers.`);
    const headers: RecordHeader[] = new Array(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const hk = reader.varbytes();
      if (hk === null) throw new RecordBatchError(`Record ${i} has a header with a null key.`);
      headers[h] = { key: hk, value: reader.varbytes() };
    }
    if (reader.at !== start + length)
      throw new RecordBatchError(`Record ${i} declares ${length} bytes but its fields take ${reader.at - start}.`);
    records[i] = {
      offset: header.baseOffset + offsetDelta,
      timestamp: logAppend ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      timestampDelta,
      offsetDelta,
      attributes,
      key,
      value,
      headers,
    };
  }
  if (reader.at !== body.length)
    throw new RecordBatchError(
      `Record batch has ${body.length - reader.at} bytes after its ${header.recordCount} records.`,
    );
  return records;
}

/** Zigzag varints as record fields use them; every read is bounds-checked so corrupt data throws RecordBatchError. */
class VarReader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  int8(): number {
    if (this.at >= this.buf.length) throw new RecordBatchError('Record truncated.');
    return this.buf.readInt8(this.at++);
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= this.buf.length) throw new RecordBatchError('Record truncated inside a varint.');
      const b = this.buf[this.at++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new RecordBatchError('Varint longer than 5 bytes.');
    }
    return (result >>> 1) ^ -(result & 1);
  }

  varlong(): number {
    // Accumulate in a float: exact for |values| < 2^53, which covers timestamps and deltas.
    let result = 0;
    let multiplier = 1;
    for (let i = 0; ; i++) {
      if (i >= 10) throw new RecordBatchError('Varlong longer than 10 bytes.');
      if (this.at >= this.buf.length) throw new RecordBatchError('Record truncated inside a varlong.');
      const b = this.buf[this.at++]!;
      result += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) break;
      multiplier *= 128;
    }
    // zigzag decode without 32-bit ops
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  varbytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    if (this.at + len > this.buf.length)
      throw new RecordBatchError(`Record field declares ${len} bytes but ${this.buf.length - this.at} remain.`);
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }
}

// ---- encoding ------------------------------------------------------------------------------------------------

const MAGIC = 2;

/** The producer's compression.type names (compression.ts's codec names). */
export type CompressionType = CompressionName;

/** A key or value: bytes, a string (written as UTF-8 straight into the batch, no intermediate Buffer), or null. */
export type RecordPayload = Buffer | string | null;

/** Bytes the payload takes on the wire (-1 for null). */
export function payloadSize(data: RecordPayload): number {
  if (data === null) return -1;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Written by a transactional producer: the batch's records count only once their transaction commits. */
  isTransactional?: boolean;
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

export function recordBodySizeWithoutDeltas(
  key: RecordPayload,
  value: RecordPayload,
  headers?: readonly RecordHeader[],
): number {
  return bodySizeFromSizes(payloadSize(key), payloadSize(value), headers);
}

/** Upper bound of the bytes one record adds to a batch, given its body size (as Java's estimateSizeInBytesUpperBound). */
export function upperBoundFromBodySize(bodyWithoutDeltas: number): number {
  const body = bodyWithoutDeltas + 10 /* varlong */ + 5; /* varint */
  return sizeOfVarint(body) + body;
}

export function recordSizeUpperBound(
  key: RecordPayload,
  value: RecordPayload,
  headers?: readonly RecordHeader[],
): number {
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
  async buildAsync(
    state: ProducerState,
    compress: (type: Exclude<CompressionType, 'none'>, data: Buffer) => Promise<Buffer>,
  ): Promise<Buffer> {
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
    writeInt64(out, PRODUCER_ID_OFFSET, state.producerId);
    out.writeInt16BE(state.producerEpoch, PRODUCER_EPOCH_OFFSET);
    out.writeInt32BE(state.baseSequence, BASE_SEQUENCE_OFFSET);
    out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  }

  get isBuilt(): boolean {
    return this.built !== undefined;
  }

  private finish(out: Buffer, state: ProducerState): Buffer {
    out.writeInt32BE(0, BASE_OFFSET_OFFSET); // baseOffset (int64 0): the broker assigns offsets
    out.writeInt32BE(0, BASE_OFFSET_OFFSET + 4);
    out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
    out.writeInt32BE(this.partitionLeaderEpoch, PARTITION_LEADER_EPOCH_OFFSET);
    out[MAGIC_OFFSET] = MAGIC;
    out.writeInt16BE(
      compressionId(this.compression) | (state.isTransactional ? TRANSACTIONAL_MASK : 0),
      ATTRIBUTES_OFFSET,
    );
    out.writeInt32BE(Math.max(0, this.count - 1), LAST_OFFSET_DELTA_OFFSET);
    writeInt64(out, BASE_TIMESTAMP_OFFSET, this.baseTimestamp);
    writeInt64(out, MAX_TIMESTAMP_OFFSET, this.maxTimestamp);
    writeInt64(out, PRODUCER_ID_OFFSET, state.producerId);
    out.writeInt16BE(state.producerEpoch, PRODUCER_EPOCH_OFFSET);
    out.writeInt32BE(state.baseSequence, BASE_SEQUENCE_OFFSET);
    out.writeInt32BE(this.count, RECORDS_COUNT_OFFSET);
    out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
    return out;
  }
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

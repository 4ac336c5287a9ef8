/**
 * The produce path's view of record batches: the fixed-offset header fields of each v2 batch in a Produce
 * request's `records`, the CRC check, and the in-place patches a broker makes on append (base offset, partition
 * leader epoch, LogAppendTime). Records are never decoded here: the sandbox must ingest 500k records/s.
 */
import { ErrorCode } from '../../kafka/error-codes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const crc32c = require('crc-32/crc32c') as { buf(data: Uint8Array, seed?: number): number };

// Byte offsets of the v2 batch header (the layout is fixed; see DefaultRecordBatch in the Kafka sources).
const BASE_OFFSET = 0;
const BATCH_LENGTH = 8;
const PARTITION_LEADER_EPOCH = 12;
const MAGIC = 16;
const CRC = 17;
const ATTRIBUTES = 21;
const LAST_OFFSET_DELTA = 23;
const BASE_TIMESTAMP = 27;
const MAX_TIMESTAMP = 35;
const PRODUCER_ID = 43;
const PRODUCER_EPOCH = 51;
const BASE_SEQUENCE = 53;
const RECORDS_COUNT = 57;
export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the part of the header batchLength does not count. */
const LOG_OVERHEAD = 12;

const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;

/** One batch found in a Produce request; `bytes` is a view into the request's buffer. */
export interface BatchHeader {
  bytes: Buffer;
  magic: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export type SplitResult = { ok: true; batches: BatchHeader[] } | { ok: false; errorCode: number; reason: string };

/**
 * Splits `records` into batches and checks each one: complete, magic 2, CRC32C correct, sane record count.
 * An older message format answers UNSUPPORTED_FOR_MESSAGE_FORMAT; anything broken answers CORRUPT_MESSAGE.
 */
export function splitBatches(records: Buffer): SplitResult {
  const batches: BatchHeader[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < MAGIC + 1) return corrupt(`a batch at byte ${pos} is truncated (${records.length - pos} bytes)`);
    const magic = records.readInt8(pos + MAGIC);
    if (magic !== 2) {
      return { ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, reason: `message format v${magic} is not supported; only record batch v2 (magic 2) is accepted` };
    }
    const size = records.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_BYTES) return corrupt(`batch at byte ${pos} declares length ${size - LOG_OVERHEAD}, shorter than a batch header`);
    if (pos + size > records.length) return corrupt(`batch at byte ${pos} declares ${size} bytes but only ${records.length - pos} remain`);
    const bytes = records.subarray(pos, pos + size);
    const storedCrc = bytes.readUInt32BE(CRC);
    const actualCrc = crc32c.buf(bytes.subarray(ATTRIBUTES)) >>> 0;
    if (storedCrc !== actualCrc) return corrupt(`batch at byte ${pos} fails its CRC32C check`);
    const header: BatchHeader = {
      bytes,
      magic,
      attributes: bytes.readInt16BE(ATTRIBUTES),
      lastOffsetDelta: bytes.readInt32BE(LAST_OFFSET_DELTA),
      baseTimestamp: Number(bytes.readBigInt64BE(BASE_TIMESTAMP)),
      maxTimestamp: Number(bytes.readBigInt64BE(MAX_TIMESTAMP)),
      producerId: Number(bytes.readBigInt64BE(PRODUCER_ID)),
      producerEpoch: bytes.readInt16BE(PRODUCER_EPOCH),
      baseSequence: bytes.readInt32BE(BASE_SEQUENCE),
      recordCount: bytes.readInt32BE(RECORDS_COUNT),
    };
    if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
      return corrupt(`batch at byte ${pos} has ${header.recordCount} records but lastOffsetDelta ${header.lastOffsetDelta}`);
    }
    batches.push(header);
    pos += size;
  }
  if (batches.length === 0) return corrupt('the request carries no record batch');
  return { ok: true, batches };
}

function corrupt(reason: string): SplitResult {
  return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason };
}

export function isTransactional(b: BatchHeader): boolean {
  return (b.attributes & TRANSACTIONAL_BIT) !== 0;
}

export function isControl(b: BatchHeader): boolean {
  return (b.attributes & CONTROL_BIT) !== 0;
}

/**
 * Copies the batch out of the request (so the stored log does not pin whole request frames) and stamps what the
 * leader decides: the base offset and partition leader epoch (outside the CRC), and for LogAppendTime topics the
 * timestamp type bit and max timestamp (inside the CRC, so it is recomputed).
 */
export function stampForAppend(b: BatchHeader, baseOffset: number, leaderEpoch: number, logAppendTimeMs: number | null): Buffer {
  const out = Buffer.allocUnsafe(b.bytes.length);
  b.bytes.copy(out);
  out.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET);
  out.writeInt32BE(leaderEpoch, PARTITION_LEADER_EPOCH);
  if (logAppendTimeMs !== null) {
    out.writeInt16BE(b.attributes | TIMESTAMP_TYPE_BIT, ATTRIBUTES);
    out.writeBigInt64BE(BigInt(logAppendTimeMs), MAX_TIMESTAMP);
    out.writeUInt32BE(crc32c.buf(out.subarray(ATTRIBUTES)) >>> 0, CRC);
  }
  return out;
}

/** Reads a stored batch's base offset (used by tests and the log's checks). */
export function storedBaseOffset(stored: Buffer): number {
  return Number(stored.readBigInt64BE(BASE_OFFSET));
}

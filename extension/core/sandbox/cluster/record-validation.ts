/**
 * What a Kafka 2.1 leader checks inside a batch before appending it (kafka.log.LogValidator), and the topic's
 * compression.type applied to what is stored. Records are walked, not decoded: each record's length, then (for a
 * compacted topic) its key length. A compressed batch is decompressed first, as Kafka does.
 */
import { ErrorCode } from '../../kafka/protocol/errors';
import { CompressionType, compress, decompress, type CompressionName } from '../../kafka/compression';
import { crc32c } from '../../kafka/crc32c';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LOG_OVERHEAD,
  RECORDS_OFFSET,
  type RecordBatch,
} from '../../kafka/record-batch';
import { errorMessage } from '../../util/errors';
import type { TopicSettings } from './topic-config';

export type RecordCheck = { ok: true; bytes: Buffer } | { ok: false; errorCode: number; reason: string };

const COMPRESSION_MASK = 0x07;

/**
 * Checks the batch's records (the declared count is the real count, nothing trails them, a compacted topic's
 * records have keys) and returns the bytes to store: the batch as sent, or re-compressed with the topic's
 * compression.type when that names a codec other than the batch's.
 */
export async function checkBatchRecords(batch: RecordBatch, settings: TopicSettings): Promise<RecordCheck> {
  let section = batch.bytes.subarray(RECORDS_OFFSET);
  if (batch.compression !== 'none') {
    try {
      section = await decompress(batch.compression, section);
    } catch (e) {
      // Kafka 2.1 meets this as an unexpected exception in its decompressor: UNKNOWN_SERVER_ERROR.
      return {
        ok: false,
        errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
        reason: `the ${batch.compression} records of the batch cannot be decompressed: ${errorMessage(e)}`,
      };
    }
  }
  const walked = walkRecords(section, batch.recordCount, settings.compacted);
  if (typeof walked === 'string') return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: walked };
  const target = settings.compression;
  if (target === 'producer' || target === batch.compression || batch.isControl) return { ok: true, bytes: batch.bytes };
  return { ok: true, bytes: withRecords(batch.bytes, target, await compress(target, section)) };
}

/** Counts the records of an uncompressed records section; a message saying what is wrong, or the count. */
function walkRecords(section: Buffer, declared: number, needKeys: boolean): number | string {
  let at = 0;
  let count = 0;
  while (at < section.length) {
    const length = readVarint(section, at);
    if (!length) return 'Incorrect declared batch size, premature EOF reached';
    const bodyStart = length.next;
    const end = bodyStart + length.value;
    if (length.value < 0 || end > section.length) return 'Incorrect declared batch size, premature EOF reached';
    if (needKeys) {
      // attributes (1 byte), timestamp delta (varlong), offset delta (varint), then the key length.
      let p = bodyStart + 1;
      p = skipVarint(section, p, end);
      p = skipVarint(section, p, end);
      const keyLength = p < end ? readVarint(section, p) : undefined;
      if (!keyLength || keyLength.value < 0) return 'Compacted topic cannot accept message without key.';
    }
    at = end;
    count++;
    if (count > declared) break;
  }
  if (count !== declared)
    return `Incorrect declared batch size: the batch declares ${declared} records but holds ${count > declared ? 'more' : count}`;
  return count;
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } | undefined {
  let raw = 0;
  let shift = 0;
  for (let i = at; i < buf.length && shift <= 28; i++, shift += 7) {
    const b = buf[i];
    raw |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: (raw >>> 1) ^ -(raw & 1), next: i + 1 };
  }
  return undefined;
}

/** Past one varint or varlong (up to 10 bytes); `end` when it runs past `end`. */
function skipVarint(buf: Buffer, at: number, end: number): number {
  for (let i = at; i < end && i < at + 10; i++) if ((buf[i] & 0x80) === 0) return i + 1;
  return end;
}

/** The batch with its records section replaced by `body` in `codec`: length, attributes and CRC redone. */
function withRecords(batch: Buffer, codec: CompressionName, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORDS_OFFSET + body.length);
  batch.copy(out, 0, 0, RECORDS_OFFSET);
  body.copy(out, RECORDS_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  out.writeInt16BE(
    (out.readInt16BE(ATTRIBUTES_OFFSET) & ~COMPRESSION_MASK) | CompressionType[codec],
    ATTRIBUTES_OFFSET,
  );
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return out;
}

/**
 * The produce path's use of record batches: split a Produce request's `records` into checked v2 batches (headers
 * only, CRC verified; records are never decoded, the sandbox must ingest 500k records/s), and stamp a copy with
 * what the leader decides on append (base offset, partition leader epoch, LogAppendTime).
 */
import { ErrorCode } from '../../kafka/protocol/errors';
import {
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  MAGIC_OFFSET,
  RecordBatchError,
  readRecordBatches,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  type RecordBatch,
} from '../../kafka/record-batch';
import { errorMessage } from '../../util/errors';
import { crc32c } from '../../kafka/crc32c';

export type BatchHeader = RecordBatch;

export type SplitResult = { ok: true; batches: BatchHeader[] } | { ok: false; errorCode: number; reason: string };

/**
 * Splits `records` into batches and checks each one: complete, magic 2, CRC32C correct, sane record count.
 * An older message format answers UNSUPPORTED_FOR_MESSAGE_FORMAT; anything broken answers CORRUPT_MESSAGE.
 */
export function splitBatches(records: Buffer): SplitResult {
  // An old message set's magic byte sits where v2's does; a small v0/v1 message is shorter than a v2 header.
  const magic = records.length > MAGIC_OFFSET ? records.readInt8(MAGIC_OFFSET) : 2;
  if (magic === 0 || magic === 1) {
    return {
      ok: false,
      errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      reason: `message format v${magic} is not supported; only record batch v2 (magic 2) is accepted`,
    };
  }
  let batches: RecordBatch[];
  try {
    // The CRC is checked below with the faster WebAssembly CRC32C.
    batches = readRecordBatches(records, { verifyCrc: false });
  } catch (e) {
    if (e instanceof RecordBatchError) return { ok: false, errorCode: e.errorCode, reason: e.message };
    return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: errorMessage(e) };
  }
  if (batches.length === 0)
    return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'the request carries no record batch' };
  for (let i = 0; i < batches.length; i++) {
    const bytes = batches[i].bytes;
    if (crc32c(bytes.subarray(ATTRIBUTES_OFFSET)) !== bytes.readUInt32BE(CRC_OFFSET)) {
      return {
        ok: false,
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        reason: `record batch ${i} failed its CRC32C check: the data is corrupt`,
      };
    }
  }
  const bad = batches.find((b) => b.recordCount <= 0 || b.lastOffsetDelta !== b.recordCount - 1);
  if (bad) {
    return {
      ok: false,
      errorCode: ErrorCode.CORRUPT_MESSAGE,
      reason: `a batch declares ${bad.recordCount} records but lastOffsetDelta ${bad.lastOffsetDelta}`,
    };
  }
  return { ok: true, batches };
}

/**
 * Copies the batch out of the request (so the stored log does not pin whole request frames) and stamps the base
 * offset and partition leader epoch (outside the CRC) and, for LogAppendTime topics, the append time (CRC redone).
 */
export function stampForAppend(
  b: BatchHeader,
  baseOffset: number,
  leaderEpoch: number,
  logAppendTimeMs: number | null,
): Buffer {
  const out = Buffer.allocUnsafe(b.bytes.length);
  b.bytes.copy(out);
  setBaseOffset(out, baseOffset);
  setPartitionLeaderEpoch(out, leaderEpoch);
  if (logAppendTimeMs !== null) setLogAppendTime(out, logAppendTimeMs);
  return out;
}

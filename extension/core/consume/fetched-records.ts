/**
 * One partition of a Fetch response as a consumer sees it: the stored batches decoded (decompressed by the one
 * compression module), control batches dropped, and with read_committed the records of aborted transactions
 * dropped and nothing at or past the last stable offset, as the Java consumer's Fetcher does. Pure: the tests feed
 * it crafted responses.
 */
import type { CompressionName } from '../kafka/compression';
import {
  decodeRecords,
  readRecordBatches,
  recordBodySizeWithoutDeltas,
  sizeOfVarint,
  sizeOfVarlong,
  type RecordBatch,
  type RecordHeader,
  type TimestampType,
} from '../kafka/record-batch';
import type { FetchPartitionResult, IsolationLevel } from '../transport/consumer-transport';

/** The stored batch a record came in: what the producer and the broker wrote around it. */
export interface StoredBatchFacts {
  baseOffset: number;
  lastOffset: number;
  /** Bytes of the whole batch as stored (compressed). */
  sizeBytes: number;
  recordCount: number;
  compression: CompressionName;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  partitionLeaderEpoch: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Bytes of this record inside its batch, before compression. */
  sizeBytes: number;
  /** The producer's sequence number of this record (-1 when the producer was not idempotent). */
  sequence: number;
  batch: StoredBatchFacts;
}

export interface FetchedPartition {
  records: ConsumedRecord[];
  /** Where the next fetch of this partition starts. */
  nextOffset: number;
  /** Records dropped because their transaction was aborted (read_committed). */
  abortedRecords: number;
  /** Transaction markers passed over (consumers never see them). */
  controlRecords: number;
}

/** Control record types (the key of a control record: int16 version, int16 type). */
const ABORT_MARKER = 0;

export async function recordsFromFetch(
  part: FetchPartitionResult,
  fetchOffset: number,
  isolation: IsolationLevel,
): Promise<FetchedPartition> {
  const out: FetchedPartition = { records: [], nextOffset: fetchOffset, abortedRecords: 0, controlRecords: 0 };
  if (!part.records || part.records.length === 0) return out;
  const committedOnly = isolation === 'read_committed';
  // With read_committed the broker stops at the last stable offset; a client cuts there too, whatever it was sent.
  const stableEnd = committedOnly && part.lastStableOffset >= 0 ? part.lastStableOffset : Number.POSITIVE_INFINITY;
  const pendingAborts = committedOnly
    ? [...(part.abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset)
    : [];
  const abortedProducers = new Set<number>();

  for (const batch of readRecordBatches(part.records, { allowTruncatedTail: true })) {
    const lastOffset = batch.baseOffset + batch.lastOffsetDelta;
    if (lastOffset < fetchOffset) continue; // the broker answers from the start of the batch holding fetchOffset
    if (batch.baseOffset >= stableEnd) break;
    out.nextOffset = Math.min(Math.max(out.nextOffset, lastOffset + 1), stableEnd);
    // A transaction is aborted from its first offset on: producers whose aborted range has begun by this batch.
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= lastOffset)
      abortedProducers.add(pendingAborts.shift()!.producerId);
    if (batch.isControl) {
      out.controlRecords += batch.recordCount;
      if (committedOnly && (await controlType(batch)) === ABORT_MARKER) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (committedOnly && batch.isTransactional && abortedProducers.has(batch.producerId)) {
      out.abortedRecords += batch.recordCount;
      continue;
    }
    const facts = batchFacts(batch, lastOffset);
    for (const r of await decodeRecords(batch)) {
      if (r.offset < fetchOffset || r.offset >= stableEnd) continue;
      const body =
        recordBodySizeWithoutDeltas(r.key, r.value, r.headers) +
        sizeOfVarlong(r.timestampDelta) +
        sizeOfVarint(r.offsetDelta);
      out.records.push({
        topic: part.topic,
        partition: part.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        timestampType: batch.timestampType,
        key: r.key,
        value: r.value,
        headers: r.headers,
        sizeBytes: sizeOfVarint(body) + body,
        sequence: batch.baseSequence >= 0 ? (batch.baseSequence + r.offsetDelta) % 2 ** 31 : -1,
        batch: facts,
      });
    }
  }
  return out;
}

function batchFacts(batch: RecordBatch, lastOffset: number): StoredBatchFacts {
  return {
    baseOffset: batch.baseOffset,
    lastOffset,
    sizeBytes: batch.bytes.length,
    recordCount: batch.recordCount,
    compression: batch.compression,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    isTransactional: batch.isTransactional,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
  };
}

/** The type of a control batch's marker (0 = abort, 1 = commit); -1 when it cannot be read. */
async function controlType(batch: RecordBatch): Promise<number> {
  const [marker] = await decodeRecords(batch);
  return marker?.key && marker.key.length >= 4 ? marker.key.readInt16BE(2) : -1;
}

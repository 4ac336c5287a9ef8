/**
 * Reading back one record the producer sent: fetched at its partition and offset, shown as stored (key, value,
 * headers, timestamp, size, compression, the batch's producer id and sequence), and compared byte for byte with
 * what was sent. What was sent is kept as digests, so a results history does not hold every value twice.
 */
import { createHash } from 'node:crypto';
import type { ProducerRecord } from '../engine/types';
import type { ConsumerTransport, IsolationLevel } from '../transport/consumer-transport';
import type { DecodedRecordPart, SchemaDeserializer } from '../schema-registry/deserializer';
import { InvalidInputError, errorMessage } from '../util/errors';
import type { ConsumedRecord } from './fetched-records';
import { bytesToJson, type JsonBytes } from './record-json';
import { RecordReader, describeFact, type ReadFact } from './record-reader';

/** SHA-256 (hex) and size of a key, value or header value; null for no bytes. */
type Digest = { sha256: string; size: number } | null;

export interface SentRecordDigest {
  key: Digest;
  value: Digest;
  headers: { key: string; value: Digest }[];
}

export interface StoredRecordView {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  timestampMs: number;
  timestampType: string;
  key: JsonBytes;
  value: JsonBytes;
  headers: { key: string; value: JsonBytes }[];
  /** Bytes the record takes in its batch (before compression). */
  sizeBytes: number;
  batch: {
    baseOffset: number;
    lastOffset: number;
    records: number;
    sizeBytes: number;
    compression: string;
    producerId: number;
    producerEpoch: number;
    baseSequence: number;
    transactional: boolean;
  };
  /** The record's sequence number in its producer's partition sequence (-1 without idempotence). */
  sequence: number;
  /** Whether the stored record is byte for byte what was sent, and where it differs when not. */
  comparison: { identical: boolean; differences: string[] } | null;
  /** The Fetch and ListOffsets requests that read it. */
  read: string[];
  /** Key and value in Confluent's wire format, decoded by their schema id (with a schema registry). */
  keyDecoded?: SchemaDecoding;
  valueDecoded?: SchemaDecoding;
}

/** A part decoded by the schema its id names, or why it could not be. */
export type SchemaDecoding = DecodedRecordPart | { error: string };

/** Adds the Schema Registry decodings of the record's key and value (parts not in the wire format get none). */
export async function withSchemaDecoding(
  view: StoredRecordView,
  record: { key: Buffer | null; value: Buffer | null },
  deserializer: SchemaDeserializer,
): Promise<StoredRecordView> {
  const decode = async (bytes: Buffer | null): Promise<SchemaDecoding | undefined> => {
    try {
      return await deserializer.decode(bytes);
    } catch (e) {
      return { error: errorMessage(e) };
    }
  };
  const keyDecoded = await decode(record.key);
  const valueDecoded = await decode(record.value);
  return { ...view, ...(keyDecoded ? { keyDecoded } : {}), ...(valueDecoded ? { valueDecoded } : {}) };
}

function digest(bytes: string | Buffer | null | undefined): Digest {
  if (bytes === null || bytes === undefined) return null;
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

export function digestOf(record: Pick<ProducerRecord, 'key' | 'value' | 'headers'>): SentRecordDigest {
  return {
    key: digest(record.key),
    value: digest(record.value),
    headers: (record.headers ?? []).map((h) => ({ key: h.key, value: digest(h.value) })),
  };
}

/** Where the stored record differs from what was sent (empty: identical). */
export function compareWithSent(stored: ConsumedRecord, sent: SentRecordDigest): string[] {
  const differences: string[] = [];
  const describe = (d: Digest) => (d === null ? 'null' : `${d.size} bytes`);
  const check = (what: string, want: Digest, got: Buffer | null) => {
    const have = digest(got);
    if (want === null || have === null ? want !== have : want.sha256 !== have.sha256) {
      differences.push(
        `${what}: sent ${describe(want)}, stored ${describe(have)}${want && have && want.size === have.size ? ' (same size, other bytes)' : ''}`,
      );
    }
  };
  check('key', sent.key, stored.key);
  check('value', sent.value, stored.value);
  if (stored.headers.length !== sent.headers.length)
    differences.push(`headers: sent ${sent.headers.length}, stored ${stored.headers.length}`);
  sent.headers.forEach((h, i) => {
    const got = stored.headers[i];
    if (!got) return;
    if (got.key.toString('utf8') !== h.key)
      differences.push(`header ${i + 1}: sent name "${h.key}", stored "${got.key.toString('utf8')}"`);
    else check(`header "${h.key}"`, h.value, got.value);
  });
  return differences;
}

/**
 * Fetches the record at `offset` of the partition (one Fetch, more only if the broker answers from earlier in a
 * batch and the record is past the byte limit). Throws an InvalidInputError when the offset is no longer there
 * or not written yet, saying the partition's range.
 */
export async function readRecordAt(
  transport: ConsumerTransport,
  at: { topic: string; partition: number; offset: number },
  options: { timeoutMs?: number; isolation?: IsolationLevel } = {},
): Promise<{ record: ConsumedRecord; facts: ReadFact[] }> {
  const facts: ReadFact[] = [];
  const reader = new RecordReader(transport, {
    isolation: options.isolation ?? 'read_uncommitted',
    onFact: (f) => facts.push(f),
  });
  await reader.assign(at.topic, { kind: 'offset', offset: at.offset }, [at.partition]);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    const records = await reader.poll({ maxWaitMs: 500, deadline });
    const found = records.find((r) => r.offset === at.offset);
    if (found) return { record: found, facts };
    // Offsets can be skipped (compaction, transaction markers): past it means it is not there to read.
    if (records.some((r) => r.offset > at.offset) || reader.currentPositions()[0]!.offset > at.offset) {
      throw new InvalidInputError(
        `${at.topic}-${at.partition} has no record at offset ${at.offset} (it was compacted away, or is a transaction marker)`,
      );
    }
  }
  throw new InvalidInputError(
    `reading ${at.topic}-${at.partition} at offset ${at.offset} got no answer within ${options.timeoutMs ?? 10_000} ms${reader.lastProblem() ? `: ${reader.lastProblem()}` : ''}`,
  );
}

export function storedRecordView(
  record: ConsumedRecord,
  sent: SentRecordDigest | undefined,
  facts: readonly ReadFact[],
): StoredRecordView {
  const differences = sent ? compareWithSent(record, sent) : undefined;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    timestampMs: record.timestamp,
    timestampType: record.timestampType,
    key: bytesToJson(record.key),
    value: bytesToJson(record.value),
    headers: record.headers.map((h) => ({ key: h.key.toString('utf8'), value: bytesToJson(h.value) })),
    sizeBytes: record.sizeBytes,
    batch: {
      baseOffset: record.batch.baseOffset,
      lastOffset: record.batch.lastOffset,
      records: record.batch.recordCount,
      sizeBytes: record.batch.sizeBytes,
      compression: record.batch.compression,
      producerId: record.batch.producerId,
      producerEpoch: record.batch.producerEpoch,
      baseSequence: record.batch.baseSequence,
      transactional: record.batch.isTransactional,
    },
    sequence: record.sequence,
    comparison: differences ? { identical: differences.length === 0, differences } : null,
    read: facts.map(describeFact),
  };
}

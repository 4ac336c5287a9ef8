/**
 * A consumed record as JSON, for `consume --json`, the topic viewer's JSONL export and what an expectation saw:
 * keys, values and header values that are UTF-8 text are strings; other bytes are `{"base64": "..."}`, so nothing
 * is mangled and a reader can tell the two apart.
 */
import { isUtf8 } from 'node:buffer';
import type { ConsumedRecord } from './fetched-records';

export type JsonBytes = string | { base64: string } | null;

export interface RecordJson {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  key: JsonBytes;
  value: JsonBytes;
  /** In record order; a key may repeat. */
  headers: { key: string; value: JsonBytes }[];
}

export function bytesToJson(bytes: Buffer | null): JsonBytes {
  if (bytes === null) return null;
  return isUtf8(bytes) ? bytes.toString('utf8') : { base64: bytes.toString('base64') };
}

/** The bytes a JsonBytes stands for (the inverse of bytesToJson). */
export function bytesFromJson(json: JsonBytes): Buffer | null {
  if (json === null) return null;
  return typeof json === 'string' ? Buffer.from(json, 'utf8') : Buffer.from(json.base64, 'base64');
}

export function recordToJson(record: ConsumedRecord): RecordJson {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: bytesToJson(record.key),
    value: bytesToJson(record.value),
    headers: record.headers.map((h) => ({ key: h.key.toString('utf8'), value: bytesToJson(h.value) })),
  };
}

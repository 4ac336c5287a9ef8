/**
 * A record on its way into a batch: checked, sized and partitioned into a RecordInput. The producer fills one
 * reusable RecordInput per send on the fast path; a record that has to wait (for metadata or memory) gets one of its
 * own, which also stands for it in the trace until it joins a batch, or for good if it fails before.
 */
import {
  bodySizeFromSizes,
  payloadSize,
  upperBoundFromBodySize,
  RECORD_BATCH_OVERHEAD,
  type RecordHeader,
  type RecordPayload,
} from '../kafka/record-batch';
import { topicNameProblem } from '../kafka/rules/topic-name';
import type { ProducerConfig } from './config';
import type { DeliveryError } from './errors';
import { ReasonCode } from './reason';
import type { SchemaUsed } from '../schema-registry/schema-used';
import type { DeliveryCallback, ProducerRecord } from './types';

/** Why a record waited before it could join a batch (0 = it did not). */
export enum Blocked {
  None = 0,
  Metadata = 1,
  Memory = 2,
}

/** What a record brings to a batch (see the top of this file). */
export class RecordInput {
  seq = 0;
  topic = '';
  key: RecordPayload = null;
  value: RecordPayload = null;
  headers: RecordHeader[] | undefined = undefined;
  timestamp = 0;
  composedAt = 0;
  blockedAt = 0;
  blocked: Blocked = Blocked.None;
  /** When waiting: give up at this time (max.block.ms counts from the send). */
  blockDeadline = 0;
  keySize = -1;
  valueSize = -1;
  headerCount = 0;
  /** The record's body size without its deltas, computed once for every size decision. */
  bodySize = 0;
  sizeUpperBound = 0;
  explicitPartition = -1;
  /** The partitioner's decision (see reason.ts). */
  partition = -1;
  reasonCode: ReasonCode = 0;
  hash = 0;
  aux = -1;
  numPartitions = 0;
  placedAt = 0;
  callback: DeliveryCallback | undefined = undefined;
  /** The schemas that encoded key and value, if any (one array shared by many records). */
  serialization: readonly SchemaUsed[] | undefined = undefined;
  /** Set when the record failed before joining a batch. */
  error: DeliveryError | undefined = undefined;
  failedAt = 0;

  copyFrom(r: RecordInput): void {
    Object.assign(this, r);
  }
}

let lastValidTopic = '';

/** Validates and sizes `record` into `r` (reset first); returns why it is invalid, or undefined. */
export function composeRecord(
  r: RecordInput,
  record: ProducerRecord,
  now: number,
  config: ProducerConfig,
): string | undefined {
  r.topic = typeof record?.topic === 'string' ? record.topic : '';
  r.key = r.value = null;
  r.headers = undefined;
  r.keySize = r.valueSize = -1;
  r.headerCount = 0;
  r.bodySize = r.sizeUpperBound = 0;
  r.explicitPartition = r.partition = -1;
  r.reasonCode = ReasonCode.Explicit;
  r.hash = 0;
  r.aux = -1;
  r.numPartitions = 0;
  r.blocked = Blocked.None;
  r.blockedAt = r.blockDeadline = r.placedAt = r.failedAt = 0;
  r.error = undefined;
  r.timestamp = now;
  r.serialization =
    Array.isArray(record?.serialization) && record.serialization.length > 0 ? record.serialization : undefined;
  if (record === null || typeof record !== 'object') return 'Invalid record: expected an object with topic and value.';
  if (r.topic.length === 0) return 'Invalid record: "topic" must be a non-empty string.';
  if (r.topic !== lastValidTopic) {
    const problem = topicNameProblem(r.topic);
    if (problem) return `Invalid record: ${problem}.`;
    lastValidTopic = r.topic; // records mostly go to the topic before them: the name is checked once per change
  }
  const key = toPayload(record.key);
  if (key === undefined) return `Invalid record: key must be a string, a Buffer or null, got ${typeof record.key}.`;
  if (record.value === undefined) return 'Invalid record: "value" is required (use null for a tombstone).';
  const value = toPayload(record.value);
  if (value === undefined)
    return `Invalid record: value must be a string, a Buffer or null, got ${typeof record.value}.`;
  let headers: RecordHeader[] | undefined;
  if (record.headers !== undefined) {
    if (!Array.isArray(record.headers)) return 'Invalid record: "headers" must be an array of {key, value}.';
    headers = [];
    for (let i = 0; i < record.headers.length; i++) {
      const h = record.headers[i];
      if (!h || typeof h.key !== 'string') return `Invalid record: header ${i} needs a string "key".`;
      const v = toPayload(h.value);
      if (v === undefined)
        return `Invalid record: header "${h.key}" value must be a string, a Buffer or null, got ${typeof h.value}.`;
      headers.push({ key: Buffer.from(h.key, 'utf8'), value: typeof v === 'string' ? Buffer.from(v, 'utf8') : v });
    }
  }
  const partition = record.partition;
  if (partition !== undefined && partition !== null) {
    if (!Number.isInteger(partition) || partition < 0)
      return `Invalid record: "partition" must be a non-negative integer, got ${JSON.stringify(partition)}.`;
    r.explicitPartition = partition;
  }
  if (record.timestamp !== undefined) {
    if (!Number.isSafeInteger(record.timestamp) || record.timestamp < 0)
      return `Invalid record: "timestamp" must be milliseconds since the epoch, got ${JSON.stringify(record.timestamp)}.`;
    r.timestamp = record.timestamp;
  }
  r.key = key;
  r.value = value;
  r.headers = headers;
  r.keySize = payloadSize(key);
  r.valueSize = payloadSize(value);
  r.headerCount = headers?.length ?? 0;
  r.bodySize = bodySizeFromSizes(r.keySize, r.valueSize, headers);
  r.sizeUpperBound = upperBoundFromBodySize(r.bodySize);
  const size = r.sizeUpperBound + RECORD_BATCH_OVERHEAD;
  if (size > config.maxRequestSize) {
    return `Record too large: ${size} bytes serialized, more than max.request.size=${config.maxRequestSize}. Send a smaller value or raise max.request.size (and the topic's max.message.bytes).`;
  }
  if (size > config.bufferMemory) {
    return `Record too large: ${size} bytes serialized, more than buffer.memory=${config.bufferMemory}. Raise buffer.memory or send a smaller value.`;
  }
  return undefined;
}

/** The payload as the encoder takes it; undefined when it is not a string, bytes or null. */
function toPayload(v: unknown): RecordPayload | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return undefined;
}

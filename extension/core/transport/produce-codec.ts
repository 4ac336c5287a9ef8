/**
 * Produce request and response on the wire (versions 3 to 8), written by hand so the engine's record batches go out
 * byte for byte as the engine encoded them: kafkajs never re-encodes, and the batches are not even copied (the
 * request is a list of chunks that the socket writes in one go).
 */
import type { ProducePartitionResult, ProduceRequest } from './transport';

/** Magic v2 record batches need Produce v3+; v8 adds per-record errors and an error message; v9 is "flexible". */
export const MIN_PRODUCE_VERSION = 3;
export const MAX_PRODUCE_VERSION = 8;

/** The request body (everything after the request header) as chunks, with their total length. */
export interface EncodedBody {
  chunks: Buffer[];
  length: number;
}

export function encodeProduceBody(request: ProduceRequest): EncodedBody {
  // Group partitions by topic, keeping the order in which topics first appear.
  const byTopic = new Map<string, { partition: number; records: Buffer }[]>();
  for (const p of request.partitions) {
    let list = byTopic.get(p.topic);
    if (!list) byTopic.set(p.topic, (list = []));
    list.push({ partition: p.partition, records: p.records });
  }
  const chunks: Buffer[] = [];
  let length = 0;
  const push = (b: Buffer): void => {
    chunks.push(b);
    length += b.length;
  };
  const head = Buffer.allocUnsafe(2 + 2 + 4 + 4);
  head.writeInt16BE(-1, 0); // transactional_id: null (not transactional)
  head.writeInt16BE(request.acks, 2);
  head.writeInt32BE(request.timeoutMs, 4);
  head.writeInt32BE(byTopic.size, 8);
  push(head);
  for (const [topic, partitions] of byTopic) {
    const name = Buffer.from(topic, 'utf8');
    const topicHead = Buffer.allocUnsafe(2 + name.length + 4);
    topicHead.writeInt16BE(name.length, 0);
    name.copy(topicHead, 2);
    topicHead.writeInt32BE(partitions.length, 2 + name.length);
    push(topicHead);
    for (const p of partitions) {
      const partHead = Buffer.allocUnsafe(8);
      partHead.writeInt32BE(p.partition, 0);
      partHead.writeInt32BE(p.records.length, 4);
      push(partHead);
      push(p.records);
    }
  }
  return { chunks, length };
}

/** Request header v1 (api key, version, correlation id, client id) preceded by the frame's size. */
export function encodeRequestHeader(apiKey: number, apiVersion: number, correlationId: number, clientId: string, bodyLength: number): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const header = Buffer.allocUnsafe(4 + 2 + 2 + 4 + 2 + id.length);
  header.writeInt32BE(header.length - 4 + bodyLength, 0);
  header.writeInt16BE(apiKey, 4);
  header.writeInt16BE(apiVersion, 6);
  header.writeInt32BE(correlationId, 8);
  header.writeInt16BE(id.length, 12);
  id.copy(header, 14);
  return header;
}

export interface DecodedProduceResponse {
  results: ProducePartitionResult[];
  throttleTimeMs: number;
}

/** Decodes a Produce response body (after the correlation id) of the given version. */
export function decodeProduceResponse(payload: Buffer, version: number): DecodedProduceResponse {
  const r = new Reader(payload);
  const results: ProducePartitionResult[] = [];
  const topicCount = r.int32();
  for (let t = 0; t < topicCount; t++) {
    const topic = r.string() ?? '';
    const partitionCount = r.int32();
    for (let i = 0; i < partitionCount; i++) {
      const partition = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      const logAppendTimeMs = version >= 2 ? r.int64() : -1;
      const logStartOffset = version >= 5 ? r.int64() : -1;
      let errorMessage: string | null = null;
      if (version >= 8) {
        const recordErrors = r.int32();
        for (let e = 0; e < recordErrors; e++) {
          r.int32(); // batch_index
          r.string(); // batch_index_error_message: the partition's error_message says the same in one line
        }
        errorMessage = r.string();
      }
      results.push({ topic, partition, errorCode, baseOffset, logAppendTimeMs, logStartOffset, errorMessage });
    }
  }
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  return { results, throttleTimeMs };
}

/** Big-endian reads with a clear error when the response is shorter than its fields say. */
class Reader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.offset + n > this.buf.length) {
      throw new RangeError(`Produce response truncated: needed ${n} bytes at offset ${this.offset} of ${this.buf.length}`);
    }
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** Offsets and times fit in a double up to 2^53, far beyond any real log. */
  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.offset));
    this.offset += 8;
    return v;
  }

  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }
}

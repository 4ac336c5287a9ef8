import { strict as assert } from 'node:assert';
import { compress, decompress } from '../../extension/core/kafka/compression';
import {
  RECORD_BATCH_OVERHEAD,
  RecordBatchBuilder,
  recordBodySizeWithoutDeltas,
  recordSizeUpperBound,
  type RecordHeader,
} from '../../extension/core/kafka/record-batch';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations */
const Long = require('kafkajs/src/utils/long');
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch: KafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const kafkajsCrc32C: (buf: Buffer) => number = require('kafkajs/src/protocol/recordBatch/crc32C');
/* eslint-enable @typescript-eslint/no-require-imports */

interface TestRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  timestamp: number;
}

function build(
  records: TestRecord[],
  state = { producerId: 4242, producerEpoch: 3, baseSequence: 17 },
  capacity = 1 << 20,
): Buffer {
  const b = new RecordBatchBuilder(capacity, records[0].timestamp);
  for (const r of records) {
    assert.ok(
      b.tryAppend(r.timestamp, r.key, r.value, r.headers, recordBodySizeWithoutDeltas(r.key, r.value, r.headers)) >= 0,
      'b.tryAppend(r.timestamp, r.key, r.value, r.headers, recordBodySizeWithoutDeltas(r.key, r.value, r.headers)) >= 0',
    );
  }
  return b.build(state);
}

async function kafkajsBytes(
  records: TestRecord[],
  state = { producerId: 4242, producerEpoch: 3, baseSequence: 17 },
): Promise<Buffer> {
  const first = records[0].timestamp;
  const encoders = records.map((r, i) =>
    KafkajsRecord({
      offsetDelta: i,
      timestampDelta: r.timestamp - first,
      key: r.key,
      value: r.value,
      // kafkajs takes headers as an object; a key repeated is given as an array of values
      headers: r.headers.reduce<Record<string, (Buffer | null)[]>>((acc, h) => {
        (acc[h.key.toString()] ??= []).push(h.value);
        return acc;
      }, {}),
    }),
  );
  const encoder = await KafkajsRecordBatch({
    records: encoders,
    firstTimestamp: first,
    maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
    partitionLeaderEpoch: -1,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromValue(state.producerId),
    producerEpoch: state.producerEpoch,
    firstSequence: state.baseSequence,
  });
  return encoder.buffer;
}

/** `nullHeaderValues`: kafkajs's encoder cannot size a null header value, so the byte comparison leaves them out. */
function sample(n: number, nullHeaderValues = true): TestRecord[] {
  const out: TestRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 7 === 3 ? null : Buffer.from('v'.repeat(i * 13) + `é-${i}`),
      headers:
        i % 3 === 0
          ? []
          : [
              { key: Buffer.from('trace'), value: Buffer.from(`t${i}`) },
              { key: Buffer.from('n'), value: i % 2 && nullHeaderValues ? null : Buffer.from([0, 1, 2]) },
            ],
      timestamp: 1_700_000_000_000 + i * 1000 + (i % 4) * 17,
    });
  }
  return out;
}

describe('record batch v2 encoder', () => {
  it('writes the same bytes as kafkajs for records with keys, null values, headers and growing timestamps', async () => {
    for (const n of [1, 2, 10, 200]) {
      const records = sample(n, false);
      assert.deepEqual(build(records), await kafkajsBytes(records), `batch of ${n}`);
    }
  });

  it('writes a batch kafkajs decodes back to the same records, with a CRC32C kafkajs agrees with', async () => {
    const records = sample(25);
    const bytes = build(records, { producerId: 77, producerEpoch: 1, baseSequence: 9 });
    assert.equal(bytes.readUInt32BE(17), kafkajsCrc32C(bytes.subarray(21)) >>> 0);
    const decoded = await decodeKafkajsBatch(new KafkajsDecoder(bytes));
    assert.equal(decoded.producerId, '77');
    assert.equal(decoded.firstSequence, 9);
    assert.equal(decoded.records.length, 25);
    decoded.records.forEach(
      (
        r: {
          key: Buffer | null;
          value: Buffer | null;
          offset: string;
          timestamp: string;
          headers: Record<string, unknown>;
        },
        i: number,
      ) => {
        assert.deepEqual(r.key, records[i].key);
        assert.deepEqual(r.value, records[i].value);
        assert.equal(r.offset, String(i));
        assert.equal(r.timestamp, String(records[i].timestamp));
      },
    );
  });

  it('never grows past its capacity: tryAppend refuses the record that would not fit, and the size is exact', () => {
    const capacity = 1000;
    const b = new RecordBatchBuilder(capacity, 0);
    const value = Buffer.alloc(90, 1);
    const body = recordBodySizeWithoutDeltas(null, value);
    let appended = 0;
    while (b.tryAppend(0, null, value, undefined, body) >= 0) appended++;
    assert.ok(b.sizeInBytes <= capacity, 'b.sizeInBytes <= capacity');
    assert.ok(capacity - b.sizeInBytes < b.sizeOfNextRecord(0, body), 'stopped only when the next record did not fit');
    const bytes = b.build();
    assert.equal(bytes.length, b.sizeInBytes);
    assert.equal(bytes.readInt32BE(57), appended);
    assert.ok(
      RECORD_BATCH_OVERHEAD + recordSizeUpperBound(null, value) >= RECORD_BATCH_OVERHEAD + b.sizeOfNextRecord(0, body),
      'RECORD_BATCH_OVERHEAD + recordSizeUpperBound(null, value) >= RECORD_BATCH_OVERHEAD + b.sizeOfNextRecord(0, body)',
    );
  });

  it('writes string keys and values (ASCII, multi-byte, long) exactly as their UTF-8 bytes', () => {
    const strings = ['', 'k', 'plain ascii value', 'é-ü-日本-🎉', 'x'.repeat(300), 'ü'.repeat(100)];
    const fromStrings = new RecordBatchBuilder(1 << 16, 0);
    const fromBuffers = new RecordBatchBuilder(1 << 16, 0);
    for (const str of strings) {
      fromStrings.tryAppend(0, str, str, undefined, recordBodySizeWithoutDeltas(str, str));
      const b = Buffer.from(str, 'utf8');
      fromBuffers.tryAppend(0, b, b, undefined, recordBodySizeWithoutDeltas(b, b));
    }
    assert.deepEqual(fromStrings.build(), fromBuffers.build());
  });

  it('returns the same bytes on every build, so a retry resends the batch unchanged', () => {
    const b = new RecordBatchBuilder(1024, 5);
    b.tryAppend(5, null, Buffer.from('x'), undefined, recordBodySizeWithoutDeltas(null, Buffer.from('x')));
    const first = b.build({ producerId: 1, producerEpoch: 0, baseSequence: 4 });
    const again = b.build({ producerId: 2, producerEpoch: 9, baseSequence: 99 });
    assert.equal(again, first);
    assert.equal(again.readInt32BE(53), 4);
  });

  for (const type of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`compresses the records section with ${type}, keeping the record count outside, and it decompresses to the plain records`, async () => {
      const records = sample(30);
      const plain = build(records);
      const b = new RecordBatchBuilder(1 << 20, records[0].timestamp, type);
      for (const r of records)
        b.tryAppend(r.timestamp, r.key, r.value, r.headers, recordBodySizeWithoutDeltas(r.key, r.value, r.headers));
      const bytes = await b.buildAsync({ producerId: 4242, producerEpoch: 3, baseSequence: 17 }, compress);
      assert.equal(bytes.readInt16BE(21) & 7, { gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[type]);
      assert.equal(bytes.readInt32BE(57), 30);
      assert.equal(bytes.readInt32BE(8), bytes.length - 12);
      assert.equal(bytes.readUInt32BE(17), kafkajsCrc32C(bytes.subarray(21)) >>> 0);
      const inflated = await decompress(type, bytes.subarray(RECORD_BATCH_OVERHEAD));
      assert.deepEqual(inflated, plain.subarray(RECORD_BATCH_OVERHEAD));
      if (type === 'gzip') {
        const decoded = await decodeKafkajsBatch(new KafkajsDecoder(bytes));
        assert.equal(decoded.records.length, 30);
        assert.deepEqual(decoded.records[4].value, records[4].value);
      }
    });
  }
});

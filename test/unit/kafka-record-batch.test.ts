import { strict as assert } from 'node:assert';
import {
  readRecordBatches,
  readBatchHeader,
  decodeRecords,
  setBaseOffset,
  setLogAppendTime,
  verifyBatchCrc,
  RecordBatchError,
  RECORDS_OFFSET,
  CRC_OFFSET,
} from '../../extension/core/kafka/record-batch';
import { compress, decompress, CompressionName, CompressionType } from '../../extension/core/kafka/compression';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations */
const KafkajsRecordBatch: (o: object) => Promise<{ buffer: Buffer }> =
  require('kafkajs/src/protocol/recordBatch/v0').RecordBatch;
const KafkajsRecord: (o: object) => unknown = require('kafkajs/src/protocol/recordBatch/record/v0');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');
const KafkajsBatchDecoder: (d: unknown) => Promise<{
  records: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string }[];
}> = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const kafkajsCodecs: Record<number, () => unknown> = require('kafkajs/src/protocol/message/compression').Codecs;
const Long = require('kafkajs/src/utils/long');
/* eslint-enable @typescript-eslint/no-require-imports */

// kafkajs ships only gzip; plug the other codecs in the way kafkajs users do, so its batch encoder can write them.
for (const name of ['snappy', 'lz4', 'zstd'] as const) {
  kafkajsCodecs[CompressionType[name]] = () => ({
    compress: (encoder: { buffer: Buffer }) => compress(name, encoder.buffer),
    decompress: (buf: Buffer) => decompress(name, buf),
  });
}

interface TestRecord {
  key: string | null;
  value: string | null;
  headers?: Record<string, string>;
}

function testRecords(n: number): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 5 === 4 ? null : `key-${i}`,
    value: i % 7 === 6 ? null : `value ${i} `.repeat(1 + (i % 4)),
    headers: i % 3 === 0 ? { trace: `t${i}`, source: 'test' } : ({} as Record<string, string>),
  }));
}

async function kafkajsBatch(
  records: TestRecord[],
  opts: {
    compression?: CompressionName;
    baseTimestamp?: number;
    producerId?: number;
    firstSequence?: number;
    firstOffset?: number;
  } = {},
): Promise<Buffer> {
  const baseTimestamp = opts.baseTimestamp ?? 1_700_000_000_000;
  const encoded = records.map((r, i) =>
    KafkajsRecord({
      offsetDelta: i,
      timestampDelta: i * 10,
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      headers: r.headers,
    }),
  );
  const batch = await KafkajsRecordBatch({
    compression: CompressionType[opts.compression ?? 'none'],
    firstOffset: Long.fromValue(opts.firstOffset ?? 0),
    firstTimestamp: baseTimestamp,
    maxTimestamp: baseTimestamp + (records.length - 1) * 10,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromValue(opts.producerId ?? -1),
    producerEpoch: 3,
    firstSequence: opts.firstSequence ?? 0,
    records: encoded,
  });
  return batch.buffer;
}

describe('record batch v2 decoding', () => {
  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`reads the header and decodes every record of a kafkajs-encoded ${compression} batch`, async () => {
      const input = testRecords(50);
      const buf = await kafkajsBatch(input, { compression, producerId: 4242, firstSequence: 17 });
      const [batch, ...rest] = readRecordBatches(buf);
      assert.equal(rest.length, 0);
      assert.ok(batch);
      assert.equal(batch.magic, 2);
      assert.equal(batch.compression, compression);
      assert.equal(batch.recordCount, 50);
      assert.equal(batch.lastOffsetDelta, 49);
      assert.equal(batch.producerId, 4242);
      assert.equal(batch.producerEpoch, 3);
      assert.equal(batch.baseSequence, 17);
      assert.equal(batch.baseTimestamp, 1_700_000_000_000);
      assert.equal(batch.maxTimestamp, 1_700_000_000_490);
      assert.equal(batch.timestampType, 'CreateTime');
      assert.equal(batch.bytes.length, buf.length);

      const records = await decodeRecords(batch);
      assert.equal(records.length, 50);
      records.forEach((r, i) => {
        assert.equal(r.offset, i);
        assert.equal(r.timestamp, 1_700_000_000_000 + i * 10);
        assert.equal(r.key?.toString() ?? null, input[i]!.key);
        assert.equal(r.value?.toString() ?? null, input[i]!.value);
        assert.deepEqual(Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString()])), input[i]!.headers);
      });
    });
  }

  it('reads several batches back to back with their base offsets', async () => {
    const a = await kafkajsBatch(testRecords(3), { firstOffset: 100 });
    const b = await kafkajsBatch(testRecords(5), { firstOffset: 103, compression: 'gzip' });
    const batches = readRecordBatches(Buffer.concat([a, b]));
    assert.deepEqual(
      batches.map((x) => [x.baseOffset, x.recordCount]),
      [
        [100, 3],
        [103, 5],
      ],
    );
    assert.deepEqual(
      (await decodeRecords(batches[1]!)).map((r) => r.offset),
      [103, 104, 105, 106, 107],
    );
  });

  it('decodes the first batch of a buffer holding several when given the raw buffer', async () => {
    const a = await kafkajsBatch(testRecords(2), { firstOffset: 10 });
    const b = await kafkajsBatch(testRecords(3), { firstOffset: 12 });
    assert.deepEqual(
      (await decodeRecords(Buffer.concat([a, b]))).map((r) => r.offset),
      [10, 11],
    );
  });

  it('does not copy the batch bytes: each batch is a view of the input', async () => {
    const buf = await kafkajsBatch(testRecords(3));
    const [batch] = readRecordBatches(buf);
    assert.equal(batch!.bytes.buffer, buf.buffer);
  });

  it('rejects a batch with a flipped byte as CORRUPT_MESSAGE', async () => {
    const buf = await kafkajsBatch(testRecords(20));
    for (const at of [ATTRIBUTES_OFFSET_FOR_TEST, RECORDS_OFFSET + 5, buf.length - 1]) {
      const bad = Buffer.from(buf);
      bad[at]! ^= 0x01;
      assert.equal(verifyBatchCrc(bad), false);
      assert.throws(
        () => readRecordBatches(bad),
        (e: unknown) =>
          e instanceof RecordBatchError && e.errorCode === ErrorCode.CORRUPT_MESSAGE && /CRC32C/.test(e.message),
      );
    }
  });

  it('rejects a truncated batch, but a Fetch reader may skip a partial tail', async () => {
    const a = await kafkajsBatch(testRecords(3));
    const b = await kafkajsBatch(testRecords(4), { firstOffset: 3 });
    const whole = Buffer.concat([a, b]);
    for (const cut of [1, 11, 12, 40, b.length - 1]) {
      const truncated = whole.subarray(0, whole.length - cut);
      assert.throws(
        () => readRecordBatches(truncated),
        (e: unknown) => e instanceof RecordBatchError && e.errorCode === ErrorCode.CORRUPT_MESSAGE,
      );
      assert.equal(readRecordBatches(truncated, { allowTruncatedTail: true }).length, 1);
    }
  });

  it('answers UNSUPPORTED_FOR_MESSAGE_FORMAT for magic 0 and 1 message sets', async () => {
    const buf = Buffer.from(await kafkajsBatch(testRecords(2)));
    for (const magic of [0, 1]) {
      buf[16] = magic;
      assert.throws(
        () => readRecordBatches(buf),
        (e: unknown) => e instanceof RecordBatchError && e.errorCode === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      );
    }
  });

  it('patches the base offset in place without breaking the CRC', async () => {
    const buf = Buffer.from(await kafkajsBatch(testRecords(4)));
    setBaseOffset(buf, 2 ** 40 + 7);
    const [batch] = readRecordBatches(buf);
    assert.equal(batch!.baseOffset, 2 ** 40 + 7);
    assert.deepEqual(
      (await decodeRecords(batch!)).map((r) => r.offset),
      [0, 1, 2, 3].map((d) => 2 ** 40 + 7 + d),
    );
  });

  it('stamps LogAppendTime: attribute bit, maxTimestamp, a valid CRC, and records take the append time', async () => {
    const buf = Buffer.from(await kafkajsBatch(testRecords(4), { compression: 'gzip' }));
    const crcBefore = buf.readUInt32BE(CRC_OFFSET);
    setLogAppendTime(buf, 1_800_000_000_123);
    assert.notEqual(buf.readUInt32BE(CRC_OFFSET), crcBefore);
    const [batch] = readRecordBatches(buf);
    assert.equal(batch!.timestampType, 'LogAppendTime');
    assert.equal(batch!.maxTimestamp, 1_800_000_000_123);
    assert.equal(batch!.compression, 'gzip');
    for (const r of await decodeRecords(batch!)) assert.equal(r.timestamp, 1_800_000_000_123);
    // kafkajs's own decoder still reads it (CRC and layout intact)
    const decoded = await KafkajsBatchDecoder(new KafkajsDecoder(buf));
    assert.equal(decoded.records.length, 4);
  });

  it('throws RecordBatchError for records that do not fit their batch', async () => {
    const buf = Buffer.from(await kafkajsBatch(testRecords(3)));
    buf.writeInt32BE(4, 57); // claim one more record than present
    const header = readBatchHeader(buf);
    await assert.rejects(decodeRecords({ ...header, bytes: buf }), RecordBatchError);
  });

  it('throws RecordBatchError when compressed records are garbage', async () => {
    const buf = Buffer.from(await kafkajsBatch(testRecords(30), { compression: 'gzip' }));
    buf.fill(0x55, RECORDS_OFFSET + 4, RECORDS_OFFSET + 30);
    await assert.rejects(decodeRecords(readRecordBatches(buf, { verifyCrc: false })[0]!), RecordBatchError);
  });

  it('reads a batch of 1,000 records without decoding them (headers and CRC only)', async () => {
    const buf = await kafkajsBatch(Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(100) })));
    const [batch] = readRecordBatches(buf);
    assert.equal(batch!.recordCount, 1000);
    assert.equal(batch!.lastOffsetDelta, 999);
  });
});

const ATTRIBUTES_OFFSET_FOR_TEST = 21;

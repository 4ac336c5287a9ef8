import { strict as assert } from 'node:assert';
import { compress, type CompressionName } from '../../extension/core/kafka/compression';
import {
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  RecordBatchBuilder,
  computeBatchCrc,
  recordBodySizeWithoutDeltas,
  setBaseOffset,
  setLogAppendTime,
  type RecordHeader,
} from '../../extension/core/kafka/record-batch';
import { recordsFromFetch } from '../../extension/core/consume/fetched-records';
import type { AbortedTransaction, FetchPartitionResult } from '../../extension/core/transport/consumer-transport';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

interface Rec {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

/** One stored batch as a broker would return it: offsets assigned, attributes set, CRC right. */
async function batch(
  baseOffset: number,
  records: Rec[],
  options: {
    producerId?: number;
    baseSequence?: number;
    transactional?: boolean;
    control?: boolean;
    compression?: CompressionName;
  } = {},
): Promise<Buffer> {
  const builder = new RecordBatchBuilder(1 << 16, 1_700_000_000_000, options.compression ?? 'none');
  for (const r of records) {
    const key = r.key ?? null;
    assert.ok(
      builder.tryAppend(
        r.timestamp ?? 1_700_000_000_000,
        key,
        r.value,
        r.headers,
        recordBodySizeWithoutDeltas(key, r.value, r.headers),
      ) >= 0,
    );
  }
  const state = {
    producerId: options.producerId ?? -1,
    producerEpoch: options.producerId === undefined ? -1 : 0,
    baseSequence: options.baseSequence ?? -1,
  };
  const out = Buffer.from(await builder.buildAsync(state, (type, data) => compress(type, data)));
  setBaseOffset(out, baseOffset);
  const flags = (options.transactional ? TRANSACTIONAL : 0) | (options.control ? CONTROL : 0);
  if (flags) {
    out.writeInt16BE(out.readInt16BE(ATTRIBUTES_OFFSET) | flags, ATTRIBUTES_OFFSET);
    out.writeUInt32BE(computeBatchCrc(out), CRC_OFFSET);
  }
  return out;
}

/** A transaction marker: control key (version 0, type 0 abort / 1 commit), value (version 0, coordinator epoch). */
function marker(offset: number, producerId: number, commit: boolean): Promise<Buffer> {
  const key = Buffer.from([0, 0, 0, commit ? 1 : 0]);
  const value = Buffer.from([0, 0, 0, 0, 0, 0]);
  return batch(offset, [{ key, value }], { producerId, transactional: true, control: true });
}

function partition(records: Buffer[], extra: Partial<FetchPartitionResult> = {}): FetchPartitionResult {
  const all = Buffer.concat(records);
  return {
    topic: 't',
    partition: 0,
    errorCode: 0,
    highWatermark: 100,
    lastStableOffset: 100,
    logStartOffset: 0,
    abortedTransactions: null,
    records: all,
    ...extra,
  };
}

const texts = (records: { value: Buffer | null }[]) => records.map((r) => r.value?.toString() ?? null);

describe('records from a Fetch response', () => {
  // Producer 7 aborts a transaction (offsets 0-1, marker 2); producer 8 commits one (3-4, marker 5); producer 7
  // then commits a new one (6-7, marker 8). Only the aborted range is listed by the broker.
  async function transactions(): Promise<Buffer[]> {
    return [
      await batch(0, [{ value: 'aborted-0' }, { value: 'aborted-1' }], { producerId: 7, transactional: true }),
      await marker(2, 7, false),
      await batch(3, [{ value: 'committed-3' }, { value: 'committed-4' }], { producerId: 8, transactional: true }),
      await marker(5, 8, true),
      await batch(6, [{ value: 'later-6' }, { value: 'later-7' }], { producerId: 7, transactional: true }),
      await marker(8, 7, true),
    ];
  }
  const aborted: AbortedTransaction[] = [{ producerId: 7, firstOffset: 0 }];

  it("read_committed drops the records of an aborted transaction, keeps the producer's later committed ones, and never shows markers", async () => {
    const got = await recordsFromFetch(
      partition(await transactions(), { abortedTransactions: aborted }),
      0,
      'read_committed',
    );
    assert.deepEqual(texts(got.records), ['committed-3', 'committed-4', 'later-6', 'later-7']);
    assert.deepEqual(
      got.records.map((r) => r.offset),
      [3, 4, 6, 7],
    );
    assert.equal(got.abortedRecords, 2);
    assert.equal(got.controlRecords, 3);
    assert.equal(got.nextOffset, 9);
  });

  it('read_uncommitted shows the aborted records too, and still no markers', async () => {
    const got = await recordsFromFetch(
      partition(await transactions(), { abortedTransactions: aborted }),
      0,
      'read_uncommitted',
    );
    assert.deepEqual(texts(got.records), [
      'aborted-0',
      'aborted-1',
      'committed-3',
      'committed-4',
      'later-6',
      'later-7',
    ]);
    assert.equal(got.abortedRecords, 0);
  });

  it('read_committed stops at the last stable offset, and the next fetch starts there', async () => {
    const got = await recordsFromFetch(
      partition(await transactions(), { abortedTransactions: aborted, lastStableOffset: 6 }),
      0,
      'read_committed',
    );
    assert.deepEqual(texts(got.records), ['committed-3', 'committed-4']);
    assert.equal(got.nextOffset, 6);
  });

  it('an aborted transaction that starts after the fetched batch does not hide it', async () => {
    const batches = [
      await batch(0, [{ value: 'open-0' }], { producerId: 7, transactional: true }),
      await marker(1, 7, true),
      await batch(2, [{ value: 'ab-2' }], { producerId: 7, transactional: true }),
      await marker(3, 7, false),
    ];
    const got = await recordsFromFetch(
      partition(batches, { abortedTransactions: [{ producerId: 7, firstOffset: 2 }] }),
      0,
      'read_committed',
    );
    assert.deepEqual(texts(got.records), ['open-0']);
  });

  it('skips the records before the fetch offset in the batch that holds it', async () => {
    const got = await recordsFromFetch(
      partition([await batch(10, [{ value: 'a' }, { value: 'b' }, { value: 'c' }])]),
      11,
      'read_uncommitted',
    );
    assert.deepEqual(
      got.records.map((r) => r.offset),
      [11, 12],
    );
    assert.equal(got.nextOffset, 13);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`decodes a ${codec} batch: key, value, headers, timestamps, sequence and batch facts`, async () => {
      const headers = [
        { key: Buffer.from('trace-id'), value: Buffer.from('abc') },
        { key: Buffer.from('bin'), value: Buffer.from([0xff, 0x00]) },
        { key: Buffer.from('none'), value: null },
      ];
      const stored = await batch(
        40,
        [
          { key: 'k1', value: 'v1'.repeat(50), headers, timestamp: 1_700_000_000_005 },
          { key: null, value: null, timestamp: 1_700_000_000_009 },
        ],
        { compression: codec, producerId: 1234, baseSequence: 17 },
      );
      const got = await recordsFromFetch(partition([stored]), 40, 'read_uncommitted');
      assert.equal(got.records.length, 2);
      const [a, b] = got.records;
      assert.equal(a!.key?.toString(), 'k1');
      assert.equal(a!.value?.toString(), 'v1'.repeat(50));
      assert.deepEqual(
        a!.headers.map((h) => [h.key.toString(), h.value?.toString('hex') ?? null]),
        [
          ['trace-id', '616263'],
          ['bin', 'ff00'],
          ['none', null],
        ],
      );
      assert.equal(a!.timestamp, 1_700_000_000_005);
      assert.equal(a!.timestampType, 'CreateTime');
      assert.deepEqual([a!.sequence, b!.sequence], [17, 18]);
      assert.equal(b!.key, null);
      assert.equal(b!.value, null);
      assert.equal(b!.timestamp, 1_700_000_000_009);
      assert.equal(a!.batch.compression, codec);
      assert.equal(a!.batch.producerId, 1234);
      assert.equal(a!.batch.sizeBytes, stored.length);
      assert.ok(a!.sizeBytes > 100, `the first record's size (${a!.sizeBytes}) counts its 100-byte value`);
    });
  }

  it("reports LogAppendTime and the broker's time for every record of such a batch", async () => {
    const stored = await batch(0, [
      { value: 'x', timestamp: 5 },
      { value: 'y', timestamp: 6 },
    ]);
    setLogAppendTime(stored, 1_800_000_000_000);
    const got = await recordsFromFetch(partition([stored]), 0, 'read_uncommitted');
    assert.deepEqual(
      got.records.map((r) => [r.timestampType, r.timestamp]),
      [
        ['LogAppendTime', 1_800_000_000_000],
        ['LogAppendTime', 1_800_000_000_000],
      ],
    );
  });

  it('ignores a partial batch at the end of the response (the broker cut it at the byte limit)', async () => {
    const whole = await batch(0, [{ value: 'whole' }]);
    const next = await batch(1, [{ value: 'cut' }]);
    const got = await recordsFromFetch(partition([whole, next.subarray(0, next.length - 5)]), 0, 'read_uncommitted');
    assert.deepEqual(texts(got.records), ['whole']);
    assert.equal(got.nextOffset, 1);
  });
});

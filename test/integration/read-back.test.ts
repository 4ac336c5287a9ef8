import { strict as assert } from 'node:assert';
import { digestOf, readRecordAt, storedRecordView, RecordReader } from '../../extension/core/consume';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { engineFor } from './engine-helpers';

/** The engine sends, the reader fetches each record back over TCP from the sandbox, and both are compared. */
describe('reading sent records back from the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, topics: [{ name: 'rb', partitions: 3 }] });
  });
  after(() => sandbox?.stop());

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`reads a ${codec} record back at its offset, byte for byte as sent, with the batch's producer id and sequence`, async () => {
      const engine = engineFor(sandbox, { 'compression.type': codec, 'linger.ms': 20 });
      try {
        const sent = Array.from({ length: 5 }, (_, i) => ({
          topic: 'rb',
          key: `${codec}-${i}`,
          value: Buffer.from([i, 0xff, 0x00, ...Buffer.from(`${codec} value ${i}`)]),
          headers: [{ key: 'n', value: String(i) }],
        }));
        const acks = await Promise.all(sent.map((r) => engine.producer.send(r)));
        for (const [i, md] of acks.entries()) {
          const { record, facts } = await readRecordAt(engine.transport, {
            topic: 'rb',
            partition: md.partition,
            offset: md.offset,
          });
          const view = storedRecordView(record, digestOf(sent[i]!), facts);
          assert.deepEqual(view.comparison, { identical: true, differences: [] }, `${codec} record ${i}`);
          assert.equal(view.key, `${codec}-${i}`);
          assert.deepEqual(view.value, { base64: sent[i]!.value.toString('base64') });
          assert.equal(view.batch.compression, codec);
          assert.ok(view.batch.producerId >= 0, 'idempotent producer id stored with the batch');
          assert.equal(view.timestampMs, md.timestamp);
          assert.ok(
            view.read.some((l) => l.startsWith('ListOffsets')) && view.read.some((l) => l.startsWith('Fetch')),
            view.read.join('\n'),
          );
        }
        // The same partition's sequences follow the offsets: base sequence + offset delta.
        const first = acks[0]!;
        const samePartition = acks.filter((a) => a.partition === first.partition);
        const sequences = await Promise.all(
          samePartition.map(
            async (a) =>
              (await readRecordAt(engine.transport, { topic: 'rb', partition: a.partition, offset: a.offset })).record
                .sequence,
          ),
        );
        for (let i = 1; i < sequences.length; i++)
          assert.equal(sequences[i]! - sequences[0]!, samePartition[i]!.offset - samePartition[0]!.offset);
      } finally {
        await engine.close();
      }
    });
  }

  it('says where the stored record differs from what was sent', async () => {
    const engine = engineFor(sandbox);
    try {
      const md = await engine.producer.send({
        topic: 'rb',
        key: 'k',
        value: 'stored',
        headers: [{ key: 'h', value: 'x' }],
      });
      const { record } = await readRecordAt(engine.transport, {
        topic: 'rb',
        partition: md.partition,
        offset: md.offset,
      });
      const view = storedRecordView(
        record,
        digestOf({
          key: 'k',
          value: 'Stored',
          headers: [
            { key: 'h', value: 'y' },
            { key: 'extra', value: null },
          ],
        }),
        [],
      );
      assert.deepEqual(view.comparison, {
        identical: false,
        differences: [
          'value: sent 6 bytes, stored 6 bytes (same size, other bytes)',
          'headers: sent 2, stored 1',
          'header "h": sent 1 bytes, stored 1 bytes (same size, other bytes)',
        ],
      });
    } finally {
      await engine.close();
    }
  });

  it("refuses an offset not written yet, giving the partition's range", async () => {
    const engine = engineFor(sandbox);
    try {
      const md = await engine.producer.send({ topic: 'rb', key: 'k', value: 'v', partition: 2 });
      await assert.rejects(
        readRecordAt(engine.transport, { topic: 'rb', partition: 2, offset: md.offset + 100 }),
        new RegExp(`offset ${md.offset + 100} is out of range: rb-2 has offsets 0 to ${md.offset}`),
      );
    } finally {
      await engine.close();
    }
  });

  it('follows a leader that moved while reading, after a metadata refresh', async () => {
    const engine = engineFor(sandbox);
    try {
      await engine.producer.send({ topic: 'rb', value: 'before', partition: 1 });
      const reader = new RecordReader(engine.transport, { isolation: 'read_uncommitted' });
      const [start] = await reader.assign('rb', { kind: 'latest' }, [1]);
      const leader = sandbox
        .state()
        .topics.find((t) => t.name === 'rb')!
        .partitions.find((p) => p.partition === 1)!.leader as number;
      sandbox.moveLeader('rb', 1, (leader % 3) + 1);
      await engine.producer.send({ topic: 'rb', value: 'after the move', partition: 1 });
      const got: string[] = [];
      const deadline = Date.now() + 20_000;
      while (!got.length && Date.now() < deadline)
        got.push(...(await reader.poll({ maxWaitMs: 200, deadline })).map((r) => r.value!.toString()));
      assert.deepEqual(got, ['after the move']);
      assert.equal(reader.currentPositions()[0]!.offset, start!.offset + 1);
    } finally {
      await engine.close();
    }
  });
});

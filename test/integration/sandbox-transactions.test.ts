/**
 * The sandbox as transaction coordinator, checked with two transactional clients this project did not write:
 * librdkafka (kcat -X transactional.id, and read_committed consumers) and kafkajs 2.2.4's transactions.
 */
import { strict as assert } from 'node:assert';
import type { Producer } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import type { TransactionView } from '../../extension/core/sandbox/cluster/transaction-coordinator';
import { kcat } from './kcat-helpers';
import { kafkaFor, waitFor } from './sandbox-helpers';
import { hasKcat, kcatValues as readAll } from './transaction-helpers';

function transactionsOf(sandbox: Sandbox): TransactionView[] {
  return (sandbox.state() as unknown as { transactions: TransactionView[] }).transactions;
}

function transaction(sandbox: Sandbox, id: string): TransactionView | undefined {
  return transactionsOf(sandbox).find((t) => t.transactionalId === id);
}

describe('sandbox transaction coordinator (kcat and kafkajs transactions)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  const producers: Producer[] = [];

  before(async () => {
    sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      topics: [
        { name: 'tx', partitions: 3 },
        { name: 'tx-kcat', partitions: 2 },
        { name: 'tx-open', partitions: 1 },
      ],
    });
  });
  afterEach(async () => {
    for (const p of producers.splice(0)) await p.disconnect().catch(() => undefined);
  });
  after(() => sandbox?.stop());

  function txProducer(transactionalId: string, extra: { transactionTimeout?: number } = {}): Producer {
    const p = kafkaFor(sandbox).kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, ...extra });
    producers.push(p);
    return p;
  }

  it('kcat produces in a transaction that commits, and a read_committed kcat consumer reads every record', async function () {
    if (!hasKcat) this.skip();
    const lines = Array.from({ length: 10 }, (_, i) => `k${i}:committed ${i}`);
    const r = await kcat(
      ['-b', sandbox.bootstrap, '-P', '-t', 'tx-kcat', '-K', ':', '-X', 'transactional.id=kcat-tx'],
      lines.join('\n') + '\n',
    );
    assert.equal(r.code, 0, r.err);
    const t = transaction(sandbox, 'kcat-tx');
    assert.ok(t, 'the coordinator knows the transactional id');
    assert.equal(t.state, 'CompleteCommit');
    assert.equal(t.history.at(-1)?.outcome, 'committed');
    assert.ok(t.history.at(-1)!.partitions.length >= 1, 'a commit marker was written into the partitions');
    assert.deepEqual(await readAll(sandbox, 'tx-kcat', 'read_committed'), lines.map((l) => l.split(':')[1]).sort());
  });

  it('kafkajs aborts one transaction and commits another: read_committed consumers see only the committed records', async function () {
    const p = txProducer('js-tx');
    await p.connect();
    const aborted = await p.transaction();
    await aborted.send({
      topic: 'tx',
      messages: [
        { key: 'a', value: 'aborted-1' },
        { key: 'b', value: 'aborted-2' },
        { key: 'c', value: 'aborted-3' },
      ],
    });
    await aborted.abort();
    const committed = await p.transaction();
    await committed.send({
      topic: 'tx',
      messages: [
        { key: 'a', value: 'committed-1' },
        { key: 'b', value: 'committed-2' },
        { key: 'c', value: 'committed-3' },
      ],
    });
    await committed.commit();

    const t = transaction(sandbox, 'js-tx')!;
    assert.deepEqual(
      t.history.map((h) => h.outcome),
      ['aborted', 'committed'],
    );
    if (hasKcat) {
      assert.deepEqual(await readAll(sandbox, 'tx', 'read_committed'), ['committed-1', 'committed-2', 'committed-3']);
      assert.deepEqual(await readAll(sandbox, 'tx', 'read_uncommitted'), [
        'aborted-1',
        'aborted-2',
        'aborted-3',
        'committed-1',
        'committed-2',
        'committed-3',
      ]);
    }
    // kafkajs's consumer is read_committed by default: it drops the aborted records using the Fetch's aborted list.
    const consumer = kafkaFor(sandbox).kafka.consumer({ groupId: 'tx-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'tx', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await waitFor(() => seen.length >= 3, 'the committed records');
    await consumer.disconnect();
    assert.deepEqual(seen.sort(), ['committed-1', 'committed-2', 'committed-3']);
  });

  it('keeps read_committed consumers below an open transaction (last stable offset) until it commits', async function () {
    const p = txProducer('open-tx');
    await p.connect();
    const open = await p.transaction();
    await open.send({ topic: 'tx-open', messages: [{ value: 'pending' }] });
    const [partition] = (
      sandbox.state() as unknown as { topics: { name: string; partitions: { highWatermark: number }[] }[] }
    ).topics.find((x) => x.name === 'tx-open')!.partitions;
    assert.equal(partition.highWatermark, 1);
    if (hasKcat)
      assert.deepEqual(await readAll(sandbox, 'tx-open', 'read_committed'), [], 'nothing past the last stable offset');
    await open.commit();
    if (hasKcat) assert.deepEqual(await readAll(sandbox, 'tx-open', 'read_committed'), ['pending']);
  });

  it('fences the older of two producers with one transactional id: its commit fails with INVALID_PRODUCER_EPOCH', async () => {
    const older = txProducer('shared-tx');
    await older.connect();
    const first = await older.transaction();
    await first.send({ topic: 'tx', messages: [{ value: 'from the older producer' }] });
    const newer = txProducer('shared-tx');
    await newer.connect();
    const second = await newer.transaction();
    // The newer producer's InitProducerId aborted the older one's open transaction (answering
    // CONCURRENT_TRANSACTIONS, which kafkajs retries) and bumped the epoch.
    const t = transaction(sandbox, 'shared-tx')!;
    assert.equal(t.history.at(-1)?.outcome, 'aborted');
    assert.match(t.history.at(-1)!.reason, /new producer/);
    await assert.rejects(
      first.commit(),
      (e: Error & { type?: string }) => e.type === 'INVALID_PRODUCER_EPOCH' || /epoch/i.test(e.message),
    );
    await second.send({ topic: 'tx', messages: [{ value: 'from the newer producer' }] });
    await second.commit();
    assert.equal(transaction(sandbox, 'shared-tx')!.history.at(-1)?.outcome, 'committed');
  });

  it('aborts a transaction that outlives its timeout, fencing its producer', async () => {
    const p = txProducer('slow-tx', { transactionTimeout: 300 });
    await p.connect();
    const slow = await p.transaction();
    await slow.send({ topic: 'tx', messages: [{ value: 'too slow' }] });
    await waitFor(() => transaction(sandbox, 'slow-tx')?.state === 'CompleteAbort', 'the timeout abort');
    assert.match(transaction(sandbox, 'slow-tx')!.history.at(-1)!.reason, /timed out.*transaction\.timeout\.ms=300/);
    await assert.rejects(slow.commit());
  });

  it('commits consumer offsets sent in a transaction with it (AddOffsetsToTxn, TxnOffsetCommit)', async () => {
    const p = txProducer('offsets-tx');
    await p.connect();
    const t = await p.transaction();
    await t.send({ topic: 'tx', messages: [{ value: 'with offsets' }] });
    await t.sendOffsets({
      consumerGroupId: 'eos-group',
      topics: [{ topic: 'tx', partitions: [{ partition: 0, offset: '42' }] }],
    });
    await t.commit();
    const admin = kafkaFor(sandbox).kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'eos-group', topics: ['tx'] });
    await admin.disconnect();
    assert.equal(offsets[0].partitions.find((x) => x.partition === 0)?.offset, '42');
    assert.deepEqual(transaction(sandbox, 'offsets-tx')!.history.at(-1)?.groups, ['eos-group']);
  });

  it('lets faults target the transaction APIs: kafkajs retries an injected CONCURRENT_TRANSACTIONS, and sees an EndTxn error', async () => {
    sandbox.addFault({ api: 'InitProducerId', errorCode: 51, count: 2 });
    const p = txProducer('fault-tx');
    await p.connect();
    const t = await p.transaction();
    assert.equal(
      (sandbox.state() as unknown as { faults: unknown[] }).faults.length,
      0,
      'both injected errors were hit',
    );
    await t.send({ topic: 'tx', messages: [{ value: 'despite a fault' }] });
    sandbox.addFault({ api: 'EndTxn', errorCode: 48, count: 1 });
    await assert.rejects(t.commit(), /transactional operation|INVALID_TXN_STATE|not valid/i);
    assert.equal(transaction(sandbox, 'fault-tx')!.state, 'Ongoing', 'the injected error left the transaction open');
  });
});

/**
 * The engine's transactional producer against the sandbox's transaction coordinator: what read_committed
 * consumers (kafkajs's, which is read_committed by default) see after commits and aborts, fencing, timeouts, the
 * Java rules for calls in the wrong state, and the trace and transaction view.
 */
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { TransactionError, type TraceEvent } from '../../extension/core/engine';
import type { TransactionView as CoordinatorView } from '../../extension/core/sandbox/cluster/transaction-coordinator';
import { engineFor, type EngineUnderTest } from './engine-helpers';
import { committedValues } from './transaction-helpers';
import { kafkaFor, waitFor } from './sandbox-helpers';

function coordinatorView(sandbox: Sandbox, id: string): CoordinatorView | undefined {
  return (sandbox.state() as unknown as { transactions: CoordinatorView[] }).transactions.find(
    (t) => t.transactionalId === id,
  );
}

const rejectsWith = (code: string, message: RegExp) => (e: unknown) =>
  e instanceof TransactionError && e.code === code && message.test(e.message);

describe('engine transactional producer against the sandbox', function () {
  this.timeout(40_000);
  let sandbox: Sandbox;
  const engines: EngineUnderTest[] = [];

  beforeEach(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      topics: [
        { name: 'orders', partitions: 3 },
        { name: 'audit', partitions: 1 },
      ],
    });
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await sandbox.stop();
  });

  function engine(id: string, extra: Record<string, unknown> = {}): EngineUnderTest {
    const e = engineFor(sandbox, { 'transactional.id': id, ...extra });
    engines.push(e);
    return e;
  }

  it('commits one transaction and aborts another: read_committed consumers see only the committed records, and the view shows both', async () => {
    const { producer } = engine('orders-tx');
    const events: TraceEvent[] = [];
    producer.onTrace((e) => events.push(e));
    await producer.initTransactions();

    producer.beginTransaction();
    const aborted = ['a', 'b', 'c'].map((k) => producer.send({ topic: 'orders', key: k, value: `aborted-${k}` }));
    await Promise.all(aborted);
    await producer.abortTransaction();

    producer.beginTransaction();
    const committed = ['a', 'b', 'c'].map((k) => producer.send({ topic: 'orders', key: k, value: `committed-${k}` }));
    producer.send({ topic: 'audit', value: 'audit-1' }).catch(() => undefined);
    await producer.commitTransaction();
    const metadata = await Promise.all(committed);

    assert.deepEqual(await committedValues(sandbox, 'orders', 3), ['committed-a', 'committed-b', 'committed-c']);

    const [first, second] = producer.transactions();
    assert.equal(first.outcome, 'aborted');
    assert.equal(first.records, 3);
    assert.equal(second.outcome, 'committed');
    assert.equal(second.records, 4);
    assert.ok(second.coordinator, 'the coordinator is named');
    assert.deepEqual(
      second.partitions.map((p) => `${p.topic}-${p.partition}`).sort(),
      [...new Set([...metadata.map((m) => `orders-${m.partition}`), 'audit-0'])].sort(),
    );
    assert.ok(second.partitions.every((p) => p.addedAt !== null));
    assert.equal(second.markers.length, second.partitions.length);
    assert.ok(second.markers.every((m) => m.type === 'commit'));
    const steps = second.events.map((e) => e.step);
    assert.equal(steps[0], 'begin');
    assert.equal(steps.at(-1), 'committed');
    assert.ok(
      steps.indexOf('add-partitions') < steps.indexOf('end-txn'),
      `partitions are added before EndTxn: ${steps.join(', ')}`,
    );

    // Each record's trace names its transaction and ends with its outcome.
    const trace = producer.recordTrace(metadata[0].recordId)!;
    const recordSteps = trace.events.filter(
      (e): e is Extract<TraceEvent, { type: 'transaction' }> => e.type === 'transaction',
    );
    assert.equal(recordSteps[0].transaction, 2);
    assert.equal(recordSteps[0].transactionalId, 'orders-tx');
    assert.equal(recordSteps.at(-1)!.step, 'committed');
    assert.ok(events.some((e) => e.type === 'transaction' && e.step === 'add-partitions'));

    const coordinator = coordinatorView(sandbox, 'orders-tx')!;
    assert.deepEqual(
      coordinator.history.map((h) => h.outcome),
      ['aborted', 'committed'],
    );
  });

  it('refuses calls in the wrong state with what to do, and keeps records out of a closed transaction', async () => {
    const { producer } = engine('rules-tx');
    assert.throws(() => producer.beginTransaction(), rejectsWith('TRANSACTION_STATE', /initTransactions\(\) first/));
    await assert.rejects(
      producer.send({ topic: 'orders', value: 'early' }),
      /has not been initialized: call initTransactions\(\)/,
    );
    await producer.initTransactions();
    await assert.rejects(producer.initTransactions(), rejectsWith('TRANSACTION_STATE', /called already/));
    await assert.rejects(
      producer.send({ topic: 'orders', value: 'outside' }),
      /No transaction is open: call beginTransaction\(\)/,
    );
    await assert.rejects(producer.commitTransaction(), rejectsWith('TRANSACTION_STATE', /no transaction is open/));
    producer.beginTransaction();
    assert.throws(
      () => producer.beginTransaction(),
      rejectsWith('TRANSACTION_STATE', /commit or abort the open transaction first/),
    );
    await producer.send({ topic: 'orders', value: 'inside' });
    await producer.commitTransaction();
    assert.deepEqual(await committedValues(sandbox, 'orders', 1), ['inside']);
  });

  it('fences the older producer when a second one initializes the same transactional id, and says so', async () => {
    const older = engine('shared-id').producer;
    await older.initTransactions();
    older.beginTransaction();
    await older.send({ topic: 'orders', key: 'k', value: 'older' });

    const newer = engine('shared-id').producer;
    await newer.initTransactions();
    // The broker refuses the older epoch's next batch: the producer is fenced, and the record says so.
    await assert.rejects(
      older.send({ topic: 'orders', key: 'k', value: 'late' }),
      /INVALID_PRODUCER_EPOCH.*transactional\.id 'shared-id' has taken over.*fenced; close it/,
    );
    await assert.rejects(
      older.commitTransaction(),
      rejectsWith('PRODUCER_FENCED', /another producer with transactional.id 'shared-id' called initTransactions\(\)/),
    );
    // Fatal: everything after fails with the same reason; abort too.
    await assert.rejects(older.send({ topic: 'orders', value: 'after' }), /Producer fenced/);
    await assert.rejects(older.abortTransaction(), rejectsWith('PRODUCER_FENCED', /close it/));
    assert.equal(older.transactions()[0].state, 'failed');

    newer.beginTransaction();
    await newer.send({ topic: 'orders', key: 'k', value: 'newer' });
    await newer.commitTransaction();
    assert.deepEqual(await committedValues(sandbox, 'orders', 1), ['newer']);
  });

  it('says a transaction outlived transaction.timeout.ms when the coordinator aborted it', async () => {
    const { producer } = engine('slow-id', { 'transaction.timeout.ms': 300 });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic: 'orders', value: 'slow' });
    await waitFor(
      () => coordinatorView(sandbox, 'slow-id')?.state === 'CompleteAbort',
      'the coordinator to abort the transaction',
    );
    await assert.rejects(
      producer.commitTransaction(),
      rejectsWith('PRODUCER_FENCED', /longer than transaction\.timeout\.ms=300/),
    );
  });

  it('makes the transaction abortable when a record fails, refuses the commit, and aborts', async () => {
    const { producer } = engine('failing-tx', {
      'delivery.timeout.ms': 3100,
      'request.timeout.ms': 3000,
      'linger.ms': 0,
      retries: 1,
    });
    await producer.initTransactions();
    producer.beginTransaction();
    sandbox.addFault({ api: 'Produce', topic: 'audit', errorCode: 87, count: 5 }); // INVALID_RECORD, not retriable
    await assert.rejects(producer.send({ topic: 'audit', value: 'bad' }));
    await producer.send({ topic: 'orders', value: 'good' }).catch(() => undefined);
    await assert.rejects(
      producer.commitTransaction(),
      rejectsWith('TRANSACTION_ABORTABLE', /Call abortTransaction\(\)/),
    );
    await producer.abortTransaction();
    assert.equal(producer.transactions()[0].outcome, 'aborted');
    producer.beginTransaction();
    await producer.send({ topic: 'orders', value: 'retry' });
    await producer.commitTransaction();
    assert.deepEqual(await committedValues(sandbox, 'orders', 1), ['retry']);
  });

  it('commits consumer offsets with the transaction (sendOffsetsToTransaction)', async () => {
    const { producer } = engine('eos-tx');
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic: 'orders', value: 'processed' });
    await producer.sendOffsetsToTransaction([{ topic: 'audit', partition: 0, offset: 17 }], 'eos-group');
    await producer.commitTransaction();
    const admin = kafkaFor(sandbox).kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'eos-group', topics: ['audit'] });
    await admin.disconnect();
    assert.equal(offsets[0].partitions[0].offset, '17');
    assert.deepEqual(producer.transactions()[0].groups, [{ groupId: 'eos-group', offsets: 1, committed: true }]);
  });

  it('retries CONCURRENT_TRANSACTIONS on AddPartitionsToTxn and EndTxn as Java does', async () => {
    const { producer } = engine('busy-tx');
    await producer.initTransactions();
    sandbox.addFault({ api: 'AddPartitionsToTxn', errorCode: 51, count: 2 });
    sandbox.addFault({ api: 'EndTxn', errorCode: 51, count: 2 });
    producer.beginTransaction();
    await producer.send({ topic: 'orders', value: 'eventually' });
    await producer.commitTransaction();
    assert.equal(
      (sandbox.state() as unknown as { faults: unknown[] }).faults.length,
      0,
      'every injected error was met',
    );
    assert.equal(producer.transactions()[0].events.filter((e) => e.step === 'retry').length, 4);
    assert.equal(producer.transactions()[0].outcome, 'committed');
  });
});

/** Collections with a "transaction" (the whole run, or one message), run by `kafka-workbench run` against the sandbox. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { cliInProcess } from './cli-helpers';
import { committedValues } from './transaction-helpers';

const cli = cliInProcess;

describe('run: collections with transactions', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let dir: string;

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, brokers: 3, partitions: 3, autoCreateTopics: true });
    delete process.env.KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP;
  });
  after(() => sandbox?.stop());
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-txn-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  async function write(collection: object): Promise<string> {
    const file = path.join(dir, 'c.kafka.json');
    await fs.writeFile(file, JSON.stringify(collection, null, 2));
    return file;
  }

  it('commits one message\'s transaction and aborts another\'s with "abort": true; read_committed readers see only the first', async () => {
    const file = await write({
      name: 'EOS',
      messages: [
        { name: 'kept', topic: 'txn-kept', value: 'kept {{$seq}}', count: 3, transaction: { id: 'run-commit' } },
        {
          name: 'dropped',
          topic: 'txn-kept',
          value: 'dropped {{$seq}}',
          count: 2,
          transaction: { id: 'run-abort', abort: true },
        },
      ],
    });
    const r = await cli(['run', file, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(
      r.out,
      /ok +transaction 'run-commit' \(message "kept", 3 records\): committed; markers written into txn-kept-\d/,
    );
    assert.match(
      r.out,
      /ok +transaction 'run-abort' \(message "dropped", 2 records\): aborted as asked \("abort": true\); markers written into .*read_committed consumers do not see its records/,
    );
    assert.deepEqual(await committedValues(sandbox, 'txn-kept', 3), ['kept 0', 'kept 1', 'kept 2']);
  });

  it('runs every message of a collection-level transaction in one transaction (json reporter says how it ended)', async () => {
    const file = await write({
      name: 'Relay',
      transaction: { id: 'relay' },
      messages: [
        { name: 'a', topic: 'txn-run', value: 'a' },
        { name: 'b', topic: 'txn-run-2', value: 'b' },
      ],
    });
    const r = await cli(['run', file, '--bootstrap', sandbox.bootstrap, '--reporter', 'json']);
    assert.equal(r.code, 0, r.err);
    const last = JSON.parse(r.out.trim().split('\n').at(-1)!);
    assert.equal(last.transaction.outcome, 'committed');
    assert.deepEqual(last.transaction.messages, ['a', 'b']);
    assert.equal(last.transaction.scope, 'run');
    const coordinator = (
      sandbox.state() as unknown as { transactions: { transactionalId: string; history: unknown[] }[] }
    ).transactions.find((t) => t.transactionalId === 'relay');
    assert.equal(coordinator?.history.length, 1, 'one transaction at the coordinator');
  });

  it('refuses a collection transaction over messages with different producer settings, and a transaction on both levels', async () => {
    const differs = await write({
      name: 'Mixed',
      transaction: { id: 'mixed' },
      messages: [
        { name: 'a', topic: 't', value: 'a' },
        { name: 'b', topic: 't', value: 'b', producer: { 'linger.ms': 50 } },
      ],
    });
    const r = await cli(['run', differs, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /the collection's "transaction" sends the whole run with one producer, but message "b" has producer settings that differ/,
    );
    const both = await write({
      name: 'Both',
      transaction: { id: 'x' },
      messages: [{ name: 'a', topic: 't', value: 'a', transaction: { id: 'y' } }],
    });
    const r2 = await cli(['run', both, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r2.code, 2);
    assert.match(r2.err, /already sends the whole run in one "transaction"; remove this message's "transaction"/);
  });
});

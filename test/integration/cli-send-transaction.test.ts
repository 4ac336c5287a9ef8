/** `kafka-workbench send --transactional-id ID [--abort]`, run as a user runs it, checked with read_committed readers. */
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { recordLines, runCli } from './cli-helpers';
import { hasKcat, kcatValues } from './transaction-helpers';

describe('cli send --transactional-id', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      topics: [
        { name: 'committed', partitions: 3 },
        { name: 'aborted', partitions: 3 },
        { name: 'fails', partitions: 1 },
      ],
    });
  });
  after(() => sandbox.stop());

  it('sends the records in one transaction and commits it: read_committed consumers see every record', async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'committed',
      '--key',
      'k{{$seq}}',
      '--value',
      'v{{$seq}}',
      '--count',
      '5',
      '--transactional-id',
      'cli-commit',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sent 5 records to committed: 5 acked, 0 failed$/m);
    assert.match(
      r.stdout,
      /^transaction 'cli-commit' \(coordinator: broker \d\): committed; commit markers written into committed-\d/m,
    );
    if (hasKcat) assert.deepEqual(await kcatValues(sandbox, 'committed'), ['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('--abort aborts the transaction after the records were acknowledged: read_committed consumers see none, exit 0', async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'aborted',
      '--value',
      'x{{$seq}}',
      '--count',
      '4',
      '--transactional-id',
      'cli-abort',
      '--abort',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = recordLines(r.stdout);
    assert.equal(lines.length, 5, 'four records and the transaction');
    // Lines are printed as records are acknowledged: each names its transaction; the last line says how it ended.
    assert.ok(
      lines
        .slice(0, 4)
        .every(
          (l) =>
            l.error === undefined &&
            l.trace.some(
              (e: { type: string; transactionalId?: string }) =>
                e.type === 'transaction' && e.transactionalId === 'cli-abort',
            ),
        ),
      "each record's trace names its transaction",
    );
    assert.equal(lines[4].transaction.outcome, 'aborted');
    assert.equal(lines[4].transaction.records, 4);
    if (hasKcat) assert.deepEqual(await kcatValues(sandbox, 'aborted'), []);
  });

  it('aborts instead of committing when a record fails, and says why (exit 1)', async () => {
    sandbox.addFault({ api: 'Produce', topic: 'fails', errorCode: 87, count: 1 });
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'fails',
      '--value',
      'y',
      '--count',
      '1',
      '--transactional-id',
      'cli-fail',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /transaction 'cli-fail'.*aborted because 1 record\(s\) failed, and a transaction commits all of its records or none/,
    );
  });

  it('refuses bad combinations before connecting, naming the flag', async () => {
    const abortAlone = await runCli(['send', '--bootstrap', '127.0.0.1:1', '--topic', 't', '--value', 'v', '--abort']);
    assert.equal(abortAlone.status, 2);
    assert.match(abortAlone.stderr, /--abort needs --transactional-id ID/);
    const acks = await runCli([
      'send',
      '--bootstrap',
      '127.0.0.1:1',
      '--topic',
      't',
      '--value',
      'v',
      '--transactional-id',
      'x',
      '--acks',
      '1',
    ]);
    assert.equal(acks.status, 2);
    assert.match(acks.stderr, /--transactional-id needs --acks all/);
    const noIdem = await runCli([
      'send',
      '--bootstrap',
      '127.0.0.1:1',
      '--topic',
      't',
      '--value',
      'v',
      '--transactional-id',
      'x',
      '--idempotence',
      'false',
    ]);
    assert.match(noIdem.stderr, /--transactional-id needs idempotence/);
  });
});

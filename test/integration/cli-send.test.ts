/**
 * `kafka-workbench send` as a user runs it: the bundled CLI in a child process, against a sandbox in this process.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { murmur2Partition } from './sandbox-helpers';
import { consumeAll } from './engine-helpers';
import { recordLines, runCli, startCli } from './cli-helpers';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, env);

describe('cli send', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 4,
      autoCreateTopics: false,
      topics: [
        { name: 'cli', partitions: 4 },
        { name: 'fails', partitions: 1 },
      ],
    });
  });

  after(async () => {
    await sandbox.stop();
  });

  afterEach(() => sandbox.clearFaults());

  it('prints one JSON line per record in send order, with placement, offsets and the trace, and exits 0', async () => {
    const r = await cli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'cli',
      '--key',
      'user-{{$seq}}',
      '--value',
      'order {{$seq}}',
      '--count',
      '6',
      '--json',
      '--header',
      'src=test',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = recordLines(r.stdout);
    assert.equal(lines.length, 6);
    const offsets = new Map<number, number[]>();
    lines.forEach((line, i) => {
      assert.equal(line.topic, 'cli');
      assert.equal(line.key, `user-${i}`);
      assert.equal(line.partition, murmur2Partition(`user-${i}`, 4), 'the Java client would put it there');
      assert.equal(line.partitionReason.type, 'key-hash');
      assert.equal(line.attempts, 1);
      assert.equal(typeof line.batchId, 'string');
      assert.equal(line.error, undefined);
      assert.ok(Array.isArray(line.trace) && line.trace.length > 0);
      assert.equal(line.trace[line.trace.length - 1].type, 'acked');
      offsets.set(line.partition, [...(offsets.get(line.partition) ?? []), line.offset]);
    });
    // Offsets within each partition are consecutive from where the partition was.
    for (const list of offsets.values()) for (let i = 1; i < list.length; i++) assert.equal(list[i], list[i - 1] + 1);
    const stored = await consumeAll(sandbox, 'cli', 6);
    assert.deepEqual(stored.map((s) => s.value).sort(), Array.from({ length: 6 }, (_, i) => `order ${i}`).sort());
  });

  it('prints a summary with partitions, offset ranges and latency percentiles without --json', async () => {
    const r = await cli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'cli',
      '--partition',
      '2',
      '--value',
      'x',
      '--count',
      '5',
      '--mode',
      'sync',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^sent 5 records to cli: 5 acked, 0 failed$/m);
    assert.match(out, /^partitions: 2 \(5, offsets \d+-\d+\)$/m);
    assert.match(out, /^latency: p50 [\d.]+ ms, p99 [\d.]+ ms$/m);
  });

  it('reads the value from a file and replaces {{$seq}} in it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wb-send-')), 'value.json');
    fs.writeFileSync(file, '{"n": {{$seq}}}');
    const r = await cli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'cli',
      '--partition',
      '3',
      '--value-file',
      file,
      '--count',
      '2',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = recordLines(r.stdout);
    const stored = await consumeAll(sandbox, 'cli', 1, 5000);
    const values = stored
      .filter((s) => s.partition === 3 && lines.some((l) => l.offset === s.offset))
      .map((s) => s.value);
    assert.deepEqual(values, ['{"n": 0}', '{"n": 1}']);
  });

  it('exits 1 and lists the failed records with their errors when the broker refuses them', async () => {
    sandbox.addFault({ api: 'Produce', topic: 'fails', errorCode: 87, count: 50 }); // INVALID_RECORD: not retriable
    const r = await cli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'fails', '--value', 'v', '--count', '3']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /3 failed/);
    const failedLines = r.stderr.split('\n').filter((l) => l.startsWith('failed: record'));
    assert.equal(failedLines.length, 3, r.stderr);
    assert.match(failedLines[0], /INVALID_RECORD \(87\) from the broker/);
    assert.doesNotMatch(failedLines[0], /INVALID_RECORD: INVALID_RECORD/, 'the error name once');
  });

  it('with --json marks failed records with their error and still exits 1', async () => {
    sandbox.addFault({ api: 'Produce', topic: 'fails', errorCode: 87, count: 50 });
    const r = await cli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'fails', '--value', 'v', '--json']);
    assert.equal(r.status, 1);
    const [line] = recordLines(r.stdout);
    assert.equal(line.error.name, 'INVALID_RECORD');
    assert.equal(line.offset, null);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} stops handing over, waits for what is in flight, prints a summary that agrees with what the cluster stored, and exits non-zero`, async () => {
      sandbox.createTopic(`stop-${signal}`, 3);
      // Slow answers, so the run is still going when the signal comes.
      sandbox.addFault({ api: 'Produce', topic: `stop-${signal}`, latencyMs: 150, count: 1_000_000 });
      const run = await startCli([
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        `stop-${signal}`,
        '--value',
        'v{{$seq}}',
        '--count',
        '100000',
        '--linger-ms',
        '20',
        '--batch-size',
        '4096',
        '--buffer-memory',
        '65536',
      ]);
      await run.waitForStderr(/send: [\d,]+\/100,000 done, [1-9][\d,]* acked/);
      run.child.kill(signal);
      const r = await run.done;
      assert.equal(r.status, signal === 'SIGINT' ? 130 : 143, r.stderr);
      const summary =
        /send: stopped by (SIG\w+): (\d+) of 100000 records handed over, (\d+) acknowledged, (\d+) failed.*, (\d+) not sent/.exec(
          r.stderr,
        );
      assert.ok(summary, r.stderr);
      const [, by, handedOver, acked, failed, notSent] = summary.map(Number);
      assert.equal(summary[1], signal);
      void by;
      assert.equal(handedOver + notSent, 100000);
      assert.ok(notSent > 0, 'it stopped before the end');
      assert.equal(acked + failed, handedOver, 'every record handed over is accounted for');
      assert.equal(failed, 0, 'the records in flight were awaited, not dropped');
      sandbox.clearFaults();
      const stored = await consumeAll(sandbox, `stop-${signal}`, acked, 20_000);
      assert.equal(stored.length, acked, 'the cluster holds exactly the acknowledged records');
      assert.match(
        r.stdout,
        new RegExp(`^sent ${handedOver} records to stop-${signal}: ${acked} acked, 0 failed$`, 'm'),
      );
    });
  }

  it('with --json after SIGINT prints one line per record handed over, agreeing with the cluster', async () => {
    sandbox.createTopic('stop-json', 2);
    sandbox.addFault({ api: 'Produce', topic: 'stop-json', latencyMs: 100, count: 1_000_000 });
    const run = await startCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'stop-json',
      '--value',
      'v{{$seq}}',
      '--count',
      '50000',
      '--json',
      '--batch-size',
      '2048',
      '--buffer-memory',
      '32768',
    ]);
    await run.waitForStderr(/send: [\d,]+\/50,000 done, [1-9][\d,]* acked/);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.status, 130, r.stderr);
    const lines = recordLines(r.stdout);
    const handedOver = Number(/(\d+) of 50000 records handed over/.exec(r.stderr)?.[1]);
    assert.equal(lines.length, handedOver);
    const acked = lines.filter((l) => l.offset !== null);
    sandbox.clearFaults();
    const stored = await consumeAll(sandbox, 'stop-json', acked.length, 20_000);
    assert.deepEqual(
      stored.map((s) => `${s.partition}:${s.offset}`).sort(),
      acked.map((l) => `${l.partition}:${l.offset}`).sort(),
      'the lines name exactly the records the cluster stored',
    );
  });

  for (const [what, file] of [
    [
      'a --value-file bigger than max.request.size',
      () => {
        const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wb-send-')), 'big.bin');
        fs.writeFileSync(f, Buffer.alloc(3 * 1024 * 1024, 1));
        return f;
      },
    ],
    ['a device that never ends (/dev/zero)', () => '/dev/zero'],
  ] as const) {
    it(`refuses ${what} after reading at most max.request.size, naming the file and the limit`, async () => {
      const f = file();
      const r = await cli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'cli', '--value-file', f]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `--value-file '${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is larger than max\\.request\\.size \\(1048576 bytes\\)`,
        ),
      );
    });
  }

  const exit2Cases: [string, () => string[], RegExp][] = [
    ['a missing --topic', () => ['send', '--bootstrap', sandbox.bootstrap, '--value', 'v'], /--topic is required/],
    [
      'an unknown flag',
      () => ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'cli', '--value', 'v', '--colour', 'red'],
      /unknown option --colour/,
    ],
    [
      'a bad --acks',
      () => ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'cli', '--value', 'v', '--acks', '2'],
      /--acks must be all, 1 or 0/,
    ],
    [
      'a bad --count',
      () => ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'cli', '--value', 'v', '--count', 'lots'],
      /--count must be a whole number/,
    ],
    [
      'a header without =',
      () => ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'cli', '--value', 'v', '--header', 'novalue'],
      /--header 'novalue' must be key=value/,
    ],
    [
      'an unknown topic with auto-create off',
      () => ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'nope', '--value', 'v'],
      /topic 'nope' does not exist.*create it first/,
    ],
    [
      'a partition the topic lacks',
      () => ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'cli', '--value', 'v', '--partition', '9'],
      /--partition 9 does not exist/,
    ],
    [
      'an unreachable bootstrap',
      () => ['send', '--bootstrap', '127.0.0.1:1', '--topic', 'cli', '--value', 'v'],
      /cannot reach broker 127\.0\.0\.1:1: connection refused/,
    ],
    [
      'idempotence with acks=1',
      () => [
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        'cli',
        '--value',
        'v',
        '--acks',
        '1',
        '--idempotence',
        'true',
      ],
      /idempotence/,
    ],
    [
      'a producer setting refused before any connection',
      () => ['send', '--bootstrap', '127.0.0.1:1', '--topic', 'cli', '--value', 'v', '--delivery-timeout-ms', '2000'],
      /delivery\.timeout\.ms=2000/,
    ],
  ];
  for (const [what, args, message] of exit2Cases) {
    it(`exits 2 with one clear stderr line and no stack for ${what}`, async () => {
      const r = await cli(args());
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^kafka-workbench send: /);
      assert.match(lines[0], message);
    });
  }

  describe('against a SASL sandbox (SCRAM-SHA-256 and PLAIN on every broker)', () => {
    let secured: Sandbox;
    const sasl = (mechanism: string) => ['--sasl-mechanism', mechanism, '--sasl-username', 'alice'];

    before(async () => {
      secured = await startSandbox({
        brokers: 3,
        port: 0,
        controlPort: 0,
        partitions: 3,
        sasl: { users: [{ username: 'alice', password: 's3cret' }], mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
        topics: [{ name: 'cli', partitions: 3 }],
      });
    });

    after(async () => {
      await secured.stop();
    });

    it('sends with the password from KAFKA_WORKBENCH_SASL_PASSWORD, logging in on every broker, and exits 0', async () => {
      const r = await cli(
        [
          'send',
          '--bootstrap',
          secured.bootstrap,
          '--topic',
          'cli',
          '--key',
          'k{{$seq}}',
          '--value',
          'v',
          '--count',
          '12',
          '--json',
          ...sasl('scram-sha-256'),
        ],
        { KAFKA_WORKBENCH_SASL_PASSWORD: 's3cret' },
      );
      assert.equal(r.status, 0, r.stderr);
      const lines = recordLines(r.stdout);
      assert.equal(lines.length, 12);
      assert.ok(lines.every((l) => l.error === undefined && l.offset >= 0));
      assert.deepEqual([...new Set(lines.map((l) => l.partition))].sort(), [0, 1, 2]);
      const security = secured.state().security;
      assert.deepEqual(
        Object.keys(security.sasl!.byBroker).sort(),
        ['1', '2', '3'],
        'the CLI logged in on each broker it produced to',
      );
    });

    it('exits 2 with one clear stderr line when the SASL login is refused', async () => {
      const r = await cli(
        ['send', '--bootstrap', secured.bootstrap, '--topic', 'cli', '--value', 'v', ...sasl('plain')],
        { KAFKA_WORKBENCH_SASL_PASSWORD: 'wrong' },
      );
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0],
        /^kafka-workbench send: SASL login to 127\.0\.0\.1:\d+ was refused: .*Invalid username or password/,
      );
      assert.ok(!r.stderr.includes('wrong'), 'the password is not echoed');
    });

    it('exits 2 naming authentication when the mechanism is not enabled on the sandbox', async () => {
      const r = await cli(
        ['send', '--bootstrap', secured.bootstrap, '--topic', 'cli', '--value', 'v', ...sasl('scram-sha-512')],
        { KAFKA_WORKBENCH_SASL_PASSWORD: 's3cret' },
      );
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /SASL login to .* was refused/);
    });
  });

  it('shows the stack of such an error only with --verbose', async () => {
    const r = await cli(['send', '--verbose', '--bootstrap', '127.0.0.1:1', '--topic', 'cli', '--value', 'v']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\n\s+at /);
  });
});

import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { requireTool } from '../tools';
import { runCli, startCli } from './cli-helpers';
import { kcat } from './kcat-helpers';
import { kafkaFor } from './sandbox-helpers';

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('CLI consume against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      topics: [
        { name: 'codecs', partitions: 3 },
        { name: 'empty', partitions: 2 },
        { name: 'bin', partitions: 1 },
        { name: 'times', partitions: 1 },
        { name: 'tail', partitions: 1 },
      ],
    });
  });
  after(() => sandbox?.stop());

  it('reads what the engine sent in every codec, with headers and timestamps, exactly as kcat -C reads it', async () => {
    requireTool('kcat', ['-V'], 'kcat');
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const r = await runCli([
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        'codecs',
        '--key',
        `${codec}-{{$seq}}`,
        '--value',
        `value ${codec} {{$seq}}`,
        '--count',
        '4',
        '--compression',
        codec,
        '--header',
        `codec=${codec}`,
        '--header',
        'n=1',
      ]);
      assert.equal(r.status, 0, r.stderr);
    }
    const ours = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'codecs',
      '--count',
      '20',
      '--json',
      '--timeout-ms',
      '20000',
    ]);
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = await kcat(['-b', sandbox.bootstrap, '-C', '-t', 'codecs', '-e', '-q', '-J']);
    assert.equal(theirs.code, 0, theirs.err);
    const sortKey = (r: { partition: unknown; offset: unknown }) =>
      `${r.partition}/${String(r.offset).padStart(6, '0')}`;
    const got = jsonLines(ours.stdout)
      .map((r) => ({
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        timestampType: r.timestampType,
        key: r.key,
        value: r.value,
        headers: (r.headers as { key: string; value: string }[]).flatMap((h) => [h.key, h.value]),
      }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const want = jsonLines(theirs.out)
      .map((r) => ({
        partition: r.partition,
        offset: r.offset,
        timestamp: r.ts,
        timestampType: r.tstype === 'create' ? 'CreateTime' : r.tstype,
        key: r.key,
        value: r.payload,
        headers: r.headers,
      }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    assert.equal(got.length, 20);
    assert.deepEqual(got, want);
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      assert.deepEqual(
        got
          .filter((r) => (r.key as string).startsWith(codec))
          .map((r) => r.value)
          .sort(),
        [0, 1, 2, 3].map((i) => `value ${codec} ${i}`),
        codec,
      );
    }
  });

  it('prints bytes that are not UTF-8 as base64 with a marker, and null keys as null', async () => {
    const { kafka } = kafkaFor(sandbox);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'bin',
      messages: [
        { key: null, value: Buffer.from([0xff, 0xfe, 0x00, 0x01]), headers: { raw: Buffer.from([0xc3, 0x28]) } },
      ],
    });
    await producer.disconnect();
    const r = await runCli(['consume', '--bootstrap', sandbox.bootstrap, '--topic', 'bin', '--count', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const [line] = jsonLines(r.stdout);
    assert.equal(line!.key, null);
    assert.deepEqual(line!.value, { base64: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64') });
    assert.deepEqual(line!.headers, [{ key: 'raw', value: { base64: 'wyg=' } }]);
    const text = await runCli(['consume', '--bootstrap', sandbox.bootstrap, '--topic', 'bin', '--count', '1']);
    assert.equal(text.stdout, `0/0\t(null)\tbase64:${Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64')}\n`);
  });

  it('starts at an offset, or at the first record at or after a timestamp', async () => {
    const { kafka } = kafkaFor(sandbox);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'times',
      messages: [1000, 2000, 3000, 4000].map((t) => ({ value: `at-${t}`, timestamp: String(1_700_000_000_000 + t) })),
    });
    await producer.disconnect();
    const byTime = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'times',
      '--offset',
      `@${1_700_000_002_500}`,
      '--count',
      '2',
      '--json',
    ]);
    assert.equal(byTime.status, 0, byTime.stderr);
    assert.deepEqual(
      jsonLines(byTime.stdout).map((r) => [r.offset, r.value, r.timestamp]),
      [
        [2, 'at-3000', 1_700_000_003_000],
        [3, 'at-4000', 1_700_000_004_000],
      ],
    );
    const iso = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'times',
      '--offset',
      `@${new Date(1_700_000_003_500).toISOString()}`,
      '--count',
      '1',
      '--json',
    ]);
    assert.deepEqual(
      jsonLines(iso.stdout).map((r) => r.value),
      ['at-4000'],
    );
    const byOffset = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'times',
      '--partition',
      '0',
      '--offset',
      '1',
      '--count',
      '1',
      '--json',
    ]);
    assert.deepEqual(
      jsonLines(byOffset.stdout).map((r) => r.value),
      ['at-2000'],
    );
  });

  it('from latest, prints the records sent after it started', async () => {
    const run = await startCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'tail',
      '--offset',
      'latest',
      '--count',
      '2',
      '--json',
      '--timeout-ms',
      '30000',
      '--verbose',
    ]);
    await run.waitForStderr(/consume: tail from latest/);
    const send = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'tail',
      '--value',
      'new-{{$seq}}',
      '--count',
      '2',
    ]);
    assert.equal(send.status, 0, send.stderr);
    const done = await run.done;
    assert.equal(done.status, 0, done.stderr);
    assert.deepEqual(
      jsonLines(done.stdout).map((r) => r.value),
      ['new-0', 'new-1'],
    );
    assert.match(
      done.stderr,
      /Fetch \(read_uncommitted\) to broker \d+ \(127\.0\.0\.1:\d+\), [\d.]+ ms: tail-0 \d+->\d+/,
      'the verbose trace names broker, offsets and duration',
    );
  });

  it('refuses a topic, partition, offset or timestamp that cannot be read, saying what is valid', async () => {
    const cases: [string[], RegExp][] = [
      [['--topic', 'nope'], /topic 'nope' does not exist; the cluster has .*'codecs'/],
      [['--topic', 'empty', '--partition', '5'], /topic 'empty' has no partition 5: its partitions are 0, 1/],
      [['--topic', 'times', '--offset', '99'], /offset 99 is out of range: times-0 has offsets 0 to 3/],
      [
        ['--topic', 'times', '--offset', '@2999-01-01T00:00:00Z'],
        /timestamp 2999-01-01T00:00:00.000Z is in the future/,
      ],
      [['--topic', 'times', '--offset', 'soon'], /offset 'soon' is not valid: use earliest, latest/],
      [['--topic', 'times', '--isolation', 'committed'], /--isolation must be read_uncommitted or read_committed/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['consume', '--bootstrap', sandbox.bootstrap, '--timeout-ms', '10000', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  it('stops at --timeout-ms with fewer than --count records: exit 1, saying how many arrived', async () => {
    const r = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'empty',
      '--count',
      '3',
      '--timeout-ms',
      '1500',
      '--isolation',
      'read_committed',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /read 0 of 3 records within --timeout-ms 1500/);
  });

  it('gives up at its timeout when the cluster goes away mid-read, and says so', async () => {
    const own = await startSandbox({ port: 0, controlPort: 0, brokers: 1, topics: [{ name: 'gone', partitions: 1 }] });
    const run = await startCli([
      'consume',
      '--bootstrap',
      own.bootstrap,
      '--topic',
      'gone',
      '--count',
      '5',
      '--timeout-ms',
      '4000',
      '--verbose',
    ]);
    await run.waitForStderr(/\[read\] Fetch/);
    await own.stop();
    const done = await run.done;
    assert.equal(done.status, 1, done.stderr);
    assert.match(
      done.stderr,
      /read 0 of 5 records within --timeout-ms 4000; the cluster was not answering: .*127\.0\.0\.1/,
    );
  });

  it('says when no broker answered within the timeout', async () => {
    const r = await runCli(['consume', '--bootstrap', '127.0.0.1:1', '--topic', 'x', '--timeout-ms', '2000']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot reach broker 127\.0\.0\.1:1/);
  });
});

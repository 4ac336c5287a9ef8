import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { cliInProcess, jsonLines, runCli } from './cli-helpers';
import { consumeAll } from './engine-helpers';

const fixture = path.join(__dirname, '../fixtures/collections/orders.kafka.json');

const cli = cliInProcess;

describe('run CLI against the sandbox', function () {
  this.timeout(60000);
  let sandbox: Sandbox;
  let dir: string;

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, brokers: 3, partitions: 3, autoCreateTopics: true });
    // These runs name their cluster; a shell in VS Code would otherwise hand them the Local sandbox's address.
    delete process.env.KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP;
  });
  after(async () => {
    await sandbox?.stop();
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-run-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('pretty: reports every message with partitions, offsets and latency, and exits 0 when all are acked', async () => {
    const r = await cli(['run', fixture, '--bootstrap', sandbox.bootstrap, '--seed', '7']);
    assert.equal(r.code, 0, r.err);
    for (const name of ['new order', 'from jsonl', 'from csv', 'record lines']) {
      assert.match(r.out, new RegExp(`ok   ${name} -> orders: sent \\d+, acked \\d+, failed 0`));
    }
    assert.match(
      r.out,
      /sent 3, acked 3, failed 0\n {5}partitions [\d, ]+; offsets (p\d@\d+(\.\.\d+)? ?)+; latency p50 \d+ ms, p99 \d+ ms/,
    );
    assert.match(r.out, /Orders: 4 messages, 11 records sent, 11 acked, 0 failed in \d+ ms: all acknowledged/);
  });

  it('json: writes one object per record with offset, partition reason and the delivery trace', async () => {
    const out = path.join(dir, 'report.jsonl');
    const r = await cli([
      'run',
      fixture,
      '--bootstrap',
      sandbox.bootstrap,
      '--reporter',
      'json',
      '--out',
      out,
      '--message',
      'new order',
      '--message',
      'from csv',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Orders: 6 sent, 6 acked, 0 failed; report written to /);
    const lines = jsonLines(await fs.readFile(out, 'utf8'));
    assert.equal(lines.length, 6);
    assert.deepEqual([...new Set(lines.map((l) => l.message))].sort(), ['from csv', 'new order']);
    const csvPinned = lines.find((l) => l.message === 'from csv' && l.seq === 0); // the first line: the same number as its {{$seq}}
    assert.equal(csvPinned.partition, 1);
    assert.equal(csvPinned.partitionReason.type, 'explicit');
    for (const l of lines) {
      assert.equal(l.status, 'acked');
      assert.ok(Number.isInteger(l.offset) && l.offset >= 0);
      const types = l.trace.map((e: { type: string }) => e.type);
      assert.ok(types.includes('composed') && types.includes('acked'), types.join(','));
    }
  });

  it('junit: one testcase per message, a failure for a message whose records were refused, exit 1', async () => {
    const file = path.join(dir, 'bad-partition.kafka.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        name: 'Mixed',
        messages: [
          { name: 'good', topic: 'orders', value: 'fine', count: 2 },
          { name: 'bad partition', topic: 'orders', value: 'x', partition: 9 },
        ],
      }),
    );
    const out = path.join(dir, 'junit.xml');
    const r = await cli(['run', file, '--bootstrap', sandbox.bootstrap, '--reporter', 'junit', '--out', out]);
    assert.equal(r.code, 1);
    const xml = await fs.readFile(out, 'utf8');
    assert.match(xml, /<testsuite name="Mixed" tests="2" failures="1" errors="0" skipped="0"/);
    assert.match(
      xml,
      /<testcase classname="Mixed" name="good" time="[\d.]+">\n {6}<system-out>topic orders; sent 2, acked 2, failed 0/,
    );
    assert.match(
      xml,
      /<testcase classname="Mixed" name="bad partition" time="[\d.]+">\n {6}<failure message="1 of 1 records failed" type="DeliveryError">[^<]*partition/i,
    );
  });

  it('--bail stops at the first failed record and marks the rest as not run', async () => {
    const file = path.join(dir, 'bail.kafka.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        name: 'Bail',
        messages: [
          { name: 'bad', topic: 'orders', value: 'x', partition: 9 },
          { name: 'after', topic: 'orders', value: 'y' },
        ],
      }),
    );
    const out = path.join(dir, 'junit.xml');
    const r = await cli(['run', file, '--bootstrap', sandbox.bootstrap, '--reporter', 'junit', '--out', out, '--bail']);
    assert.equal(r.code, 1);
    assert.match(
      await fs.readFile(out, 'utf8'),
      /name="after" time="0.000">\n {6}<skipped message="not run: the run stopped before this message"\/>/,
    );
  });

  it('bad files and arguments: one clear line on stderr and exit 2, nothing sent', async () => {
    const broken = path.join(dir, 'broken.kafka.json');
    await fs.writeFile(broken, '{"name":"x","messages":[{"name":"a","topic":"orders","count":"ten"}]}');
    const cases: [string[], RegExp][] = [
      [
        ['run', broken, '--bootstrap', sandbox.bootstrap],
        /^kafka-workbench run: broken\.kafka\.json:1:62: messages\[0\]\.count: must be a whole number ≥ 1 \(got "ten"\)\n$/,
      ],
      [['run', fixture, '--bootstrap', sandbox.bootstrap, '--message', 'nope'], /has no message named "nope"/],
      [
        ['run', fixture, '--bootstrap', sandbox.bootstrap, '--reporter', 'xml'],
        /--reporter must be one of pretty, json, junit, html, got 'xml'\n$/,
      ],
      [['run', fixture], /no cluster to send to: pass --bootstrap HOST:PORT or --env FILE\.kafka-env\.json\n$/],
      [
        ['run', path.join(dir, 'missing.kafka.json'), '--bootstrap', sandbox.bootstrap],
        /collection file .*missing\.kafka\.json not found\n$/,
      ],
      [['run', fixture, '--bootstrap', sandbox.bootstrap, '--var', 'oops'], /--var must be NAME=VALUE/],
    ];
    for (const [args, expected] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, expected);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.equal(r.out, '');
    }
  });

  it('checks the input before the cluster and before --out: a bad run keeps the old report, a wrong name needs no cluster', async () => {
    const report = path.join(dir, 'report.xml');
    await fs.writeFile(report, '<testsuites/>\n');
    const bad = path.join(dir, 'bad.kafka.json');
    await fs.writeFile(
      bad,
      JSON.stringify({ name: 'x', messages: [{ name: 'a', topic: 'orders', value: '{{nope}}' }] }),
    );
    let r = await cli(['run', bad, '--bootstrap', sandbox.bootstrap, '--reporter', 'junit', '--out', report]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown variable \{\{nope\}\}/);
    assert.equal(await fs.readFile(report, 'utf8'), '<testsuites/>\n', 'the previous report is untouched');
    r = await cli(['run', fixture, '--bootstrap', '127.0.0.1:1', '--message', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.err, /has no message named "nope"/, 'named before any connection is tried');
    // --out never replaces what the run reads.
    const data = path.join(dir, 'victim.jsonl');
    await fs.writeFile(data, '{"v":1}\n{"v":2}\n');
    const reads = path.join(dir, 'reads.kafka.json');
    await fs.writeFile(
      reads,
      JSON.stringify({ name: 'r', messages: [{ name: 'm', topic: 'orders', value: { file: 'victim.jsonl' } }] }),
    );
    for (const [target, what] of [
      [data, 'data file'],
      [reads, 'collection'],
    ]) {
      r = await cli(['run', reads, '--bootstrap', sandbox.bootstrap, '--out', target]);
      assert.equal(r.code, 2);
      assert.match(r.err, new RegExp(`--out .* is the run's ${what}; write the report to another file`));
    }
    assert.equal(await fs.readFile(data, 'utf8'), '{"v":1}\n{"v":2}\n');
    r = await cli(['run', fixture, '--bootstrap', sandbox.bootstrap, '--env=']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--env needs a value, got an empty one/);
    r = await cli([
      'run',
      fixture,
      '--bootstrap',
      sandbox.bootstrap,
      '--out',
      path.join(dir, 'no-such-folder', 'r.xml'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot write --out .*r\.xml: its folder does not exist/);
    r = await cli(['run', fixture, '--bootstrap', sandbox.bootstrap, '--bail=false']);
    assert.equal(r.code, 2);
    assert.match(r.err, /option --bail takes no value/);
  });

  it('refuses a CSV of key,partition rows (they went out as tombstones with exit 0) with exit 2, naming the columns, and sends nothing', async () => {
    await fs.writeFile(path.join(dir, 'deletes.csv'), 'key,partition\nk1,0\nk2,1\n');
    const coll = path.join(dir, 'csv.kafka.json');
    await fs.writeFile(
      coll,
      JSON.stringify({
        name: 'C',
        messages: [
          { name: 'first', topic: 'csv-first', value: 'sent before the CSV message, if anything were' },
          { name: 'deletes', topic: 'csv-tombstones', value: { file: 'deletes.csv' } },
        ],
      }),
    );
    const r = await cli(['run', coll, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /deletes\.csv:1: no "value" column \(the columns are "key", "partition"\); a CSV needs a value column/,
    );
    const stored = (sandbox.state().topics as { name: string; partitions: { highWatermark: number }[] }[])
      .filter((t) => t.name.startsWith('csv-'))
      .flatMap((t) => t.partitions)
      .reduce((n, p) => n + p.highWatermark, 0);
    assert.equal(stored, 0, 'no record of any message was sent');
  });

  it('refuses a value its variables expand to 10 GB with exit 2 before sending, naming file, message and variable (it ended after 112 s and 3.3 GB with "Invalid string length")', async () => {
    const variables: Record<string, string> = { v9: 'x'.repeat(10) };
    for (let i = 8; i >= 0; i--) variables[`v${i}`] = `{{v${i + 1}}}`.repeat(10);
    const coll = path.join(dir, 'bomb.kafka.json');
    await fs.writeFile(
      coll,
      JSON.stringify(
        {
          name: 'Bomb',
          variables,
          messages: [
            { name: 'first', topic: 'bomb', value: 'fine' },
            { name: 'bomb', topic: 'bomb', value: '{{v0}}' },
          ],
        },
        null,
        2,
      ),
    );
    const r = await runCli(['run', coll, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^kafka-workbench run: bomb\.kafka\.json:\d+:\d+: message "bomb" messages\[1\]\.value: the value would be longer than max\.request\.size \(1,048,576 bytes\) once \{\{v0\}\} is expanded \(through \{\{v1\}\} -> /,
    );
    assert.equal(
      (sandbox.state().topics as { name: string }[]).some((t) => t.name === 'bomb'),
      false,
      'nothing was sent, not even the first message',
    );
  });

  it('checks a topic named through a variable up front, like a literal one', async () => {
    const strict = await startSandbox({ port: 0, controlPort: 0, brokers: 1, autoCreateTopics: false });
    try {
      const coll = path.join(dir, 'var-topic.kafka.json');
      await fs.writeFile(coll, JSON.stringify({ name: 'v', messages: [{ name: 'm', topic: '{{t}}', value: 'x' }] }));
      const started = Date.now();
      const r = await cli(['run', coll, '--bootstrap', strict.bootstrap, '--var', 't=not-there']);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /topic 'not-there' does not exist/);
      assert.ok(Date.now() - started < 20_000, 'fails at once, not after max.block.ms');
    } finally {
      await strict.stop();
    }
  });

  it('takes the connection and variables from an environment file, with secrets from KAFKA_WORKBENCH_SECRET_*', async () => {
    const env = path.join(dir, 'local.kafka-env.json');
    await fs.writeFile(
      env,
      JSON.stringify({ connection: { bootstrap: sandbox.bootstrap.split(',') }, variables: { who: 'env' } }),
    );
    const coll = path.join(dir, 'env.kafka.json');
    await fs.writeFile(
      coll,
      JSON.stringify({
        name: 'Env',
        messages: [{ name: 'm', topic: 'orders', value: '{{who}}:{{$secret:token}}:{{build}}' }],
      }),
    );
    const out = path.join(dir, 'r.jsonl');
    process.env.KAFKA_WORKBENCH_SECRET_TOKEN = 'tok';
    try {
      const r = await cli(['run', coll, '--env', env, '--var', 'build=9', '--reporter', 'json', '--out', out]);
      assert.equal(r.code, 0, r.err);
      const [line] = jsonLines(await fs.readFile(out, 'utf8'));
      assert.equal(line.serializedValueSize, 'env:tok:9'.length);
    } finally {
      delete process.env.KAFKA_WORKBENCH_SECRET_TOKEN;
    }
  });

  it('keeps sending when its reader stops reading (| head): every record delivered, exit 0, no crash', async () => {
    const coll = path.join(dir, 'many.kafka.json');
    await fs.writeFile(
      coll,
      JSON.stringify({ name: 'Many', messages: [{ name: 'm', topic: 'piped', value: 'v{{$seq}}', count: 3000 }] }),
    );
    const r = await runCli(
      ['run', coll, '--bootstrap', sandbox.bootstrap, '--reporter', 'json'],
      {},
      { closeStdoutEarly: true },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
    assert.ok(r.stdout.split('\n').length < 3000, 'the reader went away before the end of the report');
    assert.equal((await consumeAll(sandbox, 'piped', 3000)).length, 3000);
  });
});

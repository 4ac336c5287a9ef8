/**
 * Topics the CLI's `send` and `run` create: the broker may auto-create a missing topic (as with Java's producer), and
 * stderr names every topic a run created; --no-create-topics refuses instead and creates nothing.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { runCli } from './cli-helpers';

describe('cli: topics a run creates', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let dir: string;
  const topicNames = () => sandbox.state().topics.map((t) => t.name);

  before(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 3,
      autoCreateTopics: true,
      topics: [{ name: 'exists', partitions: 3 }],
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-topics-'));
  });
  after(async () => {
    await sandbox.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const collection = async (name: string, topic: string, count = 1) => {
    const file = path.join(dir, `${name}.kafka.json`);
    await fs.writeFile(file, JSON.stringify({ name, messages: [{ name: 'm', topic, value: 'v{{$seq}}', count }] }));
    return file;
  };

  it('send: says on stderr that the broker created a missing topic, and sends to it', async () => {
    const r = await runCli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'send-typo', '--value', 'v']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /send: the broker created topic 'send-typo' for this run \(auto\.create\.topics\.enable\); pass --no-create-topics to refuse/,
    );
    assert.ok(topicNames().includes('send-typo'));
    const again = await runCli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'exists', '--value', 'v']);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /created/, 'nothing is said when nothing was created');
  });

  it('send --no-create-topics: refuses a missing topic with exit 2, and creates nothing', async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'send-refused',
      '--value',
      'v',
      '--no-create-topics',
    ]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /topic 'send-refused' does not exist and is not created: create it first, or leave out --no-create-topics/,
    );
    assert.ok(!topicNames().includes('send-refused'));
  });

  it('run: names the topics the broker created, fixed ones before sending and templated ones after', async () => {
    const fixed = await runCli(['run', await collection('fixed', 'run-new'), '--bootstrap', sandbox.bootstrap]);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stderr, /run: the broker created topic 'run-new' for this run/);
    const templated = await runCli([
      'run',
      await collection('templated', 'run-tpl-{{$seq}}', 2),
      '--bootstrap',
      sandbox.bootstrap,
    ]);
    assert.equal(templated.status, 0, templated.stderr);
    assert.match(
      templated.stderr,
      /run: the broker created topics '(run-tpl-0', 'run-tpl-1|run-tpl-1', 'run-tpl-0)' for this run/,
    );
    const none = await runCli(['run', await collection('existing', 'exists'), '--bootstrap', sandbox.bootstrap]);
    assert.equal(none.status, 0, none.stderr);
    assert.doesNotMatch(none.stderr, /created/);
  });

  it('run --no-create-topics: refuses before sending anything, and creates nothing', async () => {
    const r = await runCli([
      'run',
      await collection('refused', 'run-refused'),
      '--bootstrap',
      sandbox.bootstrap,
      '--no-create-topics',
    ]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /topic 'run-refused' does not exist and is not created: create it first, or leave out --no-create-topics/,
    );
    assert.ok(!topicNames().includes('run-refused'));
  });
});

describe("cli: the Local sandbox from the environment (VS Code's terminal, npm start)", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let dir: string;

  before(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 3,
      topics: [{ name: 'from-env', partitions: 3 }],
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-env-'));
  });
  after(async () => {
    await sandbox.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('run and send use KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP when given no cluster, and say so on stderr', async () => {
    const file = path.join(dir, 'c.kafka.json');
    await fs.writeFile(file, JSON.stringify({ name: 'C', messages: [{ name: 'm', topic: 'from-env', value: 'v' }] }));
    const env = { KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP: sandbox.bootstrap };
    const run = await runCli(['run', file], env);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(
      run.stderr.includes(
        `kafka-workbench run: no --bootstrap or --env given: sending to the Local sandbox at ${sandbox.bootstrap} (from KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP)`,
      ),
      run.stderr,
    );
    const send = await runCli(['send', '--topic', 'from-env', '--value', 'v'], env);
    assert.equal(send.status, 0, send.stderr);
    assert.ok(
      send.stderr.includes(
        `send: no --bootstrap given: sending to the Local sandbox at ${sandbox.bootstrap} (from KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP)`,
      ),
      send.stderr,
    );
    assert.equal(
      sandbox
        .state()
        .topics.find((t) => t.name === 'from-env')!
        .partitions.reduce((n, p) => n + p.highWatermark, 0),
      2,
    );
  });

  it('an explicit --bootstrap wins, and without either the error says where the address can come from', async () => {
    const dead = await runCli(['send', '--topic', 'from-env', '--value', 'v', '--bootstrap', '127.0.0.1:1'], {
      KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP: sandbox.bootstrap,
    });
    assert.equal(dead.status, 2, 'the dead address given was used, not the sandbox');
    assert.doesNotMatch(dead.stderr, /Local sandbox/);
    const none = await runCli(['send', '--topic', 'from-env', '--value', 'v']);
    assert.equal(none.status, 2);
    assert.match(
      none.stderr,
      /--bootstrap HOST:PORT\[,HOST:PORT\.\.\.\] is required \(or KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP/,
    );
  });
});

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { runCli } from './cli-helpers';
import { kafkaFor, startTopicService } from './sandbox-helpers';

/**
 * A service under test, as a user would have one: it reads `requests` and answers each on `replies` with the
 * request's correlation-id header, a JSON body built from the request, and a copy on `audit`.
 */
async function startReplyService(sandbox: Sandbox): Promise<{ stop(): Promise<void> }> {
  return startTopicService(sandbox, 'requests', async (message, producer) => {
    const id = message.headers?.['correlation-id'];
    const request = JSON.parse(message.value!.toString()) as { order: string; qty: number };
    await producer.send({
      topic: 'replies',
      messages: [
        {
          key: message.key,
          value: JSON.stringify({
            order: request.order,
            status: 'accepted',
            lines: [{ qty: request.qty }],
            at: Date.now(),
          }),
          headers: { 'correlation-id': id! },
        },
      ],
    });
    await producer.send({ topic: 'audit', messages: [{ value: `seen ${request.order}` }] });
  });
}

describe('collection expectations against a service on the sandbox', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let service: { stop(): Promise<void> };
  let dir: string;

  before(async () => {
    sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      brokers: 3,
      topics: [
        { name: 'requests', partitions: 2 },
        { name: 'replies', partitions: 3 },
        { name: 'audit', partitions: 1 },
        { name: 'silent', partitions: 1 },
      ],
    });
    service = await startReplyService(sandbox);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-expect-'));
  });
  after(async () => {
    await service?.stop();
    await sandbox?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function collection(name: string, expect: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
    const file = path.join(dir, `${name}.kafka.json`);
    const message = {
      name: 'place order',
      topic: 'requests',
      key: 'order-7',
      value: { order: 'o-7', qty: 3 },
      headers: [['correlation-id', '{{$uuid}}']],
      expect,
      ...extra,
    };
    await fs.writeFile(file, JSON.stringify({ name: 'Orders', messages: [message] }, null, 2));
    return file;
  }

  it('passes when the reply arrives: JSON subset, header correlation, key, regex; JUnit has one test case per expectation', async () => {
    const file = await collection('pass', [
      {
        name: 'reply',
        topic: 'replies',
        withinMs: 20000,
        correlate: { header: 'correlation-id' },
        key: 'order-7',
        value: { jsonSubset: { order: 'o-7', status: 'accepted', lines: [{ qty: 3 }] } },
      },
      { name: 'audit line', topic: 'audit', withinMs: 20000, value: { regex: '^seen o-\\d+$' } },
    ]);
    const pretty = await runCli(['run', file, '--bootstrap', sandbox.bootstrap]);
    assert.equal(pretty.status, 0, pretty.stdout + pretty.stderr);
    assert.match(pretty.stdout, /expect pass reply: replies-\d@\d+ after \d+ ms/);
    assert.match(pretty.stdout, /expect pass audit line: audit-0@\d+ after \d+ ms/);
    assert.match(pretty.stdout, /2 of 2 expectations met/);

    const junit = await runCli(['run', file, '--bootstrap', sandbox.bootstrap, '--reporter', 'junit']);
    assert.equal(junit.status, 0, junit.stderr);
    assert.match(junit.stdout, /tests="3" failures="0"/);
    assert.match(junit.stdout, /<testcase classname="Orders" name="place order expects reply"/);
    assert.match(junit.stdout, /<testcase classname="Orders" name="place order expects audit line"/);
  });

  it('fails with what it saw instead: exit 1, the mismatching records and why, a JUnit failure per unmet expectation', async () => {
    const file = await collection('fail', [
      {
        name: 'rejected',
        topic: 'replies',
        withinMs: 3000,
        correlate: { header: 'correlation-id' },
        value: { jsonSubset: { status: 'rejected' } },
      },
      { name: 'reply', topic: 'replies', withinMs: 20000, correlate: { header: 'correlation-id' } },
      { name: 'nothing', topic: 'silent', withinMs: 1000 },
    ]);
    const pretty = await runCli(['run', file, '--bootstrap', sandbox.bootstrap]);
    assert.equal(pretty.status, 1, pretty.stdout + pretty.stderr);
    assert.match(
      pretty.stdout,
      /expect FAIL rejected: none of the 1 record on 'replies' within 3000 ms matched; first: its value has \$\.status = "accepted", not "rejected"/,
    );
    assert.match(pretty.stdout, /saw replies-\d@\d+: its value has \$\.status = "accepted", not "rejected"/);
    assert.match(pretty.stdout, /expect pass reply/);
    assert.match(pretty.stdout, /expect FAIL nothing: no record arrived on 'silent' within 1000 ms/);
    assert.match(pretty.stdout, /1 of 3 expectations met in \d+ ms: 2 expectations NOT met/);

    const junit = await runCli(['run', file, '--bootstrap', sandbox.bootstrap, '--reporter', 'junit']);
    assert.equal(junit.status, 1);
    assert.match(junit.stdout, /tests="4" failures="2"/);
    assert.match(
      junit.stdout,
      /name="place order expects rejected"[^]*?<failure message="none of the 1 record on &apos;replies&apos;|name="place order expects rejected"[^]*?<failure message="none of the 1 record on 'replies'/,
    );
    assert.match(
      junit.stdout,
      /name="place order expects nothing"[^]*?<failure message="no record arrived on 'silent' within 1000 ms" type="ExpectationNotMet"/,
    );
  });

  it('only counts records written after the send: an earlier matching record does not pass', async () => {
    const { kafka } = kafkaFor(sandbox);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'silent', messages: [{ value: 'old news' }] });
    await producer.disconnect();
    const file = await collection('old', [
      { name: 'old', topic: 'silent', withinMs: 1000, value: { text: 'old news' } },
    ]);
    const r = await runCli(['run', file, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /expect FAIL old: no record arrived on 'silent' within 1000 ms/);
  });

  it('refuses a broken regular expression before anything is sent (exit 2), naming where it is', async () => {
    const before = sandbox
      .state()
      .topics.find((t) => t.name === 'requests')!
      .partitions.reduce((n, p) => n + (p as unknown as { highWatermark: number }).highWatermark, 0);
    const file = await collection('badregex', [{ topic: 'replies', value: { regex: '(unclosed' } }]);
    const r = await runCli(['run', file, '--bootstrap', sandbox.bootstrap]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /badregex\.kafka\.json:\d+:\d+: .*expect\[0\]\.value\.regex|expect.*regex.*"\(unclosed" is not a valid regular expression/,
    );
    const after = sandbox
      .state()
      .topics.find((t) => t.name === 'requests')!
      .partitions.reduce((n, p) => n + (p as unknown as { highWatermark: number }).highWatermark, 0);
    assert.equal(after, before, 'nothing was sent');
  });

  it('reports an expected topic that does not exist as a failed expectation that says so', async () => {
    const file = await collection('notopic', [{ name: 'ghost', topic: 'no-such-topic', withinMs: 1000 }]);
    const r = await runCli(['run', file, '--bootstrap', sandbox.bootstrap, '--reporter', 'json']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const line = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.expectation === 'ghost');
    assert.ok(line, r.stdout);
    assert.equal(line.status, 'failed');
    assert.match(String(line.reason), /cannot read topic 'no-such-topic': topic 'no-such-topic' does not exist/);
  });
});

/**
 * What `send` and `run` tell about the producer: `send --json`'s summary line with the Java metric names, and the
 * self-contained HTML reports (`send --report FILE.html`, `run --reporter html`), from real sends to the sandbox.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { storedCount } from './engine-helpers';
import { jsonLines, runCli } from './cli-helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wb-report-'));

describe('cli reports: metrics by Java names and HTML reports', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 3,
      autoCreateTopics: false,
      topics: [
        { name: 'rep', partitions: 3 },
        { name: 'rep-fails', partitions: 1 },
        { name: 'rep-none', partitions: 1 },
        { name: 'orders', partitions: 3 },
      ],
    });
  });

  after(() => sandbox.stop());
  afterEach(() => sandbox.clearFaults());

  it('ends send --json with a summary line whose metrics carry the Java names and agree with the records', async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'rep',
      '--key',
      'k{{$seq}}',
      '--value',
      'v{{$seq}}',
      '--count',
      '300',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.equal(lines.length, 301);
    const { summary } = lines[300];
    assert.deepEqual(
      [summary.topic, summary.sent, summary.acked, summary.failed, summary.notSent],
      ['rep', 300, 300, 0, 0],
    );
    const m = summary.metrics;
    assert.equal(m['record-send-total'], 300);
    assert.equal(m['record-error-total'], 0);
    assert.equal(m['record-retry-total'], 0);
    assert.ok(m['batch-size-avg'] > 0 && m['batch-size-avg'] <= m['batch-size-max']);
    assert.ok(m['records-per-request-avg'] >= 1);
    assert.ok(m['request-latency-avg'] > 0 && m['request-latency-avg'] <= m['request-latency-max']);
    assert.equal(m['buffer-available-bytes'], m['buffer-total-bytes'], 'nothing is held once every record settled');
    for (const name of [
      'record-send-rate',
      'record-retry-rate',
      'record-error-rate',
      'bufferpool-wait-ratio',
      'compression-rate-avg',
    ])
      assert.equal(typeof m[name], 'number', name);
    assert.ok(summary.latencyMs.p50 !== null && summary.latencyMs.p50 <= summary.latencyMs.p99);
    assert.deepEqual(summary.brokers.map((b: { brokerId: number }) => b.brokerId).sort(), [1, 2, 3]);
  });

  it('counts failed records in record-error-total and a retried one in record-retry-total', async () => {
    sandbox.addFault({ api: 'Produce', topic: 'rep-fails', errorCode: 87, count: 1 }); // INVALID_RECORD: not retriable
    const failed = JSON.parse(
      (
        await runCli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'rep-fails', '--value', 'v', '--json'])
      ).stdout
        .trim()
        .split('\n')
        .pop()!,
    ).summary;
    assert.deepEqual([failed.acked, failed.failed, failed.metrics['record-error-total']], [0, 1, 1]);
    sandbox.addFault({ api: 'Produce', topic: 'rep-fails', errorCode: 6, count: 1 }); // NOT_LEADER_OR_FOLLOWER: retried
    const retried = JSON.parse(
      (
        await runCli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'rep-fails', '--value', 'v', '--json'])
      ).stdout
        .trim()
        .split('\n')
        .pop()!,
    ).summary;
    assert.deepEqual(
      [retried.acked, retried.metrics['record-retry-total'], retried.metrics['record-send-total']],
      [1, 1, 2],
    );
  });

  it('prints the main producer metrics after the human summary', async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'rep',
      '--value',
      'v',
      '--count',
      '5',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^producer metrics: record-send-rate [\d.,]+\/s, batch-size-avg [\d,]+ B, records-per-request-avg [\d.]+, request-latency-avg [\d.]+ ms \(max [\d.]+\), record-retry-rate 0\/s, record-error-rate 0\/s, bufferpool-wait-ratio 0$/m,
    );
  });

  it('writes send --report FILE.html: charts, metrics and the waterfalls of the failed and slowest records, with no script', async () => {
    const file = path.join(tmp(), 'send.html');
    sandbox.addFault({ api: 'Produce', topic: 'rep', errorCode: 6, count: 1 });
    const ok = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'rep',
      '--key',
      'k{{$seq}}',
      '--value',
      'v',
      '--count',
      '500',
      '--report',
      file,
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    const html = fs.readFileSync(file, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<script|src=|href=/i, 'self-contained and inert');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
    for (const id of [
      'chart-throughput',
      'chart-latency',
      'chart-latency-histogram',
      'chart-batch-records',
      'chart-batch-bytes',
      'chart-close-reasons',
      'chart-brokers',
    ])
      assert.match(html, new RegExp(`<svg [^>]*id="${id}"`));
    assert.match(html, /aria-label="Records per second\. 500 acknowledged, 0 failed/);
    const metric = (name: string) =>
      Number(new RegExp(`<tr><th>${name}</th><td>([\\d,]+)</td></tr>`).exec(html)?.[1].replace(/,/g, ''));
    assert.ok(metric('record-retry-total') >= 1, 'the refused batch was retried');
    assert.equal(
      metric('record-send-total'),
      500 + metric('record-retry-total'),
      'records sent = records + retried records',
    );
    const slowest = html.slice(html.indexOf('<h2>Slowest records</h2>'));
    // One record per batch (a batch's records share its waterfall), the five slowest batches at most.
    const shown = (slowest.match(/<h3>/g) ?? []).length;
    assert.ok(shown >= 1 && shown <= 5, `${shown} slowest records`);
    assert.equal((slowest.match(/class="kw-chart waterfall"/g) ?? []).length, shown, 'each with its waterfall');
    assert.match(slowest, /<h3>record \d+ \(key k\d+\): [\d.]+ ms<\/h3>/);
    assert.match(slowest, />NOT_LEADER_OR_FOLLOWER</, 'the retried batch is among the slowest');
    assert.match(html, /<h2>Failed records<\/h2>\n<p class="muted">No record failed\.<\/p>/);
    // Kept for a look (npm run test:ui takes a screenshot of it).
    const results = path.resolve(__dirname, '../../test-results');
    fs.mkdirSync(results, { recursive: true });
    fs.copyFileSync(file, path.join(results, 'send-report.html'));
  });

  it('names failed records and their error in the HTML report', async () => {
    const file = path.join(tmp(), 'fails.html');
    sandbox.addFault({ api: 'Produce', topic: 'rep-fails', errorCode: 87, count: 10 });
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'rep-fails',
      '--value',
      '<b>v</b>',
      '--key',
      'x<y',
      '--count',
      '2',
      '--mode',
      'sync',
      '--report',
      file,
    ]);
    assert.equal(r.status, 1, r.stderr);
    const failed = fs
      .readFileSync(file, 'utf8')
      .split('<h2>Failed records</h2>')[1]
      .split('<h2>Slowest records</h2>')[0];
    assert.match(failed, /<h3>record 0 \(key x&lt;y\): [\d.]+ ms<\/h3><p class="error">INVALID_RECORD: /);
    assert.match(failed, /<h3>record 1 \(key x&lt;y\)/);
    assert.match(failed, /class="kw-chart waterfall"/);
    assert.match(failed, /<li>Attempt 1 → broker \d: .*INVALID_RECORD/);
  });

  it('run --reporter html --out FILE writes the collection run as the same self-contained report', async () => {
    const out = path.join(tmp(), 'run.html');
    const fixture = path.resolve(__dirname, '../fixtures/collections/orders.kafka.json');
    const r = await runCli([
      'run',
      fixture,
      '--bootstrap',
      sandbox.bootstrap,
      '--reporter',
      'html',
      '--out',
      out,
      '--seed',
      '3',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Orders: 11 sent, 11 acked, 0 failed; report written to /);
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /<title>kafka-workbench run Orders<\/title>/);
    assert.match(html, /<dt>message &quot;from csv&quot;<\/dt><dd>orders: \d+ sent, \d+ acknowledged, 0 failed/);
    assert.match(html, /aria-label="Records per second\. 11 acknowledged, 0 failed/);
    // Messages with different producer settings use producers of their own: each has its metrics table.
    const sent = [...html.matchAll(/<tr><th>record-send-total<\/th><td>(\d+)<\/td><\/tr>/g)].map((m) => Number(m[1]));
    assert.ok(sent.length >= 1);
    assert.equal(
      sent.reduce((a, b) => a + b, 0),
      11,
    );
    assert.match(
      html.slice(html.indexOf('<h2>Slowest records</h2>')),
      /<h3>[^<]+ #\d+: [\d.]+ ms<\/h3><svg [^>]*class="kw-chart waterfall"/,
    );
  });

  it('refuses a --report path it cannot write before sending anything (exit 2)', async () => {
    const dir = tmp();
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'rep-none',
      '--value',
      'v',
      '--report',
      dir,
    ]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      new RegExp(`cannot write --report '${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': .*nothing was sent`),
    );
    assert.equal(storedCount(sandbox, 'rep-none'), 0);
  });
});

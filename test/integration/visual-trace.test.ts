/**
 * The pictures of a delivery, from real sends to the sandbox: a record's waterfall after a refused attempt and after
 * a stopped leader, the batch's produce requests, and a bulk send's charts counted from the producer's bounded stats.
 */
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { RunWatch } from '../../extension/core/visual/run-watch';
import { recordWaterfall, requestSpans } from '../../extension/core/visual/waterfall';
import { runChartSet } from '../../webview/charts/run-charts';
import { toSvgString } from '../../webview/charts/svg';
import { waterfallChart } from '../../webview/charts/waterfall-chart';
import { engineFor, type EngineUnderTest } from './engine-helpers';

describe('visual trace (waterfall, batch requests, run charts) against the sandbox', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let engine: EngineUnderTest;

  beforeEach(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 3,
      replicationFactor: 3,
      electionDelayMs: 100,
      topics: [{ name: 'orders', partitions: 3 }],
    });
    engine = engineFor(sandbox, { 'retry.backoff.ms': 60, 'retry.backoff.max.ms': 60 });
  });

  afterEach(async () => {
    await engine.close();
    await sandbox.stop();
  });

  it('draws a refused attempt, its backoff and the attempt that succeeded, in order and to scale', async () => {
    await engine.producer.send({ topic: 'orders', key: 'k', value: 'warm-up' });
    sandbox.addFault({ api: 'Produce', topic: 'orders', errorCode: 6, count: 1 }); // NOT_LEADER_OR_FOLLOWER
    const { recordId, result } = engine.producer.submit({ topic: 'orders', key: 'k', value: 'retried' });
    await result;
    const trace = engine.producer.recordTrace(recordId)!;
    const batch = engine.producer.batchTrace(trace.batchId!)!;
    const w = recordWaterfall(trace, batch, Date.now());

    assert.equal(w.outcome, 'acked');
    assert.match(w.outcomeText, /^acked at offset \d+ after 2 attempt\(s\)/);
    // Metadata refreshes and a wait before the resend come and go with timing; the delivery's own phases do not.
    const main = w.bars.filter((b) => ['accumulator', 'attempt', 'backoff'].includes(b.phase));
    const phases = main.map((b) => `${b.phase}${b.outcome ? `:${b.outcome}` : ''}`);
    assert.deepEqual(phases, ['accumulator', 'attempt:retry', 'backoff:retry', 'attempt:ok']);
    const [acc, first, backoff, second] = main;
    assert.equal(first.note, 'NOT_LEADER_OR_FOLLOWER');
    assert.match(acc.detail, /closed: (linger\.ms expired|flushed)/);
    // To scale: each phase starts where (or after) the one before ended; the backoff lasts the configured 60 ms.
    assert.ok(
      acc.start >= 0 && first.start >= acc.end && backoff.start >= first.start && second.start >= backoff.end,
      JSON.stringify(w.bars),
    );
    assert.ok(backoff.end - backoff.start >= 30, `backoff of ${backoff.end - backoff.start} ms`);
    assert.ok(w.totalMs >= second.end);

    const spans = requestSpans(batch, Date.now());
    assert.deepEqual(
      spans.map((s) => [s.attempt, s.errorName ?? 'ok', s.retriable, s.records]),
      [
        [1, 'NOT_LEADER_OR_FOLLOWER', true, 1],
        [2, 'ok', false, 1],
      ],
    );

    const svg = toSvgString(waterfallChart(w));
    assert.equal((svg.match(/class="row focusable" tabindex="0" role="listitem"/g) ?? []).length, w.bars.length);
    assert.match(svg, />NOT_LEADER_OR_FOLLOWER</);
    assert.match(svg, /aria-label="Attempt 1 → broker \d+: [\d.]+ ms to [\d.]+ ms/);
  });

  it('draws the retry to another broker after the partition leader was stopped', async () => {
    const first = await engine.producer.send({ topic: 'orders', key: 'stop-me', value: 'first' });
    const leader = sandbox
      .state()
      .topics.find((t) => t.name === 'orders')!
      .partitions.find((p) => p.partition === first.partition)!.leader;
    await sandbox.stopBroker(leader);
    const { recordId, result } = engine.producer.submit({ topic: 'orders', key: 'stop-me', value: 'second' });
    await result;
    const trace = engine.producer.recordTrace(recordId)!;
    const w = recordWaterfall(trace, engine.producer.batchTrace(trace.batchId!), Date.now());
    const attempts = w.bars.filter((b) => b.phase === 'attempt');
    assert.equal(w.outcome, 'acked');
    assert.ok(attempts.length >= 2, `attempts: ${JSON.stringify(w.bars)}`);
    assert.equal(attempts[0].broker, leader);
    assert.notEqual(attempts[attempts.length - 1].broker, leader);
    assert.equal(attempts[attempts.length - 1].outcome, 'ok');
    assert.ok(
      attempts.slice(0, -1).every((a) => a.outcome === 'retry' || a.outcome === 'error'),
      JSON.stringify(attempts),
    );
  });

  it('charts a bulk send from the stats counted since it started, not the records before it', async () => {
    for (let i = 0; i < 10; i++) await engine.producer.send({ topic: 'orders', key: `before-${i}`, value: 'x' });
    const watch = new RunWatch(() => [engine.producer], Date.now());
    const sends = [];
    for (let i = 0; i < 2000; i++)
      sends.push(engine.producer.send({ topic: 'orders', key: `k-${i}`, value: `value ${i}` }));
    await Promise.all(sends);
    const c = watch.sample(false);

    assert.equal(c.live, false);
    assert.equal(
      c.intervals.reduce((n, iv) => n + iv.acked, 0),
      2000,
    );
    assert.equal(
      c.intervals.reduce((n, iv) => n + iv.failed, 0),
      0,
    );
    assert.equal(c.latency.count, 2000);
    const batches = c.batches.records.reduce((n, b) => n + b.count, 0);
    assert.ok(batches >= 3 && batches < 2000, `${batches} batches`);
    assert.equal(
      Object.values(c.batches.closeReasons).reduce((n, v) => n + v, 0),
      batches,
    );
    assert.ok(c.latency.p50 !== null && c.latency.p99 !== null && c.latency.p50 <= c.latency.p99);
    assert.equal(c.metrics.length, 1);
    assert.equal(
      c.metrics[0].clientId,
      'producer 1'.replace('1', String(/^p(\d+)/.exec(engine.producer.recordId(1))![1])),
    );
    assert.ok(c.metrics[0].values['record-send-total'] >= 2010);
    assert.ok(c.metrics[0].values['batch-size-avg'] > 0);
    assert.ok(c.intervals.some((iv) => iv.brokers.length > 0));

    const svgs = runChartSet(c).map(toSvgString);
    assert.equal(svgs.length, 7);
    assert.match(svgs[0], /aria-label="Records per second\. 2,000 acknowledged, 0 failed/);
    assert.match(svgs[2], /aria-label="Latency histogram\. 2,000 records/);
  });

  it('leaves a producer that did nothing during the send out of its charts', async () => {
    await engine.producer.send({ topic: 'orders', value: 'before' });
    const watch = new RunWatch(() => [engine.producer], Date.now());
    const c = watch.sample(true);
    assert.deepEqual(c.metrics, []);
    assert.deepEqual(c.intervals, []);
    assert.equal(c.latency.count, 0);
  });
});

/**
 * The charts' pure parts: a send's charts from producers' timelines (what came before the send left out, several
 * producers on one grid), the SVG trees (escaped text, focusable rows, overlapping requests on their own rows), and
 * the checks on what the webview asks to save.
 */
import assert from 'node:assert/strict';
import type { MetricsInterval, MetricsTimeline, ProducerStats } from '../../extension/core/engine/types';
import { bucketPercentile, runCharts } from '../../extension/core/visual/run-charts';
import { chartFileBytes } from '../../extension/host/composer/chart-file';
import { parseWebviewMessage } from '../../extension/protocol/validate';
import type { RequestSpan, Waterfall } from '../../extension/protocol/visual';
import { batchLanesChart } from '../../webview/charts/batch-lanes';
import { logBins, runChartSet } from '../../webview/charts/run-charts';
import { niceTicks, toSvgString } from '../../webview/charts/svg';
import { waterfallChart } from '../../webview/charts/waterfall-chart';

function interval(at: number, acked: number, over: Partial<MetricsInterval> = {}): MetricsInterval {
  return {
    at,
    acked,
    failed: 0,
    sent: acked,
    retried: 0,
    requests: 1,
    bytes: 100,
    batches: 1,
    batchRecordsAvg: acked,
    batchBytesAvg: 100,
    latencyP50: 5,
    latencyP90: 8,
    latencyP99: 9,
    latencyMax: 10,
    brokers: [{ brokerId: 1, requests: 1, errors: 0, latencyAvg: 3, latencyMax: 4 }],
    ...over,
  };
}

function timeline(
  startedAt: number,
  intervals: MetricsInterval[],
  latency: { upTo: number; count: number }[],
  closeReasons = { full: 0, linger: 0, flush: 0, close: 0, 'memory-pressure': 0, 'send-now': 0 },
): MetricsTimeline {
  return {
    startedAt,
    intervalMs: 1000,
    intervals,
    latency: {
      count: latency.reduce((n, b) => n + b.count, 0),
      p50: null,
      p90: null,
      p99: null,
      max: null,
      buckets: latency,
    },
    batches: { records: [{ upTo: 8, count: intervals.reduce((n, iv) => n + iv.batches, 0) }], bytes: [], closeReasons },
  };
}

const stats = { 'record-send-total': 1, brokers: [] } as unknown as ProducerStats;

describe('run charts from producer timelines', () => {
  it('counts only what happened since the send started, in the interval it started in too', () => {
    const before = timeline(0, [interval(0, 10), interval(1000, 4)], [{ upTo: 5, count: 14 }], {
      full: 0,
      linger: 2,
      flush: 0,
      close: 0,
      'memory-pressure': 0,
      'send-now': 0,
    });
    const now = timeline(
      0,
      [interval(0, 10), interval(1000, 9, { batches: 3, batchRecordsAvg: 3 }), interval(2000, 6)],
      [
        { upTo: 5, count: 20 },
        { upTo: 40, count: 9 },
      ],
      { full: 1, linger: 5, flush: 0, close: 0, 'memory-pressure': 0, 'send-now': 0 },
    );
    const c = runCharts([{ clientId: 'producer 1', now, before, stats }], 1500, false);
    assert.deepEqual(
      c.intervals.map((iv) => [iv.t, iv.acked]),
      [
        [0, 5],
        [1000, 6],
      ],
    );
    assert.equal(c.intervals[0].batches, 2);
    assert.equal(c.intervals[0].batchRecordsAvg, (9 - 4) / 2, "records per batch of the send's batches only");
    assert.deepEqual(c.latency.buckets, [
      { upTo: 5, count: 6 },
      { upTo: 40, count: 9 },
    ]);
    assert.equal(c.latency.count, 15);
    assert.deepEqual(c.batches.closeReasons, {
      full: 1,
      linger: 3,
      flush: 0,
      close: 0,
      'memory-pressure': 0,
      'send-now': 0,
    });
  });

  it('puts two producers on one grid, adding counts and taking the larger percentile, with empty intervals kept', () => {
    const a = timeline(
      0,
      [
        interval(0, 3, { latencyP99: 20 }),
        interval(1000, 0, { batches: 0, requests: 0, brokers: [] }),
        interval(2000, 0, { batches: 0 }),
        interval(3000, 2),
      ],
      [{ upTo: 3, count: 5 }],
    );
    const b = timeline(
      500,
      [
        interval(500, 4, {
          latencyP99: 30,
          brokers: [{ brokerId: 1, requests: 3, errors: 1, latencyAvg: 7, latencyMax: 9 }],
        }),
      ],
      [{ upTo: 3, count: 4 }],
    );
    const c = runCharts(
      [
        { clientId: 'producer 1', now: a, stats },
        { clientId: 'producer 2', now: b, stats },
      ],
      0,
      true,
    );
    assert.deepEqual(
      c.intervals.map((iv) => iv.acked),
      [7, 0, 0, 2],
    );
    assert.equal(c.intervals[0].p99, 30);
    assert.deepEqual(c.intervals[0].brokers, [
      { brokerId: 1, requests: 4, errors: 1, latencyAvg: (3 + 7 * 3) / 4, latencyMax: 9 },
    ]);
    assert.equal(c.latency.count, 9);
    assert.deepEqual(
      c.metrics.map((m) => m.clientId),
      ['producer 1', 'producer 2'],
    );
    assert.equal(c.metrics[0].values['record-send-total'], 1);
  });

  it('takes percentiles from buckets by nearest rank', () => {
    const buckets = [
      { upTo: 1, count: 50 },
      { upTo: 10, count: 40 },
      { upTo: 100, count: 10 },
    ];
    assert.equal(bucketPercentile(buckets, 50), 1);
    assert.equal(bucketPercentile(buckets, 51), 10);
    assert.equal(bucketPercentile(buckets, 99), 100);
    assert.equal(bucketPercentile([], 50), null);
  });

  it('draws every chart of an empty send without failing, and bins latencies by powers of two', () => {
    const c = runCharts([], 0, true);
    assert.equal(
      runChartSet(c)
        .map(toSvgString)
        .filter((s) => s.startsWith('<svg')).length,
      7,
    );
    assert.deepEqual(
      logBins([
        { upTo: 0, count: 1 },
        { upTo: 3, count: 2 },
        { upTo: 4, count: 1 },
        { upTo: 700, count: 5 },
      ]),
      [
        { upTo: 1, count: 1 },
        { upTo: 4, count: 3 },
        { upTo: 1024, count: 5 },
      ],
    );
  });
});

describe('chart SVG', () => {
  const waterfall: Waterfall = {
    startedAt: 0,
    totalMs: 130,
    outcome: 'failed',
    outcomeText: 'failed: POLICY_VIOLATION after 1 attempt(s)',
    bars: [
      {
        phase: 'accumulator',
        label: 'In the accumulator',
        start: 0,
        end: 20,
        note: 'linger.ms',
        detail: 'closed: linger.ms expired',
      },
      {
        phase: 'attempt',
        label: 'Attempt 1 → broker 2',
        start: 20,
        end: 130,
        note: 'POLICY_VIOLATION',
        outcome: 'error',
        broker: 2,
        detail: 'broker said: <script>alert("x")</script> & more',
      },
    ],
  };

  it('escapes what a broker said, and makes every row focusable with its values as its name', () => {
    const svg = toSvgString(waterfallChart(waterfall));
    assert.doesNotMatch(svg, /<script>/);
    assert.match(svg, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; more/);
    assert.equal((svg.match(/<g class="row focusable" tabindex="0" role="listitem"/g) ?? []).length, 2);
    assert.match(svg, /aria-label="Attempt 1 → broker 2: 20 ms to 130 ms \(110 ms\), POLICY_VIOLATION\. broker said/);
    assert.match(svg, /class="bar phase-attempt c-error"/);
    assert.match(svg, /class="end-error"/);
  });

  it('draws the axis in round steps that cover the whole span', () => {
    assert.deepEqual(niceTicks(130, 6), [0, 50, 100, 150]);
    assert.deepEqual(niceTicks(0.7, 5), [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });

  it("puts overlapping requests of one broker on rows of their own, and names each request's batch", () => {
    const span = (batchId: string, start: number, end: number, brokerId = 1, errorName?: string): RequestSpan => ({
      batchId,
      attempt: 1,
      brokerId,
      start,
      end,
      answered: true,
      errorName,
      retriable: errorName ? true : undefined,
      records: 3,
      bytes: 300,
    });
    const svg = toSvgString(
      batchLanesChart(
        [
          span('p1-b1', 0, 10),
          span('p1-b2', 5, 15),
          span('p1-b3', 20, 30),
          span('p1-b4', 0, 8, 2, 'NOT_LEADER_OR_FOLLOWER'),
        ],
        { title: 'requests', describeBatch: (id) => `batch ${id}`, selectedBatchId: 'p1-b2' },
      ),
    );
    const ys = [...svg.matchAll(/data-batch-id="p1-b(\d)".*?<rect class="[^"]*" x="[\d.]+" y="([\d.]+)"/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    const y = Object.fromEntries(ys);
    assert.notEqual(y['1'], y['2'], 'overlapping requests on separate rows');
    assert.equal(y['1'], y['3'], 'a later request reuses the first row');
    assert.match(svg, /<g role="list" aria-label="broker 1: 3 request\(s\)">/);
    assert.match(
      svg,
      /aria-label="batch p1-b4, attempt 1 to broker 2: 3 record\(s\), 300 B, 8 ms, NOT_LEADER_OR_FOLLOWER \(retried\)"/,
    );
    assert.match(svg, /class="bar c-ok selected-batch"/);
  });
});

describe('saving charts from the webview', () => {
  it('accepts a plain file name and one of svg, png, json; refuses paths and other formats', () => {
    const ok = parseWebviewMessage({
      type: 'saveChart',
      requestId: 1,
      format: 'png',
      name: 'kafka-send-2026',
      data: 'x',
    });
    assert.equal(ok.ok, true);
    const path = parseWebviewMessage({
      type: 'saveChart',
      requestId: 1,
      format: 'svg',
      name: '../../etc/passwd',
      data: '<svg>',
    });
    assert.deepEqual(path, {
      ok: false,
      error: 'message.name must be a plain file name (letters, digits, ".", "_", "-")',
    });
    const format = parseWebviewMessage({ type: 'saveChart', requestId: 1, format: 'exe', name: 'x', data: '' });
    assert.deepEqual(format, { ok: false, error: 'message.format must be one of svg, png, json' });
  });

  it('writes only data of the format asked for', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
    assert.deepEqual(chartFileBytes('png', png.toString('base64')), png);
    assert.throws(
      () => chartFileBytes('png', Buffer.from('GIF89a').toString('base64')),
      /The chart image is not a PNG: nothing was saved\./,
    );
    assert.throws(() => chartFileBytes('svg', '<html>'), /not SVG text/);
    assert.throws(() => chartFileBytes('json', '{"a":'), /not JSON/);
    assert.equal(chartFileBytes('json', '{"a":1}').toString(), '{"a":1}');
  });
});

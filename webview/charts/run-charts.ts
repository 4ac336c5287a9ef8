/**
 * A bulk send's charts as SVG, from RunCharts (bounded, sampled data): records/s acknowledged vs failed, latency
 * percentiles over time, the latency histogram, batch fill (records and bytes per batch, close reasons) and request
 * latency per broker. Each point or bar carries its values as a tooltip; each chart has an accessible summary.
 */
import type { Bucket, RunCharts } from '../../extension/protocol/visual';
import { formatDuration, formatSeconds } from '../../extension/core/format/duration';
import { compact, el, niceTicks, text, tip, type SvgNode } from './svg';

const W = 460;
const H = 220;
const L = 56; // room for the widest y label, "8000 ms"
const R = 12;
const T = 40;
const B = 30;

interface Series {
  name: string;
  cls: string;
  points: (number | null)[];
}

function frame(
  id: string,
  title: string,
  summary: string,
  yMax: number,
  yFormat: (n: number) => string,
  xLabels: { at: number; label: string }[],
  xOf: (i: number) => number,
  body: (SvgNode | null)[],
  legend: { name: string; cls: string }[],
): SvgNode {
  const ticks = niceTicks(yMax, 4);
  const top = ticks[ticks.length - 1] || 1;
  const y = (v: number) => T + (1 - v / top) * (H - T - B);
  let lx = L;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'kw-chart run-chart focusable',
      id,
      viewBox: `0 0 ${W} ${H}`,
      width: W,
      height: H,
      role: 'img',
      tabindex: 0,
      'aria-label': `${title}. ${summary}`,
    },
    tip(`${title}. ${summary}`),
    text({ x: 4, y: 14, class: 'title' }, title),
    legend.map((s) => {
      const g = el(
        'g',
        {},
        el('rect', { class: s.cls, x: lx, y: 21, width: 10, height: 10 }),
        text({ x: lx + 14, y: 30 }, s.name),
      );
      lx += 22 + s.name.length * 6.2;
      return g;
    }),
    ticks.map((t) =>
      el(
        'g',
        {},
        el('line', { class: 'grid', x1: L, x2: W - R, y1: y(t), y2: y(t) }),
        text({ x: L - 4, y: y(t) + 4, 'text-anchor': 'end', class: 'muted' }, yFormat(t)),
      ),
    ),
    el('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }),
    xLabels.map((l) => text({ x: xOf(l.at), y: H - B + 14, 'text-anchor': 'middle', class: 'muted' }, l.label)),
    el('g', {}, body),
  );
}

function yScale(max: number): (v: number) => number {
  const ticks = niceTicks(max, 4);
  const top = ticks[ticks.length - 1] || 1;
  return (v: number) => T + (1 - v / top) * (H - T - B);
}

/** X labels for intervals: about six, in seconds from the send's start. */
function timeLabels(n: number, intervalMs: number): { at: number; label: string }[] {
  if (n === 0) return [];
  const every = Math.max(1, Math.ceil(n / 6));
  const out = [];
  for (let i = 0; i < n; i += every) out.push({ at: i, label: formatSeconds(i * intervalMs) });
  return out;
}

function lines(
  series: Series[],
  xOf: (i: number) => number,
  y: (v: number) => number,
  describe: (s: Series, i: number, v: number) => string,
): SvgNode[] {
  return series.map((s) => {
    let d = '';
    let pen = false;
    s.points.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${Math.round(xOf(i) * 10) / 10},${Math.round(y(v) * 10) / 10}`;
      pen = true;
    });
    const dots = s.points.map((v, i) =>
      v === null ? null : el('circle', { class: s.cls, cx: xOf(i), cy: y(v), r: 2.2 }, tip(describe(s, i, v))),
    );
    return el('g', { 'data-series': s.name }, el('path', { class: `line ${s.cls}`, d }), dots);
  });
}

export function throughputChart(c: RunCharts): SvgNode {
  const perSec = 1000 / c.intervalMs;
  const n = c.intervals.length;
  const slot = (W - L - R) / Math.max(1, n);
  const xOf = (i: number) => L + slot * (i + 0.5);
  const max = Math.max(1, ...c.intervals.map((iv) => (iv.acked + iv.failed) * perSec));
  const y = yScale(max);
  const acked = c.intervals.reduce((s, iv) => s + iv.acked, 0);
  const failed = c.intervals.reduce((s, iv) => s + iv.failed, 0);
  const peak = Math.max(0, ...c.intervals.map((iv) => iv.acked * perSec));
  const bars = c.intervals.flatMap((iv, i) => {
    const x = L + slot * i + slot * 0.1;
    const w = Math.max(1, slot * 0.8);
    const a = iv.acked * perSec;
    const f = iv.failed * perSec;
    const at = formatSeconds(iv.t);
    return [
      a > 0
        ? el(
            'rect',
            { class: 'c-ok', x, y: y(a), width: w, height: y(0) - y(a) },
            tip(`${at}: ${compact(a)} acknowledged/s (${iv.acked} records), ${iv.retried} retried`),
          )
        : null,
      f > 0
        ? el(
            'rect',
            { class: 'c-error', x, y: y(a + f), width: w, height: y(a) - y(a + f) },
            tip(`${at}: ${compact(f)} failed/s (${iv.failed} records)`),
          )
        : null,
    ];
  });
  return frame(
    'chart-throughput',
    'Records per second',
    `${acked.toLocaleString('en-US')} acknowledged, ${failed.toLocaleString('en-US')} failed, peak ${compact(peak)} acknowledged/s`,
    max,
    compact,
    timeLabels(n, c.intervalMs),
    xOf,
    bars,
    [
      { name: 'acknowledged', cls: 'c-ok' },
      { name: 'failed', cls: 'c-error' },
    ],
  );
}

export function latencyOverTimeChart(c: RunCharts): SvgNode {
  const n = c.intervals.length;
  const slot = (W - L - R) / Math.max(1, n);
  const xOf = (i: number) => L + slot * (i + 0.5);
  const series: Series[] = [
    { name: 'p50', cls: 's1', points: c.intervals.map((iv) => iv.p50) },
    { name: 'p90', cls: 's2', points: c.intervals.map((iv) => iv.p90) },
    { name: 'p99', cls: 's3', points: c.intervals.map((iv) => iv.p99) },
  ];
  const max = Math.max(1, ...series.flatMap((s) => s.points.filter((v): v is number => v !== null)));
  const y = yScale(max);
  const body = lines(series, xOf, y, (s, i, v) => `${formatSeconds(c.intervals[i].t)}: ${s.name} ${formatDuration(v)}`);
  const l = c.latency;
  const summary = l.count
    ? `over the send: p50 ${formatDuration(l.p50 ?? 0)}, p90 ${formatDuration(l.p90 ?? 0)}, p99 ${formatDuration(l.p99 ?? 0)}, max ${formatDuration(l.max ?? 0)}`
    : 'no record settled yet';
  return frame(
    'chart-latency',
    'Latency percentiles (hand-over to ack)',
    summary,
    max,
    formatDuration,
    timeLabels(n, c.intervalMs),
    xOf,
    body,
    series,
  );
}

/** Log bins (x2) over a histogram's buckets, so an exact-to-the-millisecond histogram becomes ~12 bars. */
export function logBins(buckets: Bucket[]): Bucket[] {
  const bins = new Map<number, number>();
  for (const b of buckets) {
    const top = b.upTo <= 1 ? 1 : 2 ** Math.ceil(Math.log2(b.upTo));
    bins.set(top, (bins.get(top) ?? 0) + b.count);
  }
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([upTo, count]) => ({ upTo, count }));
}

function histogram(
  id: string,
  title: string,
  summary: string,
  buckets: Bucket[],
  label: (b: Bucket, i: number) => string,
  unit: string,
  cls = 's1',
): SvgNode {
  const n = buckets.length;
  const slot = (W - L - R) / Math.max(1, n);
  const xOf = (i: number) => L + slot * (i + 0.5);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const y = yScale(max);
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const bars = buckets.map((b, i) =>
    el(
      'rect',
      {
        class: cls,
        x: L + slot * i + slot * 0.1,
        y: y(b.count),
        width: Math.max(1, slot * 0.8),
        height: y(0) - y(b.count),
      },
      tip(
        `${label(b, i)}: ${b.count.toLocaleString('en-US')} ${unit} (${total ? Math.round((b.count / total) * 1000) / 10 : 0}%)`,
      ),
    ),
  );
  const every = Math.max(1, Math.ceil(n / 7));
  return frame(
    id,
    title,
    summary,
    max,
    compact,
    buckets.map((b, i) => ({ at: i, label: label(b, i) })).filter((_, i) => i % every === 0),
    xOf,
    bars,
    [],
  );
}

export function latencyHistogramChart(c: RunCharts): SvgNode {
  const bins = logBins(c.latency.buckets);
  const label = (b: Bucket) => `≤${formatDuration(b.upTo)}`;
  return histogram(
    'chart-latency-histogram',
    'Latency histogram',
    c.latency.count
      ? `${c.latency.count.toLocaleString('en-US')} records; p99 ${formatDuration(c.latency.p99 ?? 0)}`
      : 'no record settled yet',
    bins,
    label,
    'records',
  );
}

export function batchFillChart(c: RunCharts): SvgNode[] {
  const batches = c.batches.records.reduce((s, b) => s + b.count, 0);
  const reasons = Object.entries(c.batches.closeReasons)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n.toLocaleString('en-US')}`)
    .join(', ');
  const records = histogram(
    'chart-batch-records',
    'Records per batch',
    `${batches.toLocaleString('en-US')} batches; closed: ${reasons || 'none yet'}`,
    c.batches.records,
    (b) => `≤${compact(b.upTo)}`,
    'batches',
    's2',
  );
  const bytes = histogram(
    'chart-batch-bytes',
    'Bytes per batch',
    `${batches.toLocaleString('en-US')} batches`,
    c.batches.bytes,
    (b) => `≤${compact(b.upTo)} B`,
    'batches',
    's4',
  );
  return [records, bytes, closeReasonsChart(c)];
}

function closeReasonsChart(c: RunCharts): SvgNode {
  const entries = Object.entries(c.batches.closeReasons);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const rowH = 24;
  const height = T + entries.length * rowH + 10;
  const plot = W - 120 - R - 50;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'kw-chart run-chart focusable',
      id: 'chart-close-reasons',
      viewBox: `0 0 ${W} ${height}`,
      width: W,
      height,
      role: 'img',
      tabindex: 0,
      'aria-label': `Why batches closed: ${entries.map(([r, n]) => `${r} ${n}`).join(', ')}`,
    },
    text({ x: 4, y: 14, class: 'title' }, 'Why batches closed'),
    entries.map(([reason, n], i) => {
      const y = T - 10 + i * rowH;
      return el(
        'g',
        {},
        text({ x: 4, y: y + 14 }, reason),
        el(
          'rect',
          {
            // The four neutral series colours: green and red (s5, s6) say acknowledged and failed elsewhere.
            class: `s${(i % 4) + 1}`,
            x: 110,
            y: y + 3,
            width: Math.max(n > 0 ? 2 : 0, (n / max) * plot),
            height: rowH - 8,
          },
          tip(`${reason}: ${n.toLocaleString('en-US')} batches (${total ? Math.round((n / total) * 1000) / 10 : 0}%)`),
        ),
        text({ x: 114 + (n / max) * plot, y: y + 14, class: 'muted' }, n.toLocaleString('en-US')),
      );
    }),
  );
}

export function brokersChart(c: RunCharts): SvgNode {
  const ids = [...new Set(c.intervals.flatMap((iv) => iv.brokers.map((b) => b.brokerId)))].sort((a, b) => a - b);
  const n = c.intervals.length;
  const slot = (W - L - R) / Math.max(1, n);
  const xOf = (i: number) => L + slot * (i + 0.5);
  const series: Series[] = ids.map((id, k) => ({
    name: `broker ${id}`,
    cls: `s${(k % 6) + 1}`,
    points: c.intervals.map((iv) => {
      const b = iv.brokers.find((x) => x.brokerId === id);
      return b && b.requests > 0 ? b.latencyAvg : null;
    }),
  }));
  const max = Math.max(1, ...series.flatMap((s) => s.points.filter((v): v is number => v !== null)));
  const y = yScale(max);
  const body = lines(series, xOf, y, (s, i, v) => {
    const b = c.intervals[i].brokers.find((x) => `broker ${x.brokerId}` === s.name)!;
    return `${formatSeconds(c.intervals[i].t)}, ${s.name}: ${b.requests} request(s), ${b.errors} error(s), latency avg ${formatDuration(v)}, max ${formatDuration(b.latencyMax)}`;
  });
  const totals = ids.map((id) => {
    const reqs = c.intervals.reduce((s, iv) => s + (iv.brokers.find((b) => b.brokerId === id)?.requests ?? 0), 0);
    const errs = c.intervals.reduce((s, iv) => s + (iv.brokers.find((b) => b.brokerId === id)?.errors ?? 0), 0);
    return `broker ${id}: ${reqs} requests, ${errs} errors`;
  });
  return frame(
    'chart-brokers',
    'Request latency per broker',
    totals.join('; ') || 'no request yet',
    max,
    formatDuration,
    timeLabels(n, c.intervalMs),
    xOf,
    body,
    series,
  );
}

/** Every chart of a send, in reading order. */
export function runChartSet(c: RunCharts): SvgNode[] {
  return [throughputChart(c), latencyOverTimeChart(c), latencyHistogramChart(c), ...batchFillChart(c), brokersChart(c)];
}

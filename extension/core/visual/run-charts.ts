/**
 * A bulk send's charts from its producers' bounded timelines (Producer.timeline()) and metrics (stats()): what
 * changed since the send started, on one time grid. Nothing per record: a send of a million records costs what a send
 * of ten does, and sampling it every half second does not slow the send. Pure.
 */
import type { MetricsInterval, MetricsTimeline, ProducerStats } from '../engine/types';
import type { Bucket, ProducerMetricsView, RunCharts, RunInterval } from '../../protocol/visual';

/** One producer a send used: its timeline now, and (when it existed before the send) at the send's start. */
export interface ProducerSample {
  clientId: string;
  now: MetricsTimeline;
  before?: MetricsTimeline;
  stats: ProducerStats;
}

function minus(now: Bucket[], before: Bucket[] | undefined): Bucket[] {
  if (!before?.length) return now.filter((b) => b.count > 0);
  const old = new Map(before.map((b) => [b.upTo, b.count]));
  return now.map((b) => ({ upTo: b.upTo, count: b.count - (old.get(b.upTo) ?? 0) })).filter((b) => b.count > 0);
}

function addBuckets(into: Map<number, number>, buckets: Bucket[]): void {
  for (const b of buckets) into.set(b.upTo, (into.get(b.upTo) ?? 0) + b.count);
}

function sorted(m: Map<number, number>): Bucket[] {
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([upTo, count]) => ({ upTo, count }));
}

/** The value at percentile `p` of histogram buckets (nearest rank), null when empty. */
export function bucketPercentile(buckets: Bucket[], p: number): number | null {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const b of buckets) {
    seen += b.count;
    if (seen >= rank) return b.upTo;
  }
  return buckets[buckets.length - 1].upTo;
}

/** `now` less what `before` had already counted in the same interval (same start and width). */
function intervalSince(iv: MetricsInterval, before: MetricsTimeline | undefined, intervalMs: number): MetricsInterval {
  if (!before || before.intervalMs !== intervalMs) return iv;
  const old = before.intervals.find((o) => o.at === iv.at);
  if (!old) return iv;
  const batches = iv.batches - old.batches;
  const batchRecords = iv.batchRecordsAvg * iv.batches - old.batchRecordsAvg * old.batches;
  const batchBytes = iv.batchBytesAvg * iv.batches - old.batchBytesAvg * old.batches;
  return {
    ...iv,
    acked: iv.acked - old.acked,
    failed: iv.failed - old.failed,
    sent: iv.sent - old.sent,
    retried: iv.retried - old.retried,
    requests: iv.requests - old.requests,
    bytes: iv.bytes - old.bytes,
    batches,
    batchRecordsAvg: batches > 0 ? batchRecords / batches : 0,
    batchBytesAvg: batches > 0 ? batchBytes / batches : 0,
  };
}

/** The producer metrics as the panel and `send --json` show them: Java's names, numbers only. */
export function metricsView(clientId: string, stats: ProducerStats): ProducerMetricsView {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) if (typeof v === 'number') values[k] = v;
  return { clientId, values, brokers: stats.brokers.map((b) => ({ ...b })) };
}

/**
 * The send that started at `startedAt`: intervals on the widest grid of its producers (a long run's producer merged
 * its intervals), latency and batch histograms counted since the start, and each producer's metrics. Latency
 * percentiles of an interval two producers share are the larger of theirs (percentiles do not add).
 */
export function runCharts(samples: ProducerSample[], startedAt: number, live: boolean): RunCharts {
  const intervalMs = Math.max(1000, ...samples.map((s) => s.now.intervalMs));
  // The grid is the widest producer's own, from its interval the send started in: its intervals stay whole.
  const ref = samples.find((s) => s.now.intervalMs === intervalMs)?.now;
  const origin =
    ref && ref.startedAt >= 0
      ? ref.startedAt + Math.max(0, Math.floor((startedAt - ref.startedAt) / intervalMs)) * intervalMs
      : startedAt;
  const grid = new Map<number, RunInterval & { batchRecords: number; batchBytes: number }>();
  const latency = new Map<number, number>();
  const batchRecords = new Map<number, number>();
  const batchBytes = new Map<number, number>();
  const closeReasons: Record<string, number> = {};
  for (const s of samples) {
    for (const raw of s.now.intervals) {
      if (raw.at + s.now.intervalMs <= startedAt) continue;
      const iv = intervalSince(raw, s.before, s.now.intervalMs);
      const slot = Math.max(0, Math.floor((iv.at - origin) / intervalMs));
      let g = grid.get(slot);
      if (!g) {
        g = { ...emptyInterval(slot * intervalMs), batchRecords: 0, batchBytes: 0 };
        grid.set(slot, g);
      }
      g.acked += iv.acked;
      g.failed += iv.failed;
      g.retried += iv.retried;
      g.requests += iv.requests;
      g.bytes += iv.bytes;
      g.batches += iv.batches;
      g.batchRecords += iv.batchRecordsAvg * iv.batches;
      g.batchBytes += iv.batchBytesAvg * iv.batches;
      g.p50 = larger(g.p50, iv.latencyP50);
      g.p90 = larger(g.p90, iv.latencyP90);
      g.p99 = larger(g.p99, iv.latencyP99);
      g.max = Math.max(g.max, iv.latencyMax);
      for (const b of iv.brokers) {
        const mine = g.brokers.find((x) => x.brokerId === b.brokerId);
        if (!mine) g.brokers.push({ ...b });
        else {
          const requests = mine.requests + b.requests;
          mine.latencyAvg = requests ? (mine.latencyAvg * mine.requests + b.latencyAvg * b.requests) / requests : 0;
          mine.requests = requests;
          mine.errors += b.errors;
          mine.latencyMax = Math.max(mine.latencyMax, b.latencyMax);
        }
      }
    }
    addBuckets(latency, minus(s.now.latency.buckets, s.before?.latency.buckets));
    addBuckets(batchRecords, minus(s.now.batches.records, s.before?.batches.records));
    addBuckets(batchBytes, minus(s.now.batches.bytes, s.before?.batches.bytes));
    for (const [reason, n] of Object.entries(s.now.batches.closeReasons)) {
      closeReasons[reason] =
        (closeReasons[reason] ?? 0) +
        n -
        ((s.before?.batches.closeReasons as Record<string, number> | undefined)?.[reason] ?? 0);
    }
  }
  // Every interval up to the last, empty ones included: a stall shows as a gap at zero, not as a line across it.
  const last = Math.max(-1, ...grid.keys());
  const intervals: RunInterval[] = [];
  for (let slot = 0; slot <= last; slot++) {
    const g = grid.get(slot);
    if (!g) {
      intervals.push(emptyInterval(slot * intervalMs));
      continue;
    }
    const { batchRecords: r, batchBytes: b, ...iv } = g;
    iv.batchRecordsAvg = iv.batches ? r / iv.batches : 0;
    iv.batchBytesAvg = iv.batches ? b / iv.batches : 0;
    iv.brokers.sort((x, y) => x.brokerId - y.brokerId);
    intervals.push(iv);
  }
  const latencyBuckets = sorted(latency);
  return {
    startedAt,
    intervalMs,
    live,
    intervals,
    latency: {
      count: latencyBuckets.reduce((n, b) => n + b.count, 0),
      p50: bucketPercentile(latencyBuckets, 50),
      p90: bucketPercentile(latencyBuckets, 90),
      p99: bucketPercentile(latencyBuckets, 99),
      max: latencyBuckets.length ? latencyBuckets[latencyBuckets.length - 1].upTo : null,
      buckets: latencyBuckets,
    },
    batches: { records: sorted(batchRecords), bytes: sorted(batchBytes), closeReasons },
    metrics: samples.map((s) => metricsView(s.clientId, s.stats)),
  };
}

/** An interval in which nothing happened (a stall shows as zero, not as a gap). */
function emptyInterval(t: number): RunInterval {
  return {
    t,
    acked: 0,
    failed: 0,
    retried: 0,
    requests: 0,
    bytes: 0,
    batches: 0,
    batchRecordsAvg: 0,
    batchBytesAvg: 0,
    p50: null,
    p90: null,
    p99: null,
    max: 0,
    brokers: [],
  };
}

/** The larger of two percentiles, either of which may be unknown. */
function larger(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/**
 * What the trace and run charts draw, as data: a record's waterfall, a batch's produce requests, and a bulk send's
 * charts. Built on the host (and by the CLI's HTML report) from the engine's traces and bounded statistics, drawn by
 * webview/charts. Imports nothing: both bundles use it.
 */

/** One row of a record's waterfall. Times are milliseconds from the waterfall's start (the record's hand-over). */
export type WaterfallPhase = 'serialized' | 'waiting' | 'accumulator' | 'ready' | 'attempt' | 'backoff' | 'metadata';

export interface WaterfallBar {
  phase: WaterfallPhase;
  /** The row's name: "In the accumulator", "Attempt 2 → broker 3". */
  label: string;
  start: number;
  end: number;
  /** Written on the bar: the close reason, the error name. */
  note?: string;
  outcome?: 'ok' | 'retry' | 'error';
  broker?: number;
  /** Exact values, for hover, focus and screen readers. */
  detail: string;
}

export interface Waterfall {
  /** Epoch ms of time 0. */
  startedAt: number;
  /** The span the axis covers (at least the last bar's end). */
  totalMs: number;
  outcome: 'acked' | 'failed' | 'pending';
  /** "acked at offset 41 after 2 attempts", "failed: REQUEST_TIMED_OUT". */
  outcomeText: string;
  bars: WaterfallBar[];
}

/** One produce request that carried a batch: an attempt, from sent to answered (or to now, still in flight). */
export interface RequestSpan {
  batchId: string;
  attempt: number;
  brokerId: number;
  /** Epoch ms. */
  start: number;
  end: number;
  /** false while no answer came. */
  answered: boolean;
  /** The Kafka error name when the attempt failed. */
  errorName?: string;
  retriable?: boolean;
  records: number;
  bytes: number;
}

export interface Bucket {
  upTo: number;
  count: number;
}

/** One interval of a send, as the charts plot it; `t` is ms from the start of the interval the send began in. Latencies null when none settled. */
export interface RunInterval {
  t: number;
  acked: number;
  failed: number;
  retried: number;
  requests: number;
  bytes: number;
  batches: number;
  batchRecordsAvg: number;
  batchBytesAvg: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number;
  brokers: { brokerId: number; requests: number; errors: number; latencyAvg: number; latencyMax: number }[];
}

/** A producer's metrics by the Java client's names (rates per second over 30 s, times in ms). */
export interface ProducerMetricsView {
  clientId: string;
  values: Record<string, number>;
  brokers: {
    brokerId: number;
    requests: number;
    inFlight: number;
    requestLatencyAvg: number;
    requestLatencyMax: number;
    errors: number;
  }[];
}

/** A bulk send's charts: bounded (at most a few hundred intervals), sampled from the producers' own statistics. */
export interface RunCharts {
  /** Epoch ms. */
  startedAt: number;
  intervalMs: number;
  /** Still sending. */
  live: boolean;
  intervals: RunInterval[];
  latency: {
    count: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    buckets: Bucket[];
  };
  batches: { records: Bucket[]; bytes: Bucket[]; closeReasons: Record<string, number> };
  metrics: ProducerMetricsView[];
}

/** The Java producer metrics the panel lists first, in this order (the rest follow by name). */
export const KEY_METRICS: readonly string[] = [
  'record-send-rate',
  'record-send-total',
  'record-error-rate',
  'record-retry-rate',
  'batch-size-avg',
  'batch-size-max',
  'records-per-request-avg',
  'record-queue-time-avg',
  'record-queue-time-max',
  'request-latency-avg',
  'request-latency-max',
  'request-rate',
  'outgoing-byte-rate',
  'requests-in-flight',
  'compression-rate-avg',
  'buffer-available-bytes',
  'buffer-total-bytes',
  'bufferpool-wait-ratio',
  'produce-throttle-time-avg',
  'metadata-age',
];

/** A producer's metric names in the order the panel and the reports list them: KEY_METRICS first, then the rest by name. */
export function orderedMetricNames(values: Record<string, number>): string[] {
  return [
    ...KEY_METRICS.filter((k) => k in values),
    ...Object.keys(values)
      .filter((k) => !KEY_METRICS.includes(k))
      .sort(),
  ];
}

/** A metric's value as shown: ratios to three decimals, counts whole, the rest to two. */
export function formatMetric(name: string, v: number): string {
  if (name.endsWith('-ratio') || name === 'compression-rate-avg') return v.toFixed(3);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return (Math.round(v * 100) / 100).toLocaleString('en-US');
}

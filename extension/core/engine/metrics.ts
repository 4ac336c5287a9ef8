/**
 * The producer's metrics, with the Java client's names (so a user can compare them with what their Java services
 * report), and a timeline of the run for charts: per interval, records acknowledged, failed and retried, requests,
 * bytes, batch fill and latency percentiles, overall and per broker. Bounded: at most MAX_INTERVALS intervals; when a
 * run outgrows them, neighbouring intervals merge and the interval doubles, so an hour-long run costs what a minute
 * does. Nothing here is kept per record.
 */
import { LatencyHistogram } from '../util/latency-histogram';
import type { BatchCloseReason, BrokerStats, DeliveryReport, MetricsTimeline, ProducerStats } from './types';

const MAX_INTERVALS = 240;
const FIRST_INTERVAL_MS = 1000;
/** Java's rates are over a 30-second window (two samples); ours over the intervals that cover the last 30 s. */
const RATE_WINDOW_MS = 30_000;

/** Log buckets for latencies within an interval: x1.15 apart, 1 ms to an hour (15% is plenty for a chart). */
const LOG_STEP = Math.log(1.15);
const LOG_BUCKETS = Math.ceil(Math.log(3_600_000) / LOG_STEP) + 2;

function logBucket(ms: number): number {
  return ms < 1 ? 0 : Math.min(LOG_BUCKETS - 1, 1 + Math.floor(Math.log(ms) / LOG_STEP));
}

function logBucketTop(i: number): number {
  return i === 0 ? 1 : Math.round(Math.exp(i * LOG_STEP));
}

interface BrokerCounts {
  requests: number;
  errors: number;
  latencySum: number;
  latencyMax: number;
}

class Interval {
  acked = 0;
  failed = 0;
  /** Records put into produce requests (each attempt), as Java's record-send counts them. */
  sent = 0;
  retried = 0;
  requests = 0;
  requestBytes = 0;
  batches = 0;
  batchRecords = 0;
  batchBytes = 0;
  latency = new Float64Array(LOG_BUCKETS);
  latencyMax = 0;
  readonly brokers = new Map<number, BrokerCounts>();

  merge(o: Interval): void {
    this.acked += o.acked;
    this.failed += o.failed;
    this.sent += o.sent;
    this.retried += o.retried;
    this.requests += o.requests;
    this.requestBytes += o.requestBytes;
    this.batches += o.batches;
    this.batchRecords += o.batchRecords;
    this.batchBytes += o.batchBytes;
    for (let i = 0; i < LOG_BUCKETS; i++) this.latency[i] += o.latency[i];
    this.latencyMax = Math.max(this.latencyMax, o.latencyMax);
    for (const [id, b] of o.brokers) {
      const mine = this.broker(id);
      mine.requests += b.requests;
      mine.errors += b.errors;
      mine.latencySum += b.latencySum;
      mine.latencyMax = Math.max(mine.latencyMax, b.latencyMax);
    }
  }

  broker(id: number): BrokerCounts {
    let b = this.brokers.get(id);
    if (!b) this.brokers.set(id, (b = { requests: 0, errors: 0, latencySum: 0, latencyMax: 0 }));
    return b;
  }

  percentile(p: number): number | null {
    let total = 0;
    for (let i = 0; i < LOG_BUCKETS; i++) total += this.latency[i];
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (let i = 0; i < LOG_BUCKETS; i++) {
      seen += this.latency[i];
      if (seen >= rank) return Math.min(logBucketTop(i), this.latencyMax);
    }
    return this.latencyMax;
  }
}

/** A histogram of small counts (records per batch, bytes per batch) in powers of two. */
class PowerOfTwoHistogram {
  private readonly counts: number[] = [];

  add(value: number): void {
    const i = value <= 1 ? 0 : Math.ceil(Math.log2(value));
    while (this.counts.length <= i) this.counts.push(0);
    this.counts[i]++;
  }

  buckets(): { upTo: number; count: number }[] {
    return this.counts.map((count, i) => ({ upTo: 2 ** i, count }));
  }
}

export class ProducerMetrics {
  private startedAt = -1;
  private intervalMs = FIRST_INTERVAL_MS;
  private readonly intervals: Interval[] = [];
  // Totals over the producer's life.
  private acked = 0;
  private failed = 0;
  private sent = 0;
  private retried = 0;
  private requests = 0;
  private requestBytes = 0;
  private requestBytesMax = 0;
  private responses = 0;
  private batches = 0;
  private batchRecords = 0;
  private batchBytes = 0;
  private batchBytesMax = 0;
  private uncompressedBytes = 0;
  private recordBytes = 0;
  private recordBytesMax = 0;
  private queueTimeTotal = 0;
  private queueTimeMax = 0;
  private latencyTotal = 0;
  private latencyMax = 0;
  private throttleTotal = 0;
  private throttleMax = 0;
  private memoryWaitMs = 0;
  private memoryWaitSince = -1;
  private readonly recordLatency = new LatencyHistogram();
  private readonly batchRecordCounts = new PowerOfTwoHistogram();
  private readonly batchSizes = new PowerOfTwoHistogram();
  private readonly closeReasons: Record<BatchCloseReason, number> = {
    full: 0,
    linger: 0,
    flush: 0,
    close: 0,
    'memory-pressure': 0,
    'send-now': 0,
  };
  private readonly brokers = new Map<number, BrokerCounts & { inFlight: number }>();

  /** The interval `now` falls in, merging old ones when the run outgrows MAX_INTERVALS. */
  private at(now: number): Interval {
    if (this.startedAt < 0) this.startedAt = now;
    let i = Math.floor((now - this.startedAt) / this.intervalMs);
    while (i >= MAX_INTERVALS) {
      for (let k = 0; k < this.intervals.length; k += 2) {
        const merged = this.intervals[k] ?? new Interval();
        if (this.intervals[k + 1]) merged.merge(this.intervals[k + 1]);
        this.intervals[k / 2] = merged;
      }
      this.intervals.length = Math.ceil(this.intervals.length / 2);
      this.intervalMs *= 2;
      i = Math.floor((now - this.startedAt) / this.intervalMs);
    }
    while (this.intervals.length <= i) this.intervals.push(new Interval());
    return this.intervals[i];
  }

  started(now: number): void {
    if (this.startedAt < 0) this.startedAt = now;
  }

  /** A batch closed and went into its first request. */
  batchDrained(recordCount: number, bytes: number, queueTimeMs: number, reason: BatchCloseReason, now: number): void {
    const iv = this.at(now);
    iv.batches++;
    iv.batchRecords += recordCount;
    iv.batchBytes += bytes;
    this.batches++;
    this.batchRecords += recordCount;
    this.batchBytes += bytes;
    this.batchBytesMax = Math.max(this.batchBytesMax, bytes);
    this.batchRecordCounts.add(recordCount);
    this.batchSizes.add(bytes);
    this.closeReasons[reason]++;
    this.queueTimeTotal += queueTimeMs * recordCount;
    this.queueTimeMax = Math.max(this.queueTimeMax, queueTimeMs);
  }

  /** Bytes of the batches' records before compression, and after. */
  compressed(uncompressed: number, compressed: number): void {
    this.uncompressedBytes += uncompressed;
    this.recordBytes += compressed;
  }

  requestSent(nodeId: number, records: number, retriedRecords: number, bytes: number, now: number): void {
    const iv = this.at(now);
    iv.requests++;
    iv.requestBytes += bytes;
    iv.sent += records;
    iv.retried += retriedRecords;
    iv.broker(nodeId).requests++;
    this.requests++;
    this.requestBytes += bytes;
    this.requestBytesMax = Math.max(this.requestBytesMax, bytes);
    this.sent += records;
    this.retried += retriedRecords;
    const b = this.broker(nodeId);
    b.requests++;
    b.inFlight++;
  }

  requestDone(nodeId: number, latencyMs: number, error: boolean, throttleMs: number, now: number): void {
    const iv = this.at(now);
    const ib = iv.broker(nodeId);
    ib.latencySum += latencyMs;
    ib.latencyMax = Math.max(ib.latencyMax, latencyMs);
    if (error) ib.errors++;
    const b = this.broker(nodeId);
    b.inFlight--;
    b.latencySum += latencyMs;
    b.latencyMax = Math.max(b.latencyMax, latencyMs);
    if (error) b.errors++;
    else this.responses++;
    this.latencyTotal += latencyMs;
    this.latencyMax = Math.max(this.latencyMax, latencyMs);
    this.throttleTotal += throttleMs;
    this.throttleMax = Math.max(this.throttleMax, throttleMs);
  }

  /** Records settled together: acknowledged or failed, with each one's latency from hand-over to outcome. */
  settled(report: DeliveryReport): void {
    const n = report.recordCount;
    const iv = this.at(report.settledAt);
    if (report.error) {
      iv.failed += n;
      this.failed += n;
      return;
    }
    iv.acked += n;
    this.acked += n;
    // Records of a batch settle together and were mostly handed over in the same millisecond: count runs.
    let run = 0;
    let runLatency = report.settledAt - report.recordSentAt(0);
    for (let i = 0; i <= n; i++) {
      const latency = i < n ? report.settledAt - report.recordSentAt(i) : -1;
      if (latency === runLatency) {
        run++;
        continue;
      }
      this.recordLatency.record(runLatency, run);
      iv.latency[logBucket(runLatency)] += run;
      if (runLatency > iv.latencyMax) iv.latencyMax = runLatency;
      runLatency = latency;
      run = 1;
    }
  }

  recordSize(bytes: number): void {
    if (bytes > this.recordBytesMax) this.recordBytesMax = bytes;
  }

  /** Records wait for buffer memory from `now` on (true) or no longer (false): bufferpool-wait-ratio. */
  waitingForMemory(waiting: boolean, now: number): void {
    if (waiting && this.memoryWaitSince < 0) this.memoryWaitSince = now;
    if (!waiting && this.memoryWaitSince >= 0) {
      this.memoryWaitMs += now - this.memoryWaitSince;
      this.memoryWaitSince = -1;
    }
  }

  private broker(nodeId: number): BrokerCounts & { inFlight: number } {
    let b = this.brokers.get(nodeId);
    if (!b) this.brokers.set(nodeId, (b = { requests: 0, errors: 0, latencySum: 0, latencyMax: 0, inFlight: 0 }));
    return b;
  }

  /** Events per second over the last 30 s (or since the start, if shorter), from the intervals. */
  private rate(now: number, count: (iv: Interval) => number): number {
    if (this.startedAt < 0) return 0;
    const elapsed = Math.max(1, now - this.startedAt);
    const window = Math.min(RATE_WINDOW_MS, elapsed);
    const from = Math.max(0, Math.floor((now - window - this.startedAt) / this.intervalMs));
    let total = 0;
    for (let i = from; i < this.intervals.length; i++) total += count(this.intervals[i]);
    const covered = Math.min(elapsed, Math.max(window, now - (this.startedAt + from * this.intervalMs)));
    return (total * 1000) / covered;
  }

  /** The Java client's metrics (its names), at `now`. */
  snapshot(
    now: number,
    bufferAvailable: number,
    bufferTotal: number,
    requestsInFlight: number,
    metadataAgeMs: number,
  ): ProducerStats {
    const avg = (total: number, count: number) => (count === 0 ? 0 : total / count);
    const elapsed = this.startedAt < 0 ? 0 : now - this.startedAt;
    const waiting = this.memoryWaitMs + (this.memoryWaitSince >= 0 ? now - this.memoryWaitSince : 0);
    const brokers: BrokerStats[] = [...this.brokers.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([brokerId, c]) => ({
        brokerId,
        requests: c.requests,
        inFlight: c.inFlight,
        requestLatencyAvg: avg(c.latencySum, c.requests - c.inFlight),
        requestLatencyMax: c.latencyMax,
        errors: c.errors,
      }));
    return {
      'record-send-total': this.sent,
      'record-send-rate': this.rate(now, (iv) => iv.sent),
      'record-error-total': this.failed,
      'record-error-rate': this.rate(now, (iv) => iv.failed),
      'record-retry-total': this.retried,
      'record-retry-rate': this.rate(now, (iv) => iv.retried),
      'record-size-max': this.recordBytesMax,
      'batch-size-avg': avg(this.batchBytes, this.batches),
      'batch-size-max': this.batchBytesMax,
      'records-per-request-avg': avg(this.sent, this.requests),
      'record-queue-time-avg': avg(this.queueTimeTotal, this.batchRecords),
      'record-queue-time-max': this.queueTimeMax,
      'request-latency-avg': avg(this.latencyTotal, this.requests - requestsInFlight),
      'request-latency-max': this.latencyMax,
      'request-total': this.requests,
      'request-rate': this.rate(now, (iv) => iv.requests),
      'request-size-avg': avg(this.requestBytes, this.requests),
      'request-size-max': this.requestBytesMax,
      'response-total': this.responses,
      'outgoing-byte-total': this.requestBytes,
      'outgoing-byte-rate': this.rate(now, (iv) => iv.requestBytes),
      'requests-in-flight': requestsInFlight,
      'compression-rate-avg': this.uncompressedBytes === 0 ? 1 : this.recordBytes / this.uncompressedBytes,
      'produce-throttle-time-avg': avg(this.throttleTotal, this.responses),
      'produce-throttle-time-max': this.throttleMax,
      'buffer-available-bytes': bufferAvailable,
      'buffer-total-bytes': bufferTotal,
      'bufferpool-wait-ratio': elapsed === 0 ? 0 : Math.min(1, waiting / elapsed),
      'bufferpool-wait-time-ns-total': waiting * 1e6,
      'metadata-age': metadataAgeMs / 1000,
      'record-ack-total': this.acked,
      'record-ack-rate': this.rate(now, (iv) => iv.acked),
      'record-latency-p50': this.recordLatency.percentile(50) ?? 0,
      'record-latency-p99': this.recordLatency.percentile(99) ?? 0,
      brokers,
    };
  }

  /** The run as intervals, for charts; bounded whatever its length. */
  timeline(): MetricsTimeline {
    const brokerIds = [...this.brokers.keys()].sort((a, b) => a - b);
    return {
      startedAt: this.startedAt,
      intervalMs: this.intervalMs,
      intervals: this.intervals.map((iv, i) => ({
        at: this.startedAt + i * this.intervalMs,
        acked: iv.acked,
        failed: iv.failed,
        sent: iv.sent,
        retried: iv.retried,
        requests: iv.requests,
        bytes: iv.requestBytes,
        batches: iv.batches,
        batchRecordsAvg: iv.batches ? iv.batchRecords / iv.batches : 0,
        batchBytesAvg: iv.batches ? iv.batchBytes / iv.batches : 0,
        latencyP50: iv.percentile(50),
        latencyP90: iv.percentile(90),
        latencyP99: iv.percentile(99),
        latencyMax: iv.latencyMax,
        brokers: brokerIds.map((brokerId) => {
          const b = iv.brokers.get(brokerId);
          return {
            brokerId,
            requests: b?.requests ?? 0,
            errors: b?.errors ?? 0,
            latencyAvg: b && b.requests ? b.latencySum / b.requests : 0,
            latencyMax: b?.latencyMax ?? 0,
          };
        }),
      })),
      latency: {
        count: this.recordLatency.count,
        p50: this.recordLatency.percentile(50) ?? null,
        p90: this.recordLatency.percentile(90) ?? null,
        p99: this.recordLatency.percentile(99) ?? null,
        max: this.recordLatency.percentile(100) ?? null,
        buckets: this.recordLatency.buckets(),
      },
      batches: {
        records: this.batchRecordCounts.buckets(),
        bytes: this.batchSizes.buckets(),
        closeReasons: { ...this.closeReasons },
      },
    };
  }
}

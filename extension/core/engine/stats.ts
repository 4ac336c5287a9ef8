/** Counters behind `stats()`, named like the Java producer's metrics. */
import type { ProducerBatch } from './batch';
import type { BrokerStats, ProducerStats } from './types';

interface BrokerCounters {
  requests: number;
  inFlight: number;
  latencyTotal: number;
  latencyCount: number;
  latencyMax: number;
  errors: number;
}

export class StatsRecorder {
  private startMs = -1;
  private recordsSent = 0;
  private recordsFailed = 0;
  private recordsRetried = 0;
  private batches = 0;
  private batchBytes = 0;
  private batchBytesMax = 0;
  private queueTimeTotal = 0;
  private queueTimeMax = 0;
  private requests = 0;
  private requestRecords = 0;
  private latencyTotal = 0;
  private latencyCount = 0;
  private latencyMax = 0;
  private readonly brokers = new Map<number, BrokerCounters>();

  started(now: number): void {
    if (this.startMs < 0) this.startMs = now;
  }

  batchDrained(b: ProducerBatch, now: number): void {
    this.batches++;
    const size = b.sizeInBytes;
    this.batchBytes += size;
    if (size > this.batchBytesMax) this.batchBytesMax = size;
    const queued = now - b.createdMs;
    this.queueTimeTotal += queued;
    if (queued > this.queueTimeMax) this.queueTimeMax = queued;
  }

  requestSent(nodeId: number, batches: ProducerBatch[]): void {
    this.requests++;
    for (const b of batches) this.requestRecords += b.recordCount;
    const c = this.broker(nodeId);
    c.requests++;
    c.inFlight++;
  }

  requestDone(nodeId: number, latencyMs: number, error: boolean): void {
    const c = this.broker(nodeId);
    c.inFlight--;
    if (error) c.errors++;
    c.latencyTotal += latencyMs;
    c.latencyCount++;
    if (latencyMs > c.latencyMax) c.latencyMax = latencyMs;
    this.latencyTotal += latencyMs;
    this.latencyCount++;
    if (latencyMs > this.latencyMax) this.latencyMax = latencyMs;
  }

  recordsRetriedAdd(n: number): void {
    this.recordsRetried += n;
  }

  recordsDone(sent: number, failed: number): void {
    this.recordsSent += sent;
    this.recordsFailed += failed;
  }

  private broker(nodeId: number): BrokerCounters {
    let c = this.brokers.get(nodeId);
    if (!c) {
      c = { requests: 0, inFlight: 0, latencyTotal: 0, latencyCount: 0, latencyMax: 0, errors: 0 };
      this.brokers.set(nodeId, c);
    }
    return c;
  }

  snapshot(now: number, bufferAvailable: number, bufferTotal: number): ProducerStats {
    const seconds = this.startMs < 0 ? 0 : Math.max(0.001, (now - this.startMs) / 1000);
    const rate = (n: number) => (seconds === 0 ? 0 : n / seconds);
    const avg = (total: number, count: number) => (count === 0 ? 0 : total / count);
    const brokers: BrokerStats[] = [...this.brokers.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([brokerId, c]) => ({
        brokerId,
        requests: c.requests,
        inFlight: c.inFlight,
        requestLatencyAvg: avg(c.latencyTotal, c.latencyCount),
        requestLatencyMax: c.latencyMax,
        errors: c.errors,
      }));
    return {
      'record-send-total': this.recordsSent,
      'record-send-rate': rate(this.recordsSent),
      'record-error-total': this.recordsFailed,
      'record-error-rate': rate(this.recordsFailed),
      'record-retry-total': this.recordsRetried,
      'record-retry-rate': rate(this.recordsRetried),
      'batch-size-avg': avg(this.batchBytes, this.batches),
      'batch-size-max': this.batchBytesMax,
      'records-per-request-avg': avg(this.requestRecords, this.requests),
      'record-queue-time-avg': avg(this.queueTimeTotal, this.batches),
      'record-queue-time-max': this.queueTimeMax,
      'request-latency-avg': avg(this.latencyTotal, this.latencyCount),
      'request-latency-max': this.latencyMax,
      'request-total': this.requests,
      'buffer-available-bytes': bufferAvailable,
      'buffer-total-bytes': bufferTotal,
      brokers,
    };
  }
}

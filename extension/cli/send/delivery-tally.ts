/**
 * What `send` reports, counted from the producer's batch-level delivery reports as they arrive: acknowledged and
 * failed records, offset ranges per partition, latency percentiles (a histogram) and the first failures. Memory stays
 * the same whatever the count.
 */
import type { DeliveryError } from '../../core/engine/errors';
import type { DeliveryReport } from '../../core/engine/types';
import { LatencyHistogram } from '../../core/util/latency-histogram';

/** How many failed records are listed one by one; the rest are counted. */
export const LISTED_FAILURES = 100;

export interface PartitionRange {
  count: number;
  first: number;
  last: number;
}

export class DeliveryTally {
  acked = 0;
  failed = 0;
  /** Failed records that may have been written all the same (sent, and no answer came back). */
  maybeWritten = 0;
  readonly partitions = new Map<number, PartitionRange>();
  readonly latency = new LatencyHistogram();
  /** The first failures, by record index. */
  readonly failures: { index: number; error: DeliveryError }[] = [];

  get settled(): number {
    return this.acked + this.failed;
  }

  /** `firstSeq`: the producer's number for the record of index 0. */
  add(report: DeliveryReport, firstSeq: number): void {
    const n = report.recordCount;
    if (report.error) {
      this.failed += n;
      if (report.error.maybeWritten) this.maybeWritten += n;
      for (let i = 0; i < n && this.failures.length < LISTED_FAILURES; i++) {
        this.failures.push({ index: report.recordSeq(i) - firstSeq, error: report.error });
      }
      return;
    }
    this.acked += n;
    if (report.offset(0) >= 0) {
      const range = this.partitions.get(report.partition);
      const first = report.offset(0);
      const last = report.offset(n - 1);
      if (!range) this.partitions.set(report.partition, { count: n, first, last });
      else {
        range.count += n;
        range.first = Math.min(range.first, first);
        range.last = Math.max(range.last, last);
      }
    } else {
      const range = this.partitions.get(report.partition) ?? { count: 0, first: -1, last: -1 };
      range.count += n;
      this.partitions.set(report.partition, range);
    }
    // Records of a batch settle together and were mostly sent in the same millisecond: count runs, not records.
    const settledAt = report.settledAt;
    let runLatency = settledAt - report.recordSentAt(0);
    let run = 0;
    for (let i = 0; i < n; i++) {
      const latency = settledAt - report.recordSentAt(i);
      if (latency !== runLatency) {
        this.latency.record(runLatency, run);
        runLatency = latency;
        run = 0;
      }
      run++;
    }
    this.latency.record(runLatency, run);
  }
}

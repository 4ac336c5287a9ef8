/**
 * Latency percentiles in constant memory, instead of keeping every latency: a run of a billion records costs what a
 * run of ten does. Log-linear buckets as in an HDR histogram: exact up to 1,024 ms, then 512 buckets per power of
 * two (within 0.2%), up to an hour. Written here because hdr-histogram-js took 450 ms just to load (its module
 * builds an Intl.NumberFormat and a WebAssembly blob), which every `send` and the extension would pay.
 */
const EXACT = 1024;
const SUB_BUCKETS = 512;
const HOUR_MS = 3_600_000;
const BUCKETS = EXACT + SUB_BUCKETS * Math.ceil(Math.log2(HOUR_MS / EXACT) + 1);

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;

  /** Records `count` latencies of `ms` (milliseconds, rounded; clamped to 0 .. 1 hour). */
  record(ms: number, count = 1): void {
    if (!(count > 0)) return;
    this.counts[bucketOf(Math.min(HOUR_MS, Math.max(0, Math.round(ms))))] += count;
    this.total += count;
  }

  get count(): number {
    return this.total;
  }

  /** The buckets that hold something, in order: up to `upTo` ms (inclusive), `count` latencies. */
  buckets(): { upTo: number; count: number }[] {
    const out: { upTo: number; count: number }[] = [];
    for (let i = 0; i < BUCKETS; i++)
      if (this.counts[i] > 0) out.push({ upTo: highestValueOf(i), count: this.counts[i] });
    return out;
  }

  /** The latency at percentile `p` (0-100, nearest rank), or undefined when nothing was recorded. */
  percentile(p: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return highestValueOf(i);
    }
    return HOUR_MS;
  }
}

function bucketOf(v: number): number {
  if (v < EXACT) return v;
  const shift = Math.floor(Math.log2(v)) - 9; // v >> shift is in [512, 1024)
  return EXACT + (shift - 1) * SUB_BUCKETS + (Math.floor(v / 2 ** shift) - SUB_BUCKETS);
}

/** The largest value that falls in bucket `i` (as HDR histograms report percentiles). */
function highestValueOf(i: number): number {
  if (i < EXACT) return i;
  const shift = Math.floor((i - EXACT) / SUB_BUCKETS) + 1;
  const sub = ((i - EXACT) % SUB_BUCKETS) + SUB_BUCKETS;
  return (sub + 1) * 2 ** shift - 1;
}

/**
 * Latencies of one run: exact while there are few (a 3-record message reports 2.7 ms, not 3), then a histogram once
 * there are many, so memory stays flat at any count. The histogram is allocated only then: a collection of 100,000
 * one-record messages keeps 100,000 of these at a few bytes each.
 */
export class Latencies {
  private static readonly EXACT_UP_TO = 1024;
  private exact: number[] | undefined = [];
  private histogram: LatencyHistogram | undefined;

  record(ms: number): void {
    const exact = this.exact;
    if (exact) {
      exact.push(ms);
      if (exact.length < Latencies.EXACT_UP_TO) return;
      const histogram = (this.histogram = new LatencyHistogram());
      for (const v of exact) histogram.record(v);
      this.exact = undefined;
      return;
    }
    this.histogram!.record(ms);
  }

  /** Nearest-rank percentile `p` (0-100), or undefined when nothing was recorded. */
  percentile(p: number): number | undefined {
    if (!this.exact) return this.histogram!.percentile(p);
    if (this.exact.length < 2) return this.exact[0]; // a one-record message: no copy to sort
    const sorted = [...this.exact].sort((a, b) => a - b);
    const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
}

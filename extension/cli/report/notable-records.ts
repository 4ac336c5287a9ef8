/**
 * The records a report shows one by one: the first failures and the slowest acknowledged records, each with its
 * waterfall taken when it settled (later it may have left the trace window). Bounded: `max` of each, whatever the run.
 */
import type { Waterfall } from '../../protocol/visual';

export interface NotableRecord {
  /** "record 41 (key order-41)". */
  label: string;
  latencyMs: number;
  error?: string;
  /** undefined when the trace was not kept (tracing off, or gone from the window). */
  waterfall?: Waterfall;
  /** The batch it was sent in, when known. */
  batch?: string;
}

export class NotableRecords {
  readonly failed: NotableRecord[] = [];
  /** Slowest first. */
  readonly slowest: NotableRecord[] = [];

  constructor(private readonly max = 5) {}

  /** A failed record: kept if fewer than `max` were. `waterfall` is called only then. */
  addFailed(label: string, latencyMs: number, error: string, waterfall: () => Waterfall | undefined): void {
    if (this.failed.length >= this.max) return;
    this.failed.push({ label, latencyMs, error, waterfall: waterfall() });
  }

  /** Whether an acknowledged record this slow would be kept (so its trace is worth looking up). */
  wouldKeep(latencyMs: number): boolean {
    return this.slowest.length < this.max || latencyMs > this.slowest[this.slowest.length - 1].latencyMs;
  }

  /**
   * An acknowledged record: kept if it is among the `max` slowest so far. Records of one `batch` share a waterfall:
   * only the slowest of them is kept.
   */
  addAcked(label: string, latencyMs: number, waterfall: () => Waterfall | undefined, batch?: string): void {
    if (!this.wouldKeep(latencyMs)) return;
    const same = batch === undefined ? -1 : this.slowest.findIndex((r) => r.batch === batch);
    if (same >= 0) {
      if (this.slowest[same].latencyMs >= latencyMs) return;
      this.slowest.splice(same, 1);
    }
    this.slowest.push({ label, latencyMs, waterfall: waterfall(), batch });
    this.slowest.sort((a, b) => b.latencyMs - a.latencyMs);
    if (this.slowest.length > this.max) this.slowest.pop();
  }
}

/**
 * Progress of a run as people read it, the same for every bulk send in VS Code (a collection's, the composer's
 * Repeat): records settled of those planned, acknowledged, failed, remaining, and the rate so far. Fed by the
 * runner's listener, one record at a time.
 */
import { systemClock, type Clock } from '../util/clock';
import { formatCount } from './reporters';
import type { RecordOutcome } from './runner';

export interface ProgressView {
  settled: number;
  acked: number;
  failed: number;
  /** Planned records not settled yet (sending, or still to be handed over); undefined when a data file decides. */
  remaining: number | undefined;
  /** Records settled per second since the run started. */
  perSecond: number;
}

export class RunProgress {
  private settled = 0;
  private acked = 0;
  private failed = 0;
  private readonly startedAt: number;

  constructor(
    readonly planned: number | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.startedAt = clock.now();
  }

  record(outcome: Pick<RecordOutcome, 'metadata'>): void {
    this.settled++;
    if (outcome.metadata) this.acked++;
    else this.failed++;
  }

  view(): ProgressView {
    const seconds = Math.max(0.001, (this.clock.now() - this.startedAt) / 1000);
    return {
      settled: this.settled,
      acked: this.acked,
      failed: this.failed,
      remaining: this.planned === undefined ? undefined : Math.max(0, this.planned - this.settled),
      perSecond: this.settled / seconds,
    };
  }

  /** "1,234 of 5,000 records: 1,230 acknowledged, 4 failed, 3,766 remaining, 812 records/s". */
  describe(): string {
    const v = this.view();
    const of = this.planned === undefined ? '' : ` of ${formatCount(this.planned)}`;
    const parts = [`${formatCount(v.acked)} acknowledged`, `${formatCount(v.failed)} failed`];
    if (v.remaining !== undefined) parts.push(`${formatCount(v.remaining)} remaining`);
    parts.push(`${formatCount(Math.round(v.perSecond))} records/s`);
    const noun = (this.planned ?? v.settled) === 1 ? 'record' : 'records';
    return `${formatCount(v.settled)}${of} ${noun}: ${parts.join(', ')}`;
  }
}

/**
 * Watches a bulk send through its producers' bounded statistics: at the start it notes where each open producer's
 * timeline stood; each sample then charts what changed since, for the producers that did something (a producer made
 * during the send counts from zero). Costs a timeline() and a stats() per producer per sample, whatever the send's size.
 */
import type { MetricsTimeline, Producer } from '../engine/types';
import { describeTraceId } from '../../protocol/trace-ids';
import type { RunCharts } from '../../protocol/visual';
import { runCharts, type ProducerSample } from './run-charts';

type Watched = Pick<Producer, 'stats' | 'timeline' | 'recordId'>;

/** "producer 2": the number trace ids carry ("p2-r15"), so the charts name producers as traces do. */
export function producerName(p: Watched): string {
  return describeTraceId(p.recordId(1)).replace(/^record \d+ of /, '');
}

export class RunWatch {
  private readonly before = new Map<Watched, { timeline: MetricsTimeline; activity: number }>();

  constructor(
    private readonly producers: () => Watched[],
    readonly startedAt: number,
  ) {
    for (const p of producers()) this.before.set(p, { timeline: p.timeline(), activity: activity(p) });
  }

  sample(live: boolean): RunCharts {
    const samples: ProducerSample[] = [];
    for (const p of this.producers()) {
      const before = this.before.get(p);
      if (before && activity(p) === before.activity) continue;
      samples.push({ clientId: producerName(p), now: p.timeline(), before: before?.timeline, stats: p.stats() });
    }
    return runCharts(samples, this.startedAt, live);
  }
}

/** Records the producer handed to requests, failed or acknowledged: changes whenever it did anything. */
function activity(p: Watched): number {
  const s = p.stats();
  return s['record-send-total'] + s['record-error-total'] + s['record-ack-total'];
}

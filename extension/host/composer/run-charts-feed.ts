/**
 * The charts of the bulk send in progress (the composer's, or a collection's): every half second a sample of the
 * producers' bounded statistics (never a message per record), then a last one when it ends, kept for a panel that
 * opens the Charts tab later. Overlapping sends are charted as one, from the first start to the last end.
 */
import type { Producer } from '../../core/engine/types';
import { RunWatch } from '../../core/visual/run-watch';
import type { RunCharts } from '../../protocol/visual';

export const RUN_CHARTS_EVERY_MS = 500;

export class RunChartsFeed {
  private watch: RunWatch | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = 0;
  last: RunCharts | null = null;

  constructor(
    private readonly producers: () => Producer[],
    private readonly post: (charts: RunCharts) => void,
  ) {}

  /** A send started (true) or ended (false). */
  follow(running: boolean): void {
    if (running && this.running++ === 0) this.start();
    if (!running && this.running > 0 && --this.running === 0) this.end();
  }

  private start(): void {
    this.stopTimer();
    this.watch = new RunWatch(this.producers, Date.now());
    this.timer = setInterval(() => this.push(true), RUN_CHARTS_EVERY_MS);
  }

  private end(): void {
    this.stopTimer();
    if (this.watch) this.push(false);
    this.watch = undefined;
  }

  private push(live: boolean): void {
    if (!this.watch) return;
    this.last = this.watch.sample(live);
    this.post(this.last);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopTimer();
    this.watch = undefined;
  }
}

/** Spaces records out to at most `ratePerSecond`: record n may go at start + n / rate, so short stalls catch up. */
import type { Clock } from '../util/clock';

export class RateLimiter {
  private start: number | undefined;
  private sent = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
  }

  /** Resolves when the next record may be sent (at once for the first), or early when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    if (this.start === undefined) this.start = now;
    const due = this.start + (this.sent * 1000) / this.ratePerSecond;
    this.sent++;
    if (due <= now) return Promise.resolve();
    return sleepLong(this.clock, due - now, signal);
  }
}

/** Timers take at most 2^31-1 ms (about 24.8 days); a longer wait (a rate of one record a month) goes in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

async function sleepLong(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  const until = clock.now() + ms;
  for (let left = ms; left > 0 && !signal?.aborted; left = until - clock.now())
    await sleep(clock, Math.min(left, MAX_TIMER_MS), signal);
}

/** Waits `ms` on `clock`; an abort ends the wait early (the caller checks the signal). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      cancel();
      resolve();
    };
    const cancel = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

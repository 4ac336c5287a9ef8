/** Time is passed in, so tests can drive timers with a fake clock (see FakeClock in test/helpers). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Timers one `advance` may fire before it decides that they keep rescheduling each other and gives up. */
export const FAKE_CLOCK_MAX_STEPS = 100_000;

/**
 * A clock that only moves when told to; due timers fire in time order during `advance`. A timer that keeps
 * scheduling another within the same advance (a step loop that never waits) makes `advance` throw after
 * `maxSteps` timers instead of spinning forever: one such bug hung a test suite for 200 s instead of failing it.
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(
    startMs = 1_700_000_000_000,
    private readonly maxSteps = FAKE_CLOCK_MAX_STEPS,
  ) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let steps = 0; ; steps++) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      if (steps >= this.maxSteps) {
        throw new Error(
          `FakeClock.advance(${ms}) fired ${steps} timers and still has one due at ${due.at - this.current} ms from now (of ${target - this.current} left): timers keep scheduling each other without time passing; look for a step that reschedules itself at once`,
        );
      }
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

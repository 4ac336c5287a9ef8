/**
 * Hands on results in the order they were reserved, though they may come done out of order (messages on other
 * partitions are acknowledged sooner). A plain queue rather than a promise chain: a chain's links run a few
 * microtasks apart, so 100,000 short messages outran it and every one's state stayed in memory until the end.
 */
export class InOrder<T extends object> {
  /**
   * Values done and not yet handed on, at slot % length: a ring that doubles when more are open than it holds. A Map
   * keyed by slot grew and shrank its table with each burst of acknowledgements.
   */
  private ready: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined);
  private next = 0;
  private reserved = 0;
  private waiters: (() => void)[] = [];
  private roomWaiter: { below: number; wake: () => void } | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly handOn: (value: T) => void) {}

  reserve(): number {
    if (this.reserved - this.next === this.ready.length) this.grow();
    return this.reserved++;
  }

  private grow(): void {
    const old = this.ready;
    const ready = new Array<T | undefined>(old.length * 2).fill(undefined);
    for (let slot = this.next; slot < this.reserved; slot++) ready[slot % ready.length] = old[slot % old.length];
    this.ready = ready;
  }

  /** Reserved and not yet handed on. */
  get open(): number {
    return this.reserved - this.next;
  }

  /** Resolves once fewer than `below` are open. One caller (the run's loop) waits at a time. */
  fewerOpenThan(below: number): Promise<void> {
    if (this.open < below) return Promise.resolve();
    return new Promise<void>((wake) => (this.roomWaiter = { below, wake }));
  }

  done(slot: number, value: T): void {
    this.ready[slot % this.ready.length] = value;
    for (;;) {
      // this.ready is read afresh each time: a listener may reserve more, and the ring may grow.
      const at = this.next % this.ready.length;
      const v = this.ready[at];
      if (v === undefined) break;
      this.ready[at] = undefined;
      this.next++;
      try {
        if (!this.failure) this.handOn(v);
      } catch (error) {
        this.failure = { error }; // a listener threw: the run ends with its error
      }
    }
    if (this.roomWaiter && this.open < this.roomWaiter.below) {
      const { wake } = this.roomWaiter;
      this.roomWaiter = undefined;
      wake();
    }
    if (this.next === this.reserved) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once everything reserved is done and handed on; rejects with what a listener threw. */
  async allDone(): Promise<void> {
    if (this.next !== this.reserved) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure.error;
  }
}

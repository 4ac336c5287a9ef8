/**
 * Keeps what the explorer, the composer and the sandbox bar show current from what the active connection's producers
 * report, instead of waiting for Refresh: a metadata refresh or a produce error means leaders may have moved (fetch
 * metadata again); any produce response may have used up a sandbox fault or moved a high watermark (refresh the
 * cheap state). Requests are coalesced: at most one refresh per `minIntervalMs`, the last request always honoured.
 */
import type { Producer } from '../../core/engine/types';

export interface Refresh {
  /** Fetch cluster metadata again (leaders, ISRs, new topics), not only the cheap state. */
  metadata: boolean;
}

export class ClusterWatch {
  private wanted: Refresh | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly refresh: (what: Refresh) => Promise<void>,
    private readonly minIntervalMs = 500,
  ) {}

  /** Follows one producer's trace events until the returned disposable is disposed. */
  follow(producer: Producer): { dispose(): void } {
    return producer.onTrace((e) => {
      if (e.type === 'metadata-refresh') this.request({ metadata: true });
      else if (e.type === 'attempt-result') this.request({ metadata: e.errorCode !== 0 });
    });
  }

  request(what: Refresh): void {
    if (this.disposed) return;
    this.wanted = { metadata: (this.wanted?.metadata ?? false) || what.metadata };
    this.timer ??= setTimeout(() => void this.run(), this.minIntervalMs);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    await this.running; // one refresh at a time; what was asked meanwhile is in `wanted`
    const what = this.wanted;
    this.wanted = undefined;
    if (!what || this.disposed) return;
    this.running = this.refresh(what).catch(() => undefined);
    await this.running;
    this.running = undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

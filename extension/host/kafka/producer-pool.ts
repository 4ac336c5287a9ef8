/**
 * The one pool of the extension's producers: one per target (a connection's session, an environment file's own
 * cluster) and producer configuration, reused while both stay the same, and closed with their target. The composer,
 * the command API and collection runs all take their producers here.
 */
import type { ProducerConfigInput } from '../../core/engine/config';
import type { Producer } from '../../core/engine/types';
import { producerConfigKey } from '../../core/kafka/rules/producer-defaults';
import type { ConnectionConfig, Transport } from '../../core/transport/transport';

/** Where a producer sends: `id` names the target in the pool; `autoCreateId` whose topic auto-creation switch applies. */
export interface PoolTarget {
  id: string;
  config: ConnectionConfig;
  autoCreateId: string;
}

export interface PooledProducer {
  producer: Producer;
  transport: Transport;
}

export class ProducerPool {
  private readonly entries = new Map<string, PooledProducer & { target: string }>();

  constructor(private readonly create: (target: PoolTarget, producerConfig: ProducerConfigInput) => PooledProducer) {}

  /** The target's producer for this configuration; `created` is true when it was made now. */
  acquire(target: PoolTarget, producerConfig: ProducerConfigInput): { producer: Producer; created: boolean } {
    const key = `${target.id}\n${producerConfigKey(producerConfig)}`;
    const existing = this.entries.get(key);
    if (existing) return { producer: existing.producer, created: false };
    const made = this.create(target, producerConfig);
    this.entries.set(key, { ...made, target: target.id });
    return { producer: made.producer, created: true };
  }

  /** Whether `producer` sends to the target `targetId`. */
  owns(targetId: string, producer: Producer): boolean {
    for (const e of this.entries.values()) if (e.target === targetId && e.producer === producer) return true;
    return false;
  }

  /** Every producer open now, of every target. */
  all(): Producer[] {
    return [...this.entries.values()].map((e) => e.producer);
  }

  /** Closes the target's producers and transports; with no timeout a producer first delivers what it holds. */
  async close(targetId: string, timeoutMs?: number): Promise<void> {
    await this.closeWhere((target) => target === targetId, timeoutMs);
  }

  async closeAll(timeoutMs?: number): Promise<void> {
    await this.closeWhere(() => true, timeoutMs);
  }

  private async closeWhere(match: (target: string) => boolean, timeoutMs?: number): Promise<void> {
    const closing = [...this.entries].filter(([, e]) => match(e.target));
    for (const [key] of closing) this.entries.delete(key);
    for (const [, { producer, transport }] of closing) {
      await producer.close(timeoutMs === undefined ? {} : { timeoutMs }).catch(() => undefined);
      await transport.close().catch(() => undefined);
    }
  }
}

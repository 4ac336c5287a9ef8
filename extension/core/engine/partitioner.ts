/**
 * Picks a record's partition and says why: explicit, key hash (Java's murmur2), sticky for keyless records
 * (switch when the batch is full or sent), round-robin, and the optional failover re-route.
 */
import { murmur2, toPositive } from './murmur2';
import type { MetadataCache } from './metadata';
import type { PartitionReason } from './types';

export interface PartitionDecision {
  partition: number;
  reason: PartitionReason;
}

export interface PartitionerOptions {
  strategy: 'default' | 'round-robin';
  failover: boolean;
  random: () => number;
}

export class Partitioner {
  /** Keyless, per topic: the sticky partition. */
  private readonly sticky = new Map<string, number>();
  private readonly roundRobin = new Map<string, number>();
  /** Reasons that carry no per-record data are shared, so keyless sends allocate nothing for them. */
  private readonly stayReasons = new Map<string, PartitionReason>();

  constructor(private readonly options: PartitionerOptions) {}

  /**
   * Partition for a record with a key (or none). `stickyMustSwitch(partition)` tells whether the current sticky
   * partition's batch is full or already sent, which moves keyless records on.
   */
  partition(
    topic: string,
    key: Buffer | null,
    metadata: MetadataCache,
    stickyMustSwitch: (partition: number) => boolean,
  ): PartitionDecision {
    const numPartitions = metadata.numPartitions(topic);
    if (key !== null && this.options.strategy === 'default') {
      const hash = murmur2(key);
      const partition = toPositive(hash) % numPartitions;
      if (this.options.failover && metadata.leaderFor(topic, partition) < 0) {
        const available = metadata.availablePartitions(topic);
        if (available.length > 0) {
          // Same key, same fallback partition: keys stay together while the leader is away.
          const to = available[toPositive(hash) % available.length];
          return { partition: to, reason: { type: 'failover', numPartitions, originalPartition: partition, originalRule: 'key-hash', hash } };
        }
      }
      return { partition, reason: { type: 'key-hash', hash, numPartitions } };
    }
    if (this.options.strategy === 'round-robin') return this.nextRoundRobin(topic, numPartitions, metadata);
    return this.stickyPartition(topic, numPartitions, metadata, stickyMustSwitch);
  }

  private nextRoundRobin(topic: string, numPartitions: number, metadata: MetadataCache): PartitionDecision {
    const n = (this.roundRobin.get(topic) ?? -1) + 1;
    this.roundRobin.set(topic, n);
    const available = metadata.availablePartitions(topic);
    if (available.length > 0) {
      return { partition: available[n % available.length], reason: { type: 'round-robin', numPartitions } };
    }
    return { partition: n % numPartitions, reason: { type: 'round-robin', numPartitions } };
  }

  private stickyPartition(
    topic: string,
    numPartitions: number,
    metadata: MetadataCache,
    mustSwitch: (partition: number) => boolean,
  ): PartitionDecision {
    const current = this.sticky.get(topic);
    if (current !== undefined && current < numPartitions) {
      const leaderAlive = metadata.leaderFor(topic, current) >= 0;
      if (leaderAlive && !mustSwitch(current)) {
        return { partition: current, reason: this.stayReason(topic, numPartitions) };
      }
      const next = this.pickOther(topic, numPartitions, metadata, current);
      this.sticky.set(topic, next);
      if (!leaderAlive && metadata.leaderFor(topic, next) >= 0) {
        return { partition: next, reason: { type: 'failover', numPartitions, originalPartition: current, originalRule: 'sticky' } };
      }
      return { partition: next, reason: { type: 'sticky', numPartitions, switched: true, previousPartition: current } };
    }
    const first = this.pickOther(topic, numPartitions, metadata, -1);
    this.sticky.set(topic, first);
    return { partition: first, reason: this.stayReason(topic, numPartitions) };
  }

  private stayReason(topic: string, numPartitions: number): PartitionReason {
    let reason = this.stayReasons.get(topic);
    if (!reason || reason.numPartitions !== numPartitions) {
      reason = Object.freeze({ type: 'sticky', numPartitions, switched: false });
      this.stayReasons.set(topic, reason);
    }
    return reason;
  }

  /** A random partition with a live leader other than `exclude` (any partition if none is available). */
  private pickOther(topic: string, numPartitions: number, metadata: MetadataCache, exclude: number): number {
    const available = metadata.availablePartitions(topic);
    const candidates = available.length > 0 ? available : Array.from({ length: numPartitions }, (_, i) => i);
    const others = candidates.length > 1 ? candidates.filter((p) => p !== exclude) : candidates;
    return others[Math.min(others.length - 1, Math.floor(this.options.random() * others.length))];
  }
}

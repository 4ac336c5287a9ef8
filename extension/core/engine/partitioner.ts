/**
 * Picks a record's partition and says why: explicit, key hash (Java's murmur2), sticky for keyless records (switch
 * when the batch is full or sent), round-robin, and the optional failover re-route. The decision is written into the
 * record (partition, reason code, hash, the other partition involved), so partitioning allocates nothing.
 */
import type { RecordInput } from './batch';
import type { MetadataCache } from './metadata';
import { murmur2, toPositive } from './murmur2';
import { ReasonCode } from './reason';

export interface PartitionerOptions {
  strategy: 'default' | 'round-robin';
  failover: boolean;
  random: () => number;
}

/** Room for most keys, so hashing a string key needs no buffer of its own. */
const SCRATCH_BYTES = 4096;

export class Partitioner {
  /** Keyless, per topic: the sticky partition. */
  private readonly sticky = new Map<string, number>();
  private readonly roundRobin = new Map<string, number>();
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

  constructor(private readonly options: PartitionerOptions) {}

  /**
   * Sets `r.partition` and its reason for a topic of `numPartitions` (the record has no explicit partition).
   * `stickyMustSwitch(partition)` tells whether the sticky partition's batch is full or already sent.
   */
  partition(r: RecordInput, numPartitions: number, metadata: MetadataCache, stickyMustSwitch: (partition: number) => boolean): void {
    r.numPartitions = numPartitions;
    if (r.key !== null && this.options.strategy === 'default') {
      const hash = this.hashKey(r.key, r.keySize);
      const partition = toPositive(hash) % numPartitions;
      r.hash = hash;
      r.partition = partition;
      r.reasonCode = ReasonCode.KeyHash;
      if (this.options.failover && metadata.leaderFor(r.topic, partition) < 0) {
        const available = metadata.availablePartitions(r.topic);
        if (available.length > 0) {
          // Same key, same fallback partition: keys stay together while the leader is away.
          r.partition = available[toPositive(hash) % available.length];
          r.reasonCode = ReasonCode.FailoverFromKeyHash;
          r.aux = partition;
        }
      }
      return;
    }
    if (this.options.strategy === 'round-robin') this.nextRoundRobin(r, numPartitions, metadata);
    else this.stickyPartition(r, numPartitions, metadata, stickyMustSwitch);
  }

  private hashKey(key: Buffer | string, keySize: number): number {
    if (typeof key !== 'string') return murmur2(key);
    if (keySize <= SCRATCH_BYTES) {
      this.scratch.write(key, 0, keySize, 'utf8');
      return murmur2(this.scratch.subarray(0, keySize));
    }
    return murmur2(Buffer.from(key, 'utf8'));
  }

  private nextRoundRobin(r: RecordInput, numPartitions: number, metadata: MetadataCache): void {
    const n = (this.roundRobin.get(r.topic) ?? -1) + 1;
    this.roundRobin.set(r.topic, n);
    const available = metadata.availablePartitions(r.topic);
    r.partition = available.length > 0 ? available[n % available.length] : n % numPartitions;
    r.reasonCode = ReasonCode.RoundRobin;
  }

  private stickyPartition(r: RecordInput, numPartitions: number, metadata: MetadataCache, mustSwitch: (partition: number) => boolean): void {
    const current = this.sticky.get(r.topic);
    if (current !== undefined && current < numPartitions) {
      const leaderAlive = metadata.leaderFor(r.topic, current) >= 0;
      if (leaderAlive && !mustSwitch(current)) {
        r.partition = current;
        r.reasonCode = ReasonCode.Sticky;
        return;
      }
      const next = this.pickOther(r.topic, numPartitions, metadata, current);
      this.sticky.set(r.topic, next);
      r.partition = next;
      r.aux = current;
      r.reasonCode = !leaderAlive && metadata.leaderFor(r.topic, next) >= 0 ? ReasonCode.FailoverFromSticky : ReasonCode.StickySwitched;
      return;
    }
    const first = this.pickOther(r.topic, numPartitions, metadata, -1);
    this.sticky.set(r.topic, first);
    r.partition = first;
    r.reasonCode = ReasonCode.Sticky;
  }

  /** A random partition with a live leader other than `exclude` (any partition if none is available). */
  private pickOther(topic: string, numPartitions: number, metadata: MetadataCache, exclude: number): number {
    const available = metadata.availablePartitions(topic);
    const candidates = available.length > 0 ? available : Array.from({ length: numPartitions }, (_, i) => i);
    const others = candidates.length > 1 ? candidates.filter((p) => p !== exclude) : candidates;
    return others[Math.min(others.length - 1, Math.floor(this.options.random() * others.length))];
  }
}

/**
 * Picks a record's partition and says why: explicit, key hash (Java's murmur2), sticky for keyless records (switch
 * when the batch is full or sent: the accumulator says so, see switchSticky), round-robin, and the optional failover
 * re-route. The decision is written into the
 * record (partition, reason code, hash, the other partition involved), so partitioning allocates nothing.
 */
import type { RecordInput } from './record-input';
import type { MetadataCache } from './metadata';
import { murmur2, toPositive } from './murmur2';
import { ReasonCode } from './reason';

export interface PartitionerOptions {
  strategy: 'default' | 'round-robin';
  failover: boolean;
  random: () => number;
}

/** `aux` of a sticky decision that kept the partition chosen before (a first choice has -1). */
const STAYED = -2;

/** Room for most keys, so hashing a string key needs no buffer of its own. */
const SCRATCH_BYTES = 4096;

export class Partitioner {
  /** Keyless, per topic: the sticky partition. */
  private readonly sticky = new Map<string, number>();
  private readonly roundRobin = new Map<string, number>();
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** The last sticky decision that kept its partition, valid while the topic and the metadata version are the same. */
  private stayTopic = '';
  private stayPartition = -1;
  private stayVersion = -1;

  constructor(private readonly options: PartitionerOptions) {}

  /** Sets `r.partition` and its reason for a topic of `numPartitions` (the record has no explicit partition). */
  partition(r: RecordInput, numPartitions: number, metadata: MetadataCache): void {
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
    else this.stickyPartition(r, numPartitions, metadata);
  }

  /**
   * True when the record stays on the sticky partition chosen before: if that partition's batch is full or sent,
   * the accumulator says so instead of starting a new batch, and `switchSticky` moves on.
   */
  stayedSticky(r: RecordInput): boolean {
    return r.reasonCode === ReasonCode.Sticky && r.aux === STAYED;
  }

  /** The sticky partition's batch is full or sent (Java's onNewBatch): the record goes to another partition. */
  switchSticky(r: RecordInput, metadata: MetadataCache): void {
    const previous = r.partition;
    r.reasonCode = ReasonCode.StickySwitched;
    const next = this.pickOther(r.topic, r.numPartitions, metadata, previous);
    this.sticky.set(r.topic, next);
    this.stayTopic = '';
    r.partition = next;
    r.aux = previous;
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

  private stickyPartition(r: RecordInput, numPartitions: number, metadata: MetadataCache): void {
    // The common case, once per record: the same topic as last time, and nothing changed since.
    if (r.topic === this.stayTopic && metadata.version === this.stayVersion && this.stayPartition < numPartitions) {
      r.partition = this.stayPartition;
      r.reasonCode = ReasonCode.Sticky;
      r.aux = STAYED;
      return;
    }
    const current = this.sticky.get(r.topic);
    if (current !== undefined && current < numPartitions) {
      if (metadata.leaderFor(r.topic, current) >= 0) {
        r.partition = current;
        r.reasonCode = ReasonCode.Sticky;
        r.aux = STAYED;
        this.stayTopic = r.topic;
        this.stayPartition = current;
        this.stayVersion = metadata.version;
        return;
      }
      // Its leader is gone: move on to a partition whose leader is alive.
      const next = this.pickOther(r.topic, numPartitions, metadata, current);
      this.sticky.set(r.topic, next);
      this.stayTopic = '';
      r.partition = next;
      r.aux = current;
      r.reasonCode = metadata.leaderFor(r.topic, next) >= 0 ? ReasonCode.FailoverFromSticky : ReasonCode.StickySwitched;
      return;
    }
    const first = this.pickOther(r.topic, numPartitions, metadata, -1);
    this.sticky.set(r.topic, first);
    this.stayTopic = '';
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

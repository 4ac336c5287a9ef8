/** The producer's cached view of the cluster: topics, partitions, leaders, brokers; and when to refresh it. */
import type { BrokerInfo, ClusterMetadata, TopicInfo } from '../transport/transport';

export class MetadataCache {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly brokers = new Map<number, BrokerInfo>();
  private readonly available = new Map<string, number[]>();
  /** Topics the producer has sent to; each refresh asks for these. */
  readonly wanted = new Set<string>();
  lastRefreshMs = -Infinity;
  lastAttemptMs = -Infinity;
  updateRequested = false;
  updateReason = '';
  inFlight = false;
  /** Grows with every update: what was looked up under the same version is still true. */
  version = 0;
  /** Failed fetches in a row: each waits longer before the next (up to refreshBackoffMaxMs). */
  failuresInARow = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly refreshBackoffMs: number,
    private readonly refreshBackoffMaxMs = refreshBackoffMs,
  ) {}

  /** A fetch failed: the next one waits longer, and none is made for an idle producer (see the sender). */
  fetchFailed(reason: string): void {
    this.failuresInARow++;
    this.requestUpdate(reason);
  }

  requestUpdate(reason: string): void {
    if (!this.updateRequested) this.updateReason = reason;
    this.updateRequested = true;
  }

  /** When the next refresh is due (now if one was asked for), or Infinity when nothing is wanted. */
  nextRefreshAt(): number {
    if (this.wanted.size === 0) return Infinity;
    const backoff = Math.min(
      Math.max(this.refreshBackoffMs, this.refreshBackoffMaxMs),
      this.refreshBackoffMs * 2 ** Math.max(0, this.failuresInARow - 1),
    );
    const earliest = this.lastAttemptMs + backoff;
    if (this.updateRequested) return Math.max(earliest, -Infinity);
    return Math.max(earliest, this.lastRefreshMs + this.maxAgeMs);
  }

  refreshReason(now: number): string {
    if (this.updateRequested) return this.updateReason;
    return now - this.lastRefreshMs >= this.maxAgeMs && this.lastRefreshMs > -Infinity
      ? 'metadata.max.age.ms elapsed'
      : 'first use';
  }

  update(metadata: ClusterMetadata, now: number): void {
    this.version++;
    this.brokers.clear();
    for (const b of metadata.brokers) this.brokers.set(b.nodeId, b);
    for (const t of metadata.topics) {
      this.topics.set(t.name, t);
      const partitions = [...t.partitions].sort((a, b) => a.partition - b.partition);
      this.topics.set(t.name, { ...t, partitions });
      this.available.set(
        t.name,
        partitions.filter((p) => p.leader >= 0 && this.brokers.has(p.leader)).map((p) => p.partition),
      );
    }
    this.lastRefreshMs = now;
    this.updateRequested = false;
    this.failuresInARow = 0;
  }

  /** The topic if its metadata can be used to place records (known, with partitions, no topic error). */
  usableTopic(topic: string): TopicInfo | undefined {
    const t = this.topics.get(topic);
    return t && t.errorCode === 0 && t.partitions.length > 0 ? t : undefined;
  }

  topicInfo(topic: string): TopicInfo | undefined {
    return this.topics.get(topic);
  }

  numPartitions(topic: string): number {
    return this.topics.get(topic)?.partitions.length ?? 0;
  }

  /** The leader's node id, or -1 when the partition has no live leader. */
  leaderFor(topic: string, partition: number): number {
    const p = this.topics.get(topic)?.partitions[partition];
    if (!p || p.partition !== partition || p.leader < 0 || !this.brokers.has(p.leader)) return -1;
    return p.leader;
  }

  /** Partitions whose leader is alive, in order. */
  availablePartitions(topic: string): number[] {
    return this.available.get(topic) ?? [];
  }

  broker(nodeId: number): BrokerInfo | undefined {
    return this.brokers.get(nodeId);
  }

  address(nodeId: number): string {
    const b = this.brokers.get(nodeId);
    return b ? `${b.host}:${b.port}` : `node ${nodeId}`;
  }
}

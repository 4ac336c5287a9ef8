/**
 * The cluster's metadata and data: brokers (up/down), the controller, topics with partitions (replicas, ISR, leader,
 * leader epoch) and their logs, and the caps on stored data. Leadership changes happen here: elections after a
 * broker goes down (after electionDelayMs), ISR shrink and rejoin, and explicit leader moves.
 */
import type { Clock } from '../../util/clock';
import { InvalidInputError } from '../../util/errors';
import { ErrorCode } from '../../kafka/protocol/errors';
import type { ResolvedSandboxOptions } from './options';
import { topicNameProblem } from '../../kafka/rules/topic-name';
import { MAX_PARTITIONS_PER_TOPIC } from './options';
import { PartitionLog, type StoredBatch } from './partition-log';
import {
  isConfigProblem,
  parseTopicConfigs,
  type TopicConfigDefaults,
  type TopicConfigProblem,
  type TopicSettings,
} from './topic-config';

export interface BrokerAddress {
  id: number;
  host: string;
  port: number;
}

export interface BrokerNode extends BrokerAddress {
  up: boolean;
}

export interface Partition {
  readonly topic: string;
  readonly index: number;
  readonly replicas: number[];
  isr: number[];
  /** -1 when offline. */
  leader: number;
  leaderEpoch: number;
  /** Where each leader epoch began (the leader epoch cache OffsetForLeaderEpoch answers from). */
  readonly epochStarts: { epoch: number; startOffset: number }[];
  readonly log: PartitionLog;
}

export interface Topic {
  readonly name: string;
  readonly partitions: Partition[];
  settings: TopicSettings;
}

/** Outcome of a topic creation attempt, in the CreateTopics answer's terms. */
export type CreateTopicResult = { errorCode: 0; topic?: Topic } | { errorCode: number; errorMessage: string | null };

export interface CreateTopicRequest {
  name: string;
  /** -1 = the sandbox default. */
  numPartitions: number;
  replicationFactor: number;
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
  configs?: Record<string, string | null>;
  validateOnly?: boolean;
}

export class ClusterModel {
  readonly brokers: BrokerNode[];
  readonly topics = new Map<string, Topic>();
  private readonly cancelTimers = new Set<() => void>();
  /** Spreads the first leader of successive topics over the brokers, as Kafka's assignment does. */
  private assignmentStart = 0;
  /** Numbers batches in append order across partitions, so the total caps drop the oldest data first. */
  private nextAppendSeq = 0;
  private totalRecords = 0;
  private totalBytes = 0;
  /** auto.leader.rebalance.enable, switchable through the control API. */
  private autoLeaderRebalance: boolean;

  constructor(
    readonly options: ResolvedSandboxOptions,
    brokers: BrokerAddress[],
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
    /** Told when data (a partition) or leadership/topics (no argument) change, so waiting fetches re-check. */
    private readonly onChange: (appendedTo?: Partition) => void,
  ) {
    this.brokers = brokers.map((b) => ({ ...b, up: true }));
    this.autoLeaderRebalance = options.autoLeaderRebalance;
  }

  get autoLeaderRebalanceEnabled(): boolean {
    return this.autoLeaderRebalance;
  }

  /** Turns auto.leader.rebalance.enable on or off; turning it on moves leaders to their preferred replicas now. */
  setAutoLeaderRebalance(enabled: boolean): void {
    this.autoLeaderRebalance = enabled;
    this.log(`auto leader rebalance ${enabled ? 'on' : 'off'}`);
    if (enabled && this.electPreferredLeaders()) this.onChange();
  }

  /**
   * Moves leadership back to each partition's preferred replica (its first) where that broker is up and in sync,
   * as Kafka's auto leader rebalance does (there every leader.imbalance.check.interval.seconds; here at once).
   * Returns whether any leader moved.
   */
  private electPreferredLeaders(onlyBroker?: number): boolean {
    let moved = false;
    for (const p of this.allPartitions()) {
      const preferred = p.replicas[0];
      if (onlyBroker !== undefined && preferred !== onlyBroker) continue;
      if (p.leader === preferred || !this.broker(preferred)?.up || !p.isr.includes(preferred)) continue;
      this.changeLeader(p, preferred, 'preferred replica elected (auto.leader.rebalance.enable)');
      moved = true;
    }
    return moved;
  }

  // --- brokers ------------------------------------------------------------------------------------------------

  broker(id: number): BrokerNode | undefined {
    return this.brokers.find((b) => b.id === id);
  }

  liveBrokers(): BrokerNode[] {
    return this.brokers.filter((b) => b.up);
  }

  /** The lowest live broker id, or -1 when every broker is down. */
  controllerId(): number {
    const live = this.liveBrokers().map((b) => b.id);
    return live.length ? Math.min(...live) : -1;
  }

  setBrokerUp(id: number, up: boolean): void {
    const broker = this.broker(id);
    if (!broker)
      throw new InvalidInputError(
        `there is no broker ${id}; the brokers are ${this.brokers.map((b) => b.id).join(', ')}`,
      );
    if (broker.up === up) return;
    broker.up = up;
    if (up) this.brokerReturned(id);
    else this.brokerLeft(id);
    this.onChange();
  }

  private brokerLeft(id: number): void {
    // A leader notices a dead follower at once (one process); a dead leader leaves its ISRs at the election.
    for (const p of this.allPartitions()) {
      if (p.leader !== id && p.isr.includes(id) && p.isr.length > 1) p.isr = p.isr.filter((r) => r !== id);
    }
    this.log(`broker ${id} is down; its partitions elect new leaders in ${this.options.electionDelayMs} ms`);
    const cancel = this.clock.setTimeout(() => {
      this.cancelTimers.delete(cancel);
      this.electLeadersAwayFromDownBrokers();
    }, this.options.electionDelayMs);
    this.cancelTimers.add(cancel);
  }

  private electLeadersAwayFromDownBrokers(): void {
    for (const p of this.allPartitions()) {
      if (p.leader === -1 || this.broker(p.leader)?.up) continue;
      // Leave the dead leader out of the ISR unless it is the last member (then the partition goes offline).
      const liveIsr = p.replicas.filter((r) => p.isr.includes(r) && this.broker(r)?.up);
      if (liveIsr.length > 0) {
        p.isr = p.isr.filter((r) => r !== p.leader);
        this.changeLeader(p, liveIsr[0], 'leader down');
      } else {
        this.changeLeader(p, -1, 'no live in-sync replica; partition offline');
      }
    }
    this.onChange();
  }

  private brokerReturned(id: number): void {
    for (const p of this.allPartitions()) {
      if (!p.replicas.includes(id)) continue;
      if (p.leader === -1) {
        // Offline: only the last in-sync replica may lead again (no unclean election); then the live followers
        // catch up at once in memory and rejoin.
        if (!p.isr.includes(id)) continue;
        this.changeLeader(p, id, 'last in-sync replica returned');
        p.isr = p.replicas.filter((r) => this.broker(r)?.up);
      } else if (!p.isr.includes(id)) {
        p.isr = p.replicas.filter((r) => r === id || p.isr.includes(r));
      }
    }
    this.log(`broker ${id} is up and has rejoined its ISRs`);
    if (this.autoLeaderRebalance) this.electPreferredLeaders(id);
  }

  private changeLeader(p: Partition, leader: number, why: string): void {
    p.leader = leader;
    p.leaderEpoch++;
    if (leader !== -1) p.epochStarts.push({ epoch: p.leaderEpoch, startOffset: p.log.highWatermark });
    this.log(`${p.topic}-${p.index}: leader ${leader} (epoch ${p.leaderEpoch}): ${why}`);
  }

  moveLeader(topic: string, partition: number, brokerId: number): void {
    const p = this.partition(topic, partition);
    if (!p) throw new InvalidInputError(`there is no partition ${topic}-${partition}`);
    const broker = this.broker(brokerId);
    if (!broker)
      throw new InvalidInputError(
        `there is no broker ${brokerId}; the brokers are ${this.brokers.map((b) => b.id).join(', ')}`,
      );
    if (!p.replicas.includes(brokerId))
      throw new InvalidInputError(
        `broker ${brokerId} is not a replica of ${topic}-${partition}; its replicas are ${p.replicas.join(', ')}`,
      );
    if (!broker.up) throw new InvalidInputError(`broker ${brokerId} is down; start it before moving leadership to it`);
    if (!p.isr.includes(brokerId))
      throw new InvalidInputError(`broker ${brokerId} is not in the ISR of ${topic}-${partition}`);
    if (p.leader === brokerId) return;
    this.changeLeader(p, brokerId, 'moved');
    this.onChange();
  }

  stop(): void {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers.clear();
  }

  // --- topics -------------------------------------------------------------------------------------------------

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  *allPartitions(): Iterable<Partition> {
    for (const t of this.topics.values()) yield* t.partitions;
  }

  /** Creates a topic (or checks that it could be, with validateOnly); errors in CreateTopics' terms. */
  createTopic(req: CreateTopicRequest): CreateTopicResult {
    const problem = topicNameProblem(req.name);
    if (problem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: problem };
    if (this.topics.has(req.name))
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${req.name}' already exists.` };
    const collides = this.collidingTopic(req.name);
    if (collides) {
      return {
        errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
        errorMessage: `Topic '${req.name}' collides with existing topics: ${collides}`,
      };
    }
    const live = this.liveBrokers().map((b) => b.id);

    let assignment: number[][];
    if (req.assignments && req.assignments.length > 0) {
      const checked = this.checkAssignments(req.assignments);
      if (typeof checked === 'string')
        return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: checked };
      assignment = checked;
    } else {
      const partitions = req.numPartitions === -1 ? this.options.partitions : req.numPartitions;
      if (!Number.isInteger(partitions) || partitions < 1) {
        return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be larger than 0.' };
      }
      if (partitions > MAX_PARTITIONS_PER_TOPIC) {
        // The sandbox's own cap (memory); Kafka has none.
        return {
          errorCode: ErrorCode.INVALID_PARTITIONS,
          errorMessage: `The sandbox keeps at most ${MAX_PARTITIONS_PER_TOPIC} partitions per topic; got ${partitions}.`,
        };
      }
      const rf =
        req.replicationFactor === -1 ? Math.min(this.options.replicationFactor, live.length) : req.replicationFactor;
      if (!Number.isInteger(rf) || rf < 1) {
        return {
          errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
          errorMessage: 'Replication factor must be larger than 0.',
        };
      }
      if (rf > live.length) {
        return {
          errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
          errorMessage: `Replication factor: ${rf} larger than available brokers: ${live.length}.`,
        };
      }
      assignment = this.spreadReplicas(partitions, rf, live);
    }
    // The cluster-wide default is capped by the topic's replication factor (its smallest partition), so a topic
    // with fewer replicas than it can still take acks=all, as a user expects; a min.insync.replicas config wins.
    const replicationFactor = Math.min(...assignment.map((replicas) => replicas.length));
    const settings = parseTopicConfigs(req.configs ?? {}, {
      minInsyncReplicas: Math.min(this.options.minInsyncReplicas, replicationFactor),
    });
    if (isConfigProblem(settings)) {
      if (settings.problem === 'null') {
        this.log(`CreateTopics ${req.name}: ${settings.message}; answering UNKNOWN_SERVER_ERROR as Kafka 2.1 does`);
        return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
      }
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: settings.message };
    }
    if (req.validateOnly) return { errorCode: 0 };

    const topic: Topic = {
      name: req.name,
      settings,
      partitions: assignment.map((replicas, index) => this.newPartition(req.name, index, replicas)),
    };
    this.topics.set(req.name, topic);
    this.log(
      `created topic ${req.name} with ${assignment.length} partitions, replication factor ${assignment[0].length}`,
    );
    this.onChange();
    return { errorCode: 0, topic };
  }

  /** The cluster-wide topic config defaults (--min-insync-replicas). */
  topicDefaults(): TopicConfigDefaults {
    return { minInsyncReplicas: this.options.minInsyncReplicas };
  }

  /**
   * An existing topic whose name equals `name` once '.' and '_' are taken as one (Kafka refuses such pairs: their
   * metric names would clash), or undefined.
   */
  private collidingTopic(name: string): string | undefined {
    const folded = name.replace(/\./g, '_');
    for (const existing of this.topics.keys())
      if (existing !== name && existing.replace(/\./g, '_') === folded) return existing;
    return undefined;
  }

  /**
   * Replaces a topic's configs (AlterConfigs is not incremental in Kafka 2.1: what is not given returns to its
   * default); null when done, else the problem.
   */
  alterTopicConfigs(
    topic: Topic,
    configs: Record<string, string | null>,
    validateOnly: boolean,
  ): TopicConfigProblem | null {
    const settings = parseTopicConfigs(configs, this.topicDefaults());
    if (isConfigProblem(settings)) return settings;
    if (!validateOnly) {
      topic.settings = settings;
      this.log(`topic ${topic.name}: configs now ${JSON.stringify(settings.configs)}`);
      this.onChange();
    }
    return null;
  }

  private newPartition(topic: string, index: number, replicas: number[]): Partition {
    const isr = replicas.filter((r) => this.broker(r)?.up);
    return {
      topic,
      index,
      replicas,
      isr: isr.length > 0 ? isr : [replicas[0]],
      leader: replicas.find((r) => this.broker(r)?.up) ?? -1,
      leaderEpoch: 0,
      epochStarts: [{ epoch: 0, startOffset: 0 }],
      log: new PartitionLog(),
    };
  }

  /**
   * CreatePartitions: grows a topic to `count` partitions, new replicas spread as at creation; errors in Kafka's
   * words (partitions only go up).
   */
  addPartitions(
    name: string,
    count: number,
    validateOnly: boolean,
  ): { errorCode: number; errorMessage: string | null } {
    const topic = this.topics.get(name);
    if (!topic)
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `The topic '${name}' does not exist.` };
    const old = topic.partitions.length;
    if (count < old)
      return {
        errorCode: ErrorCode.INVALID_PARTITIONS,
        errorMessage: `Topic currently has ${old} partitions, which is higher than the requested ${count}.`,
      };
    if (count === old)
      return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `Topic already has ${old} partitions.` };
    if (count > MAX_PARTITIONS_PER_TOPIC) {
      return {
        errorCode: ErrorCode.INVALID_PARTITIONS,
        errorMessage: `The sandbox keeps at most ${MAX_PARTITIONS_PER_TOPIC} partitions per topic; got ${count}.`,
      };
    }
    const live = this.liveBrokers().map((b) => b.id);
    const rf = topic.partitions[0].replicas.length;
    if (rf > live.length)
      return {
        errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
        errorMessage: `Replication factor: ${rf} larger than available brokers: ${live.length}.`,
      };
    if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
    const added = this.spreadReplicas(count - old, rf, live);
    added.forEach((replicas, i) => topic.partitions.push(this.newPartition(name, old + i, replicas)));
    this.log(`topic ${name} grew from ${old} to ${count} partitions`);
    this.onChange();
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  /** DeleteRecords: the log start offset moves up to `offset` (kept within the caps' accounting). */
  deleteRecords(p: Partition, offset: number): void {
    for (const b of p.log.deleteBefore(offset)) {
      this.totalRecords -= b.recordCount;
      this.totalBytes -= b.bytes.length;
    }
    this.log(
      `${p.topic}-${p.index}: records before offset ${offset} deleted; log start offset ${p.log.logStartOffset}`,
    );
    this.onChange(p);
  }

  /** Leader of partition p on live broker (start + p), followers on the next ones: leaders spread evenly. */
  private spreadReplicas(partitions: number, rf: number, live: number[]): number[][] {
    const start = this.assignmentStart++ % live.length;
    const out: number[][] = [];
    for (let p = 0; p < partitions; p++) {
      const replicas: number[] = [];
      for (let r = 0; r < rf; r++) replicas.push(live[(start + p + r) % live.length]);
      out.push(replicas);
    }
    return out;
  }

  private checkAssignments(assignments: { partitionIndex: number; brokerIds: number[] }[]): number[][] | string {
    const sorted = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
    const rf = sorted[0].brokerIds.length;
    const out: number[][] = [];
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i];
      if (a.partitionIndex !== i) return `partitions must be numbered 0 to ${sorted.length - 1} without gaps`;
      if (a.brokerIds.length === 0 || a.brokerIds.length !== rf)
        return 'every partition must have the same, non-zero number of replicas';
      if (new Set(a.brokerIds).size !== a.brokerIds.length) return `partition ${i} lists a broker twice`;
      const unknown = a.brokerIds.find((id) => !this.broker(id));
      if (unknown !== undefined) return `partition ${i} names broker ${unknown}, which does not exist`;
      out.push([...a.brokerIds]);
    }
    return out;
  }

  deleteTopic(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    for (const p of topic.partitions) {
      this.totalRecords -= p.log.records;
      this.totalBytes -= p.log.bytes;
    }
    this.topics.delete(name);
    this.log(`deleted topic ${name}`);
    this.onChange();
    return true;
  }

  // --- data ---------------------------------------------------------------------------------------------------

  /** Appends a stamped batch and enforces the caps (oldest data dropped first). */
  append(p: Partition, batch: StoredBatch): void {
    batch.appendSeq = this.nextAppendSeq++;
    p.log.append(batch);
    this.totalRecords += batch.recordCount;
    this.totalBytes += batch.bytes.length;
    const o = this.options;
    // Per partition: keep at least the batch just written, even if it alone exceeds a cap.
    while (p.log.batchCount > 1 && (p.log.records > o.maxRecordsPerPartition || p.log.bytes > o.maxBytesPerPartition)) {
      this.dropOldestOf(p.log);
    }
    while (this.totalRecords > o.maxTotalRecords || this.totalBytes > o.maxTotalBytes) {
      const oldest = this.logWithOldestBatch(batch);
      if (!oldest) break;
      this.dropOldestOf(oldest);
    }
    this.onChange(p);
  }

  /**
   * The log whose first batch was appended before every other log's first batch, never `keep` (the batch just
   * written). A scan over partitions: it runs only while the total caps are exceeded, and holds no references
   * to dropped batches (an append-order queue would keep every dropped buffer alive).
   */
  private logWithOldestBatch(keep: StoredBatch): PartitionLog | undefined {
    let oldest: PartitionLog | undefined;
    let oldestSeq = Infinity;
    for (const p of this.allPartitions()) {
      const first = p.log.firstBatch();
      if (first && first !== keep && first.appendSeq! < oldestSeq) {
        oldest = p.log;
        oldestSeq = first.appendSeq!;
      }
    }
    return oldest;
  }

  private dropOldestOf(log: PartitionLog): void {
    const dropped = log.dropOldest();
    if (!dropped) return;
    this.totalRecords -= dropped.recordCount;
    this.totalBytes -= dropped.bytes.length;
  }

  totals(): { records: number; bytes: number } {
    return { records: this.totalRecords, bytes: this.totalBytes };
  }
}

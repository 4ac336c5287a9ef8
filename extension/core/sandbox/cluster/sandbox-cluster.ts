/**
 * The sandbox cluster behind the brokers' sockets: takes a decoded request for a broker and returns what that
 * broker answers, through the API's entry in ../apis/registry.ts. Faults are applied here, the same way for every
 * API (latency awaited, responses dropped, errors injected); the long poll Fetch uses lives here. Time comes from a
 * Clock.
 */
import { ErrorCode, apiName, describeError, type RequestByKey, type ResponseByKey } from '../../kafka/protocol';
import { systemClock, type Clock } from '../../util/clock';
import { InvalidInputError, errorMessage } from '../../util/errors';
import { isInternalTopic } from '../../kafka/rules/topic-name';
import type { ApiCall, ApiContext } from '../apis/api';
import { SANDBOX_CLUSTER_ID } from '../apis/03-metadata';
import { SANDBOX_APIS, partitionedApiKeys, servedApiVersions, type SandboxApiKey } from '../apis/registry';
import { ClusterModel, type BrokerAddress, type Partition } from './cluster-model';
import { FaultRegistry, type FaultView } from './faults';
import { FetchSessionCache } from './fetch-sessions';
import { chooseCoordinator } from './groups/coordinator-choice';
import { GroupCoordinator } from './groups/group-coordinator';
import { ensureOffsetsTopic, groupCoordinator } from './offsets-topic';
import type { ResolvedSandboxOptions } from './options';
import { ProducerStateTable } from './producer-state';
import { TransactionCoordinator, type TransactionView } from './transaction-coordinator';

export type { FaultView } from './faults';

export type HandleOutcome<R = unknown> = { kind: 'respond'; body: R } | { kind: 'noResponse' } | { kind: 'drop' };

/** The request header fields the cluster uses (a structural subset of the codec's RequestHeader). */
export interface RequestHeaderFields<K extends number = number> {
  apiKey: K;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface PartitionState {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  leaderEpoch: number;
  logStartOffset: number;
  highWatermark: number;
  records: number;
  bytes: number;
}

export interface SandboxState {
  clusterId: string;
  controllerId: number;
  /** auto.leader.rebalance.enable: leaders return to their preferred replicas. */
  autoLeaderRebalance: boolean;
  brokers: { id: number; host: string; port: number; up: boolean; controller: boolean }[];
  /** `internal`: Kafka's own topics (`__consumer_offsets`), which clients may read but not write. */
  topics: { name: string; internal: boolean; configs: Record<string, string>; partitions: PartitionState[] }[];
  stored: { records: number; bytes: number };
  faults: FaultView[];
  groups: unknown[];
  transactions: TransactionView[];
  /** Each broker's incremental fetch sessions (KIP-227): how many, and the partitions they cache. */
  fetchSessions: { brokerId: number; sessions: number; partitions: number }[];
}

interface Waiter {
  keys: ReadonlySet<string>;
  wake(appendedTo?: Partition): void;
  release(): void;
}

function address(b: BrokerAddress | null): BrokerAddress | null {
  return b ? { id: b.id, host: b.host, port: b.port } : null;
}

export class SandboxCluster {
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private readonly model: ClusterModel;
  private readonly producers = new ProducerStateTable();
  private readonly faults: FaultRegistry;
  private readonly groups: GroupCoordinator;
  private readonly transactions: TransactionCoordinator;
  private readonly context: ApiContext;
  private readonly waiters = new Set<Waiter>();
  private readonly fetchSessions = new Map<number, FetchSessionCache>();
  /** Resolvers of latency faults still being awaited, released by stop(). */
  private readonly sleepers = new Set<() => void>();
  private stopped = false;

  constructor(
    readonly options: ResolvedSandboxOptions,
    brokers: BrokerAddress[],
    deps: { clock?: Clock; log?: (line: string) => void } = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? (() => {});
    this.model = new ClusterModel(options, brokers, this.clock, this.log, (p) => this.wakeWaiters(p));
    this.faults = new FaultRegistry(
      brokers.map((b) => b.id),
      { keys: Object.keys(SANDBOX_APIS).map(Number), partitioned: partitionedApiKeys() },
    );
    this.groups = new GroupCoordinator({
      clock: this.clock,
      coordinatorFor: (groupId) => address(groupCoordinator(this.model, groupId)),
      locateCoordinator: (key, keyType) => {
        if (keyType === 1)
          return address(chooseCoordinator(key, this.model.brokers)) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE;
        const created = ensureOffsetsTopic(this.model);
        if (created !== ErrorCode.NONE) return created;
        return address(groupCoordinator(this.model, key)) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE;
      },
      partitionExists: (topic, partition) => this.model.partition(topic, partition) !== undefined,
      initialRebalanceDelayMs: options.initialRebalanceDelayMs,
      log: this.log,
    });
    this.transactions = new TransactionCoordinator({
      model: this.model,
      producers: this.producers,
      clock: this.clock,
      log: this.log,
      coordinatorFor: (key) => chooseCoordinator(key, this.model.brokers)?.id ?? null,
      commitOffsets: (groupId, offsets) => this.groups.commitTransactionalOffsets(groupId, offsets),
    });
    this.context = {
      model: this.model,
      producers: this.producers,
      groups: this.groups,
      transactions: this.transactions,
      clock: this.clock,
      log: this.log,
      apiVersions: servedApiVersions(options.sasl !== null),
      fetchSessions: (brokerId) => this.fetchSessionsOf(brokerId),
      longPoll: (keys, maxWaitMs, poll, final) => this.longPoll(keys, maxWaitMs, poll, final),
    };
    for (const t of options.topics) this.createTopic(t.name, t.partitions);
  }

  /**
   * Answers one decoded request sent to `brokerId`, through the API's registry entry. Never throws: an unexpected
   * failure answers UNKNOWN_SERVER_ERROR the way the API carries errors.
   */
  async handle<K extends SandboxApiKey>(
    brokerId: number,
    header: RequestHeaderFields<K>,
    request: RequestByKey[K],
  ): Promise<HandleOutcome<ResponseByKey[K]>> {
    const api = SANDBOX_APIS[header.apiKey];
    if (!this.model.broker(brokerId)?.up) return { kind: 'drop' };
    const call: ApiCall = {
      brokerId,
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
    };
    try {
      const effect = this.faults.take(api.key, brokerId, api.partitions?.(request) ?? []);
      if (effect && effect.latencyMs > 0) await this.sleep(effect.latencyMs);
      if (effect?.dropResponse) {
        // Lost on the way back, as when a network drops the answer: the request itself may still take effect.
        if (api.servedWhenResponseDropped) await api.handle(this.context, request, call, null);
        return { kind: 'drop' };
      }
      if (effect && effect.errorCode !== null && !api.partitions) {
        return { kind: 'respond', body: api.errorResponse(request, effect.errorCode) };
      }
      const body = await api.handle(this.context, request, call, effect);
      if (api.expectsResponse && !api.expectsResponse(request)) return { kind: 'noResponse' };
      return { kind: 'respond', body };
    } catch (e) {
      this.log(
        `broker ${brokerId}: ${apiName(api.key)} v${header.apiVersion} failed inside the sandbox: ${errorMessage(e)}; answering ${describeError(ErrorCode.UNKNOWN_SERVER_ERROR)}`,
      );
      try {
        return { kind: 'respond', body: api.errorResponse(request, ErrorCode.UNKNOWN_SERVER_ERROR) };
      } catch {
        return { kind: 'drop' };
      }
    }
  }

  /** Waits for `poll` to answer (asked after each append to a watched partition) or `maxWaitMs`, then `final`. */
  private longPoll<T>(
    keys: ReadonlySet<string>,
    maxWaitMs: number,
    poll: () => T | undefined,
    final: () => T,
  ): Promise<T> {
    if (this.stopped) return Promise.resolve(final());
    return new Promise((resolve) => {
      let cancelTimer = (): void => {};
      const finish = (answer: T): void => {
        cancelTimer();
        this.waiters.delete(waiter);
        resolve(answer);
      };
      const waiter: Waiter = {
        keys,
        wake: (appendedTo) => {
          if (appendedTo && !keys.has(`${appendedTo.topic}\u0000${appendedTo.index}`)) return;
          const answer = poll();
          if (answer !== undefined) finish(answer);
        },
        release: () => finish(final()),
      };
      this.waiters.add(waiter);
      cancelTimer = this.clock.setTimeout(() => waiter.release(), maxWaitMs);
    });
  }

  private wakeWaiters(appendedTo?: Partition): void {
    for (const w of [...this.waiters]) w.wake(appendedTo);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        this.sleepers.delete(done);
        resolve();
      };
      const cancel = this.clock.setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  // --- controls (the control server and startSandbox call these) ------------------------------------------------

  setBrokerUp(brokerId: number, up: boolean): void {
    this.model.setBrokerUp(brokerId, up);
    // A stopped broker forgets its fetch sessions, as a restarted Kafka broker does.
    if (!up) this.fetchSessions.get(brokerId)?.clear();
  }

  private fetchSessionsOf(brokerId: number): FetchSessionCache {
    let cache = this.fetchSessions.get(brokerId);
    if (!cache) {
      cache = new FetchSessionCache(this.clock);
      this.fetchSessions.set(brokerId, cache);
    }
    return cache;
  }

  moveLeader(topic: string, partition: number, brokerId: number): void {
    this.model.moveLeader(topic, partition, brokerId);
  }

  setAutoLeaderRebalance(enabled: boolean): void {
    this.model.setAutoLeaderRebalance(enabled);
  }

  addFault(spec: unknown): FaultView {
    const fault = this.faults.add(spec);
    this.log(`fault ${fault.id} added: ${JSON.stringify(fault)}`);
    return fault;
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Creates a topic now; InvalidInputError says why it cannot be. */
  createTopic(name: string, partitions?: number, replicationFactor?: number, configs?: Record<string, string>): void {
    const result = this.model.createTopic({
      name,
      numPartitions: partitions ?? -1,
      replicationFactor: replicationFactor ?? -1,
      configs,
    });
    if ('errorMessage' in result)
      throw new InvalidInputError(
        `cannot create topic '${name}': ${result.errorMessage} (${describeError(result.errorCode)})`,
      );
  }

  state(): SandboxState {
    const controllerId = this.model.controllerId();
    return {
      clusterId: SANDBOX_CLUSTER_ID,
      controllerId,
      autoLeaderRebalance: this.model.autoLeaderRebalanceEnabled,
      brokers: this.model.brokers.map((b) => ({
        id: b.id,
        host: b.host,
        port: b.port,
        up: b.up,
        controller: b.id === controllerId,
      })),
      topics: [...this.model.topics.values()].map((t) => ({
        name: t.name,
        internal: isInternalTopic(t.name),
        configs: { ...t.settings.configs },
        partitions: t.partitions.map((p) => ({
          partition: p.index,
          leader: p.leader,
          replicas: [...p.replicas],
          isr: [...p.isr],
          leaderEpoch: p.leaderEpoch,
          logStartOffset: p.log.logStartOffset,
          highWatermark: p.log.highWatermark,
          records: p.log.records,
          bytes: p.log.bytes,
        })),
      })),
      stored: this.model.totals(),
      faults: this.faults.list(),
      groups: this.groups.state(),
      transactions: this.transactions.state(),
      fetchSessions: [...this.fetchSessions].map(([brokerId, c]) => ({
        brokerId,
        sessions: c.size,
        partitions: c.partitions,
      })),
    };
  }

  /** Cancels timers and releases every waiting fetch, latency fault and group request. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.model.stop();
    for (const w of [...this.waiters]) w.release();
    for (const s of [...this.sleepers]) s();
    this.groups.stop();
    this.transactions.stop();
  }
}

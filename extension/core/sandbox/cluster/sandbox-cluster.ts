/**
 * The sandbox cluster behind the brokers' sockets: takes a decoded request for a broker and returns what that
 * broker answers. Faults are applied here (latency awaited, responses dropped, errors injected), Fetch long-polls
 * here, group APIs go to the GroupCoordinator, the rest to the handlers in ./handlers. Time comes from a Clock.
 */
import { ErrorCode, describeError } from '../../kafka/protocol/errors';
import { systemClock, type Clock } from '../../util/clock';
import { InvalidInputError, errorMessage } from '../../util/errors';
import { ApiKey, apiName } from '../protocol/api-keys';
import type * as M from '../protocol/messages';
import { ClusterModel, type BrokerAddress, type Partition } from './cluster-model';
import { FaultRegistry, type FaultEffect, type FaultView } from './faults';
import { chooseCoordinator } from './groups/coordinator-choice';
import { GroupCoordinator } from './groups/group-coordinator';
import { handleApiVersions, handleCreateTopics, handleDeleteTopics, handleInitProducerId } from './handlers/admin';
import { errorResponseFor } from './handlers/error-response';
import { fetchedPartitionKeys, readFetch } from './handlers/fetch';
import { handleListOffsets } from './handlers/list-offsets';
import { SANDBOX_CLUSTER_ID, handleMetadata } from './handlers/metadata';
import { handleProduce } from './handlers/produce';
import type { ResolvedSandboxOptions } from './options';
import { ProducerStateTable } from './producer-state';

export type { FaultView } from './faults';

export type HandleOutcome = { kind: 'respond'; body: unknown } | { kind: 'noResponse' } | { kind: 'drop' };

/** The request header fields the cluster uses (a structural subset of protocol/request-header's RequestHeader). */
export interface RequestHeaderFields {
  apiKey: number;
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
  brokers: { id: number; host: string; port: number; up: boolean; controller: boolean }[];
  topics: { name: string; configs: Record<string, string>; partitions: PartitionState[] }[];
  stored: { records: number; bytes: number };
  faults: FaultView[];
  groups: unknown[];
}

interface FetchWaiter {
  keys: Set<string>;
  wake(appendedTo?: Partition): void;
  release(): void;
}

const PARTITIONED_APIS = new Set<number>([ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets]);

export class SandboxCluster {
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private readonly model: ClusterModel;
  private readonly producers = new ProducerStateTable();
  private readonly faults: FaultRegistry;
  private readonly groups: GroupCoordinator;
  private readonly waiters = new Set<FetchWaiter>();
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
    this.model = new ClusterModel(options, brokers, this.clock, this.log, (p) => this.wakeFetches(p));
    this.faults = new FaultRegistry(brokers.map((b) => b.id));
    this.groups = new GroupCoordinator({
      clock: this.clock,
      coordinatorFor: (groupId) => {
        const b = chooseCoordinator(groupId, this.model.brokers);
        return b ? { id: b.id, host: b.host, port: b.port } : null;
      },
      partitionExists: (topic, partition) => this.model.partition(topic, partition) !== undefined,
      initialRebalanceDelayMs: options.initialRebalanceDelayMs,
      log: this.log,
    });
    for (const t of options.topics) this.createTopic(t.name, t.partitions);
  }

  /** Answers one decoded request sent to `brokerId`. Never throws: an unexpected failure answers UNKNOWN_SERVER_ERROR. */
  async handle(brokerId: number, header: RequestHeaderFields, request: unknown): Promise<HandleOutcome> {
    const { apiKey, apiVersion } = header;
    if (!this.model.broker(brokerId)?.up) return { kind: 'drop' };
    try {
      const effect = this.faults.take(apiKey, brokerId, PARTITIONED_APIS.has(apiKey) ? partitionsOf(apiKey, request) : []);
      if (effect && effect.latencyMs > 0) await this.sleep(effect.latencyMs);
      if (effect?.dropResponse) {
        // The request is served (a Produce is written), only the response is lost, as when a network drops it.
        if (apiKey === ApiKey.Produce) await this.dispatch(brokerId, header, request, null);
        return { kind: 'drop' };
      }
      if (effect && effect.errorCode !== null && !PARTITIONED_APIS.has(apiKey)) {
        return { kind: 'respond', body: errorResponseFor(apiKey, request, effect.errorCode) };
      }
      const body = await this.dispatch(brokerId, header, request, effect);
      if (apiKey === ApiKey.Produce && (request as M.ProduceRequest).acks === 0) return { kind: 'noResponse' };
      return { kind: 'respond', body };
    } catch (e) {
      this.log(`broker ${brokerId}: ${apiName(apiKey)} v${apiVersion} failed inside the sandbox: ${errorMessage(e)}; answering ${describeError(ErrorCode.UNKNOWN_SERVER_ERROR)}`);
      try {
        return { kind: 'respond', body: errorResponseFor(apiKey, request, ErrorCode.UNKNOWN_SERVER_ERROR) };
      } catch {
        return { kind: 'drop' };
      }
    }
  }

  private async dispatch(brokerId: number, header: RequestHeaderFields, request: unknown, effect: FaultEffect | null): Promise<unknown> {
    const v = header.apiVersion;
    const g = this.groups;
    switch (header.apiKey) {
      case ApiKey.ApiVersions:
        return handleApiVersions(this.options.sasl !== null);
      case ApiKey.Metadata:
        return handleMetadata(this.model, request as M.MetadataRequest);
      case ApiKey.Produce:
        return handleProduce({ model: this.model, producers: this.producers, clock: this.clock, log: this.log }, brokerId, request as M.ProduceRequest, effect);
      case ApiKey.Fetch:
        return this.fetch(brokerId, request as M.FetchRequest, effect);
      case ApiKey.ListOffsets:
        return handleListOffsets(this.model, brokerId, request as M.ListOffsetsRequest, effect);
      case ApiKey.CreateTopics:
        return handleCreateTopics(this.model, brokerId, request as M.CreateTopicsRequest);
      case ApiKey.DeleteTopics: {
        const response = handleDeleteTopics(this.model, brokerId, request as M.DeleteTopicsRequest);
        for (const r of response.responses) {
          if (r.errorCode === ErrorCode.NONE) {
            this.producers.forgetTopic(r.name);
            g.forgetTopic(r.name);
          }
        }
        return response;
      }
      case ApiKey.InitProducerId:
        return handleInitProducerId(this.producers, request as M.InitProducerIdRequest, this.log);
      case ApiKey.FindCoordinator:
        return g.findCoordinator(request as never, v);
      case ApiKey.JoinGroup:
        return g.joinGroup(brokerId, request as never, v, { clientId: header.clientId });
      case ApiKey.SyncGroup:
        return g.syncGroup(brokerId, request as never, v);
      case ApiKey.Heartbeat:
        return g.heartbeat(brokerId, request as never, v);
      case ApiKey.LeaveGroup:
        return g.leaveGroup(brokerId, request as never, v);
      case ApiKey.OffsetCommit:
        return g.offsetCommit(brokerId, request as never, v);
      case ApiKey.OffsetFetch:
        return g.offsetFetch(brokerId, request as never, v);
      case ApiKey.DescribeGroups:
        return g.describeGroups(brokerId, request as never, v);
      default:
        throw new Error(`no handler for API key ${header.apiKey}`);
    }
  }

  /** Answers at once when there is data (minBytes), an error, or no wait; else waits up to maxWaitMs for data. */
  private fetch(brokerId: number, req: M.FetchRequest, effect: FaultEffect | null): Promise<M.FetchResponse> | M.FetchResponse {
    const first = readFetch(this.model, brokerId, req, effect);
    if (this.stopped || first.hasError || first.bytes >= req.minBytes || req.maxWaitMs <= 0) return first.response;
    const keys = fetchedPartitionKeys(req);
    return new Promise((resolve) => {
      let cancelTimer = (): void => {};
      const finish = (response: M.FetchResponse): void => {
        cancelTimer();
        this.waiters.delete(waiter);
        resolve(response);
      };
      const waiter: FetchWaiter = {
        keys,
        wake: (appendedTo) => {
          if (appendedTo && !keys.has(`${appendedTo.topic}\u0000${appendedTo.index}`)) return;
          const now = readFetch(this.model, brokerId, req, effect);
          if (now.hasError || now.bytes >= req.minBytes) finish(now.response);
        },
        release: () => finish(readFetch(this.model, brokerId, req, effect).response),
      };
      this.waiters.add(waiter);
      cancelTimer = this.clock.setTimeout(() => waiter.release(), req.maxWaitMs);
    });
  }

  private wakeFetches(appendedTo?: Partition): void {
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
  }

  moveLeader(topic: string, partition: number, brokerId: number): void {
    this.model.moveLeader(topic, partition, brokerId);
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
    const result = this.model.createTopic({ name, numPartitions: partitions ?? -1, replicationFactor: replicationFactor ?? -1, configs });
    if ('errorMessage' in result) throw new InvalidInputError(`cannot create topic '${name}': ${result.errorMessage} (${describeError(result.errorCode)})`);
  }

  state(): SandboxState {
    const controllerId = this.model.controllerId();
    return {
      clusterId: SANDBOX_CLUSTER_ID,
      controllerId,
      brokers: this.model.brokers.map((b) => ({ id: b.id, host: b.host, port: b.port, up: b.up, controller: b.id === controllerId })),
      topics: [...this.model.topics.values()].map((t) => ({
        name: t.name,
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
  }
}

/** The topic partitions a Produce, Fetch or ListOffsets request names (for fault matching). */
function partitionsOf(apiKey: number, request: unknown): { topic: string; partition: number }[] {
  const out: { topic: string; partition: number }[] = [];
  if (apiKey === ApiKey.Produce) {
    for (const t of (request as M.ProduceRequest).topicData) for (const p of t.partitionData) out.push({ topic: t.name, partition: p.index });
  } else if (apiKey === ApiKey.Fetch) {
    for (const t of (request as M.FetchRequest).topics) for (const p of t.partitions) out.push({ topic: t.topic, partition: p.partition });
  } else if (apiKey === ApiKey.ListOffsets) {
    for (const t of (request as M.ListOffsetsRequest).topics) for (const p of t.partitions) out.push({ topic: t.name, partition: p.partitionIndex });
  }
  return out;
}

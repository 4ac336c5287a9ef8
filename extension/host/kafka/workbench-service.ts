/**
 * The extension's one connection to Kafka, as a facade over its parts: the active cluster session
 * (cluster-session.ts), the one producer pool (producer-pool.ts), the results and traces (results-store.ts) and what
 * Restricted Mode allows (trust-policy.ts). It decides which session is active and what becomes of the sends on a
 * session that is left. No UI here: commands, the tree and the panel call it and listen to its events.
 */
import * as vscode from 'vscode';
import type { ProducerConfigInput } from '../../core/engine/config';
import type { DeliveryCallback, Producer, ProducerRecord, RecordMetadata } from '../../core/engine/types';
import type { SchemaRegistryClient, SchemaRegistryConfig } from '../../core/schema-registry/client';
import { autoCreateGate } from '../../core/transport/auto-create-gate';
import type { ConsumerTransport } from '../../core/transport/consumer-transport';
import type { StoredRecordView } from '../../core/consume/read-back';
import type { ClusterMetadata, ConnectionConfig, Transport } from '../../core/transport/transport';
import { clientIdOrDefault } from '../../core/kafka/rules/client-id';
import { InvalidInputError, WorkbenchError } from '../../core/util/errors';
import {
  defaultDraft,
  type BatchView,
  type ConnectionSummary,
  type DraftProducerSettings,
  type PanelInit,
  type RecordTraceView,
  type ResultRow,
  type TopicSummary,
} from '../../protocol/messages';
import { ConnectionStore } from '../connections/connection-store';
import { ENVIRONMENT_CONNECTION_ID, SANDBOX_CONNECTION_ID } from '../connections/model';
import { settingsToConfig } from '../composer/draft-to-record';
import { loadCore, loadSchemaRegistry, type ClusterAdmin, type LogFn } from './core';
import { plainError } from './plain-errors';
import { ClusterWatch, type Refresh } from './cluster-watch';
import {
  openClusterSession,
  takeSandboxWatermarks,
  topicSummaries,
  type ClusterSession,
  type SendInProgress,
} from './cluster-session';
import { ensureTopics, type CreateTopicsAnswer, type TopicTarget } from './missing-topics';
import { ProducerPool, type PoolTarget } from './producer-pool';
import { MAX_RESULTS, ResultsStore } from './results-store';
import { SandboxManager, type SandboxPorts } from './sandbox-manager';
import { TrustPolicy } from './trust-policy';

export { keyLabel, MAX_RESULTS } from './results-store';

/** The auto-create switch of an environment's own cluster is kept per environment file. */
export function environmentAutoCreateId(file: string): string {
  return `environment:${file}`;
}

/** What becomes of the sends still running on a connection that is left: stop handing over records, or finish there. */
export type WhileSending = 'cancel' | 'finish';

/** A collection run's hold on its cluster: producers from where it started, whatever connection is active later. */
export interface CollectionRun {
  producerFor(settings: Record<string, string | number | boolean>): Promise<Producer>;
  /** Reads the run's cluster (messages' "expect" entries); connects on first use, closed by end(). */
  consumerTransport: ConsumerTransport;
  /** The run has ended: every record it handed over has settled. */
  end(): void;
}

/**
 * The active environment's cluster, as the collections feature hands it over: a connection to list and connect to,
 * or why there is none to show (a broken file, Restricted Mode).
 */
export type EnvironmentCluster =
  | {
      kind: 'connection';
      summary: ConnectionSummary;
      key: string;
      bootstrap: string[];
      config: () => Promise<ConnectionConfig>;
      /** The environment file's schemaRegistry, if it names one. */
      schemaRegistry?: () => Promise<SchemaRegistryConfig | undefined>;
    }
  | { kind: 'problem'; message: string; file: vscode.Uri };

export interface ClusterView {
  connection: ConnectionSummary;
  metadata: ClusterMetadata;
  watermarks: Map<string, Map<number, number>>;
}

export class WorkbenchService implements vscode.Disposable {
  private session: ClusterSession | undefined;
  private connecting: Promise<ClusterSession> | undefined;
  readonly results: ResultsStore;
  /** Every producer: the sessions' and those of collection sends to an environment's own cluster (kept until dispose). */
  private readonly producers: ProducerPool;
  /** Sessions left while sends were still running on them: closed when those end (or at dispose). */
  private readonly leaving = new Set<ClusterSession>();
  private environment: EnvironmentCluster | undefined;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  /** Connection, metadata or sandbox changed. */
  readonly onDidChangeState = this.stateChanged.event;
  /** Rows added or updated ('cleared' after clear). */
  readonly onDidChangeResults: vscode.Event<ResultRow[] | 'cleared'>;
  readonly sandbox: SandboxManager;
  readonly trust: TrustPolicy;
  /** The cluster each producer sends to: a record is read back from there. */
  private readonly producerConfigs = new WeakMap<Producer, ConnectionConfig>();
  private readonly watch = new ClusterWatch((what) => this.refreshAfterActivity(what));

  constructor(
    readonly connections: ConnectionStore,
    private readonly log: LogFn,
    readonly trusted: () => boolean,
    externalSandbox?: { bootstrap: string; controlUrl: string },
    sandboxPorts?: SandboxPorts,
  ) {
    this.sandbox = new SandboxManager(log, { brokers: 3, external: externalSandbox, ports: sandboxPorts });
    this.trust = new TrustPolicy(trusted);
    this.results = new ResultsStore(log, (producer, md) => this.noteAck(producer, md));
    this.onDidChangeResults = this.results.onDidChange;
    this.producers = new ProducerPool((target, producerConfig) => {
      const core = loadCore();
      const transport = this.gated(core.createTransport(target.config, this.log), target.autoCreateId);
      const producer = core.createProducer(producerConfig, { transport, log: this.log, traceCapacity: MAX_RESULTS });
      this.producerConfigs.set(producer, target.config);
      return { producer, transport };
    });
  }

  activeConnection(): ConnectionSummary | null {
    return this.session?.connection ?? null;
  }

  allConnections(): ConnectionSummary[] {
    const env = this.environment?.kind === 'connection' ? [this.environment.summary] : [];
    return [
      { id: SANDBOX_CONNECTION_ID, name: 'Local sandbox', isSandbox: true },
      ...env,
      ...this.connections.list().map((c) => ({ id: c.id, name: c.name, isSandbox: false })),
    ];
  }

  environmentCluster(): EnvironmentCluster | undefined {
    return this.environment;
  }

  /** The active environment's cluster changed (chosen, edited, cleared); a session on its old connection ends (its sends finish there). */
  setEnvironmentCluster(cluster: EnvironmentCluster | undefined): void {
    const oldKey = this.environment?.kind === 'connection' ? this.environment.key : undefined;
    const newKey = cluster?.kind === 'connection' ? cluster.key : undefined;
    this.environment = cluster;
    if (this.session?.connection.id === ENVIRONMENT_CONNECTION_ID && oldKey !== newKey) void this.disconnect();
    this.stateChanged.fire();
  }

  /**
   * Connects (starting the sandbox for the built-in connection) and fetches metadata. The previous session is left
   * only once the new one works (a connection that fails leaves the working one connected): sends running on it keep
   * its producers to their end ('finish'), or stop handing over records ('cancel').
   */
  async connect(connectionId: string, whileSending: WhileSending = 'finish'): Promise<ConnectionSummary> {
    if (this.session?.connection.id === connectionId) return this.session.connection;
    const previous = this.session;
    const opening = this.openSession(connectionId);
    this.connecting = opening;
    let next: ClusterSession;
    try {
      next = await opening;
    } catch (e) {
      if (!previous) throw e;
      throw new WorkbenchError(`${plainError(e)} Still connected to "${previous.connection.name}".`, { cause: e });
    } finally {
      if (this.connecting === opening) this.connecting = undefined;
    }
    this.session = next;
    if (previous) await this.leaveSession(previous, whileSending);
    // The environment's connection is rebuilt from its file each time: nothing of it is remembered.
    await this.connections.setActive(connectionId === ENVIRONMENT_CONNECTION_ID ? undefined : connectionId);
    this.stateChanged.fire();
    return next.connection;
  }

  private openSession(connectionId: string): Promise<ClusterSession> {
    return openClusterSession(connectionId, {
      sandbox: this.sandbox,
      connections: this.connections,
      environment: () => this.environment,
      trust: this.trust,
      log: this.log,
    });
  }

  /** Checks that a connection works without making it active. */
  async test(connectionId: string): Promise<{ brokers: number; topics: number }> {
    if (this.session?.connection.id === connectionId) {
      const md = await this.session.admin.metadata();
      return { brokers: md.brokers.length, topics: md.topics.length };
    }
    const session = await this.openSession(connectionId);
    const result = { brokers: session.metadata?.brokers.length ?? 0, topics: session.metadata?.topics.length ?? 0 };
    await session.admin.close();
    return result;
  }

  /** Sends running on the active connection, by label: leaving it asks about these first. */
  sendsInProgress(): string[] {
    return [...(this.session?.sends ?? [])].map((x) => x.label);
  }

  /**
   * Leaves the active connection. Its producers close once the sends running on them end, never before: closing
   * sooner failed records the cluster went on to store. Returns when they are closed, or at once when sends run on.
   */
  async disconnect(whileSending: WhileSending = 'finish'): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    await this.leaveSession(s, whileSending);
    this.stateChanged.fire();
  }

  /**
   * Ends a session: at once when nothing is sent on it; otherwise its producers close once its sends have ended, never
   * before (closing sooner failed records the cluster went on to store).
   */
  private async leaveSession(s: ClusterSession, whileSending: WhileSending): Promise<void> {
    for (const f of s.following.splice(0)) f.dispose();
    const running = s.sends.size;
    if (whileSending === 'cancel') for (const send of s.sends) send.cancel();
    this.log(
      'info',
      `disconnected from "${s.connection.name}"${running ? `; ${running} send(s) ${whileSending === 'cancel' ? 'cancelled, their records already handed over still' : 'still'} going there` : ''}`,
    );
    this.leaving.add(s);
    const closed = (async () => {
      await s.admin.close().catch(() => undefined);
      await Promise.all([...s.sends].map((x) => x.ended));
      await this.producers.close(s.target.id);
      this.leaving.delete(s);
      if (running)
        this.log('info', `closed the producers of "${s.connection.name}": the sends still running there have ended`);
    })();
    if (!running) await closed;
  }

  private async requireSession(): Promise<ClusterSession> {
    if (this.session) return this.session;
    if (this.connecting) return this.connecting;
    throw new InvalidInputError(
      'Not connected: run "Kafka: Connect" and pick a connection (the Local sandbox needs no setup).',
    );
  }

  /** Cluster metadata plus high watermarks; `refresh` asks the cluster again. */
  async cluster(refresh = false): Promise<ClusterView> {
    const s = await this.requireSession();
    if (refresh || !s.metadata) {
      s.metadata = await s.admin.metadata();
      s.watermarks.clear();
      const sandboxState = s.connection.isSandbox ? await this.sandbox.state().catch(() => undefined) : undefined;
      if (sandboxState) takeSandboxWatermarks(s, sandboxState);
      else {
        await Promise.all(
          s.metadata.topics
            .filter((t) => !t.isInternal && t.errorCode === 0)
            .map(async (t) => {
              s.watermarks.set(t.name, await s.admin.highWatermarks(t.name).catch(() => new Map<number, number>()));
            }),
        );
      }
      this.stateChanged.fire();
    }
    return { connection: s.connection, metadata: s.metadata, watermarks: s.watermarks };
  }

  /** The active connection's admin, for what the explorer reads besides metadata (configs, consumer groups). */
  async clusterAdmin(): Promise<ClusterAdmin> {
    return (await this.requireSession()).admin;
  }

  /**
   * After the active connection's producers reported activity (see ClusterWatch): metadata again when leaders may
   * have moved, else the cheap state (the sandbox's brokers, faults and high watermarks; acks already moved the
   * others' high watermarks). Everything that shows the cluster follows onDidChangeState.
   */
  private async refreshAfterActivity(what: Refresh): Promise<void> {
    const s = this.session;
    if (!s) return;
    if (what.metadata) {
      await this.cluster(true);
      return;
    }
    const state = s.connection.isSandbox ? await this.sandbox.state().catch(() => undefined) : undefined;
    if (this.session !== s) return;
    if (state) takeSandboxWatermarks(s, state);
    this.stateChanged.fire();
  }

  /** An ack is proof the partition's high watermark is past its offset: the explorer shows it without a round trip. */
  private noteAck(producer: Producer, md: RecordMetadata): void {
    const s = this.session;
    if (!s || md.offset < 0 || !this.producers.owns(s.target.id, producer)) return;
    let partitions = s.watermarks.get(md.topic);
    if (!partitions) s.watermarks.set(md.topic, (partitions = new Map()));
    partitions.set(md.partition, Math.max(partitions.get(md.partition) ?? 0, md.offset + 1));
  }

  /**
   * The active connection's schema registry client (the sandbox's own, a saved connection's, or the active
   * environment's), or undefined when it has none. One per session, so schemas are fetched once.
   */
  async schemaRegistry(): Promise<SchemaRegistryClient | undefined> {
    const s = this.session;
    if (!s) return undefined;
    s.registry ??= s.registryConfig().then((c) => (c ? loadSchemaRegistry().createClient(c) : undefined));
    // A failure (a missing secret) is said once per try, not remembered.
    s.registry.catch(() => (s.registry = undefined));
    return s.registry;
  }

  topics(): TopicSummary[] {
    return topicSummaries(this.session?.metadata);
  }

  panelInit(): PanelInit {
    const sandboxConnected = this.session?.connection.isSandbox === true;
    return {
      connection: this.activeConnection(),
      connections: this.allConnections(),
      topics: this.topics(),
      sandbox: sandboxConnected ? this.sandbox.view() : null,
      trusted: this.trusted(),
    };
  }

  async createTopic(name: string, partitions: number, replicationFactor: number): Promise<void> {
    const s = await this.requireSession();
    await s.admin.createTopic(name, partitions, replicationFactor);
    this.log('info', `created topic ${name} (${partitions} partitions, replication factor ${replicationFactor})`);
    await this.cluster(true);
  }

  async deleteTopic(name: string): Promise<void> {
    const s = await this.requireSession();
    await s.admin.deleteTopic(name);
    this.log('info', `deleted topic ${name}`);
    await this.cluster(true);
  }

  /** The session's producer for the composer's settings. */
  private producerFor(s: ClusterSession, settings: DraftProducerSettings): Producer {
    return this.acquire(s.target, settingsToConfig(settings, clientIdOrDefault(s.config.clientId)), s);
  }

  /** A producer from the pool; a new one of a session is followed, so the explorer moves with what it sends. */
  private acquire(target: PoolTarget, producerConfig: ProducerConfigInput, session?: ClusterSession): Producer {
    const { producer, created } = this.producers.acquire(target, producerConfig);
    if (created && session) session.following.push(this.watch.follow(producer));
    return producer;
  }

  /** In Restricted Mode, collection sends go only to a connection the user chose: never one an environment file names. */
  refuseUntrustedTarget(environmentConfig?: ConnectionConfig): void {
    this.trust.checkSend({ environmentConfig, connected: this.session !== undefined });
  }

  /**
   * Starts a bulk send (a collection run, the composer's Repeat): its producers are on the environment's own cluster
   * when it has one, else on the connection active now, for the whole run, even if the user switches connection
   * meanwhile. Leaving that connection may `cancel` it. The caller calls `end()` when the run has ended.
   */
  beginCollectionRun(
    label: string,
    cancel: () => void,
    target: { environmentConfig?: ConnectionConfig; environmentFile?: string } = {},
  ): CollectionRun {
    const { environmentConfig } = target;
    let ended!: () => void;
    const send: SendInProgress = { label, cancel, ended: new Promise<void>((resolve) => (ended = resolve)) };
    let session = environmentConfig ? undefined : this.session;
    session?.sends.add(send);
    let reader: Promise<ConsumerTransport & { close(): Promise<void> }> | undefined;
    const readerNow = () =>
      (reader ??= (async () => {
        this.refuseUntrustedTarget(environmentConfig);
        if (!environmentConfig && !session) {
          session = await this.requireSession();
          session.sends.add(send);
        }
        return loadCore().createConsumerTransport(environmentConfig ?? session!.target.config, this.log);
      })());
    return {
      consumerTransport: {
        fetchMetadata: async (topics, allowAutoCreate) => (await readerNow()).fetchMetadata(topics, allowAutoCreate),
        fetch: async (brokerId, request) => (await readerNow()).fetch(brokerId, request),
        listOffsets: async (brokerId, request) => (await readerNow()).listOffsets(brokerId, request),
      },
      producerFor: async (settings) => {
        this.refuseUntrustedTarget(environmentConfig);
        if (environmentConfig) {
          const autoCreateId = environmentAutoCreateId(target.environmentFile ?? '');
          return this.trackedProducer(settings, {
            id: `environment:${JSON.stringify(environmentConfig)}`,
            config: environmentConfig,
            autoCreateId,
          });
        }
        if (!session) {
          session = await this.requireSession();
          session.sends.add(send);
        }
        return this.trackedProducer(settings, session.target, session);
      },
      end: () => {
        session?.sends.delete(send);
        void reader?.then((r) => r.close()).catch(() => undefined);
        ended();
      },
    };
  }

  /**
   * A producer for a bulk send (settings by their Java names) on `target`, from the pool. Its records land in the results and traces:
   * every submit is tracked. Failures show in the results table and the run's summary, not as a log line each (a bulk
   * send can fail thousands).
   */
  private trackedProducer(
    settings: Record<string, string | number | boolean>,
    target: PoolTarget,
    session?: ClusterSession,
  ): Producer {
    const producer = this.acquire(
      target,
      { 'client.id': clientIdOrDefault(target.config.clientId), ...settings } as ProducerConfigInput,
      session,
    );
    // Every record the run hands over gets a results row; its outcome updates the row, then reaches the run.
    const produce: Producer['produce'] = (record, callback) => {
      // A record refused at once settles inside produce(), before its row exists: its outcome waits in `early`.
      const settled: { row?: DeliveryCallback; early?: Parameters<DeliveryCallback> } = {};
      const seq = producer.produce(record, (error, metadata) => {
        if (settled.row) settled.row(error, metadata);
        else settled.early = [error, metadata];
        callback?.(error, metadata);
      });
      settled.row = this.results.startRow(producer.recordId(seq), record, producer, 'fire-and-forget');
      if (settled.early) settled.row(...settled.early);
      return seq;
    };
    // The run closes nothing it is handed (closeProducers: false); everything else goes straight to the producer.
    return new Proxy(producer, {
      get: (target, prop) => {
        if (prop === 'produce') return produce;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  /** Whether sends on the active connection let the broker create missing topics without asking. */
  autoCreatesTopics(): boolean {
    return this.session ? this.connections.autoCreateTopics(this.session.connection.id) : false;
  }

  /** A producer's transport lets the broker create missing topics only while the connection's auto-create is on. */
  private gated(transport: Transport, autoCreateId: string): Transport {
    return autoCreateGate(transport, () => this.connections.autoCreateTopics(autoCreateId));
  }

  /** The active connection, as a target that missing topics are checked and created on. */
  private async topicTarget(): Promise<TopicTarget> {
    const s = await this.requireSession();
    return {
      admin: s.admin,
      name: s.connection.name,
      autoCreate: this.connections.autoCreateTopics(s.connection.id),
      setAutoCreate: (on) => this.connections.setAutoCreateTopics(s.connection.id, on),
    };
  }

  /**
   * Before a send on the active connection: every fixed topic exists, or the user (`answer` for callers without a UI)
   * decided to create it; throws MissingTopicError otherwise. See missing-topics.ts.
   */
  async ensureTopics(topics: readonly string[], answer?: CreateTopicsAnswer): Promise<void> {
    const created = await ensureTopics(topics, await this.topicTarget(), answer, (msg) => this.log('info', msg));
    if (created.length) await this.cluster(true);
  }

  /**
   * The command API's send: one record as given (no templates), waits for the ack, returns its metadata or throws the
   * DeliveryError. A missing topic is created only as `createTopics` (or the user, asked) says.
   */
  async sendRecord(
    record: {
      topic: string;
      key?: string | null;
      value: string | null;
      headers?: { key: string; value: string }[];
      partition?: number;
    },
    settings?: Partial<DraftProducerSettings>,
    createTopics?: CreateTopicsAnswer,
  ): Promise<RecordMetadata> {
    this.trust.checkSend({ connected: this.session !== undefined });
    await this.ensureTopics([record.topic], createTopics);
    const producer = this.producerFor(await this.requireSession(), { ...defaultDraft().settings, ...settings });
    const literal: ProducerRecord = {
      topic: record.topic,
      key: record.key ?? null,
      value: record.value,
      headers: record.headers,
    };
    if (record.partition !== undefined) literal.partition = record.partition;
    const { recordId, result } = producer.submit(literal);
    await this.results.track(recordId, literal, producer, result, 'sync');
    const metadata = this.results.metadata(recordId);
    if (metadata) return metadata;
    return result; // rejects with the DeliveryError
  }

  /** Fetch and ListOffsets on the active connection over connections of their own (the topic viewer); the caller closes them. */
  async openConsumerTransport(): Promise<ConsumerTransport & { close(): Promise<void> }> {
    const s = await this.requireSession();
    return loadCore().createConsumerTransport(s.target.config, this.log);
  }

  /**
   * Fetches an acknowledged record back from its partition and offset on the cluster it was sent to, and says
   * whether it is stored byte for byte as sent.
   */
  async readBack(recordId: string): Promise<StoredRecordView> {
    const { producer, sent, ...at } = this.results.readBackTarget(recordId);
    const config = this.producerConfigs.get(producer);
    if (!config) throw new InvalidInputError(`The cluster record ${recordId} went to is no longer known.`);
    const core = loadCore();
    const registry = await this.schemaRegistry().catch(() => undefined);
    const deserializer = registry ? new (loadSchemaRegistry().SchemaDeserializer)(registry) : undefined;
    return core.readBack(config, at, sent && core.digestOf(sent), this.log, deserializer);
  }

  resultRows(): ResultRow[] {
    return this.results.rows();
  }

  /** Clears the finished results (records in flight keep their rows). */
  clearResults(): void {
    this.results.clear();
  }

  trace(recordId: string): RecordTraceView {
    return this.results.trace(recordId);
  }

  /** Every producer open now (the active connection's and environments'): a send's charts sample them. */
  openProducers(): Producer[] {
    return this.producers.all();
  }

  batches(): BatchView[] {
    return this.results.batches();
  }

  /** Traces as JSON (the engine leaves out secrets; connection credentials are never in a trace). */
  exportTraces(recordIds: string[] | null): object {
    return this.results.exportTraces(recordIds, this.session?.connection.name ?? null);
  }

  async dispose(): Promise<void> {
    // The extension is going away: records still pending get 2 s, then fail as not delivered.
    const sessions = [...this.leaving, ...(this.session ? [this.session] : [])];
    this.session = undefined;
    this.leaving.clear();
    await this.producers.closeAll(2000);
    for (const s of sessions) await s.admin.close().catch(() => undefined);
    await this.sandbox.stop().catch(() => undefined);
    this.watch.dispose();
    this.stateChanged.dispose();
    this.results.dispose();
  }
}

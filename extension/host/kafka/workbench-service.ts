/**
 * The extension's one connection to Kafka: which connection is active, its producers (one per distinct settings),
 * metadata for the explorer and the composer, the bounded results history and the traces behind it.
 * No UI here: commands, the tree and the panel call it and listen to its events.
 */
import * as vscode from 'vscode';
import type { ProducerConfigInput } from '../../core/engine/config';
import type { DeliveryError } from '../../core/engine/errors';
import type { DeliveryCallback, Producer, ProducerRecord, RecordMetadata } from '../../core/engine/types';
import type { SandboxState } from '../../core/sandbox';
import type { SchemaRegistryClient, SchemaRegistryConfig } from '../../core/schema-registry/client';
import type { SchemaUsed } from '../../core/schema-registry/schema-used';
import { autoCreateGate } from '../../core/transport/auto-create-gate';
import type { ClusterMetadata, ConnectionConfig, Transport } from '../../core/transport/transport';
import { InvalidInputError, WorkbenchError } from '../../core/util/errors';
import {
  defaultDraft, MAX_RESULT_ROWS, type BatchView, type ConnectionSummary, type DraftProducerSettings, type PanelInit,
  type RecordTraceView, type ResultRow, type SendMode, type TopicSummary,
} from '../../protocol/messages';
import { ConnectionStore } from '../connections/connection-store';
import { ENVIRONMENT_CONNECTION_ID, SANDBOX_CONNECTION_ID } from '../connections/model';
import { settingsKey, settingsToConfig } from '../composer/draft-to-record';
import { loadCore, loadSchemaRegistry, type ClusterAdmin, type LogFn } from './core';
import { plainError, toWebviewError } from './plain-errors';
import { ClusterWatch, type Refresh } from './cluster-watch';
import { ensureTopics, type CreateTopicsAnswer, type TopicTarget } from './missing-topics';
import { SandboxManager, type SandboxPorts } from './sandbox-manager';
import { batchView, recordTimeline, withSchemas } from './trace-view';

/** A key as the results table shows it: its text (cut short), base64 for bytes, null for none. */
export function keyLabel(key: ProducerRecord['key']): string | null {
  if (key === null || key === undefined) return null;
  const text = typeof key === 'string' ? key : `base64:${Buffer.from(key).toString('base64')}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** The auto-create switch of an environment's own cluster is kept per environment file. */
export function environmentAutoCreateId(file: string): string {
  return `environment:${file}`;
}

/** The host keeps as many rows as the panel shows. */
export const MAX_RESULTS = MAX_RESULT_ROWS;

type ProducerPool = Map<string, { producer: Producer; transport: Transport }>;

interface Session {
  connection: ConnectionSummary;
  config: ConnectionConfig;
  admin: ClusterAdmin;
  producers: ProducerPool;
  metadata: ClusterMetadata | undefined;
  watermarks: Map<string, Map<number, number>>;
  /** Trace subscriptions of its producers (see ClusterWatch), ended with the session. */
  following: { dispose(): void }[];
  /** The connection's schema registry, built when first asked (a missing secret fails then, not at connect). */
  registryConfig: () => Promise<SchemaRegistryConfig | undefined>;
  registry?: Promise<SchemaRegistryClient | undefined>;
  /** Sends running on this session's producers: they keep them to their end, even after the session is left. */
  sends: Set<SendInProgress>;
}

/** A composer send until its records settle, or a collection run until it ends. */
interface SendInProgress {
  /** What the user would call it: 'sending 1,000 records to "orders"', 'sending Orders'. */
  label: string;
  /** Stops handing records over; those already handed over are still delivered and reported as the cluster answers. */
  cancel(): void;
  ended: Promise<void>;
}

/** What becomes of the sends still running on a connection that is left: stop handing over records, or finish there. */
export type WhileSending = 'cancel' | 'finish';

/** A collection run's hold on its cluster: producers from where it started, whatever connection is active later. */
export interface CollectionRun {
  producerFor(settings: Record<string, string | number | boolean>): Promise<Producer>;
  /** The run has ended: every record it handed over has settled. */
  end(): void;
}

/**
 * The active environment's cluster, as the collections feature hands it over: a connection to list and connect to,
 * or why there is none to show (a broken file, Restricted Mode).
 */
export type EnvironmentCluster =
  | {
    kind: 'connection'; summary: ConnectionSummary; key: string; bootstrap: string[]; config: () => Promise<ConnectionConfig>;
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
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private readonly results = new Map<string, { row: ResultRow; producer: Producer; metadata?: RecordMetadata; schemas?: SchemaUsed[] }>();
  /** Producers of collection sends to an environment's own cluster (not the active connection), kept until dispose. */
  private readonly environmentProducers: ProducerPool = new Map();
  /** Sessions left while sends were still running on them: closed when those end (or at dispose). */
  private readonly leaving = new Set<Session>();
  private environment: EnvironmentCluster | undefined;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  private readonly resultsChanged = new vscode.EventEmitter<ResultRow[] | 'cleared'>();
  /** Connection, metadata or sandbox changed. */
  readonly onDidChangeState = this.stateChanged.event;
  /** Rows added or updated ('cleared' after clear). */
  readonly onDidChangeResults = this.resultsChanged.event;
  readonly sandbox: SandboxManager;
  private readonly watch = new ClusterWatch((what) => this.refreshAfterActivity(what));

  constructor(readonly connections: ConnectionStore, private readonly log: LogFn, readonly trusted: () => boolean, externalSandbox?: { bootstrap: string; controlUrl: string }, sandboxPorts?: SandboxPorts) {
    this.sandbox = new SandboxManager(log, { brokers: 3, external: externalSandbox, ports: sandboxPorts });
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
    let next: Session;
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

  private async openSession(connectionId: string): Promise<Session> {
    let connection: ConnectionSummary;
    let config: ConnectionConfig;
    let registryConfig: Session['registryConfig'] = async () => undefined;
    if (connectionId === SANDBOX_CONNECTION_ID) {
      const sandbox = await this.sandbox.ensureStarted();
      connection = { id: SANDBOX_CONNECTION_ID, name: 'Local sandbox', isSandbox: true };
      config = { brokers: sandbox.bootstrap.split(','), clientId: 'kafka-workbench' };
      registryConfig = async () => {
        const url = this.sandbox.schemaRegistryUrl();
        return url ? { url } : undefined;
      };
    } else if (connectionId === ENVIRONMENT_CONNECTION_ID) {
      const env = this.environment;
      if (!this.trusted()) throw new InvalidInputError('This workspace is in Restricted Mode: an environment file may not pick the cluster; trust the workspace or clear the environment.');
      if (env?.kind !== 'connection') throw new InvalidInputError('The active environment has no connection: select an environment with one ("Kafka: Select Environment").');
      connection = env.summary;
      config = await env.config();
      if (env.schemaRegistry) registryConfig = env.schemaRegistry;
    } else {
      const stored = this.connections.get(connectionId);
      if (!stored) throw new InvalidInputError(`No connection with id "${connectionId}": pick one from the Kafka explorer or add it first.`);
      connection = { id: stored.id, name: stored.name, isSandbox: false };
      config = await this.connections.toConnectionConfig(stored);
      registryConfig = () => this.connections.schemaRegistryConfig(stored);
    }
    this.log('info', `connecting to "${connection.name}" (${config.brokers.join(',')}${config.ssl ? ', TLS' : ''}${config.sasl ? `, SASL ${config.sasl.mechanism}` : ''})`);
    const admin = loadCore().createAdmin(config, this.log);
    try {
      const metadata = await admin.metadata();
      this.log('info', `connected to "${connection.name}": ${metadata.brokers.length} broker(s), ${metadata.topics.length} topic(s)`);
      return { connection, config, admin, producers: new Map(), metadata, watermarks: new Map(), registryConfig, following: [], sends: new Set() };
    } catch (e) {
      await admin.close().catch(() => undefined);
      this.log('error', `connecting to "${connection.name}" failed: ${plainError(e)}`);
      throw e;
    }
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
  private async leaveSession(s: Session, whileSending: WhileSending): Promise<void> {
    for (const f of s.following.splice(0)) f.dispose();
    const running = s.sends.size;
    if (whileSending === 'cancel') for (const send of s.sends) send.cancel();
    this.log('info', `disconnected from "${s.connection.name}"${running ? `; ${running} send(s) ${whileSending === 'cancel' ? 'cancelled, their records already handed over still' : 'still'} going there` : ''}`);
    this.leaving.add(s);
    const closed = (async () => {
      await s.admin.close().catch(() => undefined);
      await Promise.all([...s.sends].map((x) => x.ended));
      await closePool(s.producers);
      this.leaving.delete(s);
      if (running) this.log('info', `closed the producers of "${s.connection.name}": the sends still running there have ended`);
    })();
    if (!running) await closed;
  }

  private async requireSession(): Promise<Session> {
    if (this.session) return this.session;
    if (this.connecting) return this.connecting;
    throw new InvalidInputError('Not connected: run "Kafka: Connect" and pick a connection (the Local sandbox needs no setup).');
  }

  /** Cluster metadata plus high watermarks; `refresh` asks the cluster again. */
  async cluster(refresh = false): Promise<ClusterView> {
    const s = await this.requireSession();
    if (refresh || !s.metadata) {
      s.metadata = await s.admin.metadata();
      s.watermarks.clear();
      const sandboxState = s.connection.isSandbox ? await this.sandbox.state().catch(() => undefined) : undefined;
      if (sandboxState) this.takeSandboxWatermarks(s, sandboxState);
      else {
        await Promise.all(s.metadata.topics.filter((t) => !t.isInternal && t.errorCode === 0).map(async (t) => {
          s.watermarks.set(t.name, await s.admin.highWatermarks(t.name).catch(() => new Map<number, number>()));
        }));
      }
      this.stateChanged.fire();
    }
    return { connection: s.connection, metadata: s.metadata, watermarks: s.watermarks };
  }

  /** The sandbox knows its high watermarks directly; no ListOffsets round trip needed. */
  private takeSandboxWatermarks(s: Session, state: SandboxState): void {
    for (const t of state.topics) s.watermarks.set(t.name, new Map(t.partitions.map((p) => [p.partition, p.highWatermark])));
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
    if (state) this.takeSandboxWatermarks(s, state);
    this.stateChanged.fire();
  }

  /** An ack is proof the partition's high watermark is past its offset: the explorer shows it without a round trip. */
  private noteAck(producer: Producer, md: RecordMetadata): void {
    const s = this.session;
    if (!s || md.offset < 0 || ![...s.producers.values()].some((e) => e.producer === producer)) return;
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
    const md = this.session?.metadata;
    if (!md) return [];
    return md.topics.filter((t) => !t.isInternal).map((t) => ({
      name: t.name,
      partitions: [...t.partitions].sort((a, b) => a.partition - b.partition).map((p) => ({
        partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offline: p.leader < 0 || p.offlineReplicas.includes(p.leader),
      })),
    })).sort((a, b) => a.name.localeCompare(b.name));
  }

  panelInit(): PanelInit {
    const sandboxConnected = this.session?.connection.isSandbox === true;
    return { connection: this.activeConnection(), connections: this.allConnections(), topics: this.topics(), sandbox: sandboxConnected ? this.sandbox.view() : null, trusted: this.trusted() };
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

  private producerFor(s: Session, settings: DraftProducerSettings): Producer {
    const key = settingsKey(settings);
    const existing = s.producers.get(key);
    if (existing) return existing.producer;
    const core = loadCore();
    const transport = this.gated(core.createTransport(s.config, this.log), s.connection.id);
    const producer = core.createProducer(settingsToConfig(settings, s.config.clientId ?? 'kafka-workbench'), { transport, log: this.log, traceCapacity: MAX_RESULTS });
    s.producers.set(key, { producer, transport });
    s.following.push(this.watch.follow(producer));
    return producer;
  }

  /** In Restricted Mode, collection sends go only to a connection the user chose: never one an environment file names. */
  refuseUntrustedTarget(environmentConfig?: ConnectionConfig): void {
    if (!this.trusted() && (environmentConfig || !this.session)) {
      throw new InvalidInputError(environmentConfig ? 'This workspace is in Restricted Mode: an environment file may not pick the cluster; trust the workspace or clear the environment.' : 'This workspace is in Restricted Mode: connect explicitly before sending.');
    }
  }

  /**
   * Starts a bulk send (a collection run, the composer's Repeat): its producers are on the environment's own cluster
   * when it has one, else on the connection active now, for the whole run, even if the user switches connection
   * meanwhile. Leaving that connection may `cancel` it. The caller calls `end()` when the run has ended.
   */
  beginCollectionRun(label: string, cancel: () => void, target: { environmentConfig?: ConnectionConfig; environmentFile?: string } = {}): CollectionRun {
    const { environmentConfig } = target;
    let ended!: () => void;
    const send: SendInProgress = { label, cancel, ended: new Promise<void>((resolve) => (ended = resolve)) };
    let session = environmentConfig ? undefined : this.session;
    session?.sends.add(send);
    return {
      producerFor: async (settings) => {
        this.refuseUntrustedTarget(environmentConfig);
        if (environmentConfig) {
          return this.trackedProducer(settings, { config: environmentConfig, pool: this.environmentProducers, autoCreateId: environmentAutoCreateId(target.environmentFile ?? '') });
        }
        if (!session) {
          session = await this.requireSession();
          session.sends.add(send);
        }
        return this.trackedProducer(settings, { config: session.config, pool: session.producers, autoCreateId: session.connection.id, session });
      },
      end: () => {
        session?.sends.delete(send);
        ended();
      },
    };
  }

  /**
   * A producer for a bulk send (settings by their Java names) from `pool`. Its records land in the results and traces:
   * every submit is tracked. Failures show in the results table and the run's summary, not as a log line each (a bulk
   * send can fail thousands).
   */
  private trackedProducer(settings: Record<string, string | number | boolean>, on: { config: ConnectionConfig; pool: ProducerPool; autoCreateId: string; session?: Session }): Producer {
    const { config, pool, autoCreateId } = on;
    const key = `collection:${JSON.stringify(on.session ? null : config)}:${JSON.stringify(Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    let entry = pool.get(key);
    if (!entry) {
      const core = loadCore();
      const transport = this.gated(core.createTransport(config, this.log), autoCreateId);
      const producer = core.createProducer({ 'client.id': config.clientId ?? 'kafka-workbench', ...settings } as ProducerConfigInput, { transport, log: this.log, traceCapacity: MAX_RESULTS });
      entry = { producer, transport };
      pool.set(key, entry);
      on.session?.following.push(this.watch.follow(producer));
    }
    const producer = entry.producer;
    // Every record the run hands over gets a results row; its outcome updates the row, then reaches the run.
    const produce: Producer['produce'] = (record, callback) => {
      // A record refused at once settles inside produce(), before its row exists: its outcome waits in `early`.
      const settled: { row?: DeliveryCallback; early?: Parameters<DeliveryCallback> } = {};
      const seq = producer.produce(record, (error, metadata) => {
        if (settled.row) settled.row(error, metadata);
        else settled.early = [error, metadata];
        callback?.(error, metadata);
      });
      settled.row = this.startRow(producer.recordId(seq), record, producer, 'fire-and-forget');
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
      admin: s.admin, name: s.connection.name,
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
  async sendRecord(record: { topic: string; key?: string | null; value: string | null; headers?: { key: string; value: string }[]; partition?: number }, settings?: Partial<DraftProducerSettings>, createTopics?: CreateTopicsAnswer): Promise<RecordMetadata> {
    if (!this.trusted() && !this.session) throw new InvalidInputError('This workspace is in Restricted Mode: connect explicitly before sending.');
    await this.ensureTopics([record.topic], createTopics);
    const producer = this.producerFor(await this.requireSession(), { ...defaultDraft().settings, ...settings });
    const literal: ProducerRecord = { topic: record.topic, key: record.key ?? null, value: record.value, headers: record.headers };
    if (record.partition !== undefined) literal.partition = record.partition;
    const { recordId, result } = producer.submit(literal);
    await this.track(recordId, literal, producer, result, 'sync');
    const entry = this.results.get(recordId);
    if (entry?.metadata) return entry.metadata;
    return result; // rejects with the DeliveryError
  }

  private track(recordId: string, record: ProducerRecord, producer: Producer, result: Promise<RecordMetadata>, mode: SendMode): Promise<unknown> {
    const settle = this.startRow(recordId, record, producer, mode);
    return result.then((md) => settle(null, md), (e: DeliveryError) => settle(e));
  }

  /** Adds a pending row for a record just handed over; the callback it returns settles the row. */
  private startRow(recordId: string, record: ProducerRecord, producer: Producer, mode: SendMode): DeliveryCallback {
    const sentAt = Date.now();
    const topic = record.topic;
    const row: ResultRow = { recordId, status: 'pending', topic, key: keyLabel(record.key), partition: null, offset: null, timestamp: null, latencyMs: null, attempts: null, sentAt };
    // Schema Registry schemas that encoded it (the runner sets them): shown in its trace.
    this.addResult({ row, producer, schemas: record.serialization ? [...record.serialization] : undefined });
    return (error, md) => {
      if (!error && md) {
        this.noteAck(producer, md);
        this.updateResult(recordId, {
          row: { ...row, status: 'acked', partition: md.partition, offset: md.offset, timestamp: md.timestamp, timestampType: md.timestampType, latencyMs: Date.now() - sentAt, attempts: md.attempts, batchId: md.batchId },
          metadata: md,
        });
        return;
      }
      const err = toWebviewError(error);
      this.updateResult(recordId, { row: { ...row, status: 'failed', partition: error?.partition ?? null, latencyMs: Date.now() - sentAt, attempts: error?.attempts ?? null, error: err.message, errorName: err.kafkaError } });
      if (mode !== 'fire-and-forget') this.log('warn', `record ${recordId} to ${topic} failed: ${plainError(error)}`);
    };
  }

  private addResult(entry: { row: ResultRow; producer: Producer; schemas?: SchemaUsed[] }): void {
    this.results.set(entry.row.recordId, entry);
    // Bounded history: a Map iterates in insertion order, so the first keys are the oldest.
    while (this.results.size > MAX_RESULTS) this.results.delete(this.results.keys().next().value as string);
    this.resultsChanged.fire([entry.row]);
  }

  private updateResult(recordId: string, update: { row: ResultRow; metadata?: RecordMetadata }): void {
    const entry = this.results.get(recordId);
    if (!entry) return;
    entry.row = update.row;
    if (update.metadata) entry.metadata = update.metadata;
    this.resultsChanged.fire([entry.row]);
  }

  resultRows(): ResultRow[] {
    return [...this.results.values()].map((e) => e.row);
  }

  /**
   * Clears the finished results. Records still in flight stay: their acks or errors (and traces) are still to come,
   * and a send running now must not lose the rows of what it has handed over.
   */
  clearResults(): void {
    for (const [id, entry] of this.results) if (entry.row.status !== 'pending') this.results.delete(id);
    this.resultsChanged.fire('cleared');
    if (this.results.size) this.resultsChanged.fire(this.resultRows());
  }

  trace(recordId: string): RecordTraceView {
    const entry = this.results.get(recordId);
    // A record the user selected keeps its full trace past the engine's trace window (a bulk send moves on).
    entry?.producer.keepTrace(recordId);
    const trace = entry?.producer.recordTrace(recordId);
    if (!entry || !trace) throw new InvalidInputError(`No trace for record ${recordId}: it was cleared or fell out of the bounded history.`);
    const batch = trace.batchId ? entry.producer.batchTrace(trace.batchId) : undefined;
    return withSchemas(recordTimeline(trace, batch, entry.metadata), entry.schemas);
  }

  /** Every producer open now (the active connection's and environments'): a send's charts sample them. */
  openProducers(): Producer[] {
    return [...(this.session?.producers.values() ?? []), ...this.environmentProducers.values()].map((e) => e.producer);
  }

  batches(): BatchView[] {
    const seen = new Map<string, BatchView>();
    for (const { row, producer } of this.results.values()) {
      if (!row.batchId || seen.has(row.batchId)) continue;
      const b = producer.batchTrace(row.batchId);
      if (b) seen.set(row.batchId, batchView(b));
    }
    return [...seen.values()].reverse();
  }

  /** Traces as JSON (the engine leaves out secrets; connection credentials are never in a trace). */
  exportTraces(recordIds: string[] | null): object {
    const ids = recordIds ?? [...this.results.keys()];
    const byProducer = new Map<Producer, string[]>();
    for (const id of ids) {
      const e = this.results.get(id);
      if (e) byProducer.set(e.producer, [...(byProducer.get(e.producer) ?? []), id]);
    }
    return {
      exportedAt: new Date().toISOString(),
      connection: this.session?.connection.name ?? null,
      producers: [...byProducer].map(([p, recordIds]) => p.exportTraces({ recordIds })),
    };
  }

  async dispose(): Promise<void> {
    // The extension is going away: records still pending get 2 s, then fail as not delivered.
    const sessions = [...this.leaving, ...(this.session ? [this.session] : [])];
    this.session = undefined;
    this.leaving.clear();
    for (const s of sessions) {
      await closePool(s.producers, 2000);
      await s.admin.close().catch(() => undefined);
    }
    await closePool(this.environmentProducers, 2000);
    await this.sandbox.stop().catch(() => undefined);
    this.watch.dispose();
    this.stateChanged.dispose();
    this.resultsChanged.dispose();
  }
}

/** Closes every producer of a pool and its transport; with no timeout a producer first delivers what it holds. */
async function closePool(pool: ProducerPool, timeoutMs?: number): Promise<void> {
  for (const { producer, transport } of pool.values()) {
    await producer.close(timeoutMs === undefined ? {} : { timeoutMs }).catch(() => undefined);
    await transport.close().catch(() => undefined);
  }
  pool.clear();
}

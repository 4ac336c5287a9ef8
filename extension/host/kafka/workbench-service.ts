/**
 * The extension's one connection to Kafka: which connection is active, its producers (one per distinct settings),
 * metadata for the explorer and the composer, the bounded results history and the traces behind it.
 * No UI here: commands, the tree and the panel call it and listen to its events.
 */
import * as vscode from 'vscode';
import type { ProducerConfigInput } from '../../core/engine/config';
import type { Producer, RecordMetadata } from '../../core/engine/types';
import type { SchemaRegistryClient, SchemaRegistryConfig } from '../../core/schema-registry/client';
import type { SchemaUsed } from '../../core/schema-registry/schema-used';
import type { ClusterMetadata, ConnectionConfig, Transport } from '../../core/transport/transport';
import { InvalidInputError } from '../../core/util/errors';
import {
  defaultDraft, MAX_RESULT_ROWS, type BatchView, type ComposerDraft, type ConnectionSummary, type DraftProducerSettings, type PanelInit,
  type RecordTraceView, type ResultRow, type SendMode, type TopicSummary,
} from '../../protocol/messages';
import { ConnectionStore } from '../connections/connection-store';
import { ENVIRONMENT_CONNECTION_ID, SANDBOX_CONNECTION_ID } from '../connections/model';
import { draftToRecord, settingsKey, settingsToConfig } from '../composer/draft-to-record';
import { loadCore, loadSchemaRegistry, type ClusterAdmin, type LogFn } from './core';
import { plainError, toWebviewError } from './plain-errors';
import { SandboxManager } from './sandbox-manager';
import { batchView, recordTimeline, withSchemas } from './trace-view';
import { encodeDraftSchemas } from '../composer/draft-schemas';

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

  constructor(readonly connections: ConnectionStore, private readonly log: LogFn, readonly trusted: () => boolean, externalSandbox?: { bootstrap: string; controlUrl: string }) {
    this.sandbox = new SandboxManager(log, { brokers: 3, external: externalSandbox });
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
   * Connects (starting the sandbox for the built-in connection) and fetches metadata; the previous session is left:
   * sends running on it keep its producers to their end ('finish'), or stop handing over records ('cancel').
   */
  async connect(connectionId: string, whileSending: WhileSending = 'finish'): Promise<ConnectionSummary> {
    if (this.session?.connection.id === connectionId) return this.session.connection;
    await this.disconnect(whileSending);
    this.connecting = this.openSession(connectionId);
    try {
      this.session = await this.connecting;
    } finally {
      this.connecting = undefined;
    }
    // The environment's connection is rebuilt from its file each time: nothing of it is remembered.
    await this.connections.setActive(connectionId === ENVIRONMENT_CONNECTION_ID ? undefined : connectionId);
    this.stateChanged.fire();
    return this.session.connection;
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
      return { connection, config, admin, producers: new Map(), metadata, watermarks: new Map(), registryConfig, sends: new Set() };
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
    const running = s.sends.size;
    if (whileSending === 'cancel') for (const send of s.sends) send.cancel();
    this.log('info', `disconnected from "${s.connection.name}"${running ? `; ${running} send(s) ${whileSending === 'cancel' ? 'cancelled, their records already handed over still' : 'still'} going there` : ''}`);
    this.stateChanged.fire();
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
    if (this.connecting) return this.connecting;
    if (this.session) return this.session;
    throw new InvalidInputError('Not connected: run "Kafka: Connect" and pick a connection (the Local sandbox needs no setup).');
  }

  /** Cluster metadata plus high watermarks; `refresh` asks the cluster again. */
  async cluster(refresh = false): Promise<ClusterView> {
    const s = await this.requireSession();
    if (refresh || !s.metadata) {
      s.metadata = await s.admin.metadata();
      s.watermarks.clear();
      const sandboxState = s.connection.isSandbox ? await this.sandbox.state().catch(() => undefined) : undefined;
      if (sandboxState) {
        // The sandbox knows its high watermarks directly; no ListOffsets round trip needed.
        for (const t of sandboxState.topics) s.watermarks.set(t.name, new Map(t.partitions.map((p) => [p.partition, p.highWatermark])));
      } else {
        await Promise.all(s.metadata.topics.filter((t) => !t.isInternal && t.errorCode === 0).map(async (t) => {
          s.watermarks.set(t.name, await s.admin.highWatermarks(t.name).catch(() => new Map<number, number>()));
        }));
      }
      this.stateChanged.fire();
    }
    return { connection: s.connection, metadata: s.metadata, watermarks: s.watermarks };
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
    const transport = core.createTransport(s.config, this.log);
    const producer = core.createProducer(settingsToConfig(settings, s.config.clientId ?? 'kafka-workbench'), { transport, log: this.log, traceCapacity: MAX_RESULTS });
    s.producers.set(key, { producer, transport });
    return producer;
  }

  /** In Restricted Mode, collection sends go only to a connection the user chose: never one an environment file names. */
  refuseUntrustedTarget(environmentConfig?: ConnectionConfig): void {
    if (!this.trusted() && (environmentConfig || !this.session)) {
      throw new InvalidInputError(environmentConfig ? 'This workspace is in Restricted Mode: an environment file may not pick the cluster; trust the workspace or clear the environment.' : 'This workspace is in Restricted Mode: connect explicitly before sending.');
    }
  }

  /**
   * Starts a collection run: its producers are on the environment's own cluster when it has one, else on the
   * connection active now, for the whole run, even if the user switches connection meanwhile. Leaving that
   * connection may `cancel` it. The caller calls `end()` when the run has ended.
   */
  beginCollectionRun(label: string, cancel: () => void, environmentConfig?: ConnectionConfig): CollectionRun {
    let ended!: () => void;
    const send: SendInProgress = { label, cancel, ended: new Promise<void>((resolve) => (ended = resolve)) };
    let session = environmentConfig ? undefined : this.session;
    session?.sends.add(send);
    return {
      producerFor: async (settings) => {
        this.refuseUntrustedTarget(environmentConfig);
        if (environmentConfig) return this.collectionProducer(settings, environmentConfig, this.environmentProducers);
        if (!session) {
          session = await this.requireSession();
          session.sends.add(send);
        }
        return this.collectionProducer(settings, session.config, session.producers);
      },
      end: () => {
        session?.sends.delete(send);
        ended();
      },
    };
  }

  /**
   * A producer for a collection run (settings by their Java names) from `pool`. Its records land in the same
   * results and traces as the composer's: every submit is tracked like an async send.
   */
  private collectionProducer(settings: Record<string, string | number | boolean>, config: ConnectionConfig, pool: ProducerPool): Producer {
    const key = `collection:${JSON.stringify(pool === this.environmentProducers ? config : null)}:${JSON.stringify(Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    let entry = pool.get(key);
    if (!entry) {
      const core = loadCore();
      const transport = core.createTransport(config, this.log);
      const producer = core.createProducer({ 'client.id': config.clientId ?? 'kafka-workbench', ...settings } as ProducerConfigInput, { transport, log: this.log, traceCapacity: MAX_RESULTS });
      entry = { producer, transport };
      pool.set(key, entry);
    }
    const producer = entry.producer;
    const submit: Producer['submit'] = (record) => {
      const handle = producer.submit(record);
      void this.track(handle.recordId, record.topic, producer, handle.result, 'fire-and-forget');
      return handle;
    };
    // The run closes nothing it is handed (closeProducers: false); everything else goes straight to the producer.
    return new Proxy(producer, {
      get: (target, prop) => {
        if (prop === 'submit') return submit;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  /**
   * Sends the draft `repeat` times. sync: resolves after every ack; async: resolves once all are submitted (rows update
   * as acks arrive); fire-and-forget: the same, and failures only show in the table. Record ids come back at once.
   */
  async send(draft: ComposerDraft): Promise<{ recordIds: string[]; settled: Promise<void> }> {
    if (!this.trusted() && !this.session) throw new InvalidInputError('This workspace is in Restricted Mode: connect explicitly before sending.');
    const record = draftToRecord(draft);
    // Key and value in the Schema Registry format are encoded now: a value that does not fit sends nothing.
    let schemas: SchemaUsed[] | undefined;
    if (draft.keyFormat === 'schema' || draft.valueFormat === 'schema') {
      const encoded = await encodeDraftSchemas(() => this.schemaRegistry(), draft);
      if (encoded.key) record.key = encoded.key;
      if (encoded.value) record.value = encoded.value;
      schemas = encoded.used;
    }
    const session = await this.requireSession();
    const producer = this.producerFor(session, draft.settings);
    const recordIds: string[] = [];
    const waits: Promise<unknown>[] = [];
    for (let i = 0; i < draft.repeat; i++) {
      const { recordId, result } = producer.submit(record);
      recordIds.push(recordId);
      waits.push(this.track(recordId, record.topic, producer, result, draft.sendMode, schemas));
    }
    // Until its records settle the send holds this session's producer, even if the user switches connection.
    const handedOver = Promise.allSettled(waits).then(() => undefined);
    const send: SendInProgress = { label: `sending ${draft.repeat.toLocaleString('en-US')} record${draft.repeat === 1 ? '' : 's'} to "${record.topic}"`, cancel: () => undefined, ended: handedOver };
    session.sends.add(send);
    const settled = handedOver.then(async () => {
      session.sends.delete(send);
      // A send can create the topic (auto-create): refresh so the explorer and the composer list it.
      if (this.session === session && !session.metadata?.topics.some((t) => t.name === record.topic)) await this.cluster(true).catch(() => undefined);
    });
    if (draft.sendMode === 'sync') await settled;
    return { recordIds, settled };
  }

  /** The command API's send: one record, waits for the ack, returns its metadata or throws the DeliveryError. */
  async sendRecord(record: { topic: string; key?: string | null; value: string | null; headers?: { key: string; value: string }[]; partition?: number }, settings?: Partial<DraftProducerSettings>): Promise<RecordMetadata> {
    const draft: ComposerDraft = {
      ...defaultDraft(), topic: record.topic, keyFormat: record.key == null ? 'none' : 'string', key: record.key ?? '',
      valueFormat: record.value === null ? 'null' : 'text', value: record.value ?? '', headers: (record.headers ?? []).map((h) => ({ ...h, binary: false })),
      partition: record.partition ?? null,
    };
    draft.settings = { ...draft.settings, ...settings };
    const { recordIds } = await this.send(draft);
    const entry = this.results.get(recordIds[0]);
    if (entry?.metadata) return entry.metadata;
    throw new Error(entry?.row.error ?? 'the record was not delivered');
  }

  private track(recordId: string, topic: string, producer: Producer, result: Promise<RecordMetadata>, mode: SendMode, schemas?: SchemaUsed[]): Promise<unknown> {
    const sentAt = Date.now();
    const row: ResultRow = { recordId, status: 'pending', topic, partition: null, offset: null, timestamp: null, latencyMs: null, attempts: null, sentAt };
    this.addResult({ row, producer, schemas });
    return result.then(
      (md) => {
        this.updateResult(recordId, {
          row: { ...row, status: 'acked', partition: md.partition, offset: md.offset, timestamp: md.timestamp, timestampType: md.timestampType, latencyMs: Date.now() - sentAt, attempts: md.attempts, batchId: md.batchId },
          metadata: md,
        });
      },
      (e: unknown) => {
        const err = toWebviewError(e);
        const d = e as { partition?: number; attempts?: number };
        this.updateResult(recordId, { row: { ...row, status: 'failed', partition: d.partition ?? null, latencyMs: Date.now() - sentAt, attempts: d.attempts ?? null, error: err.message, errorName: err.kafkaError } });
        if (mode !== 'fire-and-forget') this.log('warn', `record ${recordId} to ${topic} failed: ${plainError(e)}`);
      },
    );
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

  clearResults(): void {
    this.results.clear();
    this.resultsChanged.fire('cleared');
  }

  trace(recordId: string): RecordTraceView {
    const entry = this.results.get(recordId);
    const trace = entry?.producer.recordTrace(recordId);
    if (!entry || !trace) throw new InvalidInputError(`No trace for record ${recordId}: it was cleared or fell out of the bounded history.`);
    const batch = trace.batchId ? entry.producer.batchTrace(trace.batchId) : undefined;
    return withSchemas(recordTimeline(trace, batch, entry.metadata), entry.schemas);
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

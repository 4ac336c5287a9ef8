/**
 * A connection to one cluster while it is active: its admin client, metadata and high watermarks for the explorer
 * and the composer, its schema registry, and the sends running on it. Opening one resolves a connection id (the Local
 * sandbox, the active environment's cluster, a saved connection) into a working connection, or fails with why.
 */
import type { SandboxState } from '../../core/sandbox';
import type { SchemaRegistryClient, SchemaRegistryConfig } from '../../core/schema-registry/client';
import { DEFAULT_CLIENT_ID } from '../../core/kafka/rules/client-id';
import { splitBrokerList } from '../../core/kafka/rules/broker-address';
import type { ClusterMetadata, ConnectionConfig } from '../../core/transport/transport';
import { InvalidInputError } from '../../core/util/errors';
import type { ConnectionSummary, TopicSummary } from '../../protocol/messages';
import type { ConnectionStore } from '../connections/connection-store';
import { ENVIRONMENT_CONNECTION_ID, SANDBOX_CONNECTION_ID } from '../connections/model';
import { loadCore, type ClusterAdmin, type LogFn } from './core';
import { plainError } from './plain-errors';
import type { PoolTarget } from './producer-pool';
import type { SandboxManager } from './sandbox-manager';
import type { TrustPolicy } from './trust-policy';
import type { EnvironmentCluster } from './workbench-service';

/** A composer send until its records settle, or a collection run until it ends. */
export interface SendInProgress {
  /** What the user would call it: 'sending 1,000 records to "orders"', 'sending Orders'. */
  label: string;
  /** Stops handing records over; those already handed over are still delivered and reported as the cluster answers. */
  cancel(): void;
  ended: Promise<void>;
}

export interface ClusterSession {
  connection: ConnectionSummary;
  config: ConnectionConfig;
  admin: ClusterAdmin;
  /** Its producers in the shared pool. */
  target: PoolTarget;
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

export interface SessionDeps {
  sandbox: SandboxManager;
  connections: ConnectionStore;
  environment: () => EnvironmentCluster | undefined;
  trust: TrustPolicy;
  log: LogFn;
}

let opened = 0;

/** Connects (starting the sandbox for the built-in connection) and fetches metadata. */
export async function openClusterSession(connectionId: string, deps: SessionDeps): Promise<ClusterSession> {
  const { sandbox, connections, log } = deps;
  let connection: ConnectionSummary;
  let config: ConnectionConfig;
  let registryConfig: ClusterSession['registryConfig'] = async () => undefined;
  if (connectionId === SANDBOX_CONNECTION_ID) {
    const started = await sandbox.ensureStarted();
    connection = { id: SANDBOX_CONNECTION_ID, name: 'Local sandbox', isSandbox: true };
    config = { brokers: splitBrokerList(started.bootstrap), clientId: DEFAULT_CLIENT_ID };
    registryConfig = async () => {
      const url = sandbox.schemaRegistryUrl();
      return url ? { url } : undefined;
    };
  } else if (connectionId === ENVIRONMENT_CONNECTION_ID) {
    const env = deps.environment();
    deps.trust.checkEnvironmentCluster();
    if (env?.kind !== 'connection')
      throw new InvalidInputError(
        'The active environment has no connection: select an environment with one ("Kafka: Select Environment").',
      );
    connection = env.summary;
    config = await env.config();
    if (env.schemaRegistry) registryConfig = env.schemaRegistry;
  } else {
    const stored = connections.get(connectionId);
    if (!stored)
      throw new InvalidInputError(
        `No connection with id "${connectionId}": pick one from the Kafka explorer or add it first.`,
      );
    connection = { id: stored.id, name: stored.name, isSandbox: false };
    config = await connections.toConnectionConfig(stored);
    registryConfig = () => connections.schemaRegistryConfig(stored);
  }
  log(
    'info',
    `connecting to "${connection.name}" (${config.brokers.join(',')}${config.ssl ? ', TLS' : ''}${config.sasl ? `, SASL ${config.sasl.mechanism}` : ''})`,
  );
  const admin = loadCore().createAdmin(config, log);
  try {
    const metadata = await admin.metadata();
    log(
      'info',
      `connected to "${connection.name}": ${metadata.brokers.length} broker(s), ${metadata.topics.length} topic(s)`,
    );
    const target: PoolTarget = { id: `session:${++opened}:${connection.id}`, config, autoCreateId: connection.id };
    return {
      connection,
      config,
      admin,
      target,
      metadata,
      watermarks: new Map(),
      registryConfig,
      following: [],
      sends: new Set(),
    };
  } catch (e) {
    await admin.close().catch(() => undefined);
    log('error', `connecting to "${connection.name}" failed: ${plainError(e)}`);
    throw e;
  }
}

/** The sandbox knows its high watermarks directly; no ListOffsets round trip needed. */
export function takeSandboxWatermarks(s: ClusterSession, state: SandboxState): void {
  for (const t of state.topics)
    s.watermarks.set(t.name, new Map(t.partitions.map((p) => [p.partition, p.highWatermark])));
}

/** The session's topics as the explorer and the composer list them: no internal topics, sorted by name. */
export function topicSummaries(metadata: ClusterMetadata | undefined): TopicSummary[] {
  if (!metadata) return [];
  return metadata.topics
    .filter((t) => !t.isInternal)
    .map((t) => ({
      name: t.name,
      partitions: [...t.partitions]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => ({
          partition: p.partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offline: p.leader < 0 || p.offlineReplicas.includes(p.leader),
        })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

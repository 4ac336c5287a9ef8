/**
 * The sandbox's public API: `startSandbox(options)` starts a Kafka-protocol cluster of several brokers in this
 * process (one TCP listener per broker on 127.0.0.1) plus its HTTP control server, and returns the addresses and
 * the same fault controls the control server offers. Used by the CLI, the tests and the extension.
 */
import type { Clock } from '../util/clock';
import { InvalidInputError } from '../util/errors';
import { resolveSandboxOptions, type ResolvedSandboxOptions, type SandboxOptions } from './cluster/options';
import { SandboxCluster, type FaultView, type SandboxState } from './cluster/sandbox-cluster';
import { ControlServer, type SandboxControls } from './control-server';
import { BrokerListener } from './server/broker-listener';
import { SchemaRegistryServer } from './schema-registry/registry-server';
import { SchemaStore, type SubjectSummary } from './schema-registry/schema-store';
import { RequestDispatcher } from './server/request-dispatcher';
import { SaslGate, type SaslStats } from './server/sasl-gate';

export type {
  SandboxOptions,
  ResolvedSandboxOptions,
  SandboxSaslOption,
  SandboxTlsOption,
  SaslMechanismName,
  SandboxSchemaRegistryOption,
} from './cluster/options';
export type { SaslStats } from './server/sasl-gate';
export type { SandboxState, FaultView } from './cluster/sandbox-cluster';

export interface SandboxBroker {
  id: number;
  host: string;
  port: number;
  up: boolean;
}

/** What a client must speak to the listeners, named as Kafka's security.protocol, and how logins went. */
export interface SandboxSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  sasl: SaslStats | null;
}

/** The registry in /state: where it is, the global compatibility level, and each subject's versions. */
export interface SandboxRegistryState {
  url: string;
  compatibility: string;
  schemas: number;
  subjects: SubjectSummary[];
}

export interface StartSandboxDeps {
  /** Where the sandbox's log lines go (closed connections, elections...); dropped when absent. */
  log?: (line: string) => void;
  clock?: Clock;
}

export interface Sandbox extends SandboxControls {
  /** `host:port,host:port,...` of every broker, for a client's bootstrap servers. */
  readonly bootstrap: string;
  readonly brokers: SandboxBroker[];
  /** `http://127.0.0.1:PORT` of the control server. */
  readonly controlUrl: string;
  /** `http://127.0.0.1:PORT` of the schema registry, or null when started without one. */
  readonly schemaRegistryUrl: string | null;
  readonly options: ResolvedSandboxOptions;
  state(): SandboxState & { security: SandboxSecurity; schemaRegistry: SandboxRegistryState | null };
  /** Closes the broker's listener and connections; its partitions get new leaders after electionDelayMs. */
  stopBroker(brokerId: number): Promise<void>;
  /** Listens again on the broker's port; it rejoins the ISRs. */
  startBroker(brokerId: number): Promise<void>;
  moveLeader(topic: string, partition: number, brokerId: number): void;
  addFault(spec: unknown): FaultView;
  clearFaults(): void;
  createTopic(name: string, partitions?: number, replicationFactor?: number, configs?: Record<string, string>): void;
  /** Stops every listener, the control server and the cluster's timers. Safe to call twice. */
  stop(): Promise<void>;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function startSandbox(options: SandboxOptions = {}, deps: StartSandboxDeps = {}): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options);
  const log = deps.log ?? (() => {});
  const sasl = resolved.sasl ? new SaslGate(resolved.sasl.mechanisms, resolved.sasl.users, log) : null;
  const dispatcher = new RequestDispatcher({ log, sasl });
  const protocol = `${sasl ? 'SASL_' : ''}${resolved.tls ? 'SSL' : 'PLAINTEXT'}` as SandboxSecurity['protocol'];
  const listeners: BrokerListener[] = [];
  for (let id = 1; id <= resolved.brokers; id++) {
    listeners.push(
      new BrokerListener({
        brokerId: id,
        host: resolved.host,
        port: resolved.port === 0 ? 0 : resolved.port + id - 1,
        maxFrameBytes: resolved.maxFrameBytes,
        handler: (frame, connection) => dispatcher.handle(frame, connection),
        tls: resolved.tls,
        log,
      }),
    );
  }
  try {
    for (const l of listeners) await l.start();
  } catch (e) {
    await Promise.all(listeners.map((l) => l.stop()));
    throw e;
  }

  const cluster = new SandboxCluster(
    resolved,
    listeners.map((l) => ({ id: l.brokerId, host: resolved.host, port: l.port })),
    { clock: deps.clock, log },
  );
  dispatcher.attach(cluster);

  const listenerOf = (brokerId: number): BrokerListener => {
    const l = Number.isInteger(brokerId) ? listeners[brokerId - 1] : undefined;
    if (!l) throw new InvalidInputError(`there is no broker ${brokerId}; the brokers are 1..${listeners.length}`);
    return l;
  };

  const registry = resolved.schemaRegistry
    ? new SchemaRegistryServer(new SchemaStore(), {
        host: resolved.host,
        port: resolved.schemaRegistry.port,
        auth: resolved.schemaRegistry.auth,
        log,
      })
    : null;
  let stopped = false;
  const sandbox: Sandbox = {
    bootstrap: listeners.map((l) => hostPort(resolved.host, l.port)).join(','),
    get brokers() {
      return listeners.map((l) => ({ id: l.brokerId, host: resolved.host, port: l.port, up: l.listening }));
    },
    get controlUrl() {
      return control.url;
    },
    get schemaRegistryUrl() {
      return registry ? registry.url : null;
    },
    options: resolved,
    state: () => ({
      ...cluster.state(),
      security: { protocol, sasl: sasl?.stats() ?? null },
      schemaRegistry: registry ? { url: registry.url, ...registry.store.summary() } : null,
    }),
    async stopBroker(brokerId) {
      const l = listenerOf(brokerId);
      if (!l.listening) return;
      await l.stop();
      cluster.setBrokerUp(brokerId, false);
      log(`broker ${brokerId} stopped`);
    },
    async startBroker(brokerId) {
      const l = listenerOf(brokerId);
      if (l.listening || stopped) return;
      await l.start();
      cluster.setBrokerUp(brokerId, true);
      log(`broker ${brokerId} started on port ${l.port}`);
    },
    moveLeader: (topic, partition, brokerId) => cluster.moveLeader(topic, partition, brokerId),
    setAutoLeaderRebalance: (enabled) => cluster.setAutoLeaderRebalance(enabled),
    addFault: (spec) => cluster.addFault(spec),
    clearFaults: () => cluster.clearFaults(),
    createTopic: (name, partitions, replicationFactor, configs) =>
      cluster.createTopic(name, partitions, replicationFactor, configs),
    async stop() {
      if (stopped) return;
      stopped = true;
      cluster.stop();
      await Promise.all([control.stop(), registry?.stop(), ...listeners.map((l) => l.stop())]);
    },
  };

  const control = new ControlServer(sandbox, { host: resolved.host, port: resolved.controlPort, log });
  try {
    await control.start();
    await registry?.start();
  } catch (e) {
    stopped = true;
    cluster.stop();
    await Promise.all([control.stop(), ...listeners.map((l) => l.stop())]);
    throw e;
  }
  return sandbox;
}

/**
 * The built-in "Local sandbox". Normally an embedded 3-broker cluster started on first use and stopped with the
 * extension. When `npm start` has already started one (KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP and _CONTROL in the
 * environment), the extension uses that one through its HTTP control address and never stops it.
 */
import type { SandboxState } from '../../core/sandbox';
import type { SandboxAction, SandboxView } from '../../protocol/messages';
import { loadCore, type LogFn } from './core';

/** The controls the extension uses, the same for an in-process and an external sandbox. */
export interface SandboxHandle {
  readonly bootstrap: string;
  readonly controlUrl: string;
  readonly external: boolean;
  state(): Promise<SandboxState>;
  stopBroker(id: number): Promise<void>;
  startBroker(id: number): Promise<void>;
  moveLeader(topic: string, partition: number, broker: number): Promise<void>;
  addFault(spec: object): Promise<void>;
  clearFaults(): Promise<void>;
  stop(): Promise<void>;
}

/** An already running sandbox, driven over its control address (JSON over HTTP on 127.0.0.1). */
export function externalSandbox(bootstrap: string, controlUrl: string): SandboxHandle {
  const call = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${controlUrl}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: string };
    if (!res.ok) throw new Error(`sandbox control ${method} ${route}: ${json.error ?? res.status}`);
    return json;
  };
  return {
    bootstrap,
    controlUrl,
    external: true,
    state: async () => (await call('GET', '/state')) as SandboxState,
    stopBroker: async (id) => {
      await call('POST', `/brokers/${id}/stop`);
    },
    startBroker: async (id) => {
      await call('POST', `/brokers/${id}/start`);
    },
    moveLeader: async (topic, partition, broker) => {
      await call('POST', `/partitions/${encodeURIComponent(topic)}/${partition}/leader`, { broker });
    },
    addFault: async (spec) => {
      await call('POST', '/faults', spec);
    },
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    stop: async () => undefined, // not ours to stop: npm start owns it
  };
}

/** Where the embedded sandbox listens: the same ports each time while they are free (see startOnStablePorts). */
export interface SandboxPorts {
  /** Broker 1's port the last time (broker N listens on port + N - 1). */
  last(): number | undefined;
  remember(port: number): Promise<void>;
}

/** Ports tried when none is remembered, or the remembered one is taken: one easy to recognise, then a few others. */
const FIRST_PORT = 19092;

/**
 * Starts the embedded sandbox on the ports it had last time, so an environment file or a terminal that has its address
 * keeps working across restarts; when they are taken, on other fixed ports (remembered from then on), and only as a
 * last resort on free ports that change every start.
 */
async function startOnStablePorts(brokers: number, log: LogFn, ports: SandboxPorts | undefined) {
  const core = loadCore();
  const start = (port: number) =>
    core.startSandbox({ brokers, port, controlPort: 0 }, { log: (line) => log('debug', `sandbox: ${line}`) });
  if (!ports) return start(0);
  const candidates = [
    ...new Set(
      [ports.last(), FIRST_PORT, ...[0, 1, 2].map(() => 20000 + 16 * Math.floor(Math.random() * 1200))].filter(
        (p): p is number => p !== undefined,
      ),
    ),
  ];
  for (const port of candidates) {
    try {
      const sandbox = await start(port);
      if (port !== ports.last()) await ports.remember(port);
      return sandbox;
    } catch (e) {
      log('debug', `sandbox: ports from ${port} are taken (${String(e)}); trying others`);
    }
  }
  return start(0);
}

async function embeddedSandbox(brokers: number, log: LogFn, ports?: SandboxPorts): Promise<SandboxHandle> {
  const s = await startOnStablePorts(brokers, log, ports);
  return {
    bootstrap: s.bootstrap,
    controlUrl: s.controlUrl,
    external: false,
    state: async () => s.state(),
    stopBroker: (id) => s.stopBroker(id),
    startBroker: (id) => s.startBroker(id),
    moveLeader: async (topic, partition, broker) => s.moveLeader(topic, partition, broker),
    addFault: async (spec) => {
      s.addFault(spec);
    },
    clearFaults: async () => s.clearFaults(),
    stop: () => s.stop(),
  };
}

export class SandboxManager {
  private handle: SandboxHandle | undefined;
  private starting: Promise<SandboxHandle> | undefined;
  private lastState: SandboxState | undefined;

  constructor(
    private readonly log: LogFn,
    private readonly options: {
      brokers: number;
      external?: { bootstrap: string; controlUrl: string };
      ports?: SandboxPorts;
    } = { brokers: 3 },
  ) {}

  /** The running sandbox's bootstrap servers ("127.0.0.1:19092,..."), or undefined while it is not running. */
  get bootstrap(): string | undefined {
    return this.handle?.bootstrap;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Starts (or attaches to) the cluster once; concurrent callers share the same start. */
  ensureStarted(): Promise<SandboxHandle> {
    if (this.handle) return Promise.resolve(this.handle);
    this.starting ??= (async () => {
      const t0 = Date.now();
      const ext = this.options.external;
      const handle = ext
        ? externalSandbox(ext.bootstrap, ext.controlUrl)
        : await embeddedSandbox(this.options.brokers, this.log, this.options.ports);
      this.lastState = await handle.state();
      this.handle = handle;
      this.log(
        'info',
        `Local sandbox ${ext ? 'attached' : `started in ${Date.now() - t0} ms`}: bootstrap ${handle.bootstrap}, control ${handle.controlUrl}`,
      );
      return handle;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** The cluster's current state (brokers up/down, partitions with high watermarks, faults), fetched fresh. */
  async state(): Promise<SandboxState | undefined> {
    if (!this.handle) return undefined;
    this.lastState = await this.handle.state();
    return this.lastState;
  }

  /** The sandbox's schema registry, once it runs (`npm start`'s sandbox says it in its state). */
  schemaRegistryUrl(): string | undefined {
    return (
      (this.lastState as { schemaRegistry?: { url?: string } | null } | undefined)?.schemaRegistry?.url ?? undefined
    );
  }

  /** The last known state, for synchronous callers (the tree, the panel's init). */
  view(): SandboxView {
    const state = this.handle ? this.lastState : undefined;
    if (!state) return { running: false, brokers: [], faults: 0 };
    return {
      running: true,
      brokers: state.brokers.map((b) => ({ id: b.id, address: `${b.host}:${b.port}`, up: b.up })),
      faults: state.faults.length,
    };
  }

  /** Runs one control action; throws the sandbox's plain-words error on a bad one (unknown broker, ...). */
  async run(command: SandboxAction): Promise<SandboxView> {
    const sandbox = await this.ensureStarted();
    switch (command.action) {
      case 'stopBroker':
        await sandbox.stopBroker(command.broker);
        this.log('info', `sandbox: broker ${command.broker} stopped`);
        break;
      case 'startBroker':
        await sandbox.startBroker(command.broker);
        this.log('info', `sandbox: broker ${command.broker} started`);
        break;
      case 'moveLeader':
        await sandbox.moveLeader(command.topic, command.partition, command.broker);
        this.log('info', `sandbox: leader of ${command.topic}-${command.partition} moved to broker ${command.broker}`);
        break;
      case 'injectError':
        await sandbox.addFault({
          api: 'Produce',
          errorCode: command.errorCode,
          count: command.count,
          ...(command.topic ? { topic: command.topic } : {}),
        });
        this.log('info', `sandbox: the next ${command.count} Produce request(s) answer error ${command.errorCode}`);
        break;
      case 'addLatency':
        await sandbox.addFault({ api: 'Produce', latencyMs: command.latencyMs, count: command.count });
        this.log('info', `sandbox: the next ${command.count} Produce request(s) are delayed ${command.latencyMs} ms`);
        break;
      case 'clearFaults':
        await sandbox.clearFaults();
        this.log('info', 'sandbox: faults cleared');
        break;
    }
    await this.state();
    return this.view();
  }

  async stop(): Promise<void> {
    const handle = this.handle ?? (await this.starting?.catch(() => undefined));
    this.handle = undefined;
    this.lastState = undefined;
    if (handle && !handle.external) {
      await handle.stop();
      this.log('info', 'Local sandbox stopped');
    }
  }
}

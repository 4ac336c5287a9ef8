/**
 * The built-in "Local sandbox": an embedded 3-broker cluster started on first use and stopped with the extension.
 * Its fault controls are what the sandbox panel and the explorer's broker menu call.
 */
import type { Sandbox } from '../../core/sandbox';
import type { SandboxAction, SandboxView } from '../../protocol/messages';
import { loadCore, type LogFn } from './core';

export class SandboxManager {
  private sandbox: Sandbox | undefined;
  private starting: Promise<Sandbox> | undefined;

  constructor(private readonly log: LogFn, private readonly options: { brokers: number } = { brokers: 3 }) {}

  get running(): boolean {
    return this.sandbox !== undefined;
  }

  /** Starts the cluster once; concurrent callers share the same start. */
  ensureStarted(): Promise<Sandbox> {
    if (this.sandbox) return Promise.resolve(this.sandbox);
    this.starting ??= (async () => {
      const t0 = Date.now();
      const sandbox = await loadCore().startSandbox(
        { brokers: this.options.brokers, port: 0, controlPort: 0 },
        { log: (line) => this.log('debug', `sandbox: ${line}`) },
      );
      this.sandbox = sandbox;
      this.log('info', `Local sandbox started in ${Date.now() - t0} ms: bootstrap ${sandbox.bootstrap}, control ${sandbox.controlUrl}`);
      return sandbox;
    })().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  current(): Sandbox | undefined {
    return this.sandbox;
  }

  view(): SandboxView {
    if (!this.sandbox) return { running: false, brokers: [], faults: 0 };
    const state = this.sandbox.state();
    return {
      running: true,
      brokers: state.brokers.map((b) => ({ id: b.id, address: `${b.host}:${b.port}`, up: b.up })),
      faults: state.faults.length,
    };
  }

  /** Runs one control action; throws the sandbox's InvalidInputError on a bad one (unknown broker, ...). */
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
        sandbox.moveLeader(command.topic, command.partition, command.broker);
        this.log('info', `sandbox: leader of ${command.topic}-${command.partition} moved to broker ${command.broker}`);
        break;
      case 'injectError':
        sandbox.addFault({ api: 'Produce', errorCode: command.errorCode, count: command.count, ...(command.topic ? { topic: command.topic } : {}) });
        this.log('info', `sandbox: the next ${command.count} Produce request(s) answer error ${command.errorCode}`);
        break;
      case 'addLatency':
        sandbox.addFault({ api: 'Produce', latencyMs: command.latencyMs, count: command.count });
        this.log('info', `sandbox: the next ${command.count} Produce request(s) are delayed ${command.latencyMs} ms`);
        break;
      case 'clearFaults':
        sandbox.clearFaults();
        this.log('info', 'sandbox: faults cleared');
        break;
    }
    return this.view();
  }

  async stop(): Promise<void> {
    const sandbox = this.sandbox ?? (await this.starting?.catch(() => undefined));
    this.sandbox = undefined;
    if (sandbox) {
      await sandbox.stop();
      this.log('info', 'Local sandbox stopped');
    }
  }
}

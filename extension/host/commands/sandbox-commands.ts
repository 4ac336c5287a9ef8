/**
 * Commands on the Local sandbox: stop and start brokers, move leaders, inject faults, stop it.
 */
import * as vscode from 'vscode';
import { ErrorCode, describeError } from '../../core/kafka/protocol/errors';
import type { SandboxAction } from '../../protocol/messages';
import { whileSendingAnswer } from '../kafka/leave-connection';
import { SANDBOX_CONNECTION_ID } from '../connections/model';
import type { CommandArgs, CommandContext, CommandId, Register } from './command-args';
import { isTreeNode, pickNumber } from './common';

type SandboxActionId = Extract<CommandId, `kafkaWorkbench.sandbox.${string}`>;

export function registerSandboxCommands(reg: Register, { service, tree }: CommandContext): void {
  // Each connects to the sandbox first (asking about sends running elsewhere), then acts and refreshes the explorer.
  const sandboxAction = <K extends SandboxActionId>(
    id: K,
    what: string,
    build: (...args: CommandArgs[K]) => Promise<SandboxAction | undefined>,
  ) =>
    reg(id, what, async (...args: CommandArgs[K]) => {
      if (service.activeConnection()?.id !== SANDBOX_CONNECTION_ID) {
        const leaving = await whileSendingAnswer(service, 'connecting to the Local sandbox');
        if (!leaving) return undefined;
        await service.connect(SANDBOX_CONNECTION_ID, leaving);
      }
      const action = await build(...args);
      if (!action) return undefined;
      const view = await service.sandbox.run(action);
      await service.cluster(true).catch(() => undefined);
      return view;
    });
  const brokerItems = (up: boolean) =>
    service.sandbox
      .view()
      .brokers.filter((b) => b.up === up)
      .map((b) => ({ label: `Broker ${b.id}`, description: b.address, value: b.id }));
  const brokerArg = (arg: unknown) => (isTreeNode(arg) && arg.kind === 'broker' ? arg.broker.nodeId : arg);
  sandboxAction('kafkaWorkbench.sandbox.stopBroker', 'Stop broker', async (arg) => {
    const broker = await pickNumber('Stop which broker?', brokerArg(arg), { items: brokerItems(true) });
    return broker === undefined ? undefined : { action: 'stopBroker', broker };
  });
  sandboxAction('kafkaWorkbench.sandbox.startBroker', 'Start broker', async (arg) => {
    const broker = await pickNumber('Start which broker?', brokerArg(arg), { items: brokerItems(false) });
    return broker === undefined ? undefined : { action: 'startBroker', broker };
  });
  sandboxAction('kafkaWorkbench.sandbox.moveLeader', 'Move leader', async (arg, partitionArg, brokerArgument) => {
    let topic: string | undefined;
    let partition: number | undefined;
    if (isTreeNode(arg) && arg.kind === 'partition') {
      topic = arg.topic;
      partition = arg.partition.partition;
    } else if (typeof arg === 'string') {
      topic = arg;
      partition = typeof partitionArg === 'number' ? partitionArg : undefined;
    }
    topic ??= await vscode.window.showQuickPick(
      service.topics().map((t) => t.name),
      { title: 'Move a leader of which topic?' },
    );
    if (!topic) return undefined;
    const t = service.topics().find((x) => x.name === topic);
    partition ??= await pickNumber('Which partition?', undefined, {
      items: (t?.partitions ?? []).map((p) => ({
        label: `Partition ${p.partition}`,
        description: `leader ${p.leader}, ISR [${p.isr.join(',')}]`,
        value: p.partition,
      })),
    });
    if (partition === undefined) return undefined;
    const broker = await pickNumber('New leader', brokerArgument, { items: brokerItems(true) });
    return broker === undefined ? undefined : { action: 'moveLeader', topic, partition, broker };
  });
  sandboxAction('kafkaWorkbench.sandbox.injectError', 'Inject error', async (arg, countArg) => {
    const errorCode = await pickNumber('Answer the next Produce requests with which error?', arg, {
      items: [
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ErrorCode.REQUEST_TIMED_OUT,
        ErrorCode.NOT_ENOUGH_REPLICAS,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.MESSAGE_TOO_LARGE,
        ErrorCode.CORRUPT_MESSAGE,
      ].map((code) => ({ label: describeError(code), value: code })),
    });
    if (errorCode === undefined) return undefined;
    const count = await pickNumber('How many requests?', countArg, { min: 1, max: 1000, value: '1' });
    return count === undefined ? undefined : { action: 'injectError', errorCode, count };
  });
  sandboxAction('kafkaWorkbench.sandbox.addLatency', 'Add latency', async (arg, countArg) => {
    const latencyMs = await pickNumber('Delay the next Produce requests by (ms)', arg, {
      min: 1,
      max: 600000,
      value: '500',
    });
    if (latencyMs === undefined) return undefined;
    const count = await pickNumber('How many requests?', countArg, { min: 1, max: 1000, value: '5' });
    return count === undefined ? undefined : { action: 'addLatency', latencyMs, count };
  });
  sandboxAction('kafkaWorkbench.sandbox.clearFaults', 'Clear faults', async () => ({ action: 'clearFaults' }));
  reg('kafkaWorkbench.sandbox.stop', 'Stop sandbox', async (whileSending) => {
    if (service.activeConnection()?.isSandbox) {
      // Stopping the sandbox fails what is still sent to it, so this asks too.
      const leaving = await whileSendingAnswer(service, 'stopping the Local sandbox', whileSending);
      if (!leaving) return;
      await service.disconnect(leaving);
    }
    await service.sandbox.stop();
    tree.refresh();
  });
}

/**
 * Every command in the palette (category "Kafka"). Each accepts optional arguments so tests, keybindings and other
 * extensions can run it without prompts; without them it asks. Errors become notifications here, nowhere else.
 */
import * as vscode from 'vscode';
import { ErrorCode, describeError } from '../core/kafka/protocol/errors';
import { InvalidInputError } from '../core/util/errors';
import { defaultDraft, type SandboxAction } from '../protocol/messages';
import { ComposerPanel, exportTarget } from './composer/composer-panel';
import { whileSendingAnswer } from './kafka/leave-connection';
import { promptConnection, saveConnectionInput, type ConnectionInput } from './connections/connection-prompts';
import { SANDBOX_CONNECTION_ID } from './connections/model';
import type { ExplorerNode, ClusterTreeProvider } from './explorer/cluster-tree';
import { plainError } from './kafka/plain-errors';
import type { CreateTopicsAnswer } from './kafka/missing-topics';
import type { WorkbenchService } from './kafka/workbench-service';

export const COMMAND_IDS = [
  'kafkaWorkbench.connection.add', 'kafkaWorkbench.connection.edit', 'kafkaWorkbench.connection.test', 'kafkaWorkbench.connection.remove',
  'kafkaWorkbench.connection.connect', 'kafkaWorkbench.connection.disconnect', 'kafkaWorkbench.connection.toggleAutoCreate', 'kafkaWorkbench.explorer.refresh',
  'kafkaWorkbench.topic.create', 'kafkaWorkbench.topic.delete', 'kafkaWorkbench.topic.compose', 'kafkaWorkbench.topic.copyName', 'kafkaWorkbench.composer.open', 'kafkaWorkbench.producer.send',
  'kafkaWorkbench.results.clear', 'kafkaWorkbench.trace.export', 'kafkaWorkbench.sandbox.stopBroker', 'kafkaWorkbench.sandbox.startBroker',
  'kafkaWorkbench.sandbox.moveLeader', 'kafkaWorkbench.sandbox.injectError', 'kafkaWorkbench.sandbox.addLatency',
  'kafkaWorkbench.sandbox.clearFaults', 'kafkaWorkbench.sandbox.stop', 'kafkaWorkbench.showLog',
] as const;

export interface CommandContext {
  context: vscode.ExtensionContext;
  service: WorkbenchService;
  tree: ClusterTreeProvider;
  log: vscode.LogOutputChannel;
}

/**
 * Wraps a command so a failure is logged and shown in plain words, and rethrown to programmatic callers.
 * `fromUi` tells a first argument that VS Code passes on a click (a tree node, a file URI) from one a test or script
 * passes: only the latter gets the error back.
 */
export function guarded<A extends unknown[], R>(
  log: vscode.LogOutputChannel,
  what: string,
  fn: (...args: A) => Promise<R>,
  fromUi: (arg: unknown) => boolean = isTreeNode,
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      const msg = plainError(e);
      log.error(`${what}: ${msg}`);
      void vscode.window.showErrorMessage(`Kafka: ${what} failed. ${msg}`);
      if (args.length > 0 && !fromUi(args[0])) throw e; // a caller with arguments (a test, a script) wants the error
      return undefined;
    }
  };
}

function isTreeNode(x: unknown): x is ExplorerNode {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

async function pickConnectionId(service: WorkbenchService, arg: unknown, title: string, includeBuiltIn = true): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (isTreeNode(arg) && arg.kind === 'connection') return arg.connection.id;
  // Only saved connections can be edited or removed: the sandbox is built in, the environment's comes from its file.
  const items = service.allConnections().filter((c) => includeBuiltIn || (!c.isSandbox && !c.environmentFile))
    .map((c) => ({ label: c.name, description: c.isSandbox ? 'embedded cluster' : c.environmentFile ? `active environment (${c.environmentFile})` : '', id: c.id }));
  if (!items.length) {
    void vscode.window.showInformationMessage('No saved connections yet: run "Kafka: Add Connection".');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title }))?.id;
}

async function pickNumber(title: string, arg: unknown, options: { items?: { label: string; value: number }[]; min?: number; max?: number; value?: string }): Promise<number | undefined> {
  if (typeof arg === 'number') return arg;
  if (options.items) return (await vscode.window.showQuickPick(options.items, { title }))?.value;
  // ignoreFocusOut: a webview (the composer) taking focus back must not cancel a two-step prompt halfway.
  const text = await vscode.window.showInputBox({
    title, value: options.value, ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= (options.min ?? 0) && Number(v) <= (options.max ?? Number.MAX_SAFE_INTEGER) ? null : `Type a whole number from ${options.min ?? 0}${options.max !== undefined ? ` to ${options.max}` : ''}`),
  });
  return text === undefined ? undefined : Number(text);
}

export function registerCommands({ context, service, tree, log }: CommandContext): void {
  const reg = <A extends unknown[]>(id: (typeof COMMAND_IDS)[number], what: string, fn: (...args: A) => Promise<unknown>) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(log, what, fn)));

  reg('kafkaWorkbench.connection.add', 'Add connection', async (input?: ConnectionInput) => {
    // From the view's title bar VS Code passes the selected tree item, which is not a connection to add: ask.
    const given = (isTreeNode(input) ? undefined : input) ?? (await promptConnection());
    if (!given) return undefined;
    const saved = await saveConnectionInput(service.connections, given);
    log.info(`saved connection "${saved.name}" (${saved.brokers.join(',')})`);
    return saved.id;
  });
  reg('kafkaWorkbench.connection.edit', 'Edit connection', async (arg?: unknown, input?: ConnectionInput) => {
    const id = await pickConnectionId(service, arg, 'Edit which connection?', false);
    const existing = id ? service.connections.get(id) : undefined;
    if (!existing) return undefined;
    const given = input ?? (await promptConnection(existing));
    if (!given) return undefined;
    const saved = await saveConnectionInput(service.connections, { ...given, id: existing.id });
    if (service.activeConnection()?.id === existing.id) await service.disconnect();
    return saved.id;
  });
  reg('kafkaWorkbench.connection.test', 'Test connection', async (arg?: unknown) => {
    const id = await pickConnectionId(service, arg, 'Test which connection?');
    if (!id) return undefined;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Kafka: testing connection…' }, () => service.test(id));
    void vscode.window.showInformationMessage(`Kafka: connection works: ${result.brokers} broker(s), ${result.topics} topic(s).`);
    return result;
  });
  reg('kafkaWorkbench.connection.remove', 'Remove connection', async (arg?: unknown, confirmed?: boolean) => {
    const id = await pickConnectionId(service, arg, 'Remove which connection?', false);
    const existing = id ? service.connections.get(id) : undefined;
    if (!existing) return undefined;
    if (confirmed !== true) {
      const answer = await vscode.window.showWarningMessage(`Remove the connection "${existing.name}" and its stored secrets?`, { modal: true }, 'Remove');
      if (answer !== 'Remove') return false;
    }
    if (service.activeConnection()?.id === existing.id) await service.disconnect();
    await service.connections.remove(existing.id);
    log.info(`removed connection "${existing.name}"`);
    return true;
  });
  reg('kafkaWorkbench.connection.connect', 'Connect', async (arg?: unknown, whileSending?: unknown) => {
    const id = await pickConnectionId(service, arg, 'Connect to which cluster?');
    if (!id) return undefined;
    const name = service.allConnections().find((c) => c.id === id)?.name ?? id;
    const leaving = service.activeConnection()?.id === id ? 'finish' : await whileSendingAnswer(service, `connecting to "${name}"`, whileSending);
    if (!leaving) return service.activeConnection();
    const title = id === SANDBOX_CONNECTION_ID ? 'Kafka: starting the local sandbox…' : 'Kafka: connecting…';
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => service.connect(id, leaving));
  });
  reg('kafkaWorkbench.connection.disconnect', 'Disconnect', async (whileSending?: unknown) => {
    const leaving = await whileSendingAnswer(service, 'disconnecting', whileSending);
    if (leaving) await service.disconnect(leaving);
  });
  reg('kafkaWorkbench.connection.toggleAutoCreate', 'Topic auto-creation', async (arg?: unknown, on?: unknown) => {
    const id = await pickConnectionId(service, arg, 'Let the broker create missing topics on which connection?');
    if (!id) return undefined;
    const next = typeof on === 'boolean' ? on : !service.connections.autoCreateTopics(id);
    await service.connections.setAutoCreateTopics(id, next);
    const name = service.allConnections().find((c) => c.id === id)?.name ?? id;
    log.info(`topic auto-creation ${next ? 'on' : 'off'} for "${name}"`);
    if (typeof on !== 'boolean') {
      void vscode.window.showInformationMessage(next
        ? `Kafka: sends to "${name}" now let the broker create topics that do not exist (as Java's producer does).`
        : `Kafka: sends to "${name}" ask again before a topic that does not exist is created.`);
    }
    return next;
  });
  reg('kafkaWorkbench.explorer.refresh', 'Refresh', async () => {
    if (service.activeConnection()) await service.cluster(true);
    tree.refresh();
  });
  reg('kafkaWorkbench.topic.create', 'Create topic', async (name?: unknown, partitions?: number, replicationFactor?: number) => {
    const topic = typeof name === 'string' ? name : await vscode.window.showInputBox({
      title: 'New topic name', validateInput: (v) => (/^[a-zA-Z0-9._-]{1,249}$/.test(v) ? null : 'Use letters, digits, ".", "_" and "-" (at most 249)'),
    });
    if (!topic) return undefined;
    const p = partitions ?? (await pickNumber('Partitions', undefined, { min: 1, max: 1000, value: '3' }));
    if (p === undefined) return undefined;
    const rf = replicationFactor ?? (await pickNumber('Replication factor', undefined, { min: 1, max: 16, value: String(Math.min(3, (await service.cluster()).metadata.brokers.length)) }));
    if (rf === undefined) return undefined;
    await service.createTopic(topic, p, rf);
    return topic;
  });
  reg('kafkaWorkbench.topic.delete', 'Delete topic', async (arg?: unknown, confirmed?: boolean) => {
    const topic = typeof arg === 'string' ? arg : isTreeNode(arg) && arg.kind === 'topic' ? arg.topic.name
      : await vscode.window.showQuickPick(service.topics().map((t) => t.name), { title: 'Delete which topic?' });
    if (!topic) return undefined;
    if (confirmed !== true) {
      const answer = await vscode.window.showWarningMessage(`Delete topic "${topic}" and all its records? This cannot be undone.`, { modal: true }, 'Delete');
      if (answer !== 'Delete') return false;
    }
    await service.deleteTopic(topic);
    return true;
  });
  reg('kafkaWorkbench.topic.compose', 'Send to topic', async (arg?: unknown) => {
    const topic = typeof arg === 'string' ? arg : isTreeNode(arg) && arg.kind === 'topic' ? arg.topic.name : undefined;
    if (!topic) throw new InvalidInputError('Send to Topic needs a topic: use it from a topic in the Clusters view.');
    const panel = ComposerPanel.createOrShow(context.extensionUri, service, log);
    // The rest of the form stays as it is: only the topic changes (an edit, so a collection message it came from stays).
    panel.showDraft({ ...(panel.currentDraft() ?? defaultDraft()), topic }, panel.currentOrigin());
    return topic;
  });
  reg('kafkaWorkbench.topic.copyName', 'Copy topic name', async (arg?: unknown) => {
    const topic = typeof arg === 'string' ? arg : isTreeNode(arg) && arg.kind === 'topic' ? arg.topic.name : undefined;
    if (!topic) return undefined;
    await vscode.env.clipboard.writeText(topic);
    return topic;
  });
  reg('kafkaWorkbench.composer.open', 'Open composer', async () => {
    ComposerPanel.createOrShow(context.extensionUri, service, log);
    return true;
  });
  reg('kafkaWorkbench.producer.send', 'Send record', async (record?: unknown, settings?: unknown, options?: { createTopics?: CreateTopicsAnswer }) => {
    if (typeof record !== 'object' || record === null) {
      ComposerPanel.createOrShow(context.extensionUri, service, log);
      return undefined;
    }
    const r = record as { topic?: unknown; value?: unknown };
    if (typeof r.topic !== 'string' || (typeof r.value !== 'string' && r.value !== null)) {
      throw new Error('kafkaWorkbench.producer.send takes {topic: string, value: string | null, key?, headers?, partition?} and optional producer settings.');
    }
    const md = await service.sendRecord(record as Parameters<WorkbenchService['sendRecord']>[0], (settings ?? undefined) as Parameters<WorkbenchService['sendRecord']>[1], options?.createTopics);
    return { ...md };
  });
  reg('kafkaWorkbench.results.clear', 'Clear results', async () => service.clearResults());
  reg('kafkaWorkbench.trace.export', 'Export traces', async (target?: unknown) => {
    const json = JSON.stringify(service.exportTraces(null), null, 2);
    const uri = target instanceof vscode.Uri ? target : await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export traces', defaultUri: exportTarget() });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(json, 'utf8'));
    return uri.fsPath;
  });

  const sandboxAction = (id: (typeof COMMAND_IDS)[number], what: string, build: (arg?: unknown, ...rest: unknown[]) => Promise<SandboxAction | undefined>) =>
    reg(id, what, async (arg?: unknown, ...rest: unknown[]) => {
      if (service.activeConnection()?.id !== SANDBOX_CONNECTION_ID) {
        const leaving = await whileSendingAnswer(service, 'connecting to the Local sandbox');
        if (!leaving) return undefined;
        await service.connect(SANDBOX_CONNECTION_ID, leaving);
      }
      const action = await build(arg, ...rest);
      if (!action) return undefined;
      const view = await service.sandbox.run(action);
      await service.cluster(true).catch(() => undefined);
      return view;
    });
  const brokerItems = (up: boolean) => service.sandbox.view().brokers.filter((b) => b.up === up).map((b) => ({ label: `Broker ${b.id}`, description: b.address, value: b.id }));
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
    if (isTreeNode(arg) && arg.kind === 'partition') { topic = arg.topic; partition = arg.partition.partition; }
    else if (typeof arg === 'string') { topic = arg; partition = typeof partitionArg === 'number' ? partitionArg : undefined; }
    topic ??= await vscode.window.showQuickPick(service.topics().map((t) => t.name), { title: 'Move a leader of which topic?' });
    if (!topic) return undefined;
    const t = service.topics().find((x) => x.name === topic);
    partition ??= await pickNumber('Which partition?', undefined, { items: (t?.partitions ?? []).map((p) => ({ label: `Partition ${p.partition}`, description: `leader ${p.leader}, ISR [${p.isr.join(',')}]`, value: p.partition })) });
    if (partition === undefined) return undefined;
    const broker = await pickNumber('New leader', brokerArgument, { items: brokerItems(true) });
    return broker === undefined ? undefined : { action: 'moveLeader', topic, partition, broker };
  });
  sandboxAction('kafkaWorkbench.sandbox.injectError', 'Inject error', async (arg, countArg) => {
    const errorCode = await pickNumber('Answer the next Produce requests with which error?', arg, {
      items: [
        ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.CORRUPT_MESSAGE,
      ].map((code) => ({ label: describeError(code), value: code })),
    });
    if (errorCode === undefined) return undefined;
    const count = await pickNumber('How many requests?', countArg, { min: 1, max: 1000, value: '1' });
    return count === undefined ? undefined : { action: 'injectError', errorCode, count };
  });
  sandboxAction('kafkaWorkbench.sandbox.addLatency', 'Add latency', async (arg, countArg) => {
    const latencyMs = await pickNumber('Delay the next Produce requests by (ms)', arg, { min: 1, max: 600000, value: '500' });
    if (latencyMs === undefined) return undefined;
    const count = await pickNumber('How many requests?', countArg, { min: 1, max: 1000, value: '5' });
    return count === undefined ? undefined : { action: 'addLatency', latencyMs, count };
  });
  sandboxAction('kafkaWorkbench.sandbox.clearFaults', 'Clear faults', async () => ({ action: 'clearFaults' }));
  reg('kafkaWorkbench.sandbox.stop', 'Stop sandbox', async (whileSending?: unknown) => {
    if (service.activeConnection()?.isSandbox) {
      // Stopping the sandbox fails what is still sent to it, so this asks too.
      const leaving = await whileSendingAnswer(service, 'stopping the Local sandbox', whileSending);
      if (!leaving) return;
      await service.disconnect(leaving);
    }
    await service.sandbox.stop();
    tree.refresh();
  });
  reg('kafkaWorkbench.showLog', 'Show log', async () => log.show());
}

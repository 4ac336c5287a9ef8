/**
 * Commands on connections: add, edit, test, remove, connect, disconnect, topic auto-creation.
 */
import * as vscode from 'vscode';
import { whileSendingAnswer } from '../kafka/leave-connection';
import { promptConnection, saveConnectionInput } from '../connections/connection-prompts';
import { SANDBOX_CONNECTION_ID } from '../connections/model';
import type { CommandContext, Register } from './command-args';
import { isTreeNode, pickConnectionId } from './common';

export function registerConnectionCommands(reg: Register, { service, log }: CommandContext): void {
  reg('kafkaWorkbench.connection.add', 'Add connection', async (input) => {
    // From the view's title bar VS Code passes the selected tree item, which is not a connection to add: ask.
    const given = (isTreeNode(input) ? undefined : input) ?? (await promptConnection());
    if (!given) return undefined;
    const saved = await saveConnectionInput(service.connections, given);
    log.info(`saved connection "${saved.name}" (${saved.brokers.join(',')})`);
    return saved.id;
  });
  reg('kafkaWorkbench.connection.edit', 'Edit connection', async (arg, input) => {
    const id = await pickConnectionId(service, arg, 'Edit which connection?', false);
    const existing = id ? service.connections.get(id) : undefined;
    if (!existing) return undefined;
    const given = input ?? (await promptConnection(existing));
    if (!given) return undefined;
    const saved = await saveConnectionInput(service.connections, { ...given, id: existing.id });
    if (service.activeConnection()?.id === existing.id) await service.disconnect();
    return saved.id;
  });
  reg('kafkaWorkbench.connection.test', 'Test connection', async (arg) => {
    const id = await pickConnectionId(service, arg, 'Test which connection?');
    if (!id) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Kafka: testing connection…' },
      () => service.test(id),
    );
    void vscode.window.showInformationMessage(
      `Kafka: connection works: ${result.brokers} broker(s), ${result.topics} topic(s).`,
    );
    return result;
  });
  reg('kafkaWorkbench.connection.remove', 'Remove connection', async (arg, confirmed) => {
    const id = await pickConnectionId(service, arg, 'Remove which connection?', false);
    const existing = id ? service.connections.get(id) : undefined;
    if (!existing) return undefined;
    if (confirmed !== true) {
      const answer = await vscode.window.showWarningMessage(
        `Remove the connection "${existing.name}" and its stored secrets?`,
        { modal: true },
        'Remove',
      );
      if (answer !== 'Remove') return false;
    }
    if (service.activeConnection()?.id === existing.id) await service.disconnect();
    await service.connections.remove(existing.id);
    log.info(`removed connection "${existing.name}"`);
    return true;
  });
  reg('kafkaWorkbench.connection.connect', 'Connect', async (arg, whileSending) => {
    const id = await pickConnectionId(service, arg, 'Connect to which cluster?');
    if (!id) return undefined;
    const name = service.allConnections().find((c) => c.id === id)?.name ?? id;
    const leaving =
      service.activeConnection()?.id === id
        ? 'finish'
        : await whileSendingAnswer(service, `connecting to "${name}"`, whileSending);
    if (!leaving) return service.activeConnection();
    const title = id === SANDBOX_CONNECTION_ID ? 'Kafka: starting the local sandbox…' : 'Kafka: connecting…';
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () =>
      service.connect(id, leaving),
    );
  });
  reg('kafkaWorkbench.connection.disconnect', 'Disconnect', async (whileSending) => {
    const leaving = await whileSendingAnswer(service, 'disconnecting', whileSending);
    if (leaving) await service.disconnect(leaving);
  });
  reg('kafkaWorkbench.connection.toggleAutoCreate', 'Topic auto-creation', async (arg, on) => {
    const id = await pickConnectionId(service, arg, 'Let the broker create missing topics on which connection?');
    if (!id) return undefined;
    const next = typeof on === 'boolean' ? on : !service.connections.autoCreateTopics(id);
    await service.connections.setAutoCreateTopics(id, next);
    const name = service.allConnections().find((c) => c.id === id)?.name ?? id;
    log.info(`topic auto-creation ${next ? 'on' : 'off'} for "${name}"`);
    if (typeof on !== 'boolean') {
      void vscode.window.showInformationMessage(
        next
          ? `Kafka: sends to "${name}" now let the broker create topics that do not exist (as Java's producer does).`
          : `Kafka: sends to "${name}" ask again before a topic that does not exist is created.`,
      );
    }
    return next;
  });
}

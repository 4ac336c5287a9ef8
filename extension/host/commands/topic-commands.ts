/**
 * Commands on topics and the explorer: refresh, create, delete, send to a topic in the composer, copy a name.
 */
import * as vscode from 'vscode';
import { topicNameProblem } from '../../core/kafka/rules/topic-name';
import { InvalidInputError } from '../../core/util/errors';
import { defaultDraft } from '../../protocol/messages';
import { ComposerPanel } from '../composer/composer-panel';
import { TopicViewerPanel } from '../topic-viewer/topic-viewer-panel';
import type { CommandContext, Register } from './command-args';
import { isTreeNode, pickNumber } from './common';

export function registerTopicCommands(reg: Register, { context, service, tree, log }: CommandContext): void {
  reg('kafkaWorkbench.explorer.refresh', 'Refresh', async () => {
    if (service.activeConnection()) await service.cluster(true);
    tree.refresh();
  });
  reg('kafkaWorkbench.topic.create', 'Create topic', async (name, partitions, replicationFactor) => {
    const topic =
      typeof name === 'string'
        ? name
        : await vscode.window.showInputBox({
            title: 'New topic name',
            validateInput: (v) => topicNameProblem(v),
          });
    if (!topic) return undefined;
    const p = partitions ?? (await pickNumber('Partitions', undefined, { min: 1, max: 1000, value: '3' }));
    if (p === undefined) return undefined;
    const rf =
      replicationFactor ??
      (await pickNumber('Replication factor', undefined, {
        min: 1,
        max: 16,
        value: String(Math.min(3, (await service.cluster()).metadata.brokers.length)),
      }));
    if (rf === undefined) return undefined;
    await service.createTopic(topic, p, rf);
    return topic;
  });
  reg('kafkaWorkbench.topic.delete', 'Delete topic', async (arg, confirmed) => {
    const topic =
      typeof arg === 'string'
        ? arg
        : isTreeNode(arg) && arg.kind === 'topic'
          ? arg.topic.name
          : await vscode.window.showQuickPick(
              service.topics().map((t) => t.name),
              { title: 'Delete which topic?' },
            );
    if (!topic) return undefined;
    if (confirmed !== true) {
      const answer = await vscode.window.showWarningMessage(
        `Delete topic "${topic}" and all its records? This cannot be undone.`,
        { modal: true },
        'Delete',
      );
      if (answer !== 'Delete') return false;
    }
    await service.deleteTopic(topic);
    return true;
  });
  reg('kafkaWorkbench.topic.compose', 'Send to topic', async (arg) => {
    const topic = typeof arg === 'string' ? arg : isTreeNode(arg) && arg.kind === 'topic' ? arg.topic.name : undefined;
    if (!topic) throw new InvalidInputError('Send to Topic needs a topic: use it from a topic in the Clusters view.');
    const panel = ComposerPanel.createOrShow(context.extensionUri, service, log);
    // The rest of the form stays as it is: only the topic changes (an edit, so a collection message it came from stays).
    panel.showDraft({ ...(panel.currentDraft() ?? defaultDraft()), topic }, panel.currentOrigin());
    return topic;
  });
  reg('kafkaWorkbench.topic.copyName', 'Copy topic name', async (arg) => {
    const topic = typeof arg === 'string' ? arg : isTreeNode(arg) && arg.kind === 'topic' ? arg.topic.name : undefined;
    if (!topic) return undefined;
    await vscode.env.clipboard.writeText(topic);
    return topic;
  });
  reg('kafkaWorkbench.topic.view', 'Open topic viewer', async (arg, options) => {
    const node = isTreeNode(arg) ? arg : undefined;
    const topic =
      typeof arg === 'string'
        ? arg
        : node?.kind === 'topic'
          ? node.topic.name
          : node?.kind === 'partition'
            ? node.topic
            : await vscode.window.showQuickPick((await service.cluster()).metadata.topics.map((t) => t.name).sort(), {
                title: 'View which topic?',
              });
    if (!topic) return undefined;
    const partition = node?.kind === 'partition' ? node.partition.partition : (options?.partition ?? null);
    return TopicViewerPanel.show(context.extensionUri, service, log, topic, partition, options?.from);
  });
}

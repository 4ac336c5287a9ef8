/**
 * Smaller things a daily user runs into in the Clusters view and the composer: a connected connection offers
 * Disconnect, a topic has a context menu (send to it, copy its name, delete it), an empty key says what it sends,
 * and exports start in the workspace folder.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportTarget, previewPartition } from '../../extension/host/composer/composer-panel';
import type { ExplorerNode } from '../../extension/host/explorer/cluster-tree';
import { api, workspaceDir } from './workspace-helpers';

interface MenuItem {
  command: string;
  when: string;
  group?: string;
}

/** The view/item/context entries that VS Code would show for an item with this contextValue. */
function menuFor(contextValue: string): MenuItem[] {
  const manifest = vscode.extensions.getExtension('kafka-workbench.kafka-workbench')!.packageJSON as {
    contributes: { menus: { 'view/item/context': MenuItem[] } };
  };
  return manifest.contributes.menus['view/item/context'].filter((m) => {
    if (!m.when.includes('view == kafkaWorkbench.explorer')) return false;
    const equals = /viewItem == (\w+)/.exec(m.when);
    if (equals) return equals[1] === contextValue;
    const regex = /viewItem =~ \/(.+)\//.exec(m.when);
    return regex ? new RegExp(regex[1]).test(contextValue) : false;
  });
}

describe('Clusters view menus and composer details', () => {
  before(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await vscode.commands.executeCommand('kafkaWorkbench.topic.create', 'menu-topic', 3, 3);
  });

  it('offers Disconnect (not Connect) on the connected connection, and Disconnect works from it', async () => {
    const a = await api();
    const node = (await a.clusterTree.getChildren()).find(
      (n): n is Extract<ExplorerNode, { kind: 'connection' }> => n.kind === 'connection' && n.active,
    )!;
    const contextValue = String(a.clusterTree.getTreeItem(node).contextValue);
    const inline = menuFor(contextValue)
      .filter((m) => m.group === 'inline')
      .map((m) => m.command);
    assert.deepEqual(inline, ['kafkaWorkbench.connection.disconnect']);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.disconnect', node);
    assert.equal(a.service.activeConnection(), null);
    const idle = (await a.clusterTree.getChildren()).find(
      (n) => n.kind === 'connection' && n.connection.id === 'sandbox',
    )!;
    assert.deepEqual(
      menuFor(String(a.clusterTree.getTreeItem(idle).contextValue))
        .filter((m) => m.group === 'inline')
        .map((m) => m.command),
      ['kafkaWorkbench.connection.connect'],
    );
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
  });

  it('gives topics a context menu: send to it in the composer, copy its name, view it, refresh, delete', async () => {
    const a = await api();
    await a.service.cluster(true);
    const [active] = (await a.clusterTree.getChildren()).filter((n) => n.kind === 'connection' && n.active);
    const topicsGroup = (await a.clusterTree.getChildren(active)).find(
      (n) => n.kind === 'group' && n.group === 'topics',
    )!;
    const topic = (await a.clusterTree.getChildren(topicsGroup)).find(
      (n): n is Extract<ExplorerNode, { kind: 'topic' }> => n.kind === 'topic' && n.topic.name === 'menu-topic',
    )!;
    const menu = menuFor(String(a.clusterTree.getTreeItem(topic).contextValue))
      .filter((m) => m.group !== 'inline')
      .map((m) => m.command);
    assert.deepEqual(menu, [
      'kafkaWorkbench.topic.compose',
      'kafkaWorkbench.topic.copyName',
      'kafkaWorkbench.topic.view',
      'kafkaWorkbench.explorer.refresh',
      'kafkaWorkbench.topic.delete',
    ]);
    await vscode.commands.executeCommand('kafkaWorkbench.topic.compose', topic);
    assert.equal(a.composer()?.currentDraft()?.topic, 'menu-topic');
    await vscode.commands.executeCommand('kafkaWorkbench.topic.copyName', topic);
    assert.equal(await vscode.env.clipboard.readText(), 'menu-topic');
  });

  it('says an empty key is sent as the empty string, not as no key', async () => {
    const a = await api();
    const preview = previewPartition(a.service.topics(), 'menu-topic', 'string', '');
    assert.match(
      preview.reason,
      /^The key is empty: it is sent as an empty string "" \(not null; pick "no key \(null\)" for that\), which lands on partition \d/,
    );
  });

  it("starts an export's save dialog in the workspace folder", () => {
    assert.equal(path.dirname(exportTarget().fsPath), workspaceDir());
    assert.match(path.basename(exportTarget().fsPath), /^kafka-traces-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.json$/);
  });
});

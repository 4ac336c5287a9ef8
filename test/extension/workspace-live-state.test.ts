/**
 * The Clusters view and the sandbox state follow what the producers report, without Refresh: high watermarks after
 * sends, a leader that moved behind the explorer's back, a fault the sends used up.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../extension/host/explorer/cluster-tree';
import { api, waitFor } from './workspace-helpers';

/** The Clusters view's row for one partition, as VS Code would render it now. */
async function partitionRow(topic: string, partition: number): Promise<string> {
  const { clusterTree: tree } = await api();
  const [active] = (await tree.getChildren()).filter((n) => n.kind === 'connection' && n.active);
  const topics = (await tree.getChildren(active)).find((n) => n.kind === 'group' && n.group === 'topics')!;
  const topicNode = (await tree.getChildren(topics)).find((n) => n.kind === 'topic' && n.topic.name === topic);
  if (!topicNode) return '';
  const row = (await tree.getChildren(topicNode)).find(
    (n): n is Extract<ExplorerNode, { kind: 'partition' }> =>
      n.kind === 'partition' && n.partition.partition === partition,
  );
  return row ? String(tree.getTreeItem(row).description) : '';
}

describe('Live cluster state', () => {
  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await vscode.commands.executeCommand('kafkaWorkbench.topic.create', 'live-state', 3, 3);
    await a.service.cluster(true);
  });

  it('shows the new high watermark after a send, without Refresh', async () => {
    const first = await vscode.commands.executeCommand<{ partition: number; offset: number }>(
      'kafkaWorkbench.producer.send',
      { topic: 'live-state', key: 'k', value: '1' },
    );
    await waitFor(`HW ${first.offset + 1} on partition ${first.partition}`, async () =>
      (await partitionRow('live-state', first.partition)).endsWith(`HW ${first.offset + 1}`),
    );
    const second = await vscode.commands.executeCommand<{ offset: number }>('kafkaWorkbench.producer.send', {
      topic: 'live-state',
      key: 'k',
      value: '2',
    });
    await waitFor(`HW ${second.offset + 1}`, async () =>
      (await partitionRow('live-state', first.partition)).endsWith(`HW ${second.offset + 1}`),
    );
  });

  it('shows a leader that moved behind its back once the next send runs into it', async () => {
    const a = await api();
    const sent = await vscode.commands.executeCommand<{ partition: number }>('kafkaWorkbench.producer.send', {
      topic: 'live-state',
      key: 'k',
      value: '3',
    });
    const p = a.service
      .topics()
      .find((t) => t.name === 'live-state')!
      .partitions.find((x) => x.partition === sent.partition)!;
    const newLeader = p.isr.find((b) => b !== p.leader)!;
    // Moved through the sandbox itself, as `curl <control>/partitions/...` would: nothing tells the explorer.
    await a.service.sandbox.run({
      action: 'moveLeader',
      topic: 'live-state',
      partition: sent.partition,
      broker: newLeader,
    });
    assert.match(
      await partitionRow('live-state', sent.partition),
      new RegExp(`^leader ${p.leader} `),
      'still the old leader before any send',
    );
    await vscode.commands.executeCommand('kafkaWorkbench.producer.send', { topic: 'live-state', key: 'k', value: '4' });
    await waitFor(`leader ${newLeader} in the explorer`, async () =>
      (await partitionRow('live-state', sent.partition)).startsWith(`leader ${newLeader} `),
    );
    assert.equal(
      a.service
        .topics()
        .find((t) => t.name === 'live-state')!
        .partitions.find((x) => x.partition === sent.partition)!.leader,
      newLeader,
      "the composer's partitions too",
    );
  });

  it('counts a sandbox fault as gone once a send used it up', async () => {
    const a = await api();
    await a.service.sandbox.run({ action: 'injectError', errorCode: 6, count: 1 });
    assert.equal(a.service.panelInit().sandbox?.faults, 1);
    await vscode.commands.executeCommand('kafkaWorkbench.producer.send', { topic: 'live-state', key: 'k', value: '5' });
    await waitFor('the sandbox bar to show 0 faults', () => a.service.panelInit().sandbox?.faults === 0);
  });
});

describe('Clusters view refreshes', () => {
  it('refreshes only the group rows when the cluster changes, and the whole tree when the connection does', async () => {
    const { clusterTree: tree, service } = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    const [active] = (await tree.getChildren()).filter((n) => n.kind === 'connection' && n.active);
    const groups = await tree.getChildren(active);
    const fired: (ExplorerNode | ExplorerNode[] | undefined | null | void)[] = [];
    const listening = tree.onDidChangeTreeData((e) => fired.push(e));
    try {
      // A root refresh cancels VS Code's children requests in flight: a view opened just then stayed empty.
      await service.cluster(true);
      assert.ok(fired.length > 0, 'the metadata refresh was announced');
      for (const e of fired) {
        assert.ok(Array.isArray(e), `a cluster change refreshed ${e === undefined ? 'the whole tree' : 'one row'}`);
        assert.deepEqual(
          e.map((n) => (n.kind === 'group' ? n.group : n.kind)),
          ['brokers', 'topics', 'consumerGroups'],
        );
        for (const n of e) assert.ok(groups.includes(n), 'the rows VS Code was given, by identity');
      }
      fired.length = 0;
      await service.disconnect();
      assert.ok(fired.includes(undefined), 'disconnecting refreshes the whole tree (the connection row changes)');
    } finally {
      listening.dispose();
      await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    }
  });
});

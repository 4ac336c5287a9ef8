/**
 * Restricted Mode: the same extension in a workspace VS Code does not trust (scripts/test-vscode.mjs runs this suite
 * in its own code-server with workspace trust on). Nothing connects or sends by itself, and a file in the workspace
 * (an environment) may not choose the cluster; what the user does explicitly still works.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import { api, waitFor, write } from '../extension/workspace-helpers';

describe('Restricted Mode (an untrusted workspace)', () => {
  let collection: vscode.Uri;
  let environment: vscode.Uri;

  before(() => {
    collection = write('restricted.kafka.json', {
      name: 'Restricted',
      messages: [{ name: 'hello', topic: 'restricted', value: 'hello {{who}}' }],
    });
    // Points at a port nothing listens on: were it used, the send would fail differently.
    environment = write('elsewhere.kafka-env.json', {
      connection: { bootstrap: '127.0.0.1:9' },
      variables: { who: 'env' },
    });
  });

  it('runs in a workspace VS Code does not trust', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs workspace trust on and the folder untrusted');
  });

  it('activates without connecting or starting the sandbox', async () => {
    const a = await api();
    assert.equal(a.service.activeConnection(), null);
    assert.equal(a.service.sandbox.running, false);
  });

  it('refuses to send before the user connects, saying why', async () => {
    const a = await api();
    await assert.rejects(
      a.service.sendRecord({ topic: 'restricted', value: 'x' }, undefined, true),
      /Restricted Mode: connect explicitly before sending/,
    );
    assert.equal(a.service.sandbox.running, false, 'a refused send starts nothing');
  });

  it('does not let an environment file pick the cluster, and the Clusters view says so', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', environment.fsPath);
    const note = await waitFor('the Restricted Mode note in the Clusters view', async () =>
      (await a.clusterTree.getChildren()).find((n) => n.kind === 'message'),
    );
    assert.match(
      String(a.clusterTree.getTreeItem(note).label),
      /elsewhere\.kafka-env\.json: its connection is not used in Restricted Mode/,
    );
    assert.ok(
      !(await a.clusterTree.getChildren()).some((n) => n.kind === 'connection' && n.connection.environmentFile),
      'no connection node for the environment',
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', collection.fsPath)),
      /Restricted Mode: an environment file may not pick the cluster/,
    );
  });

  it("sends once the user connects explicitly, still never to the environment's cluster", async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    assert.equal(a.service.activeConnection()?.id, 'sandbox');
    const metadata = await a.service.sendRecord({ topic: 'restricted', value: 'by hand' }, undefined, true);
    assert.equal(metadata.offset, 0);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', collection.fsPath)),
      /Restricted Mode: an environment file may not pick the cluster/,
    );

    // Without the environment, the collection goes to the connection the user chose.
    write('restricted.kafka.json', {
      name: 'Restricted',
      variables: { who: 'collection' },
      messages: [{ name: 'hello', topic: 'restricted', value: 'hello {{who}}' }],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendAll',
      collection.fsPath,
    );
    assert.deepEqual([summary.sent, summary.acked, summary.failed], [1, 1, 0]);
    const topic = (await a.service.cluster(true)).metadata.topics.find((t) => t.name === 'restricted');
    assert.ok(topic, 'the record went to the sandbox the user connected to');
  });
});

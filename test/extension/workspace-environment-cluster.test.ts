/**
 * The active environment's connection in the Clusters view, in real VS Code against the embedded sandbox: listed
 * and marked as the environment's, explorable like a saved connection, following edits and the environment's
 * clearing. Runs after extension.test.ts (file order), which asserts nothing connects at activation.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../extension/host/explorer/cluster-tree';
import { api, editAndSave, waitFor, write } from './workspace-helpers';

type ConnectionNode = Extract<ExplorerNode, { kind: 'connection' }>;

describe("The active environment's cluster in the Clusters view", () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
  });

  it("lists the environment's connection, connects to it to explore the cluster, and drops it when the environment is cleared", async () => {
    const a = await api();
    const tree = a.clusterTree;
    const { bootstrap } = await a.service.sandbox.ensureStarted();
    await a.service.disconnect();
    const content = {
      name: 'view',
      variables: { region: 'eu' },
      connection: { bootstrap: bootstrap.split(','), clientId: 'env-view' },
    };
    const env = write('envs/cluster-view.kafka-env.json', content);
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env.fsPath);

    const envNode = async () =>
      (await tree.getChildren()).find(
        (n): n is ConnectionNode => n.kind === 'connection' && n.connection.environmentFile !== undefined,
      );
    const node = await waitFor("the environment's connection in the Clusters view", envNode);
    const item = tree.getTreeItem(node);
    assert.equal(item.label, 'cluster-view', 'named after the environment file');
    assert.equal(item.description, 'environment');
    assert.equal(item.contextValue, 'environmentConnection', 'offers connect and test, not edit or remove');
    assert.match(String(item.tooltip), /active environment cluster-view\.kafka-env\.json/);
    assert.match(String(item.tooltip), new RegExp(`Collection sends go to this cluster: ${bootstrap.split(',')[0]}`));

    // A click on the node connects, as for a saved connection; then its brokers and topics are listed.
    assert.ok(item.command);
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    assert.equal(a.service.activeConnection()?.environmentFile, 'cluster-view.kafka-env.json');
    await vscode.commands.executeCommand('kafkaWorkbench.topic.create', 'env-view-topic', 2, 1);
    const active = await waitFor('the connected environment node', async () => {
      const n = await envNode();
      return n?.active && n;
    });
    assert.equal(tree.getTreeItem(active).description, 'environment · connected');
    const [brokersGroup, topicsGroup] = await tree.getChildren(active);
    const brokers = await tree.getChildren(brokersGroup);
    assert.deepEqual(
      brokers.map((b) => (b.kind === 'broker' ? b.broker.nodeId : -1)),
      [1, 2, 3],
    );
    const topics = await tree.getChildren(topicsGroup);
    assert.ok(
      topics.some((t) => t.kind === 'topic' && t.topic.name === 'env-view-topic'),
      'the topic created through it is listed',
    );

    // An edit that leaves the connection as it was keeps the session.
    const before = a.service.environmentCluster();
    await editAndSave(env, `${JSON.stringify({ ...content, variables: { region: 'us' } }, null, 2)}\n`);
    await waitFor('the edit to be read', () => a.service.environmentCluster() !== before);
    assert.equal(a.service.activeConnection()?.environmentFile, 'cluster-view.kafka-env.json');

    // A broken file: a message naming it instead of the node, and the session on the old settings ends.
    await editAndSave(env, '{ "connection": { "bootstrap": ');
    const problem = await waitFor('a message for the broken environment', async () =>
      (await tree.getChildren()).find((n) => n.kind === 'message'),
    );
    assert.match(String(tree.getTreeItem(problem).label), /cluster-view\.kafka-env\.json.*not valid JSON/);
    assert.equal(await envNode(), undefined);
    assert.equal(a.service.activeConnection(), null, 'no session stays on a connection the file no longer describes');

    // Fixed again, then the environment cleared: the node goes.
    await editAndSave(env, `${JSON.stringify(content, null, 2)}\n`);
    await waitFor("the environment's connection back", envNode);
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
    await waitFor("the environment's connection gone", async () => (await envNode()) === undefined);
    assert.ok(!(await tree.getChildren()).some((n) => n.kind === 'message'));
  });

  it('resolves the SASL password from SecretStorage when connecting, as sends do', async () => {
    const a = await api();
    const { bootstrap } = await a.service.sandbox.ensureStarted();
    const env = write('envs/cluster-sasl.kafka-env.json', {
      connection: {
        bootstrap: bootstrap.split(',')[0],
        sasl: { mechanism: 'plain', username: 'u', password: '{{$secret:VIEW_NOT_SET_PW}}' },
      },
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env.fsPath);
    await waitFor("the environment's connection", () =>
      a.service.allConnections().some((c) => c.environmentFile === 'cluster-sasl.kafka-env.json'),
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'environment')),
      /secret "VIEW_NOT_SET_PW" is not set/,
    );
  });

  it('refuses a collection send to an environment whose cluster cannot be reached at once, naming the environment', async () => {
    const env = write('envs/dead.kafka-env.json', { name: 'dead', connection: { bootstrap: '127.0.0.1:1' } });
    const collection = write('collections/to-dead.kafka.json', {
      name: 'To dead',
      messages: [{ name: 'one', topic: 'col-dead', value: 'x' }],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env.fsPath);
    // Before the check, every record waited max.block.ms (60 s, beyond this test's timeout) and got topic advice.
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', collection.fsPath)),
      /The cluster of environment dead\.kafka-env\.json: .*127\.0\.0\.1:1/,
    );
  });
});

/**
 * Sends from VS Code never create a topic silently: a typo ("order" for "orders") is refused unless the user chooses
 * to create it, with the partitions and replication factor they choose, or turned auto-create on for the connection.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import { defaultDraft } from '../../extension/protocol/messages';
import { api, write } from './workspace-helpers';

describe('Sending to a topic that does not exist', () => {
  const topicsOnTheCluster = async () => (await (await api()).service.cluster(true)).metadata.topics.map((t) => t.name);

  before(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await vscode.commands.executeCommand('kafkaWorkbench.connection.toggleAutoCreate', 'sandbox', false);
  });

  it('refuses when the user says no: nothing is created and nothing is sent', async () => {
    const a = await api();
    const before = a.service.resultRows().length;
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand(
          'kafkaWorkbench.producer.send',
          { topic: 'mt-order', value: 'typo' },
          undefined,
          { createTopics: false },
        ),
      ),
      /Not sent: topic "mt-order" does not exist on "Local sandbox" and nothing was created/,
    );
    assert.ok(!(await topicsOnTheCluster()).includes('mt-order'), 'the typo did not become a topic');
    assert.equal(a.service.resultRows().length, before, 'no record was handed to the producer');
  });

  it('creates it with the partitions and replication factor chosen, then sends', async () => {
    const sent = await vscode.commands.executeCommand<{ offset: number }>(
      'kafkaWorkbench.producer.send',
      { topic: 'mt-chosen', value: 'v' },
      undefined,
      { createTopics: { partitions: 2, replicationFactor: 2 } },
    );
    assert.equal(sent.offset, 0);
    const topic = (await (await api()).service.cluster(true)).metadata.topics.find((t) => t.name === 'mt-chosen')!;
    assert.equal(topic.partitions.length, 2);
    assert.ok(topic.partitions.every((p) => p.replicas.length === 2));
  });

  it("asks for the composer's sends and collection sends too: refused, neither sends nor creates", async () => {
    const a = await api();
    const draft = { ...defaultDraft(), topic: 'mt-composer', value: 'v', repeat: 3 };
    await assert.rejects(
      a.collections.templates.send(draft, null, {
        signal: new AbortController().signal,
        onProgress: () => undefined,
        createTopics: false,
      }),
      (e: Error & { field?: string }) =>
        /Not sent: topic "mt-composer" does not exist/.test(e.message) && e.field === 'topic',
    );
    const collection = write('missing-topics/c.kafka.json', {
      name: 'Missing',
      messages: [{ name: 'm', topic: 'mt-collection', value: 'v' }],
    });
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', collection.fsPath, {
          createTopics: false,
        }),
      ),
      /Not sent: topic "mt-collection" does not exist/,
    );
    const topics = await topicsOnTheCluster();
    assert.ok(!topics.includes('mt-composer') && !topics.includes('mt-collection'));
    assert.equal(a.service.resultRows().filter((r) => r.topic.startsWith('mt-co')).length, 0);
  });

  it('lets the broker create it without asking once auto-create is on for the connection', async () => {
    const a = await api();
    assert.equal(
      await vscode.commands.executeCommand('kafkaWorkbench.connection.toggleAutoCreate', 'sandbox', true),
      true,
    );
    try {
      // No answer given: with auto-create on there is nothing to ask.
      const collection = write('missing-topics/auto.kafka.json', {
        name: 'Auto',
        messages: [{ name: 'm', topic: 'mt-auto', value: 'v' }],
      });
      const summary = await vscode.commands.executeCommand<RunSummary>(
        'kafkaWorkbench.collections.sendAll',
        collection.fsPath,
      );
      assert.equal(summary.acked, 1);
      assert.ok((await topicsOnTheCluster()).includes('mt-auto'));
      const [sandboxNode] = await a.clusterTree.getChildren();
      assert.match(String(a.clusterTree.getTreeItem(sandboxNode).description), /creates missing topics/);
    } finally {
      await vscode.commands.executeCommand('kafkaWorkbench.connection.toggleAutoCreate', 'sandbox', false);
    }
  });
});

/**
 * The Clusters view shows what the sandbox's admin APIs answer: a topic's configs (value and where it comes from)
 * under "Configuration", and under "Consumer Groups" each group's state, members and lag, with a row per committed
 * partition. Offsets are committed by kafkajs, a client this project did not write.
 */
import * as assert from 'node:assert/strict';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../extension/host/explorer/cluster-tree';
import { api, waitFor } from './workspace-helpers';

/** The active connection's folder ('topics', 'consumerGroups', ...). */
async function folder(group: 'topics' | 'consumerGroups'): Promise<ExplorerNode> {
  const { clusterTree: tree } = await api();
  const [active] = (await tree.getChildren()).filter((n) => n.kind === 'connection' && n.active);
  return (await tree.getChildren(active)).find((n) => n.kind === 'group' && n.group === group)!;
}

/** Label and description of each child, as VS Code would render them. */
async function rows(node: ExplorerNode): Promise<{ label: string; description: string; node: ExplorerNode }[]> {
  const { clusterTree: tree } = await api();
  return (await tree.getChildren(node)).map((n) => {
    const item = tree.getTreeItem(n);
    return {
      label: String(typeof item.label === 'object' ? item.label.label : item.label),
      description: String(item.description ?? ''),
      node: n,
    };
  });
}

describe('Explorer: topic configs and consumer groups', function () {
  this.timeout(60_000);
  let kafka: Kafka;
  let consumer: Consumer | undefined;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    const sandbox = await a.service.sandbox.ensureStarted();
    kafka = new Kafka({
      clientId: 'explorer-admin',
      brokers: sandbox.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic: 'explorer-admin',
            numPartitions: 2,
            replicationFactor: 3,
            configEntries: [{ name: 'retention.ms', value: '7200000' }],
          },
        ],
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'explorer-admin',
        acks: -1,
        messages: Array.from({ length: 7 }, (_, i) => ({ partition: 0, value: `v${i}` })),
      });
      await producer.disconnect();
      await admin.setOffsets({
        groupId: 'explorer-idle',
        topic: 'explorer-admin',
        partitions: [{ partition: 0, offset: '2' }],
      });
    } finally {
      await admin.disconnect();
    }
    await a.service.cluster(true);
  });
  after(async () => {
    await consumer?.disconnect();
  });

  it("lists a topic's configs under Configuration: its own value as set on the topic, the others as defaults", async () => {
    const topic = (await rows(await folder('topics'))).find((r) => r.label === 'explorer-admin');
    assert.ok(topic, 'the topic is listed');
    const children = await rows(topic.node);
    assert.equal(children[0].label, 'Configuration', 'configuration comes before the partitions');
    assert.deepEqual(
      children.slice(1).map((r) => r.label),
      ['Partition 0', 'Partition 1'],
    );
    const configs = await rows(children[0].node);
    const byName = new Map(configs.map((r) => [r.label, r.description]));
    assert.equal(byName.get('retention.ms'), '7200000 · set on the topic');
    assert.equal(byName.get('cleanup.policy'), 'delete · default');
    assert.equal(byName.get('max.message.bytes'), '1000012 · default');
  });

  it('keeps __consumer_offsets (created by the groups) out of the topic list, in a collapsed "Internal topics" row', async () => {
    const topics = await rows(await folder('topics'));
    assert.ok(!topics.some((r) => r.label === '__consumer_offsets'), 'not among the topics');
    const internal = topics[topics.length - 1];
    assert.equal(internal.label, 'Internal topics', 'last, after the topics');
    assert.equal(internal.description, '__consumer_offsets');
    const [offsets] = await rows(internal.node);
    assert.equal(offsets.label, '__consumer_offsets');
    assert.equal(offsets.description, '50 partition(s)');
    const { clusterTree: tree } = await api();
    assert.equal(tree.getTreeItem(offsets.node).contextValue, 'internalTopic', 'no send or delete menus');
  });

  it('lists consumer groups with state, members and lag, and a row per committed partition', async () => {
    const groups = await rows(await folder('consumerGroups'));
    const idle = groups.find((r) => r.label === 'explorer-idle');
    assert.ok(idle, `explorer-idle is listed (got ${groups.map((g) => g.label).join(', ')})`);
    assert.equal(idle.description, 'Empty · 0 members · lag 5');
    assert.deepEqual(
      (await rows(idle.node)).map((r) => `${r.label}: ${r.description}`),
      ['explorer-admin-0: committed 2 · HW 7 · lag 5'],
    );
  });

  it('shows a live consumer as a Stable member whose lag falls to 0 once it has read and committed everything', async () => {
    consumer = kafka.consumer({ groupId: 'explorer-live', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'explorer-admin', fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void seen++ });
    await waitFor('the consumer to read the 7 records', () => seen >= 7);
    const live = await waitFor('explorer-live at lag 0', async () => {
      const row = (await rows(await folder('consumerGroups'))).find((r) => r.label === 'explorer-live');
      return row?.description === 'Stable · 1 member · lag 0' && row;
    });
    assert.deepEqual(
      (await rows(live.node)).map((r) => `${r.label}: ${r.description}`),
      ['explorer-admin-0: committed 7 · HW 7 · lag 0'],
    );
  });
});

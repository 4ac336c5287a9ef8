/**
 * What the cluster explorer reads besides metadata (extension/core/transport/cluster-reads.ts), against the sandbox
 * over TCP: a topic's configs with their sources, and consumer groups with committed offsets and lag, the groups'
 * offsets committed by kafkajs (a client this project did not write).
 */
import { strict as assert } from 'node:assert';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { consumerGroups, describeTopicConfigs } from '../../extension/core/transport/cluster-reads';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { kafkaFor, waitFor } from './sandbox-helpers';

describe('cluster reads for the explorer: topic configs and consumer groups with lag', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let admin: Admin;
  let producer: Producer;
  let transport: KafkaTransport;
  const consumers: Consumer[] = [];

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, electionDelayMs: 50, schemaRegistry: false });
    const { kafka } = kafkaFor(sandbox);
    admin = kafka.admin();
    producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    transport = new KafkaTransport({ brokers: sandbox.bootstrap.split(',') });
    await transport.connect();
  });
  after(async () => {
    for (const c of consumers) await c.disconnect();
    await transport?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await sandbox?.stop();
  });

  it("describes a topic's configs: its own values as set on the topic, the rest as defaults", async () => {
    await admin.createTopics({
      topics: [
        {
          topic: 'reads-configs',
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: 'retention.ms', value: '123456' }],
        },
      ],
    });
    const configs = await describeTopicConfigs(transport, 'reads-configs');
    const byName = new Map(configs.map((c) => [c.name, c]));
    assert.deepEqual(byName.get('retention.ms'), {
      name: 'retention.ms',
      value: '123456',
      source: 'set on the topic',
      isDefault: false,
      readOnly: false,
      sensitive: false,
    });
    assert.equal(byName.get('cleanup.policy')?.value, 'delete');
    assert.equal(byName.get('cleanup.policy')?.isDefault, true);
    assert.equal(byName.get('max.message.bytes')?.value, '1000012');
    assert.deepEqual(
      configs.map((c) => c.name),
      [...configs.map((c) => c.name)].sort((a, b) => a.localeCompare(b)),
      'sorted by name',
    );
  });

  it("names the broker's error for a topic that does not exist", async () => {
    await assert.rejects(
      describeTopicConfigs(transport, 'reads-no-such-topic'),
      /DescribeConfigs for topic "reads-no-such-topic" failed: UNKNOWN_TOPIC_OR_PARTITION/,
    );
  });

  it('lists consumer groups with their state, members, committed offsets and lag against the high watermarks', async () => {
    await admin.createTopics({ topics: [{ topic: 'reads-groups', numPartitions: 2, replicationFactor: 3 }] });
    await producer.send({
      topic: 'reads-groups',
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })),
    });
    await producer.send({
      topic: 'reads-groups',
      acks: -1,
      messages: Array.from({ length: 3 }, (_, i) => ({ partition: 1, value: `w${i}` })),
    });
    // An empty group that committed by hand: 4 of 10 on partition 0, 3 of 3 on partition 1.
    await admin.setOffsets({
      groupId: 'reads-idle',
      topic: 'reads-groups',
      partitions: [
        { partition: 0, offset: '4' },
        { partition: 1, offset: '3' },
      ],
    });
    // A live member that read everything and committed it.
    const consumer = kafkaFor(sandbox).kafka.consumer({ groupId: 'reads-live' });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'reads-groups', fromBeginning: true });
    let seen = 0;
    const allSeen = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommitThreshold: 1,
        eachMessage: async () => {
          if (++seen === 13) resolve();
        },
      });
    });
    await allSeen;
    const live = async () => (await consumerGroups(transport)).groups.find((g) => g.groupId === 'reads-live');
    await waitFor(
      async () => {
        const g = await live();
        return g?.totalLag === 0 && g.offsets.length === 2;
      },
      'reads-live to commit all 13 records',
      15_000,
    );

    const { groups, unreachable } = await consumerGroups(transport);
    assert.deepEqual(unreachable, []);
    const idle = groups.find((g) => g.groupId === 'reads-idle')!;
    assert.equal(idle.state, 'Empty');
    assert.equal(idle.members, 0);
    assert.deepEqual(idle.offsets, [
      { topic: 'reads-groups', partition: 0, committed: 4, highWatermark: 10, lag: 6 },
      { topic: 'reads-groups', partition: 1, committed: 3, highWatermark: 3, lag: 0 },
    ]);
    assert.equal(idle.totalLag, 6);
    const liveGroup = groups.find((g) => g.groupId === 'reads-live')!;
    assert.equal(liveGroup.state, 'Stable');
    assert.equal(liveGroup.members, 1);
    assert.equal(liveGroup.protocolType, 'consumer');
    assert.deepEqual(
      groups.map((g) => g.groupId).filter((id) => id.startsWith('reads-')),
      ['reads-idle', 'reads-live'],
    );
  });
});

import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { ApiKey } from '../../extension/core/kafka/protocol';
import { SUPPORTED_VERSIONS } from './protocol-test-helpers';
import type * as M from '../../extension/core/kafka/protocol';
import { InvalidInputError } from '../../extension/core/util/errors';
import { call, newCluster } from './sandbox-cluster-helpers';

const metadata = (
  cluster: ReturnType<typeof newCluster>['cluster'],
  topics: string[] | null,
  allowAutoTopicCreation = true,
  broker = 1,
) =>
  call<M.MetadataResponse>(cluster, broker, ApiKey.Metadata, 7, {
    topics: topics && topics.map((name) => ({ name })),
    allowAutoTopicCreation,
  });

const createTopics = (
  cluster: ReturnType<typeof newCluster>['cluster'],
  broker: number,
  topics: Partial<M.CreateTopicsRequest['topics'][number]>[],
  validateOnly = false,
) =>
  call<M.CreateTopicsResponse>(cluster, broker, ApiKey.CreateTopics, 3, {
    topics: topics.map((t) => ({
      name: 'x',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [],
      configs: [],
      ...t,
    })),
    timeoutMs: 1000,
    validateOnly,
  });

describe('SandboxCluster Metadata and ApiVersions', () => {
  it('lists the live brokers and the controller (lowest live id)', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    let r = await metadata(cluster, null);
    assert.deepEqual(
      r.brokers.map((b) => b.nodeId),
      [1, 2, 3],
    );
    assert.equal(r.controllerId, 1);
    cluster.setBrokerUp(1, false);
    r = await metadata(cluster, null, true, 2);
    assert.deepEqual(
      r.brokers.map((b) => b.nodeId),
      [2, 3],
    );
    assert.equal(r.controllerId, 2);
    assert.equal(cluster.state().brokers.find((b) => b.controller)!.id, 2);
  });

  it('spreads partition leaders over the brokers with replicas per the replication factor', async () => {
    const { cluster } = newCluster({ brokers: 3, topics: [{ name: 't', partitions: 6 }] });
    const [t] = (await metadata(cluster, ['t'])).topics;
    const leaders = t.partitions.map((p) => p.leaderId);
    assert.deepEqual([...new Set(leaders)].sort(), [1, 2, 3]);
    for (const p of t.partitions) {
      assert.equal(p.replicaNodes.length, 3);
      assert.equal(p.replicaNodes[0], p.leaderId, 'the preferred replica leads');
      assert.deepEqual([...p.isrNodes].sort(), [...p.replicaNodes].sort());
      assert.equal(p.leaderEpoch, 0);
    }
  });

  it('auto-creates requested topics unless the request (v4+) or the cluster disallows it', async () => {
    const { cluster } = newCluster({ brokers: 1, partitions: 2 });
    const refused = await metadata(cluster, ['a'], false);
    assert.equal(refused.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const created = await metadata(cluster, ['a'], true);
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
    assert.equal(created.topics[0].partitions.length, 2);
    const off = newCluster({ brokers: 1, autoCreateTopics: false });
    assert.equal((await metadata(off.cluster, ['a'])).topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await metadata(cluster, ['bad name!'])).topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('advertises the Kafka 2.1 versions in ApiVersions', async () => {
    const { cluster } = newCluster({ brokers: 1 });
    const r = await call<M.ApiVersionsResponse>(cluster, 1, ApiKey.ApiVersions, 2, {});
    assert.equal(r.errorCode, 0);
    const produce = r.apiKeys.find((k) => k.apiKey === ApiKey.Produce)!;
    assert.deepEqual([produce.minVersion, produce.maxVersion], [0, 7]);
    assert.equal(r.apiKeys.length, Object.keys(SUPPORTED_VERSIONS).length);
  });
});

describe('SandboxCluster CreateTopics and DeleteTopics', () => {
  it('creates topics with the asked partitions, replication factor and configs', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    const r = await createTopics(cluster, 1, [
      { name: 'orders', numPartitions: 4, replicationFactor: 2, configs: [{ name: 'retention.ms', value: '1000' }] },
    ]);
    assert.deepEqual(r.topics, [{ name: 'orders', errorCode: 0, errorMessage: null }]);
    const t = cluster.state().topics[0];
    assert.equal(t.partitions.length, 4);
    assert.ok(t.partitions.every((p) => p.replicas.length === 2));
    assert.deepEqual(t.configs, { 'retention.ms': '1000' });
  });

  it('validateOnly checks without creating', async () => {
    const { cluster } = newCluster({ brokers: 1 });
    const r = await createTopics(cluster, 1, [{ name: 'v', numPartitions: 2, replicationFactor: 1 }], true);
    assert.equal(r.topics[0].errorCode, 0);
    assert.equal(cluster.state().topics.length, 0);
  });

  it('refuses an existing topic, bad partition counts, too large a replication factor, and unknown configs', async () => {
    const { cluster } = newCluster({ brokers: 3, topics: [{ name: 'exists' }] });
    const r = await createTopics(cluster, 1, [
      { name: 'exists' },
      { name: 'p0', numPartitions: 0, replicationFactor: 1 },
      { name: 'rf4', numPartitions: 1, replicationFactor: 4 },
      { name: 'cfg', configs: [{ name: 'no.such.config', value: '1' }] },
      { name: 'ts', configs: [{ name: 'message.timestamp.type', value: 'Sometimes' }] },
    ]);
    assert.deepEqual(
      r.topics.map((t) => t.errorCode),
      [
        ErrorCode.TOPIC_ALREADY_EXISTS,
        ErrorCode.INVALID_PARTITIONS,
        ErrorCode.INVALID_REPLICATION_FACTOR,
        ErrorCode.INVALID_CONFIG,
        ErrorCode.INVALID_CONFIG,
      ],
    );
    // Kafka 2.1.1's words (pinned by test/differential against a real broker).
    assert.equal(r.topics[1].errorMessage, 'Number of partitions must be larger than 0.');
    assert.equal(r.topics[2].errorMessage, 'Replication factor: 4 larger than available brokers: 3.');
    assert.equal(r.topics[3].errorMessage, 'Unknown topic config name: no.such.config');
    assert.equal(
      r.topics[4].errorMessage,
      'Invalid value Sometimes for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
    );
  });

  it('uses explicit replica assignments', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    const r = await createTopics(cluster, 1, [
      {
        name: 'a',
        assignments: [
          { partitionIndex: 0, brokerIds: [3, 1] },
          { partitionIndex: 1, brokerIds: [2, 3] },
        ],
      },
    ]);
    assert.equal(r.topics[0].errorCode, 0);
    assert.deepEqual(
      cluster.state().topics[0].partitions.map((p) => [p.leader, p.replicas]),
      [
        [3, [3, 1]],
        [2, [2, 3]],
      ],
    );
    const bad = await createTopics(cluster, 1, [{ name: 'b', assignments: [{ partitionIndex: 0, brokerIds: [9] }] }]);
    assert.equal(bad.topics[0].errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });

  it('answers NOT_CONTROLLER from a broker that is not the controller', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    assert.equal((await createTopics(cluster, 2, [{ name: 'x' }])).topics[0].errorCode, ErrorCode.NOT_CONTROLLER);
  });

  it('deletes topics and answers UNKNOWN_TOPIC_OR_PARTITION for missing ones', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 'gone' }] });
    const r = await call<M.DeleteTopicsResponse>(cluster, 1, ApiKey.DeleteTopics, 3, {
      topicNames: ['gone', 'never'],
      timeoutMs: 1000,
    });
    assert.deepEqual(
      r.responses.map((x) => x.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.equal(cluster.state().topics.length, 0);
  });

  it('createTopic (in-process) throws InvalidInputError saying why', () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 'dup' }] });
    assert.throws(
      () => cluster.createTopic('dup'),
      (e: unknown) => e instanceof InvalidInputError && /already exists/.test(e.message),
    );
  });
});

describe('SandboxCluster InitProducerId', () => {
  it('hands out a fresh producer id at epoch 0 each time', async () => {
    const { cluster } = newCluster({ brokers: 1 });
    const a = await call<M.InitProducerIdResponse>(cluster, 1, ApiKey.InitProducerId, 1, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
    });
    const b = await call<M.InitProducerIdResponse>(cluster, 1, ApiKey.InitProducerId, 1, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
    });
    assert.equal(a.errorCode, 0);
    assert.equal(a.producerEpoch, 0);
    assert.notEqual(a.producerId, b.producerId);
  });
});

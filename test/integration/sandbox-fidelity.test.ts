/**
 * The sandbox answers as a real Kafka 2.1.1 broker did for the same requests (observed with
 * test/differential/sandbox-vs-kafka.ts against ../shared/tools/real-kafka; CI has no real Kafka, so the answers are
 * pinned here). Through kafkajs 2.2.4 where it can send the request, else through the bare wire client.
 */
import { strict as assert } from 'node:assert';
import { type Admin, type Producer } from 'kafkajs';
import { ApiKey, ErrorCode } from '../../extension/core/kafka/protocol';
import {
  ATTRIBUTES_OFFSET,
  RECORDS_COUNT_OFFSET,
  RecordBatchBuilder,
  readRecordBatches,
  recordBodySizeWithoutDeltas,
} from '../../extension/core/kafka/record-batch';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { batchOf, fixCrc } from '../differential/scenarios';
import { kafkaFor, partitionsOf } from './sandbox-helpers';
import { WireClient, leaderAddress } from './wire-client';

describe('sandbox fidelity: answers pinned from a real Kafka 2.1.1', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let admin: Admin;
  let producer: Producer;

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, electionDelayMs: 50, schemaRegistry: false });
    const { kafka } = kafkaFor(sandbox, { retry: { retries: 0 } });
    admin = kafka.admin();
    producer = kafka.producer();
    await admin.connect();
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await sandbox?.stop();
  });

  async function produceRaw(topic: string, records: Buffer, acks = -1): Promise<number> {
    const c = await WireClient.connect(await leaderAddress(sandbox.bootstrap, topic, 0));
    try {
      const res = await c.request(ApiKey.Produce, 3, {
        transactionalId: null,
        acks,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
      });
      return res.responses[0].partitionResponses[0].errorCode;
    } finally {
      c.close();
    }
  }

  async function onBroker<T>(address: string, fn: (c: WireClient) => Promise<T>): Promise<T> {
    const c = await WireClient.connect(address);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  }

  const firstBroker = () => sandbox.bootstrap.split(',')[0];

  it('refuses a 1,010,000-byte record with MESSAGE_TOO_LARGE (max.message.bytes 1000012) and takes a 999,000-byte one', async () => {
    await admin.createTopics({ topics: [{ topic: 'sizes', numPartitions: 1, replicationFactor: 3 }] });
    await assert.rejects(
      producer.send({ topic: 'sizes', messages: [{ value: Buffer.alloc(1_010_000, 120) }] }),
      (e: { type?: string }) => e.type === 'MESSAGE_TOO_LARGE',
    );
    const [ok] = await producer.send({ topic: 'sizes', acks: -1, messages: [{ value: Buffer.alloc(999_000, 120) }] });
    assert.equal(ok.errorCode, 0);
  });

  it("acks=all succeeds with two of three brokers down: the cluster's min.insync.replicas is Kafka's default, 1", async () => {
    await admin.createTopics({
      topics: [{ topic: 'lonely', numPartitions: 1, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    const leader = partitionsOf(sandbox, 'lonely')[0].leader;
    const others = sandbox.brokers.map((b) => b.id).filter((id) => id !== leader);
    for (const id of others) await sandbox.stopBroker(id);
    try {
      const b = sandbox.brokers.find((x) => x.id === leader)!;
      const res = await onBroker(`${b.host}:${b.port}`, (c) =>
        c.request(ApiKey.Produce, 3, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: 'lonely', partitionData: [{ index: 0, records: batchOf([{ key: 'k', value: 'v' }]) }] }],
        }),
      );
      assert.equal(res.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
    } finally {
      for (const id of others) await sandbox.startBroker(id);
    }
  });

  it("refuses bad topic configs with INVALID_CONFIG and Kafka's messages, through kafkajs", async () => {
    const cases: [string, string, string][] = [
      ['retention.ms', 'abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
      [
        'cleanup.policy',
        'bogus',
        'Invalid value bogus for configuration cleanup.policy: String must be one of: compact, delete',
      ],
      ['max.compaction.lag.ms', '1000', 'Unknown topic config name: max.compaction.lag.ms'],
      ['min.insync.replicas', '0', 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
      [
        'compression.type',
        'brotli',
        'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
      ],
      ['segment.bytes', '10', 'Invalid value 10 for configuration segment.bytes: Value must be at least 14'],
      [
        'unclean.leader.election.enable',
        'maybe',
        'Invalid value maybe for configuration unclean.leader.election.enable: Expected value to be either true or false',
      ],
      [
        'min.cleanable.dirty.ratio',
        '2',
        'Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1',
      ],
    ];
    const controller = sandbox.brokers.find((b) => b.id === sandbox.state().controllerId)!;
    for (const [name, value, message] of cases) {
      // kafkajs shows its own text for the code; the broker's message is checked on the wire.
      await assert.rejects(
        admin.createTopics({ topics: [{ topic: `cfg-${name}`, configEntries: [{ name, value }] }] }),
        (e: { errors?: { type: string }[] }) => e.errors?.[0]?.type === 'INVALID_CONFIG',
      );
      const res = await onBroker(`${controller.host}:${controller.port}`, (c) =>
        c.request(ApiKey.CreateTopics, 2, {
          topics: [
            {
              name: `cfg-${name}`,
              numPartitions: 1,
              replicationFactor: 1,
              assignments: [],
              configs: [{ name, value }],
            },
          ],
          timeoutMs: 5000,
          validateOnly: false,
        }),
      );
      assert.deepEqual(
        [res.topics[0].errorCode, res.topics[0].errorMessage],
        [ErrorCode.INVALID_CONFIG, message],
        `${name}=${value}`,
      );
    }
    assert.ok(!(await admin.listTopics()).some((t) => t.startsWith('cfg-')), 'nothing was created');
    // Accepted by Kafka 2.1 too: a list of both policies, retention.ms -1.
    assert.equal(
      await admin.createTopics({
        topics: [
          {
            topic: 'cfg-ok',
            configEntries: [
              { name: 'cleanup.policy', value: 'compact,delete' },
              { name: 'retention.ms', value: '-1' },
            ],
          },
        ],
      }),
      true,
    );
  });

  it("refuses 'a.b' while 'a_b' exists, and a topic named twice in one CreateTopics without creating it", async () => {
    await admin.createTopics({ topics: [{ topic: 'a_b' }] });
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: 'a.b' }] }),
      (e: { errors?: { type: string }[] }) => e.errors?.[0]?.type === 'INVALID_TOPIC_EXCEPTION',
    );
    const controller = sandbox.brokers.find((b) => b.id === sandbox.state().controllerId)!;
    const collision = await onBroker(`${controller.host}:${controller.port}`, (c) =>
      c.request(ApiKey.CreateTopics, 2, {
        topics: [{ name: 'a.b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      }),
    );
    assert.equal(collision.topics[0].errorMessage, "Topic 'a.b' collides with existing topics: a_b");
    const res = await onBroker(`${controller.host}:${controller.port}`, (c) =>
      c.request(ApiKey.CreateTopics, 2, {
        topics: [0, 1].map(() => ({
          name: 'twice',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        })),
        timeoutMs: 5000,
        validateOnly: false,
      }),
    );
    assert.deepEqual(res.topics, [
      {
        name: 'twice',
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage:
          'Create topics request from client `wire-client` contains multiple entries for the following topics: twice',
      },
    ]);
    assert.ok(!(await admin.listTopics()).includes('twice'));
  });

  it("refuses a keyless record on a compacted topic with CORRUPT_MESSAGE and stores a topic's compression.type", async () => {
    await admin.createTopics({
      topics: [{ topic: 'compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      waitForLeaders: true,
    });
    assert.equal(await produceRaw('compacted', batchOf([{ key: null, value: 'v' }])), ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await produceRaw('compacted', batchOf([{ key: 'k', value: 'v' }])), ErrorCode.NONE);

    await admin.createTopics({
      topics: [{ topic: 'gzipped', numPartitions: 1, configEntries: [{ name: 'compression.type', value: 'gzip' }] }],
      waitForLeaders: true,
    });
    await producer.send({
      topic: 'gzipped',
      messages: [
        { key: 'k1', value: 'hello' },
        { key: 'k2', value: 'world' },
      ],
    });
    const fetched = await onBroker(await leaderAddress(sandbox.bootstrap, 'gzipped', 0), (c) =>
      c.request(ApiKey.Fetch, 4, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic: 'gzipped', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      } as never),
    );
    const [stored] = readRecordBatches(fetched.responses[0].partitions[0].records!);
    assert.equal(stored.compression, 'gzip');
    assert.equal(stored.recordCount, 2);
    const consumer = kafkaFor(sandbox).kafka.consumer({ groupId: 'gzip-readers', maxWaitTimeInMs: 100 });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ['gzipped'], fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual(values, ['hello', 'world']);
  });

  it('refuses a batch declaring 5 records holding 1 and two batches for one partition (CORRUPT_MESSAGE), a gzip batch that is not gzip (UNKNOWN_SERVER_ERROR)', async () => {
    await admin.createTopics({ topics: [{ topic: 'batches', numPartitions: 1 }], waitForLeaders: true });
    const lies = batchOf([{ key: 'k', value: 'v' }]);
    lies.writeInt32BE(5, RECORDS_COUNT_OFFSET);
    lies.writeInt32BE(4, 23); // lastOffsetDelta agrees with the claimed count
    assert.equal(await produceRaw('batches', fixCrc(lies)), ErrorCode.CORRUPT_MESSAGE);
    const notGzip = batchOf([{ key: 'k', value: 'v' }]);
    notGzip.writeInt16BE(1, ATTRIBUTES_OFFSET);
    // Kafka 2.1.1 fails to decompress it with an unexpected exception, so its answer is UNKNOWN_SERVER_ERROR.
    assert.equal(await produceRaw('batches', fixCrc(notGzip)), ErrorCode.UNKNOWN_SERVER_ERROR);
    assert.equal(
      await produceRaw(
        'batches',
        Buffer.concat([batchOf([{ key: 'a', value: '1' }]), batchOf([{ key: 'b', value: '2' }])]),
      ),
      ErrorCode.CORRUPT_MESSAGE,
    );
    assert.equal(partitionsOf(sandbox, 'batches')[0].highWatermark, 0, 'nothing refused was written');
    const big = new RecordBatchBuilder(4096, Date.now());
    big.tryAppend(Date.now(), null, Buffer.from('ok'), undefined, recordBodySizeWithoutDeltas(null, Buffer.from('ok')));
    assert.equal(await produceRaw('batches', big.build()), ErrorCode.NONE);
  });

  it('answers INVALID_SESSION_TIMEOUT outside 6000-300000 ms and REBALANCE_IN_PROGRESS to a heartbeat between JoinGroup and SyncGroup', async () => {
    const group = 'timeouts';
    const coordinator = await onBroker(firstBroker(), (c) =>
      c.request(ApiKey.FindCoordinator, 1, { key: group, keyType: 0 }),
    );
    await onBroker(`${coordinator.host}:${coordinator.port}`, async (c) => {
      const join = (sessionTimeoutMs: number) =>
        c.request(ApiKey.JoinGroup, 2, {
          groupId: group,
          sessionTimeoutMs,
          rebalanceTimeoutMs: 10000,
          memberId: '',
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        });
      assert.equal((await join(1000)).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
      assert.equal((await join(400_000)).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
      const j = await join(10_000);
      assert.equal(j.errorCode, ErrorCode.NONE);
      const hb = () =>
        c.request(ApiKey.Heartbeat, 1, { groupId: group, generationId: j.generationId, memberId: j.memberId });
      assert.equal((await hb()).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
      const sync = await c.request(ApiKey.SyncGroup, 1, {
        groupId: group,
        generationId: j.generationId,
        memberId: j.memberId,
        assignments: [{ memberId: j.memberId, assignment: Buffer.alloc(0) }],
      });
      assert.equal(sync.errorCode, ErrorCode.NONE);
      assert.equal((await hb()).errorCode, ErrorCode.NONE);
      // A group with a live member cannot be deleted.
      const del = await c.request(ApiKey.DeleteGroups, 1, { groupsNames: [group] });
      assert.deepEqual(del.results, [{ groupId: group, errorCode: ErrorCode.NON_EMPTY_GROUP }]);
    });
  });

  it('lists and deletes groups through kafkajs admin (listGroups, deleteGroups)', async () => {
    await admin.createTopics({ topics: [{ topic: 'grouped', numPartitions: 1 }], waitForLeaders: true });
    await admin.setOffsets({ groupId: 'idle', topic: 'grouped', partitions: [{ partition: 0, offset: '0' }] });
    assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === 'idle'));
    assert.deepEqual(await admin.deleteGroups(['idle']), [{ groupId: 'idle', errorCode: ErrorCode.NONE }]);
    assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === 'idle'));
    await assert.rejects(
      admin.deleteGroups(['idle']),
      (e: { groups?: { error: { type: string } }[] }) => e.groups?.[0]?.error.type === 'GROUP_ID_NOT_FOUND',
    );
  });

  it("describes and alters topic configs with sources and Kafka's errors, through kafkajs admin", async () => {
    await admin.createTopics({
      topics: [{ topic: 'described', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    const d = await admin.describeConfigs({ resources: [{ type: 2, name: 'described' }], includeSynonyms: false });
    const entries = d.resources[0].configEntries;
    assert.equal(entries.length, 25, "Kafka 2.1's 25 topic configs");
    const get = (n: string) => entries.find((c) => c.configName === n)!;
    assert.deepEqual(
      [get('retention.ms').configValue, get('retention.ms').configSource, get('retention.ms').isDefault],
      ['3600000', 1, false],
    );
    assert.deepEqual([get('cleanup.policy').configValue, get('cleanup.policy').configSource], ['delete', 5]);
    assert.equal(get('max.message.bytes').configValue, '1000012');

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2,
          name: 'described',
          configEntries: [
            { name: 'retention.ms', value: '1000' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    });
    const after = await admin.describeConfigs({
      resources: [{ type: 2, name: 'described', configNames: ['retention.ms', 'cleanup.policy'] }],
      includeSynonyms: false,
    });
    assert.deepEqual(
      after.resources[0].configEntries.map((c) => `${c.configName}=${c.configValue}(${c.configSource})`).sort(),
      ['cleanup.policy=compact(1)', 'retention.ms=1000(1)'],
    );
    await assert.rejects(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: 'described', configEntries: [{ name: 'retention.ms', value: 'abc' }] }],
      }),
      (e: { type?: string }) => e.type === 'INVALID_REQUEST',
    );
    await assert.rejects(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: 'described', configEntries: [{ name: 'bogus.config', value: '1' }] }],
      }),
      (e: { type?: string }) => e.type === 'INVALID_CONFIG',
    );
    const alter = (name: string, value: string) =>
      onBroker(firstBroker(), (c) =>
        c.request(ApiKey.AlterConfigs, 0, {
          resources: [{ resourceType: 2, resourceName: 'described', configs: [{ name, value }] }],
          validateOnly: true,
        }),
      );
    assert.equal(
      (await alter('retention.ms', 'abc')).responses[0].errorMessage,
      "Invalid config value for resource ConfigResource(type=TOPIC, name='described'): Invalid value abc for configuration retention.ms: Not a number of type LONG",
    );
    assert.equal(
      (await alter('bogus.config', '1')).responses[0].errorMessage,
      'Unknown topic config name: bogus.config',
    );
  });

  it("grows partitions only up (createPartitions), in Kafka's words", async () => {
    await admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] });
    assert.equal((await admin.fetchTopicMetadata({ topics: ['growing'] })).topics[0].partitions.length, 3);
    await assert.rejects(
      admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 2 }] }),
      (e: { type?: string }) => e.type === 'INVALID_PARTITIONS',
    );
    const controller = sandbox.brokers.find((b) => b.id === sandbox.state().controllerId)!;
    const cp = (count: number) =>
      onBroker(`${controller.host}:${controller.port}`, (c) =>
        c.request(ApiKey.CreatePartitions, 0, {
          topics: [{ name: 'growing', count, assignments: null }],
          timeoutMs: 5000,
          validateOnly: false,
        }),
      );
    assert.equal(
      (await cp(2)).results[0].errorMessage,
      'Topic currently has 3 partitions, which is higher than the requested 2.',
    );
    assert.equal((await cp(3)).results[0].errorMessage, 'Topic already has 3 partitions.');
  });

  it('deletes records: the log start offset moves and ListOffsets and Fetch honour it', async () => {
    await admin.createTopics({ topics: [{ topic: 'trimmed', numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic: 'trimmed', messages: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}` })) });
    const leader = await leaderAddress(sandbox.bootstrap, 'trimmed', 0);
    const deleted = await onBroker(leader, (c) =>
      c.request(ApiKey.DeleteRecords, 0, {
        topics: [{ name: 'trimmed', partitions: [{ partitionIndex: 0, offset: 3 }] }],
        timeoutMs: 5000,
      }),
    );
    assert.deepEqual(deleted.topics[0].partitions, [{ partitionIndex: 0, lowWatermark: 3, errorCode: ErrorCode.NONE }]);
    const [offsets] = await admin.fetchTopicOffsets('trimmed');
    assert.deepEqual([offsets.low, offsets.high], ['3', '5']);
    const fetchAt = (fetchOffset: number) =>
      onBroker(leader, (c) =>
        c.request(ApiKey.Fetch, 5, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [
            {
              topic: 'trimmed',
              partitions: [{ partition: 0, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
            },
          ],
        } as never),
      );
    assert.equal((await fetchAt(1)).responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const at3 = (await fetchAt(3)).responses[0].partitions[0];
    assert.deepEqual([at3.errorCode, at3.logStartOffset], [ErrorCode.NONE, 3]);
    const beyond = await onBroker(leader, (c) =>
      c.request(ApiKey.DeleteRecords, 0, {
        topics: [{ name: 'trimmed', partitions: [{ partitionIndex: 0, offset: 99 }] }],
        timeoutMs: 5000,
      }),
    );
    assert.deepEqual(beyond.topics[0].partitions, [
      { partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
    ]);
  });

  it('answers OffsetForLeaderEpoch, DescribeLogDirs and the ACL APIs as Kafka 2.1.1 without an authorizer', async () => {
    await admin.createTopics({ topics: [{ topic: 'epochs', numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic: 'epochs', messages: [{ value: 'a' }, { value: 'b' }] });
    const leader = await leaderAddress(sandbox.bootstrap, 'epochs', 0);
    const epochs = await onBroker(leader, (c) =>
      c.request(ApiKey.OffsetForLeaderEpoch, 2, {
        topics: [
          {
            topic: 'epochs',
            partitions: [
              { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
              { partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 },
            ],
          },
        ],
      } as never),
    );
    assert.deepEqual(
      epochs.topics[0].partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]),
      [
        [0, 0, 0, 2],
        [1, 3, -1, -1],
      ],
    );
    const future = await onBroker(leader, (c) =>
      c.request(ApiKey.OffsetForLeaderEpoch, 2, {
        topics: [{ topic: 'epochs', partitions: [{ partition: 0, currentLeaderEpoch: 7, leaderEpoch: 0 }] }],
      } as never),
    );
    assert.equal(future.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);

    const dirs = await onBroker(leader, (c) =>
      c.request(ApiKey.DescribeLogDirs, 0, { topics: [{ topic: 'epochs', partitions: [0] }] }),
    );
    assert.deepEqual(
      dirs.results.map((d) => [
        d.errorCode,
        d.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.offsetLag, p.isFutureKey])]),
      ]),
      [[0, [['epochs', [[0, 0, false]]]]]],
    );

    await assert.rejects(
      admin.describeAcls({ resourceType: 1, permissionType: 1, operation: 1, resourcePatternType: 1 } as never),
      (e: { type?: string }) => e.type === 'SECURITY_DISABLED',
    );
    const described = await onBroker(firstBroker(), (c) =>
      c.request(ApiKey.DescribeAcls, 0, {
        resourceTypeFilter: 1,
        resourceNameFilter: null,
        principalFilter: null,
        hostFilter: null,
        operation: 1,
        permissionType: 1,
      } as never),
    );
    assert.deepEqual(
      [described.errorCode, described.errorMessage],
      [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker'],
    );
    const created = await onBroker(firstBroker(), (c) =>
      c.request(ApiKey.CreateAcls, 0, {
        creations: [
          { resourceType: 2, resourceName: 't', principal: 'User:x', host: '*', operation: 3, permissionType: 3 },
        ],
      } as never),
    );
    assert.deepEqual((created as unknown as { results: unknown[] }).results, [
      { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker.' },
    ]);
  });

  it('answers ListOffsets v4 with leader epoch -1, as Kafka 2.1.1', async () => {
    await admin.createTopics({ topics: [{ topic: 'listed', numPartitions: 1 }], waitForLeaders: true });
    const r = await onBroker(await leaderAddress(sandbox.bootstrap, 'listed', 0), (c) =>
      c.request(ApiKey.ListOffsets, 4, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: 'listed',
            partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }],
          },
        ],
      } as never),
    );
    assert.equal(r.topics[0].partitions[0].leaderEpoch, -1);
  });
  it('answers SaslHandshake and SaslAuthenticate on a PLAINTEXT listener with ILLEGAL_SASL_STATE, and keeps the connection', async () => {
    await onBroker(firstBroker(), async (c) => {
      for (const version of [0, 1]) {
        assert.deepEqual(await c.request(ApiKey.SaslHandshake, version, { mechanism: 'PLAIN' }), {
          errorCode: ErrorCode.ILLEGAL_SASL_STATE,
          mechanisms: [],
        });
      }
      const auth = await c.request(ApiKey.SaslAuthenticate, 0, { authBytes: Buffer.from('\u0000a\u0000b') });
      assert.deepEqual(
        [auth.errorCode, auth.errorMessage],
        [ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate request received after successful authentication'],
      );
      const md = await c.request(ApiKey.Metadata, 5, { topics: [], allowAutoTopicCreation: false } as never);
      assert.ok(md.brokers.length > 0, 'the connection still serves requests');
    });
  });

  it("deletes records through kafkajs admin.deleteTopicRecords once kafkajs knows the topic's leaders, as Kafka 2.1.1", async () => {
    // kafkajs reads the leaders from its cached metadata: straight after createTopics (which refreshed it before the
    // topic existed) it reports KafkaJSBrokerNotFound without asking a broker, on Kafka 2.1.1 as on the sandbox.
    const fresh = kafkaFor(sandbox, { retry: { retries: 0 } }).kafka.admin();
    await fresh.connect();
    try {
      await fresh.createTopics({ topics: [{ topic: 'kjs-trimmed', numPartitions: 2, replicationFactor: 3 }] });
      await producer.send({
        topic: 'kjs-trimmed',
        acks: -1,
        messages: [
          { partition: 0, value: 'a' },
          { partition: 0, value: 'b' },
          { partition: 0, value: 'c' },
        ],
      });
      await assert.rejects(
        fresh.deleteTopicRecords({ topic: 'kjs-trimmed', partitions: [{ partition: 0, offset: '2' }] }),
        (e: { partitions?: { error: { name: string } }[] }) =>
          e.partitions?.[0]?.error.name === 'KafkaJSBrokerNotFound',
      );
    } finally {
      await fresh.disconnect();
    }
    await admin.fetchTopicMetadata({ topics: ['kjs-trimmed'] });
    await admin.deleteTopicRecords({ topic: 'kjs-trimmed', partitions: [{ partition: 0, offset: '2' }] });
    assert.deepEqual(
      (await admin.fetchTopicOffsets('kjs-trimmed')).find((p) => p.partition === 0),
      { partition: 0, offset: '3', high: '3', low: '2' },
    );
    await assert.rejects(
      admin.deleteTopicRecords({ topic: 'kjs-trimmed', partitions: [{ partition: 0, offset: '9' }] }),
      (e: { cause?: { partitions?: { error: { type?: string } }[] } }) => {
        assert.equal(e.cause?.partitions?.[0]?.error.type, 'OFFSET_OUT_OF_RANGE', `got ${String(e)}`);
        return true;
      },
    );
    await admin.deleteTopicRecords({ topic: 'kjs-trimmed', partitions: [{ partition: 0, offset: '-1' }] });
    assert.equal(
      (await admin.fetchTopicOffsets('kjs-trimmed')).find((p) => p.partition === 0)?.low,
      '3',
      '-1 deletes up to the high watermark',
    );
  });
});

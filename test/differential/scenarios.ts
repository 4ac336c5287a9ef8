/**
 * The differential harness's scenarios: each sends the same requests to a cluster (the sandbox or a real Kafka
 * 2.1.1) and returns what a client could notice (error codes, messages, flags), with nothing that differs between
 * two correct brokers (generated ids, offsets of other runs, byte counts). See ./sandbox-vs-kafka.ts.
 */
import { Kafka, logLevel } from 'kafkajs';
import { gzipSync } from 'node:zlib';
import { ApiKey, type ApiKeyNumber, type RequestByKey, type ResponseByKey } from '../../extension/core/kafka/protocol';
import {
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  RECORDS_COUNT_OFFSET,
  RecordBatchBuilder,
  readRecordBatches,
  recordBodySizeWithoutDeltas,
} from '../../extension/core/kafka/record-batch';
import { crc32c } from '../../extension/core/kafka/crc32c';
import { WireClient } from '../integration/wire-client';

export interface Target {
  name: string;
  bootstrap: string;
  /** A unique suffix for topic and group names, so re-runs against one real cluster do not collide. */
  run: string;
}

export interface Scenario {
  name: string;
  run(t: Target): Promise<unknown>;
}

// ---- helpers ---------------------------------------------------------------------------------------------------

export async function withClient<T>(address: string, fn: (c: WireClient) => Promise<T>): Promise<T> {
  const c = await WireClient.connect(address);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

export const first = (t: Target) => t.bootstrap.split(',')[0];

export async function metadata(t: Target, topics: string[] | null) {
  return withClient(first(t), (c) =>
    c.request(ApiKey.Metadata, 5, {
      topics: topics && topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    }),
  );
}

export async function controller(t: Target): Promise<string> {
  const md = await metadata(t, []);
  const b = md.brokers.find((x) => x.nodeId === md.controllerId)!;
  return `${b.host}:${b.port}`;
}

export async function leaderOf(t: Target, topic: string, partition = 0): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const md = await metadata(t, [topic]);
    const p = md.topics[0]?.partitions.find((x) => x.partitionIndex === partition);
    const b = md.brokers.find((x) => x.nodeId === p?.leaderId);
    if (b) return `${b.host}:${b.port}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no leader for ${topic}-${partition}`);
}

export async function call<K extends ApiKeyNumber>(
  address: string,
  key: K,
  version: number,
  body: RequestByKey[K],
): Promise<ResponseByKey[K]> {
  return withClient(address, (c) => c.request(key, version, body));
}

export async function createTopics(
  t: Target,
  topics: { name: string; partitions?: number; rf?: number; configs?: Record<string, string | null> }[],
  validateOnly = false,
) {
  const res = await call(await controller(t), ApiKey.CreateTopics, 2, {
    topics: topics.map((x) => ({
      name: x.name,
      numPartitions: x.partitions ?? 1,
      replicationFactor: x.rf ?? 1,
      assignments: [],
      configs: Object.entries(x.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 10000,
    validateOnly,
  });
  return res.topics.map((x) => ({ name: x.name, errorCode: x.errorCode, errorMessage: x.errorMessage }));
}

export async function createTopic(
  t: Target,
  name: string,
  configs: Record<string, string | null> = {},
  partitions = 1,
  rf = 1,
) {
  const [r] = await createTopics(t, [{ name, configs, partitions, rf }]);
  if (r.errorCode !== 0) throw new Error(`creating ${name}: ${r.errorCode} ${r.errorMessage}`);
  await leaderOf(t, name);
}

/** A v2 batch of records (key null when `key` is null). */
export function batchOf(records: { key: string | null; value: string }[], timestamp = Date.now()): Buffer {
  const b = new RecordBatchBuilder(1024 + records.length * 256, timestamp);
  for (const r of records) {
    const key = r.key === null ? null : Buffer.from(r.key);
    const value = Buffer.from(r.value);
    b.tryAppend(timestamp, key, value, undefined, recordBodySizeWithoutDeltas(key, value));
  }
  return b.build();
}

/** Rewrites the CRC after a test edits a batch's bytes. */
export function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return batch;
}

export async function produceRaw(t: Target, topic: string, records: Buffer, acks = -1) {
  // A real broker learns it leads a new partition a moment after the controller says so: retry while it does not.
  for (let attempt = 0; ; attempt++) {
    const res = await call(await leaderOf(t, topic), ApiKey.Produce, 3, {
      transactionalId: null,
      acks,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    const code = res.responses[0].partitionResponses[0].errorCode;
    if ((code !== 3 && code !== 6) || attempt >= 30) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function kafkajs(t: Target) {
  return new Kafka({
    clientId: 'diff',
    brokers: t.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

async function errorOf(p: Promise<unknown>): Promise<{ ok: true } | { error: string; type?: string }> {
  try {
    await p;
    return { ok: true };
  } catch (e) {
    const err = e as { type?: string; message: string };
    return { error: err.message, type: err.type };
  }
}

// ---- scenarios -------------------------------------------------------------------------------------------------

export const SCENARIOS: Scenario[] = [
  {
    name: 'ApiVersions: the APIs and versions served',
    run: async (t) => {
      const r = await call(first(t), ApiKey.ApiVersions, 1, {} as RequestByKey[18]);
      return r.apiKeys
        .filter((k) => k.apiKey !== 17 && k.apiKey !== 36)
        .map((k) => `${k.apiKey}:${k.minVersion}-${k.maxVersion}`)
        .join(' ');
    },
  },
  {
    name: 'Metadata: __consumer_offsets is internal once a group used it',
    run: async (t) => {
      const consumer = kafkajs(t).consumer({ groupId: `g-meta-${t.run}` });
      await consumer.connect();
      await consumer.disconnect();
      const md = await metadata(t, ['__consumer_offsets']);
      return { errorCode: md.topics[0].errorCode, isInternal: md.topics[0].isInternal };
    },
  },
  {
    name: 'Produce: a 1,010,000-byte record (default max.message.bytes 1000012)',
    run: async (t) => {
      const topic = `big-${t.run}`;
      await createTopic(t, topic);
      const b = new RecordBatchBuilder(1_100_000, Date.now());
      const value = Buffer.alloc(1_010_000, 120);
      b.tryAppend(Date.now(), null, value, undefined, recordBodySizeWithoutDeltas(null, value));
      return { errorCode: await produceRaw(t, topic, b.build()) };
    },
  },
  {
    name: 'Produce: a 999,000-byte record fits',
    run: async (t) => {
      const topic = `fits-${t.run}`;
      await createTopic(t, topic);
      const b = new RecordBatchBuilder(1_100_000, Date.now());
      const value = Buffer.alloc(999_000, 120);
      b.tryAppend(Date.now(), null, value, undefined, recordBodySizeWithoutDeltas(null, value));
      return { errorCode: await produceRaw(t, topic, b.build()) };
    },
  },
  ...(
    [
      ['retention.ms', 'abc'],
      ['cleanup.policy', 'bogus'],
      ['max.compaction.lag.ms', '1000'],
      ['retention.ms', null],
      ['min.insync.replicas', '0'],
      ['compression.type', 'brotli'],
      ['message.timestamp.type', 'Now'],
      ['segment.bytes', '10'],
      ['max.message.bytes', '-5'],
      ['unclean.leader.election.enable', 'maybe'],
      ['min.cleanable.dirty.ratio', '2'],
      ['cleanup.policy', 'compact,delete'],
      ['retention.ms', '-1'],
    ] as [string, string | null][]
  ).map(([name, value], i): Scenario => ({
    name: `CreateTopics: config ${name}=${value}`,
    run: async (t) => (await createTopics(t, [{ name: `cfg-${i}-${t.run}`, configs: { [name]: value } }], true))[0],
  })),
  {
    name: 'CreateTopics: a.b while a_b exists',
    run: async (t) => {
      await createTopic(t, `a_b${t.run}`);
      return (await createTopics(t, [{ name: `a.b${t.run}` }]))[0];
    },
  },
  {
    name: 'CreateTopics: the same topic twice in one request',
    run: async (t) => {
      const name = `twice-${t.run}`;
      const answers = await createTopics(t, [{ name }, { name }]);
      const md = await metadata(t, [name]);
      return { answers, exists: md.topics[0].errorCode === 0 };
    },
  },
  {
    name: 'CreateTopics: replication factor 4 on 3 brokers',
    run: async (t) => (await createTopics(t, [{ name: `rf4-${t.run}`, rf: 4 }]))[0],
  },
  {
    name: 'CreateTopics: 0 partitions',
    run: async (t) => (await createTopics(t, [{ name: `p0-${t.run}`, partitions: 0 }]))[0],
  },
  {
    name: 'Produce: a keyless record to a compacted topic',
    run: async (t) => {
      const topic = `compact-${t.run}`;
      await createTopic(t, topic, { 'cleanup.policy': 'compact' });
      return {
        keyless: await produceRaw(t, topic, batchOf([{ key: null, value: 'v' }])),
        keyed: await produceRaw(t, topic, batchOf([{ key: 'k', value: 'v' }])),
      };
    },
  },
  {
    name: 'Produce: a topic with compression.type=gzip stores gzip',
    run: async (t) => {
      const topic = `gz-${t.run}`;
      await createTopic(t, topic, { 'compression.type': 'gzip' });
      const code = await produceRaw(
        t,
        topic,
        batchOf([
          { key: 'k', value: 'hello' },
          { key: 'k2', value: 'world' },
        ]),
      );
      const f = await call(await leaderOf(t, topic), ApiKey.Fetch, 4, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
            ],
          },
        ],
        forgottenTopicsData: [],
      } as RequestByKey[1]);
      const records = f.responses[0].partitions[0].records!;
      const batches = readRecordBatches(records);
      return {
        errorCode: code,
        batches: batches.length,
        codec: batches.map((b) => b.attributes & 7),
        count: batches.map((b) => b.recordCount),
      };
    },
  },
  {
    name: 'Produce: a batch declaring 5 records holding 1',
    run: async (t) => {
      const topic = `lies-${t.run}`;
      await createTopic(t, topic);
      const b = batchOf([{ key: 'k', value: 'v' }]);
      b.writeInt32BE(5, RECORDS_COUNT_OFFSET);
      b.writeInt32BE(4, 23); // lastOffsetDelta
      return { errorCode: await produceRaw(t, topic, fixCrc(b)) };
    },
  },
  {
    name: 'Produce: a gzip batch whose payload is not gzip',
    run: async (t) => {
      const topic = `notgz-${t.run}`;
      await createTopic(t, topic);
      const b = batchOf([{ key: 'k', value: 'v' }]);
      b.writeInt16BE(1, ATTRIBUTES_OFFSET);
      return { errorCode: await produceRaw(t, topic, fixCrc(b)) };
    },
  },
  {
    name: 'Produce: a gzip batch that is valid',
    run: async (t) => {
      const topic = `okgz-${t.run}`;
      await createTopic(t, topic);
      const plain = batchOf([{ key: 'k', value: 'v' }]);
      const body = gzipSync(plain.subarray(61));
      const b = Buffer.concat([plain.subarray(0, 61), body]);
      b.writeInt32BE(b.length - 12, 8);
      b.writeInt16BE(1, ATTRIBUTES_OFFSET);
      return { errorCode: await produceRaw(t, topic, fixCrc(b)) };
    },
  },
  {
    name: 'Produce: two batches for one partition in one request',
    run: async (t) => {
      const topic = `two-${t.run}`;
      await createTopic(t, topic);
      const two = Buffer.concat([batchOf([{ key: 'a', value: '1' }]), batchOf([{ key: 'b', value: '2' }])]);
      return { errorCode: await produceRaw(t, topic, two) };
    },
  },
  {
    name: 'Produce: a record whose timestamp is far in the past (message.timestamp.difference.max.ms default)',
    run: async (t) => {
      const topic = `old-${t.run}`;
      await createTopic(t, topic);
      return { errorCode: await produceRaw(t, topic, batchOf([{ key: 'a', value: '1' }], 1000)) };
    },
  },
  ...([1000, 400_000] as const).map((ms): Scenario => ({
    name: `JoinGroup: session timeout ${ms} ms`,
    run: async (t) => {
      const group = `g-sess-${ms}-${t.run}`;
      const coord = await findCoordinator(t, group);
      const r = await call(coord, ApiKey.JoinGroup, 2, {
        groupId: group,
        sessionTimeoutMs: ms,
        rebalanceTimeoutMs: 10000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      });
      return { errorCode: r.errorCode };
    },
  })),
  {
    name: 'Heartbeat between JoinGroup and SyncGroup',
    run: async (t) => {
      const group = `g-hb-${t.run}`;
      const coord = await findCoordinator(t, group);
      return withClient(coord, async (c) => {
        const j = await c.request(ApiKey.JoinGroup, 2, {
          groupId: group,
          sessionTimeoutMs: 10000,
          rebalanceTimeoutMs: 10000,
          memberId: '',
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        });
        const hb = await c.request(ApiKey.Heartbeat, 1, {
          groupId: group,
          generationId: j.generationId,
          memberId: j.memberId,
        });
        const sync = await c.request(ApiKey.SyncGroup, 1, {
          groupId: group,
          generationId: j.generationId,
          memberId: j.memberId,
          assignments: [{ memberId: j.memberId, assignment: Buffer.alloc(0) }],
        });
        const hb2 = await c.request(ApiKey.Heartbeat, 1, {
          groupId: group,
          generationId: j.generationId,
          memberId: j.memberId,
        });
        const hbWrongGen = await c.request(ApiKey.Heartbeat, 1, {
          groupId: group,
          generationId: j.generationId + 5,
          memberId: j.memberId,
        });
        return {
          join: j.errorCode,
          heartbeatBeforeSync: hb.errorCode,
          sync: sync.errorCode,
          heartbeatAfterSync: hb2.errorCode,
          wrongGeneration: hbWrongGen.errorCode,
        };
      });
    },
  },
  {
    name: 'ListGroups and DeleteGroups (an empty group with offsets, a live one, an unknown one)',
    run: async (t) => {
      const empty = `g-empty-${t.run}`;
      const topic = `lg-${t.run}`;
      await createTopic(t, topic);
      const admin = kafkajs(t).admin();
      await admin.connect();
      try {
        await admin.setOffsets({ groupId: empty, topic, partitions: [{ partition: 0, offset: '0' }] });
        const listed = (await admin.listGroups()).groups.some((g) => g.groupId === empty);
        const coord = await findCoordinator(t, empty);
        const del = await call(coord, ApiKey.DeleteGroups, 1, { groupsNames: [empty, `never-${t.run}`] });
        const again = await call(coord, ApiKey.DeleteGroups, 1, { groupsNames: [empty] });
        const listedAfter = (await admin.listGroups()).groups.some((g) => g.groupId === empty);
        return {
          listed,
          deleted: del.results.map((r) => r.errorCode),
          again: again.results.map((r) => r.errorCode),
          listedAfter,
        };
      } finally {
        await admin.disconnect();
      }
    },
  },
  {
    name: 'DeleteGroups: a group with a live member',
    run: async (t) => {
      const group = `g-live-${t.run}`;
      const coord = await findCoordinator(t, group);
      return withClient(coord, async (c) => {
        await c.request(ApiKey.JoinGroup, 2, {
          groupId: group,
          sessionTimeoutMs: 10000,
          rebalanceTimeoutMs: 10000,
          memberId: '',
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        });
        const del = await call(coord, ApiKey.DeleteGroups, 1, { groupsNames: [group] });
        return del.results.map((r) => r.errorCode);
      });
    },
  },
  {
    name: 'DescribeConfigs: a topic with one config set (names, values, sources of a few)',
    run: async (t) => {
      const topic = `dc-${t.run}`;
      await createTopic(t, topic, { 'retention.ms': '3600000' });
      const r = await call(first(t), ApiKey.DescribeConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }],
        includeSynonyms: false,
      } as RequestByKey[32]);
      const res = r.results[0];
      const pick = (n: string) => {
        const c = res.configs.find((x) => x.name === n);
        return c && { value: c.value, source: c.configSource, readOnly: c.readOnly, sensitive: c.isSensitive };
      };
      return {
        errorCode: res.errorCode,
        count: res.configs.length,
        names: res.configs
          .map((c) => c.name)
          .sort()
          .join(','),
        retention: pick('retention.ms'),
        cleanup: pick('cleanup.policy'),
        maxMessage: pick('max.message.bytes'),
        minIsr: pick('min.insync.replicas'),
      };
    },
  },
  {
    name: 'DescribeConfigs: an unknown topic',
    run: async (t) => {
      const r = await call(first(t), ApiKey.DescribeConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: `nope-${t.run}`, configurationKeys: null }],
        includeSynonyms: false,
      } as RequestByKey[32]);
      return { errorCode: r.results[0].errorCode, errorMessage: r.results[0].errorMessage };
    },
  },
  {
    name: 'DescribeConfigs: broker 1, some keys',
    run: async (t) => {
      const r = await call(first(t), ApiKey.DescribeConfigs, 1, {
        resources: [
          {
            resourceType: 4,
            resourceName: '1',
            configurationKeys: [
              'min.insync.replicas',
              'auto.leader.rebalance.enable',
              'message.max.bytes',
              'num.partitions',
              'group.min.session.timeout.ms',
            ],
          },
        ],
        includeSynonyms: false,
      } as RequestByKey[32]);
      return {
        errorCode: r.results[0].errorCode,
        configs: r.results[0].configs.map((c) => `${c.name}=${c.value}(${c.configSource},ro=${c.readOnly})`).sort(),
      };
    },
  },
  {
    name: 'AlterConfigs: a topic, valid then invalid, then DescribeConfigs sees it',
    run: async (t) => {
      const topic = `ac-${t.run}`;
      await createTopic(t, topic);
      const alter = (configs: Record<string, string>) =>
        call(first(t), ApiKey.AlterConfigs, 0, {
          resources: [
            {
              resourceType: 2,
              resourceName: topic,
              configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
            },
          ],
          validateOnly: false,
        });
      const ok = (await alter({ 'retention.ms': '1000', 'cleanup.policy': 'compact' })).responses[0];
      const bad = (await alter({ 'retention.ms': 'abc' })).responses[0];
      const unknown = (await alter({ 'bogus.config': '1' })).responses[0];
      const d = await call(first(t), ApiKey.DescribeConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms', 'cleanup.policy'] }],
        includeSynonyms: false,
      } as RequestByKey[32]);
      return {
        ok: [ok.errorCode, ok.errorMessage],
        bad: [bad.errorCode, bad.errorMessage],
        unknown: [unknown.errorCode, unknown.errorMessage],
        after: d.results[0].configs.map((c) => `${c.name}=${c.value}(${c.configSource})`).sort(),
      };
    },
  },
  {
    name: 'CreatePartitions: up to 3, down to 2, unknown topic',
    run: async (t) => {
      const topic = `cp-${t.run}`;
      await createTopic(t, topic);
      const ctl = await controller(t);
      const cp = (name: string, count: number) =>
        call(ctl, ApiKey.CreatePartitions, 0, {
          topics: [{ name, count, assignments: null }],
          timeoutMs: 5000,
          validateOnly: false,
        });
      const up = (await cp(topic, 3)).results[0];
      const down = (await cp(topic, 2)).results[0];
      const same = (await cp(topic, 3)).results[0];
      const unknown = (await cp(`nope-${t.run}`, 3)).results[0];
      await new Promise((r) => setTimeout(r, 500));
      const md = await metadata(t, [topic]);
      return {
        up: [up.errorCode, up.errorMessage],
        down: [down.errorCode, down.errorMessage],
        same: [same.errorCode, same.errorMessage],
        unknown: [unknown.errorCode, unknown.errorMessage],
        partitions: md.topics[0].partitions.length,
      };
    },
  },
  {
    name: 'DeleteRecords: log start moves; ListOffsets earliest and Fetch below it',
    run: async (t) => {
      const topic = `dr-${t.run}`;
      await createTopic(t, topic);
      await produceRaw(t, topic, batchOf([0, 1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: `v${i}` }))));
      const leader = await leaderOf(t, topic);
      const del = await call(leader, ApiKey.DeleteRecords, 0, {
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 3 }] }],
        timeoutMs: 5000,
      });
      const beyond = await call(leader, ApiKey.DeleteRecords, 0, {
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 99 }] }],
        timeoutMs: 5000,
      });
      const lo = await call(leader, ApiKey.ListOffsets, 2, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 }] },
        ],
      } as RequestByKey[2]);
      const f = await call(leader, ApiKey.Fetch, 5, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, fetchOffset: 1, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
            ],
          },
        ],
        forgottenTopicsData: [],
      } as RequestByKey[1]);
      const f3 = await call(leader, ApiKey.Fetch, 5, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, fetchOffset: 3, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
            ],
          },
        ],
        forgottenTopicsData: [],
      } as RequestByKey[1]);
      const p3 = f3.responses[0].partitions[0];
      return {
        delete: del.topics[0].partitions.map((p) => [p.errorCode, p.lowWatermark]),
        beyond: beyond.topics[0].partitions.map((p) => [p.errorCode, p.lowWatermark]),
        earliest: lo.topics[0].partitions[0].offset,
        fetchBelow: f.responses[0].partitions[0].errorCode,
        fetchAt: [p3.errorCode, p3.logStartOffset, p3.records && p3.records.length > 0],
      };
    },
  },
  {
    name: 'OffsetForLeaderEpoch v2: epoch 0, current epoch, an unknown epoch',
    run: async (t) => {
      const topic = `ofle-${t.run}`;
      await createTopic(t, topic);
      await produceRaw(
        t,
        topic,
        batchOf([
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ]),
      );
      const leader = await leaderOf(t, topic);
      const r = await call(leader, ApiKey.OffsetForLeaderEpoch, 2, {
        topics: [
          {
            topic,
            partitions: [
              { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
              { partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 },
            ],
          },
        ],
      } as RequestByKey[23]);
      const fenced = await call(leader, ApiKey.OffsetForLeaderEpoch, 2, {
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: 7, leaderEpoch: 0 }] }],
      } as RequestByKey[23]);
      return {
        r: r.topics[0].partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]),
        future: fenced.topics[0].partitions.map((p) => [p.errorCode, p.endOffset]),
      };
    },
  },
  {
    name: 'DescribeLogDirs: one topic (shape)',
    run: async (t) => {
      const topic = `dld-${t.run}`;
      await createTopic(t, topic);
      await produceRaw(t, topic, batchOf([{ key: 'a', value: '1' }]));
      const r = await call(await leaderOf(t, topic), ApiKey.DescribeLogDirs, 0, {
        topics: [{ topic, partitions: [0] }],
      });
      return r.results.map((d) => ({
        errorCode: d.errorCode,
        topics: d.topics.map((x) => ({
          name: x.name === topic,
          partitions: x.partitions.map((p) => [p.partitionIndex, p.partitionSize > 0, p.offsetLag, p.isFutureKey]),
        })),
      }));
    },
  },
  {
    name: 'DescribeAcls / CreateAcls / DeleteAcls without an authorizer',
    run: async (t) => {
      const d = await call(first(t), ApiKey.DescribeAcls, 0, {
        resourceTypeFilter: 1,
        resourceNameFilter: null,
        principalFilter: null,
        hostFilter: null,
        operation: 1,
        permissionType: 1,
      } as RequestByKey[29]);
      const c = await call(first(t), ApiKey.CreateAcls, 0, {
        creations: [
          {
            resourceType: 2,
            resourceName: 't',
            resourcePatternType: 3,
            principal: 'User:x',
            host: '*',
            operation: 3,
            permissionType: 3,
          },
        ],
      } as RequestByKey[30]);
      const del = await call(first(t), ApiKey.DeleteAcls, 0, {
        filters: [
          {
            resourceTypeFilter: 1,
            resourceNameFilter: null,
            patternTypeFilter: 3,
            principalFilter: null,
            hostFilter: null,
            operation: 1,
            permissionType: 1,
          },
        ],
      } as RequestByKey[31]);
      return {
        describe: [d.errorCode, d.errorMessage],
        create: (c as unknown as { results: { errorCode: number; errorMessage: string | null }[] }).results.map((x) => [
          x.errorCode,
          x.errorMessage,
        ]),
        delete: (
          del as unknown as { filterResults: { errorCode: number; errorMessage: string | null }[] }
        ).filterResults.map((x) => [x.errorCode, x.errorMessage]),
      };
    },
  },
  {
    name: 'ListOffsets v4: leader epoch of latest',
    run: async (t) => {
      const topic = `lo4-${t.run}`;
      await createTopic(t, topic);
      await produceRaw(t, topic, batchOf([{ key: 'a', value: '1' }]));
      const r = await call(await leaderOf(t, topic), ApiKey.ListOffsets, 4, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] },
        ],
      } as RequestByKey[2]);
      const e = await call(await leaderOf(t, topic), ApiKey.ListOffsets, 4, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 }] },
        ],
      } as RequestByKey[2]);
      const p = r.topics[0].partitions[0];
      return {
        latest: [p.errorCode, p.offset, p.leaderEpoch, p.timestamp],
        earliest: [e.topics[0].partitions[0].offset, e.topics[0].partitions[0].leaderEpoch],
      };
    },
  },
  {
    name: 'Fetch v7: a full fetch asking for a session (epoch 0)',
    run: async (t) => {
      const topic = `fs-${t.run}`;
      await createTopic(t, topic);
      const f = await call(await leaderOf(t, topic), ApiKey.Fetch, 7, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: 0,
        topics: [
          {
            topic,
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
            ],
          },
        ],
        forgottenTopicsData: [],
      } as RequestByKey[1]);
      return { errorCode: f.errorCode, sessionGranted: f.sessionId !== 0 };
    },
  },
  {
    name: 'SaslHandshake on a PLAINTEXT listener',
    run: async (t) => {
      try {
        const r = await call(first(t), ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' } as RequestByKey[17]);
        return { errorCode: r.errorCode, mechanisms: (r as { mechanisms: string[] }).mechanisms };
      } catch (e) {
        return { failed: (e as Error).message };
      }
    },
  },
  {
    name: 'kafkajs admin: describeConfigs of a topic (what the explorer would show)',
    run: async (t) => {
      const topic = `kjs-dc-${t.run}`;
      await createTopic(t, topic, { 'cleanup.policy': 'compact' });
      const admin = kafkajs(t).admin();
      await admin.connect();
      try {
        const r = await admin.describeConfigs({
          resources: [{ type: 2, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
          includeSynonyms: false,
        });
        return r.resources[0].configEntries
          .map((c) => `${c.configName}=${c.configValue} default=${c.isDefault} source=${c.configSource}`)
          .sort();
      } finally {
        await admin.disconnect();
      }
    },
  },
  {
    name: 'kafkajs admin: fetchOffsets of a group with lag',
    run: async (t) => {
      const topic = `kjs-lag-${t.run}`;
      const groupId = `g-lag-${t.run}`;
      await createTopic(t, topic);
      await produceRaw(t, topic, batchOf([0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}` }))));
      const admin = kafkajs(t).admin();
      await admin.connect();
      try {
        await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
        const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
        const end = await admin.fetchTopicOffsets(topic);
        const groups = await admin.describeGroups([groupId]);
        return {
          committed: offsets[0].partitions.map((p) => p.offset),
          end: end.map((p) => p.high),
          state: groups.groups[0].state,
        };
      } finally {
        await admin.disconnect();
      }
    },
  },
  {
    name: 'kafkajs admin: createTopics with a bad config (error a user sees)',
    run: async (t) => {
      const admin = kafkajs(t).admin();
      await admin.connect();
      try {
        return await errorOf(
          admin.createTopics({
            topics: [{ topic: `kjs-bad-${t.run}`, configEntries: [{ name: 'retention.ms', value: 'abc' }] }],
          }),
        );
      } finally {
        await admin.disconnect();
      }
    },
  },
];

export async function findCoordinator(t: Target, group: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = await call(first(t), ApiKey.FindCoordinator, 1, { key: group, keyType: 0 });
    if (r.errorCode === 0) return `${r.host}:${r.port}`;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no coordinator for ${group}`);
}

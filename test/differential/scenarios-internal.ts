/**
 * Differential scenarios for `__consumer_offsets` and fetch sessions (KIP-227). FIRST_SCENARIOS need a cluster where
 * no group was used yet (run the harness against a freshly started real Kafka); LAST_SCENARIOS change the cluster
 * for whatever runs after them (they fill the fetch session cache, delete `__consumer_offsets`).
 */
import { ApiKey, type FetchResponse, type RequestByKey } from '../../extension/core/kafka/protocol';
import { offsetsPartitionFor } from '../../extension/core/sandbox/cluster/offsets-topic';
import { WireClient } from '../integration/wire-client';
import { batchOf, call, controller, first, kafkajs, leaderOf, metadata, type Scenario, type Target } from './scenarios';

const OFFSETS = '__consumer_offsets';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function brokerIdOf(t: Target, address: string): Promise<number> {
  const md = await metadata(t, []);
  const b = md.brokers.find((x) => `${x.host}:${x.port}` === address);
  if (!b) throw new Error(`no broker at ${address}`);
  return b.nodeId;
}

/** Creates `topic` with every partition (replication factor 1) on `brokerId`, so one broker's sessions cover them. */
async function createOn(t: Target, topic: string, partitions: number, brokerId: number): Promise<void> {
  const res = await call(await controller(t), ApiKey.CreateTopics, 2, {
    topics: [
      {
        name: topic,
        numPartitions: -1,
        replicationFactor: -1,
        assignments: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, brokerIds: [brokerId] })),
        configs: [],
      },
    ],
    timeoutMs: 10000,
    validateOnly: false,
  });
  if (res.topics[0].errorCode !== 0) throw new Error(`creating ${topic}: ${res.topics[0].errorCode}`);
  for (let p = 0; p < partitions; p++) await leaderOf(t, topic, p);
}

async function produceTo(address: string, topic: string, partition: number, values: string[]): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const r = await call(address, ApiKey.Produce, 3, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: topic,
          partitionData: [{ index: partition, records: batchOf(values.map((value) => ({ key: 'k', value }))) }],
        },
      ],
    });
    const code = r.responses[0].partitionResponses[0].errorCode;
    if ((code !== 3 && code !== 6) || attempt >= 30) return code;
    await sleep(100);
  }
}

interface FetchSpec {
  sessionId: number;
  epoch: number;
  parts?: [topic: string, partition: number, fetchOffset: number][];
  forget?: [topic: string, partition: number][];
  version?: number;
}

async function fetchWith(c: WireClient, spec: FetchSpec): Promise<FetchResponse> {
  const topics: RequestByKey[1]['topics'] = [];
  for (const [topic, partition, fetchOffset] of spec.parts ?? []) {
    const entry = { partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 };
    const last = topics[topics.length - 1];
    if (last && last.topic === topic) last.partitions.push(entry);
    else topics.push({ topic, partitions: [entry] });
  }
  return c.request(ApiKey.Fetch, spec.version ?? 7, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: spec.sessionId,
    sessionEpoch: spec.epoch,
    topics,
    forgottenTopicsData: (spec.forget ?? []).map(([topic, partition]) => ({ topic, partitions: [partition] })),
  });
}

/** What a client sees of a Fetch answer, with topic names and session ids replaced by stable labels. */
class Summarizer {
  private readonly ids = new Map<number, string>();
  constructor(private readonly labels: Record<string, string>) {}
  session(id: number): string {
    if (id === 0) return 'none';
    if (!this.ids.has(id)) this.ids.set(id, `S${this.ids.size + 1}`);
    return this.ids.get(id)!;
  }
  of(r: FetchResponse): string {
    const parts = r.responses.flatMap((t) =>
      t.partitions.map(
        (p) =>
          `${this.labels[t.topic] ?? t.topic}-${p.partitionIndex} e=${p.errorCode} hw=${p.highWatermark} ls=${p.logStartOffset}` +
          (p.records && p.records.length > 0 ? ' +records' : ''),
      ),
    );
    return `error=${r.errorCode} session=${this.session(r.sessionId)} [${parts.join(', ')}]`;
  }
}

async function findCoordinatorCodes(t: Target, group: string): Promise<{ codes: number[]; nodeId: number }> {
  const codes: number[] = [];
  for (let i = 0; i < 100; i++) {
    const r = await call(first(t), ApiKey.FindCoordinator, 1, { key: group, keyType: 0 });
    if (codes[codes.length - 1] !== r.errorCode) codes.push(r.errorCode);
    if (r.errorCode === 0) return { codes, nodeId: r.nodeId };
    await sleep(100);
  }
  throw new Error(`no coordinator for ${group}: ${codes.join(',')}`);
}

export const FIRST_SCENARIOS: Scenario[] = [
  {
    name: "FindCoordinator: a group's first creates __consumer_offsets (fresh cluster)",
    run: async (t) => {
      const before = await metadata(t, null);
      const existedBefore = before.topics.some((x) => x.name === OFFSETS);
      const group = `g-first-${t.run}`;
      const { codes, nodeId } = await findCoordinatorCodes(t, group);
      const md = await metadata(t, [OFFSETS]);
      const topic = md.topics[0];
      const partition = topic.partitions.find((p) => p.partitionIndex === offsetsPartitionFor(group, 50));
      return {
        existedBefore,
        codesUntilFound: codes,
        isInternal: topic.isInternal,
        partitions: topic.partitions.length,
        replicationFactor: topic.partitions[0]?.replicaNodes.length,
        coordinatorLeadsTheGroupsPartition: partition?.leaderId === nodeId,
      };
    },
  },
];

const SESSION_SCENARIOS: Scenario[] = [
  {
    name: 'Fetch sessions: full, incremental without and with news, stale epoch, unknown topic, forget, close',
    run: async (t) => {
      const address = first(t);
      const broker = await brokerIdOf(t, address);
      const [a, b] = [`fsa-${t.run}`, `fsb-${t.run}`];
      await createOn(t, a, 2, broker);
      await createOn(t, b, 1, broker);
      const s = new Summarizer({ [a]: 'A', [b]: 'B', [`fsu-${t.run}`]: 'U' });
      const c = await WireClient.connect(address);
      const out: string[] = [];
      try {
        const full = await fetchWith(c, {
          sessionId: 0,
          epoch: 0,
          parts: [
            [a, 0, 0],
            [a, 1, 0],
            [b, 0, 0],
          ],
        });
        out.push(s.of(full));
        const id = full.sessionId;
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 1 })));
        await produceTo(address, a, 1, ['x', 'y']);
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 2 })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 3, parts: [[a, 1, 2]] })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 3 })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 4, parts: [[`fsu-${t.run}`, 0, 0]] })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 5 })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 6, forget: [[`fsu-${t.run}`, 0]] })));
        await produceTo(address, b, 0, ['z']);
        await produceTo(address, a, 0, ['w']);
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 7 })));
        out.push(s.of(await fetchWith(c, { sessionId: 0x7ffffff0, epoch: 1 })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: -1, parts: [[a, 0, 0]] })));
        out.push(s.of(await fetchWith(c, { sessionId: id, epoch: 8 })));
      } finally {
        c.close();
      }
      return out;
    },
  },
  {
    name: 'Fetch sessions: forgetting every partition closes it; epoch 0 naming a session replaces it; v6 has none',
    run: async (t) => {
      const address = first(t);
      const broker = await brokerIdOf(t, address);
      const a = `fsc-${t.run}`;
      await createOn(t, a, 1, broker);
      const s = new Summarizer({ [a]: 'A' });
      const c = await WireClient.connect(address);
      const out: string[] = [];
      try {
        const one = await fetchWith(c, { sessionId: 0, epoch: 0, parts: [[a, 0, 0]] });
        out.push(s.of(one));
        out.push(s.of(await fetchWith(c, { sessionId: one.sessionId, epoch: 1, forget: [[a, 0]] })));
        out.push(s.of(await fetchWith(c, { sessionId: one.sessionId, epoch: 2 })));
        const two = await fetchWith(c, { sessionId: 0, epoch: 0, parts: [[a, 0, 0]] });
        out.push(s.of(two));
        const three = await fetchWith(c, { sessionId: two.sessionId, epoch: 0, parts: [[a, 0, 0]] });
        out.push(s.of(three));
        out.push(s.of(await fetchWith(c, { sessionId: two.sessionId, epoch: 1 })));
        out.push(s.of(await fetchWith(c, { sessionId: three.sessionId, epoch: 1 })));
        out.push(s.of(await fetchWith(c, { sessionId: 0, epoch: 0, parts: [[a, 0, 0]], version: 6 })));
      } finally {
        c.close();
      }
      return out;
    },
  },
  {
    name: "Fetch sessions: another broker does not know a broker's session",
    run: async (t) => {
      const [one, other] = t.bootstrap.split(',');
      const a = `fsx-${t.run}`;
      await createOn(t, a, 1, await brokerIdOf(t, one));
      const s = new Summarizer({ [a]: 'A' });
      const c = await WireClient.connect(one);
      const d = await WireClient.connect(other);
      try {
        const full = await fetchWith(c, { sessionId: 0, epoch: 0, parts: [[a, 0, 0]] });
        return [s.of(full), s.of(await fetchWith(d, { sessionId: full.sessionId, epoch: 1 }))];
      } finally {
        c.close();
        d.close();
      }
    },
  },
  {
    name: 'Fetch sessions: DeleteRecords moving the log start offset is news',
    run: async (t) => {
      const address = first(t);
      const a = `fsd-${t.run}`;
      await createOn(t, a, 1, await brokerIdOf(t, address));
      await produceTo(address, a, 0, ['1', '2', '3']);
      const s = new Summarizer({ [a]: 'A' });
      const c = await WireClient.connect(address);
      try {
        const full = await fetchWith(c, { sessionId: 0, epoch: 0, parts: [[a, 0, 3]] });
        const del = await call(address, ApiKey.DeleteRecords, 1, {
          topics: [{ name: a, partitions: [{ partitionIndex: 0, offset: 2 }] }],
          timeoutMs: 5000,
        });
        return [
          s.of(full),
          del.topics[0].partitions[0].errorCode,
          s.of(await fetchWith(c, { sessionId: full.sessionId, epoch: 1 })),
          s.of(await fetchWith(c, { sessionId: full.sessionId, epoch: 2 })),
        ];
      } finally {
        c.close();
      }
    },
  },
];

const WAIT_SCENARIOS: Scenario[] = [
  {
    name: 'Fetch v10: a partition the broker lacks does not cut the wait for another short',
    run: async (t) => {
      const address = first(t);
      const a = `fsw-${t.run}`;
      await createOn(t, a, 1, await brokerIdOf(t, address));
      const s = new Summarizer({ [a]: 'A', [`fswu-${t.run}`]: 'U' });
      const c = await WireClient.connect(address);
      try {
        const pending = c.request(
          ApiKey.Fetch,
          10,
          {
            replicaId: -1,
            maxWaitMs: 10_000,
            minBytes: 1,
            maxBytes: 1 << 20,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [a, `fswu-${t.run}`].map((topic) => ({
              topic,
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: 0,
                  logStartOffset: -1,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            })),
            forgottenTopicsData: [],
          },
          15_000,
        );
        // Sent once the fetch is surely waiting; a broker that answered at once has no record to show.
        await sleep(500);
        await produceTo(address, a, 0, ['late']);
        return s.of(await pending);
      } finally {
        c.close();
      }
    },
  },
];

const OFFSETS_SCENARIOS: Scenario[] = [
  {
    name: '__consumer_offsets: listed as internal (Metadata of all topics, kafkajs listTopics)',
    run: async (t) => {
      await findCoordinatorCodes(t, `g-list-${t.run}`);
      const md = await metadata(t, null);
      const admin = kafkajs(t).admin();
      await admin.connect();
      try {
        const listed = await admin.listTopics();
        return {
          internal: md.topics.filter((x) => x.isInternal).map((x) => x.name),
          kafkajsListsIt: listed.includes(OFFSETS),
        };
      } finally {
        await admin.disconnect();
      }
    },
  },
  {
    name: '__consumer_offsets: Produce from a client is refused',
    run: async (t) => {
      await findCoordinatorCodes(t, `g-prod-${t.run}`);
      return { errorCode: await produceTo(await leaderOf(t, OFFSETS, 0), OFFSETS, 0, ['nope']) };
    },
  },
  {
    name: '__consumer_offsets: DeleteRecords is refused',
    run: async (t) => {
      const r = await call(await leaderOf(t, OFFSETS, 0), ApiKey.DeleteRecords, 1, {
        topics: [{ name: OFFSETS, partitions: [{ partitionIndex: 0, offset: 0 }] }],
        timeoutMs: 5000,
      });
      return { errorCode: r.topics[0].partitions[0].errorCode };
    },
  },
  {
    name: '__consumer_offsets: a JoinGroup at a broker that does not coordinate the group',
    run: async (t) => {
      const group = `g-notc-${t.run}`;
      const { nodeId } = await findCoordinatorCodes(t, group);
      const md = await metadata(t, []);
      const other = md.brokers.find((b) => b.nodeId !== nodeId)!;
      const r = await call(`${other.host}:${other.port}`, ApiKey.JoinGroup, 2, {
        groupId: group,
        sessionTimeoutMs: 10000,
        rebalanceTimeoutMs: 10000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      } as RequestByKey[11]);
      return { errorCode: r.errorCode };
    },
  },
];

export const LAST_SCENARIOS: Scenario[] = [
  ...SESSION_SCENARIOS,
  ...WAIT_SCENARIOS,
  ...OFFSETS_SCENARIOS,
  {
    name: 'Fetch sessions: the cache has 1000 slots (max.incremental.fetch.session.cache.slots)',
    run: async (t) => {
      const address = t.bootstrap.split(',')[2] ?? first(t);
      const a = `fss-${t.run}`;
      await createOn(t, a, 1, await brokerIdOf(t, address));
      const c = await WireClient.connect(address);
      try {
        let granted = 0;
        let firstGranted = false;
        let refusedAt = -1;
        for (let i = 0; i < 1001 && refusedAt < 0; i++) {
          const r = await fetchWith(c, { sessionId: 0, epoch: 0, parts: [[a, 0, 0]] });
          if (i === 0) firstGranted = r.sessionId !== 0;
          if (r.sessionId === 0) refusedAt = i;
          else granted++;
        }
        // Other scenarios may hold a few of this broker's slots: what is certain is a refusal by the 1001st.
        return { firstGranted, refusedWithin1001: refusedAt >= 0, grantedAtMost1000: granted <= 1000 };
      } finally {
        c.close();
      }
    },
  },
  {
    name: "__consumer_offsets: Produce from Kafka's admin tools (client id __admin_client) is taken",
    run: async (t) => {
      await findCoordinatorCodes(t, `g-admin-${t.run}`);
      const c = await WireClient.connect(await leaderOf(t, OFFSETS, 0), 5000, '__admin_client');
      try {
        const r = await c.request(ApiKey.Produce, 3, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: OFFSETS, partitionData: [{ index: 0, records: batchOf([{ key: 'k', value: 'v' }]) }] }],
        });
        return { errorCode: r.responses[0].partitionResponses[0].errorCode };
      } finally {
        c.close();
      }
    },
  },
  {
    name: '__consumer_offsets: DeleteTopics deletes it, and the groups with it',
    run: async (t) => {
      const group = `g-del-${t.run}`;
      const topic = `del-offsets-${t.run}`;
      const { nodeId } = await findCoordinatorCodes(t, group);
      await createOn(t, topic, 1, nodeId);
      const md = await metadata(t, []);
      const coordinator = md.brokers.find((b) => b.nodeId === nodeId)!;
      const commit = await call(`${coordinator.host}:${coordinator.port}`, ApiKey.OffsetCommit, 2, {
        groupId: group,
        generationId: -1,
        memberId: '',
        retentionTimeMs: -1,
        topics: [
          {
            name: topic,
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 7,
                committedLeaderEpoch: -1,
                commitTimestamp: -1,
                committedMetadata: '',
              },
            ],
          },
        ],
      });
      const r = await call(await controller(t), ApiKey.DeleteTopics, 1, { topicNames: [OFFSETS], timeoutMs: 10000 });
      const after = await metadata(t, null);
      // Deletion completes in the background on a real cluster: wait until the topic has gone.
      for (let i = 0; i < 100 && (await metadata(t, null)).topics.some((x) => x.name === OFFSETS); i++)
        await sleep(100);
      const again = await findCoordinatorCodes(t, group);
      const now = md.brokers.find((b) => b.nodeId === again.nodeId)!;
      const fetched = await call(`${now.host}:${now.port}`, ApiKey.OffsetFetch, 1, {
        groupId: group,
        topics: [{ name: topic, partitionIndexes: [0] }],
      });
      return {
        committed: commit.topics[0].partitions[0].errorCode,
        errorCode: r.responses[0].errorCode,
        listedRightAfter: after.topics.some((x) => x.name === OFFSETS),
        codesUntilFoundAgain: again.codes,
        offsetAfter: fetched.topics[0].partitions[0].committedOffset,
      };
    },
  },
];

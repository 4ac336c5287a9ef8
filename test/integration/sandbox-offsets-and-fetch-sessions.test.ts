/**
 * `__consumer_offsets` and fetch sessions (KIP-227) answer as a real Kafka 2.1.1 cluster (3 brokers) did: each
 * scenario of test/differential/scenarios-internal.ts runs here against the sandbox, and its result must equal what
 * the same scenario returned from the real cluster (pinned below from `npx tsx test/differential/sandbox-vs-kafka.ts`
 * against ../shared/tools/real-kafka, a fresh cluster). The scenarios run in the harness's order: the first needs a
 * cluster where no group was used yet, the last ones fill the fetch session cache and delete `__consumer_offsets`.
 */
import { strict as assert } from 'node:assert';
import { ApiKey, type FetchResponse } from '../../extension/core/kafka/protocol';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { FETCH_SESSION_CACHE_SLOTS } from '../../extension/core/sandbox/cluster/fetch-sessions';
import { batchOf } from '../differential/scenarios';
import { FIRST_SCENARIOS, LAST_SCENARIOS } from '../differential/scenarios-internal';
import { WireClient, leaderAddress } from './wire-client';

/** What each scenario returned from Apache Kafka 2.1.1. */
const KAFKA_2_1_1: Record<string, unknown> = {
  "FindCoordinator: a group's first creates __consumer_offsets (fresh cluster)": {
    existedBefore: false,
    codesUntilFound: [15, 0],
    isInternal: true,
    partitions: 50,
    replicationFactor: 3,
    coordinatorLeadsTheGroupsPartition: true,
  },
  'Fetch sessions: full, incremental without and with news, stale epoch, unknown topic, forget, close': [
    'error=0 session=S1 [A-0 e=0 hw=0 ls=0, A-1 e=0 hw=0 ls=0, B-0 e=0 hw=0 ls=0]',
    'error=0 session=S1 []',
    'error=0 session=S1 [A-1 e=0 hw=2 ls=0 +records]',
    'error=0 session=S1 []',
    'error=71 session=none []',
    'error=0 session=S1 [U-0 e=76 hw=-1 ls=-1]',
    'error=0 session=S1 [U-0 e=76 hw=-1 ls=-1]',
    'error=0 session=S1 []',
    'error=0 session=S1 [A-0 e=0 hw=1 ls=0 +records, B-0 e=0 hw=1 ls=0 +records]',
    'error=70 session=none []',
    'error=0 session=none [A-0 e=0 hw=1 ls=0 +records]',
    'error=70 session=none []',
  ],
  'Fetch sessions: forgetting every partition closes it; epoch 0 naming a session replaces it; v6 has none': [
    'error=0 session=S1 [A-0 e=0 hw=0 ls=0]',
    'error=0 session=none []',
    'error=70 session=none []',
    'error=0 session=S2 [A-0 e=0 hw=0 ls=0]',
    'error=0 session=S3 [A-0 e=0 hw=0 ls=0]',
    'error=70 session=none []',
    'error=0 session=S3 []',
    'error=0 session=none [A-0 e=0 hw=0 ls=0]',
  ],
  "Fetch sessions: another broker does not know a broker's session": [
    'error=0 session=S1 [A-0 e=0 hw=0 ls=0]',
    'error=70 session=none []',
  ],
  'Fetch sessions: DeleteRecords moving the log start offset is news': [
    'error=0 session=S1 [A-0 e=0 hw=3 ls=0]',
    0,
    'error=0 session=S1 [A-0 e=0 hw=3 ls=2]',
    'error=0 session=S1 []',
  ],
  'Fetch v10: a partition the broker lacks does not cut the wait for another short':
    'error=0 session=none [A-0 e=0 hw=1 ls=0 +records, U-0 e=3 hw=-1 ls=-1]',
  '__consumer_offsets: listed as internal (Metadata of all topics, kafkajs listTopics)': {
    internal: ['__consumer_offsets'],
    kafkajsListsIt: true,
  },
  '__consumer_offsets: Produce from a client is refused': { errorCode: 17 },
  '__consumer_offsets: DeleteRecords is refused': { errorCode: 17 },
  '__consumer_offsets: a JoinGroup at a broker that does not coordinate the group': { errorCode: 16 },
  'Fetch sessions: the cache has 1000 slots (max.incremental.fetch.session.cache.slots)': {
    firstGranted: true,
    refusedWithin1001: true,
    grantedAtMost1000: true,
  },
  "__consumer_offsets: Produce from Kafka's admin tools (client id __admin_client) is taken": { errorCode: 0 },
  '__consumer_offsets: DeleteTopics deletes it, and the groups with it': {
    committed: 0,
    errorCode: 0,
    listedRightAfter: false,
    codesUntilFoundAgain: [15, 0],
    offsetAfter: -1,
  },
};

describe('sandbox fidelity: __consumer_offsets and fetch sessions, pinned from a real Kafka 2.1.1', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, schemaRegistry: false });
  });
  after(async () => {
    await sandbox?.stop();
  });

  for (const scenario of [...FIRST_SCENARIOS, ...LAST_SCENARIOS]) {
    it(scenario.name, async () => {
      assert.ok(scenario.name in KAFKA_2_1_1, 'every scenario has a pinned answer');
      const got = await scenario.run({ name: 'sandbox', bootstrap: sandbox.bootstrap, run: 'ci' });
      assert.deepEqual(got, KAFKA_2_1_1[scenario.name]);
    });
  }
});

describe('sandbox fetch sessions: long polls and /state', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, schemaRegistry: false, brokers: 1 });
    sandbox.createTopic('polled', 2);
  });
  after(async () => {
    await sandbox?.stop();
  });

  function fetchRequest(sessionId: number, epoch: number, partitions: number[], maxWaitMs: number) {
    return {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId,
      sessionEpoch: epoch,
      topics: partitions.length
        ? [
            {
              topic: 'polled',
              partitions: partitions.map((partition) => ({
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: 0,
                logStartOffset: -1,
                partitionMaxBytes: 1 << 20,
              })),
            },
          ]
        : [],
      forgottenTopicsData: [],
    };
  }

  it('an incremental fetch waits for news on any partition of its session and answers only that partition', async () => {
    const address = await leaderAddress(sandbox.bootstrap, 'polled', 0);
    const c = await WireClient.connect(address);
    const producer = await WireClient.connect(address);
    try {
      const full = await c.request(ApiKey.Fetch, 10, fetchRequest(0, 0, [0, 1], 0));
      assert.notEqual(full.sessionId, 0);
      // Names no partition: the session's two are fetched, and the answer waits for data on either.
      const waiting = c.request(ApiKey.Fetch, 10, fetchRequest(full.sessionId, 1, [], 20_000), 25_000);
      const produced = await producer.request(ApiKey.Produce, 3, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: 'polled', partitionData: [{ index: 1, records: batchOf([{ key: 'k', value: 'v' }]) }] }],
      });
      assert.equal(produced.responses[0].partitionResponses[0].errorCode, 0);
      const answer: FetchResponse = await waiting;
      assert.equal(answer.errorCode, 0);
      assert.equal(answer.sessionId, full.sessionId);
      assert.deepEqual(
        answer.responses.flatMap((t) => t.partitions.map((p) => [t.topic, p.partitionIndex, p.highWatermark])),
        [['polled', 1, 1]],
      );
      assert.ok(answer.responses[0].partitions[0].records!.length > 0, 'the new record is in the answer');
    } finally {
      c.close();
      producer.close();
    }
  });

  it("GET /state marks __consumer_offsets internal and counts each broker's fetch sessions", async () => {
    const address = await leaderAddress(sandbox.bootstrap, 'polled', 0);
    const c = await WireClient.connect(address);
    try {
      for (let i = 0; i < 3; i++) await c.request(ApiKey.Fetch, 10, fetchRequest(0, 0, [0, 1], 0));
      await c.request(ApiKey.FindCoordinator, 1, { key: 'state-group', keyType: 0 });
    } finally {
      c.close();
    }
    const state = (await (await fetch(`${sandbox.controlUrl}/state`)).json()) as {
      topics: { name: string; internal: boolean; partitions: unknown[] }[];
      fetchSessions: { brokerId: number; sessions: number; partitions: number }[];
    };
    const offsets = state.topics.find((t) => t.name === '__consumer_offsets');
    assert.equal(offsets?.internal, true);
    assert.equal(offsets?.partitions.length, 50);
    assert.equal(state.topics.find((t) => t.name === 'polled')?.internal, false);
    const sessions = state.fetchSessions.find((s) => s.brokerId === 1)!;
    assert.ok(sessions.sessions >= 3 && sessions.sessions <= FETCH_SESSION_CACHE_SLOTS);
    assert.equal(sessions.partitions, sessions.sessions * 2);
  });
});

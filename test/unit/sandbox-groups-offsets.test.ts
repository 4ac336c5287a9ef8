import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { chooseCoordinator, javaStringHash } from '../../extension/core/sandbox/cluster/groups/coordinator-choice';
import type { OffsetCommitRequest } from '../../extension/core/kafka/protocol';
import {
  COORDINATOR,
  GROUP,
  OTHER_BROKER,
  type Harness,
  groupState,
  harness,
  join,
  stableGroup,
  stableSingleMember,
  sync,
  formGroup,
} from './sandbox-groups-harness';

function commit(
  h: Harness,
  parts: [topic: string, partition: number, offset: number, metadata?: string | null][],
  membership: { generationId?: number; memberId?: string; groupId?: string } = {},
  version = 3,
  brokerId = COORDINATOR,
) {
  const byTopic = new Map<string, OffsetCommitRequest['topics'][number]['partitions']>();
  for (const [topic, partition, offset, metadata] of parts) {
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({
      partitionIndex: partition,
      committedOffset: offset,
      committedLeaderEpoch: 7,
      commitTimestamp: -1,
      committedMetadata: metadata ?? null,
    });
  }
  const req: OffsetCommitRequest = {
    groupId: membership.groupId ?? GROUP,
    generationId: membership.generationId ?? -1,
    memberId: membership.memberId ?? '',
    retentionTimeMs: -1,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
  return h.coordinator.offsetCommit(brokerId, req, version);
}

/** Every partition's error code, as "topic/partition=code". */
function commitErrors(response: ReturnType<typeof commit>): string[] {
  return response.topics.flatMap((t) => t.partitions.map((p) => `${t.name}/${p.partitionIndex}=${p.errorCode}`));
}

describe('sandbox group coordinator: FindCoordinator', () => {
  it("answers with the coordinator broker's id, host and port", () => {
    const h = harness();
    const response = h.coordinator.findCoordinator({ key: GROUP, keyType: 0 }, 1);
    assert.deepEqual(
      { errorCode: response.errorCode, nodeId: response.nodeId, host: response.host, port: response.port },
      { errorCode: ErrorCode.NONE, nodeId: COORDINATOR, host: '127.0.0.1', port: 9092 },
    );
  });

  it('answers COORDINATOR_NOT_AVAILABLE with node -1 when no broker is up', () => {
    const h = harness();
    h.setCoordinator(null);
    const response = h.coordinator.findCoordinator({ key: GROUP, keyType: 0 }, 1);
    assert.equal(response.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(response.nodeId, -1);
    assert.equal(response.errorMessage, null, 'Kafka 2.1 gives no message with it');
  });

  it('refuses a key type that is neither group nor transaction with INVALID_REQUEST', () => {
    const h = harness();
    assert.equal(h.coordinator.findCoordinator({ key: GROUP, keyType: 5 }, 1).errorCode, ErrorCode.INVALID_REQUEST);
  });
});

describe('sandbox group coordinator: choosing the coordinator', () => {
  const brokers = [1, 2, 3].map((id) => ({ id, up: true }));

  it("hashes group ids as Java's String.hashCode does (values from jshell)", () => {
    assert.equal(javaStringHash('hello'), 99162322);
    assert.equal(javaStringHash('orders-service'), 23943117);
    assert.equal(javaStringHash('grüße-😀'), 347391577);
    assert.equal(javaStringHash('polygenelubricants'), -2147483648);
    assert.equal(javaStringHash(''), 0);
  });

  it('picks the same broker for the same group id whatever the order of the broker list', () => {
    const chosen = chooseCoordinator('orders-service', brokers)!.id;
    assert.equal(chooseCoordinator('orders-service', [...brokers].reverse())!.id, chosen);
    assert.equal(chosen, (23943117 % 3) + 1);
    assert.equal(chooseCoordinator('polygenelubricants', brokers)!.id, 1, 'the sign bit is masked, not negated');
  });

  it('spreads groups over the brokers', () => {
    const used = new Set(Array.from({ length: 30 }, (_, i) => chooseCoordinator(`group-${i}`, brokers)!.id));
    assert.deepEqual([...used].sort(), [1, 2, 3]);
  });

  it('moves a group to the next live broker while its broker is down, and back when it is up', () => {
    const chosen = chooseCoordinator('orders-service', brokers)!.id;
    const withDown = brokers.map((b) => ({ ...b, up: b.id !== chosen }));
    const fallback = chooseCoordinator('orders-service', withDown)!.id;
    assert.notEqual(fallback, chosen);
    assert.equal(fallback, (chosen % 3) + 1);
    assert.equal(chooseCoordinator('orders-service', brokers)!.id, chosen);
    assert.equal(
      chooseCoordinator(
        'orders-service',
        brokers.map((b) => ({ ...b, up: false })),
      ),
      null,
    );
  });
});

describe('sandbox group coordinator: OffsetCommit', () => {
  it('takes a simple commit (generation -1) for a group that does not exist, creating it Empty', () => {
    const h = harness();
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 42, 'checkpoint']])), ['orders/0=0']);
    assert.equal(groupState(h), 'Empty');
    const fetched = h.coordinator.offsetFetch(
      COORDINATOR,
      { groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [0] }] },
      3,
    );
    assert.deepEqual(fetched.topics[0].partitions[0], {
      partitionIndex: 0,
      committedOffset: 42,
      committedLeaderEpoch: -1,
      metadata: 'checkpoint',
      errorCode: 0,
    });
  });

  it('treats a v0 commit as a simple commit even with no generation fields', () => {
    const h = harness();
    assert.deepEqual(commitErrors(commit(h, [['orders', 1, 5]], { generationId: 99, memberId: 'ignored' }, 0)), [
      'orders/1=0',
    ]);
  });

  it('answers ILLEGAL_GENERATION to a generation-based commit for a group that does not exist', () => {
    const h = harness();
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1]], { generationId: 1, memberId: 'm' })), ['orders/0=22']);
    assert.equal(groupState(h), 'Dead', 'nothing was created');
  });

  it("accepts a member's commit in its generation and keeps the leader epoch from v6", async () => {
    const h = harness();
    const { memberId, generationId } = await stableSingleMember(h);
    assert.deepEqual(
      commitErrors(
        commit(
          h,
          [
            ['orders', 0, 10],
            ['orders', 2, 20],
          ],
          { generationId, memberId },
          6,
        ),
      ),
      ['orders/0=0', 'orders/2=0'],
    );
    const fetched = h.coordinator.offsetFetch(COORDINATOR, { groupId: GROUP, topics: null }, 5);
    assert.deepEqual(
      fetched.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch]),
      [
        [0, 10, 7],
        [2, 20, 7],
      ],
    );
  });

  it('refuses commits from a stale generation, an unknown member, a simple commit to an active group, and the wrong broker', async () => {
    const h = harness();
    const { memberId, generationId } = await stableSingleMember(h);
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1]], { generationId: generationId - 1, memberId })), [
      'orders/0=22',
    ]);
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1]], { generationId, memberId: 'ghost' })), ['orders/0=25']);
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1]], { generationId: -1 })), ['orders/0=25']);
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1]], { generationId, memberId }, 3, OTHER_BROKER)), [
      'orders/0=16',
    ]);
    const fetched = h.coordinator.offsetFetch(COORDINATOR, { groupId: GROUP, topics: null }, 5);
    assert.deepEqual(fetched.topics, [], 'none of them was stored');
  });

  it('answers REBALANCE_IN_PROGRESS while the group waits for its assignment, and takes commits of the old generation while it prepares a rebalance', async () => {
    const h = harness();
    const [ra] = await formGroup(h, ['a', 'b']);
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1]], { generationId: 1, memberId: ra.memberId })), [
      'orders/0=27',
    ]);
    const h2 = harness();
    const [a] = await stableGroup(h2, ['a', 'b']);
    void join(h2, { clientId: 'c' });
    assert.equal(groupState(h2), 'PreparingRebalance');
    assert.deepEqual(commitErrors(commit(h2, [['orders', 0, 3]], { generationId: 1, memberId: a.memberId })), [
      'orders/0=0',
    ]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist and still stores the others', () => {
    const h = harness();
    const response = commit(h, [
      ['orders', 0, 1],
      ['orders', 9, 1],
      ['missing', 0, 1],
    ]);
    assert.deepEqual(commitErrors(response), ['orders/0=0', 'orders/9=3', 'missing/0=3']);
    const fetched = h.coordinator.offsetFetch(COORDINATOR, { groupId: GROUP, topics: null }, 5);
    assert.deepEqual(
      fetched.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
      [['orders', [0]]],
    );
  });

  it('answers OFFSET_METADATA_TOO_LARGE for metadata over 4096 characters', () => {
    const h = harness();
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1, 'x'.repeat(4097)]])), ['orders/0=12']);
    assert.deepEqual(commitErrors(commit(h, [['orders', 0, 1, 'x'.repeat(4096)]])), ['orders/0=0']);
  });

  it('keeps the newest commit for a partition', () => {
    const h = harness();
    commit(h, [['orders', 1, 5]]);
    commit(h, [['orders', 1, 8]]);
    const fetched = h.coordinator.offsetFetch(
      COORDINATOR,
      { groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [1] }] },
      1,
    );
    assert.equal(fetched.topics[0].partitions[0].committedOffset, 8);
  });
});

describe('sandbox group coordinator: OffsetFetch', () => {
  it('answers -1 with empty metadata for partitions with no commit, including for an unknown group', () => {
    const h = harness();
    commit(h, [['orders', 0, 4]]);
    const fetched = h.coordinator.offsetFetch(
      COORDINATOR,
      { groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] },
      3,
    );
    assert.deepEqual(
      fetched.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
      [
        [0, 4, '', 0],
        [1, -1, '', 0],
      ],
    );
    const unknown = h.coordinator.offsetFetch(
      COORDINATOR,
      { groupId: 'nobody', topics: [{ name: 'orders', partitionIndexes: [2] }] },
      3,
    );
    assert.equal(unknown.topics[0].partitions[0].committedOffset, -1);
    assert.equal(unknown.errorCode, ErrorCode.NONE);
  });

  it('lists every committed partition, sorted, when topics is null', () => {
    const h = harness();
    commit(h, [
      ['orders', 2, 20],
      ['orders', 0, 10],
    ]);
    const fetched = h.coordinator.offsetFetch(COORDINATOR, { groupId: GROUP, topics: null }, 2);
    assert.deepEqual(
      fetched.topics.map((t) => ({
        name: t.name,
        offsets: t.partitions.map((p) => [p.partitionIndex, p.committedOffset]),
      })),
      [
        {
          name: 'orders',
          offsets: [
            [0, 10],
            [2, 20],
          ],
        },
      ],
    );
    assert.deepEqual(h.coordinator.offsetFetch(COORDINATOR, { groupId: 'nobody', topics: null }, 2).topics, []);
  });

  it('answers NOT_COORDINATOR at the top level from v2 and on every requested partition', () => {
    const h = harness();
    const request = { groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [0] }] };
    const v2 = h.coordinator.offsetFetch(OTHER_BROKER, request, 2);
    assert.equal(v2.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(v2.topics[0].partitions[0].errorCode, ErrorCode.NOT_COORDINATOR);
    const v1 = h.coordinator.offsetFetch(OTHER_BROKER, request, 1);
    assert.equal(v1.topics[0].partitions[0].errorCode, ErrorCode.NOT_COORDINATOR, 'v1 has only partition-level errors');
  });

  it('forgets the offsets of a deleted topic', () => {
    const h = harness();
    commit(h, [['orders', 0, 4]]);
    h.coordinator.forgetTopic('orders');
    const fetched = h.coordinator.offsetFetch(
      COORDINATOR,
      { groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [0] }] },
      3,
    );
    assert.equal(fetched.topics[0].partitions[0].committedOffset, -1);
  });
});

describe('sandbox group coordinator: DescribeGroups', () => {
  it('describes an unknown group as Dead without an error, and answers NOT_COORDINATOR on the wrong broker', () => {
    const h = harness();
    const [dead] = h.coordinator.describeGroups(COORDINATOR, { groups: ['nobody'] }, 0).groups;
    assert.deepEqual(dead, {
      errorCode: 0,
      groupId: 'nobody',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
    });
    const [wrong] = h.coordinator.describeGroups(OTHER_BROKER, { groups: ['nobody'] }, 0).groups;
    assert.equal(wrong.errorCode, ErrorCode.NOT_COORDINATOR);
  });

  it('shows members with client id and host in every state, and the protocol, metadata and assignments once Stable', async () => {
    const h = harness();
    const joined = join(h, { clientId: 'billing', protocols: [['range', 'subscription']] });
    h.clock.advance(3000);
    const { memberId, generationId } = await joined;
    const [completing] = h.coordinator.describeGroups(COORDINATOR, { groups: [GROUP] }, 1).groups;
    assert.equal(completing.groupState, 'CompletingRebalance');
    assert.equal(completing.protocolType, 'consumer');
    assert.equal(completing.protocolData, '');
    assert.deepEqual(
      completing.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.memberMetadata.length]),
      [[memberId, 'billing', '/127.0.0.1', 0]],
    );
    await sync(h, memberId, generationId, { [memberId]: 'orders:0,1,2' });
    const [stable] = h.coordinator.describeGroups(COORDINATOR, { groups: [GROUP] }, 1).groups;
    assert.equal(stable.groupState, 'Stable');
    assert.equal(stable.protocolData, 'range');
    assert.equal(stable.members[0].memberMetadata.toString(), 'subscription');
    assert.equal(stable.members[0].memberAssignment.toString(), 'orders:0,1,2');
  });
});

describe('sandbox group coordinator: state', () => {
  it('reports each group with its members and committed offsets as plain JSON', async () => {
    const h = harness();
    const { memberId, generationId } = await stableSingleMember(h, { clientId: 'billing' });
    commit(h, [['orders', 1, 11, 'm']], { generationId, memberId });
    const state = JSON.parse(JSON.stringify(h.coordinator.state()));
    assert.deepEqual(state, [
      {
        groupId: GROUP,
        state: 'Stable',
        generationId: 1,
        protocolType: 'consumer',
        protocol: 'range',
        leader: memberId,
        coordinator: COORDINATOR,
        members: [
          {
            memberId,
            clientId: 'billing',
            clientHost: '/127.0.0.1',
            sessionTimeoutMs: 10_000,
            rebalanceTimeoutMs: 30_000,
          },
        ],
        offsets: [{ topic: 'orders', partition: 1, offset: 11, metadata: 'm' }],
      },
    ]);
  });
});

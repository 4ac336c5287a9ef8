import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import {
  COORDINATOR,
  GROUP,
  INITIAL_DELAY_MS,
  OTHER_BROKER,
  REBALANCE_MS,
  SESSION_MS,
  formGroup,
  groupState,
  harness,
  heartbeat,
  join,
  peek,
  stableGroup,
  stableSingleMember,
  sync,
} from './sandbox-groups-harness';

describe('sandbox group coordinator: JoinGroup', () => {
  it('holds the first join of an empty group for the initial rebalance delay, then makes the joiner leader of generation 1', async () => {
    const h = harness();
    const joined = join(h, { clientId: 'client-a', protocols: [['range', 'meta-a']] });
    h.clock.advance(INITIAL_DELAY_MS - 1);
    assert.equal(await peek(joined), 'pending');
    assert.equal(groupState(h), 'PreparingRebalance');
    h.clock.advance(1);
    const response = await joined;
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.match(response.memberId, /^client-a-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(response.generationId, 1);
    assert.equal(response.leader, response.memberId);
    assert.equal(response.protocolName, 'range');
    assert.deepEqual(response.members, [{ memberId: response.memberId, metadata: Buffer.from('meta-a') }]);
    assert.equal(groupState(h), 'CompletingRebalance');
  });

  it('extends the initial delay once for each new member that arrives during it, so both are in the first generation', async () => {
    const h = harness();
    const first = join(h, { clientId: 'client-a' });
    h.clock.advance(2000);
    const second = join(h, { clientId: 'client-b' });
    h.clock.advance(1000); // the first delay ends, but a member arrived during it
    assert.equal(await peek(first), 'pending');
    h.clock.advance(INITIAL_DELAY_MS);
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.generationId, 1);
    assert.equal(b.generationId, 1);
    assert.equal(a.leader, a.memberId, 'the first member to join leads');
    assert.deepEqual(
      a.members.map((m) => m.memberId),
      [a.memberId, b.memberId],
    );
    assert.deepEqual(b.members, [], 'followers get no member list');
  });

  it('completes the first rebalance at once when the initial delay is 0', async () => {
    const h = harness({ initialRebalanceDelayMs: 0 });
    const response = await join(h);
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.generationId, 1);
  });

  it('answers NOT_COORDINATOR on a broker that does not coordinate the group, and while none does (as Kafka 2.1)', async () => {
    const h = harness();
    assert.equal((await join(h, { brokerId: OTHER_BROKER })).errorCode, ErrorCode.NOT_COORDINATOR);
    h.setCoordinator(null);
    assert.equal((await join(h)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(groupState(h), '', 'DescribeGroups reports the error with no state');
  });

  it('refuses an empty group id with INVALID_GROUP_ID', async () => {
    const h = harness();
    assert.equal((await join(h, { groupId: '' })).errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it('refuses a session timeout outside the allowed range with INVALID_SESSION_TIMEOUT', async () => {
    const h = harness({ minSessionTimeoutMs: 6000 });
    assert.equal((await join(h, { sessionTimeoutMs: 5999 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    assert.equal((await join(h, { sessionTimeoutMs: 3_600_000 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    assert.equal(groupState(h), 'Dead', 'a refused join creates no group');
  });

  it('answers UNKNOWN_MEMBER_ID to a member id the group does not know', async () => {
    const h = harness();
    assert.equal((await join(h, { memberId: 'ghost-1' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    await stableSingleMember(h);
    assert.equal((await join(h, { memberId: 'ghost-1' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers INCONSISTENT_GROUP_PROTOCOL when a member shares no protocol or protocol type with the group', async () => {
    const h = harness();
    await stableSingleMember(h, { protocols: [['range', 'x']] });
    assert.equal(
      (await join(h, { protocols: [['roundrobin', 'x']] })).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      (await join(h, { protocolType: 'connect', protocols: [['range', 'x']] })).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal((await join(h, { groupId: 'other', protocols: [] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(groupState(h), 'Stable', 'the refused members did not disturb the group');
  });

  it('chooses the protocol most members prefer among those all support', async () => {
    const h = harness();
    const a = join(h, {
      clientId: 'a',
      protocols: [
        ['range', 'ra'],
        ['roundrobin', 'rra'],
        ['sticky', 'sa'],
      ],
    });
    const b = join(h, {
      clientId: 'b',
      protocols: [
        ['roundrobin', 'rrb'],
        ['range', 'rb'],
      ],
    });
    const c = join(h, {
      clientId: 'c',
      protocols: [
        ['roundrobin', 'rrc'],
        ['range', 'rc'],
      ],
    });
    h.clock.advance(REBALANCE_MS);
    const leader = await a;
    assert.equal(leader.protocolName, 'roundrobin');
    assert.equal((await b).protocolName, 'roundrobin');
    assert.equal((await c).protocolName, 'roundrobin');
    assert.deepEqual(
      leader.members.map((m) => m.metadata.toString()),
      ['rra', 'rrb', 'rrc'],
      "the leader sees each member's metadata for the chosen protocol",
    );
  });

  it('uses the session timeout as rebalance timeout for JoinGroup v0, which has none', async () => {
    const h = harness();
    const { memberId } = await stableSingleMember(h, { clientId: 'a', sessionTimeoutMs: 5000, version: 0 });
    const newcomer = join(h, { clientId: 'b', sessionTimeoutMs: 5000, version: 0 });
    h.clock.advance(4999);
    heartbeat(h, memberId, 1); // keeps the session alive; the member does not rejoin
    assert.equal(await peek(newcomer), 'pending');
    h.clock.advance(1);
    const response = await newcomer;
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.leader, response.memberId, 'the member that did not rejoin in time was removed');
  });

  it('gives a follower that rejoins a Stable group unchanged the current generation without a rebalance', async () => {
    const h = harness();
    const [, rb] = await stableGroup(h, ['a', 'b']);
    const again = await join(h, { clientId: 'b', memberId: rb.memberId });
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.generationId, 1);
    assert.equal(groupState(h), 'Stable');
  });

  it('rebalances when a follower rejoins a Stable group with changed metadata (a new subscription)', async () => {
    const h = harness();
    const [ra, rb] = await stableGroup(h, ['a', 'b']);
    const changed = join(h, { clientId: 'b', memberId: rb.memberId, protocols: [['range', 'orders+payments']] });
    assert.equal(groupState(h), 'PreparingRebalance');
    const leader = await join(h, { clientId: 'a', memberId: ra.memberId });
    assert.equal(leader.generationId, 2);
    assert.equal(leader.members.find((m) => m.memberId === rb.memberId)?.metadata.toString(), 'orders+payments');
    assert.equal((await changed).generationId, 2);
  });

  it('gives a member that missed its JoinGroup response the same generation again while the group completes the rebalance', async () => {
    const h = harness();
    const [ra, rb] = await formGroup(h, ['a', 'b']);
    const again = await join(h, { clientId: 'b', memberId: rb.memberId });
    assert.deepEqual(
      [again.errorCode, again.generationId, again.leader],
      [ErrorCode.NONE, rb.generationId, ra.memberId],
    );
    assert.equal(groupState(h), 'CompletingRebalance');
  });

  it('answers a JoinGroup that a later JoinGroup of the same member replaces, so no request is left hanging', async () => {
    const h = harness();
    const [ra, rb] = await stableGroup(h, ['a', 'b']);
    const firstTry = join(h, { clientId: 'b', memberId: rb.memberId, protocols: [['range', 'v2']] });
    const secondTry = join(h, { clientId: 'b', memberId: rb.memberId, protocols: [['range', 'v2']] });
    assert.equal((await firstTry).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(await peek(secondTry), 'pending', 'the replacement waits for the leader like any rejoin');
    await join(h, { clientId: 'a', memberId: ra.memberId });
    assert.equal((await secondTry).generationId, 2);
  });

  it('rebalances when the leader rejoins a Stable group', async () => {
    const h = harness();
    const { memberId } = await stableSingleMember(h);
    const again = await join(h, { memberId });
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.generationId, 2, 'the only member rejoined, so the rebalance completed at once');
    assert.equal(groupState(h), 'CompletingRebalance');
  });
});

describe('sandbox group coordinator: a two-member rebalance, step by step', () => {
  it('moves through PreparingRebalance, CompletingRebalance and Stable as members join and sync', async () => {
    const h = harness();
    // 1. A forms generation 1 alone.
    const a1 = join(h, { clientId: 'a', protocols: [['range', 'meta-a']] });
    h.clock.advance(INITIAL_DELAY_MS);
    const { memberId: a, generationId: g1 } = await a1;
    assert.equal((await sync(h, a, g1, { [a]: 'a:0,1,2' })).assignment.toString(), 'a:0,1,2');
    assert.equal(groupState(h), 'Stable');

    // 2. B joins: the group prepares a rebalance and B waits for A.
    const b2 = join(h, { clientId: 'b', protocols: [['range', 'meta-b']] });
    assert.equal(groupState(h), 'PreparingRebalance');
    assert.equal(await peek(b2), 'pending');
    assert.equal(
      heartbeat(h, a, g1),
      ErrorCode.REBALANCE_IN_PROGRESS,
      'A learns from its heartbeat that it must rejoin',
    );

    // 3. A rejoins: everyone is in, generation 2 forms at once.
    const a2 = await join(h, { clientId: 'a', memberId: a, protocols: [['range', 'meta-a']] });
    const b2r = await b2;
    assert.equal(a2.generationId, 2);
    assert.equal(b2r.generationId, 2);
    assert.equal(a2.leader, a);
    assert.equal(b2r.leader, a);
    assert.deepEqual(a2.members, [
      { memberId: a, metadata: Buffer.from('meta-a') },
      { memberId: b2r.memberId, metadata: Buffer.from('meta-b') },
    ]);
    assert.deepEqual(b2r.members, []);
    assert.equal(groupState(h), 'CompletingRebalance');

    // 4. B syncs first and waits for the leader's assignment; a heartbeat meanwhile hears the rebalance is not over
    // (Kafka 2.1.1 answers so, pinned by test/differential).
    const bSync = sync(h, b2r.memberId, 2);
    assert.equal(await peek(bSync), 'pending');
    assert.equal(heartbeat(h, a, 2), ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(heartbeat(h, a, g1), ErrorCode.ILLEGAL_GENERATION, 'the old generation is over');

    // 5. A (leader) syncs with the assignment: both get theirs and the group is Stable.
    const aSync = await sync(h, a, 2, { [a]: 'a:0,1', [b2r.memberId]: 'b:2' });
    assert.equal(aSync.assignment.toString(), 'a:0,1');
    assert.equal((await bSync).assignment.toString(), 'b:2');
    assert.equal(groupState(h), 'Stable');
    assert.equal(heartbeat(h, b2r.memberId, 2), ErrorCode.NONE);
  });
});

describe('sandbox group coordinator: SyncGroup', () => {
  it('answers ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and NOT_COORDINATOR to bad syncs', async () => {
    const h = harness();
    const { memberId, generationId } = await stableSingleMember(h);
    assert.equal((await sync(h, memberId, generationId + 1)).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((await sync(h, 'ghost', generationId)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal((await sync(h, memberId, generationId, {}, OTHER_BROKER)).errorCode, ErrorCode.NOT_COORDINATOR);
  });

  it('answers REBALANCE_IN_PROGRESS to a sync while the group prepares a rebalance', async () => {
    const h = harness();
    const { memberId, generationId } = await stableSingleMember(h);
    void join(h, { clientId: 'b' });
    assert.equal((await sync(h, memberId, generationId)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it("releases a waiting follower with REBALANCE_IN_PROGRESS when a new member arrives before the leader's assignment", async () => {
    const h = harness();
    const [, rb] = await formGroup(h, ['a', 'b']);
    const waiting = sync(h, rb.memberId, rb.generationId);
    void join(h, { clientId: 'c' });
    assert.equal((await waiting).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(groupState(h), 'PreparingRebalance');
  });

  it('gives an empty assignment to a member the leader left out', async () => {
    const h = harness();
    const [ra, rb] = await formGroup(h, ['a', 'b']);
    await sync(h, ra.memberId, 1, { [ra.memberId]: 'everything', 'not-a-member': 'ignored' });
    const follower = await sync(h, rb.memberId, 1);
    assert.equal(follower.errorCode, ErrorCode.NONE);
    assert.equal(follower.assignment.length, 0);
  });

  it('removes a leader that never syncs once its session expires, and sends the waiting follower back to rejoin', async () => {
    const h = harness();
    const [ra, rb] = await formGroup(h, ['a', 'b']);
    const waiting = sync(h, rb.memberId, 1);
    h.clock.advance(SESSION_MS);
    assert.equal((await waiting).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(heartbeat(h, ra.memberId, 1), ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('sandbox group coordinator: Heartbeat and session timeouts', () => {
  it('answers UNKNOWN_MEMBER_ID to an unknown member or group, and ILLEGAL_GENERATION to a stale generation', async () => {
    const h = harness();
    assert.equal(heartbeat(h, 'ghost', 1), ErrorCode.UNKNOWN_MEMBER_ID);
    const { memberId, generationId } = await stableSingleMember(h);
    assert.equal(heartbeat(h, 'ghost', generationId), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(heartbeat(h, memberId, generationId - 1), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(heartbeat(h, memberId, generationId), ErrorCode.NONE);
    assert.equal(heartbeat(h, memberId, generationId, OTHER_BROKER), ErrorCode.NOT_COORDINATOR);
  });

  it('keeps a member that heartbeats and removes one that falls silent for its session timeout, starting a rebalance', async () => {
    const h = harness();
    const [ra, rb] = await stableGroup(h, ['a', 'b']);
    for (let elapsed = 0; elapsed < SESSION_MS - 1000; elapsed += 3000) {
      h.clock.advance(3000);
      assert.equal(heartbeat(h, ra.memberId, 1), ErrorCode.NONE);
    }
    assert.equal(groupState(h), 'Stable');
    h.clock.advance(1000); // B's session ends
    assert.equal(groupState(h), 'PreparingRebalance');
    assert.equal(heartbeat(h, rb.memberId, 1), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(heartbeat(h, ra.memberId, 1), ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await join(h, { clientId: 'a', memberId: ra.memberId });
    assert.equal(rejoined.generationId, 2);
    assert.deepEqual(
      rejoined.members.map((m) => m.memberId),
      [ra.memberId],
    );
    assert.ok(
      h.logs.some((l) => l.includes(rb.memberId) && l.includes('session timeout')),
      'the expiry is logged',
    );
  });

  it('does not expire a member while its JoinGroup waits on a rebalance longer than its session', async () => {
    const h = harness();
    const { memberId } = await stableSingleMember(h, {
      clientId: 'a',
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 60_000,
    });
    const newcomer = join(h, { clientId: 'b', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 60_000 });
    h.clock.advance(20_000); // A never rejoins or heartbeats: its session (6 s) expires; B's join is parked
    assert.equal(heartbeat(h, memberId, 1), ErrorCode.UNKNOWN_MEMBER_ID);
    const response = await newcomer;
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.leader, response.memberId, 'B leads the generation formed without A');
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const h = harness();
    const [ra, rb] = await stableGroup(h, ['a', 'b']);
    const c = join(h, { clientId: 'c' });
    const aAgain = join(h, { clientId: 'a', memberId: ra.memberId });
    for (let t = 0; t < REBALANCE_MS - 1; t += 5000) {
      h.clock.advance(Math.min(5000, REBALANCE_MS - 1 - t));
      heartbeat(h, rb.memberId, 1); // B heartbeats but never rejoins
    }
    assert.equal(await peek(aAgain), 'pending');
    h.clock.advance(1);
    const [ra2, rc] = await Promise.all([aAgain, c]);
    assert.equal(ra2.generationId, 2);
    assert.deepEqual(ra2.members.map((m) => m.memberId).sort(), [ra.memberId, rc.memberId].sort());
    assert.equal(heartbeat(h, rb.memberId, 2), ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('sandbox group coordinator: LeaveGroup', () => {
  it('starts a rebalance when a member leaves, and the remaining member forms the next generation', async () => {
    const h = harness();
    const [ra, rb] = await stableGroup(h, ['a', 'b']);
    const left = h.coordinator.leaveGroup(COORDINATOR, { groupId: GROUP, memberId: ra.memberId }, 1);
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.equal(groupState(h), 'PreparingRebalance');
    assert.equal(heartbeat(h, rb.memberId, 1), ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await join(h, { clientId: 'b', memberId: rb.memberId });
    assert.equal(rejoined.generationId, 2);
    assert.equal(rejoined.leader, rb.memberId, 'leadership passes to the remaining member');
  });

  it('leaves the group Empty when its last member leaves', async () => {
    const h = harness();
    const { memberId } = await stableSingleMember(h);
    assert.equal(h.coordinator.leaveGroup(COORDINATOR, { groupId: GROUP, memberId }, 1).errorCode, ErrorCode.NONE);
    assert.equal(groupState(h), 'Empty');
  });

  it('answers UNKNOWN_MEMBER_ID to a member that is not in the group and NOT_COORDINATOR on the wrong broker', async () => {
    const h = harness();
    const { memberId } = await stableSingleMember(h);
    assert.equal(
      h.coordinator.leaveGroup(COORDINATOR, { groupId: GROUP, memberId: 'ghost' }, 1).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      h.coordinator.leaveGroup(OTHER_BROKER, { groupId: GROUP, memberId }, 1).errorCode,
      ErrorCode.NOT_COORDINATOR,
    );
    assert.equal(groupState(h), 'Stable');
  });
});

describe('sandbox group coordinator: stop', () => {
  it('answers waiting joins and syncs with NOT_COORDINATOR and leaves no timer behind', async () => {
    const h = harness();
    const [, rb] = await formGroup(h, ['a', 'b']);
    const waitingSync = sync(h, rb.memberId, 1);
    const waitingJoin = join(h, { groupId: 'another-group' });
    h.coordinator.stop();
    assert.equal((await waitingSync).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await waitingJoin).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(h.clock.pendingTimers(), 0);
    assert.equal((await join(h)).errorCode, ErrorCode.NOT_COORDINATOR, 'a stopped coordinator takes no new joins');
  });
});

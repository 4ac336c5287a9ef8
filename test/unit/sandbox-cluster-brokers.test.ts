import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { InvalidInputError } from '../../extension/core/util/errors';
import { handle } from './protocol-test-helpers';
import {
  batch,
  fetchPartition,
  fetchRequest,
  leaderOf,
  newCluster,
  nonLeaderOf,
  partitionState,
  produce,
} from './sandbox-cluster-helpers';

describe('SandboxCluster brokers, elections and ISR', () => {
  it('elects a new leader from the live ISR only after electionDelayMs, bumping the leader epoch', () => {
    const { cluster, clock } = newCluster({ brokers: 3, topics: [{ name: 't', partitions: 1 }] });
    const old = leaderOf(cluster, 't', 0);
    cluster.setBrokerUp(old, false);
    assert.equal(leaderOf(cluster, 't', 0), old, 'no election before the delay');
    clock.advance(199);
    assert.equal(leaderOf(cluster, 't', 0), old);
    clock.advance(1);
    const p = partitionState(cluster, 't', 0);
    assert.notEqual(p.leader, old);
    assert.ok(p.isr.includes(p.leader));
    assert.equal(p.leaderEpoch, 1);
  });

  it('removes a down broker from the ISRs it follows at once and from those it led at the election; it rejoins on return', () => {
    const { cluster, clock } = newCluster({
      brokers: 3,
      autoLeaderRebalance: false,
      topics: [{ name: 't', partitions: 3 }],
    });
    cluster.setBrokerUp(2, false);
    for (const p of cluster.state().topics[0].partitions) {
      assert.equal(p.isr.includes(2), p.leader === 2, `partition ${p.partition} leader ${p.leader} ISR ${p.isr}`);
    }
    clock.advance(200);
    for (const p of cluster.state().topics[0].partitions)
      assert.ok(!p.isr.includes(2), `partition ${p.partition} ISR ${p.isr}`);
    cluster.setBrokerUp(2, true);
    for (const p of cluster.state().topics[0].partitions) {
      assert.deepEqual([...p.isr].sort(), [1, 2, 3]);
      assert.notEqual(p.leader, 2, 'leadership does not move back with auto.leader.rebalance.enable off');
    }
  });

  it('moves leadership back to the preferred replica when it returns (auto.leader.rebalance.enable), and when switched on', () => {
    const { cluster, clock } = newCluster({ brokers: 3, topics: [{ name: 't', partitions: 3 }] });
    const preferred = cluster.state().topics[0].partitions.map((p) => p.replicas[0]);
    assert.deepEqual(
      cluster.state().topics[0].partitions.map((p) => p.leader),
      preferred,
    );
    cluster.setBrokerUp(2, false);
    clock.advance(200);
    assert.ok(cluster.state().topics[0].partitions.every((p) => p.leader !== 2));
    cluster.setBrokerUp(2, true);
    assert.deepEqual(
      cluster.state().topics[0].partitions.map((p) => p.leader),
      preferred,
      'broker 2 leads its preferred partitions again',
    );

    cluster.setAutoLeaderRebalance(false);
    cluster.setBrokerUp(2, false);
    clock.advance(200);
    cluster.setBrokerUp(2, true);
    assert.ok(
      cluster.state().topics[0].partitions.every((p) => p.leader !== 2),
      'off: leaders stay where they are',
    );
    assert.equal(cluster.state().autoLeaderRebalance, false);
    cluster.setAutoLeaderRebalance(true);
    assert.deepEqual(
      cluster.state().topics[0].partitions.map((p) => p.leader),
      preferred,
      'switching it on elects the preferred replicas',
    );
  });

  it('takes a partition offline when its last in-sync replica dies, and brings it back with that broker', () => {
    const { cluster, clock } = newCluster({ brokers: 2, replicationFactor: 2, topics: [{ name: 't', partitions: 1 }] });
    const first = leaderOf(cluster, 't', 0);
    const second = nonLeaderOf(cluster, 't', 0);
    cluster.setBrokerUp(second, false);
    clock.advance(200);
    assert.deepEqual(partitionState(cluster, 't', 0).isr, [first]);
    cluster.setBrokerUp(first, false);
    clock.advance(200);
    let p = partitionState(cluster, 't', 0);
    assert.equal(p.leader, -1, 'offline');
    assert.deepEqual(p.isr, [first], 'the ISR never becomes empty');
    cluster.setBrokerUp(second, true);
    assert.equal(
      partitionState(cluster, 't', 0).leader,
      -1,
      'an out-of-sync replica does not lead (no unclean election)',
    );
    cluster.setBrokerUp(first, true);
    p = partitionState(cluster, 't', 0);
    assert.equal(p.leader, first);
    assert.deepEqual([...p.isr].sort(), [first, second].sort());
  });

  it('keeps serving produce on the new leader after an election, with offsets continuing', async () => {
    const { cluster, clock } = newCluster({ brokers: 3, topics: [{ name: 't', partitions: 1 }] });
    const old = leaderOf(cluster, 't', 0);
    await produce(cluster, old, 't', 0, batch(3));
    cluster.setBrokerUp(old, false);
    clock.advance(200);
    const leader = leaderOf(cluster, 't', 0);
    assert.equal((await produce(cluster, leader, 't', 0, batch(2))).baseOffset, 3);
    const outcome = await handle(cluster, old, { apiKey: 0, apiVersion: 7, correlationId: 1, clientId: null }, {});
    assert.equal(outcome.kind, 'drop', 'a down broker answers nothing');
  });

  it('moves a leader to a live in-sync replica; the old leader then answers NOT_LEADER_OR_FOLLOWER', async () => {
    const { cluster } = newCluster({ brokers: 3, topics: [{ name: 't', partitions: 1 }] });
    const old = leaderOf(cluster, 't', 0);
    const target = nonLeaderOf(cluster, 't', 0);
    cluster.moveLeader('t', 0, target);
    assert.equal(leaderOf(cluster, 't', 0), target);
    assert.equal(partitionState(cluster, 't', 0).leaderEpoch, 1);
    assert.equal((await produce(cluster, old, 't', 0, batch(1))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(
      (await fetchPartition(cluster, old, fetchRequest('t', 0, 0))).errorCode,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
    assert.equal((await produce(cluster, target, 't', 0, batch(1))).errorCode, ErrorCode.NONE);
  });

  it('refuses impossible leader moves with InvalidInputError', () => {
    const { cluster } = newCluster({ brokers: 3, replicationFactor: 2, topics: [{ name: 't', partitions: 1 }] });
    const replicas = partitionState(cluster, 't', 0).replicas;
    const outsider = [1, 2, 3].find((b) => !replicas.includes(b))!;
    const follower = replicas.find((r) => r !== leaderOf(cluster, 't', 0))!;
    const refuses = (fn: () => void, message: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof InvalidInputError && message.test(e.message));
    refuses(() => cluster.moveLeader('t', 0, outsider), /is not a replica/);
    refuses(() => cluster.moveLeader('t', 5, 1), /there is no partition t-5/);
    refuses(() => cluster.moveLeader('t', 0, 9), /there is no broker 9/);
    cluster.setBrokerUp(follower, false);
    refuses(() => cluster.moveLeader('t', 0, follower), /is down/);
    refuses(() => cluster.setBrokerUp(7, false), /there is no broker 7/);
  });

  it('cancels a pending election on stop', () => {
    const { cluster, clock } = newCluster({ brokers: 3, topics: [{ name: 't', partitions: 1 }] });
    const old = leaderOf(cluster, 't', 0);
    cluster.setBrokerUp(old, false);
    cluster.stop();
    assert.equal(clock.pendingTimers(), 0);
  });
});

describe('SandboxCluster caps', () => {
  it('drops the oldest batches of a partition over its record cap and moves the log start offset', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }], maxRecordsPerPartition: 5 });
    for (let i = 0; i < 4; i++) await produce(cluster, 1, 't', 0, batch(2));
    const p = partitionState(cluster, 't', 0);
    assert.equal(p.highWatermark, 8);
    assert.equal(p.logStartOffset, 4);
    assert.equal(p.records, 4);
  });

  it('drops the oldest data across partitions over the total byte cap', async () => {
    const one = batch(10, { valueSize: 100 }).length;
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 2 }], maxTotalBytes: one * 3 });
    await produce(cluster, 1, 't', 0, batch(10, { valueSize: 100 })); // oldest
    await produce(cluster, 1, 't', 1, batch(10, { valueSize: 100 }));
    await produce(cluster, 1, 't', 1, batch(10, { valueSize: 100 }));
    await produce(cluster, 1, 't', 1, batch(10, { valueSize: 100 }));
    const s = cluster.state();
    assert.equal(s.topics[0].partitions[0].logStartOffset, 10, 'partition 0 lost its only, oldest batch');
    assert.equal(s.topics[0].partitions[1].logStartOffset, 0);
    assert.equal(s.stored.bytes, one * 3);
    assert.equal(s.stored.records, 30);
  });

  it('applies the partition cap and then the total cap, dropping the oldest batch of all partitions', async () => {
    const { cluster } = newCluster({
      brokers: 1,
      topics: [{ name: 't', partitions: 2 }],
      maxRecordsPerPartition: 20,
      maxTotalRecords: 25,
    });
    await produce(cluster, 1, 't', 0, batch(10)); // the oldest batch
    for (let i = 0; i < 3; i++) await produce(cluster, 1, 't', 1, batch(10));
    const [p0, p1] = cluster.state().topics[0].partitions;
    assert.equal(p1.logStartOffset, 10, 'partition 1 dropped its first batch to stay within 20 records');
    assert.equal(p0.logStartOffset, 10, 'then the total cap took the oldest batch of all, on partition 0');
    assert.equal(cluster.state().stored.records, 20);
  });

  it('frees a deleted topic from the totals', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    await produce(cluster, 1, 't', 0, batch(4));
    await cluster.handle(
      1,
      { apiKey: 20, apiVersion: 1, correlationId: 1, clientId: null },
      { topicNames: ['t'], timeoutMs: 100 },
    );
    assert.deepEqual(cluster.state().stored, { records: 0, bytes: 0 });
  });
});

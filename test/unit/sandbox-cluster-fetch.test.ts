import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { readRecordBatches } from '../../extension/core/kafka/record-batch';
import { ApiKey } from '../../extension/core/kafka/protocol';
import type * as M from '../../extension/core/kafka/protocol';
import {
  T0,
  batch,
  call,
  fetchPartition,
  fetchRequest,
  leaderOf,
  newCluster,
  nonLeaderOf,
  produce,
} from './sandbox-cluster-helpers';

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('SandboxCluster Fetch', () => {
  it('returns whole batches from the one holding the fetch offset, with high watermark and log start', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    await produce(cluster, 1, 't', 0, batch(3));
    await produce(cluster, 1, 't', 0, batch(3));
    const p = await fetchPartition(cluster, 1, fetchRequest('t', 0, 4));
    assert.equal(p.errorCode, ErrorCode.NONE);
    assert.equal(p.highWatermark, 6);
    assert.equal(p.logStartOffset, 0);
    assert.deepEqual(
      readRecordBatches(p.records!).map((b) => b.baseOffset),
      [3],
      'offset 4 lives in the batch at 3',
    );
    const atEnd = await fetchPartition(cluster, 1, fetchRequest('t', 0, 6));
    assert.equal(atEnd.errorCode, ErrorCode.NONE);
    assert.equal(atEnd.records!.length, 0);
  });

  it('answers OFFSET_OUT_OF_RANGE past the high watermark and before the log start', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }], maxRecordsPerPartition: 3 });
    await produce(cluster, 1, 't', 0, batch(3));
    await produce(cluster, 1, 't', 0, batch(3));
    assert.equal((await fetchPartition(cluster, 1, fetchRequest('t', 0, 7))).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    assert.equal((await fetchPartition(cluster, 1, fetchRequest('t', 0, 0))).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    assert.equal((await fetchPartition(cluster, 1, fetchRequest('t', 0, 3))).errorCode, ErrorCode.NONE);
  });

  it('returns at least one batch even when it is larger than maxBytes, and stops at the limit after that', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    await produce(cluster, 1, 't', 0, batch(10, { valueSize: 100 }));
    await produce(cluster, 1, 't', 0, batch(10, { valueSize: 100 }));
    const p = await fetchPartition(cluster, 1, fetchRequest('t', 0, 0, { partitionMaxBytes: 10 }));
    assert.equal(readRecordBatches(p.records!).length, 1);
    const both = await fetchPartition(cluster, 1, fetchRequest('t', 0, 0, { partitionMaxBytes: 1 << 20 }));
    assert.equal(readRecordBatches(both.records!).length, 2);
  });

  it('answers NOT_LEADER_OR_FOLLOWER from a follower and UNKNOWN_TOPIC_OR_PARTITION for an unknown topic', async () => {
    const { cluster } = newCluster({ topics: [{ name: 't', partitions: 1 }] });
    assert.equal(
      (await fetchPartition(cluster, nonLeaderOf(cluster, 't', 0), fetchRequest('t', 0, 0))).errorCode,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
    assert.equal(
      (await fetchPartition(cluster, 1, fetchRequest('nope', 0, 0))).errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });

  it('answers FENCED_LEADER_EPOCH to a fetch that names an older leader epoch', async () => {
    const { cluster } = newCluster({ topics: [{ name: 't', partitions: 1 }] });
    const other = nonLeaderOf(cluster, 't', 0);
    cluster.moveLeader('t', 0, other);
    assert.equal(
      (await fetchPartition(cluster, other, fetchRequest('t', 0, 0, { currentLeaderEpoch: 0 }))).errorCode,
      ErrorCode.FENCED_LEADER_EPOCH,
    );
    assert.equal(
      (await fetchPartition(cluster, other, fetchRequest('t', 0, 0, { currentLeaderEpoch: 1 }))).errorCode,
      ErrorCode.NONE,
    );
  });

  it('long-polls when there is no data and is released as soon as records arrive', async () => {
    const { cluster, clock } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const got: { answer?: M.FetchResponse } = {};
    void call<M.FetchResponse>(cluster, 1, ApiKey.Fetch, 10, fetchRequest('t', 0, 0, { maxWaitMs: 5000 })).then(
      (r) => (got.answer = r),
    );
    clock.advance(1000);
    await settle();
    assert.equal(got.answer === undefined, true, 'still waiting for data');
    await produce(cluster, 1, 't', 0, batch(2));
    await settle();
    assert.ok(got.answer, 'released by the produce');
    assert.equal(readRecordBatches(got.answer.responses[0].partitions[0].records!)[0].recordCount, 2);
  });

  it('answers an empty long poll when maxWaitMs passes, and not before', async () => {
    const { cluster, clock } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 2 }] });
    const got: { answer?: M.FetchResponse } = {};
    void call<M.FetchResponse>(cluster, 1, ApiKey.Fetch, 10, fetchRequest('t', 0, 0, { maxWaitMs: 500 })).then(
      (r) => (got.answer = r),
    );
    await produce(cluster, 1, 't', 1, batch(1)); // another partition: does not release it
    clock.advance(499);
    await settle();
    assert.equal(got.answer === undefined, true);
    clock.advance(1);
    await settle();
    assert.ok(got.answer);
    assert.equal(got.answer.responses[0].partitions[0].records!.length, 0);
  });

  it('releases waiting fetches on stop', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const pending = call<M.FetchResponse>(cluster, 1, ApiKey.Fetch, 10, fetchRequest('t', 0, 0, { maxWaitMs: 60_000 }));
    cluster.stop();
    const r = await pending;
    assert.equal(r.responses[0].partitions[0].errorCode, ErrorCode.NONE);
  });
});

describe('SandboxCluster ListOffsets', () => {
  it('answers the latest (-1), earliest (-2) and the first offset at or after a timestamp', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }], maxRecordsPerPartition: 6 });
    await produce(cluster, 1, 't', 0, batch(3, { timestamp: T0 + 100 }));
    await produce(cluster, 1, 't', 0, batch(3, { timestamp: T0 + 200 }));
    await produce(cluster, 1, 't', 0, batch(3, { timestamp: T0 + 300 }));
    const ask = async (timestamp: number) => {
      const r = await call<M.ListOffsetsResponse>(cluster, 1, ApiKey.ListOffsets, 4, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] },
        ],
      });
      return r.topics[0].partitions[0];
    };
    assert.equal((await ask(-1)).offset, 9);
    assert.equal((await ask(-2)).offset, 3, 'the first batch was dropped by the cap');
    const byTime = await ask(T0 + 301); // the batch at 6 holds records stamped T0+300, +301, +302
    assert.equal(byTime.offset, 7);
    assert.equal(byTime.timestamp, T0 + 301);
    assert.equal((await ask(T0 + 250)).offset, 6);
    assert.equal((await ask(T0 + 10_000)).offset, -1);
  });

  it('answers NOT_LEADER_OR_FOLLOWER from a follower', async () => {
    const { cluster } = newCluster({ topics: [{ name: 't', partitions: 1 }] });
    const r = await call<M.ListOffsetsResponse>(cluster, nonLeaderOf(cluster, 't', 0), ApiKey.ListOffsets, 1, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] },
      ],
    });
    assert.equal(r.topics[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.ok(leaderOf(cluster, 't', 0) > 0);
  });
});

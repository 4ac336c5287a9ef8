import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { decodeRecords, readRecordBatches } from '../../extension/core/kafka/record-batch';
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
  partitionState,
  produce,
  produceRequest,
} from './sandbox-cluster-helpers';

describe('SandboxCluster Produce', () => {
  it('assigns offsets per partition by patching each stored batch base offset', async () => {
    const { cluster } = newCluster({ topics: [{ name: 't', partitions: 2 }] });
    const l0 = leaderOf(cluster, 't', 0);
    const l1 = leaderOf(cluster, 't', 1);
    assert.equal((await produce(cluster, l0, 't', 0, batch(3))).baseOffset, 0);
    assert.equal((await produce(cluster, l0, 't', 0, batch(2))).baseOffset, 3);
    assert.equal((await produce(cluster, l1, 't', 1, batch(4))).baseOffset, 0);
    const fetched = await fetchPartition(cluster, l0, fetchRequest('t', 0, 0));
    const batches = readRecordBatches(fetched.records!);
    assert.deepEqual(
      batches.map((b) => b.baseOffset),
      [0, 3],
    );
    const records = (await Promise.all(batches.map((b) => decodeRecords(b)))).flat();
    assert.deepEqual(
      records.map((r) => r.offset),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      records.map((r) => r.value!.toString()),
      ['v0', 'v1', 'v2', 'v0', 'v1'],
    );
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 5);
  });

  it('answers NOT_LEADER_OR_FOLLOWER when the broker does not lead the partition', async () => {
    const { cluster } = newCluster({ topics: [{ name: 't', partitions: 1 }] });
    const r = await produce(cluster, nonLeaderOf(cluster, 't', 0), 't', 0, batch(1));
    assert.equal(r.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 0);
  });

  it('auto-creates an unknown topic on produce, and answers UNKNOWN_TOPIC_OR_PARTITION when auto-create is off', async () => {
    const on = newCluster({ brokers: 1 });
    assert.equal((await produce(on.cluster, 1, 'fresh', 0, batch(1))).errorCode, ErrorCode.NONE);
    assert.equal(on.cluster.state().topics[0].partitions.length, 3);
    const off = newCluster({ brokers: 1, autoCreateTopics: false });
    assert.equal((await produce(off.cluster, 1, 'fresh', 0, batch(1))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(off.cluster.state().topics.length, 0);
  });

  it('answers CORRUPT_MESSAGE for a batch whose CRC does not match, and stores nothing', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const b = batch(2);
    b[b.length - 1] ^= 0xff;
    assert.equal((await produce(cluster, 1, 't', 0, b)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal((await produce(cluster, 1, 't', 0, b.subarray(0, 40))).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal((await produce(cluster, 1, 't', 0, null)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 0);
  });

  it('answers UNSUPPORTED_FOR_MESSAGE_FORMAT for an old (magic 1) message set', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const old = Buffer.alloc(40);
    old.writeInt32BE(28, 8); // message size
    old.writeInt8(1, 16); // magic 1
    assert.equal((await produce(cluster, 1, 't', 0, old)).errorCode, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  });

  it('answers MESSAGE_TOO_LARGE when a batch exceeds the topic max.message.bytes', async () => {
    const { cluster } = newCluster({ brokers: 1 });
    cluster.createTopic('small', 1, 1, { 'max.message.bytes': '200' });
    assert.equal(
      (await produce(cluster, 1, 'small', 0, batch(1, { valueSize: 500 }))).errorCode,
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    assert.equal((await produce(cluster, 1, 'small', 0, batch(1, { valueSize: 10 }))).errorCode, ErrorCode.NONE);
  });

  it('sends no response for acks=0 but still writes the records', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const outcome = await cluster.handle(
      1,
      { apiKey: ApiKey.Produce, apiVersion: 7, correlationId: 9, clientId: 'c' },
      produceRequest('t', 0, batch(3), 0),
    );
    assert.deepEqual(outcome, { kind: 'noResponse' });
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 3);
  });

  it('refuses an acks value other than -1, 0 or 1 with INVALID_REQUIRED_ACKS', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    assert.equal((await produce(cluster, 1, 't', 0, batch(1), 2)).errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('answers NOT_ENOUGH_REPLICAS for acks=-1 when the ISR is below min.insync.replicas, but accepts acks=1', async () => {
    const { cluster } = newCluster({ brokers: 3, minInsyncReplicas: 2, topics: [{ name: 't', partitions: 1 }] });
    const leader = leaderOf(cluster, 't', 0);
    const followers = partitionState(cluster, 't', 0).replicas.filter((r) => r !== leader);
    assert.equal((await produce(cluster, leader, 't', 0, batch(1), -1)).errorCode, ErrorCode.NONE);
    cluster.setBrokerUp(followers[0], false);
    assert.equal(
      (await produce(cluster, leader, 't', 0, batch(1), -1)).errorCode,
      ErrorCode.NONE,
      'ISR 2 = min.insync.replicas 2',
    );
    cluster.setBrokerUp(followers[1], false);
    assert.deepEqual(partitionState(cluster, 't', 0).isr, [leader]);
    assert.equal((await produce(cluster, leader, 't', 0, batch(1), -1)).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 2, 'refused records are not written');
    assert.equal((await produce(cluster, leader, 't', 0, batch(1), 1)).errorCode, ErrorCode.NONE);
  });

  it('honours a topic min.insync.replicas config over the cluster default', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    cluster.createTopic('strict', 1, 3, { 'min.insync.replicas': '3' });
    const leader = leaderOf(cluster, 'strict', 0);
    assert.equal((await produce(cluster, leader, 'strict', 0, batch(1))).errorCode, ErrorCode.NONE);
    cluster.setBrokerUp(
      partitionState(cluster, 'strict', 0).replicas.find((r) => r !== leader)!,
      false,
    );
    assert.equal((await produce(cluster, leader, 'strict', 0, batch(1))).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  });

  it('takes acks=all on a topic made with replication factor 1 on a sandbox with min.insync.replicas 2 (NOT_ENOUGH_REPLICAS forever: the cluster min.insync.replicas was not capped by the replication factor)', async () => {
    const { cluster } = newCluster({ brokers: 3, minInsyncReplicas: 2 });
    cluster.createTopic('single', 2, 1);
    cluster.createTopic('pair', 1, 2);
    for (const p of [0, 1])
      assert.equal(
        (await produce(cluster, leaderOf(cluster, 'single', p), 'single', p, batch(1), -1)).errorCode,
        ErrorCode.NONE,
        `single/${p}`,
      );
    const pair = leaderOf(cluster, 'pair', 0);
    assert.equal(
      (await produce(cluster, pair, 'pair', 0, batch(1), -1)).errorCode,
      ErrorCode.NONE,
      'min(2, 2): both replicas in sync',
    );
    cluster.setBrokerUp(
      partitionState(cluster, 'pair', 0).replicas.find((r) => r !== pair)!,
      false,
    );
    assert.equal(
      (await produce(cluster, pair, 'pair', 0, batch(1), -1)).errorCode,
      ErrorCode.NOT_ENOUGH_REPLICAS,
      'the cluster default still applies up to the replication factor',
    );
    // An explicit config wins, even above the replication factor (Kafka accepts it; every acks=all then fails).
    cluster.createTopic('explicit', 1, 1, { 'min.insync.replicas': '2' });
    assert.equal(
      (await produce(cluster, leaderOf(cluster, 'explicit', 0), 'explicit', 0, batch(1), -1)).errorCode,
      ErrorCode.NOT_ENOUGH_REPLICAS,
    );
  });

  it('stamps LogAppendTime topics with the broker time and reports it in the response', async () => {
    const { cluster, clock } = newCluster({ brokers: 1 });
    cluster.createTopic('lat', 1, 1, { 'message.timestamp.type': 'LogAppendTime' });
    clock.advance(5000);
    const r = await produce(cluster, 1, 'lat', 0, batch(2, { timestamp: 42 }));
    assert.equal(r.logAppendTimeMs, T0 + 5000);
    const fetched = await fetchPartition(cluster, 1, fetchRequest('lat', 0, 0));
    const [stored] = readRecordBatches(fetched.records!); // CRC verified: the recomputed CRC is right
    assert.equal(stored.timestampType, 'LogAppendTime');
    assert.equal(stored.maxTimestamp, T0 + 5000);
    assert.deepEqual(
      (await decodeRecords(stored)).map((x) => x.timestamp),
      [T0 + 5000, T0 + 5000],
    );
    const createTime = newCluster({ brokers: 1, topics: [{ name: 'c', partitions: 1 }] });
    assert.equal((await produce(createTime.cluster, 1, 'c', 0, batch(1))).logAppendTimeMs, -1);
  });

  it('answers every partition of a multi-partition request on its own', async () => {
    const { cluster } = newCluster({ brokers: 2, topics: [{ name: 't', partitions: 2 }] });
    const leader = leaderOf(cluster, 't', 0);
    assert.notEqual(leaderOf(cluster, 't', 1), leader, 'leaders are spread over brokers');
    const req: M.ProduceRequest = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 't',
          partitionData: [
            { index: 0, records: batch(1) },
            { index: 1, records: batch(1) },
            { index: 7, records: batch(1) },
          ],
        },
      ],
    };
    const r = await call<M.ProduceResponse>(cluster, leader, ApiKey.Produce, 7, req);
    assert.deepEqual(
      r.responses[0].partitionResponses.map((p) => p.errorCode),
      [ErrorCode.NONE, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
  });
});

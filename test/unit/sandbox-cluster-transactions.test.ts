/** The sandbox's transaction coordinator and the partition side of transactions, on a FakeClock. */
import { strict as assert } from 'node:assert';
import {
  ApiKey,
  ErrorCode,
  type AddPartitionsToTxnResponse,
  type FetchResponse,
  type InitProducerIdResponse,
  type ListOffsetsResponse,
} from '../../extension/core/kafka/protocol';
import {
  readRecordBatches,
  decodeRecords,
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
} from '../../extension/core/kafka/record-batch';
import { controlRecordType } from '../../extension/core/kafka/control-record';
import { crc32c } from '../../extension/core/kafka/crc32c';
import { chooseCoordinator } from '../../extension/core/sandbox/cluster/groups/coordinator-choice';
import type { SandboxCluster } from '../../extension/core/sandbox/cluster/sandbox-cluster';
import { batch, call, fetchRequest, newCluster, produce } from './sandbox-cluster-helpers';

/** A transactional batch (the attribute bit set, CRC redone). */
function txBatch(count: number, producerId: number, producerEpoch: number, baseSequence: number): Buffer {
  const b = Buffer.from(batch(count, { producerId, producerEpoch, baseSequence }));
  b.writeInt16BE(b.readInt16BE(ATTRIBUTES_OFFSET) | 0x10, ATTRIBUTES_OFFSET);
  b.writeUInt32BE(crc32c(b.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return b;
}

function coordinatorOf(cluster: SandboxCluster, id: string): number {
  return chooseCoordinator(id, cluster.state().brokers)!.id;
}

async function init(cluster: SandboxCluster, id: string, timeoutMs = 60_000): Promise<InitProducerIdResponse> {
  return call<InitProducerIdResponse>(cluster, coordinatorOf(cluster, id), ApiKey.InitProducerId, 1, {
    transactionalId: id,
    transactionTimeoutMs: timeoutMs,
  });
}

async function addPartition(
  cluster: SandboxCluster,
  id: string,
  pid: number,
  epoch: number,
  topic: string,
  partition: number,
): Promise<number> {
  const r = await call<AddPartitionsToTxnResponse>(cluster, coordinatorOf(cluster, id), ApiKey.AddPartitionsToTxn, 1, {
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: pid,
    v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: [{ name: topic, partitions: [partition] }],
  });
  return r.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode;
}

async function endTxn(
  cluster: SandboxCluster,
  id: string,
  pid: number,
  epoch: number,
  committed: boolean,
): Promise<number> {
  return (
    await call<{ errorCode: number }>(cluster, coordinatorOf(cluster, id), ApiKey.EndTxn, 1, {
      transactionalId: id,
      producerId: pid,
      producerEpoch: epoch,
      committed,
    })
  ).errorCode;
}

async function readCommitted(cluster: SandboxCluster, brokerId: number, topic: string) {
  const r = await call<FetchResponse>(cluster, brokerId, ApiKey.Fetch, 10, {
    ...fetchRequest(topic, 0, 0),
    isolationLevel: 1,
  });
  return r.responses[0].partitions[0];
}

describe('sandbox transaction coordinator', () => {
  it('bumps the epoch of a transactional id on every InitProducerId, keeping its producer id', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    const a = await init(cluster, 'tx');
    const b = await init(cluster, 'tx');
    assert.equal(a.errorCode, 0);
    assert.equal(b.producerId, a.producerId);
    assert.equal(b.producerEpoch, a.producerEpoch + 1);
  });

  it('answers NOT_COORDINATOR from a broker that does not coordinate the transactional id, and refuses a timeout above the maximum', async () => {
    const { cluster } = newCluster({ brokers: 3 });
    const other = [1, 2, 3].find((id) => id !== coordinatorOf(cluster, 'tx'))!;
    const r = await call<InitProducerIdResponse>(cluster, other, ApiKey.InitProducerId, 1, {
      transactionalId: 'tx',
      transactionTimeoutMs: 1000,
    });
    assert.equal(r.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await init(cluster, 'tx', 900_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });

  it('refuses a transactional batch for a partition not added to the transaction, and accepts it once added', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const { producerId, producerEpoch } = await init(cluster, 'tx');
    assert.equal(
      (await produce(cluster, 1, 't', 0, txBatch(2, producerId, producerEpoch, 0))).errorCode,
      ErrorCode.INVALID_TXN_STATE,
    );
    assert.equal(await addPartition(cluster, 'tx', producerId, producerEpoch, 't', 0), 0);
    assert.equal((await produce(cluster, 1, 't', 0, txBatch(2, producerId, producerEpoch, 0))).errorCode, 0);
  });

  it('holds the last stable offset at an open transaction, writes an abort marker, and reports the aborted range to read_committed fetches', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    await produce(cluster, 1, 't', 0, batch(1)); // offset 0, not transactional
    const { producerId, producerEpoch } = await init(cluster, 'tx');
    await addPartition(cluster, 'tx', producerId, producerEpoch, 't', 0);
    await produce(cluster, 1, 't', 0, txBatch(3, producerId, producerEpoch, 0)); // offsets 1-3
    let p = await readCommitted(cluster, 1, 't');
    assert.equal(p.highWatermark, 4);
    assert.equal(p.lastStableOffset, 1);
    assert.equal(readRecordBatches(p.records!).length, 1, 'only the batch below the last stable offset');

    assert.equal(await endTxn(cluster, 'tx', producerId, producerEpoch, false), 0);
    p = await readCommitted(cluster, 1, 't');
    assert.equal(p.highWatermark, 5);
    assert.equal(p.lastStableOffset, 5);
    assert.deepEqual(p.abortedTransactions, [{ producerId, firstOffset: 1 }]);
    const batches = readRecordBatches(p.records!);
    const marker = batches[2];
    assert.equal(marker.isControl, true);
    assert.equal(marker.isTransactional, true);
    assert.equal(marker.baseOffset, 4);
    assert.equal(controlRecordType((await decodeRecords(marker))[0].key), 'abort');
    const latest = await call<ListOffsetsResponse>(cluster, 1, ApiKey.ListOffsets, 2, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] },
      ],
    });
    assert.equal(latest.topics[0].partitions[0].offset, 5);
  });

  it('commits with a commit marker and no aborted range; a retried EndTxn is answered NONE, the opposite one INVALID_TXN_STATE', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const { producerId, producerEpoch } = await init(cluster, 'tx');
    await addPartition(cluster, 'tx', producerId, producerEpoch, 't', 0);
    await produce(cluster, 1, 't', 0, txBatch(2, producerId, producerEpoch, 0));
    assert.equal(await endTxn(cluster, 'tx', producerId, producerEpoch, true), 0);
    assert.equal(await endTxn(cluster, 'tx', producerId, producerEpoch, true), 0);
    assert.equal(await endTxn(cluster, 'tx', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE);
    const p = await readCommitted(cluster, 1, 't');
    assert.deepEqual(p.abortedTransactions, []);
    assert.equal(p.lastStableOffset, 3);
    const marker = readRecordBatches(p.records!)[1];
    assert.equal(controlRecordType((await decodeRecords(marker))[0].key), 'commit');
  });

  it('fences an older epoch: its produce and EndTxn get INVALID_PRODUCER_EPOCH after another InitProducerId', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const old = await init(cluster, 'tx');
    await addPartition(cluster, 'tx', old.producerId, old.producerEpoch, 't', 0);
    await produce(cluster, 1, 't', 0, txBatch(1, old.producerId, old.producerEpoch, 0));
    // The open transaction is aborted first and the new producer asked to come back.
    assert.equal((await init(cluster, 'tx')).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    const fresh = await init(cluster, 'tx');
    assert.equal(fresh.errorCode, 0);
    assert.equal(fresh.producerEpoch, old.producerEpoch + 2);
    assert.equal(
      (await produce(cluster, 1, 't', 0, txBatch(1, old.producerId, old.producerEpoch, 1))).errorCode,
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    assert.equal(
      await endTxn(cluster, 'tx', old.producerId, old.producerEpoch, true),
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    assert.equal((await readCommitted(cluster, 1, 't')).abortedTransactions?.length, 1);
  });

  it('aborts a transaction open past transaction.timeout.ms under a bumped epoch', async () => {
    const { cluster, clock, logs } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const { producerId, producerEpoch } = await init(cluster, 'tx', 5_000);
    await addPartition(cluster, 'tx', producerId, producerEpoch, 't', 0);
    await produce(cluster, 1, 't', 0, txBatch(1, producerId, producerEpoch, 0));
    clock.advance(4_999);
    assert.equal(cluster.state().transactions[0].state, 'Ongoing');
    clock.advance(1);
    const t = cluster.state().transactions[0];
    assert.equal(t.state, 'CompleteAbort');
    assert.equal(t.producerEpoch, producerEpoch + 1);
    assert.ok(logs.some((l) => /timed out: open longer than transaction\.timeout\.ms=5000/.test(l)));
    assert.equal(await endTxn(cluster, 'tx', producerId, producerEpoch, true), ErrorCode.INVALID_PRODUCER_EPOCH);
    cluster.stop();
  });
});

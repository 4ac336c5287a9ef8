import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { ApiKey } from '../../extension/core/kafka/protocol';
import type * as M from '../../extension/core/kafka/protocol';
import { ProducerStateTable } from '../../extension/core/sandbox/cluster/producer-state';
import { batch, call, newCluster, partitionState, produce } from './sandbox-cluster-helpers';

async function setup() {
  const env = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
  const init = await call<M.InitProducerIdResponse>(env.cluster, 1, ApiKey.InitProducerId, 1, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
  });
  const send = (baseSequence: number, count = 2, producerEpoch = init.producerEpoch, producerId = init.producerId) =>
    produce(env.cluster, 1, 't', 0, batch(count, { producerId, producerEpoch, baseSequence }));
  return { ...env, producerId: init.producerId, send };
}

describe('SandboxCluster idempotent produce', () => {
  it('acknowledges a duplicate batch with its original base offset and does not write it twice', async () => {
    const { cluster, send } = await setup();
    assert.equal((await send(0)).baseOffset, 0);
    assert.equal((await send(2)).baseOffset, 2);
    const retry = await send(0);
    assert.equal(retry.errorCode, ErrorCode.NONE);
    assert.equal(retry.baseOffset, 0);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 4);
  });

  it('remembers the last 5 batches per producer and partition; an older retry is out of order', async () => {
    const { cluster, send } = await setup();
    for (let i = 0; i < 6; i++) assert.equal((await send(i * 2)).errorCode, ErrorCode.NONE);
    assert.equal((await send(2)).baseOffset, 2, 'batch 2 of 6 is within the window');
    assert.equal((await send(0)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'batch 1 of 6 has left the window');
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 12);
  });

  it('answers OUT_OF_ORDER_SEQUENCE_NUMBER for a sequence gap, and for a first batch not at sequence 0', async () => {
    const { cluster, send } = await setup();
    assert.equal((await send(5)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await send(0)).errorCode, ErrorCode.NONE);
    assert.equal((await send(3)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'expected 2');
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 2);
  });

  it('answers UNKNOWN_PRODUCER_ID for a producer id the cluster never issued', async () => {
    const { send } = await setup();
    assert.equal((await send(0, 1, 0, 987654)).errorCode, ErrorCode.UNKNOWN_PRODUCER_ID);
  });

  it('answers INVALID_PRODUCER_EPOCH for an epoch older than the producer current one', async () => {
    const { send } = await setup();
    assert.equal((await send(0, 1, 1)).errorCode, ErrorCode.NONE, 'a bumped epoch starting at 0 is accepted');
    assert.equal((await send(1, 1, 0)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('keeps sequences per partition', async () => {
    const { cluster, producerId } = await setup();
    cluster.createTopic('u', 2, 1);
    const r0 = await produce(cluster, 1, 'u', 0, batch(3, { producerId, producerEpoch: 0, baseSequence: 0 }));
    const r1 = await produce(cluster, 1, 'u', 1, batch(3, { producerId, producerEpoch: 0, baseSequence: 0 }));
    assert.deepEqual([r0.errorCode, r1.errorCode], [0, 0]);
  });

  it('writes non-idempotent batches every time they are sent', async () => {
    const { cluster } = await setup();
    const b = batch(2);
    await produce(cluster, 1, 't', 0, b);
    await produce(cluster, 1, 't', 0, b);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 4);
  });
});

describe('ProducerStateTable', () => {
  it('wraps sequences from 2147483647 to 0, as Kafka does', () => {
    const table = new ProducerStateTable();
    const { producerId } = table.initProducerId();
    const b = (baseSequence: number, recordCount: number) => ({
      producerId,
      producerEpoch: 0,
      baseSequence,
      recordCount,
    });
    assert.deepEqual(table.check('t', 0, b(0, 1)), { kind: 'append' });
    table.recordAppend('t', 0, b(0, 1), 0);
    // Pretend the producer got near the top: a batch ending exactly at INT32_MAX, then one starting at 0.
    table.recordAppend('t', 0, b(2147483646, 2), 1);
    assert.deepEqual(table.check('t', 0, b(0, 3)), { kind: 'append' });
    assert.equal(table.check('t', 0, b(1, 3)).kind, 'error');
  });
});

/**
 * KafkaTransport against the sandbox over TCP: metadata, raw Produce requests answered partition by partition,
 * acks=0, timing, InitProducerId, admin, and each connection-level failure mapped to a TransportError kind.
 * Record batches here are encoded by kafkajs's own encoder, so these tests do not depend on the engine.
 */
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { TransportError, type ClusterMetadata } from '../../extension/core/transport/transport';
import { kafkaFor, partitionsOf, waitFor } from './sandbox-helpers';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');

async function encodeBatch(
  values: string[],
  opts: { producerId?: number; producerEpoch?: number; firstSequence?: number } = {},
): Promise<Buffer> {
  const now = Date.now();
  const records = values.map((v, i) =>
    Record({ key: `k${i}`, value: v, offsetDelta: i, timestampDelta: 0, headers: {} }),
  );
  const batch = await RecordBatch({
    compression: 0,
    records,
    firstTimestamp: now,
    maxTimestamp: now,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? 0,
    firstSequence: opts.firstSequence ?? 0,
    transactional: false,
    lastOffsetDelta: records.length - 1,
  });
  return batch.buffer as Buffer;
}

function leaderOf(md: ClusterMetadata, topic: string, partition: number): number {
  const p = md.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partition === partition);
  assert.ok(p, `no metadata for ${topic}/${partition}`);
  return p.leader;
}

function highWatermark(sandbox: Sandbox, topic: string, partition: number): number {
  const t = sandbox.state().topics.find((x) => x.name === topic);
  return (
    (t?.partitions.find((p) => p.partition === partition) as { highWatermark: number } | undefined)?.highWatermark ?? -1
  );
}

describe('KafkaTransport against the sandbox', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let transport: KafkaTransport;

  beforeEach(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 3,
      electionDelayMs: 50,
      topics: [{ name: 'orders', partitions: 3 }],
    });
    transport = new KafkaTransport({
      brokers: sandbox.bootstrap.split(','),
      clientId: 'transport-test',
      requestTimeoutMs: 2000,
      connectionTimeoutMs: 1000,
    });
  });

  afterEach(async () => {
    await transport.close();
    await sandbox.stop();
  });

  it("reads brokers, controller and each partition's leader and ISR from metadata", async () => {
    await transport.connect();
    const md = await transport.fetchMetadata(['orders'], false);
    assert.deepEqual(md.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    assert.ok([1, 2, 3].includes(md.controllerId));
    const orders = md.topics.find((t) => t.name === 'orders');
    assert.ok(orders);
    assert.equal(orders.errorCode, 0);
    assert.deepEqual(
      orders.partitions.map((p) => p.partition),
      [0, 1, 2],
    );
    for (const p of orders.partitions) {
      assert.ok([1, 2, 3].includes(p.leader));
      assert.ok(p.isr.includes(p.leader));
    }
  });

  it('reports an unknown topic as an error code when auto-create is off, and creates it when allowed', async () => {
    const off = await transport.fetchMetadata(['ghost'], false);
    assert.equal(off.topics.find((t) => t.name === 'ghost')?.errorCode, 3);
    const on = await transport.fetchMetadata(['ghost'], true);
    const ghost = on.topics.find((t) => t.name === 'ghost');
    assert.ok(ghost && (ghost.errorCode === 0 || ghost.errorCode === 5), `got error ${ghost?.errorCode}`);
  });

  it("writes the batches it is given and returns each partition's base offset, with request timing", async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    const leader = leaderOf(md, 'orders', 1);
    const batch = await encodeBatch(['a', 'b', 'c']);
    const first = await transport.produce(leader, {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 1, records: batch }],
    });
    assert.deepEqual(
      first.results.map((r) => [r.topic, r.partition, r.errorCode, r.baseOffset]),
      [['orders', 1, 0, 0]],
    );
    const second = await transport.produce(leader, {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 1, records: await encodeBatch(['d']) }],
    });
    assert.equal(second.results[0].baseOffset, 3);
    assert.equal(highWatermark(sandbox, 'orders', 1), 4);
    assert.equal(first.timing.brokerId, leader);
    assert.equal(
      first.timing.address,
      sandbox.brokers.find((b) => b.id === leader) && `127.0.0.1:${sandbox.brokers.find((b) => b.id === leader)?.port}`,
    );
    assert.ok(first.timing.requestBytes > batch.length, 'request size includes the batch and the headers');
    assert.ok(Math.abs(first.timing.sentAtMs - Date.now()) < 5000);
    assert.ok(first.timing.durationMs >= 0);
    assert.ok(
      typeof first.timing.correlationId === 'number' && second.timing.correlationId === first.timing.correlationId + 1,
    );
  });

  it("reads each partition's high watermark from its leader with ListOffsets", async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    await transport.produce(leaderOf(md, 'orders', 0), {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['a', 'b']) }],
    });
    await transport.produce(leaderOf(md, 'orders', 2), {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 2, records: await encodeBatch(['c', 'd', 'e', 'f', 'g']) }],
    });
    const watermarks = await transport.highWatermarks('orders');
    assert.deepEqual(
      [...watermarks].sort(([a], [b]) => a - b),
      [
        [0, 2],
        [1, 0],
        [2, 5],
      ],
    );
    assert.deepEqual(
      [0, 1, 2].map((p) => highWatermark(sandbox, 'orders', p)),
      [2, 0, 5],
      'the same as the broker reports',
    );
  });

  it('answers partition by partition: an error on one partition leaves the other written once', async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    // Put two partitions on the same leader so one request carries both.
    const leader = leaderOf(md, 'orders', 0);
    sandbox.moveLeader('orders', 2, leader);
    sandbox.addFault({ api: 'Produce', topic: 'orders', partition: 0, errorCode: 19, count: 1 });
    const res = await transport.produce(leader, {
      acks: -1,
      timeoutMs: 1000,
      partitions: [
        { topic: 'orders', partition: 0, records: await encodeBatch(['x']) },
        { topic: 'orders', partition: 2, records: await encodeBatch(['y', 'z']) },
      ],
    });
    const byPartition = new Map(res.results.map((r) => [r.partition, r]));
    assert.equal(byPartition.get(0)?.errorCode, 19);
    assert.equal(byPartition.get(2)?.errorCode, 0);
    assert.equal(highWatermark(sandbox, 'orders', 2), 2);
    assert.equal(highWatermark(sandbox, 'orders', 0), 0);
  });

  it('with acks=0 settles without a response and the records still land', async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    const leader = leaderOf(md, 'orders', 0);
    const res = await transport.produce(leader, {
      acks: 0,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['q', 'r']) }],
    });
    assert.deepEqual(res.results, []);
    assert.equal(res.timing.durationMs, 0);
    // The connection keeps working after a request with no response (correlation ids stay matched).
    const next = await transport.produce(leader, {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['s']) }],
    });
    assert.equal(next.results[0].baseOffset, 2);
  });

  it('gets a producer id, and the broker drops a re-sent batch with the same sequence', async () => {
    const { producerId, producerEpoch } = await transport.initProducerId(60_000);
    assert.ok(producerId >= 0);
    const md = await transport.fetchMetadata(['orders'], false);
    const leader = leaderOf(md, 'orders', 0);
    const batch = await encodeBatch(['once'], { producerId, producerEpoch, firstSequence: 0 });
    const req = { acks: -1 as const, timeoutMs: 1000, partitions: [{ topic: 'orders', partition: 0, records: batch }] };
    const a = await transport.produce(leader, req);
    const b = await transport.produce(leader, req);
    assert.equal(a.results[0].errorCode, 0);
    assert.equal(b.results[0].errorCode, 0);
    assert.equal(b.results[0].baseOffset, a.results[0].baseOffset);
    assert.equal(highWatermark(sandbox, 'orders', 0), 1);
  });

  it('fails a request the broker never answers with a retriable timeout', async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    const leader = leaderOf(md, 'orders', 0);
    sandbox.addFault({ api: 'Produce', broker: leader, dropResponse: true, count: 1 });
    await assert.rejects(
      transport.produce(leader, {
        acks: 1,
        timeoutMs: 500,
        partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['t']) }],
      }),
      (e: unknown) => e instanceof TransportError && e.kind === 'timeout' && e.retriable && e.brokerId === leader,
    );
  });

  it('fails a produce to a stopped broker with a retriable connection error, while metadata comes from the others', async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    const leader = leaderOf(md, 'orders', 0);
    await sandbox.stopBroker(leader);
    await assert.rejects(
      transport.produce(leader, {
        acks: 1,
        timeoutMs: 500,
        partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['u']) }],
      }),
      (e: unknown) => e instanceof TransportError && e.kind === 'connection' && e.retriable && e.brokerId === leader,
    );
    await waitFor(
      () => partitionsOf(sandbox, 'orders')[0].leader !== leader,
      'a new leader for orders/0 (after the election delay)',
    );
    const after = await transport.fetchMetadata(['orders'], false);
    const newLeader = leaderOf(after, 'orders', 0);
    assert.notEqual(newLeader, leader);
    const res = await transport.produce(newLeader, {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['v']) }],
    });
    assert.equal(res.results[0].errorCode, 0);
  });

  it('fails metadata with a retriable connection error once every broker is down, and recovers when one returns', async () => {
    await transport.connect();
    for (const b of [1, 2, 3]) await sandbox.stopBroker(b);
    await assert.rejects(
      transport.fetchMetadata(['orders'], false),
      (e: unknown) => e instanceof TransportError && e.kind === 'connection' && e.retriable,
    );
    await sandbox.startBroker(2);
    const md = await transport.fetchMetadata(['orders'], false);
    assert.ok(md.brokers.some((b) => b.nodeId === 2));
  });

  it('refuses an unreachable bootstrap with a plain connection error', async () => {
    const port = sandbox.brokers[0].port;
    await sandbox.stop();
    const lonely = new KafkaTransport({ brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 500 });
    try {
      await assert.rejects(
        lonely.connect(),
        (e: unknown) =>
          e instanceof TransportError && e.kind === 'connection' && /127\.0\.0\.1:\d+.*refused/.test(e.message),
      );
    } finally {
      await lonely.close();
    }
  });

  it('refuses a bootstrap address that is not HOST:PORT before connecting', () => {
    assert.throws(() => new KafkaTransport({ brokers: ['localhost'] }), /'localhost' is not HOST:PORT/);
    assert.throws(
      () => new KafkaTransport({ brokers: ['127.0.0.1:99999'] }),
      /'127\.0\.0\.1:99999': the port must be from 1 to 65535/,
    );
  });

  it('creates and deletes topics on the controller, reporting TOPIC_ALREADY_EXISTS per topic', async () => {
    const created = await transport.createTopics([
      { name: 'audit', partitions: 2, replicationFactor: 2 },
      { name: 'orders', partitions: 1 },
    ]);
    const byName = new Map(created.map((r) => [r.name, r]));
    assert.equal(byName.get('audit')?.errorCode, 0);
    assert.equal(byName.get('orders')?.errorName, 'TOPIC_ALREADY_EXISTS');
    const md = await transport.describeCluster();
    assert.equal(md.topics.find((t) => t.name === 'audit')?.partitions.length, 2);
    const deleted = await transport.deleteTopics(['audit']);
    assert.equal(deleted[0].errorCode, 0);
    const again = await transport.fetchMetadata(['audit'], false);
    assert.equal(again.topics.find((t) => t.name === 'audit')?.errorCode, 3);
  });

  it('rejects requests still in flight when closed, and every call after', async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    const leader = leaderOf(md, 'orders', 0);
    sandbox.addFault({ api: 'Produce', broker: leader, dropResponse: true, count: 1 });
    const inflight = transport.produce(leader, {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 0, records: await encodeBatch(['w']) }],
    });
    // In flight: the broker has taken the request (its one-shot fault is used up) and will never answer it.
    await waitFor(() => sandbox.state().faults.length === 0, 'the produce request to reach the broker');
    await transport.close();
    await assert.rejects(inflight, (e: unknown) => e instanceof TransportError && e.kind === 'closed');
    await assert.rejects(
      transport.fetchMetadata(null, false),
      (e: unknown) => e instanceof TransportError && e.kind === 'closed',
    );
  });

  it("sends the engine's bytes untouched: a consumer reads back exactly the records of the batch", async () => {
    const md = await transport.fetchMetadata(['orders'], false);
    const values = ['alpha', 'beta', 'gamma'];
    await transport.produce(leaderOf(md, 'orders', 2), {
      acks: -1,
      timeoutMs: 1000,
      partitions: [{ topic: 'orders', partition: 2, records: await encodeBatch(values) }],
    });
    const { kafka } = kafkaFor(sandbox);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('orders');
    await admin.disconnect();
    assert.equal(offsets.find((o) => o.partition === 2)?.high, '3');
    const consumer = kafka.consumer({ groupId: 'transport-readback', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(`${message.key}=${message.value}`);
            if (seen.length === 3) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    assert.deepEqual(seen, ['k0=alpha', 'k1=beta', 'k2=gamma']);
  });
});

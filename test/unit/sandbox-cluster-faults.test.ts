import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { ApiKey } from '../../extension/core/kafka/protocol';
import type * as M from '../../extension/core/kafka/protocol';
import type { HandleOutcome } from '../../extension/core/sandbox/cluster/sandbox-cluster';
import { InvalidInputError } from '../../extension/core/util/errors';
import { batch, call, newCluster, partitionState, produce, produceRequest } from './sandbox-cluster-helpers';

const settle = () => new Promise((r) => setImmediate(r));
const produceHeader = { apiKey: ApiKey.Produce, apiVersion: 7, correlationId: 3, clientId: 'c' };

describe('SandboxCluster faults', () => {
  it('answers the next `count` matching requests with the error, then disappears', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    cluster.addFault({ api: 'Produce', errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, count: 2 });
    assert.equal(cluster.state().faults[0].remaining, 2);
    assert.equal((await produce(cluster, 1, 't', 0, batch(1))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(cluster.state().faults[0].remaining, 1);
    assert.equal((await produce(cluster, 1, 't', 0, batch(1))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(cluster.state().faults, []);
    assert.equal((await produce(cluster, 1, 't', 0, batch(1))).errorCode, ErrorCode.NONE);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 1, 'faulted requests wrote nothing');
  });

  it('matches only the given broker, and other APIs are untouched', async () => {
    const { cluster } = newCluster({ brokers: 2, topics: [{ name: 't', partitions: 2 }] });
    const s = cluster.state().topics[0].partitions;
    const p1 = s.find((p) => p.leader === 1)!.partition;
    const p2 = s.find((p) => p.leader === 2)!.partition;
    cluster.addFault({ api: 'Produce', errorCode: ErrorCode.REQUEST_TIMED_OUT, broker: 2 });
    await call(cluster, 2, ApiKey.Metadata, 1, { topics: null, allowAutoTopicCreation: true });
    assert.equal((await produce(cluster, 1, 't', p1, batch(1))).errorCode, ErrorCode.NONE);
    assert.equal((await produce(cluster, 2, 't', p2, batch(1))).errorCode, ErrorCode.REQUEST_TIMED_OUT);
  });

  it('fails only the matching partitions of a Produce request (partial failure)', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 3 }] });
    cluster.addFault({ api: 'Produce', errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, topic: 't', partition: 1 });
    const req: M.ProduceRequest = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [0, 1, 2].map((index) => ({ index, records: batch(1) })) }],
    };
    const r = await call<M.ProduceResponse>(cluster, 1, ApiKey.Produce, 7, req);
    assert.deepEqual(
      r.responses[0].partitionResponses.map((p) => p.errorCode),
      [0, ErrorCode.NOT_ENOUGH_REPLICAS, 0],
    );
    assert.deepEqual(
      cluster.state().topics[0].partitions.map((p) => p.highWatermark),
      [1, 0, 1],
    );
  });

  it('does not match a request for other partitions, and keeps its count', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 2 }] });
    cluster.addFault({ api: 'Produce', errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, topic: 't', partition: 1 });
    assert.equal((await produce(cluster, 1, 't', 0, batch(1))).errorCode, 0);
    assert.equal(cluster.state().faults[0].remaining, 1);
  });

  it('afterWrite writes the records and then answers the error (so a retry duplicates them)', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    cluster.addFault({ api: 'Produce', errorCode: ErrorCode.REQUEST_TIMED_OUT, afterWrite: true });
    const b = batch(2);
    assert.equal((await produce(cluster, 1, 't', 0, b)).errorCode, ErrorCode.REQUEST_TIMED_OUT);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 2, 'written despite the error');
    assert.equal((await produce(cluster, 1, 't', 0, b)).errorCode, 0);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 4, 'the retry is a duplicate');
  });

  it('afterWrite with an idempotent producer: the retry is recognised and not written twice', async () => {
    const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const init = await call<M.InitProducerIdResponse>(cluster, 1, ApiKey.InitProducerId, 1, {
      transactionalId: null,
      transactionTimeoutMs: 1000,
    });
    cluster.addFault({ api: 'Produce', errorCode: ErrorCode.REQUEST_TIMED_OUT, afterWrite: true });
    const b = batch(2, { producerId: init.producerId, producerEpoch: 0, baseSequence: 0 });
    assert.equal((await produce(cluster, 1, 't', 0, b)).errorCode, ErrorCode.REQUEST_TIMED_OUT);
    const retry = await produce(cluster, 1, 't', 0, b);
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0]);
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 2);
  });

  it('delays a matching request by latencyMs', async () => {
    const { cluster, clock } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    cluster.addFault({ api: 'Produce', latencyMs: 300 });
    const got: { outcome?: HandleOutcome } = {};
    void cluster.handle(1, produceHeader, produceRequest('t', 0, batch(1))).then((o) => (got.outcome = o));
    clock.advance(299);
    await settle();
    assert.equal(got.outcome === undefined, true);
    clock.advance(1);
    await settle();
    assert.equal(got.outcome?.kind, 'respond');
  });

  it('drops the response of a matching request (the Produce is still written)', async () => {
    const { cluster, logs } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    cluster.addFault({ api: 'Produce', dropResponse: true });
    assert.deepEqual(await cluster.handle(1, produceHeader, produceRequest('t', 0, batch(2))), { kind: 'drop' });
    assert.equal(partitionState(cluster, 't', 0).highWatermark, 2);
    assert.ok(logs.some((l) => l.includes('fault 1 added')));
  });

  it('answers an error fault on a non-partitioned API in that API shape', async () => {
    const { cluster } = newCluster({ brokers: 1 });
    // The group's first FindCoordinator creates __consumer_offsets (answering COORDINATOR_NOT_AVAILABLE as Kafka does).
    await call<M.FindCoordinatorResponse>(cluster, 1, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
    cluster.addFault({ api: 'FindCoordinator', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    const r = await call<M.FindCoordinatorResponse>(cluster, 1, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
    assert.equal(r.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const ok = await call<M.FindCoordinatorResponse>(cluster, 1, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
    assert.equal(ok.errorCode, 0);
  });

  it('accepts an api by key number and clears every fault on clearFaults', () => {
    const { cluster } = newCluster({ brokers: 1 });
    const f = cluster.addFault({ api: 1, errorCode: 6, count: 3 });
    assert.equal(f.api, 'Fetch');
    assert.equal(f.errorName, 'NOT_LEADER_OR_FOLLOWER');
    cluster.clearFaults();
    assert.deepEqual(cluster.state().faults, []);
  });

  it('refuses bad fault specs with a message saying exactly what is wrong', () => {
    const { cluster } = newCluster({ brokers: 3 });
    const cases: [unknown, RegExp][] = [
      [{ api: 'Prodce', errorCode: 6 }, /^unknown api 'Prodce'; known: Produce, Fetch, /],
      [{ api: 'Produce', errorCode: 999 }, /^errorCode 999 is not a Kafka error code$/],
      [{ api: 'Produce' }, /needs an effect: errorCode, latencyMs/],
      [{ errorCode: 6, count: 0 }, /count must be a whole number from 1/],
      [{ errorCode: 6, broker: 4 }, /broker 4 does not exist; the brokers are 1, 2, 3/],
      [{ errorCode: 6, latencyMs: -5 }, /latencyMs must be/],
      [{ errorCode: 6, dropResponse: 'yes' }, /dropResponse must be true or false/],
      [{ api: 'Fetch', errorCode: 6, afterWrite: true }, /afterWrite applies only to Produce/],
      [{ api: 'Produce', latencyMs: 10, afterWrite: true }, /afterWrite needs an errorCode/],
      [{ api: 'Metadata', errorCode: 6, topic: 't' }, /topic and partition apply only to Produce, Fetch, ListOffsets/],
      [{ errorCode: 6, colour: 'red' }, /unknown fault field 'colour'/],
      [{ api: 99, errorCode: 6 }, /api 99 is not an API key the sandbox speaks/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [spec, message] of cases) {
      assert.throws(
        () => cluster.addFault(spec),
        (e: unknown) => e instanceof InvalidInputError && message.test(e.message),
        JSON.stringify(spec),
      );
    }
    assert.deepEqual(cluster.state().faults, []);
  });
});

describe('SandboxCluster state', () => {
  it('reports brokers, topics with partition details, stored totals, faults and groups', async () => {
    const { cluster } = newCluster({ brokers: 2, topics: [{ name: 't', partitions: 1 }] });
    const leader = cluster.state().topics[0].partitions[0].leader;
    await produce(cluster, leader, 't', 0, batch(3));
    cluster.addFault({ api: 'Fetch', latencyMs: 5 });
    const s = JSON.parse(JSON.stringify(cluster.state()));
    assert.deepEqual(
      s.brokers.map((b: { id: number; up: boolean; controller: boolean }) => [b.id, b.up, b.controller]),
      [
        [1, true, true],
        [2, true, false],
      ],
    );
    const p = s.topics[0].partitions[0];
    assert.equal(p.highWatermark, 3);
    assert.equal(p.records, 3);
    assert.ok(p.bytes > 0);
    assert.deepEqual(p.replicas.length, 2);
    assert.equal(s.faults[0].api, 'Fetch');
    assert.deepEqual(s.groups, []);
    assert.equal(s.stored.records, 3);
  });
});

import { strict as assert } from 'node:assert';
import { Partitioners, type Producer } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { kafkaFor, partitionsOf, waitFor } from './sandbox-helpers';

/** Every fault the sandbox offers, each observed by a kafkajs client. Each test gets its own small sandbox. */
describe('sandbox faults seen by kafkajs', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  const producers: Producer[] = [];

  beforeEach(async () => {
    sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      electionDelayMs: 50,
      minInsyncReplicas: 2,
      topics: [{ name: 't', partitions: 3 }],
    });
  });
  afterEach(async () => {
    for (const p of producers.splice(0)) await p.disconnect().catch(() => {});
    await sandbox.stop();
  });

  async function producer(
    kafka: ReturnType<typeof kafkaFor>['kafka'],
    options: Parameters<typeof kafka.producer>[0] = {},
  ): Promise<Producer> {
    const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
    producers.push(p);
    await p.connect();
    return p;
  }

  const hw = (partition: number) => partitionsOf(sandbox, 't').find((p) => p.partition === partition)!.highWatermark;

  it('moving a leader answers NOT_LEADER_OR_FOLLOWER to a client that still uses the old one, which succeeds after refreshing metadata', async () => {
    const client = kafkaFor(sandbox);
    const p = await producer(client.kafka);
    await p.send({ topic: 't', messages: [{ value: 'before', partition: 0 }] });
    const oldLeader = partitionsOf(sandbox, 't')[0].leader;
    const newLeader = partitionsOf(sandbox, 't')[0].isr.find((b) => b !== oldLeader)!;
    sandbox.moveLeader('t', 0, newLeader);
    assert.equal(partitionsOf(sandbox, 't')[0].leader, newLeader);

    const [meta] = await p.send({ topic: 't', messages: [{ value: 'after', partition: 0 }] });
    assert.equal(meta.errorCode, 0);
    assert.equal(meta.baseOffset, '1');
    assert.match(client.logs.join('\n'), /not the leader/i, 'the client was told the old broker is not the leader');
    assert.equal(hw(0), 2);
  });

  it('a stopped broker closes its connections, its partitions get a new leader from the ISR, and produce continues', async () => {
    const client = kafkaFor(sandbox);
    const p = await producer(client.kafka);
    await p.send({ topic: 't', acks: -1, messages: [{ value: 'a', partition: 1 }] });
    const leader = partitionsOf(sandbox, 't')[1].leader;
    await sandbox.stopBroker(leader);
    assert.equal(sandbox.brokers.find((b) => b.id === leader)!.up, false);

    const [meta] = await p.send({ topic: 't', acks: -1, messages: [{ value: 'b', partition: 1 }] });
    assert.equal(meta.errorCode, 0);
    const after = partitionsOf(sandbox, 't')[1];
    assert.notEqual(after.leader, leader, 'a new leader was elected');
    assert.ok(!after.isr.includes(leader), 'the stopped broker left the ISR');
    assert.equal(after.highWatermark, 2);

    await sandbox.startBroker(leader);
    await waitFor(() => partitionsOf(sandbox, 't')[1].isr.includes(leader), 'the restarted broker rejoining the ISR');
    const [again] = await p.send({ topic: 't', acks: -1, messages: [{ value: 'c', partition: 1 }] });
    assert.equal(again.errorCode, 0);
  });

  it('acks=all answers NOT_ENOUGH_REPLICAS while the ISR is below min.insync.replicas; acks=1 still succeeds', async () => {
    // Stop the two followers: the leader stays, alone in the ISR, below min.insync.replicas=2.
    const before = partitionsOf(sandbox, 't')[2];
    const followers = before.replicas.filter((b) => b !== before.leader);
    // The client knows only the leader, so it never waits on a stopped broker for metadata.
    const leaderAddress = `127.0.0.1:${sandbox.brokers.find((b) => b.id === before.leader)!.port}`;
    const client = kafkaFor(sandbox, {
      brokers: [leaderAddress],
      retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 100 },
    });
    const p = await producer(client.kafka);
    for (const b of followers) await sandbox.stopBroker(b);
    await waitFor(() => partitionsOf(sandbox, 't')[2].isr.length === 1, 'the ISR shrinking to the leader');

    await assert.rejects(
      p.send({ topic: 't', acks: -1, messages: [{ value: 'x', partition: 2 }] }),
      (e: Error & { originalError?: { type?: string; message?: string } }) => {
        const text = `${e.message} ${e.originalError?.type ?? ''} ${e.originalError?.message ?? ''}`;
        assert.match(text, /NOT_ENOUGH_REPLICAS|fewer in-sync replicas/i);
        return true;
      },
    );
    assert.equal(hw(2), 0, 'nothing was written');
    const [ok] = await p.send({ topic: 't', acks: 1, messages: [{ value: 'y', partition: 2 }] });
    assert.equal(ok.errorCode, 0);
  });

  it('an injected retriable error is seen by the client, whose retry then succeeds, writing the record once', async () => {
    const client = kafkaFor(sandbox);
    const p = await producer(client.kafka);
    const fault = sandbox.addFault({ api: 'Produce', errorCode: 7, count: 2, topic: 't', partition: 0 }) as {
      remaining: number;
    };
    assert.equal(fault.remaining, 2);
    const [meta] = await p.send({ topic: 't', messages: [{ value: 'retried', partition: 0 }] });
    assert.equal(meta.errorCode, 0);
    assert.equal(
      client.logs.filter((l) => /timed out|REQUEST_TIMED_OUT/i.test(l)).length >= 2,
      true,
      client.logs.join('\n'),
    );
    assert.equal(hw(0), 1);
    assert.deepEqual((sandbox.state() as unknown as { faults: unknown[] }).faults, [], 'the used-up fault is gone');
  });

  it('a dropped response makes the client time out', async () => {
    const client = kafkaFor(sandbox, { requestTimeout: 400, retry: { retries: 0 } });
    const p = await producer(client.kafka);
    sandbox.addFault({ api: 'Produce', dropResponse: true, count: 1 });
    await assert.rejects(
      p.send({ topic: 't', messages: [{ value: 'lost', partition: 0 }] }),
      /Request Produce\(key: 0.*timed out/i,
    );
    // The broker kept serving: the next send is answered.
    const [meta] = await p.send({ topic: 't', messages: [{ value: 'next', partition: 0 }] });
    assert.equal(meta.errorCode, 0);
  });

  // The delay is the behaviour, so this asserts a lower bound only (a loaded machine can only make it longer).
  it('a latency fault delays the answer', async () => {
    const p = await producer(kafkaFor(sandbox).kafka);
    await p.send({ topic: 't', messages: [{ value: 'warm', partition: 0 }] });
    sandbox.addFault({ api: 'Produce', latencyMs: 300, count: 1 });
    const started = Date.now();
    await p.send({ topic: 't', messages: [{ value: 'slow', partition: 0 }] });
    assert.ok(Date.now() - started >= 280, `answered after ${Date.now() - started} ms`);
  });

  it("afterWrite writes the records then answers the error: a plain producer's retry duplicates them, an idempotent one's does not", async () => {
    const client = kafkaFor(sandbox);
    const plain = await producer(client.kafka);
    sandbox.addFault({ api: 'Produce', errorCode: 20, afterWrite: true, count: 1, topic: 't', partition: 0 });
    await plain.send({ topic: 't', acks: -1, messages: [{ value: 'dup', partition: 0 }] });
    assert.equal(hw(0), 2, 'written by the first attempt and again by the retry');

    const idempotent = await producer(client.kafka, { idempotent: true, maxInFlightRequests: 1 });
    sandbox.addFault({ api: 'Produce', errorCode: 20, afterWrite: true, count: 1, topic: 't', partition: 1 });
    const [meta] = await idempotent.send({ topic: 't', acks: -1, messages: [{ value: 'once', partition: 1 }] });
    assert.equal(meta.errorCode, 0);
    assert.equal(meta.baseOffset, '0', 'the retry is acknowledged with the original offset');
    assert.equal(hw(1), 1, 'written once');
  });
});

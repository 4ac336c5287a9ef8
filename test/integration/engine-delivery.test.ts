/**
 * The engine over the real transport against the sandbox, with faults: nothing lost, nothing duplicated,
 * per-partition order kept, and the trace of a retried record showing what happened.
 */
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import type { RecordMetadata, TraceEvent } from '../../extension/core/engine';
import { consumeAll, engineFor, settleAll, storedCount, type EngineUnderTest } from './engine-helpers';
import { waitFor } from './sandbox-helpers';

function leaderOf(sandbox: Sandbox, topic: string, partition: number): number {
  const p = sandbox
    .state()
    .topics.find((t) => t.name === topic)
    ?.partitions.find((x) => x.partition === partition);
  assert.ok(p, `no partition ${topic}-${partition}`);
  return p.leader;
}

/** Asserts each key's records appear in the order they were sent (values carry the send index). */
function assertOrderPerPartition(records: { partition: number; value: string }[]): void {
  const last = new Map<number, number>();
  for (const r of records) {
    const seq = Number(r.value.split(':')[1]);
    const prev = last.get(r.partition) ?? -1;
    assert.ok(seq > prev, `partition ${r.partition}: record ${seq} stored after ${prev}`);
    last.set(r.partition, seq);
  }
}

describe('engine delivery against the sandbox', function () {
  this.timeout(40_000);
  let sandbox: Sandbox;
  let engine: EngineUnderTest | undefined;

  beforeEach(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      partitions: 3,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      electionDelayMs: 100,
      topics: [{ name: 'events', partitions: 3 }],
    });
  });

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await sandbox.stop();
  });

  it('loses no record, duplicates none and keeps per-partition order when a leader broker stops mid-stream (idempotence on)', async () => {
    engine = engineFor(sandbox, { acks: 'all', 'enable.idempotence': true, 'delivery.timeout.ms': 20_000 });
    const total = 1500;
    const victim = leaderOf(sandbox, 'events', 0);
    // Connected, with metadata and a producer id, before the stream starts: the stopped broker is then still the
    // leader the producer knows, and batches go to it and fail.
    await engine.producer.send({ topic: 'events', key: 'warm-up', value: 'v:warm-up' });
    const results: Promise<RecordMetadata>[] = [];
    // The broker comes back only once an attempt has failed against it: on a busy machine the stream can otherwise
    // pass the stopped broker by before any request reaches it.
    let failedAttempt: () => void = () => undefined;
    const sawFailedAttempt = new Promise<void>((resolve) => (failedAttempt = resolve));
    const watch = engine.producer.onTrace((e) => {
      if (e.type === 'attempt-result' && e.errorCode !== 0) failedAttempt();
    });
    for (let i = 0; i < total; i++) {
      results.push(engine.producer.send({ topic: 'events', key: `key-${i % 50}`, value: `v:${i}` }));
      if (i === 500) await sandbox.stopBroker(victim);
      if (i === 1000) {
        await sawFailedAttempt;
        await sandbox.startBroker(victim);
      }
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 10)); // spread the stream over time
    }
    watch.dispose();
    const settled = await settleAll(results);
    const failures = settled.filter((s) => s.status === 'rejected');
    assert.equal(
      failures.length,
      0,
      `failed: ${failures
        .slice(0, 3)
        .map((f) => (f as PromiseRejectedResult).reason?.message)
        .join('; ')}`,
    );
    const metas = settled.map((s) => (s as PromiseFulfilledResult<RecordMetadata>).value);
    assert.ok(
      metas.some((m) => m.attempts > 1),
      'the stopped broker made some batches retry',
    );
    assert.equal(storedCount(sandbox, 'events'), total + 1, 'the sandbox stored each record exactly once');
    const records = (await consumeAll(sandbox, 'events', total + 1)).filter((r) => r.value !== 'v:warm-up');
    assert.equal(records.length, total);
    assert.equal(new Set(records.map((r) => r.value)).size, total, 'no duplicates');
    assertOrderPerPartition(records);
  });

  it('delivers a burst of 20,000 un-awaited sends made before the first metadata arrived, within max.block.ms', async () => {
    // Every record below is handed over before the producer knows the topic, so all of them park until the first
    // metadata response; parking and un-parking must stay cheap enough that none waits out max.block.ms.
    engine = engineFor(sandbox, { acks: '1', 'enable.idempotence': false, 'max.block.ms': 5000, 'batch.size': 65_536 });
    const total = 20_000;
    const value = Buffer.alloc(100, 0x61);
    const sends = Array.from({ length: total }, () => engine!.producer.send({ topic: 'events', value }));
    const settled = await settleAll(sends);
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    assert.equal(failures.length, 0, `${failures.length} failed, e.g. ${failures[0]?.reason?.message}`);
    assert.equal(storedCount(sandbox, 'events'), total);
  });

  it('does not re-send the partitions that succeeded when one partition of a response fails', async () => {
    engine = engineFor(sandbox, { acks: 'all', 'enable.idempotence': true, 'linger.ms': 30 });
    // Both partitions on one leader so one request carries both.
    const leader = leaderOf(sandbox, 'events', 0);
    sandbox.moveLeader('events', 1, leader);
    sandbox.addFault({ api: 'Produce', topic: 'events', partition: 0, errorCode: 6, count: 1 });
    const sends = [];
    for (let i = 0; i < 10; i++) {
      sends.push(engine.producer.send({ topic: 'events', partition: 0, value: `p0:${i}` }));
      sends.push(engine.producer.send({ topic: 'events', partition: 1, value: `p1:${i}` }));
    }
    const metas = await Promise.all(sends);
    const p0 = metas.filter((m) => m.partition === 0);
    const p1 = metas.filter((m) => m.partition === 1);
    assert.ok(
      p0.every((m) => m.attempts === 2),
      'partition 0 was retried',
    );
    assert.ok(
      p1.every((m) => m.attempts === 1),
      'partition 1 was sent once',
    );
    const state = sandbox.state().topics.find((t) => t.name === 'events')!.partitions as unknown as {
      partition: number;
      highWatermark: number;
    }[];
    assert.equal(state.find((p) => p.partition === 0)?.highWatermark, 10);
    assert.equal(
      state.find((p) => p.partition === 1)?.highWatermark,
      10,
      'the partition that succeeded was written once',
    );
  });

  it('duplicates nothing with idempotence when the broker writes and then answers with an error', async () => {
    engine = engineFor(sandbox, { acks: 'all', 'enable.idempotence': true });
    sandbox.addFault({ api: 'Produce', errorCode: 7, afterWrite: true, count: 3 }); // REQUEST_TIMED_OUT after the write
    const total = 60;
    const metas = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        engine!.producer.send({ topic: 'events', key: `k${i % 7}`, value: `v:${i}` }),
      ),
    );
    assert.ok(
      metas.some((m) => m.attempts > 1),
      'some batches were retried',
    );
    assert.equal(storedCount(sandbox, 'events'), total);
    const records = await consumeAll(sandbox, 'events', total);
    assert.equal(new Set(records.map((r) => r.value)).size, total);
    assert.equal(records.length, total);
    // Each acknowledged offset holds the record it was acknowledged for.
    for (const [i, m] of metas.entries()) {
      assert.equal(records.find((r) => r.partition === m.partition && r.offset === m.offset)?.value, `v:${i}`);
    }
  });

  it('with acks=0 hands every record to the broker without offsets', async () => {
    engine = engineFor(sandbox, { acks: '0', 'enable.idempotence': false });
    const total = 200;
    const metas = await Promise.all(
      Array.from({ length: total }, (_, i) => engine!.producer.send({ topic: 'events', value: `v:${i}` })),
    );
    assert.ok(metas.every((m) => m.offset === -1));
    await engine.producer.flush();
    const records = await consumeAll(sandbox, 'events', total);
    assert.equal(records.length, total);
  });

  it('succeeds once the ISR recovers after NOT_ENOUGH_REPLICAS with acks=all', async () => {
    engine = engineFor(sandbox, { acks: 'all', 'enable.idempotence': true, 'delivery.timeout.ms': 20_000 });
    await engine.producer.send({ topic: 'events', partition: 0, value: 'warm' });
    const leader = leaderOf(sandbox, 'events', 0);
    const followers = [1, 2, 3].filter((b) => b !== leader);
    for (const b of followers) await sandbox.stopBroker(b); // ISR of partition 0 is now 1 < min.insync.replicas 2
    const { recordId, result: pending } = engine.producer.submit({ topic: 'events', partition: 0, value: 'needs-isr' });
    const refused = (e: TraceEvent) => e.type === 'attempt-result' && e.errorName === 'NOT_ENOUGH_REPLICAS';
    await waitFor(
      () => engine!.producer.recordTrace(recordId)?.events.some(refused),
      'the first NOT_ENOUGH_REPLICAS answer',
    );
    await sandbox.startBroker(followers[0]);
    const meta = await pending;
    assert.ok(meta.attempts > 1, 'it was refused at least once');
    const trace = engine.producer.recordTrace(meta.recordId);
    const codes = trace?.events
      .filter((e): e is Extract<TraceEvent, { type: 'attempt-result' }> => e.type === 'attempt-result')
      .map((e) => e.errorName);
    assert.ok(codes?.includes('NOT_ENOUGH_REPLICAS'), `attempt results: ${codes?.join(', ')}`);
    assert.equal(codes?.[codes.length - 1], 'NONE');
  });

  it('fails the record at delivery.timeout.ms when the ISR stays too small', async () => {
    engine = engineFor(sandbox, {
      acks: 'all',
      'enable.idempotence': true,
      'delivery.timeout.ms': 1500,
      'linger.ms': 0,
      'request.timeout.ms': 1000,
    });
    await engine.producer.send({ topic: 'events', partition: 0, value: 'warm' });
    const leader = leaderOf(sandbox, 'events', 0);
    for (const b of [1, 2, 3].filter((x) => x !== leader)) await sandbox.stopBroker(b);
    const started = Date.now();
    await assert.rejects(
      engine.producer.send({ topic: 'events', partition: 0, value: 'never' }),
      (e: Error & { attempts?: number }) => {
        assert.ok((e.attempts ?? 0) >= 1);
        return true;
      },
    );
    const took = Date.now() - started;
    assert.ok(took >= 1400 && took < 8000, `failed after ${took} ms`);
    assert.equal(storedCount(sandbox, 'events'), 1, 'only the warm-up record was stored');
  });

  it("times a request out at the producer's request.timeout.ms even when the connection allows longer, then retries", async () => {
    // The connection's own limit is 30 s (the default); the producer asks for 800 ms.
    engine = engineFor(
      sandbox,
      { acks: 'all', 'request.timeout.ms': 800, 'delivery.timeout.ms': 10_000 },
      { requestTimeoutMs: 30_000 },
    );
    await engine.producer.send({ topic: 'events', partition: 0, value: 'warm-up' });
    sandbox.addFault({ api: 'Produce', broker: leaderOf(sandbox, 'events', 0), dropResponse: true, count: 1 });
    const started = Date.now();
    const meta = await engine.producer.send({ topic: 'events', partition: 0, value: 'answered the second time' });
    const took = Date.now() - started;
    assert.equal(meta.attempts, 2, 'the unanswered attempt timed out and the retry was acked');
    assert.ok(
      took < 10_000,
      `acked after ${took} ms: the first attempt waited about 800 ms, not the connection's 30 s`,
    );
  });

  it('traces a retried record: both attempts, the error, the backoff, then the ack', async () => {
    engine = engineFor(sandbox, { acks: 'all', 'enable.idempotence': true });
    await engine.producer.send({ topic: 'events', partition: 2, value: 'warm' });
    sandbox.addFault({ api: 'Produce', topic: 'events', partition: 2, errorCode: 6, count: 1 }); // NOT_LEADER_OR_FOLLOWER
    const stream: TraceEvent[] = [];
    const subscription = engine.producer.onTrace((e) => stream.push(e));
    const meta = await engine.producer.send({ topic: 'events', partition: 2, value: 'retried' });
    subscription.dispose();
    assert.equal(meta.attempts, 2);
    const events = engine.producer.recordTrace(meta.recordId)?.events ?? [];
    const types = events.map((e) => e.type);
    const results = events.filter(
      (e): e is Extract<TraceEvent, { type: 'attempt-result' }> => e.type === 'attempt-result',
    );
    assert.equal(events.filter((e) => e.type === 'attempt-sent').length, 2, types.join(','));
    assert.deepEqual(
      results.map((r) => [r.errorName, r.retriable]),
      [
        ['NOT_LEADER_OR_FOLLOWER', true],
        ['NONE', false],
      ],
    );
    const firstResult = types.indexOf('attempt-result');
    const backoff = types.indexOf('backoff', firstResult);
    assert.ok(backoff > firstResult && backoff < types.lastIndexOf('attempt-sent'), types.join(','));
    assert.equal(types[types.length - 1], 'acked');
    for (const r of results) {
      assert.ok(typeof r.correlationId === 'number', 'attempts carry the correlation id from the transport');
      assert.ok(r.address.startsWith('127.0.0.1:'));
    }
    // The leader may have moved, so the producer refreshed its metadata between the two attempts.
    const streamTypes = stream.map((e) => e.type);
    const refresh = streamTypes.indexOf('metadata-refresh', streamTypes.indexOf('attempt-result'));
    assert.ok(refresh > 0 && refresh < streamTypes.lastIndexOf('attempt-sent'), streamTypes.join(','));
  });

  it("puts the metadata refresh between a record's attempts into that record's own trace", async () => {
    engine = engineFor(sandbox, { acks: 'all', 'enable.idempotence': true });
    await engine.producer.send({ topic: 'events', partition: 2, value: 'warm' });
    sandbox.addFault({ api: 'Produce', topic: 'events', partition: 2, errorCode: 6, count: 1 });
    const meta = await engine.producer.send({ topic: 'events', partition: 2, value: 'retried' });
    const types = (engine.producer.recordTrace(meta.recordId)?.events ?? []).map((e) => e.type);
    assert.ok(
      types.includes('metadata-refresh'),
      `producer.md: the trace of one send shows every metadata refresh between attempts; got ${types.join(',')}`,
    );
  });
});

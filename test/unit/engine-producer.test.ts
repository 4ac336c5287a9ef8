import { strict as assert } from 'node:assert';
import {
  createProducer,
  murmur2,
  partitionForKey,
  type ProducerConfigInput,
  type RecordMetadata,
} from '../../extension/core/engine';
import { TransportError } from '../../extension/core/transport/transport';
import { FakeClock } from '../../extension/core/util/clock';
import { FakeTransport, seededRandom, tick, rejection } from './engine-fake-transport';

function setup(config: ProducerConfigInput = {}, leaders: number[] = [1, 2, 3], random = seededRandom()) {
  const clock = new FakeClock(0);
  const transport = new FakeTransport(clock).topic('t', leaders);
  const producer = createProducer(config, { transport, clock, random });
  return { clock, transport, producer };
}

describe('producer engine: batching', () => {
  it('holds a record for linger.ms, then sends it', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 20 });
    await tick(clock); // metadata and producer id
    const sent = producer.send({ topic: 't', key: 'k', value: 'v' });
    await tick(clock, 19);
    assert.equal(transport.requests.length, 0, 'nothing sent before linger.ms');
    await tick(clock, 1);
    assert.equal(transport.requests.length, 1);
    const m = await sent;
    assert.equal(m.offset, 0);
    assert.equal(
      producer.batchTrace(m.batchId)!.events.find((e) => e.type === 'batch-closed')?.type === 'batch-closed' &&
        (producer.batchTrace(m.batchId)!.events.find((e) => e.type === 'batch-closed') as { reason: string }).reason,
      'linger',
    );
  });

  it('sends the batches there are at once when asked (sendNow), saying so in the trace; a batch begun later lingers', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 10000 });
    await tick(clock); // metadata and producer id
    const early = producer.send({ topic: 't', key: 'k', value: 'before' });
    await tick(clock, 5);
    assert.equal(transport.requests.length, 0, 'lingering');
    producer.sendNow();
    await tick(clock, 0);
    assert.equal(transport.requests.length, 1, 'sent without waiting for linger.ms');
    const m = await early;
    const closed = producer.batchTrace(m.batchId)!.events.find((e) => e.type === 'batch-closed') as { reason: string };
    assert.equal(closed.reason, 'send-now');

    await tick(clock, 1);
    const late = producer.send({ topic: 't', key: 'k', value: 'after' });
    await tick(clock, 9000);
    assert.equal(transport.requests.length, 1, 'a batch begun after sendNow lingers as usual');
    await tick(clock, 1000);
    assert.equal(transport.requests.length, 2);
    const lateClosed = producer.batchTrace((await late).batchId)!.events.find((e) => e.type === 'batch-closed') as {
      reason: string;
    };
    assert.equal(lateClosed.reason, 'linger');
  });

  it('sends records of one partition together in one batch, with offsets counting up', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 10 });
    await tick(clock);
    const sends = [0, 1, 2, 3, 4].map((i) => producer.send({ topic: 't', key: 'same', value: `v${i}` }));
    await tick(clock, 10);
    const ms = await Promise.all(sends);
    assert.equal(transport.requests.length, 1);
    assert.equal(transport.requests[0].batches[0].recordCount, 5);
    assert.deepEqual(
      ms.map((m) => m.offset),
      [0, 1, 2, 3, 4],
    );
    assert.equal(new Set(ms.map((m) => m.batchId)).size, 1);
  });

  it('sends a full batch at once without waiting for linger.ms, and keeps appending to a new batch', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 10000, 'batch.size': 300 });
    await tick(clock); // metadata
    const sends = Array.from({ length: 6 }, (_, i) =>
      producer.send({ topic: 't', key: 'k', value: 'x'.repeat(80) + i }),
    );
    await tick(clock, 0);
    assert.ok(transport.requests.length >= 1, 'full batches went out at once, long before linger.ms');
    const sentCounts = transport.requests.map((r) => r.batches[0].recordCount);
    for (const r of transport.requests)
      assert.ok(r.batches[0].bytes.length <= 300, `batch of ${r.batches[0].bytes.length} bytes honours batch.size`);
    assert.ok(sentCounts.reduce((a, b) => a + b, 0) < 6, 'the last, not full, batch still lingers');
    const first = transport.requests[0].batches[0];
    assert.ok(first.recordCount >= 2, 'first.recordCount >= 2');
    const ms = await Promise.all(sends.slice(0, first.recordCount));
    const trace = producer.batchTrace(ms[0].batchId)!;
    assert.equal((trace.events.find((e) => e.type === 'batch-closed') as { reason: string }).reason, 'full');
    const closing = producer.close();
    await tick(clock);
    await closing;
    assert.equal((await Promise.all(sends)).length, 6);
  });

  it('gives a record bigger than batch.size a batch of its own', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 0, 'batch.size': 100 });
    const big = producer.send({ topic: 't', key: 'k', value: 'y'.repeat(500) });
    await tick(clock, 0);
    const m = await big;
    assert.equal(transport.requests.length, 1);
    assert.equal(transport.requests[0].batches[0].recordCount, 1);
    assert.equal(m.serializedValueSize, 500);
  });

  it('fails a record larger than max.request.size at once, naming the sizes and the fix', async () => {
    const { clock, transport, producer } = setup({ 'max.request.size': 1000 });
    let callbackCalls = 0;
    const e = await rejection(producer.send({ topic: 't', value: 'z'.repeat(2000) }, () => callbackCalls++));
    assert.match(e.message, /max\.request\.size=1000/);
    assert.equal(e.errorName, 'INVALID_RECORD');
    await tick(clock, 100);
    assert.equal(transport.requests.length, 0);
    assert.equal(callbackCalls, 1);
  });

  it('refuses a record without a topic or value with a clear error, not a throw', async () => {
    const { producer } = setup();
    assert.match(
      (await rejection(producer.send({ value: 'v' } as never))).message,
      /"topic" must be a non-empty string/,
    );
    assert.match((await rejection(producer.send({ topic: 't' } as never))).message, /"value" is required/);
    assert.match(
      (await rejection(producer.send({ topic: 't', value: 5 } as never))).message,
      /value must be a string, a Buffer or null/,
    );
  });

  it('sends one request per leader broker with one batch per partition, at most max.in.flight per broker', async () => {
    const { clock, transport, producer } = setup(
      { 'linger.ms': 0, 'max.in.flight.requests.per.connection': 1, 'enable.idempotence': false, acks: 1 },
      [1, 1, 2],
    );
    transport.script = () => 'hold';
    // explicit partitions: 0 and 1 on broker 1, 2 on broker 2
    const a = producer.send({ topic: 't', partition: 0, value: 'a' });
    const b = producer.send({ topic: 't', partition: 1, value: 'b' });
    const c = producer.send({ topic: 't', partition: 2, value: 'c' });
    await tick(clock, 0);
    assert.equal(transport.requests.length, 2);
    const toBroker1 = transport.requests.find((r) => r.brokerId === 1)!;
    assert.deepEqual(toBroker1.batches.map((x) => x.partition).sort(), [0, 1]);
    const d = producer.send({ topic: 't', partition: 0, value: 'd' });
    await tick(clock, 50);
    assert.equal(transport.requests.length, 2, 'broker 1 already has max.in.flight=1 request waiting');
    const held = transport.held.find((h) => h.req.brokerId === 1)!;
    held.resolve(transport.success(held.req));
    await tick(clock, 0);
    assert.equal(transport.requests.length, 3, 'the next request to broker 1 leaves once the first is answered');
    for (const h of transport.held.slice()) if (h !== held) h.resolve(transport.success(h.req));
    await tick(clock, 0);
    await Promise.all([a, b, c, d]);
  });
});

describe('producer engine: partitioning', () => {
  it('places keyed records by Java murmur2 and records the hash in the reason', async () => {
    const { clock, producer } = setup({ 'linger.ms': 0 }, [1, 2, 3, 1, 2, 3]);
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const sends = keys.map((key) => producer.send({ topic: 't', key, value: 'v' }));
    await tick(clock, 0);
    const ms = await Promise.all(sends);
    ms.forEach((m, i) => {
      assert.equal(m.partition, partitionForKey(Buffer.from(keys[i]), 6));
      assert.equal(m.partitionReason.type, 'key-hash');
    });
  });

  it('uses an explicit partition as is, and fails one out of range naming the valid range', async () => {
    const { clock, producer } = setup({ 'linger.ms': 0 });
    const ok = producer.send({ topic: 't', key: 'k', partition: 2, value: 'v' });
    const bad = producer.send({ topic: 't', partition: 7, value: 'v' });
    await tick(clock, 0);
    assert.equal((await ok).partition, 2);
    assert.deepEqual((await ok).partitionReason, { type: 'explicit', numPartitions: 3 });
    const e = await rejection(bad);
    assert.match(e.message, /Partition 7 does not exist: topic t has 3 partition\(s\), 0\.\.2/);
  });

  it('keeps keyless records on one sticky partition until its batch is full, then switches to another', async () => {
    const { clock, producer } = setup({ 'linger.ms': 1000, 'batch.size': 400, 'enable.idempotence': false, acks: 1 });
    await tick(clock);
    const sends = Array.from({ length: 12 }, (_, i) => producer.send({ topic: 't', value: 'x'.repeat(60) + i }));
    const flushed = producer.flush();
    await tick(clock);
    await flushed;
    const ms = await Promise.all(sends);
    // consecutive runs of one partition, each the size of a full batch, then a switch to a different partition
    const runs: { partition: number; count: number }[] = [];
    for (const m of ms) {
      const last = runs[runs.length - 1];
      if (last && last.partition === m.partition) last.count++;
      else runs.push({ partition: m.partition, count: 1 });
    }
    assert.ok(runs.length >= 2, `switched partitions: ${JSON.stringify(runs)}`);
    for (let i = 1; i < runs.length; i++) assert.notEqual(runs[i].partition, runs[i - 1].partition);
    assert.ok(runs[0].count >= 3, 'stayed until the batch was full');
    const switched = ms.find((m) => m.partitionReason.type === 'sticky' && m.partitionReason.switched);
    assert.ok(switched, 'the reason says when the sticky partition switched');
    for (const m of ms)
      assert.equal(new Set(ms.filter((x) => x.batchId === m.batchId).map((x) => x.partition)).size, 1);
  });

  it('moves keyless records to another partition once the sticky batch has been sent', async () => {
    const { clock, producer } = setup({ 'linger.ms': 5, 'enable.idempotence': false, acks: 1 });
    await tick(clock);
    const first = await (async () => {
      const s = producer.send({ topic: 't', value: 'a' });
      await tick(clock, 5);
      return s;
    })();
    const second = producer.send({ topic: 't', value: 'b' });
    await tick(clock, 5);
    const m2 = await second;
    assert.notEqual(m2.partition, first.partition);
    assert.deepEqual(m2.partitionReason, {
      type: 'sticky',
      numPartitions: 3,
      switched: true,
      previousPartition: first.partition,
    });
  });

  it('round-robin spreads keyless records over the partitions in turn', async () => {
    const { clock, producer } = setup({ 'linger.ms': 0, partitioner: 'round-robin' });
    const sends = Array.from({ length: 6 }, (_, i) => producer.send({ topic: 't', value: `v${i}` }));
    await tick(clock, 0);
    const ms = await Promise.all(sends);
    assert.deepEqual(
      ms.map((m) => m.partition),
      [0, 1, 2, 0, 1, 2],
    );
    assert.ok(
      ms.every((m) => m.partitionReason.type === 'round-robin'),
      "ms.every((m) => m.partitionReason.type === 'round-robin')",
    );
  });

  it('keyless records avoid a partition with no live leader', async () => {
    const { clock, producer } = setup({ 'linger.ms': 0, partitioner: 'round-robin' }, [1, -1, 3]);
    const sends = Array.from({ length: 4 }, (_, i) => producer.send({ topic: 't', value: `v${i}` }));
    await tick(clock, 0);
    assert.deepEqual(
      (await Promise.all(sends)).map((m) => m.partition),
      [0, 2, 0, 2],
    );
  });

  it('with partitioner.failover, re-routes a keyed record whose partition has no leader, and says so', async () => {
    const keyFor1 = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'].find(
      (k) => partitionForKey(Buffer.from(k), 3) === 1,
    )!;
    const { clock, producer } = setup({ 'linger.ms': 0, 'partitioner.failover': true }, [1, -1, 3]);
    const s = producer.send({ topic: 't', key: keyFor1, value: 'v' });
    await tick(clock, 0);
    const m = await s;
    assert.notEqual(m.partition, 1);
    assert.equal(m.partitionReason.type, 'failover');
    assert.equal(m.partitionReason.type === 'failover' && m.partitionReason.originalPartition, 1);
    assert.equal(m.partitionReason.type === 'failover' && m.partitionReason.hash, murmur2(Buffer.from(keyFor1)));
  });

  it('without partitioner.failover, a keyed record keeps its partition and waits for a leader', async () => {
    const keyFor1 = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'].find(
      (k) => partitionForKey(Buffer.from(k), 3) === 1,
    )!;
    const { clock, transport, producer } = setup(
      { 'linger.ms': 0, 'retry.backoff.ms': 10, 'retry.backoff.max.ms': 10 },
      [1, -1, 3],
    );
    const s = producer.send({ topic: 't', key: keyFor1, value: 'v' });
    await tick(clock, 50);
    assert.equal(transport.requests.length, 0, 'nothing sent while partition 1 has no leader');
    transport.topic('t', [1, 2, 3]);
    await tick(clock, 20);
    const m = await s;
    assert.equal(m.partition, 1);
    assert.equal(transport.requests[0].brokerId, 2);
  });
});

describe('producer engine: waiting for metadata and memory', () => {
  it('waits for an unknown topic to appear, then sends', async () => {
    const { clock, transport, producer } = setup({
      'linger.ms': 0,
      'retry.backoff.ms': 50,
      'retry.backoff.max.ms': 50,
    });
    const s = producer.send({ topic: 'later', value: 'v' });
    await tick(clock, 120);
    assert.equal(transport.requests.length, 0);
    transport.topic('later', [2]);
    await tick(clock, 60);
    assert.equal((await s).topic, 'later');
    assert.ok(transport.metadataCalls >= 3, 'transport.metadataCalls >= 3');
  });

  it('a record waiting for an unknown topic does not hold back sends to other topics, only later ones of its own topic', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 0, 'max.block.ms': 1000 });
    const lost = producer.send({ topic: 'typo', value: '1' });
    const fine = producer.send({ topic: 't', key: 'k', value: '2' });
    const lostToo = producer.send({ topic: 'typo', value: '3' });
    await tick(clock, 20);
    assert.equal((await fine).topic, 't');
    assert.equal(transport.requests.length, 1);
    await tick(clock, 1000);
    assert.equal((await rejection(lost)).errorName, 'METADATA_TIMEOUT');
    assert.equal((await rejection(lostToo)).errorName, 'METADATA_TIMEOUT');
  });

  it('names the connection error when records give up waiting for metadata from an unreachable cluster', async () => {
    const { clock, transport, producer } = setup({
      'max.block.ms': 500,
      'retry.backoff.ms': 100,
      'retry.backoff.max.ms': 100,
    });
    let connects = 0;
    transport.connect = async () => {
      connects++;
      throw new TransportError('connect ECONNREFUSED 127.0.0.1:9', 'connection', { retriable: true });
    };
    const s = producer.send({ topic: 't', value: 'v' });
    await tick(clock, 600);
    const e = await rejection(s);
    assert.equal(e.errorName, 'METADATA_TIMEOUT');
    assert.match(e.message, /last metadata request failed \(connect ECONNREFUSED 127\.0\.0\.1:9\)/);
    assert.ok(connects >= 3, `retried the connection (${connects} times)`);
  });

  it('backs off its reconnects exponentially, and stops dialling an unreachable cluster once no record waits', async () => {
    const { clock, transport, producer } = setup({
      'max.block.ms': 3000,
      'retry.backoff.ms': 100,
      'retry.backoff.max.ms': 1000,
    });
    const connectTimes: number[] = [];
    transport.connect = async () => {
      connectTimes.push(clock.now());
      throw new TransportError('connect ECONNREFUSED 127.0.0.1:9', 'connection', { retriable: true });
    };
    const s = producer.send({ topic: 't', value: 'v' });
    await tick(clock, 3100);
    assert.equal((await rejection(s)).errorName, 'METADATA_TIMEOUT');
    const gaps = connectTimes.slice(1).map((t, i) => t - connectTimes[i]);
    assert.ok(gaps.length >= 3 && gaps.at(-1)! > gaps[0] * 3, `gaps between connects grow: ${gaps.join(', ')}`);
    assert.ok(
      gaps.every((g) => g <= 1200),
      `and stay within retry.backoff.max.ms (+20% jitter): ${gaps.join(', ')}`,
    );
    const afterFailure = connectTimes.length;
    await tick(clock, 60_000);
    assert.equal(connectTimes.length, afterFailure, 'no connect attempts once the failed record is gone');
    // A new record dials again.
    void producer.send({ topic: 't', value: 'again' }).catch(() => undefined);
    await tick(clock, 10);
    assert.equal(connectTimes.length, afterFailure + 1);
  });

  it('goes quiet once a cluster that died mid-send has failed every waiting record: no metadata or producer-id requests while idle', async () => {
    const { clock, transport, producer } = setup({
      'delivery.timeout.ms': 2000,
      'request.timeout.ms': 500,
      'linger.ms': 0,
      'retry.backoff.ms': 100,
      'retry.backoff.max.ms': 1000,
    });
    const before = producer.send({ topic: 't', value: 'before' });
    await tick(clock, 100);
    await before; // connected, metadata and producer id fetched
    let metadataCalls = 0;
    let pidCalls = 0;
    transport.fetchMetadata = async () => {
      metadataCalls++;
      throw new TransportError('cannot reach any bootstrap broker', 'connection', { retriable: true });
    };
    transport.initProducerId = async () => {
      pidCalls++;
      throw new TransportError('cannot reach broker', 'connection', { retriable: true });
    };
    transport.script = () => new TransportError('connection closed', 'connection', { retriable: true, brokerId: 1 });
    const lost = producer.send({ topic: 't', value: 'during' });
    await tick(clock, 3000);
    assert.equal((await rejection(lost)).errorName !== undefined, true, 'the record failed at delivery.timeout.ms');
    const afterFailure = metadataCalls;
    const pidCallsAfter = pidCalls;
    await tick(clock, 60_000);
    assert.equal(metadataCalls, afterFailure, `no metadata requests while idle (${metadataCalls - afterFailure} more)`);
    assert.equal(pidCalls, pidCallsAfter, 'no producer-id requests while idle');
  });

  it('fails records for a topic that never appears after max.block.ms', async () => {
    const { clock, producer } = setup({ 'max.block.ms': 1000, 'retry.backoff.ms': 100, 'retry.backoff.max.ms': 100 });
    const s = producer.send({ topic: 'missing', value: 'v' });
    await tick(clock, 999);
    let settled = false;
    void s.catch(() => (settled = true));
    await tick(clock, 0);
    assert.equal(settled, false, 'still waiting before max.block.ms');
    await tick(clock, 1);
    const e = await rejection(s);
    assert.equal(e.errorName, 'METADATA_TIMEOUT');
    assert.match(e.message, /max\.block\.ms=1000: topic missing was not in the cluster metadata/);
  });

  it('blocks sends while buffer.memory is full, then fails them after max.block.ms with a buffer error', async () => {
    const { clock, transport, producer } = setup({
      'linger.ms': 0,
      'batch.size': 1000,
      'buffer.memory': 2000,
      'max.block.ms': 500,
      'enable.idempotence': false,
      acks: 1,
    });
    transport.script = () => 'hold';
    await tick(clock);
    const a = producer.send({ topic: 't', partition: 0, value: 'a' });
    const b = producer.send({ topic: 't', partition: 1, value: 'b' });
    const c = producer.send({ topic: 't', partition: 2, value: 'c' });
    await tick(clock, 0);
    assert.equal(transport.requests.length, 2, 'the third record has no memory for a batch');
    assert.equal(producer.stats()['buffer-available-bytes'], 0);
    await tick(clock, 500);
    const e = await rejection(c);
    assert.equal(e.errorName, 'BUFFER_EXHAUSTED');
    assert.match(e.message, /buffer\.memory \(2000 bytes\) stayed full/);
    for (const h of transport.held) h.resolve(transport.success(h.req));
    await tick(clock, 0);
    await Promise.all([a, b]);
    assert.equal(producer.stats()['buffer-available-bytes'], 2000, 'memory given back');
  });

  it('a blocked send goes out as soon as memory is freed', async () => {
    const { clock, transport, producer } = setup({
      'linger.ms': 0,
      'batch.size': 1000,
      'buffer.memory': 1000,
      'enable.idempotence': false,
      acks: 1,
    });
    const warm = producer.send({ topic: 't', partition: 2, value: 'metadata first' });
    await tick(clock, 10);
    await warm;
    transport.script = () => 'hold';
    const a = producer.send({ topic: 't', partition: 0, value: 'a' });
    const b = producer.send({ topic: 't', partition: 1, value: 'b' });
    await tick(clock, 10);
    assert.equal(transport.requests.length, 2);
    transport.script = undefined;
    transport.held[0].resolve(transport.success(transport.held[0].req));
    await tick(clock, 0);
    assert.equal((await a).partition, 0);
    assert.equal((await b).partition, 1);
    const trace = producer.recordTrace((await b).recordId)!;
    assert.ok(
      trace.events.some((e) => e.type === 'blocked' && e.reason === 'buffer-memory'),
      'the trace says it waited for memory',
    );
  });
});

describe('producer engine: modes, flush and close', () => {
  it('acks=0 resolves with offset -1 once the request is handed over', async () => {
    const { clock, transport, producer } = setup({ acks: 0, 'linger.ms': 0 });
    const s = producer.send({ topic: 't', key: 'k', value: 'v' });
    await tick(clock, 0);
    const m = await s;
    assert.equal(m.offset, -1);
    assert.equal(transport.requests[0].request.acks, 0);
    assert.equal(transport.initProducerIdCalls, 0, 'acks=0 turns idempotence off');
  });

  it('calls the callback once with the metadata, and the promise resolves with the same', async () => {
    const { clock, producer } = setup({ 'linger.ms': 0 });
    const calls: [unknown, RecordMetadata | undefined][] = [];
    const p = producer.send({ topic: 't', key: 'k', value: 'v' }, (err, md) => calls.push([err, md]));
    await tick(clock, 0);
    const m = await p;
    await tick(clock, 100);
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], null);
    assert.equal(calls[0][1], m);
  });

  it('submit hands back the record id before the ack, and the trace can be read by it', async () => {
    const { clock, producer } = setup({ 'linger.ms': 0 });
    const { recordId, result } = producer.submit({ topic: 't', key: 'k', value: 'v' });
    assert.equal(producer.recordTrace(recordId)!.outcome, 'pending');
    await tick(clock, 0);
    assert.equal((await result).recordId, recordId);
    assert.equal(producer.recordTrace(recordId)!.outcome, 'acked');
  });

  it('flush sends lingering batches at once and resolves when every record is settled', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 60000 });
    const sends = Array.from({ length: 3 }, (_, i) => producer.send({ topic: 't', key: `k${i}`, value: 'v' }));
    await tick(clock);
    assert.equal(transport.requests.length, 0);
    let flushed = false;
    const f = producer.flush().then(() => (flushed = true));
    await tick(clock, 0);
    await f;
    assert.equal(flushed, true);
    await Promise.all(sends);
    const closeReasons = (await Promise.all(sends)).map(
      (m) =>
        (producer.batchTrace(m.batchId)!.events.find((e) => e.type === 'batch-closed') as { reason: string }).reason,
    );
    assert.ok(
      closeReasons.every((r) => r === 'flush'),
      "closeReasons.every((r) => r === 'flush')",
    );
  });

  it('close sends what is pending, then refuses new sends with a clear error and closes the transport', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 60000 });
    const s = producer.send({ topic: 't', key: 'k', value: 'v' });
    const closing = producer.close();
    await tick(clock, 0);
    await closing;
    assert.equal((await s).offset, 0);
    assert.equal(transport.closed, true);
    const e = await rejection(producer.send({ topic: 't', value: 'late' }));
    assert.equal(e.errorName, 'PRODUCER_CLOSED');
  });

  it('close with a timeout fails the records still pending when it runs out, each exactly once', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 0 });
    transport.script = () => 'hold';
    const callbacks = new Map<number, number>();
    const sends = [0, 1, 2].map((i) =>
      producer.send({ topic: 't', key: `k${i}`, value: 'v' }, () => callbacks.set(i, (callbacks.get(i) ?? 0) + 1)),
    );
    const queued = producer.send({ topic: 'unknown-topic', value: 'v' }, () =>
      callbacks.set(3, (callbacks.get(3) ?? 0) + 1),
    );
    await tick(clock, 0);
    const closing = producer.close({ timeoutMs: 1000 });
    await tick(clock, 1000);
    await closing;
    for (const s of [...sends, queued])
      assert.match((await rejection(s)).message, /closed before this record was delivered \(close timeout 1000 ms\)/);
    // late answers change nothing
    for (const h of transport.held) h.resolve(transport.success(h.req));
    await tick(clock, 100);
    assert.deepEqual([...callbacks.values()], [1, 1, 1, 1]);
  });
});

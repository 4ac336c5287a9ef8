import { strict as assert } from 'node:assert';
import { createProducer, type ProducerConfigInput, type TraceEvent } from '../../extension/core/engine';
import { TransportError } from '../../extension/core/transport/transport';
import { FakeClock } from '../../extension/core/util/clock';
import { FakeTransport, seededRandom, tick, type ProduceScript, rejection } from './engine-fake-transport';

function setup(config: ProducerConfigInput = {}, leaders: number[] = [1, 2, 3], random: () => number = seededRandom()) {
  const clock = new FakeClock(0);
  const transport = new FakeTransport(clock).topic('t', leaders);
  const producer = createProducer({ 'linger.ms': 0, ...config }, { transport, clock, random });
  return { clock, transport, producer };
}

/** Answers request number `index` with the given per-partition errors ("t-0": code), others succeed. */
function failOnce(transport: FakeTransport, index: number, errors: Record<string, number>): ProduceScript {
  return (req, i) => (i === index ? transport.success(req, errors) : undefined);
}

function eventsOf<T extends TraceEvent['type']>(events: TraceEvent[], type: T): Extract<TraceEvent, { type: T }>[] {
  return events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
}

describe('producer engine: retries and errors', () => {
  it('on a partial failure re-sends only the failed partition; the one that succeeded is never re-sent', async () => {
    const { clock, transport, producer } = setup({}, [1, 1, 1]);
    transport.script = failOnce(transport, 0, { 't-1': 6 /* NOT_LEADER_OR_FOLLOWER */ });
    const a = producer.send({ topic: 't', partition: 0, value: 'a' });
    const b = producer.send({ topic: 't', partition: 1, value: 'b' });
    await tick(clock, 500);
    const [ma, mb] = await Promise.all([a, b]);
    assert.equal(transport.requests.length, 2);
    assert.deepEqual(
      transport.requests[1].batches.map((x) => x.partition),
      [1],
      'only partition 1 goes again',
    );
    assert.equal(ma.attempts, 1);
    assert.equal(mb.attempts, 2);
    assert.equal(transport.offsets.get('t-0'), 1, 'partition 0 was written once');
    assert.equal(transport.offsets.get('t-1'), 1);
  });

  it('re-sends a retried batch byte for byte, keeping its producer id and sequence', async () => {
    const { clock, transport, producer } = setup();
    transport.script = failOnce(transport, 0, { 't-2': 19 /* NOT_ENOUGH_REPLICAS */ });
    const s = producer.send({ topic: 't', partition: 2, value: 'v' });
    await tick(clock, 500);
    await s;
    const [first, second] = transport.requests.map((r) => r.batches[0]);
    assert.equal(second.baseSequence, first.baseSequence);
    assert.equal(second.producerId, first.producerId);
    assert.ok(first.bytes.equals(second.bytes), 'same bytes');
    assert.equal(transport.initProducerIdCalls, 1);
  });

  it("numbers each partition's batches with sequences that grow by the record count", async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 5 });
    const first = [0, 1, 2].map((i) => producer.send({ topic: 't', partition: 0, value: `a${i}` }));
    await tick(clock, 10);
    const second = [0, 1].map((i) => producer.send({ topic: 't', partition: 0, value: `b${i}` }));
    const other = producer.send({ topic: 't', partition: 1, value: 'c' });
    await tick(clock, 10);
    await Promise.all([...first, ...second, other]);
    const seqs = transport.requests.flatMap((r) => r.batches).map((b) => [b.partition, b.baseSequence, b.recordCount]);
    assert.deepEqual(
      seqs.filter((x) => x[0] === 0),
      [
        [0, 0, 3],
        [0, 3, 2],
      ],
    );
    assert.deepEqual(
      seqs.filter((x) => x[0] === 1),
      [[1, 0, 1]],
    );
  });

  it('backs off exponentially between attempts, from retry.backoff.ms up to retry.backoff.max.ms', async () => {
    const { clock, transport, producer } = setup(
      { 'retry.backoff.ms': 100, 'retry.backoff.max.ms': 1000 },
      [1, 2, 3],
      () => 0.5,
    );
    transport.script = (req, i) => (i < 6 ? transport.success(req, { 't-0': 7 /* REQUEST_TIMED_OUT */ }) : undefined);
    const s = producer.send({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 5000);
    const m = await s;
    assert.equal(m.attempts, 7);
    const backoffs = eventsOf(producer.batchTrace(m.batchId)!.events, 'backoff').map((e) => e.delayMs);
    assert.deepEqual(backoffs, [100, 200, 400, 800, 1000, 1000]);
    const sentTimes = transport.requests.map((r) => r.at);
    for (let i = 1; i < sentTimes.length; i++)
      assert.ok(sentTimes[i] - sentTimes[i - 1] >= backoffs[i - 1], 'no retry before its backoff');
  });

  it('adds up to 20% jitter to the backoff, from the injected random source', async () => {
    const low = setup({ 'retry.backoff.ms': 100 }, [1, 2, 3], () => 0);
    const high = setup({ 'retry.backoff.ms': 100 }, [1, 2, 3], () => 0.999);
    for (const { transport } of [low, high])
      transport.script = (req, i) => (i === 0 ? transport.success(req, { 't-0': 7 }) : undefined);
    const sends = [low, high].map(({ producer }) => producer.send({ topic: 't', partition: 0, value: 'v' }));
    await Promise.all([tick(low.clock, 300), tick(high.clock, 300)]);
    const [ml, mh] = await Promise.all(sends);
    assert.equal(eventsOf(low.producer.batchTrace(ml.batchId)!.events, 'backoff')[0].delayMs, 80);
    assert.equal(eventsOf(high.producer.batchTrace(mh.batchId)!.events, 'backoff')[0].delayMs, 120);
  });

  it('fails the batch with a timeout error once delivery.timeout.ms has passed, with the last error named', async () => {
    const { clock, transport, producer } = setup({
      'delivery.timeout.ms': 2000,
      'request.timeout.ms': 1000,
      'retry.backoff.ms': 100,
      'retry.backoff.max.ms': 300,
    });
    transport.script = (req) => transport.success(req, { 't-0': 19 });
    let calls = 0;
    const s = producer.send({ topic: 't', partition: 0, value: 'v' }, () => calls++);
    await tick(clock, 2500);
    const e = await rejection(s);
    assert.equal(e.errorName, 'DELIVERY_TIMEOUT');
    assert.match(e.message, /delivery\.timeout\.ms=2000/);
    assert.match(e.message, /NOT_ENOUGH_REPLICAS/);
    assert.ok(e.attempts > 3, 'e.attempts > 3');
    const lastSend = transport.requests[transport.requests.length - 1].at;
    assert.ok(lastSend < 2000, 'no attempt after the deadline');
    await tick(clock, 1000);
    assert.equal(calls, 1);
  });

  it('fails a batch waiting in the accumulator past delivery.timeout.ms (no leader ever appears)', async () => {
    const { clock, producer } = setup(
      { 'delivery.timeout.ms': 1500, 'request.timeout.ms': 1000, 'retry.backoff.ms': 50, 'retry.backoff.max.ms': 50 },
      [-1, -1, -1],
    );
    const s = producer.send({ topic: 't', key: 'k', value: 'v' });
    await tick(clock, 1600);
    const e = await rejection(s);
    assert.equal(e.errorName, 'DELIVERY_TIMEOUT');
    assert.equal(e.attempts, 0);
  });

  it('stops after retries attempts and says so', async () => {
    const { clock, transport, producer } = setup({ retries: 2, 'retry.backoff.ms': 10, 'retry.backoff.max.ms': 10 });
    transport.script = (req) => transport.success(req, { 't-0': 7 });
    const s = producer.send({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 200);
    const e = await rejection(s);
    assert.equal(e.attempts, 3);
    assert.equal(transport.requests.length, 3);
    assert.match(
      e.message,
      /[.!?] Gave up after 3 attempt\(s\) \(retries=2\)\.$/,
      "the error's own sentence ends before the retry note",
    );
    assert.equal(e.errorName, 'REQUEST_TIMED_OUT');
  });

  it('fails a batch at once on a non-retriable error', async () => {
    const { clock, transport, producer } = setup();
    transport.script = (req) => transport.success(req, { 't-0': 10 /* MESSAGE_TOO_LARGE */ });
    const s = producer.send({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 500);
    const e = await rejection(s);
    assert.equal(e.errorCode, 10);
    assert.equal(e.errorName, 'MESSAGE_TOO_LARGE');
    assert.equal(e.attempts, 1);
    assert.equal(transport.requests.length, 1);
    assert.equal(e.retriable, false);
  });

  it('refreshes metadata after NOT_LEADER_OR_FOLLOWER and sends the retry to the new leader', async () => {
    const { clock, transport, producer } = setup({}, [1, 2, 3]);
    transport.script = (req, i) => {
      if (i === 0) {
        transport.topic('t', [2, 2, 3]); // leadership of partition 0 moved to broker 2
        return transport.success(req, { 't-0': 6 });
      }
      return undefined;
    };
    const s = producer.send({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 500);
    await s;
    assert.deepEqual(
      transport.requests.map((r) => r.brokerId),
      [1, 2],
    );
    assert.ok(transport.metadataCalls >= 2, 'transport.metadataCalls >= 2');
  });

  it('retries every batch of a request when the connection fails (retriable TransportError)', async () => {
    const { clock, transport, producer } = setup({}, [1, 1, 1]);
    transport.script = (_req, i) =>
      i === 0 ? new TransportError('socket hang up', 'connection', { retriable: true, brokerId: 1 }) : undefined;
    const sends = [0, 1, 2].map((p) => producer.send({ topic: 't', partition: p, value: 'v' }));
    await tick(clock, 500);
    const ms = await Promise.all(sends);
    assert.deepEqual(
      ms.map((m) => m.attempts),
      [2, 2, 2],
    );
    assert.deepEqual(
      transport.requests
        .slice(1)
        .flatMap((r) => r.batches.map((b) => b.partition))
        .sort(),
      [0, 1, 2],
      'each batch re-sent once',
    );
    const attempt = eventsOf(producer.batchTrace(ms[0].batchId)!.events, 'attempt-result')[0];
    assert.equal(attempt.errorName, 'NETWORK_EXCEPTION');
    assert.match(attempt.message!, /socket hang up/);
  });

  it('fails every batch of a request at once when the connection error is not retriable', async () => {
    const { clock, transport, producer } = setup({}, [1, 1, 1]);
    transport.script = () =>
      new TransportError('SASL authentication failed', 'authentication', { retriable: false, brokerId: 1 });
    const sends = [0, 1].map((p) => producer.send({ topic: 't', partition: p, value: 'v' }));
    await tick(clock, 500);
    for (const s of sends) assert.match((await rejection(s)).message, /SASL authentication failed/);
    assert.equal(transport.requests.length, 1);
  });

  it('treats DUPLICATE_SEQUENCE_NUMBER as success (the broker already has the batch)', async () => {
    const { clock, transport, producer } = setup();
    transport.script = (req) => ({
      ...transport.success(req),
      results: [{ topic: 't', partition: 0, errorCode: 46, baseOffset: 41, logAppendTimeMs: -1, logStartOffset: 0 }],
    });
    const s = producer.send({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 100);
    assert.equal((await s).offset, 41);
  });

  it('uses the broker log-append time as the record timestamp when the topic asks for it', async () => {
    const { clock, transport, producer } = setup();
    transport.logAppendTime = 1_800_000_000_000;
    const s = producer.send({ topic: 't', partition: 0, value: 'v', timestamp: 5 });
    await tick(clock, 10);
    const m = await s;
    assert.equal(m.timestampType, 'LogAppendTime');
    assert.equal(m.timestamp, 1_800_000_000_000);
  });
});

describe('producer engine: metadata age and compression', () => {
  it('refreshes metadata once metadata.max.age.ms has passed', async () => {
    const { clock, transport, producer } = setup({ 'metadata.max.age.ms': 1000 });
    await Promise.all([producer.send({ topic: 't', partition: 0, value: 'a' }), tick(clock, 10)]);
    const calls = transport.metadataCalls;
    await tick(clock, 500);
    assert.equal(transport.metadataCalls, calls, 'not before the age is reached');
    await tick(clock, 600);
    assert.equal(transport.metadataCalls, calls + 1);
  });

  it('compresses batches with compression.type and keeps the record count readable', async () => {
    const { clock, transport, producer } = setup({ 'compression.type': 'gzip', 'linger.ms': 5 });
    const sends = [0, 1, 2].map((i) =>
      producer.send({ topic: 't', partition: 0, value: 'repetitive '.repeat(20) + i }),
    );
    await tick(clock, 20);
    await Promise.all(sends);
    const batch = transport.requests[0].batches[0];
    assert.equal(batch.bytes.readInt16BE(21) & 7, 1, 'gzip codec in the attributes');
    assert.equal(batch.recordCount, 3);
    assert.ok(batch.bytes.length < 3 * 220, `compressed to ${batch.bytes.length} bytes`);
  });
});

describe('producer engine: every record settles exactly once', () => {
  it('across success, retry, non-retriable failure, timeout, invalid input and close', async () => {
    const { clock, transport, producer } = setup(
      { 'delivery.timeout.ms': 1500, 'request.timeout.ms': 1000, 'retry.backoff.ms': 50, 'retry.backoff.max.ms': 50 },
      [1, 2, 3],
    );
    transport.script = (req, i) => {
      const p = req.batches.map((b) => b.partition);
      if (p.includes(1) && i < 3) return transport.success(req, { 't-1': 6 }); // retried, then succeeds
      if (p.includes(2)) return transport.success(req, { 't-2': 19 }); // retried until the delivery timeout
      return undefined;
    };
    const counts: number[] = [];
    const settledBy: string[] = [];
    const cases = [
      { topic: 't', partition: 0, value: 'ok' },
      { topic: 't', partition: 1, value: 'retry' },
      { topic: 't', partition: 2, value: 'timeout' },
      { topic: '', value: 'invalid' },
      { topic: 't', partition: 9, value: 'bad partition' },
    ];
    const sends = cases.map((rec, i) => {
      counts[i] = 0;
      const p = producer.send(rec, () => counts[i]++);
      p.then(
        () => settledBy.push(`${i}:ok`),
        () => settledBy.push(`${i}:err`),
      );
      return p;
    });
    await tick(clock, 2000);
    const closing = producer.close({ timeoutMs: 100 });
    await tick(clock, 200);
    await closing;
    await Promise.allSettled(sends);
    assert.deepEqual(counts, [1, 1, 1, 1, 1]);
    assert.deepEqual(settledBy.sort(), ['0:ok', '1:ok', '2:err', '3:err', '4:err']);
  });
});

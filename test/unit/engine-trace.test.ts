import { strict as assert } from 'node:assert';
import { createProducer, type ProducerConfigInput, type TraceEvent } from '../../extension/core/engine';
import { FakeClock } from '../../extension/core/util/clock';
import { FakeTransport, seededRandom, tick } from './engine-fake-transport';

function setup(config: ProducerConfigInput = {}, extra: { traceCapacity?: number; tracing?: boolean } = {}) {
  const clock = new FakeClock(0);
  const transport = new FakeTransport(clock).topic('t', [1, 2, 3]);
  const producer = createProducer(
    { 'linger.ms': 5, ...config },
    { transport, clock, random: seededRandom(), ...extra },
  );
  return { clock, transport, producer };
}

describe('producer engine: delivery trace', () => {
  it('shows one send from composition to ack, in order: partition and why, batch, attempts with their error, backoff, ack', async () => {
    const { clock, transport, producer } = setup({ 'retry.backoff.ms': 50, 'retry.backoff.max.ms': 50 });
    transport.script = (req, i) =>
      i === 0 ? transport.success(req, Object.fromEntries(req.batches.map((b) => [`t-${b.partition}`, 6]))) : undefined;
    const key = 'order-42';
    const { recordId, result } = producer.submit({
      topic: 't',
      key,
      value: 'hello',
      headers: [{ key: 'h', value: 'x' }],
    });
    await tick(clock, 300);
    const m = await result;
    const trace = producer.recordTrace(recordId)!;
    assert.equal(trace.outcome, 'acked');
    const types = trace.events.map((e) => e.type);
    assert.deepEqual(types, [
      'composed',
      'blocked',
      'partitioned',
      'appended',
      'batch-closed',
      'attempt-sent',
      'attempt-result',
      'backoff',
      'metadata-refresh',
      'attempt-sent',
      'attempt-result',
      'acked',
    ]);
    const times = trace.events.map((e) => e.time);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'events in time order',
    );
    const partitioned = trace.events.find((e) => e.type === 'partitioned')!;
    assert.equal(partitioned.type === 'partitioned' && partitioned.reason.type, 'key-hash');
    const [firstResult, secondResult] = trace.events.filter(
      (e): e is Extract<TraceEvent, { type: 'attempt-result' }> => e.type === 'attempt-result',
    );
    assert.equal(firstResult.errorName, 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(firstResult.retriable, true);
    assert.equal(firstResult.address, `b${m.partition + 1}:9092`);
    assert.equal(secondResult.errorCode, 0);
    const sent = trace.events.find((e) => e.type === 'attempt-sent')!;
    assert.ok(
      sent.type === 'attempt-sent' && sent.producerId === 1000 && sent.baseSequence === 0 && sent.requestBytes > 0,
      "sent.type === 'attempt-sent' && sent.producerId === 1000 && sent.baseSequence === 0 && sent.requestBytes > 0",
    );
    const acked = trace.events[trace.events.length - 1];
    assert.ok(
      acked.type === 'acked' && acked.offset === m.offset && acked.attempts === 2,
      "acked.type === 'acked' && acked.offset === m.offset && acked.attempts === 2",
    );
    const composed = trace.events[0];
    assert.ok(
      composed.type === 'composed' &&
        composed.keySize === key.length &&
        composed.valueSize === 5 &&
        composed.headerCount === 1,
      "composed.type === 'composed' && composed.keySize === key.length && composed.valueSize === 5 && composed.headerCount === 1",
    );
  });

  it('streams the same events to onTrace listeners as they happen, and stops after dispose', async () => {
    const { clock, producer } = setup();
    const seen: TraceEvent[] = [];
    const sub = producer.onTrace((e) => seen.push(e));
    const { recordId, result } = producer.submit({ topic: 't', key: 'k', value: 'v' });
    await tick(clock, 10);
    await result;
    const mine = seen.filter(
      (e) =>
        ('recordId' in e && e.recordId === recordId) ||
        ('batchId' in e && e.batchId === producer.recordTrace(recordId)!.batchId),
    );
    assert.deepEqual(
      mine.map((e) => e.type).filter((t) => t !== 'batch-created'),
      producer.recordTrace(recordId)!.events.map((e) => e.type),
    );
    sub.dispose();
    const before = seen.length;
    producer.send({ topic: 't', key: 'k', value: 'v' });
    await tick(clock, 10);
    assert.equal(seen.length, before);
  });

  it('records the failure and the attempts of a failed record', async () => {
    const { clock, transport, producer } = setup();
    transport.script = (req) => transport.success(req, { 't-0': 10 });
    const { recordId, result } = producer.submit({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 20);
    await result.catch(() => undefined);
    const trace = producer.recordTrace(recordId)!;
    assert.equal(trace.outcome, 'failed');
    const last = trace.events[trace.events.length - 1];
    assert.ok(
      last.type === 'failed' && last.errorName === 'MESSAGE_TOO_LARGE' && last.attempts === 1,
      "last.type === 'failed' && last.errorName === 'MESSAGE_TOO_LARGE' && last.attempts === 1",
    );
  });

  it('keeps at most traceCapacity records, dropping the oldest', async () => {
    const { clock, producer } = setup({}, { traceCapacity: 3 });
    const ids = [0, 1, 2, 3, 4].map((i) => producer.submit({ topic: 't', key: `k${i}`, value: 'v' }));
    await tick(clock, 10);
    await Promise.all(ids.map((x) => x.result));
    assert.equal(producer.recordTrace(ids[0].recordId), undefined);
    assert.equal(producer.recordTrace(ids[1].recordId), undefined);
    for (const x of ids.slice(2)) assert.equal(producer.recordTrace(x.recordId)!.outcome, 'acked');
    const exported = producer.exportTraces() as { records: { recordId: string }[] };
    assert.deepEqual(
      exported.records.map((r) => r.recordId),
      ids.slice(2).map((x) => x.recordId),
    );
  });

  it('exports traces as JSON without record payloads, filtered by record id', async () => {
    const { clock, producer } = setup();
    const a = producer.submit({ topic: 't', key: 'secret-key', value: 'secret-value' });
    const b = producer.submit({ topic: 't', key: 'other', value: 'v' });
    await tick(clock, 10);
    await Promise.all([a.result, b.result]);
    const json = JSON.stringify(producer.exportTraces({ recordIds: [a.recordId] }));
    const parsed = JSON.parse(json) as {
      records: { recordId: string; events: TraceEvent[] }[];
      batches: { batchId: string }[];
    };
    assert.deepEqual(
      parsed.records.map((r) => r.recordId),
      [a.recordId],
    );
    assert.equal(parsed.batches.length, 1);
    assert.ok(!json.includes('secret-key') && !json.includes('secret-value'), 'no payloads in the export');
    assert.ok(
      parsed.records[0].events.some((e) => e.type === 'acked'),
      "parsed.records[0].events.some((e) => e.type === 'acked')",
    );
  });

  it("batchTrace lists the batch's records and its events", async () => {
    const { clock, producer } = setup();
    const xs = [0, 1, 2].map((i) => producer.submit({ topic: 't', key: 'same', value: `v${i}` }));
    await tick(clock, 10);
    const ms = await Promise.all(xs.map((x) => x.result));
    const bt = producer.batchTrace(ms[0].batchId)!;
    assert.deepEqual(
      bt.recordIds,
      xs.map((x) => x.recordId),
    );
    assert.deepEqual(
      bt.events.map((e) => e.type),
      ['batch-created', 'batch-closed', 'attempt-sent', 'attempt-result'],
    );
  });

  it('with tracing off, keeps nothing and emits nothing, and still delivers', async () => {
    const { clock, producer } = setup({}, { tracing: false });
    const seen: TraceEvent[] = [];
    producer.onTrace((e) => seen.push(e));
    const x = producer.submit({ topic: 't', key: 'k', value: 'v' });
    await tick(clock, 10);
    assert.equal((await x.result).offset, 0);
    assert.equal(producer.recordTrace(x.recordId), undefined);
    assert.equal(seen.length, 0);
    assert.deepEqual((producer.exportTraces() as { records: unknown[] }).records, []);
  });
});

describe('producer engine: stats', () => {
  it('keeps a bounded timeline of the run for charts: records per interval, latency percentiles, batch fill, brokers', async () => {
    const { clock, transport, producer } = setup({ 'linger.ms': 5 });
    transport.script = (req, i) => (i === 3 ? transport.success(req, { 't-0': 87 /* INVALID_RECORD */ }) : undefined);
    for (let second = 0; second < 300; second++) {
      for (let i = 0; i < 3; i++) producer.produce({ topic: 't', partition: 0, value: `v${second}-${i}` });
      await tick(clock, 10);
      clock.advance(990);
    }
    const t = producer.timeline();
    assert.ok(t.intervals.length <= 240, `bounded: ${t.intervals.length} intervals`);
    assert.equal(t.intervalMs, 2000, 'intervals merged as the run outgrew 240 of them');
    const acked = t.intervals.reduce((n, iv) => n + iv.acked, 0);
    const failed = t.intervals.reduce((n, iv) => n + iv.failed, 0);
    assert.equal(acked + failed, 900);
    assert.equal(failed, 3, 'the batch the broker refused');
    assert.equal(t.latency.count, 897);
    assert.equal(t.latency.p50, 5, 'linger.ms (the fake broker answers at once)');
    assert.ok(t.intervals.every((iv) => iv.latencyP99 === null || iv.latencyP99 >= 5));
    assert.deepEqual(t.batches.closeReasons, {
      full: 0,
      linger: 300,
      flush: 0,
      close: 0,
      'memory-pressure': 0,
      'send-now': 0,
    });
    assert.deepEqual(t.batches.records, [
      { upTo: 1, count: 0 },
      { upTo: 2, count: 0 },
      { upTo: 4, count: 300 },
    ]);
    assert.deepEqual(
      t.intervals[0].brokers.map((b) => b.brokerId),
      [1],
    );
  });

  it('reports Java-like metrics: send rate, batch size, records per request, queue time, retries, latency per broker', async () => {
    const { clock, transport, producer } = setup({
      'linger.ms': 10,
      'retry.backoff.ms': 10,
      'retry.backoff.max.ms': 10,
    });
    transport.script = (req, i) => (i === 0 ? transport.success(req, { 't-0': 7 }) : undefined);
    const sends = [0, 1, 2, 3].map((i) => producer.send({ topic: 't', partition: 0, value: `v${i}` }));
    await tick(clock, 1000);
    await Promise.all(sends);
    const s = producer.stats();
    assert.equal(s['record-send-total'], 8, 'as Java counts it: every record put into a request, retries too');
    assert.equal(s['record-ack-total'], 4);
    assert.equal(s['record-retry-total'], 4);
    assert.equal(s['response-total'], 2);
    assert.equal(s['requests-in-flight'], 0);
    assert.equal(s['compression-rate-avg'], 1);
    assert.equal(s['records-per-request-avg'], 4);
    assert.equal(s['request-total'], 2);
    assert.equal(s['record-queue-time-avg'], 10, 'queued for linger.ms');
    assert.ok(s['batch-size-avg'] > 61, "s['batch-size-avg'] > 61");
    assert.ok(s['record-send-rate'] > 0, "s['record-send-rate'] > 0");
    assert.equal(s['request-latency-avg'], 2);
    assert.deepEqual(
      s.brokers.map((b) => [b.brokerId, b.requests, b.inFlight]),
      [[1, 2, 0]],
    );
  });
});

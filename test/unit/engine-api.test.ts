/**
 * The engine's lean API: produce() without a promise, batch delivery reports, back-pressure, the bounded trace
 * window and kept traces; and the configurations the producer refuses when it is created.
 */
import { strict as assert } from 'node:assert';
import {
  createProducer,
  type DeliveryReport,
  type ProducerConfigInput,
  type RecordMetadata,
} from '../../extension/core/engine';
import { TransportError } from '../../extension/core/transport/transport';
import { FakeClock } from '../../extension/core/util/clock';
import { FakeTransport, seededRandom, tick } from './engine-fake-transport';

function setup(config: ProducerConfigInput = {}, deps: { traceCapacity?: number; tracing?: boolean } = {}) {
  const clock = new FakeClock(0);
  const transport = new FakeTransport(clock).topic('t', [1, 2, 3]);
  const producer = createProducer({ 'linger.ms': 0, ...config }, { transport, clock, random: seededRandom(), ...deps });
  return { clock, transport, producer };
}

/** What a report says, copied out (a report is only valid during the listener call). */
function copyReport(r: DeliveryReport) {
  return {
    partition: r.partition,
    batchId: r.batchId,
    error: r.error?.errorName,
    seqs: Array.from({ length: r.recordCount }, (_, i) => r.recordSeq(i)),
    offsets: Array.from({ length: r.recordCount }, (_, i) => r.offset(i)),
    sentAt: Array.from({ length: r.recordCount }, (_, i) => r.recordSentAt(i)),
  };
}

describe('producer engine: produce() and delivery reports', () => {
  it('produce hands a record over without a promise, returns its number, and the callback runs exactly once', async () => {
    const { clock, producer } = setup();
    const calls: (RecordMetadata | undefined)[] = [];
    const seq = producer.produce({ topic: 't', partition: 1, value: 'v' }, (error, metadata) =>
      calls.push(error ? undefined : metadata),
    );
    assert.equal(typeof seq, 'number');
    await tick(clock, 10);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.recordId, producer.recordId(seq));
    assert.equal(calls[0]!.partition, 1);
    assert.equal(producer.recordTrace(producer.recordId(seq))!.outcome, 'acked');
  });

  it("reports every batch once with each record's number, send time and offset, and records that never joined a batch one by one", async () => {
    const { clock, producer } = setup({ 'linger.ms': 5 });
    const reports: ReturnType<typeof copyReport>[] = [];
    producer.onDelivery((r) => reports.push(copyReport(r)));
    await tick(clock, 1);
    const seqs = [0, 1, 2].map((i) => producer.produce({ topic: 't', partition: 0, value: `v${i}` }));
    const bad = producer.produce({ topic: 't', partition: 9, value: 'no such partition' });
    await tick(clock, 20);
    const ok = reports.find((r) => !r.error)!;
    assert.deepEqual(ok.seqs, seqs);
    assert.deepEqual(ok.offsets, [0, 1, 2]);
    assert.deepEqual(ok.sentAt, [1, 1, 1]);
    const failed = reports.filter((r) => r.error);
    assert.deepEqual(
      failed.map((r) => [r.seqs, r.error, r.batchId]),
      [[[bad], 'INVALID_PARTITION', undefined]],
    );
    assert.equal(reports.length, 2, 'each record reported once');
    assert.equal(producer.pendingRecords, 0);
  });

  it('hasRoom is false while records wait for buffer memory, and waitForRoom resolves once they are placed', async () => {
    const { clock, transport, producer } = setup({
      'batch.size': 1000,
      'buffer.memory': 1000,
      'enable.idempotence': false,
      acks: 1,
    });
    producer.produce({ topic: 't', partition: 2, value: 'metadata first' });
    await tick(clock, 10);
    transport.script = () => 'hold';
    producer.produce({ topic: 't', partition: 0, value: 'a' });
    assert.equal(producer.hasRoom, true);
    producer.produce({ topic: 't', partition: 1, value: 'b' }); // no memory for a second batch: it waits
    assert.equal(producer.hasRoom, false);
    let resolved = false;
    void producer.waitForRoom().then(() => (resolved = true));
    await tick(clock, 10);
    assert.equal(resolved, false);
    transport.script = undefined;
    transport.held[0].resolve(transport.success(transport.held[0].req));
    await tick(clock, 10);
    assert.equal(resolved, true);
    assert.equal(producer.hasRoom, true);
  });

  it('hasRoom turns false once unsettled batches hold an eighth of buffer.memory, and true again as they settle', async () => {
    const { clock, transport, producer } = setup({
      'batch.size': 1000,
      'buffer.memory': 16000,
      'enable.idempotence': false,
      acks: 1,
    });
    producer.produce({ topic: 't', partition: 2, value: 'metadata first' });
    await tick(clock, 10);
    transport.script = () => 'hold';
    producer.produce({ topic: 't', partition: 0, value: 'a' }); // one 1000-byte batch: 2000 is the limit
    producer.produce({ topic: 't', partition: 1, value: 'b' });
    assert.equal(producer.hasRoom, true, 'two batches: 2000 of 16000 bytes');
    producer.produce({ topic: 't', partition: 2, value: 'c' });
    assert.equal(
      producer.hasRoom,
      false,
      'a third batch: more than an eighth of buffer.memory, with no record waiting',
    );
    let resolved = false;
    void producer.waitForRoom().then(() => (resolved = true));
    await tick(clock, 10);
    assert.equal(resolved, false);
    transport.script = undefined;
    for (const held of transport.held) held.resolve(transport.success(held.req));
    await tick(clock, 10);
    assert.equal(resolved, true);
    assert.equal(producer.hasRoom, true);
  });

  it('hasRoom turns false while unsettled records fill half the trace window, so each trace is there at settle', async () => {
    const { clock, transport, producer } = setup({ 'enable.idempotence': false, acks: 1 }, { traceCapacity: 8 });
    producer.produce({ topic: 't', partition: 0, value: 'metadata first' });
    await tick(clock, 10);
    transport.script = () => 'hold';
    const seqs = [0, 1, 2].map((i) => producer.produce({ topic: 't', partition: i, value: `v${i}` }));
    assert.equal(producer.hasRoom, true, 'three unsettled of a window of eight');
    seqs.push(producer.produce({ topic: 't', partition: 0, value: 'v3' }));
    assert.equal(producer.hasRoom, false, 'four unsettled: half the window');
    transport.script = undefined;
    for (const held of transport.held) held.resolve(transport.success(held.req));
    await tick(clock, 10);
    assert.equal(producer.hasRoom, true);
    for (const seq of seqs) assert.ok(producer.recordTrace(producer.recordId(seq)), `record ${seq} keeps its trace`);
  });

  it('abortUnsent fails at once the records not sent yet, and leaves those in flight to their real outcome', async () => {
    const { clock, transport, producer } = setup({
      'linger.ms': 50,
      'batch.size': 200,
      'buffer.memory': 400,
      'enable.idempotence': false,
      acks: 1,
    });
    const outcomes = new Map<string, string>();
    producer.onDelivery((r) => {
      for (let i = 0; i < r.recordCount; i++)
        outcomes.set(producer.recordId(r.recordSeq(i)), r.error ? r.error.errorName! : `offset ${r.offset(i)}`);
    });
    transport.script = () => 'hold';
    await tick(clock, 1);
    const ids: string[] = [];
    const send = (partition: number, value: string) =>
      ids.push(producer.recordId(producer.produce({ topic: 't', partition, value })));
    for (let i = 0; i < 3; i++) send(0, 'x'.repeat(60)); // fills partition 0's batch: it goes at once and is held
    await tick(clock, 1);
    assert.equal(transport.requests.length, 1);
    send(1, 'queued, lingering'); // a batch of its own, waiting for linger.ms
    send(2, 'waiting for memory'); // no memory left for a third batch
    assert.equal(producer.hasRoom, false);
    assert.equal(
      producer.abortUnsent(),
      3,
      'the two records never sent, and the third that did not fit its full batch',
    );
    assert.equal(producer.hasRoom, true);
    assert.deepEqual(
      ids.slice(2).map((id) => outcomes.get(id)),
      ['CANCELLED', 'CANCELLED', 'CANCELLED'],
    );
    transport.held[0].resolve(transport.success(transport.held[0].req));
    await tick(clock, 100);
    assert.deepEqual(
      ids.slice(0, 2).map((id) => outcomes.get(id)),
      ['offset 0', 'offset 1'],
    );
    assert.equal(transport.requests.length, 1, 'nothing cancelled went out');
    assert.equal(producer.pendingRecords, 0);
  });

  it('a failed record says whether it may have been written: not when the broker refused it, yes when the request went unanswered', async () => {
    const { clock, transport, producer } = setup({
      'delivery.timeout.ms': 400,
      'request.timeout.ms': 300,
      retries: 0,
      'enable.idempotence': false,
      acks: 1,
    });
    const errors: { name?: string; maybeWritten: boolean }[] = [];
    producer.onDelivery((r) => r.error && errors.push({ name: r.error.errorName, maybeWritten: r.error.maybeWritten }));
    transport.script = (req, i) =>
      i === 0
        ? transport.success(req, { 't-0': 87 })
        : new TransportError('request timed out', 'timeout', { retriable: true });
    producer.produce({ topic: 't', partition: 0, value: 'refused' });
    await tick(clock, 5);
    producer.produce({ topic: 't', partition: 1, value: 'unanswered' });
    await tick(clock, 500);
    assert.deepEqual(errors, [
      { name: 'INVALID_RECORD', maybeWritten: false },
      { name: 'REQUEST_TIMED_OUT', maybeWritten: true },
    ]);
  });
});

describe('producer engine: what encoded a record', () => {
  it("names the schemas that encoded key and value first in the record's trace, before it was composed", async () => {
    const { clock, producer } = setup();
    const serialization = [
      { part: 'key' as const, subject: 't-key', version: 2, id: 7, schemaType: 'AVRO' as const },
      {
        part: 'value' as const,
        subject: 't-value',
        version: 1,
        id: 3,
        schemaType: 'PROTOBUF' as const,
        recordName: 'acme.Order',
      },
    ];
    const ids = [0, 1].map((i) =>
      producer.recordId(producer.produce({ topic: 't', partition: 0, value: `v${i}`, serialization })),
    );
    const plain = producer.recordId(producer.produce({ topic: 't', partition: 0, value: 'no schema' }));
    await tick(clock, 10);
    for (const id of ids) {
      const events = producer.recordTrace(id)!.events;
      assert.deepEqual(
        events.slice(0, 3).map((e) => e.type),
        ['serialized', 'serialized', 'composed'],
      );
      assert.deepEqual(events[1], { type: 'serialized', recordId: id, time: events[2].time, ...serialization[1] });
    }
    assert.equal(producer.recordTrace(plain)!.events[0].type, 'composed');
    const exported = producer.exportTraces({ recordIds: [ids[0]] }) as { records: { events: { type: string }[] }[] };
    assert.equal(exported.records[0].events[0].type, 'serialized');
  });
});

describe('producer engine: the trace window', () => {
  it('keeps the traces of the last traceCapacity records only, whatever the count, and lets batches go with their last record', async () => {
    const { clock, producer } = setup({ 'linger.ms': 1 }, { traceCapacity: 50 });
    const ids: string[] = [];
    const firstBatches = new Set<string>();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 25; i++)
        ids.push(producer.recordId(producer.produce({ topic: 't', partition: i % 3, value: `v${round}-${i}` })));
      await tick(clock, 5);
      if (round === 0) for (const id of ids) firstBatches.add(producer.recordTrace(id)!.batchId!);
    }
    const kept = ids.filter((id) => producer.recordTrace(id) !== undefined);
    assert.deepEqual(kept, ids.slice(-50), 'exactly the newest 50');
    const exported = producer.exportTraces() as { records: unknown[]; batches: { recordIds: string[] }[] };
    assert.equal(exported.records.length, 50);
    const firstBatch = producer.recordTrace(ids[0]);
    assert.equal(firstBatch, undefined);
    assert.equal(firstBatches.size, 3, 'the first round went out in one batch per partition');
    for (const id of firstBatches)
      assert.equal(producer.batchTrace(id), undefined, `batch ${id} left with its records`);
    for (const id of kept) assert.ok(producer.batchTrace(producer.recordTrace(id)!.batchId!), `the batch of ${id}`);
  });

  it('keeps a batch while any of its records is in the window, though its first left long before', async () => {
    // Two records for topic "late" wait for its metadata while ten newer ones go to "t"; then both join one batch,
    // numbered 1 and 12: that batch stays as long as record 12 is in the window, and leaves with it.
    const { clock, transport, producer } = setup({ 'linger.ms': 1 }, { traceCapacity: 12 });
    const waited = producer.recordId(producer.produce({ topic: 'late', partition: 0, value: 'waited' }));
    for (let i = 0; i < 10; i++) producer.produce({ topic: 't', partition: 0, value: `t${i}` });
    const newest = producer.recordId(producer.produce({ topic: 'late', partition: 0, value: 'newest' }));
    await tick(clock, 5);
    assert.equal(producer.recordTrace(waited)!.batchId, undefined, 'still waiting, outside any batch');
    transport.topic('late', [1]);
    await tick(clock, 500);
    const batchId = producer.recordTrace(newest)!.batchId!;
    assert.ok(batchId, 'placed once the metadata came');
    assert.equal(producer.recordTrace(waited)!.batchId, batchId, 'the two joined the same batch');
    for (let i = 0; i < 10; i++) producer.produce({ topic: 't', partition: 0, value: `more ${i}` });
    await tick(clock, 5);
    // Record 23 starts a batch: the window (12 to 23) lets the batch of records 2 to 11 go, not this one.
    producer.produce({ topic: 't', partition: 0, value: 'record 23' });
    await tick(clock, 5);
    assert.equal(producer.recordTrace(waited), undefined, 'the first record left the window');
    assert.ok(producer.recordTrace(newest), 'the other is still in it');
    assert.ok(producer.batchTrace(batchId), 'and so is their batch');
    producer.produce({ topic: 't', partition: 0, value: 'one more' });
    await tick(clock, 5);
    assert.equal(producer.recordTrace(newest), undefined, 'the last of them left');
    // The batch goes when it is at the front of the window's batches as a new one enters: within a few batches.
    for (let i = 0; i < 3; i++) {
      producer.produce({ topic: 't', partition: 0, value: `later ${i}` });
      await tick(clock, 5);
    }
    assert.equal(producer.batchTrace(batchId), undefined, 'the batch left after its last record');
  });

  it('lets batches go behind one that keeps taking records for as long as its linger.ms', async () => {
    // Partition 0's batch lingers a minute and takes a record every round; partition 1's fill at once.
    const { clock, producer } = setup({ 'linger.ms': 60_000, 'batch.size': 400 }, { traceCapacity: 10 });
    const big = 'x'.repeat(350);
    const slow = () => producer.recordId(producer.produce({ topic: 't', partition: 0, value: 's' }));
    const first = slow();
    const early: string[] = [];
    for (let i = 0; i < 5; i++)
      early.push(producer.recordId(producer.produce({ topic: 't', partition: 1, value: big })));
    await tick(clock, 5);
    const earlyBatches = new Set(early.map((id) => producer.recordTrace(id)!.batchId!));
    const slowBatch = producer.recordTrace(first)!.batchId!;
    let last = first;
    for (let round = 0; round < 20; round++) {
      last = slow();
      for (let i = 0; i < 5; i++) producer.produce({ topic: 't', partition: 1, value: big });
      await tick(clock, 5);
    }
    assert.equal(producer.recordTrace(last)!.batchId, slowBatch, "partition 0's batch still takes records");
    assert.ok(producer.batchTrace(slowBatch), 'and is in the window');
    for (const id of earlyBatches) assert.equal(producer.batchTrace(id), undefined, `batch ${id} left all the same`);
  });

  it("keepTrace keeps a selected record's full trace after it has left the window", async () => {
    const { clock, producer } = setup({}, { traceCapacity: 10 });
    const selected = producer.recordId(producer.produce({ topic: 't', partition: 0, value: 'the one' }));
    await tick(clock, 5);
    const before = producer.recordTrace(selected)!;
    assert.equal(producer.keepTrace(selected), true);
    for (let i = 0; i < 100; i++) producer.produce({ topic: 't', partition: 1, value: `filler ${i}` });
    await tick(clock, 20);
    assert.deepEqual(producer.recordTrace(selected), before);
    assert.ok(producer.batchTrace(before.batchId!), 'its batch too');
    assert.equal(producer.keepTrace(producer.recordId(1 + 1)), false, 'a record already gone cannot be kept');
  });
});

describe('producer config refused at creation', () => {
  const refusals: [string, ProducerConfigInput, RegExp][] = [
    [
      'buffer.memory smaller than batch.size',
      { 'buffer.memory': 1000, 'batch.size': 16384 },
      /buffer\.memory=1000.*at least batch\.size \(16384\)/,
    ],
    [
      'enable.idempotence=true with retries=0',
      { 'enable.idempotence': true, retries: 0 },
      /retries=0.*enable\.idempotence=true needs retries above 0/,
    ],
  ];
  for (const [what, config, message] of refusals) {
    it(`refuses ${what}, naming the fix`, () => {
      assert.throws(
        () => setup(config),
        (e: Error) => message.test(e.message),
      );
    });
  }

  it('turns idempotence off for retries=0 when it was not asked for explicitly, as Java does', async () => {
    const { clock, transport, producer } = setup({ retries: 0 });
    const m = await (async () => {
      const p = producer.send({ topic: 't', partition: 0, value: 'v' });
      await tick(clock, 10);
      return p;
    })();
    assert.equal(m.offset, 0);
    assert.equal(transport.initProducerIdCalls, 0);
  });

  it('fails a record bigger than buffer.memory at once, naming both sizes', async () => {
    const { clock, producer } = setup({ 'buffer.memory': 20000, 'batch.size': 16384 });
    const p = producer.send({ topic: 't', value: 'x'.repeat(30000) });
    await tick(clock, 1);
    await assert.rejects(p, /Record too large: \d+ bytes serialized, more than buffer\.memory=20000/);
  });
});

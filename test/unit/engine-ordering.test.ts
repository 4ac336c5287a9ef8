/**
 * Ordering and sequences, in the style of Java's SenderTest: a fake network whose broker checks idempotent
 * sequences as a real one does (the sandbox's ProducerStateTable), requests held and answered one by one, a fake
 * clock. Each test pins a rule that a plausible engine change would break.
 */
import { strict as assert } from 'node:assert';
import { createProducer, type ProducerConfigInput, type RecordMetadata } from '../../extension/core/engine';
import { FakeClock } from '../../extension/core/util/clock';
import { FakeTransport, rejection, seededRandom, tick } from './engine-fake-transport';

const NOT_ENOUGH_REPLICAS = 19;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const UNKNOWN_PRODUCER_ID = 59;

function setup(config: ProducerConfigInput = {}) {
  const clock = new FakeClock(0);
  const transport = new FakeTransport(clock).topic('t', [1, 2, 3]).checkSequences();
  const producer = createProducer(
    { 'linger.ms': 0, 'retry.backoff.ms': 10, 'retry.backoff.max.ms': 10, ...config },
    { transport, clock, random: seededRandom() },
  );
  return { clock, transport, producer };
}

/** Sends `values` to partition 0, one batch (and one request) each, all held by the broker. */
async function sendHeld(
  clock: FakeClock,
  transport: FakeTransport,
  producer: ReturnType<typeof setup>['producer'],
  values: string[],
): Promise<Promise<RecordMetadata>[]> {
  transport.script = () => 'hold';
  const sends: Promise<RecordMetadata>[] = [];
  for (const value of values) {
    sends.push(producer.send({ topic: 't', partition: 0, value }));
    await tick(clock, 1);
  }
  return sends;
}

/** Answers the held request `i` as the broker would, or with `errorCode` for partition 0. */
function answer(transport: FakeTransport, i: number, errorCode?: number): void {
  const h = transport.held[i];
  h.resolve(transport.success(h.req, errorCode === undefined ? {} : { 't-0': errorCode }));
}

describe('producer engine: ordering and sequences (SenderTest style)', () => {
  it('with idempotence and 5 requests in flight, a retriable failure of the second of five batches keeps per-partition order', async () => {
    const { clock, transport, producer } = setup({ 'max.in.flight.requests.per.connection': 5 });
    const sends = await sendHeld(clock, transport, producer, ['v0', 'v1', 'v2', 'v3', 'v4']);
    assert.equal(transport.held.length, 5, 'five requests in flight at once');
    assert.deepEqual(
      transport.requests.map((r) => r.batches[0].baseSequence),
      [0, 1, 2, 3, 4],
    );
    transport.script = undefined; // retries are answered as the broker sees them
    answer(transport, 0);
    answer(transport, 1, NOT_ENOUGH_REPLICAS); // not written
    for (const i of [2, 3, 4]) answer(transport, i); // the broker refuses them: sequence 1 is missing
    await tick(clock, 200);
    const ms = await Promise.all(sends);
    assert.deepEqual(transport.log.get('t-0'), ['v0', 'v1', 'v2', 'v3', 'v4'], 'each written once, in send order');
    assert.deepEqual(
      ms.map((m) => m.offset),
      [0, 1, 2, 3, 4],
    );
    const retries = transport.requests.slice(5).map((r) => r.batches[0].baseSequence);
    assert.deepEqual(retries, [1, 2, 3, 4], 'the retries went one at a time, in sequence order');
  });

  it('puts a retried batch back in sequence order, ahead of a newer batch that waits in the queue', async () => {
    const { clock, transport, producer } = setup({ 'max.in.flight.requests.per.connection': 3 });
    const sends = await sendHeld(clock, transport, producer, ['v0', 'v1', 'v2', 'v3']);
    assert.equal(transport.held.length, 3, 'v3 waits in the queue: three requests are in flight');
    answer(transport, 0, NOT_ENOUGH_REPLICAS);
    await tick(clock, 20);
    // The freed slot goes to the retry of v0 (sequence 0), not to v3, which has no sequence yet.
    assert.equal(transport.requests.length, 4);
    assert.equal(transport.requests[3].batches[0].baseSequence, 0, 'the retry of v0 goes first');
    transport.script = undefined;
    answer(transport, 3);
    answer(transport, 1);
    answer(transport, 2);
    await tick(clock, 200);
    await Promise.all(sends);
    assert.deepEqual(transport.log.get('t-0'), ['v0', 'v1', 'v2', 'v3']);
  });

  it('without idempotence, one request in flight keeps order across a retry (the partition is muted while its batch is out)', async () => {
    const { clock, transport, producer } = setup({
      'enable.idempotence': false,
      acks: '1',
      'max.in.flight.requests.per.connection': 1,
    });
    transport.script = (req, i) => (i === 0 ? transport.success(req, { 't-0': NOT_ENOUGH_REPLICAS }) : undefined);
    const sends = [];
    for (const value of ['a', 'b', 'c']) {
      sends.push(producer.send({ topic: 't', partition: 0, value }));
      await tick(clock, 1);
    }
    await tick(clock, 200);
    await Promise.all(sends);
    assert.deepEqual(transport.log.get('t-0'), ['a', 'b', 'c'], 'the retried batch went before the newer ones');
    assert.ok(transport.requests.every((r) => r.batches.length === 1));
  });

  it("a fatal OUT_OF_ORDER_SEQUENCE_NUMBER (the very next sequence refused) fails that batch's records only; later batches go on under a bumped epoch", async () => {
    const { clock, transport, producer } = setup();
    const sends = await sendHeld(clock, transport, producer, ['v0', 'v1', 'v2', 'v3']);
    transport.script = undefined;
    answer(transport, 0); // v0 written
    answer(transport, 1, OUT_OF_ORDER_SEQUENCE_NUMBER); // the broker lost what it had: the next sequence is refused
    answer(transport, 2); // refused too: sequence 1 is missing
    answer(transport, 3);
    await tick(clock, 200);
    const after = producer.send({ topic: 't', partition: 0, value: 'v4' });
    await tick(clock, 100);
    assert.equal((await sends[0]).offset, 0);
    const e = await rejection(sends[1]);
    assert.equal(e.errorName, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    assert.match(e.message, /gap in this producer's sequence/);
    await Promise.all([sends[2], sends[3], after]);
    assert.deepEqual(transport.log.get('t-0'), ['v0', 'v2', 'v3', 'v4'], 'only v1 is missing');
    const restamped = transport.requests
      .slice(4)
      .map((r) => [r.batches[0].bytes.readInt16BE(51), r.batches[0].baseSequence]);
    assert.deepEqual(
      restamped.slice(0, 2),
      [
        [1, 0],
        [1, 1],
      ],
      'v2 and v3 went again from sequence 0 under epoch 1',
    );
    assert.equal(transport.initProducerIdCalls, 1, 'the epoch was bumped locally, as Java does');
  });

  it('on UNKNOWN_PRODUCER_ID bumps the epoch and re-sends the batch from sequence 0', async () => {
    const { clock, transport, producer } = setup();
    transport.script = (req, i) =>
      i === 0
        ? {
            ...transport.success(req, { 't-0': UNKNOWN_PRODUCER_ID }),
            results: [
              {
                topic: 't',
                partition: 0,
                errorCode: UNKNOWN_PRODUCER_ID,
                baseOffset: -1,
                logAppendTimeMs: -1,
                logStartOffset: 0,
              },
            ],
          }
        : undefined;
    const m = await (async () => {
      const s = producer.send({ topic: 't', partition: 0, value: 'v' });
      await tick(clock, 100);
      return s;
    })();
    const [first, second] = transport.requests.map((r) => r.batches[0]);
    assert.equal(second.producerId, first.producerId);
    assert.deepEqual([first.bytes.readInt16BE(51), second.bytes.readInt16BE(51)], [0, 1]);
    assert.equal(second.baseSequence, 0);
    assert.equal(m.attempts, 2);
  });

  it('fails records fenced by INVALID_PRODUCER_EPOCH with a clear error, and gets a new producer id for the next batch', async () => {
    const { clock, transport, producer } = setup();
    transport.script = (req, i) => (i === 0 ? transport.success(req, { 't-0': 47 }) : undefined);
    const s = producer.send({ topic: 't', partition: 0, value: 'v' });
    await tick(clock, 100);
    assert.match((await rejection(s)).message, /Another producer with the same id has taken over/);
    const next = producer.send({ topic: 't', partition: 0, value: 'w' });
    await tick(clock, 100);
    await next;
    assert.equal(transport.initProducerIdCalls, 2);
    assert.deepEqual(transport.log.get('t-0'), ['w']);
  });

  describe('a batch that expired after an unanswered attempt (it may have been written)', () => {
    /** v0 and v1 in flight; v0's answer is lost after the delivery timeout; then v2 is sent. */
    async function expireFirst(brokerWroteIt: boolean) {
      const ctx = setup({ 'delivery.timeout.ms': 1000, 'request.timeout.ms': 500 });
      const { clock, transport, producer } = ctx;
      const sends = await sendHeld(clock, transport, producer, ['v0']);
      await tick(clock, 600);
      sends.push(...(await sendHeld(clock, transport, producer, ['v1'])));
      await tick(clock, 400); // past v0's delivery timeout, well within v1's
      const h0 = transport.held[0];
      if (brokerWroteIt) transport.success(h0.req);
      h0.reject(Object.assign(new Error('request timed out'), { retriable: true, kind: 'timeout' }));
      await tick(clock, 1);
      transport.script = undefined;
      const v2 = producer.send({ topic: 't', partition: 0, value: 'v2' });
      await tick(clock, 50);
      return { ...ctx, sends, v2 };
    }

    it('fails it saying it may have been written, and stamps nothing new on its partition until the batches in flight answer', async () => {
      const { clock, transport, sends, v2 } = await expireFirst(true);
      const e = await rejection(sends[0]);
      assert.equal(e.errorName, 'DELIVERY_TIMEOUT');
      assert.equal(e.maybeWritten, true);
      assert.equal(transport.requests.length, 2, 'v2 waits: the partition is unresolved while v1 is in flight');
      answer(transport, 1); // v1 written right after v0: so v0 was written
      await tick(clock, 100);
      await Promise.all([sends[1], v2]);
      assert.deepEqual(transport.log.get('t-0'), ['v0', 'v1', 'v2']);
      assert.equal(transport.requests[2].batches[0].baseSequence, 2, 'resolved: v2 follows on, same epoch');
    });

    it('when the broker never wrote it, the batch after it is refused and goes again under a bumped epoch', async () => {
      const { clock, transport, sends, v2 } = await expireFirst(false);
      await rejection(sends[0]);
      answer(transport, 1); // refused: sequence 0 is missing
      await tick(clock, 200);
      await Promise.all([sends[1], v2]);
      assert.deepEqual(transport.log.get('t-0'), ['v1', 'v2']);
      const retried = transport.requests
        .slice(2)
        .map((r) => [r.batches[0].bytes.readInt16BE(51), r.batches[0].baseSequence]);
      assert.deepEqual(retried, [
        [1, 0],
        [1, 1],
      ]);
    });
  });
});

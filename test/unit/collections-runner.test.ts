import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCollectionText, requireValid } from '../../extension/core/collections/parse';
import type { LoadedCollection } from '../../extension/core/collections/prepare';
import { runCollection, type RecordOutcome } from '../../extension/core/collections/runner';
import type { Collection } from '../../extension/core/collections/model';
import { DeliveryError } from '../../extension/core/engine/errors';
import type { DeliveryCallback, Producer, ProducerRecord, RecordMetadata } from '../../extension/core/engine/types';
import { FakeClock } from '../../extension/core/util/clock';

/** A producer that records what it was given and settles each record when the test says (or at once). */
class ScriptedProducer {
  readonly submitted: { record: ProducerRecord; at: number; settle: (ok: boolean) => void }[] = [];
  readonly settings: unknown;
  maxPending = 0;
  pending = 0;
  closed = false;
  flushed = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly autoAck: ((record: ProducerRecord, n: number) => boolean) | undefined,
    settings: unknown,
  ) {
    this.settings = settings;
  }

  submit(record: ProducerRecord): { recordId: string; result: Promise<RecordMetadata> } {
    const n = this.submitted.length;
    const recordId = `r${n}`;
    let settle!: (ok: boolean) => void;
    const result = new Promise<RecordMetadata>((resolve, reject) => {
      settle = (ok) => {
        this.pending--;
        if (ok) {
          const partition = record.partition ?? n % 2;
          resolve({
            recordId,
            batchId: 'b',
            topic: record.topic,
            partition,
            offset: 10 + n,
            timestamp: 0,
            timestampType: 'CreateTime',
            serializedKeySize: 0,
            serializedValueSize: 0,
            attempts: 1,
            partitionReason: { type: 'explicit', numPartitions: 2 },
          });
        } else
          reject(
            new DeliveryError('NOT_ENOUGH_REPLICAS after 3 attempts', {
              recordId,
              topic: record.topic,
              attempts: 3,
              errorName: 'NOT_ENOUGH_REPLICAS',
              errorCode: 19,
            }),
          );
      };
    });
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    this.submitted.push({ record, at: this.clock.now(), settle });
    if (this.autoAck) {
      const ok = this.autoAck(record, n);
      queueMicrotask(() => settle(ok));
    }
    return { recordId, result };
  }
  /** The engine's produce(record, callback): the runner's way in. */
  produce(record: ProducerRecord, callback?: DeliveryCallback): number {
    const { result } = this.submit(record);
    result.then(
      (md) => callback?.(null, md),
      (e: DeliveryError) => callback?.(e),
    );
    return this.submitted.length;
  }
  async flush(): Promise<void> {
    this.flushed++;
  }
  sentNow = 0;
  sendNow(): void {
    this.sentNow++;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  recordTrace() {
    return undefined;
  }
}

function loadedOf(collection: Collection): LoadedCollection {
  const text = JSON.stringify(collection);
  const doc = parseCollectionText(text, 'test.kafka.json');
  return { filePath: '/tmp/test.kafka.json', collection: requireValid(doc), source: doc.source };
}

const ticks = () => new Promise((r) => setImmediate(r));

describe('collections: runner', () => {
  it('sends every message in order, reusing one producer per distinct settings, and summarizes offsets and latency', async () => {
    const clock = new FakeClock(0);
    const producers: ScriptedProducer[] = [];
    const outcomes: RecordOutcome[] = [];
    const summary = await runCollection({
      loaded: loadedOf({
        name: 'C',
        producer: { 'linger.ms': 1 },
        messages: [
          { name: 'a', topic: 't', value: 'x', count: 4 },
          { name: 'b', topic: 't', value: 'y', partition: 1, producer: { acks: '1' } },
          { name: 'c', topic: 'u', value: 'z', count: 2 },
        ],
      }),
      clock,
      producerFor: (settings) => {
        const p = new ScriptedProducer(clock, () => true, settings);
        producers.push(p);
        return p as unknown as Producer;
      },
      listener: { record: (o) => outcomes.push(o) },
    });
    assert.equal(summary.ok, true);
    assert.deepEqual([summary.sent, summary.acked, summary.failed], [7, 7, 0]);
    assert.deepEqual(
      producers.map((p) => p.settings),
      [{ 'linger.ms': 1 }, { 'linger.ms': 1, acks: '1' }],
    );
    assert.ok(producers.every((p) => p.closed));
    const a = summary.messages[0];
    assert.deepEqual(a.partitions, [0, 1]);
    assert.deepEqual(a.offsets, [
      { partition: 0, first: 10, last: 12, count: 2 },
      { partition: 1, first: 11, last: 13, count: 2 },
    ]);
    assert.equal(a.latencyP50Ms, 0);
    assert.deepEqual(
      summary.messages.map((m) => m.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      outcomes
        .filter((o) => o.messageName === 'a')
        .map((o) => o.seq)
        .sort(),
      [0, 1, 2, 3],
    );
  });

  it('spaces records out to ratePerSecond on the injected clock', async () => {
    const clock = new FakeClock(0);
    let producer!: ScriptedProducer;
    const run = runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: [{ name: 'slow', topic: 't', value: 'x', count: 5, ratePerSecond: 10 }],
      }),
      clock,
      producerFor: (s) => (producer = new ScriptedProducer(clock, () => true, s)) as unknown as Producer,
    });
    for (let i = 0; i < 20; i++) {
      await ticks();
      clock.advance(50);
    }
    const summary = await run;
    assert.equal(summary.acked, 5);
    assert.deepEqual(
      producer.submitted.map((s) => s.at),
      [0, 100, 200, 300, 400],
    );
  });

  it('keeps at most maxInFlight records unsettled, so data files stream instead of piling up', async () => {
    const clock = new FakeClock(0);
    let producer!: ScriptedProducer;
    const run = runCollection({
      loaded: loadedOf({ name: 'C', messages: [{ name: 'm', topic: 't', value: 'x', count: 50 }] }),
      clock,
      maxInFlight: 8,
      producerFor: (s) => (producer = new ScriptedProducer(clock, undefined, s)) as unknown as Producer,
    });
    // Settle records by hand, oldest first, whenever the runner has handed some over.
    let settled = 0;
    while (settled < 50) {
      await ticks();
      while (settled < producer?.submitted.length) producer.submitted[settled++].settle(true);
    }
    const summary = await run;
    assert.equal(summary.acked, 50);
    assert.equal(producer.maxPending, 8);
    assert.ok(producer.sentNow > 0, 'each time the window filled, the producer was told to send what it holds now');
  });

  it('reports failures with their Kafka error and exits not-ok, sending the rest unless told to stop', async () => {
    const clock = new FakeClock(0);
    const failEvery3rd = (_r: ProducerRecord, n: number) => n % 3 !== 2;
    const all = await runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: [
          { name: 'm', topic: 't', value: 'x', count: 6 },
          { name: 'next', topic: 't', value: 'y' },
        ],
      }),
      clock,
      producerFor: (s) => new ScriptedProducer(clock, failEvery3rd, s) as unknown as Producer,
    });
    assert.equal(all.ok, false);
    assert.deepEqual([all.sent, all.acked, all.failed], [7, 5, 2]);
    assert.deepEqual(
      all.messages[0].errors,
      ['NOT_ENOUGH_REPLICAS after 3 attempts (2 records)'],
      'the same error once, with how many records it failed',
    );

    const bail = await runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: [
          { name: 'm', topic: 't', value: 'x', count: 6 },
          { name: 'next', topic: 't', value: 'y' },
        ],
      }),
      clock,
      maxInFlight: 1,
      stopOnFirstError: true,
      producerFor: (s) => new ScriptedProducer(clock, failEvery3rd, s) as unknown as Producer,
    });
    assert.deepEqual([bail.sent, bail.acked, bail.failed], [3, 2, 1]);
    assert.equal(bail.messages[0].stoppedBy, 'error');
    assert.deepEqual(bail.notRun, ['next']);
  });

  it('keeps no summaries when asked (keepSummaries: false), and still adds up the records, what was not run and whether all went through', async () => {
    const clock = new FakeClock(0);
    const collection: Collection = {
      name: 'C',
      messages: [
        { name: 'a', topic: 't', value: 'x', count: 3 },
        { name: 'b', topic: 't', value: 'y', count: 3 },
        { name: 'c', topic: 't', value: 'z' },
      ],
    };
    const run = async (autoAck: (r: ProducerRecord, n: number) => boolean, stopOnFirstError = false) => {
      const ended: string[] = [];
      const summary = await runCollection({
        loaded: loadedOf(collection),
        clock,
        keepSummaries: false,
        stopOnFirstError,
        listener: { messageEnd: (m) => ended.push(`${m.name}:${m.acked}/${m.sent}`) },
        producerFor: (s) => new ScriptedProducer(clock, autoAck, s) as unknown as Producer,
      });
      return { summary, ended };
    };

    const good = await run(() => true);
    assert.deepEqual(good.summary.messages, [], 'no summary kept');
    assert.deepEqual(good.ended, ['a:3/3', 'b:3/3', 'c:1/1'], 'every summary still reaches the listener, in order');
    assert.deepEqual([good.summary.sent, good.summary.acked, good.summary.failed], [7, 7, 0]);
    assert.equal(good.summary.ok, true);

    const fifthFails = await run((_r, n) => n !== 4);
    assert.deepEqual([fifthFails.summary.sent, fifthFails.summary.acked, fifthFails.summary.failed], [7, 6, 1]);
    assert.equal(fifthFails.summary.ok, false);

    const bail = await run((_r, n) => n !== 1, true);
    assert.deepEqual(bail.ended, ['a:2/3']);
    assert.deepEqual(bail.summary.notRun, ['b', 'c']);
    assert.equal(bail.summary.ok, false);
  });

  it('stops when cancelled, waits for records in flight, and says it was cancelled', async () => {
    const clock = new FakeClock(0);
    const abort = new AbortController();
    const summary = await runCollection({
      loaded: loadedOf({ name: 'C', messages: [{ name: 'm', topic: 't', value: 'x', count: 1000 }] }),
      clock,
      signal: abort.signal,
      maxInFlight: 1,
      producerFor: (s) =>
        new ScriptedProducer(clock, (_r, n) => (n === 9 && abort.abort(), true), s) as unknown as Producer,
    });
    assert.equal(summary.cancelled, true);
    assert.equal(summary.ok, false);
    assert.equal(summary.sent, 10);
    assert.equal(summary.acked, 10);
    assert.equal(summary.messages[0].stoppedBy, 'cancel');
  });

  it('refuses bad producer settings and bad templates before sending anything', async () => {
    const clock = new FakeClock(0);
    let created = 0;
    const producerFor = (s: unknown) => (created++, new ScriptedProducer(clock, () => true, s) as unknown as Producer);
    await assert.rejects(
      runCollection({
        loaded: loadedOf({
          name: 'C',
          messages: [
            { name: 'ok', topic: 't', value: 'x' },
            { name: 'bad', topic: 't', value: 'x', producer: { acks: '0', 'enable.idempotence': true } },
          ],
        }),
        clock,
        producerFor,
      }),
      /test\.kafka\.json: message "bad" producer settings: .*idempotence/i,
    );
    await assert.rejects(
      runCollection({
        loaded: loadedOf({
          name: 'C',
          messages: [
            { name: 'ok', topic: 't', value: 'x' },
            { name: 'bad', topic: 't', value: '{{missing}}' },
          ],
        }),
        clock,
        producerFor,
      }),
      /unknown variable \{\{missing\}\}/,
    );
    assert.equal(created, 0);
  });

  it('stops at a bad data-file line, keeps what was sent, and flags it as bad input', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-runner-'));
    try {
      await fs.writeFile(path.join(dir, 'd.jsonl'), '{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n');
      const clock = new FakeClock(0);
      const loaded = loadedOf({
        name: 'C',
        messages: [
          { name: 'data', topic: 't', value: { file: 'd.jsonl' } },
          { name: 'later', topic: 't', value: 'x' },
        ],
      });
      loaded.filePath = path.join(dir, 'c.kafka.json');
      const summary = await runCollection({
        loaded,
        clock,
        producerFor: (s) => new ScriptedProducer(clock, () => true, s) as unknown as Producer,
      });
      assert.equal(summary.ok, false);
      assert.equal(summary.messages[0].stoppedBy, 'data');
      assert.deepEqual([summary.messages[0].sent, summary.messages[0].acked], [2, 2]);
      assert.match(summary.inputError?.message ?? '', /^d\.jsonl:3: not valid JSON/);
      assert.deepEqual(summary.notRun, ['later']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  /** Lets the runner go on until `done` holds; fails, saying what never happened, if it stops short of it. */
  async function until(what: string, done: () => boolean, maxTicks = 1000): Promise<void> {
    for (let i = 0; i < maxTicks && !done(); i++) await ticks();
    assert.ok(done(), `never happened: ${what}`);
  }

  it('hands each message over without waiting for the ones before it to be acknowledged (a round trip per message: 100,000 one-record messages took 176 s), and still reports them in message order', async () => {
    const clock = new FakeClock(0);
    let producer!: ScriptedProducer;
    const ended: string[] = [];
    const run = runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: ['m0', 'm1', 'm2', 'm3', 'm4'].map((name) => ({ name, topic: 't', value: name })),
      }),
      clock,
      producerFor: (s) => (producer = new ScriptedProducer(clock, undefined, s)) as unknown as Producer,
      listener: { messageEnd: (m) => ended.push(m.name) },
    });
    await until('all five records handed over before any was acknowledged', () => producer?.submitted.length === 5);
    assert.deepEqual(
      producer.submitted.map((x) => x.record.value),
      ['m0', 'm1', 'm2', 'm3', 'm4'],
      'in message order',
    );
    // Acknowledged last to first (as other partitions can be): summaries and messageEnd stay in message order.
    for (const x of [...producer.submitted].reverse()) x.settle(true);
    const summary = await run;
    assert.deepEqual(ended, ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.deepEqual(
      summary.messages.map((m) => [m.name, m.acked, m.offsets[0].first]),
      [
        ['m0', 1, 10],
        ['m1', 1, 11],
        ['m2', 1, 12],
        ['m3', 1, 13],
        ['m4', 1, 14],
      ],
    );
  });

  it('reports 700 messages in message order when their acknowledgements come odd ones first, then even ones last to first', async () => {
    const clock = new FakeClock(0);
    let producer!: ScriptedProducer;
    const ended: number[] = [];
    const run = runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: Array.from({ length: 700 }, (_, i) => ({ name: `m${i}`, topic: 't', value: `v${i}` })),
      }),
      clock,
      producerFor: (s) => (producer = new ScriptedProducer(clock, undefined, s)) as unknown as Producer,
      listener: { messageEnd: (m) => ended.push(m.index) },
    });
    await until('all 700 records handed over', () => producer?.submitted.length === 700);
    const odd = producer.submitted.filter((_, i) => i % 2 === 1);
    const even = producer.submitted.filter((_, i) => i % 2 === 0).reverse();
    for (const x of odd) x.settle(true);
    for (let i = 0; i < 5; i++) await ticks();
    assert.deepEqual(ended, [], 'nothing reported before message 0 is done');
    for (const x of even.slice(0, 349)) x.settle(true);
    for (let i = 0; i < 5; i++) await ticks();
    assert.deepEqual(ended, [], 'still nothing: message 0 is acknowledged last');
    even[349].settle(true);
    const summary = await run;
    assert.deepEqual(
      ended,
      Array.from({ length: 700 }, (_, i) => i),
    );
    assert.deepEqual(
      summary.messages.map((m) => m.offsets[0].first),
      Array.from({ length: 700 }, (_, i) => 10 + i),
    );
  });

  it('keeps at most 1,000 messages open at once: one-record messages wait for earlier ones to be summarized', async () => {
    const clock = new FakeClock(0);
    let producer!: ScriptedProducer;
    let open = 0;
    let mostOpen = 0;
    const run = runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: Array.from({ length: 2500 }, (_, i) => ({ name: `m${i}`, topic: 't', value: `v${i}` })),
      }),
      clock,
      producerFor: (s) => (producer = new ScriptedProducer(clock, undefined, s)) as unknown as Producer,
      listener: {
        messageStart: () => (mostOpen = Math.max(mostOpen, ++open)),
        messageEnd: () => open--,
      },
    });
    await until('1,000 messages handed over', () => producer?.submitted.length === 1000, 50_000);
    for (let i = 0; i < 5; i++) await ticks();
    assert.equal(producer.submitted.length, 1000, 'no 1,001st message while 1,000 are open');
    assert.equal(producer.sentNow, 1, 'the producer was told to send what it holds now, as nothing more comes');
    // Acknowledging a quarter lets the run go on; acknowledging everything as it comes ends it.
    for (const x of producer.submitted.slice(0, 300)) x.settle(true);
    await until('more messages started', () => producer.submitted.length > 1000, 50_000);
    let settled = 300;
    while (settled < 2500) {
      await until('records to acknowledge', () => producer.submitted.length > settled, 50_000);
      for (const x of producer.submitted.slice(settled)) x.settle(true);
      settled = producer.submitted.length;
    }
    const summary = await run;
    assert.equal(summary.acked, 2500);
    assert.ok(mostOpen <= 1000, `at most 1,000 open, saw ${mostOpen}`);
  });

  it('starts a message on another producer, or any message when stopping at the first failure, only once the ones before it have settled (records of two producers can overtake each other)', async () => {
    const clock = new FakeClock(0);
    const producers: ScriptedProducer[] = [];
    const run = runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: [
          { name: 'a', topic: 't', value: 'a' },
          { name: 'b', topic: 't', value: 'b', producer: { acks: '1' } },
        ],
      }),
      clock,
      producerFor: (s) => (
        producers.push(new ScriptedProducer(clock, undefined, s)),
        producers.at(-1) as unknown as Producer
      ),
    });
    await until('message a handed over', () => producers[0]?.submitted.length === 1);
    for (let i = 0; i < 20; i++) await ticks();
    assert.equal(producers[1]?.submitted.length ?? 0, 0, 'b waits while a is in flight');
    producers[0].submitted[0].settle(true);
    await until('message b handed over once a settled', () => producers[1]?.submitted.length === 1);
    producers[1].submitted[0].settle(true);
    assert.equal((await run).acked, 2);

    let producer!: ScriptedProducer;
    const bail = runCollection({
      loaded: loadedOf({
        name: 'C',
        messages: [
          { name: 'bad', topic: 't', value: 'x' },
          { name: 'after', topic: 't', value: 'y' },
        ],
      }),
      clock,
      stopOnFirstError: true,
      producerFor: (s) => (producer = new ScriptedProducer(clock, undefined, s)) as unknown as Producer,
    });
    await until('message bad handed over', () => producer?.submitted.length === 1);
    for (let i = 0; i < 20; i++) await ticks();
    assert.equal(producer.submitted.length, 1, 'after waits for bad to settle');
    producer.submitted[0].settle(false);
    const summary = await bail;
    assert.equal(producer.submitted.length, 1, 'nothing is sent after the failed message');
    assert.deepEqual(summary.notRun, ['after']);
    assert.equal(summary.messages[0].stoppedBy, 'error');
  });
});

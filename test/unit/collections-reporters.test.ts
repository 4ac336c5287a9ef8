import assert from 'node:assert/strict';
import type { Collection } from '../../extension/core/collections/model';
import { RunProgress } from '../../extension/core/collections/progress';
import { createReporter, describeRun, plannedRecords } from '../../extension/core/collections/reporters';
import type { RecordMetadata } from '../../extension/core/engine/types';
import { FakeClock } from '../../extension/core/util/clock';
import type { MessageSummary, RunSummary } from '../../extension/core/collections/runner';

function message(name: string, sent: number, acked: number, extra: Partial<MessageSummary> = {}): MessageSummary {
  return {
    index: 0,
    name,
    topic: 'orders',
    sent,
    acked,
    failed: sent - acked,
    partitions: [0],
    offsets: [],
    durationMs: 5,
    errors: [],
    ...extra,
  };
}

function run(messages: MessageSummary[], extra: Partial<RunSummary> = {}): RunSummary {
  const sent = messages.reduce((n, m) => n + m.sent, 0);
  const acked = messages.reduce((n, m) => n + m.acked, 0);
  return {
    collection: 'Orders',
    filePath: '/ws/orders.kafka.json',
    messages,
    sent,
    acked,
    failed: sent - acked,
    durationMs: 1234,
    cancelled: false,
    ok: sent === acked,
    notRun: [],
    transactions: [],
    ...extra,
  };
}

const cancelledAt2500 = run([message('bulk', 2500, 2500, { stoppedBy: 'cancel' })], { cancelled: true, ok: false });

function prettyEnd(summary: RunSummary, planned: number | undefined): string {
  let out = '';
  const reporter = createReporter(
    'pretty',
    (t) => {
      out += t;
    },
    { plannedRecords: planned },
  );
  for (const m of summary.messages) reporter.messageEnd?.(m);
  reporter.end(summary);
  return out.trim().split('\n').at(-1)!;
}

describe('collections: run summaries', () => {
  it('knows how many records a run sends from the counts, and not when a data file decides', () => {
    const collection: Collection = {
      name: 'Orders',
      messages: [
        { name: 'bulk', topic: 'orders', value: 'x', count: 10_000 },
        { name: 'one', topic: 'orders', value: 'y' },
        { name: 'replay', topic: 'orders', value: { file: 'data/orders.jsonl' }, count: 50 },
        { name: 'looks like a file', topic: 'orders', value: { json: { file: 'not a data file' } } },
      ],
    };
    assert.equal(plannedRecords(collection, ['bulk', 'one']), 10_001, 'count, and 1 without one');
    assert.equal(
      plannedRecords(collection, ['looks like a file']),
      1,
      '{"json": ...} is sent as written, not read from a file',
    );
    assert.equal(
      plannedRecords(collection, ['replay']),
      undefined,
      'count only caps a data file, which may be shorter',
    );
    assert.equal(plannedRecords(collection), undefined, 'all messages, one of them a data file');
  });

  it('says how many records a cancel left unsent when the total is known', () => {
    assert.equal(
      describeRun(cancelledAt2500, 10_000),
      '2,500 of 2,500 records acknowledged; cancelled, 7,500 of 10,000 not sent',
    );
    assert.equal(
      describeRun(cancelledAt2500, 2500),
      '2,500 of 2,500 records acknowledged; cancelled after every record was sent',
    );
  });

  it('does not guess what a data file had left', () => {
    const line = describeRun(cancelledAt2500, undefined);
    assert.equal(
      line,
      '2,500 of 2,500 records acknowledged; cancelled before the end; how many were not sent is not known (a data file is read as it is sent)',
    );
    assert.doesNotMatch(line, /of [\d,]+ not sent/);
  });

  it('keeps the other parts of the line: failures, messages not run, one record', () => {
    const failed = run([message('a', 3, 2, { errors: ['NOT_ENOUGH_REPLICAS after 3 attempts'] })], {
      ok: false,
      notRun: ['b'],
    });
    assert.equal(
      describeRun(failed, 3),
      '2 of 3 records acknowledged; 1 failed (NOT_ENOUGH_REPLICAS after 3 attempts); not run: b',
    );
    assert.equal(describeRun(run([message('a', 1, 1)]), 1), '1 of 1 record acknowledged');
  });

  it("ends the CLI's pretty report with the same cancel wording as VS Code", () => {
    assert.equal(
      prettyEnd(cancelledAt2500, 10_000),
      'Orders: 1 message, 2,500 records sent, 2,500 acked, 0 failed in 1234 ms: cancelled, 7,500 of 10,000 not sent',
    );
    assert.ok(describeRun(cancelledAt2500, 10_000).endsWith('cancelled, 7,500 of 10,000 not sent'));
    assert.match(
      prettyEnd(cancelledAt2500, undefined),
      /: cancelled before the end; how many were not sent is not known \(a data file is read as it is sent\)$/,
    );
    assert.match(
      prettyEnd(run([message('a', 11, 11)]), 11),
      /, 11 records sent, 11 acked, 0 failed in 1234 ms: all acknowledged$/,
    );
    assert.match(
      prettyEnd(run([message('a', 1, 1)]), 1),
      /: 1 message, 1 record sent, 1 acked, 0 failed in 1234 ms: all acknowledged$/,
    );
  });

  it('junit keeps characters beyond U+FFFF (emoji) and escapes markup, dropping only what XML cannot carry', () => {
    let out = '';
    const reporter = createReporter('junit', (t) => {
      out += t;
    });
    const failed = message('order 🎉 <ü>', 1, 0, { errors: ['bad "thing" & \u0001more'] });
    reporter.messageEnd?.(failed);
    reporter.end(run([failed], { collection: 'Coll 😀', ok: false }));
    assert.ok(out.includes('name="Coll 😀"'), out);
    assert.ok(out.includes('order 🎉 &lt;ü&gt;'), out);
    assert.ok(out.includes('bad &quot;thing&quot; &amp; more'), out);
    assert.ok(
      !/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/.test(out.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
      'no lone surrogate halves',
    );
  });

  it('does not call acks=0 records acknowledged: they were handed to the broker, with no offsets', () => {
    const fire = message('fire', 3, 3, { acksZero: true, offsets: [{ partition: 1, first: -1, last: -1, count: 3 }] });
    let out = '';
    const reporter = createReporter('pretty', (t) => {
      out += t;
    });
    reporter.messageEnd?.(fire);
    reporter.end(run([fire]));
    assert.match(out, /sent 3, handed over 3 \(acks=0: not acknowledged\), failed 0/);
    assert.match(out, /offsets unknown \(acks=0\)/);
    assert.match(out, /: all handed over \(acks=0 records are not acknowledged\)\n$/);
    assert.equal(describeRun(run([fire]), 3), '3 of 3 records handed to the broker (acks=0: not acknowledged)');
  });

  it('names every distinct error of a run with its message, and says when it stopped at the first failure', () => {
    const partition = message('bad partition', 5, 0, { errors: ['Partition 99 does not exist (5 records)'] });
    const large = message('too large', 4, 0, { errors: ['Record too large (4 records)'], stoppedBy: 'error' });
    const line = describeRun(run([partition, large], { ok: false }), 20);
    assert.match(
      line,
      /9 failed \("bad partition": Partition 99 does not exist \(5 records\); "too large": Record too large \(4 records\)\)/,
    );
    assert.match(line, /stopped at the first failure, 11 of 20 not sent/);
  });
});

describe("collections: a run's progress in words (VS Code's collection and composer sends)", () => {
  it('counts acknowledged, failed and remaining records and the rate so far', () => {
    const clock = new FakeClock();
    const progress = new RunProgress(5000, clock);
    for (let i = 0; i < 1230; i++) progress.record({ metadata: {} as RecordMetadata });
    for (let i = 0; i < 4; i++) progress.record({});
    clock.advance(2000);
    assert.equal(
      progress.describe(),
      '1,234 of 5,000 records: 1,230 acknowledged, 4 failed, 3,766 remaining, 617 records/s',
    );
    assert.deepEqual(progress.view(), { settled: 1234, acked: 1230, failed: 4, remaining: 3766, perSecond: 617 });
  });

  it('leaves out "of N" and "remaining" when a data file decides how many records there are', () => {
    const clock = new FakeClock();
    const progress = new RunProgress(undefined, clock);
    progress.record({ metadata: {} as RecordMetadata });
    clock.advance(1000);
    assert.equal(progress.describe(), '1 record: 1 acknowledged, 0 failed, 1 records/s');
  });
});

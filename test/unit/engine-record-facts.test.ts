/** A batch's record facts, stored column by column: whatever pattern the records follow, each reads back as written. */
import { strict as assert } from 'node:assert';
import { FactsPool, RecordFacts } from '../../extension/core/engine/record-facts';
import { Blocked, RecordInput } from '../../extension/core/engine/record-input';

const CREATED = 1_700_000_000_000;

/** Record `i` of a batch: fields that stay the same up to `changeAt` (if given) and differ from there on. */
function recordAt(i: number, changeAt: number | undefined, seqGap = 0): RecordInput {
  const r = new RecordInput();
  const differs = changeAt !== undefined && i >= changeAt;
  r.seq = 500 + i + (differs ? seqGap + i : 0);
  r.composedAt = CREATED + Math.floor(i / 7);
  r.timestamp = differs && i % 5 === 0 ? CREATED - 1000 - i : r.composedAt;
  r.keySize = differs ? i % 13 : 4;
  r.valueSize = differs ? 100 + (i % 17) : 100;
  r.hash = differs ? i * 7919 - 40_000 : 0;
  r.reasonCode = differs ? 2 : 1;
  r.blocked = differs && i % 3 === 0 ? Blocked.Memory : Blocked.None;
  r.blockedAt = r.blocked ? r.composedAt - 3 : 0;
  r.headerCount = differs ? i % 4 : 0;
  r.aux = differs ? i % 3 : -1;
  return r;
}

function check(facts: RecordFacts, records: RecordInput[], placed: (i: number) => number): void {
  records.forEach((r, i) => {
    const at = `record ${i}`;
    assert.equal(facts.seq(i), r.seq, `${at} seq`);
    assert.equal(facts.sentAt(i), r.composedAt, `${at} sent`);
    assert.equal(facts.keySize(i), r.keySize, `${at} key size`);
    assert.equal(facts.valueSize(i), r.valueSize, `${at} value size`);
    assert.equal(facts.hash(i), r.hash, `${at} hash`);
    assert.equal(facts.reasonCode(i), r.reasonCode, `${at} reason`);
    assert.equal(facts.blocked(i), r.blocked, `${at} blocked`);
    assert.equal(facts.headerCount(i), r.headerCount, `${at} headers`);
    assert.equal(facts.aux(i), r.aux, `${at} aux`);
    assert.equal(facts.timestamp(i), r.timestamp, `${at} timestamp`);
    assert.equal(facts.placedAt(i), placed(i), `${at} placed`);
    if (r.blocked) assert.equal(facts.blockedAt(i), r.blockedAt, `${at} blocked at`);
  });
}

describe('record facts', () => {
  for (const [name, changeAt, capacity] of [
    ['records all alike (every field one number)', undefined, 64],
    ['fields that first differ mid-batch', 37, 64],
    ['fields that differ from the second record', 1, 64],
    ['more records than the first estimate (the columns grow)', 20, 8],
    ['a batch that grows before any field differs', 300, 16],
  ] as const) {
    it(`reads back every fact as written: ${name}`, () => {
      const pool = new FactsPool(1 << 20);
      const facts = new RecordFacts(pool, capacity, CREATED, 500);
      const records = Array.from({ length: 400 }, (_, i) => recordAt(i, changeAt, 11));
      const placed = (i: number) => (i % 9 === 4 ? records[i].composedAt + 2 : records[i].composedAt);
      records.forEach((r, i) => facts.write(i, r, placed(i)));
      check(facts, records, placed);
    });
  }

  it('reuses columns from the pool without their old contents showing through', () => {
    const pool = new FactsPool(1 << 20);
    const first = new RecordFacts(pool, 32, CREATED, 500);
    const noisy = Array.from({ length: 32 }, (_, i) => recordAt(i, 0, 3));
    noisy.forEach((r, i) => first.write(i, r, r.composedAt));
    first.recycle();
    assert.equal(first.recycled, true);
    const second = new RecordFacts(pool, 32, CREATED, 500);
    const records = Array.from({ length: 32 }, (_, i) => recordAt(i, 10));
    records.forEach((r, i) => second.write(i, r, r.composedAt));
    check(second, records, (i) => records[i].composedAt);
  });
});

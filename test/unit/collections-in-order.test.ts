import assert from 'node:assert/strict';
import { InOrder } from '../../extension/core/collections/in-order';

describe('collections: results handed on in reservation order', () => {
  it('hands on in slot order while its ring grows with results done out of order', async () => {
    const handed: number[] = [];
    const order = new InOrder<{ n: number }>((v) => handed.push(v.n));
    const first = Array.from({ length: 10 }, () => order.reserve());
    for (const slot of first.slice(1)) order.done(slot, { n: slot });
    // 200 more reserved while 9 wait for slot 0: the ring (64 to start) grows twice and must keep those 9.
    const more = Array.from({ length: 200 }, () => order.reserve());
    assert.deepEqual(handed, []);
    order.done(first[0], { n: first[0] });
    assert.deepEqual(
      handed,
      Array.from({ length: 10 }, (_, i) => i),
    );
    for (const slot of [...more].reverse()) order.done(slot, { n: slot });
    await order.allDone();
    assert.deepEqual(
      handed,
      Array.from({ length: 210 }, (_, i) => i),
    );
    assert.equal(order.open, 0);
  });

  it('wakes the waiter once fewer than asked are open', async () => {
    const order = new InOrder<{ n: number }>(() => undefined);
    const slots = Array.from({ length: 4 }, () => order.reserve());
    let woken = false;
    const waiting = order.fewerOpenThan(3).then(() => (woken = true));
    order.done(slots[1], { n: 1 });
    await Promise.resolve();
    assert.equal(woken, false, 'slot 1 is done but not handed on: 4 still open');
    order.done(slots[0], { n: 0 });
    await waiting;
    assert.equal(order.open, 2);
  });

  it('stops handing on after a listener throws, and allDone rejects with its error', async () => {
    const handed: number[] = [];
    const order = new InOrder<{ n: number }>((v) => {
      if (v.n === 1) throw new Error('listener broke');
      handed.push(v.n);
    });
    const slots = Array.from({ length: 3 }, () => order.reserve());
    for (const slot of slots) order.done(slot, { n: slot });
    assert.deepEqual(handed, [0]);
    await assert.rejects(order.allDone(), /listener broke/);
  });
});

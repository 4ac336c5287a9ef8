import { strict as assert } from 'node:assert';
import { FakeClock } from '../../extension/core/util/clock';

describe('FakeClock', () => {
  it('fires due timers in time order while advancing, and not before', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.advance(9);
    assert.deepEqual(fired, []);
    clock.advance(11);
    assert.deepEqual(fired, ['a@10', 'b@20']);
    assert.equal(clock.now(), 20);
  });

  it('cancels a timer', () => {
    const clock = new FakeClock(0);
    let fired = false;
    const cancel = clock.setTimeout(() => (fired = true), 5);
    cancel();
    clock.advance(10);
    assert.equal(fired, false);
  });

  it('throws, saying so, when timers keep rescheduling each other within one advance (it spun forever: one engine bug hung the suite for 200 s)', () => {
    const clock = new FakeClock(0, 1000);
    let runs = 0;
    const step = () => {
      runs++;
      clock.setTimeout(step, 0); // a step that always asks to run again at once
    };
    clock.setTimeout(step, 0);
    assert.throws(
      () => clock.advance(5),
      /FakeClock\.advance\(5\) fired 1000 timers and still has one due at 0 ms from now \(of 5 left\): timers keep scheduling each other without time passing/,
    );
    assert.equal(runs, 1000);
    // Many timers that do move time on are fine, up to the bound per advance.
    const ticking = new FakeClock(0, 1000);
    let ticks = 0;
    const tick = () => {
      ticks++;
      ticking.setTimeout(tick, 1);
    };
    ticking.setTimeout(tick, 1);
    ticking.advance(999);
    assert.equal(ticks, 999);
  });
});

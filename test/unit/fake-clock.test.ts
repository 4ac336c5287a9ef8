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
});

import assert from 'node:assert/strict';
import { RateLimiter } from '../../extension/core/collections/rate-limiter';
import { FakeClock } from '../../extension/core/util/clock';

describe('collections: rate limiter', () => {
  it('waits longer than a timer can (2^31 ms) for a very low rate instead of letting the records through at once', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(1e-7, clock); // one record every 10^10 ms (about 116 days)
    await limiter.acquire(); // the first goes at once
    let second = false;
    void limiter.acquire().then(() => (second = true));
    for (const step of [2 ** 31, 2 ** 31, 2 ** 31, 2 ** 31]) {
      clock.advance(step);
      await new Promise((r) => setImmediate(r));
      assert.equal(second, false, `still waiting at ${clock.now()} ms`);
    }
    clock.advance(10_000_000_000 - clock.now());
    for (let i = 0; i < 5 && !second; i++) await new Promise((r) => setImmediate(r));
    assert.equal(second, true, 'released at 10^10 ms');
  });
});

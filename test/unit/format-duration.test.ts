import * as assert from 'node:assert/strict';
import { formatDuration, formatSeconds } from '../../extension/core/format/duration';

// The trace text, the waterfall, the charts and the HTML report all write durations with these: the formats pinned.
describe('format: durations (trace text, waterfall, charts)', () => {
  it('writes milliseconds to a tenth, without a trailing ".0" and never "-0"', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(-0.04), '0 ms');
    assert.equal(formatDuration(0.44), '0.4 ms');
    assert.equal(formatDuration(3.25), '3.3 ms');
    assert.equal(formatDuration(110), '110 ms');
    assert.equal(formatDuration(812.449), '812.4 ms');
  });

  it('writes thousands of milliseconds without a separator below 10 s (a chart axis has room for "3000 ms")', () => {
    assert.equal(formatDuration(1000), '1000 ms');
    assert.equal(formatDuration(1234.56), '1234.6 ms');
    assert.equal(formatDuration(9999.9), '9999.9 ms');
  });

  it('switches to seconds from 10 s on, as for a delivery timeout', () => {
    assert.equal(formatDuration(10_000), '10 s');
    assert.equal(formatDuration(12_345), '12.3 s');
    assert.equal(formatDuration(120_000), '120 s');
    assert.equal(formatDuration(3_600_000), '3600 s');
  });

  it("writes a chart's time axis in seconds to a tenth", () => {
    assert.equal(formatSeconds(0), '0 s');
    assert.equal(formatSeconds(500), '0.5 s');
    assert.equal(formatSeconds(1549), '1.5 s');
    assert.equal(formatSeconds(61_000), '61 s');
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatLatency } from '../../extension/core/format/duration';

describe("webview: formatLatency (the results table's latency column)", () => {
  it('keeps milliseconds below a second', () => {
    assert.equal(formatLatency(null), '');
    assert.equal(formatLatency(0), '0.0 ms');
    assert.equal(formatLatency(4.24), '4.2 ms');
    assert.equal(formatLatency(9.96), '10 ms', 'not "10.0 ms"');
    assert.equal(formatLatency(812.4), '812 ms');
    assert.equal(formatLatency(999.4), '999 ms');
  });

  it('shows seconds from 1000 ms on, as for a record that failed after the delivery timeout', () => {
    assert.equal(formatLatency(999.6), '1.0 s', 'not "1000 ms"');
    assert.equal(formatLatency(1000), '1.0 s');
    assert.equal(formatLatency(1549), '1.5 s');
    assert.equal(formatLatency(117_542), '117.5 s');
    assert.equal(formatLatency(999_960), '1000 s', 'not "1000.0 s"');
    assert.equal(formatLatency(3_600_000), '3600 s');
  });

  it('never writes more than 7 characters below a day, so the column never cuts a value short', () => {
    for (let ms = 0; ms < 86_400_000; ms = ms * 1.37 + 0.37) {
      assert.ok(formatLatency(ms).length <= 7, `${ms} → "${formatLatency(ms)}"`);
    }
  });

  it("gives the latency column room for 7 characters in the composer's stylesheet", () => {
    const css = fs.readFileSync(path.join(__dirname, '../../media/composer.css'), 'utf8');
    const columns = [...css.matchAll(/\.result-head,\s*\.result-row \{[^}]*grid-template-columns: ([^;]+);/g)].map(
      (m) => m[1],
    );
    const last = columns[columns.length - 1]?.split(/\s+(?![^(]*\))/);
    // status, topic, key, partition, offset, time, latency, attempts
    assert.equal(last?.length, 8, `eight columns: ${columns.join(' | ')}`);
    const latency = /^(\d+)ch$/.exec(last[6]);
    assert.ok(latency && Number(latency[1]) >= 8, `latency column ${last[6]} holds "117.5 s"`);
  });
});

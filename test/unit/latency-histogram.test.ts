import { strict as assert } from 'node:assert';
import { Latencies, LatencyHistogram } from '../../extension/core/util/latency-histogram';

/** Nearest-rank percentile of the exact values, for comparison. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

describe('latency histogram', () => {
  it('gives exact percentiles below 1,024 ms', () => {
    const h = new LatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7) % 1000);
    for (const v of values) h.record(v);
    for (const p of [1, 50, 90, 99, 100]) assert.equal(h.percentile(p), exact(values, p), `p${p}`);
  });

  it('stays within 0.2% of the exact percentile for large latencies, counted in runs', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = 1000 + ((i * 7919) % 3_000_000);
      values.push(v, v, v);
      h.record(v, 3);
    }
    assert.equal(h.count, 15_000);
    for (const p of [50, 90, 99, 99.9]) {
      const want = exact(values, p);
      const got = h.percentile(p)!;
      assert.ok(got >= want && got <= want * 1.002 + 1, `p${p}: ${got} vs ${want}`);
    }
  });

  it('says nothing before anything is recorded, and clamps out-of-range values', () => {
    const h = new LatencyHistogram();
    assert.equal(h.percentile(50), undefined);
    h.record(-5);
    h.record(10 * 3_600_000);
    assert.equal(h.percentile(1), 0);
    assert.ok(h.percentile(100)! >= 3_600_000);
  });
});

describe("Latencies (a run's latencies: exact while few, a histogram once many)", () => {
  it('computes exact nearest-rank percentiles while there are few', () => {
    const l = new Latencies();
    assert.equal(l.percentile(50), undefined);
    for (let i = 100; i >= 1; i--) l.record(i + 0.25);
    assert.equal(l.percentile(50), 50.25);
    assert.equal(l.percentile(99), 99.25);
    const one = new Latencies();
    one.record(7);
    assert.equal(one.percentile(99), 7);
  });

  it('keeps the percentiles of many in a histogram, the values recorded before included', () => {
    const l = new Latencies();
    for (let i = 0; i < 100_000; i++) l.record(i % 1000); // 0..999, evenly
    assert.equal(l.percentile(50), 499);
    assert.equal(l.percentile(99), 989);
    assert.equal(l.percentile(100), 999);
  });
});

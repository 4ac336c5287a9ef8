import { strict as assert } from 'node:assert';
import { murmur2, partitionForKey, toPositive } from '../../extension/core/engine';
import { JAVA_MURMUR2_VECTORS as JAVA_VECTORS } from '../fixtures/java-murmur2-vectors';

// Partitions out of 1000 that the Java client's default partitioner picks (kafka-python's
// test_murmur2_java_compatibility data), covering the empty key and every tail length.
const JAVA_PARTITIONS_OF_1000: [Buffer, number][] = [
  [Buffer.from(''), 681],
  [Buffer.from('a'), 524],
  [Buffer.from('ab'), 434],
  [Buffer.from('abc'), 107],
  [Buffer.from('123456789'), 566],
  [Buffer.from([0x00, 0x20]), 742],
];

describe('murmur2 (Java Utils.murmur2)', () => {
  it('matches the hashes the Java client computes for the reference keys', () => {
    for (const [key, expected] of Object.entries(JAVA_VECTORS)) {
      assert.equal(murmur2(Buffer.from(key)), expected, `key ${key}`);
    }
  });

  it('places the reference keys on the partitions the Java client picks, for several partition counts', () => {
    for (const n of [1, 3, 6, 7, 12, 100]) {
      for (const [key, hash] of Object.entries(JAVA_VECTORS)) {
        // Java: toPositive(murmur2(bytes)) % numPartitions, toPositive = n & 0x7fffffff
        assert.equal(partitionForKey(Buffer.from(key), n), (hash & 0x7fffffff) % n, `key ${key}, ${n} partitions`);
      }
    }
    for (const [key, partition] of JAVA_PARTITIONS_OF_1000)
      assert.equal(partitionForKey(key, 1000), partition, `key ${key.toString('hex')}`);
    // Spelled out for 3 partitions, so a change in the rule shows here too.
    assert.deepEqual(
      ['0', '1', '128', '2187'].map((k) => partitionForKey(Buffer.from(k), 3)),
      [2, 0, 2, 2],
    );
  });

  it('toPositive clears the sign bit rather than negating (so MIN_VALUE maps to 0, not to itself)', () => {
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(-1), 2147483647);
    assert.equal(toPositive(-1993445489), 154038159);
  });

  it('hashes the tail bytes of keys whose length is not a multiple of 4, and the empty key', () => {
    // lengths 1..3 beyond a multiple of 4 each take a different branch; all must differ and be stable
    const hashes = ['a', 'ab', 'abc', 'abcd', 'abcde'].map((k) => murmur2(Buffer.from(k)));
    assert.equal(new Set(hashes).size, 5);
    assert.equal(murmur2(Buffer.alloc(0)), murmur2(new Uint8Array(0)));
    assert.ok(Number.isInteger(murmur2(Buffer.alloc(0))), 'Number.isInteger(murmur2(Buffer.alloc(0)))');
  });
});

import assert from 'node:assert/strict';
import { decodeProduceResponse, encodeProduceBody, encodeRequestHeader } from '../../extension/core/transport/produce-codec';

/** Builds a Produce response body (after the correlation id) the way a broker writes it. */
function produceResponse(version: number, topics: { name: string; partitions: { p: number; err: number; base: bigint; msg?: string | null }[] }[], throttle = 0): Buffer {
  const parts: Buffer[] = [];
  const i16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); parts.push(b); };
  const i32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); parts.push(b); };
  const i64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); parts.push(b); };
  const str = (s: string | null) => { if (s === null) return i16(-1); const b = Buffer.from(s); i16(b.length); parts.push(b); };
  i32(topics.length);
  for (const t of topics) {
    str(t.name);
    i32(t.partitions.length);
    for (const p of t.partitions) {
      i32(p.p); i16(p.err); i64(p.base); i64(1_700_000_000_123n);
      if (version >= 5) i64(7n);
      if (version >= 8) { i32(1); i32(0); str('bad record'); str(p.msg ?? null); }
    }
  }
  i32(throttle);
  return Buffer.concat(parts);
}

describe('transport produce codec', () => {
  it('writes each record batch into the request unchanged, grouped by topic, after its partition and size', () => {
    const a = Buffer.from('batch-for-t0');
    const b = Buffer.from('batch-for-u1');
    const c = Buffer.from('batch-for-t2!');
    const body = encodeProduceBody({
      acks: -1,
      timeoutMs: 30_000,
      partitions: [
        { topic: 't', partition: 0, records: a },
        { topic: 'u', partition: 1, records: b },
        { topic: 't', partition: 2, records: c },
      ],
    });
    // The batches are the very same Buffers (no copy).
    assert.ok(body.chunks.includes(a) && body.chunks.includes(b) && body.chunks.includes(c));
    const wire = Buffer.concat(body.chunks);
    assert.equal(wire.length, body.length);
    let o = 0;
    assert.equal(wire.readInt16BE(o), -1); o += 2; // no transactional id
    assert.equal(wire.readInt16BE(o), -1); o += 2; // acks
    assert.equal(wire.readInt32BE(o), 30_000); o += 4;
    assert.equal(wire.readInt32BE(o), 2); o += 4; // two topics
    const seen: string[] = [];
    for (let t = 0; t < 2; t++) {
      const len = wire.readInt16BE(o); o += 2;
      const name = wire.toString('utf8', o, o + len); o += len;
      const count = wire.readInt32BE(o); o += 4;
      for (let i = 0; i < count; i++) {
        const partition = wire.readInt32BE(o); o += 4;
        const size = wire.readInt32BE(o); o += 4;
        seen.push(`${name}/${partition}=${wire.toString('utf8', o, o + size)}`);
        o += size;
      }
    }
    assert.equal(o, wire.length);
    assert.deepEqual(seen, ['t/0=batch-for-t0', 't/2=batch-for-t2!', 'u/1=batch-for-u1']);
  });

  it('frames the header with the total size, api key, version, correlation id and client id', () => {
    const header = encodeRequestHeader(0, 7, 42, 'wb', 100);
    assert.equal(header.readInt32BE(0), header.length - 4 + 100);
    assert.equal(header.readInt16BE(4), 0);
    assert.equal(header.readInt16BE(6), 7);
    assert.equal(header.readInt32BE(8), 42);
    assert.equal(header.readInt16BE(12), 2);
    assert.equal(header.toString('utf8', 14), 'wb');
  });

  it('reads every partition of a v7 response with its own error code and offsets', () => {
    const payload = produceResponse(7, [
      { name: 't', partitions: [{ p: 0, err: 0, base: 100n }, { p: 1, err: 6, base: -1n }] },
      { name: 'u', partitions: [{ p: 3, err: 0, base: 5n }] },
    ], 12);
    const decoded = decodeProduceResponse(payload, 7);
    assert.equal(decoded.throttleTimeMs, 12);
    assert.deepEqual(
      decoded.results.map((r) => [r.topic, r.partition, r.errorCode, r.baseOffset, r.logAppendTimeMs, r.logStartOffset]),
      [
        ['t', 0, 0, 100, 1_700_000_000_123, 7],
        ['t', 1, 6, -1, 1_700_000_000_123, 7],
        ['u', 3, 0, 5, 1_700_000_000_123, 7],
      ],
    );
  });

  it('reads the v8 error message and skips the per-record errors', () => {
    const payload = produceResponse(8, [{ name: 't', partitions: [{ p: 0, err: 87, base: -1n, msg: 'record 0 is invalid' }] }]);
    const [r] = decodeProduceResponse(payload, 8).results;
    assert.equal(r.errorCode, 87);
    assert.equal(r.errorMessage, 'record 0 is invalid');
  });

  it('leaves log start offset unknown for v3 and v4 responses', () => {
    const [r] = decodeProduceResponse(produceResponse(3, [{ name: 't', partitions: [{ p: 2, err: 0, base: 9n }] }]), 3).results;
    assert.equal(r.logStartOffset, -1);
    assert.equal(r.baseOffset, 9);
  });

  it('refuses a truncated response with an error saying so', () => {
    const payload = produceResponse(7, [{ name: 't', partitions: [{ p: 0, err: 0, base: 1n }] }]);
    assert.throws(() => decodeProduceResponse(payload.subarray(0, payload.length - 10), 7), /truncated/);
  });
});

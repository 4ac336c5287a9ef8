/** The topic viewer's record window: bounded, formatted, filtered, exported as JSONL; and its message validation. */
import { strict as assert } from 'node:assert';
import type { ConsumedRecord } from '../../extension/core/consume/fetched-records';
import { RecordWindow, formatBytes, takeOldestFirst, toJsonl } from '../../extension/host/topic-viewer/record-window';
import { parseViewerMessage } from '../../extension/protocol/validate';

function record(
  offset: number,
  key: string | Buffer | null,
  value: string | Buffer | null,
  headers: [string, string | Buffer][] = [],
): ConsumedRecord {
  const bytes = (v: string | Buffer | null) => (v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v));
  return {
    topic: 't',
    partition: 0,
    offset,
    timestamp: 1_700_000_000_000 + offset,
    timestampType: 'CreateTime',
    key: bytes(key),
    value: bytes(value),
    headers: headers.map(([k, v]) => ({ key: Buffer.from(k), value: bytes(v) })),
    sizeBytes: 0,
    sequence: -1,
    batch: {
      baseOffset: offset,
      lastOffset: offset,
      sizeBytes: 0,
      recordCount: 1,
      compression: 'none',
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      isTransactional: false,
      partitionLeaderEpoch: 0,
    },
  };
}

describe('topic viewer record window', () => {
  it('keeps only the latest `limit` records and counts the ones dropped', () => {
    const w = new RecordWindow(3);
    w.add([0, 1].map((o) => record(o, 'k', 'v')));
    w.add([2, 3, 4].map((o) => record(o, 'k', 'v')));
    assert.equal(w.size, 3);
    assert.equal(w.dropped, 2);
    assert.deepEqual(
      w.matching('', 'text', 'text').map((m) => m.row.offset),
      [2, 3, 4],
    );
  });

  it('shows a Schema Registry part by its decoding, filters on it, and falls back to JSON text without one', () => {
    const w = new RecordWindow();
    const avro = record(0, 'k', Buffer.from([0, 0, 0, 0, 1, 2, 3]));
    const plain = record(1, 'k', '{"id":"x"}');
    w.add([avro, plain]);
    w.setDecoded(avro, { value: '{\n  "id": "o-9"\n}' });
    assert.deepEqual(
      w.matching('', 'text', 'schema').map((m) => m.row.value),
      ['{\n  "id": "o-9"\n}', '{\n  "id": "x"\n}'],
    );
    assert.deepEqual(
      w.matching('o-9', 'text', 'schema').map((m) => m.row.offset),
      [0],
    );
    // Shown as text, the same record is its bytes again.
    assert.equal(w.matching('', 'text', 'hex')[0]!.row.value, '00 00 00 00 01 02 03');
    assert.equal(parseViewerMessage({ type: 'format', keyFormat: 'text', valueFormat: 'schema' }).ok, true);
  });

  it('formats bytes as text, pretty JSON, hex and base64; bytes that are not UTF-8 are marked base64 in text', () => {
    assert.equal(formatBytes(Buffer.from('{"a":1}'), 'json'), '{\n  "a": 1\n}');
    assert.equal(formatBytes(Buffer.from('not json'), 'json'), 'not json');
    assert.equal(formatBytes(Buffer.from([0xde, 0xad, 0x01]), 'hex'), 'de ad 01');
    assert.equal(formatBytes(Buffer.from([0xff, 0xfe]), 'text'), 'base64://4=');
    assert.equal(formatBytes(Buffer.from('hi'), 'base64'), 'aGk=');
    assert.equal(formatBytes(null, 'text'), null);
  });

  it('filters over key, value and headers as shown, ignoring case', () => {
    const w = new RecordWindow();
    w.add([
      record(0, 'Alpha', 'x'),
      record(1, 'b', 'has BETA'),
      record(2, 'c', 'y', [['trace', 'gamma-1']]),
      record(3, null, null),
    ]);
    const offsets = (filter: string) => w.matching(filter, 'text', 'text').map((m) => m.row.offset);
    assert.deepEqual(offsets('alpha'), [0]);
    assert.deepEqual(offsets('beta'), [1]);
    assert.deepEqual(offsets('GAMMA'), [2]);
    assert.deepEqual(offsets('trace'), [2]);
    assert.deepEqual(offsets(''), [0, 1, 2, 3]);
    // In hex, the filter matches the hex shown.
    assert.deepEqual(
      w.matching('41 6c', 'hex', 'text').map((m) => m.row.offset),
      [0],
    );
  });

  it('takes a page oldest first across partitions, keeping each partition in offset order', () => {
    const at = (partition: number, offset: number, timestamp: number) => ({
      ...record(offset, 'k', 'v'),
      partition,
      timestamp,
    });
    // As a fetch returns them: partition 0's records, then partition 1's.
    const pending = [at(0, 0, 10), at(0, 1, 30), at(0, 2, 50), at(1, 0, 20), at(1, 1, 40)];
    const { taken, rest } = takeOldestFirst(pending, 3);
    assert.deepEqual(
      taken.map((r) => [r.partition, r.offset]),
      [
        [0, 0],
        [1, 0],
        [0, 1],
      ],
    );
    assert.deepEqual(
      rest.map((r) => [r.partition, r.offset]),
      [
        [0, 2],
        [1, 1],
      ],
    );
    assert.equal(takeOldestFirst(rest, 10).taken.length, 2, 'nothing lost');
  });

  it('exports one JSON line per record, non-UTF-8 bytes as base64', () => {
    const lines = toJsonl([record(5, Buffer.from([0xff]), 'v', [['h', 'x']])]).split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[1], '');
    assert.deepEqual(JSON.parse(lines[0]!), {
      topic: 't',
      partition: 0,
      offset: 5,
      timestamp: 1_700_000_000_005,
      timestampType: 'CreateTime',
      key: { base64: '/w==' },
      value: 'v',
      headers: [{ key: 'h', value: 'x' }],
    });
  });

  it("validates the webview's messages, naming what is wrong", () => {
    assert.deepEqual(parseViewerMessage({ type: 'start', from: 'latest' }), {
      ok: true,
      value: { type: 'start', from: 'latest' },
    });
    assert.deepEqual(parseViewerMessage({ type: 'format', keyFormat: 'hex', valueFormat: 'yaml' }), {
      ok: false,
      error: 'valueFormat must be one of text, json, hex, base64, schema',
    });
    assert.deepEqual(parseViewerMessage({ type: 'tail', on: 'yes' }), { ok: false, error: 'on must be true or false' });
    assert.equal(parseViewerMessage({ type: 'drop tables' }).ok, false);
  });
});

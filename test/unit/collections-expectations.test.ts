import assert from 'node:assert/strict';
import {
  compileExpectations,
  mismatch,
  SentRecords,
  subsetMismatch,
} from '../../extension/core/collections/expectations';
import type { ExpectationSpec } from '../../extension/core/collections/model';
import { parseCollectionText } from '../../extension/core/collections/parse';
import type { ConsumedRecord } from '../../extension/core/consume';

function record(fields: {
  key?: string | null;
  value?: string | Buffer | null;
  headers?: [string, string][];
}): ConsumedRecord {
  return {
    topic: 'replies',
    partition: 0,
    offset: 5,
    timestamp: 1,
    timestampType: 'CreateTime',
    key: fields.key === undefined || fields.key === null ? null : Buffer.from(fields.key),
    value:
      fields.value === undefined || fields.value === null
        ? null
        : Buffer.isBuffer(fields.value)
          ? fields.value
          : Buffer.from(fields.value),
    headers: (fields.headers ?? []).map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v) })),
    sizeBytes: 0,
    sequence: -1,
    batch: {
      baseOffset: 5,
      lastOffset: 5,
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

function check(spec: ExpectationSpec, r: ConsumedRecord, sent = new SentRecords()): string | undefined {
  const [compiled] = compileExpectations([spec], (p) => `c.kafka.json: expect ${p.join('.')}:`);
  return mismatch(compiled!, r, sent);
}

describe('collections: matching expected records', () => {
  it('matches a JSON subset: extra fields are fine, a missing or different one is named by its path', () => {
    const r = record({
      value: JSON.stringify({ id: 'o-1', status: 'ok', lines: [{ sku: 'a', qty: 2 }], extra: true }),
    });
    assert.equal(
      check({ topic: 'replies', value: { jsonSubset: { status: 'ok', lines: [{ qty: 2 }] } } }, r),
      undefined,
    );
    assert.equal(
      check({ topic: 'replies', value: { jsonSubset: { status: 'failed' } } }, r),
      'its value has $.status = "ok", not "failed"',
    );
    assert.equal(
      check({ topic: 'replies', value: { jsonSubset: { customer: { id: 1 } } } }, r),
      'its value has no $.customer',
    );
    assert.equal(
      check({ topic: 'replies', value: { jsonSubset: { lines: [{ qty: 3 }] } } }, r),
      'its value has $.lines[0].qty = 2, not 3',
    );
    assert.equal(
      check({ topic: 'replies', value: { jsonSubset: { id: 'o-1' } } }, record({ value: 'plain text' })),
      'its value "plain text" is not JSON',
    );
  });

  it('matches exact text and regular expressions, and says what the value was', () => {
    assert.equal(check({ topic: 'replies', value: { text: 'done' } }, record({ value: 'done' })), undefined);
    assert.equal(
      check({ topic: 'replies', value: { text: 'done' } }, record({ value: 'done ' })),
      'its value is "done ", not "done"',
    );
    assert.equal(
      check({ topic: 'replies', value: { regex: '^order-\\d+ shipped$' } }, record({ value: 'order-17 shipped' })),
      undefined,
    );
    assert.equal(
      check({ topic: 'replies', value: { regex: '^order-\\d+ shipped$' } }, record({ value: 'order-x shipped' })),
      'its value "order-x shipped" does not match /^order-\\d+ shipped$/',
    );
  });

  it('matches key and headers as bytes, including base64 ones', () => {
    const r = record({
      key: 'k1',
      value: 'v',
      headers: [
        ['type', 'reply'],
        ['type', 'final'],
      ],
    });
    assert.equal(check({ topic: 'replies', key: 'k1', headers: [['type', 'final']] }, r), undefined);
    assert.equal(check({ topic: 'replies', key: { base64: Buffer.from('k1').toString('base64') } }, r), undefined);
    assert.equal(check({ topic: 'replies', key: 'k2' }, r), 'its key is "k1", not "k2"');
    assert.equal(
      check({ topic: 'replies', headers: [['type', 'error']] }, r),
      'its header "type" is "reply", "final", not "error"',
    );
    assert.equal(check({ topic: 'replies', headers: [['trace', 'x']] }, r), 'it has no header "trace"');
    assert.equal(check({ topic: 'replies', key: null }, record({ key: null })), undefined);
  });

  it('correlates by the key or a header of a record that was sent', () => {
    const sent = new SentRecords();
    sent.add({ topic: 'requests', key: 'order-9', value: 'x', headers: [{ key: 'correlation-id', value: 'abc' }] });
    assert.equal(check({ topic: 'replies', correlate: 'key' }, record({ key: 'order-9' }), sent), undefined);
    assert.equal(
      check({ topic: 'replies', correlate: 'key' }, record({ key: 'order-8' }), sent),
      'its key "order-8" is not the key of a record sent',
    );
    assert.equal(
      check(
        { topic: 'replies', correlate: { header: 'correlation-id' } },
        record({ headers: [['correlation-id', 'abc']] }),
        sent,
      ),
      undefined,
    );
    assert.equal(
      check(
        { topic: 'replies', correlate: { header: 'correlation-id' } },
        record({ headers: [['correlation-id', 'abd']] }),
        sent,
      ),
      'its header "correlation-id" "abd" is not that of a record sent',
    );
    assert.equal(
      check({ topic: 'replies', correlate: { header: 'correlation-id' } }, record({}), sent),
      'it has no header "correlation-id"',
    );
  });

  it('refuses a broken regular expression when compiling, naming where it is', () => {
    assert.throws(
      () => compileExpectations([{ topic: 't', value: { regex: '(' } }], (p) => `c.kafka.json: expect ${p.join('.')}:`),
      /c\.kafka\.json: expect 0\.value\.regex: "\(" is not a valid regular expression/,
    );
  });

  it('compares arrays item by item and scalars exactly', () => {
    assert.equal(subsetMismatch([1, 2], [1, 2, 3], '$'), 'has 3 items in $, not 2');
    assert.equal(subsetMismatch({ a: 1 }, [1], '$'), 'has $ = [1], not an object');
    assert.equal(subsetMismatch(null, null, '$'), undefined);
  });
});

describe('collections: the lint knows "expect"', () => {
  const lint = (expect: unknown) =>
    parseCollectionText(
      JSON.stringify({ name: 'x', messages: [{ name: 'a', topic: 't', expect }] }, null, 2),
      'c.kafka.json',
    ).diagnostics;

  it('accepts every documented field', () => {
    assert.deepEqual(
      lint([
        {
          name: 'reply',
          topic: 'replies',
          withinMs: 5000,
          key: 'k',
          headers: [['h', 'v']],
          value: { jsonSubset: { a: 1 } },
          correlate: { header: 'id' },
        },
        { topic: 'dlq', value: { regex: '^x' }, correlate: 'key' },
        { topic: 'out', value: { text: 'ok' } },
      ]),
      [],
    );
  });

  it('flags a broken regular expression, an unknown field, a bad value form and a bad topic where they are', () => {
    const problems = lint([
      { topic: 'replies', value: { regex: '[a-' } },
      { topic: 'replies', within: 5 },
      { topic: 'replies', value: { json: 1 } },
      { topic: 'bad topic!' },
      { topic: 'x', correlate: 'value' },
    ]);
    const at = (path: string) =>
      problems
        .filter((p) => p.path.join('.').startsWith(path))
        .map((p) => p.message)
        .join(' | ');
    assert.match(at('messages.0.expect.0.value.regex'), /"\[a-" is not a valid regular expression/);
    assert.match(at('messages.0.expect.1'), /within/);
    assert.match(at('messages.0.expect.2.value'), /jsonSubset|text|regex/);
    assert.match(at('messages.0.expect.3.topic'), /topic name 'bad topic!' has characters Kafka does not allow/);
    assert.match(at('messages.0.expect.4.correlate'), /must be "key" or \{"header": "NAME"\}/);
  });
});

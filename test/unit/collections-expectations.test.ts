import assert from 'node:assert/strict';
import {
  compileExpectations,
  mismatch,
  seeRecord,
  SentRecords,
  subsetMismatch,
  type PartView,
} from '../../extension/core/collections/expectations';
import { frame } from '../../extension/core/schema-registry/wire-format';
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
  // Bytes not in Confluent's wire format: what seeRecord makes of them, with or without a registry.
  return mismatch(compiled!, { record: r, key: { kind: 'bytes' }, value: { kind: 'bytes' } }, sent);
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

describe('collections: matching decoded records', () => {
  const reply: PartView = {
    kind: 'decoded',
    decoded: { schemaId: 7, schemaType: 'AVRO', recordName: 'com.acme.Reply', value: { order: 'o-7', status: 'ok' } },
    uses: [{ subject: 'replies-value', version: 2 }],
  };
  const decodedKey: PartView = {
    kind: 'decoded',
    decoded: { schemaId: 3, schemaType: 'AVRO', value: 'order-7' },
    uses: [{ subject: 'replies-key', version: 1 }],
  };
  const framed = record({ key: null, value: frame(7, Buffer.from([1, 2, 3])) });
  const match = (spec: Omit<ExpectationSpec, 'topic'>, key: PartView, value: PartView) => {
    const [compiled] = compileExpectations([{ topic: 'replies', ...spec }], (p) => `expect ${p.join('.')}:`);
    return mismatch(compiled!, { record: framed, key, value }, new SentRecords());
  };
  const bytes: PartView = { kind: 'bytes' };

  it('matches JSON subset, text and regex against the decoded value, naming subject, version and id on failure', () => {
    assert.equal(match({ value: { jsonSubset: { status: 'ok' } } }, bytes, reply), undefined);
    assert.equal(match({ value: { regex: '"status":"ok"' } }, bytes, reply), undefined);
    assert.equal(match({ value: { text: '{"order":"o-7","status":"ok"}' } }, bytes, reply), undefined);
    assert.equal(
      match({ value: { jsonSubset: { status: 'rejected' } } }, bytes, reply),
      'its value, decoded by replies-value v2 (id 7, AVRO com.acme.Reply), has $.status = "ok", not "rejected": {"order":"o-7","status":"ok"}',
    );
    assert.equal(
      match({ value: { regex: '^x' } }, bytes, reply),
      'its value, decoded by replies-value v2 (id 7, AVRO com.acme.Reply), does not match /^x/: {"order":"o-7","status":"ok"}',
    );
  });

  it('compares an expected key with a decoded key as text, and correlates it with the plain key sent', () => {
    assert.equal(match({ key: 'order-7' }, decodedKey, reply), undefined);
    const [compiled] = compileExpectations([{ topic: 'replies', correlate: 'key' }], () => '');
    const sent = new SentRecords();
    sent.add({ topic: 'requests', key: 'order-7', value: 'v' });
    assert.equal(mismatch(compiled!, { record: framed, key: decodedKey, value: reply }, sent), undefined);
    const other = new SentRecords();
    other.add({ topic: 'requests', key: 'order-8', value: 'v' });
    assert.equal(
      mismatch(compiled!, { record: framed, key: decodedKey, value: reply }, other),
      'its key, decoded by replies-key v1 (id 3, AVRO), is "order-7": not the key of a record sent',
    );
    assert.equal(
      match({ key: 'order-8' }, decodedKey, reply),
      'its key, decoded by replies-key v1 (id 3, AVRO), is "order-7", not "order-8"',
    );
  });

  it('fails, naming the schema id and the problem, when the value cannot be decoded', () => {
    const down: PartView = {
      kind: 'undecodable',
      schemaId: 7,
      problem: 'the schema registry http://127.0.0.1:1 is not reachable (ECONNREFUSED)',
    };
    assert.equal(
      match({ value: { jsonSubset: { status: 'ok' } } }, bytes, down),
      "its value is in Confluent's wire format with schema id 7, which cannot be decoded: the schema registry http://127.0.0.1:1 is not reachable (ECONNREFUSED)",
    );
    assert.match(match({ valueSchema: {} }, bytes, down)!, /schema id 7, which cannot be decoded/);
  });

  it('without a registry, a wire-format value matched as JSON says how to have it decoded', async () => {
    const seen = await seeRecord(framed, undefined);
    assert.deepEqual(seen.value, { kind: 'bytes', wireId: 7 });
    const [compiled] = compileExpectations([{ topic: 'replies', value: { jsonSubset: { a: 1 } } }], () => '');
    assert.match(
      mismatch(compiled!, seen, new SentRecords())!,
      /is not JSON; the value looks like Confluent's wire format \(magic byte 0, schema id 7\): give the environment a "schemaRegistry"/,
    );
  });

  it('checks the schema an expectation names: id, subject and version, record name', () => {
    assert.equal(match({ valueSchema: { subject: 'replies-value', version: 2, id: 7 } }, bytes, reply), undefined);
    assert.equal(match({ valueSchema: { recordName: 'com.acme.Reply' } }, bytes, reply), undefined);
    assert.equal(
      match({ valueSchema: { id: 8 } }, bytes, reply),
      'its value was written with replies-value v2 (id 7, AVRO com.acme.Reply), not schema id 8',
    );
    assert.equal(
      match({ valueSchema: { subject: 'replies-value', version: 1 } }, bytes, reply),
      'its value was written with replies-value v2 (id 7, AVRO com.acme.Reply), which is not replies-value v1',
    );
    assert.equal(
      match({ valueSchema: { recordName: 'com.acme.Rejected' } }, bytes, reply),
      'its value was written with replies-value v2 (id 7, AVRO com.acme.Reply), not as com.acme.Rejected',
    );
    assert.equal(
      match({ keySchema: {} }, bytes, reply),
      "its key is not in Confluent's wire format (no magic byte 0 and schema id), so no schema wrote it",
    );
    assert.throws(
      () => compileExpectations([{ topic: 'replies', valueSchema: { version: 2 } }], (p) => `expect ${p.join('.')}:`),
      /expect 0\.valueSchema: "version" needs a "subject"/,
    );
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
        {
          topic: 'avro-out',
          keySchema: {},
          valueSchema: { subject: 'avro-out-value', version: 2, id: 4, recordName: 'com.acme.Reply' },
        },
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
      { topic: 'x', valueSchema: { version: 1 }, keySchema: { subjet: 'k' } },
    ]);
    const at = (path: string) =>
      problems
        .filter((p) => p.path.join('.').startsWith(path))
        .map((p) => p.message)
        .join(' | ');
    assert.match(at('messages.0.expect.0.value.regex'), /"\[a-" is not a valid regular expression/);
    assert.equal(at('messages.0.expect.5.valueSchema'), '"version" needs a "subject": it is a version of that subject');
    assert.match(
      at('messages.0.expect.5.keySchema'),
      /unknown property "subjet"; expected one of: subject, version, id, recordName/,
    );
    assert.match(at('messages.0.expect.1'), /within/);
    assert.match(at('messages.0.expect.2.value'), /jsonSubset|text|regex/);
    assert.match(at('messages.0.expect.3.topic'), /topic name 'bad topic!' has characters Kafka does not allow/);
    assert.match(at('messages.0.expect.4.correlate'), /must be "key" or \{"header": "NAME"\}/);
  });
});

import { strict as assert } from 'node:assert';
import { withSchemas } from '../../extension/host/kafka/trace-view';
import { defaultDraft, type RecordTraceView } from '../../extension/protocol/messages';
import { checkDraft, parseWebviewMessage } from '../../extension/protocol/validate';

describe('composer: the Schema Registry format on the wire', () => {
  it('accepts schema refs in a draft and the three schema requests, typed', () => {
    const draft = {
      ...defaultDraft(),
      valueFormat: 'schema',
      valueSchema: { subject: 'orders-value', version: 3, recordName: '' },
    };
    const parsed = parseWebviewMessage({ type: 'send', requestId: 1, draft });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.ok && parsed.value.type === 'send' && parsed.value.draft.valueSchema, {
      subject: 'orders-value',
      version: 3,
      recordName: '',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'schemaSubjects', requestId: 2 }), {
      ok: true,
      value: { type: 'schemaSubjects', requestId: 2 },
    });
    const check = parseWebviewMessage({
      type: 'checkSchemaValue',
      requestId: 3,
      topic: 't',
      part: 'value',
      ref: { subject: '', version: null, recordName: 'acme.Ping' },
      text: '{}',
    });
    assert.deepEqual(check, {
      ok: true,
      value: {
        type: 'checkSchemaValue',
        requestId: 3,
        topic: 't',
        part: 'value',
        ref: { subject: '', version: null, recordName: 'acme.Ping' },
        text: '{}',
      },
    });
  });

  it('refuses malformed schema refs and parts, naming the field', () => {
    assert.deepEqual(
      parseWebviewMessage({
        type: 'schemaDetails',
        requestId: 1,
        topic: 't',
        part: 'header',
        ref: { subject: '', version: null, recordName: '' },
      }),
      { ok: false, error: 'message.part must be one of key, value' },
    );
    assert.deepEqual(
      parseWebviewMessage({
        type: 'schemaDetails',
        requestId: 1,
        topic: 't',
        part: 'key',
        ref: { subject: '', version: 0, recordName: '' },
      }),
      { ok: false, error: 'message.ref.version must be a whole number from 1 to 2147483647' },
    );
    const bad = parseWebviewMessage({
      type: 'send',
      requestId: 1,
      draft: { ...defaultDraft(), keySchema: { subject: 5, version: null, recordName: '' } },
    });
    assert.deepEqual(bad, { ok: false, error: 'draft.keySchema.subject must be a string' });
  });

  it('a schema value must be JSON before the host checks it against the schema', () => {
    const errors = checkDraft({ ...defaultDraft(), topic: 't', valueFormat: 'schema', value: '{"id": ' });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].field, 'value');
    assert.match(errors[0].message, /The value is written as JSON for its schema, and is not valid JSON/);
  });

  it('the trace starts with what encoded key and value, and its metadata names them', () => {
    const view: RecordTraceView = {
      recordId: 'r1',
      entries: [{ kind: 'composed', time: 1000, title: 'Composed', detail: '' }],
      metadata: { status: 'acked' },
    };
    const out = withSchemas(view, [
      { part: 'value', subject: 'orders-value', version: 2, id: 7, schemaType: 'AVRO', recordName: 'com.acme.Order' },
    ]);
    assert.deepEqual(
      out.entries.map((e) => [e.kind, e.time, e.title]),
      [
        ['serialized', 1000, 'Serialized value with orders-value v2'],
        ['composed', 1000, 'Composed'],
      ],
    );
    assert.match(out.entries[0].detail, /schema id 7 \(AVRO com\.acme\.Order\)/);
    assert.equal(out.metadata.valueSchema, 'orders-value v2 (id 7, AVRO com.acme.Order)');
    assert.equal(withSchemas(view, undefined), view);
  });
});

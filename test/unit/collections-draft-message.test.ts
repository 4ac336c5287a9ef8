import assert from 'node:assert/strict';
import { parseCollectionText } from '../../extension/core/collections/parse';
import { createCollectionText } from '../../extension/core/collections/save';
import { draftToMessage, recordToDraft } from '../../extension/host/collections/draft-to-message';
import { defaultDraft, type ComposerDraft } from '../../extension/protocol/messages';

function draft(over: Partial<ComposerDraft>): ComposerDraft {
  return { ...defaultDraft(), ...over };
}

describe('collections: composer draft <-> collection message', () => {
  it('saves a text record with only what differs from the composer defaults', () => {
    const m = draftToMessage(draft({ topic: 'orders', key: 'k1', value: 'hello' }), 'greeting');
    assert.deepEqual(m, { name: 'greeting', topic: 'orders', key: 'k1', value: 'hello' });
  });

  it('saves JSON values as JSON, base64 keys and binary headers as {base64}, and changed producer settings', () => {
    const d = draft({
      topic: 't', keyFormat: 'base64', key: 'AAE=', valueFormat: 'json', value: '{"a": [1, 2]}',
      headers: [{ key: 'h', value: 'v', binary: false }, { key: 'b', value: '/w==', binary: true }], partition: 2, repeat: 3,
    });
    d.settings = { ...d.settings, acks: '1', 'linger.ms': 20 };
    const m = draftToMessage(d, 'm');
    assert.deepEqual(m.key, { base64: 'AAE=' });
    assert.deepEqual(m.value, { a: [1, 2] });
    assert.deepEqual(m.headers, [['h', 'v'], ['b', { base64: '/w==' }]]);
    assert.equal(m.partition, 2);
    assert.equal(m.count, 3);
    assert.deepEqual(m.producer, { acks: '1', 'linger.ms': 20 });
  });

  it('escapes a JSON value that looks like a special form, so it is sent as written', () => {
    const m = draftToMessage(draft({ topic: 't', valueFormat: 'json', value: '{"file": "x.jsonl"}' }), 'm');
    assert.deepEqual(m.value, { json: { file: 'x.jsonl' } });
  });

  it('saves no key and a null value as null, and the result is a valid collection', () => {
    const m = draftToMessage(draft({ topic: 't', keyFormat: 'none', valueFormat: 'null' }), 'tombstone');
    assert.equal(m.key, null);
    assert.equal(m.value, null);
    const parsed = parseCollectionText(createCollectionText('C', [m]), 'c.kafka.json');
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.value?.messages[0], m);
  });

  it('opens a record in the composer: JSON text as JSON, bytes as base64, the message settings it knows', () => {
    const d = recordToDraft({ topic: 't', key: Buffer.from([0, 1]), value: '{"x":1}', headers: [{ key: 'h', value: Buffer.from([255]) }], partition: 1 }, { acks: '0', 'max.in.flight.requests.per.connection': 1 }, 20_000);
    assert.equal(d.keyFormat, 'base64');
    assert.equal(d.key, 'AAE=');
    assert.equal(d.valueFormat, 'json');
    assert.deepEqual(d.headers, [{ key: 'h', value: '/w==', binary: true }]);
    assert.equal(d.partition, 1);
    assert.equal(d.settings.acks, '0');
    assert.equal(d.repeat, 10_000, 'capped at the composer\'s maximum repeat');
    assert.ok(!('max.in.flight.requests.per.connection' in d.settings), 'settings the composer has no field for are left out');
  });
});

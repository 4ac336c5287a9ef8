import assert from 'node:assert/strict';
import { parseCollectionText } from '../../extension/core/collections/parse';
import { createCollectionText } from '../../extension/core/collections/save';
import type { MessageSpec } from '../../extension/core/collections/model';
import { draftToMessage, messageToDraft, recordToDraft } from '../../extension/host/collections/draft-to-message';
import { planMessageSave } from '../../extension/host/collections/message-save';
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
      topic: 't',
      keyFormat: 'base64',
      key: 'AAE=',
      valueFormat: 'json',
      value: '{"a": [1, 2]}',
      headers: [
        { key: 'h', value: 'v', binary: false },
        { key: 'b', value: '/w==', binary: true },
      ],
      partition: 2,
      repeat: 3,
    });
    d.settings = { ...d.settings, acks: '1', 'linger.ms': 20 };
    const m = draftToMessage(d, 'm');
    assert.deepEqual(m.key, { base64: 'AAE=' });
    assert.deepEqual(m.value, { a: [1, 2] });
    assert.deepEqual(m.headers, [
      ['h', 'v'],
      ['b', { base64: '/w==' }],
    ]);
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
    const d = recordToDraft(
      {
        topic: 't',
        key: Buffer.from([0, 1]),
        value: '{"x":1}',
        headers: [{ key: 'h', value: Buffer.from([255]) }],
        partition: 1,
      },
      { acks: '0', 'max.in.flight.requests.per.connection': 1 },
      20_000,
    );
    assert.equal(d.keyFormat, 'base64');
    assert.equal(d.key, 'AAE=');
    assert.equal(d.valueFormat, 'json');
    assert.deepEqual(d.headers, [{ key: 'h', value: '/w==', binary: true }]);
    assert.equal(d.partition, 1);
    assert.equal(d.settings.acks, '0');
    assert.equal(d.repeat, 10_000, "capped at the composer's maximum repeat");
    assert.ok(
      !('max.in.flight.requests.per.connection' in d.settings),
      'settings the composer has no field for are left out',
    );
  });
});

describe('collections: a message opened in the composer keeps its source, and saving it back writes only what was edited', () => {
  const spec: MessageSpec = {
    name: 'new order',
    description: 'kept',
    topic: 'orders',
    key: 'order-{{$seq}}',
    value: { id: '{{$uuid}}', region: '{{region}}', qty: '{{$randomInt 1 5}}' },
    headers: [['token', '{{$secret:TOKEN}}']],
    count: 5,
    ratePerSecond: 200,
    variables: { region: 'eu' },
    producer: { acks: 1 },
  };

  it('opens the templates as written, not a rendered record', () => {
    const d = messageToDraft(spec, { 'linger.ms': 20 });
    assert.equal(d.key, 'order-{{$seq}}');
    assert.equal(d.valueFormat, 'json');
    assert.deepEqual(JSON.parse(d.value), spec.value);
    assert.deepEqual(d.headers, [{ key: 'token', value: '{{$secret:TOKEN}}', binary: false }]);
    assert.equal(d.repeat, 5);
    assert.equal(d.settings.acks, '1', "a number acks becomes the form's text");
    assert.equal(d.settings['linger.ms'], 20, "the collection's settings apply");
  });

  it('writes only the edited key back; nothing else, and no review needed', () => {
    const opened = messageToDraft(spec, undefined);
    const plan = planMessageSave(
      { ...opened, key: 'order-{{$seq}}-v2' },
      'new order',
      { spec },
      { file: 'f', name: 'new order', draft: opened, spec },
    );
    assert.deepEqual(plan, { fields: { key: 'order-{{$seq}}-v2' }, written: ['key'], review: false });
  });

  it('writes nothing when nothing was edited (re-formatting JSON is no edit)', () => {
    const opened = messageToDraft(spec, undefined);
    const plan = planMessageSave(
      { ...opened, value: JSON.stringify(spec.value) },
      'new order',
      { spec },
      { file: 'f', name: 'new order', draft: opened, spec },
    );
    assert.deepEqual(plan.written, []);
  });

  it('asks for a review when the file changed since the message was opened, in a field being written', () => {
    const opened = messageToDraft(spec, undefined);
    const changedOnDisk: MessageSpec = { ...spec, key: 'edited-in-the-file' };
    const plan = planMessageSave(
      { ...opened, key: 'mine' },
      'new order',
      { spec: changedOnDisk },
      { file: 'f', name: 'new order', draft: opened, spec },
    );
    assert.equal(plan.review, true);
    // A field changed in the file but not in the composer is left to the file.
    const other = planMessageSave(
      { ...opened, topic: 'orders-v2' },
      'new order',
      { spec: changedOnDisk },
      { file: 'f', name: 'new order', draft: opened, spec },
    );
    assert.deepEqual([other.written, other.review], [['topic'], false]);
  });

  it('asks for a review when the draft was not opened from that message', () => {
    const plan = planMessageSave(
      messageToDraft({ name: 'x', topic: 'orders', value: 'plain' }, undefined),
      'new order',
      { spec },
    );
    assert.equal(plan.review, true);
    assert.ok(plan.written.includes('value') && plan.written.includes('key'));
  });

  it("writes an edited setting into the message's own producer settings, keeping the others", () => {
    const opened = messageToDraft(spec, undefined);
    const plan = planMessageSave(
      { ...opened, settings: { ...opened.settings, 'linger.ms': 50 } },
      'new order',
      { spec },
      { file: 'f', name: 'new order', draft: opened, spec },
    );
    assert.deepEqual(plan.fields, { producer: { acks: 1, 'linger.ms': 50 } });
  });

  it('keeps a data-file value (and its count) unless the value itself is edited', () => {
    const fileSpec: MessageSpec = { name: 'replay', topic: 't', value: { file: 'data/x.jsonl' }, count: 100 };
    const opened = messageToDraft(fileSpec, undefined, { topic: 't', value: '{"n":0}' });
    assert.equal(opened.value, '{"n":0}');
    assert.equal(opened.repeat, 1);
    const untouched = planMessageSave(
      { ...opened, topic: 't2' },
      'replay',
      { spec: fileSpec },
      { file: 'f', name: 'replay', draft: opened, spec: fileSpec },
    );
    assert.deepEqual(untouched.fields, { topic: 't2' });
  });
});

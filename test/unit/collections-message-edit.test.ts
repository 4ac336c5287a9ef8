import assert from 'node:assert/strict';
import { setMessageFields } from '../../extension/core/collections/message-edit';
import { jsonEqual } from '../../extension/core/util/json-equal';
import { parseCollectionText } from '../../extension/core/collections/parse';

/** A hand-written file: one-line and multi-line messages, a number written "1.50", key order that is not alphabetical. */
const FILE = `{
  "name": "Orders",
  "variables": { "price": 1.50, "region": "eu" },
  "messages": [
    { "name": "new order", "topic": "orders", "key": "order-{{$seq}}", "value": {"id": "{{$uuid}}", "region": "{{region}}"}, "count": 5 },
    {
      "name": "cancel",
      "description": "kept as written",
      "topic": "orders",
      "value": {
        "id": "{{$uuid}}",
        "price": "{{price}}",
        "lines": [ { "sku": "a-1", "qty": 2 } ]
      },
      "headers": [["source", "{{$faker.company.name}}"]],
      "ratePerSecond": 10
    }
  ]
}
`;

/** Every line of `after` that is not in `before` (in order), to show exactly what an edit touched. */
function changedLines(before: string, after: string): string[] {
  const old = new Set(before.split('\n'));
  return after.split('\n').filter((l) => !old.has(l));
}

describe('collections: editing one message in place keeps everything else byte for byte', () => {
  it('changes only the key string of a one-line message', () => {
    const out = setMessageFields(FILE, 0, { key: 'order-{{$seq}}-eu' });
    assert.equal(out, FILE.replace('"key": "order-{{$seq}}"', '"key": "order-{{$seq}}-eu"'));
  });

  it('edits one field inside a value and leaves its other fields, their layout and the templates as written', () => {
    const out = setMessageFields(FILE, 1, {
      value: { id: '{{$uuid}}', price: '{{price}}', lines: [{ sku: 'a-2', qty: 2 }] },
    });
    assert.equal(out, FILE.replace('"sku": "a-1"', '"sku": "a-2"'));
  });

  it('adds a property after the last one, indented like it; removes one with its comma', () => {
    const added = setMessageFields(FILE, 1, { partition: 2 });
    assert.deepEqual(changedLines(FILE, added), ['      "ratePerSecond": 10,', '      "partition": 2']);
    const removed = setMessageFields(FILE, 1, { headers: undefined });
    assert.equal(removed, FILE.replace('      "headers": [["source", "{{$faker.company.name}}"]],\n', ''));
    const oneLine = setMessageFields(FILE, 0, { partition: 1, count: undefined });
    assert.ok(oneLine.includes('"value": {"id": "{{$uuid}}", "region": "{{region}}"}, "partition": 1 },'), oneLine);
    for (const text of [added, removed, oneLine])
      assert.deepEqual(parseCollectionText(text, 'o.kafka.json').diagnostics, []);
  });

  it('removes a leading property and adds another in the same edit', () => {
    const out = setMessageFields(FILE, 0, { topic: undefined, name: undefined, timestamp: 5 });
    assert.ok(
      out.includes(
        '    { "key": "order-{{$seq}}", "value": {"id": "{{$uuid}}", "region": "{{region}}"}, "count": 5, "timestamp": 5 },',
      ),
      out,
    );
  });

  it('writes nothing when the values are equal (1.50 stays 1.50; key order does not count)', () => {
    assert.equal(
      setMessageFields(FILE, 1, { value: { lines: [{ qty: 2, sku: 'a-1' }], price: '{{price}}', id: '{{$uuid}}' } }),
      FILE,
    );
    assert.ok(jsonEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }));
    assert.ok(!jsonEqual([1, 2], [2, 1]));
  });

  it('keeps CRLF line endings in what it inserts', () => {
    const crlf = FILE.replace(/\n/g, '\r\n');
    const out = setMessageFields(crlf, 1, { partition: 2, value: { replaced: { a: 1 } } });
    assert.ok(!/[^\r]\n/.test(out), 'only CRLF line endings');
  });

  it('refuses a message index that is not there', () => {
    assert.throws(() => setMessageFields(FILE, 7, { key: 'x' }), /has no messages\[7\] \(it has 2 messages\)/);
  });
});

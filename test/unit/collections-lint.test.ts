import assert from 'node:assert/strict';
import { templateDiagnostics } from '../../extension/core/collections/lint';
import { parseCollectionText } from '../../extension/core/collections/parse';

/** A collection with one message whose value is `value`, as the editor would lint it. */
function lintValue(value: unknown) {
  const doc = parseCollectionText(JSON.stringify({ name: 'x', messages: [{ name: 'a', topic: 't', value }] }, null, 2), 'c.kafka.json');
  assert.deepEqual(doc.diagnostics, []);
  return templateDiagnostics(doc, '/ws/c.kafka.json');
}

describe('collections: template problems in values', () => {
  it('checks templates in nested objects that have a "file", "json" or "base64" key: only the value itself is a special form', () => {
    const problems = lintValue({ payload: { file: '{{nope}}', other: 1 }, list: [{ json: '{{nope2}}' }], raw: { base64: '{{nope3}}' } });
    assert.deepEqual(problems.map((p) => [p.path.join('.'), p.message.split(';')[0]]), [
      ['messages.0.value.payload.file', 'unknown variable {{nope}}'],
      ['messages.0.value.list.0.json', 'unknown variable {{nope2}}'],
      ['messages.0.value.raw.base64', 'unknown variable {{nope3}}'],
    ]);
  });

  it('leaves the value\'s own special forms alone: their strings are sent without templates', () => {
    assert.deepEqual(lintValue({ json: { a: '{{nope}}' } }), []);
    assert.deepEqual(lintValue({ file: 'data/{{nope}}.jsonl' }), []);
  });
});

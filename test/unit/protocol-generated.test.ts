import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { GENERATED_FILE, renderMessageTypes } from '../../scripts/generate-protocol';
import { API_SPECS } from '../../extension/core/kafka/protocol/specs';
import { ApiKey } from '../../extension/core/kafka/protocol';

describe('generated protocol types', () => {
  it('are what scripts/generate-protocol.ts writes from the specs today (run `npm run generate:protocol` if not)', () => {
    assert.equal(
      fs.readFileSync(GENERATED_FILE, 'utf8'),
      renderMessageTypes(),
      'messages.generated.ts is stale: run npm run generate:protocol and commit the result',
    );
  });

  it('name every spec once, by its own key', () => {
    const keys = API_SPECS.map((s) => s.key);
    assert.equal(new Set(keys).size, keys.length, 'two specs share an API key');
    for (const s of API_SPECS) assert.equal((ApiKey as Record<string, number>)[s.name], s.key);
  });

  it('change when a spec changes (a field added to a version shows in the type)', () => {
    const produce = API_SPECS.find((s) => s.name === 'Produce')!;
    const changed = {
      ...produce,
      request: [...produce.request, { name: 'extraField', type: 'int32' as const, v: '8+' }],
    };
    const text = renderMessageTypes(API_SPECS.map((s) => (s === produce ? changed : s)));
    assert.match(text, /\/\*\* v8\+ \*\/\n {2}extraField: number;/);
    assert.notEqual(text, renderMessageTypes());
  });
});

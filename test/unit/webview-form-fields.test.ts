import assert from 'node:assert/strict';
import { numberFieldProblems, SEND_MODE_WORDS } from '../../webview/form-fields';
import { SEND_MODES } from '../../extension/protocol/messages';

describe("webview: the composer's number fields as typed", () => {
  const form = (fields: Record<string, string>) => (id: string) => fields[id] ?? '';

  it('refuses Repeat "abc" next to the field instead of sending 1 record', () => {
    assert.deepEqual(numberFieldProblems(form({ repeat: 'abc' }), true), [
      { id: 'repeat', message: 'Repeat must be a whole number from 1 to 10,000 (it is "abc").' },
    ]);
    assert.deepEqual(
      numberFieldProblems(form({ repeat: '' }), true).map((p) => p.id),
      ['repeat'],
      'an empty Repeat is no number either',
    );
    assert.deepEqual(
      numberFieldProblems(form({ repeat: '10001' }), true).map((p) => p.id),
      ['repeat'],
    );
    assert.deepEqual(numberFieldProblems(form({ repeat: '3' }), true), []);
  });

  it('checks the producer settings typed as text, and the timestamp only when one is given', () => {
    const problems = numberFieldProblems(
      form({ repeat: '1', linger: '5ms', 'batch-size': '-1', retries: '', timestamp: 'now' }),
      false,
    );
    assert.deepEqual(
      problems.map((p) => p.id),
      ['linger', 'batch-size', 'timestamp'],
    );
    assert.deepEqual(
      numberFieldProblems(form({ repeat: '1', timestamp: 'now' }), true),
      [],
      'Timestamp: now ignores the field',
    );
  });

  it('explains every send mode', () => {
    for (const m of SEND_MODES) assert.match(SEND_MODE_WORDS[m].hint, new RegExp(`^${m}: `));
  });
});

import assert from 'node:assert/strict';
import { draftToRecord } from '../../extension/host/composer/draft-to-record';
import { defaultDraft, type ComposerDraft } from '../../extension/protocol/messages';

describe('composer: a draft as a record', () => {
  const draft = (over: Partial<ComposerDraft>): ComposerDraft => ({ ...defaultDraft(), topic: 't', ...over });

  it('refuses a lone surrogate in the key, the value or a header, naming it (it went out as U+FFFD), and sends a whole pair', () => {
    assert.throws(() => draftToRecord(draft({ keyFormat: 'string', key: 'k\ud83d' })), /^InvalidInputError: The key holds a lone UTF-16 surrogate \(\\ud83d at character 2\)/);
    assert.throws(() => draftToRecord(draft({ value: '\udc00' })), /The value holds a lone UTF-16 surrogate/);
    assert.throws(() => draftToRecord(draft({ headers: [{ key: 'h', value: 'x\ud800', binary: false }] })), /Header "h" holds a lone UTF-16 surrogate/);
    assert.throws(() => draftToRecord(draft({ headers: [{ key: '\ud800', value: 'x', binary: false }] })), /The name of header 1 holds a lone UTF-16 surrogate/);
    assert.equal(draftToRecord(draft({ keyFormat: 'string', key: '\ud83d\ude00' })).key, '😀');
  });
});

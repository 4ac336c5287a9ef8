import * as assert from 'node:assert/strict';
import { DraftMirror } from '../../extension/host/composer/draft-mirror';
import { defaultDraft, type ComposerDraft } from '../../extension/protocol/messages';
import { isHostPush } from '../../webview/state';

const draft = (topic: string, key = ''): ComposerDraft => ({ ...defaultDraft(), topic, key });

describe('webview: the pushes the panel passes on', () => {
  it('passes every push the host sends, loadDraft ("Open in Composer") included', () => {
    for (const type of ['init', 'results', 'state', 'cleared', 'loadDraft']) assert.equal(isHostPush(type), true, type);
  });

  it('drops responses (the request tracker takes those) and unknown types', () => {
    for (const type of ['response', 'toString', '__proto__', 'nope']) assert.equal(isHostPush(type), false, type);
  });
});

describe("composer host: DraftMirror (the host's copy of the form)", () => {
  it('a draft opened before the webview is ready goes out with init and is current at once', () => {
    const m = new DraftMirror();
    m.open(draft('orders'), null);
    assert.equal(m.toShow?.draft.topic, 'orders');
    assert.equal(m.current?.topic, 'orders');
  });

  it("a draft opened while the tab is hidden wins over the rebuilt webview's saved form, and is what gets saved", () => {
    const m = new DraftMirror();
    m.report(draft('old-topic'), null); // the form the webview saved before the tab was hidden
    m.open(draft('opened-topic', 'k2'), null); // its loadDraft is lost: the webview is not live
    assert.equal(m.toShow?.draft.topic, 'opened-topic', 'init must carry the opened draft, not null');
    assert.equal(m.current?.key, 'k2', '"Save Record to Collection" saves the draft the form is about to show');
  });

  it("once the webview reports the opened draft back, a later rebuild keeps the webview's own form", () => {
    const m = new DraftMirror();
    m.open(draft('opened'), null);
    m.report(draft('opened'), null);
    assert.equal(m.toShow, null);
    m.report(draft('opened-then-edited'), null);
    assert.equal(m.current?.topic, 'opened-then-edited');
    assert.equal(m.toShow, null);
  });

  it('opening a second draft replaces the first', () => {
    const m = new DraftMirror();
    m.open(draft('first'), null);
    m.report(draft('first'), null);
    m.open(draft('second'), null);
    assert.equal(m.current?.topic, 'second');
    assert.equal(m.toShow?.draft.topic, 'second');
  });

  it('keeps the message a draft was opened from until the form reports another origin', () => {
    const m = new DraftMirror();
    const origin = { file: '/w/orders.kafka.json', name: 'new order' };
    m.open(draft('orders'), origin);
    assert.deepEqual(m.toShow?.origin, origin);
    m.report(draft('orders-edited'), origin);
    assert.deepEqual(m.origin, origin, 'edits keep the origin');
    m.report(draft('typed'), null);
    assert.equal(m.origin, null);
  });

  it('has nothing before the webview reports or the user opens a draft (a panel revived after a reload)', () => {
    const m = new DraftMirror();
    assert.equal(m.current, null);
    assert.equal(m.toShow, null);
  });
});

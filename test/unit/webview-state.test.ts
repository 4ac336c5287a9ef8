import * as assert from 'node:assert/strict';
import { prettyJson } from '../../extension/protocol/json-text';
import { defaultDraft, type ResultRow } from '../../extension/protocol/messages';
import {
  formatCount,
  restoreState,
  RequestTracker,
  ResultsHistory,
  resultsSummary,
  visibleWindow,
} from '../../webview/state';

const row = (id: string, status: ResultRow['status'] = 'pending', offset: number | null = null): ResultRow => ({
  recordId: id,
  status,
  topic: 't',
  key: null,
  partition: 0,
  offset,
  timestamp: null,
  latencyMs: null,
  attempts: null,
  sentAt: 0,
});

describe('webview: ResultsHistory', () => {
  it('updates a pending row in place when its ack arrives', () => {
    const h = new ResultsHistory();
    h.upsert([row('a'), row('b')]);
    h.upsert([row('a', 'acked', 41)]);
    assert.equal(h.size, 2);
    assert.equal(h.get('a')?.offset, 41);
    assert.deepEqual(h.counts(), { acked: 1, failed: 0, pending: 1 });
  });

  it('lists newest first', () => {
    const h = new ResultsHistory();
    h.upsert([row('a'), row('b'), row('c')]);
    assert.deepEqual(
      h.newestFirst(0, 2).map((r) => r.recordId),
      ['c', 'b'],
    );
  });

  it('is bounded: the oldest rows fall off and updates still find the rows that remain', () => {
    const h = new ResultsHistory(3);
    h.upsert(['a', 'b', 'c', 'd', 'e'].map((id) => row(id)));
    assert.equal(h.size, 3);
    assert.equal(h.get('a'), undefined);
    h.upsert([row('d', 'acked', 7)]);
    assert.equal(h.get('d')?.status, 'acked');
    assert.deepEqual(
      h.newestFirst(0, 10).map((r) => r.recordId),
      ['e', 'd', 'c'],
    );
  });

  it('keeps 10,000 rows by default and clears', () => {
    const h = new ResultsHistory();
    h.upsert(Array.from({ length: 10_050 }, (_, i) => row(`r${i}`)));
    assert.equal(h.size, 10_000);
    assert.equal(h.newestFirst(0, 1)[0].recordId, 'r10049');
    h.clear();
    assert.equal(h.size, 0);
  });
});

describe('webview: resultsSummary (the results badge)', () => {
  it('counts rows with thousands separators and names the failed and pending ones', () => {
    const h = new ResultsHistory();
    h.upsert(Array.from({ length: 1234 }, (_, i) => row(`r${i}`, i < 2 ? 'failed' : i < 5 ? 'pending' : 'acked')));
    assert.deepEqual(resultsSummary(h), { badge: '1,234 · 2 failed · 3 pending', capNote: null });
  });

  it('says nothing about a cap below it', () => {
    const h = new ResultsHistory(3);
    h.upsert([row('a', 'acked'), row('b', 'acked')]);
    assert.deepEqual(resultsSummary(h), { badge: '2', capNote: null });
  });

  it('says the table shows only the latest rows once older ones are dropped (50,000 sent, 10,000 kept)', () => {
    const h = new ResultsHistory();
    for (let start = 0; start < 50_000; start += 5_000)
      h.upsert(Array.from({ length: 5_000 }, (_, i) => row(`r${start + i}`, 'acked')));
    assert.equal(h.size, 10_000);
    assert.equal(h.isFull, true);
    assert.deepEqual(resultsSummary(h), {
      badge: '10,000 (latest)',
      capNote: 'Showing the latest 10,000 results: older ones are dropped.',
    });
  });

  it('says so for a full table rebuilt from the host (which sends only the 10,000 it keeps), and not after Clear', () => {
    const h = new ResultsHistory();
    h.upsert(Array.from({ length: 10_000 }, (_, i) => row(`r${i}`, 'acked')));
    assert.equal(resultsSummary(h).badge, '10,000 (latest)');
    h.clear();
    assert.deepEqual(resultsSummary(h), { badge: '0', capNote: null });
  });

  it('formats counts in English whatever the locale', () => {
    assert.equal(formatCount(10_000), '10,000');
    assert.equal(formatCount(7), '7');
  });
});

describe('webview: visibleWindow', () => {
  it('renders only the rows in view plus overscan, for 10,000 rows', () => {
    const w = visibleWindow(24 * 5000, 240, 24, 10_000, 8);
    assert.equal(w.start, 4992);
    assert.equal(w.end, 4992 + 10 + 16);
    assert.equal(w.offsetPx, 4992 * 24);
    assert.equal(w.totalPx, 240_000);
  });

  it('clamps at the top and the bottom', () => {
    assert.deepEqual(visibleWindow(-50, 240, 24, 3), { start: 0, end: 3, offsetPx: 0, totalPx: 72 });
    const end = visibleWindow(1e9, 240, 24, 100);
    assert.equal(end.end, 100);
    assert.ok(end.start <= end.end);
  });
});

describe('webview: restoreState', () => {
  it('starts from defaults when nothing or something malformed was saved', () => {
    assert.deepEqual(restoreState(undefined).draft, defaultDraft());
    assert.deepEqual(restoreState({ version: 99, draft: { topic: 'x' } }).draft, defaultDraft());
  });

  it('keeps a saved draft and fills settings added since it was saved', () => {
    const saved = {
      version: 1,
      draft: { ...defaultDraft(), topic: 'orders', settings: { acks: '1' } },
      selectedRecordId: 'r1',
      tab: 'batches',
    };
    const s = restoreState(saved);
    assert.equal(s.draft.topic, 'orders');
    assert.equal(s.draft.settings.acks, '1');
    assert.equal(s.draft.settings['linger.ms'], defaultDraft().settings['linger.ms']);
    assert.equal(s.selectedRecordId, 'r1');
    assert.equal(s.tab, 'batches');
  });
});

describe('webview: RequestTracker', () => {
  it('settles the request whose id the response carries and ignores stray ids', async () => {
    const t = new RequestTracker();
    const a = t.start();
    const b = t.start();
    assert.notEqual(a.requestId, b.requestId);
    assert.equal(t.settle(999, true, 'x'), false);
    assert.equal(t.settle(b.requestId, false, { message: 'boom' }), true);
    assert.equal(t.settle(a.requestId, true, 42), true);
    assert.equal(await a.promise, 42);
    await assert.rejects(b.promise, (e: { message: string }) => e.message === 'boom');
    assert.equal(t.inFlight, 0);
  });
});

describe('views: prettyJson', () => {
  it('pretty-prints JSON and returns undefined for anything else', () => {
    assert.equal(prettyJson('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
    assert.equal(prettyJson('{bad'), undefined);
  });
});

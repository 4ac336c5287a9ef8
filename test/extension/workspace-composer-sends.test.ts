/**
 * The composer's sends in real VS Code, against the embedded sandbox: templates render per record like a collection
 * send (one template engine, one runner), a Repeat reports progress the way collection sends do and can be
 * cancelled, and Cancel says what was sent, acknowledged and never sent.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { defaultDraft, type ComposerDraft, type SendProgress } from '../../extension/protocol/messages';
import { api, waitFor } from './workspace-helpers';

function draft(over: Partial<ComposerDraft>): ComposerDraft {
  return { ...defaultDraft(), ...over };
}

describe('Composer sends', () => {
  before(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await vscode.commands.executeCommand('kafkaWorkbench.topic.create', 'cs-orders', 3, 3);
  });

  it('renders templates per record: order-{{$seq}} counts 0..N-1, and the distinct keys spread over partitions', async () => {
    const a = await api();
    const progress: SendProgress[] = [];
    const result = await a.collections.templates.send(
      draft({
        topic: 'cs-orders',
        key: 'order-{{$seq}}',
        valueFormat: 'json',
        value: '{"id": "{{$uuid}}", "n": "{{$seq}}"}',
        repeat: 30,
        sendMode: 'async',
      }),
      null,
      { signal: new AbortController().signal, onProgress: (p) => progress.push(p) },
    );
    assert.equal(result.ok, true, result.line);
    assert.equal(result.line, '30 of 30 records acknowledged');
    const rows = a.service.resultRows().filter((r) => r.topic === 'cs-orders');
    assert.deepEqual(rows.map((r) => r.key).sort(), Array.from({ length: 30 }, (_, i) => `order-${i}`).sort());
    assert.ok(new Set(rows.map((r) => r.partition)).size > 1, 'distinct keys land on more than one partition');
    const trace = a.service.trace(result.lastRecordId!);
    assert.ok(trace.entries.some((e) => e.kind === 'acked'));
    assert.ok(
      progress.length > 0 &&
        progress.at(-1)!.text.startsWith('30 of 30 records: 30 acknowledged, 0 failed, 0 remaining'),
      progress.at(-1)?.text,
    );
  });

  it('refuses a draft whose template does not render, naming the field, before anything is sent', async () => {
    const a = await api();
    const before = a.service.resultRows().length;
    await assert.rejects(
      a.collections.templates.send(draft({ topic: 'cs-orders', key: 'order-{{nobody}}', value: 'v' }), null, {
        signal: new AbortController().signal,
        onProgress: () => undefined,
      }),
      (e: Error & { site?: { path: unknown[] } }) =>
        /unknown variable \{\{nobody\}\}/.test(e.message) && e.site?.path[2] === 'key',
    );
    assert.equal(a.service.resultRows().length, before, 'nothing was sent');
  });

  it('cancels a slow Repeat: stops handing records over, every record handed over settles, and says what was never sent', async () => {
    const a = await api();
    await a.service.sandbox.run({ action: 'addLatency', latencyMs: 1500, count: 1000 });
    try {
      const abort = new AbortController();
      const progress: SendProgress[] = [];
      const result = await a.collections.templates.send(
        draft({ topic: 'cs-orders', key: 'slow-{{$seq}}', value: 'v{{$seq}}', repeat: 5000, sendMode: 'async' }),
        null,
        {
          signal: abort.signal,
          onProgress: (p) => {
            progress.push(p);
            if (!abort.signal.aborted) abort.abort();
          },
        },
      );
      assert.equal(result.cancelled, true);
      assert.equal(result.ok, false);
      const m = /^([\d,]+) of ([\d,]+) records? acknowledged; cancelled, ([\d,]+) of 5,000 not sent$/.exec(result.line);
      assert.ok(m, result.line);
      const [acked, sent, notSent] = m.slice(1).map((n) => Number(n.replace(/,/g, '')));
      assert.equal(sent + notSent, 5000);
      assert.ok(notSent >= 3000, `Cancel held back most of the records (${notSent} never sent)`);
      assert.equal(acked, sent, 'every record handed over was still delivered');
      const rows = a.service.resultRows().filter((r) => r.key?.startsWith('slow-'));
      assert.equal(rows.length, sent);
      assert.ok(rows.every((r) => r.status === 'acked'));
      assert.match(
        progress[0].text,
        /^\d[\d,]* of 5,000 records: [\d,]+ acknowledged, [\d,]+ failed, [\d,]+ remaining, [\d,]+ records\/s$/,
      );
    } finally {
      await a.service.sandbox.run({ action: 'clearFaults' });
    }
  });

  it('sync hands a record over only after the one before is acknowledged', async () => {
    const a = await api();
    const result = await a.collections.templates.send(
      draft({ topic: 'cs-orders', key: 'sync-{{$seq}}', value: 'v', repeat: 5, sendMode: 'sync' }),
      null,
      { signal: new AbortController().signal, onProgress: () => undefined },
    );
    assert.equal(result.line, '5 of 5 records acknowledged');
    const rows = a.service
      .resultRows()
      .filter((r) => r.key?.startsWith('sync-'))
      .sort((x, y) => x.sentAt - y.sentAt);
    // Each record's trace: composed only after the previous record's ack.
    for (let i = 1; i < rows.length; i++) {
      const prevAck = a.service.trace(rows[i - 1].recordId).entries.find((e) => e.kind === 'acked')!.time;
      const composed = a.service.trace(rows[i].recordId).entries.find((e) => e.kind === 'composed')!.time;
      assert.ok(
        composed >= prevAck,
        `record ${i} composed at ${composed}, before record ${i - 1} was acked at ${prevAck}`,
      );
    }
    await waitFor('the rows to be acked', () => rows.every((r) => r.status === 'acked'));
  });
});

describe('Clear during a running send', () => {
  before(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await (await api()).service.cluster(true);
    if (!(await api()).service.topics().some((t) => t.name === 'cs-orders'))
      await vscode.commands.executeCommand('kafkaWorkbench.topic.create', 'cs-orders', 3, 3);
  });

  it("keeps the records still in flight: their results, traces and the send's summary all arrive", async () => {
    const a = await api();
    await a.service.sandbox.run({ action: 'addLatency', latencyMs: 1500, count: 20 });
    try {
      const sending = a.collections.templates.send(
        draft({ topic: 'cs-orders', key: 'clr-{{$seq}}', value: 'v', repeat: 50, sendMode: 'async' }),
        null,
        { signal: new AbortController().signal, onProgress: () => undefined },
      );
      await waitFor(
        '50 records in flight',
        () => a.service.resultRows().filter((r) => r.key?.startsWith('clr-') && r.status === 'pending').length === 50,
      );
      await vscode.commands.executeCommand('kafkaWorkbench.results.clear');
      const result = await sending;
      assert.equal(result.line, '50 of 50 records acknowledged');
      const rows = a.service.resultRows().filter((r) => r.key?.startsWith('clr-'));
      assert.equal(rows.length, 50, 'every record of the running send is still in the results');
      assert.ok(rows.every((r) => r.status === 'acked' && r.offset !== null));
      assert.ok(
        a.service.trace(result.lastRecordId!).entries.some((e) => e.kind === 'acked'),
        "the last record's trace is there",
      );
      await vscode.commands.executeCommand('kafkaWorkbench.results.clear');
      assert.equal(
        a.service.resultRows().filter((r) => r.key?.startsWith('clr-')).length,
        0,
        'finished results are cleared',
      );
    } finally {
      await a.service.sandbox.run({ action: 'clearFaults' });
    }
  });
});

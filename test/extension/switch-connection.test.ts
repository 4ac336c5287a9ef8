/**
 * Switching connection while a send runs, in real VS Code, between two sandboxes this test starts (A and B): the
 * send keeps the cluster it started on, the user is asked whether to cancel it, and every record's reported outcome
 * is what cluster A did with it. Leaves the Local sandbox connected, as the files before it do.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { defaultDraft, type ComposerDraft } from '../../extension/protocol/messages';
import { api, waitFor, write } from './workspace-helpers';

/** Records a sandbox holds in a topic (the sum of its partitions' high watermarks). */
function stored(sandbox: Sandbox, topic: string): number {
  return (
    sandbox
      .state()
      .topics.find((t) => t.name === topic)
      ?.partitions.reduce((n, p) => n + p.highWatermark, 0) ?? 0
  );
}

type Warn = typeof vscode.window.showWarningMessage;

describe('Switching connection while a send runs', () => {
  let a: Sandbox;
  let b: Sandbox;
  let idA: string;
  let idB: string;
  const realWarning = vscode.window.showWarningMessage;

  before(async () => {
    a = await startSandbox({ brokers: 1, port: 0, controlPort: 0 });
    b = await startSandbox({ brokers: 1, port: 0, controlPort: 0 });
    idA = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'cluster A',
      brokers: a.bootstrap,
    });
    idB = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'cluster B',
      brokers: b.bootstrap,
    });
  });
  beforeEach(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', idA);
    assert.equal((await api()).service.activeConnection()?.id, idA);
  });
  afterEach(() => {
    (vscode.window as { showWarningMessage: Warn }).showWarningMessage = realWarning;
    a.clearFaults();
  });
  after(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox', 'finish');
    for (const id of [idA, idB])
      if (id) await vscode.commands.executeCommand('kafkaWorkbench.connection.remove', id, true);
    await a?.stop();
    await b?.stop();
  });

  /** A collection whose first message takes about two seconds (rate-limited), then a second message. */
  function twoMessages(name: string): string {
    return write(`switch/${name}.kafka.json`, {
      name,
      messages: [
        { name: 'slow', topic: `${name}-slow`, value: 'v{{$seq}}', count: 400, ratePerSecond: 200 },
        { name: 'second', topic: `${name}-second`, value: 'w{{$seq}}', count: 500 },
      ],
    }).fsPath;
  }

  it('a composer send of 1,000 records switched mid-way is reported acked, as cluster A stored them (all were reported failed)', async () => {
    const { service, collections } = await api();
    // A's answers take 2.5 s: longer than closing a producer used to wait before failing what it held.
    a.addFault({ api: 'Produce', latencyMs: 2500, count: 1000 });
    const draft: ComposerDraft = {
      ...defaultDraft(),
      topic: 'switch-composer',
      value: 'x',
      repeat: 1000,
      sendMode: 'async',
    };
    const sending = collections.templates.send(draft, null, {
      signal: new AbortController().signal,
      onProgress: () => undefined,
      createTopics: true,
    });
    const rowsOnA = () => service.resultRows().filter((r) => r.topic === 'switch-composer');
    await waitFor('all 1,000 records handed over to cluster A', () => rowsOnA().length === 1000);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', idB, 'finish');
    assert.equal(service.activeConnection()?.id, idB, 'switched at once, without waiting for the send');
    const result = await sending;
    assert.equal(result.line, '1,000 of 1,000 records acknowledged');
    assert.deepEqual([...new Set(rowsOnA().map((r) => `${r.status}${r.error ? `: ${r.error}` : ''}`))], ['acked']);
    assert.equal(stored(a, 'switch-composer'), 1000);
    assert.equal(stored(b, 'switch-composer'), 0);
  });

  it('a collection run switched with "Let It Finish There" sends both messages to cluster A (870 of its 900 records failed "The producer is closed")', async () => {
    const { service } = await api();
    const file = twoMessages('finish');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const run = vscode.commands.executeCommand<RunSummary>('kafkaWorkbench.collections.sendAll', file, {
      createTopics: true,
    });
    await waitFor('the first records on cluster A', () => stored(a, 'finish-slow') > 0);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', idB, 'finish');
    assert.equal(service.activeConnection()?.id, idB);
    const summary = await run;
    assert.deepEqual(
      [summary.sent, summary.acked, summary.failed, summary.cancelled],
      [900, 900, 0, false],
      JSON.stringify(summary.messages.map((m) => m.errors)),
    );
    assert.deepEqual([stored(a, 'finish-slow'), stored(a, 'finish-second')], [400, 500]);
    assert.deepEqual([stored(b, 'finish-slow'), stored(b, 'finish-second')], [0, 0]);
  });

  it('asks before switching while a run is going, and "Cancel and Switch" stops it: what it reports acked is exactly what cluster A stored, nothing failed, nothing on B', async () => {
    const { service } = await api();
    const asked: string[] = [];
    (vscode.window as { showWarningMessage: Warn }).showWarningMessage = (async (
      message: string,
      _options: unknown,
      ...items: string[]
    ) => {
      asked.push(`${message} [${items.join(' | ')}]`);
      return 'Cancel and Switch';
    }) as Warn;
    const file = twoMessages('cancel');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const run = vscode.commands.executeCommand<RunSummary>('kafkaWorkbench.collections.sendAll', file, {
      createTopics: true,
    });
    await waitFor('the first records on cluster A', () => stored(a, 'cancel-slow') > 0);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', idB);
    assert.equal(
      asked[0],
      '"sending cancel" is still running on "cluster A". Cancel before connecting to "cluster B"? [Cancel and Switch | Let It Finish There]',
    );
    assert.equal(service.activeConnection()?.id, idB);
    const summary = await run;
    assert.equal(summary.cancelled, true);
    assert.equal(summary.failed, 0, JSON.stringify(summary.messages.map((m) => m.errors)));
    assert.ok(summary.acked < 400, `the run stopped early (acked ${summary.acked})`);
    assert.equal(summary.acked, summary.sent);
    assert.equal(stored(a, 'cancel-slow'), summary.acked);
    assert.deepEqual(summary.notRun, ['second']);
    assert.deepEqual([stored(a, 'cancel-second'), stored(b, 'cancel-slow'), stored(b, 'cancel-second')], [0, 0, 0]);
  });

  it('dismissing the question keeps the connection and the run (Disconnect while sending)', async () => {
    const { service } = await api();
    let asked = 0;
    (vscode.window as { showWarningMessage: Warn }).showWarningMessage = (async () => {
      asked++;
      return undefined;
    }) as Warn;
    const file = twoMessages('stay');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const run = vscode.commands.executeCommand<RunSummary>('kafkaWorkbench.collections.sendAll', file, {
      createTopics: true,
    });
    await waitFor('the first records on cluster A', () => stored(a, 'stay-slow') > 0);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.disconnect');
    assert.equal(asked, 1);
    assert.equal(service.activeConnection()?.id, idA, 'still connected to A');
    const summary = await run;
    assert.deepEqual(
      [summary.acked, summary.failed, stored(a, 'stay-slow'), stored(a, 'stay-second')],
      [900, 0, 400, 500],
    );
  });
});

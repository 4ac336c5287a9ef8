/**
 * Expectations in real VS Code, against the embedded sandbox: a send checks each message's "expect" entries, and
 * the CodeLens above the message and the Collections view show the last result of each.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import type { CollectionNode } from '../../extension/host/collections/collection-tree';
import { api, waitFor, write } from './workspace-helpers';

describe('Read back and expect: collection expectations in VS Code', () => {
  let file: vscode.Uri;

  before(async () => {
    // The record sent is itself what the first expectation waits for (its own topic, same correlation header):
    // no service needed. Nothing is ever written to the second one's topic.
    file = write('collections/expect.kafka.json', {
      name: 'Expect',
      messages: [
        {
          name: 'echo',
          topic: 'exp-echo',
          key: 'k-1',
          value: { id: 'e-1', ok: true },
          headers: [['correlation-id', '{{$uuid}}']],
          expect: [
            {
              name: 'sees itself',
              topic: 'exp-echo',
              withinMs: 20000,
              correlate: { header: 'correlation-id' },
              value: { jsonSubset: { ok: true } },
            },
            { name: 'silence', topic: 'exp-echo', withinMs: 1500, value: { text: 'never sent' } },
          ],
        },
      ],
    });
    await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
  });

  it('checks the expectations of a send and shows their last results in the CodeLens and the Collections view', async () => {
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendMessage',
      file,
      'echo',
      { createTopics: true },
    );
    const results = summary.messages[0].expectations;
    assert.ok(results, 'the send checked the expectations');
    assert.deepEqual(
      results.map((r) => [r.name, r.passed]),
      [
        ['sees itself', true],
        ['silence', false],
      ],
    );
    assert.equal(summary.ok, false, 'an unmet expectation makes the run not ok');
    assert.match(
      results[1].reason ?? '',
      /none of the 1 record on 'exp-echo' within 1500 ms matched; first: its value is "\{\\"id\\":\\"e-1\\",\\"ok\\":true\}", not "never sent"/,
    );

    await vscode.workspace.openTextDocument(file); // CodeLens are asked for open documents only
    const lenses = await waitFor('expectation lenses', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file, 10);
      const titles = all.map((l) => l.command?.title ?? '');
      return titles.some((t) => t.startsWith('$(error) silence')) && titles;
    });
    assert.ok(
      lenses.some((t) => /^\$\(pass\) sees itself: exp-echo-\d+@\d+ after \d+ ms$/.test(t)),
      lenses.join(' | '),
    );
    assert.ok(
      lenses.some((t) => t.startsWith('$(error) silence: none of the 1 record')),
      lenses.join(' | '),
    );

    const { tree } = (await api()).collections;
    const root = (await tree.getChildren()).find((n) => n.uri.fsPath === file.fsPath)!;
    const [message] = (await tree.getChildren(root)) as Extract<CollectionNode, { kind: 'collectionMessage' }>[];
    const item = tree.getTreeItem(message);
    assert.match(String(item.description), /1 of 2 expectations met$/);
    assert.match(String(item.tooltip), /pass sees itself: exp-echo-\d+@\d+[^]*FAIL silence: none of the 1 record/);
  });
});

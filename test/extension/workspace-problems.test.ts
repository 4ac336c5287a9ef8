/**
 * Each problem of a collection shows once in the Problems view: while the file is open in a tab as JSON, VS Code's own
 * JSON service (fed our schema through jsonValidation) reports syntax and schema errors and we report the rest;
 * closed, open without a tab, or with json.validate.enable off, we report everything.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CollectionIndex } from '../../extension/host/collections/collection-index';
import { api, waitFor, write } from './workspace-helpers';

const TEXT =
  '{\n  "name": "Mixed",\n  "messages": [\n    { "name": "a", "topic": "t", "value": "hello {{nobody_here}}" },\n    { "name": "b", "topic": "t", "count": "ten" }\n  ]\n}\n';
const SCHEMA_AT = new vscode.Position(4, 43); // inside "ten"
const TEMPLATE_AT = new vscode.Position(3, 46); // inside {{nobody_here}}

describe('Problems of a collection open in the editor', () => {
  let file: vscode.Uri;
  let index: CollectionIndex;
  /** What Kafka Workbench itself reports for the file. */
  const ours = () => [...(index.diagnostics.get(file) ?? [])];
  const at = (ds: readonly vscode.Diagnostic[], p: vscode.Position) => ds.filter((d) => d.range.contains(p));

  before(async () => {
    index = (await api()).collections.index;
    file = write('problems/mixed.kafka.json', TEXT);
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
  });

  afterEach(async () => {
    await vscode.workspace
      .getConfiguration('json')
      .update('validate.enable', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('closed: reports the schema error and, in the intact message, the template error', async () => {
    const problems = await waitFor('both problems', () => ours().length === 2 && ours());
    assert.match(at(problems, SCHEMA_AT)[0]?.message ?? '', /whole number/);
    assert.match(at(problems, TEMPLATE_AT)[0]?.message ?? '', /nobody_here/);
  });

  it("open: leaves the schema error to VS Code's JSON service, so each problem shows once", async () => {
    await vscode.commands.executeCommand('vscode.open', file);
    await waitFor(
      'the template problem alone from us',
      () => ours().length === 1 && at(ours(), TEMPLATE_AT).length === 1,
    );
    const all = await waitFor(
      "the JSON service's schema problem",
      () => {
        const d = vscode.languages.getDiagnostics(file);
        return at(d, SCHEMA_AT).some((x) => x.source !== 'Kafka Workbench') && d;
      },
      30_000,
    );
    assert.equal(
      at(all, SCHEMA_AT).length,
      1,
      `the schema error once: ${all.map((d) => `${d.source}: ${d.message}`).join(' | ')}`,
    );
    assert.equal(at(all, TEMPLATE_AT).length, 1, 'the template error once');
    // A refused send still names the first problem, even though VS Code's service is the one showing it.
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', file.fsPath)),
      /messages\[1\]\.count: must be a whole number/,
    );

    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor('both problems from us once the tab is closed', () => ours().length === 2);
    const closed = await waitFor('the JSON service to forget the file', () => {
      const d = vscode.languages.getDiagnostics(file);
      return d.every((x) => x.source === 'Kafka Workbench') && d;
    });
    assert.equal(at(closed, SCHEMA_AT).length, 1);
  });

  it("open without a tab (as extensions open files): reports everything itself, as VS Code's service checks only files in tabs", async () => {
    await vscode.workspace.openTextDocument(file);
    // Either side could (wrongly) change its mind about the opened file. VS Code's JSON service answers documents in
    // the order they open: once it has reported a broken JSON file opened after ours, it has had its say on ours
    // (and our index, told of the open before, too).
    const barrier = write('problems/barrier.json', '{ "broken": }\n');
    await vscode.commands.executeCommand('vscode.open', barrier);
    await waitFor(
      'the JSON service to check a file opened after ours',
      () => vscode.languages.getDiagnostics(barrier).length > 0,
      30_000,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.workspace.fs.delete(barrier);
    assert.equal(ours().length, 2);
    assert.equal(at(vscode.languages.getDiagnostics(file), SCHEMA_AT).length, 1);
  });

  it('open with json.validate.enable off: reports everything itself', async () => {
    await vscode.commands.executeCommand('vscode.open', file);
    await waitFor('the template problem alone from us', () => ours().length === 1);
    await vscode.workspace
      .getConfiguration('json')
      .update('validate.enable', false, vscode.ConfigurationTarget.Workspace);
    await waitFor(
      'both problems from us with JSON validation off',
      () => ours().length === 2 && at(ours(), SCHEMA_AT).length === 1,
    );
    await vscode.workspace
      .getConfiguration('json')
      .update('validate.enable', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('the schema problem left to VS Code again', () => ours().length === 1);
  });
});

/**
 * Collection and environment files open as languages of their own ("Kafka Collection", "Kafka Environment"), so
 * each of their problems shows once, from Kafka Workbench, open or closed: VS Code's JSON service never checks them.
 * The editing help JSON gave them comes from our schemas instead: completion, hover, Format Document, the outline.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CollectionIndex } from '../../extension/host/collections/collection-index';
import { api, waitFor, write } from './workspace-helpers';

const OURS = 'Kafka Workbench';
const TEXT =
  '{\n  "name": "Mixed",\n  "messages": [\n    { "name": "a", "topic": "t", "value": "hello {{nobody_here}}" },\n    { "name": "b", "topic": "t", "count": "ten" }\n  ]\n}\n';
const SCHEMA_AT = new vscode.Position(4, 43); // inside "ten"
const TEMPLATE_AT = new vscode.Position(3, 46); // inside {{nobody_here}}
const SYNTAX_TEXT = '{\n  "name": "Broken",\n  "messages": [\n    { "name": "a" "topic": "t" }\n  ]\n}\n';
const SYNTAX_AT = new vscode.Position(3, 18); // the missing comma, before "topic"

const at = (ds: readonly vscode.Diagnostic[], p: vscode.Position) => ds.filter((d) => d.range.contains(p));
const describe_ = (ds: readonly vscode.Diagnostic[]) => ds.map((d) => `${d.source}: ${d.message}`).join(' | ');

/**
 * Opens a broken plain `.json` file and waits for VS Code's JSON service to report it. The service answers documents
 * in the order they open, so once it has, it has had its say on every file opened before (were it checking them).
 */
async function jsonServiceHasSpoken(): Promise<void> {
  const barrier = write('problems/barrier.json', '{ "broken": }\n');
  await vscode.commands.executeCommand('vscode.open', barrier);
  await waitFor(
    "VS Code's JSON service to check a plain JSON file opened after ours",
    () => vscode.languages.getDiagnostics(barrier).length > 0,
    30_000,
  );
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  await vscode.workspace.fs.delete(barrier);
}

describe('Problems of collection and environment files: one owner', () => {
  let index: CollectionIndex;
  let mixed: vscode.Uri;
  let syntax: vscode.Uri;
  let environment: vscode.Uri;
  const ours = (uri: vscode.Uri) => [...(index.diagnostics.get(uri) ?? [])];

  before(async () => {
    index = (await api()).collections.index;
    mixed = write('problems/mixed.kafka.json', TEXT);
    syntax = write('problems/syntax.kafka.json', SYNTAX_TEXT);
    environment = write('problems/broken.kafka-env.json', '{\n  "connection": { "bootstrap": 7 }\n}\n');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
  });

  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('closed: reports the syntax error, the schema error and, in the intact message, the template error', async () => {
    const problems = await waitFor('both problems', () => ours(mixed).length === 2 && ours(mixed));
    assert.match(at(problems, SCHEMA_AT)[0]?.message ?? '', /whole number/);
    assert.match(at(problems, TEMPLATE_AT)[0]?.message ?? '', /nobody_here/);
    const broken = await waitFor('the syntax problem', () => ours(syntax).length === 1 && ours(syntax));
    assert.match(at(broken, SYNTAX_AT)[0]?.message ?? '', /not valid JSON/);
    const env = await waitFor('the environment problem', () => ours(environment).length === 1 && ours(environment));
    assert.match(env[0].message, /host:port/);
  });

  it('open in tabs: the files are Kafka Collection / Kafka Environment, and each problem shows once, from us', async () => {
    for (const uri of [mixed, syntax, environment]) await vscode.commands.executeCommand('vscode.open', uri);
    const languages = vscode.workspace.textDocuments
      .filter((d) => [mixed, syntax, environment].some((u) => u.toString() === d.uri.toString()))
      .map((d) => d.languageId)
      .sort();
    assert.deepEqual(languages, ['kafka-collection', 'kafka-collection', 'kafka-environment']);
    await jsonServiceHasSpoken();

    const all = vscode.languages.getDiagnostics(mixed);
    assert.equal(all.length, 2, describe_(all));
    assert.ok(
      all.every((d) => d.source === OURS),
      describe_(all),
    );
    assert.equal(at(all, SCHEMA_AT).length, 1, describe_(all));
    assert.equal(at(all, TEMPLATE_AT).length, 1, describe_(all));

    const broken = vscode.languages.getDiagnostics(syntax);
    assert.equal(broken.length, 1, describe_(broken));
    assert.equal(broken[0].source, OURS);
    assert.ok(broken[0].range.contains(SYNTAX_AT), describe_(broken));

    const env = vscode.languages.getDiagnostics(environment);
    assert.equal(env.length, 1, describe_(env));
    assert.equal(env[0].source, OURS);

    // A refused send names the first problem.
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', mixed.fsPath)),
      /messages\[1\]\.count: must be a whole number/,
    );
  });

  it('an edit in the open file: its problems follow the text, still once each', async () => {
    const doc = await vscode.workspace.openTextDocument(syntax);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(3, 17), ','));
    await waitFor('the syntax problem to go', () => vscode.languages.getDiagnostics(syntax).length === 0);
    await editor.edit((e) => e.insert(new vscode.Position(3, 31), ', "count": 0'));
    const after = await waitFor('the schema problem', () => {
      const d = vscode.languages.getDiagnostics(syntax);
      return d.length > 0 && d;
    });
    await jsonServiceHasSpoken();
    const now = vscode.languages.getDiagnostics(syntax);
    assert.equal(now.length, 1, describe_(now));
    assert.match(after[0].message, /whole number/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});

describe('Editing a collection: help from our schemas', () => {
  const ORDERS =
    '{"name":"Orders","messages":[{"name":"new order","topic":"orders","key":"k","producer":{"compression.type":""}},{"name":"cancel","topic":"orders","headers":[["a","b"]]}]}\n';
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;
  const offset = (needle: string, delta = 0) => doc.positionAt(ORDERS.indexOf(needle) + delta);

  beforeEach(async () => {
    uri = write('editing/orders.kafka.json', ORDERS);
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'kafka-collection');
  });

  afterEach(() => vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor'));

  it("completes a message's property names and a setting's enum values", async () => {
    // Just after the first message's "key": its other properties (not those it has).
    const properties = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      offset('"key":"k",', '"key":"k",'.length),
    );
    const labels = properties.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const p of ['value', 'headers', 'partition', 'count', 'keySchema', 'expect'])
      assert.ok(labels.includes(p), `${p} in ${labels.join(', ')}`);
    assert.ok(!labels.includes('topic'), 'a property the message has is not offered again');

    const values = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      offset('"compression.type":""', '"compression.type":"'.length),
    );
    const enumLabels = values.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepEqual(enumLabels.sort(), ['"gzip"', '"lz4"', '"none"', '"snappy"', '"zstd"']);
  });

  it("shows the schema's description on hover", async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      offset('"headers"', 2),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /header/i);
    assert.ok(text.length > 'headers'.length, text);
  });

  it('formats the document with the editor tab size, keeping the final newline', async () => {
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', uri, {
      tabSize: 4,
      insertSpaces: true,
    });
    const edit = new vscode.WorkspaceEdit();
    edit.set(uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(doc.getText(), `${JSON.stringify(JSON.parse(ORDERS), null, 4)}\n`);
  });

  it('lists the messages by name in the outline', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
      'vscode.executeDocumentSymbolProvider',
      uri,
    );
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['name', 'messages'],
    );
    const messages = symbols.find((s) => s.name === 'messages')!;
    assert.deepEqual(
      messages.children.map((m) => [m.name, m.detail]),
      [
        ['new order', 'orders'],
        ['cancel', 'orders'],
      ],
    );
  });
});

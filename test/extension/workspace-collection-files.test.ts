/**
 * The Collections view follows the files: folders deleted or renamed on disk or in VS Code (no Refresh), a send of a
 * file that is gone fails, and a collection's error state and problem count are the same in the view, the save
 * targets and the Problems view (template errors included). Its "name" shows even while the file has errors.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CollectionIndex } from '../../extension/host/collections/collection-index';
import type { CollectionTreeProvider } from '../../extension/host/collections/collection-tree';
import { api, waitFor, workspaceDir, write } from './workspace-helpers';

const ROOT = 'files-test';
const collection = (name: string, value: unknown = 'hello') => ({
  name,
  messages: [{ name: 'm', topic: 'files-topic', value }],
});
const errorsOf = (uri: vscode.Uri) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);

describe('Collections view following files, and one error state everywhere', () => {
  let index: CollectionIndex;
  let tree: CollectionTreeProvider;
  const listed = async (uri: vscode.Uri) => (await tree.getChildren()).find((n) => n.uri.fsPath === uri.fsPath);
  const item = async (uri: vscode.Uri) =>
    tree.getTreeItem(await waitFor(`${path.basename(uri.fsPath)} in the view`, () => listed(uri)));

  before(async () => {
    ({ index, tree } = (await api()).collections);
    await index.ready(); // the first scan is done: from now on, only file events keep the view current
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(workspaceDir(), ROOT), { recursive: true, force: true });
  });

  it('drops the collections of a folder deleted on disk, and refuses to send a file that is gone', async () => {
    const file = write(`${ROOT}/del/x.kafka.json`, collection('Deleted'));
    await waitFor('the new file in the view (no Refresh)', () => listed(file));
    fs.rmSync(path.dirname(file.fsPath), { recursive: true });
    // At once, before any file event: the send reads the file, never the view's copy of it. (A path, not a Uri:
    // with a Uri, as from the view, the error is shown rather than thrown.)
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', file.fsPath)),
      /no longer exists/,
    );
    await waitFor('the entry to leave the view (no Refresh)', async () => !(await listed(file)));
  });

  it('moves the collections of a folder renamed on disk', async () => {
    const before = write(`${ROOT}/sub/y.kafka.json`, collection('Renamed On Disk'));
    await waitFor('the file in the view', () => listed(before));
    const after = vscode.Uri.file(path.join(workspaceDir(), ROOT, 'sub-renamed', 'y.kafka.json'));
    fs.renameSync(path.dirname(before.fsPath), path.dirname(after.fsPath));
    await waitFor(
      'the old path to go and the new one to show (no Refresh)',
      async () => !(await listed(before)) && (await listed(after)),
    );
    assert.equal((await item(after)).label, 'Renamed On Disk');
  });

  it('moves the collections of a folder renamed in VS Code, and a click opens the moved file', async () => {
    const before = write(`${ROOT}/vs/z.kafka.json`, collection('Renamed In VS Code'));
    await waitFor('the file in the view', () => listed(before));
    const folder = vscode.Uri.file(path.dirname(before.fsPath));
    const renamedFolder = vscode.Uri.file(path.join(workspaceDir(), ROOT, 'vs-renamed'));
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(folder, renamedFolder);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = vscode.Uri.joinPath(renamedFolder, 'z.kafka.json');
    await waitFor(
      'the old path to go and the new one to show',
      async () => !(await listed(before)) && (await listed(after)),
    );
    const [message] = await tree.getChildren(await listed(after));
    const open = tree.getTreeItem(message).command;
    assert.equal(
      (open?.arguments?.[0] as vscode.Uri).fsPath,
      after.fsPath,
      'the message opens the file where it is now',
    );
  });

  it('counts a collection whose only problem is a template error as having problems, in the view, Problems and Save', async () => {
    const file = write(`${ROOT}/templates/only.kafka.json`, collection('Template Only', '{{$nope}}'));
    await waitFor('the template problem in Problems', () => errorsOf(file).length === 1);
    const shown = await waitFor('the view to mark it', async () => {
      const i = tree.getTreeItem((await listed(file))!);
      return i.contextValue === 'kafkaCollectionInvalid' && i;
    });
    assert.match(String(shown.description), /^1 problem · /);
    assert.equal((shown.iconPath as vscode.ThemeIcon).id, 'error');
    const [message] = await tree.getChildren(await listed(file));
    assert.equal(tree.getTreeItem(message).contextValue, 'kafkaCollectionMessageInvalid', 'no inline Send');
    assert.ok(!index.saveTargets().some((e) => e.uri.fsPath === file.fsPath), 'not offered as a save target');
    await vscode.workspace.openTextDocument(file); // CodeLens are asked for open documents only
    await waitFor('the top CodeLens to say so instead of "Send all"', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[] | undefined>(
        'vscode.executeCodeLensProvider',
        file,
        10,
      );
      return lenses?.some((l) => l.command?.title.endsWith('1 problem: fix before sending'));
    });

    const valid = write(`${ROOT}/templates/valid.kafka.json`, collection('Valid Target'));
    await waitFor('the valid collection in the view', () => listed(valid));
    assert.ok(
      index.saveTargets().some((e) => e.uri.fsPath === valid.fsPath),
      'a valid collection is offered',
    );
    await vscode.commands.executeCommand('kafkaWorkbench.collections.openInComposer', valid, 'm');
    const textBefore = fs.readFileSync(file.fsPath, 'utf8');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.saveDraft', file.fsPath, 'copy')),
      /has errors/,
    );
    assert.equal(fs.readFileSync(file.fsPath, 'utf8'), textBefore, 'not written');
  });

  it('shows the same problem count as the Problems view, closed and open in a tab', async () => {
    // A schema error, a duplicate message name and a bad topic name: 3 problems, all ours, open or closed, in the
    // view, Problems and the CodeLens.
    const text =
      '{\n  "name": "Counted",\n  "messages": [\n    { "name": "a", "topic": "t", "count": "three" },\n    { "name": "a", "topic": "bad topic!" }\n  ]\n}\n';
    const file = write(`${ROOT}/count/counted.kafka.json`, text);
    const description = async () => String(tree.getTreeItem((await listed(file))!).description);
    const lensTitle = async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[] | undefined>(
        'vscode.executeCodeLensProvider',
        file,
        10,
      );
      return lenses?.find((l) => l.range.start.line === 0 && l.command?.title.includes('fix before sending'))?.command
        ?.title;
    };
    const listedInProblems = () => vscode.languages.getDiagnostics(file);
    const allOurs = () => listedInProblems().every((d) => d.source === 'Kafka Workbench');
    await waitFor(
      '3 problems in Problems and in the view, closed',
      async () => listedInProblems().length === 3 && allOurs() && (await description()).startsWith('3 problems'),
    );
    await vscode.commands.executeCommand('vscode.open', file);
    await waitFor('the CodeLens to say 3 problems, open', async () =>
      (await lensTitle())?.endsWith('3 problems: fix before sending'),
    );
    const summary = () =>
      listedInProblems()
        .map((d) => `${vscode.DiagnosticSeverity[d.severity]} ${d.source}: ${d.message}`)
        .join(' | ');
    assert.ok(listedInProblems().length === 3 && allOurs(), summary());
    assert.ok((await description()).startsWith('3 problems'), await description());
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor(
      'still 3 problems once closed',
      async () => listedInProblems().length === 3 && allOurs() && (await description()).startsWith('3 problems'),
    );
  });

  it('lists a collection with errors by its "name", not its file name', async () => {
    const schema = write(
      `${ROOT}/named/broken.kafka.json`,
      '{\n  "name": "Broken",\n  "messages": [\n    { "name": "bad", "topic": "t", "count": "ten" }\n  ]\n}\n',
    );
    const syntax = write(
      `${ROOT}/named/half.kafka.json`,
      '{\n  "name": "Half Written",\n  "messages": [\n    { "name": "bad", \n',
    );
    const unnamed = write(`${ROOT}/named/unnamed.kafka.json`, '{\n  "name": 42,\n  "messages": []\n}\n');
    const broken = await waitFor('the broken file, marked', async () => {
      const node = await listed(schema);
      return node && tree.getTreeItem(node).contextValue === 'kafkaCollectionInvalid' && tree.getTreeItem(node);
    });
    assert.equal(broken.label, 'Broken');
    assert.equal((await item(syntax)).label, 'Half Written');
    assert.equal((await item(unnamed)).label, 'unnamed', 'no readable name: the file name');
  });
});

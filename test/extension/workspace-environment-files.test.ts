/**
 * Environment files followed on disk: their problems clear when the file is fixed or deleted (also after its tab was
 * closed), and the Collections view's description (the active environment's short name) says when the file is gone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CollectionIndex } from '../../extension/host/collections/collection-index';
import type { EnvironmentState } from '../../extension/host/collections/environments';
import { api, waitFor, workspaceDir, write, writeSeen } from './workspace-helpers';

const ROOT = 'env-files-test';
const PLAIN_PASSWORD = {
  connection: { bootstrap: 'localhost:9092', sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' } },
};
const SECRET_PASSWORD = {
  connection: { bootstrap: 'localhost:9092', sasl: { mechanism: 'plain', username: 'u', password: '{{$secret:PW}}' } },
};

describe('Environment files followed on disk', () => {
  let index: CollectionIndex;
  let environments: EnvironmentState;
  const ours = (uri: vscode.Uri) => [...(index.diagnostics.get(uri) ?? [])];

  before(async () => {
    ({ index, environments } = (await api()).collections);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(() => fs.rmSync(path.join(workspaceDir(), ROOT), { recursive: true, force: true }));

  /** Opens the file in a tab and closes it, as a user glancing at it: its problem stays with us. */
  async function openAndClose(uri: vscode.Uri): Promise<void> {
    await vscode.commands.executeCommand('vscode.open', uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor(`our problem for ${path.basename(uri.fsPath)} once its tab is closed`, () =>
      ours(uri).some((d) => /secret reference/.test(d.message)),
    );
  }

  it('clears the problems of an environment file deleted on disk after its tab was closed', async () => {
    const bad = write(`${ROOT}/bad.kafka-env.json`, PLAIN_PASSWORD);
    await openAndClose(bad);
    fs.rmSync(bad.fsPath);
    await waitFor(
      'the problem to go with the file',
      () => ours(bad).length === 0 && vscode.languages.getDiagnostics(bad).length === 0,
    );
  });

  it('clears the problems of an environment file fixed on disk after its tab was closed', async () => {
    const bad = write(`${ROOT}/bad2.kafka-env.json`, PLAIN_PASSWORD);
    await openAndClose(bad);
    write(`${ROOT}/bad2.kafka-env.json`, SECRET_PASSWORD);
    await waitFor(
      'the problem to clear once the file is fixed',
      () => vscode.languages.getDiagnostics(bad).length === 0,
    );
  });

  it('clears the problems of environment files in a folder deleted on disk', async () => {
    const bad = write(`${ROOT}/folder/bad3.kafka-env.json`, PLAIN_PASSWORD);
    await openAndClose(bad);
    fs.rmSync(path.dirname(bad.fsPath), { recursive: true });
    await waitFor('the problem to go with the folder', () => vscode.languages.getDiagnostics(bad).length === 0);
  });

  it('shows the problems of the active environment broken on disk, never opened', async () => {
    const env = await writeSeen(`${ROOT}/active/sbx.kafka-env.json`, { variables: { region: 'eu' } });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env.fsPath);
    assert.equal(vscode.languages.getDiagnostics(env).length, 0, 'a valid environment has no problems');
    write(`${ROOT}/active/sbx.kafka-env.json`, { variables: { region: 'eu' }, extra: true });
    const problems = await waitFor('the unknown key in Problems without opening the file', () => {
      const d = vscode.languages.getDiagnostics(env);
      return d.length > 0 && d;
    });
    assert.ok(
      problems.some((d) => d.severity === vscode.DiagnosticSeverity.Error && /extra/.test(d.message)),
      problems.map((d) => d.message).join(' | '),
    );
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === env.fsPath), 'the file was never opened');
    write(`${ROOT}/active/sbx.kafka-env.json`, { variables: { region: 'eu' } });
    await waitFor('the problem to clear once fixed on disk', () => vscode.languages.getDiagnostics(env).length === 0);
  });

  it('checks every environment file in the workspace, as collections are, without opening them', async () => {
    const broken = write(`${ROOT}/scanned/other.kafka-env.json`, { variables: {}, extra: 1 });
    await index.rescan(); // as a Refresh, or the first scan, finds it
    await waitFor('the problem of an environment file never opened nor active', () =>
      ours(broken).some((d) => /extra/.test(d.message)),
    );
    const later = write(`${ROOT}/scanned/later.kafka-env.json`, { variables: {}, extra: 2 });
    await waitFor('a file made after the scan, checked as it comes', () => ours(later).length > 0);
    fs.rmSync(path.join(workspaceDir(), ROOT, 'scanned'), { recursive: true });
    await waitFor('their problems to go with the folder', () => ours(broken).length === 0 && ours(later).length === 0);
  });

  it('names the active environment shortly, and says when its file is gone', async () => {
    // Seen by the watcher first, else it merges "created" and "deleted" into nothing.
    const env = await writeSeen(`${ROOT}/prod-eu.kafka-env.json`, { variables: { region: 'eu' } });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env.fsPath);
    assert.equal(await environments.label(), 'prod-eu', 'the name alone: the title bar has little room');
    let changes = 0;
    const subscription = environments.onDidChange(() => changes++);
    try {
      fs.rmSync(env.fsPath);
      await waitFor('the view to be told the file is gone', () => changes > 0);
      assert.equal(await environments.label(), 'prod-eu (missing)');
      write(`${ROOT}/prod-eu.kafka-env.json`, { variables: { region: 'eu' } });
      await waitFor('the file back', async () => (await environments.label()) === 'prod-eu');
    } finally {
      subscription.dispose();
    }
  });

  it('says the active environment is missing when its folder is deleted, and follows a rename in VS Code', async () => {
    const env = write(`${ROOT}/team/secure.kafka-env.json`, { variables: { region: 'us' } });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env.fsPath);
    const renamed = vscode.Uri.file(path.join(workspaceDir(), ROOT, 'team-renamed'));
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(path.dirname(env.fsPath)), renamed);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(
      'the active environment to follow the rename',
      () => environments.activeUri()?.fsPath === path.join(renamed.fsPath, 'secure.kafka-env.json'),
    );
    assert.equal(await environments.label(), 'secure');
    let changes = 0;
    const subscription = environments.onDidChange(() => changes++);
    try {
      fs.rmSync(renamed.fsPath, { recursive: true });
      await waitFor('the view to be told the folder is gone', () => changes > 0);
      assert.equal(await environments.label(), 'secure (missing)');
    } finally {
      subscription.dispose();
    }
  });
});

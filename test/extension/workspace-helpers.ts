/** Shared by the extension-host tests that work on files in the test workspace. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkbenchApi } from '../../extension/host/activate';

const EXTENSION_ID = 'kafka-workbench.kafka-workbench';

export async function api(): Promise<WorkbenchApi> {
  const ext = vscode.extensions.getExtension<WorkbenchApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.isActive ? ext.exports : ext.activate();
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
}

/** Writes a file behind VS Code's back (JSON for anything but a string). */
export function write(rel: string, content: unknown): vscode.Uri {
  const file = path.join(workspaceDir(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  return vscode.Uri.file(file);
}

/**
 * Writes a file behind VS Code's back and resolves once VS Code's file watcher has reported it: events close
 * together are merged by the watcher (a created-then-deleted file reports nothing), so a test that deletes or
 * rewrites the file next waits for this first.
 */
export async function writeSeen(rel: string, content: unknown): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, rel));
  let seen = false;
  const subscriptions = [watcher.onDidCreate(() => (seen = true)), watcher.onDidChange(() => (seen = true))];
  try {
    const uri = write(rel, content);
    // A file written in a folder made the same instant can go unreported (the recursive watcher is still adding the
    // folder): written again every 2 s until the watcher reports it, as a user saving twice would.
    let writtenAt = Date.now();
    await waitFor(`VS Code's file watcher to report ${rel}`, () => {
      if (!seen && Date.now() - writtenAt > 2000) {
        write(rel, content);
        writtenAt = Date.now();
      }
      return seen;
    });
    return uri;
  } finally {
    subscriptions.forEach((s) => s.dispose());
    watcher.dispose();
  }
}

/** Replaces a file's text through VS Code and saves it, as a user editing it would. */
export async function editAndSave(uri: vscode.Uri, text: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save());
}

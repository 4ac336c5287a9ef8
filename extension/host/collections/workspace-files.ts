/** Small helpers for the files the collections feature creates in the workspace. */
import * as vscode from 'vscode';
import { InvalidInputError } from '../../core/util/errors';

export async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** A file name stem from a display name: "Orders EU" → "orders-eu"; letters of any script are kept ("Ørders" → "ørders"). */
export function slug(name: string, fallback: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}._-]+/gu, '-')
      .replace(/^[-.]+|-+$/g, '') || fallback
  );
}

/** The workspace folder new files go to: the given one, the only one, or the one the user picks. */
export async function targetFolder(given: vscode.Uri | undefined, what: string): Promise<vscode.Uri | undefined> {
  if (given) return given;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new InvalidInputError(`Open a folder first: ${what} are files in the workspace.`);
  if (folders.length === 1) return folders[0].uri;
  return (await vscode.window.showWorkspaceFolderPick({ placeHolder: `Workspace folder for the new file (${what})` }))
    ?.uri;
}

/** Refuses an existing file: creating never overwrites anything. */
export async function refuseExisting(uri: vscode.Uri, hint: string): Promise<void> {
  if (await fileExists(uri))
    throw new InvalidInputError(`${vscode.workspace.asRelativePath(uri)} already exists: ${hint}.`);
}

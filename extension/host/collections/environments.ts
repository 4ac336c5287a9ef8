/**
 * The active environment (`*.kafka-env.json`, remembered per workspace) and the secrets its templates name.
 * Secrets live only in VS Code's SecretStorage under `kafkaWorkbench.secret.NAME`: nothing here writes a file.
 */
import * as vscode from 'vscode';
import type { LoadedEnvironment, SecretResolver } from '../../core/collections';
import { ENVIRONMENT_GLOB, collectionsCore } from './collections-core';
import { fileExists } from './workspace-files';

const ACTIVE_KEY = 'kafkaWorkbench.activeEnvironment';
const SECRET_PREFIX = 'kafkaWorkbench.secret.';
export const SECRET_NAME = /^[A-Za-z0-9_.-]+$/;

export class EnvironmentState implements vscode.Disposable {
  private cached: Promise<LoadedEnvironment | undefined> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The active environment was chosen, cleared or edited. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly context: vscode.ExtensionContext) {
    const onEdit = (uri: vscode.Uri) => {
      if (uri.toString() === this.activeUri()?.toString()) this.invalidate();
    };
    // A deleted folder is one event for the folder, which the file glob does not match.
    const onGone = (gone: vscode.Uri) => {
      const active = this.activeUri();
      if (active && isWithin(active, gone)) this.invalidate();
    };
    // Saved in VS Code, or changed on disk behind its back (the watcher may be slow, hence both).
    const watcher = vscode.workspace.createFileSystemWatcher(ENVIRONMENT_GLOB);
    const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    this.disposables.push(
      watcher,
      watcher.onDidChange(onEdit),
      watcher.onDidCreate(onEdit),
      watcher.onDidDelete(onEdit),
      deletions,
      deletions.onDidDelete(onGone),
      vscode.workspace.onDidSaveTextDocument((d) => onEdit(d.uri)),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach(onGone)),
      vscode.workspace.onDidRenameFiles((e) =>
        e.files.forEach(({ oldUri, newUri }) => void this.followRename(oldUri, newUri)),
      ),
    );
  }

  activeUri(): vscode.Uri | undefined {
    const stored = this.context.workspaceState.get<string>(ACTIVE_KEY);
    return stored ? vscode.Uri.parse(stored) : undefined;
  }

  /**
   * For the Collections view's title bar, where the toolbar leaves little room: the file's name, and whether it is
   * missing (deleted or moved outside VS Code; sends then fail until it is back or another is chosen).
   */
  async label(): Promise<string | undefined> {
    const uri = this.activeUri();
    if (!uri) return undefined;
    const name = uri.path
      .split('/')
      .pop()!
      .replace(/\.kafka-env\.json$/, '');
    return (await fileExists(uri)) ? name : `${name} (missing)`;
  }

  /** Renamed or moved in VS Code (the file or a folder above it): the active environment stays active. */
  private async followRename(oldUri: vscode.Uri, newUri: vscode.Uri): Promise<void> {
    const active = this.activeUri();
    if (!active || !isWithin(active, oldUri)) return;
    const moved = vscode.Uri.joinPath(newUri, active.path.slice(oldUri.path.length));
    await this.context.workspaceState.update(ACTIVE_KEY, moved.toString());
    this.invalidate();
  }

  async setActive(uri: vscode.Uri | undefined): Promise<void> {
    if (uri) await this.loadFrom(uri); // refuse an environment that does not load, with its first problem
    await this.context.workspaceState.update(ACTIVE_KEY, uri?.toString());
    this.invalidate();
  }

  /** The active environment, loaded (undefined when none is active). Throws the file's first problem. */
  load(): Promise<LoadedEnvironment | undefined> {
    const uri = this.activeUri();
    if (!uri) return Promise.resolve(undefined);
    this.cached ??= this.loadFrom(uri).catch((e: unknown) => {
      this.cached = undefined;
      throw e;
    });
    return this.cached;
  }

  /** For diagnostics: the environment, or undefined when it is missing or broken (its own file shows why). */
  async loadQuietly(): Promise<LoadedEnvironment | undefined> {
    return this.load().catch(() => undefined);
  }

  private loadFrom(uri: vscode.Uri): Promise<LoadedEnvironment> {
    return collectionsCore().loadEnvironmentFile(uri.fsPath);
  }

  private invalidate(): void {
    this.cached = undefined;
    this.changed.fire();
  }

  readonly secrets: SecretResolver = async (name) => this.context.secrets.get(SECRET_PREFIX + name);

  async setSecret(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name))
      throw new Error(`Secret name "${name}" must use letters, digits, "_", "." or "-" (as in {{$secret:NAME}}).`);
    await this.context.secrets.store(SECRET_PREFIX + name, value);
  }

  async deleteSecret(name: string): Promise<void> {
    await this.context.secrets.delete(SECRET_PREFIX + name);
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/** Whether `uri` is `place` or inside it (`place` a deleted or renamed file or folder). */
export function isWithin(uri: vscode.Uri, place: vscode.Uri): boolean {
  if (uri.scheme !== place.scheme || uri.authority !== place.authority) return false;
  const base = place.path.replace(/\/+$/, '');
  return uri.path === base || uri.path.startsWith(`${base}/`);
}

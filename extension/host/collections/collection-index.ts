/**
 * Every `*.kafka.json` in the workspace, parsed: from the open editor's text when the file is open (so CodeLens and
 * Problems follow unsaved edits), else from disk. Feeds the Collections view, CodeLens and the Problems view
 * (parse, schema and template errors; while VS Code's JSON service checks an open file, syntax and schema errors are
 * left to it). Scans lazily: nothing is read until the view, an editor or a command asks.
 */
import * as vscode from 'vscode';
import type { Diagnostic as CoreDiagnostic, LoadedCollection, ParsedCollection } from '../../core/collections';
import { COLLECTION_GLOB, collectionsCore, isCollectionPath, isEnvironmentPath } from './collections-core';
import type { EnvironmentState } from './environments';

export interface CollectionEntry {
  uri: vscode.Uri;
  parsed: ParsedCollection;
}

export class CollectionIndex implements vscode.Disposable {
  private readonly entries = new Map<string, CollectionEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('kafka-collections');
  private scanned: Promise<void> | undefined;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.diagnostics];

  constructor(private readonly environments: EnvironmentState) {
    const watcher = vscode.workspace.createFileSystemWatcher(COLLECTION_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.scanned && this.refreshQuietly(uri)),
      watcher.onDidChange((uri) => this.scanned && this.refreshQuietly(uri)),
      watcher.onDidDelete((uri) => this.remove(uri)),
      // Files made, removed or renamed from within VS Code, even where the file watcher is slow or missing.
      vscode.workspace.onDidCreateFiles((e) => this.scanned && e.files.filter((u) => isCollectionPath(u.fsPath)).forEach((u) => this.refreshQuietly(u))),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => this.entries.has(u.toString()) && this.remove(u))),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach(({ oldUri, newUri }) => {
        if (this.entries.has(oldUri.toString())) this.remove(oldUri);
        if (this.scanned && isCollectionPath(newUri.fsPath)) this.refreshQuietly(newUri);
      })),
      vscode.workspace.onDidOpenTextDocument((d) => this.onDocument(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocument(e.document, 300)),
      // Shown in or gone from a tab, or closed: whether VS Code's JSON service checks the file changes with it.
      vscode.workspace.onDidCloseTextDocument((d) => this.relintFile(d.uri)),
      vscode.window.tabGroups.onDidChangeTabs((e) => [...e.opened, ...e.closed].forEach((t) => { const u = tabUri(t); if (u) this.relintFile(u); })),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('json.validate.enable') && this.relintForJsonSetting()),
      environments.onDidChange(() => void this.relintAll()),
    );
    for (const d of vscode.workspace.textDocuments) this.onDocument(d, 0);
  }

  /** Finds and parses every collection in the workspace (once; the watcher keeps it current). */
  ready(): Promise<void> {
    this.scanned ??= this.rescan();
    return this.scanned;
  }

  /** Looks for collections again: for files made behind VS Code's back when the file watcher is not told. */
  async rescan(): Promise<void> {
    const uris = await vscode.workspace.findFiles(COLLECTION_GLOB, '**/node_modules/**', 1000);
    const found = new Set(uris.map((u) => u.toString()));
    for (const [key, e] of this.entries) {
      if (!found.has(key)) {
        this.entries.delete(key);
        this.diagnostics.delete(e.uri);
      }
    }
    await Promise.all(uris.map((u) => this.refreshFromDisk(u, false).catch(() => undefined)));
    this.changed.fire();
  }

  /** Sorted by collection name. */
  list(): CollectionEntry[] {
    return [...this.entries.values()].sort((a, b) => displayName(a).localeCompare(displayName(b)) || a.uri.fsPath.localeCompare(b.uri.fsPath));
  }

  get(uri: vscode.Uri): CollectionEntry | undefined {
    return this.entries.get(uri.toString());
  }

  /** The latest parse of a file, reading it if it was not indexed yet. */
  async entry(uri: vscode.Uri): Promise<CollectionEntry> {
    return this.get(uri) ?? (await this.refreshFromDisk(uri));
  }

  /** A collection ready for the runner, or an error naming the first problem (a file with errors is never sent). */
  async loaded(uri: vscode.Uri): Promise<LoadedCollection> {
    const { parsed } = await this.entry(uri);
    const collection = collectionsCore().requireValid(parsed);
    return { filePath: uri.fsPath, collection, source: parsed.source };
  }

  private onDocument(doc: vscode.TextDocument, delayMs: number): void {
    if (doc.uri.scheme !== 'file') return;
    if (isEnvironmentPath(doc.uri.fsPath)) {
      this.lintEnvironment(doc.uri, doc.getText());
      return;
    }
    if (!isCollectionPath(doc.uri.fsPath)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.update(doc.uri, doc.getText());
    }, delayMs));
  }

  /** Parses and reports one file again, from its open text or else from disk. */
  private relintFile(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    if (isCollectionPath(uri.fsPath)) this.refreshQuietly(uri);
    else if (isEnvironmentPath(uri.fsPath)) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (open) this.lintEnvironment(uri, open.getText());
      else vscode.workspace.fs.readFile(uri).then((bytes) => this.lintEnvironment(uri, fileText(bytes)), () => this.diagnostics.delete(uri));
    }
  }

  private lintEnvironment(uri: vscode.Uri, text: string): void {
    this.report(uri, collectionsCore().parseEnvironmentText(text, uri.fsPath).diagnostics);
  }

  /** Parses the file again (the open editor's text if it is open). */
  reload(uri: vscode.Uri): Promise<CollectionEntry> {
    return this.refreshFromDisk(uri);
  }

  async reloadAll(): Promise<void> {
    await this.relintAll();
  }

  /** For events: a file that is gone by the time it is read (deleted, renamed) leaves the index. */
  private refreshQuietly(uri: vscode.Uri): void {
    this.refreshFromDisk(uri).catch(() => this.entries.has(uri.toString()) && this.remove(uri));
  }

  private async refreshFromDisk(uri: vscode.Uri, fire = true): Promise<CollectionEntry> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open ? open.getText() : fileText(await vscode.workspace.fs.readFile(uri));
    return this.update(uri, text, fire);
  }

  private async update(uri: vscode.Uri, text: string, fire = true): Promise<CollectionEntry> {
    const core = collectionsCore();
    const parsed = core.parseCollectionText(text, uri.path.split('/').pop() ?? uri.fsPath);
    const entry = { uri, parsed };
    this.entries.set(uri.toString(), entry);
    await this.lint(entry);
    if (fire) this.changed.fire();
    return entry;
  }

  private async lint(entry: CollectionEntry): Promise<void> {
    const environment = await this.environments.loadQuietly();
    const problems = [...entry.parsed.diagnostics, ...collectionsCore().templateDiagnostics(entry.parsed, entry.uri.fsPath, environment)];
    this.report(entry.uri, problems);
  }

  /** Sets the file's problems, leaving out those VS Code's JSON service shows for it right now. */
  private report(uri: vscode.Uri, problems: CoreDiagnostic[]): void {
    const shown = jsonServiceValidates(uri) ? problems.filter((d) => !d.kind) : problems;
    this.diagnostics.set(uri, shown.map(toVscodeDiagnostic));
  }

  private async relintAll(): Promise<void> {
    for (const e of this.entries.values()) await this.lint(e);
  }

  /** After `json.validate.enable` changed: every collection, and the open environment files. */
  private relintForJsonSetting(): void {
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === 'file' && isEnvironmentPath(d.uri.fsPath)) this.lintEnvironment(d.uri, d.getText());
    void this.relintAll();
  }

  private remove(uri: vscode.Uri): void {
    this.entries.delete(uri.toString());
    this.diagnostics.delete(uri);
    this.changed.fire();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

export function displayName(e: CollectionEntry): string {
  return e.parsed.value?.name ?? e.uri.path.split('/').pop()!.replace(/\.kafka\.json$/, '');
}

export function errorCount(e: CollectionEntry): number {
  return e.parsed.diagnostics.filter((d) => d.severity === 'error').length;
}

/**
 * Whether VS Code's JSON language service checks this file's syntax and schema now: package.json maps our schemas
 * with `jsonValidation`, and its client asks for the problems of documents open as JSON and shown in a tab, while
 * `json.validate.enable` is on; it forgets them when the tab or the document closes.
 */
export function jsonServiceValidates(uri: vscode.Uri): boolean {
  const key = uri.toString();
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  if (doc?.languageId !== 'json' || vscode.workspace.getConfiguration('json', doc).get<boolean>('validate.enable') === false) return false;
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === key));
}

/** The file a text tab shows (the edited side of a diff). */
function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  const input = tab.input;
  return input instanceof vscode.TabInputText ? input.uri : input instanceof vscode.TabInputTextDiff ? input.modified : undefined;
}

/** A file's bytes as text, without a leading byte order mark (TextDecoder drops it), as the editor shows it. */
function fileText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function toVscodeDiagnostic(d: CoreDiagnostic): vscode.Diagnostic {
  const r = d.range;
  const diag = new vscode.Diagnostic(
    new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
    d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diag.source = 'Kafka Workbench';
  return diag;
}


/**
 * Every `*.kafka.json` in the workspace, parsed: from the open editor's text when the file is open (so CodeLens and
 * Problems follow unsaved edits), else from disk. Feeds the Collections view, CodeLens and the Problems view
 * (parse, schema and template errors). These files have languages of their own (see kafka-json-editing.ts), so VS
 * Code's JSON service never checks them: each of their problems shows once, from here. Scans lazily: nothing is read
 * until the view, an editor or a command asks. The scan checks every `*.kafka-env.json` too, so environment files'
 * problems show without opening them; the active environment's file is checked at once, scan or not.
 */
import * as vscode from 'vscode';
import type { Diagnostic as CoreDiagnostic, LoadedCollection, ParsedCollection } from '../../core/collections';
import type { SchemaRegistryClient } from '../../core/schema-registry/client';
import { InvalidInputError } from '../../core/util/errors';
import {
  COLLECTION_GLOB,
  ENVIRONMENT_GLOB,
  collectionsCore,
  isCollectionPath,
  isEnvironmentPath,
} from './collections-core';
import { type EnvironmentState, isWithin } from './environments';
import { fileExists } from './workspace-files';

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
  /** Environment files we have reported on (opened once): their problems follow the file on disk from then on. */
  private readonly environmentFiles = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.diagnostics];

  constructor(
    private readonly environments: EnvironmentState,
    /** The registry keySchema / valueSchema are checked against, when there is one. */
    private readonly schemaRegistry: () => Promise<SchemaRegistryClient | undefined> = async () => undefined,
  ) {
    const collections = vscode.workspace.createFileSystemWatcher(COLLECTION_GLOB, false, false, true);
    const environmentFiles = vscode.workspace.createFileSystemWatcher(ENVIRONMENT_GLOB, false, false, true);
    // Deleting or moving a folder is one event for the folder, which no file glob matches: watch every path.
    const anyPath = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      collections,
      environmentFiles,
      anyPath,
      collections.onDidCreate((uri) => this.scanned && this.refreshFromWatcher(uri)),
      collections.onDidChange((uri) => this.scanned && this.refreshFromWatcher(uri)),
      environmentFiles.onDidCreate((uri) => this.relintEnvironmentFile(uri)),
      environmentFiles.onDidChange((uri) => this.relintEnvironmentFile(uri)),
      anyPath.onDidDelete((uri) => this.forgetWithin(uri)),
      anyPath.onDidCreate((uri) => void this.scanIfFolder(uri)),
      // Files made, removed or renamed from within VS Code, even where the file watcher is slow or missing.
      vscode.workspace.onDidCreateFiles((e) =>
        e.files.forEach((u) => {
          if (isCollectionPath(u.fsPath)) {
            if (this.scanned) this.refreshFromWatcher(u);
          } else if (isEnvironmentPath(u.fsPath)) this.relintEnvironmentFile(u);
          else void this.scanIfFolder(u);
        }),
      ),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => this.forgetWithin(u))),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach(({ oldUri, newUri }) => this.moved(oldUri, newUri))),
      vscode.workspace.onDidOpenTextDocument((d) => this.onDocument(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocument(e.document, 300)),
      // Closed (unsaved edits dropped, perhaps): the problems follow the file on disk again.
      vscode.workspace.onDidCloseTextDocument((d) => this.relintFile(d.uri)),
      environments.onDidChange(() => {
        this.lintActiveEnvironment();
        void this.relintAll();
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.onDocument(d, 0);
    // The active environment is checked at once, even before the workspace is scanned: a broken one stops every send.
    this.lintActiveEnvironment();
  }

  /** Finds and parses every collection in the workspace (once; the watcher keeps it current). */
  ready(): Promise<void> {
    this.scanned ??= this.rescan();
    return this.scanned;
  }

  /**
   * Looks for collections and environment files again: for files made behind VS Code's back when the file watcher is
   * not told. Environment files are checked like collections, so their problems show without opening them.
   */
  async rescan(): Promise<void> {
    const [uris, environmentUris] = await Promise.all([
      vscode.workspace.findFiles(COLLECTION_GLOB, '**/node_modules/**', 1000),
      vscode.workspace.findFiles(ENVIRONMENT_GLOB, '**/node_modules/**', 1000),
    ]);
    const environmentsFound = new Set(environmentUris.map((u) => u.toString()));
    for (const key of [...this.environmentFiles]) {
      if (environmentsFound.has(key)) continue;
      this.environmentFiles.delete(key);
      this.diagnostics.delete(vscode.Uri.parse(key));
    }
    await Promise.all(environmentUris.map((u) => this.lintEnvironmentFile(u)));
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
    return [...this.entries.values()].sort(
      (a, b) => displayName(a).localeCompare(displayName(b)) || a.uri.fsPath.localeCompare(b.uri.fsPath),
    );
  }

  get(uri: vscode.Uri): CollectionEntry | undefined {
    return this.entries.get(uri.toString());
  }

  /** The latest parse of a file, reading it if it was not indexed yet. */
  async entry(uri: vscode.Uri): Promise<CollectionEntry> {
    return this.get(uri) ?? (await this.refreshFromDisk(uri));
  }

  /** Collections a record may be saved into: those without errors of any kind (the same test as the view's icon). */
  saveTargets(): CollectionEntry[] {
    return this.list().filter((e) => !hasErrors(e));
  }

  /**
   * A collection ready for the runner, read again now (never an older parse: the file may be gone or changed), or an
   * error naming the first problem (a file with errors is never sent).
   */
  async loaded(uri: vscode.Uri): Promise<LoadedCollection> {
    const { parsed } = await this.current(uri);
    const collection = collectionsCore().requireValid(parsed);
    return { filePath: uri.fsPath, collection, source: parsed.source };
  }

  /** The file's parse as it is now; a file deleted on disk (even if still open in an editor) leaves the index. */
  private async current(uri: vscode.Uri): Promise<CollectionEntry> {
    if (!(await fileExists(uri))) {
      this.forgetWithin(uri);
      throw new InvalidInputError(
        `${vscode.workspace.asRelativePath(uri)} no longer exists (deleted, moved or renamed).`,
      );
    }
    return this.refreshFromDisk(uri);
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
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.update(doc.uri, doc.getText());
      }, delayMs),
    );
  }

  /** Parses and reports one file again, from its open text or else from disk. */
  private relintFile(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    if (isCollectionPath(uri.fsPath)) this.refreshQuietly(uri);
    else if (isEnvironmentPath(uri.fsPath)) void this.lintEnvironmentFile(uri);
  }

  /** An environment file from its open text, else from disk (a file gone by then has no problems). */
  private lintEnvironmentFile(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) {
      this.lintEnvironment(uri, open.getText());
      return Promise.resolve();
    }
    return Promise.resolve(vscode.workspace.fs.readFile(uri)).then(
      (bytes) => this.lintEnvironment(uri, fileText(bytes)),
      () => {
        this.environmentFiles.delete(uri.toString());
        this.diagnostics.delete(uri);
      },
    );
  }

  /** The active environment's file: its problems show in the Problems view, opened or not. */
  private lintActiveEnvironment(): void {
    const active = this.environments.activeUri();
    if (active?.scheme === 'file') void this.lintEnvironmentFile(active);
  }

  private lintEnvironment(uri: vscode.Uri, text: string): void {
    this.environmentFiles.add(uri.toString());
    this.report(uri, collectionsCore().parseEnvironmentText(text, uri.fsPath).diagnostics);
  }

  /**
   * An environment file made or changed on disk: checked again once the workspace was scanned (every environment file
   * is then), or when it is one we report on or the active one; its problems must not go stale.
   */
  private relintEnvironmentFile(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    if (
      this.scanned ||
      this.environmentFiles.has(uri.toString()) ||
      uri.toString() === this.environments.activeUri()?.toString()
    )
      void this.lintEnvironmentFile(uri);
  }

  /** A file or folder is gone: its collections leave the view, its (and its environment files') problems go. */
  private forgetWithin(gone: vscode.Uri): void {
    const collections = [...this.entries.values()].filter((e) => isWithin(e.uri, gone));
    for (const e of collections) {
      this.entries.delete(e.uri.toString());
      this.diagnostics.delete(e.uri);
    }
    for (const key of [...this.environmentFiles]) {
      const uri = vscode.Uri.parse(key);
      if (!isWithin(uri, gone)) continue;
      this.environmentFiles.delete(key);
      this.diagnostics.delete(uri);
    }
    if (collections.length) this.changed.fire();
  }

  /** Renamed or moved in VS Code (a file or a folder): what was under the old path is read under the new one. */
  private moved(oldUri: vscode.Uri, newUri: vscode.Uri): void {
    const movedEnvironments = [...this.environmentFiles]
      .map((k) => vscode.Uri.parse(k))
      .filter((u) => isWithin(u, oldUri));
    this.forgetWithin(oldUri);
    movedEnvironments.forEach((u) => this.relintFile(vscode.Uri.joinPath(newUri, u.path.slice(oldUri.path.length))));
    if (isCollectionPath(newUri.fsPath)) {
      if (this.scanned) this.refreshQuietly(newUri);
    } else void this.scanIfFolder(newUri);
  }

  /** A folder made or moved into the workspace: one event for the folder, none for the collections inside it. */
  private async scanIfFolder(uri: vscode.Uri): Promise<void> {
    if (
      !this.scanned ||
      uri.scheme !== 'file' ||
      isCollectionPath(uri.fsPath) ||
      isEnvironmentPath(uri.fsPath) ||
      /\/(node_modules|\.git)(\/|$)/.test(uri.path)
    )
      return;
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    if (!stat || !(stat.type & vscode.FileType.Directory)) return;
    const found = await vscode.workspace.findFiles(
      new vscode.RelativePattern(uri, COLLECTION_GLOB),
      '**/node_modules/**',
      1000,
    );
    found.forEach((u) => this.refreshQuietly(u));
    const environmentFiles = await vscode.workspace.findFiles(
      new vscode.RelativePattern(uri, ENVIRONMENT_GLOB),
      '**/node_modules/**',
      1000,
    );
    environmentFiles.forEach((u) => void this.lintEnvironmentFile(u));
  }

  /** Parses the file again (the open editor's text if it is open). */
  reload(uri: vscode.Uri): Promise<CollectionEntry> {
    return this.refreshFromDisk(uri);
  }

  async reloadAll(): Promise<void> {
    await this.relintAll();
  }

  /** For events: a file that is gone by the time it is read (deleted, renamed) leaves the index. */
  private refreshQuietly(uri: vscode.Uri, unlessUnchanged = false): void {
    this.refreshFromDisk(uri, true, unlessUnchanged).catch(() => this.entries.has(uri.toString()) && this.remove(uri));
  }

  /** A file event: often about a file already read as it is (see refreshFromDisk's `unlessUnchanged`). */
  private refreshFromWatcher(uri: vscode.Uri): void {
    this.refreshQuietly(uri, true);
  }

  /**
   * `unlessUnchanged`: for watcher events, which often report a file already read as it is (after Refresh, or our
   * own save). Re-rendering the view for nothing would make a click landing at that moment lose its item: the
   * command then runs without it (and "Send all" sent the active editor's collection instead).
   */
  private async refreshFromDisk(uri: vscode.Uri, fire = true, unlessUnchanged = false): Promise<CollectionEntry> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open ? open.getText() : fileText(await vscode.workspace.fs.readFile(uri));
    const known = this.entries.get(uri.toString());
    if (unlessUnchanged && known?.parsed.source.text === text) return known;
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

  /** Every problem of the file, kept with its parse (see `problems`) and shown in the Problems view. */
  private async lint(entry: CollectionEntry): Promise<void> {
    const environment = await this.environments.loadQuietly();
    const problems = [
      ...entry.parsed.diagnostics,
      ...collectionsCore().templateDiagnostics(entry.parsed, entry.uri.fsPath, environment),
      ...(await this.registryProblems(entry)),
    ];
    problemsOfParse.set(entry.parsed, problems);
    // Not when a newer parse, or the file's removal, came while the environment loaded: that one is what shows.
    if (this.entries.get(entry.uri.toString()) === entry) this.report(entry.uri, problems);
  }

  /** keySchema / valueSchema problems from the registry, when a message has one and a registry answers. */
  private async registryProblems(entry: CollectionEntry): Promise<CoreDiagnostic[]> {
    if (!entry.parsed.value?.messages.some((m) => m.keySchema || m.valueSchema)) return [];
    const registry = await this.schemaRegistry().catch(() => undefined);
    if (!registry) return [];
    return collectionsCore()
      .schemaDiagnostics(entry.parsed, registry)
      .catch(() => []);
  }

  private report(uri: vscode.Uri, problems: CoreDiagnostic[]): void {
    this.diagnostics.set(uri, problems.map(toVscodeDiagnostic));
  }

  private async relintAll(): Promise<void> {
    for (const e of [...this.entries.values()]) await this.lint(e);
    this.changed.fire(); // template problems depend on the environment: counts and icons may change
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

/** Each parse's problems: parse, schema and rule errors plus template errors (which need the environment). */
const problemsOfParse = new WeakMap<ParsedCollection, CoreDiagnostic[]>();

/**
 * Every problem of a collection: what our Problems entries are made of, and the one source of truth for whether it
 * has errors (view icon, inline Send, save targets, Save). Until its templates are checked, its parse's own problems.
 */
export function problems(e: CollectionEntry): CoreDiagnostic[] {
  return problemsOfParse.get(e.parsed) ?? e.parsed.diagnostics;
}

export function errorCount(e: CollectionEntry): number {
  return problems(e).filter((d) => d.severity === 'error').length;
}

export function hasErrors(e: CollectionEntry): boolean {
  return errorCount(e) > 0;
}

/** The collection's "name", also when other parts of the file have errors; else the file's name. */
export function displayName(e: CollectionEntry): string {
  return (
    e.parsed.value?.name ??
    writtenName(e.parsed) ??
    e.uri.path
      .split('/')
      .pop()!
      .replace(/\.kafka\.json$/, '')
  );
}

/** The top-level "name" string as the text has it (the last one, as JSON.parse reads duplicates), if readable. */
function writtenName(parsed: ParsedCollection): string | undefined {
  const root = parsed.source.tree;
  if (root?.type !== 'object') return undefined;
  const property = [...(root.children ?? [])].reverse().find((p) => p.children?.[0]?.value === 'name');
  const value = property?.children?.[1];
  return value?.type === 'string' && typeof value.value === 'string' && value.value.trim() ? value.value : undefined;
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

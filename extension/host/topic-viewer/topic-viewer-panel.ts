/**
 * The topic viewer: one panel per topic (or partition). It reads with the core's RecordReader over connections of
 * its own on the active cluster, a page at a time (Load more) or continuously (live tail), keeps a bounded window
 * of records and posts the rows that match the filter, formatted as asked. Every inbound message is validated;
 * errors show in the panel, never as a throw across postMessage.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ConsumedRecord } from '../../core/consume/fetched-records';
import type { RecordReader } from '../../core/consume/record-reader';
import { describeFact } from '../../core/consume/record-reader';
import { parseStartOffset } from '../../core/consume/start-offset';
import type { ConsumerTransport } from '../../core/transport/consumer-transport';
import type { HostToViewer, ViewerFormat, ViewerState, ViewerToHost } from '../../protocol/topic-viewer-messages';
import { parseViewerMessage } from '../../protocol/validate';
import type { SchemaDeserializer } from '../../core/schema-registry/deserializer';
import { loadCore, loadSchemaRegistry } from '../kafka/core';
import type { WorkbenchService } from '../kafka/workbench-service';
import { RecordWindow, takeOldestFirst, toJsonl, type DecodedText } from './record-window';

export const TOPIC_VIEWER_VIEW_TYPE = 'kafkaWorkbench.topicViewer';
/** Records a Load more adds to the window. */
export const PAGE_SIZE = 200;
const LOAD_WAIT_MS = 300;
const TAIL_WAIT_MS = 1000;
const POLL_DEADLINE_MS = 10_000;

export class TopicViewerPanel implements vscode.Disposable {
  /** Open viewers by "topic" or "topic/partition". */
  static readonly open = new Map<string, TopicViewerPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;
  private readonly window = new RecordWindow();
  /** Records read but not yet added (a fetch returns up to 1 MiB per partition; a page is PAGE_SIZE). */
  private pending: ConsumedRecord[] = [];
  private transport: (ConsumerTransport & { close(): Promise<void> }) | undefined;
  private deserializer: Promise<SchemaDeserializer | undefined> | undefined;
  private reader: RecordReader | undefined;
  /** Operations on the reader run one at a time. */
  private queue: Promise<void> = Promise.resolve();
  private state: Omit<ViewerState, 'rows' | 'windowSize' | 'windowLimit' | 'dropped' | 'positions'>;
  /** Every message posted to the webview, for tests (bounded). */
  readonly posted: HostToViewer[] = [];

  static show(
    extensionUri: vscode.Uri,
    service: WorkbenchService,
    log: vscode.LogOutputChannel,
    topic: string,
    partition: number | null,
    from?: string,
  ): TopicViewerPanel {
    const id = partition === null ? topic : `${topic}/${partition}`;
    const existing = TopicViewerPanel.open.get(id);
    if (existing) {
      existing.panel.reveal();
      if (from !== undefined && from !== existing.state.from) void existing.start(from);
      return existing;
    }
    const title = partition === null ? `Topic ${topic}` : `Topic ${topic} [${partition}]`;
    const panel = vscode.window.createWebviewPanel(TOPIC_VIEWER_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    return new TopicViewerPanel(id, panel, extensionUri, service, log, topic, partition, from ?? 'earliest');
  }

  private constructor(
    private readonly id: string,
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly service: WorkbenchService,
    private readonly log: vscode.LogOutputChannel,
    topic: string,
    partition: number | null,
    from: string,
  ) {
    TopicViewerPanel.open.set(id, this);
    this.state = {
      topic,
      partition,
      from,
      keyFormat: 'text',
      valueFormat: 'text',
      filter: '',
      tail: false,
      caughtUp: false,
      loading: false,
      error: null,
    };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'kafka.svg');
    panel.webview.html = renderHtml(panel.webview, extensionUri, topic);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
    );
    void this.start(from);
  }

  /** What the webview would show now. */
  viewState(): ViewerState {
    const rows = this.window
      .matching(this.state.filter, this.state.keyFormat, this.state.valueFormat)
      .map((m) => m.row);
    // The next offset shown per partition: a record read but still waiting for Load more comes first.
    const next = new Map((this.reader?.currentPositions() ?? []).map((p) => [p.partition, p.offset]));
    for (const r of [...this.pending].reverse()) next.set(r.partition, r.offset);
    const positions = [...next]
      .sort(([a], [b]) => a - b)
      .map(([partition, offset]) => `${partition}: ${offset}`)
      .join(', ');
    return {
      ...this.state,
      rows,
      windowSize: this.window.size,
      windowLimit: this.window.limit,
      dropped: this.window.dropped,
      positions,
    };
  }

  /** Handles a message from the webview (validated first); resolves when what it asked for is done. */
  receive(raw: unknown): Promise<void> {
    const parsed = parseViewerMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`topic viewer: ignored an invalid message from the webview: ${parsed.error}`);
      return Promise.resolve();
    }
    return this.handle(parsed.value);
  }

  private handle(m: ViewerToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        return Promise.resolve();
      case 'start':
        return this.start(m.from);
      case 'loadMore':
        return this.run(() => this.loadPage());
      case 'tail':
        this.setTail(m.on);
        return Promise.resolve();
      case 'format':
        this.setView({ keyFormat: m.keyFormat, valueFormat: m.valueFormat });
        // Records already shown are decoded once a part is shown as Schema Registry.
        return this.run(() => this.decodeSchemas(this.window.all()));
      case 'filter':
        this.setView({ filter: m.text });
        return Promise.resolve();
      case 'export':
        return this.exportJsonl().then(() => undefined);
    }
  }

  setView(view: { keyFormat?: ViewerFormat; valueFormat?: ViewerFormat; filter?: string }): void {
    Object.assign(this.state, view);
    this.postState();
  }

  /** Positions the reader at `from` (earliest, latest, an offset or @TIMESTAMP), empties the window and reads a page. */
  start(from: string): Promise<void> {
    this.state.from = from;
    return this.run(async () => {
      this.window.clear();
      this.pending = [];
      this.reader = undefined;
      this.state.caughtUp = false;
      const start = parseStartOffset(from, Date.now());
      this.transport ??= await this.service.openConsumerTransport();
      const reader = loadCore().createRecordReader(this.transport, {
        isolation: 'read_uncommitted',
        onFact: (f) => this.log.debug(`topic viewer ${this.id}: ${describeFact(f)}`),
      });
      await reader.assign(this.state.topic, start, this.state.partition === null ? undefined : [this.state.partition]);
      this.reader = reader;
      await this.loadPage();
    });
  }

  /** Adds up to PAGE_SIZE records to the window, fetching when fewer are waiting. */
  private async loadPage(): Promise<void> {
    if (!this.reader) return;
    if (this.pending.length < PAGE_SIZE) await this.fetch(LOAD_WAIT_MS);
    const { taken, rest } = takeOldestFirst(this.pending, PAGE_SIZE);
    this.pending = rest;
    this.window.add(taken);
    await this.decodeSchemas(taken);
  }

  /**
   * With a part shown as Schema Registry: keys and values in Confluent's wire format decoded by the schema id they
   * carry, through the connection's registry; without a registry they show as JSON text.
   */
  private async decodeSchemas(records: readonly ConsumedRecord[]): Promise<void> {
    if (this.state.keyFormat !== 'schema' && this.state.valueFormat !== 'schema') return;
    this.deserializer ??= this.service
      .schemaRegistry()
      .then((client) => (client ? new (loadSchemaRegistry().SchemaDeserializer)(client) : undefined))
      .catch(() => undefined);
    const deserializer = await this.deserializer;
    if (!deserializer) return;
    for (const record of records) {
      if (this.window.hasDecoded(record)) continue;
      const decoded: DecodedText = {};
      for (const part of ['key', 'value'] as const) {
        try {
          const d = await deserializer.decode(record[part]);
          if (d) decoded[part] = JSON.stringify(d.value, null, 2);
        } catch (e) {
          decoded[part] = `(cannot decode by its schema: ${e instanceof Error ? e.message : String(e)})`;
        }
      }
      this.window.setDecoded(record, decoded);
    }
  }

  private async fetch(maxWaitMs: number): Promise<void> {
    const got = await this.reader!.poll({ maxWaitMs, deadline: Date.now() + POLL_DEADLINE_MS });
    this.pending.push(...got);
    this.state.caughtUp = got.length === 0 && !this.reader!.lastProblem();
  }

  setTail(on: boolean): void {
    if (this.state.tail === on) return;
    this.state.tail = on;
    this.postState();
    if (on) void this.tailLoop();
  }

  /** While tail is on: everything read goes into the window as it arrives. */
  private async tailLoop(): Promise<void> {
    while (this.state.tail && !this.disposed) {
      await this.run(async () => {
        if (!this.reader) {
          this.state.tail = false; // nothing to tail: the start failed and says why
          return;
        }
        if (this.pending.length === 0) await this.fetch(TAIL_WAIT_MS);
        const arrived = this.pending.splice(0);
        this.window.add(arrived);
        await this.decodeSchemas(arrived);
      }, false);
      if (this.state.error) this.state.tail = false;
    }
    this.postState();
  }

  /**
   * Writes the rows shown (the window through the filter) as JSONL to `target`, or where the user says (the dialog
   * starts in the workspace folder). Returns the file, or undefined when the user cancelled.
   */
  async exportJsonl(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const records = this.window
      .matching(this.state.filter, this.state.keyFormat, this.state.valueFormat)
      .map((m) => m.record);
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: defaultExportUri(this.state.topic),
        filters: { 'JSON Lines': ['jsonl'] },
        title: 'Export shown records',
      }));
    if (!uri) return undefined;
    try {
      await fs.writeFile(uri.fsPath, toJsonl(records));
    } catch (e) {
      this.state.error = `Could not write ${uri.fsPath}: ${(e as Error).message}`;
      this.postState();
      return undefined;
    }
    this.post({ type: 'exported', path: uri.fsPath, rows: records.length });
    return uri;
  }

  /** Runs `op` after the ones before it; its error is shown in the panel. */
  private run(op: () => Promise<void>, loading = true): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.disposed) return;
      if (loading) {
        this.state.loading = true;
        this.postState();
      }
      try {
        await op();
        this.state.error = null;
      } catch (e) {
        this.state.error = (e as Error).message;
      } finally {
        this.state.loading = false;
        this.postState();
      }
    });
    this.queue = next;
    return next;
  }

  private postState(): void {
    this.post({ type: 'state', state: this.viewState() });
  }

  private post(message: HostToViewer): void {
    if (!this.ready || this.disposed) return;
    this.posted.push(message);
    if (this.posted.length > 50) this.posted.shift();
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state.tail = false;
    TopicViewerPanel.open.delete(this.id);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    void this.queue.then(() => this.transport?.close()).catch(() => undefined);
  }
}

function defaultExportUri(topic: string): vscode.Uri {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  return vscode.Uri.joinPath(folder, `${topic.replace(/[^\w.-]/g, '_')}-${stamp}.jsonl`);
}

function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, topic: string): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'topic-viewer.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'topic-viewer.css'));
  const title = topic.replace(/[<>&"]/g, '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; font-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Topic ${title}</title>
</head>
<body>
<div id="app" role="application" aria-label="Kafka topic viewer"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/**
 * The composer + results + trace panel: one instance, `createOrShow` or `revive` (after a reload, through the
 * serializer). Posts nothing until the webview says `ready`; every inbound message is validated; each request is
 * answered with a response carrying its id, errors included (never a throw across postMessage).
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { assertNever, type ComposerDraft, type HostToWebview, type WebviewRequest } from '../../protocol/messages';
import { checkDraft, parseWebviewMessage } from '../../protocol/validate';
import { murmur2, partitionForKey } from '../../core/engine/murmur2';
import type { KeyFormat, PreviewResult, ResultRow, TopicSummary } from '../../protocol/messages';
import type { WorkbenchService } from '../kafka/workbench-service';
import { encodeKey } from './draft-to-record';
import { DraftMirror } from './draft-mirror';
import { whileSendingAnswer } from '../kafka/leave-connection';
import { checkSchemaValue, schemaDetails, schemaSubjects } from './draft-schemas';
import { toWebviewError } from '../kafka/plain-errors';

export const COMPOSER_VIEW_TYPE = 'kafkaWorkbench.composer';

export class ComposerPanel implements vscode.Disposable {
  static current: ComposerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private readonly draft = new DraftMirror();
  /** Every validated message and reply, for tests of the round trip (bounded). */
  readonly exchange: { direction: 'in' | 'out'; type: string }[] = [];

  static createOrShow(extensionUri: vscode.Uri, service: WorkbenchService, log: vscode.LogOutputChannel): ComposerPanel {
    if (ComposerPanel.current) {
      ComposerPanel.current.panel.reveal();
      return ComposerPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(COMPOSER_VIEW_TYPE, 'Kafka Composer', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new ComposerPanel(panel, extensionUri, service, log);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, service: WorkbenchService, log: vscode.LogOutputChannel): ComposerPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new ComposerPanel(panel, extensionUri, service, log);
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly service: WorkbenchService, private readonly log: vscode.LogOutputChannel) {
    ComposerPanel.current?.dispose();
    ComposerPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'kafka.svg');
    panel.webview.html = renderHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      service.onDidChangeState(() => this.post({ type: 'state', init: service.panelInit() })),
      service.onDidChangeResults((rows) => this.queueRows(rows)),
    );
  }

  private pendingRows = new Map<string, ResultRow>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Row updates are coalesced (50 ms) so sending 10,000 records is a few hundred messages, not 20,000. */
  private queueRows(rows: ResultRow[] | 'cleared'): void {
    if (rows === 'cleared') {
      this.pendingRows.clear();
      this.post({ type: 'cleared' });
      return;
    }
    for (const r of rows) this.pendingRows.set(r.recordId, r);
    this.flushTimer ??= setTimeout(() => this.flushRows(), 50);
  }

  private flushRows(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = [...this.pendingRows.values()];
    this.pendingRows.clear();
    if (batch.length) this.post({ type: 'results', rows: batch });
  }

  currentDraft(): ComposerDraft | null {
    return this.draft.current;
  }

  /** Shows `draft` in the form (a collection message opened in the composer). */
  showDraft(draft: ComposerDraft): void {
    this.draft.open(draft);
    this.panel.reveal();
    // A live webview shows it now; one not ready yet, or rebuilt because the tab was hidden, gets it with `init`.
    this.post({ type: 'loadDraft', draft });
  }

  private post(message: HostToWebview): void {
    if (!this.ready) return; // the webview asks with `ready`; before that, messages would be lost
    this.record('out', message.type);
    void this.panel.webview.postMessage(message);
  }

  private record(direction: 'in' | 'out', type: string): void {
    this.exchange.push({ direction, type });
    if (this.exchange.length > 200) this.exchange.shift();
  }

  private onMessage(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`composer: ignored an invalid message from the webview: ${parsed.error}`);
      const id = (raw as { requestId?: unknown } | null)?.requestId;
      if (typeof id === 'number') this.post({ type: 'response', requestId: id, ok: false, error: { message: `Invalid request: ${parsed.error}` } });
      return;
    }
    const m = parsed.value;
    this.record('in', m.type);
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'init', init: this.service.panelInit(), draft: this.draft.toShow });
        this.post({ type: 'results', rows: this.service.resultRows() });
        return;
      case 'draftChanged':
        this.draft.report(m.draft);
        return;
      case 'clearResults':
        this.service.clearResults();
        return;
      default:
        void this.answer(m);
    }
  }

  private async answer(m: WebviewRequest): Promise<void> {
    try {
      const result = await this.handle(m);
      this.flushRows(); // rows first, so the webview sees the acks the reply refers to
      this.post({ type: 'response', requestId: m.requestId, ok: true, result });
    } catch (e) {
      const error = toWebviewError(e);
      if (m.type === 'send' && /topic/i.test(error.kafkaError ?? '')) error.field = 'topic';
      const field = (e as { field?: unknown }).field;
      if (m.type === 'send' && (field === 'key' || field === 'value')) error.field = field;
      this.flushRows();
      this.post({ type: 'response', requestId: m.requestId, ok: false, error });
    }
  }

  private async handle(m: WebviewRequest): Promise<unknown> {
    switch (m.type) {
      case 'send': {
        const problems = checkDraft(m.draft, this.service.topics());
        if (problems.length) throw Object.assign(new Error(problems[0].message), problems[0]);
        this.draft.report(m.draft);
        const { recordIds } = await this.service.send(m.draft);
        return { recordIds };
      }
      case 'refreshMetadata':
        if (this.service.activeConnection()) await this.service.cluster(true);
        return this.service.panelInit();
      case 'getTrace':
        return this.service.trace(m.recordId);
      case 'getBatches':
        return this.service.batches();
      case 'exportTrace':
        return this.exportTraces(m.recordIds);
      case 'previewPartition':
        return previewPartition(this.service.topics(), m.topic, m.keyFormat, m.key);
      case 'sandbox': {
        const view = await this.service.sandbox.run(m.command);
        if (this.service.activeConnection()) await this.service.cluster(true).catch(() => undefined);
        return view;
      }
      case 'connect': {
        const name = this.service.allConnections().find((c) => c.id === m.connectionId)?.name ?? m.connectionId;
        const leaving = this.service.activeConnection()?.id === m.connectionId ? 'finish' : await whileSendingAnswer(this.service, `connecting to "${name}"`);
        if (leaving) await this.service.connect(m.connectionId, leaving);
        return this.service.panelInit();
      }
      case 'schemaSubjects':
        return schemaSubjects(() => this.service.schemaRegistry());
      case 'schemaDetails':
        return schemaDetails(() => this.service.schemaRegistry(), m.topic, m.part, m.ref);
      case 'checkSchemaValue':
        return checkSchemaValue(() => this.service.schemaRegistry(), m.topic, m.part, m.ref, m.text);
      default:
        return assertNever(m);
    }
  }

  private async exportTraces(recordIds: string[] | null): Promise<{ saved: boolean; path?: string }> {
    const json = JSON.stringify(this.service.exportTraces(recordIds), null, 2);
    const target = await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export trace', defaultUri: vscode.Uri.file(`kafka-trace-${Date.now()}.json`) });
    if (!target) return { saved: false };
    await vscode.workspace.fs.writeFile(target, Buffer.from(json, 'utf8'));
    return { saved: true, path: target.fsPath };
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (ComposerPanel.current === this) ComposerPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'composer.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; font-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Kafka Composer</title>
</head>
<body>
<div id="app" role="application" aria-label="Kafka record composer"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** Where a keyed record will land with the default partitioner: Java's murmur2 of the key bytes. */
export function previewPartition(topics: TopicSummary[], topicName: string, keyFormat: KeyFormat, key: string): PreviewResult {
  const topic = topics.find((t) => t.name === topicName);
  if (!topic) return { partition: null, reason: 'New topic: the broker creates it on first send, with its default partition count.' };
  if (keyFormat === 'none') return { partition: null, reason: `No key: the sticky partitioner picks one of ${topic.partitions.length} partitions per batch.` };
  if (keyFormat === 'schema') return { partition: null, reason: 'The key is encoded by its schema when sent (schema id included); the partition follows those bytes.' };
  let bytes: Buffer;
  try {
    const encoded = encodeKey(keyFormat, key);
    bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : (encoded ?? Buffer.alloc(0));
  } catch {
    return { partition: null, reason: 'The key is not valid for its format yet.' };
  }
  const partition = partitionForKey(bytes, topic.partitions.length);
  const info = topic.partitions.find((p) => p.partition === partition);
  const leader = info ? (info.offline ? ', which is OFFLINE' : `, leader broker ${info.leader}, ISR [${info.isr.join(',')}]`) : '';
  return { partition, reason: `Key lands on partition ${partition}${leader} (murmur2 = ${murmur2(bytes)}, ${topic.partitions.length} partitions).` };
}

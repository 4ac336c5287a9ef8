/**
 * The composer + results + trace panel: one instance, `createOrShow` or `revive` (after a reload, through the
 * serializer). Posts nothing until the webview says `ready`; every inbound message is validated; each request is
 * answered with a response carrying its id, errors included (never a throw across postMessage).
 */
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  assertNever,
  type ComposerDraft,
  type DraftOrigin,
  type HostToWebview,
  type RecordPreview,
  type SendProgress,
  type SendResult,
  type WebviewRequest,
} from '../../protocol/messages';
import { checkDraft, parseWebviewMessage } from '../../protocol/validate';
import { isTopicError } from '../../core/kafka/protocol/errors';
import { murmur2, partitionForKey } from '../../core/engine/murmur2';
import type { KeyFormat, PreviewResult, ResultRow, TopicSummary, WebviewError } from '../../protocol/messages';
import type { CreateTopicsAnswer } from '../kafka/missing-topics';
import { TraceUnavailableError } from '../kafka/results-store';
import type { WorkbenchService } from '../kafka/workbench-service';
import type { StoredRecordView } from '../../core/consume/read-back';
import { encodeKey } from './draft-to-record';
import { DraftMirror } from './draft-mirror';
import { whileSendingAnswer } from '../kafka/leave-connection';
import { checkSchemaValue, schemaDetails, schemaSubjects } from './draft-schemas';
import { toWebviewError } from '../kafka/plain-errors';
import { InvalidInputError } from '../../core/util/errors';
import { RunChartsFeed } from './run-charts-feed';
import { bulkSendRunning } from '../collections/bulk-send';
import { saveChartFile } from './save-chart';

export const COMPOSER_VIEW_TYPE = 'kafkaWorkbench.composer';

/** Drafts rendered and sent like collection messages (one template language, one runner): the collections feature provides it. */
export interface DraftRendering {
  preview(draft: ComposerDraft, origin: DraftOrigin | null): Promise<RecordPreview>;
  /** Sends the draft `repeat` times, each record rendered (its {{$seq}} counting from 0), with progress until it ends. */
  /** A missing topic is created only if the user says so when asked (or as `createTopics` says). */
  send(
    draft: ComposerDraft,
    origin: DraftOrigin | null,
    options: { signal: AbortSignal; onProgress(progress: SendProgress): void; createTopics?: CreateTopicsAnswer },
  ): Promise<SendResult>;
}

export class ComposerPanel implements vscode.Disposable {
  static current: ComposerPanel | undefined;
  /** Set once at activation, before any panel can send. */
  static rendering: DraftRendering | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private readonly draft = new DraftMirror();
  /** The send in progress (one at a time): Cancel aborts it. */
  private sending: AbortController | undefined;
  /** Every validated message and reply, for tests of the round trip (bounded). */
  readonly exchange: { direction: 'in' | 'out'; type: string }[] = [];
  private readonly charts: RunChartsFeed;

  static createOrShow(
    extensionUri: vscode.Uri,
    service: WorkbenchService,
    log: vscode.LogOutputChannel,
  ): ComposerPanel {
    if (ComposerPanel.current) {
      ComposerPanel.current.panel.reveal();
      return ComposerPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      COMPOSER_VIEW_TYPE,
      'Kafka Composer',
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    return new ComposerPanel(panel, extensionUri, service, log);
  }

  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    service: WorkbenchService,
    log: vscode.LogOutputChannel,
  ): ComposerPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new ComposerPanel(panel, extensionUri, service, log);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly service: WorkbenchService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    ComposerPanel.current?.dispose();
    ComposerPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'kafka.svg');
    panel.webview.html = renderHtml(panel.webview, extensionUri);
    this.charts = new RunChartsFeed(
      () => service.openProducers(),
      (charts) => this.post({ type: 'runCharts', charts }),
    );
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      service.onDidChangeState(() => this.post({ type: 'state', init: service.panelInit() })),
      service.onDidChangeResults((rows) => this.queueRows(rows)),
      bulkSendRunning.event((running) => this.charts.follow(running)),
    );
  }

  private pendingRows = new Map<string, ResultRow>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Row updates are coalesced (50 ms) so sending 10,000 records is a few hundred messages, not 20,000. */
  private queueRows(rows: ResultRow[] | 'cleared'): void {
    if (rows === 'cleared') {
      // Updates queued before the clear are for rows the webview is about to drop; what stays comes next.
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

  /** The collection message the form's draft was opened from, if any. */
  currentOrigin(): DraftOrigin | null {
    return this.draft.origin;
  }

  /** Shows `draft` in the form (a collection message opened in the composer, `origin` saying which). */
  showDraft(draft: ComposerDraft, origin: DraftOrigin | null = null): void {
    this.draft.open(draft, origin);
    this.panel.reveal();
    // A live webview shows it now; one not ready yet, or rebuilt because the tab was hidden, gets it with `init`.
    this.post({ type: 'loadDraft', draft, origin });
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
      if (typeof id === 'number')
        this.post({
          type: 'response',
          requestId: id,
          ok: false,
          error: { message: `Invalid request: ${parsed.error}` },
        });
      return;
    }
    const m = parsed.value;
    this.record('in', m.type);
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post({
          type: 'init',
          init: this.service.panelInit(),
          draft: this.draft.toShow?.draft ?? null,
          origin: this.draft.toShow?.origin ?? null,
        });
        this.post({ type: 'results', rows: this.service.resultRows() });
        return;
      case 'draftChanged':
        this.draft.report(m.draft, m.origin);
        return;
      case 'clearResults':
        this.service.clearResults();
        return;
      case 'cancelSend':
        this.sending?.abort();
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
      if (m.type === 'send' && error.kafkaError && isTopicError(error.kafkaError)) error.field = 'topic';
      if (m.type === 'send' || m.type === 'previewRecord')
        error.field ??= templateField(e) ?? (e as { field?: WebviewError['field'] }).field;
      this.flushRows();
      this.post({ type: 'response', requestId: m.requestId, ok: false, error });
    }
  }

  private async handle(m: WebviewRequest): Promise<unknown> {
    switch (m.type) {
      case 'send': {
        const problems = checkDraft(m.draft, this.service.topics());
        if (problems.length) throw Object.assign(new Error(problems[0].message), problems[0]);
        this.draft.report(m.draft, this.draft.origin);
        return this.send(m.draft);
      }
      case 'refreshMetadata':
        if (this.service.activeConnection()) await this.service.cluster(true);
        return this.service.panelInit();
      case 'getTrace':
        try {
          return this.service.trace(m.recordId);
        } catch (e) {
          if (e instanceof TraceUnavailableError) return { unavailable: e.message };
          throw e;
        }
      case 'readBack': {
        // The stored record opens beside the panel; the panel gets the verdict in one line.
        const view = await vscode.commands.executeCommand<StoredRecordView | undefined>(
          'kafkaWorkbench.results.readBack',
          m.recordId,
        );
        if (!view) return { summary: 'not read' };
        return {
          summary:
            view.comparison === null
              ? `${view.topic}-${view.partition}@${view.offset}: read back (what was sent is no longer kept to compare)`
              : view.comparison.identical
                ? `${view.topic}-${view.partition}@${view.offset}: stored byte for byte as sent`
                : `${view.topic}-${view.partition}@${view.offset} differs from what was sent: ${view.comparison.differences.join('; ')}`,
        };
      }
      case 'getBatches':
        return this.service.batches();
      case 'exportTrace':
        return this.exportTraces(m.recordIds);
      case 'previewPartition':
        return previewPartition(this.service.topics(), m.topic, m.keyFormat, m.key, this.service.autoCreatesTopics());
      case 'sandbox': {
        const view = await this.service.sandbox.run(m.command);
        if (this.service.activeConnection()) await this.service.cluster(true).catch(() => undefined);
        return view;
      }
      case 'connect': {
        const name = this.service.allConnections().find((c) => c.id === m.connectionId)?.name ?? m.connectionId;
        const leaving =
          this.service.activeConnection()?.id === m.connectionId
            ? 'finish'
            : await whileSendingAnswer(this.service, `connecting to "${name}"`);
        if (leaving) await this.service.connect(m.connectionId, leaving);
        return this.service.panelInit();
      }
      case 'previewRecord':
        if (!ComposerPanel.rendering) throw new Error('the composer is not ready to render templates yet');
        return ComposerPanel.rendering.preview(m.draft, m.origin);
      case 'schemaSubjects':
        return schemaSubjects(() => this.service.schemaRegistry());
      case 'schemaDetails':
        return schemaDetails(() => this.service.schemaRegistry(), m.topic, m.part, m.ref);
      case 'checkSchemaValue':
        return checkSchemaValue(() => this.service.schemaRegistry(), m.topic, m.part, m.ref, m.text);
      case 'getRunCharts':
        return this.charts.last;
      case 'saveChart':
        return saveChartFile(m.format, m.name, m.data);
      default:
        return assertNever(m);
    }
  }

  private async send(draft: ComposerDraft): Promise<SendResult> {
    if (!ComposerPanel.rendering) throw new Error('the composer is not ready to send yet');
    if (this.sending) throw new InvalidInputError('A send is still running: wait for it, or Cancel it.');
    const abort = new AbortController();
    this.sending = abort;
    try {
      const result = await ComposerPanel.rendering.send(draft, this.draft.origin, {
        signal: abort.signal,
        onProgress: (progress) => this.post({ type: 'sendProgress', progress }),
      });
      if (draft.repeat > 1 || !result.ok) this.log.info(`composer: ${draft.topic}: ${result.line}`);
      return result;
    } finally {
      this.sending = undefined;
    }
  }

  private async exportTraces(recordIds: string[] | null): Promise<{ saved: boolean; path?: string }> {
    const json = JSON.stringify(this.service.exportTraces(recordIds), null, 2);
    const target = await vscode.window.showSaveDialog({
      filters: { JSON: ['json'] },
      saveLabel: 'Export traces',
      defaultUri: exportTarget(),
    });
    if (!target) return { saved: false };
    await vscode.workspace.fs.writeFile(target, Buffer.from(json, 'utf8'));
    return { saved: true, path: target.fsPath };
  }

  dispose(): void {
    this.sending?.abort(); // nobody can see its progress any more; what was handed over still settles
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.charts.dispose();
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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'nonce-${nonce}'; font-src ${webview.cspSource}; img-src ${webview.cspSource} blob:; script-src 'nonce-${nonce}';">
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

/** Where an export goes by default: a new file in the workspace folder (the dialog started at "/" without one). */
export function exportTarget(): vscode.Uri {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  return vscode.Uri.joinPath(folder, `kafka-traces-${stamp}.json`);
}

/** The draft field a template error names (its site's path is messages[i].FIELD...), so the form shows it there. */
function templateField(e: unknown): WebviewError['field'] {
  const p = (e as { site?: { path?: unknown[] } } | null)?.site?.path;
  if (!Array.isArray(p) || p[0] !== 'messages') return undefined;
  if (p[2] === 'headers' && typeof p[3] === 'number') return `headers.${p[3]}`;
  return p[2] === 'topic' || p[2] === 'key' || p[2] === 'value' ? p[2] : undefined;
}

/** Where a keyed record will land with the default partitioner: Java's murmur2 of the key bytes. */
export function previewPartition(
  topics: TopicSummary[],
  topicName: string,
  keyFormat: KeyFormat,
  key: string,
  autoCreate = false,
): PreviewResult {
  const topic = topics.find((t) => t.name === topicName);
  if (!topic) {
    if (topicName.includes('{{'))
      return { partition: null, reason: 'The topic is a template: each record goes to the topic it renders to.' };
    return {
      partition: null,
      reason: autoCreate
        ? `No topic "${topicName}" on this cluster yet: the broker creates it on the first send (auto-create is on for this connection).`
        : `No topic "${topicName}" on this cluster: Send asks before creating it (a typo of another topic's name?).`,
    };
  }
  if (keyFormat === 'none')
    return {
      partition: null,
      reason: `No key: the sticky partitioner picks one of ${topic.partitions.length} partitions per batch.`,
    };
  if (keyFormat === 'schema')
    return {
      partition: null,
      reason: 'The key is encoded by its schema when sent (schema id included); the partition follows those bytes.',
    };
  // An empty key field is a key: the empty string, not null. Say so, it is rarely what one means.
  const empty =
    keyFormat === 'string' && key === ''
      ? 'The key is empty: it is sent as an empty string "" (not null; pick "no key (null)" for that), which '
      : '';
  let bytes: Buffer;
  try {
    const encoded = encodeKey(keyFormat, key);
    bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : (encoded ?? Buffer.alloc(0));
  } catch {
    return { partition: null, reason: 'The key is not valid for its format yet.' };
  }
  const partition = partitionForKey(bytes, topic.partitions.length);
  const info = topic.partitions.find((p) => p.partition === partition);
  const leader = info
    ? info.offline
      ? ', which is OFFLINE'
      : `, leader broker ${info.leader}, ISR [${info.isr.join(',')}]`
    : '';
  return {
    partition,
    reason: `${empty ? `${empty}lands` : 'Key lands'} on partition ${partition}${leader} (murmur2 = ${murmur2(bytes)}, ${topic.partitions.length} partitions).`,
  };
}

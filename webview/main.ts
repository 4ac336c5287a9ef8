/**
 * The composer panel: compose and send records, the virtualized results table, and the trace timeline / batches
 * of the selected record. Built with the webview UI toolkit (theme-aware through VS Code's CSS variables).
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextArea,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import {
  ACKS,
  COMPRESSIONS,
  defaultProducerSettings,
  KEY_FORMATS,
  PARTITIONERS,
  SEND_MODES,
  VALUE_FORMATS,
  type BatchView,
  type ComposerDraft,
  type DraftOrigin,
  type PanelInit,
  type RecordTraceView,
  type ResultRow,
  type SandboxAction,
  type WebviewError,
} from '../extension/protocol/messages';
import { shortTraceId } from '../extension/protocol/trace-ids';
import { checkDraft } from '../extension/protocol/validate';
import { formatLatency } from '../extension/core/format/duration';
import { byId, h, setOptions, type CheckElement, type ValueElement } from './dom';
import { HostChannel } from './host-channel';
import { numberFieldProblems, SEND_MODE_WORDS } from './form-fields';
import { RecordPreviewPane } from './record-preview';
import { SendProgressView } from './send-progress';
import { mountSchemaControls, type SchemaControls } from './schema-controls';
import { ChartsPane, renderBatchLanes, renderWaterfall, wireBatchLanes, wireWaterfall } from './visual-panes';
import { mountChartStyles } from './charts-dom';
import { prettyJson } from '../extension/protocol/json-text';
import {
  restoreState,
  ResultsHistory,
  resultsSummary,
  visibleWindow,
  type HostPush,
  type PersistedState,
} from './state';

provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeTextField(),
  vsCodeTextArea(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeCheckbox(),
  vsCodeDivider(),
  vsCodeBadge(),
);

const ROW_HEIGHT = 24;
const DEFAULT_SETTINGS = defaultProducerSettings();
const history = new ResultsHistory();
let panel: PanelInit = { connection: null, connections: [], topics: [], sandbox: null, trusted: true };
let renderQueued = false;
let schemaControls: SchemaControls;

const channel = new HostChannel((m) => onPush(m));
const persisted: PersistedState = restoreState(channel.getState());
const rendered = new RecordPreviewPane(channel);
const sending = new SendProgressView(() => channel.post({ type: 'cancelSend' }));
const chartsPane = new ChartsPane(channel, () => persisted.tab === 'charts');
/** The batches the Batches tab shows now (its lanes select a record of one). */
let shownBatches: BatchView[] = [];

function onPush(m: HostPush): void {
  switch (m.type) {
    case 'init':
      // A draft in init is one the user opened: it wins over the form restored from saved state.
      if (m.draft) showDraftFromHost(m.draft, m.origin);
      else reportDraft(); // the host's copy is what "Save to Collection" saves: make it the restored form
      applyPanelState(m.init);
      break;
    case 'state':
      applyPanelState(m.init);
      break;
    case 'results':
      history.upsert(m.rows);
      queueRender();
      if (persisted.selectedRecordId && m.rows.some((r) => r.recordId === persisted.selectedRecordId))
        void showTrace(persisted.selectedRecordId);
      break;
    case 'loadDraft':
      showDraftFromHost(m.draft, m.origin);
      break;
    case 'sendProgress':
      sending.progress(m.progress);
      break;
    case 'runCharts':
      chartsPane.update(m.charts);
      break;
    case 'cleared':
      history.clear();
      persisted.selectedRecordId = null;
      byId('trace').replaceChildren(h('p', { class: 'muted', text: 'Select a sent record to see its trace.' }));
      byId('waterfall').replaceChildren();
      byId('waterfall-detail').textContent = '';
      byId('trace-metadata').replaceChildren();
      save();
      queueRender();
      break;
  }
}

// ---------- layout ----------

function field(label: string, id: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id, text: label }),
    control,
    hint ? h('div', { class: 'hint', text: hint }) : null,
    h('div', { class: 'error', id: `error-${id}`, role: 'alert' }),
  );
}

function dropdown(id: string, values: readonly string[], labels?: Record<string, string>): HTMLElement {
  const d = h('vscode-dropdown', { id });
  for (const v of values) d.append(h('vscode-option', { value: v }, labels?.[v] ?? v));
  return d;
}

function buildLayout(): void {
  const app = byId('app');
  const settings = h(
    'details',
    { class: 'settings' },
    h('summary', { text: 'Producer settings' }),
    h(
      'div',
      { class: 'grid' },
      field('acks', 'acks', dropdown('acks', ACKS)),
      field('compression.type', 'compression', dropdown('compression', COMPRESSIONS)),
      field('linger.ms', 'linger', h('vscode-text-field', { id: 'linger', size: 8 })),
      field('batch.size', 'batch-size', h('vscode-text-field', { id: 'batch-size', size: 8 })),
      field('retries', 'retries', h('vscode-text-field', { id: 'retries', size: 10 })),
      field('delivery.timeout.ms', 'delivery-timeout', h('vscode-text-field', { id: 'delivery-timeout', size: 8 })),
      field('partitioner', 'partitioner', dropdown('partitioner', PARTITIONERS)),
      h(
        'div',
        { class: 'field checks' },
        h('vscode-checkbox', { id: 'idempotence' }, 'enable.idempotence'),
        h('vscode-checkbox', { id: 'failover' }, 'partitioner.failover'),
      ),
    ),
  );
  const composer = h(
    'section',
    { class: 'composer', 'aria-label': 'Compose a record' },
    rendered.originElement,
    h(
      'div',
      { class: 'row' },
      field('Topic', 'topic', h('vscode-text-field', { id: 'topic', placeholder: 'topic name', size: 30 })),
      field('Known topics', 'topic-pick', h('vscode-dropdown', { id: 'topic-pick' })),
      field('Partition', 'partition', h('vscode-dropdown', { id: 'partition' })),
    ),
    h('div', { class: 'hint', id: 'partition-preview' }),
    h(
      'div',
      { class: 'row' },
      field(
        'Key format',
        'key-format',
        dropdown('key-format', KEY_FORMATS, {
          string: 'string',
          json: 'JSON',
          base64: 'base64 bytes',
          none: 'no key (null)',
          schema: 'Schema Registry',
        }),
      ),
      field('Key', 'key', h('vscode-text-field', { id: 'key', placeholder: 'record key', size: 40 })),
    ),
    h(
      'div',
      { class: 'row' },
      field(
        'Value format',
        'value-format',
        dropdown('value-format', VALUE_FORMATS, {
          text: 'text',
          json: 'JSON',
          base64: 'base64 bytes',
          null: 'null (tombstone)',
          schema: 'Schema Registry',
        }),
      ),
      h(
        'vscode-button',
        { id: 'format-json', appearance: 'secondary', title: 'Pretty-print the JSON value' },
        'Format JSON',
      ),
    ),
    field(
      'Value',
      'value',
      h('vscode-text-area', {
        id: 'value',
        rows: 6,
        resize: 'vertical',
        placeholder: 'record value; {{$uuid}}, {{$seq}}, {{$faker.person.fullName}} and variables render per record',
      }),
    ),
    rendered.element,
    h(
      'div',
      { class: 'field' },
      h('label', { text: 'Headers' }),
      h('div', { id: 'headers', class: 'headers' }),
      h('vscode-button', { id: 'add-header', appearance: 'secondary' }, 'Add header'),
      h('div', { class: 'error', id: 'error-headers', role: 'alert' }),
    ),
    h(
      'div',
      { class: 'row' },
      h(
        'div',
        { class: 'field checks' },
        h('vscode-checkbox', { id: 'timestamp-now', checked: true }, 'Timestamp: now'),
      ),
      field('Timestamp (ms since epoch)', 'timestamp', h('vscode-text-field', { id: 'timestamp', size: 16 })),
    ),
    settings,
    h(
      'div',
      { class: 'row transaction-row' },
      h(
        'div',
        { class: 'field checks' },
        h(
          'vscode-checkbox',
          { id: 'txn-on', title: 'Send every record of this send (Repeat) in one Kafka transaction' },
          'Send as one transaction',
        ),
        h(
          'vscode-checkbox',
          {
            id: 'txn-abort',
            title: 'Abort the transaction after its records were acknowledged: read_committed consumers never see them',
          },
          'Abort after sending',
        ),
      ),
      field(
        'transactional.id',
        'transaction',
        h('vscode-text-field', { id: 'transaction', placeholder: 'e.g. orders-relay', size: 24 }),
      ),
    ),
    h(
      'div',
      { class: 'row send-row' },
      field(
        'Send mode',
        'send-mode',
        dropdown('send-mode', SEND_MODES, Object.fromEntries(SEND_MODES.map((m) => [m, SEND_MODE_WORDS[m].label]))),
      ),
      field('Repeat', 'repeat', h('vscode-text-field', { id: 'repeat', size: 6 })),
      h('vscode-button', { id: 'send', title: 'Send (Ctrl+Enter)' }, 'Send'),
      h(
        'vscode-button',
        {
          id: 'cancel-send',
          appearance: 'secondary',
          hidden: true,
          title: 'Stop handing records to the producer; those already sent still settle',
        },
        'Cancel',
      ),
      h('span', { id: 'send-status', class: 'status', role: 'status', 'aria-live': 'polite' }),
    ),
    h('div', { id: 'send-mode-hint', class: 'hint' }),
  );
  const sandbox = h(
    'section',
    { id: 'sandbox-bar', class: 'sandbox', hidden: true, 'aria-label': 'Sandbox controls' },
    h('strong', { text: 'Sandbox' }),
    h('vscode-dropdown', { id: 'sandbox-broker', 'aria-label': 'Broker' }),
    h('vscode-button', { id: 'sandbox-stop', appearance: 'secondary' }, 'Stop broker'),
    h('vscode-button', { id: 'sandbox-start', appearance: 'secondary' }, 'Start broker'),
    dropdown('sandbox-error-code', ['6', '7', '19', '3', '10'], {
      6: 'NOT_LEADER_OR_FOLLOWER',
      7: 'REQUEST_TIMED_OUT',
      19: 'NOT_ENOUGH_REPLICAS',
      3: 'UNKNOWN_TOPIC_OR_PARTITION',
      10: 'MESSAGE_TOO_LARGE',
    }),
    h('vscode-button', { id: 'sandbox-inject', appearance: 'secondary' }, 'Inject error'),
    h(
      'vscode-button',
      { id: 'sandbox-latency', appearance: 'secondary', title: 'Delay the next 3 produce requests by 500 ms' },
      'Add latency',
    ),
    h('vscode-button', { id: 'sandbox-clear', appearance: 'secondary' }, 'Clear faults'),
    h('span', { id: 'sandbox-status', class: 'status', role: 'status' }),
  );
  const results = h(
    'section',
    { class: 'results', 'aria-label': 'Sent records' },
    h(
      'div',
      { class: 'toolbar' },
      h('strong', { text: 'Results' }),
      h('vscode-badge', { id: 'results-count' }, '0'),
      h(
        'vscode-button',
        { id: 'export-json', appearance: 'secondary', title: 'Save the traces of every result in the table as JSON' },
        'Export JSON',
      ),
      h('vscode-button', { id: 'clear-results', appearance: 'secondary' }, 'Clear'),
    ),
    h('div', { id: 'results-cap', class: 'hint cap-note', hidden: true }),
    h(
      'div',
      { class: 'result-head', role: 'row' },
      ...[
        ['status', 'status'],
        ['topic', 'topic'],
        ['key', 'key'],
        ['partition', 'part.', 'partition'],
        ['offset', 'offset'],
        ['timestamp', 'time (UTC)'],
        ['latency', 'latency'],
        ['attempts', 'tries', 'produce attempts'],
      ].map(([c, label, title]) =>
        h('span', { class: `col-${c}`, role: 'columnheader', text: label, title: title ?? label }),
      ),
    ),
    h(
      'div',
      {
        id: 'results',
        class: 'result-body',
        tabindex: 0,
        role: 'grid',
        'aria-label': 'Results; arrow keys move the selection',
      },
      h('div', { id: 'results-spacer', class: 'spacer' }, h('div', { id: 'results-rows', class: 'rows' })),
    ),
  );
  const trace = h(
    'section',
    { class: 'trace', 'aria-label': 'Trace' },
    h(
      'div',
      { class: 'toolbar' },
      h('vscode-button', { id: 'tab-trace', appearance: 'secondary' }, 'Trace'),
      h('vscode-button', { id: 'tab-batches', appearance: 'secondary' }, 'Batches'),
      h('vscode-button', { id: 'tab-charts', appearance: 'secondary' }, 'Charts'),
    ),
    h(
      'div',
      { id: 'trace-pane' },
      h('div', { id: 'waterfall', class: 'chart-box' }),
      h('div', { id: 'waterfall-detail', class: 'hint chart-detail', role: 'status', 'aria-live': 'polite' }),
      h(
        'details',
        { class: 'trace-text', open: true },
        h('summary', { text: 'As text' }),
        h(
          'ol',
          { id: 'trace', class: 'timeline' },
          h('p', { class: 'muted', text: 'Select a sent record to see its trace.' }),
        ),
      ),
      h('dl', { id: 'trace-metadata', class: 'metadata' }),
      h(
        'div',
        { class: 'read-back' },
        h('vscode-button', { id: 'read-back', appearance: 'secondary', hidden: '' }, 'Read back as stored'),
        h('span', { id: 'read-back-result', class: 'muted' }),
      ),
    ),
    h(
      'div',
      { id: 'batches-pane', hidden: true },
      h('div', { id: 'batch-lanes', class: 'chart-box' }),
      h('div', { id: 'batch-lanes-detail', class: 'hint chart-detail', role: 'status', 'aria-live': 'polite' }),
      h('table', { id: 'batches', class: 'batches' }),
    ),
    h(
      'div',
      { id: 'charts-pane', hidden: true },
      h(
        'div',
        { class: 'toolbar' },
        h('span', { id: 'charts-status', class: 'hint', role: 'status' }),
        h('vscode-button', { id: 'save-charts-png', appearance: 'secondary' }, 'Save PNG'),
        h('vscode-button', { id: 'save-charts-svg', appearance: 'secondary' }, 'Save SVG'),
        h('vscode-button', { id: 'save-charts-json', appearance: 'secondary' }, 'Save JSON'),
        h('span', { id: 'charts-save-status', class: 'hint', role: 'status' }),
      ),
      h('div', { id: 'charts', class: 'charts-grid' }),
      h('div', { id: 'charts-detail', class: 'hint chart-detail', role: 'status', 'aria-live': 'polite' }),
      h('div', { id: 'metrics', class: 'metrics-box' }),
    ),
  );
  app.append(
    h(
      'header',
      {},
      h('span', { id: 'connection-name', class: 'connection' }),
      h('span', {
        id: 'restricted',
        class: 'warning',
        hidden: true,
        text: 'Restricted Mode: connect explicitly before sending.',
      }),
      h(
        'span',
        { id: 'connect-bar', class: 'connect-bar', hidden: true },
        h('vscode-dropdown', { id: 'connect-pick', 'aria-label': 'Connection' }),
        h('vscode-button', { id: 'connect' }, 'Connect'),
      ),
      h(
        'vscode-button',
        { id: 'refresh', appearance: 'icon', title: 'Refresh metadata', 'aria-label': 'Refresh metadata' },
        '⟳',
      ),
    ),
    sandbox,
    h('div', { class: 'main' }, h('div', { class: 'left' }, composer), h('div', { class: 'right' }, results, trace)),
  );
  schemaControls = mountSchemaControls(channel, () => onDraftEdited());
  mountChartStyles();
  wireWaterfall();
  wireBatchLanes(
    () => shownBatches,
    (recordId) => {
      showTab('trace');
      select(recordId);
    },
  );
  chartsPane.wire();
  wireEvents();
}

// ---------- form <-> draft ----------

const val = (id: string) => byId<ValueElement>(id);
const chk = (id: string) => byId<CheckElement>(id);

/**
 * True while fillForm writes the fields. The toolkit's checkboxes and dropdowns fire `change` when set from code, so
 * without it the form was read back half filled (Repeat still empty after a webview rebuild), and that read's
 * "Repeat must be a whole number" stayed under a field that holds 3000.
 */
let filling = false;

function fillForm(d: ComposerDraft): void {
  filling = true;
  try {
    writeFields(d);
  } finally {
    filling = false;
  }
  persisted.draft = d;
  renderPartitions();
  showDraftErrors();
}

function writeFields(d: ComposerDraft): void {
  val('topic').value = d.topic;
  val('key-format').value = d.keyFormat;
  val('key').value = d.key;
  val('value-format').value = d.valueFormat;
  val('value').value = d.value;
  val('timestamp').value = d.timestamp === null ? '' : String(d.timestamp);
  chk('timestamp-now').checked = d.timestamp === null;
  val('acks').value = d.settings.acks;
  val('compression').value = d.settings['compression.type'];
  val('linger').value = String(d.settings['linger.ms']);
  val('batch-size').value = String(d.settings['batch.size']);
  val('retries').value = String(d.settings.retries);
  val('delivery-timeout').value = String(d.settings['delivery.timeout.ms']);
  val('partitioner').value = d.settings.partitioner;
  chk('idempotence').checked = d.settings['enable.idempotence'];
  chk('failover').checked = d.settings['partitioner.failover'];
  val('send-mode').value = d.sendMode;
  showSendModeHint(d.sendMode);
  val('repeat').value = String(d.repeat);
  chk('txn-on').checked = !!d.transaction;
  chk('txn-abort').checked = d.transaction?.abort ?? false;
  val('transaction').value = d.transaction?.id ?? persisted.draft?.transaction?.id ?? '';
  const headers = byId('headers');
  headers.replaceChildren();
  for (const hd of d.headers) addHeaderRow(hd.key, hd.value, hd.binary);
  schemaControls.fill(d);
}

const num = (id: string, fallback: number) => {
  const n = Number(val(id).value);
  return val(id).value.trim() !== '' && Number.isFinite(n) ? Math.trunc(n) : fallback;
};

function readForm(): ComposerDraft {
  const partition = val('partition').value;
  const d: ComposerDraft = {
    topic: val('topic').value.trim(),
    keyFormat: val('key-format').value as ComposerDraft['keyFormat'],
    key: val('key').value,
    valueFormat: val('value-format').value as ComposerDraft['valueFormat'],
    value: val('value').value,
    headers: [...byId('headers').querySelectorAll<HTMLElement>('.header-row')].map((row) => ({
      key: (row.querySelector('.header-key') as ValueElement).value,
      value: (row.querySelector('.header-value') as ValueElement).value,
      binary: (row.querySelector('.header-binary') as unknown as CheckElement).checked,
    })),
    partition: partition === 'auto' || partition === '' ? null : Number(partition),
    timestamp: chk('timestamp-now').checked ? null : num('timestamp', Date.now()),
    settings: {
      acks: val('acks').value as ComposerDraft['settings']['acks'],
      'compression.type': val('compression').value as ComposerDraft['settings']['compression.type'],
      'linger.ms': num('linger', DEFAULT_SETTINGS['linger.ms']),
      'batch.size': num('batch-size', DEFAULT_SETTINGS['batch.size']),
      retries: num('retries', DEFAULT_SETTINGS.retries),
      'delivery.timeout.ms': num('delivery-timeout', DEFAULT_SETTINGS['delivery.timeout.ms']),
      'enable.idempotence': chk('idempotence').checked,
      partitioner: val('partitioner').value as ComposerDraft['settings']['partitioner'],
      'partitioner.failover': chk('failover').checked,
    },
    sendMode: val('send-mode').value as ComposerDraft['sendMode'],
    repeat: num('repeat', 1),
    ...schemaControls.read(),
    transaction: chk('txn-on').checked
      ? { id: val('transaction').value.trim(), abort: chk('txn-abort').checked }
      : null,
  };
  return d;
}

function addHeaderRow(key = '', value = '', binary = false): void {
  const row = h(
    'div',
    { class: 'header-row' },
    h('vscode-text-field', { class: 'header-key', placeholder: 'key', 'aria-label': 'Header key' }),
    h('vscode-text-field', { class: 'header-value', placeholder: 'value', 'aria-label': 'Header value' }),
    h('vscode-checkbox', { class: 'header-binary', title: 'The value is base64 bytes' }, 'base64'),
    h(
      'vscode-button',
      { class: 'header-remove', appearance: 'icon', 'aria-label': 'Remove header', title: 'Remove header' },
      '✕',
    ),
  );
  (row.querySelector('.header-key') as ValueElement).value = key;
  (row.querySelector('.header-value') as ValueElement).value = value;
  (row.querySelector('.header-binary') as unknown as CheckElement).checked = binary;
  row.querySelector('.header-remove')?.addEventListener('click', () => {
    row.remove();
    onDraftEdited();
  });
  byId('headers').append(row);
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function onDraftEdited(): void {
  if (filling) return;
  persisted.draft = readForm();
  // Saved at once: VS Code may drop a hidden webview right after an edit. Only the host's copy waits for a pause.
  save();
  clearTimeout(saveTimer);
  saveTimer = setTimeout(reportDraft, 200);
  showDraftErrors();
  rendered.update(persisted.draft, persisted.origin);
}

/** Saves the form's draft and hands it to the host, whose copy "Save to Collection" saves. */
function reportDraft(): void {
  clearTimeout(saveTimer);
  save();
  channel.post({ type: 'draftChanged', draft: persisted.draft, origin: persisted.origin });
}

/**
 * Replaces the form with a draft the host sent (a collection message the user opened) and reports it back at once,
 * so the host's copy and the form agree. The draft itself is reported, not the form read back: the partition
 * dropdown gets its options a tick later.
 */
function showDraftFromHost(draft: ComposerDraft, origin: DraftOrigin | null): void {
  persisted.origin = origin;
  rendered.showOrigin(origin);
  fillForm(draft);
  reportDraft();
  rendered.update(draft, origin, 0);
}

/** Errors of the current draft next to their fields; an empty topic is not an error until the user sends. */
function showDraftErrors(): void {
  showErrors(
    checkDraft(persisted.draft, panel.topics).filter((e) => e.field !== 'topic' || persisted.draft.topic !== ''),
  );
  showFieldProblems();
}

/** Number fields holding something that is not their number ("abc" in Repeat): next to the field; true if any. */
function showFieldProblems(): boolean {
  const problems = numberFieldProblems((id) => val(id).value, chk('timestamp-now').checked);
  for (const p of problems) byId(`error-${p.id}`).textContent = p.message;
  if (!problems.length && byId('send-status').textContent === FIX_FIELDS) setStatus('send-status', '');
  return problems.length > 0;
}

const FIX_FIELDS = 'Not sent: fix the fields marked in red.';

function showSendModeHint(mode: ComposerDraft['sendMode']): void {
  byId('send-mode-hint').textContent = SEND_MODE_WORDS[mode]?.hint ?? '';
}

function save(): void {
  channel.setState(persisted);
}

function showErrors(errors: WebviewError[]): void {
  for (const el of document.querySelectorAll('.error[id^="error-"]')) el.textContent = '';
  for (const e of errors) {
    const id = e.field?.startsWith('headers.') ? 'headers' : e.field === 'key' ? 'key' : (e.field ?? null);
    const target = id ? document.getElementById(`error-${id}`) : null;
    const text = e.kafkaError ? `${e.message} [${e.kafkaError}]` : e.message;
    if (target) target.textContent = text;
    else setStatus('send-status', text, 'error');
  }
}

function setStatus(id: string, text: string, kind: 'ok' | 'error' | 'busy' = 'ok'): void {
  const el = byId(id);
  el.textContent = text;
  el.className = `status ${kind}`;
}

// ---------- events ----------

function wireEvents(): void {
  const app = byId('app');
  app.addEventListener('input', (e) => {
    if ((e.target as HTMLElement).closest('.composer')) onDraftEdited();
  });
  app.addEventListener('change', (e) => {
    if ((e.target as HTMLElement).closest('.composer')) onDraftEdited();
  });
  val('topic').addEventListener('input', () => renderPartitions());
  val('topic-pick').addEventListener('change', () => {
    const v = val('topic-pick').value;
    if (v) {
      val('topic').value = v;
      renderPartitions();
      onDraftEdited();
    }
  });
  val('key').addEventListener('input', () => renderPreview());
  val('partition').addEventListener('change', () => renderPreview());
  byId('add-header').addEventListener('click', () => {
    addHeaderRow();
    onDraftEdited();
  });
  byId('format-json').addEventListener('click', () => {
    const pretty = prettyJson(val('value').value);
    if (pretty === undefined)
      showErrors(checkDraft({ ...readForm(), valueFormat: 'json' }).filter((e) => e.field === 'value'));
    else {
      val('value').value = pretty;
      if (val('value-format').value !== 'schema') val('value-format').value = 'json';
      onDraftEdited();
    }
  });
  byId('send').addEventListener('click', () => void send());
  val('send-mode').addEventListener('change', () =>
    showSendModeHint(val('send-mode').value as ComposerDraft['sendMode']),
  );
  sending.wire();
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
  });
  byId('refresh').addEventListener(
    'click',
    () =>
      void channel
        .request('refreshMetadata', {})
        .then(applyPanelState, (e: WebviewError) => setStatus('send-status', e.message, 'error')),
  );
  byId('clear-results').addEventListener('click', () => channel.post({ type: 'clearResults' }));
  byId('connect').addEventListener('click', () => {
    const connectionId = val('connect-pick').value;
    if (!connectionId) return;
    byId('connection-name').textContent = 'Connecting…';
    void channel.request('connect', { connectionId }).then(applyPanelState, (e: WebviewError) => {
      byId('connection-name').textContent = `Could not connect: ${e.message}`;
    });
  });
  // Every result, not just the selected one: "Export" of a 5,000-record run means the run.
  byId('export-json').addEventListener(
    'click',
    () =>
      void channel.request('exportTrace', { recordIds: null }).then(
        (r) => setStatus('send-status', r.saved ? `Trace saved to ${r.path}` : 'Export cancelled'),
        (e: WebviewError) => setStatus('send-status', e.message, 'error'),
      ),
  );
  byId('tab-trace').addEventListener('click', () => showTab('trace'));
  byId('read-back').addEventListener('click', () => {
    const recordId = persisted.selectedRecordId;
    if (!recordId) return;
    byId('read-back-result').textContent = 'reading…';
    void channel.request('readBack', { recordId }).then(
      (r) => (byId('read-back-result').textContent = r.summary),
      (e: WebviewError) => (byId('read-back-result').textContent = e.message),
    );
  });
  byId('tab-batches').addEventListener('click', () => showTab('batches'));
  byId('tab-charts').addEventListener('click', () => showTab('charts'));
  const results = byId('results');
  results.addEventListener('scroll', () => queueRender());
  results.addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.result-row');
    if (row?.dataset.recordId) select(row.dataset.recordId);
  });
  results.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const rows = history.newestFirst(0, history.size);
    const at = rows.findIndex((r) => r.recordId === persisted.selectedRecordId);
    const next = rows[Math.max(0, Math.min(rows.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) select(next.recordId);
  });
  const sandboxRun = (command: SandboxAction) =>
    channel
      .request('sandbox', { command })
      .then(renderSandbox, (e: WebviewError) => setStatus('sandbox-status', e.message, 'error'));
  const broker = () => Number(val('sandbox-broker').value);
  byId('sandbox-stop').addEventListener('click', () => void sandboxRun({ action: 'stopBroker', broker: broker() }));
  byId('sandbox-start').addEventListener('click', () => void sandboxRun({ action: 'startBroker', broker: broker() }));
  byId('sandbox-inject').addEventListener(
    'click',
    () => void sandboxRun({ action: 'injectError', errorCode: Number(val('sandbox-error-code').value), count: 1 }),
  );
  byId('sandbox-latency').addEventListener(
    'click',
    () => void sandboxRun({ action: 'addLatency', latencyMs: 500, count: 3 }),
  );
  byId('sandbox-clear').addEventListener('click', () => void sandboxRun({ action: 'clearFaults' }));
}

async function send(): Promise<void> {
  if (sending.isRunning) return;
  const draft = readForm();
  persisted.draft = draft;
  save();
  const problems = checkDraft(draft, panel.topics);
  showErrors(problems);
  if (showFieldProblems()) {
    sending.status(FIX_FIELDS, 'error');
    return;
  }
  if (problems.length) return;
  sending.start(draft.repeat);
  try {
    const result = await channel.request('send', { draft });
    const last = result.lastRecordId ? history.get(result.lastRecordId) : undefined;
    const at =
      last?.status === 'acked' && last.offset !== null
        ? `; last at offset ${last.offset} (partition ${last.partition})`
        : '';
    const failed = last?.status === 'failed' && draft.repeat === 1 ? `Failed: ${last.error ?? ''}` : null;
    sending.status(
      failed ?? `${result.line}${at}`,
      result.ok ? 'ok' : result.cancelled && !/failed/.test(result.line) ? 'busy' : 'error',
    );
    if (result.lastRecordId) select(result.lastRecordId);
  } catch (e) {
    showErrors([e as WebviewError]);
    sending.status((e as WebviewError).message, 'error');
  } finally {
    sending.end();
  }
}

// ---------- panel state ----------

function applyPanelState(init: PanelInit): void {
  const connectionChanged = panel.connection?.id !== init.connection?.id;
  panel = init;
  if (connectionChanged) schemaControls.refreshSubjects();
  byId('connection-name').textContent = init.connection
    ? `Connected to ${init.connection.name}`
    : 'Not connected: run "Kafka: Connect" (the Local sandbox needs no setup)';
  byId('restricted').hidden = init.trusted;
  byId('connect-bar').hidden = init.connection !== null;
  if (!init.connection)
    setOptions(
      val('connect-pick'),
      init.connections.map((c) => ({ value: c.id, label: c.name })),
      init.connections[0]?.id ?? '',
    );
  const pick = val('topic-pick');
  setOptions(
    pick,
    [
      { value: '', label: init.topics.length ? 'pick a topic…' : 'no topics yet' },
      ...init.topics.map((t) => ({ value: t.name, label: t.name })),
    ],
    '',
  );
  renderPartitions();
  byId('sandbox-bar').hidden = !init.sandbox;
  if (init.sandbox) renderSandbox(init.sandbox);
}

/** The sandbox bar: its brokers and, as the host learns it (after each send too), how many faults are left. */
function renderSandbox(view: NonNullable<PanelInit['sandbox']>): void {
  setStatus(
    'sandbox-status',
    `${view.brokers.filter((b) => b.up).length}/${view.brokers.length} brokers up, ${view.faults} fault(s)`,
  );
  const current = val('sandbox-broker').value;
  setOptions(
    val('sandbox-broker'),
    view.brokers.map((b) => ({ value: String(b.id), label: `broker ${b.id} (${b.up ? 'up' : 'stopped'})` })),
    current || String(view.brokers[0]?.id ?? ''),
  );
}

function renderPartitions(): void {
  const topic = panel.topics.find((t) => t.name === val('topic').value.trim());
  const wanted = persisted.draft.partition === null ? 'auto' : String(persisted.draft.partition);
  const options = [
    { value: 'auto', label: 'auto (partitioner)' },
    ...(topic?.partitions ?? []).map((p) => ({
      value: String(p.partition),
      label: p.offline ? `${p.partition} · OFFLINE` : `${p.partition} · leader ${p.leader} · ISR [${p.isr.join(',')}]`,
    })),
  ];
  if (wanted !== 'auto' && !options.some((o) => o.value === wanted)) options.push({ value: wanted, label: wanted });
  setOptions(val('partition'), options, wanted);
  renderPreview();
}

let previewSeq = 0;
/** Shows where the record will land; keyed records ask the host, which hashes the key like the producer does. */
function renderPreview(): void {
  const topic = val('topic').value.trim();
  const partition = val('partition').value;
  const format = val('key-format').value as ComposerDraft['keyFormat'];
  const out = byId('partition-preview');
  if (partition && partition !== 'auto') {
    out.textContent = `Goes to partition ${partition} (explicit).`;
    return;
  }
  const seq = ++previewSeq;
  void channel.request('previewPartition', { topic, keyFormat: format, key: val('key').value }).then(
    (r) => {
      if (seq === previewSeq) out.textContent = r.reason;
    },
    () => {
      if (seq === previewSeq) out.textContent = '';
    },
  );
}

// ---------- results table (virtualized) ----------

function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderRows();
  });
}

function cell(cls: string, text: string): HTMLElement {
  return h('span', { class: `col-${cls}`, role: 'gridcell', text });
}

function renderRows(): void {
  const box = byId('results');
  const win = visibleWindow(box.scrollTop, box.clientHeight || 240, ROW_HEIGHT, history.size);
  byId('results-spacer').style.height = `${win.totalPx}px`;
  const rows = byId('results-rows');
  rows.style.transform = `translateY(${win.offsetPx}px)`;
  rows.replaceChildren(...history.newestFirst(win.start, win.end).map((r) => rowElement(r)));
  renderResultsSummary();
}

function renderResultsSummary(): void {
  const { badge, capNote } = resultsSummary(history);
  byId('results-count').textContent = badge;
  const note = byId('results-cap');
  note.textContent = capNote ?? '';
  note.hidden = capNote === null;
}

function rowElement(r: ResultRow): HTMLElement {
  const el = h(
    'div',
    {
      class: `result-row ${r.status}${r.recordId === persisted.selectedRecordId ? ' selected' : ''}`,
      role: 'row',
      'data-record-id': r.recordId,
      title: r.error ?? '',
    },
    cell('status', r.status === 'failed' ? `failed${r.errorName ? ` ${r.errorName}` : ''}` : r.status),
    cell('topic', r.topic),
    cell('key', r.key ?? '(none)'),
    cell('partition', r.partition === null ? '' : String(r.partition)),
    cell('offset', r.offset === null ? '' : String(r.offset)),
    cell('timestamp', r.timestamp === null ? '' : new Date(r.timestamp).toISOString().slice(11, 23)),
    cell('latency', formatLatency(r.latencyMs)),
    cell('attempts', r.attempts === null ? '' : String(r.attempts)),
  );
  el.style.height = `${ROW_HEIGHT}px`;
  return el;
}

function select(recordId: string): void {
  persisted.selectedRecordId = recordId;
  save();
  queueRender();
  if (persisted.tab === 'trace') void showTrace(recordId);
  else if (persisted.tab === 'batches') void showBatches();
}

// ---------- trace and batches ----------

async function showTrace(recordId: string): Promise<void> {
  const list = byId('trace');
  try {
    const answer = await channel.request('getTrace', { recordId });
    if (persisted.selectedRecordId !== recordId) return;
    if ('unavailable' in answer) {
      list.replaceChildren(h('p', { class: 'muted trace-unavailable', text: answer.unavailable }));
      byId('waterfall').replaceChildren();
      byId('waterfall-detail').textContent = '';
      byId('trace-metadata').replaceChildren();
      byId('read-back').hidden = true;
      return;
    }
    const view: RecordTraceView = answer;
    list.replaceChildren(
      ...view.entries.map((e) =>
        h(
          'li',
          { class: `timeline-entry ${e.kind} ${e.outcome ?? ''}`, 'data-kind': e.kind },
          h('span', { class: 'time', text: new Date(e.time).toISOString().slice(11, 23) }),
          h('strong', { class: 'title', text: e.title }),
          h('span', { class: 'detail', text: e.detail }),
        ),
      ),
    );
    renderWaterfall(view);
    byId('trace-metadata').replaceChildren(
      ...Object.entries(view.metadata).flatMap(([k, v]) => [
        h('dt', { text: k }),
        h('dd', { text: v === null ? '—' : String(v) }),
      ]),
    );
    // An acknowledged record can be fetched back from its partition and offset.
    byId('read-back').hidden = typeof view.metadata.offset !== 'number' || (view.metadata.offset as number) < 0;
    byId('read-back-result').textContent = '';
  } catch (e) {
    list.replaceChildren(h('p', { class: 'error', text: (e as WebviewError).message }));
  }
}

async function showBatches(): Promise<void> {
  const table = byId('batches');
  try {
    const batches: BatchView[] = await channel.request('getBatches', {});
    shownBatches = batches;
    renderBatchLanes(batches, persisted.selectedRecordId, chartsPane.lastSendStartedAt);
    table.replaceChildren(
      h(
        'tr',
        {},
        ...['batch', 'topic-partition', 'records', 'bytes', 'closed because'].map((t) => h('th', { text: t })),
      ),
      ...batches.map((b) =>
        h(
          'tr',
          { class: b.recordIds.includes(persisted.selectedRecordId ?? '') ? 'selected' : '' },
          h('td', { text: shortTraceId(b.batchId), title: b.batchId }),
          h('td', { text: `${b.topic}-${b.partition}` }),
          h('td', { text: String(b.recordIds.length) }),
          h('td', { text: b.bytes === null ? '' : String(b.bytes) }),
          h('td', { text: b.closeReason ?? 'open' }),
        ),
      ),
    );
  } catch (e) {
    table.replaceChildren(h('tr', {}, h('td', { class: 'error', text: (e as WebviewError).message })));
  }
}

function showTab(tab: 'trace' | 'batches' | 'charts'): void {
  persisted.tab = tab;
  save();
  for (const t of ['trace', 'batches', 'charts'] as const) {
    byId(`${t}-pane`).hidden = tab !== t;
    byId(`tab-${t}`).setAttribute('aria-pressed', String(tab === t));
    byId(`tab-${t}`).setAttribute('appearance', tab === t ? 'primary' : 'secondary');
  }
  if (tab === 'batches') void showBatches();
  else if (tab === 'charts') void chartsPane.show();
  else if (persisted.selectedRecordId) void showTrace(persisted.selectedRecordId);
}

// Last, so every const above is initialised before the first event can fire.
// `ready` goes first: the host answers nothing before it, and filling the form already asks for a preview.
buildLayout();
channel.post({ type: 'ready' });
showTab(persisted.tab);
fillForm(persisted.draft);
rendered.showOrigin(persisted.origin);
rendered.update(persisted.draft, persisted.origin, 0);

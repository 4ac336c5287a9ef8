/**
 * The topic viewer webview: a toolbar (from, Start, Load more, live tail, key/value formats, filter, export) and a
 * table of the rows the host posts. The host owns the records, paging, formats and filter; this only shows and asks.
 */
import type {
  HostToViewer,
  ViewerFormat,
  ViewerRow,
  ViewerState,
  ViewerToHost,
} from '../../extension/protocol/topic-viewer-messages';
import { VIEWER_FORMATS } from '../../extension/protocol/topic-viewer-messages';
import { byId, h } from '../dom';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: ViewerToHost) => vscode.postMessage(m);

function formatSelect(id: string, label: string): HTMLSelectElement {
  const select = h(
    'select',
    { id, 'aria-label': label },
    ...VIEWER_FORMATS.map((f) => h('option', { value: f }, f)),
  ) as HTMLSelectElement;
  select.addEventListener('change', () =>
    post({
      type: 'format',
      keyFormat: byId<HTMLSelectElement>('key-format').value as ViewerFormat,
      valueFormat: byId<HTMLSelectElement>('value-format').value as ViewerFormat,
    }),
  );
  return select;
}

const fromInput = h('input', {
  id: 'from',
  type: 'text',
  value: 'earliest',
  placeholder: 'earliest, latest, offset or @timestamp',
  'aria-label': 'Start from',
}) as HTMLInputElement;
const filterInput = h('input', {
  id: 'filter',
  type: 'search',
  placeholder: 'Filter key, value, headers',
  'aria-label': 'Filter',
}) as HTMLInputElement;
const tailBox = h('input', { id: 'tail', type: 'checkbox' }) as HTMLInputElement;

byId('app').append(
  h(
    'div',
    { class: 'toolbar' },
    h('label', {}, 'From ', fromInput),
    h('button', { id: 'start' }, 'Start'),
    h('button', { id: 'load-more' }, 'Load more'),
    h('label', {}, tailBox, ' Live tail'),
    h('label', {}, 'Key ', formatSelect('key-format', 'Key format')),
    h('label', {}, 'Value ', formatSelect('value-format', 'Value format')),
    filterInput,
    h('button', { id: 'export' }, 'Export JSONL'),
  ),
  h('div', { id: 'status', role: 'status' }),
  h('div', { id: 'error', class: 'error', role: 'alert' }),
  h(
    'table',
    { id: 'records' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Partition', 'Offset', 'Timestamp', 'Key', 'Value', 'Headers'].map((c) => h('th', {}, c))),
    ),
    h('tbody', { id: 'rows' }),
  ),
);

byId('start').addEventListener('click', () => post({ type: 'start', from: fromInput.value }));
fromInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') post({ type: 'start', from: fromInput.value });
});
byId('load-more').addEventListener('click', () => post({ type: 'loadMore' }));
tailBox.addEventListener('change', () => post({ type: 'tail', on: tailBox.checked }));
byId('export').addEventListener('click', () => post({ type: 'export' }));
let filterTimer: ReturnType<typeof setTimeout> | undefined;
filterInput.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => post({ type: 'filter', text: filterInput.value }), 150);
});

function cell(text: string | null, cls: string): HTMLElement {
  return text === null ? h('td', { class: `${cls} null` }, 'null') : h('td', { class: cls }, h('pre', {}, text));
}

function rowElement(r: ViewerRow): HTMLElement {
  const headers = r.headers.map((x) => `${x.key}=${x.value ?? 'null'}`).join('\n');
  return h(
    'tr',
    { class: 'record-row', 'data-offset': r.offset, 'data-partition': r.partition },
    h('td', {}, String(r.partition)),
    h('td', {}, String(r.offset)),
    h('td', { class: 'time' }, r.timestamp),
    cell(r.key, 'key'),
    cell(r.value, 'value'),
    cell(headers || '', 'headers'),
  );
}

function render(s: ViewerState): void {
  const where = s.partition === null ? s.topic : `${s.topic} partition ${s.partition}`;
  const shown = s.filter ? `${s.rows.length} of ${s.windowSize} match "${s.filter}"` : `${s.windowSize} records`;
  byId('status').textContent =
    `${where} from ${s.from}: ${shown}` +
    `${s.dropped ? ` (window of ${s.windowLimit}; ${s.dropped} older dropped)` : ''}` +
    `${s.positions ? ` · next offsets ${s.positions}` : ''}${s.caughtUp ? ' · at the end' : ''}${s.loading ? ' · loading…' : ''}${s.tail ? ' · tailing' : ''}`;
  byId('error').textContent = s.error ?? '';
  tailBox.checked = s.tail;
  byId<HTMLSelectElement>('key-format').value = s.keyFormat;
  byId<HTMLSelectElement>('value-format').value = s.valueFormat;
  if (document.activeElement !== fromInput) fromInput.value = s.from;
  byId<HTMLButtonElement>('load-more').disabled = s.loading;
  byId('rows').replaceChildren(...s.rows.map(rowElement));
}

window.addEventListener('message', (event: MessageEvent<HostToViewer>) => {
  const m = event.data;
  if (m.type === 'state') render(m.state);
  else if (m.type === 'exported') byId('status').textContent = `Exported ${m.rows} record(s) to ${m.path}`;
});
post({ type: 'ready' });

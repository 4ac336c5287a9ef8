/**
 * The composer webview's state logic, free of the DOM so plain mocha can test it: which host pushes it handles, the
 * bounded results history, row selection, the virtual-scroll window, and what is persisted through `vscode.setState`.
 */
import {
  defaultDraft,
  MAX_RESULT_ROWS,
  type ComposerDraft,
  type DraftOrigin,
  type HostToWebview,
  type ResultRow,
} from '../extension/protocol/messages';

export { MAX_RESULT_ROWS };

export type HostPush = Exclude<HostToWebview, { type: 'response' }>;

/** Every push the panel handles. A Record, so a new push type in the protocol does not compile until it is listed here. */
const PUSH_TYPES: Record<HostPush['type'], true> = {
  init: true,
  results: true,
  state: true,
  cleared: true,
  loadDraft: true,
  sendProgress: true,
  runCharts: true,
};

/** Whether a message type is a push the panel handles (an unknown one is dropped, not trusted). */
export function isHostPush(type: string): type is HostPush['type'] {
  return Object.hasOwn(PUSH_TYPES, type);
}

export class ResultsHistory {
  private rows: ResultRow[] = [];
  private index = new Map<string, number>();
  /** Position of rows[0] in the all-time sequence, so indices survive dropping the oldest rows. */
  private dropped = 0;

  constructor(readonly capacity = MAX_RESULT_ROWS) {}

  get size(): number {
    return this.rows.length;
  }

  /** The table holds all it keeps: each new row drops the oldest (the host keeps as many, so after a rebuild too). */
  get isFull(): boolean {
    return this.rows.length >= this.capacity;
  }

  /** Adds new rows at the end and replaces known ones in place (a pending row becoming acked or failed). */
  upsert(updates: ResultRow[]): void {
    for (const row of updates) {
      const at = this.index.get(row.recordId);
      if (at !== undefined) this.rows[at - this.dropped] = row;
      else {
        this.index.set(row.recordId, this.dropped + this.rows.length);
        this.rows.push(row);
      }
    }
    const excess = this.rows.length - this.capacity;
    if (excess > 0) {
      for (const r of this.rows.slice(0, excess)) this.index.delete(r.recordId);
      this.rows = this.rows.slice(excess);
      this.dropped += excess;
    }
  }

  get(recordId: string): ResultRow | undefined {
    const at = this.index.get(recordId);
    return at === undefined ? undefined : this.rows[at - this.dropped];
  }

  /** Newest first, as the table shows them. */
  newestFirst(start: number, end: number): ResultRow[] {
    const out: ResultRow[] = [];
    for (let i = start; i < Math.min(end, this.rows.length); i++) out.push(this.rows[this.rows.length - 1 - i]);
    return out;
  }

  counts(): { acked: number; failed: number; pending: number } {
    const c = { acked: 0, failed: 0, pending: 0 };
    for (const r of this.rows) c[r.status]++;
    return c;
  }

  clear(): void {
    this.rows = [];
    this.index.clear();
    this.dropped = 0;
  }
}

/** 10000 -> "10,000": the panel is in English, so its numbers are too, whatever the machine's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The results badge ("12", "10,000 (latest) · 3 failed") and, once older rows are being dropped, a note that says so. */
export function resultsSummary(history: ResultsHistory): { badge: string; capNote: string | null } {
  const c = history.counts();
  const size = formatCount(history.size);
  const parts = [history.isFull ? `${size} (latest)` : size];
  if (c.failed) parts.push(`${formatCount(c.failed)} failed`);
  if (c.pending) parts.push(`${formatCount(c.pending)} pending`);
  const capNote = history.isFull ? `Showing the latest ${size} results: older ones are dropped.` : null;
  return { badge: parts.join(' · '), capNote };
}

/** Which rows to render for a scroll position: only the visible ones plus a small overscan. */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): { start: number; end: number; offsetPx: number; totalPx: number } {
  const first = Math.max(0, Math.floor(Math.max(0, scrollTop) / rowHeight) - overscan);
  const count = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + overscan * 2;
  const end = Math.min(total, first + count);
  const start = Math.min(first, end);
  return { start, end, offsetPx: start * rowHeight, totalPx: total * rowHeight };
}

/** What the webview persists with setState: the draft and the UI choices, never results (they are rebuilt). */
export interface PersistedState {
  version: 1;
  draft: ComposerDraft;
  /** The collection message the draft was opened from; its variables render the templates. */
  origin: DraftOrigin | null;
  selectedRecordId: string | null;
  tab: 'trace' | 'batches' | 'charts';
}

/** Reads state saved by an earlier panel, falling back to defaults for anything missing or malformed. */
export function restoreState(saved: unknown): PersistedState {
  const fresh: PersistedState = {
    version: 1,
    draft: defaultDraft(),
    origin: null,
    selectedRecordId: null,
    tab: 'trace',
  };
  if (typeof saved !== 'object' || saved === null) return fresh;
  const s = saved as Partial<PersistedState>;
  if (s.version !== 1) return fresh;
  const base = defaultDraft();
  const d = typeof s.draft === 'object' && s.draft ? s.draft : base;
  return {
    version: 1,
    draft: {
      ...base,
      ...d,
      settings: { ...base.settings, ...(d.settings ?? {}) },
      headers: Array.isArray(d.headers) ? d.headers : [],
    },
    origin: isOrigin(s.origin) ? s.origin : null,
    selectedRecordId: typeof s.selectedRecordId === 'string' ? s.selectedRecordId : null,
    tab: s.tab === 'batches' || s.tab === 'charts' ? s.tab : 'trace',
  };
}

function isOrigin(v: unknown): v is DraftOrigin {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as DraftOrigin).file === 'string' &&
    typeof (v as DraftOrigin).name === 'string'
  );
}

/** Pending requests by id; a reply settles the matching one, a stray reply is ignored. */
export class RequestTracker {
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  start(): { requestId: number; promise: Promise<unknown> } {
    const requestId = this.next++;
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
    return { requestId, promise };
  }

  settle(requestId: number, ok: boolean, payload: unknown): boolean {
    const p = this.pending.get(requestId);
    if (!p) return false;
    this.pending.delete(requestId);
    if (ok) p.resolve(payload);
    else p.reject(payload);
    return true;
  }

  get inFlight(): number {
    return this.pending.size;
  }
}

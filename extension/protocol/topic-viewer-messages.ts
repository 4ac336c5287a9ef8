/**
 * The messages between the extension host and the topic viewer webview. The host keeps the records (a bounded
 * window), formats and filters them, and posts the rows to show; the webview asks for pages, tail, formats, a
 * filter and an export. Inbound messages are checked by ./validate.ts (parseViewerMessage).
 */

/** How key and value bytes are shown. */
/** `schema`: Confluent's wire format decoded by the schema id it carries, through the connection's registry. */
export type ViewerFormat = 'text' | 'json' | 'hex' | 'base64' | 'schema';
export const VIEWER_FORMATS: readonly ViewerFormat[] = ['text', 'json', 'hex', 'base64', 'schema'];

export interface ViewerRow {
  partition: number;
  offset: number;
  /** ISO time, with the timestamp type. */
  timestamp: string;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

export interface ViewerState {
  topic: string;
  /** The one partition viewed, or null for the whole topic. */
  partition: number | null;
  /** Where reading started, as typed: earliest, latest, an offset or @TIMESTAMP. */
  from: string;
  keyFormat: ViewerFormat;
  valueFormat: ViewerFormat;
  filter: string;
  tail: boolean;
  /** The rows of the window that match the filter, oldest first. */
  rows: ViewerRow[];
  /** Records held in the window (at most `windowLimit`), and how many older ones were dropped from it. */
  windowSize: number;
  windowLimit: number;
  dropped: number;
  /** Every partition read up to its end at the last fetch (Load more finds nothing new until records arrive). */
  caughtUp: boolean;
  loading: boolean;
  /** Next offset per partition, e.g. "0: 120, 1: 98". */
  positions: string;
  error: string | null;
}

export type ViewerToHost =
  | { type: 'ready' }
  | { type: 'start'; from: string }
  | { type: 'loadMore' }
  | { type: 'tail'; on: boolean }
  | { type: 'format'; keyFormat: ViewerFormat; valueFormat: ViewerFormat }
  | { type: 'filter'; text: string }
  | { type: 'export' };

export type HostToViewer = { type: 'state'; state: ViewerState } | { type: 'exported'; path: string; rows: number };

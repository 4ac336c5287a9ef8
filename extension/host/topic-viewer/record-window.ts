/**
 * The topic viewer's records: a bounded window (the latest `limit` records read; older ones are dropped), shown
 * through a key/value format and a text filter, and exported as JSONL. Plain data, no VS Code.
 */
import { isUtf8 } from 'node:buffer';
import type { ConsumedRecord } from '../../core/consume/fetched-records';
import { recordToJson } from '../../core/consume/record-json';
import type { ViewerFormat, ViewerRow } from '../../protocol/topic-viewer-messages';
import { prettyJson } from '../../protocol/json-text';

export const DEFAULT_WINDOW_LIMIT = 2000;

/** A key's or value's Schema Registry decoding, as shown (pretty JSON, or why it could not be decoded). */
export interface DecodedText {
  key?: string;
  value?: string;
}

export class RecordWindow {
  private records: ConsumedRecord[] = [];
  /** Decodings of records in the window (format `schema`); they go with their records. */
  private readonly decoded = new WeakMap<ConsumedRecord, DecodedText>();
  /** Records dropped from the front to keep the window bounded. */
  dropped = 0;

  constructor(readonly limit = DEFAULT_WINDOW_LIMIT) {}

  get size(): number {
    return this.records.length;
  }

  add(records: readonly ConsumedRecord[]): void {
    this.records.push(...records);
    const over = this.records.length - this.limit;
    if (over > 0) {
      this.records.splice(0, over);
      this.dropped += over;
    }
  }

  all(): readonly ConsumedRecord[] {
    return this.records;
  }

  hasDecoded(record: ConsumedRecord): boolean {
    return this.decoded.has(record);
  }

  setDecoded(record: ConsumedRecord, decoded: DecodedText): void {
    this.decoded.set(record, decoded);
  }

  clear(): void {
    this.records = [];
    this.dropped = 0;
  }

  /** The records whose key, value or a header (as shown in these formats) contains `filter`, ignoring case. */
  matching(
    filter: string,
    keyFormat: ViewerFormat,
    valueFormat: ViewerFormat,
  ): { record: ConsumedRecord; row: ViewerRow }[] {
    const needle = filter.trim().toLowerCase();
    const out: { record: ConsumedRecord; row: ViewerRow }[] = [];
    for (const record of this.records) {
      const row = toRow(record, keyFormat, valueFormat, this.decoded.get(record));
      if (!needle || rowText(row).toLowerCase().includes(needle)) out.push({ record, row });
    }
    return out;
  }
}

/**
 * Takes up to `count` records oldest first across partitions (each partition's own order kept), so a page of a
 * topic shows all its partitions' records of the same time rather than one partition after another.
 */
export function takeOldestFirst(
  pending: readonly ConsumedRecord[],
  count: number,
): { taken: ConsumedRecord[]; rest: ConsumedRecord[] } {
  const queues = new Map<number, ConsumedRecord[]>();
  for (const r of pending) queues.set(r.partition, [...(queues.get(r.partition) ?? []), r]);
  const taken: ConsumedRecord[] = [];
  while (taken.length < count) {
    let oldest: ConsumedRecord[] | undefined;
    for (const q of queues.values()) if (q.length && (!oldest || q[0]!.timestamp < oldest[0]!.timestamp)) oldest = q;
    if (!oldest) break;
    taken.push(oldest.shift()!);
  }
  return { taken, rest: [...queues.values()].flat() };
}

/** One JSON line per record (record-json's form: UTF-8 text as strings, other bytes as {"base64": ...}). */
export function toJsonl(records: readonly ConsumedRecord[]): string {
  return records.map((r) => `${JSON.stringify(recordToJson(r))}\n`).join('');
}

export function toRow(
  record: ConsumedRecord,
  keyFormat: ViewerFormat,
  valueFormat: ViewerFormat,
  decoded?: DecodedText,
): ViewerRow {
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: `${new Date(record.timestamp).toISOString()} (${record.timestampType})`,
    key: keyFormat === 'schema' && decoded?.key !== undefined ? decoded.key : formatBytes(record.key, keyFormat),
    value:
      valueFormat === 'schema' && decoded?.value !== undefined ? decoded.value : formatBytes(record.value, valueFormat),
    headers: record.headers.map((h) => ({
      key: h.key.toString('utf8'),
      value:
        h.value === null ? null : isUtf8(h.value) ? h.value.toString('utf8') : `base64:${h.value.toString('base64')}`,
    })),
  };
}

/**
 * Bytes as shown: text (bytes that are not UTF-8 as base64, marked), pretty JSON (text when not JSON), hex or base64;
 * `schema` without a decoding (not in Confluent's wire format) as JSON.
 */
export function formatBytes(bytes: Buffer | null, format: ViewerFormat): string | null {
  if (bytes === null) return null;
  switch (format) {
    case 'hex':
      return bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ');
    case 'base64':
      return bytes.toString('base64');
    case 'json':
    case 'schema':
    case 'text': {
      if (!isUtf8(bytes)) return `base64:${bytes.toString('base64')}`;
      const text = bytes.toString('utf8');
      if (format === 'text') return text;
      return prettyJson(text) ?? text; // not JSON: shown as it is
    }
  }
}

function rowText(row: ViewerRow): string {
  return [row.key ?? '', row.value ?? '', ...row.headers.flatMap((h) => [h.key, h.value ?? ''])].join('\u0000');
}

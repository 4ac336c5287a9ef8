/**
 * Data files that feed one record per line: JSONL (each line a value, or a record object) and CSV (columns key,
 * value, header.NAME, partition, timestamp). Both stream: one line in memory at a time, and reading pauses while
 * the consumer (the runner, waiting on the producer) is not asking for more.
 */
import { createReadStream } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import { InvalidInputError } from '../util/errors';
import { isJsonText } from './json-syntax';

export interface DataHeader {
  key: string;
  value: string | Buffer | null;
}

/** One line of a data file; fields left undefined fall back to the message's own. */
export interface DataRecord {
  /** 1-based line in the file, for errors. */
  line: number;
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  headers?: DataHeader[];
  partition?: number;
  timestamp?: number;
}

/** A data file line that cannot be read; names the file and line. */
export class DataFileError extends InvalidInputError {}

const RECORD_FIELDS = ['key', 'value', 'headers', 'partition', 'timestamp'];

/** Reads `.jsonl` lines as values (each line is sent as written; a JSON string line sends its text) or as record objects. */
export async function* readJsonl(filePath: string, displayName: string, lines: 'value' | 'record' = 'value', signal?: AbortSignal): AsyncGenerator<DataRecord> {
  for await (const batch of readJsonlBatches(filePath, displayName, lines, signal)) {
    for (const record of batch) {
      if (signal?.aborted) return;
      yield record;
    }
  }
}

/**
 * Lines handed over at a time. Small enough that a group's objects die young (a group waits whole while the
 * producer's window is full, and all it holds would otherwise survive into the old generation), big enough that
 * the await per group costs nothing next to its lines.
 */
const GROUP_LINES = 256;

/**
 * Bytes read at a time. Under V8's large-object size (128 KiB), so each chunk's text is a young object that dies
 * with the lines cut from it; a bigger chunk goes straight to the old generation and costs full collections.
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * The same, a group of lines at a time (read CHUNK_BYTES of the file at a time): one await per group instead of one
 * per line, which is what keeps a 100k-line file close to the engine's own speed.
 */
export async function* readJsonlBatches(filePath: string, displayName: string, lines: 'value' | 'record' = 'value', signal?: AbortSignal): AsyncGenerator<DataRecord[]> {
  const input = createReadStream(filePath, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  let rest = '';
  let line = 0;
  const parseLine = (raw: string): DataRecord | undefined => {
    line++;
    let text = raw.trim();
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1).trim();
    if (text === '') return undefined;
    // A value line goes out as written, so it is only checked, not parsed; a JSON string line sends its text.
    if (lines === 'value' && text.charCodeAt(0) !== 0x22 && isJsonText(text)) return { line, value: text };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DataFileError(`${displayName}:${line}: not valid JSON (${(e as Error).message}); each line must be one JSON value`);
    }
    if (lines === 'value') return { line, value: typeof parsed === 'string' ? parsed : text };
    return recordFromObject(parsed, `${displayName}:${line}`, line);
  };
  // A value line that is plain JSON (not a string) is checked where it lies in the chunk and sliced out as it is:
  // no copy of the chunk split into lines first, and no JSON.parse. Anything else (the first line, which may start
  // with a BOM; a line carried over between chunks; a string; odd whitespace; bad JSON) takes parseLine.
  const plainValueLine = (chunk: string, from: number, to: number): string | undefined => {
    while (from < to && isJsonSpace(chunk.charCodeAt(from))) from++;
    while (to > from && isJsonSpace(chunk.charCodeAt(to - 1))) to--;
    if (from === to || chunk.charCodeAt(from) === 0x22 || !isJsonText(chunk, from, to)) return undefined;
    return chunk.slice(from, to);
  };
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      if (signal?.aborted) return;
      let end = chunk.indexOf('\n');
      if (end < 0) {
        rest += chunk;
        continue;
      }
      let batch: DataRecord[] = [];
      try {
        const first = parseLine(rest + chunk.slice(0, end));
        if (first) batch.push(first);
        let start = end + 1;
        while ((end = chunk.indexOf('\n', start)) >= 0) {
          const value = lines === 'value' && line > 0 ? plainValueLine(chunk, start, end) : undefined;
          if (value !== undefined) batch.push({ line: ++line, value });
          else {
            const record = parseLine(chunk.slice(start, end));
            if (record) batch.push(record);
          }
          start = end + 1;
          if (batch.length >= GROUP_LINES) {
            yield batch;
            batch = [];
          }
        }
        rest = chunk.slice(start);
      } catch (e) {
        // The lines before the bad one still go out, as they would one by one; then the error stops the run.
        if (batch.length) yield batch;
        throw e;
      }
      if (batch.length) yield batch;
    }
    if (signal?.aborted) return;
    const last = rest ? parseLine(rest) : undefined;
    if (last) yield [last];
  } finally {
    input.destroy();
  }
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function recordFromObject(parsed: unknown, where: string, line: number): DataRecord {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DataFileError(`${where}: expected a record object {"key", "value", "headers", "partition", "timestamp"} (the message sets "lines": "record")`);
  }
  const obj = parsed as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !RECORD_FIELDS.includes(k));
  if (unknown.length) throw new DataFileError(`${where}: unknown field "${unknown[0]}"; a record line may have: ${RECORD_FIELDS.join(', ')}`);
  const record: DataRecord = { line };
  if ('key' in obj) record.key = binary(obj.key, `${where}: key`);
  if ('value' in obj) record.value = value(obj.value, `${where}: value`);
  if ('headers' in obj) record.headers = headers(obj.headers, where);
  if ('partition' in obj && obj.partition !== null) record.partition = wholeNumber(obj.partition, `${where}: partition`);
  if ('timestamp' in obj && obj.timestamp !== null) record.timestamp = wholeNumber(obj.timestamp, `${where}: timestamp`);
  return record;
}

function isBase64Object(v: unknown): v is { base64: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { base64?: unknown }).base64 === 'string';
}

function binary(v: unknown, where: string): string | Buffer | null {
  if (v === null || typeof v === 'string') return v;
  if (isBase64Object(v)) return Buffer.from(v.base64, 'base64');
  throw new DataFileError(`${where} must be a string, null or {"base64": "..."} (got ${JSON.stringify(v)})`);
}

function value(v: unknown, where: string): string | Buffer | null {
  if (v === null || typeof v === 'string') return v;
  if (isBase64Object(v)) return Buffer.from(v.base64, 'base64');
  const text = JSON.stringify(v);
  if (text === undefined) throw new DataFileError(`${where} is not a JSON value`);
  return text;
}

function headers(v: unknown, where: string): DataHeader[] {
  // Pairs [["name", "value"], ...] as in collections, or [{"key", "value"}] as Confluent and kcat write them.
  if (!Array.isArray(v)) throw new DataFileError(`${where}: headers must be an array of ["name", value] pairs`);
  return v.map((h, i) => {
    if (Array.isArray(h) && h.length === 2 && typeof h[0] === 'string') return { key: h[0], value: binary(h[1], `${where}: headers[${i}]`) };
    if (typeof h === 'object' && h !== null && typeof (h as { key?: unknown }).key === 'string') return { key: (h as { key: string }).key, value: binary((h as { value?: unknown }).value ?? null, `${where}: headers[${i}]`) };
    throw new DataFileError(`${where}: headers[${i}] must be ["name", value] or {"key": "name", "value": value}`);
  });
}

function wholeNumber(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new DataFileError(`${where} must be a whole number >= 0 (got ${JSON.stringify(v)})`);
  return n;
}

/**
 * Reads a CSV file with a header row. Columns: key, value, partition, timestamp, header.NAME (one per header).
 * An empty cell means "not set": the message's own key/partition/timestamp apply, the header is left out;
 * an empty value cell is an empty value.
 */
export async function* readCsv(filePath: string, displayName: string, signal?: AbortSignal): AsyncGenerator<DataRecord> {
  const input = createReadStream(filePath);
  const parser = input.pipe(parseCsv({ columns: checkColumns(displayName), info: true, bom: true, skip_empty_lines: true }));
  input.on('error', (e) => parser.destroy(e));
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (signal?.aborted) return;
      const line = row.info.lines;
      const where = `${displayName}:${line}`;
      const record: DataRecord = { line };
      for (const [column, cell] of Object.entries(row.record)) {
        if (column === 'value') record.value = cell;
        else if (cell === '') continue;
        else if (column === 'key') record.key = cell;
        else if (column === 'partition') record.partition = wholeNumber(cell, `${where}: partition`);
        else if (column === 'timestamp') record.timestamp = wholeNumber(cell, `${where}: timestamp`);
        else (record.headers ??= []).push({ key: column.slice('header.'.length), value: cell });
      }
      yield record;
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    const err = e as { code?: string; lines?: number; message: string };
    if (err.code === 'ENOENT') throw new DataFileError(`${displayName}: file not found`);
    throw new DataFileError(`${displayName}${err.lines ? ':' + err.lines : ''}: not valid CSV (${err.message})`);
  } finally {
    parser.destroy();
    input.destroy();
  }
}

function checkColumns(displayName: string) {
  return (header: string[]): string[] => {
    const names = header.map((h) => h.trim());
    for (const name of names) {
      if (!['key', 'value', 'partition', 'timestamp'].includes(name) && !/^header\..+/.test(name)) {
        throw new DataFileError(`${displayName}:1: unknown column "${name}"; columns are key, value, partition, timestamp and header.NAME`);
      }
    }
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new DataFileError(`${displayName}:1: column "${dup}" appears twice`);
    return names;
  };
}

/**
 * Data files that feed one record per line: JSONL (each line a value, or a record object) and CSV (columns key,
 * value, header.NAME, partition, timestamp). Both stream: one line in memory at a time, and reading pauses while
 * the consumer (the runner, waiting on the producer) is not asking for more.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { InvalidInputError } from '../util/errors';
import { isJsonBytes } from './json-syntax';
import { firstBadUtf8Line, loneSurrogateProblem } from '../util/utf8';

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

/**
 * Reads `.jsonl` lines as values (each line is sent as written, as a Buffer of its bytes; a JSON string line sends
 * its text, a string) or as record objects.
 */
export async function* readJsonl(
  filePath: string,
  displayName: string,
  lines: 'value' | 'record' = 'value',
  signal?: AbortSignal,
  maxLineBytes = Infinity,
): AsyncGenerator<DataRecord> {
  for await (const batch of readJsonlBatches(filePath, displayName, lines, signal, maxLineBytes)) {
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
 * Bytes read at a time. Small enough that a value line, which is a slice of the chunk it was read in, keeps little
 * memory alive while it waits in the producer's window; big enough that the read per chunk costs nothing next to its
 * lines.
 */
const CHUNK_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * The same, a group of lines at a time: one await per group instead of one per line, which is what keeps a
 * 100k-line file close to the engine's own speed. The file is read as bytes: a value line that is plain JSON (not a
 * string) is checked where it lies and handed over as a slice of the chunk, so it is never decoded and encoded again.
 */
export async function* readJsonlBatches(
  filePath: string,
  displayName: string,
  lines: 'value' | 'record' = 'value',
  signal?: AbortSignal,
  maxLineBytes = Infinity,
): AsyncGenerator<DataRecord[]> {
  const input = createReadStream(filePath, { highWaterMark: CHUNK_BYTES });
  /** The start of a line that goes on in the next chunk (more than one part for a line longer than a chunk). */
  let rest: Buffer[] = [];
  let restBytes = 0;
  let line = 0;
  /** A line longer than any record can be stops reading there: it is never held in memory whole. */
  const checkLength = (bytes: number): void => {
    if (bytes > maxLineBytes)
      throw new DataFileError(
        `${displayName}:${line + 1}: the line is longer than ${maxLineBytes.toLocaleString('en-US')} bytes, more than a record can hold (see max.request.size); split it, or raise max.request.size in "producer"`,
      );
  };
  /** Any line the fast path does not take (the first, which may start with a BOM; a line carried over between chunks; a string; a record; bad JSON or bad UTF-8). */
  const parseLine = (raw: Buffer): DataRecord | undefined => {
    line++;
    if (!isUtf8(raw)) throw new DataFileError(`${displayName}:${line}: not valid UTF-8 text; save the file as UTF-8`);
    let text = raw.toString('utf8').trim();
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1).trim();
    if (text === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DataFileError(
        `${displayName}:${line}: not valid JSON (${(e as Error).message}); each line must be one JSON value`,
      );
    }
    // A value line goes out as written (its UTF-8 bytes, as from the fast path); a JSON string line sends its text.
    if (lines === 'value')
      return {
        line,
        value:
          typeof parsed === 'string'
            ? wellFormed(parsed, `${displayName}:${line}: the value`)
            : Buffer.from(text, 'utf8'),
      };
    return recordFromObject(parsed, `${displayName}:${line}`, line);
  };
  /** A value line that is plain JSON, sliced out of valid UTF-8 where it lies: no copy, no decoding, no JSON.parse. */
  const plainValueLine = (chunk: Buffer, from: number, to: number): Buffer | undefined => {
    while (from < to && isJsonSpace(chunk[from])) from++;
    while (to > from && isJsonSpace(chunk[to - 1])) to--;
    if (from === to || chunk[from] === QUOTE || !isJsonBytes(chunk, from, to)) return undefined;
    return chunk.subarray(from, to);
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      let end = chunk.indexOf(NEWLINE);
      if (end < 0) {
        checkLength(restBytes + chunk.length);
        rest.push(chunk);
        restBytes += chunk.length;
        continue;
      }
      let batch: DataRecord[] = [];
      try {
        checkLength(restBytes + end);
        const first = parseLine(
          rest.length ? Buffer.concat([...rest, chunk.subarray(0, end)]) : chunk.subarray(0, end),
        );
        if (first) batch.push(first);
        let start = end + 1;
        // Whole lines of this chunk, checked for UTF-8 once (a character cut at the chunk's end is in `rest`).
        const fast = lines === 'value' && isUtf8(chunk.subarray(start, chunk.lastIndexOf(NEWLINE)));
        while ((end = chunk.indexOf(NEWLINE, start)) >= 0) {
          checkLength(end - start);
          const value = fast ? plainValueLine(chunk, start, end) : undefined;
          if (value !== undefined) batch.push({ line: ++line, value });
          else {
            const record = parseLine(chunk.subarray(start, end));
            if (record) batch.push(record);
          }
          start = end + 1;
          if (batch.length >= GROUP_LINES) {
            yield batch;
            batch = [];
          }
        }
        rest = start < chunk.length ? [chunk.subarray(start)] : [];
        restBytes = chunk.length - start;
      } catch (e) {
        // The lines before the bad one still go out, as they would one by one; then the error stops the run.
        if (batch.length) yield batch;
        throw e;
      }
      if (batch.length) yield batch;
    }
    if (signal?.aborted) return;
    const last = rest.length ? parseLine(Buffer.concat(rest)) : undefined; // within maxLineBytes: checked as it grew
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
    throw new DataFileError(
      `${where}: expected a record object {"key", "value", "headers", "partition", "timestamp"} (the message sets "lines": "record")`,
    );
  }
  const obj = parsed as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !RECORD_FIELDS.includes(k));
  if (unknown.length)
    throw new DataFileError(
      `${where}: unknown field "${unknown[0]}"; a record line may have: ${RECORD_FIELDS.join(', ')}`,
    );
  const record: DataRecord = { line };
  if ('key' in obj) record.key = binary(obj.key, `${where}: key`);
  if ('value' in obj) record.value = value(obj.value, `${where}: value`);
  if ('headers' in obj) record.headers = headers(obj.headers, where);
  if ('partition' in obj && obj.partition !== null)
    record.partition = wholeNumber(obj.partition, `${where}: partition`);
  if ('timestamp' in obj && obj.timestamp !== null)
    record.timestamp = wholeNumber(obj.timestamp, `${where}: timestamp`);
  return record;
}

function isBase64Object(v: unknown): v is { base64: string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as { base64?: unknown }).base64 === 'string'
  );
}

/** Base64 as the collection schema accepts it: Node's decoder would turn anything else into garbage bytes silently. */
function decodeBase64(text: string, where: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw new DataFileError(
      `${where}.base64 must be base64 text (A-Z, a-z, 0-9, + and /, with = padding), got ${JSON.stringify(text.length > 40 ? text.slice(0, 37) + '...' : text)}`,
    );
  return Buffer.from(text, 'base64');
}

/** JSON may hold escapes of lone surrogates, which cannot go out as written: refused, naming the line and field. */
function wellFormed(text: string, where: string): string {
  const problem = loneSurrogateProblem(text, where);
  if (problem) throw new DataFileError(problem);
  return text;
}

function binary(v: unknown, where: string): string | Buffer | null {
  if (typeof v === 'string') return wellFormed(v, where);
  if (v === null) return v;
  if (isBase64Object(v)) return decodeBase64(v.base64, where);
  throw new DataFileError(`${where} must be a string, null or {"base64": "..."} (got ${JSON.stringify(v)})`);
}

function value(v: unknown, where: string): string | Buffer | null {
  if (typeof v === 'string') return wellFormed(v, where);
  if (v === null) return v;
  if (isBase64Object(v)) return decodeBase64(v.base64, where);
  const text = JSON.stringify(v);
  if (text === undefined) throw new DataFileError(`${where} is not a JSON value`);
  return text;
}

function headers(v: unknown, where: string): DataHeader[] {
  // Pairs [["name", "value"], ...] as in collections, or [{"key", "value"}] as Confluent and kcat write them.
  if (!Array.isArray(v)) throw new DataFileError(`${where}: headers must be an array of ["name", value] pairs`);
  return v.map((h, i) => {
    if (Array.isArray(h) && h.length === 2 && typeof h[0] === 'string')
      return {
        key: wellFormed(h[0], `${where}: the name of headers[${i}]`),
        value: binary(h[1], `${where}: headers[${i}]`),
      };
    if (typeof h === 'object' && h !== null && typeof (h as { key?: unknown }).key === 'string')
      return {
        key: wellFormed((h as { key: string }).key, `${where}: the name of headers[${i}]`),
        value: binary((h as { value?: unknown }).value ?? null, `${where}: headers[${i}]`),
      };
    throw new DataFileError(`${where}: headers[${i}] must be ["name", value] or {"key": "name", "value": value}`);
  });
}

function wholeNumber(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new DataFileError(`${where} must be a whole number >= 0 (got ${JSON.stringify(v)})`);
  return n;
}

/**
 * Reads a CSV file with a header row. Columns: key, value, partition, timestamp, header.NAME (one per header).
 * An empty cell means "not set": the message's own key/partition/timestamp apply, the header is left out;
 * an empty value cell is an empty value.
 */
export async function* readCsv(
  filePath: string,
  displayName: string,
  signal?: AbortSignal,
  maxLineBytes = Infinity,
): AsyncGenerator<DataRecord> {
  const input = createReadStream(filePath);
  const lines = checkedLines(displayName, maxLineBytes);
  const checked = input.pipe(lines.stream);
  const parser = checked.pipe(
    parseCsv({ columns: checkColumns(displayName), info: true, bom: true, skip_empty_lines: true }),
  );
  input.on('error', (e) => parser.destroy(e));
  checked.on('error', (e) => parser.destroy(e));
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
    const tooLong = lines.tooLong();
    if (tooLong && !signal?.aborted) throw tooLong;
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

/**
 * Reads only a CSV file's header row, so unknown or repeated columns stop a run before anything is sent rather than
 * when the message's turn comes.
 */
export async function checkCsvHeader(filePath: string, displayName: string, maxLineBytes?: number): Promise<void> {
  for await (const row of readCsv(filePath, displayName, undefined, maxLineBytes)) {
    void row;
    return; // the header was read (and checked) to produce the first row
  }
}

/**
 * Passes whole lines on unchanged, failing at the line of the first byte sequence that is not UTF-8 (the CSV parser
 * would decode it to U+FFFD, and that would be sent). A line longer than `maxLineBytes` ends the text just before
 * it: the rows before it still go out, no part of it does, it is never held whole, and `tooLong()` says which it was.
 */
function checkedLines(
  displayName: string,
  maxLineBytes: number,
): { stream: Transform; tooLong: () => DataFileError | undefined } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let linesBefore = 0; // complete lines already passed on
  // The bytes after the last newline, held until their line is complete: kept as read, concatenated once.
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let tooLong: DataFileError | undefined;
  const fail = (bytes: Buffer) =>
    new DataFileError(
      `${displayName}:${linesBefore + firstBadUtf8Line(bytes)}: not valid UTF-8 text; save the file as UTF-8`,
    );
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (tooLong) return done(); // cut: the rest is not read on
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        done(fail(Buffer.concat([...tail, chunk])));
        return;
      }
      let start = 0; // where in the chunk the line being measured starts
      let before = tailBytes; // its bytes in earlier chunks
      for (let newline = chunk.indexOf(10); ; newline = chunk.indexOf(10, start)) {
        const end = newline < 0 ? chunk.length : newline;
        if (before + end - start > maxLineBytes) {
          tooLong = new DataFileError(
            `${displayName}:${linesBefore + 1}: the row is longer than ${maxLineBytes.toLocaleString('en-US')} bytes, more than a record can hold (see max.request.size); split it, or raise max.request.size in "producer"`,
          );
          if (start > 0) this.push(Buffer.concat([...tail, chunk.subarray(0, start)]));
          this.push(null);
          return done();
        }
        if (newline < 0) break;
        linesBefore++;
        before = 0;
        start = newline + 1;
      }
      if (start === 0) {
        tail.push(chunk);
        tailBytes += chunk.length;
        return done();
      }
      const complete = Buffer.concat([...tail, chunk.subarray(0, start)]);
      tail = start < chunk.length ? [Buffer.from(chunk.subarray(start))] : [];
      tailBytes = chunk.length - start;
      done(null, complete);
    },
    flush(done) {
      if (tooLong) return done();
      try {
        decoder.decode();
        done(null, Buffer.concat(tail));
      } catch {
        done(fail(Buffer.concat(tail)));
      }
    },
  });
  return { stream, tooLong: () => tooLong };
}

function checkColumns(displayName: string) {
  return (header: string[]): string[] => {
    const names = header.map((h) => h.trim());
    for (const name of names) {
      if (!['key', 'value', 'partition', 'timestamp'].includes(name) && !/^header\..+/.test(name)) {
        throw new DataFileError(
          `${displayName}:1: unknown column "${name}"; columns are key, value, partition, timestamp and header.NAME`,
        );
      }
    }
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new DataFileError(`${displayName}:1: column "${dup}" appears twice`);
    // Without a value column every row would go out as a tombstone (a null value), which is never what a CSV means.
    if (!names.includes('value')) {
      throw new DataFileError(
        `${displayName}:1: no "value" column (the columns are ${names.map((n) => `"${n}"`).join(', ')}); a CSV needs a value column, and may have key, partition, timestamp and header.NAME. To send tombstones (null values), use a .jsonl file with "lines": "record" and "value": null`,
      );
    }
    return names;
  };
}

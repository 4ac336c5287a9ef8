/**
 * Imports a Confluent for VS Code message file: a JSON object or array of `{key, value, headers: [{key, value}],
 * partition_id, timestamp}`. Their files carry no topic (it is picked when sending), so the caller gives it.
 * Their values are plain data, never templates: text containing `{{` is kept byte for byte ({"json": ...} or base64).
 */
import * as jsonc from 'jsonc-parser';
import type { BinarySpec, HeaderSpec, MessageSpec } from '../model';
import { InvalidInputError } from '../../util/errors';
import { withoutByteOrderMark } from '../../util/utf8';
import { changedNumber, isSpecialForm, uniqueNames, type ImportResult } from './common';

const KNOWN = ['key', 'value', 'headers', 'partition_id', 'timestamp'];

export function importConfluentMessageFile(
  text: string,
  fileName: string,
  options: { topic: string; collectionName?: string },
): ImportResult {
  const source = withoutByteOrderMark(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (e) {
    throw new InvalidInputError(
      `${fileName}: not valid JSON (${(e as Error).message}); expected a message object or an array of them`,
    );
  }
  // The same text as a tree, for each value's text as written: JSON.parse loses numbers a double cannot hold.
  const tree = jsonc.parseTree(source);
  const nodes = Array.isArray(parsed) ? (tree?.children ?? []) : [tree];
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const warnings: string[] = [];
  const messages = items.map((item, i) => {
    const written = new WrittenText(source, fileName, nodes[i], `message ${i + 1}`, warnings);
    return toMessage(
      item,
      i,
      Array.isArray(parsed) ? `${fileName}: [${i}]` : fileName,
      options.topic,
      warnings,
      written,
    );
  });
  uniqueNames(messages);
  return { collection: { name: options.collectionName ?? fileName.replace(/\.json$/i, ''), messages }, warnings };
}

function toMessage(
  item: unknown,
  i: number,
  where: string,
  topic: string,
  warnings: string[],
  written: WrittenText,
): MessageSpec {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidInputError(
      `${where}: expected a message object {key, value, headers, partition_id, timestamp}, got ${JSON.stringify(item)?.slice(0, 40)}`,
    );
  }
  const m = item as Record<string, unknown>;
  // A message has at least a key or a value: any other JSON object is not a message file, and importing it would
  // only make messages with null values.
  if (!('key' in m) && !('value' in m)) {
    throw new InvalidInputError(
      `${where}: not a Confluent message (it has neither "key" nor "value", only ${
        Object.keys(m)
          .map((k) => `"${k}"`)
          .join(', ') || 'nothing'
      }); expected {key, value, headers, partition_id, timestamp}`,
    );
  }
  for (const k of Object.keys(m))
    if (!KNOWN.includes(k)) warnings.push(`${where}: field "${k}" is not imported (known: ${KNOWN.join(', ')})`);
  const message: MessageSpec = { name: `message ${i + 1}`, topic };
  if ('key' in m) message.key = written.exact(['key'], 'key') ?? binary(m.key);
  message.value = written.exact(['value'], 'value') ?? value(m.value);
  if (Array.isArray(m.headers)) {
    message.headers = m.headers.map((h, j): HeaderSpec => {
      const header = h as { key?: unknown; value?: unknown };
      // A collection header needs a name (the schema says so), so an empty one would not load.
      if (typeof header?.key !== 'string' || header.key === '') {
        throw new InvalidInputError(
          `${where}: headers[${j}] needs a non-empty string "key" (got ${JSON.stringify(header?.key) ?? 'none'}); give the header a name or remove it`,
        );
      }
      return [
        header.key,
        written.exact(['headers', j, 'value'], `header "${header.key}"`) ?? binary(header.value ?? null),
      ];
    });
  } else if (m.headers !== undefined) {
    throw new InvalidInputError(`${where}: "headers" must be an array of {key, value}`);
  }
  if (m.partition_id !== undefined && m.partition_id !== null) {
    if (!Number.isInteger(m.partition_id) || (m.partition_id as number) < 0)
      throw new InvalidInputError(`${where}: partition_id must be a whole number >= 0`);
    message.partition = m.partition_id as number;
  }
  if (m.timestamp !== undefined && m.timestamp !== null) {
    const t = typeof m.timestamp === 'string' ? Date.parse(m.timestamp) : m.timestamp;
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0)
      throw new InvalidInputError(`${where}: timestamp must be ms since the epoch or an ISO date`);
    message.timestamp = t;
  }
  return message;
}

/** Text stays text unless it would be read as a template; other JSON becomes its JSON text. */
function binary(v: unknown): BinarySpec {
  if (v === null || v === undefined) return null;
  return exactText(typeof v === 'string' ? v : JSON.stringify(v));
}

/** Text sent byte for byte: as a string, or as base64 when it holds `{{` (a collection would read a template). */
function exactText(text: string): string | { base64: string } {
  return text.includes('{{') ? { base64: Buffer.from(text, 'utf8').toString('base64') } : text;
}

/**
 * A message's JSON as written in the file. JSON.parse changes numbers a double cannot hold (12345678901234567890
 * becomes 12345678901234567000, 1e400 null), and the collection would refuse them anyway: such a key, value or
 * header value is kept as the text written, which is what gets sent, with a warning.
 */
class WrittenText {
  constructor(
    private readonly source: string,
    private readonly fileName: string,
    private readonly message: jsonc.Node | undefined,
    private readonly messageName: string,
    private readonly warnings: string[],
  ) {}

  /** The text written at `path` in the message when re-serializing it would change a number, else undefined. */
  exact(path: jsonc.JSONPath, what: string): string | { base64: string } | undefined {
    const node = this.message && lastAt(this.message, path);
    if (!node || node.type === 'string') return undefined;
    const text = this.source.slice(node.offset, node.offset + node.length);
    const number = changedNumber(text);
    if (number === undefined) return undefined;
    const line = this.source.slice(0, node.offset).split('\n').length;
    const shown = number.length > 30 ? number.slice(0, 27) + '...' : number;
    this.warnings.push(
      `${this.fileName}:${line}: ${this.messageName}: the ${what}'s number ${shown} would change as JSON (to ${JSON.stringify(Number(number))}); kept as the text written, which is sent as is`,
    );
    return exactText(text);
  }
}

/** The node at `path`, taking the last of repeated keys as JSON.parse does (jsonc's lookup takes the first). */
function lastAt(node: jsonc.Node, path: jsonc.JSONPath): jsonc.Node | undefined {
  let at: jsonc.Node | undefined = node;
  for (const segment of path) {
    if (!at?.children) return undefined;
    if (typeof segment === 'number') at = at.type === 'array' ? at.children[segment] : undefined;
    else
      at =
        at.type === 'object'
          ? at.children.filter((p) => p.children?.[0]?.value === segment).pop()?.children?.[1]
          : undefined;
  }
  return at;
}

function value(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.includes('{{') ? { base64: Buffer.from(v, 'utf8').toString('base64') } : v;
  if (JSON.stringify(v).includes('{{') || isSpecialForm(v)) return { json: v };
  return v;
}

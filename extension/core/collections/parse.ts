/**
 * Text in, model out: parses `*.kafka.json` / `*.kafka-env.json` text, validates it against the shipped JSON
 * schemas, and keeps source ranges so the editor can place CodeLens and Problems. Pure: no file system, no vscode.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import * as jsonc from 'jsonc-parser';
import collectionSchema from '../../../media/schemas/kafka-collection.schema.json';
import environmentSchema from '../../../media/schemas/kafka-environment.schema.json';
import { InvalidInputError } from '../util/errors';
import { isTopicName, topicNameProblem } from '../kafka/rules/topic-name';
import { brokerAddressProblem, splitBrokerList } from '../kafka/rules/broker-address';
import type { Collection, Diagnostic, Environment, ExpectationSpec, SourceRange } from './model';
import { expectedSchemaProblem, regexProblem } from './expectations';
import { formatJsonPath, formatLocation, SourceText, type JsonPath } from './source-text';

export interface MessageLocation {
  index: number;
  name: string;
  /** The whole message object: CodeLens "Send" goes on its first line. */
  range: SourceRange;
  nameRange: SourceRange;
}

export interface ParsedDocument<T> {
  fileName: string;
  /** The model, present only when there are no errors (warnings allowed). */
  value?: T;
  diagnostics: Diagnostic[];
  source: SourceText;
}

export interface ParsedCollection extends ParsedDocument<Collection> {
  /** Where each message is, even when the document has errors elsewhere (as far as the text allows). */
  messages: MessageLocation[];
}

export type ParsedEnvironment = ParsedDocument<Environment>;

let validators: { collection: ValidateFunction; environment: ValidateFunction } | undefined;

/**
 * Compiles the schema validators now (about 100 ms, once per process) rather than at the first parse: a caller
 * reading a file calls it while the read is under way, so the two overlap.
 */
export function compileValidators(): void {
  getValidators();
}

function getValidators() {
  if (!validators) {
    // verbose: errors carry their schema, so messages can say what was expected; strict off for tuple `items`.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    validators = { collection: ajv.compile(collectionSchema), environment: ajv.compile(environmentSchema) };
  }
  return validators;
}

export function parseCollectionText(text: string, fileName: string): ParsedCollection {
  const { source, data, diagnostics, unusualNumbers } = parseAndValidate(text, getValidators().collection);
  // The rules run on schema errors too (each guards its own shapes), so problems show together, not one layer at a time.
  if (data !== undefined) checkCollectionRules(data, source, diagnostics, unusualNumbers);
  const ok = data !== undefined && !diagnostics.some((d) => d.severity === 'error');
  let messages: MessageLocation[] | undefined;
  return {
    fileName,
    value: ok ? (data as Collection) : undefined,
    diagnostics,
    source,
    // Built from the parse tree, so only for whoever asks (the editor): a run never does.
    get messages() {
      return (messages ??= messageLocations(source));
    },
  };
}

export function parseEnvironmentText(text: string, fileName: string): ParsedEnvironment {
  const { source, data, diagnostics, unusualNumbers } = parseAndValidate(text, getValidators().environment);
  if (data !== undefined && diagnostics.length === 0)
    checkEnvironmentRules(data as Environment, source, diagnostics, unusualNumbers);
  const ok = data !== undefined && !diagnostics.some((d) => d.severity === 'error');
  return { fileName, value: ok ? (data as Environment) : undefined, diagnostics, source };
}

/** A file with errors: the message is one line (the first problem, and how many more). */
export class DocumentError extends InvalidInputError {
  constructor(
    readonly fileName: string,
    readonly diagnostics: Diagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    super(formatDiagnostic(fileName, errors[0] ?? diagnostics[0]) + more);
  }
}

/** The model, or a DocumentError naming the first problem. */
export function requireValid<T>(doc: ParsedDocument<T>): T {
  if (doc.value === undefined) throw new DocumentError(doc.fileName, doc.diagnostics);
  return doc.value;
}

/** `orders.kafka.json:12:18: messages[0].count: must be an integer (got "ten")`. */
export function formatDiagnostic(fileName: string, d: Diagnostic): string {
  const where = d.path.length ? `${formatJsonPath(d.path)}: ` : '';
  return `${formatLocation(fileName, d.range)}: ${d.severity === 'warning' ? 'warning: ' : ''}${where}${d.message}`;
}

/**
 * Parses with JSON.parse, which is fast and keeps no tree; the strict parser's tree (SourceText) is built only
 * when something must be located: a syntax error, a schema error, a duplicate key or an inexact number, which one
 * pass over the text tells apart from a clean file. A collection of 100,000 messages loads in a fraction of the
 * time and memory that building its tree took.
 */
function parseAndValidate(rawText: string, validate: ValidateFunction) {
  const text = blankByteOrderMark(rawText);
  if (text.trim() === '') {
    const source = new SourceText(text, false);
    return {
      source,
      data: undefined,
      unusualNumbers: false,
      diagnostics: [
        {
          severity: 'error' as const,
          message: 'the file is empty; expected a JSON object',
          path: [],
          range: source.range(0, 0),
        },
      ],
    };
  }
  const scan = scanText(text);
  if (scan.tooDeepAt >= 0) {
    const source = new SourceText(text, false);
    return {
      source,
      data: undefined,
      unusualNumbers: false,
      diagnostics: [
        { severity: 'error' as const, message: TOO_DEEP_MESSAGE, path: [], range: source.range(scan.tooDeepAt, 1) },
      ],
    };
  }
  const source = new SourceText(text);
  const diagnostics: Diagnostic[] = [];
  let data: unknown;
  try {
    // No comments allowed: plain JSON, and JSON.parse gives ordinary objects.
    data = JSON.parse(text);
  } catch (e) {
    // Where and why in words come from the strict parser, which says more than JSON.parse.
    for (const pe of source.parseErrors) {
      diagnostics.push({
        severity: 'error',
        message: describeParseError(pe.error),
        path: [],
        range: source.range(pe.offset, pe.length),
      });
    }
    if (!diagnostics.length)
      diagnostics.push({
        severity: 'error',
        message: `not valid JSON: ${(e as Error).message}`,
        path: [],
        range: source.range(0, 0),
      });
    return { source, data: undefined, unusualNumbers: scan.unusualNumbers, diagnostics };
  }
  // Duplicate keys are valid JSON, but JSON.parse keeps only the last: the first would be dropped without a word.
  // The data then has fewer members than the text: only then are they looked for.
  if (countMembers(data) !== scan.members) diagnostics.push(...duplicateKeys(source, source.tree!));
  if (!validate(data)) {
    const schemaErrors = validate.errors ?? [];
    const hints = specialFormHints(schemaErrors);
    for (const e of simplifyErrors(schemaErrors))
      diagnostics.push(withHint(schemaDiagnostic(e, source), hintFor(e, hints)));
    diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  }
  return { source, data, diagnostics, unusualNumbers: scan.unusualNumbers };
}

/** What one pass over a JSON text tells, outside its strings. */
interface TextScan {
  /** The offset of the first `[` or `{` nested deeper than MAX_DEPTH, or -1. */
  tooDeepAt: number;
  /** Object members (`"key": value`), one per colon. */
  members: number;
  /** A number literal with an exponent or 16 digits or more: only such a literal can fail to be sent exactly. */
  unusualNumbers: boolean;
}

/** What scanText looks at, by character code; everything else (whitespace, commas, letters) is 0 and skipped. */
const enum Scan {
  Skip,
  Quote,
  Open,
  Close,
  Colon,
  Number,
}
const SCAN_CLASS = new Uint8Array(128);
SCAN_CLASS[0x22] = Scan.Quote;
SCAN_CLASS[0x7b] = SCAN_CLASS[0x5b] = Scan.Open;
SCAN_CLASS[0x7d] = SCAN_CLASS[0x5d] = Scan.Close;
SCAN_CLASS[0x3a] = Scan.Colon;
SCAN_CLASS[0x2d] = Scan.Number;
for (let c = 0x30; c <= 0x39; c++) SCAN_CLASS[c] = Scan.Number;

function scanText(text: string): TextScan {
  let depth = 0;
  let members = 0;
  let unusualNumbers = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    // One table lookup per character: a pretty-printed file is mostly indentation, which this skips at once.
    const kind = c < 128 ? SCAN_CLASS[c] : Scan.Skip;
    if (kind === Scan.Skip) continue;
    if (kind === Scan.Quote) {
      // A string: jump to its closing quote (one not escaped by an odd run of backslashes).
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) break; // not closed: the parser says so
      i = end;
    } else if (kind === Scan.Open) {
      if (++depth > MAX_DEPTH) return { tooDeepAt: i, members, unusualNumbers };
    } else if (kind === Scan.Close) depth--;
    else if (kind === Scan.Colon) members++;
    else {
      // Outside strings only number literals hold digits.
      let digits = 0;
      let j = i;
      for (; j < length; j++) {
        const d = text.charCodeAt(j);
        if (d >= 0x30 && d <= 0x39) digits++;
        else if (d === 0x65 || d === 0x45) unusualNumbers = true;
        else if (d !== 0x2e && d !== 0x2d && d !== 0x2b) break;
      }
      if (digits >= 16) unusualNumbers = true;
      i = j - 1;
    }
  }
  return { tooDeepAt: -1, members, unusualNumbers };
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
}

/** Object members in parsed JSON, nested ones included. */
function countMembers(value: unknown): number {
  let members = 0;
  const pending: unknown[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    for (const key in v) {
      members++;
      const item = (v as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) pending.push(item);
    }
  }
  return members;
}

/**
 * Each key repeated in an object, anywhere in the file (a message's JSON value too): JSON.parse keeps only the last
 * one, so `"topic": "a", "topic": "b"` would send to b without a word. Each repeat names the line of the first.
 */
function duplicateKeys(source: SourceText, tree: jsonc.Node): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pending = [tree];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.children) pending.push(...[...node.children].reverse());
    if (node.type !== 'object' || !node.children) continue;
    const first = new Map<string, jsonc.Node>();
    for (const property of node.children) {
      const name = property.children?.[0];
      if (name?.type !== 'string' || typeof name.value !== 'string') continue;
      const earlier = first.get(name.value);
      if (!earlier) {
        first.set(name.value, name);
        continue;
      }
      const line = source.position(earlier.offset).line + 1;
      const message = `duplicate key ${JSON.stringify(name.value)} (also at line ${line}); JSON keeps only the last one, so remove one`;
      out.push({
        severity: 'error',
        message,
        path: jsonc.getNodePath(name).slice(0, -1),
        range: source.range(name.offset, name.length),
      });
    }
  }
  return out;
}

/** Parsing, checking and rendering walk the JSON recursively; deeper than this, they would overflow the stack. */
const MAX_DEPTH = 1000;
const TOO_DEEP_MESSAGE = `nested too deeply (more than ${MAX_DEPTH} levels of objects and arrays); send a value this deep as a string or from a .jsonl data file, which are sent as written`;

/**
 * A UTF-8 byte order mark (some Windows editors write one) is not JSON; it becomes a space, not removed, so offsets
 * still match the caller's text (save.ts edits that text by them). Readers strip it so columns match the editor's.
 */
function blankByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

function describeParseError(code: jsonc.ParseErrorCode): string {
  const name = jsonc.printParseErrorCode(code);
  const plain: Record<string, string> = {
    InvalidSymbol: 'invalid symbol: expected a JSON value',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: "expected ':' after the property name",
    CommaExpected: "expected ',' between items",
    CloseBraceExpected: "expected '}'",
    CloseBracketExpected: "expected ']'",
    EndOfFileExpected: 'expected the end of the file after the top-level value',
    InvalidCommentToken: 'comments are not allowed in this file (it is plain JSON)',
    UnexpectedEndOfComment: 'comments are not allowed in this file (it is plain JSON)',
    UnexpectedEndOfString: 'string is not closed: expected a closing double quote',
    UnexpectedEndOfNumber: 'invalid number',
    InvalidUnicode: 'invalid \\u escape in a string',
    InvalidEscapeCharacter: 'invalid escape character in a string',
    InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
  };
  return `not valid JSON: ${plain[name] ?? name}`;
}

/**
 * What parse.ts reads from a schema node to word its errors. `errorMessage` and `patternErrorMessage` are VS Code's
 * JSON schema extensions, so an open file's own JSON validator says the same; `writeOnly` marks a value (a password)
 * that errors must not repeat. Descriptions are hover text, not predicates, so they are never used here.
 */
interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  properties?: Record<string, unknown>;
  errorMessage?: string;
  patternErrorMessage?: string;
  writeOnly?: boolean;
}

/** Errors about a value's own content (not its properties): one per value is enough, the first of these kinds. */
const VALUE_KEYWORDS = [
  'type',
  'enum',
  'const',
  'pattern',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
];

/** ajv's error, with the name of the property when the error is about a property's name (propertyNames). */
type SchemaError = ErrorObject & { propertyName?: string };

/**
 * Ajv reports every failed branch of an `anyOf`. When some branch got further into the value (errors deeper than
 * the anyOf itself), those say what is wrong; otherwise one line saying what the value may be is clearer.
 * Each value gets one error about its content (the message says everything it must be), and a bad property name
 * one error (the name's own, not the propertyNames wrapper around it).
 */
function simplifyErrors(errors: SchemaError[]): SchemaError[] {
  const dropped = new Set<ErrorObject>();
  const unions = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const union of unions) {
    const prefix = union.schemaPath.replace(/\/(anyOf|oneOf)$/, '/$1/');
    const branch = errors.filter(
      (e) =>
        e !== union &&
        !dropped.has(e) &&
        e.schemaPath.startsWith(prefix) &&
        e.instancePath.startsWith(union.instancePath),
    );
    const deeper = branch.filter((e) => e.instancePath.length > union.instancePath.length);
    if (deeper.length) {
      dropped.add(union);
      for (const e of branch) if (!deeper.includes(e)) dropped.add(e);
    } else {
      for (const e of branch) dropped.add(e);
    }
  }
  const seen = new Set<string>();
  const byPriority = [...errors].sort((a, b) => valueKeywordRank(a) - valueKeywordRank(b));
  const kept = new Set(
    byPriority.filter((e) => {
      if (dropped.has(e) || e.keyword === 'if' || e.keyword === 'propertyNames') return false;
      const what = VALUE_KEYWORDS.includes(e.keyword) ? 'value' : `${e.keyword}|${JSON.stringify(e.params)}`;
      const key = `${e.instancePath}|${e.propertyName ?? ''}|${what}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
  return errors.filter((e) => kept.has(e));
}

function valueKeywordRank(e: ErrorObject): number {
  const rank = VALUE_KEYWORDS.indexOf(e.keyword);
  return rank < 0 ? VALUE_KEYWORDS.length : rank;
}

function pointerToPath(pointer: string): JsonPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? text.slice(0, 37) + '...' : text;
}

/** ` (got "1")`, or nothing for a value the schema marks writeOnly (a password must not reach logs). */
function gotText(e: ErrorObject, schema: SchemaNode): string {
  return schema.writeOnly ? '' : ` (got ${shown(e.data)})`;
}

/** `a, b or c`. */
function orList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** What a schema node accepts, in words: `a whole number ≥ 0`, `null`, `"value"`... */
function acceptedForms(schema: SchemaNode): string[] {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v));
  const types = schema.type === undefined ? [] : [schema.type].flat();
  return types.flatMap((type) => typeForms(type, schema));
}

function typeForms(type: string, schema: SchemaNode): string[] {
  switch (type) {
    case 'integer':
      return [['a whole number', ...numberBounds(schema)].join(' ')];
    case 'number':
      return [['a number', ...numberBounds(schema)].join(' ')];
    case 'string':
      return [
        schema.minLength === 1
          ? 'a non-empty string'
          : schema.minLength
            ? `a string of at least ${schema.minLength} characters`
            : 'a string',
      ];
    case 'array':
      return [schema.minItems === 1 ? 'a non-empty array' : 'an array'];
    case 'boolean':
      return ['true', 'false'];
    case 'object':
      return ['an object'];
    default:
      return [type];
  }
}

function numberBounds(schema: SchemaNode): string[] {
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
  return bounds;
}

/** What is wrong with a value itself: the node's own errorMessage, else words built from its constraints. */
function valueProblem(e: ErrorObject, schema: SchemaNode): string {
  if (schema.errorMessage) return schema.errorMessage;
  if (e.keyword === 'pattern') return schema.patternErrorMessage ?? `must match the pattern ${schema.pattern}`;
  if (e.keyword === 'minItems') return `must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`;
  if (e.keyword === 'maxItems') return `must have at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`;
  if (e.keyword === 'anyOf' || e.keyword === 'oneOf')
    return `must be ${orList((e.schema as SchemaNode[]).flatMap(acceptedForms))}`;
  const forms = acceptedForms(schema);
  return forms.length ? `must be ${orList(forms)}` : (e.message ?? `fails ${e.keyword}`);
}

function schemaDiagnostic(e: SchemaError, source: SourceText): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  let message: string;
  let range = source.rangeOf(path);
  if (e.keyword === 'required') {
    message = `missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
  } else if (e.keyword === 'additionalProperties') {
    const name = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
    message = `unknown property "${name}"; expected one of: ${allowed.join(', ')}`;
    range = source.propertyNameRange(path, name) ?? range;
    path.push(name);
  } else if (e.propertyName !== undefined) {
    message = `name ${JSON.stringify(e.propertyName)} ${valueProblem(e, parent)}`;
    range = source.propertyNameRange(path, e.propertyName) ?? range;
    path.push(e.propertyName);
  } else {
    message = valueProblem(e, parent) + gotText(e, parent);
  }
  return { severity: 'error', message, path, range };
}

/**
 * A message value object with a "file", "base64" or "json" key is read as that special form, so a payload that
 * merely has such a key fails the form's rules. Errors inside one say so and give the way out: {"json": ...}.
 */
function specialFormHints(errors: ErrorObject[]): Map<string, string> {
  const forms: Record<string, string> = { file: 'a data file', base64: 'raw bytes', json: 'JSON sent as is' };
  const hints = new Map<string, string>();
  for (const e of errors) {
    const key = e.keyword === 'if' ? (e.schema as SchemaNode & { required?: string[] }).required?.[0] : undefined;
    if (key && forms[key] && /^\/messages\/\d+\/value$/.test(e.instancePath)) {
      hints.set(
        e.instancePath,
        `a value with a "${key}" key is read as ${forms[key]}: to send this object as it is, write {"json": {...}}`,
      );
    }
  }
  return hints;
}

/** The special-form hint for an error at or inside a value that was read as a special form. */
function withHint(d: Diagnostic, hint: string | undefined): Diagnostic {
  return hint ? { ...d, message: `${d.message}; ${hint}` } : d;
}

function hintFor(e: ErrorObject, hints: Map<string, string>): string | undefined {
  for (const [at, hint] of hints) if (e.instancePath === at || e.instancePath.startsWith(at + '/')) return hint;
  return undefined;
}

/**
 * Rules a JSON schema cannot say: unique message names, data-file options that fit the file type, literal topic
 * names Kafka accepts, numbers that can be sent as written.
 */
function checkCollectionRules(
  data: unknown,
  source: SourceText,
  diagnostics: Diagnostic[],
  unusualNumbers: boolean,
): void {
  const firstIndex = new Map<string, number>();
  if (unusualNumbers) diagnostics.push(...inexactNumbers(source, ['variables'], 'variables'));
  const messages = isPlainObject(data) && Array.isArray(data.messages) ? data.messages : [];
  const runTransaction = isPlainObject(data) && data.transaction !== undefined;
  // A plain loop with nothing allocated for a message that breaks no rule: a collection may have 100,000 messages.
  const topicProblems = new Map<string, string | null>();
  for (let i = 0; i < messages.length; i++) {
    const item: unknown = messages[i];
    if (!isPlainObject(item)) continue; // the schema reports it
    const m = item as Partial<Collection['messages'][number]>;
    if (runTransaction && m.transaction !== undefined) {
      const path = ['messages', i, 'transaction'];
      diagnostics.push({
        severity: 'error',
        message:
          'the collection already sends the whole run in one "transaction"; remove this message\'s "transaction" or the collection\'s',
        path,
        range: source.rangeOf(path),
      });
    }
    const earlier = typeof m.name === 'string' ? firstIndex.get(m.name) : undefined;
    if (earlier !== undefined) {
      const path = ['messages', i, 'name'];
      diagnostics.push({
        severity: 'error',
        message: `duplicate message name "${m.name}" (also messages[${earlier}]); names must be unique so they can be picked with --message`,
        path,
        range: source.rangeOf(path),
      });
    } else if (typeof m.name === 'string') firstIndex.set(m.name, i);
    const v = m.value as { file?: unknown; lines?: unknown } | undefined;
    if (
      v &&
      typeof v === 'object' &&
      typeof v.file === 'string' &&
      v.lines !== undefined &&
      v.file.toLowerCase().endsWith('.csv')
    ) {
      const path = ['messages', i, 'value', 'lines'];
      diagnostics.push({
        severity: 'error',
        message:
          '"lines" applies to .jsonl files only; a CSV row is always a record (columns key, value, header.NAME, partition, timestamp)',
        path,
        range: source.rangeOf(path),
      });
    }
    // A templated topic is checked once rendered (prepare.ts); a literal one can be checked now, once per name.
    if (typeof m.topic === 'string' && m.topic !== '' && !m.topic.includes('{{')) {
      let topicProblem = topicProblems.get(m.topic);
      if (topicProblem === undefined) topicProblems.set(m.topic, (topicProblem = topicNameProblem(m.topic)));
      if (topicProblem) {
        const path = ['messages', i, 'topic'];
        diagnostics.push({ severity: 'error', message: topicProblem, path, range: source.rangeOf(path) });
      }
    }
    if (m.keySchema !== undefined)
      schemaRefRule(m.keySchema, ['messages', i, 'keySchema', 'version'], source, diagnostics);
    if (m.valueSchema !== undefined)
      schemaRefRule(m.valueSchema, ['messages', i, 'valueSchema', 'version'], source, diagnostics);
    if (m.expect !== undefined)
      diagnostics.push(...expectationDiagnostics(m.expect, ['messages', i, 'expect'], source));
    if (unusualNumbers)
      diagnostics.push(
        ...inexactNumbers(source, ['messages', i, 'value'], 'value'),
        ...inexactNumbers(source, ['messages', i, 'key'], 'value'),
        ...inexactNumbers(source, ['messages', i, 'variables'], 'variables'),
      );
  }
}

/** A keySchema or valueSchema names one schema by "id" or by "version", not both. */
function schemaRefRule(ref: unknown, path: JsonPath, source: SourceText, diagnostics: Diagnostic[]): void {
  const r = ref as { id?: unknown; version?: unknown } | null;
  if (r && typeof r === 'object' && r.id !== undefined && r.version !== undefined)
    diagnostics.push({
      severity: 'error',
      message: `give "id" or "version", not both: an id is one schema, whatever the subject's versions`,
      path,
      range: source.rangeOf(path),
    });
}

/** What the schema cannot say about "expect" entries: a regular expression that does not compile, a bad topic name, a schema version without its subject. */
function expectationDiagnostics(expect: unknown, base: JsonPath, source: SourceText): Diagnostic[] {
  if (!Array.isArray(expect)) return [];
  const out: Diagnostic[] = [];
  expect.forEach((item: unknown, j) => {
    if (!isPlainObject(item)) return;
    const e = item as Partial<ExpectationSpec>;
    const topicProblem = typeof e.topic === 'string' && e.topic !== '' ? topicNameProblem(e.topic) : null;
    if (topicProblem) {
      const path = [...base, j, 'topic'];
      out.push({ severity: 'error', message: topicProblem, path, range: source.rangeOf(path) });
    }
    for (const part of ['keySchema', 'valueSchema'] as const) {
      const want = e[part];
      const schemaProblem = isPlainObject(want) ? expectedSchemaProblem(want) : undefined;
      if (schemaProblem) {
        const path = [...base, j, part, 'version'];
        out.push({ severity: 'error', message: schemaProblem, path, range: source.rangeOf(path) });
      }
    }
    const value = e.value as { regex?: unknown } | undefined;
    const problem = isPlainObject(value) && typeof value.regex === 'string' ? regexProblem(value.regex) : undefined;
    if (problem) {
      const path = [...base, j, 'value', 'regex'];
      out.push({
        severity: 'error',
        message: `${JSON.stringify(value!.regex)} is ${problem}`,
        path,
        range: source.rangeOf(path),
      });
    }
  });
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rules a JSON schema cannot say, for an environment: variable numbers that can be sent as written, broker addresses. */
function checkEnvironmentRules(
  environment: Environment,
  source: SourceText,
  diagnostics: Diagnostic[],
  unusualNumbers: boolean,
): void {
  if (unusualNumbers) diagnostics.push(...inexactNumbers(source, ['variables'], 'variables'));
  const bootstrap = environment.connection?.bootstrap;
  const entries =
    typeof bootstrap === 'string'
      ? [[bootstrap, ['connection', 'bootstrap']] as const]
      : (bootstrap ?? []).map((b, i) => [b, ['connection', 'bootstrap', i]] as const);
  for (const [text, path] of entries) {
    // The same check sending makes (load.ts), so a bad address shows in Problems before a send fails on it.
    for (const address of splitBrokerList(text)) {
      const problem = brokerAddressProblem(address);
      if (problem)
        diagnostics.push({ severity: 'error', message: problem, path: [...path], range: source.rangeOf([...path]) });
    }
  }
}

export { isTopicName };

/**
 * Number literals under `path` that a JavaScript number (a double) cannot hold as written: sending them would change
 * them silently (12345678901234567890 goes out as 12345678901234567000, 1E400 as null). Trailing zeros and exponent
 * forms that mean the same number are fine: JSON does not tell them apart.
 */
function inexactNumbers(source: SourceText, path: JsonPath, where: 'value' | 'variables'): Diagnostic[] {
  const root = source.tree && jsonc.findNodeAtLocation(source.tree, path);
  const out: Diagnostic[] = [];
  const pending = root ? [root] : [];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.children) pending.push(...[...node.children].reverse());
    if (node.type !== 'number') continue;
    const literal = source.text.slice(node.offset, node.offset + node.length);
    const problem = numberProblem(literal);
    if (problem)
      out.push({
        severity: 'error',
        message: inexactNumberMessage(literal, problem, where),
        path: jsonc.getNodePath(node),
        range: source.range(node.offset, node.length),
      });
  }
  return out;
}

/** Why a number literal would not be sent as written, or undefined when it would. */
function numberProblem(literal: string): string | undefined {
  const n = Number(literal);
  if (!Number.isFinite(n)) return 'it is beyond the largest number, about 1.8e308, and would be sent as null';
  if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(n)) return 'it is beyond 2^53';
  if (n === 0 && /[1-9]/.test(literal.split(/[eE]/)[0])) return 'it is so close to 0 that it would be sent as 0';
  return undefined;
}

function inexactNumberMessage(literal: string, problem: string, where: 'value' | 'variables'): string {
  const shownLiteral = literal.length > 30 ? literal.slice(0, 27) + '...' : literal;
  const fix =
    where === 'value'
      ? 'write the whole value as a string so its text is sent as written, or quote the number'
      : 'quote it: a string variable is sent as its text';
  return `number ${shownLiteral} cannot be sent exactly (${problem}); ${fix}`;
}

function messageLocations(source: SourceText): MessageLocation[] {
  const list = source.tree && jsonc.findNodeAtLocation(source.tree, ['messages']);
  if (list?.type !== 'array' || !list.children) return [];
  return list.children.map((node, index) => {
    const nameNode = node.type === 'object' ? jsonc.findNodeAtLocation(node, ['name']) : undefined;
    const name = typeof nameNode?.value === 'string' ? nameNode.value : `messages[${index}]`;
    const at = nameNode ?? node;
    return {
      index,
      name,
      range: source.range(node.offset, node.length),
      nameRange: source.range(at.offset, at.length),
    };
  });
}

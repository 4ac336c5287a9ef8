/**
 * Imports a Tools for Apache Kafka `.kafka` file: each `PRODUCER [name]` block (properties `topic:`, `key:`,
 * `headers: a=b, c=d`, `key-format:`, `value-format:`, `every:`, then the value up to `###`) becomes a message.
 * Their faker templates (`{{person.fullName}}`, old `{{random.uuid}}`/`{{name.firstName}}` names too) become ours
 * (`{{$faker.person.fullName}}`), and faker 5's `{{random.number(5)}}` becomes `{{$randomInt 0 5}}`. A value is sent
 * as the .kafka file sent it: JSON only when that changes nothing. CONSUMER blocks and `--` comments are skipped.
 * Pure: text in, collection out.
 */
import type { HeaderSpec, MessageSpec } from '../model';
import { checkFakerPath, TemplateEngine } from '../template';
import { withoutByteOrderMark } from '../../util/utf8';
import { changedNumber, isSpecialForm, uniqueNames, type ImportResult } from './common';

export type { ImportResult } from './common';

/** Names faker.js used before v6 (what older .kafka files contain), to today's module.function. */
const LEGACY_FAKER = new Map<string, string>(
  Object.entries({
    'random.uuid': 'string.uuid',
    'datatype.uuid': 'string.uuid',
    'random.float': 'number.float',
    'datatype.float': 'number.float',
    'random.boolean': 'datatype.boolean',
    'random.word': 'lorem.word',
    'random.words': 'lorem.words',
    'random.alphaNumeric': 'string.alphanumeric',
    'random.locale': 'location.countryCode',
    'name.findName': 'person.fullName',
    'name.title': 'person.jobTitle',
    'address.zipCode': 'location.zipCode',
    'phone.phoneNumber': 'phone.number',
    'internet.userName': 'internet.username',
    'commerce.color': 'color.human',
  }),
);
/** Maps, not objects: a template named `constructor` or `toString` must not find Object.prototype's. */
const LEGACY_MODULES = new Map<string, string>([
  ['name', 'person'],
  ['address', 'location'],
]);

/**
 * faker 5-7's whole-number functions, which .kafka files call with arguments (`{{random.number(5)}}`): without a
 * "max" they went up to 99999. They become {{$randomInt MIN MAX}}.
 */
const LEGACY_INTEGER_FUNCTIONS = new Set(['random.number', 'datatype.number']);
const LEGACY_INTEGER_MAX = 99999;

const PROPERTY = /^(topic|key|key-format|value-format|headers|every)\s*:(.*)$/;
/** `{{...}}`; a call's arguments may hold braces (`{{random.number({"max": 9})}}`), as faker 5 allowed. */
const TEMPLATE = /\{\{\s*([^{}()]*?\([^()]*\)|[^{}]*?)\s*\}\}/g;
/** `module.function(arguments)`, as faker 5's fake() read them. */
const CALL = /^([\w.]+)\s*\((.*)\)$/s;

/**
 * `{{person.fullName}}` -> `{{$faker.person.fullName}}`, with old names mapped; warns about what does not carry
 * over, naming the line (`firstLine` is the 1-based line `text` starts on).
 */
export function mapFakerTemplates(text: string, fileName: string, firstLine: number, warnings: string[]): string {
  const lineAt = (offset: number) => firstLine + (text.slice(0, offset).match(/\n/g)?.length ?? 0);
  warnUnclosed(text, fileName, lineAt, warnings);
  return text.replace(TEMPLATE, (whole, expr: string, offset: number) => {
    if (expr.startsWith('$')) return whole;
    return `{{${mapFakerCall(expr, `${fileName}:${lineAt(offset)}`, warnings)}}}`;
  });
}

/**
 * A "{{" with no "}}" after it is kept as written, but the collection refuses to send the message (its template is
 * never closed): said now, with the line, rather than at the first send.
 */
function warnUnclosed(text: string, fileName: string, lineAt: (offset: number) => number, warnings: string[]): void {
  for (let open = text.indexOf('{{'); open >= 0; open = text.indexOf('{{', open + 2)) {
    const close = text.indexOf('}}', open + 2);
    const next = text.indexOf('{{', open + 2);
    if (close >= 0 && (next < 0 || close < next)) continue;
    const shown = text.slice(open, open + 30).split('\n')[0];
    warnings.push(
      `${fileName}:${lineAt(open)}: "{{" is never closed (${JSON.stringify(shown)}); kept as written, but the message cannot be sent until it has its "}}"`,
    );
    if (close < 0) return; // every later "{{" is unclosed too: once is enough
  }
}

/** One template's content, `random.uuid` or `random.number(5)`, as ours. */
function mapFakerCall(expr: string, where: string, warnings: string[]): string {
  const call = CALL.exec(expr);
  const name = call ? call[1] : expr;
  const args = call ? call[2].trim() : '';
  const range = legacyIntegerRange(name, args);
  if (range) return `$randomInt ${range.min} ${range.max}`;
  const path = todaysFakerPath(name);
  if (args) {
    warnings.push(
      `${where}: {{${expr}}} passes arguments, which templates cannot; kept as {{$faker.${path}(${args})}}, fix it before sending`,
    );
    return `$faker.${path}(${args})`;
  }
  const check = checkFakerPath(path);
  if (check === 'needs-arguments')
    warnings.push(
      `${where}: {{${expr}}} became {{$faker.${path}}}, which needs arguments that templates cannot pass; fix it before sending`,
    );
  else if (check !== 'ok')
    warnings.push(
      `${where}: {{${expr}}} is not a @faker-js/faker function; kept as {{$faker.${path}}}, fix it before sending`,
    );
  return `$faker.${path}`;
}

function todaysFakerPath(name: string): string {
  const path = LEGACY_FAKER.get(name) ?? name;
  const [mod, ...rest] = path.split('.');
  const today = LEGACY_MODULES.get(mod);
  return today ? [today, ...rest].join('.') : path;
}

/**
 * The range of `random.number` / `datatype.number` called as faker 5 took it: none (0..99999), a max
 * (`random.number(5)`: 0..5) or `{"min", "max"}` as JSON. Undefined for anything else, which is not carried over.
 */
function legacyIntegerRange(name: string, args: string): { min: number; max: number } | undefined {
  if (!LEGACY_INTEGER_FUNCTIONS.has(name)) return undefined;
  const options = integerOptions(args);
  if (!options) return undefined;
  const { min = 0, max = LEGACY_INTEGER_MAX } = options;
  return Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max ? { min, max } : undefined;
}

function integerOptions(args: string): { min?: number; max?: number } | undefined {
  if (!args) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return undefined;
  }
  if (typeof parsed === 'number') return { max: parsed };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { min, max, precision, ...others } = parsed as Record<string, unknown>;
  const isNumber = (v: unknown): v is number | undefined => v === undefined || typeof v === 'number';
  // precision 1 is the default (whole numbers); any other gives fractions, which $randomInt cannot.
  const understood =
    Object.keys(others).length === 0 && (precision === undefined || precision === 1) && isNumber(min) && isNumber(max);
  return understood ? { min, max } : undefined;
}

export function importToolsForKafkaFile(text: string, fileName: string, collectionName?: string): ImportResult {
  const warnings: string[] = [];
  const messages: MessageSpec[] = [];
  const lines = withoutByteOrderMark(text).split(/\r?\n/);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.startsWith('PRODUCER')) {
      i++;
      continue;
    }
    const start = i;
    const declared = line.slice('PRODUCER'.length).trim();
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('###')) {
      // As in Tools for Apache Kafka, only "###" ends a PRODUCER block: a block line inside it is part of its value.
      if (/^(PRODUCER|CONSUMER)\b/.test(lines[end])) {
        warnings.push(
          `${fileName}:${end + 1}: "${lines[end].trim()}" is inside the PRODUCER block of line ${start + 1} (no "###" line before it), so it is sent as part of that block's value, as Tools for Apache Kafka sends it; add a "###" line before it to make it a message of its own`,
        );
      }
      end++;
    }
    messages.push(producerBlock(lines, start, end, declared, fileName, warnings, messages.length + 1));
    i = end + 1;
  }
  uniqueNames(messages);
  if (!messages.length) warnings.push(`${fileName}: no PRODUCER blocks found; the collection is empty`);
  return { collection: { name: collectionName ?? fileName.replace(/\.kafka$/i, ''), messages }, warnings };
}

function producerBlock(
  lines: string[],
  start: number,
  end: number,
  declared: string,
  fileName: string,
  warnings: string[],
  ordinal: number,
): MessageSpec {
  const at = (n: number) => `${fileName}:${n + 1}`;
  const message: MessageSpec = { name: declared || `producer ${ordinal}`, topic: '' };
  let valueStart = -1;
  for (let n = start + 1; n < end; n++) {
    const line = lines[n];
    if (line.startsWith('--') || line.trim() === '') continue;
    const prop = PROPERTY.exec(line);
    if (!prop) {
      valueStart = n;
      break;
    }
    const name = prop[1];
    const value = prop[2].trim();
    switch (name) {
      case 'topic':
        message.topic = value;
        break;
      case 'key':
        message.key = mapFakerTemplates(value, fileName, n + 1, warnings);
        break;
      case 'headers':
        message.headers = parseHeaders(value, fileName, n + 1, warnings);
        break;
      case 'key-format':
      case 'value-format':
        if (value !== 'string')
          warnings.push(
            `${at(n)}: ${name} ${value} is not supported; the ${name.startsWith('key') ? 'key' : 'value'} is sent as UTF-8 text`,
          );
        break;
      case 'every':
        warnings.push(
          `${at(n)}: "every: ${value}" (repeat forever) has no equivalent; use "count" and "ratePerSecond"`,
        );
        break;
    }
  }
  if (!message.topic) {
    message.topic = 'TOPIC';
    warnings.push(`${at(start)}: PRODUCER block has no topic; set "topic" in the imported message`);
  }
  if (valueStart >= 0) {
    const raw = lines.slice(valueStart, end).join('\n').trim();
    message.value = valueFromText(mapFakerTemplates(raw, fileName, valueStart + 1, warnings));
  }
  return message;
}

/**
 * A value that is a JSON object or array becomes JSON (editable, templates kept in its strings); anything else stays
 * text. So does JSON that the collection would not send as the .kafka file did, which sent the text as written.
 */
function valueFromText(text: string): unknown {
  if (/^[[{]/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      // A string that is one number template would send a number from a collection; the .kafka file sent text.
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        !isSpecialForm(parsed) &&
        !hasTypedTemplate(parsed) &&
        changedNumber(text) === undefined
      )
        return parsed;
    } catch {
      // Not JSON as written (a template outside a string, say): sent as text, exactly as before.
    }
  }
  return text;
}

/** Whether a string in `v` is one template that renders a number or boolean (tried once, as the runner would). */
function hasTypedTemplate(v: unknown): boolean {
  if (typeof v === 'object' && v !== null) return Object.values(v).some(hasTypedTemplate);
  if (typeof v !== 'string') return false;
  try {
    const typed = new TemplateEngine({ seed: 0 }).compileTyped(v, [], { fileName: 'import', path: [] });
    return typed !== undefined && typeof typed.render({ seq: 0, now: 0 }) !== 'string';
  } catch {
    return false; // an unknown faker path: the collection reports it, the value's type does not matter
  }
}

function parseHeaders(text: string, fileName: string, line: number, warnings: string[]): HeaderSpec[] {
  const headers: HeaderSpec[] = [];
  for (const part of splitOutsideTemplates(text)) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const name = part.slice(0, Math.max(eq, 0)).trim();
    if (!name) {
      warnings.push(`${fileName}:${line}: header "${part.trim()}" is not name=value; left out`);
      continue;
    }
    headers.push([name, mapFakerTemplates(part.slice(eq + 1).trim(), fileName, line, warnings)]);
  }
  return headers;
}

/** `a={{random.number({"min":1,"max":5})}}, b=2` split at its commas, except those inside a `{{...}}` template. */
function splitOutsideTemplates(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let searchFrom = 0;
  const templates = [...text.matchAll(TEMPLATE)].map((m) => [m.index, m.index + m[0].length]);
  for (let comma = text.indexOf(',', searchFrom); comma >= 0; comma = text.indexOf(',', searchFrom)) {
    searchFrom = comma + 1;
    if (templates.some(([from, to]) => comma >= from && comma < to)) continue;
    parts.push(text.slice(start, comma));
    start = comma + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

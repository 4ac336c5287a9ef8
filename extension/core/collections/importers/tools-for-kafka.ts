/**
 * Imports a Tools for Apache Kafka `.kafka` file: each `PRODUCER [name]` block (properties `topic:`, `key:`,
 * `headers: a=b, c=d`, `key-format:`, `value-format:`, `every:`, then the value up to `###`) becomes a message.
 * Their faker templates (`{{person.fullName}}`, old `{{random.uuid}}`/`{{name.firstName}}` names too) become ours
 * (`{{$faker.person.fullName}}`). CONSUMER blocks and `--` comments are skipped. Pure: text in, collection out.
 */
import { base, en, Faker } from '@faker-js/faker';
import type { Collection, HeaderSpec, MessageSpec } from '../model';
import { TemplateEngine } from '../template';

export interface ImportResult {
  collection: Collection;
  /** Things that could not be carried over exactly, each naming the file and line. */
  warnings: string[];
}

/** Names faker.js used before v6 (what older .kafka files contain), to today's module.function. */
const LEGACY_FAKER: Record<string, string> = {
  'random.uuid': 'string.uuid',
  'datatype.uuid': 'string.uuid',
  'random.number': 'number.int',
  'datatype.number': 'number.int',
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
};
const LEGACY_MODULES: Record<string, string> = { name: 'person', address: 'location' };

const PROPERTY = /^(topic|key|key-format|value-format|headers|every)\s*:(.*)$/;

let fakerForChecks: Faker | undefined;

function fakerHas(path: string): boolean {
  fakerForChecks ??= new Faker({ locale: [en, base] });
  let target: unknown = fakerForChecks;
  for (const seg of path.split('.')) {
    if (!seg || seg.startsWith('_') || typeof target !== 'object' || target === null) return false;
    target = (target as Record<string, unknown>)[seg];
  }
  return typeof target === 'function';
}

/** `{{person.fullName}}` -> `{{$faker.person.fullName}}`, with old names mapped; warns about ones faker lacks. */
export function mapFakerTemplates(text: string, where: string, warnings: string[]): string {
  return text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, expr: string) => {
    if (expr.startsWith('$')) return whole;
    let path = LEGACY_FAKER[expr] ?? expr;
    const [mod, ...rest] = path.split('.');
    if (LEGACY_MODULES[mod]) path = [LEGACY_MODULES[mod], ...rest].join('.');
    if (!fakerHas(path)) warnings.push(`${where}: {{${expr}}} is not a @faker-js/faker function; kept as {{$faker.${path}}}, fix it before sending`);
    return `{{$faker.${path}}}`;
  });
}

export function importToolsForKafkaFile(text: string, fileName: string, collectionName?: string): ImportResult {
  const warnings: string[] = [];
  const messages: MessageSpec[] = [];
  const lines = text.split(/\r?\n/);
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
    while (end < lines.length && !lines[end].startsWith('###')) end++;
    messages.push(producerBlock(lines, start, end, declared, fileName, warnings, messages.length + 1));
    i = end + 1;
  }
  uniqueNames(messages);
  if (!messages.length) warnings.push(`${fileName}: no PRODUCER blocks found; the collection is empty`);
  return { collection: { name: collectionName ?? fileName.replace(/\.kafka$/i, ''), messages }, warnings };
}

function producerBlock(lines: string[], start: number, end: number, declared: string, fileName: string, warnings: string[], ordinal: number): MessageSpec {
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
        message.key = mapFakerTemplates(value, at(n), warnings);
        break;
      case 'headers':
        message.headers = parseHeaders(value, at(n), warnings);
        break;
      case 'key-format':
      case 'value-format':
        if (value !== 'string') warnings.push(`${at(n)}: ${name} ${value} is not supported; the ${name.startsWith('key') ? 'key' : 'value'} is sent as UTF-8 text`);
        break;
      case 'every':
        warnings.push(`${at(n)}: "every: ${value}" (repeat forever) has no equivalent; use "count" and "ratePerSecond"`);
        break;
    }
  }
  if (!message.topic) {
    message.topic = 'TOPIC';
    warnings.push(`${at(start)}: PRODUCER block has no topic; set "topic" in the imported message`);
  }
  if (valueStart >= 0) {
    const raw = lines.slice(valueStart, end).join('\n').trim();
    message.value = valueFromText(mapFakerTemplates(raw, at(valueStart), warnings));
  }
  return message;
}

/** A value that is a JSON object or array becomes JSON (editable, templates kept in its strings); anything else stays text. */
function valueFromText(text: string): unknown {
  if (/^[[{]/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      // A string that is one number template would send a number from a collection; the .kafka file sent text.
      if (typeof parsed === 'object' && parsed !== null && !isSpecialForm(parsed) && !hasTypedTemplate(parsed)) return parsed;
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

export function isSpecialForm(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.includes('file') || keys.includes('base64') || keys.includes('json');
}

function parseHeaders(text: string, where: string, warnings: string[]): HeaderSpec[] {
  const headers: HeaderSpec[] = [];
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      warnings.push(`${where}: header "${part.trim()}" is not name=value; left out`);
      continue;
    }
    headers.push([part.slice(0, eq).trim(), mapFakerTemplates(part.slice(eq + 1).trim(), where, warnings)]);
  }
  return headers;
}

/** Message names must be unique: a repeated name gets " (2)", " (3)"... */
export function uniqueNames(messages: MessageSpec[]): void {
  const seen = new Map<string, number>();
  for (const m of messages) {
    const n = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, n);
    if (n > 1) m.name = `${m.name} (${n})`;
  }
}

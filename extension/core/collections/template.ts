/**
 * `{{...}}` templates: variables looked up through layers (message, collection, environment, --var), dynamic
 * values ($uuid, $seq, $timestamp, $isoTimestamp, $randomInt, $faker.PATH) and secrets ($secret:NAME).
 * Templates are compiled once per message, before anything is sent, so an unknown name fails the run up front;
 * rendering one record is then a loop over prepared parts. One seed drives every random value.
 */
import { base, en, Faker } from '@faker-js/faker';
import { systemClock, type Clock } from '../util/clock';
import { errorMessage, InvalidInputError } from '../util/errors';
import type { ScalarVariable, SourceRange } from './model';
import { formatJsonPath, formatLocation, type JsonPath } from './source-text';

/** What changes from one record to the next. */
export interface RecordContext {
  /** The record's index within its message: 0 for the first (as in `kafka-workbench send`). */
  seq: number;
  /** The record's time (ms since the epoch), read once so every template in one record agrees. */
  now: number;
}

/** Where a template came from, for errors: file, position, message and JSON path. */
export interface TemplateSite {
  fileName: string;
  range?: SourceRange;
  messageName?: string;
  path: JsonPath;
}

/** A named set of variables; lookups try layers in order, first match wins. */
export interface VariableLayer {
  /** Says where to define a variable, in errors: 'message "new order"', 'collection', 'environment', '--var'. */
  label: string;
  variables: Record<string, ScalarVariable>;
  /** Where the layer's own values come from, for errors inside them. */
  site?: (name: string) => TemplateSite;
  /** A number variable's literal as written in its file ("1.50"), so text shows it as the user wrote it. */
  written?: (name: string) => string | undefined;
}

/** Looks a secret up by name: from SecretStorage in VS Code, from KAFKA_WORKBENCH_SECRET_NAME in the CLI. */
export type SecretResolver = (name: string) => string | undefined | Promise<string | undefined>;

/** A template problem; `site` says where (the editor turns it into a Problems entry). */
export class TemplateError extends InvalidInputError {
  constructor(
    readonly site: TemplateSite,
    /** What is wrong, without the location (the Problems view shows that itself). */
    readonly detail: string,
  ) {
    super(`${describeSite(site)} ${detail}`);
  }
}

type Part = string | ((ctx: RecordContext) => string);

/** A template that keeps its own type (see compileTyped); `constant` when it is the same for every record. */
export interface TypedTemplate {
  readonly render: (ctx: RecordContext) => unknown;
  readonly constant: boolean;
}

const WHOLE_TAG = /^\{\{([^{}]*)\}\}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A template ready to render; `constant` is set when it has no dynamic parts. */
export interface CompiledTemplate {
  readonly parts: readonly Part[];
  readonly constant?: string;
  /** Characters it renders at least: its text plus one per dynamic part. */
  readonly minLength?: number;
  /**
   * Characters it renders at most, when its text alone says (its own text, $uuid, $seq, $timestamp, $isoTimestamp,
   * $randomInt); undefined when it holds what may grow (faker text, secrets, variables).
   */
  readonly maxLength?: number;
}

/** The longest text of each dynamic value whose length has a bound ($randomInt's depends on its range). */
const LONGEST = {
  uuid: 36,
  /** A safe integer, sign included: $seq and $timestamp. */
  integer: 17,
  /** new Date(...).toISOString() of the farthest date: "+275760-09-13T00:00:00.000Z". */
  isoTimestamp: 27,
};

/**
 * How long a field may render, and why, for the error: a record larger than max.request.size cannot be sent, and
 * variables that expand each other could otherwise grow a value past what memory holds before anyone noticed.
 */
export interface LengthLimit {
  max: number;
  /** `max.request.size (1,048,576 bytes)`. */
  what: string;
}

export interface CompileOptions {
  /** A field whose text shows in reports, traces and the cluster (a topic): no {{$secret:NAME}} in it. */
  noSecretsIn?: string;
  limit?: LengthLimit;
}

export const DYNAMIC_NAMES = [
  '$uuid',
  '$seq',
  '$timestamp',
  '$isoTimestamp',
  '$randomInt MIN MAX',
  '$faker.PATH',
  '$secret:NAME',
];

export function describeSite(site: TemplateSite): string {
  const where = site.range ? formatLocation(site.fileName, site.range) : site.fileName;
  const message = site.messageName !== undefined ? ` message "${site.messageName}"` : '';
  const path = site.path.length ? ` ${formatJsonPath(site.path)}` : '';
  return `${where}:${message}${path}:`;
}

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

export class TemplateEngine {
  readonly faker: Faker;
  private readonly clock: Clock;
  private readonly secretValues = new Map<string, string | undefined>();
  /** Secrets used but not looked up yet: where first used, and whether every use accepts an empty value. */
  private readonly pendingSecrets = new Map<string, { site: TemplateSite; emptyMeant: boolean }>();
  private readonly secrets?: SecretResolver;
  /** Set while compiling a field that may not hold secrets (see compile). */
  private noSecretsIn: string | undefined;
  /**
   * Templates whose meaning depends only on their text ($uuid, $seq, $timestamp, $isoTimestamp, $randomInt): one
   * compiled template serves every message that has the same text, so 100,000 messages compile it once. Anything
   * naming a variable, a secret or a faker function (which keep their site for errors) is compiled each time.
   */
  private readonly byText = new Map<string, CompiledTemplate>();
  private readonly typedByText = new Map<string, TypedTemplate>();
  /** Set while compiling when the result depends on more than the text. */
  private siteBound = false;
  /** While compiling: the limit, what the text so far renders at least and at most, and the field it is for. */
  private limit: LengthLimit | undefined;
  private spent = 0;
  private longest = 0;
  private field: TemplateSite | undefined;

  constructor(options: { seed?: number; clock?: Clock; secrets?: SecretResolver } = {}) {
    this.faker = new Faker({ locale: [en, base] });
    if (options.seed !== undefined) this.faker.seed(options.seed);
    this.clock = options.clock ?? systemClock;
    this.secrets = options.secrets;
  }

  /** The context of the next record: time read once from the clock. */
  recordContext(seq: number): RecordContext {
    return { seq, now: this.clock.now() };
  }

  /**
   * Compiles `text`; variables are looked up in `layers` (first match wins). Throws TemplateError naming the site.
   * `noSecretsIn` names a field whose text shows in reports, traces and the cluster (a topic): a {{$secret:NAME}}
   * there, directly or through a variable, is refused rather than leaked. With a `limit`, compiling stops as soon
   * as the text would render longer, naming the variable whose expansion went past it.
   */
  compile(
    text: string,
    layers: readonly VariableLayer[],
    site: TemplateSite,
    options: CompileOptions = {},
  ): CompiledTemplate {
    const limit = options.limit;
    if (!text.includes('{{')) {
      if (limit && text.length > limit.max) throw new TemplateError(site, tooLong(limit, text.length, []));
      return { parts: [text], constant: text, minLength: text.length };
    }
    const known = this.byText.get(text);
    if (known) {
      if (limit && known.minLength! > limit.max) throw new TemplateError(site, tooLong(limit, known.minLength!, []));
      return known;
    }
    this.noSecretsIn = options.noSecretsIn;
    this.siteBound = false;
    this.limit = limit;
    this.spent = 0;
    this.longest = 0;
    this.field = site;
    try {
      const parts = this.compileParts(text, layers, site, []);
      const minLength = this.spent;
      const compiled = parts.every((p) => typeof p === 'string')
        ? { parts, constant: parts.join(''), minLength }
        : { parts, minLength, maxLength: this.siteBound ? undefined : this.longest };
      if (!this.siteBound && compiled.constant === undefined) remember(this.byText, text, compiled);
      return compiled;
    } finally {
      this.noSecretsIn = undefined;
      this.limit = undefined;
      this.field = undefined;
    }
  }

  /**
   * Whether `text` is sure to compile without a problem within `limit`: it was compiled before and means the same
   * wherever it stands (no variable, secret or faker function). Checking a message's fields asks this first.
   */
  compilesCleanly(text: string, limit?: LengthLimit): boolean {
    return this.cleanTemplate(text, limit) !== undefined;
  }

  /**
   * The template compiled before from `text` when it means the same wherever it stands (see compilesCleanly) and
   * fits `limit`; undefined otherwise.
   */
  cleanTemplate(text: string, limit?: LengthLimit): CompiledTemplate | undefined {
    const known = this.byText.get(text);
    return known !== undefined && (!limit || known.minLength! <= limit.max) ? known : undefined;
  }

  /** compileTyped's result for `text` when it was remembered (its meaning depends on its text alone). */
  rememberedTyped(text: string): TypedTemplate | undefined {
    return this.typedByText.get(text);
  }

  /** Counts `length` more characters of the template being compiled, refusing it once past the limit. */
  private spend(length: number, stack: readonly string[]): void {
    this.spent += length;
    if (this.limit && this.spent > this.limit.max)
      throw new TemplateError(this.field!, tooLong(this.limit, undefined, stack));
  }

  /**
   * For a string inside a JSON value that is one template and nothing else: a renderer keeping the template's own
   * type, so `"qty": "{{$randomInt 1 5}}"` sends a number. Numbers come from $seq, $timestamp, $randomInt, faker
   * functions that return numbers (booleans likewise) and number or boolean variables; a string variable that is
   * itself one such template passes the type on. Undefined for anything else, which renders as text. Call after
   * compile() on the same text, which reports the template's problems.
   */
  compileTyped(text: string, layers: readonly VariableLayer[], site: TemplateSite): TypedTemplate | undefined {
    const known = this.typedByText.get(text);
    if (known) return known;
    const m = WHOLE_TAG.exec(text);
    if (!m) return undefined;
    this.siteBound = false;
    const typed = this.typedTag(m[1].trim(), layers, site, []);
    if (typed && !this.siteBound && !typed.constant) remember(this.typedByText, text, typed);
    return typed;
  }

  /**
   * Renders one record's text. With `bound`, stops as soon as it is past the limit (dynamic parts, faker text
   * repeated by a variable, can outgrow what the compiled text promised) with an error naming the field.
   */
  render(template: CompiledTemplate, ctx: RecordContext, bound?: { limit: LengthLimit; site: TemplateSite }): string {
    if (template.constant !== undefined) return template.constant;
    let out = '';
    for (const part of template.parts) {
      out += typeof part === 'string' ? part : part(ctx);
      if (bound && out.length > bound.limit.max)
        throw new TemplateError(bound.site, tooLong(bound.limit, undefined, [], ctx.seq));
    }
    return out;
  }

  /** Whether templates compiled so far use secrets not looked up yet (resolveSecrets has work to do). */
  get secretsPending(): boolean {
    return this.pendingSecrets.size > 0;
  }

  /** Looks up every secret the compiled templates use; call once after compiling, before rendering. */
  resolveSecrets(): Promise<void> {
    // Nothing to look up (the usual case, once per message of a run): no async call to pay for.
    return this.pendingSecrets.size === 0 ? RESOLVED : this.resolvePending();
  }

  private async resolvePending(): Promise<void> {
    for (const [name, { site, emptyMeant }] of this.pendingSecrets) {
      const value = this.secrets ? await this.secrets(name) : undefined;
      if (value === undefined) {
        throw new TemplateError(
          site,
          `secret "${name}" is not set; ${this.secrets ? `${howToSetSecret(name)}` : 'no secret store is available here'}`,
        );
      }
      if (value === '' && !emptyMeant) throw new TemplateError(site, emptySecret(name));
      this.secretValues.set(name, value);
    }
    this.pendingSecrets.clear();
  }

  private compileParts(text: string, layers: readonly VariableLayer[], site: TemplateSite, stack: string[]): Part[] {
    const parts: Part[] = [];
    let pos = 0;
    while (pos < text.length) {
      const open = text.indexOf('{{', pos);
      if (open < 0) break;
      const close = text.indexOf('}}', open + 2);
      if (close < 0)
        throw new TemplateError(
          site,
          `"{{" at character ${open + 1} is never closed; add "}}" (in ${JSON.stringify(short(text))})`,
        );
      if (open > pos) {
        this.spend(open - pos, stack);
        this.longest += open - pos;
        parts.push(text.slice(pos, open));
      }
      // One by one: a variable's expansion can hold more parts than a spread may pass as arguments.
      for (const part of this.compileTag(text.slice(open + 2, close).trim(), layers, site, stack)) parts.push(part);
      pos = close + 2;
    }
    if (pos < text.length) {
      this.spend(text.length - pos, stack);
      this.longest += text.length - pos;
      parts.push(text.slice(pos));
    }
    // Merge neighbouring constant strings, so rendering does fewer concatenations.
    const merged: Part[] = [];
    for (const p of parts) {
      const last = merged[merged.length - 1];
      if (typeof p === 'string' && typeof last === 'string') merged[merged.length - 1] = last + p;
      else merged.push(p);
    }
    return merged;
  }

  private compileTag(tag: string, layers: readonly VariableLayer[], site: TemplateSite, stack: string[]): Part[] {
    // A dynamic value renders at least one character; a variable counts its own text as it is expanded.
    if (tag.startsWith('$')) this.spend(1, stack);
    if (tag === '$uuid' || tag === '$guid') {
      this.longest += LONGEST.uuid;
      return [() => this.faker.string.uuid()];
    }
    if (tag === '$seq' || tag === '$timestamp') {
      this.longest += LONGEST.integer;
      return [tag === '$seq' ? (ctx) => String(ctx.seq) : (ctx) => String(ctx.now)];
    }
    if (tag === '$isoTimestamp') {
      this.longest += LONGEST.isoTimestamp;
      return [(ctx) => new Date(ctx.now).toISOString()];
    }
    if (tag.startsWith('$randomInt')) {
      const range = randomIntRange(tag, site);
      this.longest += Math.max(String(range.min).length, String(range.max).length);
      return [() => String(this.faker.number.int(range))];
    }
    if (tag.startsWith('$faker.')) {
      this.siteBound = true;
      const fake = this.fakerFunction(tag.slice('$faker.'.length), site);
      return [() => stringifyFake(fake())];
    }
    if (tag.startsWith('$secret:')) {
      this.siteBound = true;
      // {{$secret:NAME?}}: an empty value is meant. Otherwise a set-but-empty secret (what CI gives builds of forks)
      // is an error rather than a record sent without it.
      const spec = tag.slice('$secret:'.length);
      const emptyMeant = spec.endsWith('?');
      const name = emptyMeant ? spec.slice(0, -1) : spec;
      if (this.noSecretsIn)
        throw new TemplateError(
          site,
          `{{${tag}}} is not allowed in ${this.noSecretsIn}: its text shows in reports, traces and the cluster; keep secrets to keys, values, headers and SASL passwords`,
        );
      if (!/^[A-Za-z0-9_.-]+$/.test(name))
        throw new TemplateError(site, `{{${tag}}}: a secret name uses letters, digits, _ . and -`);
      if (this.secretValues.has(name)) {
        if (!emptyMeant && this.secretValues.get(name) === '') throw new TemplateError(site, emptySecret(name));
      } else {
        const pending = this.pendingSecrets.get(name);
        if (!pending || (pending.emptyMeant && !emptyMeant)) this.pendingSecrets.set(name, { site, emptyMeant });
      }
      return [() => this.secretValue(name)];
    }
    if (tag.startsWith('$'))
      throw new TemplateError(
        site,
        `unknown dynamic variable {{${tag}}}; known: ${DYNAMIC_NAMES.map((n) => `{{${n}}}`).join(', ')}`,
      );
    if (!VARIABLE_NAME.test(tag))
      throw new TemplateError(
        site,
        `{{${tag}}} is not a variable name (letters, digits, _ . -, starting with a letter or _)`,
      );
    return this.compileVariable(tag, layers, site, stack);
  }

  private typedTag(
    tag: string,
    layers: readonly VariableLayer[],
    site: TemplateSite,
    stack: string[],
  ): TypedTemplate | undefined {
    if (tag === '$seq') return { render: (ctx) => ctx.seq, constant: false };
    if (tag === '$timestamp') return { render: (ctx) => ctx.now, constant: false };
    if (tag.startsWith('$randomInt')) {
      const range = randomIntRange(tag, site);
      return { render: () => this.faker.number.int(range), constant: false };
    }
    if (tag.startsWith('$faker.')) {
      this.siteBound = true;
      const fake = this.fakerFunction(tag.slice('$faker.'.length), site);
      return { render: () => typedFake(fake()), constant: false };
    }
    this.siteBound = true; // a variable, or text: what it means depends on the layers
    if (tag.startsWith('$') || !VARIABLE_NAME.test(tag) || stack.includes(tag)) return undefined;
    const layer = layers.find((l) => Object.prototype.hasOwnProperty.call(l.variables, tag));
    if (!layer) return undefined;
    const value = layer.variables[tag];
    if (typeof value !== 'string') return { render: () => value, constant: true };
    const inner = WHOLE_TAG.exec(value);
    return inner ? this.typedTag(inner[1].trim(), layers, layer.site?.(tag) ?? site, [...stack, tag]) : undefined;
  }

  private compileVariable(name: string, layers: readonly VariableLayer[], site: TemplateSite, stack: string[]): Part[] {
    this.siteBound = true;
    const layer = layers.find((l) => Object.prototype.hasOwnProperty.call(l.variables, name));
    if (!layer) {
      const known = [...new Set(layers.flatMap((l) => Object.keys(l.variables)))].sort();
      throw new TemplateError(
        site,
        `unknown variable {{${name}}}; ${known.length ? `known variables: ${known.join(', ')}` : 'no variables are defined'}. Define it in "variables" (message, collection or environment) or pass --var ${name}=VALUE`,
      );
    }
    if (stack.includes(name))
      throw new TemplateError(site, `variable {{${name}}} refers to itself: ${[...stack, name].join(' -> ')}`);
    const value = layer.variables[name];
    if (typeof value !== 'string') {
      const text = typeof value === 'number' ? (layer.written?.(name) ?? String(value)) : String(value);
      this.spend(text.length, [...stack, name]);
      return [text];
    }
    // A variable's value may hold templates too ({{$uuid}}, other variables): they are rendered per record.
    return this.compileParts(value, layers, layer.site?.(name) ?? site, [...stack, name]);
  }

  /** The faker function at `path`, checked up front; a throw while rendering names the template and site too. */
  private fakerFunction(path: string, site: TemplateSite): () => unknown {
    const segments = path.split('.');
    const check = checkFakerPath(path);
    if (check !== 'ok') throw new TemplateError(site, fakerPathProblem(this.faker, path, segments, check));
    const { fn, owner } = findFakerFunction(this.faker, segments)!;
    return () => {
      try {
        return fn.call(owner);
      } catch (e) {
        throw new TemplateError(site, `{{$faker.${path}}} failed: ${errorMessage(e)}; use another faker function`);
      }
    };
  }

  private secretValue(name: string): string {
    const value = this.secretValues.get(name);
    if (value === undefined)
      throw new Error(`secret "${name}" was not resolved before rendering (call resolveSecrets first)`);
    return value;
  }
}

const RESOLVED = Promise.resolve();

/** Why a field is refused for its length: the limit, and the variables whose expansion went past it. */
export function tooLong(
  limit: LengthLimit,
  length: number | undefined,
  stack: readonly string[],
  seq?: number,
): string {
  const through = stack.length
    ? ` once {{${stack[0]}}} is expanded${
        stack.length > 1
          ? ` (through ${stack
              .slice(1)
              .map((v) => `{{${v}}}`)
              .join(' -> ')})`
          : ''
      }`
    : '';
  const size = length === undefined ? 'longer than' : `${length.toLocaleString('en-US')} characters, more than`;
  const record = seq === undefined ? '' : ` for record ${seq}`;
  return `the value would be ${size} ${limit.what}${through}${record}; no record may be larger: shorten it, or raise max.request.size in "producer" (and the topic's max.message.bytes)`;
}

/** Templates remembered by text, at most this many (a collection rarely has more distinct ones). */
const REMEMBERED_TEMPLATES = 10_000;

/** Keeps `value` for `text`, starting over once REMEMBERED_TEMPLATES are kept, so a cache never grows past that. */
export function remember<T>(cache: Map<string, T>, text: string, value: T): void {
  if (cache.size >= REMEMBERED_TEMPLATES) cache.clear();
  cache.set(text, value);
}

function emptySecret(name: string): string {
  return `secret "${name}" is set but empty (CI gives builds of forks their secrets that way); ${howToSetSecret(name)}, or write {{$secret:${name}?}} where an empty value is meant`;
}

/** Where a secret comes from, for errors: the same words whether VS Code or the CLI reports them. */
export function howToSetSecret(name: string): string {
  return `set it with "Kafka: Set Collection Secret" in VS Code, or the environment variable ${secretEnvName(name)} for the CLI`;
}

/** `KAFKA_WORKBENCH_SECRET_` + the name, upper-cased with anything but letters and digits as `_`. */
export function secretEnvName(name: string): string {
  return 'KAFKA_WORKBENCH_SECRET_' + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The CLI's secret store: environment variables, never files. */
export function envSecretResolver(env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return (name) => env[secretEnvName(name)] ?? env['KAFKA_WORKBENCH_SECRET_' + name];
}

/** Why `{{$faker.PATH}}` cannot be used, and what to use instead. */
function fakerPathProblem(
  faker: Faker,
  path: string,
  segments: string[],
  check: Exclude<FakerPathCheck, 'ok'>,
): string {
  const tag = `{{$faker.${path}}}`;
  if (check === 'object-method') {
    const name = segments.find((s) => OBJECT_PROTOTYPE_NAMES.has(s));
    return `${tag}: "${name}" belongs to every JavaScript object, it is not a faker function; use MODULE.FUNCTION from @faker-js/faker${fakerHint(faker, segments[0])}`;
  }
  if (check === 'needs-arguments') {
    return `${tag} needs arguments, which templates cannot pass; use a function that takes none, such as ${noArgumentExamples(segments[0]).join(', ')}`;
  }
  return `unknown faker path ${tag}; use MODULE.FUNCTION from @faker-js/faker, such as $faker.person.fullName or $faker.string.uuid${fakerHint(faker, segments[0])}`;
}

function fakerHint(faker: Faker, moduleName: string): string {
  const names = moduleFunctionNames(faker, moduleName);
  return names.length ? `; ${moduleName} has: ${names.slice(0, 40).join(', ')}` : '';
}

/** The public function names of one faker module (own and inherited), sorted; empty if there is no such module. */
function moduleFunctionNames(faker: Faker, moduleName: string): string[] {
  const mod = isFakerName(moduleName) ? (faker as unknown as Record<string, unknown>)[moduleName] : undefined;
  if (!mod || typeof mod !== 'object') return [];
  const names = [...Object.keys(mod), ...Object.getOwnPropertyNames(Object.getPrototypeOf(mod))];
  return [...new Set(names)]
    .filter((k) => isFakerName(k) && typeof (mod as Record<string, unknown>)[k] === 'function')
    .sort();
}

/** faker.helpers works on input the caller gives: what of it runs without input is no useful suggestion. */
const INPUT_MODULES = new Set(['helpers']);

/** A few functions of the same module that work without arguments (or well-known ones when it has none). */
function noArgumentExamples(moduleName: string): string[] {
  const fallback = ['$faker.person.fullName', '$faker.number.int', '$faker.string.uuid'];
  if (INPUT_MODULES.has(moduleName)) return fallback;
  const working = moduleFunctionNames(fakerSampler(), moduleName)
    .filter((name) => sampleWithoutArguments([moduleName, name], { quiet: true }))
    .map((name) => `$faker.${moduleName}.${name}`);
  return working.length ? working.slice(0, 5) : fallback;
}

/** Names on Object.prototype (constructor, toString, __proto__...): reachable on every faker module, never faker functions. */
const OBJECT_PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Private names (_randomizer) and Object.prototype's are not part of faker's API. */
function isFakerName(name: string): boolean {
  return name !== '' && !name.startsWith('_') && !OBJECT_PROTOTYPE_NAMES.has(name);
}

/** 'ok', or why a `$faker.PATH` cannot be used in a template. */
export type FakerPathCheck = 'ok' | 'unknown' | 'object-method' | 'needs-arguments';

/**
 * Whether `path` (MODULE.FUNCTION) names a faker function a template can call, that is one that gives a value
 * without arguments. Each function is tried once per process on a faker of its own, so the engines' seeded fakers
 * (and with them --seed output) are left alone.
 */
export function checkFakerPath(path: string): FakerPathCheck {
  const segments = path.split('.');
  if (segments.some((s) => OBJECT_PROTOTYPE_NAMES.has(s))) return 'object-method';
  if (segments.length < 2 || !findFakerFunction(fakerSampler(), segments)) return 'unknown';
  return sampleWithoutArguments(segments, { quiet: false }) ? 'ok' : 'needs-arguments';
}

interface FakerFunction {
  fn: () => unknown;
  owner: unknown;
}

/** The function at `segments` on `faker` with the object it belongs to; private (_) and Object.prototype names are not. */
function findFakerFunction(faker: Faker, segments: string[]): FakerFunction | undefined {
  let owner: unknown;
  let target: unknown = faker;
  for (const seg of segments) {
    if (!isFakerName(seg) || typeof target !== 'object' || target === null) return undefined;
    owner = target;
    target = (target as Record<string, unknown>)[seg];
  }
  return typeof target === 'function' ? { fn: target as () => unknown, owner } : undefined;
}

let sampler: Faker | undefined;
const SAMPLER_SEED = 1;
const sampled = new Map<string, boolean>();

function fakerSampler(): Faker {
  sampler ??= new Faker({ locale: [en, base] });
  return sampler;
}

/**
 * Calls the function once with no arguments on the sampler (remembering the verdict): it works unless it throws or
 * gives nothing usable. `quiet` mutes faker's deprecation notices while trying functions the user did not name.
 */
function sampleWithoutArguments(segments: string[], options: { quiet: boolean }): boolean {
  const path = segments.join('.');
  let works = sampled.get(path);
  if (works === undefined) {
    works = options.quiet ? withoutConsoleWarnings(() => trySample(segments)) : trySample(segments);
    sampled.set(path, works);
  }
  return works;
}

function trySample(segments: string[]): boolean {
  const faker = fakerSampler();
  const target = findFakerFunction(faker, segments);
  if (!target) return false;
  faker.seed(SAMPLER_SEED); // the same verdict on every run
  try {
    return isUsableFake(target.fn.call(target.owner));
  } catch {
    return false;
  }
}

/** Functions called without their required input return nothing, a function, '' or [] (helpers.mustache, helpers.multiple...). */
function isUsableFake(value: unknown): boolean {
  if (value === undefined || typeof value === 'function' || value === '') return false;
  return !Array.isArray(value) || (value.length > 0 && !value.includes(undefined));
}

function withoutConsoleWarnings<T>(run: () => T): T {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return run();
  } finally {
    console.warn = warn;
  }
}

function randomIntRange(tag: string, site: TemplateSite): { min: number; max: number } {
  const m = /^\$randomInt\s+(-?\d+)\s+(-?\d+)$/.exec(tag);
  if (!m) throw new TemplateError(site, `{{${tag}}} needs two whole numbers: {{$randomInt MIN MAX}}`);
  const min = randomIntBound('MIN', m[1], tag, site);
  const max = randomIntBound('MAX', m[2], tag, site);
  if (min > max) throw new TemplateError(site, `{{${tag}}}: MIN (${min}) is greater than MAX (${max})`);
  return { min, max };
}

/** Beyond 2^53 a number cannot hold every whole number, so values would fall outside MIN..MAX: refused. */
function randomIntBound(label: 'MIN' | 'MAX', text: string, tag: string, site: TemplateSite): number {
  const bound = Number(text);
  if (!Number.isSafeInteger(bound)) {
    throw new TemplateError(
      site,
      `{{${tag}}}: ${label} (${text}) is out of range; MIN and MAX must be whole numbers from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return bound;
}

/** A faker result inside JSON: finite numbers and booleans keep their type, anything else is text. */
function typedFake(value: unknown): unknown {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
    ? value
    : stringifyFake(value);
}

function stringifyFake(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function short(text: string): string {
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

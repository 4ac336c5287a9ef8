/**
 * Turns one saved message into a stream of ProducerRecords: templates compiled once (so an unknown variable fails
 * before anything is sent), then rendered per record; data files read line by line.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProducerRecord } from '../engine/types';
import type { SchemaRegistryClient } from '../schema-registry/client';
import { createSerializer, keyTextValue, type RecordPart, type SchemaSerializer, type SchemaUsed } from '../schema-registry/serializer';
import { SchemaValueError } from '../schema-registry/types';
import { InvalidInputError, WorkbenchError } from '../util/errors';
import { checkCsvHeader, readCsv, readJsonlBatches, type DataRecord } from './data-sources';
import { topicNameProblem } from '../kafka/rules/topic-name';
import type { BinarySpec, Collection, Environment, FileSpec, MessageSpec, ProducerSettings, SchemaRefSpec, Variables } from './model';
import type { SourceText, JsonPath } from './source-text';
import { describeSite, TemplateEngine, TemplateError, type CompiledTemplate, type RecordContext, type TemplateSite, type VariableLayer } from './template';

/** A collection file as loaded: model, text (for error positions) and where it lives (data paths are relative to it). */
export interface LoadedCollection {
  filePath: string;
  collection: Collection;
  source?: SourceText;
}

export interface LoadedEnvironment {
  filePath: string;
  environment: Environment;
  source?: SourceText;
}

export interface PreparedMessage {
  index: number;
  name: string;
  topic: string;
  /** Collection settings overlaid with the message's. */
  producer: ProducerSettings;
  ratePerSecond?: number;
  /** The registry schemas that encode its keys and values (keySchema / valueSchema), for reports and traces. */
  schemas: SchemaUsed[];
  /** Records this message will send when known in advance (count, or 1); undefined for a data file without count. */
  expectedRecords?: number;
  dataFile?: string;
  /** The records, a group at a time (a data-file chunk, or up to 1,000 generated ones): one await per group. */
  batches(signal?: AbortSignal): AsyncGenerator<ProducerRecord[]>;
  /** The same records one by one. */
  records(signal?: AbortSignal): AsyncGenerator<ProducerRecord>;
}

/**
 * A template problem of one message: `error.site` is where the bad text is, which for a variable's value may be
 * another file (the environment) or --var; `field` is the message's own field whose template led there.
 */
export interface TemplateProblem {
  error: TemplateError;
  field: TemplateSite;
}

type Renderer<T> = (ctx: RecordContext) => T;

/** A part of a JSON value, compiled: constant parts are rendered once. */
interface JsonNode {
  constant: boolean;
  render: Renderer<unknown>;
}

/** For rendering what does not depend on the record (constant parts). */
const NO_RECORD: RecordContext = { seq: 0, now: 0 };

/** Generated records (count) are rendered this many at a time, so a big count never sits in memory at once. */
const GENERATED_BATCH = 1000;

/** Groups a per-row CSV stream into small arrays, so the runner sees the same shape as for JSONL. */
async function* csvBatches(rows: AsyncGenerator<DataRecord>, size = 500): AsyncGenerator<DataRecord[]> {
  let batch: DataRecord[] = [];
  try {
    for await (const row of rows) {
      batch.push(row);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    // The rows before a bad one are sent first (as for JSONL); then the error stops the message.
    if (batch.length) yield batch;
    throw e;
  }
  if (batch.length) yield batch;
}

/** Renderers that ignore the record context: when a message has only these, no context is made per record. */
const constants = new WeakSet<Renderer<unknown>>();

function constant<T>(v: T): Renderer<T> {
  const render = () => v;
  constants.add(render);
  return render;
}

export class MessagePreparer {
  constructor(
    private readonly engine: TemplateEngine,
    private readonly loaded: LoadedCollection,
    private readonly environment?: LoadedEnvironment,
    private readonly cliVariables: Variables = {},
    /** Where keySchema / valueSchema find their schemas; messages with one fail to prepare without it. */
    private readonly schemaRegistry?: SchemaRegistryClient,
  ) {}

  /** Looks up messages by name (all when `names` is empty), refusing names that do not exist. */
  select(names: string[]): number[] {
    const messages = this.loaded.collection.messages;
    if (!names.length) return messages.map((_, i) => i);
    return names.map((name) => {
      const i = messages.findIndex((m) => m.name === name);
      if (i < 0) throw new InvalidInputError(`${path.basename(this.loaded.filePath)} has no message named "${name}"; messages: ${messages.map((m) => JSON.stringify(m.name)).join(', ')}`);
      return i;
    });
  }

  /**
   * Every template problem of one message (not just the first), without touching files or secrets: for the
   * editor's Problems view. Empty when the message would prepare.
   */
  checkTemplates(index: number): TemplateProblem[] {
    const m = this.loaded.collection.messages[index];
    const layers = this.layers(m, index);
    const problems: TemplateProblem[] = [];
    const attempt = (p: JsonPath, check: (field: TemplateSite) => void): void => {
      const field = this.site(['messages', index, ...p], m.name);
      try {
        check(field);
      } catch (e) {
        if (e instanceof TemplateError) problems.push({ error: e, field });
        else throw e;
      }
    };
    const compile = (text: string, p: JsonPath): void => attempt(p, (field) => this.engine.compile(text, layers, field));
    const checkJson = (value: unknown, p: JsonPath): void => {
      if (typeof value === 'string') compile(value, p);
      else if (Array.isArray(value)) value.forEach((v, i) => checkJson(v, [...p, i]));
      else if (isObject(value)) for (const [k, v] of Object.entries(value)) checkJson(v, [...p, k]);
    };
    // Keys and header values are text or {"base64"} bytes, which have no templates.
    const checkBinary = (spec: BinarySpec | undefined, p: JsonPath): void => void (typeof spec === 'string' && compile(spec, p));
    attempt(['topic'], (field) => this.compileTopic(m.topic, layers, field));
    // With keySchema a key may be any JSON value, templated like a value.
    if (m.keySchema && typeof m.key !== 'string') checkJson(m.key, ['key']);
    else checkBinary(m.key as BinarySpec | undefined, ['key']);
    (m.headers ?? []).forEach(([, v], i) => checkBinary(v, ['headers', i, 1]));
    // Only the value itself can be a special form; an object with a "file" key inside it is plain JSON.
    if (!isUntemplatedValue(m.value)) checkJson(m.value, ['value']);
    return problems;
  }

  async prepare(index: number): Promise<PreparedMessage> {
    const m = this.loaded.collection.messages[index];
    const base = ['messages', index];
    const layers = this.layers(m, index);
    const site = (p: JsonPath): TemplateSite => this.site([...base, ...p], m.name);
    const text = (value: string, p: JsonPath): CompiledTemplate => this.engine.compile(value, layers, site(p));
    const jsonString = (value: string, p: JsonPath): JsonNode => {
      const t = text(value, p); // checks every template, typed or not
      const typed = this.engine.compileTyped(value, layers, site(p));
      if (typed) return typed.constant ? { constant: true, render: constant(typed.render(NO_RECORD)) } : { constant: false, render: typed.render };
      return t.constant !== undefined ? { constant: true, render: constant(t.constant) } : { constant: false, render: (ctx) => this.engine.render(t, ctx) };
    };

    const topicT = this.compileTopic(m.topic, layers, site(['topic']));
    const topic = topicT.constant !== undefined ? constant(topicT.constant) : (ctx: RecordContext) => this.engine.render(topicT, ctx);
    const headers = (m.headers ?? []).map(([name, v], i) => ({ name, value: this.binaryRenderer(v, text, ['headers', i, 1]) }));
    const fileSpec = isFileSpec(m.value) ? m.value : undefined;
    // Every template is compiled (secrets noted) before secrets are resolved; schema parts are encoded after that.
    const keyTree = m.keySchema ? this.schemaTree('key', m.key, text, jsonString, site) : undefined;
    const valueTree = m.valueSchema && !fileSpec ? this.schemaTree('value', m.value, text, jsonString, site) : undefined;
    const plainKey = m.keySchema ? undefined : this.binaryRenderer(m.key as BinarySpec | undefined, text, ['key']);
    const plainValue = m.valueSchema || fileSpec ? undefined : this.valueRenderer(m.value, text, jsonString, ['value']);
    await this.engine.resolveSecrets();
    const schemas = await this.serializers(m, topicT, site);
    const key = plainKey ?? this.schemaRenderer('key', keyTree, schemas.key!, site);
    const value = fileSpec ? constant<string | Buffer | null>(null) : plainValue ?? this.schemaRenderer('value', valueTree, schemas.value!, site);

    const producer = { ...(this.loaded.collection.producer ?? {}), ...(m.producer ?? {}) };
    const dataFile = fileSpec ? path.resolve(path.dirname(this.loaded.filePath), fileSpec.file) : undefined;
    if (dataFile) {
      const stat = await fs.stat(dataFile).catch(() => undefined);
      if (!stat) throw new InvalidInputError(`${describeSite(site(['value', 'file']))} data file ${fileSpec!.file} not found (looked at ${dataFile})`);
      if (!stat.isFile()) throw new InvalidInputError(`${describeSite(site(['value', 'file']))} data file ${fileSpec!.file} is a directory, not a file (${dataFile})`);
      // A CSV header with an unknown column stops the run before anything is sent, not at this message's turn.
      if (dataFile.toLowerCase().endsWith('.csv')) await checkCsvHeader(dataFile, fileSpec!.file);
    }
    const engine = this.engine;
    // The context (sequence number, clock reading) only matters to templates; a message without any gets one shared.
    const perRecordContext = ![topic, key, value, ...headers.map((h) => h.value)].every((r) => constants.has(r));
    const sharedContext: RecordContext = { seq: 0, now: 0 };
    const contextFor = (seq: number): RecordContext => (perRecordContext ? engine.recordContext(seq) : sharedContext);
    const partition = m.partition ?? undefined;
    const timestamp = m.timestamp ?? undefined;
    // A data file's key and value are JSON text for their schema: encoded per line, an unfit line named by file and line.
    const encodeData = (part: RecordPart, raw: string | Buffer | null, line: number, json: (text: string) => unknown): Buffer | null => {
      if (raw === null) return null;
      try {
        return schemas[part]!.encode(json(typeof raw === 'string' ? raw : raw.toString('utf8')));
      } catch (e) {
        throw new InvalidInputError(`${fileSpec!.file}:${line}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const dataValue = (data: DataRecord) => (schemas.value ? encodeData('value', data.value!, data.line, (t) => parseJsonValue(t)) : data.value!);
    const dataKey = (data: DataRecord) => (schemas.key ? encodeData('key', data.key!, data.line, keyTextValue) : data.key!);
    const build = (ctx: RecordContext, data?: DataRecord): ProducerRecord => {
      const record: ProducerRecord = { topic: topic(ctx), value: data?.value !== undefined ? dataValue(data) : value(ctx) };
      const k = data?.key !== undefined ? dataKey(data) : key(ctx);
      if (k !== undefined) record.key = k;
      if (headers.length || data?.headers) {
        record.headers = headers.map((h) => ({ key: h.name, value: h.value(ctx) ?? null }));
        if (data?.headers) record.headers.push(...data.headers);
      }
      const p = data?.partition ?? partition;
      if (p !== undefined) record.partition = p;
      const t = data?.timestamp ?? timestamp;
      if (t !== undefined) record.timestamp = t;
      return record;
    };
    const count = m.count;
    const displayFile = fileSpec?.file;

    return {
      index,
      name: m.name,
      topic: topicT.constant ?? m.topic,
      producer,
      schemas: [schemas.key?.used, schemas.value?.used].filter((u): u is SchemaUsed => u !== undefined),
      ratePerSecond: m.ratePerSecond ?? undefined,
      expectedRecords: dataFile ? undefined : count ?? 1,
      dataFile,
      batches,
      async *records(signal?: AbortSignal) {
        for await (const batch of batches(signal)) yield* batch;
      },
    };

    async function* batches(signal?: AbortSignal): AsyncGenerator<ProducerRecord[]> {
      if (!dataFile) {
        const n = count ?? 1;
        for (let from = 0; from < n; from += GENERATED_BATCH) {
          if (signal?.aborted) return;
          const batch: ProducerRecord[] = [];
          for (let seq = from; seq < Math.min(n, from + GENERATED_BATCH); seq++) batch.push(build(contextFor(seq)));
          yield batch;
        }
        return;
      }
      const chunks = dataFile.toLowerCase().endsWith('.csv') ? csvBatches(readCsv(dataFile, displayFile!, signal)) : readJsonlBatches(dataFile, displayFile!, fileSpec!.lines ?? 'value', signal);
      let seq = 0;
      for await (const rows of chunks) {
        const take = count === undefined ? rows.length : Math.min(rows.length, count - seq);
        const batch: ProducerRecord[] = new Array(take);
        for (let i = 0; i < take; i++) batch[i] = build(contextFor(seq++), rows[i]);
        yield batch;
        if (count !== undefined && seq >= count) return;
      }
    }
  }

  /**
   * The serializers of keySchema / valueSchema, resolved against the registry now: a subject, version or id that
   * is not there stops the run before anything is sent, naming the message and field.
   */
  private async serializers(m: MessageSpec, topicT: CompiledTemplate, site: (p: JsonPath) => TemplateSite): Promise<{ key?: SchemaSerializer; value?: SchemaSerializer }> {
    const out: { key?: SchemaSerializer; value?: SchemaSerializer } = {};
    for (const part of ['key', 'value'] as const) {
      const ref: SchemaRefSpec | undefined = part === 'key' ? m.keySchema : m.valueSchema;
      if (!ref) continue;
      const where = describeSite(site([`${part}Schema`]));
      if (!this.schemaRegistry) {
        throw new InvalidInputError(`${where} ${part}Schema needs a schema registry: add "schemaRegistry": {"url": ...} to the environment, or pass --schema-registry URL`);
      }
      if (topicT.constant === undefined && ref.subject === undefined && ref.id === undefined && (ref.strategy ?? 'TopicName') !== 'RecordName') {
        throw new InvalidInputError(`${where} the topic is a template, so the subject cannot be named after it: give ${part}Schema a "subject" or an "id"`);
      }
      try {
        out[part] = await createSerializer(this.schemaRegistry, topicT.constant ?? '', part, ref);
      } catch (e) {
        if (!(e instanceof WorkbenchError)) throw e;
        throw new InvalidInputError(`${where} ${e.message}`, { cause: e });
      }
    }
    return out;
  }

  /**
   * A key or value that its schema encodes, compiled: the JSON value (templates rendered, typed as in a value); a key
   * string that is not JSON is that string. undefined for null or no value (a tombstone stays null).
   */
  private schemaTree(part: RecordPart, spec: unknown, text: (v: string, p: JsonPath) => CompiledTemplate, jsonString: (v: string, p: JsonPath) => JsonNode, site: (p: JsonPath) => TemplateSite): JsonNode | undefined {
    if (spec === undefined || spec === null) return undefined;
    if (isObject(spec) && 'base64' in spec && Object.keys(spec).length === 1) {
      throw new InvalidInputError(`${describeSite(site([part]))} with ${part}Schema the ${part} is written as JSON and encoded by the schema; {"base64"} is raw bytes: remove one of them`);
    }
    if (isObject(spec) && 'json' in spec && Object.keys(spec).length === 1) return { constant: true, render: constant(spec.json) };
    if (part === 'key' && typeof spec === 'string') {
      const t = text(spec, [part]);
      return t.constant !== undefined ? { constant: true, render: constant(keyTextValue(t.constant)) } : { constant: false, render: (ctx) => keyTextValue(this.engine.render(t, ctx)) };
    }
    return compileJson(spec, jsonString, [part]);
  }

  /**
   * The compiled key or value encoded by its schema: once, now, when it does not change per record (so a misfit
   * stops the run before anything is sent), else per record, the misfit naming the message and field.
   */
  private schemaRenderer(part: RecordPart, tree: JsonNode | undefined, serializer: SchemaSerializer, site: (p: JsonPath) => TemplateSite): Renderer<Buffer | null> {
    if (!tree) return constant(null);
    const where = describeSite(site([part]));
    const encode = (v: unknown): Buffer => {
      try {
        return serializer.encode(v);
      } catch (e) {
        if (e instanceof SchemaValueError) throw new InvalidInputError(`${where} ${e.message}`, { cause: e });
        throw e;
      }
    };
    return tree.constant ? constant(encode(tree.render(NO_RECORD))) : (ctx) => encode(tree.render(ctx));
  }

  /** A topic's template: no secrets in it, and a name Kafka accepts when it is the same for every record. */
  private compileTopic(topic: string, layers: VariableLayer[], site: TemplateSite): CompiledTemplate {
    const compiled = this.engine.compile(topic, layers, site, 'a topic');
    const problem = compiled.constant === undefined ? null : topicNameProblem(compiled.constant);
    if (problem) throw new TemplateError(site, problem);
    return compiled;
  }

  /** Lookup order for a message's variables: message, then collection, then environment, then --var. */
  private layers(m: MessageSpec, index: number): VariableLayer[] {
    const envName = this.environment ? path.basename(this.environment.filePath) : '';
    const source = this.loaded.source;
    const layers: VariableLayer[] = [
      {
        label: `message "${m.name}"`, variables: m.variables ?? {}, site: (n) => this.site(['messages', index, 'variables', n], m.name),
        written: (n) => numberAsWritten(source, ['messages', index, 'variables', n]),
      },
      { label: 'collection', variables: this.loaded.collection.variables ?? {}, site: (n) => this.site(['variables', n]), written: (n) => numberAsWritten(source, ['variables', n]) },
    ];
    if (this.environment) {
      const env = this.environment;
      layers.push({
        label: 'environment',
        variables: env.environment.variables ?? {},
        site: (n) => ({ fileName: envName, path: ['variables', n], range: env.source?.rangeOf(['variables', n]) }),
        written: (n) => numberAsWritten(env.source, ['variables', n]),
      });
    }
    layers.push({ label: '--var', variables: this.cliVariables, site: (n) => ({ fileName: '--var', path: [n] }) });
    return layers;
  }

  private site(p: JsonPath, messageName?: string): TemplateSite {
    return { fileName: path.basename(this.loaded.filePath), path: p, messageName, range: this.loaded.source?.rangeOf(p) };
  }

  private binaryRenderer(spec: BinarySpec | undefined, text: (v: string, p: JsonPath) => CompiledTemplate, p: JsonPath): Renderer<string | Buffer | null | undefined> {
    if (spec === undefined) return constant(undefined);
    if (spec === null) return constant(null);
    if (typeof spec === 'string') {
      const t = text(spec, p);
      return t.constant !== undefined ? constant(t.constant) : (ctx) => this.engine.render(t, ctx);
    }
    return constant(Buffer.from(spec.base64, 'base64'));
  }

  /** A string is sent as its text; {base64}/{json} as given; any other JSON value is rendered then serialized. */
  private valueRenderer(spec: unknown, text: (v: string, p: JsonPath) => CompiledTemplate, jsonString: (v: string, p: JsonPath) => JsonNode, p: JsonPath): Renderer<string | Buffer | null> {
    if (spec === undefined || spec === null) return constant(null);
    if (typeof spec === 'string') {
      const t = text(spec, p);
      return t.constant !== undefined ? constant(t.constant) : (ctx) => this.engine.render(t, ctx);
    }
    if (isObject(spec) && 'base64' in spec && Object.keys(spec).length === 1) return constant(Buffer.from(String(spec.base64), 'base64'));
    if (isObject(spec) && 'json' in spec && Object.keys(spec).length === 1) return constant(JSON.stringify(spec.json));
    const tree = compileJson(spec, jsonString, p);
    // A value whose templates are all constant (variables) is rendered and serialized once.
    return tree.constant ? constant(JSON.stringify(tree.render(NO_RECORD))) : (ctx) => JSON.stringify(tree.render(ctx));
  }
}

/** A JSON value with templates in its strings: each string compiled by `jsonString`, the rest kept as is. */
function compileJson(spec: unknown, jsonString: (v: string, p: JsonPath) => JsonNode, p: JsonPath): JsonNode {
  if (typeof spec === 'string') return jsonString(spec, p);
  if (Array.isArray(spec)) {
    const items = spec.map((v, i) => compileJson(v, jsonString, [...p, i]));
    const render: Renderer<unknown> = (ctx) => items.map((i) => i.render(ctx));
    return fold(items, render);
  }
  if (isObject(spec)) {
    const entries = Object.entries(spec).map(([k, v]) => [k, compileJson(v, jsonString, [...p, k])] as const);
    const render: Renderer<unknown> = (ctx) => {
      // No prototype: a "__proto__" key in the file stays an ordinary key.
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, e] of entries) out[k] = e.render(ctx);
      return out;
    };
    return fold(entries.map(([, e]) => e), render);
  }
  return { constant: true, render: constant(spec) };
}

/** A container is constant when all its parts are: then it is rendered once, here. */
function fold(parts: JsonNode[], render: Renderer<unknown>): JsonNode {
  return parts.every((n) => n.constant) ? { constant: true, render: constant(render(NO_RECORD)) } : { constant: false, render };
}

/** The literal text of a number in a file ("1.50", "1e2"), or undefined when the path holds no number. */
function numberAsWritten(source: SourceText | undefined, p: JsonPath): string | undefined {
  const node = source?.nodeAt(p);
  return node?.type === 'number' ? source!.text.slice(node.offset, node.offset + node.length) : undefined;
}

/** A data line's value as JSON for its schema. */
function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SchemaValueError('value', `is not JSON (${(e as Error).message}); with valueSchema each line's value is JSON encoded by the schema`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Value forms sent without rendering templates, recognised as valueRenderer and prepare recognise them. */
function isUntemplatedValue(v: unknown): boolean {
  return isFileSpec(v) || (isObject(v) && Object.keys(v).length === 1 && ('base64' in v || 'json' in v));
}

function isFileSpec(v: unknown): v is FileSpec {
  return isObject(v) && typeof v.file === 'string' && Object.keys(v).every((k) => k === 'file' || k === 'lines');
}

/**
 * Turns one saved message into a stream of ProducerRecords: templates compiled once (so an unknown variable fails
 * before anything is sent), then rendered per record; data files read line by line.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProducerRecord } from '../engine/types';
import type { SchemaRegistryClient } from '../schema-registry/client';
import {
  createSerializer,
  keyTextValue,
  type RecordPart,
  type SchemaSerializer,
  type SchemaUsed,
} from '../schema-registry/serializer';
import { SchemaValueError } from '../schema-registry/types';
import { InvalidInputError, WorkbenchError } from '../util/errors';
import { fileKind } from '../util/files';
import { loneSurrogateProblem } from '../util/utf8';
import { checkCsvHeader } from './data-sources';
import { maxLineOf, MessageRecords, NO_RECORD, type Compiled, type Renderer } from './message-records';
import { compileExpectations, type CompiledExpectation } from './expectations';
import { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from '../kafka/rules/topic-name';
import type {
  BinarySpec,
  Collection,
  Environment,
  ExpectationSpec,
  FileSpec,
  MessageSpec,
  ProducerSettings,
  SourceRange,
  SchemaRefSpec,
  Variables,
} from './model';
import type { SourceText, JsonPath } from './source-text';
import {
  describeSite,
  TemplateEngine,
  hasTemplate,
  remember,
  TemplateError,
  tooLong,
  type CompileOptions,
  type CompiledTemplate,
  type LengthLimit,
  type RecordContext,
  type TemplateSite,
  type VariableLayer,
} from './template';
import { PRODUCER_DEFAULTS } from '../engine/config';

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

/** What a run knows of a message before sending it: enough to check the cluster and report, not its records. */
export type MessagePlan = Omit<PreparedMessage, 'batches' | 'records' | 'generate'>;

export interface PreparedMessage {
  index: number;
  name: string;
  topic: string;
  /** Collection settings overlaid with the message's. */
  producer: ProducerSettings;
  /** The registry schemas that encode its keys and values (keySchema / valueSchema), for reports and traces. */
  schemas: readonly SchemaUsed[];
  ratePerSecond?: number;
  /** Records this message will send when known in advance (count, or 1); undefined for a data file without count. */
  expectedRecords?: number;
  dataFile?: string;
  /** Its "expect" entries, checked (regular expressions compiled); empty when it has none. */
  expectations: readonly CompiledExpectation[];
  /** The records, a group at a time (a data-file chunk, or up to 1,000 generated ones): one await per group. */
  batches(signal?: AbortSignal): AsyncGenerator<ProducerRecord[]>;
  /**
   * Without a data file: the records with {{$seq}} from..to-1 (of expectedRecords), rendered at once. No stream
   * to open: for a message of one record, an async generator cost more than the record (and kept its message's
   * renderers alive long after).
   */
  generate?(from: number, to: number): ProducerRecord[];
  /** The same records one by one. */
  records(signal?: AbortSignal): AsyncGenerator<ProducerRecord>;
}

/** A template's site whose range is looked up only when an error asks for it: most never show, and a lookup needs the file's parse tree. */
class SourceSite implements TemplateSite {
  constructor(
    readonly fileName: string,
    readonly path: JsonPath,
    readonly messageName: string | undefined,
    private readonly source: SourceText | undefined,
  ) {}

  get range(): SourceRange | undefined {
    return this.source?.hasText ? this.source.rangeOf(this.path) : undefined;
  }
}

/**
 * A template problem of one message: `error.site` is where the bad text is, which for a variable's value may be
 * another file (the environment) or --var; `field` is the message's own field whose template led there.
 */
export interface TemplateProblem {
  error: TemplateError;
  field: TemplateSite;
}

/** Refuses text that cannot go out as written (a lone surrogate), naming the field; what templates add is well-formed. */
function checkRawText(t: Pick<CompiledTemplate, 'parts'>, site: TemplateSite, what: string): void {
  for (const part of t.parts) {
    const problem = typeof part === 'string' ? loneSurrogateProblem(part, what) : undefined;
    if (problem) throw new TemplateError(site, problem);
  }
}

/** A topic name has a maximum length: past that, expanding its variables further is pointless. */
const TOPIC_LIMIT: LengthLimit = {
  max: MAX_TOPIC_NAME_LENGTH,
  what: `a topic name (${MAX_TOPIC_NAME_LENGTH} characters)`,
};

/** The plan of a prepared message, without the renderers its records need. */
function planOf(m: PreparedMessage): MessagePlan {
  return {
    index: m.index,
    name: m.name,
    topic: m.topic,
    producer: m.producer,
    schemas: m.schemas,
    ratePerSecond: m.ratePerSecond,
    expectedRecords: m.expectedRecords,
    dataFile: m.dataFile,
    expectations: m.expectations,
  };
}

/** The empty list every plan without schemas or expectations shares: 100,000 messages need not hold 200,000. */
const NONE: readonly never[] = Object.freeze([]);
const NO_SCHEMAS: { key?: SchemaSerializer; value?: SchemaSerializer } = Object.freeze({});

/** A value the same for every record; a class, so each is one small object and no closure (a message has many). */
class Constant<T> implements Compiled<T> {
  readonly constant = true;
  constructor(private readonly value: T) {}
  render(): T {
    return this.value;
  }
}

function constant<T>(v: T): Compiled<T> {
  return new Constant(v);
}

function varying<T>(render: Renderer<T>): Compiled<T> {
  return { constant: false, render };
}

/** A field that is not there, and one that is null: the same renderer for every message. */
const NO_FIELD = constant(undefined);
const NULL_FIELD = constant(null);

export class MessagePreparer {
  private readonly fileName: string;
  private readonly collectionSettings: ProducerSettings;
  private sharedLayers: VariableLayer[] | undefined;
  /** Topic names without templates found good, compiled: good for every message that names them. */
  private readonly goodTopics = new Map<string, CompiledTemplate>();

  constructor(
    private readonly engine: TemplateEngine,
    private readonly loaded: LoadedCollection,
    private readonly environment?: LoadedEnvironment,
    private readonly cliVariables: Variables = {},
    /** Where keySchema / valueSchema find their schemas; messages with one fail to prepare without it. */
    private readonly schemaRegistry?: SchemaRegistryClient,
  ) {
    this.fileName = path.basename(loaded.filePath);
    this.collectionSettings = { ...(loaded.collection.producer ?? {}) };
  }

  /** Looks up messages by name (all when `names` is empty), refusing names that do not exist. */
  select(names: string[]): number[] {
    const messages = this.loaded.collection.messages;
    if (!names.length) return messages.map((_, i) => i);
    return names.map((name) => {
      const i = messages.findIndex((m) => m.name === name);
      if (i < 0)
        throw new InvalidInputError(
          `${path.basename(this.loaded.filePath)} has no message named "${name}"; messages: ${messages.map((m) => JSON.stringify(m.name)).join(', ')}`,
        );
      return i;
    });
  }

  /**
   * Every template problem of one message (not just the first), without touching files or secrets: for the
   * editor's Problems view. Empty when the message would prepare.
   */
  checkTemplates(index: number): TemplateProblem[] {
    const m = this.loaded.collection.messages[index];
    const limit = this.limitFor(m);
    if (this.holdsNothingNew(m, limit)) return [];
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
    const compile = (text: string, p: JsonPath): void =>
      attempt(p, (field) => this.engine.compile(text, layers, field, { limit }));
    // Keys, header values and a string value go out as UTF-8 text as written (not inside JSON, which escapes).
    const compileRaw = (text: string, p: JsonPath, what: string): void =>
      attempt(p, (field) => checkRawText(this.engine.compile(text, layers, field, { limit }), field, what));
    // `p` is extended and restored in place: `attempt` copies it into the site it makes.
    const checkJson = (value: unknown, p: JsonPath): void => {
      if (typeof value === 'string') {
        if (!this.knownClean(value, limit)) compile(value, p);
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          p.push(i);
          checkJson(value[i], p);
          p.pop();
        }
      } else if (isObject(value)) {
        for (const k of Object.keys(value)) {
          p.push(k);
          checkJson(value[k], p);
          p.pop();
        }
      }
    };
    // Keys and header values are text or {"base64"} bytes, which have no templates.
    const checkBinary = (spec: BinarySpec | undefined, p: JsonPath, what: string): void =>
      void (typeof spec === 'string' && compileRaw(spec, p, what));
    if (!this.goodTopics.has(m.topic)) {
      let compiled: CompiledTemplate | undefined;
      attempt(['topic'], (field) => void (compiled = this.compileTopic(m.topic, layers, field)));
      if (compiled && !hasTemplate(m.topic)) this.goodTopics.set(m.topic, compiled);
    }
    // With keySchema a key may be any JSON value, templated like a value.
    if (m.keySchema && typeof m.key !== 'string') checkJson(m.key, ['key']);
    else checkBinary(m.key as BinarySpec | undefined, ['key'], 'the key');
    (m.headers ?? []).forEach(([name, v], i) => {
      attempt(['headers', i, 0], (field) => checkRawText({ parts: [name] }, field, `the name of header ${i + 1}`));
      checkBinary(v, ['headers', i, 1], `header "${name}"`);
    });
    // Only the value itself can be a special form; an object with a "file" key inside it is plain JSON.
    if (typeof m.value === 'string') compileRaw(m.value, ['value'], 'the value');
    else if (!isUntemplatedValue(m.value)) checkJson(m.value, ['value']);
    return problems;
  }

  /**
   * Whether a message has nothing to compile: a topic found good before, no key or headers, and a JSON value whose
   * every string is known clean. Most messages of a generated collection are so; checking them makes nothing.
   */
  private holdsNothingNew(m: MessageSpec, limit: LengthLimit): boolean {
    return (
      this.goodTopics.has(m.topic) &&
      m.key === undefined &&
      m.headers === undefined &&
      typeof m.value === 'object' &&
      m.value !== null &&
      !isUntemplatedValue(m.value) &&
      this.jsonKnownClean(m.value, limit)
    );
  }

  private jsonKnownClean(value: unknown, limit: LengthLimit): boolean {
    if (typeof value === 'string') return this.knownClean(value, limit);
    if (typeof value !== 'object' || value === null) return true;
    if (Array.isArray(value)) {
      for (const item of value) if (!this.jsonKnownClean(item, limit)) return false;
      return true;
    }
    for (const key in value) if (!this.jsonKnownClean((value as Record<string, unknown>)[key], limit)) return false;
    return true;
  }

  /**
   * Text that cannot fail to compile: without templates it can only be too long, and a template compiled before is
   * known to be fine. Skipping the rest kept a 100,000-message check short.
   */
  private knownClean(text: string, limit: LengthLimit): boolean {
    return hasTemplate(text) ? this.engine.compilesCleanly(text, limit) : text.length <= limit.max;
  }

  /**
   * Checks what prepare checks (templates, secrets, data files) without building the renderers, and returns the
   * message's plan; throws the error prepare would. A run checks every message this way before sending any, then
   * prepares each at its turn: a collection of 100,000 messages never holds 100,000 sets of renderers.
   */
  async check(index: number): Promise<MessagePlan> {
    return this.checkNow(index);
  }

  /** check() without a promise when nothing needs looking up (secrets, schemas, a data file), throwing what it finds. */
  checkNow(index: number): MessagePlan | Promise<MessagePlan> {
    const m = this.loaded.collection.messages[index];
    // A key or value its schema encodes is encoded once up front when it is constant, so a misfit stops the run
    // before anything is sent: such a message is prepared whole.
    if (m.keySchema || m.valueSchema) return this.prepare(index).then(planOf);
    const problems = this.checkTemplates(index);
    if (problems.length) throw problems[0].error;
    const topic = hasTemplate(m.topic)
      ? this.engine.compile(m.topic, this.layers(m, index), this.site(['messages', index, 'topic'], m.name)).constant
      : m.topic;
    if (!isFileSpec(m.value) && !this.engine.secretsPending) return this.planFor(m, index, topic, undefined, NONE);
    return this.checkLater(m, index, topic);
  }

  private async checkLater(m: MessageSpec, index: number, topic: string | undefined): Promise<MessagePlan> {
    await this.engine.resolveSecrets();
    return this.planFor(m, index, topic, await this.checkDataFile(m, index), NONE);
  }

  /** The plan of message `index` once its topic is compiled, its schemas found and its data file (if any) checked. */
  private planFor(
    m: MessageSpec,
    index: number,
    /** The topic when it is the same for every record. */
    topic: string | undefined,
    dataFile: string | undefined,
    schemas: readonly SchemaUsed[],
  ): MessagePlan {
    return {
      index,
      name: m.name,
      topic: topic ?? m.topic,
      schemas,
      // Messages without settings of their own share the collection's object: a run groups messages by it.
      producer: m.producer ? { ...(this.loaded.collection.producer ?? {}), ...m.producer } : this.collectionSettings,
      ratePerSecond: m.ratePerSecond ?? undefined,
      expectedRecords: dataFile ? undefined : (m.count ?? 1),
      dataFile,
      // A broken regular expression stops the run here, before anything is sent.
      expectations: m.expect?.length ? this.compileExpectations(m.expect, index, m.name) : NONE,
    };
  }

  private compileExpectations(expect: ExpectationSpec[], index: number, name: string): CompiledExpectation[] {
    const where = (p: JsonPath) => describeSite(this.site(['messages', index, 'expect', ...p], name));
    const compiled = compileExpectations(expect, where);
    if (!this.schemaRegistry)
      for (const e of compiled)
        for (const part of ['key', 'value'] as const)
          if (e.spec[`${part}Schema`])
            throw new InvalidInputError(
              `${where([e.index, `${part}Schema`])} ${part}Schema needs a schema registry to read the record's schema id: add "schemaRegistry": {"url": ...} to the environment, or pass --schema-registry URL`,
            );
    return compiled;
  }

  /** The data file's absolute path, checked to be a readable regular file (a CSV's header too); undefined when there is none. */
  private async checkDataFile(m: MessageSpec, index: number): Promise<string | undefined> {
    if (!isFileSpec(m.value)) return undefined;
    const file = m.value.file;
    const dataFile = path.resolve(path.dirname(this.loaded.filePath), file);
    const where = describeSite(this.site(['messages', index, 'value', 'file'], m.name));
    const stat = await fs.stat(dataFile).catch(() => undefined);
    if (!stat) throw new InvalidInputError(`${where} data file ${file} not found (looked at ${dataFile})`);
    if (!stat.isFile())
      throw new InvalidInputError(
        `${where} data file ${file} is ${fileKind(stat)}, not a regular file (${dataFile}); point "file" at a .jsonl or .csv file`,
      );
    // A CSV header with an unknown column stops the run before anything is sent, not at this message's turn.
    if (dataFile.toLowerCase().endsWith('.csv')) await checkCsvHeader(dataFile, file, maxLineOf(this.limitFor(m).max));
    return dataFile;
  }

  /** The message with everything it needs to make its records; rejects with the first problem. */
  async prepare(index: number): Promise<PreparedMessage> {
    return this.prepareNow(index);
  }

  /**
   * prepare() without a promise when nothing needs looking up (secrets, schemas, a data file), throwing what it
   * finds: a run of 100,000 one-record messages paid more for awaiting each than for preparing it.
   */
  prepareNow(index: number): PreparedMessage | Promise<PreparedMessage> {
    const m = this.loaded.collection.messages[index];
    // Every template is compiled (secrets noted) before secrets are resolved; schema parts are encoded after that.
    const renderers = this.renderers(m, index);
    if (!m.keySchema && !m.valueSchema && !isFileSpec(m.value) && !this.engine.secretsPending)
      return this.assemble(m, index, renderers, NO_SCHEMAS, undefined);
    return this.prepareLater(m, index, renderers);
  }

  private async prepareLater(
    m: MessageSpec,
    index: number,
    renderers: ReturnType<MessagePreparer['renderers']>,
  ): Promise<PreparedMessage> {
    await this.engine.resolveSecrets();
    const schemas = m.keySchema || m.valueSchema ? await this.serializers(m, renderers.topicT, renderers.site) : {};
    const dataFile = isFileSpec(m.value) ? await this.checkDataFile(m, index) : undefined;
    return this.assemble(m, index, renderers, schemas, dataFile);
  }

  /** Every template of message `index` compiled (throwing the first problem), as renderers. */
  private renderers(m: MessageSpec, index: number) {
    const base = ['messages', index];
    const layers = this.layers(m, index);
    const limit = this.limitFor(m);
    const site = (p: JsonPath): TemplateSite => this.site(joinPath(base, p), m.name);
    const compileOptions = this.compileOptionsFor(limit);
    const sameEverywhere = this.sameEverywhereFor(limit);
    // A text field renders within the limit (checked as it compiles, and per record for what varies).
    /** `raw`: the field goes out as UTF-8 text as written, so it says what it is for an error; not inside JSON, which escapes. */
    const text = (value: string, p: JsonPath, raw?: string): Compiled<string> => {
      const fieldSite = site(p);
      const compiled = this.engine.compile(value, layers, fieldSite, compileOptions);
      if (raw) checkRawText(compiled, fieldSite, raw);
      return this.textRenderer(compiled, { limit, site: fieldSite });
    };
    const jsonString = (value: string, p: JsonPath): Compiled<unknown> => {
      // Text without templates is itself (when within the limit, which compile checks): no site, no compiling.
      if (!hasTemplate(value) && value.length <= limit.max) return constant(value);
      const known = sameEverywhere.get(value);
      if (known) return known;
      const fieldSite = site(p);
      const compiled = this.engine.compile(value, layers, fieldSite, compileOptions); // checks every template, typed or not
      const typed = this.engine.compileTyped(value, layers, fieldSite);
      if (typed) {
        if (typed.constant) return constant(typed.render(NO_RECORD));
        const renderer = varying(typed.render);
        // A typed template the engine remembers means the same in every message: its renderer serves them all.
        if (this.engine.rememberedTyped(value) === typed) remember(sameEverywhere, value, renderer);
        return renderer;
      }
      const renderer = this.textRenderer(compiled, { limit, site: fieldSite });
      if (this.engine.cleanTemplate(value, limit) === compiled && this.isShared(compiled, renderer))
        remember(sameEverywhere, value, renderer);
      return renderer;
    };

    const goodTopic = this.goodTopics.get(m.topic);
    const topicT = goodTopic ?? this.compileTopic(m.topic, layers, site(['topic']));
    const topic = goodTopic ? this.shared(goodTopic, () => this.textRenderer(goodTopic)) : this.textRenderer(topicT);
    const headers = !m.headers?.length
      ? NONE
      : m.headers.map(([name, v], i) => {
          checkRawText({ parts: [name] }, site(['headers', i, 0]), `the name of header ${i + 1}`);
          return { name, value: this.binaryRenderer(v, text, ['headers', i, 1], `header "${name}"`) };
        });
    const fileSpec = isFileSpec(m.value) ? m.value : undefined;
    // A key or value with a schema is compiled as JSON here and encoded once its serializer is known (assemble).
    const keyTree = m.keySchema ? this.schemaTree('key', m.key, text, jsonString, site) : undefined;
    const valueTree =
      m.valueSchema && !fileSpec ? this.schemaTree('value', m.value, text, jsonString, site) : undefined;
    const plainKey = m.keySchema
      ? undefined
      : this.binaryRenderer(m.key as BinarySpec | undefined, text, ['key'], 'the key');
    const plainValue: Compiled<string | Buffer | null> | undefined =
      m.valueSchema || fileSpec ? undefined : this.valueRenderer(m.value, text, jsonString, site, limit);
    return { topicT, topic, headers, fileSpec, keyTree, valueTree, plainKey, plainValue, site };
  }

  /** The prepared message: its plan and how to build its records. */
  private assemble(
    m: MessageSpec,
    index: number,
    renderers: ReturnType<MessagePreparer['renderers']>,
    schemas: { key?: SchemaSerializer; value?: SchemaSerializer },
    dataFile: string | undefined,
  ): PreparedMessage {
    const { topicT, topic, headers, fileSpec, keyTree, valueTree, plainKey, plainValue, site } = renderers;
    const key = plainKey ?? this.schemaRenderer('key', keyTree, schemas.key!, site);
    const value: Compiled<string | Buffer | null> = fileSpec
      ? NULL_FIELD
      : (plainValue ?? this.schemaRenderer('value', valueTree, schemas.value!, site));
    const plan = this.planFor(
      m,
      index,
      topicT.constant,
      dataFile,
      schemas.key || schemas.value
        ? [schemas.key?.used, schemas.value?.used].filter((u): u is SchemaUsed => u !== undefined)
        : NONE,
    );
    return new MessageRecords(
      plan,
      m,
      { topic, key, value, headers, fileSpec, serializers: schemas, max: this.limitFor(m).max },
      this.engine,
    );
  }

  /**
   * The serializers of keySchema / valueSchema, resolved against the registry now: a subject, version or id that
   * is not there stops the run before anything is sent, naming the message and field.
   */
  private async serializers(
    m: MessageSpec,
    topicT: CompiledTemplate,
    site: (p: JsonPath) => TemplateSite,
  ): Promise<{ key?: SchemaSerializer; value?: SchemaSerializer }> {
    const out: { key?: SchemaSerializer; value?: SchemaSerializer } = {};
    for (const part of ['key', 'value'] as const) {
      const ref: SchemaRefSpec | undefined = part === 'key' ? m.keySchema : m.valueSchema;
      if (!ref) continue;
      const where = describeSite(site([`${part}Schema`]));
      if (!this.schemaRegistry) {
        throw new InvalidInputError(
          `${where} ${part}Schema needs a schema registry: add "schemaRegistry": {"url": ...} to the environment, or pass --schema-registry URL`,
        );
      }
      if (
        topicT.constant === undefined &&
        ref.subject === undefined &&
        ref.id === undefined &&
        (ref.strategy ?? 'TopicName') !== 'RecordName'
      ) {
        throw new InvalidInputError(
          `${where} the topic is a template, so the subject cannot be named after it: give ${part}Schema a "subject" or an "id"`,
        );
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
  private schemaTree(
    part: RecordPart,
    spec: unknown,
    text: (v: string, p: JsonPath, raw?: string) => Compiled<string>,
    jsonString: (v: string, p: JsonPath) => Compiled<unknown>,
    site: (p: JsonPath) => TemplateSite,
  ): Compiled<unknown> | undefined {
    if (spec === undefined || spec === null) return undefined;
    if (isObject(spec) && 'base64' in spec && Object.keys(spec).length === 1) {
      throw new InvalidInputError(
        `${describeSite(site([part]))} with ${part}Schema the ${part} is written as JSON and encoded by the schema; {"base64"} is raw bytes: remove one of them`,
      );
    }
    if (isObject(spec) && 'json' in spec && Object.keys(spec).length === 1) return constant(spec.json);
    if (part === 'key' && typeof spec === 'string') {
      const t = text(spec, [part], 'the key');
      return t.constant ? constant(keyTextValue(t.render(NO_RECORD))) : varying((ctx) => keyTextValue(t.render(ctx)));
    }
    return compileJson(spec, jsonString, [part]);
  }

  /**
   * The compiled key or value encoded by its schema: once, now, when it does not change per record (so a misfit
   * stops the run before anything is sent), else per record, the misfit naming the message and field.
   */
  private schemaRenderer(
    part: RecordPart,
    tree: Compiled<unknown> | undefined,
    serializer: SchemaSerializer,
    site: (p: JsonPath) => TemplateSite,
  ): Compiled<Buffer | null> {
    if (!tree) return NULL_FIELD;
    const where = describeSite(site([part]));
    const encode = (v: unknown): Buffer => {
      try {
        return serializer.encode(v);
      } catch (e) {
        if (e instanceof SchemaValueError) throw new InvalidInputError(`${where} ${e.message}`, { cause: e });
        throw e;
      }
    };
    return tree.constant ? constant(encode(tree.render(NO_RECORD))) : varying((ctx) => encode(tree.render(ctx)));
  }

  /** A topic's template: no secrets in it, and a name Kafka accepts when it is the same for every record. */
  private compileTopic(topic: string, layers: VariableLayer[], site: TemplateSite): CompiledTemplate {
    const compiled = this.engine.compile(topic, layers, site, { noSecretsIn: 'a topic', limit: TOPIC_LIMIT });
    const problem = compiled.constant === undefined ? null : topicNameProblem(compiled.constant);
    if (problem) throw new TemplateError(site, problem);
    return compiled;
  }

  /** Lookup order for a message's variables: message, then collection, then environment, then --var. */
  private layers(m: MessageSpec, index: number): VariableLayer[] {
    // A message without variables of its own looks up the layers every such message shares.
    if (!m.variables || Object.keys(m.variables).length === 0) return (this.sharedLayers ??= this.layersAfterMessage());
    const source = this.loaded.source;
    return [
      {
        label: `message "${m.name}"`,
        variables: m.variables,
        site: (n) => this.site(['messages', index, 'variables', n], m.name),
        written: (n) => numberAsWritten(source, ['messages', index, 'variables', n]),
      },
      ...(this.sharedLayers ??= this.layersAfterMessage()),
    ];
  }

  private layersAfterMessage(): VariableLayer[] {
    const envName = this.environment ? path.basename(this.environment.filePath) : '';
    const source = this.loaded.source;
    const layers: VariableLayer[] = [
      {
        label: 'collection',
        variables: this.loaded.collection.variables ?? {},
        site: (n) => this.site(['variables', n]),
        written: (n) => numberAsWritten(source, ['variables', n]),
      },
    ];
    if (this.environment) {
      const env = this.environment;
      layers.push({
        label: 'environment',
        variables: env.environment.variables ?? {},
        site: (n) => new SourceSite(envName, ['variables', n], undefined, env.source),
        written: (n) => numberAsWritten(env.source, ['variables', n]),
      });
    }
    layers.push({ label: '--var', variables: this.cliVariables, site: (n) => ({ fileName: '--var', path: [n] }) });
    return layers;
  }

  private site(p: JsonPath, messageName?: string): TemplateSite {
    return new SourceSite(this.fileName, p, messageName, this.loaded.source);
  }

  /**
   * A text template: its text once when constant, else rendered per record, within `bound` when given. One that
   * cannot render past the bound (see CompiledTemplate.maxLength) needs no check and no site, and is shared.
   */
  private textRenderer(t: CompiledTemplate, bound?: { limit: LengthLimit; site: TemplateSite }): Compiled<string> {
    if (t.constant !== undefined) return constant(t.constant);
    if (t.maxLength !== undefined && (!bound || t.maxLength <= bound.limit.max))
      return this.shared(t, () => varying((ctx) => this.engine.render(t, ctx)));
    return varying((ctx) => this.engine.render(t, ctx, bound));
  }

  /** Renderers that depend on nothing but a template, made once per template for every message that has it. */
  private readonly sharedRenderers = new WeakMap<object, Compiled<unknown>>();

  private shared<T>(of: CompiledTemplate, make: () => Compiled<T>): Compiled<T> {
    let renderer = this.sharedRenderers.get(of) as Compiled<T> | undefined;
    if (!renderer) this.sharedRenderers.set(of, (renderer = make()));
    return renderer;
  }

  private isShared(of: CompiledTemplate, renderer: Compiled<unknown>): boolean {
    return this.sharedRenderers.get(of) === renderer;
  }

  /**
   * Per limit, the renderers of strings in JSON values whose templates mean the same in every message (see
   * TemplateEngine.cleanTemplate), by text: found with one lookup instead of compiling them again.
   */
  private readonly sameEverywhere = new Map<LengthLimit, Map<string, Compiled<unknown>>>();

  private sameEverywhereFor(limit: LengthLimit): Map<string, Compiled<unknown>> {
    let byText = this.sameEverywhere.get(limit);
    if (!byText) this.sameEverywhere.set(limit, (byText = new Map()));
    return byText;
  }

  private readonly limits = new Map<number, LengthLimit>();
  private readonly valuePath: JsonPath = [];
  private readonly compileOptions = new Map<LengthLimit, CompileOptions>();

  private compileOptionsFor(limit: LengthLimit): CompileOptions {
    let options = this.compileOptions.get(limit);
    if (!options) this.compileOptions.set(limit, (options = { limit }));
    return options;
  }
  /** The limit of every message without a max.request.size of its own: most of them, looked up once. */
  private collectionLimit: LengthLimit | undefined;

  /** The longest a message's key, value or header may render: its max.request.size (a record cannot be larger). */
  private limitFor(m: MessageSpec): LengthLimit {
    const own = m.producer?.['max.request.size'];
    if (own === undefined || own === null)
      return (this.collectionLimit ??= this.limitOf(this.collectionSettings['max.request.size']));
    return this.limitOf(own);
  }

  private limitOf(setting: unknown): LengthLimit {
    const max =
      typeof setting === 'number' && Number.isSafeInteger(setting) && setting > 0
        ? setting
        : PRODUCER_DEFAULTS.maxRequestSize;
    let limit = this.limits.get(max);
    // One per distinct size: toLocaleString per message was 12% of a 100,000-message run.
    if (!limit)
      this.limits.set(max, (limit = { max, what: `max.request.size (${max.toLocaleString('en-US')} bytes)` }));
    return limit;
  }

  private binaryRenderer(
    spec: BinarySpec | undefined,
    text: (v: string, p: JsonPath, raw: string) => Compiled<string>,
    p: JsonPath,
    what: string,
  ): Compiled<string | Buffer | null | undefined> {
    if (spec === undefined) return NO_FIELD;
    if (spec === null) return NULL_FIELD;
    if (typeof spec === 'string') return text(spec, p, what);
    return constant(Buffer.from(spec.base64, 'base64'));
  }

  /**
   * A string is sent as its text; {base64}/{json} as given; any other JSON value is rendered then serialized, and
   * refused when the serialized text is longer than `limit` (each of its strings is within it, all together may not be).
   */
  private valueRenderer(
    spec: unknown,
    text: (v: string, p: JsonPath, raw?: string) => Compiled<string>,
    jsonString: (v: string, p: JsonPath) => Compiled<unknown>,
    site: (p: JsonPath) => TemplateSite,
    limit: LengthLimit,
  ): Compiled<string | Buffer | null> {
    if (spec === undefined || spec === null) return NULL_FIELD;
    if (typeof spec === 'string') return text(spec, ['value'], 'the value');
    if (isObject(spec) && 'base64' in spec && Object.keys(spec).length === 1)
      return constant(Buffer.from(String(spec.base64), 'base64'));
    if (isObject(spec) && 'json' in spec && Object.keys(spec).length === 1) return constant(JSON.stringify(spec.json));
    // The path grows in place as compileJson descends: one array for every message, not one that grows per message.
    const path = this.valuePath;
    path.length = 0;
    path.push('value');
    const value = new JsonValueText(compileJson(spec, jsonString, path), limit, site);
    // A value whose templates are all constant (variables) is rendered and serialized once.
    return value.constant ? constant(value.render(NO_RECORD)) : value;
  }
}

/**
 * A JSON value with templates in its strings: each string compiled by `jsonString`, the rest kept as is. `p` is the
 * path so far, extended and restored in place (`jsonString` copies what it keeps): a collection of 100,000 messages
 * compiles every value, and a new path per node was a good part of it.
 */
function compileJson(
  spec: unknown,
  jsonString: (v: string, p: JsonPath) => Compiled<unknown>,
  p: JsonPath,
): Compiled<unknown> {
  if (typeof spec === 'string') return jsonString(spec, p);
  if (Array.isArray(spec)) {
    const items: Compiled<unknown>[] = new Array(spec.length);
    for (let i = 0; i < spec.length; i++) {
      p.push(i);
      items[i] = compileJson(spec[i], jsonString, p);
      p.pop();
    }
    return allConstant(items) ? constant(renderArray(items, NO_RECORD)) : new ArrayRenderer(items);
  }
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    const parts: Compiled<unknown>[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      p.push(keys[i]);
      parts[i] = compileJson(spec[keys[i]], jsonString, p);
      p.pop();
    }
    return allConstant(parts) ? constant(renderObject(keys, parts, NO_RECORD)) : new ObjectRenderer(keys, parts);
  }
  return constant(spec);
}

/** `base` then `rest`, in a new path: by hand, as concat and spreads took several times as long for these short paths. */
function joinPath(base: JsonPath, rest: JsonPath): JsonPath {
  const path: JsonPath = new Array(base.length + rest.length);
  for (let i = 0; i < base.length; i++) path[i] = base[i];
  for (let i = 0; i < rest.length; i++) path[base.length + i] = rest[i];
  return path;
}

/** A container is constant when all its parts are: then it is rendered once, when compiled. */
function allConstant(parts: Compiled<unknown>[]): boolean {
  for (const part of parts) if (!part.constant) return false;
  return true;
}

/** Containers of a JSON value with templates, rendered per record: classes, as a message has one per container. */
class ArrayRenderer implements Compiled<unknown[]> {
  readonly constant = false;
  constructor(private readonly items: Compiled<unknown>[]) {}
  render(ctx: RecordContext): unknown[] {
    return renderArray(this.items, ctx);
  }
}

class ObjectRenderer implements Compiled<Record<string, unknown>> {
  readonly constant = false;
  constructor(
    private readonly keys: string[],
    private readonly parts: Compiled<unknown>[],
  ) {}
  render(ctx: RecordContext): Record<string, unknown> {
    return renderObject(this.keys, this.parts, ctx);
  }
}

/** A message's JSON value serialized per record, and refused, naming it, when longer than the limit. */
class JsonValueText implements Compiled<string> {
  readonly constant: boolean;
  constructor(
    private readonly tree: Compiled<unknown>,
    private readonly limit: LengthLimit,
    private readonly site: (p: JsonPath) => TemplateSite,
  ) {
    this.constant = tree.constant;
  }
  render(ctx: RecordContext): string {
    const json = JSON.stringify(this.tree.render(ctx));
    if (json.length > this.limit.max)
      throw new TemplateError(
        this.site(['value']),
        tooLong(this.limit, json.length, [], this.constant ? undefined : ctx.seq),
      );
    return json;
  }
}

function renderArray(items: Compiled<unknown>[], ctx: RecordContext): unknown[] {
  const out = new Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = items[i].render(ctx);
  return out;
}

function renderObject(keys: string[], parts: Compiled<unknown>[], ctx: RecordContext): Record<string, unknown> {
  // No prototype: a "__proto__" key in the file stays an ordinary key.
  const out: Record<string, unknown> = Object.create(null);
  for (let i = 0; i < keys.length; i++) out[keys[i]] = parts[i].render(ctx);
  return out;
}

/** The literal text of a number in a file ("1.50", "1e2"), or undefined when the path holds no number. */
function numberAsWritten(source: SourceText | undefined, p: JsonPath): string | undefined {
  const node = source?.nodeAt(p);
  return node?.type === 'number' ? source!.text.slice(node.offset, node.offset + node.length) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Value forms sent without rendering templates, recognised as valueRenderer and prepare recognise them. */
function isUntemplatedValue(v: unknown): boolean {
  // The keys are counted last: most values have neither, and counting them made an array per message.
  return isFileSpec(v) || (isObject(v) && ('base64' in v || 'json' in v) && Object.keys(v).length === 1);
}

function isFileSpec(v: unknown): v is FileSpec {
  return isObject(v) && typeof v.file === 'string' && Object.keys(v).every((k) => k === 'file' || k === 'lines');
}

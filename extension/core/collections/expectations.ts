/**
 * A message's "expect" entries: records that must appear on other topics after the send (a reply, an enriched
 * event, a dead letter). Offsets are noted before the send (ExpectationWatch.start), so only records written after
 * it count; then each expectation waits up to its `withinMs` for one record that matches key, headers, value
 * (JSON subset, exact text or regular expression) and correlation. A failure says what was seen instead.
 * With a schema registry, keys and values in Confluent's wire format are decoded by the schema id they carry
 * (SchemaDeserializer, as every reader of the product does) and matched decoded.
 */
import {
  RecordReader,
  bytesFromJson,
  bytesToJson,
  recordToJson,
  type ConsumedRecord,
  type RecordJson,
  type TopicPartitionOffset,
} from '../consume';
import type { ProducerRecord } from '../engine/types';
import {
  withDecoded,
  type DecodedRecordPart,
  type SchemaDeserializer,
  type SchemaUse,
} from '../schema-registry/deserializer';
import { describeSchemaUsed, type RecordPart } from '../schema-registry/schema-used';
import { SchemaRegistryError } from '../schema-registry/types';
import { unframe } from '../schema-registry/wire-format';
import type { ConsumerTransport } from '../transport/consumer-transport';
import { systemClock, type Clock } from '../util/clock';
import { InvalidInputError, errorMessage } from '../util/errors';
import type { BinarySpec, ExpectationSpec, ExpectedSchemaSpec } from './model';

export const DEFAULT_WITHIN_MS = 10_000;
/** Records that did not match, kept per expectation to show in its failure. */
const MISMATCHES_KEPT = 3;
/** Sent keys and header values kept for correlation: a message of a million records keeps the first ones. */
const SENT_KEPT = 10_000;
const POLL_WAIT_MS = 200;

export interface ExpectationResult {
  /** The expectation's name, or "<topic> #<n>". */
  name: string;
  index: number;
  topic: string;
  passed: boolean;
  /** From the end of the send to the match (or to giving up). */
  durationMs: number;
  matched?: SeenRecordJson;
  /** Why it failed, in a sentence. */
  reason?: string;
  /** Records read from the topic after the send. */
  seen: number;
  /** The first records that did not match, with why. */
  mismatches: { record: SeenRecordJson; why: string }[];
}

/** A record as results show it: a decoded key or value in place of its bytes, keySchema / valueSchema saying by what. */
export type SeenRecordJson = Omit<RecordJson, 'key' | 'value'> & {
  key: unknown;
  value: unknown;
  keySchema?: Record<string, unknown>;
  valueSchema?: Record<string, unknown>;
};

/** A record's key or value as expectations match it: its bytes, or decoded by the schema id it carries. */
export type PartView =
  /** Not in Confluent's wire format; or it looks so (`wireId`) but no schema registry was configured. */
  | { kind: 'bytes'; wireId?: number }
  | { kind: 'decoded'; decoded: DecodedRecordPart; uses: SchemaUse[] }
  /** In the wire format, but its schema could not be had (registry unreachable, unknown id) or it does not decode. */
  | { kind: 'undecodable'; schemaId: number; problem: string };

/** A record read from an expected topic, with its key and value as expectations see them. */
export interface SeenRecord {
  record: ConsumedRecord;
  key: PartView;
  value: PartView;
}

export interface CompiledExpectation {
  spec: ExpectationSpec;
  index: number;
  name: string;
  withinMs: number;
  regex?: RegExp;
}

export function expectationName(spec: ExpectationSpec, index: number): string {
  return spec.name ?? `${spec.topic} #${index + 1}`;
}

/** What is wrong with a regular expression's source, or undefined when it compiles. The lint and the runner both ask. */
export function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'u');
    return undefined;
  } catch (e) {
    return `not a valid regular expression: ${errorMessage(e).replace(/^Invalid regular expression: /, '')}`;
  }
}

/** Checks and compiles a message's expectations; `where` names a place in them (`[0, 'value', 'regex']`) for errors. */
export function compileExpectations(
  specs: readonly ExpectationSpec[],
  where: (path: (string | number)[]) => string,
): CompiledExpectation[] {
  return specs.map((spec, index) => {
    const name = expectationName(spec, index);
    let regex: RegExp | undefined;
    if (spec.value && 'regex' in spec.value) {
      const problem = regexProblem(spec.value.regex);
      if (problem)
        throw new InvalidInputError(
          `${where([index, 'value', 'regex'])} ${JSON.stringify(spec.value.regex)} is ${problem}`,
        );
      regex = new RegExp(spec.value.regex, 'u');
    }
    for (const part of ['key', 'value'] as const) {
      const want = part === 'key' ? spec.keySchema : spec.valueSchema;
      const problem = want && expectedSchemaProblem(want);
      if (problem) throw new InvalidInputError(`${where([index, `${part}Schema`])} ${problem}`);
    }
    return { spec, index, name, withinMs: spec.withinMs ?? DEFAULT_WITHIN_MS, regex };
  });
}

/** What the JSON schema cannot say about an expectation's keySchema / valueSchema; the lint and the runner both ask. */
export function expectedSchemaProblem(want: ExpectedSchemaSpec): string | undefined {
  return want.version !== undefined && want.subject === undefined
    ? `"version" needs a "subject": it is a version of that subject`
    : undefined;
}

/**
 * Reads a record's key and value as expectations match them: decoded by the schema id they carry when there is a
 * registry. `failed` remembers ids whose schema could not be had, so a registry that is down costs one try per id.
 */
export async function seeRecord(
  record: ConsumedRecord,
  deserializer: SchemaDeserializer | undefined,
  failed: Map<number, string> = new Map(),
): Promise<SeenRecord> {
  const view = async (bytes: Buffer | null): Promise<PartView> => {
    const framed = bytes ? unframe(bytes) : undefined;
    if (!framed) return { kind: 'bytes' };
    if (!deserializer) return { kind: 'bytes', wireId: framed.schemaId };
    const known = failed.get(framed.schemaId);
    if (known !== undefined) return { kind: 'undecodable', schemaId: framed.schemaId, problem: known };
    try {
      const decoded = (await deserializer.decode(bytes))!;
      // Only to name the subject and version: without them the id still says which schema.
      const uses = await deserializer.uses(decoded.schemaId).catch((): SchemaUse[] => []);
      return { kind: 'decoded', decoded, uses };
    } catch (e) {
      const problem = errorMessage(e);
      if (isRegistryFailure(e)) failed.set(framed.schemaId, problem);
      return { kind: 'undecodable', schemaId: framed.schemaId, problem };
    }
  };
  return { record, key: await view(record.key), value: await view(record.value) };
}

/** A record as results show it: decoded parts in place of their bytes. */
export function seenRecordJson(seen: SeenRecord): SeenRecordJson {
  const json: SeenRecordJson = recordToJson(seen.record);
  const decoded = (v: PartView) => (v.kind === 'decoded' ? v : undefined);
  const out: SeenRecordJson = withDecoded(
    json,
    { key: decoded(seen.key)?.decoded, value: decoded(seen.value)?.decoded },
    { key: decoded(seen.key)?.uses[0], value: decoded(seen.value)?.uses[0] },
  );
  for (const part of ['key', 'value'] as const) {
    const v = seen[part];
    if (v.kind === 'undecodable') out[`${part}Schema`] = { id: v.schemaId, error: v.problem };
  }
  return out;
}

/** Keys and header values of the records a message sent, for `correlate`. */
export class SentRecords {
  private readonly keys = new Set<string>();
  private readonly headers = new Map<string, Set<string>>();
  private count = 0;

  add(record: ProducerRecord): void {
    if (this.count++ >= SENT_KEPT) return;
    if (record.key !== undefined && record.key !== null) this.keys.add(hex(record.key));
    for (const h of record.headers ?? []) {
      if (h.value === null) continue;
      let values = this.headers.get(h.key);
      if (!values) this.headers.set(h.key, (values = new Set()));
      values.add(hex(h.value));
    }
  }

  hasKey(key: Buffer | null): boolean {
    return key !== null && this.keys.has(key.toString('hex'));
  }

  hasHeader(name: string, value: Buffer | null): boolean {
    return value !== null && (this.headers.get(name)?.has(value.toString('hex')) ?? false);
  }

  sentHeader(name: string): boolean {
    return this.headers.has(name);
  }

  get keyCount(): number {
    return this.keys.size;
  }
}

/** Why the record does not meet the expectation, or undefined when it does. */
export function mismatch(e: CompiledExpectation, seen: SeenRecord, sent: SentRecords): string | undefined {
  const { spec } = e;
  const { record } = seen;
  if (spec.correlate === 'key' && !sent.hasKey(record.key)) {
    // A reply's key re-encoded by a schema still correlates with the plain key sent: its decoded text is compared.
    const decoded = seen.key.kind === 'decoded' ? decodedText(seen.key.decoded.value) : undefined;
    if (decoded === undefined) return `its key ${show(record.key)} is not the key of a record sent`;
    if (!sent.hasKey(Buffer.from(decoded, 'utf8')))
      return `its key, decoded by ${describeDecoded('key', seen.key as DecodedView)}, is ${short(decoded)}: not the key of a record sent`;
  }
  if (spec.correlate && spec.correlate !== 'key') {
    const name = spec.correlate.header;
    const value = record.headers.find((h) => h.key.toString('utf8') === name)?.value ?? null;
    if (!sent.hasHeader(name, value))
      return value === null
        ? `it has no header "${name}"`
        : `its header "${name}" ${show(value)} is not that of a record sent`;
  }
  if (spec.keySchema) {
    const why = schemaMismatch('key', spec.keySchema, seen.key);
    if (why) return why;
  }
  if (spec.key !== undefined) {
    const why = keyMismatch(spec.key, seen);
    if (why) return why;
  }
  for (const [name, want] of spec.headers ?? []) {
    const values = record.headers.filter((h) => h.key.toString('utf8') === name).map((h) => h.value);
    if (!values.length) return `it has no header "${name}"`;
    if (!values.some((v) => sameBytes(v, specBytes(want))))
      return `its header "${name}" is ${values.map(show).join(', ')}, not ${show(specBytes(want))}`;
  }
  if (spec.valueSchema) {
    const why = schemaMismatch('value', spec.valueSchema, seen.value);
    if (why) return why;
  }
  return spec.value ? valueMismatch(e, seen) : undefined;
}

function keyMismatch(want: BinarySpec, seen: SeenRecord): string | undefined {
  const view = seen.key;
  if (view.kind === 'undecodable') return `its key ${undecodable(view)}`;
  if (view.kind === 'decoded' && typeof want === 'string') {
    // A decoded key is compared as text: a string as it is, anything else as its JSON.
    const json = view.decoded.value;
    return decodedText(json) === want
      ? undefined
      : `its key, decoded by ${describeDecoded('key', view)}, is ${short(json)}, not ${JSON.stringify(want)}`;
  }
  const bytes = specBytes(want);
  if (sameBytes(seen.record.key, bytes)) return undefined;
  return `its key is ${show(seen.record.key)}, not ${show(bytes)}${view.kind === 'bytes' ? wireHint('key', view) : ''}`;
}

function valueMismatch(e: CompiledExpectation, seen: SeenRecord): string | undefined {
  const want = e.spec.value!;
  const view = seen.value;
  if (view.kind === 'undecodable') return `its value ${undecodable(view)}`;
  if (view.kind === 'decoded') {
    const json = view.decoded.value;
    const text = decodedText(json);
    const by = `its value, decoded by ${describeDecoded('value', view)},`;
    if ('text' in want)
      return text === want.text ? undefined : `${by} is ${long(json)}, not ${JSON.stringify(want.text)}`;
    if ('regex' in want) return e.regex!.test(text) ? undefined : `${by} does not match /${want.regex}/: ${long(json)}`;
    const where = subsetMismatch(want.jsonSubset, json, '$');
    return where ? `${by} ${where}: ${long(json)}` : undefined;
  }
  const raw = seen.record.value;
  const hint = wireHint('value', view);
  const text = raw?.toString('utf8');
  if ('text' in want)
    return text === want.text ? undefined : `its value is ${show(raw)}, not ${JSON.stringify(want.text)}${hint}`;
  if ('regex' in want)
    return text !== undefined && e.regex!.test(text)
      ? undefined
      : `its value ${show(raw)} does not match /${want.regex}/${hint}`;
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return `its value ${show(raw)} is not JSON${hint}`;
  }
  const where = subsetMismatch(want.jsonSubset, json, '$');
  return where ? `its value ${where}` : undefined;
}

/** Why a key or value was not written with the schema an expectation names. */
function schemaMismatch(part: RecordPart, want: ExpectedSchemaSpec, view: PartView): string | undefined {
  if (view.kind === 'undecodable') return `its ${part} ${undecodable(view)}`;
  if (view.kind === 'bytes')
    return view.wireId === undefined
      ? `its ${part} is not in Confluent's wire format (no magic byte 0 and schema id), so no schema wrote it`
      : `its ${part} carries schema id ${view.wireId}, but no schema registry is configured to read it${registryHint}`;
  const d = view.decoded;
  const by = describeDecoded(part, view, want.subject);
  if (want.id !== undefined && d.schemaId !== want.id)
    return `its ${part} was written with ${by}, not schema id ${want.id}`;
  if (
    want.subject !== undefined &&
    !view.uses.some((u) => u.subject === want.subject && (want.version === undefined || u.version === want.version))
  )
    return `its ${part} was written with ${by}, which is not ${want.subject}${want.version !== undefined ? ` v${want.version}` : ''}`;
  if (want.recordName !== undefined && d.recordName !== want.recordName)
    return `its ${part} was written with ${by}, not as ${want.recordName}`;
  return undefined;
}

const registryHint =
  ': give the environment a "schemaRegistry" (kafka-workbench run: or --schema-registry URL; VS Code: or a connection with one) so expectations decode it';

/** For bytes that look like Confluent's wire format when no registry is configured: how to have them decoded. */
function wireHint(part: RecordPart, view: { wireId?: number }): string {
  return view.wireId === undefined
    ? ''
    : `; the ${part} looks like Confluent's wire format (magic byte 0, schema id ${view.wireId})${registryHint}`;
}

function undecodable(view: { schemaId: number; problem: string }): string {
  return `is in Confluent's wire format with schema id ${view.schemaId}, which cannot be decoded: ${view.problem}`;
}

/** `replies-value v2 (id 7, AVRO com.acme.Reply)`: the subject named by the expectation when it holds the id. */
type DecodedView = Extract<PartView, { kind: 'decoded' }>;

function describeDecoded(part: RecordPart, view: DecodedView, subject?: string): string {
  const use = view.uses.find((u) => u.subject === subject) ?? view.uses[0];
  const d = view.decoded;
  return describeSchemaUsed({
    part,
    ...(use ? { subject: use.subject, version: use.version } : {}),
    id: d.schemaId,
    schemaType: d.schemaType,
    recordName: d.recordName,
  });
}

/** A decoded value as text matchers see it: a string as it is, anything else as its JSON. */
function decodedText(json: unknown): string {
  return typeof json === 'string' ? json : JSON.stringify(json);
}

function isRegistryFailure(e: unknown): boolean {
  return e instanceof SchemaRegistryError;
}

/** Where `actual` departs from `expected` (every field of an expected object must be there and match; arrays match item by item). */
export function subsetMismatch(expected: unknown, actual: unknown, at: string): string | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `has ${at} = ${short(actual)}, not an object`;
    for (const [k, v] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, k)) return `has no ${at}.${k}`;
      const inner = subsetMismatch(v, (actual as Record<string, unknown>)[k], `${at}.${k}`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `has ${at} = ${short(actual)}, not an array`;
    if (actual.length !== expected.length) return `has ${actual.length} items in ${at}, not ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const inner = subsetMismatch(expected[i], actual[i], `${at}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  return expected === actual ? undefined : `has ${at} = ${short(actual)}, not ${short(expected)}`;
}

interface Waiting {
  e: CompiledExpectation;
  result: ExpectationResult;
}

/**
 * The expectations of one message send. start() notes where each expected topic ends before anything is sent;
 * finish() then reads from there until every expectation is met or its time is up.
 */
export class ExpectationWatch {
  private constructor(
    private readonly reader: RecordReader,
    private readonly expectations: readonly CompiledExpectation[],
    private readonly startProblems: Map<string, string>,
    private readonly clock: Clock,
    private readonly deserializer: SchemaDeserializer | undefined,
  ) {}

  /** With a `deserializer`, keys and values in Confluent's wire format are matched decoded by their schema id. */
  static async start(
    transport: ConsumerTransport,
    expectations: readonly CompiledExpectation[],
    clock: Clock = systemClock,
    deserializer?: SchemaDeserializer,
  ): Promise<ExpectationWatch> {
    // read_committed: what a downstream consumer with exactly-once settings would see; aborted output does not count.
    const reader = new RecordReader(transport, { isolation: 'read_committed', now: () => clock.now() });
    const problems = new Map<string, string>();
    for (const topic of new Set(expectations.map((e) => e.spec.topic))) {
      try {
        await reader.assign(topic, { kind: 'latest' });
      } catch (e) {
        problems.set(topic, errorMessage(e));
      }
    }
    return new ExpectationWatch(reader, expectations, problems, clock, deserializer);
  }

  /** The positions noted before the send (for reports and tests). */
  notedOffsets(): TopicPartitionOffset[] {
    return this.reader.currentPositions();
  }

  async finish(sent: SentRecords, signal?: AbortSignal): Promise<ExpectationResult[]> {
    const started = this.clock.now();
    const waiting: Waiting[] = [];
    const results: ExpectationResult[] = this.expectations.map((e) => {
      const result: ExpectationResult = {
        name: e.name,
        index: e.index,
        topic: e.spec.topic,
        passed: false,
        durationMs: 0,
        seen: 0,
        mismatches: [],
      };
      const problem = this.startProblems.get(e.spec.topic);
      if (problem) result.reason = `cannot read topic '${e.spec.topic}': ${problem}`;
      else if (typeof e.spec.correlate === 'object' && !sent.sentHeader(e.spec.correlate.header))
        result.reason = `correlate names header "${e.spec.correlate.header}", which the sent records do not have`;
      else waiting.push({ e, result });
      return result;
    });
    const deadlineOf = (w: Waiting) => started + w.e.withinMs;
    const failedIds = new Map<number, string>();
    let open = waiting;
    while (open.length && !signal?.aborted) {
      const now = this.clock.now();
      for (const w of open) if (now >= deadlineOf(w)) this.giveUp(w, now - started);
      open = open.filter((w) => w.result.reason === undefined && !w.result.passed);
      if (!open.length) break;
      const deadline = Math.min(...open.map(deadlineOf));
      let records: ConsumedRecord[];
      try {
        records = await this.reader.poll({ maxWaitMs: POLL_WAIT_MS, deadline });
      } catch (e) {
        for (const w of open) w.result.reason = `reading '${w.e.spec.topic}' failed: ${errorMessage(e)}`;
        break;
      }
      const at = this.clock.now() - started;
      for (const record of records) {
        const watching = open.filter((w) => !w.result.passed && w.e.spec.topic === record.topic);
        if (!watching.length) continue;
        // Decoded once for every expectation on its topic; the schema of an id is fetched once per run.
        const seen = await seeRecord(record, this.deserializer, failedIds);
        for (const w of watching) {
          w.result.seen++;
          const why = mismatch(w.e, seen, sent);
          if (why === undefined) {
            w.result.passed = true;
            w.result.matched = seenRecordJson(seen);
            w.result.durationMs = at;
          } else if (w.result.mismatches.length < MISMATCHES_KEPT) {
            w.result.mismatches.push({ record: seenRecordJson(seen), why });
          }
        }
      }
      open = open.filter((w) => !w.result.passed);
    }
    for (const w of open)
      if (!w.result.passed && w.result.reason === undefined)
        this.giveUp(w, this.clock.now() - started, signal?.aborted ? 'cancelled' : undefined);
    return results;
  }

  private giveUp(w: Waiting, elapsed: number, why?: string): void {
    const { result } = w;
    result.durationMs = elapsed;
    const problem = this.reader.lastProblem();
    result.reason =
      why ??
      (result.seen === 0
        ? `no record arrived on '${result.topic}' within ${w.e.withinMs} ms${problem ? ` (${problem})` : ''}`
        : `none of the ${result.seen} record${result.seen === 1 ? '' : 's'} on '${result.topic}' within ${w.e.withinMs} ms matched; first: ${result.mismatches[0]!.why}`);
  }
}

/** One line per result, for reports: "pass reply (orders-out@3, 120 ms)" / "FAIL reply: no record arrived ...". */
export function describeExpectation(r: ExpectationResult): string {
  if (r.passed)
    return `pass ${r.name}: ${r.matched!.topic}-${r.matched!.partition}@${r.matched!.offset} after ${r.durationMs} ms`;
  return `FAIL ${r.name}: ${r.reason ?? 'not met'}`;
}

function specBytes(spec: BinarySpec): Buffer | null {
  return bytesFromJson(spec);
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function hex(v: string | Buffer): string {
  return (typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('hex');
}

function show(bytes: Buffer | null): string {
  const json = bytesToJson(bytes);
  return json === null ? 'null' : short(typeof json === 'string' ? json : `base64:${json.base64}`);
}

function short(v: unknown, max = 80): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A decoded value in a failure: long enough to see what the service answered. */
function long(v: unknown): string {
  return short(v, 300);
}

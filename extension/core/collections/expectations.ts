/**
 * A message's "expect" entries: records that must appear on other topics after the send (a reply, an enriched
 * event, a dead letter). Offsets are noted before the send (ExpectationWatch.start), so only records written after
 * it count; then each expectation waits up to its `withinMs` for one record that matches key, headers, value
 * (JSON subset, exact text or regular expression) and correlation. A failure says what was seen instead.
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
import type { ConsumerTransport } from '../transport/consumer-transport';
import { systemClock, type Clock } from '../util/clock';
import { InvalidInputError, errorMessage } from '../util/errors';
import type { BinarySpec, ExpectationSpec } from './model';

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
  matched?: RecordJson;
  /** Why it failed, in a sentence. */
  reason?: string;
  /** Records read from the topic after the send. */
  seen: number;
  /** The first records that did not match, with why. */
  mismatches: { record: RecordJson; why: string }[];
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
    return { spec, index, name, withinMs: spec.withinMs ?? DEFAULT_WITHIN_MS, regex };
  });
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
export function mismatch(e: CompiledExpectation, record: ConsumedRecord, sent: SentRecords): string | undefined {
  const { spec } = e;
  if (spec.correlate === 'key' && !sent.hasKey(record.key))
    return `its key ${show(record.key)} is not the key of a record sent`;
  if (spec.correlate && spec.correlate !== 'key') {
    const name = spec.correlate.header;
    const value = record.headers.find((h) => h.key.toString('utf8') === name)?.value ?? null;
    if (!sent.hasHeader(name, value))
      return value === null
        ? `it has no header "${name}"`
        : `its header "${name}" ${show(value)} is not that of a record sent`;
  }
  if (spec.key !== undefined && !sameBytes(record.key, specBytes(spec.key)))
    return `its key is ${show(record.key)}, not ${show(specBytes(spec.key))}`;
  for (const [name, want] of spec.headers ?? []) {
    const values = record.headers.filter((h) => h.key.toString('utf8') === name).map((h) => h.value);
    if (!values.length) return `it has no header "${name}"`;
    if (!values.some((v) => sameBytes(v, specBytes(want))))
      return `its header "${name}" is ${values.map(show).join(', ')}, not ${show(specBytes(want))}`;
  }
  const value = spec.value;
  if (value) {
    const text = record.value?.toString('utf8');
    if ('text' in value && text !== value.text)
      return `its value is ${show(record.value)}, not ${JSON.stringify(value.text)}`;
    if ('regex' in value && (text === undefined || !e.regex!.test(text)))
      return `its value ${show(record.value)} does not match /${value.regex}/`;
    if ('jsonSubset' in value) {
      let json: unknown;
      try {
        json = text === undefined ? undefined : JSON.parse(text);
      } catch {
        return `its value ${show(record.value)} is not JSON`;
      }
      const where = subsetMismatch(value.jsonSubset, json, '$');
      if (where) return `its value ${where}`;
    }
  }
  return undefined;
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
  ) {}

  static async start(
    transport: ConsumerTransport,
    expectations: readonly CompiledExpectation[],
    clock: Clock = systemClock,
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
    return new ExpectationWatch(reader, expectations, problems, clock);
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
        for (const w of open) {
          if (w.result.passed || w.e.spec.topic !== record.topic) continue;
          w.result.seen++;
          const why = mismatch(w.e, record, sent);
          if (why === undefined) {
            w.result.passed = true;
            w.result.matched = recordToJson(record);
            w.result.durationMs = at;
          } else if (w.result.mismatches.length < MISMATCHES_KEPT) {
            w.result.mismatches.push({ record: recordToJson(record), why });
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

function short(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * How a run is reported. pretty: per message, sent/acked/failed, partitions, offset ranges and latency p50/p99.
 * json: one JSON object per record (JSON Lines) with its metadata and delivery trace, written as records settle.
 * junit: one testcase per message, for CI systems. Each writes through `write`, so the CLI can target stdout or a file.
 */
import { describeExpectation, type ExpectationResult } from './expectations';
import type { Collection } from './model';
import {
  describeTransaction,
  type MessageSummary,
  type PartitionOffsets,
  type RecordOutcome,
  type RunListener,
  type RunSummary,
} from './runner';
import { formatDuration } from '../format/duration';

export type ReporterName = 'pretty' | 'json' | 'junit';
export const REPORTERS: ReporterName[] = ['pretty', 'json', 'junit'];

export interface Reporter extends RunListener {
  /** Whether end() reads every message's summary (RunSummary.messages); if not, the run need not keep them. */
  readonly needsSummaries: boolean;
  /** Called once with the final summary; returns when everything is written. */
  end(summary: RunSummary): void;
}

export interface ReporterOptions {
  /** Records the run would send, when known before it starts (see plannedRecords): a cancel then says how many were not sent. */
  plannedRecords?: number;
}

export function createReporter(
  name: ReporterName,
  write: (text: string) => void,
  options: ReporterOptions = {},
): Reporter {
  switch (name) {
    case 'pretty':
      return new PrettyReporter(write, options.plannedRecords);
    case 'json':
      return new JsonReporter(write);
    case 'junit':
      return new JunitReporter(write);
  }
}

/** Record counts in summary lines, with thousands separators: "10,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * How many records sending these messages (all when `names` is empty) makes, known before the run: the sum of their
 * counts. Undefined when one reads a data file, whose length is only known once it has been read.
 */
export function plannedRecords(collection: Collection, names: readonly string[] = []): number | undefined {
  let total = 0;
  // A name given twice is sent twice; an unknown name is refused before the run, so it can be skipped here.
  const selected = names.length
    ? names.flatMap((n) => collection.messages.filter((m) => m.name === n))
    : collection.messages;
  for (const m of selected) {
    const value = m.value as { file?: unknown } | null | undefined;
    if (typeof value === 'object' && value !== null && typeof value.file === 'string') return undefined;
    total += m.count ?? 1;
  }
  return total;
}

/** What a cancel left unsent, the same in VS Code and the CLI: "cancelled, 7,500 of 10,000 not sent". */
export function describeCancel(sent: number, planned: number | undefined): string {
  if (planned === undefined)
    return 'cancelled before the end; how many were not sent is not known (a data file is read as it is sent)';
  const left = Math.max(0, planned - sent);
  return left
    ? `cancelled, ${formatCount(left)} of ${formatCount(planned)} not sent`
    : 'cancelled after every record was sent';
}

/** A run in one line, for VS Code's notifications and log: "2,500 of 2,500 records acknowledged; cancelled, 7,500 of 10,000 not sent". */
export function describeRun(s: RunSummary, planned: number | undefined): string {
  const allAcksZero = s.messages.length > 0 && s.messages.every((m) => m.acksZero);
  const parts = [
    `${formatCount(s.acked)} of ${formatCount(s.sent)} record${s.sent === 1 ? '' : 's'} ${allAcksZero ? 'handed to the broker (acks=0: not acknowledged)' : 'acknowledged'}`,
  ];
  if (s.failed) parts.push(`${formatCount(s.failed)} failed (${describeErrors(s) || 'see the results'})`);
  const expectations = s.messages.flatMap((m) => m.expectations ?? []);
  if (expectations.length) {
    const unmet = expectations.filter((e) => !e.passed);
    parts.push(
      `${expectations.length - unmet.length} of ${expectations.length} expectations met${
        unmet.length
          ? ` (${unmet
              .slice(0, 2)
              .map((e) => `${e.name}: ${e.reason}`)
              .join('; ')})`
          : ''
      }`,
    );
  }
  if (s.messages.some((m) => m.stoppedBy === 'error')) {
    const left = planned === undefined ? undefined : Math.max(0, planned - s.sent);
    parts.push(
      `stopped at the first failure${left ? `, ${formatCount(left)} of ${formatCount(planned!)} not sent` : ''}`,
    );
  }
  if (s.cancelled) parts.push(describeCancel(s.sent, planned));
  if (s.inputError) parts.push(`stopped: ${s.inputError.message}`);
  if (s.notRun.length) parts.push(`not run: ${s.notRun.join(', ')}`);
  for (const t of s.transactions ?? []) parts.push(describeTransaction(t));
  return parts.join('; ');
}

/** The distinct errors of a run (at most three), each with its message's name when several messages ran. */
function describeErrors(s: RunSummary): string {
  const named = s.messages.length > 1;
  return s.messages
    .flatMap((m) => m.errors.map((e) => (named ? `"${m.name}": ${e}` : e)))
    .slice(0, 3)
    .join('; ');
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : formatDuration(v);
}

export function formatOffsets(s: MessageSummary): string {
  if (s.acksZero) return 'unknown (acks=0)';
  if (!s.offsets.length) return '-';
  // Most messages went to one partition: no list to join for them.
  return s.offsets.length === 1 ? offsetRange(s.offsets[0]) : s.offsets.map(offsetRange).join(' ');
}

function offsetRange(o: PartitionOffsets): string {
  return o.first === o.last ? `p${o.partition}@${o.first}` : `p${o.partition}@${o.first}..${o.last}`;
}

class PrettyReporter implements Reporter {
  readonly needsSummaries = false;
  /** What the last line tells, tallied as messages end: a run need not keep its summaries for it. */
  private messages = 0;
  private someAcksZero = false;
  private expectations = 0;
  private unmet = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly planned: number | undefined,
  ) {}

  messageEnd(s: MessageSummary): void {
    this.messages++;
    if (s.acksZero) this.someAcksZero = true;
    for (const e of s.expectations ?? []) {
      this.expectations++;
      if (!e.passed) this.unmet++;
    }
    const mark = s.failed === 0 && !s.stoppedBy && s.acked === s.sent ? 'ok  ' : 'FAIL';
    const acked = s.acksZero ? `handed over ${s.acked} (acks=0: not acknowledged)` : `acked ${s.acked}`;
    const stopped = s.stoppedBy ? ` (stopped: ${s.stoppedBy})` : '';
    // One write for both lines: a collection may have 100,000 messages.
    this.write(
      `${mark} ${s.name} -> ${s.topic}: sent ${s.sent}, ${acked}, failed ${s.failed}${stopped}\n` +
        `     partitions ${s.partitions.join(', ') || '-'}; offsets ${formatOffsets(s)}; latency p50 ${ms(s.latencyP50Ms)}, p99 ${ms(s.latencyP99Ms)}; ${s.durationMs} ms\n`,
    );
    for (const e of s.errors) this.write(`     error: ${e}\n`);
    for (const r of s.expectations ?? []) {
      this.write(`     expect ${describeExpectation(r)}\n`);
      if (!r.passed)
        for (const m of r.mismatches)
          this.write(`       saw ${m.record.topic}-${m.record.partition}@${m.record.offset}: ${m.why}\n`);
    }
  }

  end(run: RunSummary): void {
    if (run.notRun.length) this.write(`skip ${run.notRun.join(', ')}: not run, the run stopped first\n`);
    const { someAcksZero, expectations, unmet, messages } = this;
    const delivered = run.acked === run.sent && run.failed === 0;
    const verdict = run.ok
      ? someAcksZero
        ? 'all handed over (acks=0 records are not acknowledged)'
        : 'all acknowledged'
      : run.cancelled
        ? describeCancel(run.sent, this.planned)
        : delivered && unmet
          ? `${unmet} expectation${unmet === 1 ? '' : 's'} NOT met`
          : 'NOT all acknowledged';
    const counts =
      `${formatCount(run.sent)} record${run.sent === 1 ? '' : 's'} sent, ${formatCount(run.acked)} acked, ${formatCount(run.failed)} failed` +
      (expectations ? `, ${expectations - unmet} of ${expectations} expectations met` : '');
    for (const t of run.transactions)
      this.write(`${t.outcome === 'failed' || t.abortedBecause ? 'FAIL' : 'ok  '} ${describeTransaction(t)}\n`);
    this.write(
      `${run.collection}: ${messages} message${messages === 1 ? '' : 's'}, ${counts} in ${run.durationMs} ms: ${verdict}\n`,
    );
  }
}

class JsonReporter implements Reporter {
  readonly needsSummaries = false;
  constructor(private readonly write: (text: string) => void) {}

  record(o: RecordOutcome): void {
    const md = o.metadata;
    const line: Record<string, unknown> = {
      message: o.messageName,
      seq: o.seq,
      recordId: o.recordId ?? null,
      topic: o.topic,
      status: md ? 'acked' : 'failed',
      partition: md?.partition ?? null,
      offset: md?.offset ?? null,
      timestamp: md?.timestamp ?? null,
      timestampType: md?.timestampType ?? null,
      serializedKeySize: md?.serializedKeySize ?? null,
      serializedValueSize: md?.serializedValueSize ?? null,
      attempts: md?.attempts ?? o.error?.attempts ?? null,
      batchId: md?.batchId ?? null,
      partitionReason: md?.partitionReason ?? null,
      latencyMs: o.latencyMs,
    };
    if (o.error) line.error = o.error;
    line.trace = o.trace()?.events ?? null;
    this.write(JSON.stringify(line) + '\n');
  }

  messageEnd(s: MessageSummary): void {
    for (const r of s.expectations ?? [])
      this.write(JSON.stringify({ message: s.name, expectation: r.name, ...expectationFields(r) }) + '\n');
  }

  end(run: RunSummary): void {
    for (const t of run.transactions) this.write(JSON.stringify({ transaction: t }) + '\n');
  }
}

function xml(text: string): string {
  // Escapes markup and drops characters XML 1.0 cannot carry.
  return (
    text
      // XML 1.0 characters only; the u flag keeps characters beyond U+FFFF (emoji) whole instead of cutting their halves.
      .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

class JunitReporter implements Reporter {
  readonly needsSummaries = true;
  constructor(private readonly write: (text: string) => void) {}

  end(run: RunSummary): void {
    const expectations = run.messages.flatMap((m) => m.expectations ?? []);
    const failures =
      run.messages.filter((m) => m.failed > 0 || m.acked !== m.sent || m.stoppedBy).length +
      expectations.filter((e) => !e.passed).length;
    const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
    const attrs = `name="${xml(run.collection)}" tests="${run.messages.length + expectations.length + run.notRun.length}" failures="${failures}" errors="0" skipped="${run.notRun.length}" time="${(run.durationMs / 1000).toFixed(3)}"`;
    out.push(`<testsuites ${attrs}>`);
    out.push(`  <testsuite ${attrs} timestamp="${new Date(Date.now() - run.durationMs).toISOString()}">`);
    for (const m of run.messages) {
      out.push(
        `    <testcase classname="${xml(run.collection)}" name="${xml(m.name)}" time="${(m.durationMs / 1000).toFixed(3)}">`,
      );
      const ok = m.failed === 0 && m.acked === m.sent && !m.stoppedBy;
      if (!ok) {
        const why =
          m.stoppedBy === 'cancel'
            ? 'cancelled'
            : `${m.failed} of ${m.sent} records failed` + (m.dataError ? `; ${m.dataError}` : '');
        out.push(
          `      <failure message="${xml(why)}" type="${m.dataError ? 'DataFileError' : 'DeliveryError'}">${xml(m.errors.join('\n'))}</failure>`,
        );
      }
      out.push(
        `      <system-out>${xml(`topic ${m.topic}; sent ${m.sent}, acked ${m.acked}, failed ${m.failed}; partitions ${m.partitions.join(', ') || '-'}; offsets ${formatOffsets(m)}; latency p50 ${ms(m.latencyP50Ms)}, p99 ${ms(m.latencyP99Ms)}`)}</system-out>`,
      );
      out.push('    </testcase>');
      for (const e of m.expectations ?? []) out.push(...expectationCase(run.collection, m.name, e));
    }
    for (const name of run.notRun) {
      out.push(
        `    <testcase classname="${xml(run.collection)}" name="${xml(name)}" time="0.000">`,
        '      <skipped message="not run: the run stopped before this message"/>',
        '    </testcase>',
      );
    }
    out.push('  </testsuite>', '</testsuites>', '');
    this.write(out.join('\n'));
  }
}

/** One JUnit testcase per expectation, named "<message> expects <expectation>". */
function expectationCase(collection: string, message: string, e: ExpectationResult): string[] {
  const out = [
    `    <testcase classname="${xml(collection)}" name="${xml(`${message} expects ${e.name}`)}" time="${(e.durationMs / 1000).toFixed(3)}">`,
  ];
  if (!e.passed) {
    const saw = e.mismatches.map((m) => `saw ${JSON.stringify(m.record)}: ${m.why}`).join('\n');
    out.push(`      <failure message="${xml(e.reason ?? 'not met')}" type="ExpectationNotMet">${xml(saw)}</failure>`);
  } else {
    out.push(`      <system-out>${xml(`matched ${JSON.stringify(e.matched)}`)}</system-out>`);
  }
  out.push('    </testcase>');
  return out;
}

function expectationFields(r: ExpectationResult): Record<string, unknown> {
  return {
    topic: r.topic,
    status: r.passed ? 'passed' : 'failed',
    durationMs: r.durationMs,
    seen: r.seen,
    matched: r.matched ?? null,
    reason: r.reason ?? null,
    mismatches: r.mismatches,
  };
}

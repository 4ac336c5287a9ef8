/**
 * `run --reporter html`: the collection run as one self-contained HTML file (see html-report.ts), charted from the
 * producers the run made and with the waterfalls of its first failed and slowest records.
 */
import { describeExpectation, type ExpectationResult } from '../../core/collections/expectations';
import type { Reporter } from '../../core/collections/reporters';
import { describeSchemaUsed } from '../../core/schema-registry/schema-used';
import type { SchemaType } from '../../core/schema-registry/types';
import type { RecordOutcome, RunSummary } from '../../core/collections/runner';
import type { Producer } from '../../core/engine/types';
import { RunWatch } from '../../core/visual/run-watch';
import { recordWaterfall } from '../../core/visual/waterfall';
import { htmlReport } from './html-report';
import { NotableRecords } from './notable-records';

export class HtmlRunReporter implements Reporter {
  readonly needsSummaries = true;
  private readonly producers: Producer[] = [];
  private readonly notable = new NotableRecords();
  private readonly watch = new RunWatch(() => this.producers, Date.now());

  constructor(private readonly write: (text: string) => void) {}

  /** Every producer the run sends with: its statistics make the charts. */
  track(producer: Producer): Producer {
    this.producers.push(producer);
    return producer;
  }

  record(o: RecordOutcome): void {
    const label = `${o.messageName} #${o.seq}`;
    const waterfall = () => {
      const trace = o.trace();
      if (!trace) return undefined;
      const batch = trace.batchId
        ? this.producers.map((p) => p.batchTrace(trace.batchId!)).find((b) => b !== undefined)
        : undefined;
      return recordWaterfall(trace, batch, Date.now());
    };
    if (o.error) {
      this.notable.addFailed(
        label,
        o.latencyMs,
        `${o.error.name ? `${o.error.name}: ` : ''}${o.error.message}`,
        waterfall,
      );
      return;
    }
    if (!this.notable.wouldKeep(o.latencyMs)) return;
    this.notable.addAcked(label, o.latencyMs, waterfall, o.trace()?.batchId);
  }

  end(summary: RunSummary): void {
    const facts: [string, string][] = [
      ['collection', `${summary.collection} (${summary.filePath})`],
      [
        'records',
        `${summary.sent.toLocaleString('en-US')} sent: ${summary.acked.toLocaleString('en-US')} acknowledged, ${summary.failed.toLocaleString('en-US')} failed${summary.cancelled ? ', cancelled' : ''}`,
      ],
      ['duration', `${(summary.durationMs / 1000).toFixed(1)} s`],
      ...summary.messages.map((m): [string, string] => [
        `message "${m.name}"`,
        `${m.topic}: ${m.sent} sent, ${m.acked} acknowledged, ${m.failed} failed${m.latencyP50Ms !== undefined ? `, latency p50 ${m.latencyP50Ms} ms, p99 ${m.latencyP99Ms} ms` : ''}`,
      ]),
    ];
    for (const m of summary.messages)
      for (const e of m.expectations ?? []) facts.push([`"${m.name}" expects ${e.name}`, expectationFact(e)]);
    if (summary.notRun.length) facts.push(['not run', summary.notRun.join(', ')]);
    this.write(
      htmlReport({
        title: `kafka-workbench run ${summary.collection}`,
        facts,
        charts: this.watch.sample(false),
        failed: this.notable.failed,
        slowest: this.notable.slowest,
        generatedAt: new Date(),
      }),
    );
  }
}

/** An expectation's result and the value it matched (decoded when it carried a schema id); a failure's reason shows what was seen. */
function expectationFact(e: ExpectationResult): string {
  const line = describeExpectation(e);
  if (!e.matched) return line;
  const { value, valueSchema } = e.matched;
  const text = JSON.stringify(value) ?? 'null';
  const shown = text.length > 500 ? `${text.slice(0, 497)}...` : text;
  return `${line}; value ${shown}${valueSchema ? `, decoded by ${describeDecodedJson(valueSchema)}` : ''}`;
}

/** `orders-value v1 (id 1, AVRO com.acme.Order)` from a record's valueSchema JSON (withDecoded). */
function describeDecodedJson(s: Record<string, unknown>): string {
  if (typeof s.error === 'string') return `nothing: schema id ${String(s.id)} could not be read`;
  return describeSchemaUsed({
    part: 'value',
    id: Number(s.id),
    schemaType: s.type as SchemaType,
    ...(typeof s.subject === 'string' ? { subject: s.subject, version: Number(s.version) } : {}),
    ...(typeof s.recordName === 'string' ? { recordName: s.recordName } : {}),
  });
}

/**
 * `send --json`: one line per record, in send order, printed as soon as every earlier record has settled. A line is
 * built when its record settles (while its trace is in the producer's window) and held only until it can be printed.
 */
import type { DeliveryReport, Producer } from '../../core/engine/types';
import type { SchemaUsed } from '../../core/schema-registry/serializer';

export class OrderedJsonLines {
  private next = 0;
  private readonly waiting = new Map<number, string>();

  constructor(
    private readonly producer: Producer,
    private readonly keyOf: (index: number) => string | null,
    private readonly print: (line: string) => void,
    /** The registry schemas that encoded key and value: named on each line and first in its trace. */
    private readonly schemas: SchemaUsed[] = [],
  ) {}

  /** Lines built and not printed yet (an earlier record is still pending). */
  get held(): number {
    return this.waiting.size;
  }

  get printed(): number {
    return this.next;
  }

  /** `firstSeq`: the producer's number for the record of index 0. */
  add(report: DeliveryReport, firstSeq: number): void {
    for (let i = 0; i < report.recordCount; i++) {
      const seq = report.recordSeq(i);
      const index = seq - firstSeq;
      this.waiting.set(index, JSON.stringify(this.line(report, i, index, seq)));
    }
    let line: string | undefined;
    while ((line = this.waiting.get(this.next)) !== undefined) {
      this.waiting.delete(this.next);
      this.print(line);
      this.next++;
    }
  }

  private line(report: DeliveryReport, i: number, index: number, seq: number): object {
    const m = report.recordMetadata(i);
    const err = report.error;
    const line: Record<string, unknown> = {
      topic: report.topic,
      partition: report.partition >= 0 ? report.partition : null,
      offset: m ? m.offset : null,
      timestamp: m?.timestamp ?? null,
      key: this.keyOf(index),
      batchId: report.batchId ?? null,
      attempts: report.attempts,
      partitionReason: m?.partitionReason ?? null,
    };
    if (err)
      line.error = {
        name: err.errorName ?? err.name,
        code: err.errorCode ?? null,
        message: err.message,
        maybeWritten: err.maybeWritten,
      };
    const trace = this.producer.recordTrace(this.producer.recordId(seq))?.events ?? [];
    for (const u of this.schemas)
      line[`${u.part}Schema`] = {
        subject: u.subject ?? null,
        version: u.version ?? null,
        id: u.id,
        schemaType: u.schemaType,
        ...(u.recordName ? { recordName: u.recordName } : {}),
      };
    line.trace = trace; // it starts with the 'serialized' events of the schemas that encoded the record
    return line;
  }
}

/**
 * The records of one prepared message: its compiled fields rendered per record, or its data file read in chunks.
 * One object per message, its methods on the class: a collection of 100,000 one-record messages made a dozen
 * closures and their context per message here, and that garbage was a good part of the run's collections.
 */
import type { ProducerRecord } from '../engine/types';
import { keyTextValue, type RecordPart, type SchemaSerializer } from '../schema-registry/serializer';
import { SchemaValueError } from '../schema-registry/types';
import { InvalidInputError } from '../util/errors';
import { DataFileError, readCsv, readJsonlBatches, type DataRecord } from './data-sources';
import type { FileSpec, MessageSpec } from './model';
import type { MessagePlan, PreparedMessage } from './prepare';
import type { RecordContext, TemplateEngine } from './template';

export type Renderer<T> = (ctx: RecordContext) => T;

/** A field or a part of a JSON value, compiled; a constant one (the same for every record) is rendered once. */
export interface Compiled<T> {
  constant: boolean;
  render: Renderer<T>;
}

/** For rendering what does not depend on the record (constant parts). */
export const NO_RECORD: RecordContext = Object.freeze({ seq: 0, now: 0 });

/** Generated records (count) are rendered this many at a time, so a big count never sits in memory at once. */
export const GENERATED_BATCH = 1000;

/**
 * The longest data-file line worth reading: a line may hold its value escaped (\u00e9: 6 characters for a byte), and
 * one longer than that cannot be sent, so reading stops there rather than holding a line of any length in memory.
 */
export function maxLineOf(maxRequestSize: number): number {
  return 6 * maxRequestSize;
}

/** A message's fields compiled, and what its records need besides. */
export interface RecordFields {
  topic: Compiled<string>;
  key: Compiled<string | Buffer | null | undefined>;
  value: Compiled<string | Buffer | null>;
  headers: readonly { name: string; value: Compiled<string | Buffer | null | undefined> }[];
  /** The value's data file as written in the message; its absolute path is the plan's dataFile. */
  fileSpec: FileSpec | undefined;
  /** The serializers of keySchema / valueSchema: a data file's key and value are encoded per line. */
  serializers: { key?: SchemaSerializer; value?: SchemaSerializer };
  /** max.request.size: a data line's value larger than that is refused, naming its line. */
  max: number;
}

export class MessageRecords implements PreparedMessage {
  readonly index: number;
  readonly name: string;
  readonly topic: string;
  readonly producer: MessagePlan['producer'];
  readonly schemas: MessagePlan['schemas'];
  readonly ratePerSecond?: number;
  readonly expectedRecords?: number;
  readonly dataFile?: string;
  readonly expectations: MessagePlan['expectations'];
  /** Only without a data file (see PreparedMessage.generate): the shared function, not a closure per message. */
  readonly generate?: (this: MessageRecords, from: number, to: number) => ProducerRecord[];
  /** The context (sequence number, clock reading) only matters to templates: a message without any needs none. */
  private readonly perRecordContext: boolean;

  constructor(
    plan: MessagePlan,
    private readonly spec: MessageSpec,
    private readonly fields: RecordFields,
    private readonly engine: TemplateEngine,
  ) {
    this.index = plan.index;
    this.name = plan.name;
    this.topic = plan.topic;
    this.producer = plan.producer;
    this.schemas = plan.schemas;
    this.ratePerSecond = plan.ratePerSecond;
    this.expectedRecords = plan.expectedRecords;
    this.dataFile = plan.dataFile;
    this.expectations = plan.expectations;
    if (!plan.dataFile) this.generate = generateRecords;
    this.perRecordContext = !(
      fields.topic.constant &&
      fields.key.constant &&
      fields.value.constant &&
      fields.headers.every((h) => h.value.constant)
    );
  }

  async *batches(signal?: AbortSignal): AsyncGenerator<ProducerRecord[]> {
    if (!this.dataFile) {
      const n = this.spec.count ?? 1;
      for (let from = 0; from < n; from += GENERATED_BATCH) {
        if (signal?.aborted) return;
        yield generateRecords.call(this, from, Math.min(n, from + GENERATED_BATCH));
      }
      return;
    }
    const { fileSpec, max } = this.fields;
    const maxLine = maxLineOf(max);
    const chunks = this.dataFile.toLowerCase().endsWith('.csv')
      ? csvBatches(readCsv(this.dataFile, fileSpec!.file, signal, maxLine))
      : readJsonlBatches(this.dataFile, fileSpec!.file, fileSpec!.lines ?? 'value', signal, maxLine);
    const count = this.spec.count;
    let seq = 0;
    for await (const rows of chunks) {
      const take = count === undefined ? rows.length : Math.min(rows.length, count - seq);
      const batch: ProducerRecord[] = new Array(take);
      let i = 0;
      try {
        for (; i < take; i++) batch[i] = this.build(this.contextFor(seq++), rows[i]);
      } catch (e) {
        // The rows before a refused one still go out, as they would one by one; then the error stops the message.
        if (i > 0) yield batch.slice(0, i);
        throw e;
      }
      yield batch;
      if (count !== undefined && seq >= count) return;
    }
  }

  records(signal?: AbortSignal): AsyncGenerator<ProducerRecord> {
    return oneByOne(this.batches(signal));
  }

  contextFor(seq: number): RecordContext {
    return this.perRecordContext ? this.engine.recordContext(seq) : NO_RECORD;
  }

  /** One record: the compiled fields rendered, a data line's fields taking their place where it has them. */
  build(ctx: RecordContext, data?: DataRecord): ProducerRecord {
    const { topic, key, value, headers, max } = this.fields;
    // A data line's value larger than a record may be is refused here, naming its line (the producer would not).
    if (data?.value != null && data.value.length > max)
      throw new DataFileError(
        `${this.fields.fileSpec!.file}:${data.line}: the value is ${data.value.length.toLocaleString('en-US')} ${typeof data.value === 'string' ? 'characters' : 'bytes'}, more than max.request.size (${max.toLocaleString('en-US')} bytes); no record may be larger: shorten it, or raise max.request.size in "producer"`,
      );
    const record: ProducerRecord = {
      topic: topic.render(ctx),
      value: data?.value !== undefined ? this.dataPart('value', data) : value.render(ctx),
    };
    const k = data?.key !== undefined ? this.dataPart('key', data) : key.render(ctx);
    if (k !== undefined) record.key = k;
    if (headers.length || data?.headers) {
      record.headers = headers.map((h) => ({ key: h.name, value: h.value.render(ctx) ?? null }));
      if (data?.headers) record.headers.push(...data.headers);
    }
    const p = data?.partition ?? this.spec.partition ?? undefined;
    if (p !== undefined) record.partition = p;
    const t = data?.timestamp ?? this.spec.timestamp ?? undefined;
    if (t !== undefined) record.timestamp = t;
    return record;
  }

  /** A data line's key or value: as read, or JSON text encoded by its schema (an unfit line named by file and line). */
  private dataPart(part: RecordPart, data: DataRecord): string | Buffer | null {
    const raw = data[part]!;
    const serializer = this.fields.serializers[part];
    if (!serializer || raw === null) return raw;
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    try {
      return serializer.encode(part === 'value' ? parseJsonValue(text) : keyTextValue(text));
    } catch (e) {
      throw new InvalidInputError(
        `${this.fields.fileSpec!.file}:${data.line}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}

/** MessageRecords.generate: the records with {{$seq}} from..to-1, rendered at once. */
function generateRecords(this: MessageRecords, from: number, to: number): ProducerRecord[] {
  const batch: ProducerRecord[] = new Array(to - from);
  for (let seq = from; seq < to; seq++) batch[seq - from] = this.build(this.contextFor(seq));
  return batch;
}

async function* oneByOne<T>(batches: AsyncGenerator<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

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

/** A data line's value as JSON for its schema. */
function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SchemaValueError(
      'value',
      `is not JSON (${(e as Error).message}); with valueSchema each line's value is JSON encoded by the schema`,
    );
  }
}

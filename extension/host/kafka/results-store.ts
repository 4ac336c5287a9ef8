/**
 * The results table's rows and the traces behind them: one row per record handed over (pending, then acked or
 * failed), bounded to what the panel shows, each row keeping its producer so its trace can be read later.
 * Every send (the composer, the command API, a collection run) adds rows here; the panel and the export read them.
 */
import * as vscode from 'vscode';
import type { DeliveryError } from '../../core/engine/errors';
import type { DeliveryCallback, Producer, ProducerRecord, RecordMetadata } from '../../core/engine/types';
import type { SchemaUsed } from '../../core/schema-registry/schema-used';
import { InvalidInputError } from '../../core/util/errors';
import {
  MAX_RESULT_ROWS,
  type BatchView,
  type RecordTraceView,
  type ResultRow,
  type SendMode,
} from '../../protocol/messages';
import type { LogFn } from './core';
import { plainError, toWebviewError } from './plain-errors';
import { batchView, recordTimeline, transactionOf, withSchemas, withTransaction } from './trace-view';

/** The host keeps as many rows as the panel shows. */
export const MAX_RESULTS = MAX_RESULT_ROWS;

/** What was sent is kept for read-backs up to this many bytes (keys, values, headers): the latest records. */
const SENT_RECORDS_BYTES = 32 * 1024 * 1024;

function recordBytes(r: ProducerRecord): number {
  const size = (v: string | Buffer | null | undefined) =>
    v === null || v === undefined ? 0 : typeof v === 'string' ? v.length * 3 : v.length;
  return 64 + size(r.key) + size(r.value) + (r.headers ?? []).reduce((n, h) => n + size(h.key) + size(h.value), 0);
}

/** A key as the results table shows it: its text (cut short), base64 for bytes, null for none. */
export function keyLabel(key: ProducerRecord['key']): string | null {
  if (key === null || key === undefined) return null;
  const text = typeof key === 'string' ? key : `base64:${Buffer.from(key).toString('base64')}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

interface ResultEntry {
  row: ResultRow;
  producer: Producer;
  metadata?: RecordMetadata;
  schemas?: SchemaUsed[];
}

export class ResultsStore implements vscode.Disposable {
  private readonly results = new Map<string, ResultEntry>();
  /** The latest records sent, as sent (references: they are in memory anyway), for a read-back to compare with. */
  private readonly sentRecords = new Map<string, ProducerRecord>();
  private sentBytes = 0;
  private readonly changed = new vscode.EventEmitter<ResultRow[] | 'cleared'>();
  /** Rows added or updated ('cleared' after clear). */
  readonly onDidChange = this.changed.event;

  /** `onAck` hears every acknowledged record (the explorer's high watermarks follow acks). */
  constructor(
    private readonly log: LogFn,
    private readonly onAck: (producer: Producer, md: RecordMetadata) => void,
  ) {}

  /** Adds a pending row for a record handed over as a promise, settled with it; resolves once the row is. */
  track(
    recordId: string,
    record: ProducerRecord,
    producer: Producer,
    result: Promise<RecordMetadata>,
    mode: SendMode,
  ): Promise<unknown> {
    const settle = this.startRow(recordId, record, producer, mode);
    return result.then(
      (md) => settle(null, md),
      (e: DeliveryError) => settle(e),
    );
  }

  /** Adds a pending row for a record just handed over; the callback it returns settles the row. */
  startRow(recordId: string, record: ProducerRecord, producer: Producer, mode: SendMode): DeliveryCallback {
    const sentAt = Date.now();
    const topic = record.topic;
    const row: ResultRow = {
      recordId,
      status: 'pending',
      topic,
      key: keyLabel(record.key),
      partition: null,
      offset: null,
      timestamp: null,
      latencyMs: null,
      attempts: null,
      sentAt,
    };
    // Schema Registry schemas that encoded it (the runner sets them): shown in its trace.
    this.add({ row, producer, schemas: record.serialization ? [...record.serialization] : undefined });
    this.keepSent(recordId, record);
    return (error, md) => {
      if (!error && md) {
        this.onAck(producer, md);
        this.update(recordId, {
          row: {
            ...row,
            status: 'acked',
            partition: md.partition,
            offset: md.offset,
            timestamp: md.timestamp,
            timestampType: md.timestampType,
            latencyMs: Date.now() - sentAt,
            attempts: md.attempts,
            batchId: md.batchId,
          },
          metadata: md,
        });
        return;
      }
      const err = toWebviewError(error);
      this.update(recordId, {
        row: {
          ...row,
          status: 'failed',
          partition: error?.partition ?? null,
          latencyMs: Date.now() - sentAt,
          attempts: error?.attempts ?? null,
          error: err.message,
          errorName: err.kafkaError,
        },
      });
      if (mode !== 'fire-and-forget') this.log('warn', `record ${recordId} to ${topic} failed: ${plainError(error)}`);
    };
  }

  /** The metadata of an acknowledged record, while its row is kept. */
  metadata(recordId: string): RecordMetadata | undefined {
    return this.results.get(recordId)?.metadata;
  }

  /** Where an acknowledged record is stored, its producer, and what was sent if still kept; throws saying why not. */
  readBackTarget(recordId: string): {
    topic: string;
    partition: number;
    offset: number;
    producer: Producer;
    sent?: ProducerRecord;
  } {
    const entry = this.results.get(recordId);
    if (!entry)
      throw new InvalidInputError(
        `No result for record ${recordId}: it was cleared or fell out of the bounded history.`,
      );
    const { row } = entry;
    if (row.status !== 'acked' || row.partition === null || row.offset === null || row.offset < 0) {
      throw new InvalidInputError(
        `Record ${recordId} has no offset to read back: ${row.status === 'acked' ? 'it was sent with acks=0' : row.status === 'pending' ? 'it is not acknowledged yet' : 'it failed'}.`,
      );
    }
    return {
      topic: row.topic,
      partition: row.partition,
      offset: row.offset,
      producer: entry.producer,
      sent: this.sentRecords.get(recordId),
    };
  }

  private keepSent(recordId: string, record: ProducerRecord): void {
    const size = recordBytes(record);
    if (size > SENT_RECORDS_BYTES) return;
    this.sentRecords.set(recordId, record);
    this.sentBytes += size;
    for (const [id, r] of this.sentRecords) {
      if (this.sentBytes <= SENT_RECORDS_BYTES) break;
      this.sentRecords.delete(id);
      this.sentBytes -= recordBytes(r);
    }
  }

  private forgetSent(recordId: string): void {
    const record = this.sentRecords.get(recordId);
    if (!record) return;
    this.sentRecords.delete(recordId);
    this.sentBytes -= recordBytes(record);
  }

  private add(entry: ResultEntry): void {
    this.results.set(entry.row.recordId, entry);
    // Bounded history: a Map iterates in insertion order, so the first keys are the oldest.
    while (this.results.size > MAX_RESULTS) {
      const oldest = this.results.keys().next().value as string;
      this.results.delete(oldest);
      this.forgetSent(oldest);
    }
    this.changed.fire([entry.row]);
  }

  private update(recordId: string, update: { row: ResultRow; metadata?: RecordMetadata }): void {
    const entry = this.results.get(recordId);
    if (!entry) return;
    entry.row = update.row;
    if (update.metadata) entry.metadata = update.metadata;
    this.changed.fire([entry.row]);
  }

  rows(): ResultRow[] {
    return [...this.results.values()].map((e) => e.row);
  }

  /**
   * Clears the finished results. Records still in flight stay: their acks or errors (and traces) are still to come,
   * and a send running now must not lose the rows of what it has handed over.
   */
  clear(): void {
    for (const [id, entry] of this.results) {
      if (entry.row.status === 'pending') continue;
      this.results.delete(id);
      this.forgetSent(id);
    }
    this.changed.fire('cleared');
    if (this.results.size) this.changed.fire(this.rows());
  }

  trace(recordId: string): RecordTraceView {
    const entry = this.results.get(recordId);
    // A record the user selected keeps its full trace past the engine's trace window (a bulk send moves on).
    entry?.producer.keepTrace(recordId);
    const trace = entry?.producer.recordTrace(recordId);
    if (!entry)
      throw new TraceUnavailableError(
        `No trace of record ${recordId} here: traces live in memory, so a record sent before VS Code reloaded, or cleared from the results, has none. Send it again to trace it.`,
      );
    if (!trace)
      throw new TraceUnavailableError(
        `The trace of record ${recordId} fell out of the bounded history (the producer keeps the last records' traces); a record you select soon after sending keeps its trace.`,
      );
    const batch = trace.batchId ? entry.producer.batchTrace(trace.batchId) : undefined;
    return withTransaction(
      withSchemas(recordTimeline(trace, batch, entry.metadata), entry.schemas),
      transactionOf(batch, entry.producer.transactions()),
    );
  }

  batches(): BatchView[] {
    const seen = new Map<string, BatchView>();
    for (const { row, producer } of this.results.values()) {
      if (!row.batchId || seen.has(row.batchId)) continue;
      const b = producer.batchTrace(row.batchId);
      if (b) seen.set(row.batchId, batchView(b));
    }
    return [...seen.values()].reverse();
  }

  /** Traces as JSON (the engine leaves out secrets; connection credentials are never in a trace). */
  exportTraces(recordIds: string[] | null, connectionName: string | null): object {
    const ids = recordIds ?? [...this.results.keys()];
    const byProducer = new Map<Producer, string[]>();
    for (const id of ids) {
      const e = this.results.get(id);
      if (e) byProducer.set(e.producer, [...(byProducer.get(e.producer) ?? []), id]);
    }
    return {
      exportedAt: new Date().toISOString(),
      connection: connectionName,
      producers: [...byProducer].map(([p, recordIds]) => p.exportTraces({ recordIds })),
    };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** A record the host has no trace of: a state to show, not a failure. */
export class TraceUnavailableError extends InvalidInputError {}

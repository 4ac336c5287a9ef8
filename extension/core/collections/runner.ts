/**
 * Runs a collection's messages through the producer engine: every selected message is prepared first (so a bad
 * template fails before anything is sent), then sent in order, respecting ratePerSecond, keeping a bounded number of
 * records in flight (so data files stream with flat memory), stopping on the first failure when asked, and
 * reporting each record's outcome as it settles. Aggregates per message are all it keeps.
 */
import path from 'node:path';
import { validateProducerConfig, type ProducerConfigInput } from '../engine/config';
import type { Producer, ProducerRecord, RecordMetadata, RecordTrace } from '../engine/types';
import type { SchemaRegistryClient } from '../schema-registry/client';
import { systemClock, type Clock } from '../util/clock';
import { InvalidInputError, errorMessage } from '../util/errors';
import { TransactionError } from '../engine/errors';
import type { ProducerSettings, TransactionSpec, Variables } from './model';
import { MessagePreparer, type LoadedCollection, type LoadedEnvironment, type PreparedMessage } from './prepare';
import { RateLimiter } from './rate-limiter';
import { TemplateEngine, type SecretResolver } from './template';

export interface RecordOutcome {
  messageName: string;
  messageIndex: number;
  /** The record's index within its message, from 0: the same number as its {{$seq}}. */
  seq: number;
  recordId?: string;
  topic: string;
  metadata?: RecordMetadata;
  error?: { message: string; name?: string; errorCode?: number; attempts?: number };
  /** From handing the record to the producer to its ack or failure. */
  latencyMs: number;
  /** The record's delivery trace, looked up only when a reporter asks. */
  trace(): RecordTrace | undefined;
}

export interface PartitionOffsets {
  partition: number;
  first: number;
  last: number;
  count: number;
}

export interface MessageSummary {
  index: number;
  name: string;
  topic: string;
  sent: number;
  acked: number;
  failed: number;
  partitions: number[];
  /** Offset range per partition among acked records (acks=0 gives -1). */
  offsets: PartitionOffsets[];
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  durationMs: number;
  /** The first few record errors, for reports. */
  errors: string[];
  /** Why the message stopped before its last record: bad data, the first failure with stopOnFirstError, or cancel. */
  stoppedBy?: 'error' | 'cancel' | 'data';
  /** A problem with the message itself (a bad data-file line), not with one record's delivery. */
  dataError?: string;
  /** Sent with acks=0: "acked" then means handed to the broker, with no acknowledgement and no offsets. */
  acksZero?: boolean;
}

export interface RunSummary {
  collection: string;
  filePath: string;
  messages: MessageSummary[];
  sent: number;
  acked: number;
  failed: number;
  durationMs: number;
  cancelled: boolean;
  /** true only if every record of every selected message was acknowledged and nothing stopped the run. */
  ok: boolean;
  /** Set when bad input (a data file line) stopped the run: the CLI exits 2 for it. */
  inputError?: InvalidInputError;
  /** Selected messages that were never started because the run stopped first. */
  notRun: string[];
  /** The run's transactions (a collection's or messages' "transaction"), in the order they ended. */
  transactions: TransactionSummary[];
}

export interface TransactionSummary {
  id: string;
  /** The collection's transaction (every selected message) or one message's. */
  scope: 'run' | 'message';
  messages: string[];
  records: number;
  /** failed: the transaction could not be ended (a fenced producer, say); `error` says why. */
  outcome: 'committed' | 'aborted' | 'failed';
  /** The abort was asked for ("abort": true). */
  abortRequested: boolean;
  /** Why it was aborted when that was not asked for. */
  abortedBecause?: string;
  error?: string;
  /** The partitions the coordinator wrote its markers into. */
  markers: string[];
}

/** A transaction the run has open on a producer. */
interface OpenTransaction {
  spec: TransactionSpec;
  producer: Producer;
  summary: TransactionSummary;
  messages: MessageSummary[];
}

export interface RunListener {
  messageStart?(message: PreparedMessage): void;
  record?(outcome: RecordOutcome): void;
  messageEnd?(summary: MessageSummary): void;
}

export interface RunOptions {
  loaded: LoadedCollection;
  environment?: LoadedEnvironment;
  /** Message names to run, in this order; empty or absent = all, in file order. */
  messages?: string[];
  /** --var values: the last place variables are looked up. */
  variables?: Variables;
  seed?: number;
  secrets?: SecretResolver;
  /** Where messages' keySchema / valueSchema find their schemas (the environment's registry, or --schema-registry). */
  schemaRegistry?: SchemaRegistryClient;
  /** A producer for these settings (the collection's overlaid with the message's). Asked once per distinct settings. */
  producerFor(settings: ProducerSettings): Producer | Promise<Producer>;
  /** Close the producers at the end (default true). false when the caller keeps them for later. */
  closeProducers?: boolean;
  clock?: Clock;
  signal?: AbortSignal;
  /** Stop the run after the first record that fails (default false: send everything, report failures). */
  stopOnFirstError?: boolean;
  /** Records handed to the producer but not yet settled, at most (default 5,000). */
  maxInFlight?: number;
  listener?: RunListener;
  /**
   * Called once every message is prepared (names, templates, settings and data files checked) and before anything
   * is sent: the CLI checks the cluster and opens its report file here, so bad input fails first and costs nothing.
   */
  beforeSend?(prepared: readonly PreparedMessage[]): Promise<void>;
}

export async function runCollection(options: RunOptions): Promise<RunSummary> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const engine = new TemplateEngine({ seed: options.seed, clock, secrets: options.secrets });
  const preparer = new MessagePreparer(engine, options.loaded, options.environment, options.variables ?? {}, options.schemaRegistry);
  // Prepare everything first: a template or file problem anywhere stops the run before any record is sent.
  const prepared: PreparedMessage[] = [];
  for (const index of preparer.select(options.messages ?? [])) {
    const message = await preparer.prepare(index);
    checkProducerSettings(message, options.loaded);
    prepared.push(message);
  }
  const runTransaction = options.loaded.collection.transaction;
  if (runTransaction) checkOneProducer(prepared, options.loaded);
  await options.beforeSend?.(prepared);

  const producers = new Map<string, Producer>();
  const initialized = new Set<Producer>();
  const transactions: TransactionSummary[] = [];
  let open: OpenTransaction | undefined;
  const summaries: MessageSummary[] = [];
  let stop: MessageSummary['stoppedBy'];
  let inputError: InvalidInputError | undefined;
  try {
    for (const message of prepared) {
      if (stop || options.signal?.aborted) break;
      const messageTransaction = options.loaded.collection.messages[message.index]?.transaction;
      const spec = messageTransaction ?? runTransaction;
      const settings = spec ? { ...message.producer, 'transactional.id': spec.id } : message.producer;
      const key = JSON.stringify(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
      let producer = producers.get(key);
      if (!producer) {
        producer = await options.producerFor(settings);
        producers.set(key, producer);
      }
      if (spec) {
        if (!initialized.has(producer)) {
          await producer.initTransactions();
          initialized.add(producer);
        }
        if (!open) {
          producer.beginTransaction();
          open = { spec, producer, messages: [], summary: { id: spec.id, scope: messageTransaction ? 'message' : 'run', messages: [], records: 0, outcome: 'failed', abortRequested: spec.abort === true, markers: [] } };
        }
      }
      options.listener?.messageStart?.(message);
      const summary = await sendMessage(message, producer, clock, options);
      summaries.push(summary);
      if (open) {
        open.messages.push(summary);
        open.summary.messages.push(summary.name);
        if (messageTransaction) {
          transactions.push(await endTransaction(open, summary.stoppedBy !== undefined || options.signal?.aborted === true));
          open = undefined;
        }
      }
      options.listener?.messageEnd?.(summary);
      if (summary.stoppedBy) stop = summary.stoppedBy;
      if (summary.stoppedBy === 'data' && summary.dataError) inputError = new InvalidInputError(summary.dataError);
    }
    if (open) transactions.push(await endTransaction(open, stop !== undefined || options.signal?.aborted === true));
  } finally {
    if (options.closeProducers !== false) await Promise.allSettled([...producers.values()].map((p) => p.close()));
  }
  const sent = summaries.reduce((n, s) => n + s.sent, 0);
  const acked = summaries.reduce((n, s) => n + s.acked, 0);
  const failed = summaries.reduce((n, s) => n + s.failed, 0);
  const cancelled = options.signal?.aborted === true || stop === 'cancel';
  return {
    collection: options.loaded.collection.name,
    filePath: options.loaded.filePath,
    messages: summaries,
    sent,
    acked,
    failed,
    durationMs: clock.now() - started,
    cancelled,
    ok: !cancelled && !stop && failed === 0 && acked === sent && summaries.length === prepared.length && transactions.every((t) => t.outcome !== 'failed' && !t.abortedBecause),
    inputError,
    notRun: prepared.slice(summaries.length).map((m) => m.name),
    transactions,
  };
}

/** A collection's transaction is one producer's: every message must have the same producer settings. */
function checkOneProducer(prepared: readonly PreparedMessage[], loaded: LoadedCollection): void {
  const settings = (m: PreparedMessage) => JSON.stringify(Object.entries(m.producer).sort(([a], [b]) => a.localeCompare(b)));
  const first = prepared[0];
  const other = first && prepared.find((m) => settings(m) !== settings(first));
  if (other) {
    throw new InvalidInputError(`${path.basename(loaded.filePath)}: the collection's "transaction" sends the whole run with one producer, but message "${other.name}" has producer settings that differ from "${first.name}"'s; give every message the same "producer" settings, or put a "transaction" on each message instead`);
  }
}

/**
 * Commits the transaction, or aborts it when asked ("abort": true), when a record failed (a transaction commits all
 * of its records or none) or when the run stopped. A producer that cannot end it (fenced) makes it `failed`.
 */
async function endTransaction(open: OpenTransaction, stopped: boolean): Promise<TransactionSummary> {
  const t = open.summary;
  const failed = open.messages.reduce((n, m) => n + m.failed, 0);
  t.records = open.messages.reduce((n, m) => n + m.sent, 0);
  const because = stopped ? 'the run stopped before the end' : failed ? `${failed} record(s) failed, and a transaction commits all of its records or none` : undefined;
  try {
    if (open.spec.abort || because) {
      await open.producer.abortTransaction();
      t.outcome = 'aborted';
      t.abortedBecause = because;
    } else {
      try {
        await open.producer.commitTransaction();
        t.outcome = 'committed';
      } catch (e) {
        if (!(e instanceof TransactionError) || e.code !== 'TRANSACTION_ABORTABLE') throw e;
        await open.producer.abortTransaction();
        t.outcome = 'aborted';
        t.abortedBecause = e.message;
      }
    }
  } catch (e) {
    t.outcome = 'failed';
    t.error = errorMessage(e);
  }
  const view = open.producer.transactions().at(-1);
  t.markers = view ? view.markers.map((m) => `${m.topic}-${m.partition}`) : [];
  return t;
}

/** One line on what became of a transaction, the same in the CLI's reporters and VS Code. */
export function describeTransaction(t: TransactionSummary): string {
  const what = `transaction '${t.id}' (${t.scope === 'run' ? 'the whole run' : `message "${t.messages[0]}"`}, ${t.records} record${t.records === 1 ? '' : 's'})`;
  if (t.outcome === 'failed') return `${what}: could not be ended: ${t.error}`;
  const markers = t.markers.length ? `; markers written into ${t.markers.join(', ')}` : '';
  if (t.outcome === 'committed') return `${what}: committed${markers}`;
  return `${what}: aborted ${t.abortedBecause ? `because ${t.abortedBecause}` : 'as asked ("abort": true)'}${markers}; read_committed consumers do not see its records`;
}

/** The engine's own validation, run up front so a bad setting in the last message stops the run before the first. */
function checkProducerSettings(message: PreparedMessage, loaded: LoadedCollection): void {
  try {
    validateProducerConfig(message.producer as ProducerConfigInput);
  } catch (e) {
    throw new InvalidInputError(`${path.basename(loaded.filePath)}: message "${message.name}" producer settings: ${errorMessage(e)}`);
  }
}

/** Sends in a row that share one clock reading for their latency start (a few hundred microseconds of sends). */
const CLOCK_EVERY = 64;

async function sendMessage(message: PreparedMessage, producer: Producer, clock: Clock, options: RunOptions): Promise<MessageSummary> {
  const started = clock.now();
  const maxInFlight = Math.max(1, options.maxInFlight ?? 5000);
  const limiter = message.ratePerSecond ? new RateLimiter(message.ratePerSecond, clock) : undefined;
  const signal = options.signal;
  const latencies: number[] = [];
  const offsets = new Map<number, PartitionOffsets>();
  // Distinct errors (at most 5) with how many records each failed: one refused topic should not print 10,000 lines.
  const errors = new Map<string, number>();
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let stoppedBy: MessageSummary['stoppedBy'];
  let dataError: string | undefined;

  const onRecord = options.listener?.record ? options.listener : undefined;
  // The clock is read once per stretch of sends and once per burst of settlements (a batch's records settle
  // together), not per record: on some hosts each read is a system call, and it was a good part of the runner's
  // cost per record. Both stay well within the clock's millisecond resolution.
  let submitAt = 0;
  let sendsSinceClock = CLOCK_EVERY;
  let settledAt: number | undefined;
  const forgetSettledAt = () => (settledAt = undefined);
  const settleTime = (): number => {
    if (settledAt === undefined) {
      settledAt = clock.now();
      queueMicrotask(forgetSettledAt);
    }
    return settledAt;
  };

  const settle = (seq: number, topic: string, recordId: string | undefined, metadata: RecordMetadata | undefined, error: RecordOutcome['error'], latencyMs: number) => {
    inFlight--;
    latencies.push(latencyMs);
    if (metadata) {
      acked++;
      const range = offsets.get(metadata.partition);
      if (!range) offsets.set(metadata.partition, { partition: metadata.partition, first: metadata.offset, last: metadata.offset, count: 1 });
      else {
        if (metadata.offset < range.first) range.first = metadata.offset;
        if (metadata.offset > range.last) range.last = metadata.offset;
        range.count++;
      }
    } else {
      failed++;
      const text = error?.message ?? 'failed';
      const seen = errors.get(text);
      if (seen !== undefined) errors.set(text, seen + 1);
      else if (errors.size < 5) errors.set(text, 1);
      if (options.stopOnFirstError && !stoppedBy) stoppedBy = 'error';
    }
    // The outcome object is built only for a listener that wants each record.
    onRecord?.record!(new Outcome(message.name, message.index, seq, topic, recordId, metadata, error, latencyMs, recordId === undefined ? undefined : producer));
    const w = wake;
    wake = undefined;
    w?.();
  };
  const submit = (record: ProducerRecord, seq: number): void => {
    if (++sendsSinceClock >= CLOCK_EVERY) {
      submitAt = clock.now();
      sendsSinceClock = 0;
    }
    const at = submitAt;
    const topic = record.topic;
    let handle: { recordId: string; result: Promise<RecordMetadata> };
    try {
      handle = producer.submit(record);
    } catch (e) {
      // Refused before it was queued (a bad record): a failure of this record, like a delivery error.
      const error = describeError(e);
      queueMicrotask(() => settle(seq, topic, undefined, undefined, error, 0));
      return;
    }
    const recordId = handle.recordId;
    handle.result.then(
      (metadata) => settle(seq, topic, recordId, metadata, undefined, Math.max(0, settleTime() - at)),
      (e) => settle(seq, topic, recordId, undefined, describeError(e), Math.max(0, settleTime() - at)),
    );
  };
  const waitForRoom = (limit: number) =>
    new Promise<void>((resolve) => {
      const check = () => (inFlight < limit ? resolve() : (wake = check));
      check();
    });

  try {
    outer: for await (const batch of message.batches(signal)) {
      sendsSinceClock = CLOCK_EVERY;
      for (const record of batch) {
        if (stoppedBy) break outer;
        if (signal?.aborted) {
          stoppedBy = 'cancel';
          break outer;
        }
        if (limiter) {
          await limiter.acquire(signal);
          sendsSinceClock = CLOCK_EVERY;
        }
        // When the window is full, wait for a quarter of it to drain rather than one record: fewer wake-ups.
        if (inFlight >= maxInFlight) {
          await waitForRoom(Math.max(1, maxInFlight - (maxInFlight >> 2)));
          sendsSinceClock = CLOCK_EVERY;
        }
        if (stoppedBy) break outer;
        if (signal?.aborted) {
          stoppedBy = 'cancel';
          break outer;
        }
        sent++;
        inFlight++;
        submit(record, sent - 1);
      }
    }
  } catch (e) {
    // A data-file line that cannot be read: the message stops there; what was sent is still reported.
    dataError = errorMessage(e);
    stoppedBy = 'data';
  }
  if (inFlight > 0) {
    await producer.flush().catch(() => undefined);
    await waitForRoom(1);
  }
  if (signal?.aborted && !stoppedBy) stoppedBy = 'cancel';
  latencies.sort((a, b) => a - b);
  return {
    index: message.index,
    name: message.name,
    topic: message.topic,
    sent,
    acked,
    failed,
    partitions: [...offsets.keys()].sort((a, b) => a - b),
    offsets: [...offsets.values()].sort((a, b) => a.partition - b.partition),
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    durationMs: clock.now() - started,
    acksZero: String(message.producer.acks) === '0' || undefined,
    errors: [...(dataError ? [dataError] : []), ...[...errors].map(([text, n]) => (n > 1 ? `${text} (${n.toLocaleString('en-US')} records)` : text))],
    stoppedBy,
    dataError,
  };
}

/** One record's outcome, for listeners; a class, so each is one plain object and no closures. */
class Outcome implements RecordOutcome {
  constructor(
    readonly messageName: string,
    readonly messageIndex: number,
    readonly seq: number,
    readonly topic: string,
    readonly recordId: string | undefined,
    readonly metadata: RecordMetadata | undefined,
    readonly error: RecordOutcome['error'],
    readonly latencyMs: number,
    private readonly producer: Producer | undefined,
  ) {}

  trace(): RecordTrace | undefined {
    return this.recordId === undefined || !this.producer ? undefined : this.producer.recordTrace(this.recordId);
  }
}

function describeError(e: unknown): RecordOutcome['error'] {
  const d = e as { errorName?: string; errorCode?: number; attempts?: number };
  return { message: errorMessage(e), name: d?.errorName, errorCode: d?.errorCode, attempts: d?.attempts };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Runs a collection's messages through the producer engine: every selected message is checked first (so a bad
 * template fails before anything is sent), then prepared and sent in order, respecting ratePerSecond, keeping a
 * bounded number of records in flight over the whole run (so data files stream with flat memory), stopping on the
 * first failure when asked, and reporting each record's outcome as it settles. Aggregates per message are all it
 * keeps.
 *
 * A message's records are handed over while those of the messages before it may still be in flight: waiting for
 * each message's acknowledgements before the next cost a round trip per message (a collection of 100,000
 * one-record messages took 40 times as long as one message with count 100,000). Order is kept where the producer
 * keeps it: on one producer, records go out in the order handed over; a message on another producer (other
 * settings) waits until the messages before it have settled, and so does every message when the run stops at the
 * first failure (so nothing after a failed message is sent). Summaries and messageEnd still come in message order.
 *
 * Memory stays flat in the number of messages: only each message's producer key is kept between the check and its
 * turn, a message in flight is one MessageSend (its counters), not its renderers, and summaries are kept only for a
 * caller that reads them at the end (keepSummaries).
 */
import { producerConfigKey } from '../kafka/rules/producer-defaults';
import path from 'node:path';
import { validateProducerConfig, type ProducerConfigInput } from '../engine/config';
import type { Producer, ProducerRecord, RecordMetadata, RecordTrace } from '../engine/types';
import type { SchemaRegistryClient } from '../schema-registry/client';
import { SchemaDeserializer } from '../schema-registry/deserializer';
import type { ConsumerTransport } from '../transport/consumer-transport';
import { systemClock, type Clock } from '../util/clock';
import { InvalidInputError, errorMessage } from '../util/errors';
import { Latencies } from '../util/latency-histogram';
import { TransactionError } from '../engine/errors';
import { ExpectationWatch, SentRecords, type CompiledExpectation, type ExpectationResult } from './expectations';
import type { ProducerSettings, TransactionSpec, Variables } from './model';
import { InOrder } from './in-order';
import { GENERATED_BATCH } from './message-records';
import {
  MessagePreparer,
  type LoadedCollection,
  type LoadedEnvironment,
  type MessagePlan,
  type PreparedMessage,
} from './prepare';
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
  /** One per "expect" entry, when the run could read the cluster (RunOptions.consumerTransport). */
  expectations?: ExpectationResult[];
}

export interface RunSummary {
  collection: string;
  filePath: string;
  /** Every message's summary, in order; empty when the run was asked not to keep them (RunOptions.keepSummaries). */
  messages: MessageSummary[];
  sent: number;
  acked: number;
  failed: number;
  durationMs: number;
  cancelled: boolean;
  /** true only if every record of every selected message was acknowledged, every expectation met, and nothing stopped the run. */
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
  /** The index of its first message in the run (and in its summaries). */
  from: number;
}

/** What a run's messages write to and read, known once they are checked: for checks before anything is sent. */
export interface RunTargets {
  /** The messages' topics, each once (a topic that varies per record as its template). */
  topics: string[];
  /** The data files they read, each once. */
  dataFiles: string[];
}

export interface RunListener {
  messageStart?(message: MessagePlan): void;
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
  /** Reads the topics of messages' "expect" entries; without it expectations are not checked. */
  consumerTransport?: ConsumerTransport;
  /** Close the producers at the end (default true). false when the caller keeps them for later. */
  closeProducers?: boolean;
  /**
   * Keep every message's summary for RunSummary.messages (default true). A caller that reports each message as it
   * ends (listener.messageEnd) can say false, so memory stays flat however many messages run: keeping 100,000 of them
   * took a tenth of such a run's time. A run with a transaction keeps them anyway: its end tells which messages it
   * held.
   */
  keepSummaries?: boolean;
  clock?: Clock;
  signal?: AbortSignal;
  /** Stop the run after the first record that fails (default false: send everything, report failures). */
  stopOnFirstError?: boolean;
  /** Records handed to the producer but not yet settled, at most (default 5,000). */
  maxInFlight?: number;
  listener?: RunListener;
  /**
   * Called once every message is checked (names, templates, settings and data files) and before anything is sent:
   * the CLI checks the cluster and opens its report file here, so bad input fails first and costs nothing.
   */
  beforeSend?(targets: RunTargets): Promise<void>;
}

export async function runCollection(options: RunOptions): Promise<RunSummary> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const engine = new TemplateEngine({ seed: options.seed, clock, secrets: options.secrets });
  const preparer = new MessagePreparer(
    engine,
    options.loaded,
    options.environment,
    options.variables ?? {},
    options.schemaRegistry,
  );
  // Expectations match keys and values in Confluent's wire format decoded; schemas are fetched once per run.
  const deserializer = options.schemaRegistry ? new SchemaDeserializer(options.schemaRegistry) : undefined;
  // Everything is checked first (names, templates, settings, data files): a problem anywhere stops the run before
  // any record is sent. Of each message only its producer's key is kept; it is prepared again at its turn, so a
  // collection of 100,000 messages never holds 100,000 plans or sets of renderers at once (keeping the plans took
  // most of the check's time).
  const selected = preparer.select(options.messages ?? []);
  const settingsKeys: string[] = [];
  const topics = new Set<string>();
  const dataFiles = new Set<string>();
  const checkedSettings = new Set<string>();
  // Messages without settings of their own share one settings object: its key is worked out once.
  let lastSettings: ProducerSettings | undefined;
  let lastKey = '';
  let anyTransaction = false;
  // A transaction (the collection's, or a message's) is a producer with transactional.id: part of the settings.
  const runTransaction = options.loaded.collection.transaction;
  const transactionOf = (plan: MessagePlan): TransactionSpec | undefined =>
    options.loaded.collection.messages[plan.index]?.transaction ?? runTransaction;
  for (const index of selected) {
    const checking = preparer.checkNow(index);
    const plan = checking instanceof Promise ? await checking : checking;
    if (plan.producer !== lastSettings) {
      lastSettings = plan.producer;
      lastKey = producerConfigKey(plan.producer);
      if (!checkedSettings.has(lastKey)) {
        checkProducerSettings(plan, options.loaded);
        checkedSettings.add(lastKey);
      }
    }
    topics.add(plan.topic);
    if (plan.dataFile) dataFiles.add(plan.dataFile);
    const spec = transactionOf(plan);
    if (spec) anyTransaction = true;
    settingsKeys.push(spec ? `${lastKey}\u0000${spec.id}` : lastKey);
  }
  if (runTransaction) checkOneProducer(selected, settingsKeys, options.loaded);
  await options.beforeSend?.({ topics: [...topics], dataFiles: [...dataFiles] });

  const producers = new Map<string, Producer>();
  const transactions: TransactionSummary[] = [];
  let open: OpenTransaction | undefined;
  const summaries: MessageSummary[] = [];
  const keepSummaries = options.keepSummaries !== false || anyTransaction;
  // Added up as messages end, whether or not their summaries are kept.
  const totals = { ended: 0, sent: 0, acked: 0, failed: 0, expectationsMet: true };
  const state: RunState = {
    window: new InFlightWindow(Math.max(1, options.maxInFlight ?? 5000)),
    failed: false,
    clock: new BurstClock(clock),
  };
  let stop: MessageSummary['stoppedBy'];
  let inputError: InvalidInputError | undefined;
  const reports = new InOrder<MessageSummary>((summary) => {
    totals.ended++;
    totals.sent += summary.sent;
    totals.acked += summary.acked;
    totals.failed += summary.failed;
    if (summary.expectations?.some((e) => !e.passed)) totals.expectationsMet = false;
    if (keepSummaries) summaries.push(summary);
    options.listener?.messageEnd?.(summary);
  });
  let previous: Producer | undefined;
  /** Sends what `previous` holds now rather than after linger.ms, and waits until every message handed over has ended. */
  const settleAll = async () => {
    await Promise.all([previous?.flush().catch(() => undefined), reports.allDone()]);
  };
  try {
    for (let i = 0; i < selected.length; i++) {
      if (stop || state.failed || options.signal?.aborted) break;
      // Prepared before its turn is reserved: a message that no longer prepares (its data file gone) stops the run
      // with nothing of it left waiting.
      const ready = preparer.prepareNow(selected[i]);
      const plan = ready instanceof Promise ? await ready : ready;
      const key = settingsKeys[i];
      const spec = transactionOf(plan);
      let producer = producers.get(key);
      if (!producer) {
        producer = await options.producerFor(spec ? { ...plan.producer, 'transactional.id': spec.id } : plan.producer);
        producers.set(key, producer);
      }
      // Records of two producers may overtake each other: the earlier messages settle first. Stopping at the first
      // failure means no message starts before the ones before it are known to have gone through.
      if (previous && (producer !== previous || options.stopOnFirstError)) {
        await settleAll();
        if (state.failed) break;
      }
      previous = producer;
      if (spec) {
        // Producers may outlive a run (VS Code keeps them per settings): initialized once.
        if (producer.transactionState === 'uninitialized') await producer.initTransactions();
        if (!open) {
          producer.beginTransaction();
          const scope = spec === runTransaction ? 'run' : 'message';
          open = {
            spec,
            producer,
            from: i,
            summary: {
              id: spec.id,
              scope,
              messages: [],
              records: 0,
              outcome: 'failed',
              abortRequested: spec.abort === true,
              markers: [],
            },
          };
        }
      }
      // Each message in flight holds its state until its last record is acknowledged: with thousands of one-record
      // messages open at once, that state outlives young-generation collections and piles up as old garbage.
      if (reports.open >= MAX_OPEN_MESSAGES) {
        // Nothing more is handed over until messages end: what the producer holds goes now, not after linger.ms.
        previous?.sendNow();
        await reports.fewerOpenThan(MAX_OPEN_MESSAGES - (MAX_OPEN_MESSAGES >> 2));
      }
      options.listener?.messageStart?.(plan);
      const slot = reports.reserve();
      // Where the expected topics end is noted before anything is sent: only records written after count.
      const watch =
        plan.expectations.length && options.consumerTransport
          ? await ExpectationWatch.start(options.consumerTransport, plan.expectations, clock, deserializer)
          : undefined;
      const sentRecords = watch ? new SentRecords() : undefined;
      const onEnd = summaryTo(
        reports,
        slot,
        watch && { watch, sent: sentRecords!, of: plan.expectations },
        options.signal,
      );
      const send = new MessageSend(plan, producer, options, state, onEnd, sentRecords);
      const handing = send.handOver(plan);
      const sending = handing instanceof Promise ? await handing : handing;
      if (sending.stoppedBy) stop = sending.stoppedBy;
      if (sending.stoppedBy === 'data' && sending.dataError) inputError = new InvalidInputError(sending.dataError);
      if (open && open.summary.scope === 'message') {
        // A message's own transaction ends once its records settled.
        await settleAll();
        transactions.push(
          await endTransaction(
            open,
            summaries.slice(open.from),
            sending.stoppedBy !== undefined || options.signal?.aborted === true,
          ),
        );
        open = undefined;
      }
    }
    await settleAll();
    if (open)
      transactions.push(
        await endTransaction(
          open,
          summaries.slice(open.from),
          stop !== undefined || state.failed || options.signal?.aborted === true,
        ),
      );
  } finally {
    // On an exception too: every record handed over settles before the producers close.
    await reports.allDone().catch(() => undefined);
    if (options.closeProducers !== false) await Promise.allSettled([...producers.values()].map((p) => p.close()));
  }
  const { sent, acked, failed } = totals;
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
    ok:
      !cancelled &&
      !stop &&
      failed === 0 &&
      acked === sent &&
      totals.ended === selected.length &&
      totals.expectationsMet &&
      transactions.every((t) => t.outcome !== 'failed' && !t.abortedBecause),
    inputError,
    notRun: selected.slice(totals.ended).map((index) => options.loaded.collection.messages[index].name),
    transactions,
  };
}

/** A collection's transaction is one producer's: every message must have the same producer settings. */
function checkOneProducer(
  selected: readonly number[],
  settingsKeys: readonly string[],
  loaded: LoadedCollection,
): void {
  const messages = loaded.collection.messages;
  const first = messages[selected[0]];
  const at = settingsKeys.findIndex((key) => key !== settingsKeys[0]);
  const other = at < 0 ? undefined : messages[selected[at]];
  if (first && other) {
    throw new InvalidInputError(
      `${path.basename(loaded.filePath)}: the collection's "transaction" sends the whole run with one producer, but message "${other.name}" has producer settings that differ from "${first.name}"'s; give every message the same "producer" settings, or put a "transaction" on each message instead`,
    );
  }
}

/**
 * Commits the transaction, or aborts it when asked ("abort": true), when a record failed (a transaction commits all
 * of its records or none) or when the run stopped. A producer that cannot end it (fenced) makes it `failed`.
 */
async function endTransaction(
  open: OpenTransaction,
  messages: MessageSummary[],
  stopped: boolean,
): Promise<TransactionSummary> {
  const t = open.summary;
  const failed = messages.reduce((n, m) => n + m.failed, 0);
  t.records = messages.reduce((n, m) => n + m.sent, 0);
  t.messages = messages.map((m) => m.name);
  const because = stopped
    ? 'the run stopped before the end'
    : failed
      ? `${failed} record(s) failed, and a transaction commits all of its records or none`
      : undefined;
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
function checkProducerSettings(message: MessagePlan, loaded: LoadedCollection): void {
  try {
    validateProducerConfig(message.producer as ProducerConfigInput);
  } catch (e) {
    throw new InvalidInputError(
      `${path.basename(loaded.filePath)}: message "${message.name}" producer settings: ${errorMessage(e)}`,
    );
  }
}

/** A message's expectations being watched, and the records it sent for them to correlate with. */
interface Watched {
  watch: ExpectationWatch;
  sent: SentRecords;
  of: readonly CompiledExpectation[];
}

/**
 * Where a message's summary goes once its records settled: on to the run in order, after its expectations' results
 * when it has some. Made here rather than in the run's loop, so the closure holds only what it names: a closure made
 * there held the loop's prepared message, and so every open message's renderers, until the message ended.
 */
function summaryTo(
  reports: InOrder<MessageSummary>,
  slot: number,
  watched: Watched | undefined,
  signal: AbortSignal | undefined,
): (summary: MessageSummary) => void {
  if (!watched) return (summary) => reports.done(slot, summary);
  return (summary) => void withExpectations(summary, watched, signal).then((s) => reports.done(slot, s));
}

/** The summary with its expectations' results: waited for once its records settled (only if some were acknowledged). */
async function withExpectations(
  summary: MessageSummary,
  { watch, sent, of }: Watched,
  signal?: AbortSignal,
): Promise<MessageSummary> {
  let expectations: ExpectationResult[];
  try {
    expectations =
      summary.acked > 0
        ? await watch.finish(sent, signal)
        : notChecked(of, 'not checked: no record of the message was acknowledged');
  } catch (e) {
    expectations = notChecked(of, `not checked: ${errorMessage(e)}`);
  }
  return { ...summary, expectations };
}

function notChecked(expectations: readonly CompiledExpectation[], reason: string): ExpectationResult[] {
  return expectations.map((e) => ({
    name: e.name,
    index: e.index,
    topic: e.spec.topic,
    passed: false,
    durationMs: 0,
    reason,
    seen: 0,
    mismatches: [],
  }));
}

/** Sends in a row that share one clock reading for their latency start (a few hundred microseconds of sends). */
const CLOCK_EVERY = 64;

/** What the messages of one run share: the bound on records in flight, whether a failure stops the run, the clock. */
/** Messages handed over and not yet summarized, at most; records in flight have their own limit (maxInFlight). */
const MAX_OPEN_MESSAGES = 1000;

interface RunState {
  window: InFlightWindow;
  /** A record failed and the run stops at the first failure: no message hands over another record. */
  failed: boolean;
  clock: BurstClock;
}

/** Records handed over and not yet settled, over all the run's messages; the message handing over waits for room. */
class InFlightWindow {
  count = 0;
  private wake: (() => void) | undefined;

  constructor(readonly limit: number) {}

  settled(): void {
    this.count--;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves once fewer than `below` records are in flight. One message hands over at a time: one waiter. */
  room(below: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => (this.count < below ? resolve() : (this.wake = check));
      check();
    });
  }
}

/**
 * The clock read once per burst of settlements (a batch's records settle together in one microtask run), not per
 * record: on some hosts each read is a system call, and it was a good part of the runner's cost per record.
 */
class BurstClock {
  private at: number | undefined;
  private readonly forget = () => (this.at = undefined);

  constructor(readonly clock: Clock) {}

  now(): number {
    if (this.at === undefined) {
      this.at = this.clock.now();
      queueMicrotask(this.forget);
    }
    return this.at;
  }
}

/** A message whose records have all been handed over (or that stopped); its summary comes later, to `onEnd`. */
interface HandedOver {
  stoppedBy: MessageSummary['stoppedBy'];
  dataError?: string;
}

const NOT_STOPPED: HandedOver = Object.freeze({ stoppedBy: undefined });

/**
 * One message being sent: hands its records to the producer (returning once the last is handed over, not when it
 * is acknowledged) and tallies their outcomes; once all have settled, its summary goes to `onEnd`. A class, so a
 * message in flight costs one object and its counters, not a set of closures: thousands are in flight at once.
 * It holds nothing of the message's renderers, which can go as soon as its records are handed over.
 */
class MessageSend {
  private readonly started: number;
  private readonly index: number;
  private readonly name: string;
  private readonly topic: string;
  private readonly acksZero: true | undefined;
  private readonly limiter: RateLimiter | undefined;
  private readonly onRecord: RunListener | undefined;
  private readonly latencies = new Latencies();
  /** Offset ranges: the first partition's here, the others in a map (most messages go to one partition). */
  private firstRange: PartitionOffsets | undefined;
  private moreRanges: Map<number, PartitionOffsets> | undefined;
  /** Distinct errors (at most 5) with how many records each failed: one refused topic should not print 10,000 lines. */
  private errors: Map<string, number> | undefined;
  private sent = 0;
  private acked = 0;
  private failed = 0;
  private inFlight = 0;
  private handingOver = true;
  private stoppedBy: MessageSummary['stoppedBy'];
  private dataError: string | undefined;
  private submitAt = 0;
  private sendsSinceClock = CLOCK_EVERY;

  constructor(
    message: MessagePlan,
    private readonly producer: Producer,
    private readonly options: RunOptions,
    private readonly state: RunState,
    private readonly onEnd: (summary: MessageSummary) => void,
    /** Collects keys and headers for the message's expectations to correlate with. */
    private readonly sentRecords?: SentRecords,
  ) {
    this.started = state.clock.clock.now();
    this.index = message.index;
    this.name = message.name;
    this.topic = message.topic;
    this.acksZero = String(message.producer.acks) === '0' || undefined;
    this.limiter = message.ratePerSecond ? new RateLimiter(message.ratePerSecond, state.clock.clock) : undefined;
    this.onRecord = options.listener?.record ? options.listener : undefined;
  }

  /**
   * Hands over every record of `message`; returns once the last is handed over or the message stopped. At once,
   * without a promise, when its records are one generated batch the window has room for (so most messages of a big
   * collection): awaiting each such message cost more than handing it over.
   */
  handOver(message: PreparedMessage): HandedOver | Promise<HandedOver> {
    const count = message.expectedRecords ?? 1;
    const window = this.state.window;
    if (!message.generate || this.limiter || count > GENERATED_BATCH || window.count + count > window.limit)
      return this.handOverInTurns(message);
    try {
      if (!this.stopping()) this.handReady(message.generate(0, count));
    } catch (e) {
      this.stopForData(e);
    }
    return this.handedOver();
  }

  /** handOver, waiting for the rate, the window or the data file between groups of records. */
  private async handOverInTurns(message: PreparedMessage): Promise<HandedOver> {
    try {
      if (message.generate) {
        const count = message.expectedRecords ?? 1;
        for (let from = 0; from < count; from += GENERATED_BATCH) {
          if (this.stopping()) break;
          if (!(await this.handBatch(message.generate(from, Math.min(count, from + GENERATED_BATCH))))) break;
        }
      } else {
        for await (const batch of message.batches(this.options.signal)) if (!(await this.handBatch(batch))) break;
      }
    } catch (e) {
      this.stopForData(e);
    }
    return this.handedOver();
  }

  /** A data-file line that cannot be read (or a record that cannot be made): the message stops there; what was sent is still reported. */
  private stopForData(e: unknown): void {
    this.dataError = errorMessage(e);
    this.stoppedBy = 'data';
  }

  private handedOver(): HandedOver {
    if (this.options.signal?.aborted && !this.stoppedBy) this.stoppedBy = 'cancel';
    this.handingOver = false;
    if (this.inFlight === 0) this.end();
    return this.stoppedBy ? { stoppedBy: this.stoppedBy, dataError: this.dataError } : NOT_STOPPED;
  }

  /** Records the window has room for, handed over now, until the message stops. */
  private handReady(batch: ProducerRecord[]): void {
    this.sendsSinceClock = CLOCK_EVERY;
    for (const record of batch) {
      if (this.stopping()) return;
      this.submit(record);
    }
  }

  /** Hands over a group of records, waiting for the rate and the window; false once the message stops. */
  private async handBatch(batch: ProducerRecord[]): Promise<boolean> {
    const window = this.state.window;
    this.sendsSinceClock = CLOCK_EVERY;
    for (const record of batch) {
      if (this.stopping()) return false;
      if (this.limiter) {
        await this.limiter.acquire(this.options.signal);
        this.sendsSinceClock = CLOCK_EVERY;
      }
      // When the window is full, wait for a quarter of it to drain rather than one record: fewer wake-ups.
      if (window.count >= window.limit) {
        this.producer.sendNow(); // nothing more until records settle: no point lingering
        await window.room(Math.max(1, window.limit - (window.limit >> 2)));
        this.sendsSinceClock = CLOCK_EVERY;
      }
      if (this.stopping()) return false;
      this.submit(record);
    }
    return true;
  }

  /** Whether to hand over no more: the run stops at a failure, or is cancelled. */
  private stopping(): boolean {
    if (this.state.failed) this.stoppedBy = 'error';
    else if (this.options.signal?.aborted) this.stoppedBy = 'cancel';
    return this.stoppedBy !== undefined;
  }

  /** Hands one record to the producer, counting it as sent and in flight (the message's and the run's window). */
  private submit(record: ProducerRecord): void {
    const seq = this.sent++;
    this.inFlight++;
    this.state.window.count++;
    // The clock is read once per stretch of sends, well within its millisecond resolution.
    if (++this.sendsSinceClock >= CLOCK_EVERY) {
      this.submitAt = this.state.clock.clock.now();
      this.sendsSinceClock = 0;
    }
    const at = this.submitAt;
    const recordTopic = record.topic;
    this.sentRecords?.add(record);
    // Java's send(record, callback): no promise per record. A record refused before it was queued (a bad record)
    // settles through the callback too, as a failure of this record.
    this.producer.produce(record, (error, metadata) => {
      const latencyMs = Math.max(0, this.state.clock.now() - at);
      if (error) this.settle(seq, recordTopic, error.recordId, undefined, describeError(error), latencyMs);
      else this.settle(seq, recordTopic, metadata!.recordId, metadata, undefined, latencyMs);
    });
  }

  private settle(
    seq: number,
    recordTopic: string,
    recordId: string | undefined,
    metadata: RecordMetadata | undefined,
    error: RecordOutcome['error'],
    latencyMs: number,
  ): void {
    this.inFlight--;
    this.latencies.record(latencyMs);
    if (metadata) {
      this.acked++;
      this.noteOffset(metadata.partition, metadata.offset);
    } else {
      this.failed++;
      const errors = (this.errors ??= new Map());
      const text = error?.message ?? 'failed';
      const seen = errors.get(text);
      if (seen !== undefined) errors.set(text, seen + 1);
      else if (errors.size < 5) errors.set(text, 1);
      if (this.options.stopOnFirstError) {
        // This message stopped the run, whether or not it had records left to hand over.
        this.state.failed = true;
        this.stoppedBy ??= 'error';
      }
    }
    // The outcome object is built only for a listener that wants each record.
    this.onRecord?.record!(
      new Outcome(
        this.name,
        this.index,
        seq,
        recordTopic,
        recordId,
        metadata,
        error,
        latencyMs,
        recordId === undefined ? undefined : this.producer,
      ),
    );
    this.state.window.settled();
    if (!this.handingOver && this.inFlight === 0) this.end();
  }

  private noteOffset(partition: number, offset: number): void {
    let range = this.firstRange?.partition === partition ? this.firstRange : this.moreRanges?.get(partition);
    if (!range) {
      range = { partition, first: offset, last: offset, count: 0 };
      if (!this.firstRange) this.firstRange = range;
      else (this.moreRanges ??= new Map()).set(partition, range);
    }
    if (offset < range.first) range.first = offset;
    if (offset > range.last) range.last = offset;
    range.count++;
  }

  private sortedRanges(first: PartitionOffsets): PartitionOffsets[] {
    return [first, ...this.moreRanges!.values()].sort((a, b) => a.partition - b.partition);
  }

  /** Every record handed over has settled: the summary. */
  private end(): void {
    // Most messages went to one partition without an error: no sorting, no list of errors made for them.
    const offsets = !this.firstRange ? [] : !this.moreRanges ? [this.firstRange] : this.sortedRanges(this.firstRange);
    const errors = !this.errors
      ? []
      : [...this.errors].map(([text, n]) => (n > 1 ? `${text} (${n.toLocaleString('en-US')} records)` : text));
    this.onEnd({
      index: this.index,
      name: this.name,
      topic: this.topic,
      sent: this.sent,
      acked: this.acked,
      failed: this.failed,
      partitions: offsets.map((o) => o.partition),
      offsets,
      latencyP50Ms: this.latencies.percentile(50),
      latencyP99Ms: this.latencies.percentile(99),
      durationMs: this.state.clock.clock.now() - this.started,
      acksZero: this.acksZero,
      errors: this.dataError ? [this.dataError, ...errors] : errors,
      stoppedBy: this.stoppedBy,
      dataError: this.dataError,
    });
  }
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

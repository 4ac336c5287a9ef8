/**
 * The transactional producer's manager (Java's TransactionManager with a transactional.id): the idempotent
 * bookkeeping it extends (producer id, sequences), plus the transaction's state machine below with checked
 * transitions, the coordinator, the partitions and groups in the open transaction, and the coordinator requests:
 * FindCoordinator, InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn.
 *
 * Rules, as Java's: records are sent only inside a transaction; a partition's first batch of a transaction waits
 * until AddPartitionsToTxn added it (`canDrain`); commit flushes every record first and sends EndTxn only when all
 * were acknowledged; any record that fails makes the transaction abortable (only abortTransaction is allowed);
 * INVALID_PRODUCER_EPOCH / PRODUCER_FENCED and a few others are fatal (the producer must be closed);
 * CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS and other retriable errors are retried after a backoff,
 * NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE after looking the coordinator up again. The producer id comes from
 * initTransactions() only (never asked by the sender on its own) and epoch bumps go through the coordinator.
 */
import { ErrorCode, errorMeaning, errorName, isRetriable } from '../kafka/protocol/errors';
import type { OffsetToCommit, TransactionIdentity, TransactionTransport } from '../transport/transport';
import type { Clock } from '../util/clock';
import { errorMessage } from '../util/errors';
import type { ProducerBatch } from './batch';
import { TransactionError } from './errors';
import { IdempotenceManager } from './idempotence';
import type { TraceEvent, TransactionState, TransactionStep, TransactionView } from './types';

export type { TransactionState } from './types';

/** Java's TransactionManager.State.isTransitionValid; fatal_error can be reached from every state. */
const TRANSITIONS: Record<TransactionState, readonly TransactionState[]> = {
  uninitialized: ['initializing'],
  initializing: ['ready'],
  ready: ['in_transaction', 'initializing'],
  in_transaction: ['committing_transaction', 'aborting_transaction', 'abortable_error'],
  committing_transaction: ['ready', 'abortable_error'],
  aborting_transaction: ['ready', 'initializing'],
  abortable_error: ['aborting_transaction', 'abortable_error'],
  fatal_error: [],
};

/** What an error code means for a coordinator request. */
type Outcome = 'ok' | 'retry' | 'find-coordinator' | 'fenced' | 'fatal' | 'abortable';

const FATAL_CODES = new Set<number>([
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
  53 /* TRANSACTIONAL_ID_AUTHORIZATION_FAILED */,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
]);

function outcomeOf(code: number): Outcome {
  if (code === ErrorCode.NONE) return 'ok';
  if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) return 'find-coordinator';
  if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) return 'fenced';
  if (FATAL_CODES.has(code)) return 'fatal';
  if (code === ErrorCode.CONCURRENT_TRANSACTIONS || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || isRetriable(code))
    return 'retry';
  return 'abortable';
}

/** The first error of a per-partition answer; OPERATION_NOT_ATTEMPTED only when nothing else went wrong. */
function worstCode(codes: number[]): number {
  return (
    codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED) ??
    codes.find((c) => c !== ErrorCode.NONE) ??
    ErrorCode.NONE
  );
}

const MAX_HISTORY = 50;
const MAX_RECORD_IDS = 1_000;
const MAX_EVENTS = 200;

export interface TransactionManagerOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  maxBlockMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  transport: TransactionTransport;
  clock: Clock;
  /** The sender has partitions to drain now (one was added to the transaction). */
  wakeSender: () => void;
  /** A fatal error: the producer fails every record still waiting. */
  onFatal: (error: TransactionError) => void;
  /** A trace event, on a batch (its records' traces) or the producer's cluster events. */
  trace: (batch: ProducerBatch | undefined, event: TraceEvent) => void;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

/** One transaction as the view shows it, with what the manager needs to run it. */
interface Transaction {
  view: TransactionView;
  /** `topic\u0000partition` -> added (true) or waiting for AddPartitionsToTxn (false). */
  partitions: Map<string, boolean>;
  /** AddPartitionsToTxn or AddOffsetsToTxn succeeded: the coordinator knows the transaction (EndTxn is needed). */
  started: boolean;
  /** Batches of it, for the trace's closing event (only when traced). */
  batches: ProducerBatch[];
  /** The AddPartitionsToTxn request on its way, if any. */
  adding: Promise<void> | undefined;
}

export class TransactionManager extends IdempotenceManager {
  private txnState: TransactionState = 'uninitialized';
  /** Why the transaction became abortable, or why the producer is fatally broken. */
  private lastError: TransactionError | undefined;
  private coordinator: { nodeId: number; address: string } | undefined;
  private current: Transaction | undefined;
  private readonly history: TransactionView[] = [];
  private counter = 0;
  private initPromise: Promise<void> | undefined;

  constructor(private readonly o: TransactionManagerOptions) {
    super();
    this.initReason = 'initTransactions()';
  }

  get transactionState(): TransactionState {
    return this.txnState;
  }

  get transactionalId(): string {
    return this.o.transactionalId;
  }

  private moveTxnTo(next: TransactionState): void {
    if (next !== 'fatal_error' && !TRANSITIONS[this.txnState].includes(next)) {
      throw new Error(`engine bug: a transaction cannot go from ${this.txnState} to ${next}`);
    }
    this.txnState = next;
    if (this.current) this.current.view.state = viewState(next, this.current.view.state);
  }

  // ---- what the idempotent bookkeeping does differently with transactions ----

  /** The producer id comes from initTransactions(), never from the sender on its own. */
  override get needsProducerId(): boolean {
    return false;
  }

  /** Epochs are bumped by the coordinator (InitProducerId after the abort), never locally. */
  override maybeBumpEpoch(): string | undefined {
    return undefined;
  }

  protected override producerFenced(reason: string): void {
    this.fatal(this.fencedError(reason));
  }

  /** A partition's batch goes only once AddPartitionsToTxn added the partition to the transaction. */
  override canDrain(batch: ProducerBatch): boolean {
    if (this.current?.partitions.get(`${batch.topic}\u0000${batch.partition}`) !== true) return false;
    return super.canDrain(batch);
  }

  override stamp(batch: ProducerBatch): void {
    const first = !batch.hasSequence;
    batch.isTransactional = true;
    super.stamp(batch);
    const t = this.current;
    if (first && t && batch.events) {
      t.batches.push(batch);
      this.o.trace(
        batch,
        this.event(
          'batch',
          `batch ${batch.id} (${batch.recordCount} record(s) to ${batch.topic}-${batch.partition}) is part of transaction ${t.view.number}`,
          batch.id,
        ),
      );
    }
  }

  // ---- the producer's questions ----

  /** Why a record cannot be sent now, or undefined when it can (Java's send() checks). */
  sendProblem(): { message: string; errorName: string } | undefined {
    switch (this.txnState) {
      case 'in_transaction':
        return undefined;
      case 'uninitialized':
      case 'initializing':
        return {
          errorName: 'TRANSACTION_STATE',
          message: `The transactional producer '${this.o.transactionalId}' has not been initialized: call initTransactions() once, then beginTransaction() before sending.`,
        };
      case 'ready':
        return {
          errorName: 'TRANSACTION_STATE',
          message: `No transaction is open: call beginTransaction() before sending with transactional.id '${this.o.transactionalId}'.`,
        };
      case 'committing_transaction':
      case 'aborting_transaction':
        return {
          errorName: 'TRANSACTION_STATE',
          message: `The transaction is being ${this.txnState === 'committing_transaction' ? 'committed' : 'aborted'}: wait for it to finish and begin a new one before sending.`,
        };
      case 'abortable_error':
        return {
          errorName: 'TRANSACTION_ABORTABLE',
          message: `The transaction cannot go on: ${this.lastError?.message} Call abortTransaction(), then begin a new transaction.`,
        };
      case 'fatal_error':
        return {
          errorName: this.lastError?.code ?? 'PRODUCER_FATAL',
          message: this.lastError?.message ?? 'The producer cannot send.',
        };
    }
  }

  /** A record was accepted into the open transaction. */
  recordSent(recordId: string): void {
    const v = this.current?.view;
    if (!v) return;
    v.records++;
    if (v.recordIds.length < MAX_RECORD_IDS) v.recordIds.push(recordId);
  }

  /** A record of the transaction failed: the transaction can only be aborted now (Java's maybeTransitionToErrorState). */
  recordFailed(recordId: string, message: string, count: number): void {
    const t = this.current;
    if (
      !t ||
      (this.txnState !== 'in_transaction' &&
        this.txnState !== 'committing_transaction' &&
        this.txnState !== 'abortable_error')
    )
      return;
    t.view.failedRecords += count;
    if (this.txnState === 'abortable_error') return;
    this.abortable(
      new TransactionError(
        `Record ${recordId} of transaction ${t.view.number} failed: ${message}`,
        'TRANSACTION_ABORTABLE',
      ),
    );
  }

  /** The partition is written in this transaction: AddPartitionsToTxn goes before its first batch. */
  maybeAddPartition(topic: string, partition: number): void {
    const t = this.current;
    // While committing too: a record sent before the commit may have waited for metadata to learn its partition.
    if (!t || (this.txnState !== 'in_transaction' && this.txnState !== 'committing_transaction')) return;
    const key = `${topic}\u0000${partition}`;
    if (t.partitions.has(key)) return;
    t.partitions.set(key, false);
    t.view.partitions.push({ topic, partition, addedAt: null });
    // Partitions of the records of this turn go in one request.
    if (!t.adding) t.adding = Promise.resolve().then(() => this.addPartitions(t));
  }

  // ---- the API (called by KafkaProducer) ----

  initTransactions(): Promise<void> {
    if (this.txnState === 'fatal_error') return Promise.reject(this.lastError);
    if (this.txnState === 'initializing') {
      // A call that timed out is repeated: it goes on where it stopped, as Java's does.
      this.initPromise ??= this.initProducerId('initTransactions()').finally(() => (this.initPromise = undefined));
      return this.initPromise;
    }
    if (this.txnState !== 'uninitialized') {
      return Promise.reject(
        new TransactionError(
          `initTransactions() was called already (the producer is ${describeState(this.txnState)}); call it once per producer.`,
          'TRANSACTION_STATE',
        ),
      );
    }
    this.moveTxnTo('initializing');
    this.initPromise = this.initProducerId('initTransactions()').finally(() => (this.initPromise = undefined));
    return this.initPromise;
  }

  beginTransaction(): void {
    this.throwIfFatal();
    if (this.txnState !== 'ready') {
      const hint =
        this.txnState === 'uninitialized' || this.txnState === 'initializing'
          ? 'call initTransactions() first (and wait for it)'
          : this.txnState === 'abortable_error'
            ? 'the open transaction failed: call abortTransaction() first'
            : 'commit or abort the open transaction first';
      throw new TransactionError(
        `Cannot begin a transaction while the producer is ${describeState(this.txnState)}: ${hint}.`,
        'TRANSACTION_STATE',
      );
    }
    this.moveTxnTo('in_transaction');
    const now = this.o.clock.now();
    const view: TransactionView = {
      transactionalId: this.o.transactionalId,
      number: ++this.counter,
      state: 'open',
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      coordinator: this.coordinator ? { ...this.coordinator } : null,
      startedAt: now,
      endedAt: null,
      partitions: [],
      groups: [],
      records: 0,
      failedRecords: 0,
      recordIds: [],
      markers: [],
      outcome: null,
      error: null,
      events: [],
    };
    this.current = { view, partitions: new Map(), started: false, batches: [], adding: undefined };
    this.history.push(view);
    if (this.history.length > MAX_HISTORY) this.history.shift();
    this.note(
      'begin',
      `transaction ${view.number} of '${this.o.transactionalId}' begins (producer id ${this.producerId}, epoch ${this.producerEpoch})`,
    );
  }

  async sendOffsetsToTransaction(offsets: OffsetToCommit[], groupId: string): Promise<void> {
    this.throwIfFatal();
    const t = this.current;
    if (this.txnState !== 'in_transaction' || !t) {
      if (this.txnState === 'abortable_error') throw this.abortableAgain();
      throw new TransactionError(
        `Cannot send offsets while the producer is ${describeState(this.txnState)}: call beginTransaction() first.`,
        'TRANSACTION_STATE',
      );
    }
    if (!groupId)
      throw new TransactionError(
        'sendOffsetsToTransaction needs the consumer group id whose offsets these are.',
        'INVALID_INPUT',
      );
    const view = { groupId, offsets: offsets.length, committed: false };
    t.view.groups.push(view);
    await this.coordinatorCall(`AddOffsetsToTxn(${groupId})`, async (nodeId, id) => ({
      code: await this.o.transport.addOffsetsToTxn(nodeId, id, groupId),
    }));
    t.started = true;
    this.note('add-offsets', `group '${groupId}' added to the transaction`);
    // TxnOffsetCommit goes to the group's coordinator, not the transaction's.
    let group: { nodeId: number; address: string } | undefined;
    await this.retrying(`TxnOffsetCommit(${groupId})`, async (id) => {
      if (!group) {
        const found = await this.o.transport.findCoordinator('group', groupId);
        if (found.errorCode !== ErrorCode.NONE) return { code: found.errorCode };
        group = { nodeId: found.nodeId, address: found.address };
      }
      const code = worstCode(
        (await this.o.transport.txnOffsetCommit(group.nodeId, id, groupId, offsets)).map((r) => r.errorCode),
      );
      if (outcomeOf(code) === 'find-coordinator') group = undefined;
      return { code };
    });
    view.committed = true;
    this.note(
      'offsets',
      `${offsets.length} offset(s) of group '${groupId}' sent with the transaction; they are committed with it`,
    );
  }

  /** Commits: `flush` settles every record first; EndTxn(commit) goes only if all were acknowledged. */
  async commitTransaction(flush: () => Promise<void>): Promise<void> {
    this.throwIfFatal();
    if (this.txnState === 'abortable_error') throw this.abortableAgain();
    if (this.txnState !== 'committing_transaction') {
      if (this.txnState !== 'in_transaction') {
        throw new TransactionError(
          `Cannot commit while the producer is ${describeState(this.txnState)}: ${this.txnState === 'ready' ? 'no transaction is open' : 'call initTransactions() and beginTransaction() first'}.`,
          'TRANSACTION_STATE',
        );
      }
      this.moveTxnTo('committing_transaction');
    }
    const t = this.current!;
    this.note('committing', `committing: waiting for the transaction's ${t.view.records} record(s) to be acknowledged`);
    await flush();
    await t.adding;
    this.throwIfFatal();
    if ((this.txnState as TransactionState) === 'abortable_error') throw this.abortableAgain();
    if (t.started) await this.endTxn(t, true);
    this.finish(t, 'committed');
    this.moveTxnTo('ready');
  }

  /** Aborts: `abortUnsent` fails the records not sent yet, `flush` waits for those on their way, then EndTxn(abort). */
  async abortTransaction(abortUnsent: (reason: string) => void, flush: () => Promise<void>): Promise<void> {
    this.throwIfFatal();
    if (this.txnState !== 'aborting_transaction') {
      if (this.txnState !== 'in_transaction' && this.txnState !== 'abortable_error') {
        throw new TransactionError(
          `Cannot abort while the producer is ${describeState(this.txnState)}: no transaction is open.`,
          'TRANSACTION_STATE',
        );
      }
      this.moveTxnTo('aborting_transaction');
    }
    const t = this.current!;
    abortUnsent(`Transaction ${t.view.number} of '${this.o.transactionalId}' was aborted before this record was sent.`);
    await flush();
    await t.adding;
    this.throwIfFatal();
    if (t.started) await this.endTxn(t, false);
    this.finish(t, 'aborted');
    if (this.epochBumpRequired) {
      // A sequence went wrong in the aborted transaction: the partitions restart under a new epoch (KIP-360).
      this.moveTxnTo('initializing');
      await this.initProducerId('a sequence error in the aborted transaction');
      return;
    }
    this.moveTxnTo('ready');
  }

  /** The transactions so far (newest last), for the transaction view. */
  transactions(): TransactionView[] {
    return this.history.map((v) => ({
      ...v,
      partitions: v.partitions.map((p) => ({ ...p })),
      groups: v.groups.map((g) => ({ ...g })),
      recordIds: [...v.recordIds],
      markers: [...v.markers],
      events: [...v.events],
    }));
  }

  /** The producer is closing: an open transaction is left to the coordinator's timeout, as Java's close() does. */
  closing(): void {
    if (this.current && this.current.view.outcome === null && this.txnState !== 'fatal_error') {
      this.note(
        'closed',
        `the producer closed with transaction ${this.current.view.number} open: the coordinator aborts it after transaction.timeout.ms=${this.o.transactionTimeoutMs}`,
      );
    }
  }

  // ---- coordinator requests ----

  private async initProducerId(reason: string): Promise<void> {
    const r = await this.coordinatorCall(
      'InitProducerId',
      async (nodeId) => {
        this.beginInitProducerIdIfNeeded();
        const answer = await this.o.transport.initTransactionalProducerId(
          nodeId,
          this.o.transactionalId,
          this.o.transactionTimeoutMs,
        );
        return { code: answer.errorCode, value: answer };
      },
      false,
    );
    this.producerIdReceived(r.producerId, r.producerEpoch);
    this.o.trace(undefined, {
      type: 'producer-id',
      time: this.o.clock.now(),
      producerId: r.producerId,
      producerEpoch: r.producerEpoch,
      reason: `transactional.id '${this.o.transactionalId}': ${reason}`,
    });
    this.moveTxnTo('ready');
  }

  private beginInitProducerIdIfNeeded(): void {
    if (this.state === 'ready') this.resetProducerId('InitProducerId');
    if (this.state === 'uninitialized') this.beginInitProducerId();
  }

  private async addPartitions(t: Transaction): Promise<void> {
    try {
      for (;;) {
        const waiting = [...t.partitions].filter(([, added]) => !added).map(([key]) => key);
        if (waiting.length === 0 || this.current !== t || this.txnState === 'fatal_error') return;
        const partitions = waiting.map((key) => {
          const [topic, partition] = key.split('\u0000');
          return { topic, partition: Number(partition) };
        });
        const names = partitions.map((p) => `${p.topic}-${p.partition}`).join(', ');
        await this.coordinatorCall(`AddPartitionsToTxn(${names})`, async (nodeId, id) => ({
          code: worstCode((await this.o.transport.addPartitionsToTxn(nodeId, id, partitions)).map((r) => r.errorCode)),
        }));
        const now = this.o.clock.now();
        for (const key of waiting) t.partitions.set(key, true);
        for (const p of t.view.partitions)
          if (p.addedAt === null && waiting.includes(`${p.topic}\u0000${p.partition}`)) p.addedAt = now;
        t.started = true;
        this.note('add-partitions', `added ${names} to the transaction`);
        this.o.wakeSender();
      }
    } catch (e) {
      // Records waiting for these partitions fail through the abortable (or fatal) state.
      if (this.txnState === 'in_transaction' || this.txnState === 'committing_transaction') {
        this.abortable(
          e instanceof TransactionError
            ? e
            : new TransactionError(`AddPartitionsToTxn failed: ${errorMessage(e)}`, 'TRANSACTION_ABORTABLE', {
                cause: e,
              }),
        );
      }
    } finally {
      t.adding = undefined;
    }
  }

  private async endTxn(t: Transaction, committed: boolean): Promise<void> {
    const what = committed ? 'commit' : 'abort';
    this.note('end-txn', `EndTxn(${what}) sent to the coordinator`);
    await this.coordinatorCall(
      `EndTxn(${what})`,
      async (nodeId, id) => ({ code: await this.o.transport.endTxn(nodeId, id, committed) }),
      committed,
    );
    t.view.markers = t.view.partitions
      .filter((p) => p.addedAt !== null)
      .map((p) => ({ topic: p.topic, partition: p.partition, type: what }));
    for (const g of t.view.groups)
      if (committed && g.committed)
        this.note('offsets', `offsets of group '${g.groupId}' committed with the transaction`);
  }

  /**
   * A request to the transaction coordinator, found first (and again after NOT_COORDINATOR), retried on
   * retriable errors until max.block.ms. `abortableOnFailure`: an error that is neither fatal nor retriable makes
   * the transaction abortable (false for InitProducerId, where there is no transaction).
   */
  private async coordinatorCall<T = undefined>(
    what: string,
    run: (nodeId: number, id: TransactionIdentity) => Promise<{ code: number; value?: T }>,
    abortableOnFailure = true,
  ): Promise<T> {
    return this.retrying(
      what,
      async (id) => {
        if (!this.coordinator) {
          const found = await this.o.transport.findCoordinator('transaction', this.o.transactionalId);
          if (found.errorCode !== ErrorCode.NONE) return { code: found.errorCode };
          this.coordinator = { nodeId: found.nodeId, address: found.address };
          if (this.current) this.current.view.coordinator = { ...this.coordinator };
          this.note(
            'coordinator',
            `transaction coordinator of '${this.o.transactionalId}' is broker ${found.nodeId} (${found.address})`,
          );
        }
        const r = await run(this.coordinator.nodeId, id);
        if (outcomeOf(r.code) === 'find-coordinator') this.coordinator = undefined;
        return r;
      },
      abortableOnFailure,
    );
  }

  private async retrying<T>(
    what: string,
    attempt: (id: TransactionIdentity) => Promise<{ code: number; value?: T }>,
    abortableOnFailure = true,
  ): Promise<T> {
    const deadline = this.o.clock.now() + this.o.maxBlockMs;
    let lastProblem = '';
    for (let n = 1; ; n++) {
      let code: number | undefined;
      try {
        const r = await attempt({
          transactionalId: this.o.transactionalId,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
        });
        code = r.code;
        if (code === ErrorCode.NONE) return r.value as T;
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable)
          throw new TransactionError(`${what} failed: ${errorMessage(e)}`, 'CONNECTION_FAILED', { cause: e });
        this.coordinator = undefined;
        lastProblem = errorMessage(e);
      }
      if (code !== undefined) {
        const outcome = outcomeOf(code);
        const said = `${errorName(code)} (${code}): ${errorMeaning(code)}`;
        if (outcome === 'fenced') throw this.fatal(this.fencedError(`${what} answered ${errorName(code)}`));
        if (outcome === 'fatal' || (outcome === 'abortable' && !abortableOnFailure)) {
          throw this.fatal(
            new TransactionError(
              `${what} for transactional.id '${this.o.transactionalId}' failed with ${said} The producer cannot go on: close it and create a new one.`,
              'PRODUCER_FATAL',
            ),
          );
        }
        if (outcome === 'abortable') throw new TransactionError(`${what} failed with ${said}`, 'TRANSACTION_ABORTABLE');
        lastProblem = said;
      }
      const now = this.o.clock.now();
      if (now >= deadline) {
        throw new TransactionError(
          `${what} did not succeed within max.block.ms=${this.o.maxBlockMs} (${n} attempt(s)); last: ${lastProblem}. The call can be repeated.`,
          'TRANSACTION_TIMEOUT',
          { retriable: true },
        );
      }
      const delay = Math.min(this.backoffFor(code, n), deadline - now);
      this.note('retry', `${what}: ${lastProblem}; retrying in ${delay} ms`);
      await new Promise<void>((resolve) => this.o.clock.setTimeout(resolve, delay));
    }
  }

  /** Java retries CONCURRENT_TRANSACTIONS after 20 ms at first: the coordinator is finishing the last transaction. */
  private backoffFor(code: number | undefined, attempt: number): number {
    if (code === ErrorCode.CONCURRENT_TRANSACTIONS && attempt <= 3) return Math.min(20, this.o.retryBackoffMs || 20);
    return Math.min(this.o.retryBackoffMaxMs, this.o.retryBackoffMs * 2 ** (attempt - 1));
  }

  // ---- errors and endings ----

  private fencedError(what: string): TransactionError {
    const t = this.current;
    const openFor = t && t.view.outcome === null ? this.o.clock.now() - t.view.startedAt : -1;
    const why =
      openFor > this.o.transactionTimeoutMs
        ? `the transaction was open ${openFor} ms, longer than transaction.timeout.ms=${this.o.transactionTimeoutMs}, so the coordinator aborted it and bumped the epoch. Commit sooner or raise transaction.timeout.ms.`
        : `another producer with transactional.id '${this.o.transactionalId}' called initTransactions() and took over (a newer epoch). Only one producer may use a transactional id at a time.`;
    return new TransactionError(
      `Producer fenced (${what}): ${why} This producer cannot be used any more: close it and create a new one.`,
      'PRODUCER_FENCED',
    );
  }

  private fatal(error: TransactionError): TransactionError {
    if (this.txnState === 'fatal_error') return this.lastError ?? error;
    this.lastError = error;
    this.moveTxnTo('fatal_error');
    this.fail(error.message);
    this.o.onFatal(error);
    if (this.current && this.current.view.outcome === null) {
      this.current.view.error = error.message;
      this.note('error', error.message);
    }
    this.o.log('warn', error.message);
    return error;
  }

  private abortable(error: TransactionError): void {
    if (this.txnState === 'fatal_error') return;
    this.lastError = error;
    this.moveTxnTo('abortable_error');
    if (this.current) this.current.view.error = error.message;
    this.note('error', `${error.message} The transaction can only be aborted now.`);
  }

  private abortableAgain(): TransactionError {
    return new TransactionError(
      `Cannot commit: ${this.lastError?.message ?? 'a record of the transaction failed.'} Call abortTransaction(), then retry the records in a new transaction.`,
      'TRANSACTION_ABORTABLE',
    );
  }

  private throwIfFatal(): void {
    if (this.txnState === 'fatal_error')
      throw this.lastError ?? new TransactionError('The producer had a fatal error: close it.', 'PRODUCER_FATAL');
  }

  private finish(t: Transaction, outcome: 'committed' | 'aborted'): void {
    const now = this.o.clock.now();
    t.view.outcome = outcome;
    t.view.state = outcome;
    t.view.endedAt = now;
    const detail =
      outcome === 'committed'
        ? `transaction ${t.view.number} committed: markers written into ${t.view.markers.length} partition(s); read_committed consumers now see its ${t.view.records} record(s)`
        : `transaction ${t.view.number} aborted${t.view.markers.length ? `: abort markers written into ${t.view.markers.length} partition(s)` : ''}; read_committed consumers never see its records`;
    this.note(outcome, detail);
    for (const b of t.batches) this.o.trace(b, this.event(outcome, detail, b.id));
    t.batches.length = 0;
  }

  private event(step: TransactionStep, detail: string, batchId?: string): TraceEvent {
    return {
      type: 'transaction',
      batchId,
      time: this.o.clock.now(),
      transactionalId: this.o.transactionalId,
      transaction: this.current?.view.number ?? 0,
      step,
      detail,
    };
  }

  /** A step of the open transaction: in its view and in the producer's cluster trace. */
  private note(step: TransactionStep, detail: string): void {
    const e = this.event(step, detail);
    const v = this.current?.view;
    if (v) {
      v.events.push({ time: e.time, step, detail });
      if (v.events.length > MAX_EVENTS) v.events.splice(1, 1);
    }
    this.o.trace(undefined, e);
  }
}

function describeState(s: TransactionState): string {
  return {
    uninitialized: 'not initialized (initTransactions() not called)',
    initializing: 'initializing (initTransactions() has not finished)',
    ready: 'ready (no transaction open)',
    in_transaction: 'in a transaction',
    committing_transaction: 'committing a transaction',
    aborting_transaction: 'aborting a transaction',
    abortable_error: 'in a failed transaction that must be aborted',
    fatal_error: 'broken by a fatal error',
  }[s];
}

function viewState(s: TransactionState, previous: TransactionView['state']): TransactionView['state'] {
  if (s === 'committing_transaction') return 'committing';
  if (s === 'aborting_transaction') return 'aborting';
  if (s === 'abortable_error') return 'failed';
  if (s === 'fatal_error') return 'failed';
  return previous;
}

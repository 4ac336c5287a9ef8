/**
 * The producer (Java's KafkaProducer): `produce` validates and sizes a record, partitions it and appends it to the
 * accumulator, or lets it wait for metadata or buffer memory (up to max.block.ms); the Sender delivers batches; each
 * batch settles its own records. This class owns only what the caller sees: the records waiting to be placed, the
 * count of records not settled, flush and close, delivery listeners, the trace window and the stats.
 */
import { errorName } from '../kafka/protocol/errors';
import type { TopicInfo, Transport } from '../transport/transport';
import { systemClock, type Clock } from '../util/clock';
import { Emitter, type Disposable } from '../util/emitter';
import { errorMessage } from '../util/errors';
import { AppendResult, RecordAccumulator } from './accumulator';
import { ProducerBatch, type BatchSink } from './batch';
import { Blocked, composeRecord, RecordInput } from './record-input';
import type { ProducerConfig } from './config';
import { DeliveryError, TransactionError, type BatchFailure } from './errors';
import { IdempotenceManager } from './idempotence';
import { TransactionManager } from './transaction-manager';
import { isTransactionTransport, type OffsetToCommit } from '../transport/transport';
import { InvalidInputError } from '../util/errors';
import { MetadataCache } from './metadata';
import { Partitioner } from './partitioner';
import { ReasonCode, reasonFromFacts } from './reason';
import { Sender, type SenderListener } from './sender';
import { ProducerMetrics } from './metrics';
import { TraceStore } from './trace';
import { WaitingRecords, type PlaceResult } from './waiting-records';
import type {
  BatchTrace,
  DeliveryCallback,
  DeliveryReport,
  MetricsTimeline,
  Producer,
  ProducerRecord,
  ProducerStats,
  RecordMetadata,
  RecordTrace,
  TraceEvent,
  TransactionState,
  TransactionView,
} from './types';

export interface ProducerDependencies {
  transport: Transport;
  clock?: Clock;
  /** Source of randomness in [0, 1): retry jitter and the sticky partitioner's choice. */
  random?: () => number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /** How many records the trace window keeps (older ones are dropped, unless kept). Default 100,000. */
  traceCapacity?: number;
  /** false turns the trace off entirely (no window, no events). Default true. */
  tracing?: boolean;
}

let producerCount = 0;

export class KafkaProducer implements Producer, BatchSink, SenderListener {
  private readonly clock: Clock;
  private readonly logFn: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  private readonly tracing: boolean;
  private readonly traces: TraceStore | undefined;
  private readonly traceEmitter = new Emitter<TraceEvent>();
  private readonly deliveryEmitter = new Emitter<DeliveryReport>();
  private readonly metadata: MetadataCache;
  private readonly accumulator: RecordAccumulator;
  private readonly idempotence: IdempotenceManager | undefined;
  /** With transactional.id: the idempotence manager, grown into Java's TransactionManager. */
  private readonly transactionManager: TransactionManager | undefined;
  private readonly partitioner: Partitioner;
  private readonly sender: Sender;
  private readonly metrics = new ProducerMetrics();
  private readonly waiting = new WaitingRecords();
  private readonly idPrefix: string;
  /** Filled for each record on the fast path; a record that has to wait gets a copy of its own. */
  private readonly scratch = new RecordInput();
  private recordCounter = 0;
  private batchCounter = 0;
  /** Why the last metadata request failed (named when records give up waiting for metadata). */
  private lastMetadataError: string | undefined;
  private unsettled = 0;
  /** While more bytes than this are in unsettled batches, or more records unsettled, a bulk sender waits (hasRoom). */
  private readonly handOverBytes: number;
  private readonly handOverRecords: number;
  private idleWaiters: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];
  private closed = false;
  private waitTimerAt = Infinity;
  private cancelWaitTimer: (() => void) | undefined;
  readonly onTrace: (listener: (event: TraceEvent) => void) => Disposable;
  readonly onDelivery: (listener: (report: DeliveryReport) => void) => Disposable;

  constructor(
    readonly config: ProducerConfig,
    deps: ProducerDependencies,
  ) {
    this.clock = deps.clock ?? systemClock;
    const random = deps.random ?? Math.random;
    this.logFn = deps.log ?? (() => undefined);
    this.tracing = deps.tracing ?? true;
    this.idPrefix = `p${++producerCount}-`;
    this.traces = this.tracing
      ? new TraceStore(
          deps.traceCapacity ?? 100_000,
          (seq) => this.recordId(seq),
          (id) => this.seqOf(id),
        )
      : undefined;
    // An eighth of buffer.memory keeps every request slot fed; half the window keeps each trace until it settles.
    this.handOverBytes = Math.max(this.config.batchSize, this.config.bufferMemory / 8);
    this.handOverRecords = this.traces ? this.traces.capacity / 2 : Infinity;
    this.onTrace = (listener) => {
      const subscription = this.traceEmitter.event(listener);
      this.traceListened = this.tracing;
      return {
        dispose: () => {
          subscription.dispose();
          this.traceListened = this.tracing && this.traceEmitter.hasListeners;
        },
      };
    };
    this.onDelivery = this.deliveryEmitter.event;
    this.metadata = new MetadataCache(config.metadataMaxAgeMs, config.retryBackoffMs, config.retryBackoffMaxMs);
    if (config.transactionalId !== null) {
      const transport = deps.transport;
      if (!isTransactionTransport(transport))
        throw new InvalidInputError('transactional.id is set but this connection cannot send transaction requests.');
      this.transactionManager = new TransactionManager({
        transactionalId: config.transactionalId,
        transactionTimeoutMs: config.transactionTimeoutMs,
        maxBlockMs: config.maxBlockMs,
        retryBackoffMs: config.retryBackoffMs,
        retryBackoffMaxMs: config.retryBackoffMaxMs,
        transport,
        clock: this.clock,
        wakeSender: () => this.sender.wakeup(0),
        onFatal: (error) => this.failEverythingWaiting(error),
        trace: (batch, event) => this.traceEvent(batch, event),
        log: this.logFn,
      });
    }
    this.idempotence = this.transactionManager ?? (config.enableIdempotence ? new IdempotenceManager() : undefined);
    this.accumulator = new RecordAccumulator({
      batchSize: config.batchSize,
      bufferMemory: config.bufferMemory,
      lingerMs: config.lingerMs,
      compression: config.compressionType,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      tracing: this.tracing,
      newBatchId: () => `${this.idPrefix}b${++this.batchCounter}`,
      sink: this,
    });
    this.partitioner = new Partitioner({ strategy: config.partitioner, failover: config.partitionerFailover, random });
    this.sender = new Sender(
      config,
      deps.transport,
      this.metadata,
      this.accumulator,
      this.idempotence,
      this.metrics,
      this,
      this.clock,
      random,
    );
  }

  /**
   * The clock, read at most once per 64 sends within one turn of the event loop: reading the system clock costs more
   * than the rest of a send, and 64 sends take far less than its millisecond. A fake clock is read every time.
   */
  private now(): number {
    if (this.clock !== systemClock) return this.clock.now();
    if (this.nowReads-- > 0) return this.nowCached;
    if (this.nowReads < -1) queueMicrotask(this.forgetNow); // first read of this turn
    this.nowReads = 63;
    this.nowCached = Date.now();
    return this.nowCached;
  }

  private nowCached = 0;
  private nowReads = -2;
  private readonly forgetNow = (): void => {
    this.nowReads = -2;
  };

  /** The topic's metadata if it can be used to place records; the last answer is kept while the metadata is the same. */
  private topicFor(name: string): TopicInfo | undefined {
    if (name === this.lastTopicName && this.metadata.version === this.lastTopicVersion) return this.lastTopic;
    this.lastTopic = this.metadata.usableTopic(name);
    this.lastTopicName = name;
    this.lastTopicVersion = this.metadata.version;
    return this.lastTopic;
  }

  private lastTopicName = '';
  private lastTopicVersion = -1;
  private lastTopic: TopicInfo | undefined;

  /** Trace events are built only for someone listening (kept as a field: it is asked several times per send). */
  private traceListened = false;

  recordId(seq: number): string {
    return `${this.idPrefix}r${seq}`;
  }

  private seqOf(recordId: string): number {
    if (!recordId.startsWith(this.idPrefix) || recordId[this.idPrefix.length] !== 'r') return -1;
    const seq = Number(recordId.slice(this.idPrefix.length + 1));
    return Number.isSafeInteger(seq) && seq > 0 ? seq : -1;
  }

  // ---- sending ----

  send(record: ProducerRecord, callback?: DeliveryCallback): Promise<RecordMetadata> {
    return this.submitWith(record, callback).result;
  }

  submit(record: ProducerRecord): { recordId: string; result: Promise<RecordMetadata> } {
    return this.submitWith(record, undefined);
  }

  private submitWith(
    record: ProducerRecord,
    callback: DeliveryCallback | undefined,
  ): { recordId: string; result: Promise<RecordMetadata> } {
    let resolve!: (m: RecordMetadata) => void;
    let reject!: (e: DeliveryError) => void;
    const result = new Promise<RecordMetadata>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Fire-and-forget users need not handle the promise: a failure reaches the callback, the trace and the log,
    // never an unhandled rejection. Awaiting callers still get the rejection.
    result.catch(noop);
    const seq = this.produce(record, (error, metadata) => {
      if (error) reject(error);
      else resolve(metadata!);
      if (callback) callback(error, metadata);
    });
    return { recordId: this.recordId(seq), result };
  }

  produce(record: ProducerRecord, callback?: DeliveryCallback): number {
    const now = this.now();
    const seq = ++this.recordCounter;
    const r = this.scratch;
    r.seq = seq;
    r.composedAt = now;
    r.callback = callback;
    if (this.unsettled++ === 0) this.metrics.started(now);
    const invalid = composeRecord(r, record, now, this.config);
    if (invalid === undefined) this.metrics.recordSize(r.sizeUpperBound);
    if (this.traceListened) this.emitComposed(r);
    if (invalid !== undefined) {
      this.failAlone(this.own(r), { message: invalid, errorName: 'INVALID_RECORD', retriable: false }, now);
    } else if (this.closed) {
      this.failAlone(
        this.own(r),
        {
          message: 'The producer is closed: create a new producer to send more records.',
          errorName: 'PRODUCER_CLOSED',
          retriable: false,
        },
        now,
      );
    } else if (this.transactionManager !== undefined && this.refusedByTransaction(r, now)) {
      // failed: not in an open transaction
    } else if (this.idempotence?.state === 'fatal') {
      this.failAlone(
        this.own(r),
        {
          message: `The producer cannot send: ${this.idempotence.fatalError}`,
          errorName: 'PRODUCER_FATAL',
          retriable: false,
        },
        now,
      );
    } else if (this.waiting.topicWaits(r.topic)) {
      this.park(this.own(r), Blocked.Metadata, now);
    } else if (this.waiting.waitingForMemory) {
      this.park(this.own(r), Blocked.Memory, now);
    } else {
      const placed = this.place(r, now);
      if (placed !== 'placed')
        this.park(this.own(r), placed === 'wait-memory' ? Blocked.Memory : Blocked.Metadata, now);
    }
    r.key = r.value = null;
    r.headers = undefined;
    r.callback = undefined;
    return seq;
  }

  /** A transactional producer sends only inside an open transaction; true when the record was failed for that. */
  private refusedByTransaction(r: RecordInput, now: number): boolean {
    const problem = this.transactionManager!.sendProblem();
    if (problem === undefined) {
      this.transactionManager!.recordSent(this.recordId(r.seq));
      return false;
    }
    this.failAlone(this.own(r), { message: problem.message, errorName: problem.errorName, retriable: false }, now);
    return true;
  }

  /** A copy of the scratch record that can outlive this call (to wait, or to stand for a failed record). */
  private own(r: RecordInput): RecordInput {
    if (r !== this.scratch) return r;
    const copy = new RecordInput();
    copy.copyFrom(r);
    return copy;
  }

  /** Partitions and appends; says what to wait for when it cannot yet. Fails the record when it can never go. */
  private place(r: RecordInput, now: number): PlaceResult {
    if (r.partition < 0) {
      const topic = this.topicFor(r.topic);
      if (!topic) {
        this.metadata.wanted.add(r.topic);
        this.metadata.requestUpdate(`topic ${r.topic} not in metadata`);
        this.sender.wakeup(0);
        const info = this.metadata.topicInfo(r.topic);
        if (info && info.errorCode !== 0 && !isRetriableTopicError(info.errorCode)) {
          this.failAlone(
            this.own(r),
            {
              message: `Topic ${r.topic} cannot be written: ${errorName(info.errorCode)} (${info.errorCode}) in the metadata response.`,
              errorCode: info.errorCode,
              errorName: errorName(info.errorCode),
              retriable: false,
            },
            now,
          );
          return 'placed';
        }
        return 'wait-metadata';
      }
      const numPartitions = topic.partitions.length;
      if (r.explicitPartition >= 0) {
        if (r.explicitPartition >= numPartitions) {
          this.failAlone(
            this.own(r),
            {
              message: `Partition ${r.explicitPartition} does not exist: topic ${r.topic} has ${numPartitions} partition(s), 0..${numPartitions - 1}. Pick one of those or leave the partition out.`,
              errorName: 'INVALID_PARTITION',
              retriable: false,
            },
            now,
          );
          return 'placed';
        }
        r.partition = r.explicitPartition;
        r.reasonCode = ReasonCode.Explicit;
        r.numPartitions = numPartitions;
      } else {
        this.partitioner.partition(r, numPartitions, this.metadata);
      }
      r.placedAt = now;
      if (this.traceListened) {
        this.traceEmitter.fire({
          type: 'partitioned',
          recordId: this.recordId(r.seq),
          time: now,
          topic: r.topic,
          partition: r.partition,
          reason: reasonFromFacts(r.reasonCode, r.numPartitions, r.hash, r.aux),
        });
      }
    }
    let result = this.accumulator.append(r, now, this.partitioner.stayedSticky(r));
    if (result === AppendResult.AbortedForNewBatch) {
      // The sticky batch is full or sent: the keyless records move on to another partition.
      this.partitioner.switchSticky(r, this.metadata);
      result = this.accumulator.append(r, now);
    }
    if (result === AppendResult.NoMemory) return 'wait-memory';
    const batch = this.accumulator.lastBatch!;
    const index = batch.recordCount - 1;
    this.traces?.recordAppended(r.seq, batch, index);
    if (result !== AppendResult.Appended) {
      // A transaction's first batch to a partition: AddPartitionsToTxn goes before it.
      this.transactionManager?.maybeAddPartition(batch.topic, batch.partition);
      if (this.traceListened) {
        this.traceEmitter.fire({
          type: 'batch-created',
          batchId: batch.id,
          time: now,
          topic: batch.topic,
          partition: batch.partition,
          capacityBytes: batch.reservedBytes,
        });
      }
      // Java's sender.wakeup(): a full batch goes now; a lone new one after linger.ms.
      this.sender.wakeup(result === AppendResult.NewBatchAfterFull ? 0 : this.config.lingerMs);
    }
    if (this.traceListened) {
      this.traceEmitter.fire({
        type: 'appended',
        recordId: this.recordId(r.seq),
        time: now,
        batchId: batch.id,
        offsetDelta: index,
        newBatch: index === 0,
      });
    }
    return 'placed';
  }

  private park(r: RecordInput, reason: Blocked.Metadata | Blocked.Memory, now: number): void {
    if (this.waiting.park(r, reason, now, this.config.maxBlockMs) && this.traceListened) {
      this.traceEmitter.fire({
        type: 'blocked',
        recordId: this.recordId(r.seq),
        time: now,
        reason: reason === Blocked.Metadata ? 'metadata' : 'buffer-memory',
      });
    }
    this.traces?.recordAlone(r);
    if (reason === Blocked.Memory && !this.accumulator.memoryWanted) {
      this.accumulator.memoryWanted = true;
      this.metrics.waitingForMemory(true, now);
    }
    this.sender.wakeup(0);
    this.scheduleWaitCheck(r.blockDeadline);
  }

  /** Places waiting records whose wait is over, in order; fails those past max.block.ms. */
  private processWaiting(now: number): void {
    if (this.waiting.size === 0) return;
    const next = this.waiting.process(
      now,
      (r) => this.place(r, now),
      (r, waitedFor) => this.failBlocked(r, waitedFor, now),
    );
    this.accumulator.memoryWanted = this.waiting.waitingForMemory;
    this.metrics.waitingForMemory(this.accumulator.memoryWanted, now);
    if (next < Infinity) this.scheduleWaitCheck(next);
    if (this.waiting.size === 0) this.wakeRoomWaiters();
  }

  /** Looks at the waiting records again at `at` (their max.block.ms deadline). */
  private scheduleWaitCheck(at: number): void {
    if (at >= this.waitTimerAt) return;
    this.cancelWaitTimer?.();
    this.waitTimerAt = at;
    this.cancelWaitTimer = this.clock.setTimeout(
      () => {
        this.waitTimerAt = Infinity;
        this.cancelWaitTimer = undefined;
        this.processWaiting(this.clock.now());
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private failBlocked(r: RecordInput, waitedFor: Blocked, now: number): void {
    const memory = waitedFor === Blocked.Memory;
    const what = memory
      ? `buffer.memory (${this.config.bufferMemory} bytes) stayed full`
      : this.lastMetadataError !== undefined
        ? `no metadata for topic ${r.topic}: the last metadata request failed (${this.lastMetadataError})`
        : `topic ${r.topic} was not in the cluster metadata${r.explicitPartition >= 0 ? ` (partition ${r.explicitPartition})` : ''}`;
    this.failAlone(
      r,
      {
        message: `Gave up after max.block.ms=${this.config.maxBlockMs}: ${what}. ${memory ? 'Send slower, or raise buffer.memory.' : 'Check the topic name, create the topic, or enable auto-creation.'}`,
        errorName: memory ? 'BUFFER_EXHAUSTED' : 'METADATA_TIMEOUT',
        retriable: true,
      },
      now,
    );
  }

  /** Fails a record that never joined a batch; it settles here (callback, report, trace). */
  private failAlone(r: RecordInput, failure: BatchFailure, now: number): void {
    const error = new DeliveryError(failure.message, {
      recordId: this.recordId(r.seq),
      topic: r.topic,
      partition: r.partition >= 0 ? r.partition : undefined,
      errorCode: failure.errorCode,
      errorName: failure.errorName,
      attempts: 0,
      retriable: failure.retriable,
      cause: failure.cause,
    });
    r.error = error;
    r.failedAt = now;
    if (this.transactionManager !== undefined && taintsTransaction(failure.errorName))
      this.transactionManager.recordFailed(error.recordId, failure.message, 1);
    this.traces?.recordAlone(r);
    this.logFn('debug', `record ${error.recordId} failed: ${failure.message}`);
    const callback = r.callback;
    r.callback = undefined;
    if (callback) this.call(callback, error);
    this.unsettled--;
    if (this.traceListened) {
      this.traceEmitter.fire({
        type: 'failed',
        recordId: error.recordId,
        time: now,
        error: error.message,
        errorName: error.errorName,
        errorCode: error.errorCode,
        attempts: 0,
      });
    }
    const report = new AloneReport(r, error);
    this.metrics.settled(report);
    if (this.deliveryEmitter.hasListeners) this.deliveryEmitter.fire(report);
    if (this.unsettled === 0) this.checkIdle();
  }

  private call(cb: DeliveryCallback, error: DeliveryError | null, metadata?: RecordMetadata): void {
    try {
      cb(error, metadata);
    } catch (e) {
      this.callbackFailed(e);
    }
  }

  private emitComposed(r: RecordInput): void {
    this.traceEmitter.fire({
      type: 'composed',
      recordId: this.recordId(r.seq),
      time: r.composedAt,
      topic: r.topic,
      keySize: r.keySize,
      valueSize: r.valueSize,
      headerCount: r.headerCount,
      explicitPartition: r.explicitPartition >= 0 ? r.explicitPartition : undefined,
    });
  }

  // ---- BatchSink: a batch settled its records ----

  batchSettled(batch: ProducerBatch): void {
    const n = batch.recordCount;
    this.unsettled -= n;
    const ok = batch.state === 'done';
    this.metrics.settled(batch);
    if (this.traceListened) {
      for (let i = 0; i < n; i++) {
        const t = this.traces?.recordTrace(this.recordId(batch.recordSeq(i)));
        const last = t?.events[t.events.length - 1];
        if (last && (last.type === 'acked' || last.type === 'failed')) this.traceEmitter.fire(last);
      }
    }
    if (this.deliveryEmitter.hasListeners) this.deliveryEmitter.fire(batch);
    if (!ok) this.logFn('debug', `batch ${batch.id} (${n} record(s)) failed: ${batch.error?.message}`);
    if (!ok && this.transactionManager !== undefined && taintsTransaction(batch.error?.errorName)) {
      this.transactionManager.recordFailed(this.recordId(batch.recordSeq(0)), batch.error?.message ?? 'failed', n);
    }
    if (this.unsettled === 0) this.checkIdle();
  }

  callbackFailed(error: unknown): void {
    this.logFn('error', `send callback threw: ${errorMessage(error)}`);
  }

  // ---- SenderListener ----

  get hasWaitingRecords(): boolean {
    return this.waiting.size > 0;
  }

  metadataChanged(now: number, failure?: { error: unknown; final: boolean }): void {
    if (!failure) {
      this.lastMetadataError = undefined;
      this.processWaiting(now);
      return;
    }
    this.lastMetadataError = errorMessage(failure.error);
    if (!failure.final) return;
    // A refused login or TLS failure will not fix itself: fail the records waiting for metadata now.
    const f: BatchFailure = {
      message: `Cannot reach the cluster: ${errorMessage(failure.error)}`,
      errorName: 'CONNECTION_FAILED',
      retriable: false,
      cause: failure.error,
    };
    this.waiting.failAllForMetadata((r) => this.failAlone(r, f, now));
    if (this.waiting.size === 0) this.wakeRoomWaiters();
  }

  batchesSettled(now: number): void {
    this.processWaiting(now);
    if (this.hasRoom) this.wakeRoomWaiters();
  }

  traceEvent(batch: ProducerBatch | undefined, event: TraceEvent): void {
    if (!this.tracing) return;
    if (batch) batch.events?.push(event);
    else this.traces!.addCluster(event);
    if (this.traceListened) this.traceEmitter.fire(event);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void {
    this.logFn(level, msg);
  }

  // ---- back-pressure, flush and close ----

  get hasRoom(): boolean {
    return (
      this.waiting.size === 0 &&
      this.unsettled < this.handOverRecords &&
      this.accumulator.usedMemory <= this.handOverBytes
    );
  }

  waitForRoom(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private wakeRoomWaiters(): void {
    if (this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  get pendingRecords(): number {
    return this.unsettled;
  }

  private checkIdle(): void {
    if (this.unsettled > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private whenIdle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  sendNow(): void {
    this.accumulator.sendNow(this.clock.now());
    this.sender.wakeup(0);
  }

  async flush(): Promise<void> {
    this.accumulator.beginFlush();
    this.sender.wakeup(0);
    try {
      await this.whenIdle();
    } finally {
      this.accumulator.endFlush();
    }
  }

  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.transactionManager?.closing();
      this.accumulator.close();
      this.sender.wakeup(0);
    }
    const timeoutMs = options.timeoutMs ?? Infinity;
    if (this.unsettled > 0) {
      let cancel: (() => void) | undefined;
      const timedOut = await Promise.race([
        this.whenIdle().then(() => false),
        new Promise<boolean>((resolve) => {
          if (timeoutMs !== Infinity) cancel = this.clock.setTimeout(() => resolve(true), Math.max(0, timeoutMs));
        }),
      ]);
      cancel?.();
      if (timedOut) this.abortAll(timeoutMs);
    }
    this.sender.stop();
    this.cancelWaitTimer?.();
    this.cancelWaitTimer = undefined;
    this.waitTimerAt = Infinity;
    this.wakeRoomWaiters();
    try {
      await this.sender.closeTransport();
    } catch (e) {
      this.logFn('warn', `closing the transport failed: ${errorMessage(e)}`);
    }
  }

  abortUnsent(reason = 'The send was cancelled before this record was sent.'): number {
    return this.failUnsent({ message: reason, errorName: 'CANCELLED', retriable: false });
  }

  private failUnsent(failure: BatchFailure): number {
    const now = this.clock.now();
    let records = 0;
    this.waiting.failAll((r) => {
      records++;
      this.failAlone(r, failure, now);
    });
    this.accumulator.memoryWanted = false;
    this.metrics.waitingForMemory(false, now);
    records += this.accumulator.abortUnsent(failure, now);
    this.wakeRoomWaiters();
    if (records > 0) this.batchesSettled(now);
    return records;
  }

  /** A transactional producer's fatal error (fenced, say): every record not sent yet fails with it. */
  private failEverythingWaiting(error: TransactionError): void {
    const now = this.clock.now();
    const failure: BatchFailure = { message: error.message, errorName: error.code, retriable: false };
    this.waiting.failAll((r) => this.failAlone(r, failure, now));
    this.accumulator.memoryWanted = false;
    this.accumulator.abortAll(failure, now);
    this.wakeRoomWaiters();
    this.batchesSettled(now);
  }

  // ---- transactions (Java's KafkaProducer transactional API) ----

  private txn(call: string): TransactionManager {
    if (!this.transactionManager)
      throw new TransactionError(
        `${call} needs a transactional producer: set transactional.id in the producer config.`,
        'TRANSACTION_STATE',
      );
    return this.transactionManager;
  }

  /** Gets the producer id and epoch for transactional.id from its coordinator, fencing older producers with the id. */
  async initTransactions(): Promise<void> {
    await this.txn('initTransactions()').initTransactions();
  }

  get transactionState(): TransactionState | undefined {
    return this.transactionManager?.transactionState;
  }

  beginTransaction(): void {
    this.txn('beginTransaction()').beginTransaction();
  }

  /** Adds a consumer group's offsets to the open transaction: they are committed if and only if it commits. */
  async sendOffsetsToTransaction(offsets: OffsetToCommit[], groupId: string): Promise<void> {
    await this.txn('sendOffsetsToTransaction()').sendOffsetsToTransaction(offsets, groupId);
  }

  /** Flushes the transaction's records and commits it; rejects (the transaction must be aborted) if one failed. */
  async commitTransaction(): Promise<void> {
    await this.txn('commitTransaction()').commitTransaction(() => this.flush());
  }

  /** Fails the records not sent yet, waits for those on their way, and aborts the transaction. */
  async abortTransaction(): Promise<void> {
    await this.txn('abortTransaction()').abortTransaction(
      (reason) => void this.failUnsent({ message: reason, errorName: 'TRANSACTION_ABORTED', retriable: false }),
      () => this.flush(),
    );
  }

  /** The transactions of this producer so far, newest last (empty without transactional.id). */
  transactions(): TransactionView[] {
    return this.transactionManager?.transactions() ?? [];
  }

  /** close() timed out: every record still pending fails, saying whether it was ever sent (late answers are ignored). */
  private abortAll(timeoutMs: number): void {
    const now = this.clock.now();
    const failure: BatchFailure = {
      message: `The producer was closed before this record was delivered (close timeout ${timeoutMs} ms).`,
      errorName: 'PRODUCER_CLOSED',
      retriable: false,
    };
    const neverSent: BatchFailure = { ...failure, message: `${failure.message} It was never sent.` };
    this.waiting.failAll((r) => this.failAlone(r, neverSent, now));
    this.accumulator.abortAll(neverSent, now);
    this.sender.abortInFlight(failure, now);
    this.wakeRoomWaiters();
  }

  // ---- trace and stats ----

  recordTrace(recordId: string): RecordTrace | undefined {
    return this.traces?.recordTrace(recordId);
  }

  keepTrace(recordId: string): boolean {
    return this.traces?.keep(recordId) ?? false;
  }

  batchTrace(batchId: string): BatchTrace | undefined {
    return this.traces?.batchTrace(batchId);
  }

  exportTraces(filter?: { recordIds?: string[] }): object {
    return this.traces
      ? this.traces.export(filter)
      : { version: 1, records: [], batches: [], cluster: [], tracing: false };
  }

  stats(): ProducerStats {
    const now = this.clock.now();
    const metadataAge = this.metadata.lastRefreshMs > -Infinity ? now - this.metadata.lastRefreshMs : 0;
    return this.metrics.snapshot(
      now,
      this.accumulator.availableMemory,
      this.accumulator.totalMemory,
      this.sender.requestsInFlight,
      metadataAge,
    );
  }

  timeline(): MetricsTimeline {
    return this.metrics.timeline();
  }
}

/** The report of one record that failed before it joined a batch. */
class AloneReport implements DeliveryReport {
  readonly recordCount = 1;
  readonly batchId = undefined;
  readonly attempts = 0;

  constructor(
    private readonly r: RecordInput,
    readonly error: DeliveryError,
  ) {}

  get topic(): string {
    return this.r.topic;
  }

  get partition(): number {
    return this.r.partition;
  }

  get settledAt(): number {
    return this.r.failedAt;
  }

  recordSeq(): number {
    return this.r.seq;
  }

  recordSentAt(): number {
    return this.r.composedAt;
  }

  offset(): number {
    return -1;
  }

  recordMetadata(): undefined {
    return undefined;
  }
}

function isRetriableTopicError(code: number): boolean {
  return code === 3 || code === 5; // UNKNOWN_TOPIC_OR_PARTITION (may be auto-created), LEADER_NOT_AVAILABLE
}

function noop(): void {}

/** Record failures that make a transaction abortable; not those of the transaction's own rules or its abort. */
function taintsTransaction(errorName: string | undefined): boolean {
  return (
    errorName !== 'TRANSACTION_STATE' &&
    errorName !== 'TRANSACTION_ABORTED' &&
    errorName !== 'TRANSACTION_ABORTABLE' &&
    errorName !== 'PRODUCER_FENCED' &&
    errorName !== 'PRODUCER_FATAL'
  );
}

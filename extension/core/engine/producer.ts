/**
 * The producer: send() composes, serializes, partitions and appends a record (or parks it while metadata or
 * buffer memory is missing, up to max.block.ms); the Sender delivers batches; every record's promise settles once.
 */
import { bodySizeFromSizes, payloadSize, upperBoundFromBodySize, RECORD_BATCH_OVERHEAD, type RecordHeader, type RecordPayload } from '../kafka/record-batch-encoder';
import { errorName } from '../kafka/error-codes';
import type { Transport } from '../transport/transport';
import { systemClock, type Clock } from '../util/clock';
import { Emitter, type Disposable } from '../util/emitter';
import { errorMessage } from '../util/errors';
import { RecordAccumulator } from './accumulator';
import { PendingRecord, type ProducerBatch } from './batch';
import type { ProducerConfig } from './config';
import { DeliveryError, type BatchFailure } from './errors';
import { MetadataCache } from './metadata';
import { Partitioner } from './partitioner';
import { Sender, type SenderHost } from './sender';
import { StatsRecorder } from './stats';
import { TraceStore, appendedEvent, blockedEvent, composedEvent, outcomeEvent, partitionedEvent } from './trace';
import type { BatchTrace, Producer, ProducerRecord, ProducerStats, RecordMetadata, RecordTrace, TraceEvent } from './types';

export interface ProducerDependencies {
  transport: Transport;
  clock?: Clock;
  /** Source of randomness in [0, 1): retry jitter and the sticky partitioner's choice. */
  random?: () => number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /** How many records the trace store keeps (oldest dropped). Default 100,000. */
  traceCapacity?: number;
  /** false turns the trace off entirely (no store, no events). Default true. */
  tracing?: boolean;
}

type PlaceResult = 'placed' | 'wait-metadata' | 'wait-memory';

let producerCount = 0;

export class KafkaProducer implements Producer, SenderHost {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logFn: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  private readonly tracing: boolean;
  private readonly traces: TraceStore | undefined;
  private readonly emitter = new Emitter<TraceEvent>();
  private readonly metadata: MetadataCache;
  private readonly accumulator: RecordAccumulator;
  private readonly partitioner: Partitioner;
  private readonly sender: Sender;
  private readonly statsRecorder = new StatsRecorder();
  private readonly idPrefix: string;
  private recordCounter = 0;
  private batchCounter = 0;
  /**
   * Records waiting for their topic's metadata, per topic in send order: a mistyped topic holds back only its own
   * records. Later records of a waiting topic queue behind it, as Java's blocked send would.
   */
  private readonly waitingForMetadata = new Map<string, FifoQueue<PendingRecord>>();
  /** Records waiting for buffer memory, first come first served. */
  private readonly waitingForMemory = new FifoQueue<PendingRecord>();
  /** Why the last metadata request failed (named when records give up waiting for metadata). */
  private lastMetadataError: string | undefined;
  private unsettled = 0;
  private idleWaiters: (() => void)[] = [];
  private flushCount = 0;
  private closed = false;
  private forced = false;
  private timerAt = Infinity;
  private cancelTimer: (() => void) | undefined;
  private readonly stickyMustSwitch: (partition: number) => boolean;
  private stickyRecord: PendingRecord | undefined;
  private readonly stickyBatches = new Map<string, ProducerBatch>();
  readonly onTrace: (listener: (event: TraceEvent) => void) => Disposable;

  constructor(
    readonly config: ProducerConfig,
    deps: ProducerDependencies,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.logFn = deps.log ?? (() => undefined);
    this.tracing = deps.tracing ?? true;
    this.idPrefix = `p${++producerCount}-`;
    this.traces = this.tracing ? new TraceStore(deps.traceCapacity ?? 100_000, this.idPrefix) : undefined;
    this.onTrace = this.emitter.event;
    this.metadata = new MetadataCache(config.metadataMaxAgeMs, config.retryBackoffMs, config.retryBackoffMaxMs);
    this.accumulator = new RecordAccumulator({
      batchSize: config.batchSize,
      bufferMemory: config.bufferMemory,
      compression: config.compressionType,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      tracing: this.tracing,
      newBatchId: () => `${this.idPrefix}b${++this.batchCounter}`,
    });
    this.partitioner = new Partitioner({ strategy: config.partitioner, failover: config.partitionerFailover, random: this.random });
    this.sender = new Sender(config, deps.transport, this.metadata, this.accumulator, this.statsRecorder, this, this.random);
    this.sender.setClock(() => this.clock.now());
    this.stickyMustSwitch = (partition: number) => {
      const r = this.stickyRecord!;
      const b = this.stickyBatches.get(r.topic);
      // Switch when the sticky batch is full (or this record would not fit in it), or it was sent.
      if (!b || b.partition !== partition) return false;
      return !b.hasRoomFor(r);
    };
  }

  // ---- SenderHost ----
  get flushing(): boolean {
    return this.flushCount > 0;
  }
  get closing(): boolean {
    return this.closed;
  }
  get closingForced(): boolean {
    return this.forced;
  }
  get memoryPressure(): boolean {
    return this.waitingForMemory.length > 0;
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void {
    this.logFn(level, msg);
  }

  batchEvent(batch: ProducerBatch | undefined, event: TraceEvent): void {
    if (!this.tracing) return;
    if (batch) batch.events!.push(event);
    else this.traces!.addGlobal(event);
    if (this.emitter.hasListeners) this.emitter.fire(event);
  }

  completeBatch(b: ProducerBatch, now: number): void {
    if (b.state === 'done') return;
    b.state = 'done';
    b.doneMs = now;
    this.accumulator.release(b);
    b.builder = undefined;
    b.encoded = undefined;
    const logAppend = b.logAppendTime !== -1 && b.logAppendTime !== undefined;
    for (const r of b.records) {
      const metadata: RecordMetadata = {
        recordId: r.id,
        batchId: b.id,
        topic: b.topic,
        partition: b.partition,
        offset: b.baseOffset >= 0 ? b.baseOffset + r.offsetDelta : -1,
        timestamp: logAppend ? b.logAppendTime : r.timestamp,
        timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
        serializedKeySize: r.keySize,
        serializedValueSize: r.valueSize,
        attempts: b.attempts,
        partitionReason: r.reason!,
      };
      r.acked = true;
      this.settle(r, null, metadata);
    }
    this.statsRecorder.recordsDone(b.recordCount, 0);
    this.forgetRecords(b);
    this.afterRelease(now);
  }

  failBatch(b: ProducerBatch, failure: BatchFailure, now: number): void {
    if (b.state === 'done') return;
    b.state = 'done';
    b.doneMs = now;
    this.accumulator.release(b);
    b.builder = undefined;
    b.encoded = undefined;
    for (const r of b.records) {
      this.failRecord(r, failure, now, b.partition, b.attempts);
    }
    this.statsRecorder.recordsDone(0, b.recordCount);
    this.forgetRecords(b);
    this.afterRelease(now);
  }

  /** A done batch keeps only its records' numbers, so the trace store does not hold the record objects. */
  private forgetRecords(b: ProducerBatch): void {
    const seqs = new Float64Array(b.records.length);
    for (let i = 0; i < seqs.length; i++) seqs[i] = b.records[i].seq;
    b.recordSeqs = seqs;
    b.records = [];
  }

  get recordsWaiting(): boolean {
    if (this.waitingForMemory.length > 0) return true;
    for (const q of this.waitingForMetadata.values()) if (q.length > 0) return true;
    return false;
  }

  metadataUpdated(now: number): void {
    this.lastMetadataError = undefined;
    this.processBlocked(now);
  }

  metadataFailed(error: unknown, retriable: boolean, now: number): void {
    this.lastMetadataError = errorMessage(error);
    if (retriable) return;
    // A refused login or TLS failure will not fix itself: fail the records waiting for metadata now.
    const failure: BatchFailure = { message: `Cannot reach the cluster: ${errorMessage(error)}`, errorName: 'CONNECTION_FAILED', retriable: false, cause: error };
    const queues = [...this.waitingForMetadata.values()];
    this.waitingForMetadata.clear();
    for (const q of queues) for (const r of q.drain()) this.failRecord(r, failure, now, undefined, 0);
  }

  wake(delayMs: number): void {
    this.schedule(delayMs);
  }

  // ---- public API ----
  send(record: ProducerRecord, callback?: (error: DeliveryError | null, metadata?: RecordMetadata) => void): Promise<RecordMetadata> {
    return this.enqueue(record, callback).result;
  }

  submit(record: ProducerRecord): { recordId: string; result: Promise<RecordMetadata> } {
    return this.enqueue(record, undefined);
  }

  private enqueue(record: ProducerRecord, callback: ((error: DeliveryError | null, metadata?: RecordMetadata) => void) | undefined): { recordId: string; result: Promise<RecordMetadata> } {
    const now = this.clock.now();
    const seq = ++this.recordCounter;
    const id = `${this.idPrefix}r${seq}`;
    let r: PendingRecord;
    let invalid: string | undefined;
    try {
      r = this.compose(id, record, now);
    } catch (e) {
      invalid = errorMessage(e);
      r = new PendingRecord(id, typeof record?.topic === 'string' ? record.topic : '', null, null, undefined, now, undefined, now, -1, -1, 0, 0, 0);
    }
    r.seq = seq;
    r.callback = callback;
    const result = new Promise<RecordMetadata>((resolve, reject) => {
      r.resolve = resolve;
      r.reject = reject;
    });
    r.result = result;
    this.unsettled++;
    this.statsRecorder.started(now);
    if (this.tracing) {
      this.traces!.addRecord(r);
      if (this.emitter.hasListeners) this.emitter.fire(composedEvent(r));
    }
    if (invalid !== undefined) {
      this.failRecord(r, { message: invalid, errorName: 'INVALID_RECORD', retriable: false }, now, undefined, 0);
    } else if (this.closed) {
      this.failRecord(r, { message: 'The producer is closed: create a new producer to send more records.', errorName: 'PRODUCER_CLOSED', retriable: false }, now, undefined, 0);
    } else if (this.waitingForMetadata.has(r.topic)) {
      this.park(r, 'metadata', now);
    } else if (this.waitingForMemory.length > 0) {
      this.park(r, 'buffer-memory', now);
    } else {
      const placed = this.place(r, now);
      if (placed !== 'placed') this.park(r, placed === 'wait-memory' ? 'buffer-memory' : 'metadata', now);
    }
    return { recordId: id, result };
  }

  /** Validates and serializes (string -> UTF-8) the record, and checks its size against max.request.size. */
  private compose(id: string, record: ProducerRecord, now: number): PendingRecord {
    if (record === null || typeof record !== 'object') throw new Error('Invalid record: expected an object with topic and value.');
    const { topic } = record;
    if (typeof topic !== 'string' || topic.length === 0) throw new Error('Invalid record: "topic" must be a non-empty string.');
    const key = toPayload(record.key, 'key');
    if (record.value === undefined) throw new Error('Invalid record: "value" is required (use null for a tombstone).');
    const value = toPayload(record.value, 'value');
    let headers: RecordHeader[] | undefined;
    if (record.headers !== undefined) {
      if (!Array.isArray(record.headers)) throw new Error('Invalid record: "headers" must be an array of {key, value}.');
      headers = record.headers.map((h, i) => {
        if (!h || typeof h.key !== 'string') throw new Error(`Invalid record: header ${i} needs a string "key".`);
        const v = toPayload(h.value, `header "${h.key}" value`);
        return { key: Buffer.from(h.key, 'utf8'), value: typeof v === 'string' ? Buffer.from(v, 'utf8') : v };
      });
    }
    const partition = record.partition;
    if (partition !== undefined && partition !== null && (!Number.isInteger(partition) || partition < 0)) {
      throw new Error(`Invalid record: "partition" must be a non-negative integer, got ${JSON.stringify(partition)}.`);
    }
    const timestamp = record.timestamp ?? now;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error(`Invalid record: "timestamp" must be milliseconds since the epoch, got ${JSON.stringify(record.timestamp)}.`);
    const keySize = payloadSize(key);
    const valueSize = payloadSize(value);
    const bodySize = bodySizeFromSizes(keySize, valueSize, headers);
    const upper = upperBoundFromBodySize(bodySize);
    const size = upper + RECORD_BATCH_OVERHEAD;
    if (size > this.config.maxRequestSize) {
      throw new Error(`Record too large: ${size} bytes serialized, more than max.request.size=${this.config.maxRequestSize}. Send a smaller value or raise max.request.size (and the topic's max.message.bytes).`);
    }
    if (size > this.config.bufferMemory) {
      throw new Error(`Record too large: ${size} bytes serialized, more than buffer.memory=${this.config.bufferMemory}.`);
    }
    return new PendingRecord(
      id, topic, key, value, headers, timestamp, partition ?? undefined, now,
      keySize, valueSize, headers?.length ?? 0, bodySize, upper,
    );
  }

  /** Parks a record until its topic's metadata or buffer memory is there (max.block.ms counts from its send). */
  private park(r: PendingRecord, reason: 'metadata' | 'buffer-memory', now: number): void {
    if (r.blockDeadline === 0) r.blockDeadline = r.composedAt + this.config.maxBlockMs;
    if (reason === 'metadata') {
      let q = this.waitingForMetadata.get(r.topic);
      if (!q) {
        q = new FifoQueue();
        this.waitingForMetadata.set(r.topic, q);
      }
      q.push(r);
    } else {
      this.waitingForMemory.push(r);
    }
    if (r.blockedReason === undefined) {
      // The trace shows the first thing the record waited for.
      r.blockedReason = reason;
      r.blockedAt = now;
      if (this.tracing && this.emitter.hasListeners) this.emitter.fire(blockedEvent(r));
    }
    this.schedule(reason === 'metadata' ? 0 : r.blockDeadline - now);
  }

  /** Partitions and appends; says what to wait for when it cannot yet. Fails the record when it can never go. */
  private place(r: PendingRecord, now: number): PlaceResult {
    if (r.partition < 0) {
      const topic = this.metadata.usableTopic(r.topic);
      if (!topic) {
        this.metadata.wanted.add(r.topic);
        this.metadata.requestUpdate(`topic ${r.topic} not in metadata`);
        const info = this.metadata.topicInfo(r.topic);
        if (info && info.errorCode !== 0 && !isRetriableTopicError(info.errorCode)) {
          this.failRecord(r, { message: `Topic ${r.topic} cannot be written: ${errorName(info.errorCode)} (${info.errorCode}) in the metadata response.`, errorCode: info.errorCode, errorName: errorName(info.errorCode), retriable: false }, now, undefined, 0);
          return 'placed';
        }
        return 'wait-metadata';
      }
      const numPartitions = topic.partitions.length;
      if (r.explicitPartition !== undefined) {
        if (r.explicitPartition >= numPartitions) {
          this.failRecord(r, {
            message: `Partition ${r.explicitPartition} does not exist: topic ${r.topic} has ${numPartitions} partition(s), 0..${numPartitions - 1}. Pick one of those or leave the partition out.`,
            errorName: 'INVALID_PARTITION', retriable: false,
          }, now, undefined, 0);
          return 'placed';
        }
        r.partition = r.explicitPartition;
        r.reason = { type: 'explicit', numPartitions };
      } else {
        this.stickyRecord = r;
        const keyBytes = typeof r.key === 'string' ? Buffer.from(r.key, 'utf8') : r.key;
        const d = this.partitioner.partition(r.topic, keyBytes, this.metadata, this.stickyMustSwitch);
        this.stickyRecord = undefined;
        r.partition = d.partition;
        r.reason = d.reason;
      }
      r.partitionedAt = now;
      if (this.tracing && this.emitter.hasListeners) this.emitter.fire(partitionedEvent(r));
    }
    const outcome = this.accumulator.append(r, r.partition, now);
    if (outcome === 'no-memory') return 'wait-memory';
    const batch = r.batch!;
    if (r.explicitPartition === undefined && (r.reason!.type === 'sticky' || (r.reason!.type === 'failover' && r.reason!.originalRule === 'sticky'))) {
      this.stickyBatches.set(r.topic, batch);
    }
    if (outcome === 'new-batch') {
      if (this.tracing) {
        this.traces!.addBatch(batch);
        this.batchEvent(batch, { type: 'batch-created', batchId: batch.id, time: now, topic: batch.topic, partition: batch.partition, capacityBytes: batch.reservedBytes });
      }
      this.schedule(this.config.lingerMs);
      const q = this.accumulator.queue(batch.topic, batch.partition);
      if (q.batches.length > 1) this.schedule(0); // the previous batch is now full
    }
    if (this.tracing && this.emitter.hasListeners) this.emitter.fire(appendedEvent(r));
    return 'placed';
  }

  /** Places parked records whose wait is over, in order; fails those past max.block.ms. */
  private processBlocked(now: number): void {
    let next = Infinity;
    // Memory first: these records came before any later parked for metadata of a topic now known.
    const memory = this.waitingForMemory;
    while (memory.length > 0) {
      const r = memory.peek()!;
      if (r.settled) {
        memory.shift();
        continue;
      }
      if (now >= r.blockDeadline) {
        memory.shift();
        this.failBlocked(r, 'wait-memory', now);
        continue;
      }
      if (this.waitingForMetadata.has(r.topic)) {
        // Its topic's earlier records still wait for metadata: keep per-topic order by queuing behind them.
        memory.shift();
        this.waitingForMetadata.get(r.topic)!.push(r);
        continue;
      }
      const placed = this.place(r, now);
      if (placed === 'placed') {
        memory.shift();
        continue;
      }
      if (placed === 'wait-metadata') {
        memory.shift();
        this.park(r, 'metadata', now);
        continue;
      }
      next = Math.min(next, r.blockDeadline);
      break;
    }
    for (const [topic, q] of this.waitingForMetadata) {
      while (q.length > 0) {
        const r = q.peek()!;
        if (r.settled) {
          q.shift();
          continue;
        }
        if (now >= r.blockDeadline) {
          q.shift();
          this.failBlocked(r, 'wait-metadata', now);
          continue;
        }
        const placed = this.memoryPressure ? 'wait-memory' : this.place(r, now);
        if (placed === 'placed') {
          q.shift();
          continue;
        }
        if (placed === 'wait-memory') {
          // The topic is known now; the rest of its records wait for memory, in order.
          while (q.length > 0) this.park(q.shift()!, 'buffer-memory', now);
          break;
        }
        next = Math.min(next, r.blockDeadline);
        break;
      }
      if (q.length === 0) this.waitingForMetadata.delete(topic);
    }
    if (next < Infinity) this.schedule(next - now);
  }

  private get parkedCount(): number {
    let n = this.waitingForMemory.length;
    for (const q of this.waitingForMetadata.values()) n += q.length;
    return n;
  }

  private failBlocked(r: PendingRecord, waitingFor: PlaceResult, now: number): void {
    const memory = waitingFor === 'wait-memory';
    const what = memory
      ? `buffer.memory (${this.config.bufferMemory} bytes) stayed full`
      : this.lastMetadataError !== undefined
        ? `no metadata for topic ${r.topic}: the last metadata request failed (${this.lastMetadataError})`
        : `topic ${r.topic} was not in the cluster metadata${r.explicitPartition !== undefined ? ` (partition ${r.explicitPartition})` : ''}`;
    this.failRecord(r, {
      message: `Gave up after max.block.ms=${this.config.maxBlockMs}: ${what}. ${memory ? 'Send slower, or raise buffer.memory.' : 'Check the topic name, create the topic, or enable auto-creation.'}`,
      errorName: memory ? 'BUFFER_EXHAUSTED' : 'METADATA_TIMEOUT',
      retriable: true,
    }, now, undefined, 0);
  }

  private afterRelease(now: number): void {
    if (this.waitingForMemory.length > 0) this.processBlocked(now);
    this.checkIdle();
  }

  private failRecord(r: PendingRecord, failure: BatchFailure, now: number, partition: number | undefined, attempts: number): void {
    if (r.settled) return;
    const error = new DeliveryError(failure.message, {
      recordId: r.id,
      topic: r.topic,
      partition: partition ?? (r.partition >= 0 ? r.partition : undefined),
      errorCode: failure.errorCode,
      errorName: failure.errorName,
      attempts,
      retriable: failure.retriable,
      cause: failure.cause,
    });
    r.error = error;
    r.failedAt = now;
    if (!r.batch) this.statsRecorder.recordsDone(0, 1);
    this.logFn('debug', `record ${r.id} failed: ${failure.message}`);
    this.settle(r, error, undefined);
  }

  /** The only place a record's promise and callback are settled; a second call does nothing. */
  private settle(r: PendingRecord, error: DeliveryError | null, metadata: RecordMetadata | undefined): void {
    if (r.settled) return;
    r.settled = true;
    this.unsettled--;
    const { resolve, reject, callback, result } = r;
    r.resolve = r.reject = r.callback = undefined;
    r.result = undefined;
    r.key = r.value = null;
    r.headers = undefined;
    if (this.tracing) {
      if (this.emitter.hasListeners) {
        const e = outcomeEvent(r);
        if (e) this.emitter.fire(e);
      }
      this.traces!.recordSettled(r);
    }
    if (error) {
      // Fire-and-forget and callback users need not handle the promise: a failure reaches the callback, the trace
      // and the log, never an unhandled rejection. Awaiting callers still get the rejection.
      result!.catch(noop);
      reject!(error);
    } else {
      resolve!(metadata!);
    }
    if (callback) {
      try {
        callback(error, metadata);
      } catch (e) {
        this.logFn('error', `send callback threw: ${errorMessage(e)}`);
      }
    }
    if (this.unsettled === 0) this.checkIdle();
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

  async flush(): Promise<void> {
    this.flushCount++;
    this.schedule(0);
    try {
      await this.whenIdle();
    } finally {
      this.flushCount--;
    }
  }

  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.schedule(0);
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
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
    try {
      await this.sender.closeTransport();
    } catch (e) {
      this.logFn('warn', `closing the transport failed: ${errorMessage(e)}`);
    }
  }

  /** close() timed out: every record still pending fails with a clear error (late answers are then ignored). */
  private abortAll(timeoutMs: number): void {
    this.forced = true;
    const now = this.clock.now();
    const failure: BatchFailure = {
      message: `The producer was closed before this record was delivered (close timeout ${timeoutMs} ms).`,
      errorName: 'PRODUCER_CLOSED',
      retriable: false,
    };
    for (const r of this.waitingForMemory.drain()) this.failRecord(r, failure, now, undefined, 0);
    for (const q of this.waitingForMetadata.values()) for (const r of q.drain()) this.failRecord(r, failure, now, undefined, 0);
    this.waitingForMetadata.clear();
    for (const q of this.accumulator.queues.values()) {
      for (const b of q.batches) this.failBatch(b, failure, now);
      q.batches.length = 0;
    }
    for (const b of this.sender.inFlightBatches()) this.failBatch(b, failure, now);
  }

  // ---- scheduling ----
  /** Runs the sender after `delayMs`, unless a run is already due sooner. */
  private schedule(delayMs: number): void {
    if (this.sender.stopped) return;
    const at = this.clock.now() + Math.max(0, delayMs);
    if (at >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.setTimeout(() => this.run(), Math.max(0, delayMs));
  }

  private run(): void {
    this.timerAt = Infinity;
    this.cancelTimer = undefined;
    const now = this.clock.now();
    if (this.parkedCount > 0) this.processBlocked(now);
    let next: number;
    try {
      next = this.sender.runOnce(now);
    } catch (e) {
      this.logFn('error', `sender step failed: ${errorMessage(e)}`);
      next = now + this.config.retryBackoffMs;
    }
    if (next < Infinity) this.schedule(next - now);
  }

  // ---- trace and stats ----
  recordTrace(recordId: string): RecordTrace | undefined {
    return this.traces?.recordTrace(recordId);
  }

  batchTrace(batchId: string): BatchTrace | undefined {
    return this.traces?.batchTrace(batchId);
  }

  exportTraces(filter?: { recordIds?: string[] }): object {
    return this.traces ? this.traces.export(filter) : { version: 1, records: [], batches: [], cluster: [], tracing: false };
  }

  stats(): ProducerStats {
    return this.statsRecorder.snapshot(this.clock.now(), this.accumulator.availableMemory, this.accumulator.totalMemory);
  }
}

/** A FIFO with O(1) shift: records parked for metadata or memory can number in the hundreds of thousands. */
class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Puts items back at the front, in the order given. */
  prepend(front: T[]): void {
    this.items = front.concat(this.items.slice(this.head));
    this.head = 0;
  }

  /** Removes and returns everything, in order. */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

function isRetriableTopicError(code: number): boolean {
  return code === 3 || code === 5; // UNKNOWN_TOPIC_OR_PARTITION (may be auto-created), LEADER_NOT_AVAILABLE
}

function noop(): void {}

function toPayload(v: string | Buffer | null | undefined, what: string): RecordPayload {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v;
  const u = v as unknown;
  if (u instanceof Uint8Array) return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  throw new Error(`Invalid record: ${what} must be a string, a Buffer or null, got ${typeof v}.`);
}

/**
 * Java's Sender: it owns no record state, it orchestrates. Each step (`runOnce`, Java's sendProducerData) connects
 * and refreshes metadata when needed, keeps the producer id and sequences in order (IdempotenceManager), asks the
 * accumulator which leaders have batches ready, drains one request per broker within the in-flight limit, fails
 * expired batches and sends. Answers are handled partition by partition: a partition that succeeded is never sent
 * again; a retriable error puts the batch back, unchanged (same bytes, same sequence), after a backoff.
 */
import { compress } from '../kafka/compression';
import { ErrorCode, errorMeaning, errorName, isRetriable } from '../kafka/protocol/errors';
import type { ProducePartitionResult, ProduceResponse, Transport } from '../transport/transport';
import type { Clock } from '../util/clock';
import { errorMessage } from '../util/errors';
import type { RecordAccumulator } from './accumulator';
import type { ProducerBatch } from './batch';
import type { ProducerConfig } from './config';
import type { BatchFailure } from './errors';
import type { IdempotenceManager } from './idempotence';
import type { MetadataCache } from './metadata';
import type { ProducerMetrics } from './metrics';
import type { TraceEvent } from './types';

/** Errors after which the leader may have moved: the retry waits for fresh metadata. */
const METADATA_ERRORS = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);

/** What the sender needs from the producer facade, and tells it. */
export interface SenderListener {
  /** Records wait outside the accumulator (for metadata or memory): keep connecting and fetching metadata for them. */
  readonly hasWaitingRecords: boolean;
  /** New metadata arrived, or a fetch failed (`final` when retrying cannot help: a refused login, a TLS failure). */
  metadataChanged(now: number, failure?: { error: unknown; final: boolean }): void;
  /** Batches settled and their memory is free: records waiting for memory may go in. */
  batchesSettled(now: number): void;
  /** A batch-level or cluster-level trace event (batch undefined for the cluster's). */
  traceEvent(batch: ProducerBatch | undefined, event: TraceEvent): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
}

export class Sender {
  private connected = false;
  private connecting = false;
  private connectRetryAt = 0;
  private connectFailures = 0;
  private readonly inFlightByNode = new Map<number, number>();
  private inFlightTotal = 0;
  private readonly inFlight = new Set<ProducerBatch>();
  private pidInFlight = false;
  private pidRetryAt = 0;
  private pidFailures = 0;
  private stopped = false;
  private forced = false;
  private timerAt = Infinity;
  private cancelTimer: (() => void) | undefined;
  /** Keep order with one request in flight per broker: a partition is muted while its batch is out. */
  private readonly guaranteeOrder: boolean;

  constructor(
    private readonly config: ProducerConfig,
    private readonly transport: Transport,
    private readonly metadata: MetadataCache,
    private readonly accumulator: RecordAccumulator,
    private readonly idempotence: IdempotenceManager | undefined,
    private readonly metrics: ProducerMetrics,
    private readonly listener: SenderListener,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {
    this.guaranteeOrder = config.maxInFlightPerConnection === 1;
  }

  get requestsInFlight(): number {
    return this.inFlightTotal;
  }

  inFlightFor(nodeId: number): number {
    return this.inFlightByNode.get(nodeId) ?? 0;
  }

  // ---- scheduling: the sender runs itself, like Java's sender thread ----

  /** Runs a step after `delayMs` unless one is due sooner (Java's sender.wakeup() is wakeup(0)). */
  wakeup(delayMs = 0): void {
    if (this.stopped) return;
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
    let next: number;
    try {
      next = this.runOnce(now);
    } catch (e) {
      this.listener.log('error', `sender step failed: ${errorMessage(e)}`);
      next = now + this.config.retryBackoffMs;
    }
    if (next < Infinity) this.wakeup(next - now);
  }

  /** Stops for good: no more steps; answers still on their way are ignored. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }

  async closeTransport(): Promise<void> {
    if (this.connected || this.connecting) await this.transport.close();
    this.connected = false;
  }

  /** close() timed out: batches in requests fail now (records never sent are told apart from ones that may have landed). */
  abortInFlight(failure: BatchFailure, now: number): void {
    this.forced = true;
    for (const b of [...this.inFlight]) {
      this.inFlight.delete(b);
      if (b.isSettled) continue;
      b.hadUnansweredAttempt = true;
      this.failBatch(
        b,
        { ...failure, message: `${failure.message} It was sent and not answered: the broker may have written it.` },
        now,
      );
    }
  }

  // ---- one step ----

  /** One step. Returns when the next one is needed (ms since epoch; Infinity = only on an event). */
  runOnce(now: number): number {
    if (this.stopped) return Infinity;
    if (!this.connected) {
      // Only while records wait: a producer whose records have all failed does not keep dialling a dead cluster.
      if (!this.listener.hasWaitingRecords && this.accumulator.isEmpty) return Infinity;
      if (!this.connecting && now >= this.connectRetryAt) this.startConnect();
      return this.connecting ? Infinity : this.connectRetryAt;
    }
    let next = this.maybeFetchMetadata(now);
    if (this.idempotence) {
      next = Math.min(next, this.maintainProducerId(now));
      if (!this.idempotence.hasProducerId) {
        // Nothing goes out without a producer id; batches may still expire meanwhile.
        return Math.min(next, this.failExpired(now));
      }
    }
    const ready = this.accumulator.ready(this.metadata, now);
    next = Math.min(next, ready.nextReadyCheckAt);
    if (ready.unknownLeader || ready.awaitsMetadata) {
      this.metadata.requestUpdate(ready.awaitsMetadata ?? ready.unknownLeader!);
      // The refresh's answer wakes the sender; while one is in flight there is nothing to wait for here.
      if (!this.metadata.inFlight) next = Math.min(next, Math.max(now + 1, this.metadata.nextRefreshAt()));
    }
    for (const node of ready.readyNodes) {
      if (this.inFlightFor(node) >= this.config.maxInFlightPerConnection) ready.readyNodes.delete(node);
    }
    const drained = this.accumulator.drain(
      this.metadata,
      ready.readyNodes,
      this.config.maxRequestSize,
      now,
      this.idempotence,
    );
    next = Math.min(next, this.failExpired(now));
    for (const [node, batches] of drained) {
      if (this.guaranteeOrder) for (const b of batches) this.accumulator.mute(b.topic, b.partition);
      this.sendProduce(node, batches, now);
    }
    if (drained.size > 0) next = now; // more may be ready
    return next;
  }

  private failExpired(now: number): number {
    const { expired, nextExpiryAt } = this.accumulator.expiredBatches(now);
    for (const b of expired) {
      this.failBatch(b, this.timeoutFailure(b, now), now);
    }
    return nextExpiryAt;
  }

  private startConnect(): void {
    this.connecting = true;
    this.transport.connect().then(
      () => {
        this.connecting = false;
        this.connected = true;
        this.connectFailures = 0;
        this.wakeup(0);
      },
      (e: unknown) => {
        this.connecting = false;
        const now = this.clock.now();
        // Exponential, like Java's reconnect.backoff.ms up to reconnect.backoff.max.ms (here the retry backoffs).
        const delay = this.backoff(++this.connectFailures);
        this.connectRetryAt = now + delay;
        this.listener.log('warn', `connect failed: ${errorMessage(e)}`);
        this.listener.metadataChanged(now, { error: e, final: !isRetriableError(e) });
        this.wakeup(delay);
      },
    );
  }

  private maybeFetchMetadata(now: number): number {
    if (this.metadata.inFlight) return Infinity;
    // After a failed fetch, only records that wait make it worth trying again: an idle producer stays quiet.
    const worth =
      this.metadata.failuresInARow === 0 ||
      this.listener.hasWaitingRecords ||
      !this.accumulator.isEmpty ||
      this.inFlightTotal > 0;
    if (!worth) return Infinity;
    const refreshAt = this.metadata.nextRefreshAt();
    if (now < refreshAt) return refreshAt;
    const topics = [...this.metadata.wanted];
    const reason = this.metadata.refreshReason(now);
    this.metadata.inFlight = true;
    this.metadata.lastAttemptMs = now;
    this.transport.fetchMetadata(topics, true).then(
      (md) => {
        const done = this.clock.now();
        this.metadata.inFlight = false;
        this.metadata.update(md, done);
        this.listener.traceEvent(undefined, {
          type: 'metadata-refresh',
          time: done,
          reason,
          topics,
          durationMs: done - now,
        });
        // Batches waiting to retry after a leader error show the refresh in their own trace.
        for (const b of this.accumulator.releaseMetadataWaits(now)) {
          if (b.events)
            this.listener.traceEvent(b, {
              type: 'metadata-refresh',
              batchId: b.id,
              time: done,
              reason,
              topics,
              durationMs: done - now,
            });
        }
        this.listener.metadataChanged(done);
        this.wakeup(0);
      },
      (e: unknown) => {
        const done = this.clock.now();
        this.metadata.inFlight = false;
        this.metadata.fetchFailed('previous metadata request failed');
        this.listener.traceEvent(undefined, {
          type: 'metadata-refresh',
          time: done,
          reason,
          topics,
          durationMs: done - now,
          error: errorMessage(e),
        });
        this.listener.log('warn', `metadata request failed: ${errorMessage(e)}`);
        this.listener.metadataChanged(done, { error: e, final: !isRetriableError(e) });
        this.wakeup(this.config.retryBackoffMs);
      },
    );
    return Infinity;
  }

  /** Resolves sequences, bumps the epoch when asked, and gets a producer id when there is none. */
  private maintainProducerId(now: number): number {
    const idem = this.idempotence!;
    idem.maybeResolveSequences();
    const bumped = idem.maybeBumpEpoch();
    if (bumped) {
      this.listener.traceEvent(undefined, {
        type: 'producer-id',
        time: now,
        producerId: idem.producerId,
        producerEpoch: idem.producerEpoch,
        reason: `epoch bumped: ${bumped}`,
      });
    }
    if (!idem.needsProducerId || this.pidInFlight) return Infinity;
    // A new id waits for the answers under the old one, and is asked only when there is something to send.
    if (this.inFlightTotal > 0 || this.accumulator.isEmpty) return Infinity;
    if (now < this.pidRetryAt) return this.pidRetryAt;
    this.pidInFlight = true;
    idem.beginInitProducerId();
    const reason = idem.initReason;
    this.transport.initProducerId(this.config.deliveryTimeoutMs).then(
      (r) => {
        this.pidInFlight = false;
        this.pidFailures = 0;
        if (this.stopped) return;
        idem.producerIdReceived(r.producerId, r.producerEpoch);
        this.listener.traceEvent(undefined, {
          type: 'producer-id',
          time: this.clock.now(),
          producerId: r.producerId,
          producerEpoch: r.producerEpoch,
          reason,
        });
        this.wakeup(0);
      },
      (e: unknown) => {
        this.pidInFlight = false;
        if (this.stopped) return;
        const fatal = !isRetriableError(e);
        idem.initProducerIdFailed(fatal, errorMessage(e));
        this.listener.log('warn', `InitProducerId failed: ${errorMessage(e)}`);
        if (fatal) {
          this.abortForFatalError(errorMessage(e));
          return;
        }
        const delay = this.backoff(++this.pidFailures);
        this.pidRetryAt = this.clock.now() + delay;
        this.wakeup(delay);
      },
    );
    return Infinity;
  }

  /** The idempotent producer cannot go on (a refused InitProducerId): every queued batch fails with the reason. */
  private abortForFatalError(reason: string): void {
    const now = this.clock.now();
    const failure: BatchFailure = {
      message: `The producer cannot send: ${reason}`,
      errorName: 'PRODUCER_FATAL',
      retriable: false,
    };
    if (this.accumulator.abortAll(failure, now).length > 0) this.listener.batchesSettled(now);
  }

  private timeoutFailure(b: ProducerBatch, now: number): BatchFailure {
    const age = now - b.createdMs;
    const last = b.lastFailure ? ` Last error: ${b.lastFailure}` : '';
    return {
      message: `Delivery timed out: ${b.recordCount} record(s) for ${b.topic}-${b.partition} were not acknowledged within delivery.timeout.ms=${this.config.deliveryTimeoutMs} (${age} ms since the batch was created, ${b.attempts} attempt(s)).${last} Raise delivery.timeout.ms or check that the partition has a leader.`,
      errorName: 'DELIVERY_TIMEOUT',
      retriable: true,
    };
  }

  // ---- requests ----

  private sendProduce(nodeId: number, batches: ProducerBatch[], drainedAt: number): void {
    this.inFlightByNode.set(nodeId, this.inFlightFor(nodeId) + 1);
    this.inFlightTotal++;
    for (const b of batches) {
      this.inFlight.add(b);
      if (b.attempts === 0) {
        this.metrics.batchDrained(b.recordCount, b.sizeInBytes, b.closedAt - b.createdMs, b.closeReason!, drainedAt);
        this.listener.traceEvent(b, {
          type: 'batch-closed',
          batchId: b.id,
          time: drainedAt,
          reason: b.closeReason!,
          recordCount: b.recordCount,
          sizeBytes: b.sizeInBytes,
        });
      }
    }
    const address = this.metadata.address(nodeId);
    const run = async (): Promise<void> => {
      let response: ProduceResponse | undefined;
      let requestError: unknown;
      let sentAt = drainedAt;
      try {
        // Without compression the bytes are built synchronously, so the request leaves in the step that drained it.
        const needsAsync = this.config.compressionType !== 'none' && batches.some((b) => !b.isBuilt);
        const partitions = [];
        for (const b of batches) {
          const uncompressed = b.isBuilt ? -1 : b.sizeInBytes;
          partitions.push({
            topic: b.topic,
            partition: b.partition,
            records: needsAsync ? await b.buildAsync(compress) : b.build(),
          });
          if (uncompressed >= 0) this.metrics.compressed(uncompressed, b.sizeInBytes);
        }
        if (needsAsync) sentAt = this.clock.now();
        this.markSent(nodeId, address, batches, sentAt);
        response = await this.transport.produce(nodeId, {
          transactionalId: this.config.transactionalId,
          acks: this.config.acks,
          timeoutMs: this.config.requestTimeoutMs,
          partitions,
        });
      } catch (e) {
        requestError = e;
      }
      const now = this.clock.now();
      this.inFlightByNode.set(nodeId, this.inFlightFor(nodeId) - 1);
      this.inFlightTotal--;
      for (const b of batches) {
        this.inFlight.delete(b);
        if (this.guaranteeOrder) this.accumulator.unmute(b.topic, b.partition);
      }
      if (this.stopped && this.forced) return;
      if (response) {
        this.metrics.requestDone(nodeId, response.timing.durationMs, false, response.throttleTimeMs, now);
        this.handleResponse(nodeId, address, batches, response, sentAt, now);
      } else {
        this.metrics.requestDone(nodeId, now - sentAt, true, 0, now);
        this.handleRequestError(nodeId, address, batches, requestError, sentAt, now);
      }
      this.listener.batchesSettled(now);
      this.wakeup(0);
    };
    void run().catch((e: unknown) => this.listener.log('error', `sender bug: ${errorMessage(e)}`));
  }

  private markSent(nodeId: number, address: string, batches: ProducerBatch[], sentAt: number): void {
    let requestBytes = 0;
    let records = 0;
    let retried = 0;
    for (const b of batches) {
      requestBytes += b.sizeInBytes;
      records += b.recordCount;
      if (b.attempts > 0) retried += b.recordCount;
    }
    this.metrics.requestSent(nodeId, records, retried, requestBytes, sentAt);
    for (const b of batches) {
      if (b.isSettled) continue; // failed by a close that timed out while compressing
      b.markSent(sentAt);
      if (!b.events) continue;
      this.listener.traceEvent(b, {
        type: 'attempt-sent',
        batchId: b.id,
        time: sentAt,
        attempt: b.attempts,
        brokerId: nodeId,
        address,
        requestBytes,
        batchBytes: b.sizeInBytes,
        partitionsInRequest: batches.length,
        queueTimeMs: b.closedAt - b.createdMs,
        producerId: b.producerId,
        producerEpoch: b.producerEpoch,
        baseSequence: b.baseSequence,
      });
    }
  }

  private handleResponse(
    nodeId: number,
    address: string,
    batches: ProducerBatch[],
    response: ProduceResponse,
    sentAt: number,
    now: number,
  ): void {
    const t = response.timing;
    const rtt = t.durationMs || now - sentAt;
    if (this.config.acks === 0) {
      for (const b of batches) {
        if (b.isSettled) continue;
        this.attemptResult(b, nodeId, address, t.correlationId, 0, ErrorCode.NONE, -1, undefined, now);
        this.completeBatch(b, -1, -1, now);
      }
      return;
    }
    const results = new Map<string, ProducePartitionResult>();
    for (const r of response.results) results.set(`${r.topic}\u0000${r.partition}`, r);
    for (const b of batches) {
      if (b.isSettled) continue; // failed by close() while in flight
      b.lastRoundTripMs = rtt;
      const r = results.get(`${b.topic}\u0000${b.partition}`);
      if (!r) {
        this.attemptResult(
          b,
          nodeId,
          address,
          t.correlationId,
          rtt,
          ErrorCode.NETWORK_EXCEPTION,
          -1,
          'the response had no result for this partition',
          now,
        );
        this.retryOrFail(
          b,
          ErrorCode.NETWORK_EXCEPTION,
          -1,
          `Broker ${nodeId} answered without a result for ${b.topic}-${b.partition}`,
          now,
          true,
        );
        continue;
      }
      this.attemptResult(
        b,
        nodeId,
        address,
        t.correlationId,
        rtt,
        r.errorCode,
        r.baseOffset,
        r.errorMessage ?? undefined,
        now,
      );
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.completeBatch(b, r.baseOffset, r.logAppendTimeMs, now);
      } else {
        const name = errorName(r.errorCode);
        const detail = `${name} (${r.errorCode}) from the broker for ${b.topic}-${b.partition}: ${errorMeaning(r.errorCode)}${r.errorMessage ? ` Broker said: ${r.errorMessage}` : ''}`;
        this.retryOrFail(b, r.errorCode, r.logStartOffset, detail, now, METADATA_ERRORS.has(r.errorCode));
      }
    }
  }

  private handleRequestError(
    nodeId: number,
    address: string,
    batches: ProducerBatch[],
    e: unknown,
    sentAt: number,
    now: number,
  ): void {
    const retriable = isRetriableError(e);
    const code =
      (e as { kind?: string })?.kind === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NETWORK_EXCEPTION;
    this.metadata.requestUpdate(`request to broker ${nodeId} failed: ${errorMessage(e)}`);
    const message = `Produce request to broker ${nodeId} (${address}) failed: ${errorMessage(e)}`;
    // A refused login or a TLS failure happens before any request is written; anything else may have reached it.
    const kind = (e as { kind?: string })?.kind;
    const neverWritten = kind === 'authentication' || kind === 'tls';
    for (const b of batches) {
      if (b.isSettled) continue;
      this.attemptResult(b, nodeId, address, undefined, now - sentAt, code, -1, errorMessage(e), now);
      if (!neverWritten) b.hadUnansweredAttempt = true;
      if (!retriable) {
        this.failBatch(b, { message, errorCode: code, errorName: errorName(code), retriable: false, cause: e }, now);
        continue;
      }
      this.retryOrFail(b, code, -1, message, now, true, e);
    }
  }

  private attemptResult(
    b: ProducerBatch,
    brokerId: number,
    address: string,
    correlationId: number | undefined,
    roundTripMs: number,
    errorCode: number,
    baseOffset: number,
    message: string | undefined,
    now: number,
  ): void {
    if (!b.events) return;
    this.listener.traceEvent(b, {
      type: 'attempt-result',
      batchId: b.id,
      time: now,
      attempt: b.attempts,
      brokerId,
      address,
      correlationId,
      sentAt: b.lastSentAt,
      roundTripMs,
      errorCode,
      errorName: errorName(errorCode),
      retriable: isRetriable(errorCode),
      baseOffset,
      message,
    });
  }

  // ---- outcomes (Java's completeBatch / reenqueueBatch / failBatch) ----

  private completeBatch(b: ProducerBatch, baseOffset: number, logAppendTime: number, now: number): void {
    this.idempotence?.batchAcked(b, baseOffset);
    b.complete(baseOffset, logAppendTime, now, this.config.acks !== 0);
    this.accumulator.deallocate(b);
  }

  /**
   * Retries the batch if the error allows it and time and retries remain (Java's canRetry), else fails it.
   * `refreshMetadata`: the leader may have moved, so the retry waits for fresh metadata.
   */
  private retryOrFail(
    b: ProducerBatch,
    code: number,
    logStartOffset: number,
    message: string,
    now: number,
    refreshMetadata: boolean,
    cause?: unknown,
  ): void {
    const name = errorName(code);
    const sequenceRule = this.idempotence?.canRetry(b, code, logStartOffset);
    const retriable = sequenceRule ?? isRetriable(code);
    if (retriable && b.attempts <= this.config.retries && now < b.deliveryDeadline && !this.forced) {
      const delay = this.backoff(b.attempts);
      if (refreshMetadata) {
        this.metadata.requestUpdate(`${name} for ${b.topic}-${b.partition}`);
        b.awaitMetadataAfter = now;
      }
      b.markRetry(now + delay, message);
      this.listener.traceEvent(b, {
        type: 'backoff',
        batchId: b.id,
        time: now,
        attempt: b.attempts,
        delayMs: delay,
        until: b.retryAt,
        reason: message,
      });
      this.accumulator.reenqueue(b);
      return;
    }
    let failure: BatchFailure = { message, errorCode: code, errorName: name, retriable, cause };
    if (retriable && now >= b.deliveryDeadline) {
      b.lastFailure = message;
      failure = { ...this.timeoutFailure(b, now), errorCode: code };
    } else if (retriable) {
      failure = {
        ...failure,
        message: `${withFullStop(message)} Gave up after ${b.attempts} attempt(s) (retries=${this.config.retries}).`,
      };
    } else if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      failure = {
        ...failure,
        message: `${withFullStop(message)} The broker saw a gap in this producer's sequence: records it had acknowledged before may be lost. Later batches go on under a new epoch.`,
      };
    } else if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) {
      const next =
        this.config.transactionalId !== null
          ? `Another producer with transactional.id '${this.config.transactionalId}' has taken over, or the coordinator aborted the transaction: this producer is fenced; close it.`
          : 'Another producer with the same id has taken over; later batches get a new producer id.';
      failure = { ...failure, message: `${withFullStop(message)} ${next}` };
    }
    this.failBatch(b, failure, now);
  }

  /**
   * Fails a batch for good. If an attempt of it went unanswered, the broker may have written it: the record's error
   * says so, and with idempotence its sequence stays unresolved until later answers tell.
   */
  private failBatch(b: ProducerBatch, failure: BatchFailure, now: number): void {
    const maybeWritten = b.hadUnansweredAttempt;
    this.idempotence?.batchFailed(b, failure.errorCode, maybeWritten ? 'unknown' : 'not-written');
    // Bytes of an unanswered request may still wait in a socket: that buffer is not reused.
    b.fail(maybeWritten ? { ...failure, maybeWritten } : failure, now, !maybeWritten && !this.inFlight.has(b));
    this.accumulator.deallocate(b);
  }

  /** Exponential backoff with +-20% jitter, as Java's ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2). */
  backoff(attempts: number): number {
    const base = this.config.retryBackoffMs;
    if (base === 0) return 0;
    const max = Math.max(base, this.config.retryBackoffMaxMs);
    const exp = Math.min(max, base * Math.pow(2, Math.max(0, attempts - 1)));
    const jitter = 1 + (this.random() * 2 - 1) * 0.2;
    return Math.round(Math.min(max, exp * jitter));
  }
}

function isRetriableError(e: unknown): boolean {
  return (e as { retriable?: boolean })?.retriable === true;
}

/** Ends a sentence that another will follow. */
function withFullStop(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

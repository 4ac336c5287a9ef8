/**
 * Java's Sender: `runOnce(now)` does one step (metadata, producer id, expiry, drain, requests); the producer
 * schedules the next step on the clock. Per-partition results are handled one by one: a partition that succeeded
 * is never re-sent; retriable errors re-enqueue the batch unchanged (same bytes, same sequence) after backoff.
 */
import { ErrorCode, errorName, errorMeaning, isRetriable } from '../kafka/error-codes';
import { compress } from '../kafka/compression';
import type { ProducePartitionData, ProduceResponse, Transport } from '../transport/transport';
import { errorMessage } from '../util/errors';
import type { RecordAccumulator, PartitionQueue } from './accumulator';
import type { ProducerBatch } from './batch';
import type { ProducerConfig } from './config';
import type { BatchFailure } from './errors';
import type { MetadataCache } from './metadata';
import type { BatchCloseReason, TraceEvent } from './types';
import type { StatsRecorder } from './stats';

/** Errors after which the leader may have moved: refresh metadata before the retry. */
const METADATA_ERRORS = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);

export interface SenderHost {
  readonly flushing: boolean;
  readonly closing: boolean;
  /** Records wait for buffer memory: every batch is ready (Java's "exhausted"). */
  readonly memoryPressure: boolean;
  /** Records wait for metadata or buffer memory (they are not in the accumulator yet). */
  readonly recordsWaiting: boolean;
  /** close() timed out: nothing is retried any more. */
  readonly closingForced: boolean;
  completeBatch(batch: ProducerBatch, now: number): void;
  failBatch(batch: ProducerBatch, failure: BatchFailure, now: number): void;
  metadataUpdated(now: number): void;
  /** A metadata fetch failed or a connect failed for good: records blocked on metadata may fail. */
  metadataFailed(error: unknown, retriable: boolean, now: number): void;
  batchEvent(batch: ProducerBatch | undefined, event: TraceEvent): void;
  wake(delayMs: number): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
}

export class Sender {
  private connected = false;
  private connecting = false;
  private connectRetryAt = 0;
  private connectFailures = 0;
  private readonly inFlightByNode = new Map<number, number>();
  private inFlightTotal = 0;
  producerId = -1;
  producerEpoch = -1;
  private pidInFlight = false;
  private pidRetryAt = 0;
  private pidFailures = 0;
  private pidResetPending = false;
  private pidResetReason = '';
  private stoppedFlag = false;
  private readonly inFlight = new Set<ProducerBatch>();

  constructor(
    private readonly config: ProducerConfig,
    private readonly transport: Transport,
    private readonly metadata: MetadataCache,
    private readonly accumulator: RecordAccumulator,
    private readonly stats: StatsRecorder,
    private readonly host: SenderHost,
    private readonly random: () => number,
  ) {}

  get requestsInFlight(): number {
    return this.inFlightTotal;
  }

  inFlightFor(nodeId: number): number {
    return this.inFlightByNode.get(nodeId) ?? 0;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  stop(): void {
    this.stoppedFlag = true;
  }

  inFlightBatches(): ProducerBatch[] {
    return [...this.inFlight];
  }

  async closeTransport(): Promise<void> {
    if (this.connected || this.connecting) await this.transport.close();
    this.connected = false;
  }

  /** One step. Returns when the next step is needed (ms since epoch; Infinity = only on an event). */
  runOnce(now: number): number {
    if (this.stopped) return Infinity;
    let next = Infinity;
    if (!this.connected) {
      // Only while records wait: a producer whose records have all failed does not keep dialling a dead cluster.
      // A new record wakes the sender again.
      if (!this.host.recordsWaiting && this.accumulator.isEmpty) return Infinity;
      if (!this.connecting && now >= this.connectRetryAt) this.startConnect();
      return this.connecting ? Infinity : this.connectRetryAt;
    }
    const refreshAt = this.metadata.nextRefreshAt();
    // After a failed fetch, only records that wait make it worth trying again: an idle producer stays quiet.
    const worthFetching = this.metadata.failuresInARow === 0 || this.host.recordsWaiting || !this.accumulator.isEmpty || this.inFlightTotal > 0;
    if (!this.metadata.inFlight && worthFetching) {
      if (now >= refreshAt) this.startMetadataFetch(now);
      else next = Math.min(next, refreshAt);
    }
    if (this.config.enableIdempotence) {
      const pidNext = this.maybeInitProducerId(now);
      next = Math.min(next, pidNext);
    }
    next = Math.min(next, this.expireBatches(now));
    next = Math.min(next, this.drainAndSend(now));
    return next;
  }

  private startConnect(): void {
    this.connecting = true;
    this.transport.connect().then(
      () => {
        this.connecting = false;
        this.connected = true;
        this.connectFailures = 0;
        this.host.wake(0);
      },
      (e: unknown) => {
        this.connecting = false;
        const retriable = (e as { retriable?: boolean })?.retriable === true;
        const now = this.clockNow();
        // Exponential, like Java's reconnect.backoff.ms up to reconnect.backoff.max.ms (here the retry backoffs).
        const delay = this.backoff(++this.connectFailures);
        this.connectRetryAt = now + delay;
        this.host.log('warn', `connect failed: ${errorMessage(e)}`);
        this.host.metadataFailed(e, retriable, now);
        this.host.wake(delay);
      },
    );
  }

  private nowFn: () => number = () => Date.now();
  setClock(now: () => number): void {
    this.nowFn = now;
  }
  private clockNow(): number {
    return this.nowFn();
  }

  private startMetadataFetch(now: number): void {
    const topics = [...this.metadata.wanted];
    const reason = this.metadata.refreshReason(now);
    this.metadata.inFlight = true;
    this.metadata.lastAttemptMs = now;
    this.transport.fetchMetadata(topics, true).then(
      (md) => {
        const done = this.clockNow();
        this.metadata.inFlight = false;
        this.metadata.update(md, done);
        this.host.batchEvent(undefined, { type: 'metadata-refresh', time: done, reason, topics, durationMs: done - now });
        // Batches waiting to retry after a leader error show the refresh in their own trace.
        for (const q of this.accumulator.queues.values()) {
          for (const b of q.batches) {
            if (b.awaitMetadataAfter >= 0 && b.awaitMetadataAfter <= now) {
              if (b.events) this.host.batchEvent(b, { type: 'metadata-refresh', batchId: b.id, time: done, reason, topics, durationMs: done - now });
              b.awaitMetadataAfter = -1;
            }
          }
        }
        this.host.metadataUpdated(done);
        this.host.wake(0);
      },
      (e: unknown) => {
        const done = this.clockNow();
        this.metadata.inFlight = false;
        this.metadata.fetchFailed('previous metadata request failed');
        this.host.batchEvent(undefined, { type: 'metadata-refresh', time: done, reason, topics, durationMs: done - now, error: errorMessage(e) });
        this.host.log('warn', `metadata request failed: ${errorMessage(e)}`);
        this.host.metadataFailed(e, (e as { retriable?: boolean })?.retriable === true, done);
        this.host.wake(this.config.retryBackoffMs);
      },
    );
  }

  /** Gets a producer id before the first idempotent batch, and a fresh one after a sequence gap. */
  private maybeInitProducerId(now: number): number {
    const needed = this.producerId < 0 || this.pidResetPending;
    if (!needed || this.pidInFlight) return Infinity;
    if (this.pidResetPending && this.inFlightTotal > 0) return Infinity; // wait for answers under the old id
    if (this.accumulator.isEmpty) return Infinity; // nothing to send under it yet: ask when there is
    if (now < this.pidRetryAt) return this.pidRetryAt;
    this.pidInFlight = true;
    const reason = this.pidResetPending ? this.pidResetReason : 'first idempotent send';
    this.transport.initProducerId(this.config.deliveryTimeoutMs).then(
      (r) => {
        const done = this.clockNow();
        this.pidInFlight = false;
        this.pidFailures = 0;
        this.producerId = r.producerId;
        this.producerEpoch = r.producerEpoch;
        if (this.pidResetPending) this.resetSequences();
        this.pidResetPending = false;
        this.host.batchEvent(undefined, { type: 'producer-id', time: done, producerId: r.producerId, producerEpoch: r.producerEpoch, reason });
        this.host.wake(0);
      },
      (e: unknown) => {
        this.pidInFlight = false;
        const delay = this.backoff(++this.pidFailures);
        this.pidRetryAt = this.clockNow() + delay;
        this.host.log('warn', `InitProducerId failed: ${errorMessage(e)}`);
        this.host.wake(delay);
      },
    );
    return Infinity;
  }

  /** After a new producer id: sequences restart at 0 and queued batches are re-stamped when next drained. */
  private resetSequences(): void {
    for (const q of this.accumulator.queues.values()) {
      q.nextSequence = 0;
      q.sequenced.length = 0;
      for (const b of q.batches) {
        if (b.baseSequence >= 0) {
          b.baseSequence = -1;
          b.encoded = undefined;
          b.builder?.resetBuilt();
        }
      }
      q.batches.sort((a, b) => (a.state === 'open' ? 1 : 0) - (b.state === 'open' ? 1 : 0) || a.createdMs - b.createdMs);
    }
  }

  requestProducerIdReset(reason: string): void {
    if (!this.config.enableIdempotence || this.pidResetPending) return;
    this.pidResetPending = true;
    this.pidResetReason = reason;
  }

  /** Batches waiting in the accumulator past delivery.timeout.ms fail; in-flight ones wait for their answer. */
  private expireBatches(now: number): number {
    let next = Infinity;
    for (const q of this.accumulator.queues.values()) {
      if (q.batches.length === 0) continue;
      for (let i = 0; i < q.batches.length; ) {
        const b = q.batches[i];
        if (now >= b.deliveryDeadline) {
          q.batches.splice(i, 1);
          this.host.failBatch(b, this.timeoutFailure(b, now), now);
          if (b.baseSequence >= 0) {
            q.forgetSequenced(b);
            this.requestProducerIdReset(`batch ${b.id} with sequence ${b.baseSequence} expired unsent`);
          }
        } else {
          next = Math.min(next, b.deliveryDeadline);
          i++;
        }
      }
    }
    return next;
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

  private readyReason(q: PartitionQueue, head: ProducerBatch, now: number): BatchCloseReason | undefined {
    if (q.batches.length > 1 || head.full) return 'full';
    if (now - head.createdMs >= this.config.lingerMs) return 'linger';
    if (this.host.flushing) return 'flush';
    if (this.host.closing) return 'close';
    if (this.host.memoryPressure) return 'memory-pressure';
    return undefined;
  }

  private drainAndSend(now: number): number {
    let next = Infinity;
    if (this.config.enableIdempotence && (this.producerId < 0 || this.pidResetPending)) {
      return next; // nothing goes out without a valid producer id
    }
    const byNode = new Map<number, { batches: ProducerBatch[]; bytes: number }>();
    for (const q of this.accumulator.queues.values()) {
      const head = q.batches[0];
      if (!head) continue;
      if (head.retryAt > now) {
        next = Math.min(next, head.retryAt);
        continue;
      }
      const reason = head.attempts > 0 ? head.closeReason : this.readyReason(q, head, now);
      if (!reason) {
        next = Math.min(next, head.createdMs + this.config.lingerMs);
        continue;
      }
      if (head.awaitMetadataAfter >= 0) {
        // The leader may have moved: this retry goes only after a refresh (whose answer wakes the sender).
        this.metadata.requestUpdate(`retry of ${q.topic}-${q.partition} after ${head.lastFailure?.split(' ')[0] ?? 'an error'}`);
        if (!this.metadata.inFlight) next = Math.min(next, Math.max(now + 1, this.metadata.nextRefreshAt()));
        continue;
      }
      const leader = this.metadata.leaderFor(q.topic, q.partition);
      if (leader < 0) {
        this.metadata.requestUpdate(`no leader known for ${q.topic}-${q.partition}`);
        // The refresh's answer wakes the sender; while one is in flight there is nothing to wait for here.
        if (!this.metadata.inFlight) next = Math.min(next, Math.max(now + 1, this.metadata.nextRefreshAt()));
        continue;
      }
      if (this.config.enableIdempotence) {
        // A retried batch goes alone, once nothing newer of its partition is in flight: order is kept.
        if (head.baseSequence >= 0 && q.inFlight > 0) continue;
        if (q.inFlight >= 5) continue;
      }
      if (this.inFlightFor(leader) >= this.config.maxInFlightPerConnection) continue;
      let group = byNode.get(leader);
      const bytes = head.sizeInBytes;
      if (group && group.bytes + bytes > this.config.maxRequestSize) {
        next = now; // another request right after this one
        continue;
      }
      if (!group) {
        group = { batches: [], bytes: 0 };
        byNode.set(leader, group);
      }
      group.batches.push(head);
      group.bytes += bytes;
      if (head.attempts === 0) head.closeReason = reason;
    }
    for (const [nodeId, group] of byNode) {
      for (const b of group.batches) {
        const q = this.accumulator.queue(b.topic, b.partition);
        q.batches.shift();
        this.prepareForSend(q, b, now);
      }
      this.sendProduce(nodeId, group.batches, now);
    }
    if (byNode.size > 0) next = now; // more may be ready
    return next;
  }

  private prepareForSend(q: PartitionQueue, b: ProducerBatch, now: number): void {
    if (b.state === 'open') {
      b.state = 'closed';
      b.drainedMs = now;
      this.stats.batchDrained(b, now);
      this.host.batchEvent(b, { type: 'batch-closed', batchId: b.id, time: now, reason: b.closeReason!, recordCount: b.recordCount, sizeBytes: b.sizeInBytes });
    }
    if (this.config.enableIdempotence && b.baseSequence < 0) {
      b.baseSequence = q.nextSequence;
      q.nextSequence = (q.nextSequence + b.recordCount) % 2147483648;
      b.producerId = this.producerId;
      b.producerEpoch = this.producerEpoch;
      q.sequenced.push(b);
      q.sequenced.sort((x, y) => x.baseSequence - y.baseSequence);
    }
    b.state = 'in-flight';
    q.inFlight++;
  }

  private encodeAll(batches: ProducerBatch[]): ProducePartitionData[] {
    return batches.map((b) => {
      b.encoded ??= b.builder!.build({ producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence });
      return { topic: b.topic, partition: b.partition, records: b.encoded };
    });
  }

  private async encodeAllAsync(batches: ProducerBatch[]): Promise<ProducePartitionData[]> {
    const out: ProducePartitionData[] = [];
    for (const b of batches) {
      b.encoded ??= await b.builder!.buildAsync({ producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence }, compress);
      out.push({ topic: b.topic, partition: b.partition, records: b.encoded });
    }
    return out;
  }

  private markSent(nodeId: number, address: string, batches: ProducerBatch[], partitions: ProducePartitionData[], sentAt: number): void {
    let requestBytes = 0;
    for (const p of partitions) requestBytes += p.records.length;
    for (const b of batches) {
      b.attempts++;
      b.lastSentMs = sentAt;
      if (b.attempts > 1) this.stats.recordsRetriedAdd(b.recordCount);
      if (!b.events) continue;
      this.host.batchEvent(b, {
        type: 'attempt-sent', batchId: b.id, time: sentAt, attempt: b.attempts, brokerId: nodeId, address,
        requestBytes, batchBytes: b.sizeInBytes, partitionsInRequest: batches.length, queueTimeMs: b.drainedMs - b.createdMs,
        producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence,
      });
    }
  }

  private sendProduce(nodeId: number, batches: ProducerBatch[], drainedAt: number): void {
    this.inFlightByNode.set(nodeId, this.inFlightFor(nodeId) + 1);
    this.inFlightTotal++;
    this.stats.requestSent(nodeId, batches);
    for (const b of batches) this.inFlight.add(b);
    const address = this.metadata.address(nodeId);
    const run = async (): Promise<void> => {
      let response: ProduceResponse | undefined;
      let requestError: unknown;
      try {
        // Without compression the bytes are built synchronously, so the request leaves in the same step it was drained.
        const needsAsync = this.config.compressionType !== 'none' && batches.some((b) => !b.encoded);
        const partitions = needsAsync ? await this.encodeAllAsync(batches) : this.encodeAll(batches);
        const sentAt = needsAsync ? this.clockNow() : drainedAt;
        this.markSent(nodeId, address, batches, partitions, sentAt);
        response = await this.transport.produce(nodeId, { acks: this.config.acks, timeoutMs: this.config.requestTimeoutMs, partitions });
      } catch (e) {
        requestError = e;
      }
      const now = this.clockNow();
      this.inFlightByNode.set(nodeId, this.inFlightFor(nodeId) - 1);
      this.inFlightTotal--;
      for (const b of batches) {
        this.accumulator.queue(b.topic, b.partition).inFlight--;
        this.inFlight.delete(b);
      }
      if (this.stopped) return;
      if (response) {
        this.stats.requestDone(nodeId, response.timing.durationMs, false);
        this.handleResponse(nodeId, address, batches, response, now);
      } else {
        this.stats.requestDone(nodeId, now - drainedAt, true);
        this.handleRequestError(nodeId, address, batches, requestError, now);
      }
      this.host.wake(0);
    };
    void run().catch((e: unknown) => this.host.log('error', `sender bug: ${errorMessage(e)}`));
  }

  private handleResponse(nodeId: number, address: string, batches: ProducerBatch[], response: ProduceResponse, now: number): void {
    const t = response.timing;
    if (this.config.acks === 0) {
      for (const b of batches) {
        this.attemptResult(b, nodeId, address, t.correlationId, b.lastSentMs, 0, ErrorCode.NONE, -1, undefined, now);
        this.finish(b, now, -1, -1);
      }
      return;
    }
    const results = new Map<string, (typeof response.results)[number]>();
    for (const r of response.results) results.set(`${r.topic}\u0000${r.partition}`, r);
    for (const b of batches) {
      if (b.state === 'done') continue; // failed by close() while in flight
      const r = results.get(`${b.topic}\u0000${b.partition}`);
      const rtt = t.durationMs || now - b.lastSentMs;
      b.lastRoundTripMs = rtt;
      if (!r) {
        this.attemptResult(b, nodeId, address, t.correlationId, b.lastSentMs, rtt, ErrorCode.NETWORK_EXCEPTION, -1, 'the response had no result for this partition', now);
        this.retryOrFail(b, { message: `Broker ${nodeId} answered without a result for ${b.topic}-${b.partition}`, errorCode: ErrorCode.NETWORK_EXCEPTION, errorName: 'NETWORK_EXCEPTION', retriable: true }, now);
        continue;
      }
      this.attemptResult(b, nodeId, address, t.correlationId, b.lastSentMs, rtt, r.errorCode, r.baseOffset, r.errorMessage ?? undefined, now);
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.finish(b, now, r.baseOffset, r.logAppendTimeMs);
      } else {
        this.handlePartitionError(b, r.errorCode, r.errorMessage ?? undefined, now);
      }
    }
  }

  private attemptResult(
    b: ProducerBatch, brokerId: number, address: string, correlationId: number | undefined, sentAt: number, roundTripMs: number,
    errorCode: number, baseOffset: number, message: string | undefined, now: number,
  ): void {
    if (!b.events) return;
    this.host.batchEvent(b, {
      type: 'attempt-result', batchId: b.id, time: now, attempt: b.attempts, brokerId, address, correlationId, sentAt,
      roundTripMs, errorCode, errorName: errorName(errorCode), retriable: isRetriable(errorCode), baseOffset, message,
    });
  }

  private handlePartitionError(b: ProducerBatch, code: number, brokerMessage: string | undefined, now: number): void {
    const q = this.accumulator.queue(b.topic, b.partition);
    const name = errorName(code);
    const detail = `${name} (${code}) from the broker for ${b.topic}-${b.partition}: ${errorMeaning(code)}${brokerMessage ? ` Broker said: ${brokerMessage}` : ''}`;
    if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID) {
      if (b.producerId !== this.producerId || b.producerEpoch !== this.producerEpoch || this.pidResetPending) {
        // Stamped with an old producer id: it was not written; re-stamp it under the new id.
        this.retryOrFail(b, { message: detail, errorCode: code, errorName: name, retriable: true }, now, { restamp: true });
        return;
      }
      if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && q.hasEarlierUnresolved(b)) {
        // An earlier batch of this partition is being retried: this one goes again after it, same sequence.
        this.retryOrFail(b, { message: detail, errorCode: code, errorName: name, retriable: true }, now);
        return;
      }
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID) {
        // The broker dropped our producer state (e.g. retention removed it); the batch was not written.
        this.requestProducerIdReset(`UNKNOWN_PRODUCER_ID for ${b.topic}-${b.partition}`);
        this.retryOrFail(b, { message: detail, errorCode: code, errorName: name, retriable: true }, now, { restamp: true });
        return;
      }
      this.failSequenced(b, { message: `${detail} The broker saw a gap in this producer's sequence: earlier records of this partition may be lost. A new producer id is requested.`, errorCode: code, errorName: name, retriable: false }, now);
      return;
    }
    if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) {
      this.failSequenced(b, { message: `${detail} Another producer with the same id has taken over.`, errorCode: code, errorName: name, retriable: false }, now);
      return;
    }
    const refreshMetadata = METADATA_ERRORS.has(code);
    if (refreshMetadata) this.metadata.requestUpdate(`${name} for ${b.topic}-${b.partition}`);
    this.retryOrFail(b, { message: detail, errorCode: code, errorName: name, retriable: isRetriable(code) }, now, { refreshMetadata });
  }

  private handleRequestError(nodeId: number, address: string, batches: ProducerBatch[], e: unknown, now: number): void {
    const retriable = (e as { retriable?: boolean })?.retriable === true;
    const kind = (e as { kind?: string })?.kind;
    const code = kind === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NETWORK_EXCEPTION;
    this.metadata.requestUpdate(`request to broker ${nodeId} failed: ${errorMessage(e)}`);
    for (const b of batches) {
      if (b.state === 'done') continue;
      this.attemptResult(b, nodeId, address, undefined, b.lastSentMs, now - b.lastSentMs, code, -1, errorMessage(e), now);
      this.retryOrFail(
        b,
        { message: `Produce request to broker ${nodeId} (${address}) failed: ${errorMessage(e)}`, errorCode: code, errorName: errorName(code), retriable, cause: e },
        now,
        { refreshMetadata: true },
      );
    }
  }

  private retryOrFail(b: ProducerBatch, failure: BatchFailure, now: number, opts: { restamp?: boolean; refreshMetadata?: boolean } = {}): void {
    const q = this.accumulator.queue(b.topic, b.partition);
    if (failure.retriable && b.attempts <= this.config.retries && now < b.deliveryDeadline && !this.host.closingForced) {
      const delay = this.backoff(b.attempts);
      b.retryAt = now + delay;
      b.lastFailure = failure.message;
      if (opts.refreshMetadata) b.awaitMetadataAfter = now;
      if (opts.restamp) {
        q.forgetSequenced(b);
        b.baseSequence = -1;
        b.encoded = undefined;
        b.builder?.resetBuilt();
      }
      this.host.batchEvent(b, { type: 'backoff', batchId: b.id, time: now, attempt: b.attempts, delayMs: delay, until: b.retryAt, reason: failure.message });
      this.accumulator.reenqueue(b);
      return;
    }
    if (failure.retriable && now >= b.deliveryDeadline) {
      b.lastFailure = failure.message;
      failure = { ...this.timeoutFailure(b, now), errorCode: failure.errorCode };
    } else if (failure.retriable) {
      failure = { ...failure, message: `${withFullStop(failure.message)} Gave up after ${b.attempts} attempt(s) (retries=${this.config.retries}).` };
    }
    this.failSequenced(b, failure, now);
  }

  /** Fails a batch; a failed batch with a sequence leaves a gap, so the producer id is renewed. */
  private failSequenced(b: ProducerBatch, failure: BatchFailure, now: number): void {
    const q = this.accumulator.queue(b.topic, b.partition);
    if (b.baseSequence >= 0) {
      q.forgetSequenced(b);
      this.requestProducerIdReset(`batch ${b.id} (sequence ${b.baseSequence}) failed: ${failure.errorName}`);
    }
    this.host.failBatch(b, failure, now);
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

  private finish(b: ProducerBatch, now: number, baseOffset: number, logAppendTime: number): void {
    const q = this.accumulator.queue(b.topic, b.partition);
    q.forgetSequenced(b);
    b.baseOffset = baseOffset;
    b.logAppendTime = logAppendTime;
    this.host.completeBatch(b, now);
  }
}

/** Ends a sentence that another will follow. */
function withFullStop(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

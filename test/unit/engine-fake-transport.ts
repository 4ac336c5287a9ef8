/** A scripted Transport for engine unit tests: metadata from a table, Produce answered by a script or held. */
import { strict as assert } from 'node:assert';
import { DeliveryError } from '../../extension/core/engine';
import type {
  ClusterMetadata,
  ProduceRequest,
  ProduceResponse,
  ProducerIdAndEpoch,
  Transport,
} from '../../extension/core/transport/transport';
import type { FakeClock } from '../../extension/core/util/clock';
import { decodeRecordsBody, readBatchHeader, RECORDS_OFFSET } from '../../extension/core/kafka/record-batch';
import { ProducerStateTable } from '../../extension/core/sandbox/cluster/producer-state';

export interface SentRequest {
  brokerId: number;
  request: ProduceRequest;
  /** Per partition: record count, base sequence, producer id, read from the batch header. */
  batches: {
    topic: string;
    partition: number;
    recordCount: number;
    baseSequence: number;
    producerId: number;
    bytes: Buffer;
  }[];
  at: number;
}

type Answer = ProduceResponse | Error | 'hold';
export type ProduceScript = (req: SentRequest, index: number) => Answer | undefined;

export class FakeTransport implements Transport {
  /** topic -> leader per partition (-1 = no leader). */
  leaders = new Map<string, number[]>();
  brokers = [1, 2, 3];
  requests: SentRequest[] = [];
  metadataCalls = 0;
  initProducerIdCalls = 0;
  nextProducerId = 1000;
  offsets = new Map<string, number>();
  script: ProduceScript | undefined;
  held: { req: SentRequest; resolve: (r: ProduceResponse) => void; reject: (e: Error) => void }[] = [];
  closed = false;
  logAppendTime = -1;
  /** With `checkSequences()`: the broker's idempotence rules (the sandbox's table) and what each partition holds. */
  private producerState: ProducerStateTable | undefined;
  /** Values written per "topic-partition", in log order (with `checkSequences()`). */
  readonly log = new Map<string, string[]>();

  constructor(private readonly clock: FakeClock) {}

  topic(name: string, leaders: number[]): this {
    this.leaders.set(name, leaders);
    return this;
  }

  async connect(): Promise<void> {}

  async fetchMetadata(topics: string[] | null): Promise<ClusterMetadata> {
    this.metadataCalls++;
    const names = topics ?? [...this.leaders.keys()];
    return {
      clusterId: 'fake',
      controllerId: 1,
      brokers: this.brokers.map((nodeId) => ({ nodeId, host: `b${nodeId}`, port: 9092 })),
      topics: names.map((name) => {
        const leaders = this.leaders.get(name);
        if (!leaders) return { name, errorCode: 3, isInternal: false, partitions: [] };
        return {
          name,
          errorCode: 0,
          isInternal: false,
          partitions: leaders.map((leader, partition) => ({
            partition,
            leader,
            replicas: [leader],
            isr: [leader],
            offlineReplicas: [],
            errorCode: 0,
          })),
        };
      }),
    };
  }

  async initProducerId(): Promise<ProducerIdAndEpoch> {
    this.initProducerIdCalls++;
    if (this.producerState) return this.producerState.initProducerId();
    return { producerId: this.nextProducerId++, producerEpoch: 0 };
  }

  /**
   * From now on `success()` answers as a real broker would for idempotent batches: a batch is written only if its
   * sequence is the next one (OUT_OF_ORDER_SEQUENCE_NUMBER otherwise), a re-sent one is recognised as a duplicate,
   * and `log` keeps what each partition holds.
   */
  checkSequences(): this {
    this.producerState = new ProducerStateTable(this.nextProducerId);
    return this;
  }

  produce(brokerId: number, request: ProduceRequest): Promise<ProduceResponse> {
    const sent: SentRequest = {
      brokerId,
      request,
      at: this.clock.now(),
      // A copy, as a broker reads the bytes off the wire: the engine reuses batch buffers once answered.
      batches: request.partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        recordCount: p.records.readInt32BE(57),
        baseSequence: p.records.readInt32BE(53),
        producerId: Number(p.records.readBigInt64BE(43)),
        bytes: Buffer.from(p.records),
      })),
    };
    const index = this.requests.length;
    this.requests.push(sent);
    const answer = this.script?.(sent, index) ?? this.success(sent);
    if (answer === 'hold') return new Promise((resolve, reject) => this.held.push({ req: sent, resolve, reject }));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(answer);
  }

  /** Every partition succeeds, with offsets counting up per partition. */
  success(sent: SentRequest, errors: Record<string, number> = {}): ProduceResponse {
    return {
      throttleTimeMs: 0,
      timing: {
        brokerId: sent.brokerId,
        address: `b${sent.brokerId}:9092`,
        requestBytes: 0,
        sentAtMs: sent.at,
        durationMs: 2,
        correlationId: this.requests.length,
      },
      results:
        sent.request.acks === 0
          ? []
          : sent.batches.map((b) => {
              const key = `${b.topic}-${b.partition}`;
              let errorCode = errors[key] ?? 0;
              const base = this.offsets.get(key) ?? 0;
              if (errorCode === 0 && this.producerState && b.producerId >= 0) {
                const info = {
                  producerId: b.producerId,
                  producerEpoch: b.bytes.readInt16BE(51),
                  baseSequence: b.baseSequence,
                  recordCount: b.recordCount,
                };
                const check = this.producerState.check(b.topic, b.partition, info);
                if (check.kind === 'duplicate')
                  return {
                    topic: b.topic,
                    partition: b.partition,
                    errorCode: 0,
                    baseOffset: check.baseOffset,
                    logAppendTimeMs: this.logAppendTime,
                    logStartOffset: 0,
                  };
                if (check.kind === 'error') errorCode = check.errorCode;
                else this.producerState.recordAppend(b.topic, b.partition, info, base);
              }
              if (errorCode === 0) {
                this.offsets.set(key, base + b.recordCount);
                if (this.producerState && (b.bytes.readInt16BE(21) & 7) === 0) {
                  const values = decodeRecordsBody(b.bytes.subarray(RECORDS_OFFSET), readBatchHeader(b.bytes)).map(
                    (r) => r.value?.toString() ?? '',
                  );
                  this.log.set(key, [...(this.log.get(key) ?? []), ...values]);
                }
              }
              return {
                topic: b.topic,
                partition: b.partition,
                errorCode,
                baseOffset: errorCode === 0 ? base : -1,
                logAppendTimeMs: this.logAppendTime,
                logStartOffset: 0,
              };
            }),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

async function settle(clock: FakeClock): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(0);
  }
}

/**
 * Moves the fake clock forward in small steps (1 ms, or ms/2000 for long spans), letting promise callbacks run
 * between steps, so async answers land at the time they would on a real clock.
 */
export async function tick(clock: FakeClock, ms = 0): Promise<void> {
  await settle(clock);
  const step = Math.max(1, Math.ceil(ms / 2000));
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await settle(clock);
  }
}

/** A deterministic random source. */
export function seededRandom(seed = 42): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The DeliveryError a send's promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DeliveryError, `a DeliveryError, got ${String(e)}`);
    return e;
  }
  return assert.fail('expected the send to fail');
}

/**
 * Injected faults: "answer the next N matching requests with error E / after a delay / never / after writing".
 * A spec arrives as untrusted JSON (from the control server), so it is validated field by field and refused with
 * a message that says exactly what is wrong.
 */
import { ApiKey, ErrorCode, KAFKA_ERRORS, apiName, errorName } from '../../kafka/protocol';
import { InvalidInputError } from '../../util/errors';

/** The APIs faults may name: those the sandbox serves, and which of them name topic partitions. */
export interface FaultableApis {
  keys: readonly number[];
  partitioned: readonly number[];
}
const SPEC_FIELDS = new Set([
  'api',
  'errorCode',
  'count',
  'broker',
  'topic',
  'partition',
  'latencyMs',
  'dropResponse',
  'afterWrite',
]);
const MAX_LATENCY_MS = 600_000;

export interface FaultView {
  id: number;
  /** The API's Kafka name, or null for every API. */
  api: string | null;
  apiKey: number | null;
  errorCode: number | null;
  errorName: string | null;
  /** Matching requests still to be hit; the fault disappears at 0. */
  remaining: number;
  broker: number | null;
  topic: string | null;
  partition: number | null;
  latencyMs: number;
  dropResponse: boolean;
  afterWrite: boolean;
}

/** What a request's matching faults add up to. */
export interface FaultEffect {
  latencyMs: number;
  dropResponse: boolean;
  /** Error for the whole request (faults without topic/partition), or null. */
  errorCode: number | null;
  /** Whether that whole-request error is answered after the records are written (Produce). */
  afterWrite: boolean;
  /** Faults that target partitions; the handler asks `partitionError` per partition. */
  partitionFaults: FaultView[];
}

export class FaultRegistry {
  private faults: FaultView[] = [];
  private nextId = 1;

  private readonly served: Set<number>;
  /** APIs whose requests name topic partitions, so a fault can hit only some partitions of a request. */
  private readonly partitioned: Set<number>;

  constructor(
    private readonly brokerIds: readonly number[],
    apis: FaultableApis,
  ) {
    this.served = new Set(apis.keys);
    this.partitioned = new Set(apis.partitioned);
  }

  add(spec: unknown): FaultView {
    const fault = this.validate(spec);
    this.faults.push(fault);
    return { ...fault };
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultView[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /**
   * Finds the faults matching a request, uses up one count of each and returns their combined effect.
   * `partitions` lists the request's topic partitions (for partitioned APIs), so topic/partition faults match.
   */
  take(
    apiKey: number,
    brokerId: number,
    partitions: readonly { topic: string; partition: number }[],
  ): FaultEffect | null {
    const hits = this.faults.filter(
      (f) =>
        (f.apiKey === null || f.apiKey === apiKey) &&
        (f.broker === null || f.broker === brokerId) &&
        (f.topic === null && f.partition === null
          ? true
          : this.partitioned.has(apiKey) && partitions.some((p) => faultMatchesPartition(f, p.topic, p.partition))),
    );
    if (hits.length === 0) return null;
    for (const f of hits) f.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    const whole = hits.filter((f) => f.topic === null && f.partition === null);
    const wholeError = whole.find((f) => f.errorCode !== null);
    return {
      latencyMs: Math.max(0, ...hits.map((f) => f.latencyMs)),
      dropResponse: hits.some((f) => f.dropResponse),
      errorCode: wholeError?.errorCode ?? null,
      afterWrite: wholeError?.afterWrite ?? false,
      partitionFaults: hits.filter((f) => f.topic !== null || f.partition !== null),
    };
  }

  private validate(spec: unknown): FaultView {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new InvalidInputError(
        'a fault must be a JSON object such as {"api": "Produce", "errorCode": 6, "count": 1}',
      );
    }
    const s = spec as Record<string, unknown>;
    const unknownFields = Object.keys(s).filter((k) => !SPEC_FIELDS.has(k));
    if (unknownFields.length) {
      throw new InvalidInputError(
        `unknown fault field${unknownFields.length > 1 ? 's' : ''} ${unknownFields.map((k) => `'${k}'`).join(', ')}; known: ${[...SPEC_FIELDS].join(', ')}`,
      );
    }

    let apiKey: number | null = null;
    if (s.api !== undefined && s.api !== null) {
      const served = [...this.served].sort((a, b) => a - b);
      if (typeof s.api === 'string' && !/^\d+$/.test(s.api)) {
        const key = (ApiKey as Record<string, number>)[s.api];
        if (key === undefined || !this.served.has(key))
          throw new InvalidInputError(`unknown api '${s.api}'; known: ${served.map(apiName).join(', ')}`);
        apiKey = key;
      } else {
        const key = typeof s.api === 'string' ? Number(s.api) : s.api;
        if (typeof key !== 'number' || !this.served.has(key)) {
          throw new InvalidInputError(
            `api ${JSON.stringify(s.api)} is not an API key the sandbox speaks; known: ${served.map((k) => `${apiName(k)}=${k}`).join(', ')}`,
          );
        }
        apiKey = key;
      }
    }

    let errorCode: number | null = null;
    if (s.errorCode !== undefined && s.errorCode !== null) {
      if (typeof s.errorCode !== 'number' || !Number.isInteger(s.errorCode) || !KAFKA_ERRORS.has(s.errorCode)) {
        throw new InvalidInputError(`errorCode ${JSON.stringify(s.errorCode)} is not a Kafka error code`);
      }
      if (s.errorCode === ErrorCode.NONE)
        throw new InvalidInputError(
          'errorCode 0 means no error; give a Kafka error code such as 6 (NOT_LEADER_OR_FOLLOWER)',
        );
      errorCode = s.errorCode;
    }

    const count = wholeNumber(s.count, 'count', 1, 1_000_000_000) ?? 1;
    const broker = wholeNumber(s.broker, 'broker', -Infinity, Infinity);
    if (broker !== null && !this.brokerIds.includes(broker)) {
      throw new InvalidInputError(`broker ${broker} does not exist; the brokers are ${this.brokerIds.join(', ')}`);
    }
    let topic: string | null = null;
    if (s.topic !== undefined && s.topic !== null) {
      if (typeof s.topic !== 'string' || s.topic === '')
        throw new InvalidInputError('topic must be a non-empty string');
      topic = s.topic;
    }
    const partition = wholeNumber(s.partition, 'partition', 0, Infinity);
    const latencyMs = wholeNumber(s.latencyMs, 'latencyMs', 0, MAX_LATENCY_MS) ?? 0;
    const dropResponse = flag(s.dropResponse, 'dropResponse');
    const afterWrite = flag(s.afterWrite, 'afterWrite');

    if (errorCode === null && latencyMs === 0 && !dropResponse) {
      throw new InvalidInputError('a fault needs an effect: errorCode, latencyMs (above 0) or dropResponse: true');
    }
    if ((topic !== null || partition !== null) && apiKey !== null && !this.partitioned.has(apiKey)) {
      throw new InvalidInputError(
        `topic and partition apply only to ${inWords([...this.partitioned].sort((a, b) => a - b).map(apiName))} faults, not ${apiName(apiKey)}`,
      );
    }
    if (afterWrite) {
      if (apiKey !== ApiKey.Produce)
        throw new InvalidInputError('afterWrite applies only to Produce faults; add "api": "Produce"');
      if (errorCode === null)
        throw new InvalidInputError('afterWrite needs an errorCode to answer after the records are written');
    }

    return {
      id: this.nextId++,
      api: apiKey === null ? null : apiName(apiKey),
      apiKey,
      errorCode,
      errorName: errorCode === null ? null : errorName(errorCode),
      remaining: count,
      broker,
      topic,
      partition,
      latencyMs,
      dropResponse,
      afterWrite,
    };
  }
}

export function faultMatchesPartition(f: FaultView, topic: string, partition: number): boolean {
  return (f.topic === null || f.topic === topic) && (f.partition === null || f.partition === partition);
}

/** The error a partition of a request gets from the request's faults (and whether after writing), or null. */
export function partitionError(
  effect: FaultEffect | null,
  topic: string,
  partition: number,
): { errorCode: number; afterWrite: boolean } | null {
  if (!effect) return null;
  if (effect.errorCode !== null) return { errorCode: effect.errorCode, afterWrite: effect.afterWrite };
  const f = effect.partitionFaults.find((pf) => pf.errorCode !== null && faultMatchesPartition(pf, topic, partition));
  return f && f.errorCode !== null ? { errorCode: f.errorCode, afterWrite: f.afterWrite } : null;
}

/** 'A, B and C'. */
function inWords(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      min === -Infinity
        ? 'a whole number'
        : max === Infinity
          ? `a whole number of at least ${min}`
          : `a whole number from ${min} to ${max}`;
    throw new InvalidInputError(`${field} must be ${range}; got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean')
    throw new InvalidInputError(`${field} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

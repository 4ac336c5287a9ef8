/**
 * Producer configuration with the Java client's names and defaults. `validateProducerConfig` refuses bad values and
 * bad combinations with an InvalidInputError naming the key, the value and what is allowed.
 */
import { InvalidInputError } from '../util/errors';
import type { CompressionType } from '../kafka/record-batch';
import { PRODUCER_DEFAULTS as DEFAULTS, compressionNamesInWords, isCompressionName } from '../kafka/rules';

export type AcksInput = 'all' | '-1' | '1' | '0' | -1 | 0 | 1;

export interface ProducerConfigInput {
  acks?: AcksInput | number | string;
  'linger.ms'?: number;
  'batch.size'?: number;
  'buffer.memory'?: number;
  retries?: number;
  'retry.backoff.ms'?: number;
  'retry.backoff.max.ms'?: number;
  'delivery.timeout.ms'?: number;
  'request.timeout.ms'?: number;
  'max.block.ms'?: number;
  'max.request.size'?: number;
  'max.in.flight.requests.per.connection'?: number;
  'enable.idempotence'?: boolean | 'true' | 'false';
  'compression.type'?: CompressionType | string;
  partitioner?: 'default' | 'round-robin' | string;
  'partitioner.failover'?: boolean | 'true' | 'false';
  'client.id'?: string;
  'metadata.max.age.ms'?: number;
  'transactional.id'?: string | null;
  'transaction.timeout.ms'?: number;
}

/** The validated configuration the engine runs with. */
export interface ProducerConfig {
  acks: -1 | 0 | 1;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  maxBlockMs: number;
  maxRequestSize: number;
  maxInFlightPerConnection: number;
  enableIdempotence: boolean;
  compressionType: CompressionType;
  partitioner: 'default' | 'round-robin';
  partitionerFailover: boolean;
  clientId: string;
  metadataMaxAgeMs: number;
  /** null: not a transactional producer. */
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

const INT_MAX = 2147483647;

/** The Java client's defaults, from the one home of producer defaults (the composer's new drafts use them too). */
export const PRODUCER_DEFAULTS: ProducerConfig = DEFAULTS;

const KNOWN_KEYS = new Set([
  'acks',
  'linger.ms',
  'batch.size',
  'buffer.memory',
  'retries',
  'retry.backoff.ms',
  'retry.backoff.max.ms',
  'delivery.timeout.ms',
  'request.timeout.ms',
  'max.block.ms',
  'max.request.size',
  'max.in.flight.requests.per.connection',
  'enable.idempotence',
  'compression.type',
  'partitioner',
  'partitioner.failover',
  'client.id',
  'metadata.max.age.ms',
  'transactional.id',
  'transaction.timeout.ms',
]);

function refuse(key: string, value: unknown, allowed: string): never {
  throw new InvalidInputError(`Invalid producer config ${key}=${JSON.stringify(value)}: ${allowed}.`);
}

function int(
  input: ProducerConfigInput,
  key: keyof ProducerConfigInput,
  fallback: number,
  min: number,
  max = INT_MAX,
): number {
  const value = input[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(key, value, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

function bool(input: ProducerConfigInput, key: keyof ProducerConfigInput, fallback: boolean): boolean {
  const value = input[key];
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return refuse(key, value, 'expected true or false');
}

function parseAcks(value: unknown): -1 | 0 | 1 {
  if (value === undefined || value === 'all' || value === '-1' || value === -1) return -1;
  if (value === '1' || value === 1) return 1;
  if (value === '0' || value === 0) return 0;
  return refuse('acks', value, 'expected all, -1, 1 or 0');
}

/** Checks every key and combination and fills in the Java defaults. */
export function validateProducerConfig(input: ProducerConfigInput = {}): ProducerConfig {
  if (input === null || typeof input !== 'object')
    throw new InvalidInputError('Producer config must be an object of Java-named keys, e.g. {"acks":"all"}.');
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new InvalidInputError(
        `Unknown producer config key "${key}": known keys are ${[...KNOWN_KEYS].join(', ')}.`,
      );
    }
  }
  const acks = parseAcks(input['acks']);
  const compression = input['compression.type'] ?? 'none';
  if (!isCompressionName(compression)) {
    refuse('compression.type', compression, `expected ${compressionNamesInWords()}`);
  }
  const partitioner = input['partitioner'] ?? 'default';
  if (partitioner !== 'default' && partitioner !== 'round-robin')
    refuse('partitioner', partitioner, 'expected default or round-robin');
  const transactionalId = input['transactional.id'] ?? null;
  if (transactionalId !== null && (typeof transactionalId !== 'string' || transactionalId.trim() === '')) {
    refuse(
      'transactional.id',
      transactionalId,
      'expected a non-empty string (or leave it out for a producer without transactions)',
    );
  }
  const clientId = input['client.id'] ?? PRODUCER_DEFAULTS.clientId;
  if (typeof clientId !== 'string') refuse('client.id', clientId, 'expected a string');

  const config: ProducerConfig = {
    acks,
    lingerMs: int(input, 'linger.ms', PRODUCER_DEFAULTS.lingerMs, 0),
    batchSize: int(input, 'batch.size', PRODUCER_DEFAULTS.batchSize, 0),
    bufferMemory: int(input, 'buffer.memory', PRODUCER_DEFAULTS.bufferMemory, 1, Number.MAX_SAFE_INTEGER),
    retries: int(input, 'retries', PRODUCER_DEFAULTS.retries, 0),
    retryBackoffMs: int(input, 'retry.backoff.ms', PRODUCER_DEFAULTS.retryBackoffMs, 0),
    retryBackoffMaxMs: int(input, 'retry.backoff.max.ms', PRODUCER_DEFAULTS.retryBackoffMaxMs, 0),
    deliveryTimeoutMs: int(input, 'delivery.timeout.ms', PRODUCER_DEFAULTS.deliveryTimeoutMs, 0),
    requestTimeoutMs: int(input, 'request.timeout.ms', PRODUCER_DEFAULTS.requestTimeoutMs, 0),
    maxBlockMs: int(input, 'max.block.ms', PRODUCER_DEFAULTS.maxBlockMs, 0),
    maxRequestSize: int(input, 'max.request.size', PRODUCER_DEFAULTS.maxRequestSize, 1),
    maxInFlightPerConnection: int(
      input,
      'max.in.flight.requests.per.connection',
      PRODUCER_DEFAULTS.maxInFlightPerConnection,
      1,
    ),
    enableIdempotence: bool(input, 'enable.idempotence', PRODUCER_DEFAULTS.enableIdempotence),
    compressionType: compression as CompressionType,
    partitioner,
    partitionerFailover: bool(input, 'partitioner.failover', PRODUCER_DEFAULTS.partitionerFailover),
    clientId,
    metadataMaxAgeMs: int(input, 'metadata.max.age.ms', PRODUCER_DEFAULTS.metadataMaxAgeMs, 0),
    transactionalId,
    transactionTimeoutMs: int(input, 'transaction.timeout.ms', PRODUCER_DEFAULTS.transactionTimeoutMs, 1),
  };

  const idempotenceExplicit = input['enable.idempotence'] !== undefined;
  if (config.enableIdempotence) {
    if (acks !== -1) {
      // As Java 3.x: idempotence is on by default but gives way to an explicit acks=1/0; set explicitly, it is an error.
      if (idempotenceExplicit) {
        refuse(
          'acks',
          input['acks'],
          'enable.idempotence=true needs acks=all; set acks=all or enable.idempotence=false',
        );
      }
      config.enableIdempotence = false;
    } else if (config.maxInFlightPerConnection > 5) {
      if (idempotenceExplicit) {
        refuse(
          'max.in.flight.requests.per.connection',
          config.maxInFlightPerConnection,
          'enable.idempotence=true allows at most 5; lower it or set enable.idempotence=false',
        );
      }
      config.enableIdempotence = false;
    } else if (config.retries === 0) {
      // As Java: the idempotent producer retries to keep its sequences whole; it refuses retries=0.
      if (idempotenceExplicit)
        refuse(
          'retries',
          0,
          'enable.idempotence=true needs retries above 0; raise retries or set enable.idempotence=false',
        );
      config.enableIdempotence = false;
    }
  }
  if (transactionalId !== null && !config.enableIdempotence) {
    // As Java: a transactional producer is idempotent; say which setting turned idempotence off.
    const cause =
      input['enable.idempotence'] !== undefined && !bool(input, 'enable.idempotence', true)
        ? 'enable.idempotence=false'
        : acks !== -1
          ? `acks=${input['acks']}`
          : config.maxInFlightPerConnection > 5
            ? `max.in.flight.requests.per.connection=${config.maxInFlightPerConnection}`
            : 'retries=0';
    refuse(
      'transactional.id',
      transactionalId,
      `a transactional producer must be idempotent, but ${cause} turns idempotence off; remove it (or set enable.idempotence=true, acks=all, retries above 0, max.in.flight.requests.per.connection at most 5)`,
    );
  }
  if (config.bufferMemory < config.batchSize) {
    refuse(
      'buffer.memory',
      config.bufferMemory,
      `must be at least batch.size (${config.batchSize}), or no batch could ever be allocated; raise buffer.memory or lower batch.size`,
    );
  }
  if (config.retryBackoffMaxMs < config.retryBackoffMs) {
    // Java caps the base at the max rather than failing; we say so instead of guessing.
    refuse(
      'retry.backoff.max.ms',
      config.retryBackoffMaxMs,
      `must be at least retry.backoff.ms (${config.retryBackoffMs})`,
    );
  }
  if (config.deliveryTimeoutMs < config.lingerMs + config.requestTimeoutMs) {
    refuse(
      'delivery.timeout.ms',
      config.deliveryTimeoutMs,
      `must be at least linger.ms + request.timeout.ms (${config.lingerMs + config.requestTimeoutMs})`,
    );
  }
  return config;
}

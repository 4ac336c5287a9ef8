/** The producer engine's public API. */
import type { Transport } from '../transport/transport';
import type { Clock } from '../util/clock';
import { validateProducerConfig, type ProducerConfigInput } from './config';
import { KafkaProducer } from './producer';
import type { Producer } from './types';

export { validateProducerConfig, PRODUCER_DEFAULTS } from './config';
export type { ProducerConfig, ProducerConfigInput } from './config';
export { DeliveryError } from './errors';
export { murmur2, toPositive, partitionForKey } from './murmur2';
export type * from './types';

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

/** Validates the config (throws InvalidInputError naming the bad key) and builds a producer. */
export function createProducer(config: ProducerConfigInput, deps: ProducerDependencies): Producer {
  return new KafkaProducer(validateProducerConfig(config), deps);
}

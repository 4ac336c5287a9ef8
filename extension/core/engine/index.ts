/** The producer engine's public API. */
import { validateProducerConfig, type ProducerConfigInput } from './config';
import { KafkaProducer, type ProducerDependencies } from './producer';
import type { Producer } from './types';

export { validateProducerConfig, PRODUCER_DEFAULTS } from './config';
export type { ProducerConfig, ProducerConfigInput } from './config';
export { DeliveryError, TransactionError } from './errors';
export { murmur2, toPositive, partitionForKey } from './murmur2';
export type * from './types';
export type { ProducerDependencies } from './producer';

/** Validates the config (throws InvalidInputError naming the bad key) and builds a producer. */
export function createProducer(config: ProducerConfigInput, deps: ProducerDependencies): Producer {
  return new KafkaProducer(validateProducerConfig(config), deps);
}

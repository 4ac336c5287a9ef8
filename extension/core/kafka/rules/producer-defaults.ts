/**
 * The producer's defaults, the Java client's (`ProducerConfig`), read by the engine when a key is not given and by the
 * composer for the settings a new draft starts with.
 */
import { DEFAULT_CLIENT_ID } from './client-id';
import type { CompressionName } from './compression-names';

const INT_MAX = 2147483647;

/** The one key of a producer configuration (Java names): equal settings give equal keys, whatever their order. */
export function producerConfigKey(config: object): string {
  return JSON.stringify(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const PRODUCER_DEFAULTS = {
  acks: -1 as -1 | 0 | 1,
  lingerMs: 5,
  batchSize: 16384,
  bufferMemory: 32 * 1024 * 1024,
  retries: INT_MAX,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  deliveryTimeoutMs: 120000,
  requestTimeoutMs: 30000,
  maxBlockMs: 60000,
  maxRequestSize: 1024 * 1024,
  maxInFlightPerConnection: 5,
  enableIdempotence: true,
  compressionType: 'none' as CompressionName,
  partitioner: 'default' as 'default' | 'round-robin',
  partitionerFailover: false,
  clientId: DEFAULT_CLIENT_ID,
  metadataMaxAgeMs: 300000,
  /** null: not a transactional producer. */
  transactionalId: null as string | null,
  transactionTimeoutMs: 60000,
};

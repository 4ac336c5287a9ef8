/**
 * Errors in plain words with the Kafka error name, for notifications, the results table and the composer.
 * Duck-typed on the engine's DeliveryError and the transport's TransportError so this file stays import-free.
 */
import type { WebviewError } from '../../protocol/messages';

const KAFKA_WORDS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'The topic or partition does not exist on this cluster (and the broker did not create it).',
  MESSAGE_TOO_LARGE: 'The record is larger than the broker or topic accepts (message.max.bytes / max.message.bytes).',
  RECORD_LIST_TOO_LARGE: 'The batch is larger than the broker accepts.',
  NOT_LEADER_OR_FOLLOWER: 'The broker is no longer the partition leader; the producer refreshes metadata and retries.',
  NOT_ENOUGH_REPLICAS: 'Too few in-sync replicas for acks=all (min.insync.replicas).',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'Written, but too few in-sync replicas confirmed it.',
  REQUEST_TIMED_OUT: 'The broker did not answer in time.',
  TOPIC_AUTHORIZATION_FAILED: 'This user may not write to the topic.',
  SASL_AUTHENTICATION_FAILED: 'Login failed: check the SASL mechanism, user name and password.',
  INVALID_TOPIC_EXCEPTION: 'The topic name is not valid.',
  CORRUPT_MESSAGE: 'The broker found the batch corrupt (CRC mismatch).',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'The broker saw a gap in the idempotent producer\'s sequence numbers.',
  LEADER_NOT_AVAILABLE: 'The partition has no leader right now (election in progress).',
};

const KIND_WORDS: Record<string, string> = {
  connection: 'Cannot reach the broker: check the bootstrap servers and that the cluster is running.',
  timeout: 'Timed out waiting for the cluster.',
  tls: 'The TLS handshake failed: check TLS is on for this cluster, the CA certificate and the client certificate.',
  authentication: 'Login failed: check the SASL mechanism, user name and password.',
  protocol: 'The broker sent an answer the client did not understand.',
  closed: 'The connection was closed.',
};

export function toWebviewError(e: unknown): WebviewError {
  const err = e as { message?: string; errorName?: string; kind?: string; name?: string } | undefined;
  const message = err?.message ?? String(e);
  if (err?.errorName && err.errorName !== 'NONE') {
    const words = KAFKA_WORDS[err.errorName];
    return { message: words ? `${words} (${message})` : message, kafkaError: err.errorName };
  }
  if (err?.kind && KIND_WORDS[err.kind]) return { message: `${KIND_WORDS[err.kind]} (${message})` };
  return { message };
}

export function plainError(e: unknown): string {
  const w = toWebviewError(e);
  return w.kafkaError && !w.message.includes(w.kafkaError) ? `${w.kafkaError}: ${w.message}` : w.message;
}

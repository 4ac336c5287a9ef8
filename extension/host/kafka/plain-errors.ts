/**
 * Errors in plain words with the Kafka error name, for notifications, the results table and the composer.
 * Duck-typed on the engine's DeliveryError and the transport's TransportError; what to do about a Kafka error comes
 * from the one error catalogue (a module of plain data, cheap to load).
 */
import { errorAdvice } from '../../core/kafka/protocol/errors';
import type { WebviewError } from '../../protocol/messages';

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
    const words = errorAdvice(err.errorName);
    return { message: words ? `${words} (${message})` : message, kafkaError: err.errorName };
  }
  if (err?.kind && KIND_WORDS[err.kind]) return { message: `${KIND_WORDS[err.kind]} (${message})` };
  return { message };
}

export function plainError(e: unknown): string {
  const w = toWebviewError(e);
  return w.kafkaError && !w.message.includes(w.kafkaError) ? `${w.kafkaError}: ${w.message}` : w.message;
}

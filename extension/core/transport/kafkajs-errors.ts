/**
 * Turns kafkajs's errors (and Node socket errors inside them) into TransportErrors with a kind, a retriable flag
 * and a plain message that says which broker and what to check. The only place kafkajs error names are read.
 */
import { errorCodes } from './kafkajs-internals';
import { TransportError, type TransportErrorKind } from './transport';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
]);

const SASL_ERROR_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

interface KafkajsLikeError {
  name?: string;
  message?: string;
  code?: string | number;
  type?: string;
  retriable?: boolean;
  broker?: string;
}

function isTlsFailure(code: string | undefined, message: string): boolean {
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) return true;
  return /certificate|ssl|tls|handshake/i.test(message);
}

/** The Kafka error name of a code (`NOT_LEADER_OR_FOLLOWER`), or `UNKNOWN_ERROR_<code>`. */
export function kafkaErrorName(code: number): string {
  const known = errorCodes.find((e) => e.code === code);
  if (!known) return `UNKNOWN_ERROR_${code}`;
  // kafkajs still uses the pre-2.7 name for code 6.
  return known.type === 'NOT_LEADER_FOR_PARTITION' ? 'NOT_LEADER_OR_FOLLOWER' : known.type;
}

export function isRetriableKafkaError(code: number): boolean {
  return errorCodes.find((e) => e.code === code)?.retriable ?? false;
}

/**
 * Maps any error thrown by kafkajs while talking to `address` (host:port) to a TransportError. Errors that already
 * are TransportErrors pass through.
 */
export function toTransportError(e: unknown, address: string, brokerId?: number): TransportError {
  if (e instanceof TransportError) return e;
  const err = (e ?? {}) as KafkajsLikeError;
  const name = err.name ?? '';
  const message = err.message ?? String(e);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const make = (kind: TransportErrorKind, text: string, retriable: boolean): TransportError =>
    new TransportError(text, kind, { retriable, cause: e, brokerId });

  if (name === 'KafkaJSSASLAuthenticationError' || (err.type && SASL_ERROR_TYPES.has(err.type))) {
    return make('authentication', `SASL login to ${address} was refused: ${stripPrefix(message)}. Check the mechanism, user name and password`, false);
  }
  if (name === 'KafkaJSRequestTimeoutError') {
    return make('timeout', `request to ${address} timed out: no answer within the request timeout`, true);
  }
  if (name === 'KafkaJSLockTimeout' || name === 'KafkaJSTimeout') {
    return make('timeout', `connecting to ${address} timed out`, true);
  }
  if (name === 'KafkaJSConnectionClosedError') {
    return make('connection', `${address} closed the connection`, true);
  }
  if (name === 'KafkaJSConnectionError') {
    if (isTlsFailure(code, message)) {
      return make('tls', `TLS connection to ${address} failed: ${stripPrefix(message)}. Check the CA certificate, the client certificate, or whether the listener uses TLS at all`, false);
    }
    if (message === 'Connection timeout') return make('timeout', `connecting to ${address} timed out`, true);
    if (code === 'ECONNREFUSED') return make('connection', `cannot reach broker ${address}: connection refused (is it running, and is the port right?)`, true);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('connection', `cannot reach broker ${address}: host name not found`, true);
    return make('connection', `cannot reach broker ${address}: ${stripPrefix(message)}`, true);
  }
  if (name === 'KafkaJSProtocolError') {
    return make('protocol', `${address} answered ${err.type ?? 'an error'}: ${message}`, err.retriable ?? false);
  }
  if (name === 'KafkaJSServerDoesNotSupportApiKey' && (e as { apiName?: string }).apiName === 'SaslHandshake') {
    return make('authentication', `${address} does not offer SASL authentication on this listener; connect without SASL or use the SASL listener's port`, false);
  }
  if (name === 'KafkaJSServerDoesNotSupportApiKey' || message === 'API Versions not supported') {
    return make('protocol', `${address} does not support a request the producer needs (${message}); is it a Kafka broker of version 0.11 or later?`, false);
  }
  // A Node socket error that escaped kafkajs's wrapping.
  if (code && isTlsFailure(code, message)) return make('tls', `TLS connection to ${address} failed: ${message}`, false);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') return make('connection', `connection to ${address} failed: ${message}`, true);
  return make('protocol', `unexpected failure talking to ${address}: ${message}`, err.retriable ?? false);
}

function stripPrefix(message: string): string {
  return message.replace(/^(Connection error|Failed to connect): /, '');
}

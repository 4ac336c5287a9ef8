import assert from 'node:assert/strict';
import { errorName } from '../../extension/core/kafka/protocol';
import { toTransportError } from '../../extension/core/transport/kafkajs-connection';
import { TransportError } from '../../extension/core/transport/transport';

// The kafkajs error classes, from the same deep module the transport sees at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
const kerrors = require('kafkajs/src/errors');

describe('transport error mapping', () => {
  it('maps a refused connection to a retriable connection error naming the broker', () => {
    const e = toTransportError(
      new kerrors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', {
        code: 'ECONNREFUSED',
      }),
      '127.0.0.1:1',
      3,
    );
    assert.equal(e.kind, 'connection');
    assert.equal(e.retriable, true);
    assert.equal(e.brokerId, 3);
    assert.match(e.message, /127\.0\.0\.1:1.*refused/);
  });

  it('maps a certificate failure to a non-retriable tls error', () => {
    const e = toTransportError(
      new kerrors.KafkaJSConnectionError('Connection error: self-signed certificate', {
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      }),
      'h:9093',
    );
    assert.equal(e.kind, 'tls');
    assert.equal(e.retriable, false);
    assert.match(e.message, /TLS connection to h:9093 failed: self-signed certificate/);
  });

  it('maps a refused SASL login to a non-retriable authentication error', () => {
    const e = toTransportError(
      new kerrors.KafkaJSSASLAuthenticationError(
        'SASL SCRAM SHA256 authentication failed: Invalid username or password',
      ),
      'h:9092',
    );
    assert.equal(e.kind, 'authentication');
    assert.equal(e.retriable, false);
    assert.match(e.message, /SASL login to h:9092 was refused/);
  });

  it('maps request and connect timeouts to retriable timeout errors', () => {
    assert.equal(
      toTransportError(new kerrors.KafkaJSRequestTimeoutError('Request Produce timed out'), 'h:1').kind,
      'timeout',
    );
    const connect = toTransportError(new kerrors.KafkaJSConnectionError('Connection timeout'), 'h:1');
    assert.equal(connect.kind, 'timeout');
    assert.equal(connect.retriable, true);
  });

  it('maps a closed connection to a retriable connection error', () => {
    const e = toTransportError(
      new kerrors.KafkaJSConnectionClosedError('Closed connection', { host: 'h', port: 1 }),
      'h:1',
    );
    assert.equal(e.kind, 'connection');
    assert.equal(e.retriable, true);
  });

  it('passes a TransportError through unchanged', () => {
    const original = new TransportError('x', 'closed', { retriable: false });
    assert.equal(toTransportError(original, 'h:1'), original);
  });

  it('names Kafka error codes with current names', () => {
    assert.equal(errorName(6), 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(errorName(19), 'NOT_ENOUGH_REPLICAS');
    assert.equal(errorName(9999), 'UNKNOWN_ERROR_CODE_9999');
  });
});

import { strict as assert } from 'node:assert';
import { PRODUCER_DEFAULTS, validateProducerConfig } from '../../extension/core/engine';
import { InvalidInputError } from '../../extension/core/util/errors';

function refusal(input: Record<string, unknown>): string {
  try {
    validateProducerConfig(input as never);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, 'an InvalidInputError');
    return e.message;
  }
  return assert.fail('expected the config to be refused');
}

describe('producer config', () => {
  it('fills in the Java defaults', () => {
    const c = validateProducerConfig({});
    assert.equal(c.acks, -1);
    assert.equal(c.lingerMs, 5);
    assert.equal(c.batchSize, 16384);
    assert.equal(c.bufferMemory, 33554432);
    assert.equal(c.retries, 2147483647);
    assert.equal(c.retryBackoffMs, 100);
    assert.equal(c.retryBackoffMaxMs, 1000);
    assert.equal(c.deliveryTimeoutMs, 120000);
    assert.equal(c.requestTimeoutMs, 30000);
    assert.equal(c.maxBlockMs, 60000);
    assert.equal(c.maxRequestSize, 1048576);
    assert.equal(c.maxInFlightPerConnection, 5);
    assert.equal(c.enableIdempotence, true);
    assert.equal(c.compressionType, 'none');
    assert.equal(c.partitionerFailover, false);
    assert.equal(c.metadataMaxAgeMs, 300000);
    assert.deepEqual(c, PRODUCER_DEFAULTS);
  });

  it('accepts acks as all, -1, 1, 0 in string or number form', () => {
    assert.equal(validateProducerConfig({ acks: 'all' }).acks, -1);
    assert.equal(validateProducerConfig({ acks: '-1' }).acks, -1);
    assert.equal(validateProducerConfig({ acks: 1 }).acks, 1);
    assert.equal(validateProducerConfig({ acks: '0' }).acks, 0);
  });

  it('turns idempotence off, as Java 3.x does, when acks is 1 or 0 and idempotence was not set explicitly', () => {
    assert.equal(validateProducerConfig({ acks: '1' }).enableIdempotence, false);
    assert.equal(validateProducerConfig({ acks: 0 }).enableIdempotence, false);
    assert.equal(validateProducerConfig({ 'max.in.flight.requests.per.connection': 10 }).enableIdempotence, false);
  });

  it('refuses explicit idempotence with acks=1, naming the key, the value and the fix', () => {
    const msg = refusal({ 'enable.idempotence': true, acks: '1' });
    assert.match(msg, /acks="1"/);
    assert.match(msg, /enable\.idempotence=true needs acks=all/);
  });

  it('refuses explicit idempotence with more than 5 requests in flight', () => {
    assert.match(
      refusal({ 'enable.idempotence': 'true', 'max.in.flight.requests.per.connection': 6 }),
      /max\.in\.flight\.requests\.per\.connection=6.*at most 5/,
    );
  });

  it('refuses bad values with the key, the value and what is allowed', () => {
    assert.match(refusal({ acks: '2' }), /acks="2".*all, -1, 1 or 0/);
    assert.match(refusal({ 'linger.ms': -1 }), /linger\.ms=-1.*integer from 0/);
    assert.match(refusal({ 'batch.size': 1.5 }), /batch\.size=1\.5/);
    assert.match(
      refusal({ 'compression.type': 'brotli' }),
      /compression\.type="brotli".*none, gzip, snappy, lz4 or zstd/,
    );
    assert.match(refusal({ partitioner: 'uniform' }), /partitioner="uniform".*default or round-robin/);
    assert.match(refusal({ 'enable.idempotence': 'yes' }), /enable\.idempotence="yes".*true or false/);
    assert.match(refusal({ lingerMs: 5 }), /Unknown producer config key "lingerMs"/);
  });

  it('refuses combinations Java refuses: backoff max below base, delivery timeout below linger + request timeout', () => {
    assert.match(
      refusal({ 'retry.backoff.ms': 500, 'retry.backoff.max.ms': 100 }),
      /retry\.backoff\.max\.ms=100.*at least retry\.backoff\.ms \(500\)/,
    );
    assert.match(
      refusal({ 'delivery.timeout.ms': 1000, 'linger.ms': 10, 'request.timeout.ms': 1000 }),
      /delivery\.timeout\.ms=1000.*1010/,
    );
  });
});

describe('producer config: transactions', () => {
  it('takes transactional.id and transaction.timeout.ms with the Java default timeout', () => {
    const c = validateProducerConfig({ 'transactional.id': 'tx-1' });
    assert.equal(c.transactionalId, 'tx-1');
    assert.equal(c.transactionTimeoutMs, 60000);
    assert.equal(validateProducerConfig({}).transactionalId, null);
  });

  it('refuses transactional.id when a setting turns idempotence off, naming that setting', () => {
    assert.throws(
      () => validateProducerConfig({ 'transactional.id': 'tx', 'enable.idempotence': false }),
      /transactional\.id.*enable\.idempotence=false turns idempotence off/,
    );
    assert.throws(
      () => validateProducerConfig({ 'transactional.id': 'tx', acks: 1 }),
      /transactional\.id.*acks=1 turns idempotence off/,
    );
    assert.throws(() => validateProducerConfig({ 'transactional.id': '  ' }), /transactional\.id.*non-empty string/);
  });
});

/**
 * The one home of each domain rule (extension/core/kafka/rules/), pinned once here, and one check per layer that it
 * calls that home rather than a copy of its own (copies drifted: "." and ".." passed collection lint).
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import {
  createProducer,
  validateProducerConfig,
  PRODUCER_DEFAULTS as ENGINE_DEFAULTS,
} from '../../extension/core/engine';
import { CompressionType } from '../../extension/core/kafka/compression';
import { isTopicError } from '../../extension/core/kafka/protocol/errors';
import {
  CLI_CLIENT_ID,
  COMPRESSION_NAMES,
  DEFAULT_CLIENT_ID,
  PRODUCER_DEFAULTS,
  brokerAddressProblem,
  clientIdOrDefault,
  isCompressionName,
  parseBrokerAddress,
  splitBrokerList,
  topicNameProblem,
} from '../../extension/core/kafka/rules';
import { parseCollectionText, parseEnvironmentText } from '../../extension/core/collections';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { FakeClock } from '../../extension/core/util/clock';
import { parseBrokerList } from '../../extension/host/connections/model';
import { defaultDraft } from '../../extension/protocol/messages';
import { checkDraft } from '../../extension/protocol/validate';
import { FakeTransport, seededRandom, tick } from './engine-fake-transport';

describe('domain rules: one home each', () => {
  describe('topic names (Java Topic.validate)', () => {
    it('accepts 1-249 of letters, digits, ".", "_" and "-", and refuses "." and ".."', () => {
      for (const ok of ['orders', 'orders.v1_eu-2', 'a', '...', 'x'.repeat(249)])
        assert.equal(topicNameProblem(ok), null, ok);
      assert.equal(topicNameProblem('.'), "topic name '.' is not allowed");
      assert.equal(topicNameProblem('..'), "topic name '..' is not allowed");
      assert.match(topicNameProblem('x'.repeat(250))!, /is 250 characters; at most 249 are allowed/);
      assert.match(
        topicNameProblem('has space')!,
        /has characters Kafka does not allow; use only letters, digits, '\.', '_' and '-'/,
      );
      assert.match(topicNameProblem('émile')!, /characters Kafka does not allow/);
      assert.equal(topicNameProblem(''), 'a topic name must be a non-empty string');
    });

    it('is what collection lint, the composer, the engine and the transport refuse', async () => {
      // Collection lint accepted ".." before (its own regex): the broker refuses it.
      const doc = parseCollectionText('{"name": "c", "messages": [{"name": "m", "topic": ".."}]}', 'c.kafka.json');
      assert.deepEqual(
        doc.diagnostics.map((d) => d.message),
        [topicNameProblem('..')],
      );

      const draft = { ...defaultDraft(), topic: '.' };
      assert.deepEqual(
        checkDraft(draft).map((e) => [e.field, e.message]),
        [['topic', "The topic name '.' is not allowed."]],
      );

      const clock = new FakeClock(0);
      const producer = createProducer(
        { 'linger.ms': 0 },
        { transport: new FakeTransport(clock).topic('t', [1]), clock, random: seededRandom() },
      );
      const errors: string[] = [];
      producer.produce({ topic: '..', value: 'v' }, (e) => errors.push(`${e?.errorName}: ${e?.message}`));
      producer.produce({ topic: 't', value: 'v' }, (e) => errors.push(String(e?.errorName)));
      await tick(clock, 5);
      assert.deepEqual(errors, ["INVALID_RECORD: Invalid record: topic name '..' is not allowed.", 'undefined']);

      const transport = new KafkaTransport({ brokers: ['127.0.0.1:1'] });
      await assert.rejects(transport.createTopics([{ name: '..' }]), /topic name '\.\.' is not allowed/);
    });
  });

  describe('broker addresses', () => {
    it('takes HOST:PORT with any hostname (underscores too), IPv4, or IPv6 in brackets', () => {
      assert.deepEqual(parseBrokerAddress('kafka_1:9092'), { host: 'kafka_1', port: 9092 });
      assert.deepEqual(parseBrokerAddress('10.0.0.7:19092'), { host: '10.0.0.7', port: 19092 });
      assert.deepEqual(parseBrokerAddress('[::1]:9092'), { host: '::1', port: 9092 });
      assert.deepEqual(parseBrokerAddress('[::ffff:10.0.0.1]:9092'), { host: '::ffff:10.0.0.1', port: 9092 });
      for (const bad of [
        'localhost',
        '::1:9092',
        'h:0',
        'h:65536',
        'h:port',
        'http://h:9092',
        '[nothex]:9092',
        ':9092',
      ]) {
        assert.ok(brokerAddressProblem(bad), `refuses ${bad}`);
      }
      assert.equal(
        brokerAddressProblem('localhost'),
        "'localhost' is not HOST:PORT (IPv6 as [HOST]:PORT), for example 127.0.0.1:9092",
      );
      assert.equal(brokerAddressProblem('h:65536'), "'h:65536': the port must be from 1 to 65535");
    });

    it('splits a list on commas and whitespace', () => {
      assert.deepEqual(splitBrokerList(' a:1,b:2 ,, c:3\n[::1]:4 '), ['a:1', 'b:2', 'c:3', '[::1]:4']);
    });

    it('is what the connection form, environment files and the transport accept and refuse', () => {
      // The connection form refused kafka_1:9092 (its own regex), which an environment file accepted.
      assert.deepEqual(parseBrokerList('kafka_1:9092, [::1]:9093'), ['kafka_1:9092', '[::1]:9093']);
      assert.throws(() => parseBrokerList('kafka_1'), {
        message: `Not a bootstrap server: ${brokerAddressProblem('kafka_1')}.`,
      });
      const env = parseEnvironmentText(
        '{"name": "dev", "connection": {"bootstrap": "kafka_1:9092,kafka_2"}}',
        'dev.kafka-env.json',
      );
      assert.deepEqual(
        env.diagnostics.map((d) => d.message),
        [brokerAddressProblem('kafka_2')],
      );
      assert.doesNotThrow(() => new KafkaTransport({ brokers: ['kafka_1:9092', '[::1]:9092'] }));
      assert.throws(() => new KafkaTransport({ brokers: ['::1:9092'] }), {
        message: `bootstrap broker ${brokerAddressProblem('::1:9092')}`,
      });
    });
  });

  it('client ids: the extension default, the CLI its own, blank means the default', () => {
    assert.equal(DEFAULT_CLIENT_ID, 'kafka-workbench');
    assert.notEqual(CLI_CLIENT_ID, DEFAULT_CLIENT_ID);
    assert.equal(clientIdOrDefault(undefined), DEFAULT_CLIENT_ID);
    assert.equal(clientIdOrDefault('  '), DEFAULT_CLIENT_ID);
    assert.equal(clientIdOrDefault('billing-svc'), 'billing-svc');
    assert.equal(validateProducerConfig({}).clientId, DEFAULT_CLIENT_ID);
  });

  it("compression names: Kafka's five, in codec id order, the same in the collection schema", () => {
    assert.deepEqual([...COMPRESSION_NAMES], ['none', 'gzip', 'snappy', 'lz4', 'zstd']);
    COMPRESSION_NAMES.forEach((name, id) => assert.equal(CompressionType[name], id));
    assert.ok(isCompressionName('zstd') && !isCompressionName('brotli') && !isCompressionName(undefined));
    assert.throws(
      () => validateProducerConfig({ 'compression.type': 'brotli' }),
      /expected none, gzip, snappy, lz4 or zstd/,
    );
    // A JSON schema cannot import the list: it is pinned to it here.
    const schema = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../media/schemas/kafka-collection.schema.json'), 'utf8'),
    );
    const enums: unknown[][] = [];
    JSON.stringify(
      schema,
      (key, value) => (key === 'compression.type' && value?.enum && enums.push(value.enum), value),
    );
    assert.ok(enums.length > 0);
    for (const e of enums) assert.deepEqual(e, [...COMPRESSION_NAMES]);
  });

  it("producer defaults: Java's, used by the engine and by a new composer draft", () => {
    assert.equal(ENGINE_DEFAULTS, PRODUCER_DEFAULTS);
    assert.deepEqual(validateProducerConfig({}), PRODUCER_DEFAULTS);
    assert.deepEqual(
      [
        PRODUCER_DEFAULTS.acks,
        PRODUCER_DEFAULTS.lingerMs,
        PRODUCER_DEFAULTS.batchSize,
        PRODUCER_DEFAULTS.deliveryTimeoutMs,
        PRODUCER_DEFAULTS.enableIdempotence,
      ],
      [-1, 5, 16384, 120000, true],
    );
    const s = defaultDraft().settings;
    assert.deepEqual(
      [
        s.acks,
        s['compression.type'],
        s['linger.ms'],
        s['batch.size'],
        s.retries,
        s['delivery.timeout.ms'],
        s['enable.idempotence'],
        s.partitioner,
        s['partitioner.failover'],
      ],
      ['all', 'none', 5, 16384, 2147483647, 120000, true, 'default', false],
    );
  });

  it('the error catalogue says which errors are about the topic (not the words of their names)', () => {
    for (const name of ['UNKNOWN_TOPIC_OR_PARTITION', 'INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED'])
      assert.ok(isTopicError(name), name);
    for (const name of [
      'NOT_LEADER_OR_FOLLOWER',
      'GROUP_SUBSCRIBED_TO_TOPIC',
      'DELIVERY_TIMEOUT',
      'UNKNOWN_ERROR_CODE_999',
    ])
      assert.ok(!isTopicError(name), name);
  });
});

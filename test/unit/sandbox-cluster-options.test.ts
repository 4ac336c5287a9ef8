import { strict as assert } from 'node:assert';
import { resolveSandboxOptions } from '../../extension/core/sandbox/cluster/options';
import { InvalidInputError } from '../../extension/core/util/errors';

describe('resolveSandboxOptions', () => {
  it('applies the issue defaults: 3 brokers from 9092, 3 partitions, RF 3, min ISR 1, auto-create on', () => {
    const o = resolveSandboxOptions({});
    assert.equal(o.brokers, 3);
    assert.equal(o.port, 9092);
    assert.equal(o.partitions, 3);
    assert.equal(o.replicationFactor, 3);
    assert.equal(o.minInsyncReplicas, 1, "Kafka's own default");
    assert.equal(o.autoCreateTopics, true);
    assert.equal(o.electionDelayMs, 200);
    assert.equal(o.host, '127.0.0.1');
  });

  it('caps replication factor at the broker count and uses min ISR 1 below 3 brokers', () => {
    const o = resolveSandboxOptions({ brokers: 2 });
    assert.equal(o.replicationFactor, 2);
    assert.equal(o.minInsyncReplicas, 1);
    assert.equal(resolveSandboxOptions({ brokers: 1 }).replicationFactor, 1);
  });

  it('gives each listed topic the default partition count unless it names its own', () => {
    const o = resolveSandboxOptions({ partitions: 4, topics: [{ name: 'a' }, { name: 'b', partitions: 7 }] });
    assert.deepEqual(o.topics, [
      { name: 'a', partitions: 4 },
      { name: 'b', partitions: 7 },
    ]);
  });

  it('refuses bad values with an error naming the option', () => {
    const cases: [object, RegExp][] = [
      [{ brokers: 0 }, /brokers must be a whole number from 1/],
      [{ brokers: 2.5 }, /brokers/],
      [{ replicationFactor: 4 }, /replicationFactor must be a whole number from 1 to 3/],
      [
        { brokers: 3, replicationFactor: 2, minInsyncReplicas: 3 },
        /minInsyncReplicas must be a whole number from 1 to 2/,
      ],
      [{ port: 65535, brokers: 3 }, /port 65535 leaves no room for 3 brokers/],
      [{ host: '0.0.0.0' }, /host must be a loopback address/],
      [{ topics: [{ name: 'bad name' }] }, /topics: topic name 'bad name' has characters Kafka does not allow/],
      [{ topics: [{ name: 'a' }, { name: 'a' }] }, /'a' is listed twice/],
      [{ topics: [{ name: 'a', partitions: 0 }] }, /partitions of topic 'a'/],
      [{ autoCreateTopics: 'yes' }, /autoCreateTopics must be true or false/],
      [{ maxTotalBytes: -1 }, /maxTotalBytes/],
      [{ sasl: { users: [] } }, /sasl needs at least one user/],
      [{ sasl: { users: [{ username: 'a', password: '' }] } }, /non-empty username and password/],
      [
        {
          sasl: {
            users: [
              { username: 'a', password: 'x' },
              { username: 'a', password: 'y' },
            ],
          },
        },
        /user 'a' is listed twice/,
      ],
      [
        { sasl: { users: [{ username: 'a', password: 'x' }], mechanisms: ['GSSAPI'] } },
        /"GSSAPI" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
      ],
      [{ sasl: { users: [{ username: 'a', password: 'x' }], mechanisms: [] } }, /non-empty list/],
      [{ tls: { cert: 'cert.pem', key: 'key.pem' } }, /tls.cert must be the PEM text/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => resolveSandboxOptions(input as never),
        (e: unknown) => e instanceof InvalidInputError && message.test(e.message),
        JSON.stringify(input),
      );
    }
  });

  it('has no SASL or TLS unless asked, and all three SASL mechanisms by default', () => {
    const plain = resolveSandboxOptions({});
    assert.equal(plain.sasl, null);
    assert.equal(plain.tls, null);
    const o = resolveSandboxOptions({ sasl: { users: [{ username: 'a', password: 'x' }] } });
    assert.deepEqual(o.sasl, {
      users: [{ username: 'a', password: 'x' }],
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    });
  });
});

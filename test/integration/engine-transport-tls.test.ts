/**
 * A TLS sandbox (every broker listener SSL, certificate self-signed with openssl) over TCP: the engine through
 * KafkaTransport gets acks from every broker with the CA, is refused without it, connects with verification off;
 * and SASL_SSL (TLS plus a SCRAM login) on every broker. Without an openssl binary it fails, saying so.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { TransportError } from '../../extension/core/transport/transport';
import { engineFor, storedCount } from './engine-helpers';
import { selfSignedCertificate, type Pem } from './tls-helpers';

/** Sends two records to each partition and checks every one was acked, by partitions led by every broker. */
async function sendToEveryLeader(
  sandbox: Sandbox,
  topic: string,
  connection: Parameters<typeof engineFor>[2],
): Promise<void> {
  const leaders = new Set(
    sandbox
      .state()
      .topics.find((t) => t.name === topic)!
      .partitions.map((p) => p.leader),
  );
  assert.equal(leaders.size, 3, 'each broker leads a partition');
  const before = storedCount(sandbox, topic);
  const engine = engineFor(sandbox, { acks: 'all' }, connection);
  try {
    const acks = await Promise.all(
      [0, 1, 2].flatMap((partition) => [0, 1].map((i) => engine.producer.send({ topic, partition, value: `v${i}` }))),
    );
    assert.deepEqual([...new Set(acks.map((a) => a.partition))].sort(), [0, 1, 2]);
    assert.ok(acks.every((a) => a.offset >= 0));
  } finally {
    await engine.close();
  }
  assert.equal(storedCount(sandbox, topic), before + 6);
}

describe('sandbox with TLS (SSL listeners) and KafkaTransport', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let pem: Pem;

  before(async () => {
    pem = selfSignedCertificate(); // fails, saying so, without openssl
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      tls: { cert: pem.cert, key: pem.key },
      topics: [{ name: 'secure', partitions: 3 }],
    });
  });

  after(async () => {
    await sandbox?.stop();
  });

  it('sends through every broker over TLS when given the CA that signed the broker certificate', async () => {
    assert.equal(sandbox.state().security.protocol, 'SSL');
    await sendToEveryLeader(sandbox, 'secure', { ssl: { ca: pem!.cert } });
  });

  it('connects and reads metadata with the CA', async () => {
    const t = new KafkaTransport({
      brokers: sandbox.bootstrap.split(','),
      ssl: { ca: pem!.cert },
      connectionTimeoutMs: 2000,
    });
    try {
      await t.connect();
      assert.deepEqual(
        t
          .cachedMetadata()
          ?.brokers.map((b) => b.nodeId)
          .sort(),
        [1, 2, 3],
      );
      const all = await t.describeCluster();
      assert.ok(all.topics.some((x) => x.name === 'secure'));
    } finally {
      await t.close();
    }
  });

  it('refuses an untrusted certificate with a non-retriable tls error', async () => {
    const t = new KafkaTransport({ brokers: sandbox.bootstrap.split(','), ssl: true, connectionTimeoutMs: 2000 });
    try {
      await assert.rejects(t.connect(), (e: unknown) => {
        assert.ok(e instanceof TransportError, String(e));
        assert.equal(e.kind, 'tls', e.message);
        assert.equal(e.retriable, false);
        assert.match(e.message, /TLS connection to 127\.0\.0\.1:\d+ failed: .*certificate/);
        return true;
      });
    } finally {
      await t.close();
    }
  });

  it('hints at TLS when a plain-text connection is dropped by the TLS listener', async () => {
    const t = new KafkaTransport({
      brokers: [sandbox.bootstrap.split(',')[0]],
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 2000,
    });
    try {
      await assert.rejects(
        t.connect(),
        (e: unknown) =>
          e instanceof TransportError &&
          e.kind === 'connection' &&
          /if this listener expects TLS or SASL, set it in the connection/.test(e.message),
      );
    } finally {
      await t.close();
    }
  });

  it('a plain TCP client gets no Kafka answer from a TLS listener', async () => {
    const socket = net.connect(sandbox.brokers[1].port, '127.0.0.1');
    socket.on('error', () => {});
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    // An ApiVersions v0 request in the clear: size, key 18, version 0, correlation id 1, client id null.
    socket.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
    await new Promise((r) => socket.on('close', r));
    const answer = Buffer.concat(received);
    assert.ok(answer.length === 0 || answer[0] === 0x15, 'nothing, or a TLS alert record, never a Kafka frame');
  });

  it('sends through every broker without verification when rejectUnauthorized is false', async () => {
    await sendToEveryLeader(sandbox, 'secure', { ssl: { rejectUnauthorized: false } });
  });

  describe('SASL_SSL (TLS and a SCRAM login on every broker)', () => {
    let secured: Sandbox;

    before(async () => {
      secured = await startSandbox({
        brokers: 3,
        port: 0,
        controlPort: 0,
        tls: { cert: pem!.cert, key: pem!.key },
        sasl: {
          users: [{ username: 'alice', password: 'wonderland' }],
          mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256'],
        },
        topics: [{ name: 'secure', partitions: 3 }],
      });
    });

    after(async () => {
      await secured?.stop();
    });

    it('sends with SCRAM-SHA-512 over TLS, logging in on each broker', async () => {
      assert.equal(secured.state().security.protocol, 'SASL_SSL');
      await sendToEveryLeader(secured, 'secure', {
        ssl: { ca: pem!.cert },
        sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'wonderland' },
      });
      assert.deepEqual(Object.keys(secured.state().security.sasl!.byBroker).sort(), ['1', '2', '3']);
    });

    it('refuses a wrong SCRAM password over TLS as an authentication error', async () => {
      const t = new KafkaTransport({
        brokers: secured.bootstrap.split(','),
        ssl: { ca: pem!.cert },
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'no' },
        connectionTimeoutMs: 2000,
      });
      try {
        await assert.rejects(
          t.connect(),
          (e: unknown) =>
            e instanceof TransportError && e.kind === 'authentication' && /invalid credentials/.test(e.message),
        );
      } finally {
        await t.close();
      }
    });
  });
});

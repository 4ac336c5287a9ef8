/**
 * A SASL sandbox (every broker listener SASL_PLAINTEXT) over TCP: the engine through KafkaTransport logs in with
 * PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 on every broker it produces to and gets acks; wrong passwords, unknown
 * mechanisms and clients without SASL are refused; and the wire rules a real SASL listener follows, checked with
 * hand-made frames.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { TransportError, type SaslConfig } from '../../extension/core/transport/transport';
import { encodeRequest } from '../../extension/core/kafka/protocol';
import { Writer } from '../../extension/core/kafka/protocol/writer';
import { engineFor, storedCount } from './engine-helpers';
import { kafkaFor } from './sandbox-helpers';

const USERS = [
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: 'p@ss,w=rd' },
];

/** Leader broker of each partition of the topic. */
function leaders(sandbox: Sandbox, topic: string): Map<number, number> {
  const t = sandbox.state().topics.find((x) => x.name === topic);
  return new Map(t!.partitions.map((p) => [p.partition, p.leader]));
}

describe('sandbox with SASL (SASL_PLAINTEXT listeners)', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  const logs: string[] = [];

  before(async () => {
    sandbox = await startSandbox(
      {
        brokers: 3,
        port: 0,
        controlPort: 0,
        partitions: 3,
        sasl: { users: USERS },
        topics: [{ name: 'guarded', partitions: 3 }],
      },
      { log: (l) => logs.push(l) },
    );
    assert.equal(new Set(leaders(sandbox, 'guarded').values()).size, 3, 'each broker leads one partition');
  });

  after(async () => {
    await sandbox?.stop();
  });

  for (const [mechanism, user] of [
    ['plain', USERS[0]],
    ['scram-sha-256', USERS[1]],
    ['scram-sha-512', USERS[0]],
  ] as const) {
    it(`the engine logs in with ${mechanism} on every broker and gets acks from each partition's leader`, async () => {
      const before = sandbox.state().security.sasl!;
      const storedBefore = storedCount(sandbox, 'guarded');
      const engine = engineFor(
        sandbox,
        { acks: 'all' },
        { sasl: { mechanism, username: user.username, password: user.password } },
      );
      try {
        const acks = await Promise.all(
          [0, 1, 2].flatMap((partition) =>
            [0, 1].map((i) => engine.producer.send({ topic: 'guarded', partition, value: `${mechanism} ${i}` })),
          ),
        );
        assert.deepEqual([...new Set(acks.map((a) => a.partition))].sort(), [0, 1, 2]);
        assert.ok(acks.every((a) => a.offset >= 0 && a.attempts === 1));
      } finally {
        await engine.close();
      }
      assert.equal(storedCount(sandbox, 'guarded'), storedBefore + 6);
      const after = sandbox.state().security.sasl!;
      for (const broker of ['1', '2', '3']) {
        assert.ok(
          (after.byBroker[broker] ?? 0) > (before.byBroker[broker] ?? 0),
          `a connection to broker ${broker} logged in`,
        );
      }
      assert.ok((after.byUser[user.username] ?? 0) >= (before.byUser[user.username] ?? 0) + 3);
      assert.equal(after.failed, before.failed);
    });
  }

  it("refuses a wrong password with a non-retriable authentication error carrying the broker's message", async () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const failedBefore = sandbox.state().security.sasl!.failed;
      const t = new KafkaTransport({
        brokers: sandbox.bootstrap.split(','),
        sasl: { mechanism, username: 'alice', password: 'nope' },
        connectionTimeoutMs: 2000,
      });
      try {
        await assert.rejects(t.connect(), (e: unknown) => {
          assert.ok(e instanceof TransportError, String(e));
          assert.equal(e.kind, 'authentication', e.message);
          assert.equal(e.retriable, false);
          assert.match(e.message, /SASL login to 127\.0\.0\.1:\d+ was refused: .*Authentication failed/);
          return true;
        });
      } finally {
        await t.close();
      }
      assert.equal(sandbox.state().security.sasl!.failed, failedBefore + 1, mechanism);
    }
  });

  it('refuses an unknown user as it refuses a wrong password', async () => {
    const t = new KafkaTransport({
      brokers: sandbox.bootstrap.split(','),
      sasl: { mechanism: 'scram-sha-256', username: 'mallory', password: 'wonderland' },
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

  it('refuses a kafkajs client that does not log in: its first request after ApiVersions closes the connection', async () => {
    const { kafka } = kafkaFor(sandbox, { retry: { retries: 0 } });
    const producer = kafka.producer();
    await assert.rejects(
      producer.connect().then(() => producer.send({ topic: 'guarded', messages: [{ value: 'sneaky' }] })),
      /Connection|closed/i,
    );
    await producer.disconnect().catch(() => {});
    assert.ok(
      logs.some((l) => /Metadata request .* before SASL authentication finished/.test(l)),
      logs.join('\n'),
    );
    const t = new KafkaTransport({
      brokers: sandbox.bootstrap.split(','),
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 2000,
    });
    try {
      await assert.rejects(t.connect(), (e: unknown) => e instanceof TransportError && e.kind === 'connection');
    } finally {
      await t.close();
    }
  });

  it('refuses a mechanism the sandbox does not enable (UNSUPPORTED_SASL_MECHANISM)', async () => {
    const only512 = await startSandbox({
      brokers: 1,
      port: 0,
      controlPort: 0,
      sasl: { users: USERS, mechanisms: ['SCRAM-SHA-512'] },
    });
    const sasl: SaslConfig = { mechanism: 'plain', username: 'alice', password: 'wonderland' };
    const t = new KafkaTransport({ brokers: [only512.bootstrap], sasl, connectionTimeoutMs: 2000 });
    try {
      await assert.rejects(
        t.connect(),
        (e: unknown) => e instanceof TransportError && e.kind === 'authentication' && /mechanism/i.test(e.message),
      );
    } finally {
      await t.close();
      await only512.stop();
    }
  });

  describe('on the wire', () => {
    /** A socket that collects whole response frames and notices when the broker closes. */
    function connect(
      port: number,
    ): Promise<{ send(frame: Buffer): void; next(): Promise<Buffer>; closed: Promise<void>; end(): void }> {
      return new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let buf = Buffer.alloc(0);
        const frames: Buffer[] = [];
        const waiters: ((f: Buffer) => void)[] = [];
        socket.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
            const f = buf.subarray(4, 4 + buf.readInt32BE(0));
            buf = buf.subarray(4 + f.length);
            const w = waiters.shift();
            if (w) w(f);
            else frames.push(f);
          }
        });
        const closed = new Promise<void>((r) => socket.on('close', () => r()));
        socket.on('error', () => {});
        socket.once('connect', () =>
          resolve({
            send: (f) => socket.write(f),
            next: () =>
              new Promise((r) => {
                const f = frames.shift();
                if (f) r(f);
                else waiters.push(r);
              }),
            closed,
            end: () => socket.destroy(),
          }),
        );
        socket.once('error', reject);
      });
    }
    const header = (apiKey: number, version: number, correlationId: number) =>
      new Writer().int32(0).int16(apiKey).int16(version).int32(correlationId).string('wire-test');
    const finish = (w: Writer) => {
      const f = w.toBuffer();
      f.writeInt32BE(f.length - 4, 0);
      return f;
    };
    const handshake = (version: number, mechanism: string, id = 1) => finish(header(17, version, id).string(mechanism));
    const authenticate = (token: Buffer, id = 2) => finish(header(36, 1, id).bytes(token));
    const plainToken = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`);
    const metadata = (id: number) =>
      encodeRequest(3, 1, { correlationId: id, clientId: 'wire-test' }, { topics: null, allowAutoTopicCreation: true });
    const port = () => sandbox.brokers[0].port;

    it('answers ApiVersions before login, listing SaslHandshake and SaslAuthenticate v0-1', async () => {
      const c = await connect(port());
      c.send(
        encodeRequest(
          18,
          1,
          { correlationId: 7, clientId: 'wire-test' },
          { clientSoftwareName: '', clientSoftwareVersion: '' },
        ),
      );
      const r = await c.next();
      assert.equal(r.readInt32BE(0), 7);
      const keys = new Map<number, [number, number]>();
      for (let i = 0, n = r.readInt32BE(6); i < n; i++)
        keys.set(r.readInt16BE(10 + i * 6), [r.readInt16BE(12 + i * 6), r.readInt16BE(14 + i * 6)]);
      assert.deepEqual(keys.get(17), [0, 1]);
      assert.deepEqual(keys.get(36), [0, 1]);
      c.end();
    });

    it('closes the connection without an answer when a request other than ApiVersions or SASL comes first', async () => {
      const c = await connect(port());
      let answered = false;
      void c.next().then(() => (answered = true));
      c.send(metadata(3));
      await c.closed;
      assert.equal(answered, false);
    });

    it('answers an unknown mechanism with UNSUPPORTED_SASL_MECHANISM (33) and the enabled list, then closes', async () => {
      const c = await connect(port());
      c.send(handshake(1, 'GSSAPI'));
      const r = await c.next();
      assert.equal(r.readInt16BE(4), 33);
      const names: string[] = [];
      let at = 10;
      for (let i = 0, n = r.readInt32BE(6); i < n; i++) {
        const len = r.readInt16BE(at);
        names.push(r.subarray(at + 2, at + 2 + len).toString());
        at += 2 + len;
      }
      assert.deepEqual(names, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
      await c.closed;
    });

    it('answers a wrong PLAIN password with SASL_AUTHENTICATION_FAILED (58) and a message, then closes', async () => {
      const c = await connect(port());
      c.send(handshake(1, 'PLAIN'));
      assert.equal((await c.next()).readInt16BE(4), 0);
      c.send(authenticate(plainToken('alice', 'wonderlan')));
      const r = await c.next();
      assert.equal(r.readInt16BE(4), 58);
      const len = r.readInt16BE(6);
      assert.equal(r.subarray(8, 8 + len).toString(), 'Authentication failed: Invalid username or password');
      await c.closed;
    });

    it('serves a logged-in connection, and answers a second login with ILLEGAL_SASL_STATE (34)', async () => {
      const c = await connect(port());
      c.send(handshake(1, 'PLAIN'));
      await c.next();
      c.send(authenticate(plainToken('alice', 'wonderland')));
      assert.equal((await c.next()).readInt16BE(4), 0);
      c.send(metadata(9));
      assert.equal((await c.next()).readInt32BE(0), 9);
      c.send(handshake(1, 'PLAIN', 10));
      const again = await c.next();
      assert.equal(again.readInt32BE(0), 10);
      assert.equal(again.readInt16BE(4), 34);
      c.end();
    });

    it('after a v0 handshake takes the PLAIN token bare, as Kafka does for old clients', async () => {
      const c = await connect(port());
      c.send(handshake(0, 'PLAIN'));
      assert.equal((await c.next()).readInt16BE(4), 0);
      const token = plainToken('bob', 'p@ss,w=rd');
      const bare = Buffer.alloc(4 + token.length);
      bare.writeInt32BE(token.length, 0);
      token.copy(bare, 4);
      c.send(bare);
      assert.equal((await c.next()).length, 0, 'an empty server token');
      c.send(metadata(4));
      assert.equal((await c.next()).readInt32BE(0), 4);
      c.end();
    });
  });
});

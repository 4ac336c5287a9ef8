/**
 * The transport's SASL settings reach kafkajs's authenticator: a small SASL front (ApiVersions, SaslHandshake and
 * SaslAuthenticate for PLAIN, written here) checks the credentials and then relays the connection to a one-broker
 * sandbox. A right password connects and reads metadata; a wrong one is an authentication error, not retried.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkajsTransport } from '../../extension/core/transport/kafkajs-transport';
import { TransportError, type SaslConfig } from '../../extension/core/transport/transport';

const USER = 'alice';
const PASSWORD = 'wonderland';

/** [apiKey, min, max]: SASL plus what the transport uses, at versions the sandbox serves. */
const ADVERTISED: [number, number, number][] = [[0, 3, 7], [3, 1, 6], [18, 0, 2], [17, 0, 1], [36, 0, 1], [22, 0, 1]];

function frame(correlationId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(4 + body.length, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]);
}

function int16(n: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; }
function int32(n: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; }
function str(s: string | null): Buffer { if (s === null) return int16(-1); const b = Buffer.from(s); return Buffer.concat([int16(b.length), b]); }

/** Answers the SASL part of a connection itself, then pipes the rest to the broker. */
function saslFront(brokerPort: number, attempts: string[]): net.Server {
  return net.createServer((client) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const req = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        const apiKey = req.readInt16BE(0);
        const version = req.readInt16BE(2);
        const correlationId = req.readInt32BE(4);
        const clientIdLen = req.readInt16BE(8);
        const body = req.subarray(10 + Math.max(0, clientIdLen));
        if (apiKey === 18) {
          const list = Buffer.concat(ADVERTISED.map(([k, min, max]) => Buffer.concat([int16(k), int16(min), int16(max)])));
          client.write(frame(correlationId, Buffer.concat([int16(0), int32(ADVERTISED.length), list, version >= 1 ? int32(0) : Buffer.alloc(0)])));
        } else if (apiKey === 17) {
          client.write(frame(correlationId, Buffer.concat([int16(0), int32(1), str('PLAIN')])));
        } else if (apiKey === 36) {
          const auth = body.subarray(4, 4 + body.readInt32BE(0)).toString('utf8').split('\u0000');
          attempts.push(auth[1]);
          const ok = auth[1] === USER && auth[2] === PASSWORD;
          const tail = version >= 1 ? Buffer.alloc(8) : Buffer.alloc(0); // session lifetime 0 = unlimited
          client.write(frame(correlationId, Buffer.concat([int16(ok ? 0 : 58), str(ok ? null : 'Authentication failed: Invalid username or password'), int32(0), tail])));
          if (ok) {
            // Authenticated: from here on the sandbox broker talks to the client directly.
            client.off('data', onData);
            const upstream = net.connect(brokerPort, '127.0.0.1');
            if (buf.length) upstream.write(buf);
            client.pipe(upstream).pipe(client);
            client.on('error', () => upstream.destroy());
            upstream.on('error', () => client.destroy());
            return;
          }
        } else {
          client.destroy(); // anything before authentication is a protocol violation
          return;
        }
      }
    };
    client.on('data', onData);
    client.on('error', () => {});
  });
}

describe('KafkajsTransport with SASL', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let front: net.Server;
  let frontPort: number;
  const attempts: string[] = [];

  before(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0, controlPort: 0, topics: [{ name: 'guarded', partitions: 1 }] });
    front = saslFront(sandbox.brokers[0].port, attempts);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontPort = (front.address() as net.AddressInfo).port;
  });

  after(async () => {
    await new Promise((r) => front.close(r));
    await sandbox.stop();
  });

  const transportWith = (sasl: SaslConfig) => new KafkajsTransport({ brokers: [`127.0.0.1:${frontPort}`], sasl, connectionTimeoutMs: 2000 });

  it('logs in with PLAIN and then reads metadata on the authenticated connection', async () => {
    const sasl: SaslConfig = { mechanism: 'plain', username: USER, password: PASSWORD };
    const t = transportWith(sasl);
    try {
      await t.connect();
      const md = await t.describeCluster();
      assert.ok(md.topics.some((x) => x.name === 'guarded'));
      assert.ok(attempts.includes(USER));
      assert.deepEqual(Object.keys(sasl).sort(), ['mechanism', 'password', 'username'], 'the caller\'s config object is left as it was');
    } finally {
      await t.close();
    }
  });

  it('reports a refused login as a non-retriable authentication error naming the broker', async () => {
    const t = transportWith({ mechanism: 'plain', username: USER, password: 'wrong' });
    try {
      await assert.rejects(t.connect(), (e: unknown) => {
        assert.ok(e instanceof TransportError, String(e));
        assert.equal(e.kind, 'authentication', e.message);
        assert.equal(e.retriable, false);
        assert.match(e.message, new RegExp(`SASL login to 127\\.0\\.0\\.1:${frontPort} was refused`));
        return true;
      });
    } finally {
      await t.close();
    }
  });

  it('says so plainly when the broker offers no SASL at all', async () => {
    const t = new KafkajsTransport({ brokers: [`127.0.0.1:${sandbox.brokers[0].port}`], sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' }, connectionTimeoutMs: 2000 });
    try {
      await assert.rejects(t.connect(), (e: unknown) => e instanceof TransportError && e.kind === 'authentication' && /does not offer SASL/.test(e.message));
    } finally {
      await t.close();
    }
  });
});

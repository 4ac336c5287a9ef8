/**
 * The transport's SASL settings reach kafkajs's authenticator: a small SASL front (engine-sasl-front.ts) checks
 * the credentials and then relays the connection to a one-broker sandbox. A right password connects and reads
 * metadata; a wrong one is an authentication error, not retried.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkajsTransport } from '../../extension/core/transport/kafkajs-transport';
import { TransportError, type SaslConfig } from '../../extension/core/transport/transport';
import { PASSWORD, startSaslFront, USER } from './engine-sasl-front';

describe('KafkajsTransport with SASL', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let front: net.Server;
  let frontPort: number;
  const attempts: string[] = [];

  before(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0, controlPort: 0, topics: [{ name: 'guarded', partitions: 1 }] });
    ({ server: front, port: frontPort } = await startSaslFront(sandbox.brokers[0].port, attempts));
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

/**
 * The transport's SASL settings reach kafkajs's authenticator, against a sandbox whose listener requires SASL.
 * A right password connects and reads metadata; a wrong one is an authentication error, not retried; a listener
 * without SASL is named as such. (Delivery on every broker is in sandbox-sasl.test.ts.)
 */
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { TransportError, type SaslConfig } from '../../extension/core/transport/transport';

const USER = 'alice';
const PASSWORD = 'wonderland';

describe('KafkaTransport with SASL', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let plain: Sandbox;

  before(async () => {
    sandbox = await startSandbox({
      brokers: 1,
      port: 0,
      controlPort: 0,
      sasl: { users: [{ username: USER, password: PASSWORD }] },
      topics: [{ name: 'guarded', partitions: 1 }],
    });
    plain = await startSandbox({ brokers: 1, port: 0, controlPort: 0 });
  });

  after(async () => {
    await sandbox.stop();
    await plain.stop();
  });

  const transportWith = (sasl: SaslConfig) =>
    new KafkaTransport({ brokers: [sandbox.bootstrap], sasl, connectionTimeoutMs: 2000 });

  it('logs in with PLAIN and then reads metadata on the authenticated connection', async () => {
    const sasl: SaslConfig = { mechanism: 'plain', username: USER, password: PASSWORD };
    const t = transportWith(sasl);
    try {
      await t.connect();
      const md = await t.describeCluster();
      assert.ok(md.topics.some((x) => x.name === 'guarded'));
      assert.equal(sandbox.state().security.sasl!.byUser[USER], 1, 'one connection, one login');
      assert.deepEqual(
        Object.keys(sasl).sort(),
        ['mechanism', 'password', 'username'],
        "the caller's config object is left as it was",
      );
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
        assert.match(e.message, new RegExp(`SASL login to ${sandbox.bootstrap.replace(/\./g, '\\.')} was refused`));
        return true;
      });
    } finally {
      await t.close();
    }
  });

  it('says so plainly when the broker offers no SASL at all', async () => {
    const t = new KafkaTransport({
      brokers: [plain.bootstrap],
      sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' },
      connectionTimeoutMs: 2000,
    });
    try {
      await assert.rejects(
        t.connect(),
        (e: unknown) =>
          e instanceof TransportError && e.kind === 'authentication' && /does not offer SASL/.test(e.message),
      );
    } finally {
      await t.close();
    }
  });

  it('hints at SASL when a client without it is dropped by a SASL listener', async () => {
    const t = new KafkaTransport({ brokers: [sandbox.bootstrap], connectionTimeoutMs: 2000 });
    try {
      await assert.rejects(
        t.connect(),
        (e: unknown) =>
          e instanceof TransportError &&
          /closed the connection before answering; if this listener expects TLS or SASL, set it in the connection/.test(
            e.message,
          ),
      );
    } finally {
      await t.close();
    }
  });
});

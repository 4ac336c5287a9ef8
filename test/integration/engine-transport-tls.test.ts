/**
 * The transport's TLS settings reach the socket: a TLS front (self-signed certificate made with openssl) relays to
 * a one-broker sandbox, and the transport connects through it with the CA, refuses it without, and connects with
 * verification switched off. Skipped where no openssl binary exists.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { KafkajsTransport } from '../../extension/core/transport/kafkajs-transport';
import { TransportError } from '../../extension/core/transport/transport';

function selfSignedCertificate(): { key: string; cert: string } | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('KafkajsTransport over TLS', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let front: tls.Server;
  let frontPort: number;
  let pem: { key: string; cert: string } | null;

  before(async function () {
    pem = selfSignedCertificate();
    if (!pem) this.skip();
    sandbox = await startSandbox({ brokers: 1, port: 0, controlPort: 0, topics: [{ name: 'secure', partitions: 2 }] });
    const brokerPort = sandbox.brokers[0].port;
    front = tls.createServer({ key: pem.key, cert: pem.cert }, (client) => {
      const upstream = net.connect(brokerPort, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    front.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontPort = (front.address() as net.AddressInfo).port;
  });

  after(async () => {
    if (front) await new Promise((r) => front.close(r));
    if (sandbox) await sandbox.stop();
  });

  it('connects and reads metadata when given the CA that signed the broker certificate', async () => {
    const t = new KafkajsTransport({ brokers: [`127.0.0.1:${frontPort}`], ssl: { ca: pem!.cert }, connectionTimeoutMs: 2000 });
    try {
      await t.connect();
      const md = t.cachedMetadata();
      assert.deepEqual(md?.brokers.map((b) => b.nodeId), [1]);
      const all = await t.describeCluster();
      assert.ok(all.topics.some((x) => x.name === 'secure'));
    } finally {
      await t.close();
    }
  });

  it('refuses an untrusted certificate with a non-retriable tls error', async () => {
    const t = new KafkajsTransport({ brokers: [`127.0.0.1:${frontPort}`], ssl: true, connectionTimeoutMs: 2000 });
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
    const t = new KafkajsTransport({ brokers: [`127.0.0.1:${frontPort}`], connectionTimeoutMs: 2000, requestTimeoutMs: 2000 });
    try {
      await assert.rejects(t.connect(), (e: unknown) => e instanceof TransportError && e.kind === 'connection' && /if this listener expects TLS, connect with TLS/.test(e.message));
    } finally {
      await t.close();
    }
  });

  it('connects without verification when rejectUnauthorized is false', async () => {
    const t = new KafkajsTransport({ brokers: [`127.0.0.1:${frontPort}`], ssl: { rejectUnauthorized: false }, connectionTimeoutMs: 2000 });
    try {
      await t.connect();
      assert.equal(t.cachedMetadata()?.brokers.length, 1);
    } finally {
      await t.close();
    }
  });
});

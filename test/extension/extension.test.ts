/** Inside real VS Code (code-server's Node extension host), against the embedded sandbox. */
import * as assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkbenchApi } from '../../extension/host/activate';
import { previewPartition } from '../../extension/host/composer/composer-panel';

const EXTENSION_ID = 'kafka-workbench.kafka-workbench';

async function api(): Promise<WorkbenchApi> {
  const ext = vscode.extensions.getExtension<WorkbenchApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Kafka Workbench in VS Code', () => {
  it('activates without connecting or starting the sandbox', async () => {
    const ext = vscode.extensions.getExtension<WorkbenchApi>(EXTENSION_ID);
    assert.ok(ext);
    const exports = await api();
    assert.equal(ext.isActive, true);
    assert.equal(exports.service.activeConnection(), null, 'no connection is made at activation');
    assert.equal(exports.service.sandbox.running, false, 'the sandbox starts only on demand');
  });

  it('registers every contributed command, each under the "Kafka" category', async () => {
    await api();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; category: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(manifest.contributes.commands.length >= 20);
    for (const c of manifest.contributes.commands) {
      assert.ok(registered.has(c.command), `${c.command} is registered`);
      assert.equal(c.category, 'Kafka', `${c.command} is in the Kafka category`);
    }
  });

  it('connects to the Local sandbox, which starts a 3-broker cluster on demand', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    assert.equal(a.service.activeConnection()?.id, 'sandbox');
    assert.equal(a.service.sandbox.running, true);
    const view = await a.service.cluster(true);
    assert.deepEqual(view.metadata.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
  });

  it('sends through the command API and returns the record metadata with consecutive offsets', async () => {
    const first = await vscode.commands.executeCommand<{
      topic: string;
      partition: number;
      offset: number;
      attempts: number;
      recordId: string;
    }>(
      'kafkaWorkbench.producer.send',
      { topic: 'ext-send', key: 'user-1', value: '{"n":1}', headers: [{ key: 'h', value: 'v' }] },
      undefined,
      { createTopics: true },
    );
    assert.equal(first.topic, 'ext-send');
    assert.ok(first.offset >= 0, `offset ${first.offset}`);
    assert.ok(first.partition >= 0 && first.partition < 3);
    const second = await vscode.commands.executeCommand<{ partition: number; offset: number }>(
      'kafkaWorkbench.producer.send',
      { topic: 'ext-send', key: 'user-1', value: '{"n":2}' },
    );
    assert.equal(second.partition, first.partition, 'same key, same partition');
    assert.equal(second.offset, first.offset + 1);
    const a = await api();
    const trace = a.service.trace(first.recordId);
    assert.ok(
      trace.entries.some((e) => e.kind === 'acked'),
      'the trace ends with the ack',
    );
    assert.ok(
      trace.entries.some((e) => e.kind === 'partitioned' && e.detail.includes('murmur2')),
      'the trace says why the partition was chosen',
    );
  });

  it('previews the partition a key lands on, matching where the producer put it', async () => {
    const a = await api();
    await a.service.cluster(true);
    const sent = await vscode.commands.executeCommand<{ partition: number }>('kafkaWorkbench.producer.send', {
      topic: 'ext-send',
      key: 'customer-77',
      value: 'x',
    });
    const preview = previewPartition(a.service.topics(), 'ext-send', 'string', 'customer-77');
    assert.equal(preview.partition, sent.partition);
    assert.match(preview.reason, /murmur2 = -?\d+/);
  });

  it('exports the traces as JSON to a file, with the records sent', async () => {
    const a = await api();
    const target = vscode.Uri.file(path.join(os.tmpdir(), `kw-export-${Date.now()}.json`));
    await vscode.commands.executeCommand('kafkaWorkbench.trace.export', target);
    const text = fs.readFileSync(target.fsPath, 'utf8');
    const json = JSON.parse(text) as { connection: string; producers: unknown[] };
    assert.equal(json.connection, 'Local sandbox');
    const someRecord = a.service.resultRows()[0].recordId;
    assert.ok(text.includes(someRecord), 'the export holds the sent records');
    fs.rmSync(target.fsPath);
  });

  it('refuses a record larger than max.request.size in plain words, and the table shows it failed', async () => {
    const a = await api();
    const big = 'x'.repeat(1_100_000);
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.producer.send', { topic: 'ext-send', key: 'k', value: big }),
      ),
      (e: Error) => {
        assert.match(e.message, /too large|max\.request\.size/i);
        return true;
      },
    );
    const failed = a.service.resultRows().filter((r) => r.status === 'failed');
    assert.ok(failed.length >= 1, 'the failed record is in the results');
  });

  it('creates and deletes a topic, asking for confirmation unless confirmed', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.topic.create', 'ext-created', 4, 2);
    let topic = (await a.service.cluster(true)).metadata.topics.find((t) => t.name === 'ext-created');
    assert.equal(topic?.partitions.length, 4);
    assert.equal(topic?.partitions[0].replicas.length, 2);
    await vscode.commands.executeCommand('kafkaWorkbench.topic.delete', 'ext-created', true);
    topic = (await a.service.cluster(true)).metadata.topics.find((t) => t.name === 'ext-created');
    assert.equal(topic, undefined);
  });

  it('stops and starts a sandbox broker through the sandbox commands', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.sandbox.stopBroker', 2);
    assert.equal(a.service.sandbox.view().brokers.find((b) => b.id === 2)?.up, false);
    await vscode.commands.executeCommand('kafkaWorkbench.sandbox.startBroker', 2);
    assert.equal(a.service.sandbox.view().brokers.find((b) => b.id === 2)?.up, true);
  });

  it('opens the composer and completes the ready -> init handshake with the real webview', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.composer.open');
    const panel = await waitFor('the composer panel', () => a.composer());
    await waitFor(
      'the webview to say ready and get init',
      () =>
        panel.exchange.some((m) => m.direction === 'in' && m.type === 'ready') &&
        panel.exchange.some((m) => m.direction === 'out' && m.type === 'init'),
    );
    const firstOut = panel.exchange.find((m) => m.direction === 'out');
    assert.equal(firstOut?.type, 'init', 'the host posts nothing before ready, and init first');
    // The webview persists its draft and reports it: a second round trip through the real page.
    await waitFor('the results push after init', () =>
      panel.exchange.some((m) => m.direction === 'out' && m.type === 'results'),
    );
    // An invalid request (as a compromised or buggy page might send) is answered with an error, never acted on.
    const rowsBefore = a.service.resultRows().length;
    const outBefore = panel.exchange.filter((m) => m.direction === 'out').length;
    (panel as unknown as { onMessage(m: unknown): void }).onMessage({
      type: 'send',
      requestId: 99,
      draft: { topic: 'x' },
    });
    await waitFor('the error reply', () => panel.exchange.filter((m) => m.direction === 'out').length > outBefore);
    assert.equal(panel.exchange.filter((m) => m.direction === 'out').at(-1)?.type, 'response');
    assert.equal(
      panel.exchange.some((m) => m.direction === 'in' && m.type === 'send'),
      false,
      'the invalid message is not accepted',
    );
    assert.equal(a.service.resultRows().length, rowsBefore, 'nothing was sent');
    panel.panel.dispose();
  });

  it('keeps connection secrets in SecretStorage and out of settings and global state', async () => {
    const a = await api();
    const password = 'pa55-word-that-must-not-leak';
    const id = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'secured',
      brokers: 'broker.example:9093',
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password },
    });
    assert.equal(typeof id, 'string');
    assert.equal(await a.hasSecret(id, 'saslPassword'), true);
    const stored = a.storedConnectionsJson();
    assert.ok(stored.includes('broker.example:9093'), 'the non-secret part is stored');
    assert.ok(!stored.includes(password), 'the password is not in global state');
    const settings =
      JSON.stringify(vscode.workspace.getConfiguration().inspect('kafkaWorkbench') ?? {}) +
      JSON.stringify(vscode.workspace.getConfiguration('kafkaWorkbench'));
    assert.ok(!settings.includes(password), 'the password is not in settings');
    await vscode.commands.executeCommand('kafkaWorkbench.connection.remove', id, true);
    assert.equal(await a.hasSecret(id, 'saslPassword'), false, 'removing the connection removes its secrets');
  });

  it('keeps a TLS client key in SecretStorage only, and edits a connection in place', async () => {
    const a = await api();
    const keyFile = path.join(os.tmpdir(), `kw-key-${Date.now()}.pem`);
    // A real key, encrypted with the passphrase: key files are checked for what they hold when a connection is saved.
    const keyText = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'kw-passphrase' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const keyMaterial = keyText.split('\n')[1];
    fs.writeFileSync(keyFile, keyText);
    const notAKey = path.join(os.tmpdir(), `kw-not-a-key-${Date.now()}.pem`);
    fs.writeFileSync(notAKey, 'the key is on the wiki\n');
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.connection.add', {
          name: 'tls-bad',
          brokers: ['kafka-1.example:9094'],
          tls: { enabled: true, keyFile: notAKey },
        }),
      ),
      /the client key file ".*kw-not-a-key-\d+\.pem" holds no PEM block .*, not a PEM private key/,
    );
    fs.rmSync(notAKey);
    const id = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'tls-cluster',
      brokers: ['kafka-1.example:9094'],
      tls: { enabled: true, keyFile, keyPassphrase: 'kw-passphrase' },
    });
    fs.rmSync(keyFile);
    assert.equal(await a.hasSecret(id, 'clientKey'), true);
    assert.equal(await a.hasSecret(id, 'keyPassphrase'), true);
    let stored = a.storedConnectionsJson();
    assert.ok(
      !stored.includes(keyMaterial) && !stored.includes('kw-passphrase'),
      'neither key nor passphrase in global state',
    );
    await vscode.commands.executeCommand('kafkaWorkbench.connection.edit', id, {
      name: 'tls-cluster',
      brokers: 'kafka-2.example:9094',
      tls: { enabled: true, skipVerify: true },
    });
    stored = a.storedConnectionsJson();
    const saved = (JSON.parse(stored) as { id: string; brokers: string[]; tls?: { skipVerify?: boolean } }[]).filter(
      (c) => c.id === id,
    );
    assert.equal(saved.length, 1, 'edited in place, not duplicated');
    assert.deepEqual(saved[0].brokers, ['kafka-2.example:9094']);
    assert.equal(saved[0].tls?.skipVerify, true);
    assert.equal(await a.hasSecret(id, 'clientKey'), true, 'an edit without a new key keeps the stored one');
    await vscode.commands.executeCommand('kafkaWorkbench.connection.remove', id, true);
    assert.equal(await a.hasSecret(id, 'clientKey'), false);
  });

  it('refuses a malformed bootstrap server with a message naming it', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.connection.add', { name: 'bad', brokers: 'localhost' }),
      ),
      /Not a bootstrap server: 'localhost' is not HOST:PORT/,
    );
  });

  it('reports an unreachable cluster in plain words when testing a connection', async () => {
    const id = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'nowhere',
      brokers: '127.0.0.1:1',
    });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.connection.test', id)),
      (e: Error) => /reach|connect|ECONNREFUSED/i.test(e.message),
    );
    await vscode.commands.executeCommand('kafkaWorkbench.connection.remove', id, true);
  });
});

/**
 * A saved connection with SASL SCRAM, in real VS Code, against a SASL sandbox this test starts in the extension
 * host: the password goes to SecretStorage only, and the connection logs in on every broker and lists them.
 * Runs after extension.test.ts (file order), which asserts nothing connects at activation; leaves the Local sandbox
 * connected, as that file does, for the files after it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { api, write } from './workspace-helpers';

describe('A SASL SCRAM connection to a SASL sandbox', () => {
  const password = 'scram-pa55-that-must-not-leak';
  let sandbox: Sandbox;
  let id: string | undefined;

  before(async () => {
    sandbox = await startSandbox({
      brokers: 3,
      port: 0,
      controlPort: 0,
      sasl: { users: [{ username: 'carol', password }], mechanisms: ['SCRAM-SHA-256'] },
      topics: [{ name: 'sasl-ext', partitions: 3 }],
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    if (id) await vscode.commands.executeCommand('kafkaWorkbench.connection.remove', id, true);
    await sandbox?.stop();
  });

  it('stores the password in SecretStorage only, connects with SCRAM-SHA-256 and lists every broker', async () => {
    const a = await api();
    id = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'sasl-sandbox',
      brokers: sandbox.bootstrap,
      sasl: { mechanism: 'scram-sha-256', username: 'carol', password },
    });
    assert.equal(typeof id, 'string');
    assert.equal(await a.hasSecret(id, 'saslPassword'), true);
    const stored = a.storedConnectionsJson();
    assert.ok(stored.includes(sandbox.bootstrap.split(',')[0]), 'the non-secret part is stored');
    assert.ok(!stored.includes(password), 'the password is not in global state');
    const settings =
      JSON.stringify(vscode.workspace.getConfiguration().inspect('kafkaWorkbench') ?? {}) +
      JSON.stringify(vscode.workspace.getConfiguration('kafkaWorkbench'));
    assert.ok(!settings.includes(password), 'the password is not in settings');

    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', id);
    assert.equal(a.service.activeConnection()?.id, id);
    const view = await a.service.cluster(true);
    assert.deepEqual(view.metadata.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    assert.ok(view.metadata.topics.some((t) => t.name === 'sasl-ext'));
    const sent = await vscode.commands.executeCommand<{ partition: number; offset: number }>(
      'kafkaWorkbench.producer.send',
      { topic: 'sasl-ext', key: 'k', value: 'over SCRAM' },
    );
    assert.ok(sent.offset >= 0, 'the record was acknowledged');
    const sasl = sandbox.state().security.sasl!;
    assert.ok((sasl.byUser.carol ?? 0) >= 1, 'the connection logged in as carol');
    assert.equal(sasl.failed, 0);
  });

  it('"New Environment from Connection" writes it as a file to share (the password a secret reference), and collection sends through it log in', async () => {
    assert.ok(id, 'the connection was saved by the test before');
    const file = await vscode.commands.executeCommand<string>('kafkaWorkbench.collections.newEnvironment', {
      connection: id,
      name: 'SASL Sandbox',
    });
    assert.match(file, /sasl-sandbox\.kafka-env\.json$/);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(password), 'the password is not in the file');
    const env = JSON.parse(text);
    assert.deepEqual([env.connection.bootstrap].flat(), sandbox.bootstrap.split(','));
    assert.deepEqual(env.connection.sasl, {
      mechanism: 'scram-sha-256',
      username: 'carol',
      password: '{{$secret:SASL_SANDBOX_PASSWORD}}',
    });
    // Creating never overwrites: the same name again is refused and the file stays as it was.
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.collections.newEnvironment', {
          connection: id,
          name: 'SASL Sandbox',
        }),
      ),
      /already exists/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), text);

    // With the environment active, a collection goes to the SASL sandbox, logging in with the copied secret.
    const collection = write('sasl-env.kafka.json', {
      name: 'Over SCRAM',
      messages: [{ name: 'two', topic: 'sasl-env', value: 'r{{$seq}}', count: 2 }],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', vscode.Uri.file(file));
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox'); // the active connection is elsewhere
    const loginsBefore = sandbox.state().security.sasl!.byUser.carol ?? 0;
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendAll',
      collection.fsPath,
      { createTopics: true },
    );
    assert.equal(summary.ok, true, JSON.stringify(summary.messages.map((m) => m.errors)));
    assert.equal(summary.acked, 2);
    const topic = sandbox.state().topics.find((t) => t.name === 'sasl-env');
    assert.equal(
      topic?.partitions.reduce((n, p) => n + p.highWatermark, 0),
      2,
      'the SASL sandbox has both records',
    );
    assert.ok((sandbox.state().security.sasl!.byUser.carol ?? 0) > loginsBefore, 'the send logged in as carol');
  });
});

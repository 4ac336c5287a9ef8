/** Switching connections in real VS Code: a connection that does not work leaves the working one connected. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './workspace-helpers';

describe('Switching connections', () => {
  it('connecting to a broken connection keeps the working one connected, and says so', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    const id = await vscode.commands.executeCommand<string>('kafkaWorkbench.connection.add', {
      name: 'Nothing listens here',
      brokers: '127.0.0.1:1',
    });
    try {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.connection.connect', id)),
        /Still connected to "Local sandbox"/,
      );
      assert.equal(a.service.activeConnection()?.id, 'sandbox', 'the sandbox is still the active connection');
      const sent = await vscode.commands.executeCommand<{ offset: number }>(
        'kafkaWorkbench.producer.send',
        { topic: 'conn-still-works', value: 'after a failed switch' },
        undefined,
        { createTopics: true },
      );
      assert.ok(sent.offset >= 0, 'and still sends');
    } finally {
      await vscode.commands.executeCommand('kafkaWorkbench.connection.remove', id, true);
    }
  });
});

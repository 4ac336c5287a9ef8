/**
 * The CLI from VS Code's terminal: `kafka-workbench run FILE` works from the workspace folder and finds the Local
 * sandbox through the terminal's environment; an environment file made for the sandbox carries its address, which
 * stays the same when the sandbox restarts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, waitFor, workspaceDir, write } from './workspace-helpers';

describe("The CLI in VS Code's terminal", () => {
  before(async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
  });

  it('"New Environment from Connection" for the Local sandbox writes its address, and a restart keeps it', async () => {
    const a = await api();
    const bootstrap = a.service.sandbox.bootstrap!;
    const file = await vscode.commands.executeCommand<string>('kafkaWorkbench.collections.newEnvironment', {
      connection: 'sandbox',
      name: 'Sandbox here',
    });
    const env = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual([env.connection.bootstrap].flat(), bootstrap.split(','));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('kafkaWorkbench.sandbox.stop');
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    assert.equal(a.service.sandbox.bootstrap, bootstrap, 'the restarted sandbox listens where the file says');
  });

  it('"Kafka: Open Terminal with kafka-workbench" runs a collection from the workspace, on the Local sandbox', async function () {
    this.timeout(120_000);
    const a = await api();
    write('terminal/term.kafka.json', {
      name: 'Term',
      messages: [{ name: 'm', topic: 'term-topic', value: 'v{{$seq}}', count: 3 }],
    });
    const done = path.join(workspaceDir(), 'terminal/exit-code.txt');
    fs.rmSync(done, { force: true });
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('kafkaWorkbench.terminal.open');
    try {
      terminal.sendText(
        'kafka-workbench run terminal/term.kafka.json > terminal/out.txt 2> terminal/err.txt; echo $? > terminal/exit-code.txt',
      );
      const code = await waitFor(
        'the run in the terminal to end',
        () => fs.existsSync(done) && fs.readFileSync(done, 'utf8').trim(),
        90_000,
      );
      const err = fs.readFileSync(path.join(workspaceDir(), 'terminal/err.txt'), 'utf8');
      assert.equal(code, '0', err);
      assert.ok(
        err.includes(
          `sending to the Local sandbox at ${a.service.sandbox.bootstrap} (from KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP)`,
        ),
        err,
      );
      assert.match(
        fs.readFileSync(path.join(workspaceDir(), 'terminal/out.txt'), 'utf8'),
        /3 records sent, 3 acked, 0 failed/,
      );
    } finally {
      terminal.dispose();
    }
  });
});

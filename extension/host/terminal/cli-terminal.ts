/**
 * The CLI in VS Code's terminals: `kafka-workbench` on PATH (a small launcher in the extension's storage that runs the
 * bundled dist/cli.js with VS Code's own Node), and the running Local sandbox's address in
 * KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP, which the CLI uses when given no cluster. Both through the extension's
 * environment variable collection, so every new terminal of the workspace has them; "Kafka: Open Terminal with
 * kafka-workbench" opens one in the workspace folder.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SANDBOX_BOOTSTRAP_ENV } from '../../core/collections/bootstrap';
import type { WorkbenchService } from '../kafka/workbench-service';

/** The launcher's folder, prepended to PATH. */
function binDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'bin');
}

/** sh single quotes: the path may hold spaces or quotes. */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes the launchers (POSIX shell and Windows .cmd) for this install of the extension: rewritten at each activation,
 * since an update moves the extension. ELECTRON_RUN_AS_NODE makes VS Code's own binary run as Node (desktop VS Code);
 * code-server's is Node already, and ignores it.
 */
async function writeLaunchers(context: vscode.ExtensionContext): Promise<void> {
  const dir = binDir(context);
  const cli = path.join(context.extensionUri.fsPath, 'dist', 'cli.js');
  await fs.mkdir(dir, { recursive: true });
  const sh = `#!/bin/sh\n# Written by the Kafka Workbench extension: its command-line runner, on VS Code's own Node.\nELECTRON_RUN_AS_NODE=1 exec ${shQuote(process.execPath)} ${shQuote(cli)} "$@"\n`;
  await fs.writeFile(path.join(dir, 'kafka-workbench'), sh, { mode: 0o755 });
  await fs.chmod(path.join(dir, 'kafka-workbench'), 0o755);
  const cmd = `@echo off\r\nrem Written by the Kafka Workbench extension.\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${process.execPath}" "${cli}" %*\r\n`;
  await fs.writeFile(path.join(dir, 'kafka-workbench.cmd'), cmd);
}

export function registerCliTerminal(
  context: vscode.ExtensionContext,
  service: WorkbenchService,
  log: vscode.LogOutputChannel,
): void {
  const env = context.environmentVariableCollection;
  env.description = `Puts kafka-workbench on PATH, and the Local sandbox's address in ${SANDBOX_BOOTSTRAP_ENV} while it runs.`;
  env.prepend('PATH', `${binDir(context)}${path.delimiter}`);
  const launchers = writeLaunchers(context).catch((e: unknown) =>
    log.warn(`could not write the kafka-workbench launcher: ${String(e)}`),
  );
  const showSandbox = () => {
    const bootstrap = service.sandbox.bootstrap;
    if (bootstrap) env.replace(SANDBOX_BOOTSTRAP_ENV, bootstrap);
    else env.delete(SANDBOX_BOOTSTRAP_ENV);
  };
  showSandbox();
  context.subscriptions.push(
    service.onDidChangeState(showSandbox),
    vscode.commands.registerCommand('kafkaWorkbench.terminal.open', async () => {
      await launchers;
      showSandbox();
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const terminal = vscode.window.createTerminal({ name: 'kafka-workbench', cwd: folder });
      terminal.show();
      // With a collection open, the command to run it is typed (not run) for the user.
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active?.fsPath.endsWith('.kafka.json'))
        terminal.sendText(`kafka-workbench run ${shQuote(vscode.workspace.asRelativePath(active))}`, false);
      return terminal;
    }),
  );
}

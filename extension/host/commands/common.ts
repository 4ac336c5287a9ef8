/**
 * What every command file shares: failures in plain words (the only place errors become notifications), and the
 * pickers that ask for an argument a caller did not give.
 */
import * as vscode from 'vscode';
import type { ExplorerNode } from '../explorer/cluster-tree';
import { plainError } from '../kafka/plain-errors';
import type { WorkbenchService } from '../kafka/workbench-service';

/**
 * Wraps a command so a failure is logged and shown in plain words, and rethrown to programmatic callers.
 * `fromUi` tells a first argument that VS Code passes on a click (a tree node, a file URI) from one a test or script
 * passes: only the latter gets the error back.
 */
export function guarded<A extends unknown[], R>(
  log: vscode.LogOutputChannel,
  what: string,
  fn: (...args: A) => Promise<R>,
  fromUi: (arg: unknown) => boolean = isTreeNode,
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      const msg = plainError(e);
      log.error(`${what}: ${msg}`);
      void vscode.window.showErrorMessage(`Kafka: ${what} failed. ${msg}`);
      if (args.length > 0 && !fromUi(args[0])) throw e; // a caller with arguments (a test, a script) wants the error
      return undefined;
    }
  };
}

export function isTreeNode(x: unknown): x is ExplorerNode {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

export async function pickConnectionId(
  service: WorkbenchService,
  arg: unknown,
  title: string,
  includeBuiltIn = true,
): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (isTreeNode(arg) && arg.kind === 'connection') return arg.connection.id;
  // Only saved connections can be edited or removed: the sandbox is built in, the environment's comes from its file.
  const items = service
    .allConnections()
    .filter((c) => includeBuiltIn || (!c.isSandbox && !c.environmentFile))
    .map((c) => ({
      label: c.name,
      description: c.isSandbox
        ? 'embedded cluster'
        : c.environmentFile
          ? `active environment (${c.environmentFile})`
          : '',
      id: c.id,
    }));
  if (!items.length) {
    void vscode.window.showInformationMessage('No saved connections yet: run "Kafka: Add Connection".');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title }))?.id;
}

export async function pickNumber(
  title: string,
  arg: unknown,
  options: { items?: { label: string; value: number }[]; min?: number; max?: number; value?: string },
): Promise<number | undefined> {
  if (typeof arg === 'number') return arg;
  if (options.items) return (await vscode.window.showQuickPick(options.items, { title }))?.value;
  // ignoreFocusOut: a webview (the composer) taking focus back must not cancel a two-step prompt halfway.
  const text = await vscode.window.showInputBox({
    title,
    value: options.value,
    ignoreFocusOut: true,
    validateInput: (v) =>
      /^\d+$/.test(v) && Number(v) >= (options.min ?? 0) && Number(v) <= (options.max ?? Number.MAX_SAFE_INTEGER)
        ? null
        : `Type a whole number from ${options.min ?? 0}${options.max !== undefined ? ` to ${options.max}` : ''}`,
  });
  return text === undefined ? undefined : Number(text);
}

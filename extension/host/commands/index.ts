/**
 * Every command in the palette (category "Kafka") but the collections' (collections-feature.ts), one file per area
 * with typed arguments (command-args.ts). Errors become notifications in `guarded`, nowhere else.
 */
import * as vscode from 'vscode';
import type { CommandContext, Register } from './command-args';
import { guarded } from './common';
import { registerConnectionCommands } from './connection-commands';
import { registerProducerCommands } from './producer-commands';
import { registerSandboxCommands } from './sandbox-commands';
import { registerTopicCommands } from './topic-commands';

export type { CommandArgs, CommandContext, CommandId } from './command-args';
export { guarded } from './common';

export function registerCommands(ctx: CommandContext): void {
  const reg: Register = (id, what, fn) =>
    ctx.context.subscriptions.push(vscode.commands.registerCommand(id, guarded(ctx.log, what, fn)));
  registerConnectionCommands(reg, ctx);
  registerTopicCommands(reg, ctx);
  registerProducerCommands(reg, ctx);
  registerSandboxCommands(reg, ctx);
}

import type { CliCommand } from './main';
import { partitionCommand } from './commands/partition';
import { runCommand } from './commands/run';
import { sandboxCommand } from './commands/sandbox';
import { sendCommand } from './commands/send';

/** Every CLI command; each lives in its own module under ./commands/. Add new ones here. */
export const commands: CliCommand[] = [partitionCommand, runCommand, sandboxCommand, sendCommand];

import type { CliCommand } from './main';
import { partitionCommand } from './commands/partition';

/** Every CLI command; each lives in its own module under ./commands/. Add new ones here. */
export const commands: CliCommand[] = [partitionCommand];

import type { CliCommand } from './main';

/** Every CLI command; each lives in its own module under ./commands/. Add new ones here. */
export const commands: CliCommand[] = [];

import type { CliCommand } from './main';

/**
 * Every CLI command, by name; each lives in its own module under ./commands/ and is loaded only when it runs (the
 * bundle holds them all, but `send` then does not pay for the collections runner's templates and faker at start-up).
 * Add new ones here.
 */
const loaders: Record<string, () => CliCommand> = {
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
  consume: () => require('./commands/consume').consumeCommand,
  partition: () => require('./commands/partition').partitionCommand,
  run: () => require('./commands/run').runCommand,
  sandbox: () => require('./commands/sandbox').sandboxCommand,
  send: () => require('./commands/send').sendCommand,
  /* eslint-enable @typescript-eslint/no-require-imports */
};

export const commandNames = Object.keys(loaders);

export function loadCommand(name: string): CliCommand | undefined {
  return Object.hasOwn(loaders, name) ? loaders[name]() : undefined;
}

/** Every command (loads them all: for the overview that lists their summaries). */
export function allCommands(): CliCommand[] {
  return commandNames.map((name) => loaders[name]());
}

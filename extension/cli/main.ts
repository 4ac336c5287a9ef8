import { errorMessage } from '../core/util/errors';
import { allCommands, commandNames, loadCommand } from './commands';
import { keepYoungGenerationSize } from './young-generation';

/** A command of the CLI: `run` resolves to the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
  /** Streams records through bounded buffers: run as its own process, it keeps V8's young generation small. */
  streams?: true;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  verbose: boolean;
}

function usage(): string {
  const lines = ['usage: kafka-workbench <command> [options]', '', 'commands:'];
  for (const c of allCommands()) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push('', "run 'kafka-workbench <command> --help' for a command's options");
  return lines.join('\n');
}

/** `ownProcess`: the CLI is the process (not called from a test), so it may set the process's heap policy. */
export async function main(argv: string[], ownProcess = false): Promise<number> {
  const verbose = argv.includes('--verbose');
  const rest = argv.filter((a) => a !== '--verbose');
  const io: CliIo = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    verbose,
  };
  const [name, ...args] = rest;
  if (!name || name === '--help' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = loadCommand(name);
  if (!command) {
    io.err(`kafka-workbench: unknown command '${name}'. Commands: ${commandNames.join(', ')}`);
    return 2;
  }
  if (args.includes('--help')) {
    io.out(command.usage);
    return 0;
  }
  if (ownProcess && command.streams) keepYoungGenerationSize();
  try {
    return await command.run(args, io);
  } catch (e) {
    // Bad input and unreachable peers are one clear line; a stack trace only when asked for.
    io.err(`kafka-workbench ${name}: ${errorMessage(e)}`);
    if (verbose && e instanceof Error && e.stack) io.err(e.stack);
    return 2;
  }
}

if (require.main === module) {
  // A reader that goes away (`... | head`) must not crash a run halfway: the records still go out and the exit status
  // still says whether all were acknowledged; only what is left to print is dropped.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
  main(process.argv.slice(2), true).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`kafka-workbench: ${errorMessage(e)}\n`);
      process.exitCode = 2;
    },
  );
}

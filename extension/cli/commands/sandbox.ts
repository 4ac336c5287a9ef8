/**
 * `kafka-workbench sandbox`: runs the embedded sandbox cluster until SIGINT or SIGTERM. When ready it prints
 * `bootstrap=...` and `control=...`, each on its own line, so scripts can read the addresses.
 */
import { flag, intFlag, parseArgs, type ParsedArgs } from '../args';
import type { CliCommand, CliIo } from '../main';
import { startSandbox, type SandboxOptions } from '../../core/sandbox';
import { InvalidInputError } from '../../core/util/errors';

const USAGE = `usage: kafka-workbench sandbox [options]

Starts a Kafka-protocol cluster of several brokers in this process, on 127.0.0.1, and prints
  bootstrap=127.0.0.1:P1,127.0.0.1:P2,...
  control=http://127.0.0.1:PORT
Stops on Ctrl-C (SIGINT) or SIGTERM.

options:
  --brokers N                 brokers (default 3)
  --port P                    port of broker 1; broker N uses P+N-1 (default 9092; 0 = free ports)
  --partitions N              partitions of auto-created topics (default 3)
  --replication-factor N      default min(3, brokers)
  --min-insync-replicas N     default 2 with 3+ brokers, else 1
  --topic NAME[:PARTITIONS]   create a topic at start (repeatable)
  --control-port P            port of the HTTP control server (default 0 = a free port)
  --no-auto-create            do not create topics on first use
  --election-delay-ms MS      how long a stopped leader's partitions wait for a new leader (default 200)

control routes: GET /state, POST /brokers/{id}/stop|start, POST /partitions/{topic}/{p}/leader {"broker": id},
  POST /faults {"api","errorCode","count","broker","topic","partition","latencyMs","dropResponse","afterWrite"},
  DELETE /faults, POST /topics {"name","partitions"}`;

const FLAGS = {
  known: ['brokers', 'port', 'partitions', 'replication-factor', 'min-insync-replicas', 'topic', 'control-port', 'no-auto-create', 'election-delay-ms'],
  booleans: ['no-auto-create'],
};

function parseTopic(raw: string): { name: string; partitions?: number } {
  const colon = raw.lastIndexOf(':');
  if (colon < 0) return { name: raw };
  const count = raw.slice(colon + 1);
  if (!/^\d+$/.test(count) || Number(count) < 1) {
    throw new InvalidInputError(`--topic ${raw}: the partition count after ':' must be a whole number of 1 or more`);
  }
  return { name: raw.slice(0, colon), partitions: Number(count) };
}

/** The sandbox options a command line asks for; refuses bad flags with a message naming the flag. */
export function sandboxOptionsFromArgs(argv: string[]): SandboxOptions {
  const args: ParsedArgs = parseArgs(argv, FLAGS);
  if (args.positionals.length) throw new InvalidInputError(`unexpected argument '${args.positionals[0]}'; see --help`);
  const optional = (name: string, min: number, max: number) => (flag(args, name) === undefined ? undefined : intFlag(args, name, 0, min, max));
  return {
    brokers: optional('brokers', 1, 16),
    port: optional('port', 0, 65535),
    partitions: optional('partitions', 1, 1000),
    replicationFactor: optional('replication-factor', 1, 16),
    minInsyncReplicas: optional('min-insync-replicas', 1, 16),
    topics: (args.flags.get('topic') ?? []).map(parseTopic),
    controlPort: optional('control-port', 0, 65535),
    autoCreateTopics: flag(args, 'no-auto-create') === 'true' ? false : undefined,
    electionDelayMs: optional('election-delay-ms', 0, 600_000),
  };
}

/** Resolves when the process is asked to stop. */
function untilSignalled(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const sandboxCommand: CliCommand = {
  name: 'sandbox',
  summary: 'run the embedded sandbox Kafka cluster on 127.0.0.1',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const options = sandboxOptionsFromArgs(argv);
    const sandbox = await startSandbox(options, { log: (line) => io.err(line) });
    const stopRequested = untilSignalled();
    io.out(`bootstrap=${sandbox.bootstrap}`);
    io.out(`control=${sandbox.controlUrl}`);
    const signal = await stopRequested;
    if (io.verbose) io.err(`${signal}: stopping the sandbox`);
    await sandbox.stop();
    return 0;
  },
};

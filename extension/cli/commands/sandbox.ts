/**
 * `kafka-workbench sandbox`: runs the embedded sandbox cluster until SIGINT or SIGTERM. When ready it prints
 * `bootstrap=...` and `control=...`, each on its own line, so scripts can read the addresses.
 */
import fs from 'node:fs';
import { flag, intFlag, parseArgs, type ParsedArgs } from '../args';
import type { CliCommand, CliIo } from '../main';
import { startSandbox, type SandboxOptions, type SaslMechanismName } from '../../core/sandbox';
import { SASL_MECHANISMS } from '../../core/sandbox/cluster/options';
import { InvalidInputError } from '../../core/util/errors';
import { fileProblem } from '../../core/util/files';
import { checkKeyMatchesCertificate, readPemFileSync } from '../../core/transport/tls-files';

const USAGE = `usage: kafka-workbench sandbox [options]

Starts a Kafka-protocol cluster of several brokers in this process, on 127.0.0.1, and prints
  bootstrap=127.0.0.1:P1,127.0.0.1:P2,...
  control=http://127.0.0.1:PORT
  security=SASL_SSL            (only with --sasl-user or --tls-cert: SSL, SASL_PLAINTEXT or SASL_SSL)
  schema-registry=http://127.0.0.1:PORT   (Confluent Schema Registry's REST API; not with --no-schema-registry)
Stops on Ctrl-C (SIGINT) or SIGTERM.

options:
  --brokers N                 brokers (default 3)
  --port P                    port of broker 1; broker N uses P+N-1 (default 9092; 0 = free ports)
  --partitions N              partitions of auto-created topics (default 3)
  --replication-factor N      default min(3, brokers)
  --min-insync-replicas N     the cluster's min.insync.replicas (default 1, as in Kafka); a topic's is at most its
                              replication factor unless its own min.insync.replicas config says otherwise
  --topic NAME[:PARTITIONS]   create a topic at start (repeatable)
  --control-port P            port of the HTTP control server (default 0 = a free port)
  --no-auto-create            do not create topics on first use
  --election-delay-ms MS      how long a stopped leader's partitions wait for a new leader (default 200)
  --sasl-user NAME            every broker requires a SASL login; this user may log in (repeatable). The password
                              comes from $KAFKA_WORKBENCH_SANDBOX_PASSWORD_NAME (NAME upper-cased, other characters
                              as _) or from --sasl-password-file NAME=FILE; NAME:PASSWORD also works, but shows in ps
  --sasl-password-file NAME=FILE
                              the password of --sasl-user NAME is FILE's first line (repeatable)
  --sasl-mechanisms LIST      comma-separated, from PLAIN,SCRAM-SHA-256,SCRAM-SHA-512 (default all three)
  --tls-cert FILE --tls-key FILE
                              every broker speaks TLS with this PEM certificate and key (with --sasl-user: SASL_SSL)
  --schema-registry-port P    port of the schema registry (default 0 = a free port)
  --schema-registry-user NAME:PASSWORD
                              the schema registry requires this HTTP basic auth login
  --no-schema-registry        start no schema registry

control routes: GET /state (brokers, topics, faults, security, schemaRegistry subjects), POST /brokers/{id}/stop|start, POST /partitions/{topic}/{p}/leader {"broker": id},
  POST /faults {"api","errorCode","count","broker","topic","partition","latencyMs","dropResponse","afterWrite"},
  DELETE /faults, POST /topics {"name","partitions"}`;

const FLAGS = {
  known: [
    'brokers',
    'port',
    'partitions',
    'replication-factor',
    'min-insync-replicas',
    'topic',
    'control-port',
    'no-auto-create',
    'election-delay-ms',
    'sasl-user',
    'sasl-password-file',
    'sasl-mechanisms',
    'tls-cert',
    'tls-key',
    'schema-registry-port',
    'schema-registry-user',
    'no-schema-registry',
  ],
  booleans: ['no-auto-create', 'no-schema-registry'],
  repeatable: ['topic', 'sasl-user', 'sasl-password-file'],
};

/** `KAFKA_WORKBENCH_SANDBOX_PASSWORD_` + the user name, upper-cased, anything but letters and digits as `_`. */
export function sandboxPasswordVariable(user: string): string {
  return 'KAFKA_WORKBENCH_SANDBOX_PASSWORD_' + user.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function parseTopic(raw: string): { name: string; partitions?: number } {
  const colon = raw.lastIndexOf(':');
  if (colon < 0) return { name: raw };
  const count = raw.slice(colon + 1);
  if (!/^\d+$/.test(count) || Number(count) < 1) {
    throw new InvalidInputError(`--topic ${raw}: the partition count after ':' must be a whole number of 1 or more`);
  }
  return { name: raw.slice(0, colon), partitions: Number(count) };
}

/**
 * The sandbox options a command line asks for; refuses bad flags with a message naming the flag. `env` is where
 * SASL passwords given by name only come from.
 */
export function sandboxOptionsFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SandboxOptions {
  const args: ParsedArgs = parseArgs(argv, FLAGS);
  if (args.positionals.length) throw new InvalidInputError(`unexpected argument '${args.positionals[0]}'; see --help`);
  const optional = (name: string, min: number, max: number) =>
    flag(args, name) === undefined ? undefined : intFlag(args, name, 0, min, max);
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
    ...securityFromArgs(args, env),
    ...schemaRegistryFromArgs(args, optional('schema-registry-port', 0, 65535)),
  };
}

/** --schema-registry-port, --schema-registry-user and --no-schema-registry; the key is present only when asked for. */
function schemaRegistryFromArgs(args: ParsedArgs, port: number | undefined): Pick<SandboxOptions, 'schemaRegistry'> {
  const user = flag(args, 'schema-registry-user');
  if (flag(args, 'no-schema-registry') === 'true') {
    if (port !== undefined || user !== undefined)
      throw new InvalidInputError(
        '--no-schema-registry starts no registry: leave out --schema-registry-port and --schema-registry-user',
      );
    return { schemaRegistry: false };
  }
  if (user === undefined) return port === undefined ? {} : { schemaRegistry: { port } };
  const colon = user.indexOf(':');
  if (colon <= 0 || colon === user.length - 1)
    throw new InvalidInputError(
      '--schema-registry-user must be NAME:PASSWORD, a non-empty name and password joined by a colon',
    );
  return {
    schemaRegistry: {
      ...(port === undefined ? {} : { port }),
      auth: { username: user.slice(0, colon), password: user.slice(colon + 1) },
    },
  };
}

/** --sasl-user/--sasl-mechanisms and --tls-cert/--tls-key; keys are present only when asked for. */
function securityFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv): Pick<SandboxOptions, 'sasl' | 'tls'> {
  const out: Pick<SandboxOptions, 'sasl' | 'tls'> = {};
  const files = passwordFiles(args);
  const users = (args.flags.get('sasl-user') ?? []).map((raw) => {
    const colon = raw.indexOf(':');
    const username = colon < 0 ? raw : raw.slice(0, colon);
    if (username === '')
      throw new InvalidInputError(
        '--sasl-user needs a user name: --sasl-user NAME (the password from the environment or --sasl-password-file)',
      );
    if (colon >= 0) {
      if (colon === raw.length - 1)
        throw new InvalidInputError(`--sasl-user ${username}: the password after ':' is empty`);
      if (files.has(username))
        throw new InvalidInputError(
          `--sasl-user ${username}: the password is given twice (after ':' and in --sasl-password-file); give one`,
        );
      return { username, password: raw.slice(colon + 1) };
    }
    return { username, password: files.get(username) ?? passwordFromEnvironment(username, env) };
  });
  for (const name of files.keys()) {
    if (!users.some((u) => u.username === name))
      throw new InvalidInputError(`--sasl-password-file ${name}=...: there is no --sasl-user ${name}`);
  }
  const mechanismsRaw = flag(args, 'sasl-mechanisms');
  if (mechanismsRaw !== undefined && users.length === 0)
    throw new InvalidInputError('--sasl-mechanisms needs at least one --sasl-user NAME');
  if (users.length) {
    const mechanisms = mechanismsRaw
      ?.split(',')
      .map((m) => m.trim().toUpperCase())
      .filter(Boolean);
    for (const m of mechanisms ?? []) {
      if (!(SASL_MECHANISMS as readonly string[]).includes(m))
        throw new InvalidInputError(`--sasl-mechanisms: '${m}' is not one of ${SASL_MECHANISMS.join(', ')}`);
    }
    out.sasl = { users, ...(mechanisms ? { mechanisms: mechanisms as SaslMechanismName[] } : {}) };
  }
  const certFile = flag(args, 'tls-cert');
  const keyFile = flag(args, 'tls-key');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new InvalidInputError("--tls-cert and --tls-key go together (the brokers' certificate and its private key)");
  if (certFile !== undefined && keyFile !== undefined) {
    const labels = { cert: `--tls-cert '${certFile}'`, key: `--tls-key '${keyFile}'` };
    out.tls = {
      cert: readPemFileSync(certFile, 'certificate', labels.cert),
      key: readPemFileSync(keyFile, 'private key', labels.key),
    };
    checkKeyMatchesCertificate(out.tls.cert, out.tls.key, labels);
  }
  return out;
}

/** --sasl-password-file NAME=FILE: each user's password, FILE's first line (its line ending is not part of it). */
function passwordFiles(args: ParsedArgs): Map<string, string> {
  const files = new Map<string, string>();
  for (const raw of args.flags.get('sasl-password-file') ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0 || eq === raw.length - 1)
      throw new InvalidInputError(`--sasl-password-file must be NAME=FILE, got '${raw}'`);
    const name = raw.slice(0, eq);
    const file = raw.slice(eq + 1);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new InvalidInputError(
        `cannot read --sasl-password-file ${name}=${file}: ${fileProblem(e as NodeJS.ErrnoException, 'read')}`,
      );
    }
    const password = text.split(/\r?\n/)[0];
    if (password === '')
      throw new InvalidInputError(
        `--sasl-password-file ${name}=${file}: the file's first line is empty; it should be the password`,
      );
    if (files.has(name)) throw new InvalidInputError(`--sasl-password-file ${name}=...: given twice`);
    files.set(name, password);
  }
  return files;
}

function passwordFromEnvironment(user: string, env: NodeJS.ProcessEnv): string {
  const variable = sandboxPasswordVariable(user);
  const password = env[variable];
  if (password === undefined)
    throw new InvalidInputError(
      `--sasl-user ${user}: no password; set ${variable}, or pass --sasl-password-file ${user}=FILE`,
    );
  if (password === '')
    throw new InvalidInputError(`--sasl-user ${user}: ${variable} is set but empty; set it to the password`);
  return password;
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
    const { protocol } = sandbox.state().security;
    if (protocol !== 'PLAINTEXT') io.out(`security=${protocol}`);
    if (sandbox.schemaRegistryUrl) io.out(`schema-registry=${sandbox.schemaRegistryUrl}`);
    const signal = await stopRequested;
    if (io.verbose) io.err(`${signal}: stopping the sandbox`);
    await sandbox.stop();
    return 0;
  },
};

/**
 * `kafka-workbench run FILE.kafka.json`: sends a saved collection's messages through the producer engine, the way
 * `newman run` runs a Postman collection in CI. Exit 0 only if every record was acknowledged; 1 if any record failed
 * or the run was cancelled; 2 for bad files, bad arguments or a cluster that cannot be used.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import {
  loadCollectionFile,
  loadEnvironmentFile,
  environmentConnection,
  environmentSchemaRegistry,
  parseVarFlags,
} from '../../core/collections/load';
import type { ProducerSettings } from '../../core/collections/model';
import {
  createReporter,
  plannedRecords,
  REPORTERS,
  type Reporter,
  type ReporterName,
} from '../../core/collections/reporters';
import { SANDBOX_BOOTSTRAP_ENV, sandboxBootstrapFromEnv } from '../../core/collections/bootstrap';
import { checkTopicsWritable, describeCreatedTopics, type TopicCheck } from '../../core/collections/cluster-check';
import { runCollection, type RunTargets } from '../../core/collections/runner';
import { envSecretResolver } from '../../core/collections/template';
import { createProducer } from '../../core/engine';
import { SchemaRegistryClient } from '../../core/schema-registry/client';
import type { ProducerConfigInput } from '../../core/engine/config';
import { autoCreateGate } from '../../core/transport/auto-create-gate';
import { KafkaTransport } from '../../core/transport/kafka-transport';
import type { ConnectionConfig } from '../../core/transport/transport';
import { InvalidInputError } from '../../core/util/errors';
import { flag, intFlag, parseArgs } from '../args';
import { fileProblem } from '../../core/util/files';
import type { CliCommand, CliIo } from '../main';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryFromArgs } from '../schema-registry-flags';
import { HtmlRunReporter } from '../report/html-run-reporter';

/** The core's reporters, and html (which needs the run's producers, so the CLI makes it). */
const RUN_REPORTERS = [...REPORTERS, 'html'] as const;

const USAGE = `usage: kafka-workbench run FILE.kafka.json [--message NAME]... [--env FILE.kafka-env.json] [--bootstrap HOST:PORT[,...]]
         [--var NAME=VALUE]... [--seed N] [--reporter pretty|json|junit|html] [--out FILE] [--bail] [--no-create-topics]
         [--schema-registry URL]

Sends the collection's messages (all, or each --message in the order given) through the producer engine.
  --env        connection and variables; --bootstrap replaces the environment's brokers. With neither, the Local
               sandbox whose address is in ${'$'}KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP (VS Code's terminal, npm start).
  --var        a variable, looked up after the message's, the collection's and the environment's.
  --seed       makes {{$uuid}}, {{$randomInt}} and {{$faker.*}} reproducible.
  --reporter   pretty (default): per message sent/acked/failed, partitions, offset ranges, latency p50/p99;
               json: one JSON object per record with its metadata and delivery trace;
               junit: one testcase per message, for CI;
               html: one self-contained page (no scripts) with the run's charts, producer metrics by their Java
               names, and the waterfalls of the first failed and the slowest records: a CI artifact (with --out).
  --out        write the report to FILE instead of stdout (a one-line summary still goes to stdout).
  --bail       stop at the first record that fails.
  --no-create-topics
               refuse topics that do not exist instead of letting the broker create them (it may, as Java's
               producer lets it: auto.create.topics.enable); either way stderr names every topic the run created.
Messages with "keySchema" / "valueSchema" are encoded by the environment's "schemaRegistry" (its secrets as below),
or by the registry these flags name, which replaces it; "expect" entries match replies in Confluent's wire format
decoded by it:
${REGISTRY_USAGE}
Secrets ({{$secret:NAME}}) come from the environment variable KAFKA_WORKBENCH_SECRET_NAME.
Exit status: 0 every record acknowledged, 1 some record failed or the run was cancelled, 2 bad files or arguments,
or the cluster could not be used.`;

const STRING_FLAGS = ['message', 'env', 'bootstrap', 'var', 'seed', 'reporter', 'out', ...REGISTRY_FLAGS];
const BOOLEAN_FLAGS = ['bail', 'no-create-topics'];

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'send a saved collection (*.kafka.json), for CI: exit 0 only if every record was acknowledged',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, {
      known: [...STRING_FLAGS, ...BOOLEAN_FLAGS],
      booleans: BOOLEAN_FLAGS,
      repeatable: ['message', 'var'],
    });
    if (args.positionals.length !== 1) {
      throw new InvalidInputError(
        args.positionals.length
          ? `give one collection file, got ${args.positionals.length}: ${args.positionals.join(' ')}`
          : 'give the collection file: kafka-workbench run FILE.kafka.json',
      );
    }
    // "--env=" is a mistake, not "no environment": say so rather than run against something else.
    for (const name of ['env', 'bootstrap', 'out', 'reporter', 'seed']) {
      if (flag(args, name) === '')
        throw new InvalidInputError(`--${name} needs a value, got an empty one; leave it out if you meant none`);
    }
    const reporterName = (flag(args, 'reporter') ?? 'pretty') as ReporterName | 'html';
    if (!(RUN_REPORTERS as readonly string[]).includes(reporterName))
      throw new InvalidInputError(`--reporter must be one of ${RUN_REPORTERS.join(', ')}, got '${reporterName}'`);
    const seed = args.flags.has('seed') ? intFlag(args, 'seed', 0, 0, 2 ** 32 - 1) : undefined;
    const variables = parseVarFlags(args.flags.get('var') ?? []);
    const secrets = envSecretResolver();

    const loaded = await loadCollectionFile(args.positionals[0]);
    const envFile = flag(args, 'env');
    const environment = envFile ? await loadEnvironmentFile(envFile) : undefined;
    // Neither --bootstrap nor --env: the Local sandbox, when this shell knows its address (VS Code's terminal, npm start).
    const sandbox = flag(args, 'bootstrap') || envFile ? undefined : sandboxBootstrapFromEnv();
    if (sandbox)
      io.err(
        `kafka-workbench run: no --bootstrap or --env given: sending to the Local sandbox at ${sandbox} (from ${SANDBOX_BOOTSTRAP_ENV})`,
      );
    const connection = await environmentConnection(environment, secrets, flag(args, 'bootstrap') ?? sandbox);
    const registry = await environmentSchemaRegistry(environment, secrets, registryFromArgs(args));
    const messageNames = args.flags.get('message') ?? [];

    const createTopics = !args.flags.has('no-create-topics');
    let check: TopicCheck | undefined;
    const reached = new Set<string>(); // topics records were acknowledged on: any not known before was created

    const outFile = flag(args, 'out');
    let stream: WriteStream | undefined; // opened only once the input is known to be good: a bad run keeps the old report
    const stdout = coalesced((text) => process.stdout.write(text));
    const write = outFile ? (text: string) => void stream?.write(text) : stdout.write;
    const beforeSend = async (targets: RunTargets) => {
      if (outFile) {
        const inputs = [
          ['collection', loaded.filePath],
          ['environment', environment?.filePath],
          ...targets.dataFiles.map((file) => ['data file', file]),
        ];
        await refuseOverwritingInput(
          outFile,
          inputs.filter((i): i is [string, string] => i[1] !== undefined),
        );
      }
      check = await checkCluster(connection, targets.topics, io, abort.signal, createTopics);
      if (check.created.length) io.err(`kafka-workbench run: ${describeCreatedTopics(check.created)}`);
      if (outFile) stream = await openOut(outFile);
    };
    const html = reporterName === 'html' ? new HtmlRunReporter(write) : undefined;
    const reporter: Reporter =
      html ??
      createReporter(reporterName as ReporterName, write, {
        plannedRecords: plannedRecords(loaded.collection, messageNames),
      });
    const log = io.verbose ? (level: string, msg: string) => io.err(`[${level}] ${msg}`) : undefined;
    const abort = new AbortController();
    const onSigint = () => {
      io.err('kafka-workbench run: cancelling (records already handed over are still awaited)...');
      abort.abort();
    };
    process.once('SIGINT', onSigint);
    // Reads the topics of "expect" entries (only when a message has some: it connects lazily).
    const expectTransport = new KafkaTransport(connection, { log });
    try {
      const summary = await runCollection({
        consumerTransport: expectTransport,
        loaded,
        environment,
        messages: messageNames,
        variables,
        seed,
        secrets,
        schemaRegistry: registry ? new SchemaRegistryClient(registry) : undefined,
        signal: abort.signal,
        stopOnFirstError: args.flags.has('bail'),
        // Reporters that write each message as it ends need no summaries kept: memory stays flat in the messages.
        keepSummaries: reporter.needsSummaries,
        listener: {
          messageStart: (m) => reporter.messageStart?.(m),
          messageEnd: (m) => reporter.messageEnd?.(m),
          record: (o) => {
            if (o.metadata) reached.add(o.topic);
            reporter.record?.(o);
          },
        },
        beforeSend,
        producerFor: (settings: ProducerSettings) => {
          const producer = createProducer(settings as ProducerConfigInput, {
            transport: autoCreateGate(new KafkaTransport(connection, { log }), () => createTopics),
            log,
            tracing: reporterName === 'json' || reporterName === 'html',
          });
          return html ? html.track(producer) : producer;
        },
      });
      reporter.end(summary);
      stdout.flush();
      // Templated topics ("t-{{region}}") are only known once records reach them.
      const createdLater = check ? [...reached].filter((t) => !check!.known.has(t) && !check!.created.includes(t)) : [];
      if (createdLater.length) io.err(`kafka-workbench run: ${describeCreatedTopics(createdLater)}`);
      const out = stream;
      if (out) {
        await new Promise<void>((resolve, reject) =>
          out.end((e?: Error | null) =>
            e ? reject(new InvalidInputError(`cannot write --out ${outFile}: ${fileProblem(e, 'write')}`)) : resolve(),
          ),
        );
        const stopped = summary.inputError ? ' (stopped by bad input)' : summary.cancelled ? ' (cancelled)' : '';
        io.out(
          `${summary.collection}: ${summary.sent} sent, ${summary.acked} acked, ${summary.failed} failed${stopped}; report written to ${outFile}`,
        );
      }
      if (summary.inputError) {
        io.err(`kafka-workbench run: ${summary.inputError.message}`);
        return 2;
      }
      return summary.ok ? 0 : 1;
    } catch (e) {
      if (!(e instanceof CancelledBeforeSending)) throw e;
      io.err('kafka-workbench run: cancelled before anything was sent');
      return 1;
    } finally {
      stdout.flush();
      process.removeListener('SIGINT', onSigint);
      await expectTransport.close();
      if (stream && !stream.closed) stream.destroy();
    }
  },
};

/**
 * Report text written together once per turn of the event loop: a write per line was a system call per line
 * (stdout to a file or pipe is synchronous), 200,000 of them for a collection of 100,000 messages.
 */
function coalesced(sink: (text: string) => void): { write: (text: string) => void; flush: () => void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    sink(text);
  };
  return {
    write: (text) => {
      pending += text;
      if (pending.length >= 64 * 1024) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** The report must not replace what the run reads: the data would be gone before it is sent. */
async function refuseOverwritingInput(outFile: string, inputs: [what: string, file: string][]): Promise<void> {
  const real = async (p: string) => fs.realpath(p).catch(() => path.resolve(p));
  const out = await real(outFile);
  for (const [what, file] of inputs) {
    if ((await real(file)) === out)
      throw new InvalidInputError(`--out ${outFile} is the run's ${what}; write the report to another file`);
  }
}

async function openOut(file: string): Promise<WriteStream> {
  const stream = createWriteStream(path.resolve(file));
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) =>
      reject(new InvalidInputError(`cannot write --out ${file}: ${fileProblem(e, 'write')}`)),
    );
  });
  return stream;
}

/** Fails early, with one clear line, when the cluster cannot be reached or a topic does not exist (and is not created). */
async function checkCluster(
  connection: ConnectionConfig,
  topics: string[],
  io: CliIo,
  signal: AbortSignal,
  create: boolean,
): Promise<TopicCheck> {
  const transport = new KafkaTransport(connection, {
    log: io.verbose ? (level, msg) => io.err(`[${level}] ${msg}`) : undefined,
  });
  try {
    return await untilAborted(
      checkTopicsWritable(transport, topics, {
        create,
        refuseHint: 'create it first, or leave out --no-create-topics to let the broker create it',
      }),
      signal,
    );
  } finally {
    await transport.close();
  }
}

/** Ctrl-C while the cluster is still being checked: nothing was sent, so the run ends there. */
class CancelledBeforeSending extends Error {}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledBeforeSending());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledBeforeSending());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

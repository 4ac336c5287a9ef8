/**
 * `kafka-workbench send`: sends one or N records through the producer engine and reports what happened to each,
 * as JSON lines (with each record's trace) or as a short human summary. Records are handed over only as the
 * producer's buffer has room (as Java's blocking send), and outcomes are counted from batch-level delivery reports,
 * so memory stays flat at any count. Ctrl-C (or SIGTERM) stops handing over, waits a bounded time for what is in
 * flight and prints the summary. Exit 0 only if every record was acknowledged, 1 if any failed or the run was
 * stopped, 2 for bad arguments or a cluster that cannot be used at all.
 */
import fs from 'node:fs';
import { setImmediate as immediate } from 'node:timers/promises';
import { createProducer, validateProducerConfig } from '../../core/engine';
import type { ProducerConfigInput } from '../../core/engine/config';
import type { DeliveryReport, Producer, TransactionView } from '../../core/engine/types';
import { TransactionError } from '../../core/engine/errors';
import { CLI_CLIENT_ID, compressionNamesInWords, isCompressionName } from '../../core/kafka/rules';
import { SchemaRegistryClient, type SchemaRegistryConfig } from '../../core/schema-registry/client';
import {
  createSerializer,
  describeSchemaUsed,
  keyTextValue,
  type SchemaSelection,
  type SchemaSerializer,
  type SchemaUsed,
} from '../../core/schema-registry/serializer';
import { checkTopicsWritable, describeCreatedTopics } from '../../core/collections/cluster-check';
import { autoCreateGate } from '../../core/transport/auto-create-gate';
import { KafkaTransport } from '../../core/transport/kafka-transport';
import type { ConnectionConfig } from '../../core/transport/transport';
import { InvalidInputError } from '../../core/util/errors';
import { flag, intFlag, parseArgs, type ParsedArgs } from '../args';
import { bootstrapFromArgs, tlsAndSasl } from '../connection-flags';
import { fileProblem } from '../../core/util/files';
import { loneSurrogateProblem } from '../../core/util/utf8';
import type { CliCommand, CliIo } from '../main';
import { DeliveryTally } from '../send/delivery-tally';
import { OrderedJsonLines } from '../send/json-lines';
import { RecordSource, type RecordTemplate } from '../send/record-source';
import { htmlReport } from '../report/html-report';
import { NotableRecords } from '../report/notable-records';
import { metricsView } from '../../core/visual/run-charts';
import { RunWatch } from '../../core/visual/run-watch';
import { recordWaterfall } from '../../core/visual/waterfall';
import type { RunCharts } from '../../protocol/visual';
import {
  REGISTRY_FLAGS,
  REGISTRY_USAGE,
  SCHEMA_BOOLEAN_FLAGS,
  SCHEMA_FLAGS,
  registryFromArgs,
  selectionsFromArgs,
} from '../schema-registry-flags';
import { formatDuration } from '../../core/format/duration';

const USAGE = `usage: kafka-workbench send [--bootstrap HOST:PORT[,...]] --topic T [--key K] [--value V | --value-file F]
         [--header k=v]... [--partition P] [--count N] [--acks all|1|0] [--linger-ms N] [--batch-size N]
         [--buffer-memory N] [--compression none|gzip|snappy|lz4|zstd] [--idempotence true|false] [--retries N]
         [--delivery-timeout-ms N] [--request-timeout-ms N] [--mode sync|async|fire-and-forget] [--json] [--report FILE.html] [--no-create-topics]
         [--transactional-id ID [--abort] [--transaction-timeout-ms N]]
         [--stop-timeout-ms N] [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--tls-insecure]
         [--sasl-mechanism plain|scram-sha-256|scram-sha-512 --sasl-username U]   (password: $KAFKA_WORKBENCH_SASL_PASSWORD or --sasl-password)
         [--schema-registry URL [--key-subject S] [--value-subject S] [--key-schema-version V] [--value-schema-version V]
          [--key-schema-id N] [--value-schema-id N] [--subject-name-strategy TopicName|RecordName|TopicRecordName]
          [--key-record-name N] [--value-record-name N] [--value-schema-file F [--value-schema-type T] [--auto-register]]
          [--value-raw]]

Without --bootstrap it sends to the Local sandbox named by $KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP (set in VS Code's terminal
and by npm start), and says so on stderr. Sends --count records (default 1). '{{$seq}}' in the key or value becomes
the record's index (0..N-1).
--mode sync waits for each record before the next; async and fire-and-forget hand records over as the producer's
buffer (buffer.memory) has room, so they batch. Memory stays the same at any count.
--json prints one JSON line per record, in send order:
  {"topic","partition","offset","timestamp","key","batchId","attempts","partitionReason","error"?,"trace":[...]}
then one summary line: {"summary":{"topic","sent","acked","failed","notSent","latencyMs":{"p50","p99"},"metrics":{...}}}
with the producer's metrics by the Java client's names (record-send-rate, batch-size-avg, records-per-request-avg,
request-latency-avg/max, record-retry-rate, record-error-rate, buffer-available-bytes, bufferpool-wait-ratio, ...);
otherwise a summary: sent, acked, failed, partitions, offset ranges, latency p50/p99 and the main producer metrics.
--report FILE.html also writes a self-contained HTML report (no scripts): charts of the run (records/s, latency
percentiles and histogram, batch fill, close reasons, per broker), the producer metrics, and the waterfalls of the
first failed and the slowest records. The file is created before anything is sent, so a bad path stops the run first. A topic that does not exist is
created by the broker when it allows that (as with Java's producer) and stderr says so; --no-create-topics refuses
it instead (exit 2). Progress goes to stderr on runs longer than a second.
--transactional-id ID sends every record in one transaction (initTransactions, beginTransaction, the records,
commitTransaction) and commits it; with --abort it aborts it after every record was acknowledged, so consumers
with isolation.level=read_committed never see them (to test what your consumers do). If a record fails the
transaction is aborted and the exit status is 1. Another producer using the same id fences this one (exit 2).
Ctrl-C (or SIGTERM) stops handing over records, waits up to --stop-timeout-ms
(default 10000; Ctrl-C again: no wait) for those in flight, and prints what was sent, acknowledged, failed and
never sent. Exit status: 0 every record acknowledged (acks=0: handed to the broker), 1 some records failed
(listed with their errors), 2 bad arguments or the cluster could not be used, 130/143 stopped by SIGINT/SIGTERM.

Schema Registry (Confluent wire format: magic 0, schema id, payload; Avro, JSON Schema or Protobuf):
${REGISTRY_USAGE}
  The value is written as JSON and encoded by the subject's latest schema (<topic>-value by default: the
  TopicName strategy); the key too when a --key-* schema flag is given (--key is JSON, or text as a string).
  --value-raw sends the value as written (only the key by schema). --*-schema-version V picks a version,
  --*-schema-id N a schema by id, --*-record-name the record (RecordName strategies) or Protobuf message.
  --value-schema-file F is looked up under the subject; --auto-register registers it (off by default). A value
  that does not fit stops the send before anything is sent, naming the field and what the schema expects.`;

const STRING_FLAGS = [
  'bootstrap',
  'topic',
  'key',
  'value',
  'value-file',
  'header',
  'partition',
  'count',
  'acks',
  'linger-ms',
  'batch-size',
  'compression',
  'idempotence',
  'retries',
  'delivery-timeout-ms',
  'request-timeout-ms',
  'mode',
  'tls-ca',
  'tls-cert',
  'tls-key',
  'sasl-mechanism',
  'sasl-username',
  'sasl-password',
  'stop-timeout-ms',
  'buffer-memory',
  'transactional-id',
  'transaction-timeout-ms',
  'report',
  ...REGISTRY_FLAGS,
  ...SCHEMA_FLAGS,
];
const BOOLEAN_FLAGS = ['json', 'tls', 'tls-insecure', 'no-create-topics', 'abort', ...SCHEMA_BOOLEAN_FLAGS];
const PROGRESS_EVERY_MS = 1000;
/** With --json, lines wait for earlier records to settle: at most this many records are handed over and not printed. */
const JSON_OUTSTANDING = 10_000;
/** Records handed over between two turns of the event loop, so requests go out while the loop still hands over. */
const HAND_OVER_SLICE = 2_000;
/** After Ctrl-C, how long records in flight are awaited by default. */
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

type Mode = 'sync' | 'async' | 'fire-and-forget';

/** Everything the run needs, checked before any connection is made. */
interface SendPlan extends RecordTemplate {
  connection: ConnectionConfig;
  producerConfig: ProducerConfigInput;
  count: number;
  mode: Mode;
  json: boolean;
  /** false: --no-create-topics (refuse a missing topic instead of letting the broker create it). */
  createTopics: boolean;
  stopTimeoutMs: number;
  /** --report FILE.html: where the HTML report goes (checked writable before the run). */
  reportFile?: string;
  registry?: SchemaRegistryConfig;
  schemas: { key?: SchemaSelection; value?: SchemaSelection };
  /** --transactional-id: the records go in one transaction, committed unless `abort`. */
  transaction?: { id: string; abort: boolean };
}

/** The serializers the plan's schemas resolve to (registry calls made once, before any connection to Kafka). */
interface Encoders {
  key?: SchemaSerializer;
  value?: SchemaSerializer;
}

/** Why handing over stopped early. */
type Stop = { signal: 'SIGINT' | 'SIGTERM'; at: number } | undefined;

export const sendCommand: CliCommand = {
  name: 'send',
  summary: "send records through the producer engine and show each one's delivery",
  usage: USAGE,
  streams: true,
  async run(argv: string[], io: CliIo): Promise<number> {
    const plan = planFromArgs(
      parseArgs(argv, { known: [...STRING_FLAGS, ...BOOLEAN_FLAGS], booleans: BOOLEAN_FLAGS, repeatable: ['header'] }),
      io,
    );
    // Schemas first: a registry problem or a value that does not fit stops here, before Kafka is dialled.
    const encoders = await resolveEncoders(plan);
    const source = new RecordSource(plan, encodersFor(encoders), schemasUsed(encoders));
    source.record(0);
    const transport = new KafkaTransport(plan.connection, {
      log: io.verbose ? (level, msg) => io.err(`[${level}] ${msg}`) : undefined,
    });
    let producer: Producer | undefined;
    try {
      await checkCluster(transport, plan, io);
      producer = createProducer(plan.producerConfig, {
        transport: autoCreateGate(transport, () => plan.createTopics),
        log: io.verbose ? (level, msg) => io.err(`[${level}] ${msg}`) : undefined,
      });
      const watch = new RunWatch(() => [producer!], Date.now());
      const notable = plan.reportFile ? new NotableRecords() : undefined;
      const run = await sendAll(producer, plan, io, source, encoders, notable);
      const status = report(run, plan, io, encoders, producer);
      if (plan.reportFile && notable) writeReport(plan, run, watch.sample(false), notable);
      if (run.badInput)
        throw new InvalidInputError(
          `record ${run.handedOver}: ${run.badInput.message}; the ${run.handedOver} record(s) before it were sent and are reported above, nothing after it`,
        );
      return status;
    } finally {
      if (producer) await producer.close({ timeoutMs: 0 }).catch(() => {});
      await transport.close();
    }
  },
};

function planFromArgs(args: ParsedArgs, io: CliIo): SendPlan {
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument '${args.positionals[0]}'; every input is a --flag (see --help)`);
  const brokers = bootstrapFromArgs(args, io.err, 'send', 'sending to');
  const topic = flag(args, 'topic');
  if (!topic) throw new InvalidInputError('--topic is required');
  const valueText = flag(args, 'value');
  const valueFile = flag(args, 'value-file');
  if (valueText !== undefined && valueFile !== undefined)
    throw new InvalidInputError('give --value or --value-file, not both');
  if (valueText === undefined && valueFile === undefined)
    throw new InvalidInputError('give the record value with --value V or --value-file F');
  let value: string | Buffer = valueText ?? '';
  const headers = (args.flags.get('header') ?? []).map((h) => {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`--header '${h}' must be key=value (the key may not be empty)`);
    return { key: h.slice(0, eq), value: h.slice(eq + 1) };
  });
  const mode = (flag(args, 'mode') ?? 'async') as Mode;
  if (!['sync', 'async', 'fire-and-forget'].includes(mode))
    throw new InvalidInputError(`--mode must be sync, async or fire-and-forget, got '${mode}'`);
  const partition = args.flags.has('partition') ? intFlag(args, 'partition', 0, 0, 2 ** 31 - 1) : undefined;

  const producerConfig: ProducerConfigInput = { 'client.id': 'kafka-workbench-cli' };
  const acks = flag(args, 'acks');
  if (acks !== undefined) {
    if (!['all', '-1', '1', '0'].includes(acks))
      throw new InvalidInputError(`--acks must be all, 1 or 0, got '${acks}'`);
    producerConfig.acks = acks as ProducerConfigInput['acks'];
  }
  if (args.flags.has('linger-ms')) producerConfig['linger.ms'] = intFlag(args, 'linger-ms', 0, 0);
  if (args.flags.has('batch-size')) producerConfig['batch.size'] = intFlag(args, 'batch-size', 0, 0);
  if (args.flags.has('buffer-memory'))
    producerConfig['buffer.memory'] = intFlag(args, 'buffer-memory', 0, 1, Number.MAX_SAFE_INTEGER);
  if (args.flags.has('retries')) producerConfig.retries = intFlag(args, 'retries', 0, 0, 2 ** 31 - 1);
  if (args.flags.has('delivery-timeout-ms'))
    producerConfig['delivery.timeout.ms'] = intFlag(args, 'delivery-timeout-ms', 0, 1);
  const requestTimeoutMs = args.flags.has('request-timeout-ms') ? intFlag(args, 'request-timeout-ms', 0, 1) : undefined;
  if (requestTimeoutMs !== undefined) producerConfig['request.timeout.ms'] = requestTimeoutMs;
  const compression = flag(args, 'compression');
  if (compression !== undefined) {
    if (!isCompressionName(compression))
      throw new InvalidInputError(`--compression must be ${compressionNamesInWords()}, got '${compression}'`);
    producerConfig['compression.type'] = compression;
  }
  const transactionalId = flag(args, 'transactional-id');
  const abort = flag(args, 'abort') === 'true';
  if (abort && transactionalId === undefined)
    throw new InvalidInputError(
      '--abort needs --transactional-id ID: it aborts the transaction the records are sent in',
    );
  if (args.flags.has('transaction-timeout-ms') && transactionalId === undefined)
    throw new InvalidInputError('--transaction-timeout-ms needs --transactional-id ID');
  if (transactionalId !== undefined) {
    if (transactionalId.trim() === '')
      throw new InvalidInputError('--transactional-id needs a non-empty id, e.g. --transactional-id orders-relay');
    if (acks !== undefined && acks !== 'all' && acks !== '-1')
      throw new InvalidInputError(
        `--transactional-id needs --acks all (a transactional producer is idempotent), got --acks ${acks}`,
      );
    if (flag(args, 'idempotence') === 'false')
      throw new InvalidInputError('--transactional-id needs idempotence: leave out --idempotence false');
    producerConfig['transactional.id'] = transactionalId;
    if (args.flags.has('transaction-timeout-ms'))
      producerConfig['transaction.timeout.ms'] = intFlag(args, 'transaction-timeout-ms', 0, 1);
  }
  const idempotence = flag(args, 'idempotence');
  if (idempotence !== undefined) {
    if (idempotence !== 'true' && idempotence !== 'false')
      throw new InvalidInputError(`--idempotence must be true or false, got '${idempotence}'`);
    producerConfig['enable.idempotence'] = idempotence === 'true';
  } else if (acks !== undefined && acks !== 'all' && acks !== '-1') {
    // Idempotence needs acks=all; with a weaker acks chosen explicitly the user clearly wants it off (as Java does
    // when idempotence is not set explicitly).
    producerConfig['enable.idempotence'] = false;
  }

  // Refuse a bad combination (e.g. idempotence with acks=1) before touching the network; the message names the
  // producer setting, which the flag of the same name sets.
  const config = validateProducerConfig(producerConfig);
  if (valueFile !== undefined) value = readValueFile(valueFile, config.maxRequestSize);
  const registry = registryFromArgs(args);
  // Arguments can hold lone surrogates where the OS passes UTF-16 (Windows): they would not go out as written.
  const texts: [string | null | undefined, string][] = [
    [flag(args, 'key'), '--key'],
    [valueText, '--value'],
    ...headers.flatMap((h): [string, string][] => [
      [h.key, `--header ${h.key}`],
      [h.value, `--header ${h.key}`],
    ]),
  ];
  for (const [text, what] of texts) {
    const problem = typeof text === 'string' ? loneSurrogateProblem(text, what) : undefined;
    if (problem) throw new InvalidInputError(problem);
  }

  return {
    registry,
    schemas: selectionsFromArgs(args, registry),
    connection: {
      brokers,
      clientId: CLI_CLIENT_ID,
      requestTimeoutMs,
      ...tlsAndSasl(args),
    },
    producerConfig,
    topic,
    key: flag(args, 'key') ?? null,
    value,
    headers,
    partition,
    count: intFlag(args, 'count', 1, 1, Number.MAX_SAFE_INTEGER),
    mode,
    json: flag(args, 'json') === 'true',
    createTopics: flag(args, 'no-create-topics') !== 'true',
    stopTimeoutMs: args.flags.has('stop-timeout-ms') ? intFlag(args, 'stop-timeout-ms', 0, 0) : DEFAULT_STOP_TIMEOUT_MS,
    transaction: transactionalId !== undefined ? { id: transactionalId, abort } : undefined,
    reportFile: reportFileFromArgs(args),
  };
}

/** --report FILE: created (empty) now, so a path that cannot be written stops the run before anything is sent. */
function reportFileFromArgs(args: ParsedArgs): string | undefined {
  const file = flag(args, 'report');
  if (file === undefined) return undefined;
  if (file === '' || file === 'true') throw new InvalidInputError('--report needs a file name: --report FILE.html');
  try {
    fs.closeSync(fs.openSync(file, 'w'));
  } catch (e) {
    throw new InvalidInputError(
      `cannot write --report '${file}': ${fileProblem(e as NodeJS.ErrnoException, 'write')}; nothing was sent`,
    );
  }
  return file;
}

function writeReport(plan: SendPlan, run: RunResult, charts: RunCharts, notable: NotableRecords): void {
  const p50 = run.tally.latency.percentile(50);
  const p99 = run.tally.latency.percentile(99);
  const facts: [string, string][] = [
    ['topic', plan.topic],
    [
      'records',
      `${run.handedOver.toLocaleString('en-US')} sent of ${plan.count.toLocaleString('en-US')}: ${run.tally.acked.toLocaleString('en-US')} acknowledged, ${run.tally.failed.toLocaleString('en-US')} failed`,
    ],
    ['mode', plan.mode],
    ['latency', p50 !== undefined && p99 !== undefined ? `p50 ${p50} ms, p99 ${p99} ms` : 'none settled'],
    ['started', new Date(charts.startedAt).toISOString()],
  ];
  if (run.stop) facts.push(['stopped', `by ${run.stop.signal}`]);
  const html = htmlReport({
    title: `kafka-workbench send to ${plan.topic}`,
    facts,
    charts,
    failed: notable.failed,
    slowest: notable.slowest,
    generatedAt: new Date(),
  });
  try {
    fs.writeFileSync(plan.reportFile!, html);
  } catch (e) {
    throw new InvalidInputError(
      `cannot write --report '${plan.reportFile}': ${fileProblem(e as NodeJS.ErrnoException, 'write')}; the records were sent and are reported above`,
    );
  }
}

/**
 * Reads --value-file, but never more than max.request.size (plus one byte to tell): a bigger file, or a device such as
 * /dev/zero, is refused after reading at most that much.
 */
function readValueFile(file: string, maxRequestSize: number): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const limit = maxRequestSize + 1;
    const buffer = Buffer.allocUnsafe(Math.min(limit, 1 << 20));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, limit - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
      if (total >= limit) {
        throw new InvalidInputError(
          `--value-file '${file}' is larger than max.request.size (${maxRequestSize} bytes), so no record could carry it; send a smaller file`,
        );
      }
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw new InvalidInputError(
      `cannot read --value-file '${file}': ${fileProblem(e as NodeJS.ErrnoException, 'read')}`,
    );
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Fails fast (exit 2) when the cluster cannot take the records at all, instead of N identical record failures. A
 * missing topic is created by the broker (auto-create, as Java's producer lets it) and stderr says so, unless
 * --no-create-topics refuses it.
 */
async function checkCluster(transport: KafkaTransport, plan: SendPlan, io: CliIo): Promise<void> {
  const check = await checkTopicsWritable(transport, [plan.topic], {
    create: plan.createTopics,
    refuseHint: 'create it first, or leave out --no-create-topics to let the broker create it',
  });
  if (check.created.length) io.err(`send: ${describeCreatedTopics(check.created)}`);
  const topic = (await transport.fetchMetadata([plan.topic], false)).topics.find((t) => t.name === plan.topic);
  // A topic created just now may have no partitions listed yet (its leaders are being elected): the engine waits.
  if (
    plan.partition !== undefined &&
    topic &&
    topic.partitions.length > 0 &&
    plan.partition >= topic.partitions.length
  ) {
    throw new InvalidInputError(
      `--partition ${plan.partition} does not exist: topic '${plan.topic}' has partitions 0..${topic.partitions.length - 1}`,
    );
  }
}

async function resolveEncoders(plan: SendPlan): Promise<Encoders> {
  if (!plan.registry) return {};
  if (plan.schemas.key && plan.key === null)
    throw new InvalidInputError('a key schema needs a key: give --key (JSON, or text for a string key)');
  const client = new SchemaRegistryClient(plan.registry);
  const out: Encoders = {};
  if (plan.schemas.key) out.key = await createSerializer(client, plan.topic, 'key', plan.schemas.key);
  if (plan.schemas.value) out.value = await createSerializer(client, plan.topic, 'value', plan.schemas.value);
  return out;
}

/** The record source's encoders: the key is JSON or else text as a string, the value JSON. */
function encodersFor(encoders: Encoders): RecordTemplate['encode'] {
  if (!encoders.key && !encoders.value) return undefined;
  return {
    key: encoders.key ? (text) => encoders.key!.encode(keyTextValue(text)) : undefined,
    value: encoders.value ? (text) => encoders.value!.encodeText(text) : undefined,
  };
}

function schemasUsed(encoders: Encoders): SchemaUsed[] {
  return [encoders.key?.used, encoders.value?.used].filter((u): u is SchemaUsed => u !== undefined);
}

/** What a run came to: the tally of outcomes, how many records were handed over, and whether it was stopped. */
interface RunResult {
  tally: DeliveryTally;
  handedOver: number;
  stop: Stop;
  /** A record that {{$seq}} made unfit for its schema: nothing from it on was handed over. */
  badInput?: Error;
  transaction?: TransactionOutcome;
}

async function sendAll(
  producer: Producer,
  plan: SendPlan,
  io: CliIo,
  source: RecordSource,
  encoders: Encoders,
  notable?: NotableRecords,
): Promise<RunResult> {
  /** The producer's number for the record of index 0 (known before any report can arrive). */
  let firstSeq = -1;
  const tally = new DeliveryTally();
  const lines = plan.json
    ? new OrderedJsonLines(producer, (i) => source.key(i), io.out, schemasUsed(encoders))
    : undefined;
  const startedAt = Date.now();
  let lastProgress = startedAt;
  let wake: (() => void) | undefined;
  const progress = (force = false): void => {
    const now = Date.now();
    if (now - startedAt < PROGRESS_EVERY_MS || (!force && now - lastProgress < PROGRESS_EVERY_MS)) return;
    lastProgress = now;
    io.err(
      `send: ${tally.settled.toLocaleString('en-US')}/${plan.count.toLocaleString('en-US')} done, ${tally.acked.toLocaleString('en-US')} acked, ${tally.failed.toLocaleString('en-US')} failed`,
    );
  };
  const subscription = producer.onDelivery((report: DeliveryReport) => {
    tally.add(report, firstSeq);
    lines?.add(report, firstSeq);
    if (notable) noteRecords(notable, producer, report, firstSeq, source);
    progress();
    if (wake) {
      const w = wake;
      wake = undefined;
      w();
    }
  });

  // Ctrl-C or SIGTERM: stop handing over; what is in flight is awaited up to --stop-timeout-ms (a second signal: now).
  let stop: Stop;
  let stopNow: (() => void) | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stop) {
      stopNow?.();
      return;
    }
    stop = { signal, at: Date.now() };
    io.err(
      `send: ${signal}: handing over no more records; waiting up to ${plan.stopTimeoutMs} ms for the ${producer.pendingRecords.toLocaleString('en-US')} in flight (again to stop now)`,
    );
    wake?.();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  // Async and fire-and-forget both hand records over without waiting for them (batching across records); outcomes
  // come from the delivery reports either way, so no callback or promise is made per record.
  let handedOver = 0;
  let badInput: Error | undefined;
  let transaction: TransactionOutcome | undefined;
  // {{$seq}} can make one record unfit for its schema: handing over stops there (those before it still settle).
  const recordAt = (index: number) => {
    try {
      return source.record(index);
    } catch (e) {
      badInput = e instanceof Error ? e : new Error(String(e));
      return undefined;
    }
  };
  try {
    if (plan.transaction) {
      await producer.initTransactions();
      producer.beginTransaction();
    }
    while (handedOver < plan.count && !stop && !badInput) {
      if (plan.mode === 'sync') {
        const record = recordAt(handedOver);
        if (!record) break;
        // The delivery report has the outcome; the callback only says when to send the next one.
        await new Promise<void>((resolve) => {
          const seq = producer.produce(record, () => resolve());
          if (firstSeq < 0) firstSeq = seq;
        });
        handedOver++;
        continue;
      }
      // Hand over a slice, then let the event loop run: requests go out and answers come in meanwhile.
      const end = Math.min(plan.count, handedOver + HAND_OVER_SLICE);
      while (handedOver < end && producer.hasRoom && (!lines || handedOver - lines.printed < JSON_OUTSTANDING)) {
        const record = recordAt(handedOver);
        if (!record) break;
        const seq = producer.produce(record);
        if (firstSeq < 0) firstSeq = seq;
        handedOver++;
      }
      if (badInput) break;
      if (!producer.hasRoom) await producer.waitForRoom();
      else if (lines && handedOver - lines.printed >= JSON_OUTSTANDING)
        await new Promise<void>((resolve) => (wake = resolve));
      else await immediate();
    }
    const flushed = producer.flush();
    if (stop) {
      await Promise.race([
        flushed,
        new Promise<void>((resolve) => {
          stopNow = resolve;
          setTimeout(resolve, plan.stopTimeoutMs).unref();
        }),
      ]);
    } else {
      await flushed;
    }
    if (plan.transaction) transaction = await endTransaction(producer, plan.transaction, stop, tally);
    // Whatever is still pending fails now, saying whether it was ever sent.
    await producer.close({ timeoutMs: 0 });
  } finally {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    subscription.dispose();
  }
  progress(true);
  return { tally, handedOver, stop, badInput, transaction };
}

/** How the run's transaction ended, and why when not as asked. */
interface TransactionOutcome {
  view: TransactionView | undefined;
  /** Why it was aborted rather than committed (a failed record, a signal), when the user did not ask for it. */
  abortedBecause?: string;
}

/**
 * Commits the run's transaction, or aborts it when asked (--abort), when a record failed (a commit would be
 * refused) or when the run was stopped.
 */
async function endTransaction(
  producer: Producer,
  t: { id: string; abort: boolean },
  stop: Stop,
  tally: DeliveryTally,
): Promise<TransactionOutcome> {
  const last = () => producer.transactions().at(-1);
  let abortedBecause: string | undefined;
  if (stop) abortedBecause = `the run was stopped by ${stop.signal}`;
  else if (tally.failed > 0)
    abortedBecause = `${tally.failed} record(s) failed, and a transaction commits all of its records or none`;
  if (t.abort || abortedBecause) {
    await producer.abortTransaction();
    return { view: last(), abortedBecause };
  }
  try {
    await producer.commitTransaction();
  } catch (e) {
    // A record failed while committing: the transaction can only be aborted.
    if (!(e instanceof TransactionError) || e.code !== 'TRANSACTION_ABORTABLE') throw e;
    await producer.abortTransaction();
    return { view: last(), abortedBecause: e.message };
  }
  return { view: last() };
}

/** One line on what became of the transaction. */
function describeTransaction(id: string, outcome: TransactionOutcome): string {
  const v = outcome.view;
  const parts = v ? v.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ') : '';
  const where = v?.coordinator ? ` (coordinator: broker ${v.coordinator.nodeId})` : '';
  if (v?.outcome === 'committed')
    return `transaction '${id}'${where}: committed; commit markers written into ${parts}; read_committed consumers see its ${v.records} record(s)`;
  const why = outcome.abortedBecause ? ` because ${outcome.abortedBecause}` : ' as asked (--abort)';
  const markers = v && v.markers.length ? `; abort markers written into ${parts}` : '';
  return `transaction '${id}'${where}: aborted${why}${markers}; read_committed consumers never see its records`;
}

/** The report's failed records, and the slowest acknowledged ones: one per batch (its records share a waterfall; the first waited longest). */
function noteRecords(
  notable: NotableRecords,
  producer: Producer,
  report: DeliveryReport,
  firstSeq: number,
  source: RecordSource,
): void {
  const label = (i: number) => {
    const index = report.recordSeq(i) - firstSeq;
    const key = source.key(index);
    return `record ${index}${key !== null ? ` (key ${key})` : ''}`;
  };
  const waterfall = (i: number) => () => {
    const trace = producer.recordTrace(producer.recordId(report.recordSeq(i)));
    if (!trace) return undefined;
    return recordWaterfall(trace, trace.batchId ? producer.batchTrace(trace.batchId) : undefined, report.settledAt);
  };
  if (report.error) {
    const message = `${report.error.errorName ? `${report.error.errorName}: ` : ''}${report.error.message}`;
    for (let i = 0; i < report.recordCount && notable.failed.length < 5; i++)
      notable.addFailed(label(i), report.settledAt - report.recordSentAt(i), message, waterfall(i));
  } else if (report.recordCount > 0) {
    notable.addAcked(label(0), report.settledAt - report.recordSentAt(0), waterfall(0), report.batchId);
  }
}

/** The metrics a person reads first, in one line (all of them: --json's summary). */
function metricsLine(values: Record<string, number>): string {
  const n = (k: string, digits = 1) =>
    (Math.round((values[k] ?? 0) * 10 ** digits) / 10 ** digits).toLocaleString('en-US');
  return `producer metrics: record-send-rate ${n('record-send-rate')}/s, batch-size-avg ${n('batch-size-avg', 0)} B, records-per-request-avg ${n('records-per-request-avg')}, request-latency-avg ${n('request-latency-avg')} ms (max ${n('request-latency-max')}), record-retry-rate ${n('record-retry-rate', 2)}/s, record-error-rate ${n('record-error-rate', 2)}/s, bufferpool-wait-ratio ${n('bufferpool-wait-ratio', 3)}`;
}

function report(run: RunResult, plan: SendPlan, io: CliIo, encoders: Encoders, producer: Producer): number {
  const metrics = metricsView('producer', producer.stats());
  const { tally, handedOver, stop } = run;
  if (!plan.json) {
    const acksZero = plan.producerConfig.acks === '0';
    const ackedLabel = acksZero ? 'handed to the broker (acks=0: no acknowledgement)' : 'acked';
    const lines = [
      `sent ${handedOver} record${handedOver === 1 ? '' : 's'} to ${plan.topic}: ${tally.acked} ${ackedLabel}, ${tally.failed} failed`,
    ];
    for (const u of schemasUsed(encoders)) lines.push(`${u.part} schema: ${describeSchemaUsed(u)}`);
    if (tally.partitions.size) {
      const parts = [...tally.partitions.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([p, r]) =>
          r.last < 0
            ? `${p} (${r.count}, offsets unknown with acks=0)`
            : `${p} (${r.count}, offsets ${r.first === r.last ? r.first : `${r.first}-${r.last}`})`,
        );
      lines.push(`partitions: ${parts.join(', ')}`);
    }
    const p50 = tally.latency.percentile(50);
    const p99 = tally.latency.percentile(99);
    if (p50 !== undefined && p99 !== undefined)
      lines.push(`latency: p50 ${formatDuration(p50)}, p99 ${formatDuration(p99)}`);
    if (plan.transaction && run.transaction) lines.push(describeTransaction(plan.transaction.id, run.transaction));
    lines.push(metricsLine(metrics.values));
    for (const line of lines) io.out(line);
  } else {
    if (plan.transaction && run.transaction)
      io.out(
        JSON.stringify({ transaction: run.transaction.view ?? null, abortedBecause: run.transaction.abortedBecause }),
      );
    const p50 = tally.latency.percentile(50);
    const p99 = tally.latency.percentile(99);
    io.out(
      JSON.stringify({
        summary: {
          topic: plan.topic,
          sent: handedOver,
          acked: tally.acked,
          failed: tally.failed,
          notSent: plan.count - handedOver,
          latencyMs: { p50: p50 ?? null, p99: p99 ?? null },
          metrics: metrics.values,
          brokers: metrics.brokers,
        },
      }),
    );
  }
  if (plan.transaction && run.transaction?.abortedBecause && !stop)
    io.err(`send: ${describeTransaction(plan.transaction.id, run.transaction)}`);
  if (stop) {
    const maybe = tally.maybeWritten
      ? ` (${tally.maybeWritten} of them sent and unanswered: they may have been written)`
      : '';
    io.err(
      `send: stopped by ${stop.signal}: ${handedOver} of ${plan.count} records handed over, ${tally.acked} acknowledged, ${tally.failed} failed${maybe}, ${plan.count - handedOver} not sent`,
    );
  }
  if (tally.failed) {
    for (const f of tally.failures) {
      const e = f.error;
      const key = new RecordSource(plan).key(f.index);
      // Broker errors already start with their name ("INVALID_RECORD (87) from the broker ...").
      const name = e.errorName && !e.message.startsWith(e.errorName) ? `${e.errorName}: ` : '';
      const attempts = ` (after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'})`;
      io.err(`failed: record ${f.index}${key !== null ? ` key=${key}` : ''}: ${name}${e.message}${attempts}`);
    }
    if (tally.failed > tally.failures.length)
      io.err(`failed: ... and ${tally.failed - tally.failures.length} more (--json shows every record)`);
  }
  if (stop) return stop.signal === 'SIGINT' ? 130 : 143;
  return tally.failed ? 1 : 0;
}

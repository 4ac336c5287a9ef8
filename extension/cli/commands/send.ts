/**
 * `kafka-workbench send`: sends one or N records through the producer engine and reports what happened to each,
 * as JSON lines (with each record's trace) or as a short human summary. Exit 0 only if every record was
 * acknowledged, 1 if any failed, 2 for bad arguments or a cluster that cannot be used at all.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createProducer, validateProducerConfig } from '../../core/engine';
import type { DeliveryError } from '../../core/engine/errors';
import type { ProducerConfigInput } from '../../core/engine/config';
import type { Producer, ProducerRecord, RecordMetadata } from '../../core/engine/types';
import { KafkajsTransport } from '../../core/transport/kafkajs-transport';
import type { ConnectionConfig, SaslConfig, TlsConfig } from '../../core/transport/transport';
import { InvalidInputError, errorMessage } from '../../core/util/errors';
import { flag, intFlag, parseArgs, type ParsedArgs } from '../args';
import { fileProblem } from '../../core/util/files';
import { loneSurrogateProblem } from '../../core/util/utf8';
import { checkKeyMatchesCertificate, readPemFileSync, type PemContent } from '../../core/transport/tls-files';
import type { CliCommand, CliIo } from '../main';

const USAGE = `usage: kafka-workbench send --bootstrap HOST:PORT[,...] --topic T [--key K] [--value V | --value-file F]
         [--header k=v]... [--partition P] [--count N] [--acks all|1|0] [--linger-ms N] [--batch-size N]
         [--compression none|gzip|snappy|lz4|zstd] [--idempotence true|false] [--retries N]
         [--delivery-timeout-ms N] [--request-timeout-ms N] [--mode sync|async|fire-and-forget] [--json]
         [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--tls-insecure]
         [--sasl-mechanism plain|scram-sha-256|scram-sha-512 --sasl-username U]   (password: $KAFKA_WORKBENCH_SASL_PASSWORD or --sasl-password)

Sends --count records (default 1). '{{$seq}}' in the key or value becomes the record's index (0..N-1).
--json prints one JSON line per record, in send order:
  {"topic","partition","offset","timestamp","key","batchId","attempts","partitionReason","error"?,"trace":[...]}
otherwise a summary: sent, acked, failed, partitions, offset ranges, latency p50/p99. Progress goes to stderr
on runs longer than a second. Exit status: 0 every record acknowledged (acks=0: handed to the broker),
1 some records failed (listed with their errors), 2 bad arguments or the cluster could not be used.`;

const STRING_FLAGS = [
  'bootstrap', 'topic', 'key', 'value', 'value-file', 'header', 'partition', 'count', 'acks', 'linger-ms', 'batch-size',
  'compression', 'idempotence', 'retries', 'delivery-timeout-ms', 'request-timeout-ms', 'mode', 'tls-ca', 'tls-cert', 'tls-key',
  'sasl-mechanism', 'sasl-username', 'sasl-password',
];
const BOOLEAN_FLAGS = ['json', 'tls', 'tls-insecure'];
const SEQ = '{{$seq}}';
const PROGRESS_EVERY_MS = 1000;
/** Records handed to the producer and not yet settled, at most: like Java's blocking send, the loop waits. */
const MAX_OUTSTANDING = 10_000;

type Mode = 'sync' | 'async' | 'fire-and-forget';

/** Everything the run needs, checked before any connection is made. */
interface SendPlan {
  connection: ConnectionConfig;
  producerConfig: ProducerConfigInput;
  topic: string;
  key: string | null;
  value: string | Buffer;
  headers: { key: string; value: string }[];
  partition?: number;
  count: number;
  mode: Mode;
  json: boolean;
}

/** One record's outcome, as the report needs it. */
interface Outcome {
  index: number;
  key: string | null;
  recordId?: string;
  metadata?: RecordMetadata;
  error?: DeliveryError | Error;
  latencyMs: number;
}

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'send records through the producer engine and show each one\'s delivery',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const plan = planFromArgs(parseArgs(argv, { known: [...STRING_FLAGS, ...BOOLEAN_FLAGS], booleans: BOOLEAN_FLAGS, repeatable: ['header'] }));
    const transport = new KafkajsTransport(plan.connection, {
      log: io.verbose ? (level, msg) => io.err(`[${level}] ${msg}`) : undefined,
    });
    let producer: Producer | undefined;
    try {
      await checkCluster(transport, plan);
      producer = createProducer(plan.producerConfig, {
        transport,
        log: io.verbose ? (level, msg) => io.err(`[${level}] ${msg}`) : undefined,
      });
      const outcomes = await sendAll(producer, plan, io);
      await producer.close();
      producer = undefined;
      return report(outcomes, plan, io);
    } finally {
      if (producer) await producer.close({ timeoutMs: 0 }).catch(() => {});
      await transport.close();
    }
  },
};

function planFromArgs(args: ParsedArgs): SendPlan {
  if (args.positionals.length > 0) throw new InvalidInputError(`unexpected argument '${args.positionals[0]}'; every input is a --flag (see --help)`);
  const bootstrap = flag(args, 'bootstrap');
  if (!bootstrap) throw new InvalidInputError('--bootstrap HOST:PORT[,HOST:PORT...] is required');
  const topic = flag(args, 'topic');
  if (!topic) throw new InvalidInputError('--topic is required');
  const valueText = flag(args, 'value');
  const valueFile = flag(args, 'value-file');
  if (valueText !== undefined && valueFile !== undefined) throw new InvalidInputError('give --value or --value-file, not both');
  if (valueText === undefined && valueFile === undefined) throw new InvalidInputError('give the record value with --value V or --value-file F');
  let value: string | Buffer;
  if (valueFile !== undefined) {
    try {
      value = fs.readFileSync(valueFile);
    } catch (e) {
      throw new InvalidInputError(`cannot read --value-file '${valueFile}': ${fileProblem(e as NodeJS.ErrnoException, 'read')}`);
    }
  } else {
    value = valueText as string;
  }
  const headers = (args.flags.get('header') ?? []).map((h) => {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`--header '${h}' must be key=value (the key may not be empty)`);
    return { key: h.slice(0, eq), value: h.slice(eq + 1) };
  });
  const mode = (flag(args, 'mode') ?? 'async') as Mode;
  if (!['sync', 'async', 'fire-and-forget'].includes(mode)) throw new InvalidInputError(`--mode must be sync, async or fire-and-forget, got '${mode}'`);
  const partition = args.flags.has('partition') ? intFlag(args, 'partition', 0, 0, 2 ** 31 - 1) : undefined;

  const producerConfig: ProducerConfigInput = { 'client.id': 'kafka-workbench-cli' };
  const acks = flag(args, 'acks');
  if (acks !== undefined) {
    if (!['all', '-1', '1', '0'].includes(acks)) throw new InvalidInputError(`--acks must be all, 1 or 0, got '${acks}'`);
    producerConfig.acks = acks as ProducerConfigInput['acks'];
  }
  if (args.flags.has('linger-ms')) producerConfig['linger.ms'] = intFlag(args, 'linger-ms', 0, 0);
  if (args.flags.has('batch-size')) producerConfig['batch.size'] = intFlag(args, 'batch-size', 0, 0);
  if (args.flags.has('retries')) producerConfig.retries = intFlag(args, 'retries', 0, 0, 2 ** 31 - 1);
  if (args.flags.has('delivery-timeout-ms')) producerConfig['delivery.timeout.ms'] = intFlag(args, 'delivery-timeout-ms', 0, 1);
  const requestTimeoutMs = args.flags.has('request-timeout-ms') ? intFlag(args, 'request-timeout-ms', 0, 1) : undefined;
  if (requestTimeoutMs !== undefined) producerConfig['request.timeout.ms'] = requestTimeoutMs;
  const compression = flag(args, 'compression');
  if (compression !== undefined) {
    if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression)) throw new InvalidInputError(`--compression must be none, gzip, snappy, lz4 or zstd, got '${compression}'`);
    producerConfig['compression.type'] = compression;
  }
  const idempotence = flag(args, 'idempotence');
  if (idempotence !== undefined) {
    if (idempotence !== 'true' && idempotence !== 'false') throw new InvalidInputError(`--idempotence must be true or false, got '${idempotence}'`);
    producerConfig['enable.idempotence'] = idempotence === 'true';
  } else if (acks !== undefined && acks !== 'all' && acks !== '-1') {
    // Idempotence needs acks=all; with a weaker acks chosen explicitly the user clearly wants it off (as Java does
    // when idempotence is not set explicitly).
    producerConfig['enable.idempotence'] = false;
  }

  // Refuse a bad combination (e.g. idempotence with acks=1) before touching the network; the message names the
  // producer setting, which the flag of the same name sets.
  validateProducerConfig(producerConfig);
  // Arguments can hold lone surrogates where the OS passes UTF-16 (Windows): they would not go out as written.
  const texts: [string | null | undefined, string][] = [[flag(args, 'key'), '--key'], [valueText, '--value'], ...headers.flatMap((h): [string, string][] => [[h.key, `--header ${h.key}`], [h.value, `--header ${h.key}`]])];
  for (const [text, what] of texts) {
    const problem = typeof text === 'string' ? loneSurrogateProblem(text, what) : undefined;
    if (problem) throw new InvalidInputError(problem);
  }

  return {
    connection: {
      brokers: bootstrap.split(',').map((b) => b.trim()).filter(Boolean),
      clientId: 'kafka-workbench-cli',
      requestTimeoutMs,
      ...tlsAndSasl(args),
    },
    producerConfig,
    topic,
    key: flag(args, 'key') ?? null,
    value,
    headers,
    partition,
    count: intFlag(args, 'count', 1, 1, 100_000_000),
    mode,
    json: flag(args, 'json') === 'true',
  };
}

function tlsAndSasl(args: ParsedArgs): Pick<ConnectionConfig, 'ssl' | 'sasl'> {
  const out: Pick<ConnectionConfig, 'ssl' | 'sasl'> = {};
  const label = (name: string) => `--${name} '${flag(args, name)}'`;
  const readPem = (name: string, content: PemContent): string | undefined => {
    const file = flag(args, name);
    return file === undefined ? undefined : readPemFileSync(file, content, label(name));
  };
  const ca = readPem('tls-ca', 'certificate');
  const cert = readPem('tls-cert', 'certificate');
  const key = readPem('tls-key', 'private key');
  if ((cert === undefined) !== (key === undefined)) throw new InvalidInputError('--tls-cert and --tls-key go together (the client certificate and its private key)');
  if (cert !== undefined && key !== undefined) checkKeyMatchesCertificate(cert, key, { cert: label('tls-cert'), key: label('tls-key') });
  const insecure = flag(args, 'tls-insecure') === 'true';
  if (ca !== undefined || cert !== undefined || insecure) {
    const tls: TlsConfig = { ca, cert, key };
    if (insecure) tls.rejectUnauthorized = false;
    out.ssl = tls;
  } else if (flag(args, 'tls') === 'true') {
    out.ssl = true;
  }
  const mechanism = flag(args, 'sasl-mechanism');
  if (mechanism !== undefined) {
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) throw new InvalidInputError(`--sasl-mechanism must be plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`);
    const username = flag(args, 'sasl-username');
    const password = flag(args, 'sasl-password') ?? process.env.KAFKA_WORKBENCH_SASL_PASSWORD;
    if (!username) throw new InvalidInputError('--sasl-username is required with --sasl-mechanism');
    if (password === undefined) throw new InvalidInputError('no SASL password: set KAFKA_WORKBENCH_SASL_PASSWORD (or pass --sasl-password)');
    // CI gives builds of forks their secrets set but empty: logging in with that would fail with a misleading error.
    if (password === '') throw new InvalidInputError(`the SASL password is empty (${flag(args, 'sasl-password') === '' ? '--sasl-password' : 'KAFKA_WORKBENCH_SASL_PASSWORD'} is set but empty); set it to the password`);
    out.sasl = { mechanism: mechanism as SaslConfig['mechanism'], username, password };
  } else if (args.flags.has('sasl-username') || args.flags.has('sasl-password')) {
    throw new InvalidInputError('--sasl-username/--sasl-password need --sasl-mechanism');
  }
  return out;
}

/** Fails fast (exit 2) when the cluster cannot take the records at all, instead of N identical record failures. */
async function checkCluster(transport: KafkajsTransport, plan: SendPlan): Promise<void> {
  await transport.connect();
  const metadata = await transport.fetchMetadata([plan.topic], true);
  const topic = metadata.topics.find((t) => t.name === plan.topic);
  const code = topic?.errorCode ?? 3;
  if (code === 3) throw new InvalidInputError(`topic '${plan.topic}' does not exist and the cluster does not create topics automatically; create it first`);
  if (code === 17) throw new InvalidInputError(`'${plan.topic}' is not a valid topic name`);
  if (code === 29) throw new InvalidInputError(`not allowed to write to topic '${plan.topic}' (TOPIC_AUTHORIZATION_FAILED)`);
  // 5 = LEADER_NOT_AVAILABLE: the topic is being created; the engine waits for its leaders.
  if (plan.partition !== undefined && topic && topic.partitions.length > 0 && plan.partition >= topic.partitions.length) {
    throw new InvalidInputError(`--partition ${plan.partition} does not exist: topic '${plan.topic}' has partitions 0..${topic.partitions.length - 1}`);
  }
}

function recordAt(plan: SendPlan, index: number): { record: ProducerRecord; key: string | null } {
  const seq = String(index);
  const key = plan.key === null ? null : plan.key.split(SEQ).join(seq);
  let value: string | Buffer = plan.value;
  if (typeof value === 'string') value = value.split(SEQ).join(seq);
  else if (value.includes(SEQ)) value = Buffer.from(value.toString('utf8').split(SEQ).join(seq), 'utf8');
  const record: ProducerRecord = { topic: plan.topic, key, value };
  if (plan.headers.length) record.headers = plan.headers.map((h) => ({ key: h.key, value: h.value }));
  if (plan.partition !== undefined) record.partition = plan.partition;
  return { record, key };
}

async function sendAll(producer: Producer, plan: SendPlan, io: CliIo): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(plan.count);
  const printer = plan.json ? new OrderedJsonPrinter(producer, io, outcomes) : undefined;
  const startedAt = performance.now();
  let handedOver = 0;
  let settled = 0;
  let failed = 0;
  let lastProgress = startedAt;
  let resumeSending: (() => void) | undefined;
  let allSettled: () => void = () => {};
  const everyRecordSettled = new Promise<void>((resolve) => (allSettled = resolve));
  const progress = (force = false): void => {
    const now = performance.now();
    if (now - startedAt < PROGRESS_EVERY_MS || (!force && now - lastProgress < PROGRESS_EVERY_MS)) return;
    lastProgress = now;
    io.err(`send: ${settled}/${plan.count} done, ${settled - failed} acked, ${failed} failed`);
  };
  const settle = (outcome: Outcome): void => {
    outcomes[outcome.index] = outcome;
    settled++;
    if (outcome.error) failed++;
    printer?.advance();
    progress();
    if (resumeSending && handedOver - settled <= MAX_OUTSTANDING / 2) {
      resumeSending();
      resumeSending = undefined;
    }
    if (settled === plan.count) allSettled();
  };

  for (let i = 0; i < plan.count; i++) {
    if (handedOver - settled >= MAX_OUTSTANDING) await new Promise<void>((resolve) => (resumeSending = resolve));
    handedOver++;
    const { record, key } = recordAt(plan, i);
    const t0 = performance.now();
    const done = (metadata?: RecordMetadata, error?: Error, recordId?: string): void =>
      settle({ index: i, key, metadata, error, recordId: metadata?.recordId ?? (error as DeliveryError | undefined)?.recordId ?? recordId, latencyMs: performance.now() - t0 });
    if (plan.mode === 'sync') {
      try {
        done(await producer.send(record));
      } catch (e) {
        done(undefined, asError(e));
      }
    } else if (plan.mode === 'async') {
      producer
        .send(record, (error, metadata) => (error ? done(undefined, error) : done(metadata)))
        .catch(() => {}); // the callback has it
    } else {
      // fire-and-forget: the caller does not wait; the CLI still hears about the end to report it.
      const { recordId, result } = producer.submit(record);
      result.then((m) => done(m, undefined, recordId), (e) => done(undefined, asError(e), recordId));
    }
  }
  await producer.flush();
  await everyRecordSettled;
  progress(true);
  return outcomes;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Prints one JSON line per record in send order, as soon as every earlier record has settled. */
class OrderedJsonPrinter {
  private next = 0;

  constructor(
    private readonly producer: Producer,
    private readonly io: CliIo,
    private readonly outcomes: Outcome[],
  ) {}

  advance(): void {
    while (this.next < this.outcomes.length && this.outcomes[this.next]) {
      this.io.out(JSON.stringify(this.line(this.outcomes[this.next])));
      this.next++;
    }
  }

  private line(o: Outcome): object {
    const m = o.metadata;
    const err = o.error as DeliveryError | undefined;
    const trace = o.recordId ? this.producer.recordTrace(o.recordId)?.events ?? [] : [];
    const line: Record<string, unknown> = {
      topic: m?.topic ?? err?.topic ?? null,
      partition: m?.partition ?? err?.partition ?? null,
      offset: m ? m.offset : null,
      timestamp: m?.timestamp ?? null,
      key: o.key,
      batchId: m?.batchId ?? null,
      attempts: m?.attempts ?? err?.attempts ?? 0,
      partitionReason: m?.partitionReason ?? null,
    };
    if (err) line.error = { name: err.errorName ?? err.name, code: err.errorCode ?? null, message: err.message };
    line.trace = trace;
    return line;
  }
}

function report(outcomes: Outcome[], plan: SendPlan, io: CliIo): number {
  const failed = outcomes.filter((o) => o.error);
  const acked = outcomes.length - failed.length;
  if (!plan.json) {
    const ackedLabel = plan.producerConfig.acks === '0' ? 'handed to the broker (acks=0: no acknowledgement)' : 'acked';
    const lines = [`sent ${outcomes.length} record${outcomes.length === 1 ? '' : 's'} to ${plan.topic}: ${acked} ${ackedLabel}, ${failed.length} failed`];
    const byPartition = new Map<number, { count: number; min: number; max: number }>();
    for (const o of outcomes) {
      if (!o.metadata) continue;
      const p = byPartition.get(o.metadata.partition) ?? { count: 0, min: Infinity, max: -Infinity };
      p.count++;
      p.min = Math.min(p.min, o.metadata.offset);
      p.max = Math.max(p.max, o.metadata.offset);
      byPartition.set(o.metadata.partition, p);
    }
    if (byPartition.size) {
      const parts = [...byPartition.entries()].sort((a, b) => a[0] - b[0]).map(([p, s]) =>
        s.max < 0 ? `${p} (${s.count}, offsets unknown with acks=0)` : `${p} (${s.count}, offsets ${s.min === s.max ? s.min : `${s.min}-${s.max}`})`,
      );
      lines.push(`partitions: ${parts.join(', ')}`);
    }
    const latencies = outcomes.filter((o) => o.metadata).map((o) => o.latencyMs).sort((a, b) => a - b);
    if (latencies.length) lines.push(`latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    for (const line of lines) io.out(line);
  }
  if (failed.length) {
    const shown = failed.slice(0, 100);
    for (const o of shown) {
      const e = o.error as DeliveryError;
      // Broker errors already start with their name ("INVALID_RECORD (87) from the broker ...").
      const name = e.errorName && !e.message.startsWith(e.errorName) ? `${e.errorName}: ` : '';
      const attempts = e.attempts !== undefined ? ` (after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'})` : '';
      io.err(`failed: record ${o.index}${o.key !== null ? ` key=${o.key}` : ''}: ${name}${e.message}${attempts}`);
    }
    if (failed.length > shown.length) io.err(`failed: ... and ${failed.length - shown.length} more (--json shows every record)`);
    return 1;
  }
  return 0;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

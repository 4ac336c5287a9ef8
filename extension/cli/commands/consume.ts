/**
 * `kafka-workbench consume`: reads records of a topic (or one partition) from a start position and prints one per
 * line, until --count records were read or --timeout-ms passed, whichever comes first; nothing outlives the
 * timeout (a request still out when it passes is abandoned and the connections closed). No consumer group: no
 * offsets are committed. Exit 0 when --count records were read (or, without --count, when the time was up), 1 when
 * fewer than --count arrived in time, 2 for bad input or a cluster that cannot be used.
 */
import { SANDBOX_BOOTSTRAP_ENV } from '../../core/collections/bootstrap';
import {
  RecordReader,
  START_OFFSET_HELP,
  bytesToJson,
  describeFact,
  describeStartOffset,
  parseStartOffset,
  recordToJson,
  type ConsumedRecord,
  type JsonBytes,
} from '../../core/consume';
import { CLI_CLIENT_ID } from '../../core/kafka/rules';
import { SchemaRegistryClient, type SchemaRegistryConfig } from '../../core/schema-registry/client';
import { SchemaDeserializer, withDecoded, type DecodedRecordPart } from '../../core/schema-registry/deserializer';
import { ISOLATION_LEVELS, type IsolationLevel } from '../../core/transport/consumer-transport';
import { KafkaTransport } from '../../core/transport/kafka-transport';
import type { ConnectionConfig } from '../../core/transport/transport';
import { InvalidInputError } from '../../core/util/errors';
import { flag, intFlag, parseArgs, type ParsedArgs } from '../args';
import { CONNECTION_BOOLEAN_FLAGS, CONNECTION_FLAGS, bootstrapFromArgs, tlsAndSasl } from '../connection-flags';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryFromArgs } from '../schema-registry-flags';
import type { CliCommand, CliIo } from '../main';

const DEFAULT_TIMEOUT_MS = 10_000;
/** How long one fetch may wait at the broker for new records: short, so the loop sees the deadline often. */
const MAX_WAIT_MS = 500;

const USAGE = `usage: kafka-workbench consume [--bootstrap HOST:PORT[,...]] --topic T [--partition P]
         [--offset earliest|latest|N|@TIMESTAMP] [--count N] [--timeout-ms N]
         [--isolation read_uncommitted|read_committed] [--json] [--schema-registry URL]
         [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--tls-insecure]
         [--sasl-mechanism plain|scram-sha-256|scram-sha-512 --sasl-username U]   (password: $KAFKA_WORKBENCH_SASL_PASSWORD or --sasl-password)

Reads every partition of the topic (or only --partition P) from --offset (default earliest: ${START_OFFSET_HELP})
and prints one record per line until --count records were read or --timeout-ms (default ${DEFAULT_TIMEOUT_MS}) passed.
No consumer group is used and no offset is committed. Without --bootstrap it reads from the Local sandbox named by
$${SANDBOX_BOOTSTRAP_ENV}. --isolation read_committed (the default is read_uncommitted) skips records of aborted
transactions and stops at the last stable offset.
--json prints {"topic","partition","offset","timestamp","timestampType","key","value","headers":[{"key","value"}]};
a key, value or header value that is not UTF-8 text is {"base64": "..."}. Otherwise: PARTITION/OFFSET KEY VALUE,
tab-separated, with (null) for a null key or value and base64:... for bytes that are not text.
With --schema-registry, a key or value in Confluent's wire format (magic byte 0, schema id) is decoded by the schema
its id names (Avro, JSON Schema, Protobuf) and printed as JSON; --json then adds "keySchema"/"valueSchema":
{"id","type","recordName"}. Bytes not in that format are printed as without it.
${REGISTRY_USAGE}
--verbose also prints each Fetch and ListOffsets request (broker, offsets, duration) on stderr.
Exit status: 0 --count records read (without --count: the time was up), 1 fewer than --count records arrived within
--timeout-ms, 2 bad input (a topic, partition or offset that does not exist) or a cluster that cannot be used.`;

const STRING_FLAGS = [
  'bootstrap',
  'topic',
  'partition',
  'offset',
  'count',
  'timeout-ms',
  'isolation',
  ...REGISTRY_FLAGS,
  ...CONNECTION_FLAGS,
];
const BOOLEAN_FLAGS = ['json', ...CONNECTION_BOOLEAN_FLAGS];

interface ConsumePlan {
  connection: ConnectionConfig;
  topic: string;
  partition?: number;
  offset: string;
  count?: number;
  timeoutMs: number;
  isolation: IsolationLevel;
  json: boolean;
  registry?: SchemaRegistryConfig;
}

export const consumeCommand: CliCommand = {
  name: 'consume',
  summary: 'print the records of a topic from an offset or a time, for a count or a time',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const startedAt = Date.now();
    const plan = planFromArgs(
      parseArgs(argv, { known: [...STRING_FLAGS, ...BOOLEAN_FLAGS], booleans: BOOLEAN_FLAGS }),
      io,
    );
    const start = parseStartOffset(plan.offset, startedAt);
    const deadline = startedAt + plan.timeoutMs;
    const transport = new KafkaTransport(plan.connection, {
      log: io.verbose ? (level, msg) => io.err(`[${level}] ${msg}`) : undefined,
    });
    const reader = new RecordReader(transport, {
      isolation: plan.isolation,
      onFact: io.verbose ? (f) => io.err(`[read] ${describeFact(f)}`) : undefined,
    });
    const decoder = plan.registry
      ? new RecordDecoder(new SchemaDeserializer(new SchemaRegistryClient(plan.registry)))
      : undefined;
    let read = 0;
    let assigned = false;
    let timedOut = false;
    const work = (async () => {
      const positions = await reader.assign(
        plan.topic,
        start,
        plan.partition === undefined ? undefined : [plan.partition],
      );
      assigned = true;
      if (io.verbose)
        io.err(
          `consume: ${plan.topic} from ${describeStartOffset(start)}: ${positions.map((p) => `${p.partition}@${p.offset}`).join(', ')}`,
        );
      while (!timedOut && (plan.count === undefined || read < plan.count) && Date.now() < deadline) {
        const records = await reader.poll({ maxWaitMs: MAX_WAIT_MS, deadline });
        for (const record of records) {
          if (timedOut || (plan.count !== undefined && read >= plan.count)) break;
          const decoded = decoder ? await decoder.decode(record) : undefined;
          io.out(
            plan.json
              ? JSON.stringify(decoded ? withDecoded(recordToJson(record), decoded) : recordToJson(record))
              : textLine(record, decoded),
          );
          read++;
        }
      }
    })();
    // The deadline holds whatever the network does: at the timeout the connections close and any request still
    // out is abandoned.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))),
    );
    try {
      const outcome = await Promise.race([work.then(() => 'done' as const), expired]);
      if (outcome === 'timeout') {
        timedOut = true;
        work.catch(() => {}); // its requests fail as the transport closes; the outcome is decided here
      }
    } finally {
      clearTimeout(timer);
      await transport.close();
    }
    const problem = reader.lastProblem();
    if (!assigned) {
      throw new InvalidInputError(
        `no answer from the cluster within --timeout-ms ${plan.timeoutMs}${problem ? `: ${problem}` : ''}; check --bootstrap and that the brokers are up, or give more time`,
      );
    }
    if (plan.count !== undefined && read < plan.count) {
      io.err(
        `consume: read ${read} of ${plan.count} records within --timeout-ms ${plan.timeoutMs}${problem ? `; the cluster was not answering: ${problem}` : ''}`,
      );
      return 1;
    }
    if (problem) {
      io.err(`consume: read ${read} records; at the timeout the cluster was not answering: ${problem}`);
      return 1;
    }
    return 0;
  },
};

function planFromArgs(args: ParsedArgs, io: CliIo): ConsumePlan {
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument '${args.positionals[0]}'; every input is a --flag (see --help)`);
  const brokers = bootstrapFromArgs(args, io.err, 'consume', 'reading from');
  const topic = flag(args, 'topic');
  if (!topic) throw new InvalidInputError('--topic is required');
  const isolation = (flag(args, 'isolation') ?? 'read_uncommitted') as IsolationLevel;
  if (!ISOLATION_LEVELS.includes(isolation))
    throw new InvalidInputError(`--isolation must be ${ISOLATION_LEVELS.join(' or ')}, got '${isolation}'`);
  const timeoutMs = intFlag(args, 'timeout-ms', DEFAULT_TIMEOUT_MS, 1);
  return {
    connection: {
      brokers,
      clientId: CLI_CLIENT_ID,
      // Nothing may take longer than the whole run is allowed.
      connectionTimeoutMs: Math.min(10_000, timeoutMs),
      requestTimeoutMs: Math.min(30_000, timeoutMs),
      ...tlsAndSasl(args),
    },
    topic,
    partition: args.flags.has('partition') ? intFlag(args, 'partition', 0, 0, 2 ** 31 - 1) : undefined,
    offset: flag(args, 'offset') ?? 'earliest',
    count: args.flags.has('count') ? intFlag(args, 'count', 1, 1) : undefined,
    timeoutMs,
    isolation,
    json: flag(args, 'json') === 'true',
    registry: registryFromArgs(args),
  };
}

function textLine(record: ConsumedRecord, decoded?: DecodedParts): string {
  const show = (json: JsonBytes) =>
    json === null ? '(null)' : typeof json === 'string' ? json : `base64:${json.base64}`;
  const key = decoded?.key ? JSON.stringify(decoded.key.value) : show(bytesToJson(record.key));
  const value = decoded?.value ? JSON.stringify(decoded.value.value) : show(bytesToJson(record.value));
  return `${record.partition}/${record.offset}\t${key}\t${value}`;
}

interface DecodedParts {
  key?: DecodedRecordPart;
  value?: DecodedRecordPart;
}

/** Keys and values in Confluent's wire format, decoded by their schema id; a schema that cannot be had is an error. */
class RecordDecoder {
  constructor(private readonly deserializer: SchemaDeserializer) {}

  async decode(record: ConsumedRecord): Promise<DecodedParts> {
    return { key: await this.part(record, 'key'), value: await this.part(record, 'value') };
  }

  private async part(record: ConsumedRecord, which: 'key' | 'value'): Promise<DecodedRecordPart | undefined> {
    try {
      return await this.deserializer.decode(record[which]);
    } catch (e) {
      const where = `the ${which} of ${record.topic}-${record.partition}@${record.offset}`;
      throw new InvalidInputError(
        `cannot decode ${where} by its schema: ${(e as Error).message}; check --schema-registry (the registry the producer used)`,
      );
    }
  }
}

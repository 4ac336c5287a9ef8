/**
 * Topic configs as a Kafka 2.1 broker knows them (kafka.log.LogConfig): every name with its type, default and
 * validator, checked the way Kafka's ConfigDef parses them and refused with Kafka's own messages, so
 * CreateTopics, AlterConfigs and DescribeConfigs answer as a real broker does. The sandbox acts on a few
 * (max.message.bytes, min.insync.replicas, cleanup.policy, compression.type, message.timestamp.type); the others are
 * kept and described.
 */
import type { CompressionName } from '../../kafka/compression';

/** Kafka's default max.message.bytes (broker message.max.bytes: 1,000,000 + the 12-byte log overhead). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1000012;

const LONG_MAX = '9223372036854775807';

type ConfigType = 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'LIST';

interface TopicConfigDef {
  type: ConfigType;
  /** The default as DescribeConfigs shows it (a broker without server.properties). */
  default: string;
  /** The broker property that supplies the default (DescribeConfigs' synonym). */
  serverProperty: string;
  /** Checks a parsed value; returns Kafka's reason (after "Invalid value X for configuration NAME: "), or null. */
  validate?: (value: number | string | boolean | string[]) => string | null;
}

const atLeast = (min: number) => (v: unknown) => ((v as number) < min ? `Value must be at least ${min}` : null);
const between = (min: number, max: number) => (v: unknown) =>
  (v as number) < min
    ? `Value must be at least ${min}`
    : (v as number) > max
      ? `Value must be no more than ${max}`
      : null;
const oneOf =
  (...valid: string[]) =>
  (v: unknown) =>
    valid.includes(v as string) ? null : `String must be one of: ${valid.join(', ')}`;
const listOf =
  (...valid: string[]) =>
  (v: unknown) => {
    for (const s of v as string[]) if (!valid.includes(s)) return `String must be one of: ${valid.join(', ')}`;
    return null;
  };

export const BROKER_COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

/** Kafka 2.1.1's topic configs (LogConfig.configDef), in its order. */
export const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigDef>> = {
  'segment.bytes': { type: 'INT', default: '1073741824', serverProperty: 'log.segment.bytes', validate: atLeast(14) },
  'segment.ms': { type: 'LONG', default: '604800000', serverProperty: 'log.roll.ms', validate: atLeast(1) },
  'segment.jitter.ms': { type: 'LONG', default: '0', serverProperty: 'log.roll.jitter.ms', validate: atLeast(0) },
  'segment.index.bytes': {
    type: 'INT',
    default: '10485760',
    serverProperty: 'log.index.size.max.bytes',
    validate: atLeast(0),
  },
  'flush.messages': {
    type: 'LONG',
    default: LONG_MAX,
    serverProperty: 'log.flush.interval.messages',
    validate: atLeast(0),
  },
  'flush.ms': { type: 'LONG', default: LONG_MAX, serverProperty: 'log.flush.interval.ms', validate: atLeast(0) },
  'retention.bytes': { type: 'LONG', default: '-1', serverProperty: 'log.retention.bytes' },
  'retention.ms': { type: 'LONG', default: '604800000', serverProperty: 'log.retention.ms' },
  'max.message.bytes': {
    type: 'INT',
    default: String(DEFAULT_MAX_MESSAGE_BYTES),
    serverProperty: 'message.max.bytes',
    validate: atLeast(0),
  },
  'index.interval.bytes': {
    type: 'INT',
    default: '4096',
    serverProperty: 'log.index.interval.bytes',
    validate: atLeast(0),
  },
  'delete.retention.ms': {
    type: 'LONG',
    default: '86400000',
    serverProperty: 'log.cleaner.delete.retention.ms',
    validate: atLeast(0),
  },
  'min.compaction.lag.ms': {
    type: 'LONG',
    default: '0',
    serverProperty: 'log.cleaner.min.compaction.lag.ms',
    validate: atLeast(0),
  },
  'file.delete.delay.ms': {
    type: 'LONG',
    default: '60000',
    serverProperty: 'log.segment.delete.delay.ms',
    validate: atLeast(0),
  },
  'min.cleanable.dirty.ratio': {
    type: 'DOUBLE',
    default: '0.5',
    serverProperty: 'log.cleaner.min.cleanable.ratio',
    validate: between(0, 1),
  },
  'cleanup.policy': {
    type: 'LIST',
    default: 'delete',
    serverProperty: 'log.cleanup.policy',
    validate: listOf('compact', 'delete'),
  },
  'unclean.leader.election.enable': {
    type: 'BOOLEAN',
    default: 'false',
    serverProperty: 'unclean.leader.election.enable',
  },
  'min.insync.replicas': { type: 'INT', default: '1', serverProperty: 'min.insync.replicas', validate: atLeast(1) },
  'compression.type': {
    type: 'STRING',
    default: 'producer',
    serverProperty: 'compression.type',
    validate: oneOf(...BROKER_COMPRESSION_TYPES),
  },
  preallocate: { type: 'BOOLEAN', default: 'false', serverProperty: 'log.preallocate' },
  'message.format.version': {
    type: 'STRING',
    default: '2.1-IV2',
    serverProperty: 'log.message.format.version',
    validate: messageFormatVersion,
  },
  'message.timestamp.type': {
    type: 'STRING',
    default: 'CreateTime',
    serverProperty: 'log.message.timestamp.type',
    validate: oneOf('CreateTime', 'LogAppendTime'),
  },
  'message.timestamp.difference.max.ms': {
    type: 'LONG',
    default: LONG_MAX,
    serverProperty: 'log.message.timestamp.difference.max.ms',
    validate: atLeast(0),
  },
  'leader.replication.throttled.replicas': {
    type: 'LIST',
    default: '',
    serverProperty: 'leader.replication.throttled.replicas',
    validate: throttledReplicas,
  },
  'follower.replication.throttled.replicas': {
    type: 'LIST',
    default: '',
    serverProperty: 'follower.replication.throttled.replicas',
    validate: throttledReplicas,
  },
  'message.downconversion.enable': {
    type: 'BOOLEAN',
    default: 'true',
    serverProperty: 'log.message.downconversion.enable',
  },
};

function messageFormatVersion(v: unknown): string | null {
  return /^(0\.(8\.[0-2]|9\.0|10\.[0-2]|11\.0)|1\.[01]|2\.[01])(\.\d+)?(-IV\d+)?$/.test(v as string)
    ? null
    : `Version \`${v as string}\` is not a valid version`;
}

function throttledReplicas(v: unknown): string | null {
  const list = (v as string[]).map((s) => s.trim());
  if (list.length === 1 && list[0] === '*') return null;
  return list.every((s) => /^\d+:\d+$/.test(s))
    ? null
    : "must be the literal '*' or a list of replicas in the following format: [partitionId],[brokerId]:[partitionId],[brokerId]:...";
}

/** What the sandbox acts on, parsed from a topic's overrides and the cluster's defaults. */
export interface TopicSettings {
  logAppendTime: boolean;
  minInsyncReplicas: number;
  maxMessageBytes: number;
  /** cleanup.policy includes compact: records need keys. */
  compacted: boolean;
  /** compression.type: 'producer' keeps what the producer sent; any other codec is what the log stores. */
  compression: 'producer' | CompressionName;
  /** The topic's own configs (overrides), as given: what DescribeConfigs reports as DYNAMIC_TOPIC_CONFIG. */
  configs: Record<string, string>;
}

/** The cluster-level defaults that override Kafka's own (the sandbox's --min-insync-replicas). */
export interface TopicConfigDefaults {
  minInsyncReplicas: number;
}

/** Kafka's ConfigException text: "Invalid value V for configuration NAME: REASON". */
const invalid = (name: string, value: string, reason: string) =>
  `Invalid value ${value} for configuration ${name}: ${reason}`;

/** Parses one value as Kafka's ConfigDef.parseType does (trimmed; Java's number syntax). */
function parseValue(
  name: string,
  def: TopicConfigDef,
  raw: string,
): { value: number | string | boolean | string[] } | { error: string } {
  const s = raw.trim();
  switch (def.type) {
    case 'INT':
    case 'LONG': {
      const bits = def.type === 'INT' ? 31n : 63n;
      if (!/^[+-]?\d+$/.test(s)) return { error: invalid(name, raw, `Not a number of type ${def.type}`) };
      const n = BigInt(s);
      if (n < -(1n << bits) || n >= 1n << bits)
        return { error: invalid(name, raw, `Not a number of type ${def.type}`) };
      return { value: Number(n) };
    }
    case 'DOUBLE': {
      const n = Number(s);
      if (s === '' || (!Number.isFinite(n) && !/^[+-]?Infinity$/.test(s)))
        return { error: invalid(name, raw, 'Not a number of type DOUBLE') };
      return { value: n };
    }
    case 'BOOLEAN':
      if (s.toLowerCase() === 'true') return { value: true };
      if (s.toLowerCase() === 'false') return { value: false };
      return { error: invalid(name, raw, 'Expected value to be either true or false') };
    case 'LIST':
      return { value: s === '' ? [] : s.split(/\s*,\s*/) };
    default:
      return { value: s };
  }
}

/** How Java prints a parsed value in a validator's message (a double keeps its ".0"). */
function javaString(def: TopicConfigDef, v: number | string | boolean | string[]): string {
  if (def.type === 'DOUBLE' && Number.isInteger(v)) return `${v as number}.0`;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}

/**
 * Why configs were refused: an unknown name, a value Kafka's ConfigDef refuses (its message), or a null value (Kafka
 * 2.1 fails on it with a NullPointerException: UNKNOWN_SERVER_ERROR without a message).
 */
export interface TopicConfigProblem {
  problem: 'unknown' | 'invalid' | 'null';
  message: string;
}

/**
 * Checks a topic's configs as Kafka's LogConfig.validate does: unknown names first, then every value parsed and
 * validated. Returns the settings, or the problem in Kafka's words.
 */
export function parseTopicConfigs(
  configs: Record<string, string | null>,
  defaults: TopicConfigDefaults,
): TopicSettings | TopicConfigProblem {
  for (const [name, value] of Object.entries(configs)) {
    if (value === null) return { problem: 'null', message: `topic config ${name} has a null value` };
  }
  for (const name of Object.keys(configs)) {
    if (!Object.hasOwn(TOPIC_CONFIGS, name))
      return { problem: 'unknown', message: `Unknown topic config name: ${name}` };
  }
  const kept: Record<string, string> = {};
  const parsed: Record<string, number | string | boolean | string[]> = {};
  for (const [name, def] of Object.entries(TOPIC_CONFIGS)) {
    const raw = configs[name];
    if (raw === undefined) continue;
    if (raw === null) continue;
    if (typeof raw !== 'string')
      return { problem: 'invalid', message: invalid(name, String(raw), 'Expected value to be a string') };
    const p = parseValue(name, def, raw);
    if ('error' in p) return { problem: 'invalid', message: p.error };
    const problem = def.validate?.(p.value);
    if (problem) {
      const shown =
        def.type === 'LIST' || def.type === 'STRING' ? problemValue(def, p.value, problem) : javaString(def, p.value);
      return { problem: 'invalid', message: invalid(name, shown, problem) };
    }
    kept[name] = raw;
    parsed[name] = p.value;
  }
  const minIsr = (parsed['min.insync.replicas'] as number | undefined) ?? defaults.minInsyncReplicas;
  const policy = (parsed['cleanup.policy'] as string[] | undefined) ?? ['delete'];
  const compression = (parsed['compression.type'] as string | undefined) ?? 'producer';
  return {
    logAppendTime: parsed['message.timestamp.type'] === 'LogAppendTime',
    minInsyncReplicas: minIsr,
    maxMessageBytes: (parsed['max.message.bytes'] as number | undefined) ?? DEFAULT_MAX_MESSAGE_BYTES,
    compacted: policy.includes('compact'),
    compression:
      compression === 'producer'
        ? 'producer'
        : compression === 'uncompressed'
          ? 'none'
          : (compression as CompressionName),
    configs: kept,
  };
}

/** A list validator names the failing element, as Kafka's ValidList does (it checks each string). */
function problemValue(def: TopicConfigDef, v: number | string | boolean | string[], _problem: string): string {
  if (def.type !== 'LIST') return String(v);
  const validator = def.validate!;
  return (v as string[]).find((s) => validator([s]) !== null) ?? String(v);
}

/** Whether parseTopicConfigs refused the configs. */
export function isConfigProblem(r: TopicSettings | TopicConfigProblem): r is TopicConfigProblem {
  return 'problem' in r;
}

/** The value of a config for DescribeConfigs: the topic's own, else the cluster's default, else Kafka's. */
export function describedTopicConfigs(
  settings: TopicSettings,
  defaults: TopicConfigDefaults,
): { name: string; value: string; isDefault: boolean; serverProperty: string; fromCluster: boolean }[] {
  return Object.entries(TOPIC_CONFIGS).map(([name, def]) => {
    const own = settings.configs[name];
    if (own !== undefined)
      return { name, value: own, isDefault: false, serverProperty: def.serverProperty, fromCluster: false };
    if (name === 'min.insync.replicas' && String(defaults.minInsyncReplicas) !== def.default) {
      return {
        name,
        value: String(defaults.minInsyncReplicas),
        isDefault: false,
        serverProperty: def.serverProperty,
        fromCluster: true,
      };
    }
    return { name, value: def.default, isDefault: true, serverProperty: def.serverProperty, fromCluster: false };
  });
}

/**
 * Topic configs: Kafka's topic-level config names are all accepted (so configs copied from a real cluster work),
 * and the three the sandbox acts on are checked and parsed.
 */

/** Kafka's default max.message.bytes (1 MiB + record batch overhead). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1048588;

const KNOWN_TOPIC_CONFIGS = new Set([
  'cleanup.policy', 'compression.type', 'compression.gzip.level', 'compression.lz4.level', 'compression.zstd.level',
  'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms', 'follower.replication.throttled.replicas',
  'index.interval.bytes', 'leader.replication.throttled.replicas', 'local.retention.bytes', 'local.retention.ms',
  'max.compaction.lag.ms', 'max.message.bytes', 'message.downconversion.enable', 'message.format.version',
  'message.timestamp.after.max.ms', 'message.timestamp.before.max.ms', 'message.timestamp.difference.max.ms',
  'message.timestamp.type', 'min.cleanable.dirty.ratio', 'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate',
  'remote.storage.enable', 'retention.bytes', 'retention.ms', 'segment.bytes', 'segment.index.bytes',
  'segment.jitter.ms', 'segment.ms', 'unclean.leader.election.enable',
]);

export interface TopicSettings {
  logAppendTime: boolean;
  minInsyncReplicas: number;
  maxMessageBytes: number;
  /** Every config as given, for state(). */
  configs: Record<string, string>;
}

/** Parses configs; returns the settings or a message saying which config is wrong (the INVALID_CONFIG answer). */
export function parseTopicConfigs(configs: Record<string, string | null>, defaultMinIsr: number): TopicSettings | string {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) {
    if (!KNOWN_TOPIC_CONFIGS.has(name)) return `unknown topic config '${name}'`;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') return `topic config '${name}' must be a string`;
    kept[name] = value;
  }
  const type = kept['message.timestamp.type'] ?? 'CreateTime';
  if (type !== 'CreateTime' && type !== 'LogAppendTime') {
    return `message.timestamp.type must be CreateTime or LogAppendTime, not '${type}'`;
  }
  const minIsr = parseIntConfig(kept, 'min.insync.replicas', defaultMinIsr, 1);
  if (typeof minIsr === 'string') return minIsr;
  const maxMessageBytes = parseIntConfig(kept, 'max.message.bytes', DEFAULT_MAX_MESSAGE_BYTES, 0);
  if (typeof maxMessageBytes === 'string') return maxMessageBytes;
  return { logAppendTime: type === 'LogAppendTime', minInsyncReplicas: minIsr, maxMessageBytes, configs: kept };
}

function parseIntConfig(configs: Record<string, string>, name: string, fallback: number, min: number): number | string {
  const raw = configs[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) return `${name} must be a whole number of at least ${min}, not '${raw}'`;
  return n;
}

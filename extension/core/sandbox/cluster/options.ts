/**
 * The sandbox's settings: what the user may pass (`SandboxOptions`, every field optional) and the checked, complete
 * form the cluster runs with (`ResolvedSandboxOptions`). Defaults follow issue 2; a bad value is refused with an
 * InvalidInputError that names the option and says what is allowed.
 */
import { topicNameProblem } from '../../kafka/rules/topic-name';
import { InvalidInputError } from '../../util/errors';

export interface SandboxTopicOption {
  name: string;
  partitions?: number;
}

export interface SandboxCaps {
  /** Records kept per partition before the oldest batches are dropped. */
  maxRecordsPerPartition: number;
  maxBytesPerPartition: number;
  /** Over all partitions together. */
  maxTotalBytes: number;
  maxTotalRecords: number;
}

export interface SandboxOptions extends Partial<SandboxCaps> {
  brokers?: number;
  /** Port of broker 1; broker N listens on port + N - 1. 0 = free ports for every broker. */
  port?: number;
  host?: string;
  partitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
  topics?: SandboxTopicOption[];
  /** 0 = a free port. */
  controlPort?: number;
  autoCreateTopics?: boolean;
  /** How long a down leader's partitions wait before a new leader is elected. */
  electionDelayMs?: number;
  /**
   * auto.leader.rebalance.enable: leadership returns to a partition's preferred replica (its first) once that broker
   * is back and in sync (default true, as in Kafka).
   */
  autoLeaderRebalance?: boolean;
  /** group.initial.rebalance.delay.ms: how long a new group waits for more members before its first rebalance. */
  initialRebalanceDelayMs?: number;
  /** Largest request frame a broker accepts (socket.request.max.bytes). */
  maxFrameBytes?: number;
  /** Every broker listener requires SASL (SASL_PLAINTEXT, or SASL_SSL with tls) from these users. */
  sasl?: SandboxSaslOption;
  /** Every broker listener speaks TLS with this certificate (PEM text, not paths). */
  tls?: SandboxTlsOption;
  /** The schema registry started with the cluster (default on, a free port); false for none. */
  schemaRegistry?: SandboxSchemaRegistryOption | false;
}

/** The sandbox's schema registry: its port (0 = free) and, to try credentials, basic or bearer auth. */
export interface SandboxSchemaRegistryOption {
  port?: number;
  auth?: { username: string; password: string } | { token: string };
}

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

export interface SandboxSaslOption {
  users: { username: string; password: string }[];
  /** Default: all three. */
  mechanisms?: SaslMechanismName[];
}

export interface SandboxTlsOption {
  cert: string;
  key: string;
}

export interface ResolvedSandboxOptions extends SandboxCaps {
  brokers: number;
  port: number;
  host: string;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  topics: { name: string; partitions: number }[];
  controlPort: number;
  autoCreateTopics: boolean;
  electionDelayMs: number;
  autoLeaderRebalance: boolean;
  initialRebalanceDelayMs: number;
  maxFrameBytes: number;
  sasl: { users: { username: string; password: string }[]; mechanisms: SaslMechanismName[] } | null;
  tls: SandboxTlsOption | null;
  schemaRegistry: { port: number; auth?: { username: string; password: string } | { token: string } } | null;
}

export const MAX_BROKERS = 16;
export const MAX_PARTITIONS_PER_TOPIC = 1000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

const DEFAULT_CAPS: SandboxCaps = {
  maxRecordsPerPartition: 1_000_000,
  maxBytesPerPartition: 128 * 1024 * 1024,
  maxTotalRecords: 5_000_000,
  maxTotalBytes: 512 * 1024 * 1024,
};

function integerIn(option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${option} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Applies the defaults and checks every value; throws InvalidInputError naming the first bad option. */
export function resolveSandboxOptions(o: SandboxOptions = {}): ResolvedSandboxOptions {
  if (o === null || typeof o !== 'object') throw new InvalidInputError('sandbox options must be an object');
  const brokers = integerIn('brokers', o.brokers, 1, MAX_BROKERS, 3);
  const port = integerIn('port', o.port, 0, 65535, 9092);
  if (port !== 0 && port + brokers - 1 > 65535) {
    throw new InvalidInputError(
      `port ${port} leaves no room for ${brokers} brokers (ports ${port}..${port + brokers - 1}); choose a lower port or 0`,
    );
  }
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !LOOPBACK_HOSTS.has(host)) {
    throw new InvalidInputError(
      `host must be a loopback address (127.0.0.1, localhost or ::1); the sandbox never listens elsewhere; got ${JSON.stringify(host)}`,
    );
  }
  const partitions = integerIn('partitions', o.partitions, 1, MAX_PARTITIONS_PER_TOPIC, 3);
  const replicationFactor = integerIn('replicationFactor', o.replicationFactor, 1, brokers, Math.min(3, brokers));
  const minInsyncReplicas = integerIn('minInsyncReplicas', o.minInsyncReplicas, 1, replicationFactor, 1);
  const controlPort = integerIn('controlPort', o.controlPort, 0, 65535, 0);
  if (o.autoCreateTopics !== undefined && typeof o.autoCreateTopics !== 'boolean') {
    throw new InvalidInputError(`autoCreateTopics must be true or false; got ${JSON.stringify(o.autoCreateTopics)}`);
  }
  const electionDelayMs = integerIn('electionDelayMs', o.electionDelayMs, 0, 600_000, 200);
  if (o.autoLeaderRebalance !== undefined && typeof o.autoLeaderRebalance !== 'boolean') {
    throw new InvalidInputError(
      `autoLeaderRebalance must be true or false; got ${JSON.stringify(o.autoLeaderRebalance)}`,
    );
  }
  const initialRebalanceDelayMs = integerIn('initialRebalanceDelayMs', o.initialRebalanceDelayMs, 0, 600_000, 0);
  const maxFrameBytes = integerIn('maxFrameBytes', o.maxFrameBytes, 1024, 1024 * 1024 * 1024, 100 * 1024 * 1024);
  const caps: SandboxCaps = {
    maxRecordsPerPartition: integerIn(
      'maxRecordsPerPartition',
      o.maxRecordsPerPartition,
      1,
      Number.MAX_SAFE_INTEGER,
      DEFAULT_CAPS.maxRecordsPerPartition,
    ),
    maxBytesPerPartition: integerIn(
      'maxBytesPerPartition',
      o.maxBytesPerPartition,
      1,
      Number.MAX_SAFE_INTEGER,
      DEFAULT_CAPS.maxBytesPerPartition,
    ),
    maxTotalRecords: integerIn(
      'maxTotalRecords',
      o.maxTotalRecords,
      1,
      Number.MAX_SAFE_INTEGER,
      DEFAULT_CAPS.maxTotalRecords,
    ),
    maxTotalBytes: integerIn('maxTotalBytes', o.maxTotalBytes, 1, Number.MAX_SAFE_INTEGER, DEFAULT_CAPS.maxTotalBytes),
  };

  if (o.topics !== undefined && !Array.isArray(o.topics))
    throw new InvalidInputError('topics must be a list of {name, partitions?}');
  const topics: { name: string; partitions: number }[] = [];
  for (const t of o.topics ?? []) {
    const problem = topicNameProblem(t?.name);
    if (problem) throw new InvalidInputError(`topics: ${problem}`);
    if (topics.some((x) => x.name === t.name)) throw new InvalidInputError(`topics: '${t.name}' is listed twice`);
    topics.push({
      name: t.name,
      partitions: integerIn(`partitions of topic '${t.name}'`, t.partitions, 1, MAX_PARTITIONS_PER_TOPIC, partitions),
    });
  }

  return {
    brokers,
    port,
    host,
    partitions,
    replicationFactor,
    minInsyncReplicas,
    topics,
    controlPort,
    autoCreateTopics: o.autoCreateTopics ?? true,
    electionDelayMs,
    autoLeaderRebalance: o.autoLeaderRebalance ?? true,
    initialRebalanceDelayMs,
    maxFrameBytes,
    ...caps,
    sasl: resolveSasl(o.sasl),
    tls: resolveTls(o.tls),
    schemaRegistry: resolveSchemaRegistry(o.schemaRegistry),
  };
}

function resolveSchemaRegistry(option: SandboxOptions['schemaRegistry']): ResolvedSandboxOptions['schemaRegistry'] {
  if (option === false) return null;
  if (option !== undefined && (option === null || typeof option !== 'object'))
    throw new InvalidInputError('schemaRegistry must be false or {port?, auth?}');
  const port = integerIn('schemaRegistry.port', option?.port, 0, 65535, 0);
  const auth = option?.auth;
  if (auth === undefined) return { port };
  if ('token' in auth) {
    if (typeof auth.token !== 'string' || auth.token === '')
      throw new InvalidInputError('schemaRegistry.auth.token must be a non-empty string');
    return { port, auth: { token: auth.token } };
  }
  if (
    typeof auth?.username !== 'string' ||
    auth.username === '' ||
    auth.username.includes(':') ||
    typeof auth.password !== 'string' ||
    auth.password === ''
  ) {
    throw new InvalidInputError('schemaRegistry.auth needs a username (without ":") and a password, or a token');
  }
  return { port, auth: { username: auth.username, password: auth.password } };
}

function resolveSasl(sasl: SandboxSaslOption | undefined): ResolvedSandboxOptions['sasl'] {
  if (sasl === undefined) return null;
  if (sasl === null || typeof sasl !== 'object' || !Array.isArray(sasl.users) || sasl.users.length === 0) {
    throw new InvalidInputError('sasl needs at least one user: {users: [{username, password}], mechanisms?}');
  }
  const users: { username: string; password: string }[] = [];
  for (const u of sasl.users) {
    if (typeof u?.username !== 'string' || u.username === '' || typeof u.password !== 'string' || u.password === '') {
      throw new InvalidInputError('sasl: every user needs a non-empty username and password');
    }
    // PLAIN separates fields with NUL, so neither may hold one.
    if (u.username.includes('\0') || u.password.includes('\0'))
      throw new InvalidInputError('sasl: user names and passwords may not contain NUL');
    if (users.some((x) => x.username === u.username))
      throw new InvalidInputError(`sasl: user '${u.username}' is listed twice`);
    users.push({ username: u.username, password: u.password });
  }
  const mechanisms = sasl.mechanisms ?? [...SASL_MECHANISMS];
  if (!Array.isArray(mechanisms) || mechanisms.length === 0)
    throw new InvalidInputError(`sasl mechanisms must be a non-empty list of ${SASL_MECHANISMS.join(', ')}`);
  for (const m of mechanisms) {
    if (!SASL_MECHANISMS.includes(m))
      throw new InvalidInputError(`sasl mechanism ${JSON.stringify(m)} is not one of ${SASL_MECHANISMS.join(', ')}`);
  }
  return { users, mechanisms: [...new Set(mechanisms)] };
}

function resolveTls(tls: SandboxTlsOption | undefined): SandboxTlsOption | null {
  if (tls === undefined) return null;
  const pem = (name: 'cert' | 'key', label: string) => {
    const v = tls?.[name];
    if (typeof v !== 'string' || !v.includes('-----BEGIN'))
      throw new InvalidInputError(`tls.${name} must be the PEM text of the ${label}`);
    return v;
  };
  return { cert: pem('cert', 'broker certificate'), key: pem('key', 'private key') };
}

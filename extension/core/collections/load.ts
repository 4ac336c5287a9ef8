/** Reading collection and environment files from disk, and turning an environment into a ConnectionConfig. */
import { isAscii, isUtf8 } from 'node:buffer';
import { readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { SchemaRegistryConfig } from '../schema-registry/client';
import { checkKeyMatchesCertificate, readPemFile } from '../transport/tls-files';
import type { ConnectionConfig, TlsConfig } from '../transport/transport';
import { InvalidInputError } from '../util/errors';
import { releaseSoon, startReading } from '../util/files';
import { firstBadUtf8Line, withoutByteOrderMark } from '../util/utf8';
import { brokerAddressProblem, splitBrokerList } from '../kafka/rules/broker-address';
import type { Environment } from './model';
import { compileValidators, parseCollectionText, parseEnvironmentText, requireValid } from './parse';
import type { LoadedCollection, LoadedEnvironment } from './prepare';
import { howToSetSecret, type SecretResolver } from './template';

/** Collection files from this size on keep no text in memory once checked. */
const RELEASE_TEXT_AT = 1024 * 1024;

async function readText(filePath: string, what: string): Promise<string> {
  return (await startReadingText(filePath, what)).text;
}

/** A text file being read: its stat, taken before the read began, and its text to come. */
interface TextRead {
  stat: Stats;
  text: Promise<string>;
}

/**
 * Starts reading a file (see startReading); a missing file or a folder is an error naming it. Only the text is kept
 * once decoded: a promise of the bytes held while the text is parsed kept 24 MB alive past the next full GC.
 */
async function startReadingText(filePath: string, what: string): Promise<TextRead> {
  const named = (e: unknown): InvalidInputError => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new InvalidInputError(`${what} ${filePath} not found`);
    if (code === 'EISDIR') return new InvalidInputError(`${what} ${filePath} is a directory, not a file`);
    return new InvalidInputError(`cannot read ${what} ${filePath}: ${(e as Error).message}`);
  };
  const read = await startReading(filePath).catch((e: unknown) => {
    throw named(e);
  });
  return {
    stat: read.stat,
    text: read.bytes.then(
      (bytes) => decodeText(bytes, filePath, what),
      (e: unknown) => {
        throw named(e);
      },
    ),
  };
}

function decodeText(bytes: Buffer, filePath: string, what: string): string {
  // Decoding would turn bad bytes into U+FFFD, and those would be sent: say where they are instead. Most files are
  // ASCII, which is checked 30 times as fast (1 ms against 30 for 24 MB).
  if (!isAscii(bytes) && !isUtf8(bytes))
    throw new InvalidInputError(
      `${path.basename(filePath)}:${firstBadUtf8Line(bytes)}: not valid UTF-8 text; save the ${what} as UTF-8`,
    );
  const text = bytes.toString('utf8');
  releaseSoon(bytes);
  return withoutByteOrderMark(text);
}

/** Loads and validates a `*.kafka.json` file; throws a one-line DocumentError for the first problem. */
export async function loadCollectionFile(filePath: string): Promise<LoadedCollection> {
  const absolute = path.resolve(filePath);
  const reading = await startReadingText(absolute, 'collection file');
  // Taken before reading: a change while it is read shows as a different stamp later.
  const stamp = stampOf(reading.stat);
  // The validators compile while the file is read: a big file took as long to read as they take to compile.
  compileValidators();
  const doc = parseCollectionText(await reading.text, path.basename(absolute));
  const collection = requireValid(doc);
  // A big file's text is read again only if an error needs a position (see SourceText.releaseText), and only if
  // the file is still the one that was read.
  if (doc.source.text.length >= RELEASE_TEXT_AT)
    doc.source.releaseText(() =>
      stampOf(statSync(absolute)) === stamp ? withoutByteOrderMark(readFileSync(absolute, 'utf8')) : undefined,
    );
  return { filePath: absolute, collection, source: doc.source };
}

/** What tells a file's versions apart without reading it: which file, its size, when it was last written. */
function stampOf(stat: Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

export async function loadEnvironmentFile(filePath: string): Promise<LoadedEnvironment> {
  const absolute = path.resolve(filePath);
  const doc = parseEnvironmentText(await readText(absolute, 'environment file'), path.basename(absolute));
  return { filePath: absolute, environment: requireValid(doc), source: doc.source };
}

/**
 * `--var name=value` pairs into variables (a later one wins); refuses anything else. Object.fromEntries makes own
 * properties, so a name like `__proto__` is stored as a variable instead of setting the object's prototype.
 */
export function parseVarFlags(values: string[]): Record<string, string> {
  return Object.fromEntries(values.map(parseVarFlag));
}

function parseVarFlag(flag: string): [name: string, value: string] {
  const eq = flag.indexOf('=');
  const name = eq > 0 ? flag.slice(0, eq) : '';
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name))
    throw new InvalidInputError(`--var must be NAME=VALUE with a name of letters, digits, _ . - (got '${flag}')`);
  return [name, flag.slice(eq + 1)];
}

/**
 * The connection an environment describes: PEM paths read (relative to the environment file), the SASL password
 * looked up by its secret name. `bootstrapOverride` (the CLI's --bootstrap) replaces the environment's brokers.
 */
export async function environmentConnection(
  env: LoadedEnvironment | undefined,
  secrets: SecretResolver,
  bootstrapOverride?: string,
): Promise<ConnectionConfig> {
  const c = env?.environment.connection;
  // "h1:9092,h2:9092" is how bootstrap.servers is usually written: accepted in the file as on the command line.
  const brokers = bootstrapOverride
    ? splitBrokerList(bootstrapOverride)
    : c
      ? [c.bootstrap].flat().flatMap(splitBrokerList)
      : [];
  if (!brokers.length) {
    throw new InvalidInputError(
      env
        ? `${path.basename(env.filePath)} has no connection.bootstrap; add one or pass --bootstrap HOST:PORT`
        : 'no cluster to send to: pass --bootstrap HOST:PORT or --env FILE.kafka-env.json',
    );
  }
  const from = bootstrapOverride || !env ? '--bootstrap' : `${path.basename(env.filePath)} connection.bootstrap`;
  for (const b of brokers) {
    const problem = brokerAddressProblem(b);
    if (problem) throw new InvalidInputError(`${from}: ${problem}`);
  }
  const config: ConnectionConfig = { brokers };
  if (!c || !env) return config;
  if (c.clientId) config.clientId = c.clientId;
  if (c.connectionTimeoutMs) config.connectionTimeoutMs = c.connectionTimeoutMs;
  if (c.requestTimeoutMs) config.requestTimeoutMs = c.requestTimeoutMs;
  if (c.ssl === true) config.ssl = true;
  else if (c.ssl && typeof c.ssl === 'object') config.ssl = await readTls(c.ssl, env.filePath);
  if (c.sasl) {
    const name = /\$secret:([A-Za-z0-9_.-]+)/.exec(c.sasl.password)![1];
    const password = await secrets(name);
    if (password === undefined)
      throw new InvalidInputError(
        `${path.basename(env.filePath)}: SASL password secret "${name}" is not set: ${howToSetSecret(name)}`,
      );
    // CI gives builds of forks their secrets set but empty: a login with that fails with a misleading error.
    if (password === '')
      throw new InvalidInputError(
        `${path.basename(env.filePath)}: SASL password secret "${name}" is set but empty: ${howToSetSecret(name)}`,
      );
    // Kafka spells them PLAIN and SCRAM-SHA-256; both spellings are accepted.
    config.sasl = {
      mechanism: c.sasl.mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512',
      username: c.sasl.username,
      password,
    };
  }
  return config;
}

async function readTls(
  ssl: Exclude<NonNullable<NonNullable<Environment['connection']>['ssl']>, boolean>,
  envFile: string,
): Promise<TlsConfig> {
  const tls: TlsConfig = {};
  const label = (field: string) => `${path.basename(envFile)} connection.ssl.${field} '${ssl[field as 'ca']}'`;
  for (const field of ['ca', 'cert', 'key'] as const) {
    const p = ssl[field];
    if (p)
      tls[field] = await readPemFile(
        path.resolve(path.dirname(envFile), p),
        field === 'key' ? 'private key' : 'certificate',
        label(field),
      );
  }
  if (tls.cert && tls.key) checkKeyMatchesCertificate(tls.cert, tls.key, { cert: label('cert'), key: label('key') });
  if (ssl.rejectUnauthorized !== undefined) tls.rejectUnauthorized = ssl.rejectUnauthorized;
  if (ssl.servername) tls.servername = ssl.servername;
  return tls;
}

/**
 * The schema registry an environment names, with its secrets looked up and its CA file read; undefined when it
 * names none. `override` (the CLI's --schema-registry) replaces it.
 */
export async function environmentSchemaRegistry(
  env: LoadedEnvironment | undefined,
  secrets: SecretResolver,
  override?: SchemaRegistryConfig,
): Promise<SchemaRegistryConfig | undefined> {
  if (override) return override;
  const r = env?.environment.schemaRegistry;
  if (!r || !env) return undefined;
  const file = path.basename(env.filePath);
  const secret = async (reference: string, what: string): Promise<string> => {
    const name = /\$secret:([A-Za-z0-9_.-]+)/.exec(reference)![1];
    const value = await secrets(name);
    if (value === undefined)
      throw new InvalidInputError(
        `${file}: schema registry ${what} secret "${name}" is not set: ${howToSetSecret(name)}`,
      );
    return value;
  };
  const config: SchemaRegistryConfig = { url: r.url };
  if (r.basicAuth)
    config.auth = { username: r.basicAuth.username, password: await secret(r.basicAuth.password, 'password') };
  else if (r.bearerToken) config.auth = { token: await secret(r.bearerToken, 'token') };
  if (r.ca) config.ca = await readText(path.resolve(path.dirname(env.filePath), r.ca), 'schema registry CA file');
  if (r.rejectUnauthorized !== undefined) config.rejectUnauthorized = r.rejectUnauthorized;
  return config;
}

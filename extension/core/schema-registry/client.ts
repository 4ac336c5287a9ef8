/**
 * A Confluent Schema Registry client for what the serializers need: schemas by id, a subject's versions, lookup and
 * (when asked) registration, references fetched recursively. Plain node:http(s), so a private CA and basic or
 * bearer auth work anywhere; every failure is a SchemaRegistryError in words that name the registry and the fix.
 */
import http from 'node:http';
import https from 'node:https';
import { errorMessage } from '../util/errors';
import { SchemaRegistryError, type ResolvedSchema, type SchemaReference, type SchemaType } from './types';

export interface SchemaRegistryConfig {
  url: string;
  /** Basic auth (Confluent Cloud's API key and secret) or a bearer token. */
  auth?: { username: string; password: string } | { token: string };
  /** PEM text of the CA that signed the registry's certificate. */
  ca?: string;
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

/** One version of a subject, as the registry describes it. */
export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

export interface SchemaById {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_CACHED_SCHEMAS = 1000;
/** How the credentials' fix is spelled, for messages. */
const CREDENTIALS_HINT = 'check the user and password (or token) for the schema registry';

export class SchemaRegistryClient {
  private readonly byId = new Map<number, Promise<SchemaById>>();
  readonly url: string;

  constructor(readonly config: SchemaRegistryConfig) {
    let parsed: URL;
    try {
      parsed = new URL(config.url);
    } catch {
      throw new SchemaRegistryError(
        `schema registry URL "${config.url}" is not a URL; write it as http://host:port or https://host`,
        0,
        0,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new SchemaRegistryError(`schema registry URL "${config.url}" must start with http:// or https://`, 0, 0);
    this.url = config.url.replace(/\/+$/, '');
  }

  schemaById(id: number): Promise<SchemaById> {
    let cached = this.byId.get(id);
    if (!cached) {
      cached = this.request('GET', `/schemas/ids/${id}`).then(
        (b) => schemaFields(b as Record<string, unknown>),
        (e) => {
          this.byId.delete(id);
          if (e instanceof SchemaRegistryError && e.errorCode === 40403)
            throw new SchemaRegistryError(
              `schema id ${id} is not in the schema registry ${this.url}`,
              e.status,
              e.errorCode,
            );
          throw e;
        },
      );
      this.byId.set(id, cached);
      // Bounded: the oldest id goes first (a Map keeps insertion order).
      if (this.byId.size > MAX_CACHED_SCHEMAS) this.byId.delete(this.byId.keys().next().value as number);
    }
    return cached;
  }

  /** `version` is a number or 'latest'. Not found says which subjects or versions there are. */
  async version(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    try {
      const b = (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`)) as Record<
        string,
        unknown
      >;
      return { subject, version: Number(b.version), id: Number(b.id), ...schemaFields(b) };
    } catch (e) {
      throw await this.explainNotFound(e, subject, version);
    }
  }

  /** The subject and version pairs that use schema `id`. */
  async usesOf(id: number): Promise<{ subject: string; version: number }[]> {
    return (await this.request('GET', `/schemas/ids/${id}/versions`)) as { subject: string; version: number }[];
  }

  subjects(): Promise<string[]> {
    return this.request('GET', '/subjects') as Promise<string[]>;
  }

  /** The version of `subject` that holds this schema (POST /subjects/{s}). */
  async lookup(subject: string, schema: SchemaById): Promise<SubjectVersion> {
    try {
      const b = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, body(schema))) as Record<
        string,
        unknown
      >;
      return { subject, version: Number(b.version), id: Number(b.id), ...schemaFields(b) };
    } catch (e) {
      if (e instanceof SchemaRegistryError && e.errorCode === 40403) {
        throw new SchemaRegistryError(
          `the schema is not registered under subject "${subject}" in ${this.url}, and auto.register.schemas is off; register it, or turn auto-registration on`,
          e.status,
          e.errorCode,
        );
      }
      throw await this.explainNotFound(e, subject, undefined);
    }
  }

  async register(subject: string, schema: SchemaById): Promise<number> {
    const b = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, body(schema))) as {
      id: number;
    };
    return b.id;
  }

  /** A schema with every reference fetched (each reference's own references too). */
  async resolve(schema: SchemaById, depth = 0): Promise<ResolvedSchema> {
    if (depth > 32) throw new SchemaRegistryError('schema references nest more than 32 deep (a cycle?)', 0, 0);
    const references = await Promise.all(
      schema.references.map(async (r) => ({
        ...r,
        resolved: await this.resolve(await this.version(r.subject, r.version), depth + 1),
      })),
    );
    return { schemaType: schema.schemaType, schema: schema.schema, references };
  }

  private async explainNotFound(e: unknown, subject: string, version: number | 'latest' | undefined): Promise<unknown> {
    if (!(e instanceof SchemaRegistryError)) return e;
    if (e.errorCode === 40401) {
      const known = await this.subjects().catch(() => undefined);
      const list = known
        ? known.length
          ? `; its subjects: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`
          : '; it has no subjects yet'
        : '';
      return new SchemaRegistryError(
        `subject "${subject}" is not in the schema registry ${this.url}${list}`,
        e.status,
        e.errorCode,
      );
    }
    if (e.errorCode === 40402) {
      const versions = (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions`).catch(
        () => undefined,
      )) as number[] | undefined;
      return new SchemaRegistryError(
        `subject "${subject}" has no version ${version}${versions ? `; its versions are ${versions.join(', ')}` : ''}`,
        e.status,
        e.errorCode,
      );
    }
    return e;
  }

  private request(method: string, path: string, payload?: unknown): Promise<unknown> {
    const url = new URL(this.url + path);
    const text = payload === undefined ? undefined : JSON.stringify(payload);
    const headers: Record<string, string> = { Accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (text !== undefined) {
      headers['Content-Type'] = 'application/vnd.schemaregistry.v1+json';
      headers['Content-Length'] = String(Buffer.byteLength(text));
    }
    const auth = this.config.auth;
    if (auth)
      headers.Authorization =
        'token' in auth
          ? `Bearer ${auth.token}`
          : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = { method, headers, timeout: this.config.timeoutMs ?? 10_000 };
    if (secure) {
      if (this.config.ca) options.ca = this.config.ca;
      if (this.config.rejectUnauthorized === false) options.rejectUnauthorized = false;
    }
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES)
            req.destroy(new Error(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = raw === '' ? undefined : JSON.parse(raw);
          } catch {
            json = undefined;
          }
          if (status >= 200 && status < 300) {
            if (json === undefined)
              reject(
                new SchemaRegistryError(
                  `${method} ${this.url}${path} answered ${status} with something that is not JSON; is ${this.url} a schema registry?`,
                  status,
                  0,
                ),
              );
            else resolve(json);
            return;
          }
          const err = json as { error_code?: number; message?: string } | undefined;
          const code = typeof err?.error_code === 'number' ? err.error_code : status;
          if (status === 401 || status === 403) {
            reject(
              new SchemaRegistryError(
                `the schema registry ${this.url} refused the credentials (${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}): ${CREDENTIALS_HINT}`,
                status,
                code,
              ),
            );
            return;
          }
          const message = err?.message ?? `HTTP ${status}${raw ? `: ${raw.slice(0, 200)}` : ''}`;
          reject(
            new SchemaRegistryError(
              `schema registry ${this.url}: ${message}${typeof err?.error_code === 'number' ? ` (error ${err.error_code})` : ''}`,
              status,
              code,
              { retriable: status >= 500 },
            ),
          );
        });
        res.on('error', (e) => reject(unreachable(this.url, e)));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeout} ms`)));
      req.on('error', (e) => reject(unreachable(this.url, e)));
      req.end(text);
    });
  }
}

function unreachable(url: string, e: Error): SchemaRegistryError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND'
        ? 'host not found'
        : code
          ? `${code}: ${errorMessage(e)}`
          : errorMessage(e);
  return new SchemaRegistryError(
    `the schema registry ${url} is not reachable (${why}); check the URL and that it is running`,
    0,
    0,
    { retriable: true, cause: e },
  );
}

function schemaFields(b: Record<string, unknown>): SchemaById {
  return {
    schemaType: (b.schemaType as SchemaType | undefined) ?? 'AVRO',
    schema: String(b.schema),
    references: Array.isArray(b.references) ? (b.references as SchemaReference[]) : [],
  };
}

function body(schema: SchemaById): Record<string, unknown> {
  return {
    schema: schema.schema,
    ...(schema.schemaType === 'AVRO' ? {} : { schemaType: schema.schemaType }),
    ...(schema.references.length ? { references: schema.references } : {}),
  };
}

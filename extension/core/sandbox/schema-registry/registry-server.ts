/**
 * The sandbox's schema registry: Confluent Schema Registry's REST API for what clients use, over HTTP on 127.0.0.1,
 * on top of SchemaStore. Replies are `application/vnd.schemaregistry.v1+json`; errors carry Confluent's
 * `{"error_code", "message"}`. Optional basic or bearer auth, so wrong credentials can be tried against it.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { isCompatibilityLevel } from '../../schema-registry/compatibility';
import { SCHEMA_TYPES, type SchemaReference, type SchemaType } from '../../schema-registry/types';
import { errorMessage } from '../../util/errors';
import { closeHttp, findRoute, listenHttp } from '../http-server';
import { RegistryHttpError, registryErrors } from './registry-errors';
import { SchemaStore, type SchemaInput, type VersionView } from './schema-store';

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Schemas are text; a body bigger than this is a mistake, not a reason to buffer memory. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export type RegistryAuth = { username: string; password: string } | { token: string };

export interface RegistryServerOptions {
  host: string;
  port: number;
  auth?: RegistryAuth;
  log?: (line: string) => void;
}

interface Request {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  run(req: Request): unknown;
}

const flagSet = (q: URLSearchParams, name: string) => q.get(name) === 'true';

function schemaInput(body: unknown): SchemaInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw registryErrors.invalidSchema(
      'the body must be a JSON object {"schema": "...", "schemaType"?, "references"?}',
    );
  const b = body as Record<string, unknown>;
  if (typeof b.schema !== 'string' || b.schema.trim() === '')
    throw registryErrors.invalidSchema('"schema" must be the schema text, a non-empty string');
  const schemaType = (b.schemaType ?? 'AVRO') as SchemaType;
  if (!SCHEMA_TYPES.includes(schemaType))
    throw registryErrors.invalidSchema(
      `unknown schemaType ${JSON.stringify(b.schemaType)}; use AVRO, JSON or PROTOBUF`,
    );
  const refs = b.references ?? [];
  if (!Array.isArray(refs))
    throw registryErrors.invalidSchema('"references" must be a list of {"name", "subject", "version"}');
  const references: SchemaReference[] = refs.map((r: unknown, i) => {
    const o = r as Record<string, unknown> | null;
    if (
      !o ||
      typeof o.name !== 'string' ||
      typeof o.subject !== 'string' ||
      typeof o.version !== 'number' ||
      !Number.isInteger(o.version)
    ) {
      throw registryErrors.invalidSchema(
        `references[${i}] must be {"name": string, "subject": string, "version": whole number}`,
      );
    }
    return { name: o.name, subject: o.subject, version: o.version };
  });
  return { schema: b.schema, schemaType, references };
}

/** Confluent leaves out schemaType for Avro and references when there are none. */
function schemaFields(s: {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}): Record<string, unknown> {
  return {
    ...(s.schemaType === 'AVRO' ? {} : { schemaType: s.schemaType }),
    ...(s.references.length ? { references: s.references } : {}),
    schema: s.schema,
  };
}

function versionBody(v: VersionView): Record<string, unknown> {
  return { subject: v.subject, version: v.version, id: v.id, ...schemaFields(v) };
}

function routes(store: SchemaStore): Route[] {
  const r = (method: string, pattern: RegExp, run: Route['run']): Route => ({ method, pattern, run });
  return [
    r('GET', /^\/$/, () => ({})),
    r('GET', /^\/schemas\/types$/, () => ['JSON', 'PROTOBUF', 'AVRO']),
    r('GET', /^\/subjects$/, ({ query }) => store.subjectNames(flagSet(query, 'deleted'))),
    r('POST', /^\/subjects\/([^/]+)\/versions$/, ({ params: [s], body }) => ({
      id: store.register(s, schemaInput(body)).id,
    })),
    r('POST', /^\/subjects\/([^/]+)$/, ({ params: [s], query, body }) =>
      versionBody(store.lookup(s, schemaInput(body), flagSet(query, 'deleted'))),
    ),
    r('GET', /^\/subjects\/([^/]+)\/versions$/, ({ params: [s], query }) =>
      store.versions(s, flagSet(query, 'deleted')),
    ),
    r('GET', /^\/subjects\/([^/]+)\/versions\/([^/]+)$/, ({ params: [s, v], query }) =>
      versionBody(store.version(s, v, flagSet(query, 'deleted'))),
    ),
    r(
      'GET',
      /^\/subjects\/([^/]+)\/versions\/([^/]+)\/schema$/,
      ({ params: [s, v], query }) => new RawText(store.version(s, v, flagSet(query, 'deleted')).schema),
    ),
    r('DELETE', /^\/subjects\/([^/]+)$/, ({ params: [s], query }) =>
      store.deleteSubject(s, flagSet(query, 'permanent')),
    ),
    r('DELETE', /^\/subjects\/([^/]+)\/versions\/([^/]+)$/, ({ params: [s, v], query }) =>
      store.deleteVersion(s, v, flagSet(query, 'permanent')),
    ),
    r('GET', /^\/schemas\/ids\/([^/]+)$/, ({ params: [id] }) => schemaFields(store.schemaById(schemaId(id)))),
    r(
      'GET',
      /^\/schemas\/ids\/([^/]+)\/schema$/,
      ({ params: [id] }) => new RawText(store.schemaById(schemaId(id)).schema),
    ),
    r('GET', /^\/schemas\/ids\/([^/]+)\/subjects$/, ({ params: [id], query }) => [
      ...new Set(store.usesOf(schemaId(id), flagSet(query, 'deleted')).map((u) => u.subject)),
    ]),
    r('GET', /^\/schemas\/ids\/([^/]+)\/versions$/, ({ params: [id], query }) =>
      store.usesOf(schemaId(id), flagSet(query, 'deleted')),
    ),
    r('GET', /^\/config$/, () => ({ compatibilityLevel: store.globalCompatibility() })),
    r('PUT', /^\/config$/, ({ body }) => {
      const level = compatibilityBody(body);
      store.setGlobalCompatibility(level);
      return { compatibility: level };
    }),
    r('GET', /^\/config\/([^/]+)$/, ({ params: [s], query }) => {
      const level =
        store.subjectCompatibility(s) ?? (flagSet(query, 'defaultToGlobal') ? store.globalCompatibility() : undefined);
      if (!level) throw registryErrors.subjectConfigNotFound(s);
      return { compatibilityLevel: level };
    }),
    r('PUT', /^\/config\/([^/]+)$/, ({ params: [s], body }) => {
      const level = compatibilityBody(body);
      store.setSubjectCompatibility(s, level);
      return { compatibility: level };
    }),
    r('DELETE', /^\/config\/([^/]+)$/, ({ params: [s] }) => {
      const level = store.subjectCompatibility(s);
      if (!level) throw registryErrors.subjectConfigNotFound(s);
      store.setSubjectCompatibility(s, undefined);
      return { compatibilityLevel: level };
    }),
    r('POST', /^\/compatibility\/subjects\/([^/]+)\/versions\/([^/]+)$/, ({ params: [s, v], query, body }) =>
      compatibilityAnswer(store.compatibility(s, v, schemaInput(body)), query),
    ),
    r('POST', /^\/compatibility\/subjects\/([^/]+)\/versions$/, ({ params: [s], query, body }) =>
      compatibilityAnswer(store.compatibility(s, undefined, schemaInput(body)), query),
    ),
  ];
}

function compatibilityAnswer(problems: string[], query: URLSearchParams): unknown {
  return flagSet(query, 'verbose')
    ? { is_compatible: problems.length === 0, messages: problems }
    : { is_compatible: problems.length === 0 };
}

function compatibilityBody(body: unknown): import('../../schema-registry/compatibility').CompatibilityLevel {
  const raw = (body as { compatibility?: unknown } | null)?.compatibility;
  const level = typeof raw === 'string' ? raw.toUpperCase() : raw;
  if (!isCompatibilityLevel(level)) throw registryErrors.invalidCompatibility();
  return level;
}

function schemaId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw registryErrors.schemaNotFound(Number.NaN);
  return Number(raw);
}

/** A reply that is the schema text itself (…/schema routes), not JSON-encoded again. */
class RawText {
  constructor(readonly text: string) {}
}

export class SchemaRegistryServer {
  private server: http.Server | null = null;
  private readonly routes: Route[];
  private boundPort = 0;

  constructor(
    readonly store: SchemaStore,
    private readonly options: RegistryServerOptions,
  ) {
    this.routes = routes(store);
  }

  get url(): string {
    return `http://${this.options.host}:${this.boundPort}`;
  }

  async start(): Promise<string> {
    const server = http.createServer((req, res) => void this.serve(req, res));
    this.boundPort = await listenHttp(server, this.options.host, this.options.port, 'schema registry', 'port');
    this.server = server;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await closeHttp(server);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (!this.authorized(req.headers.authorization)) {
        res.setHeader(
          'WWW-Authenticate',
          'auth' in this.options && this.options.auth && 'token' in this.options.auth
            ? 'Bearer'
            : 'Basic realm="SchemaRegistry"',
        );
        throw registryErrors.unauthorized();
      }
      const { url, path, route, params, allowed } = findRoute(this.routes, req.method, req.url);
      if (allowed.length === 0) throw registryErrors.notFound(`HTTP 404 Not Found: no route ${req.method} ${path}`);
      if (!route) {
        res.setHeader('Allow', allowed.join(', '));
        throw new RegistryHttpError(
          405,
          405,
          `HTTP 405 Method Not Allowed: ${req.method} ${path}; use ${allowed.join(' or ')}`,
        );
      }
      const body = await readBody(req);
      send(res, 200, route.run({ params, query: url.searchParams, body }));
    } catch (e) {
      if (e instanceof RegistryHttpError) send(res, e.status, { error_code: e.errorCode, message: e.message });
      else {
        this.options.log?.(`schema registry: ${req.method} ${req.url} failed: ${errorMessage(e)}`);
        send(res, 500, { error_code: 50001, message: `Error in the backend data store: ${errorMessage(e)}` });
      }
    }
  }

  private authorized(header: string | undefined): boolean {
    const auth = this.options.auth;
    if (!auth) return true;
    const expected =
      'token' in auth
        ? `Bearer ${auth.token}`
        : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    const a = Buffer.from(header ?? '');
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new RegistryHttpError(413, 413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RegistryHttpError(400, 400, `Unexpected request body, not JSON: ${errorMessage(e)}`);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = body instanceof RawText ? body.text : JSON.stringify(body ?? null);
  res.writeHead(status, { 'Content-Type': REGISTRY_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

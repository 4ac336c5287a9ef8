/**
 * The sandbox's control address: JSON over HTTP on 127.0.0.1, to read the cluster's state and switch faults on.
 * Bad requests get a 400 whose `error` says what was wrong; unknown routes a 404; every reply is JSON.
 *
 * Only local programs may use it, and a web page is not one even though the browser runs locally: a request
 * whose Host is not this server's loopback address (DNS rebinding: a hostile name that resolves to 127.0.0.1)
 * or that a page sent (its Origin is another site's, or Sec-Fetch-Site says cross-site) gets a 403 and is logged.
 * curl, Node's fetch and the extension send neither Origin nor Sec-Fetch-Site, so they pass.
 */
import http from 'node:http';
import { InvalidInputError, errorMessage } from '../util/errors';
import { closeHttp, findRoute, foreignRequestProblem, listenHttp } from './http-server';

/** What the control server drives; `startSandbox` provides it. Methods throw InvalidInputError on bad input. */
export interface SandboxControls {
  state(): unknown;
  stopBroker(brokerId: number): Promise<void>;
  startBroker(brokerId: number): Promise<void>;
  moveLeader(topic: string, partition: number, brokerId: number): void;
  /** auto.leader.rebalance.enable on or off. */
  setAutoLeaderRebalance(enabled: boolean): void;
  addFault(spec: unknown): unknown;
  clearFaults(): void;
  createTopic(name: string, partitions?: number, replicationFactor?: number, configs?: Record<string, string>): void;
}

/** Control requests are small; anything bigger is a mistake, not a reason to buffer memory. */
const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Route {
  method: string;
  pattern: RegExp;
  /** Path parameters come URL-decoded, in order. */
  run(params: string[], body: unknown): Promise<{ status: number; body: unknown }>;
}

export const CONTROL_ROUTES_HELP =
  'GET /state, POST /brokers/{id}/stop, POST /brokers/{id}/start, POST /partitions/{topic}/{partition}/leader {"broker": id}, ' +
  'POST /leader-rebalance {"enabled": true|false}, POST /faults {...}, DELETE /faults, POST /topics {"name", "partitions"?, "replicationFactor"?, "configs"?}';

function routes(controls: SandboxControls): Route[] {
  return [
    { method: 'GET', pattern: /^\/state$/, run: async () => ({ status: 200, body: controls.state() }) },
    {
      method: 'POST',
      pattern: /^\/brokers\/([^/]+)\/(stop|start)$/,
      run: async ([id, action]) => {
        const brokerId = parseWholeNumber(id, 'broker id in the path');
        if (action === 'stop') await controls.stopBroker(brokerId);
        else await controls.startBroker(brokerId);
        return { status: 200, body: controls.state() };
      },
    },
    {
      method: 'POST',
      pattern: /^\/partitions\/([^/]+)\/([^/]+)\/leader$/,
      run: async ([topic, partition], body) => {
        const p = parseWholeNumber(partition, 'partition in the path');
        const broker = objectBody(body, '{"broker": <broker id>}').broker;
        if (typeof broker !== 'number' || !Number.isInteger(broker)) {
          throw new InvalidInputError(
            `body must be {"broker": <broker id>} with a whole number, got ${JSON.stringify(body)}`,
          );
        }
        controls.moveLeader(topic, p, broker);
        return { status: 200, body: controls.state() };
      },
    },
    {
      method: 'POST',
      pattern: /^\/leader-rebalance$/,
      run: async (_, body) => {
        const enabled = objectBody(body, '{"enabled": true}').enabled;
        if (typeof enabled !== 'boolean')
          throw new InvalidInputError(
            `body must be {"enabled": true} or {"enabled": false}, got ${JSON.stringify(body)}`,
          );
        controls.setAutoLeaderRebalance(enabled);
        return { status: 200, body: controls.state() };
      },
    },
    {
      method: 'POST',
      pattern: /^\/faults$/,
      run: async (_, body) => ({
        status: 201,
        body: controls.addFault(
          objectBody(body, 'a fault object such as {"api": "Produce", "errorCode": 6, "count": 1}'),
        ),
      }),
    },
    {
      method: 'DELETE',
      pattern: /^\/faults$/,
      run: async () => {
        controls.clearFaults();
        return { status: 200, body: { cleared: true } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/topics$/,
      run: async (_, body) => {
        const o = objectBody(body, '{"name": "topic", "partitions": 3}');
        if (typeof o.name !== 'string' || o.name === '')
          throw new InvalidInputError('body.name must be the topic name, a non-empty string');
        for (const k of ['partitions', 'replicationFactor'] as const) {
          if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isInteger(o[k]))) {
            throw new InvalidInputError(`body.${k} must be a whole number, got ${JSON.stringify(o[k])}`);
          }
        }
        const configs = o.configs;
        if (
          configs !== undefined &&
          (typeof configs !== 'object' ||
            configs === null ||
            Array.isArray(configs) ||
            Object.values(configs).some((v) => typeof v !== 'string'))
        ) {
          throw new InvalidInputError(
            'body.configs must be an object of string values, e.g. {"message.timestamp.type": "LogAppendTime"}',
          );
        }
        controls.createTopic(
          o.name,
          o.partitions as number | undefined,
          o.replicationFactor as number | undefined,
          configs as Record<string, string> | undefined,
        );
        return { status: 201, body: controls.state() };
      },
    },
  ];
}

function parseWholeNumber(raw: string, what: string): number {
  if (!/^-?\d+$/.test(raw)) throw new InvalidInputError(`${what} must be a whole number, got '${raw}'`);
  return Number(raw);
}

function objectBody(body: unknown, example: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError(`request body must be a JSON object: ${example}`);
  }
  return body as Record<string, unknown>;
}

export class ControlServer {
  private server: http.Server | null = null;
  private readonly routes: Route[];
  private boundPort = 0;

  constructor(
    controls: SandboxControls,
    private readonly options: { host: string; port: number; log?: (line: string) => void },
  ) {
    this.routes = routes(controls);
  }

  get url(): string {
    return `http://${this.options.host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<string> {
    // Without a Host we answer 403 in JSON ourselves, rather than Node's bare 400.
    const server = http.createServer({ requireHostHeader: false }, (req, res) => void this.serve(req, res));
    this.boundPort = await listenHttp(server, this.options.host, this.options.port, 'control server', 'control port');
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
      const foreign = foreignRequestProblem(req.headers, this.boundPort);
      if (foreign) {
        this.options.log?.(`control: refused ${req.method} ${req.url}: ${foreign}`);
        throw new HttpError(403, foreign);
      }
      const { path, route, params, allowed } = findRoute(this.routes, req.method, req.url);
      if (allowed.length === 0)
        throw new HttpError(404, `no such route: ${req.method} ${path}; routes: ${CONTROL_ROUTES_HELP}`);
      if (!route) {
        res.setHeader('Allow', allowed.join(', '));
        throw new HttpError(405, `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}`);
      }
      const body = await readJsonBody(req);
      const result = await route.run(params, body);
      send(res, result.status, result.body);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof InvalidInputError ? 400 : 500;
      if (status === 500) this.options.log?.(`control: ${req.method} ${req.url} failed: ${errorMessage(e)}`);
      send(res, status, { error: errorMessage(e) });
    }
  }
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`request body is not valid JSON (${errorMessage(e)})`);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The engine's Transport over kafkajs 2.2.4. kafkajs gives us connections, TLS, SASL, ApiVersions negotiation and
 * the request queue; we write the Produce request ourselves (the engine's record batches, untouched) and read the
 * response partition by partition, so nothing here ever retries, re-batches or re-encodes. Brokers are connected
 * lazily, by node id, from the latest metadata. Also a small admin surface (create/delete topics, describe cluster).
 */
import { InvalidInputError } from '../util/errors';
import {
  apiKeys,
  Broker,
  ConnectionPool,
  createSocketFactory,
  loggers,
  requestDefinitions,
  type KafkajsBroker,
  type KafkajsLogger,
} from './kafkajs-internals';
import { isRetriableKafkaError, kafkaErrorName, toTransportError } from './kafkajs-errors';
import {
  decodeProduceResponse,
  encodeProduceBody,
  encodeRequestHeader,
  MAX_PRODUCE_VERSION,
  MIN_PRODUCE_VERSION,
  type EncodedBody,
} from './produce-codec';
import {
  TransportError,
  type BrokerInfo,
  type ClusterMetadata,
  type ConnectionConfig,
  type ProduceRequest,
  type ProduceResponse,
  type ProducerIdAndEpoch,
  type Transport,
} from './transport';

export type TransportLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export interface KafkajsTransportOptions {
  /** Receives kafkajs's own log lines (at debug level) and the transport's; nothing goes to the console. */
  log?: TransportLog;
}

export interface NewTopic {
  name: string;
  /** -1 = the broker's default. */
  partitions?: number;
  /** -1 = the broker's default. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface TopicOperationResult {
  name: string;
  /** 0 = done. */
  errorCode: number;
  errorName?: string;
  errorMessage?: string | null;
}

interface BrokerEntry {
  nodeId: number;
  address: string;
  broker: KafkajsBroker;
}

interface RawRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  body: EncodedBody;
  expectResponse: boolean;
  timeoutMs?: number;
}

interface RawResponse {
  correlationId: number;
  payload: Buffer | null;
  requestBytes: number;
  sentAtMs: number;
  durationMs: number;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export class KafkajsTransport implements Transport {
  private readonly seeds: { host: string; port: number }[];
  private readonly clientId: string;
  private readonly logger: KafkajsLogger;
  private readonly socketFactory = createSocketFactory();
  private readonly brokers = new Map<number, BrokerEntry>();
  /** The connection used before any node id is known; adopted as that node once metadata names it. */
  private bootstrap: { address: string; broker: KafkajsBroker } | null = null;
  private nextSeed = 0;
  private closed = false;
  private lastMetadata: ClusterMetadata | null = null;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly options: KafkajsTransportOptions = {},
  ) {
    this.seeds = parseBootstrap(config.brokers);
    this.clientId = config.clientId ?? 'kafka-workbench';
    this.logger = createBridgedLogger(options.log);
  }

  /** Connects to the first reachable bootstrap broker (trying each in turn) and learns the cluster's brokers. */
  async connect(): Promise<void> {
    this.failIfClosed();
    await this.bootstrapBroker();
    await this.fetchMetadata([], false);
  }

  async fetchMetadata(topics: string[] | null, allowAutoCreate: boolean): Promise<ClusterMetadata> {
    this.failIfClosed();
    let lastError: TransportError | undefined;
    const tried = new Set<KafkajsBroker>();
    const ask = async (candidate: { address: string; broker: KafkajsBroker }): Promise<ClusterMetadata | undefined> => {
      tried.add(candidate.broker);
      try {
        const metadata = await this.requestMetadata(candidate.broker, candidate.address, topics, allowAutoCreate);
        this.adoptBrokers(metadata.brokers, candidate);
        this.lastMetadata = metadata;
        return metadata;
      } catch (e) {
        lastError = this.withListenerHint(toTransportError(e, candidate.address), e, candidate.address);
        if (!lastError.retriable) throw lastError;
        return undefined;
      }
    };
    // Any broker can answer; try the connected ones first, then the others...
    for (const candidate of await this.metadataCandidates()) {
      const metadata = await ask(candidate);
      if (metadata) return metadata;
    }
    // ...then the bootstrap list again (it may name addresses the metadata does not, such as a load balancer).
    const seed = await this.bootstrapBroker();
    if (!tried.has(seed.broker)) {
      const metadata = await ask(seed);
      if (metadata) return metadata;
    }
    throw lastError ?? new TransportError('no broker is reachable for metadata', 'connection', { retriable: true });
  }

  async initProducerId(transactionTimeoutMs: number): Promise<ProducerIdAndEpoch> {
    this.failIfClosed();
    const target = await this.anyConnectedBroker();
    try {
      const protocol = target.broker.lookupRequest(apiKeys.InitProducerId, requestDefinitions.InitProducerId);
      const { request, response } = protocol({ transactionalId: null, transactionTimeout: transactionTimeoutMs });
      const raw = await this.sendRaw(target.broker, await kafkajsBody(request));
      const decoded = (await response.decode(raw.payload as Buffer)) as { errorCode: number; producerId: string; producerEpoch: number };
      if (decoded.errorCode !== 0) {
        const errorName = kafkaErrorName(decoded.errorCode);
        throw new TransportError(`InitProducerId on ${target.address} failed: ${errorName}`, 'protocol', {
          retriable: isRetriableKafkaError(decoded.errorCode),
          brokerId: target.nodeId,
        });
      }
      return { producerId: Number(decoded.producerId), producerEpoch: decoded.producerEpoch };
    } catch (e) {
      throw toTransportError(e, target.address, target.nodeId);
    }
  }

  async produce(brokerId: number, request: ProduceRequest): Promise<ProduceResponse> {
    this.failIfClosed();
    const entry = this.brokers.get(brokerId);
    if (!entry) {
      throw new TransportError(`broker ${brokerId} is not in the cluster metadata; refresh the metadata`, 'connection', {
        retriable: true,
        brokerId,
      });
    }
    let raw: RawResponse;
    let version: number;
    try {
      await this.ensureConnected(entry.broker);
      version = produceVersion(entry.broker, entry.address);
      raw = await this.sendRaw(
        entry.broker,
        {
          apiKey: apiKeys.Produce,
          apiVersion: version,
          apiName: 'Produce',
          body: encodeProduceBody(request),
          expectResponse: request.acks !== 0,
          timeoutMs: request.timeoutMs,
        },
      );
    } catch (e) {
      throw toTransportError(e, entry.address, brokerId);
    }
    const timing = {
      brokerId,
      address: entry.address,
      correlationId: raw.correlationId,
      requestBytes: raw.requestBytes,
      sentAtMs: raw.sentAtMs,
      durationMs: raw.durationMs,
    };
    if (request.acks === 0) return { results: [], throttleTimeMs: 0, timing };
    let decoded;
    try {
      decoded = decodeProduceResponse(raw.payload ?? Buffer.alloc(0), version);
    } catch (e) {
      throw new TransportError(`unreadable Produce response from ${entry.address}: ${(e as Error).message}`, 'protocol', {
        retriable: false,
        cause: e,
        brokerId,
      });
    }
    if (version >= 6 && decoded.throttleTimeMs > 0) {
      // KIP-219: from v6 the client holds back its next requests itself.
      entry.broker.connectionPool.pool[0].requestQueue.maybeThrottle(decoded.throttleTimeMs);
    }
    return { results: withEveryPartition(request, decoded.results), throttleTimeMs: decoded.throttleTimeMs, timing };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = new Set<KafkajsBroker>([...this.brokers.values()].map((b) => b.broker));
    if (this.bootstrap) all.add(this.bootstrap.broker);
    this.brokers.clear();
    this.bootstrap = null;
    await Promise.all([...all].map((b) => disconnectNow(b)));
  }

  // ---- admin surface for the extension ----

  /** The brokers, controller and every topic with its partitions. */
  async describeCluster(): Promise<ClusterMetadata> {
    return this.fetchMetadata(null, false);
  }

  /** The metadata of the last successful fetch, or null. */
  cachedMetadata(): ClusterMetadata | null {
    return this.lastMetadata;
  }

  /** Creates topics on the controller; one result per topic (errorCode 36 = TOPIC_ALREADY_EXISTS). */
  async createTopics(topics: NewTopic[], timeoutMs = 10_000): Promise<TopicOperationResult[]> {
    for (const t of topics) validateNewTopic(t);
    return this.onController('CreateTopics', async (protocolFor) => {
      const { request, response } = protocolFor(apiKeys.CreateTopics, requestDefinitions.CreateTopics)({
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions ?? -1,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
        validateOnly: false,
        timeout: timeoutMs,
      });
      return { request, response, timeoutMs };
    });
  }

  async deleteTopics(names: string[], timeoutMs = 10_000): Promise<TopicOperationResult[]> {
    if (names.length === 0 || names.some((n) => !n)) throw new InvalidInputError('deleteTopics needs one or more non-empty topic names');
    return this.onController('DeleteTopics', async (protocolFor) => {
      const { request, response } = protocolFor(apiKeys.DeleteTopics, requestDefinitions.DeleteTopics)({ topics: names, timeout: timeoutMs });
      return { request, response, timeoutMs };
    });
  }

  /**
   * The high watermark (the next offset to be written) of each partition of `topic` that has a leader, asked of
   * each partition's leader with ListOffsets (timestamp -1). Partitions whose leader failed to answer are left out.
   */
  async highWatermarks(topic: string): Promise<Map<number, number>> {
    this.failIfClosed();
    const metadata = await this.fetchMetadata([topic], false);
    const byLeader = new Map<number, number[]>();
    for (const p of metadata.topics.find((t) => t.name === topic)?.partitions ?? []) {
      if (p.leader >= 0) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partition]);
    }
    const watermarks = new Map<number, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const entry = this.brokers.get(leader);
        if (!entry) return;
        try {
          await this.ensureConnected(entry.broker);
          const result = await entry.broker.listOffsets({
            replicaId: -1,
            isolationLevel: 0, // READ_UNCOMMITTED: the high watermark, not the last stable offset
            topics: [{ topic, partitions: partitions.map((partition) => ({ partition, timestamp: -1 })) }],
          });
          for (const r of result.responses) for (const p of r.partitions) if (p.errorCode === 0) watermarks.set(p.partition, Number(p.offset));
        } catch (e) {
          this.options.log?.('debug', `ListOffsets for ${topic} on broker ${leader} failed: ${toTransportError(e, entry.address, leader).message}`);
        }
      }),
    );
    return watermarks;
  }

  // ---- internals ----

  private async onController(
    what: string,
    build: (protocolFor: KafkajsBroker['lookupRequest']) => Promise<{ request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<{ buffer: Buffer }> }; response: { decode(p: Buffer): Promise<unknown> }; timeoutMs: number }>,
  ): Promise<TopicOperationResult[]> {
    this.failIfClosed();
    // One retry covers a controller that moved between our metadata and the request (NOT_CONTROLLER, 41).
    for (let attempt = 0; ; attempt++) {
      const metadata = await this.fetchMetadata([], false);
      const controller = this.brokers.get(metadata.controllerId);
      if (!controller) throw new TransportError(`the cluster reports no reachable controller (id ${metadata.controllerId})`, 'connection', { retriable: true });
      let decoded: { topicErrors: { topic: string; errorCode: number; errorMessage?: string | null }[] };
      try {
        await this.ensureConnected(controller.broker);
        const { request, response, timeoutMs } = await build((key, def) => controller.broker.lookupRequest(key, def));
        const raw = await this.sendRaw(controller.broker, { ...(await kafkajsBody(request)), timeoutMs: timeoutMs + 5_000 });
        decoded = (await response.decode(raw.payload as Buffer)) as typeof decoded;
      } catch (e) {
        throw toTransportError(e, controller.address, controller.nodeId);
      }
      const results = decoded.topicErrors.map((t) => ({
        name: t.topic,
        errorCode: t.errorCode,
        errorName: t.errorCode === 0 ? undefined : kafkaErrorName(t.errorCode),
        errorMessage: t.errorMessage ?? null,
      }));
      if (attempt === 0 && results.some((r) => r.errorCode === 41)) {
        this.options.log?.('debug', `${what}: controller moved, retrying once`);
        continue;
      }
      return results;
    }
  }

  private failIfClosed(): void {
    if (this.closed) throw new TransportError('the transport is closed', 'closed', { retriable: false });
  }

  /**
   * A TLS listener drops a plain-text client's first request without a word, and a SASL listener closes on the
   * first request of a client that did not log in: say so when the connection uses neither.
   */
  private withListenerHint(error: TransportError, cause: unknown, address: string): TransportError {
    if (error.kind !== 'connection' || (cause as { name?: string })?.name !== 'KafkaJSConnectionClosedError') return error;
    const missing = [this.config.ssl ? undefined : 'TLS', this.config.sasl ? undefined : 'SASL'].filter(Boolean);
    if (!missing.length) return error;
    return new TransportError(`${address} closed the connection before answering; if this listener expects ${missing.join(' or ')}, set it in the connection`, 'connection', { retriable: true, cause, brokerId: error.brokerId });
  }

  private connectionRequestTimeoutMs(): number {
    return this.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private newBroker(host: string, port: number, nodeId: number | null): KafkajsBroker {
    const connectionPool = new ConnectionPool({
      host,
      port,
      ssl: this.config.ssl ?? null,
      // A copy: kafkajs stores its authenticator on the object it is given.
      sasl: this.config.sasl ? { ...this.config.sasl } : null,
      clientId: this.clientId,
      socketFactory: this.socketFactory,
      connectionTimeout: this.config.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: this.connectionRequestTimeoutMs(),
      enforceRequestTimeout: true,
      // The engine keeps its own in-flight limit; kafkajs must not queue behind it.
      maxInFlightRequests: null,
      logger: this.logger,
    });
    return new Broker({ connectionPool, logger: this.logger, nodeId, allowAutoTopicCreation: false });
  }

  private async bootstrapBroker(): Promise<{ address: string; broker: KafkajsBroker }> {
    if (this.bootstrap?.broker.isConnected()) return this.bootstrap;
    const failures: TransportError[] = [];
    for (let i = 0; i < this.seeds.length; i++) {
      const seed = this.seeds[this.nextSeed++ % this.seeds.length];
      const address = `${seed.host}:${seed.port}`;
      const broker = this.bootstrap?.address === address ? this.bootstrap.broker : this.newBroker(seed.host, seed.port, null);
      try {
        await broker.connect();
        this.bootstrap = { address, broker };
        return this.bootstrap;
      } catch (e) {
        await disconnectNow(broker);
        const error = this.withListenerHint(toTransportError(e, address), e, address);
        // A refused login or a TLS failure will not get better on the next address.
        if (!error.retriable) throw error;
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    throw new TransportError(`cannot reach any bootstrap broker: ${failures.map((f) => f.message).join('; ')}`, failures[0]?.kind ?? 'connection', {
      retriable: true,
      cause: failures[0],
    });
  }

  private async metadataCandidates(): Promise<{ address: string; broker: KafkajsBroker; nodeId?: number }[]> {
    const known = [...this.brokers.values()];
    const connected = known.filter((b) => b.broker.isConnected());
    const others = known.filter((b) => !b.broker.isConnected());
    const list: { address: string; broker: KafkajsBroker; nodeId?: number }[] = [...connected, ...others];
    if (this.bootstrap && !known.some((b) => b.broker === this.bootstrap?.broker)) list.unshift(this.bootstrap);
    if (list.length === 0) list.push(await this.bootstrapBroker());
    return list;
  }

  private async anyConnectedBroker(): Promise<BrokerEntry> {
    if (this.brokers.size === 0) await this.connect();
    const entries = [...this.brokers.values()];
    const connected = entries.find((b) => b.broker.isConnected());
    if (connected) return connected;
    let lastError: TransportError | undefined;
    for (const entry of entries) {
      try {
        await this.ensureConnected(entry.broker);
        return entry;
      } catch (e) {
        lastError = toTransportError(e, entry.address, entry.nodeId);
        if (!lastError.retriable) throw lastError;
      }
    }
    throw lastError ?? new TransportError('no broker is reachable', 'connection', { retriable: true });
  }

  private async ensureConnected(broker: KafkajsBroker): Promise<void> {
    if (!broker.isConnected()) await broker.connect();
  }

  private async requestMetadata(broker: KafkajsBroker, address: string, topics: string[] | null, allowAutoCreate: boolean): Promise<ClusterMetadata> {
    await this.ensureConnected(broker);
    // kafkajs encodes an empty topic list as "all topics", so the request body is ours; the decoder is kafkajs's.
    const { request, response } = broker.lookupRequest(apiKeys.Metadata, requestDefinitions.Metadata)({ topics: [], allowAutoTopicCreation: allowAutoCreate });
    const version = request.apiVersion;
    if (version < 1) throw new TransportError(`${address} only speaks Metadata v0; Kafka 0.10 or later is needed`, 'protocol', { retriable: false });
    const raw = await this.sendRaw(broker, { apiKey: apiKeys.Metadata, apiVersion: version, apiName: 'Metadata', body: encodeMetadataBody(topics, allowAutoCreate, version), expectResponse: true });
    const decoded = (await response.decode(raw.payload as Buffer)) as KafkajsMetadata;
    return toClusterMetadata(decoded);
  }

  /** Makes sure every broker of the metadata has an entry; the bootstrap connection becomes its node's. */
  private adoptBrokers(brokers: BrokerInfo[], via: { address: string; broker: KafkajsBroker }): void {
    for (const info of brokers) {
      const address = `${info.host}:${info.port}`;
      const existing = this.brokers.get(info.nodeId);
      if (existing && existing.address === address) continue;
      if (existing) void disconnectNow(existing.broker); // the node moved to another address
      const reuse = via.address === address && ![...this.brokers.values()].some((b) => b.broker === via.broker);
      const broker = reuse ? via.broker : this.newBroker(info.host, info.port, info.nodeId);
      broker.nodeId = info.nodeId;
      if (!broker.versions && via.broker.versions) broker.versions = via.broker.versions;
      this.brokers.set(info.nodeId, { nodeId: info.nodeId, address, broker });
    }
  }

  /**
   * Writes one request on the broker's first connection through kafkajs's request queue (which matches the
   * response by correlation id, enforces the request timeout and handles acks=0's "no response").
   */
  private async sendRaw(broker: KafkajsBroker, req: RawRequest): Promise<RawResponse> {
    if (!broker.isConnected()) await broker.connect();
    const connection = await broker.connectionPool.getConnection(0);
    if (connection.sasl && !connection.isAuthenticated()) await connection.authenticate();
    connection.failIfNotConnected();
    const correlationId = connection.nextCorrelationId();
    const header = encodeRequestHeader(req.apiKey, req.apiVersion, correlationId, connection.clientId, req.body.length);
    const requestBytes = header.length + req.body.length;
    let sentAtMs = 0;
    let sentAtHr = 0n;
    // kafkajs waits max(connection timeout, request timeout): a shorter request.timeout.ms needs a timer of its own.
    const ownTimeoutMs = req.expectResponse && req.timeoutMs !== undefined && req.timeoutMs < this.connectionRequestTimeoutMs() ? req.timeoutMs : undefined;
    const result = await new Promise<{ payload: Buffer | null }>((settleOk, settleError) => {
      let timer: NodeJS.Timeout | undefined;
      const resolve = (r: { payload: Buffer | null }) => {
        clearTimeout(timer);
        settleOk(r);
      };
      const reject = (e: unknown) => {
        clearTimeout(timer);
        settleError(e);
      };
      try {
        connection.requestQueue.push({
          entry: { apiKey: req.apiKey, apiName: req.apiName, apiVersion: req.apiVersion, correlationId, resolve, reject },
          expectResponse: req.expectResponse,
          requestTimeout: req.timeoutMs ?? null,
          sendRequest: () => {
            sentAtMs = Date.now();
            sentAtHr = process.hrtime.bigint();
            // A late answer is then ignored: the promise has settled.
            if (ownTimeoutMs !== undefined) timer = setTimeout(() => reject(requestTimedOut(ownTimeoutMs)), ownTimeoutMs);
            const socket = connection.socket;
            // One writev for the header and every batch: no copy of the records.
            socket.cork();
            socket.write(header);
            for (const chunk of req.body.chunks) socket.write(chunk);
            socket.uncork();
          },
        });
      } catch (e) {
        reject(e);
      }
    });
    const durationMs = req.expectResponse ? Number(process.hrtime.bigint() - sentAtHr) / 1e6 : 0;
    return { correlationId, payload: result.payload, requestBytes, sentAtMs, durationMs };
  }
}

/** The error kafkajs gives for a request without an answer in time, so toTransportError treats both alike. */
function requestTimedOut(ms: number): Error {
  const e = new Error(`no answer within ${ms} ms (request.timeout.ms)`);
  e.name = 'KafkaJSRequestTimeoutError';
  return e;
}

interface KafkajsMetadata {
  brokers: { nodeId: number; host: string; port: number; rack?: string | null }[];
  clusterId?: string | null;
  controllerId?: number;
  topicMetadata: {
    topicErrorCode: number;
    topic: string;
    isInternal?: boolean;
    partitionMetadata: {
      partitionErrorCode: number;
      partitionId: number;
      leader: number;
      replicas: number[];
      isr: number[];
      offlineReplicas?: number[];
    }[];
  }[];
}

function toClusterMetadata(m: KafkajsMetadata): ClusterMetadata {
  return {
    clusterId: m.clusterId ?? null,
    controllerId: m.controllerId ?? -1,
    brokers: m.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })),
    topics: m.topicMetadata.map((t) => ({
      name: t.topic,
      errorCode: t.topicErrorCode,
      isInternal: t.isInternal ?? false,
      partitions: t.partitionMetadata
        .map((p) => ({
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas ?? [],
          errorCode: p.partitionErrorCode,
        }))
        .sort((a, b) => a.partition - b.partition),
    })),
  };
}

/** Metadata request v1-v6: topics (null = all), and from v4 whether the broker may auto-create them. */
function encodeMetadataBody(topics: string[] | null, allowAutoCreate: boolean, version: number): EncodedBody {
  const names = (topics ?? []).map((t) => Buffer.from(t, 'utf8'));
  const size = 4 + names.reduce((n, b) => n + 2 + b.length, 0) + (version >= 4 ? 1 : 0);
  const buf = Buffer.allocUnsafe(size);
  let o = buf.writeInt32BE(topics === null ? -1 : names.length, 0);
  for (const name of names) {
    o = buf.writeInt16BE(name.length, o);
    o += name.copy(buf, o);
  }
  if (version >= 4) buf.writeUInt8(allowAutoCreate ? 1 : 0, o);
  return { chunks: [buf], length: buf.length };
}

async function kafkajsBody(request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<{ buffer: Buffer }>; expectResponse?: () => boolean }): Promise<RawRequest> {
  const body = (await request.encode()).buffer;
  return {
    apiKey: request.apiKey,
    apiVersion: request.apiVersion,
    apiName: request.apiName,
    body: { chunks: [body], length: body.length },
    expectResponse: request.expectResponse ? request.expectResponse() : true,
  };
}

function produceVersion(broker: KafkajsBroker, address: string): number {
  const supported = broker.versions?.[apiKeys.Produce];
  if (!supported || supported.maxVersion < MIN_PRODUCE_VERSION) {
    throw new TransportError(`${address} does not accept record batch v2 (Produce v3+); Kafka 0.11 or later is needed`, 'protocol', { retriable: false });
  }
  return Math.min(MAX_PRODUCE_VERSION, supported.maxVersion);
}

/** The engine counts on one result per partition it sent; a partition the broker left out is reported as failed. */
function withEveryPartition(request: ProduceRequest, results: ProduceResponse['results']): ProduceResponse['results'] {
  if (results.length >= request.partitions.length) return results;
  const seen = new Set(results.map((r) => `${r.topic}\u0000${r.partition}`));
  const out = [...results];
  for (const p of request.partitions) {
    if (seen.has(`${p.topic}\u0000${p.partition}`)) continue;
    out.push({
      topic: p.topic,
      partition: p.partition,
      errorCode: -1,
      baseOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset: -1,
      errorMessage: 'the broker response did not include this partition',
    });
  }
  return out;
}

/** Rejects whatever is still waiting on the broker's connections, then closes them (kafkajs would wait). */
async function disconnectNow(broker: KafkajsBroker): Promise<void> {
  for (const connection of broker.connectionPool.pool) {
    connection.requestQueue.rejectAll(new TransportError('the transport was closed while the request was in flight', 'closed', { retriable: false }));
  }
  try {
    await broker.disconnect();
  } catch {
    // Already gone.
  }
}

function parseBootstrap(brokers: string[]): { host: string; port: number }[] {
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw new InvalidInputError('no bootstrap brokers given; pass one or more HOST:PORT, comma-separated');
  }
  return brokers.map((b) => {
    const m = /^\s*(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*$/.exec(b);
    if (!m) throw new InvalidInputError(`bootstrap broker '${b}' is not HOST:PORT (for example 127.0.0.1:9092)`);
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new InvalidInputError(`bootstrap broker '${b}': the port must be from 1 to 65535, got ${port}`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
}

function validateNewTopic(t: NewTopic): void {
  if (!t.name || !/^[a-zA-Z0-9._-]{1,249}$/.test(t.name)) {
    throw new InvalidInputError(`topic name '${t.name}' is not valid: use 1-249 letters, digits, '.', '_' or '-'`);
  }
  if (t.partitions !== undefined && t.partitions !== -1 && !(Number.isInteger(t.partitions) && t.partitions > 0)) {
    throw new InvalidInputError(`partitions for topic '${t.name}' must be a whole number of 1 or more, got ${t.partitions}`);
  }
  if (t.replicationFactor !== undefined && t.replicationFactor !== -1 && !(Number.isInteger(t.replicationFactor) && t.replicationFactor > 0)) {
    throw new InvalidInputError(`replication factor for topic '${t.name}' must be a whole number of 1 or more, got ${t.replicationFactor}`);
  }
}

/** kafkajs logs through this; with no `log` given it says nothing at all. */
function createBridgedLogger(log: TransportLog | undefined): KafkajsLogger {
  return loggers.createLogger({
    level: log ? loggers.LEVELS.INFO : loggers.LEVELS.NOTHING,
    logCreator: () => (entry) => {
      log?.('debug', `kafkajs ${entry.namespace}: ${entry.log.message}`);
    },
  });
}

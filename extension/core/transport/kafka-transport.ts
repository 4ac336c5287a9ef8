/**
 * The engine's Transport: every request encoded by the one codec (kafka/protocol) and sent over a KafkaConnection
 * per broker (kafkajs-connection.ts by default), so nothing here ever retries, re-batches or re-encodes a record
 * batch. Brokers are connected lazily, by node id, from the latest metadata; node ids are mapped here. Also a small
 * admin surface (create/delete topics, describe cluster, high watermarks).
 */
import {
  ApiKey,
  apiName,
  codecVersions,
  decodeResponse,
  encodeRequestBody,
  errorName,
  highestCommonVersion,
  isRetriable,
  throttlesClientSide,
  type ApiKeyNumber,
  type MetadataResponse,
  type RequestByKey,
  type ResponseByKey,
  type VersionRange,
} from '../kafka/protocol';
import { DEFAULT_CLIENT_ID, parseBrokerAddress, topicNameProblem } from '../kafka/rules';
import { InvalidInputError, errorMessage } from '../util/errors';
import {
  BrokerClosedConnection,
  type IncomingResponse,
  type KafkaConnection,
  type KafkaConnectionFactory,
  type TransportLog,
} from './kafka-connection';
import { createKafkajsConnection } from './kafkajs-connection';
import {
  isolationLevelId,
  type ConsumerTransport,
  type FetchRequestInput,
  type FetchResult,
  type ListOffsetsInput,
  type ListOffsetsResult,
} from './consumer-transport';
import {
  TransportError,
  type BrokerInfo,
  type ClusterMetadata,
  type ConnectionConfig,
  type ProduceRequest,
  type ProduceResponse,
  type OffsetToCommit,
  type ProducerIdAndEpoch,
  type RequestTiming,
  type TopicPartition,
  type TransactionIdentity,
  type TransactionTransport,
  type Transport,
} from './transport';

export type { TransportLog } from './kafka-connection';

export interface KafkaTransportOptions {
  /** Receives the connections' log lines (kafkajs's at debug level) and the transport's; nothing goes to the console. */
  log?: TransportLog;
  /** Opens connections to brokers (tests may pass another implementation of the port). */
  connectionFactory?: KafkaConnectionFactory;
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
  connection: KafkaConnection;
}

interface Candidate {
  address: string;
  connection: KafkaConnection;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The versions this client sends of each API: the codec's, above the floors the features need. */
const CLIENT_VERSIONS = {
  /** Record batch v2 needs Produce v3 (Kafka 0.11). */
  [ApiKey.Produce]: { min: 3, max: codecVersions(ApiKey.Produce)!.max },
  /** v1 is the first with a null "all topics", controller id and racks (Kafka 0.10). */
  [ApiKey.Metadata]: { min: 1, max: codecVersions(ApiKey.Metadata)!.max },
  [ApiKey.InitProducerId]: codecVersions(ApiKey.InitProducerId)!,
  [ApiKey.CreateTopics]: codecVersions(ApiKey.CreateTopics)!,
  [ApiKey.DeleteTopics]: codecVersions(ApiKey.DeleteTopics)!,
  /** v1 answers one offset per partition (v0 a list). */
  [ApiKey.ListOffsets]: { min: 1, max: codecVersions(ApiKey.ListOffsets)!.max },
  /** v4 is the first with isolation levels, the last stable offset and aborted transactions (Kafka 0.11). */
  [ApiKey.Fetch]: { min: 4, max: codecVersions(ApiKey.Fetch)!.max },
  /** v1 is the first that says where each value comes from (config source). */
  [ApiKey.DescribeConfigs]: { min: 1, max: codecVersions(ApiKey.DescribeConfigs)!.max },
  [ApiKey.ListGroups]: codecVersions(ApiKey.ListGroups)!,
  [ApiKey.DescribeGroups]: codecVersions(ApiKey.DescribeGroups)!,
  /** v2 is the first that answers every committed partition for a null topic list. */
  [ApiKey.OffsetFetch]: { min: 2, max: codecVersions(ApiKey.OffsetFetch)!.max },
  [ApiKey.FindCoordinator]: { min: 1, max: codecVersions(ApiKey.FindCoordinator)!.max },
  [ApiKey.AddPartitionsToTxn]: codecVersions(ApiKey.AddPartitionsToTxn)!,
  [ApiKey.AddOffsetsToTxn]: codecVersions(ApiKey.AddOffsetsToTxn)!,
  [ApiKey.TxnOffsetCommit]: codecVersions(ApiKey.TxnOffsetCommit)!,
  [ApiKey.EndTxn]: codecVersions(ApiKey.EndTxn)!,
} satisfies Partial<Record<ApiKeyNumber, VersionRange>>;

type ClientApiKey = keyof typeof CLIENT_VERSIONS;

/** The read-only admin APIs the explorer sends through `requestTo` (cluster-reads.ts). */
export type ReadApiKey =
  | typeof ApiKey.DescribeConfigs
  | typeof ApiKey.ListGroups
  | typeof ApiKey.DescribeGroups
  | typeof ApiKey.OffsetFetch
  | typeof ApiKey.FindCoordinator;

/** What a broker too old for an API lacks, in words. */
const TOO_OLD: Partial<Record<ClientApiKey, string>> = {
  [ApiKey.Produce]: 'does not accept record batch v2 (Produce v3+); Kafka 0.11 or later is needed',
  [ApiKey.Metadata]: 'only speaks Metadata v0; Kafka 0.10 or later is needed',
  [ApiKey.Fetch]: 'does not serve record batch v2 with isolation levels (Fetch v4+); Kafka 0.11 or later is needed',
};

export class KafkaTransport implements Transport, ConsumerTransport, TransactionTransport {
  private readonly seeds: { host: string; port: number }[];
  private readonly clientId: string;
  private readonly openConnection: KafkaConnectionFactory;
  private readonly brokers = new Map<number, BrokerEntry>();
  /** The connection used before any node id is known; adopted as that node's once metadata names it. */
  private bootstrap: Candidate | null = null;
  private nextSeed = 0;
  private closed = false;
  private lastMetadata: ClusterMetadata | null = null;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly options: KafkaTransportOptions = {},
  ) {
    this.seeds = parseBootstrap(config.brokers);
    this.clientId = config.clientId ?? DEFAULT_CLIENT_ID;
    this.openConnection = options.connectionFactory ?? createKafkajsConnection;
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
    const tried = new Set<KafkaConnection>();
    const ask = async (candidate: Candidate): Promise<ClusterMetadata | undefined> => {
      tried.add(candidate.connection);
      try {
        const metadata = await this.requestMetadata(candidate.connection, topics, allowAutoCreate);
        this.adoptBrokers(metadata.brokers, candidate);
        this.lastMetadata = metadata;
        return metadata;
      } catch (e) {
        lastError = this.withListenerHint(asTransportError(e, candidate.connection.address));
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
    if (!tried.has(seed.connection)) {
      const metadata = await ask(seed);
      if (metadata) return metadata;
    }
    throw lastError ?? new TransportError('no broker is reachable for metadata', 'connection', { retriable: true });
  }

  async initProducerId(transactionTimeoutMs: number): Promise<ProducerIdAndEpoch> {
    this.failIfClosed();
    const target = await this.anyConnectedBroker();
    try {
      const { response } = await this.request(target.connection, ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs,
      });
      if (response.errorCode !== 0) {
        throw new TransportError(
          `InitProducerId on ${target.address} failed: ${errorName(response.errorCode)}`,
          'protocol',
          {
            retriable: isRetriable(response.errorCode),
            brokerId: target.nodeId,
          },
        );
      }
      return { producerId: response.producerId, producerEpoch: response.producerEpoch };
    } catch (e) {
      throw asTransportError(e, target.address, target.nodeId);
    }
  }

  // ---- a transactional producer's requests ----

  async findCoordinator(
    keyType: 'group' | 'transaction',
    key: string,
  ): Promise<{ errorCode: number; nodeId: number; address: string }> {
    this.failIfClosed();
    const target = await this.anyConnectedBroker();
    try {
      const { response } = await this.request(target.connection, ApiKey.FindCoordinator, {
        key,
        keyType: keyType === 'transaction' ? 1 : 0,
      });
      if (response.errorCode === 0) {
        // The coordinator may be a broker the metadata has not named yet.
        this.adoptBrokers([{ nodeId: response.nodeId, host: response.host, port: response.port }], target);
      }
      return { errorCode: response.errorCode, nodeId: response.nodeId, address: `${response.host}:${response.port}` };
    } catch (e) {
      throw asTransportError(e, target.address, target.nodeId);
    }
  }

  async initTransactionalProducerId(
    nodeId: number,
    transactionalId: string,
    transactionTimeoutMs: number,
  ): Promise<{ errorCode: number } & ProducerIdAndEpoch> {
    const response = await this.onNode(nodeId, ApiKey.InitProducerId, { transactionalId, transactionTimeoutMs });
    return { errorCode: response.errorCode, producerId: response.producerId, producerEpoch: response.producerEpoch };
  }

  async addPartitionsToTxn(
    nodeId: number,
    id: TransactionIdentity,
    partitions: TopicPartition[],
  ): Promise<(TopicPartition & { errorCode: number })[]> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const response = await this.onNode(nodeId, ApiKey.AddPartitionsToTxn, {
      v3AndBelowTransactionalId: id.transactionalId,
      v3AndBelowProducerId: id.producerId,
      v3AndBelowProducerEpoch: id.producerEpoch,
      v3AndBelowTopics: [...byTopic].map(([name, list]) => ({ name, partitions: list })),
    });
    return response.resultsByTopicV3AndBelow.flatMap((t) =>
      t.resultsByPartition.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        errorCode: p.partitionErrorCode,
      })),
    );
  }

  async addOffsetsToTxn(nodeId: number, id: TransactionIdentity, groupId: string): Promise<number> {
    return (await this.onNode(nodeId, ApiKey.AddOffsetsToTxn, { ...id, groupId })).errorCode;
  }

  async txnOffsetCommit(
    nodeId: number,
    id: TransactionIdentity,
    groupId: string,
    offsets: OffsetToCommit[],
  ): Promise<(TopicPartition & { errorCode: number })[]> {
    const byTopic = new Map<string, OffsetToCommit[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const response = await this.onNode(nodeId, ApiKey.TxnOffsetCommit, {
      ...id,
      groupId,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedLeaderEpoch: -1,
          committedMetadata: o.metadata ?? null,
        })),
      })),
    });
    return response.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
    );
  }

  async endTxn(nodeId: number, id: TransactionIdentity, committed: boolean): Promise<number> {
    return (await this.onNode(nodeId, ApiKey.EndTxn, { ...id, committed })).errorCode;
  }

  /** One request to a broker known by node id. */
  private async onNode<K extends ClientApiKey>(
    nodeId: number,
    apiKey: K,
    body: RequestByKey[K],
  ): Promise<ResponseByKey[K]> {
    this.failIfClosed();
    const entry = this.brokers.get(nodeId);
    if (!entry)
      throw new TransportError(`broker ${nodeId} is not in the cluster metadata; refresh the metadata`, 'connection', {
        retriable: true,
        brokerId: nodeId,
      });
    try {
      return (await this.request(entry.connection, apiKey, body)).response;
    } catch (e) {
      throw asTransportError(e, entry.address, nodeId);
    }
  }

  async produce(brokerId: number, request: ProduceRequest): Promise<ProduceResponse> {
    this.failIfClosed();
    const entry = this.brokers.get(brokerId);
    if (!entry) {
      throw new TransportError(
        `broker ${brokerId} is not in the cluster metadata; refresh the metadata`,
        'connection',
        {
          retriable: true,
          brokerId,
        },
      );
    }
    const { connection } = entry;
    let raw: IncomingResponse;
    let version: number;
    try {
      await connection.connect();
      version = this.versionFor(connection, ApiKey.Produce);
      raw = await connection.send({
        apiKey: ApiKey.Produce,
        apiVersion: version,
        body: encodeRequestBody(ApiKey.Produce, version, produceBody(request)),
        expectResponse: request.acks !== 0,
        timeoutMs: request.timeoutMs,
      });
    } catch (e) {
      throw asTransportError(e, entry.address, brokerId);
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
    const response = this.decode(connection, ApiKey.Produce, version, raw, brokerId);
    const results: ProduceResponse['results'] = [];
    for (const t of response.responses) {
      for (const p of t.partitionResponses) {
        results.push({
          topic: t.name,
          partition: p.index,
          errorCode: p.errorCode,
          baseOffset: p.baseOffset,
          logAppendTimeMs: p.logAppendTimeMs,
          logStartOffset: p.logStartOffset,
          errorMessage: p.errorMessage,
        });
      }
    }
    return { results: withEveryPartition(request, results), throttleTimeMs: response.throttleTimeMs, timing };
  }

  async fetch(brokerId: number, request: FetchRequestInput): Promise<FetchResult> {
    const byTopic = groupByTopic(request.partitions, (p) => ({
      partition: p.partition,
      currentLeaderEpoch: -1,
      fetchOffset: p.fetchOffset,
      logStartOffset: -1,
      partitionMaxBytes: p.maxBytes,
    }));
    const { response, timing } = await this.requestToBroker(
      brokerId,
      ApiKey.Fetch,
      {
        replicaId: -1,
        maxWaitMs: request.maxWaitMs,
        minBytes: request.minBytes,
        maxBytes: request.maxBytes,
        isolationLevel: isolationLevelId(request.isolationLevel),
        sessionId: 0,
        sessionEpoch: -1, // no fetch session: every request names its partitions
        topics: byTopic.map(([topic, partitions]) => ({ topic, partitions })),
        forgottenTopicsData: [],
      },
      request.maxWaitMs + (request.timeoutMs ?? this.requestTimeoutMs()),
    );
    return {
      errorCode: response.errorCode,
      throttleTimeMs: response.throttleTimeMs,
      timing,
      partitions: response.responses.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.topic,
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
          logStartOffset: p.logStartOffset,
          abortedTransactions: p.abortedTransactions,
          records: p.records,
        })),
      ),
    };
  }

  async listOffsets(brokerId: number, request: ListOffsetsInput): Promise<ListOffsetsResult> {
    const byTopic = groupByTopic(request.partitions, (p) => ({
      partitionIndex: p.partition,
      currentLeaderEpoch: -1,
      timestamp: p.timestamp,
      maxNumOffsets: 1,
    }));
    const { response, timing } = await this.requestToBroker(
      brokerId,
      ApiKey.ListOffsets,
      {
        replicaId: -1,
        isolationLevel: isolationLevelId(request.isolationLevel),
        topics: byTopic.map(([name, partitions]) => ({ name, partitions })),
      },
      request.timeoutMs,
    );
    return {
      timing,
      partitions: response.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          offset: p.offset,
          timestamp: p.timestamp,
        })),
      ),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = new Set<KafkaConnection>([...this.brokers.values()].map((b) => b.connection));
    if (this.bootstrap) all.add(this.bootstrap.connection);
    this.brokers.clear();
    this.bootstrap = null;
    await Promise.all([...all].map((c) => c.close()));
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
    return this.onController('CreateTopics', async (connection) => {
      const { response } = await this.request(
        connection,
        ApiKey.CreateTopics,
        {
          topics: topics.map((t) => ({
            name: t.name,
            numPartitions: t.partitions ?? -1,
            replicationFactor: t.replicationFactor ?? -1,
            assignments: [],
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
          timeoutMs,
          validateOnly: false,
        },
        timeoutMs + 5_000,
      );
      return response.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage }));
    });
  }

  async deleteTopics(names: string[], timeoutMs = 10_000): Promise<TopicOperationResult[]> {
    if (names.length === 0 || names.some((n) => !n))
      throw new InvalidInputError('deleteTopics needs one or more non-empty topic names');
    return this.onController('DeleteTopics', async (connection) => {
      const { response } = await this.request(
        connection,
        ApiKey.DeleteTopics,
        { topicNames: names, timeoutMs },
        timeoutMs + 5_000,
      );
      return response.responses.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: null }));
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
          const { response } = await this.request(entry.connection, ApiKey.ListOffsets, {
            replicaId: -1,
            isolationLevel: 0, // READ_UNCOMMITTED: the high watermark, not the last stable offset
            topics: [
              {
                name: topic,
                partitions: partitions.map((partitionIndex) => ({
                  partitionIndex,
                  currentLeaderEpoch: -1,
                  timestamp: -1,
                  maxNumOffsets: 1,
                })),
              },
            ],
          });
          for (const t of response.topics)
            for (const p of t.partitions) if (p.errorCode === 0) watermarks.set(p.partitionIndex, p.offset);
        } catch (e) {
          this.options.log?.(
            'debug',
            `ListOffsets for ${topic} on broker ${leader} failed: ${asTransportError(e, entry.address, leader).message}`,
          );
        }
      }),
    );
    return watermarks;
  }

  /** The node ids of the brokers in the latest metadata (fetched first if there is none). */
  async brokerIds(): Promise<number[]> {
    this.failIfClosed();
    const metadata = this.lastMetadata ?? (await this.fetchMetadata([], false));
    return metadata.brokers.map((b) => b.nodeId);
  }

  /**
   * One read-only admin request to the broker with that node id, or to any reachable one; the decoded answer
   * (error codes in it are the caller's to read). Connection failures reject with a TransportError.
   */
  async requestTo<K extends ReadApiKey>(
    target: number | 'any',
    apiKey: K,
    body: RequestByKey[K],
  ): Promise<ResponseByKey[K]> {
    this.failIfClosed();
    if (target !== 'any' && !this.brokers.has(target)) await this.fetchMetadata([], false);
    const entry = target === 'any' ? await this.anyConnectedBroker() : this.brokers.get(target);
    if (!entry)
      throw new TransportError(`broker ${target} is not in the cluster metadata`, 'connection', {
        retriable: true,
        brokerId: target as number,
      });
    try {
      return (await this.request(entry.connection, apiKey, body)).response;
    } catch (e) {
      throw asTransportError(e, entry.address, entry.nodeId);
    }
  }

  // ---- internals ----

  /** One request to a broker by node id, decoded, with its timing for traces. */
  private async requestToBroker<K extends ClientApiKey>(
    brokerId: number,
    apiKey: K,
    body: RequestByKey[K],
    timeoutMs = this.requestTimeoutMs(),
  ): Promise<{ response: ResponseByKey[K]; timing: RequestTiming }> {
    this.failIfClosed();
    const entry = this.brokers.get(brokerId);
    if (!entry) {
      throw new TransportError(
        `broker ${brokerId} is not in the cluster metadata; refresh the metadata`,
        'connection',
        { retriable: true, brokerId },
      );
    }
    try {
      await entry.connection.connect();
      const version = this.versionFor(entry.connection, apiKey);
      const raw = await entry.connection.send({
        apiKey,
        apiVersion: version,
        body: encodeRequestBody(apiKey, version, body),
        expectResponse: true,
        timeoutMs,
      });
      const timing: RequestTiming = {
        brokerId,
        address: entry.address,
        correlationId: raw.correlationId,
        requestBytes: raw.requestBytes,
        sentAtMs: raw.sentAtMs,
        durationMs: raw.durationMs,
      };
      return { response: this.decode(entry.connection, apiKey, version, raw, brokerId), timing };
    } catch (e) {
      throw asTransportError(e, entry.address, brokerId);
    }
  }

  /** One request and its decoded answer; honours the broker's throttle (KIP-219). */
  private async request<K extends ClientApiKey>(
    connection: KafkaConnection,
    apiKey: K,
    body: RequestByKey[K],
    timeoutMs = this.requestTimeoutMs(),
  ): Promise<{ response: ResponseByKey[K]; version: number }> {
    await connection.connect();
    const version = this.versionFor(connection, apiKey);
    const raw = await connection.send({
      apiKey,
      apiVersion: version,
      body: encodeRequestBody(apiKey, version, body),
      expectResponse: true,
      timeoutMs,
    });
    return { response: this.decode(connection, apiKey, version, raw), version };
  }

  private decode<K extends ClientApiKey>(
    connection: KafkaConnection,
    apiKey: K,
    version: number,
    raw: IncomingResponse,
    brokerId?: number,
  ): ResponseByKey[K] {
    let response: ResponseByKey[K];
    try {
      response = decodeResponse(apiKey, version, raw.payload ?? Buffer.alloc(0));
    } catch (e) {
      throw new TransportError(
        `unreadable ${apiName(apiKey)} response from ${connection.address}: ${errorMessage(e)}`,
        'protocol',
        { retriable: false, cause: e, brokerId },
      );
    }
    // KIP-219: from these versions the broker answers at once and the client holds back its next requests itself.
    if (throttlesClientSide(apiKey, version) && response.throttleTimeMs > 0)
      connection.throttle(response.throttleTimeMs);
    return response;
  }

  /** The highest version of an API both this client and the broker speak. */
  private versionFor(connection: KafkaConnection, apiKey: ClientApiKey): number {
    const ours = CLIENT_VERSIONS[apiKey];
    const theirs = connection.apiVersions().get(apiKey);
    const version = theirs ? highestCommonVersion(ours, theirs) : undefined;
    if (version !== undefined) return version;
    const lacks = TOO_OLD[apiKey] ?? `does not support ${apiName(apiKey)} v${ours.min}-v${ours.max}`;
    throw new TransportError(`${connection.address} ${lacks}`, 'protocol', { retriable: false });
  }

  private async onController(
    what: string,
    run: (connection: KafkaConnection) => Promise<TopicOperationResult[]>,
  ): Promise<TopicOperationResult[]> {
    this.failIfClosed();
    // One retry covers a controller that moved between our metadata and the request (NOT_CONTROLLER, 41).
    for (let attempt = 0; ; attempt++) {
      const metadata = await this.fetchMetadata([], false);
      const controller = this.brokers.get(metadata.controllerId);
      if (!controller)
        throw new TransportError(
          `the cluster reports no reachable controller (id ${metadata.controllerId})`,
          'connection',
          { retriable: true },
        );
      let results: TopicOperationResult[];
      try {
        results = (await run(controller.connection)).map((r) => ({
          ...r,
          errorName: r.errorCode === 0 ? undefined : errorName(r.errorCode),
        }));
      } catch (e) {
        throw asTransportError(e, controller.address, controller.nodeId);
      }
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
  private withListenerHint(error: TransportError): TransportError {
    if (error.kind !== 'connection' || !(error.cause instanceof BrokerClosedConnection)) return error;
    const missing = [this.config.ssl ? undefined : 'TLS', this.config.sasl ? undefined : 'SASL'].filter(Boolean);
    if (!missing.length) return error;
    const address = error.message.replace(/ closed the connection$/, '');
    return new TransportError(
      `${address} closed the connection before answering; if this listener expects ${missing.join(' or ')}, set it in the connection`,
      'connection',
      { retriable: true, cause: error.cause, brokerId: error.brokerId },
    );
  }

  private requestTimeoutMs(): number {
    return this.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private newConnection(host: string, port: number): KafkaConnection {
    return this.openConnection({
      host,
      port,
      clientId: this.clientId,
      ssl: this.config.ssl,
      sasl: this.config.sasl,
      connectionTimeoutMs: this.config.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      log: this.options.log,
    });
  }

  private async bootstrapBroker(): Promise<Candidate> {
    if (this.bootstrap?.connection.isConnected()) return this.bootstrap;
    const failures: TransportError[] = [];
    for (let i = 0; i < this.seeds.length; i++) {
      const seed = this.seeds[this.nextSeed++ % this.seeds.length]!;
      const address = `${seed.host}:${seed.port}`;
      const connection =
        this.bootstrap?.address === address ? this.bootstrap.connection : this.newConnection(seed.host, seed.port);
      try {
        await connection.connect();
        this.bootstrap = { address, connection };
        return this.bootstrap;
      } catch (e) {
        if (
          this.bootstrap?.connection !== connection &&
          ![...this.brokers.values()].some((b) => b.connection === connection)
        )
          await connection.close();
        const error = this.withListenerHint(asTransportError(e, address));
        // A refused login or a TLS failure will not get better on the next address.
        if (!error.retriable) throw error;
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    throw new TransportError(
      `cannot reach any bootstrap broker: ${failures.map((f) => f.message).join('; ')}`,
      failures[0]?.kind ?? 'connection',
      {
        retriable: true,
        cause: failures[0],
      },
    );
  }

  private async metadataCandidates(): Promise<Candidate[]> {
    const known = [...this.brokers.values()];
    const connected = known.filter((b) => b.connection.isConnected());
    const others = known.filter((b) => !b.connection.isConnected());
    const list: Candidate[] = [...connected, ...others];
    if (this.bootstrap && !known.some((b) => b.connection === this.bootstrap?.connection)) list.unshift(this.bootstrap);
    if (list.length === 0) list.push(await this.bootstrapBroker());
    return list;
  }

  private async anyConnectedBroker(): Promise<BrokerEntry> {
    if (this.brokers.size === 0) await this.connect();
    const entries = [...this.brokers.values()];
    const connected = entries.find((b) => b.connection.isConnected());
    if (connected) return connected;
    let lastError: TransportError | undefined;
    for (const entry of entries) {
      try {
        await entry.connection.connect();
        return entry;
      } catch (e) {
        lastError = asTransportError(e, entry.address, entry.nodeId);
        if (!lastError.retriable) throw lastError;
      }
    }
    throw lastError ?? new TransportError('no broker is reachable', 'connection', { retriable: true });
  }

  private async requestMetadata(
    connection: KafkaConnection,
    topics: string[] | null,
    allowAutoCreate: boolean,
  ): Promise<ClusterMetadata> {
    const { response } = await this.request(connection, ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: allowAutoCreate,
    });
    return toClusterMetadata(response);
  }

  /** Makes sure every broker of the metadata has an entry; the connection it came through becomes its node's. */
  private adoptBrokers(brokers: BrokerInfo[], via: Candidate): void {
    for (const info of brokers) {
      const address = `${info.host}:${info.port}`;
      const existing = this.brokers.get(info.nodeId);
      if (existing && existing.address === address) continue;
      if (existing) void existing.connection.close(); // the node moved to another address
      const reuse = via.address === address && ![...this.brokers.values()].some((b) => b.connection === via.connection);
      const connection = reuse ? via.connection : this.newConnection(info.host, info.port);
      this.brokers.set(info.nodeId, { nodeId: info.nodeId, address, connection });
    }
  }
}

/** The request body: partitions grouped by topic, in the order topics first appear; the batches go as they are. */
function produceBody(request: ProduceRequest): RequestByKey[typeof ApiKey.Produce] {
  const byTopic = new Map<string, { index: number; records: Buffer }[]>();
  for (const p of request.partitions) {
    let list = byTopic.get(p.topic);
    if (!list) byTopic.set(p.topic, (list = []));
    list.push({ index: p.partition, records: p.records });
  }
  return {
    transactionalId: request.transactionalId ?? null,
    acks: request.acks,
    timeoutMs: request.timeoutMs,
    topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
  };
}

/** Items grouped by their topic, topics in the order they first appear. */
function groupByTopic<T extends { topic: string }, U>(items: readonly T[], map: (item: T) => U): [string, U[]][] {
  const byTopic = new Map<string, U[]>();
  for (const item of items) {
    let list = byTopic.get(item.topic);
    if (!list) byTopic.set(item.topic, (list = []));
    list.push(map(item));
  }
  return [...byTopic];
}

function toClusterMetadata(m: MetadataResponse): ClusterMetadata {
  return {
    clusterId: m.clusterId,
    controllerId: m.controllerId,
    brokers: m.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    topics: m.topics.map((t) => ({
      name: t.name,
      errorCode: t.errorCode,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition),
    })),
  };
}

/**
 * Any failure as a TransportError naming the broker's node id when known (the connection knows only its address);
 * a codec or programming error becomes a non-retriable 'protocol' one.
 */
function asTransportError(e: unknown, address: string, brokerId?: number): TransportError {
  if (e instanceof TransportError) {
    if (e.brokerId !== undefined || brokerId === undefined) return e;
    return new TransportError(e.message, e.kind, { retriable: e.retriable, cause: e.cause, brokerId });
  }
  return new TransportError(`unexpected failure talking to ${address}: ${errorMessage(e)}`, 'protocol', {
    retriable: false,
    cause: e,
    brokerId,
  });
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

function parseBootstrap(brokers: string[]): { host: string; port: number }[] {
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw new InvalidInputError('no bootstrap brokers given; pass one or more HOST:PORT, comma-separated');
  }
  return brokers.map((b) => {
    const address = parseBrokerAddress(b);
    if ('problem' in address) throw new InvalidInputError(`bootstrap broker ${address.problem}`);
    return address;
  });
}

function validateNewTopic(t: NewTopic): void {
  const problem = topicNameProblem(t.name);
  if (problem) throw new InvalidInputError(problem);
  if (t.partitions !== undefined && t.partitions !== -1 && !(Number.isInteger(t.partitions) && t.partitions > 0)) {
    throw new InvalidInputError(
      `partitions for topic '${t.name}' must be a whole number of 1 or more, got ${t.partitions}`,
    );
  }
  if (
    t.replicationFactor !== undefined &&
    t.replicationFactor !== -1 &&
    !(Number.isInteger(t.replicationFactor) && t.replicationFactor > 0)
  ) {
    throw new InvalidInputError(
      `replication factor for topic '${t.name}' must be a whole number of 1 or more, got ${t.replicationFactor}`,
    );
  }
}

/**
 * The engine's view of the network. One implementation (KafkaTransport: the codec over a KafkaConnection, kafkajs
 * 2.2.4 underneath) talks to brokers; tests use scripted fakes. Partition-level outcomes come back as data (error
 * codes per partition); only connection-level failures (unreachable, timed out, TLS, SASL) reject, with a
 * TransportError.
 */
import { WorkbenchError } from '../util/errors';

/** How to reach a cluster. Secrets (password, key) are passed in at run time, never stored with the rest. */
export interface ConnectionConfig {
  /** host:port strings. */
  brokers: string[];
  clientId?: string;
  /** true = TLS with the system's trust store; an object for a CA, client certificate or skipping verification. */
  ssl?: boolean | TlsConfig;
  sasl?: SaslConfig;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface TlsConfig {
  /** PEM text, not a path: the caller reads files, so the transport never touches the disk. */
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** false skips certificate verification (the UI warns). Default true. */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface SaslConfig {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack?: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  leaderEpoch?: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** Kafka error code for this partition in the metadata response (0 = none). */
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  /** Kafka error code for this topic (3 = UNKNOWN_TOPIC_OR_PARTITION, 5 = LEADER_NOT_AVAILABLE while creating). */
  errorCode: number;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

/** One encoded record batch (magic v2) for one partition. */
export interface ProducePartitionData {
  topic: string;
  partition: number;
  records: Buffer;
}

export interface ProduceRequest {
  /** The producer's transactional.id, for a transactional producer's requests. */
  transactionalId?: string | null;
  acks: -1 | 0 | 1;
  /** The broker-side timeout for acks=all. */
  timeoutMs: number;
  partitions: ProducePartitionData[];
}

export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** -1 when unknown (acks=0, or an error). */
  baseOffset: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage?: string | null;
}

/** Timing of one request on the wire, for the trace and the stats. */
export interface RequestTiming {
  brokerId: number;
  /** host:port the request went to. */
  address: string;
  correlationId?: number;
  requestBytes: number;
  sentAtMs: number;
  /** Response time minus send time; 0 for acks=0. */
  durationMs: number;
}

export interface ProduceResponse {
  /** One entry per partition in the request, in no particular order. Empty for acks=0. */
  results: ProducePartitionResult[];
  throttleTimeMs: number;
  timing: RequestTiming;
}

export interface ProducerIdAndEpoch {
  producerId: number;
  producerEpoch: number;
}

export interface Transport {
  connect(): Promise<void>;
  /** Metadata for the given topics (null = all). `allowAutoCreate` lets the broker create missing topics. */
  fetchMetadata(topics: string[] | null, allowAutoCreate: boolean): Promise<ClusterMetadata>;
  initProducerId(transactionTimeoutMs: number): Promise<ProducerIdAndEpoch>;
  /** One Produce request to one broker. With acks=0 it settles once the bytes are handed to the socket. */
  produce(brokerId: number, request: ProduceRequest): Promise<ProduceResponse>;
  close(): Promise<void>;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** The producer id, epoch and transactional id every transaction request carries. */
export interface TransactionIdentity {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

export interface OffsetToCommit extends TopicPartition {
  offset: number;
  metadata?: string | null;
}

/**
 * The requests of a transactional producer, each to one broker (its coordinator). Kafka errors come back as codes
 * (the transaction manager decides what each means); only connection failures reject.
 */
export interface TransactionTransport {
  /** The coordinator of a transactional id (keyType 'transaction') or a consumer group ('group'). */
  findCoordinator(
    keyType: 'group' | 'transaction',
    key: string,
  ): Promise<{ errorCode: number; nodeId: number; address: string }>;
  initTransactionalProducerId(
    nodeId: number,
    transactionalId: string,
    transactionTimeoutMs: number,
  ): Promise<{ errorCode: number } & ProducerIdAndEpoch>;
  addPartitionsToTxn(
    nodeId: number,
    id: TransactionIdentity,
    partitions: TopicPartition[],
  ): Promise<(TopicPartition & { errorCode: number })[]>;
  addOffsetsToTxn(nodeId: number, id: TransactionIdentity, groupId: string): Promise<number>;
  txnOffsetCommit(
    nodeId: number,
    id: TransactionIdentity,
    groupId: string,
    offsets: OffsetToCommit[],
  ): Promise<(TopicPartition & { errorCode: number })[]>;
  endTxn(nodeId: number, id: TransactionIdentity, committed: boolean): Promise<number>;
}

export function isTransactionTransport(t: object): t is TransactionTransport {
  return typeof (t as Partial<TransactionTransport>).endTxn === 'function';
}

export type TransportErrorKind = 'connection' | 'timeout' | 'tls' | 'authentication' | 'protocol' | 'closed';

/** A failure of the connection or request as a whole, not of one partition. */
export class TransportError extends WorkbenchError {
  constructor(
    message: string,
    readonly kind: TransportErrorKind,
    options: { retriable: boolean; cause?: unknown; brokerId?: number },
  ) {
    super(message, options);
    this.brokerId = options.brokerId;
  }
  readonly brokerId?: number;
}

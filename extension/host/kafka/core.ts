/**
 * The Kafka side of the extension, loaded on first connect so activation stays cheap: esbuild keeps these modules
 * in the bundle but `require` here runs their top level (kafkajs, codecs, the sandbox) only when first called.
 */
import type { ProducerConfigInput } from '../../core/engine/config';
import type { Producer, ProducerRecord } from '../../core/engine/types';
import type { SentRecordDigest, StoredRecordView } from '../../core/consume/read-back';
import type { SchemaDeserializer } from '../../core/schema-registry/deserializer';
import type { Sandbox, SandboxOptions } from '../../core/sandbox';
import type { RecordReader, RecordReaderOptions } from '../../core/consume/record-reader';
import type { ConsumerTransport } from '../../core/transport/consumer-transport';
import type { ConsumerGroupView, TopicConfigEntry } from '../../core/transport/cluster-reads';
import type { ClusterMetadata, ConnectionConfig, Transport } from '../../core/transport/transport';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/** What the host needs from the cluster besides producing: topic admin and high watermarks. */
export interface ClusterAdmin {
  metadata(): Promise<ClusterMetadata>;
  createTopic(name: string, partitions: number, replicationFactor: number): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  /** High watermark per partition of a topic. */
  highWatermarks(topic: string): Promise<Map<number, number>>;
  /** A topic's configs with where each value comes from (DescribeConfigs). */
  topicConfigs(topic: string): Promise<TopicConfigEntry[]>;
  /** Every consumer group with its committed offsets and lag; brokers that did not answer in `unreachable`. */
  consumerGroups(): Promise<{ groups: ConsumerGroupView[]; unreachable: string[] }>;
  close(): Promise<void>;
}

export interface CoreModules {
  createProducer(
    config: ProducerConfigInput,
    deps: { transport: Transport; log?: LogFn; traceCapacity?: number },
  ): Producer;
  createTransport(config: ConnectionConfig, log: LogFn): Transport;
  /** What a record was sent as, in digests: for readBack's comparison. */
  digestOf(record: ProducerRecord): SentRecordDigest;
  /** Reads one record at its partition and offset (its own connections, closed after) and compares it with `sent`. */
  readBack(
    config: ConnectionConfig,
    at: { topic: string; partition: number; offset: number },
    sent: SentRecordDigest | undefined,
    log: LogFn,
    /** With one, a key or value in Confluent's wire format is decoded by its schema id too. */
    deserializer?: SchemaDeserializer,
  ): Promise<StoredRecordView>;
  /** Fetch and ListOffsets over its own connections: for expectations and reading records back. */
  createConsumerTransport(config: ConnectionConfig, log: LogFn): ConsumerTransport & { close(): Promise<void> };
  /** Reads partitions from chosen positions over `transport` (the topic viewer). */
  createRecordReader(transport: ConsumerTransport, options: RecordReaderOptions): RecordReader;
  createAdmin(config: ConnectionConfig, log: LogFn): ClusterAdmin;
  startSandbox(options: SandboxOptions, deps: { log?: (line: string) => void }): Promise<Sandbox>;
}

let loaded: CoreModules | undefined;

export function loadCore(): CoreModules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at activation
  loaded ??= (require('./core-modules') as typeof import('./core-modules')).coreModules;
  return loaded;
}

/** The schema registry side of core (client, serializers, avsc, protobufjs), loaded on first use like the rest. */
export type SchemaRegistryModules = typeof import('../../core/schema-registry') & {
  createClient(
    config: import('../../core/schema-registry/client').SchemaRegistryConfig,
  ): import('../../core/schema-registry/client').SchemaRegistryClient;
};

let registryLoaded: SchemaRegistryModules | undefined;

export function loadSchemaRegistry(): SchemaRegistryModules {
  if (!registryLoaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at activation
    const m = require('../../core/schema-registry') as typeof import('../../core/schema-registry');
    registryLoaded = { ...m, createClient: (config) => new m.SchemaRegistryClient(config) };
  }
  return registryLoaded;
}

/** Shared by the sandbox integration tests: kafkajs clients pointed at a sandbox, with their log lines kept. */
import { Kafka, logLevel, type KafkaConfig, type KafkaMessage, type LogEntry, type Producer } from 'kafkajs';
import type { Sandbox } from '../../extension/core/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
const kafkajsMurmur2: (key: Buffer | string) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

/** The partition the Java client (and kafkajs's default partitioner) picks for a key. */
export function murmur2Partition(key: string, partitions: number): number {
  return (kafkajsMurmur2(key) & 0x7fffffff) % partitions;
}

export interface LoggedKafka {
  kafka: Kafka;
  /** Every log line kafkajs wrote at warn level or above: `message` plus the error text. */
  logs: string[];
}

export function kafkaFor(sandbox: Sandbox, config: Partial<KafkaConfig> = {}): LoggedKafka {
  const logs: string[] = [];
  const kafka = new Kafka({
    clientId: 'sandbox-test',
    brokers: sandbox.bootstrap.split(','),
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { initialRetryTime: 50, maxRetryTime: 300, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, error } = entry.log as { message: string; error?: string };
      logs.push(`${entry.namespace}: ${message}${error ? ` (${error})` : ''}`);
    },
    ...config,
  });
  return { kafka, logs };
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Partition rows of GET /state, whatever else the state holds. */
export interface PartitionStateView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  highWatermark: number;
}

export function partitionsOf(sandbox: Sandbox, topic: string): PartitionStateView[] {
  const state = sandbox.state() as unknown as { topics: { name: string; partitions: PartitionStateView[] }[] };
  const t = state.topics.find((x) => x.name === topic);
  if (!t) throw new Error(`topic ${topic} is not in the sandbox state`);
  return t.partitions;
}

/**
 * A service under test, as a user would have one: a kafkajs consumer (its own group) on `topic` that hands each new
 * record to `answer` with a producer to reply with. Resolves once the consumer joined its group.
 */
export async function startTopicService(
  sandbox: Sandbox,
  topic: string,
  answer: (message: KafkaMessage, producer: Producer) => Promise<void>,
): Promise<{ stop(): Promise<void> }> {
  const { kafka } = kafkaFor(sandbox);
  const consumer = kafka.consumer({ groupId: `service-${topic}-${Date.now()}`, maxWaitTimeInMs: 50 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: false });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({ eachMessage: ({ message }) => answer(message, producer) });
  await ready;
  return { stop: async () => void (await Promise.all([consumer.disconnect(), producer.disconnect()])) };
}

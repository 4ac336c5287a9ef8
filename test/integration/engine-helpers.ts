/** Shared by the engine integration tests: a producer over the real transport, and reading records back. */
import { createProducer, type Producer, type ProducerConfigInput } from '../../extension/core/engine';
import type { Sandbox } from '../../extension/core/sandbox';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import type { ConnectionConfig } from '../../extension/core/transport/transport';
import { kafkaFor, partitionsOf, waitFor } from './sandbox-helpers';

export interface EngineUnderTest {
  producer: Producer;
  transport: KafkaTransport;
  close(): Promise<void>;
}

/** Short backoffs so retries happen within a test's time; everything else is the caller's config (`connection`: TLS, SASL). */
export function engineFor(
  sandbox: Sandbox,
  config: ProducerConfigInput = {},
  connection: Partial<ConnectionConfig> = {},
): EngineUnderTest {
  const transport = new KafkaTransport({
    brokers: sandbox.bootstrap.split(','),
    clientId: 'engine-it',
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 3000,
    ...connection,
  });
  const producer = createProducer(
    { 'retry.backoff.ms': 20, 'retry.backoff.max.ms': 200, 'request.timeout.ms': 3000, 'linger.ms': 2, ...config },
    { transport },
  );
  return {
    producer,
    transport,
    async close() {
      await producer.close({ timeoutMs: 2000 }).catch(() => {});
      await transport.close();
    },
  };
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/** Every record of the topic, per partition in offset order, read by a kafkajs consumer from the beginning. */
export async function consumeAll(
  sandbox: Sandbox,
  topic: string,
  expected: number,
  timeoutMs = 15_000,
): Promise<ConsumedRecord[]> {
  const { kafka } = kafkaFor(sandbox);
  const consumer = kafka.consumer({ groupId: `readback-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const next = new Map<number, number>(); // per partition, the offset after the last record read
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
        });
        next.set(partition, Number(message.offset) + 1);
      },
    });
    // Read to the end of every partition, so duplicates stored beyond the expected count are read too.
    const readToEnd = () =>
      partitionsOf(sandbox, topic).every((p) => (next.get(p.partition) ?? p.logStartOffset) >= p.highWatermark);
    await waitFor(
      () => records.length >= expected && readToEnd(),
      `${expected} records from ${topic}, read to the end (have ${records.length})`,
      timeoutMs,
    );
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Every record of a topic as raw bytes (a kafkajs consumer from the beginning): for values in a binary format. */
export async function consumeRaw(
  sandbox: Sandbox,
  topic: string,
  expected: number,
  timeoutMs = 15_000,
): Promise<{ key: Buffer | null; value: Buffer | null }[]> {
  const { kafka } = kafkaFor(sandbox);
  const consumer = kafka.consumer({ groupId: `raw-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const out: { key: Buffer | null; value: Buffer | null }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void out.push({ key: message.key, value: message.value }),
    });
    await waitFor(() => out.length >= expected, `${expected} records from ${topic} (have ${out.length})`, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Sum of the topic's high watermarks: how many records the sandbox stored. */
export function storedCount(sandbox: Sandbox, topic: string): number {
  const t = sandbox.state().topics.find((x) => x.name === topic);
  if (!t) return 0;
  return t.partitions.reduce((n, p) => n + (p as unknown as { highWatermark: number }).highWatermark, 0);
}

export function settleAll<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(promises);
}

/**
 * The only host file that imports the Kafka core (engine, transport, sandbox). Reached through
 * core.ts's loadCore() on first connect, never at activation.
 */
import { createProducer } from '../../core/engine';
import { startSandbox } from '../../core/sandbox';
import { digestOf, readRecordAt, storedRecordView, withSchemaDecoding } from '../../core/consume/read-back';
import { RecordReader } from '../../core/consume/record-reader';
import { consumerGroups, describeTopicConfigs } from '../../core/transport/cluster-reads';
import { KafkaTransport } from '../../core/transport/kafka-transport';
import type { ConnectionConfig } from '../../core/transport/transport';
import { WorkbenchError } from '../../core/util/errors';
import type { ClusterAdmin, CoreModules, LogFn } from './core';

function createAdmin(config: ConnectionConfig, log: LogFn): ClusterAdmin {
  const transport = new KafkaTransport(config, { log });
  let connected: Promise<void> | undefined;
  const ready = () =>
    (connected ??= transport.connect().catch((e) => {
      connected = undefined;
      throw e;
    }));
  const check = (
    results: { name: string; errorCode: number; errorName?: string; errorMessage?: string | null }[],
    what: string,
  ) => {
    for (const r of results) {
      if (r.errorCode !== 0) {
        throw Object.assign(
          new WorkbenchError(
            `${what} "${r.name}" failed: ${r.errorName ?? r.errorCode}${r.errorMessage ? ` (${r.errorMessage})` : ''}`,
          ),
          { errorName: r.errorName },
        );
      }
    }
  };
  return {
    async metadata() {
      await ready();
      return transport.describeCluster();
    },
    async createTopic(name, partitions, replicationFactor) {
      await ready();
      check(await transport.createTopics([{ name, partitions, replicationFactor }]), 'Creating topic');
    },
    async deleteTopic(name) {
      await ready();
      check(await transport.deleteTopics([name]), 'Deleting topic');
    },
    async highWatermarks(topic) {
      await ready();
      return transport.highWatermarks(topic);
    },
    async topicConfigs(topic) {
      await ready();
      return describeTopicConfigs(transport, topic);
    },
    async consumerGroups() {
      await ready();
      return consumerGroups(transport);
    },
    close: () => transport.close(),
  };
}

export const coreModules: CoreModules = {
  createProducer: (config, deps) => createProducer(config, deps),
  createTransport: (config, log) => new KafkaTransport(config, { log }),
  createConsumerTransport: (config, log) => new KafkaTransport(config, { log }),
  createRecordReader: (transport, options) => new RecordReader(transport, options),
  digestOf,
  async readBack(config, at, sent, log, deserializer) {
    const transport = new KafkaTransport(config, { log });
    try {
      const { record, facts } = await readRecordAt(transport, at);
      const view = storedRecordView(record, sent, facts);
      return deserializer ? withSchemaDecoding(view, record, deserializer) : view;
    } finally {
      await transport.close();
    }
  },
  createAdmin,
  startSandbox: (options, deps) => startSandbox(options, deps),
};

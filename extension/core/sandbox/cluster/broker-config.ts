/**
 * The broker configs DescribeConfigs reports for a sandbox broker: Kafka 2.1's names, with the values the sandbox
 * runs with. Those its options set are STATIC_BROKER_CONFIG (as server.properties would be); the rest are Kafka's
 * defaults. readOnly follows Kafka (false where a 2.1 broker can change the config at run time).
 */
import { DEFAULT_MAX_SESSION_TIMEOUT_MS, DEFAULT_MIN_SESSION_TIMEOUT_MS } from './groups/group-coordinator';
import type { ResolvedSandboxOptions } from './options';
import { DEFAULT_MAX_MESSAGE_BYTES } from './topic-config';
import { OFFSETS_TOPIC_PARTITIONS, OFFSETS_TOPIC_REPLICATION_FACTOR } from './offsets-topic';

export interface BrokerConfigEntry {
  name: string;
  value: string;
  readOnly: boolean;
  fromOptions: boolean;
}

export function brokerConfigs(o: ResolvedSandboxOptions, brokerId: number): BrokerConfigEntry[] {
  const fixed = (name: string, value: string | number | boolean, fromOptions = false): BrokerConfigEntry => ({
    name,
    value: String(value),
    readOnly: true,
    fromOptions,
  });
  const dynamic = (name: string, value: string | number | boolean, fromOptions = false): BrokerConfigEntry => ({
    name,
    value: String(value),
    readOnly: false,
    fromOptions,
  });
  return [
    fixed('broker.id', brokerId, true),
    fixed('auto.create.topics.enable', o.autoCreateTopics, !o.autoCreateTopics),
    fixed('auto.leader.rebalance.enable', o.autoLeaderRebalance, !o.autoLeaderRebalance),
    fixed('default.replication.factor', o.replicationFactor, true),
    fixed('num.partitions', o.partitions, true),
    dynamic('min.insync.replicas', o.minInsyncReplicas, o.minInsyncReplicas !== 1),
    dynamic('message.max.bytes', DEFAULT_MAX_MESSAGE_BYTES),
    dynamic('compression.type', 'producer'),
    dynamic('log.retention.ms', '604800000'),
    dynamic('log.cleanup.policy', 'delete'),
    dynamic('unclean.leader.election.enable', false),
    fixed('delete.topic.enable', true),
    fixed('group.min.session.timeout.ms', DEFAULT_MIN_SESSION_TIMEOUT_MS),
    fixed('group.max.session.timeout.ms', DEFAULT_MAX_SESSION_TIMEOUT_MS),
    fixed('group.initial.rebalance.delay.ms', o.initialRebalanceDelayMs, true),
    fixed('socket.request.max.bytes', o.maxFrameBytes, true),
    fixed('offsets.topic.num.partitions', OFFSETS_TOPIC_PARTITIONS),
    fixed('offsets.topic.replication.factor', OFFSETS_TOPIC_REPLICATION_FACTOR),
  ];
}

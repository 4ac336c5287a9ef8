/**
 * `__consumer_offsets` as Kafka 2.1 has it. The first FindCoordinator for a group (or a Metadata request naming
 * the topic) creates it with offsets.topic.num.partitions partitions; a group's coordinator is the leader of
 * partition abs(hash(group id)) % partitions. Committed offsets stay in the group coordinator's memory: the topic's
 * partitions carry leaders (and so coordinators) but no records.
 */
import { ErrorCode } from '../../kafka/protocol/errors';
import { javaStringHash } from './groups/coordinator-choice';
import type { BrokerNode, ClusterModel } from './cluster-model';

export const OFFSETS_TOPIC = '__consumer_offsets';
/** offsets.topic.num.partitions (Kafka's default). */
export const OFFSETS_TOPIC_PARTITIONS = 50;
/** offsets.topic.replication.factor (Kafka's default); the sandbox caps it by the live brokers. */
export const OFFSETS_TOPIC_REPLICATION_FACTOR = 3;
/** The configs Kafka's group coordinator creates the topic with (offsets.topic.segment.bytes etc.). */
const OFFSETS_TOPIC_CONFIGS = {
  'cleanup.policy': 'compact',
  'compression.type': 'producer',
  'segment.bytes': '104857600',
};

/** Kafka's `Utils.abs(groupId.hashCode) % partitions` (abs maps the smallest int to 0). */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  const hash = javaStringHash(groupId);
  return (hash === -0x80000000 ? 0 : Math.abs(hash)) % partitions;
}

/** The live broker leading the group's offsets partition, or null (no topic yet, or the partition is offline). */
export function groupCoordinator(model: ClusterModel, groupId: string): BrokerNode | null {
  const topic = model.topic(OFFSETS_TOPIC);
  if (!topic) return null;
  const partition = topic.partitions[offsetsPartitionFor(groupId, topic.partitions.length)];
  const leader = model.broker(partition.leader);
  return leader?.up ? leader : null;
}

/**
 * Creates `__consumer_offsets` when it does not exist. Returns NONE when it existed, else the error Kafka's
 * FindCoordinator answers meanwhile: COORDINATOR_NOT_AVAILABLE (created now: Kafka's brokers learn its leaders a
 * moment later, so the client asks again; or no broker is up to hold it).
 */
export function ensureOffsetsTopic(model: ClusterModel): number {
  if (model.topic(OFFSETS_TOPIC)) return ErrorCode.NONE;
  const live = model.liveBrokers().length;
  if (live === 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const created = model.createTopic({
    name: OFFSETS_TOPIC,
    numPartitions: OFFSETS_TOPIC_PARTITIONS,
    replicationFactor: Math.min(OFFSETS_TOPIC_REPLICATION_FACTOR, live),
    configs: OFFSETS_TOPIC_CONFIGS,
  });
  return created.errorCode === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : created.errorCode;
}

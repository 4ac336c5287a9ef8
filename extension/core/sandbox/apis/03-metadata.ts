/**
 * Metadata v0-v7: the live brokers, the controller, and the requested topics (all when `topics` is null, or empty
 * in v0), auto-creating unknown ones when both the cluster and the request allow it. Internal topics are marked;
 * naming `__consumer_offsets` creates it, whatever the request allows, as Kafka does.
 */
import { ApiKey, ErrorCode, type MetadataRequest, type MetadataResponse } from '../../kafka/protocol';
import type { ClusterModel, Topic } from '../cluster/cluster-model';
import { isInternalTopic, topicNameProblem } from '../../kafka/rules/topic-name';
import { OFFSETS_TOPIC, ensureOffsetsTopic } from '../cluster/offsets-topic';
import type { SandboxApi } from './api';

export const SANDBOX_CLUSTER_ID = 'kafka-workbench-sandbox';

type TopicMetadata = MetadataResponse['topics'][number];

export const metadata: SandboxApi<typeof ApiKey.Metadata> = {
  key: ApiKey.Metadata,
  versions: { min: 0, max: 7 },
  handle: (ctx, req, call) => handleMetadata(ctx.model, req, call.apiVersion),
  // Metadata has no request-level error: every requested topic carries it.
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => ({ errorCode, name: t.name, isInternal: false, partitions: [] })),
  }),
};

function handleMetadata(model: ClusterModel, req: MetadataRequest, version: number): MetadataResponse {
  // v0 has no null array: an empty list asks for every topic.
  const names =
    req.topics === null || (version === 0 && req.topics.length === 0)
      ? [...model.topics.keys()]
      : req.topics.map((t) => t.name);
  const topics = names.map((name): TopicMetadata => {
    if (topicNameProblem(name))
      return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [] };
    let topic = model.topic(name);
    if (!topic && name === OFFSETS_TOPIC) {
      // Kafka answers LEADER_NOT_AVAILABLE while the new topic's leaders are elected (INVALID_REPLICATION_FACTOR
      // when it cannot be created); the client asks again.
      const created = ensureOffsetsTopic(model);
      const errorCode =
        created === ErrorCode.COORDINATOR_NOT_AVAILABLE && model.topic(name)
          ? ErrorCode.LEADER_NOT_AVAILABLE
          : ErrorCode.INVALID_REPLICATION_FACTOR;
      return { errorCode, name, isInternal: true, partitions: [] };
    }
    if (!topic && req.allowAutoTopicCreation && model.options.autoCreateTopics) {
      const created = model.createTopic({ name, numPartitions: -1, replicationFactor: -1 });
      if (created.errorCode !== 0) return { errorCode: created.errorCode, name, isInternal: false, partitions: [] };
      topic = model.topic(name);
    }
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
    return describeTopic(model, topic);
  });
  return {
    throttleTimeMs: 0,
    brokers: model.liveBrokers().map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: null })),
    clusterId: SANDBOX_CLUSTER_ID,
    controllerId: model.controllerId(),
    topics,
  };
}

function describeTopic(model: ClusterModel, topic: Topic): TopicMetadata {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => ({
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.index,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: p.replicas.filter((r) => !model.broker(r)?.up),
    })),
  };
}

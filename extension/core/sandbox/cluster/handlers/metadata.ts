/**
 * Metadata: the live brokers, the controller, and the requested topics (all when `topics` is null), auto-creating
 * unknown ones when both the cluster and the request allow it.
 */
import { ErrorCode } from '../../../kafka/protocol/errors';
import type * as M from '../../protocol/messages';
import type { ClusterModel, Topic } from '../cluster-model';
import { topicNameProblem } from '../options';

export const SANDBOX_CLUSTER_ID = 'kafka-workbench-sandbox';

export function handleMetadata(model: ClusterModel, req: M.MetadataRequest): M.MetadataResponse {
  const names = req.topics === null ? [...model.topics.keys()] : req.topics.map((t) => t.name);
  const topics = names.map((name): M.MetadataResponse['topics'][number] => {
    if (topicNameProblem(name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [] };
    let topic = model.topic(name);
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

function describeTopic(model: ClusterModel, topic: Topic): M.MetadataResponse['topics'][number] {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    isInternal: false,
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

/** CreateTopics, DeleteTopics (answered by the controller only, as in Kafka), InitProducerId and ApiVersions. */
import { ErrorCode } from '../../../kafka/protocol/errors';
import { supportedApiVersionsList } from '../../protocol/api-keys';
import type * as M from '../../protocol/messages';
import type { ClusterModel } from '../cluster-model';
import type { ProducerStateTable } from '../producer-state';

export function handleCreateTopics(model: ClusterModel, brokerId: number, req: M.CreateTopicsRequest): M.CreateTopicsResponse {
  const isController = model.controllerId() === brokerId;
  const seen = new Set<string>();
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => {
      if (!isController) return { name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: `broker ${brokerId} is not the controller` };
      if (seen.has(t.name)) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `topic '${t.name}' appears twice in the request` };
      seen.add(t.name);
      const configs: Record<string, string | null> = {};
      for (const c of t.configs) configs[c.name] = c.value;
      const result = model.createTopic({
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.assignments,
        configs,
        validateOnly: req.validateOnly,
      });
      return { name: t.name, errorCode: result.errorCode, errorMessage: 'errorMessage' in result ? result.errorMessage : null };
    }),
  };
}

export function handleDeleteTopics(model: ClusterModel, brokerId: number, req: M.DeleteTopicsRequest): M.DeleteTopicsResponse {
  const isController = model.controllerId() === brokerId;
  return {
    throttleTimeMs: 0,
    responses: req.topicNames.map((name) => ({
      name,
      errorCode: !isController ? ErrorCode.NOT_CONTROLLER : model.deleteTopic(name) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    })),
  };
}

/**
 * A fresh producer id at epoch 0 for an idempotent producer. Transactions are not supported: a transactional id
 * is answered with UNSUPPORTED_VERSION, which clients report as an unsupported feature rather than retrying.
 */
export function handleInitProducerId(
  producers: ProducerStateTable, req: M.InitProducerIdRequest, log: (line: string) => void,
): M.InitProducerIdResponse {
  if (req.transactionalId !== null && req.transactionalId !== undefined) {
    log(`InitProducerId for transactional id '${req.transactionalId}' refused: the sandbox does not support transactions; use an idempotent producer without transactional.id`);
    return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, producerId: -1, producerEpoch: -1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...producers.initProducerId() };
}

export function handleApiVersions(withSasl: boolean): M.ApiVersionsResponse {
  return { errorCode: ErrorCode.NONE, apiKeys: supportedApiVersionsList(withSasl), throttleTimeMs: 0 };
}

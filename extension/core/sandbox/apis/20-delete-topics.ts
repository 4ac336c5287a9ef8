/**
 * DeleteTopics v0-v3: answered by the controller only; a deleted topic's producer state and offsets go with it.
 * Kafka 2.1 deletes `__consumer_offsets` too when asked (only its command-line tool refuses), and every group with it.
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import { OFFSETS_TOPIC } from '../cluster/offsets-topic';
import type { SandboxApi } from './api';

export const deleteTopics: SandboxApi<typeof ApiKey.DeleteTopics> = {
  key: ApiKey.DeleteTopics,
  versions: { min: 0, max: 3 },
  handle(ctx, req, call) {
    const isController = ctx.model.controllerId() === call.brokerId;
    const responses = req.topicNames.map((name) => {
      if (!isController) return { name, errorCode: ErrorCode.NOT_CONTROLLER };
      if (!ctx.model.deleteTopic(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      ctx.producers.forgetTopic(name);
      ctx.groups.forgetTopic(name);
      ctx.transactions.forgetTopic(name);
      if (name === OFFSETS_TOPIC) ctx.groups.unloadAll();
      return { name, errorCode: ErrorCode.NONE };
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.topicNames.map((name) => ({ name, errorCode })),
  }),
};

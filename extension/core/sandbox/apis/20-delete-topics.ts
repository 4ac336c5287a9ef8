/** DeleteTopics v0-v3: answered by the controller only; a deleted topic's producer state and offsets go with it. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
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
      return { name, errorCode: ErrorCode.NONE };
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.topicNames.map((name) => ({ name, errorCode })),
  }),
};

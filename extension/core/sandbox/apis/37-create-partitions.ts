/** CreatePartitions v0-v1: grows topics (never shrinks), on the controller only, in Kafka's words. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const createPartitions: SandboxApi<typeof ApiKey.CreatePartitions> = {
  key: ApiKey.CreatePartitions,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call) {
    const isController = ctx.model.controllerId() === call.brokerId;
    const results = req.topics.map((t) => {
      if (!isController) return { name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null };
      if (t.assignments !== null) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'The sandbox places new partitions itself; leave the assignment out.',
        };
      }
      return { name: t.name, ...ctx.model.addPartitions(t.name, t.count, req.validateOnly) };
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
  }),
};

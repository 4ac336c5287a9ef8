/** CreateTopics v0-v3: answered by the controller only, as in Kafka; others say NOT_CONTROLLER. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const createTopics: SandboxApi<typeof ApiKey.CreateTopics> = {
  key: ApiKey.CreateTopics,
  versions: { min: 0, max: 3 },
  handle(ctx, req, call) {
    const { model } = ctx;
    const isController = model.controllerId() === call.brokerId;
    const seen = new Set<string>();
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        if (!isController) return { name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: `broker ${call.brokerId} is not the controller` };
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
  },
  errorResponse: (req, errorCode) => ({ throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })) }),
};

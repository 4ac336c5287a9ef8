/**
 * CreateTopics v0-v3: answered by the controller only, as in Kafka; others say NOT_CONTROLLER. A topic named twice
 * in one request is not created and answered once with INVALID_REQUEST, in Kafka's words.
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const createTopics: SandboxApi<typeof ApiKey.CreateTopics> = {
  key: ApiKey.CreateTopics,
  versions: { min: 0, max: 3 },
  handle(ctx, req, call) {
    const { model } = ctx;
    if (model.controllerId() !== call.brokerId) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null })),
      };
    }
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
    const duplicateMessage = `Create topics request from client \`${call.clientId}\` contains multiple entries for the following topics: ${duplicates.join(',')}`;
    const answers = req.topics
      .filter((t) => counts.get(t.name) === 1)
      .map((t) => {
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
        return {
          name: t.name,
          errorCode: result.errorCode,
          errorMessage: 'errorMessage' in result ? result.errorMessage : null,
        };
      });
    for (const name of duplicates)
      answers.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: duplicateMessage });
    return { throttleTimeMs: 0, topics: answers };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
  }),
};

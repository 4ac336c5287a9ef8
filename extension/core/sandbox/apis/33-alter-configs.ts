/**
 * AlterConfigs v0-v1: replaces a topic's configs (not incremental in Kafka 2.1), checked as CreateTopics checks
 * them; answers in Kafka's terms (an unknown name INVALID_CONFIG, a bad value INVALID_REQUEST naming the resource).
 * Broker configs are fixed when the sandbox starts (a deliberate difference: Kafka changes some at run time).
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import { ResourceType } from './32-describe-configs';
import type { SandboxApi } from './api';

export const alterConfigs: SandboxApi<typeof ApiKey.AlterConfigs> = {
  key: ApiKey.AlterConfigs,
  versions: { min: 0, max: 1 },
  handle(ctx, req) {
    const responses = req.resources.map((r) => {
      const answer = (errorCode: number, errorMessage: string | null = null) => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      });
      if (r.resourceType === ResourceType.BROKER) {
        return answer(
          ErrorCode.INVALID_REQUEST,
          'The sandbox does not change broker configs while it runs; give them as options when starting it.',
        );
      }
      if (r.resourceType !== ResourceType.TOPIC)
        return answer(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${r.resourceType}`);
      const topic = ctx.model.topic(r.resourceName);
      if (!topic) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const configs: Record<string, string | null> = {};
      for (const c of r.configs) configs[c.name] = c.value;
      const problem = ctx.model.alterTopicConfigs(topic, configs, req.validateOnly);
      if (!problem) return answer(ErrorCode.NONE);
      if (problem.problem === 'unknown') return answer(ErrorCode.INVALID_CONFIG, problem.message);
      if (problem.problem === 'null') return answer(ErrorCode.UNKNOWN_SERVER_ERROR);
      return answer(
        ErrorCode.INVALID_REQUEST,
        `Invalid config value for resource ConfigResource(type=TOPIC, name='${r.resourceName}'): ${problem.message}`,
      );
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.resources.map((r) => ({
      errorCode,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
  }),
};

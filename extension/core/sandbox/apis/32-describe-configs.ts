/**
 * DescribeConfigs v0-v2: a topic's configs (all 25 of Kafka 2.1, or the asked ones) with where each value comes
 * from: the topic's own (DYNAMIC_TOPIC_CONFIG), the sandbox's options (STATIC_BROKER_CONFIG, as server.properties
 * would be) or Kafka's default (DEFAULT_CONFIG); and a broker's configs that the sandbox runs with.
 */
import { ApiKey, ErrorCode, type DescribeConfigsResponse } from '../../kafka/protocol';
import { describedTopicConfigs } from '../cluster/topic-config';
import { brokerConfigs } from '../cluster/broker-config';
import type { SandboxApi } from './api';

type ResultEntry = DescribeConfigsResponse['results'][number];
type ConfigEntry = ResultEntry['configs'][number];

/** Kafka's ConfigResource.Type ids and DescribeConfigs' config sources. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

export const describeConfigs: SandboxApi<typeof ApiKey.DescribeConfigs> = {
  key: ApiKey.DescribeConfigs,
  versions: { min: 0, max: 2 },
  handle(ctx, req, call) {
    const results = req.resources.map((r): ResultEntry => {
      const base = {
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: [] as ConfigEntry[],
      };
      const wanted = (name: string) => r.configurationKeys === null || r.configurationKeys.includes(name);
      if (r.resourceType === ResourceType.TOPIC) {
        const topic = ctx.model.topic(r.resourceName);
        if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const configs = describedTopicConfigs(topic.settings, ctx.model.topicDefaults())
          .filter((c) => wanted(c.name))
          .map((c): ConfigEntry => {
            const source = c.isDefault
              ? ConfigSource.DEFAULT_CONFIG
              : c.fromCluster
                ? ConfigSource.STATIC_BROKER_CONFIG
                : ConfigSource.DYNAMIC_TOPIC_CONFIG;
            const synonyms = req.includeSynonyms ? [{ name: c.name, value: c.value, source }] : [];
            return {
              name: c.name,
              value: c.value,
              readOnly: false,
              isDefault: c.isDefault,
              configSource: source,
              isSensitive: false,
              synonyms,
              configType: 0,
              documentation: null,
            };
          });
        return { ...base, configs };
      }
      if (r.resourceType === ResourceType.BROKER) {
        if (r.resourceName !== '' && r.resourceName !== String(call.brokerId)) {
          return {
            ...base,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Unexpected broker id, expected ${call.brokerId} or empty string, but received ${r.resourceName}`,
          };
        }
        const configs = brokerConfigs(ctx.model.options, call.brokerId)
          .filter((c) => wanted(c.name))
          .map((c): ConfigEntry => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: !c.fromOptions,
            isSensitive: false,
            configType: 0,
            documentation: null,
            configSource: c.fromOptions ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
            synonyms: req.includeSynonyms
              ? [
                  {
                    name: c.name,
                    value: c.value,
                    source: c.fromOptions ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
                  },
                ]
              : [],
          }));
        return { ...base, configs };
      }
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unsupported resource type: ${r.resourceType}`,
      };
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.resources.map((r) => ({
      errorCode,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  }),
};

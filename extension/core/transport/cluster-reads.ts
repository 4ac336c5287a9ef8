/**
 * What the cluster explorer reads besides metadata, asked the way Kafka's own admin tools ask: a topic's configs
 * (DescribeConfigs, with where each value comes from) and the consumer groups with their lag (ListGroups on every
 * broker, then DescribeGroups and OffsetFetch on each group's coordinator, against the high watermarks).
 */
import { ApiKey, errorName } from '../kafka/protocol';
import { WorkbenchError, errorMessage } from '../util/errors';
import type { KafkaTransport } from './kafka-transport';

/** Kafka's ConfigResource.Type for a topic. */
const TOPIC_RESOURCE = 2;

/** DescribeConfigs' config sources (v1+), in words a user reads. */
const CONFIG_SOURCES: Record<number, string> = {
  1: 'set on the topic',
  2: 'broker (dynamic)',
  3: 'cluster default (dynamic)',
  4: 'broker config',
  5: 'default',
};

export interface TopicConfigEntry {
  name: string;
  /** null for a sensitive value the broker does not reveal. */
  value: string | null;
  /** Where the value comes from: 'set on the topic', 'broker config', 'default', ... */
  source: string;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
}

/** A topic's configs, sorted by name; a broker's refusal (an unknown topic) rejects naming its error. */
export async function describeTopicConfigs(transport: KafkaTransport, topic: string): Promise<TopicConfigEntry[]> {
  const response = await transport.requestTo('any', ApiKey.DescribeConfigs, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const result = response.results.find((r) => r.resourceName === topic);
  if (!result) throw new WorkbenchError(`DescribeConfigs for topic "${topic}": the broker's answer left the topic out`);
  if (result.errorCode !== 0) {
    throw new WorkbenchError(
      `DescribeConfigs for topic "${topic}" failed: ${errorName(result.errorCode)}${result.errorMessage ? ` (${result.errorMessage})` : ''}`,
    );
  }
  return result.configs
    .map((c) => ({
      name: c.name,
      value: c.value,
      source: CONFIG_SOURCES[c.configSource] ?? (c.isDefault ? 'default' : 'unknown'),
      isDefault: c.configSource === 5 || (c.configSource < 0 && c.isDefault),
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface GroupPartitionOffset {
  topic: string;
  partition: number;
  committed: number;
  /** undefined when the partition's leader did not answer. */
  highWatermark?: number;
  /** High watermark minus the committed offset; undefined without a high watermark. */
  lag?: number;
}

export interface ConsumerGroupView {
  groupId: string;
  protocolType: string;
  /** Stable, PreparingRebalance, CompletingRebalance, Empty, Dead; '' when it could not be described. */
  state: string;
  members: number;
  offsets: GroupPartitionOffset[];
  /** Sum of the partitions' lag; undefined when none is known. */
  totalLag?: number;
  /** Why the group could not be described, if it could not. */
  problem?: string;
}

/**
 * Every consumer group of the cluster with its members, committed offsets and lag, sorted by id. Each broker lists
 * the groups it coordinates, so every broker is asked; brokers that do not answer are named in `unreachable`.
 */
export async function consumerGroups(
  transport: KafkaTransport,
): Promise<{ groups: ConsumerGroupView[]; unreachable: string[] }> {
  const unreachable: string[] = [];
  const listed = new Map<string, string>();
  const ids = await transport.brokerIds();
  await Promise.all(
    ids.map(async (id) => {
      try {
        const res = await transport.requestTo(id, ApiKey.ListGroups, {});
        if (res.errorCode !== 0) unreachable.push(`broker ${id}: ${errorName(res.errorCode)}`);
        for (const g of res.groups) listed.set(g.groupId, g.protocolType);
      } catch (e) {
        unreachable.push(`broker ${id}: ${errorMessage(e)}`);
      }
    }),
  );
  if (ids.length > 0 && unreachable.length === ids.length)
    throw new WorkbenchError(`ListGroups failed on every broker: ${unreachable.join('; ')}`);
  const watermarks = new Map<string, Promise<Map<number, number>>>();
  const highWatermarks = (topic: string) => {
    let w = watermarks.get(topic);
    if (!w) watermarks.set(topic, (w = transport.highWatermarks(topic).catch(() => new Map<number, number>())));
    return w;
  };
  const groups = await Promise.all(
    [...listed].map(([groupId, protocolType]) => describeGroup(transport, groupId, protocolType, highWatermarks)),
  );
  return { groups: groups.sort((a, b) => a.groupId.localeCompare(b.groupId)), unreachable: unreachable.sort() };
}

async function describeGroup(
  transport: KafkaTransport,
  groupId: string,
  protocolType: string,
  highWatermarks: (topic: string) => Promise<Map<number, number>>,
): Promise<ConsumerGroupView> {
  const view: ConsumerGroupView = { groupId, protocolType, state: '', members: 0, offsets: [] };
  try {
    const found = await transport.requestTo('any', ApiKey.FindCoordinator, { key: groupId, keyType: 0 });
    if (found.errorCode !== 0) return { ...view, problem: `no coordinator: ${errorName(found.errorCode)}` };
    const [described, fetched] = await Promise.all([
      transport.requestTo(found.nodeId, ApiKey.DescribeGroups, { groups: [groupId] }),
      transport.requestTo(found.nodeId, ApiKey.OffsetFetch, { groupId, topics: null }),
    ]);
    const group = described.groups.find((g) => g.groupId === groupId);
    if (group && group.errorCode !== 0) return { ...view, problem: `DescribeGroups: ${errorName(group.errorCode)}` };
    if (fetched.errorCode !== 0) return { ...view, problem: `OffsetFetch: ${errorName(fetched.errorCode)}` };
    const offsets: GroupPartitionOffset[] = [];
    for (const t of fetched.topics) {
      const hw = await highWatermarks(t.name);
      for (const p of t.partitions) {
        if (p.errorCode !== 0 || p.committedOffset < 0) continue;
        const highWatermark = hw.get(p.partitionIndex);
        offsets.push({
          topic: t.name,
          partition: p.partitionIndex,
          committed: p.committedOffset,
          highWatermark,
          lag: highWatermark === undefined ? undefined : Math.max(0, highWatermark - p.committedOffset),
        });
      }
    }
    offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const lags = offsets.filter((o) => o.lag !== undefined);
    return {
      ...view,
      state: group?.groupState ?? '',
      members: group?.members.length ?? 0,
      offsets,
      totalLag: lags.length ? lags.reduce((sum, o) => sum + o.lag!, 0) : undefined,
    };
  } catch (e) {
    return { ...view, problem: errorMessage(e) };
  }
}

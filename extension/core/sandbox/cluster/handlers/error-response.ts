/**
 * The response a broker gives when a whole request fails with one error code, for every API the sandbox speaks:
 * the code goes where that API carries errors (top level, per topic, per partition or per group). Used for
 * injected faults and for unexpected failures inside a handler.
 */
import { ApiKey } from '../../protocol/api-keys';
import type * as M from '../../protocol/messages';

export function errorResponseFor(apiKey: number, request: unknown, errorCode: number): unknown {
  switch (apiKey) {
    case ApiKey.Produce: {
      const r = request as M.ProduceRequest;
      return {
        responses: r.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 })),
        })),
        throttleTimeMs: 0,
      } satisfies M.ProduceResponse;
    }
    case ApiKey.Fetch: {
      const r = request as M.FetchRequest;
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: r.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, records: null,
          })),
        })),
      } satisfies M.FetchResponse;
    }
    case ApiKey.ListOffsets: {
      const r = request as M.ListOffsetsRequest;
      return {
        throttleTimeMs: 0,
        topics: r.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 })),
        })),
      } satisfies M.ListOffsetsResponse;
    }
    case ApiKey.Metadata: {
      const r = request as M.MetadataRequest;
      // Metadata has no request-level error: every requested topic carries it.
      return {
        throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1,
        topics: (r.topics ?? []).map((t) => ({ errorCode, name: t.name, isInternal: false, partitions: [] })),
      } satisfies M.MetadataResponse;
    }
    case ApiKey.OffsetCommit: {
      const r = request as M.OffsetCommitRequest;
      return {
        throttleTimeMs: 0,
        topics: r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
      } satisfies M.OffsetCommitResponse;
    }
    case ApiKey.OffsetFetch: {
      const r = request as M.OffsetFetchRequest;
      return {
        throttleTimeMs: 0,
        errorCode,
        topics: (r.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode })),
        })),
      } satisfies M.OffsetFetchResponse;
    }
    case ApiKey.FindCoordinator:
      return { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 } satisfies M.FindCoordinatorResponse;
    case ApiKey.JoinGroup:
      return { throttleTimeMs: 0, errorCode, generationId: -1, protocolName: '', leader: '', memberId: (request as M.JoinGroupRequest).memberId ?? '', members: [] } satisfies M.JoinGroupResponse;
    case ApiKey.Heartbeat:
    case ApiKey.LeaveGroup:
      return { throttleTimeMs: 0, errorCode } satisfies M.HeartbeatResponse;
    case ApiKey.SyncGroup:
      return { throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) } satisfies M.SyncGroupResponse;
    case ApiKey.DescribeGroups:
      return {
        throttleTimeMs: 0,
        groups: (request as M.DescribeGroupsRequest).groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
      } satisfies M.DescribeGroupsResponse;
    case ApiKey.ApiVersions:
      return { errorCode, apiKeys: [], throttleTimeMs: 0 } satisfies M.ApiVersionsResponse;
    case ApiKey.CreateTopics:
      return {
        throttleTimeMs: 0,
        topics: (request as M.CreateTopicsRequest).topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
      } satisfies M.CreateTopicsResponse;
    case ApiKey.DeleteTopics:
      return {
        throttleTimeMs: 0,
        responses: (request as M.DeleteTopicsRequest).topicNames.map((name) => ({ name, errorCode })),
      } satisfies M.DeleteTopicsResponse;
    case ApiKey.InitProducerId:
      return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 } satisfies M.InitProducerIdResponse;
    default:
      throw new Error(`internal: no error response shape for API key ${apiKey}`);
  }
}

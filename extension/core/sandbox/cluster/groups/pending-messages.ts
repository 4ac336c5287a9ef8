/**
 * TEMPORARY: the group API bodies as the contract names them, until protocol/messages.ts lands; then this file is
 * deleted and the imports point there.
 */
export interface FindCoordinatorRequest { key: string; keyType: number }
export interface FindCoordinatorResponse {
  throttleTimeMs: number; errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number;
}
export interface JoinGroupRequest {
  groupId: string; sessionTimeoutMs: number; rebalanceTimeoutMs: number; memberId: string;
  groupInstanceId: string | null; protocolType: string; protocols: { name: string; metadata: Buffer }[];
}
export interface JoinGroupResponse {
  throttleTimeMs: number; errorCode: number; generationId: number; protocolName: string; leader: string;
  memberId: string; members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}
export interface SyncGroupRequest {
  groupId: string; generationId: number; memberId: string; groupInstanceId: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}
export interface SyncGroupResponse { throttleTimeMs: number; errorCode: number; assignment: Buffer }
export interface HeartbeatRequest { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }
export interface HeartbeatResponse { throttleTimeMs: number; errorCode: number }
export interface LeaveGroupRequest { groupId: string; memberId: string }
export interface LeaveGroupResponse { throttleTimeMs: number; errorCode: number }
export interface OffsetCommitRequest {
  groupId: string; generationId: number; memberId: string; groupInstanceId: string | null; retentionTimeMs: number;
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number;
    commitTimestamp: number; committedMetadata: string | null }[] }[];
}
export interface OffsetCommitResponse {
  throttleTimeMs: number; topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}
export interface OffsetFetchRequest { groupId: string; topics: { name: string; partitionIndexes: number[] }[] | null }
export interface OffsetFetchResponse {
  throttleTimeMs: number; errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number;
    metadata: string | null; errorCode: number }[] }[];
}
export interface DescribeGroupsRequest { groups: string[] }
export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: { errorCode: number; groupId: string; groupState: string; protocolType: string; protocolData: string;
    members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
      memberMetadata: Buffer; memberAssignment: Buffer }[]; authorizedOperations: number }[];
}

/**
 * Request and response bodies of the APIs the sandbox speaks. Field names are those of the apache/kafka JSON message
 * specs in lowerCamelCase. int64 values are JS numbers. Fields a version lacks are filled with the spec's default
 * on decode and skipped on encode; they are marked optional here only where the sandbox may leave them out.
 */

// --- Produce (0) ---------------------------------------------------------------------------------------------------
export interface ProduceRequest {
  transactionalId: string | null; // v3+
  acks: number;
  timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
}
export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs?: number; // v2+, default -1
  logStartOffset?: number; // v5+, default -1
  recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[]; // v8+
  errorMessage?: string | null; // v8+
}
export interface ProduceResponse {
  responses: { name: string; partitionResponses: ProducePartitionResponse[] }[];
  throttleTimeMs?: number; // v1+
}

// --- Fetch (1) -----------------------------------------------------------------------------------------------------
export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number; // v3+, default 0x7fffffff
  isolationLevel: number; // v4+, default 0
  sessionId: number; // v7+, default 0
  sessionEpoch: number; // v7+, default -1
  topics: {
    topic: string;
    partitions: {
      partition: number;
      currentLeaderEpoch: number; // v9+, default -1
      fetchOffset: number;
      logStartOffset: number; // v5+, default -1
      partitionMaxBytes: number;
    }[];
  }[];
  forgottenTopicsData: { topic: string; partitions: number[] }[]; // v7+
}
export interface FetchPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset?: number; // v4+, default -1
  logStartOffset?: number; // v5+, default -1
  abortedTransactions?: { producerId: number; firstOffset: number }[] | null; // v4+
  /** Raw record batches, concatenated; may end in a partial batch, as Kafka allows. */
  records: Buffer | null;
}
export interface FetchResponse {
  throttleTimeMs?: number; // v1+
  errorCode?: number; // v7+
  sessionId?: number; // v7+
  responses: { topic: string; partitions: FetchPartitionResponse[] }[];
}

// --- ListOffsets (2) -----------------------------------------------------------------------------------------------
export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number; // v2+, default 0
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      currentLeaderEpoch: number; // v4+, default -1
      timestamp: number; // -1 latest, -2 earliest
      maxNumOffsets: number; // v0 only, default 1
    }[];
  }[];
}
export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets?: number[]; // v0 only
  timestamp?: number; // v1+, default -1
  offset?: number; // v1+, default -1
  leaderEpoch?: number; // v4+, default -1
}
export interface ListOffsetsResponse {
  throttleTimeMs?: number; // v2+
  topics: { name: string; partitions: ListOffsetsPartitionResponse[] }[];
}

// --- Metadata (3) --------------------------------------------------------------------------------------------------
export interface MetadataRequest {
  /** null = all topics (v1+); in v0 an empty list means all topics and decodes as null. */
  topics: { name: string }[] | null;
  allowAutoTopicCreation: boolean; // v4+, default true
}
export interface MetadataResponse {
  throttleTimeMs?: number; // v3+
  brokers: { nodeId: number; host: string; port: number; rack?: string | null }[];
  clusterId?: string | null; // v2+
  controllerId?: number; // v1+, default -1
  topics: {
    errorCode: number;
    name: string;
    isInternal?: boolean; // v1+
    partitions: {
      errorCode: number;
      partitionIndex: number;
      leaderId: number;
      leaderEpoch?: number; // v7+, default -1
      replicaNodes: number[];
      isrNodes: number[];
      offlineReplicas?: number[]; // v5+
    }[];
  }[];
}

// --- OffsetCommit (8) ----------------------------------------------------------------------------------------------
export interface OffsetCommitRequest {
  groupId: string;
  generationId: number; // v1+, default -1
  memberId: string; // v1+, default ''
  retentionTimeMs: number; // v2-4, default -1
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number; // v6+, default -1
      commitTimestamp: number; // v1 only, default -1
      committedMetadata: string | null;
    }[];
  }[];
}
export interface OffsetCommitResponse {
  throttleTimeMs?: number; // v3+
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

// --- OffsetFetch (9) -----------------------------------------------------------------------------------------------
export interface OffsetFetchRequest {
  groupId: string;
  /** null = every partition the group has committed (v2+). */
  topics: { name: string; partitionIndexes: number[] }[] | null;
}
export interface OffsetFetchResponse {
  throttleTimeMs?: number; // v3+
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch?: number; // v5+, default -1
      metadata: string | null;
      errorCode: number;
    }[];
  }[];
  errorCode?: number; // v2+
}

// --- FindCoordinator (10) ------------------------------------------------------------------------------------------
export interface FindCoordinatorRequest {
  key: string;
  keyType: number; // v1+, default 0 (group); 1 = transaction
}
export interface FindCoordinatorResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
  errorMessage?: string | null; // v1+
  nodeId: number;
  host: string;
  port: number;
}

// --- JoinGroup (11) ------------------------------------------------------------------------------------------------
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number; // v1+, default -1 (then the session timeout applies)
  memberId: string;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}
export interface JoinGroupResponse {
  throttleTimeMs?: number; // v2+
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

// --- Heartbeat (12) ------------------------------------------------------------------------------------------------
export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
}
export interface HeartbeatResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
}

// --- LeaveGroup (13) -----------------------------------------------------------------------------------------------
export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
}
export interface LeaveGroupResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
}

// --- SyncGroup (14) ------------------------------------------------------------------------------------------------
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  assignments: { memberId: string; assignment: Buffer }[];
}
export interface SyncGroupResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
  assignment: Buffer;
}

// --- DescribeGroups (15) -------------------------------------------------------------------------------------------
export interface DescribeGroupsRequest {
  groups: string[];
}
export interface DescribeGroupsResponse {
  throttleTimeMs?: number; // v1+
  groups: {
    errorCode: number;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: { memberId: string; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }[];
  }[];
}

// --- ApiVersions (18) ----------------------------------------------------------------------------------------------
/** v0-2 have an empty body; v3+ (flexible, not supported) name the client software. */
export interface ApiVersionsRequest {
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs?: number; // v1+
}

// --- CreateTopics (19) ---------------------------------------------------------------------------------------------
export interface CreateTopicsRequest {
  topics: {
    name: string;
    numPartitions: number; // -1 = broker default (v4+ semantics; older clients send a number)
    replicationFactor: number;
    assignments: { partitionIndex: number; brokerIds: number[] }[];
    configs: { name: string; value: string | null }[];
  }[];
  timeoutMs: number;
  validateOnly: boolean; // v1+, default false
}
export interface CreateTopicsResponse {
  throttleTimeMs?: number; // v2+
  topics: { name: string; errorCode: number; errorMessage?: string | null /* v1+ */ }[];
}

// --- DeleteTopics (20) ---------------------------------------------------------------------------------------------
export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}
export interface DeleteTopicsResponse {
  throttleTimeMs?: number; // v1+
  responses: { name: string; errorCode: number }[];
}

// --- InitProducerId (22) -------------------------------------------------------------------------------------------
export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}
export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** Request body type by API key number. */
export interface RequestByApiKey {
  0: ProduceRequest;
  1: FetchRequest;
  2: ListOffsetsRequest;
  3: MetadataRequest;
  8: OffsetCommitRequest;
  9: OffsetFetchRequest;
  10: FindCoordinatorRequest;
  11: JoinGroupRequest;
  12: HeartbeatRequest;
  13: LeaveGroupRequest;
  14: SyncGroupRequest;
  15: DescribeGroupsRequest;
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  22: InitProducerIdRequest;
}

/** Response body type by API key number. */
export interface ResponseByApiKey {
  0: ProduceResponse;
  1: FetchResponse;
  2: ListOffsetsResponse;
  3: MetadataResponse;
  8: OffsetCommitResponse;
  9: OffsetFetchResponse;
  10: FindCoordinatorResponse;
  11: JoinGroupResponse;
  12: HeartbeatResponse;
  13: LeaveGroupResponse;
  14: SyncGroupResponse;
  15: DescribeGroupsResponse;
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  22: InitProducerIdResponse;
}

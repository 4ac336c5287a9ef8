/**
 * The one catalogue of Kafka protocol error codes (the `Errors` enum of the Java client): name, number, whether a
 * client may retry the request as-is, what it means, and for the errors a user meets, what to do about it. The
 * sandbox answers with these codes, the engine and the transport decide retries and explain answers in the trace
 * with them, the host and the CLI word them for people.
 */
export interface KafkaErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly meaning: string;
  /** What a user can do about it, in plain words (the errors a producer's user meets); undefined otherwise. */
  readonly advice?: string;
}

// [code, name, retriable, meaning]
const TABLE: ReadonlyArray<readonly [number, string, boolean, string]> = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The broker hit an unexpected error while handling the request.'],
  [0, 'NONE', false, 'No error.'],
  [
    1,
    'OFFSET_OUT_OF_RANGE',
    false,
    'The requested offset is outside the range of offsets the broker keeps for the partition.',
  ],
  [2, 'CORRUPT_MESSAGE', true, 'A record batch failed its CRC check, was truncated, or is otherwise malformed.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'The broker does not host this topic or partition (yet).'],
  [4, 'INVALID_FETCH_SIZE', false, 'The fetch size requested is invalid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader right now (an election is in progress).'],
  [
    6,
    'NOT_LEADER_OR_FOLLOWER',
    true,
    'This broker is not the leader for the partition; refresh metadata and send to the new leader.',
  ],
  [
    7,
    'REQUEST_TIMED_OUT',
    true,
    'The broker did not complete the request in time (for example, replicas did not acknowledge).',
  ],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'A replica is not available for the partition.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'The request or record batch is larger than the broker accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The controller moved to another broker.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The metadata string committed with the offset is too large.'],
  [13, 'NETWORK_EXCEPTION', true, 'The connection was lost before a response arrived.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The group coordinator is still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The group coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This broker is not the coordinator for the group; look the coordinator up again.'],
  [
    17,
    'INVALID_TOPIC_EXCEPTION',
    false,
    'The topic name is invalid, or the request tried to write to an internal topic.',
  ],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The batch is larger than the configured segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Fewer in-sync replicas than min.insync.replicas; the records were not written.'],
  [
    20,
    'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
    true,
    'The records were written, but fewer in-sync replicas than required acknowledged them.',
  ],
  [21, 'INVALID_REQUIRED_ACKS', false, 'The acks value is not one of -1, 0 or 1.'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation id is not the current one.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, "The member's protocols are incompatible with the group's."],
  [24, 'INVALID_GROUP_ID', false, 'The group id is invalid (for example, empty).'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator does not know this member id.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'The session timeout is outside the range the broker allows.'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing; the member must rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The committed offset data size is not valid.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized to access the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for this cluster operation.'],
  [32, 'INVALID_TIMESTAMP', false, 'A record timestamp is outside the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The broker does not support the requested SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not valid in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The broker does not support this version of the API.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'A topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The number of partitions is invalid.'],
  [
    38,
    'INVALID_REPLICATION_FACTOR',
    false,
    'The replication factor is invalid (for example, larger than the number of brokers).',
  ],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', false, 'A configuration value is invalid.'],
  [41, 'NOT_CONTROLLER', true, 'This broker is not the controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or not valid for this broker.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'The message format (magic) is not supported; use record batch v2.'],
  [44, 'POLICY_VIOLATION', false, 'The request violates a configured broker policy.'],
  [
    45,
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    false,
    "The batch's sequence number skips ahead of what the broker expected for this idempotent producer.",
  ],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The broker already received a batch with this sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'The producer epoch is old: a newer producer with the same id has taken over.'],
  [48, 'INVALID_TXN_STATE', false, 'The transactional operation is not valid in the current transaction state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id is not assigned to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'The transaction timeout is larger than the broker allows.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on the same transaction is in progress.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'The transaction coordinator is no longer the current one.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized to use this transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled on the broker.'],
  [
    55,
    'OPERATION_NOT_ATTEMPTED',
    false,
    'The broker did not attempt this operation because another part of the request failed.',
  ],
  [56, 'KAFKA_STORAGE_ERROR', true, 'The broker hit a disk error while accessing the log.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'The requested log directory does not exist.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker has no state for this producer id (expired or never initialised).'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation token authentication is disabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'The delegation token was not found.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'The delegation token owner does not match.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests are not allowed on this connection.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for this delegation token.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group id does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session id was not found.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is invalid.'],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no endpoint for the listener the request came in on.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled on the broker.'],
  [74, 'FENCED_LEADER_EPOCH', true, "The request's leader epoch is older than the broker's."],
  [75, 'UNKNOWN_LEADER_EPOCH', true, "The request's leader epoch is newer than the broker's."],
  [
    76,
    'UNSUPPORTED_COMPRESSION_TYPE',
    false,
    'The broker does not support the compression type for this request version.',
  ],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch has changed.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'The leader high watermark has not caught up yet.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'The group member must rejoin with the member id the coordinator assigned.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group has reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member with the same group.instance.id has taken over.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader is available for the election.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'The leader election is not needed.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'The group is subscribed to the topic, so its offsets cannot be deleted.'],
  [
    87,
    'INVALID_RECORD',
    false,
    'A record failed broker validation (for example, a compacted topic record without a key).',
  ],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'There are unstable offsets that must be cleared first.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The throttling quota was exceeded.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id has fenced this one.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'The resource does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The resource is given more than once in the request.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'The credential does not meet the requirements.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'The voter set does not match (KRaft).'],
  [95, 'INVALID_UPDATE_VERSION', false, 'The update version is invalid.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'The feature update failed.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'The forwarded principal could not be deserialized.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The snapshot was not found (KRaft).'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The requested position is out of range (KRaft).'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'The broker does not know this topic id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'This broker id is already registered.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The broker id is not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'The topic id does not match the topic name.'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, 'The cluster id does not match.'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'The transactional id was not found.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'The fetch session saw inconsistent topic ids.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The replica is not eligible to join the ISR.'],
  [108, 'NEW_LEADER_ELECTED', false, 'A new leader was elected while the request was handled.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'The requested offset was moved to tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch is fenced by the group coordinator.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'The group.instance.id is still held by another member.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The assignor is not supported by the group.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'The member epoch is stale.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'The request was sent to an endpoint of the wrong type.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'This endpoint type is not supported.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'The controller id is unknown.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'The client telemetry subscription id is unknown.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'The client telemetry payload is too large.'],
  [119, 'INVALID_REGISTRATION', false, 'The controller registration is invalid.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'The transaction failed in a way that can be fixed by aborting it.'],
  [121, 'INVALID_RECORD_STATE', false, 'The record state is invalid (share groups).'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'The share session was not found.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'The share session epoch is invalid.'],
  [124, 'FENCED_STATE_EPOCH', false, 'The share coordinator state epoch is fenced.'],
  [125, 'INVALID_VOTER_KEY', false, 'The voter key does not match the receiving replica (KRaft).'],
  [126, 'DUPLICATE_VOTER', false, 'The voter is already in the voter set (KRaft).'],
  [127, 'VOTER_NOT_FOUND', false, 'The voter is not in the voter set (KRaft).'],
];

/** What to do, for the errors people meet when they produce; keyed by code. */
const ADVICE: Readonly<Record<number, string>> = {
  3: 'The topic or partition does not exist on this cluster (and the broker did not create it).',
  10: 'The record is larger than the broker or topic accepts (message.max.bytes / max.message.bytes).',
  18: 'The batch is larger than the broker accepts.',
  6: 'The broker is no longer the partition leader; the producer refreshes metadata and retries.',
  19: 'Too few in-sync replicas for acks=all (min.insync.replicas).',
  20: 'Written, but too few in-sync replicas confirmed it.',
  7: 'The broker did not answer in time.',
  29: 'This user may not write to the topic.',
  58: 'Login failed: check the SASL mechanism, user name and password.',
  17: 'The topic name is not valid.',
  2: 'The broker found the batch corrupt (CRC mismatch).',
  45: "The broker saw a gap in the idempotent producer's sequence numbers.",
  5: 'The partition has no leader right now (election in progress).',
};

/** Error codes by number, e.g. `KAFKA_ERRORS.get(6)?.name === 'NOT_LEADER_OR_FOLLOWER'`. */
export const KAFKA_ERRORS: ReadonlyMap<number, KafkaErrorInfo> = new Map(
  TABLE.map(([code, name, retriable, meaning]) => [
    code,
    Object.freeze({ code, name, retriable, meaning, advice: ADVICE[code] }),
  ]),
);

const BY_NAME: ReadonlyMap<string, KafkaErrorInfo> = new Map([...KAFKA_ERRORS.values()].map((e) => [e.name, e]));

/** The codes the sandbox and engine name in code, so call sites read `ErrorCode.NOT_ENOUGH_REPLICAS`. */
export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  SECURITY_DISABLED: 54,
  OPERATION_NOT_ATTEMPTED: 55,
  KAFKA_STORAGE_ERROR: 56,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  OFFSET_NOT_AVAILABLE: 78,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  INVALID_RECORD: 87,
  THROTTLING_QUOTA_EXCEEDED: 89,
  PRODUCER_FENCED: 90,
  TRANSACTION_ABORTABLE: 120,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** The error's Kafka name, or `UNKNOWN_ERROR_CODE_<n>` for a code this table does not know (a newer broker). */
export function errorName(code: number): string {
  return KAFKA_ERRORS.get(code)?.name ?? `UNKNOWN_ERROR_CODE_${code}`;
}

/** Whether the Java client treats this error as retriable; unknown codes are not. */
export function isRetriable(code: number): boolean {
  return KAFKA_ERRORS.get(code)?.retriable ?? false;
}

/** The plain-words meaning, for traces and logs. */
export function errorMeaning(code: number): string {
  return KAFKA_ERRORS.get(code)?.meaning ?? `Error code ${code} is not known to this version of Kafka Workbench.`;
}

/** What to do about an error, by its Kafka name (as errors carry it); undefined when there is nothing to add. */
export function errorAdvice(name: string): string | undefined {
  return BY_NAME.get(name)?.advice;
}

/** The errors about the topic a request names (the composer shows them at its topic field), by code. */
const ABOUT_TOPIC: ReadonlySet<number> = new Set([3, 17, 29, 36, 73, 100]);

/** Whether the error, by its Kafka name, is about the topic named (unknown, invalid, not authorized...). */
export function isTopicError(name: string): boolean {
  const info = BY_NAME.get(name);
  return info !== undefined && ABOUT_TOPIC.has(info.code);
}

/** `NOT_ENOUGH_REPLICAS (19)`: how traces and logs print an error code. */
export function describeError(code: number): string {
  return `${errorName(code)} (${code})`;
}

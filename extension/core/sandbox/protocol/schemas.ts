/**
 * Field layouts of the request and response bodies the sandbox speaks, transcribed from the apache/kafka JSON
 * message specs (non-flexible versions only). `v` is the spec's "versions" ("0+", "2-4", "1"), `nullable` its
 * "nullableVersions", `default` its default for versions that lack the field.
 */
export type Primitive = 'int8' | 'int16' | 'int32' | 'int64' | 'bool' | 'string' | 'bytes' | 'records';
export type FieldType = Primitive | { array: Primitive } | { structs: FieldSpec[] };

export interface FieldSpec {
  name: string;
  type: FieldType;
  v?: string;
  nullable?: string;
  default?: unknown;
}

export interface ApiSchema {
  request: FieldSpec[];
  response: FieldSpec[];
}

const f = (name: string, type: FieldType, v = '0+', extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, type, v, ...extra });
const structs = (fields: FieldSpec[]): FieldType => ({ structs: fields });
const arr = (p: Primitive): FieldType => ({ array: p });
const throttle = (v: string) => f('throttleTimeMs', 'int32', v);

export const SCHEMAS: Readonly<Record<number, ApiSchema>> = {
  // Produce
  0: {
    request: [
      f('transactionalId', 'string', '3+', { nullable: '0+', default: null }),
      f('acks', 'int16'),
      f('timeoutMs', 'int32'),
      f('topicData', structs([
        f('name', 'string'),
        f('partitionData', structs([f('index', 'int32'), f('records', 'records', '0+', { nullable: '0+', default: null })])),
      ])),
    ],
    response: [
      f('responses', structs([
        f('name', 'string'),
        f('partitionResponses', structs([
          f('index', 'int32'),
          f('errorCode', 'int16'),
          f('baseOffset', 'int64'),
          f('logAppendTimeMs', 'int64', '2+', { default: -1 }),
          f('logStartOffset', 'int64', '5+', { default: -1 }),
        ])),
      ])),
      throttle('1+'),
    ],
  },
  // Fetch
  1: {
    request: [
      f('replicaId', 'int32'),
      f('maxWaitMs', 'int32'),
      f('minBytes', 'int32'),
      f('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
      f('isolationLevel', 'int8', '4+', { default: 0 }),
      f('sessionId', 'int32', '7+', { default: 0 }),
      f('sessionEpoch', 'int32', '7+', { default: -1 }),
      f('topics', structs([
        f('topic', 'string'),
        f('partitions', structs([
          f('partition', 'int32'),
          f('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
          f('fetchOffset', 'int64'),
          f('logStartOffset', 'int64', '5+', { default: -1 }),
          f('partitionMaxBytes', 'int32'),
        ])),
      ])),
      f('forgottenTopicsData', structs([f('topic', 'string'), f('partitions', arr('int32'))]), '7+'),
    ],
    response: [
      throttle('1+'),
      f('errorCode', 'int16', '7+', { default: 0 }),
      f('sessionId', 'int32', '7+', { default: 0 }),
      f('responses', structs([
        f('topic', 'string'),
        f('partitions', structs([
          f('partitionIndex', 'int32'),
          f('errorCode', 'int16'),
          f('highWatermark', 'int64'),
          f('lastStableOffset', 'int64', '4+', { default: -1 }),
          f('logStartOffset', 'int64', '5+', { default: -1 }),
          f('abortedTransactions', structs([f('producerId', 'int64'), f('firstOffset', 'int64')]), '4+', { nullable: '4+', default: null }),
          f('records', 'records', '0+', { nullable: '0+', default: null }),
        ])),
      ])),
    ],
  },
  // ListOffsets
  2: {
    request: [
      f('replicaId', 'int32'),
      f('isolationLevel', 'int8', '2+', { default: 0 }),
      f('topics', structs([
        f('name', 'string'),
        f('partitions', structs([
          f('partitionIndex', 'int32'),
          f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
          f('timestamp', 'int64'),
          f('maxNumOffsets', 'int32', '0', { default: 1 }),
        ])),
      ])),
    ],
    response: [
      throttle('2+'),
      f('topics', structs([
        f('name', 'string'),
        f('partitions', structs([
          f('partitionIndex', 'int32'),
          f('errorCode', 'int16'),
          f('oldStyleOffsets', arr('int64'), '0'),
          f('timestamp', 'int64', '1+', { default: -1 }),
          f('offset', 'int64', '1+', { default: -1 }),
          f('leaderEpoch', 'int32', '4+', { default: -1 }),
        ])),
      ])),
    ],
  },
  // Metadata
  3: {
    request: [
      f('topics', structs([f('name', 'string')]), '0+', { nullable: '1+' }),
      f('allowAutoTopicCreation', 'bool', '4+', { default: true }),
    ],
    response: [
      throttle('3+'),
      f('brokers', structs([
        f('nodeId', 'int32'),
        f('host', 'string'),
        f('port', 'int32'),
        f('rack', 'string', '1+', { nullable: '0+', default: null }),
      ])),
      f('clusterId', 'string', '2+', { nullable: '2+', default: null }),
      f('controllerId', 'int32', '1+', { default: -1 }),
      f('topics', structs([
        f('errorCode', 'int16'),
        f('name', 'string'),
        f('isInternal', 'bool', '1+', { default: false }),
        f('partitions', structs([
          f('errorCode', 'int16'),
          f('partitionIndex', 'int32'),
          f('leaderId', 'int32'),
          f('leaderEpoch', 'int32', '7+', { default: -1 }),
          f('replicaNodes', arr('int32')),
          f('isrNodes', arr('int32')),
          f('offlineReplicas', arr('int32'), '5+'),
        ])),
      ])),
    ],
  },
  // OffsetCommit
  8: {
    request: [
      f('groupId', 'string'),
      f('generationId', 'int32', '1+', { default: -1 }),
      f('memberId', 'string', '1+', { default: '' }),
      f('retentionTimeMs', 'int64', '2-4', { default: -1 }),
      f('topics', structs([
        f('name', 'string'),
        f('partitions', structs([
          f('partitionIndex', 'int32'),
          f('committedOffset', 'int64'),
          f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
          f('commitTimestamp', 'int64', '1', { default: -1 }),
          f('committedMetadata', 'string', '0+', { nullable: '0+', default: null }),
        ])),
      ])),
    ],
    response: [
      throttle('3+'),
      f('topics', structs([f('name', 'string'), f('partitions', structs([f('partitionIndex', 'int32'), f('errorCode', 'int16')]))])),
    ],
  },
  // OffsetFetch
  9: {
    request: [
      f('groupId', 'string'),
      f('topics', structs([f('name', 'string'), f('partitionIndexes', arr('int32'))]), '0+', { nullable: '2+' }),
    ],
    response: [
      throttle('3+'),
      f('topics', structs([
        f('name', 'string'),
        f('partitions', structs([
          f('partitionIndex', 'int32'),
          f('committedOffset', 'int64'),
          f('committedLeaderEpoch', 'int32', '5+', { default: -1 }),
          f('metadata', 'string', '0+', { nullable: '0+', default: null }),
          f('errorCode', 'int16'),
        ])),
      ])),
      f('errorCode', 'int16', '2+', { default: 0 }),
    ],
  },
  // FindCoordinator
  10: {
    request: [f('key', 'string'), f('keyType', 'int8', '1+', { default: 0 })],
    response: [
      throttle('1+'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '1+', { nullable: '1+', default: null }),
      f('nodeId', 'int32'),
      f('host', 'string'),
      f('port', 'int32'),
    ],
  },
  // JoinGroup
  11: {
    request: [
      f('groupId', 'string'),
      f('sessionTimeoutMs', 'int32'),
      f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
      f('memberId', 'string'),
      f('protocolType', 'string'),
      f('protocols', structs([f('name', 'string'), f('metadata', 'bytes')])),
    ],
    response: [
      throttle('2+'),
      f('errorCode', 'int16'),
      f('generationId', 'int32', '0+', { default: -1 }),
      f('protocolName', 'string'),
      f('leader', 'string'),
      f('memberId', 'string'),
      f('members', structs([f('memberId', 'string'), f('metadata', 'bytes')])),
    ],
  },
  // Heartbeat
  12: {
    request: [f('groupId', 'string'), f('generationId', 'int32'), f('memberId', 'string')],
    response: [throttle('1+'), f('errorCode', 'int16')],
  },
  // LeaveGroup
  13: {
    request: [f('groupId', 'string'), f('memberId', 'string')],
    response: [throttle('1+'), f('errorCode', 'int16')],
  },
  // SyncGroup
  14: {
    request: [
      f('groupId', 'string'),
      f('generationId', 'int32'),
      f('memberId', 'string'),
      f('assignments', structs([f('memberId', 'string'), f('assignment', 'bytes')])),
    ],
    response: [throttle('1+'), f('errorCode', 'int16'), f('assignment', 'bytes')],
  },
  // DescribeGroups
  15: {
    request: [f('groups', arr('string'))],
    response: [
      throttle('1+'),
      f('groups', structs([
        f('errorCode', 'int16'),
        f('groupId', 'string'),
        f('groupState', 'string'),
        f('protocolType', 'string'),
        f('protocolData', 'string'),
        f('members', structs([
          f('memberId', 'string'),
          f('clientId', 'string'),
          f('clientHost', 'string'),
          f('memberMetadata', 'bytes'),
          f('memberAssignment', 'bytes'),
        ])),
      ])),
    ],
  },
  // ApiVersions
  18: {
    request: [],
    response: [
      f('errorCode', 'int16'),
      f('apiKeys', structs([f('apiKey', 'int16'), f('minVersion', 'int16'), f('maxVersion', 'int16')])),
      throttle('1+'),
    ],
  },
  // CreateTopics
  19: {
    request: [
      f('topics', structs([
        f('name', 'string'),
        f('numPartitions', 'int32'),
        f('replicationFactor', 'int16'),
        f('assignments', structs([f('partitionIndex', 'int32'), f('brokerIds', arr('int32'))])),
        f('configs', structs([f('name', 'string'), f('value', 'string', '0+', { nullable: '0+', default: null })])),
      ])),
      f('timeoutMs', 'int32'),
      f('validateOnly', 'bool', '1+', { default: false }),
    ],
    response: [
      throttle('2+'),
      f('topics', structs([
        f('name', 'string'),
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '1+', { nullable: '0+', default: null }),
      ])),
    ],
  },
  // DeleteTopics
  20: {
    request: [f('topicNames', arr('string')), f('timeoutMs', 'int32')],
    response: [throttle('1+'), f('responses', structs([f('name', 'string'), f('errorCode', 'int16')]))],
  },
  // InitProducerId
  22: {
    request: [f('transactionalId', 'string', '0+', { nullable: '0+' }), f('transactionTimeoutMs', 'int32')],
    response: [throttle('0+'), f('errorCode', 'int16'), f('producerId', 'int64', '0+', { default: -1 }), f('producerEpoch', 'int16')],
  },
};

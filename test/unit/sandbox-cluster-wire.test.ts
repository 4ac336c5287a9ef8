/**
 * The cluster's answers go through the wire codec: every API at every supported version, for a normal answer and
 * for an injected error, must encode and decode back with the error code where that version carries it.
 */
import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../extension/core/kafka/protocol/errors';
import { ApiKey, apiName, decodeRequestHeader } from '../../extension/core/kafka/protocol';
import {
  SUPPORTED_VERSIONS,
  servedKeys,
  handle,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ServedApiKey as ApiKeyNumber,
} from './protocol-test-helpers';
import { batch, fetchRequest, newCluster } from './sandbox-cluster-helpers';

const REQUESTS: Record<ApiKeyNumber, () => unknown> = {
  [ApiKey.Produce]: () => ({
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: batch(2) }] }],
  }),
  [ApiKey.Fetch]: () => fetchRequest('t', 0, 0),
  [ApiKey.ListOffsets]: () => ({
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] },
    ],
  }),
  [ApiKey.Metadata]: () => ({ topics: [{ name: 't' }], allowAutoTopicCreation: true }),
  [ApiKey.OffsetCommit]: () => ({
    groupId: 'g',
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 1,
            committedLeaderEpoch: -1,
            commitTimestamp: -1,
            committedMetadata: null,
          },
        ],
      },
    ],
  }),
  [ApiKey.OffsetFetch]: () => ({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }),
  [ApiKey.FindCoordinator]: () => ({ key: 'g', keyType: 0 }),
  [ApiKey.JoinGroup]: () => ({
    groupId: 'g',
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 10000,
    memberId: 'nobody',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  }),
  [ApiKey.Heartbeat]: () => ({ groupId: 'g', generationId: 1, memberId: 'm' }),
  [ApiKey.LeaveGroup]: () => ({ groupId: 'g', memberId: 'm' }),
  [ApiKey.SyncGroup]: () => ({ groupId: 'g', generationId: 1, memberId: 'm', assignments: [] }),
  [ApiKey.DescribeGroups]: () => ({ groups: ['g'] }),
  [ApiKey.ApiVersions]: () => ({}),
  [ApiKey.CreateTopics]: () => ({
    topics: [{ name: 'made', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: true,
  }),
  [ApiKey.DeleteTopics]: () => ({ topicNames: ['nothing'], timeoutMs: 1000 }),
  [ApiKey.InitProducerId]: () => ({ transactionalId: null, transactionTimeoutMs: 1000 }),
  [ApiKey.ListGroups]: () => ({}),
  [ApiKey.DeleteRecords]: () => ({
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 3 }] }],
    timeoutMs: 5,
  }),
  [ApiKey.OffsetForLeaderEpoch]: () => ({
    topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }],
  }),
  [ApiKey.DescribeAcls]: () => ({
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 3,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  }),
  [ApiKey.CreateAcls]: () => ({
    creations: [
      {
        resourceType: 2,
        resourceName: 't',
        resourcePatternType: 3,
        principal: 'User:x',
        host: '*',
        operation: 3,
        permissionType: 3,
      },
    ],
  }),
  [ApiKey.DeleteAcls]: () => ({
    filters: [
      {
        resourceTypeFilter: 1,
        resourceNameFilter: null,
        patternTypeFilter: 3,
        principalFilter: null,
        hostFilter: null,
        operation: 1,
        permissionType: 1,
      },
    ],
  }),
  [ApiKey.DescribeConfigs]: () => ({
    resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
    includeSynonyms: true,
  }),
  [ApiKey.AlterConfigs]: () => ({
    resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: true,
  }),
  [ApiKey.DescribeLogDirs]: () => ({ topics: null }),
  [ApiKey.CreatePartitions]: () => ({
    topics: [{ name: 't', count: 4, assignments: null }],
    timeoutMs: 5,
    validateOnly: true,
  }),
  [ApiKey.DeleteGroups]: () => ({ groupsNames: ['g'] }),
  [ApiKey.AddPartitionsToTxn]: () => ({
    v3AndBelowTransactionalId: 'tx',
    v3AndBelowProducerId: 1,
    v3AndBelowProducerEpoch: 0,
    v3AndBelowTopics: [{ name: 't', partitions: [0] }],
  }),
  [ApiKey.AddOffsetsToTxn]: () => ({ transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'g' }),
  [ApiKey.EndTxn]: () => ({ transactionalId: 'tx', producerId: 1, producerEpoch: 0, committed: true }),
  [ApiKey.TxnOffsetCommit]: () => ({
    transactionalId: 'tx',
    groupId: 'g',
    producerId: 1,
    producerEpoch: 0,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  }),
};

/** Every errorCode anywhere in a decoded response. */
function errorCodes(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) errorCodes(v, out);
  else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'errorCode' || k === 'partitionErrorCode') && typeof v === 'number') out.push(v);
      else errorCodes(v, out);
    }
  }
  return out;
}

async function roundTrip(cluster: ReturnType<typeof newCluster>['cluster'], apiKey: ApiKeyNumber, version: number) {
  const frame = encodeRequest(
    apiKey,
    version,
    { correlationId: 77, clientId: 'wire-test' },
    REQUESTS[apiKey](),
  ).subarray(4);
  const header = decodeRequestHeader(frame);
  const request = decodeRequest(apiKey, version, frame, header.bodyOffset);
  const outcome = await handle(cluster, 1, header, request);
  assert.equal(outcome.kind, 'respond', `${apiName(apiKey)} v${version}`);
  const encoded = encodeResponse(apiKey, version, 77, (outcome as { body: unknown }).body);
  assert.equal(encoded.readInt32BE(4), 77);
  return decodeResponse(apiKey, version, encoded, 8);
}

describe('SandboxCluster answers through the wire codec', () => {
  for (const key of servedKeys()) {
    const { min, max } = SUPPORTED_VERSIONS[key];
    it(`${apiName(key)} v${min}-v${max}: a normal answer and an injected error both encode and decode`, async () => {
      for (let v = min; v <= max; v++) {
        const { cluster } = newCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
        await roundTrip(cluster, key, v);
        cluster.addFault({ api: key, errorCode: ErrorCode.REQUEST_TIMED_OUT });
        const failed = await roundTrip(cluster, key, v);
        assert.ok(
          errorCodes(failed).includes(ErrorCode.REQUEST_TIMED_OUT),
          `${apiName(key)} v${v} carries the injected error: ${JSON.stringify(failed)}`,
        );
        cluster.stop();
      }
    });
  }
});

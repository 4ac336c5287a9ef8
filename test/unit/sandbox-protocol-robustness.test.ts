import { strict as assert } from 'node:assert';
import crypto from 'node:crypto';
import { ApiKey, ProtocolError, decodeRequestHeader } from '../../extension/core/kafka/protocol';
import {
  SUPPORTED_VERSIONS,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ServedApiKey as ApiKeyNumber,
} from './protocol-test-helpers';
import { Reader } from '../../extension/core/kafka/protocol/reader';
import { Writer } from '../../extension/core/kafka/protocol/writer';

const records = Buffer.from('0123456789abcdef'.repeat(8));

/** A request body per API with every field any supported version has. */
const SAMPLE_REQUESTS: Record<ApiKeyNumber, object> = {
  [ApiKey.Produce]: {
    transactionalId: 'tx',
    acks: -1,
    timeoutMs: 1000,
    topicData: [
      {
        name: 't',
        partitionData: [
          { index: 0, records },
          { index: 1, records: null },
        ],
      },
    ],
  },
  [ApiKey.Fetch]: {
    replicaId: -1,
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes: 1000,
    isolationLevel: 1,
    sessionId: 2,
    sessionEpoch: 3,
    topics: [
      {
        topic: 't',
        partitions: [{ partition: 0, currentLeaderEpoch: 4, fetchOffset: 5, logStartOffset: 6, partitionMaxBytes: 7 }],
      },
    ],
    forgottenTopicsData: [{ topic: 'x', partitions: [1] }],
  },
  [ApiKey.ListOffsets]: {
    replicaId: -1,
    isolationLevel: 1,
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 1, timestamp: -1, maxNumOffsets: 1 }] },
    ],
  },
  [ApiKey.Metadata]: { topics: [{ name: 'a' }, { name: 'b' }], allowAutoTopicCreation: false },
  [ApiKey.OffsetCommit]: {
    groupId: 'g',
    generationId: 1,
    memberId: 'm',
    retentionTimeMs: 5,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 9,
            committedLeaderEpoch: 2,
            commitTimestamp: 3,
            committedMetadata: 'md',
          },
        ],
      },
    ],
  },
  [ApiKey.OffsetFetch]: { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
  [ApiKey.FindCoordinator]: { key: 'g', keyType: 0 },
  [ApiKey.JoinGroup]: {
    groupId: 'g',
    sessionTimeoutMs: 1,
    rebalanceTimeoutMs: 2,
    memberId: '',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
  },
  [ApiKey.Heartbeat]: { groupId: 'g', generationId: 1, memberId: 'm' },
  [ApiKey.LeaveGroup]: { groupId: 'g', memberId: 'm' },
  [ApiKey.SyncGroup]: {
    groupId: 'g',
    generationId: 1,
    memberId: 'm',
    assignments: [{ memberId: 'm', assignment: Buffer.from('as') }],
  },
  [ApiKey.DescribeGroups]: { groups: ['g'] },
  [ApiKey.ApiVersions]: {},
  [ApiKey.CreateTopics]: {
    topics: [
      { name: 't', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'a', value: null }] },
    ],
    timeoutMs: 5,
    validateOnly: true,
  },
  [ApiKey.DeleteTopics]: { topicNames: ['t'], timeoutMs: 5 },
  [ApiKey.InitProducerId]: { transactionalId: null, transactionTimeoutMs: 100 },
  [ApiKey.ListGroups]: {},
  [ApiKey.DeleteRecords]: { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 3 }] }], timeoutMs: 5 },
  [ApiKey.OffsetForLeaderEpoch]: {
    topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }],
  },
  [ApiKey.DescribeAcls]: {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 3,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  },
  [ApiKey.CreateAcls]: {
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
  },
  [ApiKey.DeleteAcls]: {
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
  },
  [ApiKey.DescribeConfigs]: {
    resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
    includeSynonyms: true,
  },
  [ApiKey.AlterConfigs]: {
    resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: true,
  },
  [ApiKey.DescribeLogDirs]: { topics: null },
  [ApiKey.CreatePartitions]: { topics: [{ name: 't', count: 4, assignments: null }], timeoutMs: 5, validateOnly: true },
  [ApiKey.DeleteGroups]: { groupsNames: ['g'] },
  [ApiKey.AddPartitionsToTxn]: {
    v3AndBelowTransactionalId: 'tx',
    v3AndBelowProducerId: 5,
    v3AndBelowProducerEpoch: 1,
    v3AndBelowTopics: [{ name: 't', partitions: [0, 2] }],
  },
  [ApiKey.AddOffsetsToTxn]: { transactionalId: 'tx', producerId: 5, producerEpoch: 1, groupId: 'g' },
  [ApiKey.EndTxn]: { transactionalId: 'tx', producerId: 5, producerEpoch: 1, committed: true },
  [ApiKey.TxnOffsetCommit]: {
    transactionalId: 'tx',
    groupId: 'g',
    producerId: 5,
    producerEpoch: 1,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: 2, committedMetadata: 'md' }],
      },
    ],
  },
};

/** A response body per API with every field any supported version has. */
const SAMPLE_RESPONSES: Record<ApiKeyNumber, object> = {
  [ApiKey.Produce]: {
    responses: [
      {
        name: 't',
        partitionResponses: [{ index: 1, errorCode: 0, baseOffset: 42, logAppendTimeMs: 7, logStartOffset: 3 }],
      },
    ],
    throttleTimeMs: 5,
  },
  [ApiKey.Fetch]: {
    throttleTimeMs: 1,
    errorCode: 0,
    sessionId: 9,
    responses: [
      {
        topic: 't',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 10,
            lastStableOffset: 10,
            logStartOffset: 0,
            abortedTransactions: [{ producerId: 1, firstOffset: 2 }],
            records,
          },
        ],
      },
    ],
  },
  [ApiKey.ListOffsets]: {
    throttleTimeMs: 1,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, errorCode: 0, oldStyleOffsets: [5], timestamp: 3, offset: 5, leaderEpoch: 2 },
        ],
      },
    ],
  },
  [ApiKey.Metadata]: {
    throttleTimeMs: 1,
    brokers: [{ nodeId: 1, host: 'h', port: 9, rack: 'r' }],
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        isInternal: true,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: 4,
            replicaNodes: [1, 2],
            isrNodes: [1],
            offlineReplicas: [2],
          },
        ],
      },
    ],
  },
  [ApiKey.OffsetCommit]: {
    throttleTimeMs: 1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
  },
  [ApiKey.OffsetFetch]: {
    throttleTimeMs: 1,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: 1, metadata: 'm', errorCode: 0 }],
      },
    ],
    errorCode: 0,
  },
  [ApiKey.FindCoordinator]: { throttleTimeMs: 1, errorCode: 0, errorMessage: 'e', nodeId: 2, host: 'h', port: 9 },
  [ApiKey.JoinGroup]: {
    throttleTimeMs: 1,
    errorCode: 0,
    generationId: 3,
    protocolName: 'rr',
    leader: 'm1',
    memberId: 'm1',
    members: [{ memberId: 'm1', metadata: Buffer.from('x') }],
  },
  [ApiKey.Heartbeat]: { throttleTimeMs: 1, errorCode: 0 },
  [ApiKey.LeaveGroup]: { throttleTimeMs: 1, errorCode: 0 },
  [ApiKey.SyncGroup]: { throttleTimeMs: 1, errorCode: 0, assignment: Buffer.from('a') },
  [ApiKey.DescribeGroups]: {
    throttleTimeMs: 1,
    groups: [
      {
        errorCode: 0,
        groupId: 'g',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'rr',
        members: [
          {
            memberId: 'm',
            clientId: 'c',
            clientHost: '/h',
            memberMetadata: Buffer.from('x'),
            memberAssignment: Buffer.from('y'),
          },
        ],
      },
    ],
  },
  [ApiKey.ApiVersions]: { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 7 }], throttleTimeMs: 1 },
  [ApiKey.CreateTopics]: { throttleTimeMs: 1, topics: [{ name: 't', errorCode: 0, errorMessage: null }] },
  [ApiKey.DeleteTopics]: { throttleTimeMs: 1, responses: [{ name: 't', errorCode: 0 }] },
  [ApiKey.InitProducerId]: { throttleTimeMs: 1, errorCode: 0, producerId: 77, producerEpoch: 1 },
  [ApiKey.ListGroups]: { throttleTimeMs: 1, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] },
  [ApiKey.DeleteRecords]: {
    throttleTimeMs: 1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 3, errorCode: 0 }] }],
  },
  [ApiKey.OffsetForLeaderEpoch]: {
    throttleTimeMs: 1,
    topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 1, endOffset: 9 }] }],
  },
  [ApiKey.DescribeAcls]: { throttleTimeMs: 1, errorCode: 54, errorMessage: 'no', resources: [] },
  [ApiKey.CreateAcls]: { throttleTimeMs: 1, results: [{ errorCode: 54, errorMessage: 'no' }] },
  [ApiKey.DeleteAcls]: { throttleTimeMs: 1, filterResults: [{ errorCode: 54, errorMessage: 'no', matchingAcls: [] }] },
  [ApiKey.DescribeConfigs]: {
    throttleTimeMs: 1,
    results: [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: 't',
        configs: [
          {
            name: 'a',
            value: 'b',
            readOnly: false,
            isDefault: false,
            configSource: 1,
            isSensitive: false,
            synonyms: [{ name: 'a', value: 'b', source: 1 }],
          },
        ],
      },
    ],
  },
  [ApiKey.AlterConfigs]: {
    throttleTimeMs: 1,
    responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }],
  },
  [ApiKey.DescribeLogDirs]: {
    throttleTimeMs: 1,
    results: [
      {
        errorCode: 0,
        logDir: '/d',
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0, partitionSize: 5, offsetLag: 0, isFutureKey: false }] },
        ],
      },
    ],
  },
  [ApiKey.CreatePartitions]: { throttleTimeMs: 1, results: [{ name: 't', errorCode: 0, errorMessage: null }] },
  [ApiKey.DeleteGroups]: { throttleTimeMs: 1, results: [{ groupId: 'g', errorCode: 0 }] },
  [ApiKey.AddPartitionsToTxn]: {
    throttleTimeMs: 1,
    resultsByTopicV3AndBelow: [{ name: 't', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }] }],
  },
  [ApiKey.AddOffsetsToTxn]: { throttleTimeMs: 1, errorCode: 0 },
  [ApiKey.EndTxn]: { throttleTimeMs: 1, errorCode: 0 },
  [ApiKey.TxnOffsetCommit]: {
    throttleTimeMs: 1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
  },
};

function* everyVersion(): Generator<[ApiKeyNumber, number]> {
  for (const key of Object.keys(SUPPORTED_VERSIONS).map(Number) as ApiKeyNumber[]) {
    for (let v = SUPPORTED_VERSIONS[key].min; v <= SUPPORTED_VERSIONS[key].max; v++) yield [key, v];
  }
}

function decodeFrame(frameWithSize: Buffer): unknown {
  const frame = frameWithSize.subarray(4);
  const h = decodeRequestHeader(frame);
  return decodeRequest(h.apiKey, h.apiVersion, frame, h.bodyOffset);
}

describe('sandbox protocol codec robustness', () => {
  it('round-trips every request of every supported version byte for byte', () => {
    for (const [key, v] of everyVersion()) {
      const frame = encodeRequest(key, v, { correlationId: 7, clientId: 'c' }, SAMPLE_REQUESTS[key]);
      const again = encodeRequest(key, v, { correlationId: 7, clientId: 'c' }, decodeFrame(frame));
      assert.ok(again.equals(frame), `api ${key} v${v}`);
    }
  });

  it('round-trips every response of every supported version byte for byte, and truncations throw ProtocolError', () => {
    for (const [key, v] of everyVersion()) {
      const frame = encodeResponse(key, v, 7, SAMPLE_RESPONSES[key]);
      assert.ok(encodeResponse(key, v, 7, decodeResponse(key, v, frame, 8)).equals(frame), `api ${key} v${v}`);
      for (let cut = 8; cut < frame.length; cut++)
        assert.throws(() => decodeResponse(key, v, frame.subarray(0, cut), 8), ProtocolError);
    }
  });

  it('throws ProtocolError for every truncation of every request body', () => {
    for (const [key, v] of everyVersion()) {
      const frame = encodeRequest(key, v, { correlationId: 7, clientId: 'c' }, SAMPLE_REQUESTS[key]).subarray(4);
      const { bodyOffset } = decodeRequestHeader(frame);
      for (let cut = bodyOffset; cut < frame.length; cut++) {
        assert.throws(
          () => decodeRequest(key, v, frame.subarray(0, cut), bodyOffset),
          ProtocolError,
          `api ${key} v${v} cut at ${cut}`,
        );
      }
    }
  });

  it('throws ProtocolError for truncated request headers', () => {
    const frame = encodeRequest(
      ApiKey.Metadata,
      1,
      { correlationId: 7, clientId: 'client' },
      { topics: null },
    ).subarray(4);
    for (let cut = 0; cut < 16; cut++)
      assert.throws(() => decodeRequestHeader(frame.subarray(0, cut)), ProtocolError, `cut ${cut}`);
  });

  it('decodes random bytes as a request of any API and version, or throws ProtocolError: nothing else, no hang', () => {
    const versions = [...everyVersion()];
    for (let i = 0; i < 3000; i++) {
      const [key, v] = versions[i % versions.length]!;
      const bytes = crypto.randomBytes(1 + (i % 97));
      try {
        decodeRequest(key, v, bytes, 0);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, `api ${key} v${v}: ${String(e)}`);
      }
      try {
        decodeRequestHeader(bytes);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, String(e));
      }
    }
  });

  it('survives mutated valid requests: each decodes or throws ProtocolError', () => {
    for (const [key, v] of everyVersion()) {
      const frame = encodeRequest(key, v, { correlationId: 1, clientId: 'c' }, SAMPLE_REQUESTS[key]).subarray(4);
      for (let i = 0; i < 200; i++) {
        const m = Buffer.from(frame);
        m[crypto.randomInt(m.length)] = crypto.randomInt(256);
        try {
          const h = decodeRequestHeader(m);
          decodeRequest(h.apiKey, h.apiVersion, m, h.bodyOffset);
        } catch (e) {
          assert.ok(e instanceof ProtocolError, `api ${key} v${v}: ${String(e)}`);
        }
      }
    }
  });

  it('refuses an array count larger than the frame without allocating it', () => {
    const body = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    assert.throws(() => decodeRequest(ApiKey.DescribeGroups, 0, body, 0), /cannot fit/);
    assert.throws(() => decodeRequest(ApiKey.Metadata, 1, Buffer.from([0xff, 0xff, 0xff, 0xfe]), 0), ProtocolError);
  });

  it('refuses an API or version it does not serve with a ProtocolError naming it', () => {
    assert.throws(() => decodeRequest(99, 0, Buffer.alloc(0), 0), /Unknown API key 99/);
    assert.throws(
      () => decodeRequest(ApiKey.Produce, 9, Buffer.alloc(0), 0),
      /Produce v9 is not supported \(supported: v0-v8\)/,
    );
    assert.throws(() => encodeResponse(ApiKey.Fetch, 11, 1, {}), ProtocolError);
  });

  it('reads the flexible v2 header of an ApiVersions v3 request (what Java clients send first)', () => {
    // apiKey 18, version 3, correlation 5, clientId "java", tagged fields: one field (tag 0, 2 bytes), then the compact body
    const frame = Buffer.from([
      0, 18, 0, 3, 0, 0, 0, 5, 0, 4, 0x6a, 0x61, 0x76, 0x61, 1, 0, 2, 0xaa, 0xbb, 5, 0x6a, 0x61, 0x76, 0x61, 2, 0x31, 0,
    ]);
    assert.deepEqual(decodeRequestHeader(frame), {
      apiKey: 18,
      apiVersion: 3,
      correlationId: 5,
      clientId: 'java',
      bodyOffset: 19,
    });
  });

  it('reads a header with a null client id', () => {
    const frame = Buffer.from([0, 3, 0, 1, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual(decodeRequestHeader(frame), {
      apiKey: 3,
      apiVersion: 1,
      correlationId: 9,
      clientId: null,
      bodyOffset: 10,
    });
  });

  it('decodes Produce without copying the records bytes', () => {
    const frame = encodeRequest(
      ApiKey.Produce,
      7,
      { correlationId: 1, clientId: null },
      SAMPLE_REQUESTS[ApiKey.Produce],
    ).subarray(4);
    const h = decodeRequestHeader(frame);
    const req = decodeRequest(ApiKey.Produce, 7, frame, h.bodyOffset);
    const got = req.topicData[0]!.partitionData[0]!.records!;
    assert.ok(got.equals(records));
    assert.equal(got.buffer, frame.buffer);
    assert.equal(req.topicData[0]!.partitionData[1]!.records, null);
  });

  it('encodes int64 values across the 32-bit boundary and negative ones exactly', () => {
    for (const n of [0, -1, -2, 2 ** 32, 2 ** 32 - 1, 2 ** 53 - 1, -(2 ** 40)]) {
      const w = new Writer();
      w.int64(n);
      assert.equal(new Reader(w.toBuffer()).int64(), n);
    }
  });

  it('keeps large byte fields as chunks and writes them once, in order', () => {
    const big = crypto.randomBytes(100_000);
    const frame = encodeResponse(ApiKey.Fetch, 10, 3, {
      responses: [
        {
          topic: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0, highWatermark: 1, records: big },
            { partitionIndex: 1, errorCode: 0, highWatermark: 0, records: null },
          ],
        },
      ],
    });
    const res = decodeResponse(ApiKey.Fetch, 10, frame, 8);
    assert.ok(res.responses[0]!.partitions[0]!.records!.equals(big));
    assert.equal(res.responses[0]!.partitions[1]!.records, null);
    assert.equal(frame.readInt32BE(0), frame.length - 4);
  });
});

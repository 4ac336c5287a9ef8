import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { ApiKey, ProtocolError, decodeRequestHeader } from '../../extension/core/kafka/protocol';
import { RequestDispatcher } from '../../extension/core/sandbox/server/request-dispatcher';
import {
  SUPPORTED_VERSIONS,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ServedApiKey as ApiKeyNumber,
} from './protocol-test-helpers';
import { readRecordBatches, decodeRecords } from '../../extension/core/kafka/record-batch';
import type * as M from '../../extension/core/kafka/protocol';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- kafkajs's internal modules have no type declarations (nor types for what they return) */
const KAFKAJS = path.dirname(require.resolve('kafkajs/package.json'));
const kafkajsRequestFrame: (o: object) => Promise<{ buffer: Buffer }> = require('kafkajs/src/protocol/request');
const kjs = (api: string, v: number, kind: 'request' | 'response') =>
  require(path.join(KAFKAJS, 'src/protocol/requests', api, `v${v}`, `${kind}.js`));

/** Versions of `api` that kafkajs implements and the sandbox supports. */
function sharedVersions(kafkajsDir: string, apiKey: ApiKeyNumber): number[] {
  const { min, max } = SUPPORTED_VERSIONS[apiKey];
  return fs
    .readdirSync(path.join(KAFKAJS, 'src/protocol/requests', kafkajsDir))
    .filter((d) => /^v\d+$/.test(d))
    .map((d) => Number(d.slice(1)))
    .filter((v) => v >= min && v <= max)
    .sort((a, b) => a - b);
}

/** kafkajs encodes a request frame; we decode its header and body (frame without the 4-byte size). */
async function viaKafkajs(
  kafkajsDir: string,
  v: number,
  args: object,
): Promise<{ frame: Buffer; body: any; header: ReturnType<typeof decodeRequestHeader> }> {
  const request = kjs(kafkajsDir, v, 'request')(args);
  const full = (await kafkajsRequestFrame({ correlationId: 4711, clientId: 'kafkajs-test', request })).buffer;
  assert.equal(full.readInt32BE(0), full.length - 4);
  const frame = full.subarray(4);
  const header = decodeRequestHeader(frame);
  assert.equal(header.apiVersion, v);
  assert.equal(header.correlationId, 4711);
  assert.equal(header.clientId, 'kafkajs-test');
  return { frame, header, body: decodeRequest(header.apiKey, v, frame, header.bodyOffset) };
}

/** We encode a response frame; kafkajs's decoder for that version reads it. */
async function intoKafkajs(kafkajsDir: string, apiKey: number, v: number, body: unknown): Promise<any> {
  const frame = encodeResponse(apiKey, v, 99, body);
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  assert.equal(frame.readInt32BE(4), 99);
  return kjs(kafkajsDir, v, 'response').decode(frame.subarray(8));
}

const atLeast = (v: number, min: number, value: unknown, otherwise: unknown) => (v >= min ? value : otherwise);
/* eslint-enable @typescript-eslint/no-require-imports */

describe('sandbox protocol codec against kafkajs', () => {
  describe('Produce', () => {
    for (const v of sharedVersions('produce', ApiKey.Produce)) {
      it(`v${v}: decodes kafkajs's request, records left as a view of the frame`, async () => {
        const { frame, body } = await viaKafkajs('produce', v, {
          acks: -1,
          timeout: 30000,
          transactionalId: null,
          compression: 0,
          topicData: [
            {
              topic: 'orders',
              partitions: [
                {
                  partition: 2,
                  messages: [
                    { key: 'k1', value: 'v1' },
                    { key: null, value: 'v2' },
                  ],
                },
              ],
            },
            { topic: 'b', partitions: [{ partition: 0, messages: [{ value: 'x' }] }] },
          ],
        });
        const req = body as M.ProduceRequest;
        assert.equal(req.acks, -1);
        assert.equal(req.timeoutMs, 30000);
        assert.equal(req.transactionalId, null);
        assert.deepEqual(
          req.topicData.map((t) => [t.name, t.partitionData.map((p) => p.index)]),
          [
            ['orders', [2]],
            ['b', [0]],
          ],
        );
        const records = req.topicData[0]!.partitionData[0]!.records!;
        assert.ok(Buffer.isBuffer(records));
        assert.equal(records.buffer, frame.buffer, 'records are not copied');
        if (v >= 3) {
          const [batch] = readRecordBatches(records);
          assert.deepEqual(
            (await decodeRecords(batch!)).map((r) => [r.key?.toString() ?? null, r.value?.toString()]),
            [
              ['k1', 'v1'],
              [null, 'v2'],
            ],
          );
        } else {
          assert.equal(records[16], v >= 2 ? 1 : 0, 'old message-set magic, which the cluster answers with error 43');
        }
      });
      it(`v${v}: kafkajs reads our response`, async () => {
        const res = await intoKafkajs('produce', ApiKey.Produce, v, {
          responses: [
            {
              name: 'orders',
              partitionResponses: [
                {
                  index: 2,
                  errorCode: 6,
                  baseOffset: 2 ** 40,
                  logAppendTimeMs: 1_700_000_000_000,
                  logStartOffset: 17,
                  recordErrors: [],
                  errorMessage: null,
                },
              ],
            },
          ],
          throttleTimeMs: 12,
        } satisfies M.ProduceResponse);
        const p = res.topics[0].partitions[0];
        assert.equal(res.topics[0].topicName, 'orders');
        assert.equal(p.partition, 2);
        assert.equal(p.errorCode, 6);
        assert.equal(String(v >= 3 ? p.baseOffset : p.offset), String(2 ** 40));
        if (v >= 2) assert.equal(String(v >= 3 ? p.logAppendTime : p.timestamp), '1700000000000');
        if (v >= 5) assert.equal(String(p.logStartOffset), '17');
        if (v >= 1) assert.equal(res.clientSideThrottleTime ?? res.throttleTime, 12);
      });
    }
  });

  describe('Fetch', () => {
    for (const v of sharedVersions('fetch', ApiKey.Fetch)) {
      it(`v${v}: decodes kafkajs's request`, async () => {
        const { body } = await viaKafkajs('fetch', v, {
          replicaId: -1,
          maxWaitTime: 500,
          minBytes: 1,
          maxBytes: 1048576,
          isolationLevel: 0,
          sessionId: 5,
          sessionEpoch: 6,
          topics: [
            {
              topic: 't',
              partitions: [
                { partition: 3, currentLeaderEpoch: 8, fetchOffset: 2 ** 35, logStartOffset: 4, maxBytes: 65536 },
              ],
            },
          ],
          forgottenTopics: [{ topic: 'gone', partitions: [1, 2] }],
        });
        const req = body as M.FetchRequest;
        assert.equal(req.replicaId, -1);
        assert.equal(req.maxWaitMs, 500);
        assert.equal(req.minBytes, 1);
        assert.equal(req.maxBytes, atLeast(v, 3, 1048576, 0x7fffffff));
        assert.equal(req.isolationLevel, 0);
        assert.equal(req.sessionId, atLeast(v, 7, 5, 0));
        assert.equal(req.sessionEpoch, atLeast(v, 7, 6, -1));
        const p = req.topics[0]!.partitions[0]!;
        assert.equal(req.topics[0]!.topic, 't');
        assert.deepEqual(p, {
          partition: 3,
          currentLeaderEpoch: atLeast(v, 9, 8, -1),
          fetchOffset: 2 ** 35,
          logStartOffset: atLeast(v, 5, 4, -1),
          partitionMaxBytes: 65536,
        });
        assert.deepEqual(req.forgottenTopicsData, atLeast(v, 7, [{ topic: 'gone', partitions: [1, 2] }], []));
      });
      it(`v${v}: kafkajs reads our response, records included`, async () => {
        // kafkajs's own batch encoder builds the records a partition returns
        const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0'); // eslint-disable-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
        const Record = require('kafkajs/src/protocol/recordBatch/record/v0'); // eslint-disable-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
        const records = (
          await RecordBatch({
            records: [Record({ offsetDelta: 0, key: Buffer.from('k'), value: Buffer.from('hello') })],
            lastOffsetDelta: 0,
          })
        ).buffer as Buffer;
        const res = await intoKafkajs('fetch', ApiKey.Fetch, v, {
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          responses: [
            {
              topic: 't',
              partitions: [
                {
                  partitionIndex: 3,
                  errorCode: 0,
                  highWatermark: 1,
                  lastStableOffset: 1,
                  logStartOffset: 0,
                  abortedTransactions: [],
                  records,
                },
              ],
            },
          ],
        } satisfies M.FetchResponse);
        const p = res.responses[0].partitions[0];
        assert.equal(res.responses[0].topicName, 't');
        assert.equal(p.partition, 3);
        assert.equal(String(p.highWatermark), '1');
        // kafkajs reads v2 record batches from Fetch v4+; before that a broker would down-convert to message sets.
        if (v >= 4) {
          assert.equal(p.messages.length, 1);
          assert.equal(p.messages[0].value.toString(), 'hello');
        }
      });
    }
  });

  describe('ListOffsets', () => {
    for (const v of sharedVersions('listOffsets', ApiKey.ListOffsets)) {
      it(`v${v}: decodes kafkajs's request and kafkajs reads our response`, async () => {
        const { body } = await viaKafkajs('listOffsets', v, {
          replicaId: -1,
          isolationLevel: 1,
          topics: [{ topic: 't', partitions: [{ partition: 1, timestamp: -2 }] }],
        });
        const req = body as M.ListOffsetsRequest;
        assert.equal(req.isolationLevel, atLeast(v, 2, 1, 0));
        assert.deepEqual(req.topics, [
          { name: 't', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 }] },
        ]);
        const res = await intoKafkajs('listOffsets', ApiKey.ListOffsets, v, {
          throttleTimeMs: 0,
          topics: [
            {
              name: 't',
              partitions: [
                { partitionIndex: 1, errorCode: 0, oldStyleOffsets: [77], timestamp: -1, offset: 77, leaderEpoch: -1 },
              ],
            },
          ],
        } satisfies M.ListOffsetsResponse);
        const p = res.responses[0].partitions[0];
        assert.equal(p.partition, 1);
        if (v === 0) assert.deepEqual(p.offsets.map(String), ['77']);
        else assert.equal(String(p.offset), '77');
      });
    }
  });

  describe('Metadata', () => {
    for (const v of sharedVersions('metadata', ApiKey.Metadata)) {
      it(`v${v}: decodes kafkajs's request (named topics and all topics)`, async () => {
        const named = (await viaKafkajs('metadata', v, { topics: ['a', 'b'], allowAutoTopicCreation: false }))
          .body as M.MetadataRequest;
        assert.deepEqual(named.topics, [{ name: 'a' }, { name: 'b' }]);
        assert.equal(named.allowAutoTopicCreation, atLeast(v, 4, false, true));
        // kafkajs cannot send a null list (its encoder throws), so the v1+ "all topics" frame is the spec's -1 count.
        const all =
          v === 0
            ? (await viaKafkajs('metadata', v, { topics: [] })).body
            : decodeRequest(ApiKey.Metadata, v, Buffer.from([0xff, 0xff, 0xff, 0xff, 1]), 0);
        // v0 has no null list: its "all topics" is an empty one, which the Metadata handler reads as all topics.
        assert.deepEqual((all as M.MetadataRequest).topics, v === 0 ? [] : null, 'all topics');
      });
      it(`v${v}: kafkajs reads our response`, async () => {
        const res = await intoKafkajs('metadata', ApiKey.Metadata, v, {
          throttleTimeMs: 0,
          brokers: [
            { nodeId: 1, host: '127.0.0.1', port: 9092, rack: null },
            { nodeId: 2, host: '127.0.0.1', port: 9093, rack: null },
          ],
          clusterId: 'sandbox',
          controllerId: 2,
          topics: [
            {
              errorCode: 0,
              name: 't',
              isInternal: false,
              partitions: [
                {
                  errorCode: 0,
                  partitionIndex: 0,
                  leaderId: 2,
                  leaderEpoch: 3,
                  replicaNodes: [2, 1],
                  isrNodes: [2],
                  offlineReplicas: [1],
                },
              ],
            },
          ],
        } satisfies M.MetadataResponse);
        assert.deepEqual(
          res.brokers.map((b: any) => [b.nodeId, b.host, b.port]),
          [
            [1, '127.0.0.1', 9092],
            [2, '127.0.0.1', 9093],
          ],
        );
        if (v >= 1) assert.equal(res.controllerId, 2);
        if (v >= 2) assert.equal(res.clusterId, 'sandbox');
        const p = res.topicMetadata[0].partitionMetadata[0];
        assert.equal(res.topicMetadata[0].topic, 't');
        assert.deepEqual([p.partitionId, p.leader, p.replicas, p.isr], [0, 2, [2, 1], [2]]);
        if (v >= 5) assert.deepEqual(p.offlineReplicas, [1]);
      });
    }
  });

  describe('OffsetCommit', () => {
    for (const v of sharedVersions('offsetCommit', ApiKey.OffsetCommit)) {
      it(`v${v}: decodes kafkajs's request and kafkajs reads our response`, async () => {
        const { body } = await viaKafkajs('offsetCommit', v, {
          groupId: 'g',
          groupGenerationId: 4,
          memberId: 'm-1',
          retentionTime: 60000,
          topics: [{ topic: 't', partitions: [{ partition: 0, offset: '12', timestamp: 1234, metadata: null }] }],
        });
        const req = body as M.OffsetCommitRequest;
        assert.equal(req.groupId, 'g');
        assert.equal(req.generationId, atLeast(v, 1, 4, -1));
        assert.equal(req.memberId, atLeast(v, 1, 'm-1', ''));
        assert.equal(req.retentionTimeMs, v >= 2 && v <= 4 ? 60000 : -1);
        assert.deepEqual(req.topics[0]!.partitions[0], {
          partitionIndex: 0,
          committedOffset: 12,
          committedLeaderEpoch: -1,
          commitTimestamp: v === 1 ? 1234 : -1,
          committedMetadata: null,
        });
        const res = await intoKafkajs('offsetCommit', ApiKey.OffsetCommit, v, {
          throttleTimeMs: 0,
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 27 }] }],
        });
        assert.deepEqual(res.responses, [{ topic: 't', partitions: [{ partition: 0, errorCode: 27 }] }]);
      });
    }
  });

  describe('OffsetFetch', () => {
    for (const v of sharedVersions('offsetFetch', ApiKey.OffsetFetch)) {
      it(`v${v}: decodes kafkajs's request and kafkajs reads our response`, async () => {
        const { body } = await viaKafkajs('offsetFetch', v, {
          groupId: 'g',
          topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 2 }] }],
        });
        assert.deepEqual(body, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 2] }] });
        const res = await intoKafkajs('offsetFetch', ApiKey.OffsetFetch, v, {
          throttleTimeMs: 0,
          errorCode: 0,
          topics: [
            {
              name: 't',
              partitions: [
                { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
              ],
            },
          ],
        } satisfies M.OffsetFetchResponse);
        assert.equal(res.responses[0].topic, 't');
        assert.deepEqual(
          [res.responses[0].partitions[0].partition, String(res.responses[0].partitions[0].offset)],
          [2, '-1'],
        );
      });
    }
  });

  describe('group membership APIs', () => {
    for (const v of sharedVersions('findCoordinator', ApiKey.FindCoordinator)) {
      it(`FindCoordinator v${v}`, async () => {
        const { body } = await viaKafkajs('findCoordinator', v, {
          groupId: 'my-group',
          coordinatorKey: 'my-group',
          coordinatorType: 0,
        });
        assert.deepEqual(body, { key: 'my-group', keyType: 0 });
        const res = await intoKafkajs('findCoordinator', ApiKey.FindCoordinator, v, {
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          nodeId: 3,
          host: '127.0.0.1',
          port: 9094,
        });
        assert.deepEqual(res.coordinator, { nodeId: 3, host: '127.0.0.1', port: 9094 });
      });
    }
    for (const v of sharedVersions('joinGroup', ApiKey.JoinGroup)) {
      it(`JoinGroup v${v}`, async () => {
        const { body } = await viaKafkajs('joinGroup', v, {
          groupId: 'g',
          sessionTimeout: 30000,
          rebalanceTimeout: 60000,
          memberId: '',
          protocolType: 'consumer',
          groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
        });
        const req = body as M.JoinGroupRequest;
        assert.deepEqual(
          { ...req, protocols: req.protocols.map((p) => [p.name, [...p.metadata]]) },
          {
            groupId: 'g',
            sessionTimeoutMs: 30000,
            rebalanceTimeoutMs: atLeast(v, 1, 60000, -1),
            memberId: '',
            protocolType: 'consumer',
            protocols: [['RoundRobinAssigner', [0, 1, 2]]],
          },
        );
        const res = await intoKafkajs('joinGroup', ApiKey.JoinGroup, v, {
          throttleTimeMs: 0,
          errorCode: 0,
          generationId: 5,
          protocolName: 'RoundRobinAssigner',
          leader: 'm-1',
          memberId: 'm-2',
          members: [
            { memberId: 'm-1', metadata: Buffer.from('a') },
            { memberId: 'm-2', metadata: Buffer.from('b') },
          ],
        } satisfies M.JoinGroupResponse);
        assert.deepEqual(
          [res.generationId, res.groupProtocol, res.leaderId, res.memberId],
          [5, 'RoundRobinAssigner', 'm-1', 'm-2'],
        );
        assert.deepEqual(
          res.members.map((m: any) => [m.memberId, m.memberMetadata.toString()]),
          [
            ['m-1', 'a'],
            ['m-2', 'b'],
          ],
        );
      });
    }
    for (const v of sharedVersions('syncGroup', ApiKey.SyncGroup)) {
      it(`SyncGroup v${v}`, async () => {
        const { body } = await viaKafkajs('syncGroup', v, {
          groupId: 'g',
          generationId: 5,
          memberId: 'm-1',
          groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from('A1') }],
        });
        const req = body as M.SyncGroupRequest;
        assert.deepEqual(
          [
            req.groupId,
            req.generationId,
            req.memberId,
            req.assignments.map((a) => [a.memberId, a.assignment.toString()]),
          ],
          ['g', 5, 'm-1', [['m-1', 'A1']]],
        );
        const res = await intoKafkajs('syncGroup', ApiKey.SyncGroup, v, {
          throttleTimeMs: 0,
          errorCode: 0,
          assignment: Buffer.from('A1'),
        });
        assert.equal(res.memberAssignment.toString(), 'A1');
      });
    }
    for (const v of sharedVersions('heartbeat', ApiKey.Heartbeat)) {
      it(`Heartbeat v${v}`, async () => {
        const { body } = await viaKafkajs('heartbeat', v, { groupId: 'g', groupGenerationId: 5, memberId: 'm-1' });
        assert.deepEqual(body, { groupId: 'g', generationId: 5, memberId: 'm-1' });
        assert.equal(
          (await intoKafkajs('heartbeat', ApiKey.Heartbeat, v, { throttleTimeMs: 0, errorCode: 27 })).errorCode,
          27,
        );
      });
    }
    for (const v of sharedVersions('leaveGroup', ApiKey.LeaveGroup)) {
      it(`LeaveGroup v${v}`, async () => {
        const { body } = await viaKafkajs('leaveGroup', v, { groupId: 'g', memberId: 'm-1' });
        assert.deepEqual(body, { groupId: 'g', memberId: 'm-1' });
        assert.equal((await intoKafkajs('leaveGroup', ApiKey.LeaveGroup, v, { errorCode: 25 })).errorCode, 25);
      });
    }
    for (const v of sharedVersions('describeGroups', ApiKey.DescribeGroups)) {
      it(`DescribeGroups v${v}`, async () => {
        const { body } = await viaKafkajs('describeGroups', v, { groupIds: ['g1', 'g2'] });
        assert.deepEqual(body, { groups: ['g1', 'g2'] });
        const res = await intoKafkajs('describeGroups', ApiKey.DescribeGroups, v, {
          throttleTimeMs: 0,
          groups: [
            {
              errorCode: 0,
              groupId: 'g1',
              groupState: 'Stable',
              protocolType: 'consumer',
              protocolData: 'RoundRobinAssigner',
              members: [
                {
                  memberId: 'm',
                  clientId: 'c',
                  clientHost: '/127.0.0.1',
                  memberMetadata: Buffer.from('x'),
                  memberAssignment: Buffer.from('y'),
                },
              ],
            },
          ],
        } satisfies M.DescribeGroupsResponse);
        const g = res.groups[0];
        assert.deepEqual(
          [
            g.groupId,
            g.state,
            g.protocolType,
            g.protocol,
            g.members[0].clientHost,
            g.members[0].memberAssignment.toString(),
          ],
          ['g1', 'Stable', 'consumer', 'RoundRobinAssigner', '/127.0.0.1', 'y'],
        );
      });
    }
  });

  describe('admin and producer APIs', () => {
    for (const v of sharedVersions('apiVersions', ApiKey.ApiVersions)) {
      it(`ApiVersions v${v}`, async () => {
        const { body } = await viaKafkajs('apiVersions', v, {});
        assert.deepEqual(
          body,
          { clientSoftwareName: '', clientSoftwareVersion: '' },
          'v0-v2 have no fields: the v3 ones decode to their defaults',
        );
        const res = await intoKafkajs('apiVersions', ApiKey.ApiVersions, v, {
          errorCode: 0,
          apiKeys: [
            { apiKey: 0, minVersion: 0, maxVersion: 7 },
            { apiKey: 1, minVersion: 0, maxVersion: 10 },
          ],
          throttleTimeMs: 0,
        });
        assert.deepEqual(res.apiVersions, [
          { apiKey: 0, minVersion: 0, maxVersion: 7 },
          { apiKey: 1, minVersion: 0, maxVersion: 10 },
        ]);
      });
    }
    for (const v of sharedVersions('createTopics', ApiKey.CreateTopics)) {
      it(`CreateTopics v${v}`, async () => {
        const { body } = await viaKafkajs('createTopics', v, {
          topics: [
            {
              topic: 't',
              numPartitions: 6,
              replicationFactor: 3,
              replicaAssignment: [{ partition: 0, replicas: [1, 2] }],
              configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
            },
          ],
          timeout: 5000,
          validateOnly: true,
        });
        assert.deepEqual(body, {
          topics: [
            {
              name: 't',
              numPartitions: 6,
              replicationFactor: 3,
              assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
              configs: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
            },
          ],
          timeoutMs: 5000,
          validateOnly: atLeast(v, 1, true, false),
        });
        const res = await intoKafkajs('createTopics', ApiKey.CreateTopics, v, {
          throttleTimeMs: 0,
          topics: [{ name: 't', errorCode: 36, errorMessage: 'Topic t already exists.' }],
        });
        assert.equal(res.topicErrors[0].topic, 't');
        assert.equal(res.topicErrors[0].errorCode, 36);
        if (v >= 1) assert.equal(res.topicErrors[0].errorMessage, 'Topic t already exists.');
      });
    }
    for (const v of sharedVersions('deleteTopics', ApiKey.DeleteTopics)) {
      it(`DeleteTopics v${v}`, async () => {
        const { body } = await viaKafkajs('deleteTopics', v, { topics: ['a', 'b'], timeout: 3000 });
        assert.deepEqual(body, { topicNames: ['a', 'b'], timeoutMs: 3000 });
        const res = await intoKafkajs('deleteTopics', ApiKey.DeleteTopics, v, {
          throttleTimeMs: 0,
          responses: [
            { name: 'a', errorCode: 0 },
            { name: 'b', errorCode: 3 },
          ],
        });
        assert.deepEqual(res.topicErrors, [
          { topic: 'a', errorCode: 0 },
          { topic: 'b', errorCode: 3 },
        ]);
      });
    }
    for (const v of sharedVersions('initProducerId', ApiKey.InitProducerId)) {
      it(`InitProducerId v${v}`, async () => {
        const { body } = await viaKafkajs('initProducerId', v, { transactionalId: null, transactionTimeout: 60000 });
        assert.deepEqual(body, { transactionalId: null, transactionTimeoutMs: 60000 });
        const res = await intoKafkajs('initProducerId', ApiKey.InitProducerId, v, {
          throttleTimeMs: 0,
          errorCode: 0,
          producerId: 2 ** 33 + 1,
          producerEpoch: 0,
        });
        assert.equal(String(res.producerId), String(2 ** 33 + 1));
        assert.equal(res.producerEpoch, 0);
      });
    }
  });
});

describe('sandbox protocol codec: versions kafkajs lacks, against the spec layouts', () => {
  it('Metadata v7 response puts leaderEpoch after leaderId (KIP-320)', () => {
    const frame = encodeResponse(ApiKey.Metadata, 7, 1, {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 9,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
        },
      ],
    });
    // size, correlationId, throttle, brokers[0], clusterId null, controllerId, topics[1]: errorCode, name 't', isInternal, partitions[1]: errorCode, index, leader, epoch, replicas[1], isr[1], offline[0]
    const expected = Buffer.from([
      0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x74, 0, 0, 0, 0, 1, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0,
    ]);
    assert.deepEqual([...frame.subarray(4)], [...expected]);
  });

  it('ListOffsets v4 request carries currentLeaderEpoch before the timestamp', () => {
    const body = Buffer.from([
      0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xfe,
    ]);
    assert.deepEqual(decodeRequest(ApiKey.ListOffsets, 4, body, 0), {
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 2, currentLeaderEpoch: 5, timestamp: -2, maxNumOffsets: 1 }] },
      ],
    });
  });

  it('OffsetFetch v5 response carries committedLeaderEpoch; v2+ a null topic list means all', () => {
    const res = decodeResponse(
      ApiKey.OffsetFetch,
      5,
      encodeResponse(ApiKey.OffsetFetch, 5, 1, {
        throttleTimeMs: 3,
        errorCode: 0,
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 2, metadata: null, errorCode: 0 },
            ],
          },
        ],
      }),
      8,
    );
    assert.deepEqual(res, {
      throttleTimeMs: 3,
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 2, metadata: null, errorCode: 0 },
          ],
        },
      ],
    });
    const all = Buffer.from([0, 1, 0x67, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual(decodeRequest(ApiKey.OffsetFetch, 2, all, 0), { groupId: 'g', topics: null });
    assert.throws(() => decodeRequest(ApiKey.OffsetFetch, 1, all, 0), ProtocolError, 'null list not allowed before v2');
  });

  it('OffsetCommit v6 request carries committedLeaderEpoch and no retention time', () => {
    const body = Buffer.from([
      0, 1, 0x67, 0, 0, 0, 3, 0, 1, 0x6d, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0,
      0, 7, 0xff, 0xff,
    ]);
    assert.deepEqual(decodeRequest(ApiKey.OffsetCommit, 6, body, 0), {
      groupId: 'g',
      generationId: 3,
      memberId: 'm',
      retentionTimeMs: -1,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 42,
              committedLeaderEpoch: 7,
              commitTimestamp: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
  });

  it('OffsetFetch v0 and DeleteTopics v2-3 round-trip', () => {
    for (const v of [2, 3]) {
      const frame = encodeRequest(
        ApiKey.DeleteTopics,
        v,
        { correlationId: 1, clientId: 'c' },
        { topicNames: ['x'], timeoutMs: 10 },
      );
      const h = decodeRequestHeader(frame.subarray(4));
      assert.deepEqual(decodeRequest(ApiKey.DeleteTopics, v, frame.subarray(4), h.bodyOffset), {
        topicNames: ['x'],
        timeoutMs: 10,
      });
      assert.deepEqual(
        decodeResponse(
          ApiKey.DeleteTopics,
          v,
          encodeResponse(ApiKey.DeleteTopics, v, 1, { throttleTimeMs: 1, responses: [{ name: 'x', errorCode: 0 }] }),
          8,
        ),
        { throttleTimeMs: 1, responses: [{ name: 'x', errorCode: 0 }] },
      );
    }
    const f0 = encodeRequest(
      ApiKey.OffsetFetch,
      0,
      { correlationId: 1, clientId: null },
      { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] },
    );
    assert.deepEqual(
      decodeRequest(ApiKey.OffsetFetch, 0, f0.subarray(4), decodeRequestHeader(f0.subarray(4)).bodyOffset),
      { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] },
    );
  });

  it('fills defaults for fields a response body leaves out', () => {
    const res = decodeResponse(
      ApiKey.Produce,
      7,
      encodeResponse(ApiKey.Produce, 7, 1, {
        responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5 }] }],
      }),
      8,
    );
    assert.deepEqual(res, {
      responses: [
        {
          name: 't',
          partitionResponses: [
            {
              index: 0,
              errorCode: 0,
              baseOffset: 5,
              logAppendTimeMs: -1,
              logStartOffset: -1,
              recordErrors: [],
              errorMessage: null,
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    });
  });
});

describe('ApiVersions of an unsupported version', () => {
  it('answers a v0 UNSUPPORTED_VERSION response listing every supported API, which kafkajs reads', async () => {
    const dispatcher = new RequestDispatcher();
    dispatcher.attach({ handle: () => assert.fail('an unsupported ApiVersions never reaches the cluster') });
    const reply = await dispatcher.handle(
      encodeRequest(ApiKey.ApiVersions, 3, { correlationId: 321, clientId: 'c' }, {}).subarray(4),
      { brokerId: 1, remote: 'test' },
    );
    assert.equal(reply.kind, 'reply');
    const frame = (reply as { frame: Buffer }).frame;
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    assert.equal(frame.readInt32BE(4), 321);
    // kafkajs treats it as "try a lower version", the behaviour a real broker's reply triggers
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
    const apiVersionsV0 = require('kafkajs/src/protocol/requests/apiVersions/v0/response.js');
    await assert.rejects(
      apiVersionsV0.decode(frame.subarray(8)),
      (e: { type?: string }) => e.type === 'UNSUPPORTED_VERSION',
    );
    const res = decodeResponse(ApiKey.ApiVersions, 0, frame, 8);
    assert.equal(res.errorCode, 35);
    assert.equal(res.apiKeys.length, 31);
    assert.deepEqual(
      res.apiKeys.find((a: { apiKey: number }) => a.apiKey === 0),
      { apiKey: 0, minVersion: 0, maxVersion: 7 },
    );
    assert.deepEqual(
      res.apiKeys.find((a: { apiKey: number }) => a.apiKey === 1),
      { apiKey: 1, minVersion: 0, maxVersion: 10 },
    );
  });
});

import assert from 'node:assert/strict';
import { ApiKey, decodeRequestBody, encodeResponse, type VersionRange } from '../../extension/core/kafka/protocol';
import type {
  IncomingResponse,
  KafkaConnection,
  KafkaConnectionOptions,
  OutgoingRequest,
} from '../../extension/core/transport/kafka-connection';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';

/** A broker on the other side of the port: answers from a script, keeps what it was sent. */
class ScriptedConnection implements KafkaConnection {
  readonly address: string;
  readonly sent: OutgoingRequest[] = [];
  throttledMs = 0;

  constructor(
    options: KafkaConnectionOptions,
    private readonly versions: Map<number, VersionRange>,
    private readonly answer: (request: OutgoingRequest) => Buffer,
  ) {
    this.address = `${options.host}:${options.port}`;
  }

  async connect(): Promise<void> {}
  isConnected(): boolean {
    return true;
  }
  apiVersions(): ReadonlyMap<number, VersionRange> {
    return this.versions;
  }
  async send(request: OutgoingRequest): Promise<IncomingResponse> {
    this.sent.push(request);
    // The codec frames responses with their size and correlation id; the port hands over what follows the id.
    const payload = request.expectResponse ? this.answer(request).subarray(8) : null;
    return { payload, correlationId: this.sent.length, requestBytes: request.body.length, sentAtMs: 0, durationMs: 1 };
  }
  throttle(ms: number): void {
    this.throttledMs = ms;
  }
  async close(): Promise<void> {}
}

const METADATA = {
  throttleTimeMs: 0,
  brokers: [{ nodeId: 7, host: 'b', port: 9092, rack: null }],
  clusterId: 'c',
  controllerId: 7,
  topics: [
    {
      errorCode: 0,
      name: 't',
      isInternal: false,
      partitions: [
        {
          errorCode: 0,
          partitionIndex: 0,
          leaderId: 7,
          leaderEpoch: 0,
          replicaNodes: [7],
          isrNodes: [7],
          offlineReplicas: [],
        },
      ],
    },
  ],
};

function transportWith(versions: Record<number, VersionRange>, produceAnswer: (version: number) => unknown) {
  const connections: ScriptedConnection[] = [];
  const transport = new KafkaTransport(
    { brokers: ['b:9092'] },
    {
      connectionFactory: (options) => {
        const c = new ScriptedConnection(
          options,
          new Map(Object.entries(versions).map(([k, v]) => [Number(k), v])),
          (request) =>
            request.apiKey === ApiKey.Metadata
              ? encodeResponse(ApiKey.Metadata, request.apiVersion, 1, METADATA)
              : encodeResponse(ApiKey.Produce, request.apiVersion, 1, produceAnswer(request.apiVersion) as never),
        );
        connections.push(c);
        return c;
      },
    },
  );
  return { transport, connections };
}

const BROKER_2_1 = { [ApiKey.Produce]: { min: 0, max: 7 }, [ApiKey.Metadata]: { min: 0, max: 7 } };

describe('KafkaTransport over the KafkaConnection port', () => {
  it("sends the engine's record batches in the Produce body as they are, grouped by topic", async () => {
    const { transport, connections } = transportWith(BROKER_2_1, () => ({
      responses: [
        {
          name: 't',
          partitionResponses: [0, 2].map((index) => ({
            index,
            errorCode: 0,
            baseOffset: 10 + index,
            logAppendTimeMs: -1,
            logStartOffset: 0,
            recordErrors: [],
            errorMessage: null,
          })),
        },
        {
          name: 'u',
          partitionResponses: [
            {
              index: 1,
              errorCode: 6,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: -1,
              recordErrors: [],
              errorMessage: null,
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    }));
    await transport.connect();
    const big = (fill: number) => Buffer.alloc(4096, fill);
    const [a, b, c] = [big(1), big(2), big(3)];
    const r = await transport.produce(7, {
      acks: -1,
      timeoutMs: 30_000,
      partitions: [
        { topic: 't', partition: 0, records: a },
        { topic: 'u', partition: 1, records: b },
        { topic: 't', partition: 2, records: c },
      ],
    });
    const produce = connections[0]!.sent.find((s) => s.apiKey === ApiKey.Produce)!;
    assert.equal(produce.apiVersion, 7, 'the highest version both sides speak');
    assert.ok(
      [a, b, c].every((batch) => produce.body.chunks.includes(batch)),
      'the batches are the very same Buffers: not copied',
    );
    const decoded = decodeRequestBody(ApiKey.Produce, 7, Buffer.concat(produce.body.chunks), 0);
    assert.deepEqual(
      decoded.topicData.map((t) => [t.name, t.partitionData.map((p) => p.index)]),
      [
        ['t', [0, 2]],
        ['u', [1]],
      ],
    );
    assert.deepEqual(
      r.results.map((x) => [x.topic, x.partition, x.errorCode, x.baseOffset]),
      [
        ['t', 0, 0, 10],
        ['t', 2, 0, 12],
        ['u', 1, 6, -1],
      ],
    );
  });

  it('uses Produce v8 where the broker has it, and reads its error message', async () => {
    const { transport, connections } = transportWith({ ...BROKER_2_1, [ApiKey.Produce]: { min: 0, max: 11 } }, () => ({
      responses: [
        {
          name: 't',
          partitionResponses: [
            {
              index: 0,
              errorCode: 87,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: -1,
              recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: 'no key' }],
              errorMessage: 'record 0 is invalid',
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    }));
    await transport.connect();
    const [r] = (
      await transport.produce(7, {
        acks: 1,
        timeoutMs: 1000,
        partitions: [{ topic: 't', partition: 0, records: Buffer.alloc(70) }],
      })
    ).results;
    assert.equal(connections[0]!.sent.at(-1)!.apiVersion, 8);
    assert.equal(r!.errorCode, 87);
    assert.equal(r!.errorMessage, 'record 0 is invalid');
  });

  it('holds back when a v6+ answer carries a throttle time (KIP-219)', async () => {
    const { transport, connections } = transportWith(BROKER_2_1, () => ({ responses: [], throttleTimeMs: 250 }));
    await transport.connect();
    await transport.produce(7, {
      acks: 1,
      timeoutMs: 1000,
      partitions: [{ topic: 't', partition: 0, records: Buffer.alloc(70) }],
    });
    assert.equal(connections[0]!.throttledMs, 250);
  });

  it('refuses a broker without record batch v2, saying which Kafka is needed', async () => {
    const { transport } = transportWith({ ...BROKER_2_1, [ApiKey.Produce]: { min: 0, max: 2 } }, () => ({}));
    await transport.connect();
    await assert.rejects(
      transport.produce(7, {
        acks: 1,
        timeoutMs: 1000,
        partitions: [{ topic: 't', partition: 0, records: Buffer.alloc(70) }],
      }),
      /b:9092 does not accept record batch v2 \(Produce v3\+\); Kafka 0\.11 or later is needed/,
    );
  });

  it('reports a partition the broker left out of its answer as failed', async () => {
    const { transport } = transportWith(BROKER_2_1, () => ({ responses: [], throttleTimeMs: 0 }));
    await transport.connect();
    const [r] = (
      await transport.produce(7, {
        acks: 1,
        timeoutMs: 1000,
        partitions: [{ topic: 't', partition: 0, records: Buffer.alloc(70) }],
      })
    ).results;
    assert.equal(r!.errorCode, -1);
    assert.match(r!.errorMessage!, /did not include this partition/);
  });
});

import { strict as assert } from 'node:assert';
import type { HandleOutcome } from '../../extension/core/sandbox/cluster/sandbox-cluster';
import { RequestDispatcher, type RequestHandler } from '../../extension/core/sandbox/server/request-dispatcher';

/** A request frame body (no size prefix) with a v1 request header. */
function request(apiKey: number, apiVersion: number, correlationId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('test-client');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  return Buffer.concat([header, clientId, body]);
}

const allTopics = () => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(-1); // Metadata v1: null topic array = every topic
  return b;
};

/** A cluster stand-in that records what it was asked and answers as told. */
function fakeCluster(outcome: HandleOutcome) {
  const calls: { brokerId: number; apiKey: number; apiVersion: number; request: unknown }[] = [];
  return {
    calls,
    async handle(brokerId: number, header: { apiKey: number; apiVersion: number }, req: unknown) {
      calls.push({ brokerId, apiKey: header.apiKey, apiVersion: header.apiVersion, request: req });
      return outcome;
    },
  };
}

const connection = { brokerId: 2, remote: '127.0.0.1:5555' };

describe('sandbox server: RequestDispatcher', () => {
  it('decodes a request, passes it to the cluster for the right broker, and frames the response with its correlation id', async () => {
    const cluster = fakeCluster({
      kind: 'respond',
      body: { throttleTimeMs: 0, brokers: [], clusterId: 'c', controllerId: 1, topics: [] },
    });
    const d = new RequestDispatcher();
    d.attach(cluster as unknown as RequestHandler);
    const out = await d.handle(request(3, 1, 77, allTopics()), connection);
    assert.equal(cluster.calls.length, 1);
    assert.deepEqual([cluster.calls[0].brokerId, cluster.calls[0].apiKey, cluster.calls[0].apiVersion], [2, 3, 1]);
    assert.equal(out.kind, 'reply');
    const frame = (out as { frame: Buffer }).frame;
    assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
    assert.equal(frame.readInt32BE(4), 77, 'correlation id');
  });

  it('answers an ApiVersions request of an unsupported version with the v0 error-35 reply listing the versions', async () => {
    const cluster = fakeCluster({ kind: 'noResponse' });
    const d = new RequestDispatcher();
    d.attach(cluster as unknown as RequestHandler);
    const out = await d.handle(request(18, 9, 5), connection);
    assert.equal(out.kind, 'reply');
    const frame = (out as { frame: Buffer }).frame;
    assert.equal(frame.readInt32BE(4), 5);
    assert.equal(frame.readInt16BE(8), 35, 'UNSUPPORTED_VERSION');
    assert.ok(frame.readInt32BE(10) >= 16, 'lists the supported APIs');
    assert.equal(cluster.calls.length, 0);
  });

  it('closes the connection, saying why, for an unknown API key, an unsupported version or a malformed body', async () => {
    const cluster = fakeCluster({ kind: 'noResponse' });
    const d = new RequestDispatcher();
    d.attach(cluster as unknown as RequestHandler);
    const cases: [Buffer, RegExp][] = [
      [request(999, 0, 1), /unknown API key 999/],
      [request(0, 9, 1), /Produce v9 is not supported \(this broker serves v0-v7\)/],
      [request(3, 1, 1, Buffer.from([0, 0, 0, 5, 0])), /malformed Metadata v1 request/],
      [Buffer.from([0, 3]), /too short for a request header/],
      [request(3, 1, 1).subarray(0, 12), /malformed Metadata v1 request header/],
    ];
    for (const [frame, reason] of cases) {
      const out = await d.handle(frame, connection);
      assert.equal(out.kind, 'close');
      assert.match((out as { reason: string }).reason, reason);
    }
    assert.equal(cluster.calls.length, 0, 'nothing bad reached the cluster');
  });

  it('sends nothing when the cluster answers noResponse (acks=0) or drops the response (fault), logging the drop', async () => {
    const logs: string[] = [];
    for (const kind of ['noResponse', 'drop'] as const) {
      const d = new RequestDispatcher({ log: (l) => logs.push(l) });
      d.attach(fakeCluster({ kind }) as unknown as RequestHandler);
      assert.deepEqual(await d.handle(request(3, 1, 9, allTopics()), connection), { kind: 'none' });
    }
    assert.match(logs.join('\n'), /no response to Metadata correlation id 9 \(dropped by a fault/);
  });
});

/** Shared helpers for the SandboxCluster unit tests: a cluster on a FakeClock, batches, and typed request calls. */
import { strict as assert } from 'node:assert';
import { RecordBatchBuilder, recordBodySizeWithoutDeltas } from '../../extension/core/kafka/record-batch';
import { ApiKey } from '../../extension/core/kafka/protocol';
import type * as M from '../../extension/core/kafka/protocol';
import { resolveSandboxOptions, type SandboxOptions } from '../../extension/core/sandbox/cluster/options';
import { SandboxCluster, type HandleOutcome } from '../../extension/core/sandbox/cluster/sandbox-cluster';
import { FakeClock } from '../../extension/core/util/clock';
import { handle } from './protocol-test-helpers';

export const T0 = 1_700_000_000_000;

export function newCluster(options: SandboxOptions = {}) {
  const clock = new FakeClock(T0);
  const logs: string[] = [];
  const resolved = resolveSandboxOptions({ port: 0, ...options });
  const brokers = Array.from({ length: resolved.brokers }, (_, i) => ({
    id: i + 1,
    host: '127.0.0.1',
    port: 19092 + i,
  }));
  const cluster = new SandboxCluster(resolved, brokers, { clock, log: (l) => logs.push(l) });
  return { cluster, clock, logs };
}

export interface BatchOptions {
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  timestamp?: number;
  valueSize?: number;
}

/** A v2 batch of `count` records with values `v0`, `v1`, ... (or `valueSize` bytes each). */
export function batch(count: number, o: BatchOptions = {}): Buffer {
  const ts = o.timestamp ?? T0 - 1000;
  const b = new RecordBatchBuilder(1024 + count * (64 + (o.valueSize ?? 8)), ts);
  for (let i = 0; i < count; i++) {
    const value = o.valueSize ? Buffer.alloc(o.valueSize, 97) : Buffer.from(`v${i}`);
    const key = Buffer.from(`k${i}`);
    assert.ok(b.tryAppend(ts + i, key, value, undefined, recordBodySizeWithoutDeltas(key, value)) >= 0);
  }
  return b.build({
    producerId: o.producerId ?? -1,
    producerEpoch: o.producerEpoch ?? -1,
    baseSequence: o.baseSequence ?? -1,
  });
}

const header = (apiKey: number, apiVersion: number) => ({ apiKey, apiVersion, correlationId: 1, clientId: 'test' });

export async function call<T>(
  cluster: SandboxCluster,
  brokerId: number,
  apiKey: number,
  version: number,
  request: unknown,
): Promise<T> {
  const outcome: HandleOutcome = await handle(cluster, brokerId, header(apiKey, version), request);
  assert.equal(outcome.kind, 'respond', `expected a response, got ${outcome.kind}`);
  return (outcome as { body: T }).body;
}

export function produceRequest(topic: string, partition: number, records: Buffer | null, acks = -1): M.ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 30000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

/** Produces one request to one partition and returns that partition's answer. */
export async function produce(
  cluster: SandboxCluster,
  brokerId: number,
  topic: string,
  partition: number,
  records: Buffer | null,
  acks = -1,
) {
  const r = await call<M.ProduceResponse>(
    cluster,
    brokerId,
    ApiKey.Produce,
    7,
    produceRequest(topic, partition, records, acks),
  );
  return r.responses[0].partitionResponses[0];
}

export function fetchRequest(
  topic: string,
  partition: number,
  fetchOffset: number,
  o: Partial<M.FetchRequest> & { partitionMaxBytes?: number; currentLeaderEpoch?: number } = {},
): M.FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    forgottenTopicsData: [],
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: o.currentLeaderEpoch ?? -1,
            fetchOffset,
            logStartOffset: -1,
            partitionMaxBytes: o.partitionMaxBytes ?? 1024 * 1024,
          },
        ],
      },
    ],
  };
}

export async function fetchPartition(cluster: SandboxCluster, brokerId: number, req: M.FetchRequest) {
  const r = await call<M.FetchResponse>(cluster, brokerId, ApiKey.Fetch, 10, req);
  return r.responses[0].partitions[0];
}

export function leaderOf(cluster: SandboxCluster, topic: string, partition: number): number {
  const t = cluster.state().topics.find((x) => x.name === topic);
  assert.ok(t, `topic ${topic} exists`);
  return t.partitions[partition].leader;
}

export function partitionState(cluster: SandboxCluster, topic: string, partition: number) {
  const t = cluster.state().topics.find((x) => x.name === topic);
  assert.ok(t, `topic ${topic} exists`);
  return t.partitions[partition];
}

/** A broker that is up but does not lead the partition. */
export function nonLeaderOf(cluster: SandboxCluster, topic: string, partition: number): number {
  const s = cluster.state();
  const leader = leaderOf(cluster, topic, partition);
  return s.brokers.find((b) => b.up && b.id !== leader)!.id;
}

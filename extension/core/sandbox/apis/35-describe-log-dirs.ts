/** DescribeLogDirs v0-v1: one log dir per broker (the sandbox keeps logs in memory), with the replicas it holds. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

/** The log dir the sandbox reports (Kafka's default log.dirs). */
export const SANDBOX_LOG_DIR = '/tmp/kafka-logs';

export const describeLogDirs: SandboxApi<typeof ApiKey.DescribeLogDirs> = {
  key: ApiKey.DescribeLogDirs,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call) {
    const wanted = (topic: string, partition: number) =>
      req.topics === null || req.topics.some((t) => t.topic === topic && t.partitions.includes(partition));
    const byTopic = new Map<
      string,
      { partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }[]
    >();
    for (const p of ctx.model.allPartitions()) {
      if (!p.replicas.includes(call.brokerId) || !wanted(p.topic, p.index)) continue;
      const list = byTopic.get(p.topic) ?? [];
      list.push({ partitionIndex: p.index, partitionSize: p.log.bytes, offsetLag: 0, isFutureKey: false });
      byTopic.set(p.topic, list);
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    return { throttleTimeMs: 0, results: [{ errorCode: ErrorCode.NONE, logDir: SANDBOX_LOG_DIR, topics }] };
  },
  errorResponse: (_req, errorCode) => ({
    throttleTimeMs: 0,
    results: [{ errorCode, logDir: SANDBOX_LOG_DIR, topics: [] }],
  }),
};

/**
 * OffsetForLeaderEpoch v0-v2: the end offset of a leader epoch, from the epochs' start offsets (Kafka's leader epoch
 * cache): the current epoch ends at the log end; an older one where the next began; an unknown newer one -1.
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { Partition } from '../cluster/cluster-model';
import { partitionError } from '../cluster/faults';
import type { SandboxApi } from './api';

export const offsetForLeaderEpoch: SandboxApi<typeof ApiKey.OffsetForLeaderEpoch> = {
  key: ApiKey.OffsetForLeaderEpoch,
  versions: { min: 0, max: 2 },
  handle(ctx, req, call, faults) {
    const topics = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((op) => {
        const fail = (errorCode: number) => ({ errorCode, partition: op.partition, leaderEpoch: -1, endOffset: -1 });
        const fault = partitionError(faults, t.topic, op.partition);
        if (fault) return fail(fault.errorCode);
        const p = ctx.model.partition(t.topic, op.partition);
        if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (p.leader !== call.brokerId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        if (op.currentLeaderEpoch >= 0 && op.currentLeaderEpoch < p.leaderEpoch)
          return fail(ErrorCode.FENCED_LEADER_EPOCH);
        if (op.currentLeaderEpoch > p.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
        return { errorCode: ErrorCode.NONE, partition: op.partition, ...endOffsetFor(p, op.leaderEpoch) };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 })),
    })),
  }),
  partitions: (req) => req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition }))),
};

/** Kafka's LeaderEpochFileCache.endOffsetFor. */
function endOffsetFor(p: Partition, requested: number): { leaderEpoch: number; endOffset: number } {
  if (requested < 0) return { leaderEpoch: -1, endOffset: -1 };
  if (requested === p.leaderEpoch) return { leaderEpoch: p.leaderEpoch, endOffset: p.log.highWatermark };
  const later = p.epochStarts.filter((e) => e.epoch > requested);
  if (later.length === 0) return { leaderEpoch: -1, endOffset: -1 };
  const earlier = p.epochStarts.filter((e) => e.epoch <= requested);
  return {
    leaderEpoch: earlier.length ? earlier[earlier.length - 1].epoch : requested,
    endOffset: later[0].startOffset,
  };
}

/**
 * DeleteRecords v0-v1: the leader moves a partition's log start offset up to the asked offset (-1: the high
 * watermark); Fetch and ListOffsets then start there. Beyond the high watermark: OFFSET_OUT_OF_RANGE; internal topics
 * refuse it (INVALID_TOPIC_EXCEPTION).
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import { partitionError } from '../cluster/faults';
import { isInternalTopic } from '../../kafka/rules/topic-name';
import type { SandboxApi } from './api';

export const deleteRecords: SandboxApi<typeof ApiKey.DeleteRecords> = {
  key: ApiKey.DeleteRecords,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call, faults) {
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((dp) => {
        const fail = (errorCode: number) => ({ partitionIndex: dp.partitionIndex, lowWatermark: -1, errorCode });
        const fault = partitionError(faults, t.name, dp.partitionIndex);
        if (fault) return fail(fault.errorCode);
        const p = ctx.model.partition(t.name, dp.partitionIndex);
        if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        // As Kafka's ReplicaManager: "Cannot delete records of internal topic".
        if (isInternalTopic(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
        if (p.leader !== call.brokerId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        const offset = dp.offset === -1 ? p.log.highWatermark : dp.offset;
        if (offset < 0 || offset > p.log.highWatermark) return fail(ErrorCode.OFFSET_OUT_OF_RANGE);
        if (offset > p.log.logStartOffset) ctx.model.deleteRecords(p, offset);
        return { partitionIndex: dp.partitionIndex, lowWatermark: p.log.logStartOffset, errorCode: ErrorCode.NONE };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })),
    })),
  }),
  partitions: (req) =>
    req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex }))),
};

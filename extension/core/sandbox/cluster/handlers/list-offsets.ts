/**
 * ListOffsets: -1 = the latest offset (high watermark), -2 = the earliest (log start), any other value = the first
 * offset whose batch holds a timestamp at or after it. Only the partition's leader answers.
 */
import { ErrorCode } from '../../../kafka/error-codes';
import type * as M from '../../protocol/messages';
import type { ClusterModel } from '../cluster-model';
import { partitionError, type FaultEffect } from '../faults';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export function handleListOffsets(model: ClusterModel, brokerId: number, req: M.ListOffsetsRequest, faults: FaultEffect | null): M.ListOffsetsResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((lp): M.ListOffsetsPartitionResponse => {
        const fail = (errorCode: number) => ({ partitionIndex: lp.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 });
        const fault = partitionError(faults, t.name, lp.partitionIndex);
        if (fault) return fail(fault.errorCode);
        const p = model.partition(t.name, lp.partitionIndex);
        if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (p.leader !== brokerId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        if (lp.currentLeaderEpoch >= 0 && lp.currentLeaderEpoch < p.leaderEpoch) return fail(ErrorCode.FENCED_LEADER_EPOCH);
        if (lp.currentLeaderEpoch > p.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
        let offset: number;
        let timestamp = -1;
        if (lp.timestamp === LATEST_TIMESTAMP) offset = p.log.highWatermark;
        else if (lp.timestamp === EARLIEST_TIMESTAMP) offset = p.log.logStartOffset;
        else {
          // Batch granularity: records are not decoded, so the answer is the start of the first batch that
          // reaches the timestamp (a consumer seeking there may see a few earlier records of that batch).
          const batch = p.log.firstBatchAtOrAfterTime(lp.timestamp);
          offset = batch ? batch.baseOffset : -1;
          timestamp = batch ? batch.maxTimestamp : -1;
        }
        return {
          partitionIndex: lp.partitionIndex,
          errorCode: ErrorCode.NONE,
          oldStyleOffsets: offset >= 0 ? [offset] : [],
          timestamp,
          offset,
          leaderEpoch: p.leaderEpoch,
        };
      }),
    })),
  };
}

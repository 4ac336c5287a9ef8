/**
 * ListOffsets v0-v4: -1 = the latest offset (high watermark; the last stable offset for read_committed, v2+), -2 =
 * the earliest (log start), any other value = the first offset whose record timestamp is at or after it. Only the
 * partition's leader answers.
 */
import { ApiKey, ErrorCode, type ListOffsetsRequest, type ListOffsetsResponse } from '../../kafka/protocol';
import { decodeRecords } from '../../kafka/record-batch';
import type { StoredBatch } from '../cluster/partition-log';
import type { ClusterModel } from '../cluster/cluster-model';
import { partitionError, type FaultEffect } from '../cluster/faults';
import type { SandboxApi } from './api';

type ListOffsetsPartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];

export const listOffsets: SandboxApi<typeof ApiKey.ListOffsets> = {
  key: ApiKey.ListOffsets,
  versions: { min: 0, max: 4 },
  handle: (ctx, req, call, faults) => handleListOffsets(ctx.model, call.brokerId, req, faults),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
        oldStyleOffsets: [],
        timestamp: -1,
        offset: -1,
        leaderEpoch: -1,
      })),
    })),
  }),
  partitions: (req) =>
    req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex }))),
};

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

async function handleListOffsets(
  model: ClusterModel,
  brokerId: number,
  req: ListOffsetsRequest,
  faults: FaultEffect | null,
): Promise<ListOffsetsResponse> {
  return {
    throttleTimeMs: 0,
    topics: await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (lp): Promise<ListOffsetsPartitionResponse> => {
            const fail = (errorCode: number) => ({
              partitionIndex: lp.partitionIndex,
              errorCode,
              oldStyleOffsets: [],
              timestamp: -1,
              offset: -1,
              leaderEpoch: -1,
            });
            const fault = partitionError(faults, t.name, lp.partitionIndex);
            if (fault) return fail(fault.errorCode);
            const p = model.partition(t.name, lp.partitionIndex);
            if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            if (p.leader !== brokerId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
            if (lp.currentLeaderEpoch >= 0 && lp.currentLeaderEpoch < p.leaderEpoch)
              return fail(ErrorCode.FENCED_LEADER_EPOCH);
            if (lp.currentLeaderEpoch > p.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
            let offset: number;
            let timestamp = -1;
            if (lp.timestamp === LATEST_TIMESTAMP)
              offset = req.isolationLevel === 1 ? p.log.lastStableOffset : p.log.highWatermark;
            else if (lp.timestamp === EARLIEST_TIMESTAMP) offset = p.log.logStartOffset;
            else {
              const batch = p.log.firstBatchAtOrAfterTime(lp.timestamp);
              const found = batch ? await firstRecordAtOrAfter(batch, lp.timestamp) : null;
              offset = found ? found.offset : -1;
              timestamp = found ? found.timestamp : -1;
            }
            return {
              partitionIndex: lp.partitionIndex,
              errorCode: ErrorCode.NONE,
              oldStyleOffsets: offset >= 0 ? [offset] : [],
              timestamp,
              offset,
              // Kafka 2.1 does not report the epoch here yet (-1); later brokers do.
              leaderEpoch: -1,
            };
          }),
        ),
      })),
    ),
  };
}

/**
 * The first record of the batch at or after `timestamp`. Every earlier batch ends before it (their max timestamps
 * are lower), so this is the partition's answer. Only this one batch is decoded.
 */
async function firstRecordAtOrAfter(
  batch: StoredBatch,
  timestamp: number,
): Promise<{ offset: number; timestamp: number }> {
  try {
    const record = (await decodeRecords(batch.bytes)).find((r) => r.timestamp >= timestamp);
    if (record) return { offset: record.offset, timestamp: record.timestamp };
  } catch {
    // A batch the sandbox cannot decode (an unknown codec's bytes): answer at batch granularity.
  }
  return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
}

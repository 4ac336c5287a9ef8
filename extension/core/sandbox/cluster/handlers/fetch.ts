/**
 * Fetch: whole stored batches from the one holding the fetch offset, within the partition's and the response's
 * byte limits (at least one batch, so a consumer always progresses). No fetch sessions: sessionId is always 0.
 * Waiting for data (the long poll) is the caller's part; `readFetch` only reads.
 */
import { ErrorCode } from '../../../kafka/protocol/errors';
import type * as M from '../../protocol/messages';
import type { ClusterModel } from '../cluster-model';
import { partitionError, type FaultEffect } from '../faults';

export interface FetchRead {
  response: M.FetchResponse;
  /** Record bytes in the response. */
  bytes: number;
  /** Whether some partition answered an error (a fetch with errors is answered at once). */
  hasError: boolean;
}

const EMPTY = Buffer.alloc(0);

export function readFetch(model: ClusterModel, brokerId: number, req: M.FetchRequest, faults: FaultEffect | null): FetchRead {
  let bytes = 0;
  let hasError = false;
  let remaining = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((fp): M.FetchPartitionResponse => {
      const p = model.partition(t.topic, fp.partition);
      const answer = (errorCode: number): M.FetchPartitionResponse => {
        if (errorCode !== ErrorCode.NONE) hasError = true;
        return {
          partitionIndex: fp.partition,
          errorCode,
          highWatermark: p ? p.log.highWatermark : -1,
          lastStableOffset: p ? p.log.highWatermark : -1,
          logStartOffset: p ? p.log.logStartOffset : -1,
          abortedTransactions: null,
          records: EMPTY,
        };
      };
      const fault = partitionError(faults, t.topic, fp.partition);
      if (fault) return answer(fault.errorCode);
      if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (p.leader !== brokerId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch < p.leaderEpoch) return answer(ErrorCode.FENCED_LEADER_EPOCH);
      if (fp.currentLeaderEpoch > p.leaderEpoch) return answer(ErrorCode.UNKNOWN_LEADER_EPOCH);
      if (fp.fetchOffset < p.log.logStartOffset || fp.fetchOffset > p.log.highWatermark) return answer(ErrorCode.OFFSET_OUT_OF_RANGE);
      const limit = Math.min(fp.partitionMaxBytes, remaining);
      const batches = p.log.read(fp.fetchOffset, limit, bytes === 0);
      const ok = answer(ErrorCode.NONE);
      if (batches.length > 0) {
        ok.records = batches.length === 1 ? batches[0] : Buffer.concat(batches);
        bytes += ok.records.length;
        remaining = Math.max(0, remaining - ok.records.length);
      }
      return ok;
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes, hasError };
}

/** Partition keys (`topic\u0000partition`) a fetch reads, so an append elsewhere does not wake it. */
export function fetchedPartitionKeys(req: M.FetchRequest): Set<string> {
  const keys = new Set<string>();
  for (const t of req.topics) for (const p of t.partitions) keys.add(`${t.topic}\u0000${p.partition}`);
  return keys;
}

/**
 * TxnOffsetCommit v0-v2: a transactional producer's consumer offsets, sent to the group's coordinator; they are
 * committed with the transaction (and dropped if it aborts).
 */
import { ApiKey, ErrorCode, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const txnOffsetCommit: SandboxApi<typeof ApiKey.TxnOffsetCommit> = {
  key: ApiKey.TxnOffsetCommit,
  versions: { min: 0, max: 2 },
  handle(ctx, req, call) {
    const notHere = ctx.groups.coordinatorError(call.brokerId, req.groupId);
    if (notHere !== ErrorCode.NONE) return answer(req, () => notHere);
    const offsets = req.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: call.apiVersion >= 2 ? p.committedLeaderEpoch : -1,
        metadata: p.committedMetadata ?? '',
      })),
    );
    const code = ctx.transactions.txnOffsetCommit(
      req.transactionalId,
      req.producerId,
      req.producerEpoch,
      req.groupId,
      offsets,
    );
    return answer(req, code);
  },
  errorResponse: (req, errorCode) => answer(req, () => errorCode),
};

function answer(
  req: TxnOffsetCommitRequest,
  code: (topic: string, partition: number) => number,
): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: code(t.name, p.partitionIndex),
      })),
    })),
  };
}

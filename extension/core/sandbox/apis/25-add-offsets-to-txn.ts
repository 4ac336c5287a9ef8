/** AddOffsetsToTxn v0-v1: adds a consumer group's offsets to the producer's open transaction, at its coordinator. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const addOffsetsToTxn: SandboxApi<typeof ApiKey.AddOffsetsToTxn> = {
  key: ApiKey.AddOffsetsToTxn,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call) {
    const notHere = ctx.transactions.coordinatorError(call.brokerId, req.transactionalId);
    if (notHere !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: notHere };
    return {
      throttleTimeMs: 0,
      errorCode: ctx.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId),
    };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

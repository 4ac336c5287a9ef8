/** EndTxn v0-v1: commits or aborts the producer's transaction (markers written into each of its partitions). */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const endTxn: SandboxApi<typeof ApiKey.EndTxn> = {
  key: ApiKey.EndTxn,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call) {
    const notHere = ctx.transactions.coordinatorError(call.brokerId, req.transactionalId);
    if (notHere !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: notHere };
    return {
      throttleTimeMs: 0,
      errorCode: ctx.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed),
    };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

/**
 * InitProducerId v0-v1: without a transactional id, a fresh producer id at epoch 0 (an idempotent producer); with
 * one, asked of that id's transaction coordinator, the id's producer id under a bumped epoch (fencing older
 * producers with the same transactional id; see ../cluster/transaction-coordinator.ts).
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const initProducerId: SandboxApi<typeof ApiKey.InitProducerId> = {
  key: ApiKey.InitProducerId,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call) {
    if (req.transactionalId === null)
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...ctx.producers.initProducerId() };
    const notHere = ctx.transactions.coordinatorError(call.brokerId, req.transactionalId);
    if (notHere !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: notHere, producerId: -1, producerEpoch: -1 };
    return { throttleTimeMs: 0, ...ctx.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs) };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
};

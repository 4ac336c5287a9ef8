/**
 * InitProducerId v0-v1: a fresh producer id at epoch 0 for an idempotent producer. Transactions are not supported:
 * a transactional id is answered with UNSUPPORTED_VERSION, which clients report as an unsupported feature rather
 * than retrying.
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const initProducerId: SandboxApi<typeof ApiKey.InitProducerId> = {
  key: ApiKey.InitProducerId,
  versions: { min: 0, max: 1 },
  handle(ctx, req) {
    if (req.transactionalId !== null) {
      ctx.log(`InitProducerId for transactional id '${req.transactionalId}' refused: the sandbox does not support transactions; use an idempotent producer without transactional.id`);
      return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, producerId: -1, producerEpoch: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...ctx.producers.initProducerId() };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
};

/** AddPartitionsToTxn v0-v1: adds partitions to the producer's open transaction (opening it), at its coordinator. */
import {
  ApiKey,
  ErrorCode,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
} from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const addPartitionsToTxn: SandboxApi<typeof ApiKey.AddPartitionsToTxn> = {
  key: ApiKey.AddPartitionsToTxn,
  versions: { min: 0, max: 1 },
  handle(ctx, req, call) {
    const notHere = ctx.transactions.coordinatorError(call.brokerId, req.v3AndBelowTransactionalId);
    if (notHere !== ErrorCode.NONE) return answer(req, () => notHere);
    const codes = ctx.transactions.addPartitions(
      req.v3AndBelowTransactionalId,
      req.v3AndBelowProducerId,
      req.v3AndBelowProducerEpoch,
      req.v3AndBelowTopics.map((t) => ({ name: t.name, partitions: t.partitions })),
    );
    return answer(req, (topic, partition) => codes.get(topic)?.get(partition) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  },
  errorResponse: (req, errorCode) => answer(req, () => errorCode),
};

function answer(
  req: AddPartitionsToTxnRequest,
  code: (topic: string, partition: number) => number,
): AddPartitionsToTxnResponse {
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({
        partitionIndex,
        partitionErrorCode: code(t.name, partitionIndex),
      })),
    })),
  };
}

/**
 * Produce v0-v7: per partition, the leader checks the batches (CRC, magic, size), the ISR against
 * min.insync.replicas for acks=-1 and the producer's sequence, then stamps and appends whole batches. Records are
 * never decoded. acks=0 gets no answer; a dropped answer still writes.
 */
import { ApiKey, ErrorCode, describeError, type ProduceRequest, type ProduceResponse } from '../../kafka/protocol';
import { splitBatches, stampForAppend, type BatchHeader } from '../cluster/batch-header';
import type { Partition } from '../cluster/cluster-model';
import { partitionError, type FaultEffect } from '../cluster/faults';
import { isInternalTopic, topicNameProblem } from '../../kafka/rules/topic-name';
import { checkBatchRecords } from '../cluster/record-validation';
import type { ApiCall, ApiContext, SandboxApi } from './api';

/** The client id Kafka's own admin tools use; only its Produce requests may write to internal topics. */
export const KAFKA_ADMIN_CLIENT_ID = '__admin_client';

type PartitionAnswer = Omit<ProduceResponse['responses'][number]['partitionResponses'][number], 'index'>;

export const produce: SandboxApi<typeof ApiKey.Produce> = {
  key: ApiKey.Produce,
  versions: { min: 0, max: 7 },
  handle: (ctx, req, call, faults) => handleProduce(ctx, call, req, faults),
  errorResponse: (req, errorCode) => ({
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, ...failed(errorCode) })),
    })),
    throttleTimeMs: 0,
  }),
  partitions: (req) =>
    req.topicData.flatMap((t) => t.partitionData.map((p) => ({ topic: t.name, partition: p.index }))),
  expectsResponse: (req) => req.acks !== 0,
  servedWhenResponseDropped: true,
};

async function handleProduce(
  ctx: ApiContext,
  call: ApiCall,
  req: ProduceRequest,
  faults: FaultEffect | null,
): Promise<ProduceResponse> {
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  const responses: ProduceResponse['responses'] = [];
  // One partition after another, so appends keep the request's order.
  for (const t of req.topicData) {
    const partitionResponses: ProduceResponse['responses'][number]['partitionResponses'] = [];
    for (const pd of t.partitionData) {
      const answer = validAcks
        ? await producePartition(ctx, call, req.acks, t.name, pd.index, pd.records, faults)
        : failed(ErrorCode.INVALID_REQUIRED_ACKS);
      partitionResponses.push({ index: pd.index, ...answer });
    }
    responses.push({ name: t.name, partitionResponses });
  }
  return { responses, throttleTimeMs: 0 };
}

function failed(errorCode: number): PartitionAnswer {
  return { errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null };
}

async function producePartition(
  ctx: ApiContext,
  call: ApiCall,
  acks: number,
  topicName: string,
  index: number,
  records: Buffer | null,
  faults: FaultEffect | null,
): Promise<PartitionAnswer> {
  const fault = partitionError(faults, topicName, index);
  if (fault && !fault.afterWrite) return failed(fault.errorCode);

  const { model } = ctx;
  const { brokerId } = call;
  if (topicNameProblem(topicName)) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION);
  let topic = model.topic(topicName);
  // Internal topics are created by their coordinators, never by a producer.
  if (!topic && model.options.autoCreateTopics && !isInternalTopic(topicName)) {
    const created = model.createTopic({ name: topicName, numPartitions: -1, replicationFactor: -1 });
    if (created.errorCode !== 0) return failed(created.errorCode);
    topic = model.topic(topicName);
  }
  const p = topic?.partitions[index];
  if (!topic || !p) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (isInternalTopic(topicName) && call.clientId !== KAFKA_ADMIN_CLIENT_ID) {
    // As Kafka's ReplicaManager: only the broker's own coordinators (and its admin tools) write there.
    ctx.log(
      `broker ${brokerId}: produce to ${topicName}-${index} refused: Cannot append to internal topic ${topicName}`,
    );
    return failed(ErrorCode.INVALID_TOPIC_EXCEPTION);
  }
  if (p.leader !== brokerId) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);

  const split = splitBatches(records ?? Buffer.alloc(0));
  if (!split.ok) {
    ctx.log(
      `broker ${brokerId}: produce to ${topicName}-${index} refused with ${describeError(split.errorCode)}: ${split.reason}`,
    );
    return failed(split.errorCode);
  }
  const { batches } = split;
  const tooLarge = batches.find((b) => b.bytes.length > topic.settings.maxMessageBytes);
  if (tooLarge) {
    ctx.log(
      `broker ${brokerId}: ${topicName}-${index}: a ${tooLarge.bytes.length}-byte batch exceeds max.message.bytes ${topic.settings.maxMessageBytes}`,
    );
    return failed(ErrorCode.MESSAGE_TOO_LARGE);
  }
  if (acks === -1 && p.isr.length < topic.settings.minInsyncReplicas) return failed(ErrorCode.NOT_ENOUGH_REPLICAS);

  if (batches.length > 1) {
    // As in Kafka (ProduceRequest.validateRecords): v3+ requests carry exactly one batch per partition.
    ctx.log(
      `broker ${brokerId}: produce to ${topicName}-${index} refused: ${batches.length} record batches for one partition; Kafka allows exactly one`,
    );
    return failed(ErrorCode.CORRUPT_MESSAGE);
  }
  // Checked before anything is written: the producer-state checks and the append below run without a pause.
  const stored: Buffer[] = [];
  for (const b of batches) {
    const check = await checkBatchRecords(b, topic.settings);
    if (!check.ok) {
      ctx.log(
        `broker ${brokerId}: produce to ${topicName}-${index} refused with ${describeError(check.errorCode)}: ${check.reason}`,
      );
      return failed(check.errorCode);
    }
    stored.push(check.bytes);
  }
  if (!model.partition(topicName, index) || p.leader !== brokerId) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);

  let baseOffset = -1;
  const now = ctx.clock.now();
  const logAppendTimeMs = topic.settings.logAppendTime ? now : null;
  for (const [i, b] of batches.entries()) {
    if (b.producerId >= 0) {
      const check = ctx.producers.check(topicName, index, b);
      if (check.kind === 'error') {
        ctx.log(`broker ${brokerId}: ${topicName}-${index}: ${describeError(check.errorCode)}: ${check.reason}`);
        return failed(check.errorCode);
      }
      if (check.kind === 'duplicate') {
        // Already written: acknowledge with the original offset, write nothing.
        if (baseOffset < 0) baseOffset = check.baseOffset;
        continue;
      }
      if (b.isTransactional && !ctx.transactions.partitionInTransaction(b.producerId, topicName, index)) {
        ctx.log(
          `broker ${brokerId}: ${topicName}-${index}: a transactional batch of producer ${b.producerId} for a partition not added to its transaction with AddPartitionsToTxn`,
        );
        return failed(ErrorCode.INVALID_TXN_STATE);
      }
    }
    const written = appendBatch(ctx, p, { ...b, bytes: stored[i] }, logAppendTimeMs);
    if (b.producerId >= 0) ctx.producers.recordAppend(topicName, index, b, written);
    if (b.isTransactional) p.log.transactionalAppend(b.producerId, written);
    if (baseOffset < 0) baseOffset = written;
  }
  if (fault) return failed(fault.errorCode); // afterWrite: the records are in the log, the client is told they are not.
  return {
    errorCode: ErrorCode.NONE,
    baseOffset,
    logAppendTimeMs: logAppendTimeMs ?? -1,
    logStartOffset: p.log.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
}

function appendBatch(ctx: ApiContext, p: Partition, b: BatchHeader, logAppendTimeMs: number | null): number {
  const baseOffset = p.log.nextOffset;
  const bytes = stampForAppend(b, baseOffset, p.leaderEpoch, logAppendTimeMs);
  ctx.model.append(p, {
    baseOffset,
    lastOffset: baseOffset + b.lastOffsetDelta,
    recordCount: b.recordCount,
    maxTimestamp: logAppendTimeMs ?? b.maxTimestamp,
    bytes,
  });
  return baseOffset;
}

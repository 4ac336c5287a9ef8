/**
 * Fetch v0-v10: whole stored batches from the one holding the fetch offset, within the partition's and the
 * response's byte limits (at least one batch, so a consumer always progresses). Fetch sessions (KIP-227, v7+) as
 * Kafka 2.1 grants them: see ../cluster/fetch-sessions.ts. Answers at once when there is data (minBytes), an error,
 * or no wait; else long-polls up to maxWaitMs. read_committed (v4+, isolation level 1) reads only below the last
 * stable offset and is told the aborted transactions in what it reads, so it can drop their records.
 */
import { ApiKey, ErrorCode, type FetchRequest, type FetchResponse } from '../../kafka/protocol';
import type { ClusterModel } from '../cluster/cluster-model';
import { partitionError, type FaultEffect } from '../cluster/faults';
import { groupByTopic, sessionlessContext } from '../cluster/fetch-sessions';
import type { SandboxApi } from './api';

type FetchPartitionResponse = FetchResponse['responses'][number]['partitions'][number];

export const fetch: SandboxApi<typeof ApiKey.Fetch> = {
  key: ApiKey.Fetch,
  versions: { min: 0, max: 10 },
  handle(ctx, req, call, faults) {
    const sessions = ctx.fetchSessions(call.brokerId);
    const context = call.apiVersion >= 7 ? sessions.newContext(req) : sessionlessContext(req);
    // The session (if any) is updated once, from the answer finally sent.
    const answer = (r: FetchRead): FetchResponse => sessions.finish(context, r.response);
    if (context.kind === 'error') return sessions.finish(context, NOTHING_READ);
    const toRead: FetchRequest = {
      ...req,
      topics: groupByTopic(context.partitions.map(({ topic, ...p }) => [topic, p])),
    };
    const read = () => readFetch(ctx.model, call.brokerId, toRead, faults, call.apiVersion);
    const first = read();
    if (first.hasError || first.bytes >= req.minBytes || req.maxWaitMs <= 0 || first.known === 0) return answer(first);
    return ctx.longPoll(
      fetchedPartitionKeys(toRead),
      req.maxWaitMs,
      () => {
        const now = read();
        return now.hasError || now.bytes >= req.minBytes ? answer(now) : undefined;
      },
      () => answer(read()),
    );
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition,
        errorCode,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        abortedTransactions: null,
        records: null,
      })),
    })),
  }),
  partitions: (req) => req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition }))),
};

export interface FetchRead {
  response: FetchResponse;
  /** Record bytes in the response. */
  bytes: number;
  /** Whether some partition answered an error (a fetch with errors is answered at once). */
  hasError: boolean;
  /** How many of the partitions read exist (a fetch naming none that does is answered at once). */
  known: number;
}

const EMPTY = Buffer.alloc(0);
const NOTHING_READ: FetchResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [] };

export function readFetch(
  model: ClusterModel,
  brokerId: number,
  req: FetchRequest,
  faults: FaultEffect | null,
  version: number,
): FetchRead {
  let bytes = 0;
  let hasError = false;
  let known = 0;
  let remaining = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
  const readCommitted = req.isolationLevel === 1;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((fp): FetchPartitionResponse => {
      const p = model.partition(t.topic, fp.partition);
      if (p) known++;
      const answer = (errorCode: number): FetchPartitionResponse => {
        // As Kafka: a partition the broker does not have does not cut the wait short (the others may get data).
        if (errorCode !== ErrorCode.NONE && p) hasError = true;
        return {
          partitionIndex: fp.partition,
          errorCode,
          highWatermark: p ? p.log.highWatermark : -1,
          lastStableOffset: p ? p.log.lastStableOffset : -1,
          logStartOffset: p ? p.log.logStartOffset : -1,
          abortedTransactions: null,
          records: EMPTY,
        };
      };
      const fault = partitionError(faults, t.topic, fp.partition);
      if (fault) return answer(fault.errorCode);
      // Kafka 2.1 refuses zstd to fetches before v10, and (a quirk of the same check) answers a topic it does not
      // have this way too, with no offsets.
      const topic = model.topic(t.topic);
      if (version < 10 && (!topic || topic.settings.compression === 'zstd')) {
        return {
          ...answer(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE),
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
        };
      }
      if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (p.leader !== brokerId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch < p.leaderEpoch)
        return answer(ErrorCode.FENCED_LEADER_EPOCH);
      if (fp.currentLeaderEpoch > p.leaderEpoch) return answer(ErrorCode.UNKNOWN_LEADER_EPOCH);
      if (fp.fetchOffset < p.log.logStartOffset || fp.fetchOffset > p.log.highWatermark)
        return answer(ErrorCode.OFFSET_OUT_OF_RANGE);
      const limit = Math.min(fp.partitionMaxBytes, remaining);
      const endOffset = readCommitted ? p.log.lastStableOffset : Infinity;
      const batches = p.log.read(fp.fetchOffset, limit, bytes === 0, endOffset);
      const ok = answer(ErrorCode.NONE);
      if (readCommitted)
        ok.abortedTransactions = p.log
          .abortedTransactions(fp.fetchOffset, endOffset)
          .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
      if (batches.length > 0) {
        ok.records = batches.length === 1 ? batches[0] : Buffer.concat(batches);
        bytes += ok.records.length;
        remaining = Math.max(0, remaining - ok.records.length);
      }
      return ok;
    }),
  }));
  // As Kafka: partitions it does not have are answered after the others.
  const unknown = (x: { topic: string; p: FetchPartitionResponse }) => !model.partition(x.topic, x.p.partitionIndex);
  const flat = responses.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, p })));
  const ordered = [...flat.filter((x) => !unknown(x)), ...flat.filter((x) => unknown(x))];
  return {
    response: {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: groupByTopic(ordered.map(({ topic, p }) => [topic, p])),
    },
    bytes,
    hasError,
    known,
  };
}

/** Partition keys (`topic\u0000partition`) a fetch reads, so an append elsewhere does not wake it. */
export function fetchedPartitionKeys(req: FetchRequest): Set<string> {
  const keys = new Set<string>();
  for (const t of req.topics) for (const p of t.partitions) keys.add(`${t.topic}\u0000${p.partition}`);
  return keys;
}

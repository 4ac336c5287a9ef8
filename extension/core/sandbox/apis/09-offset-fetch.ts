/** OffsetFetch v0-v5: a group's committed offsets (every committed partition when `topics` is null, v2+). */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const offsetFetch: SandboxApi<typeof ApiKey.OffsetFetch> = {
  key: ApiKey.OffsetFetch,
  versions: { min: 0, max: 5 },
  handle: (ctx, req, call) => ctx.groups.offsetFetch(call.brokerId, req, call.apiVersion),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    topics: (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: null,
        errorCode,
      })),
    })),
  }),
};

/** OffsetCommit v0-v6: committed offsets of a group, kept by the group coordinator. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const offsetCommit: SandboxApi<typeof ApiKey.OffsetCommit> = {
  key: ApiKey.OffsetCommit,
  versions: { min: 0, max: 6 },
  handle: (ctx, req, call) => ctx.groups.offsetCommit(call.brokerId, req, call.apiVersion),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  }),
};

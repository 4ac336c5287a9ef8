/** SyncGroup v0-v2: the leader hands in the assignment; every member waits for its part. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const syncGroup: SandboxApi<typeof ApiKey.SyncGroup> = {
  key: ApiKey.SyncGroup,
  versions: { min: 0, max: 2 },
  handle: (ctx, req, call) => ctx.groups.syncGroup(call.brokerId, req, call.apiVersion),
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) }),
};

/** LeaveGroup v0-v2: removes a member, which starts a rebalance of the others. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const leaveGroup: SandboxApi<typeof ApiKey.LeaveGroup> = {
  key: ApiKey.LeaveGroup,
  versions: { min: 0, max: 2 },
  handle: (ctx, req, call) => ctx.groups.leaveGroup(call.brokerId, req, call.apiVersion),
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

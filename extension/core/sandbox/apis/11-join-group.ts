/** JoinGroup v0-v3 (no MEMBER_ID_REQUIRED round trip before v4): joins a member and waits for the rebalance. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const joinGroup: SandboxApi<typeof ApiKey.JoinGroup> = {
  key: ApiKey.JoinGroup,
  versions: { min: 0, max: 3 },
  handle: (ctx, req, call) => ctx.groups.joinGroup(call.brokerId, req, call.apiVersion, { clientId: call.clientId }),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolName: '',
    leader: '',
    memberId: req.memberId,
    members: [],
  }),
};

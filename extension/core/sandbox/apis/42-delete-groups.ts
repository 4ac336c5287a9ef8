/** DeleteGroups v0-v1: deletes empty groups (and their offsets) this broker coordinates. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const deleteGroups: SandboxApi<typeof ApiKey.DeleteGroups> = {
  key: ApiKey.DeleteGroups,
  versions: { min: 0, max: 1 },
  handle: (ctx, req, call) => ctx.groups.deleteGroups(call.brokerId, req),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
  }),
};

/** ListGroups v0-v2: the groups the asked broker coordinates (clients ask every broker). */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const listGroups: SandboxApi<typeof ApiKey.ListGroups> = {
  key: ApiKey.ListGroups,
  versions: { min: 0, max: 2 },
  handle: (ctx, _req, call) => ctx.groups.listGroups(call.brokerId),
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
};

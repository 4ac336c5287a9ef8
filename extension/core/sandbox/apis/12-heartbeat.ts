/** Heartbeat v0-v2: keeps a member's session; says REBALANCE_IN_PROGRESS when it must rejoin. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const heartbeat: SandboxApi<typeof ApiKey.Heartbeat> = {
  key: ApiKey.Heartbeat,
  versions: { min: 0, max: 2 },
  handle: (ctx, req, call) => ctx.groups.heartbeat(call.brokerId, req, call.apiVersion),
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

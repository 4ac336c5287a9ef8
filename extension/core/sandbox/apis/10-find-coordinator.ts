/** FindCoordinator v0-v2: the broker that coordinates a group (key type 0) or a transactional id (1). */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const findCoordinator: SandboxApi<typeof ApiKey.FindCoordinator> = {
  key: ApiKey.FindCoordinator,
  versions: { min: 0, max: 2 },
  handle: (ctx, req, call) => ctx.groups.findCoordinator(req, call.apiVersion),
  errorResponse: (_req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: null,
    nodeId: -1,
    host: '',
    port: -1,
  }),
};

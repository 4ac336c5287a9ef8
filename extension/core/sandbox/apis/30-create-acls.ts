/** CreateAcls v0-v1: SECURITY_DISABLED for every ACL, as Kafka without an authorizer. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const createAcls: SandboxApi<typeof ApiKey.CreateAcls> = {
  key: ApiKey.CreateAcls,
  versions: { min: 0, max: 1 },
  handle: (_ctx, req) => ({
    throttleTimeMs: 0,
    results: req.creations.map(() => ({
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: 'No Authorizer is configured on the broker.',
    })),
  }),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.creations.map(() => ({ errorCode, errorMessage: null })),
  }),
};

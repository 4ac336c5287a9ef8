/** DeleteAcls v0-v1: SECURITY_DISABLED for every filter, as Kafka without an authorizer. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const deleteAcls: SandboxApi<typeof ApiKey.DeleteAcls> = {
  key: ApiKey.DeleteAcls,
  versions: { min: 0, max: 1 },
  handle: (_ctx, req) => ({
    throttleTimeMs: 0,
    filterResults: req.filters.map(() => ({
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: 'No Authorizer is configured on the broker.',
      matchingAcls: [],
    })),
  }),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    filterResults: req.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })),
  }),
};

/** DescribeAcls v0-v1: the sandbox has no authorizer, so it answers SECURITY_DISABLED as Kafka does without one. */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const describeAcls: SandboxApi<typeof ApiKey.DescribeAcls> = {
  key: ApiKey.DescribeAcls,
  versions: { min: 0, max: 1 },
  handle: () => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.SECURITY_DISABLED,
    errorMessage: 'No Authorizer is configured on the broker',
    resources: [],
  }),
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, resources: [] }),
};

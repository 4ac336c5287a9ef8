/**
 * ApiVersions v0-v2: the versions of every API in the registry (and SASL's where logins are required). A request
 * of a version it does not serve (v3+, what newer clients try first) gets the v0 UNSUPPORTED_VERSION reply with
 * the list, from the dispatcher, so the client retries with one it has.
 */
import { ApiKey, ErrorCode } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const apiVersions: SandboxApi<typeof ApiKey.ApiVersions> = {
  key: ApiKey.ApiVersions,
  versions: { min: 0, max: 2 },
  handle: (ctx) => ({ ...NO_FEATURES, errorCode: ErrorCode.NONE, apiKeys: [...ctx.apiVersions], throttleTimeMs: 0 }),
  errorResponse: (_req, errorCode) => ({ ...NO_FEATURES, errorCode, apiKeys: [], throttleTimeMs: 0 }),
};

/** The v3+ (KIP-584) feature fields: the sandbox has none. */
const NO_FEATURES = {
  supportedFeatures: [],
  finalizedFeaturesEpoch: -1,
  finalizedFeatures: [],
  zkMigrationReady: false,
};

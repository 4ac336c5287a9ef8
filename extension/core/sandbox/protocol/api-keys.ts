/** The Kafka APIs the sandbox speaks, and the versions it offers (what a Kafka 2.1 broker offers). */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
} as const;

export type ApiName = keyof typeof ApiKey;
export type ApiKeyNumber = (typeof ApiKey)[ApiName];

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** Versions per API key. None of these versions use the flexible (tagged-field) encoding. */
export const SUPPORTED_VERSIONS: Readonly<Record<ApiKeyNumber, VersionRange>> = {
  [ApiKey.Produce]: { min: 0, max: 7 },
  [ApiKey.Fetch]: { min: 0, max: 10 },
  [ApiKey.ListOffsets]: { min: 0, max: 4 },
  [ApiKey.Metadata]: { min: 0, max: 7 },
  [ApiKey.OffsetCommit]: { min: 0, max: 6 },
  [ApiKey.OffsetFetch]: { min: 0, max: 5 },
  [ApiKey.FindCoordinator]: { min: 0, max: 2 },
  [ApiKey.JoinGroup]: { min: 0, max: 3 },
  [ApiKey.Heartbeat]: { min: 0, max: 2 },
  [ApiKey.LeaveGroup]: { min: 0, max: 2 },
  [ApiKey.SyncGroup]: { min: 0, max: 2 },
  [ApiKey.DescribeGroups]: { min: 0, max: 2 },
  [ApiKey.ApiVersions]: { min: 0, max: 2 },
  [ApiKey.CreateTopics]: { min: 0, max: 3 },
  [ApiKey.DeleteTopics]: { min: 0, max: 3 },
  [ApiKey.InitProducerId]: { min: 0, max: 1 },
};

const NAMES_BY_KEY = new Map<number, ApiName>(Object.entries(ApiKey).map(([name, key]) => [key, name as ApiName]));

/** The API's Kafka name, or `ApiKey(<n>)` for a key the sandbox does not speak. */
export function apiName(apiKey: number): string {
  return NAMES_BY_KEY.get(apiKey) ?? `ApiKey(${apiKey})`;
}

export function apiKeyByName(name: string): ApiKeyNumber | undefined {
  return (ApiKey as Record<string, ApiKeyNumber>)[name];
}

export function isSupportedApi(apiKey: number): apiKey is ApiKeyNumber {
  return NAMES_BY_KEY.has(apiKey);
}

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  if (!isSupportedApi(apiKey)) return false;
  const range = SUPPORTED_VERSIONS[apiKey];
  return apiVersion >= range.min && apiVersion <= range.max;
}

/**
 * SASL's APIs are served by a listener's SASL gate, not the cluster, and listed only where SASL is on: a client
 * configured for SASL against a plain listener then learns at once that the listener has none.
 */
export const SaslApiKey = { SaslHandshake: 17, SaslAuthenticate: 36 } as const;
export const SASL_API_VERSIONS = [
  { apiKey: SaslApiKey.SaslHandshake, minVersion: 0, maxVersion: 1 },
  { apiKey: SaslApiKey.SaslAuthenticate, minVersion: 0, maxVersion: 1 },
];

/** The ApiVersions response's list, in key order; `withSasl` adds SaslHandshake and SaslAuthenticate. */
export function supportedApiVersionsList(withSasl = false): { apiKey: number; minVersion: number; maxVersion: number }[] {
  const list = [...NAMES_BY_KEY.keys()]
    .map((apiKey) => ({ apiKey, minVersion: SUPPORTED_VERSIONS[apiKey as ApiKeyNumber].min, maxVersion: SUPPORTED_VERSIONS[apiKey as ApiKeyNumber].max }));
  if (withSasl) list.push(...SASL_API_VERSIONS);
  return list.sort((a, b) => a.apiKey - b.apiKey);
}

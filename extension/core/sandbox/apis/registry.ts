/**
 * The APIs the sandbox serves, keyed by API: adding one is a file in this folder and a line here. ApiVersions
 * answers from this list, the dispatcher refuses what is not in it, faults name its APIs.
 */
import { ApiKey, type ApiKeyNumber } from '../../kafka/protocol';
import type { SandboxApi } from './api';
import { produce } from './00-produce';
import { fetch } from './01-fetch';
import { listOffsets } from './02-list-offsets';
import { metadata } from './03-metadata';
import { offsetCommit } from './08-offset-commit';
import { offsetFetch } from './09-offset-fetch';
import { findCoordinator } from './10-find-coordinator';
import { joinGroup } from './11-join-group';
import { heartbeat } from './12-heartbeat';
import { leaveGroup } from './13-leave-group';
import { syncGroup } from './14-sync-group';
import { describeGroups } from './15-describe-groups';
import { listGroups } from './16-list-groups';
import { apiVersions } from './18-api-versions';
import { createTopics } from './19-create-topics';
import { deleteTopics } from './20-delete-topics';
import { deleteRecords } from './21-delete-records';
import { initProducerId } from './22-init-producer-id';
import { offsetForLeaderEpoch } from './23-offset-for-leader-epoch';
import { describeAcls } from './29-describe-acls';
import { createAcls } from './30-create-acls';
import { deleteAcls } from './31-delete-acls';
import { describeConfigs } from './32-describe-configs';
import { alterConfigs } from './33-alter-configs';
import { describeLogDirs } from './35-describe-log-dirs';
import { createPartitions } from './37-create-partitions';
import { deleteGroups } from './42-delete-groups';
import { addPartitionsToTxn } from './24-add-partitions-to-txn';
import { addOffsetsToTxn } from './25-add-offsets-to-txn';
import { endTxn } from './26-end-txn';
import { txnOffsetCommit } from './28-txn-offset-commit';

const REGISTRY = {
  [ApiKey.Produce]: produce,
  [ApiKey.Fetch]: fetch,
  [ApiKey.ListOffsets]: listOffsets,
  [ApiKey.Metadata]: metadata,
  [ApiKey.OffsetCommit]: offsetCommit,
  [ApiKey.OffsetFetch]: offsetFetch,
  [ApiKey.FindCoordinator]: findCoordinator,
  [ApiKey.JoinGroup]: joinGroup,
  [ApiKey.Heartbeat]: heartbeat,
  [ApiKey.LeaveGroup]: leaveGroup,
  [ApiKey.SyncGroup]: syncGroup,
  [ApiKey.DescribeGroups]: describeGroups,
  [ApiKey.ListGroups]: listGroups,
  [ApiKey.ApiVersions]: apiVersions,
  [ApiKey.CreateTopics]: createTopics,
  [ApiKey.DeleteTopics]: deleteTopics,
  [ApiKey.DeleteRecords]: deleteRecords,
  [ApiKey.InitProducerId]: initProducerId,
  [ApiKey.OffsetForLeaderEpoch]: offsetForLeaderEpoch,
  [ApiKey.DescribeAcls]: describeAcls,
  [ApiKey.CreateAcls]: createAcls,
  [ApiKey.DeleteAcls]: deleteAcls,
  [ApiKey.DescribeConfigs]: describeConfigs,
  [ApiKey.AlterConfigs]: alterConfigs,
  [ApiKey.DescribeLogDirs]: describeLogDirs,
  [ApiKey.CreatePartitions]: createPartitions,
  [ApiKey.DeleteGroups]: deleteGroups,
  [ApiKey.AddPartitionsToTxn]: addPartitionsToTxn,
  [ApiKey.AddOffsetsToTxn]: addOffsetsToTxn,
  [ApiKey.EndTxn]: endTxn,
  [ApiKey.TxnOffsetCommit]: txnOffsetCommit,
};

/** The keys of the APIs the sandbox serves. */
export type SandboxApiKey = keyof typeof REGISTRY;

/** Each served API's entry, by key; the type checks that the entry under a key handles that key's messages. */
export const SANDBOX_APIS: { readonly [K in SandboxApiKey]: SandboxApi<K> } = REGISTRY;

const SERVED = Object.values(SANDBOX_APIS);

export function isSandboxApiKey(apiKey: number): apiKey is SandboxApiKey {
  return Object.hasOwn(SANDBOX_APIS, apiKey);
}

/**
 * SASL's APIs are served by a listener's SASL gate, not the cluster, and listed only where SASL is on: a client
 * configured for SASL against a plain listener then learns at once that the listener has none.
 */
export const SASL_API_VERSIONS = [
  { apiKey: ApiKey.SaslHandshake, minVersion: 0, maxVersion: 1 },
  { apiKey: ApiKey.SaslAuthenticate, minVersion: 0, maxVersion: 1 },
];

/** The ApiVersions list, in key order; `withSasl` adds SaslHandshake and SaslAuthenticate. */
export function servedApiVersions(withSasl: boolean): { apiKey: number; minVersion: number; maxVersion: number }[] {
  const list = SERVED.map((a): { apiKey: number; minVersion: number; maxVersion: number } => ({
    apiKey: a.key,
    minVersion: a.versions.min,
    maxVersion: a.versions.max,
  }));
  if (withSasl) list.push(...SASL_API_VERSIONS);
  return list.sort((a, b) => a.apiKey - b.apiKey);
}

/** Served APIs whose requests name topic partitions, so faults may aim at partitions. */
export function partitionedApiKeys(): ApiKeyNumber[] {
  return SERVED.filter((a) => a.partitions !== undefined).map((a) => a.key);
}

/**
 * The request header every Kafka request frame starts with. Header v1 (apiKey, apiVersion, correlationId,
 * clientId) for the non-flexible versions the sandbox serves; header v2 adds a tagged-fields section, used by
 * flexible versions (ApiVersions v3+, which clients try first and which must be answered with the v0 error reply).
 */
import { ApiKey } from './api-keys';
import { ProtocolError, Reader } from './reader';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Where the request body starts in the frame. */
  bodyOffset: number;
}

/** First flexible version per API (KIP-482); requests of these versions carry header v2. */
const FIRST_FLEXIBLE_VERSION: Readonly<Record<number, number>> = {
  [ApiKey.Produce]: 9,
  [ApiKey.Fetch]: 12,
  [ApiKey.ListOffsets]: 6,
  [ApiKey.Metadata]: 9,
  [ApiKey.OffsetCommit]: 8,
  [ApiKey.OffsetFetch]: 6,
  [ApiKey.FindCoordinator]: 3,
  [ApiKey.JoinGroup]: 6,
  [ApiKey.Heartbeat]: 4,
  [ApiKey.LeaveGroup]: 4,
  [ApiKey.SyncGroup]: 4,
  [ApiKey.DescribeGroups]: 5,
  [ApiKey.ApiVersions]: 3,
  [ApiKey.CreateTopics]: 5,
  [ApiKey.DeleteTopics]: 4,
  [ApiKey.InitProducerId]: 2,
};

export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  const first = FIRST_FLEXIBLE_VERSION[apiKey];
  return first !== undefined && apiVersion >= first;
}

/** Decodes the header of a request frame (the bytes after the 4-byte size). Throws ProtocolError when malformed. */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(true);
  if (isFlexibleVersion(apiKey, apiVersion)) r.skipTaggedFields();
  if (apiVersion < 0) throw new ProtocolError(`Negative API version ${apiVersion} for API key ${apiKey}.`);
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.at };
}

/**
 * The reading side of the transport: Fetch and ListOffsets to one broker, answered as data (error codes per
 * partition) with the request's timing, as produce() is. KafkaTransport implements it beside Transport; the
 * consumer (core/consume) is written against this interface only, so its tests can script a broker.
 */
import type { ClusterMetadata, RequestTiming } from './transport';

/** read_committed skips aborted transactions and stops at the last stable offset; read_uncommitted reads to the high watermark. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export const ISOLATION_LEVELS: readonly IsolationLevel[] = ['read_uncommitted', 'read_committed'];

/** Kafka's wire value of an isolation level. */
export function isolationLevelId(level: IsolationLevel): 0 | 1 {
  return level === 'read_committed' ? 1 : 0;
}

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  /** Byte limit for this partition (the broker still returns at least one whole batch). */
  maxBytes: number;
}

export interface FetchRequestInput {
  isolationLevel: IsolationLevel;
  /** How long the broker may hold the request when it has less than minBytes. */
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: FetchPartitionRequest[];
  /** Client-side limit beyond maxWaitMs before the request fails with a TransportError of kind 'timeout'. */
  timeoutMs?: number;
}

export interface AbortedTransaction {
  producerId: number;
  /** The first offset of the aborted transaction in this partition. */
  firstOffset: number;
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  /** -1 when the broker does not say (Fetch before v4). */
  lastStableOffset: number;
  logStartOffset: number;
  /** Only with read_committed, and only when the fetched range overlaps aborted transactions; else null. */
  abortedTransactions: AbortedTransaction[] | null;
  /** The record batches as the broker sent them (a view of the response frame). */
  records: Buffer | null;
}

export interface FetchResult {
  partitions: FetchPartitionResult[];
  /** A request-level error (fetch sessions, v7+); 0 = none. */
  errorCode: number;
  throttleTimeMs: number;
  timing: RequestTiming;
}

export interface ListOffsetsPartitionRequest {
  topic: string;
  partition: number;
  /** -1 = latest (high watermark, or last stable offset with read_committed), -2 = earliest, else a time in ms. */
  timestamp: number;
}

export const LATEST_OFFSET = -1;
export const EARLIEST_OFFSET = -2;

export interface ListOffsetsInput {
  isolationLevel: IsolationLevel;
  partitions: ListOffsetsPartitionRequest[];
  timeoutMs?: number;
}

export interface ListOffsetsPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** -1 when a timestamp lookup found no record at or after the time. */
  offset: number;
  timestamp: number;
}

export interface ListOffsetsResult {
  partitions: ListOffsetsPartitionResult[];
  timing: RequestTiming;
}

export interface ConsumerTransport {
  fetchMetadata(topics: string[] | null, allowAutoCreate: boolean): Promise<ClusterMetadata>;
  /** One Fetch request to one broker (normally the partitions' leader). */
  fetch(brokerId: number, request: FetchRequestInput): Promise<FetchResult>;
  /** One ListOffsets request to one broker (the partitions' leader). */
  listOffsets(brokerId: number, request: ListOffsetsInput): Promise<ListOffsetsResult>;
}

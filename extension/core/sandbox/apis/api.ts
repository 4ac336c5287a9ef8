/**
 * What one Kafka API of the sandbox is: the versions it serves and its handler, typed by the API's request and
 * response (generated from the message specs). Each API lives in a file of its own in this folder, named by key as
 * in franz-go's kfake (00-produce.ts), and takes one line in ./registry.ts.
 */
import type { ApiKeyNumber, RequestByKey, ResponseByKey, VersionRange } from '../../kafka/protocol';
import type { Clock } from '../../util/clock';
import type { ClusterModel } from '../cluster/cluster-model';
import type { FaultEffect } from '../cluster/faults';
import type { FetchSessionCache } from '../cluster/fetch-sessions';
import type { GroupCoordinator } from '../cluster/groups/group-coordinator';
import type { ProducerStateTable } from '../cluster/producer-state';
import type { TransactionCoordinator } from '../cluster/transaction-coordinator';

/** What a handler may use: the cluster's state and services, shared by every broker. */
export interface ApiContext {
  readonly model: ClusterModel;
  readonly producers: ProducerStateTable;
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** A broker's fetch sessions (KIP-227); each broker has its own, lost when it stops. */
  fetchSessions(brokerId: number): FetchSessionCache;
  /** The versions this cluster serves, as ApiVersions lists them (SASL's APIs included when logins are required). */
  readonly apiVersions: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
  /**
   * Waits until `poll` returns an answer (asked again after every append to one of `partitionKeys`) or `maxWaitMs`
   * passes (then `final` answers); at once when the cluster is stopping. Fetch's long poll.
   */
  longPoll<T>(
    partitionKeys: ReadonlySet<string>,
    maxWaitMs: number,
    poll: () => T | undefined,
    final: () => T,
  ): Promise<T>;
}

/** The request header fields a handler sees, and the broker the request was sent to. */
export interface ApiCall {
  brokerId: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface SandboxApi<K extends ApiKeyNumber> {
  readonly key: K;
  /** The versions served (those of a Kafka 2.1 broker); ApiVersions lists them. */
  readonly versions: VersionRange;
  /** Answers one request. `faults` is what the request's matching faults add up to (null when none). */
  handle(
    ctx: ApiContext,
    request: RequestByKey[K],
    call: ApiCall,
    faults: FaultEffect | null,
  ): ResponseByKey[K] | Promise<ResponseByKey[K]>;
  /** The answer when the whole request fails with one error code (an injected fault, a handler's bug). */
  errorResponse(request: RequestByKey[K], errorCode: number): ResponseByKey[K];
  /** The topic partitions a request names, for faults aimed at partitions (APIs without it take whole-request faults only). */
  partitions?(request: RequestByKey[K]): { topic: string; partition: number }[];
  /** false when the client waits for no answer (Produce with acks=0). */
  expectsResponse?(request: RequestByKey[K]): boolean;
  /** A fault that drops the response still lets the request take effect (a Produce is written, its answer lost). */
  readonly servedWhenResponseDropped?: boolean;
}

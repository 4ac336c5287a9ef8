/** A GroupCoordinator on a FakeClock with small helpers that build the group requests the tests send. */
import { GroupCoordinator } from '../../extension/core/sandbox/cluster/groups/group-coordinator';
import type { JoinGroupResponse, SyncGroupResponse } from '../../extension/core/kafka/protocol';
import { FakeClock } from '../../extension/core/util/clock';

export const GROUP = 'orders-service';
export const COORDINATOR = 1;
export const OTHER_BROKER = 2;
export const INITIAL_DELAY_MS = 3000;

export interface Harness {
  clock: FakeClock;
  coordinator: GroupCoordinator;
  logs: string[];
  /** Which broker coordinates every group; null = none is up. */
  setCoordinator(id: number | null): void;
}

export function harness(options: { initialRebalanceDelayMs?: number; minSessionTimeoutMs?: number } = {}): Harness {
  const clock = new FakeClock(1_700_000_000_000);
  const logs: string[] = [];
  let coordinatorId: number | null = COORDINATOR;
  const coordinator = new GroupCoordinator({
    clock,
    coordinatorFor: () =>
      coordinatorId === null ? null : { id: coordinatorId, host: '127.0.0.1', port: 9091 + coordinatorId },
    partitionExists: (topic, partition) => topic === 'orders' && partition >= 0 && partition < 3,
    initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? INITIAL_DELAY_MS,
    // Short sessions on the fake clock, unless a test checks Kafka's bounds.
    minSessionTimeoutMs: options.minSessionTimeoutMs ?? 1,
    log: (line) => logs.push(line),
  });
  return { clock, coordinator, logs, setCoordinator: (id) => (coordinatorId = id) };
}

export interface JoinArgs {
  memberId?: string;
  groupId?: string;
  clientId?: string;
  /** [name, metadata] in preference order. */
  protocols?: [string, string][];
  protocolType?: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  version?: number;
  brokerId?: number;
}

export const SESSION_MS = 10_000;
export const REBALANCE_MS = 30_000;

export function join(h: Harness, args: JoinArgs = {}): Promise<JoinGroupResponse> {
  return h.coordinator.joinGroup(
    args.brokerId ?? COORDINATOR,
    {
      groupId: args.groupId ?? GROUP,
      sessionTimeoutMs: args.sessionTimeoutMs ?? SESSION_MS,
      rebalanceTimeoutMs: args.rebalanceTimeoutMs ?? REBALANCE_MS,
      memberId: args.memberId ?? '',
      protocolType: args.protocolType ?? 'consumer',
      protocols: (args.protocols ?? [['range', 'meta']]).map(([name, metadata]) => ({
        name,
        metadata: Buffer.from(metadata),
      })),
    },
    args.version ?? 3,
    { clientId: args.clientId ?? 'client-a', clientHost: '/127.0.0.1' },
  );
}

export function sync(
  h: Harness,
  memberId: string,
  generationId: number,
  assignments: Record<string, string> = {},
  brokerId = COORDINATOR,
): Promise<SyncGroupResponse> {
  return h.coordinator.syncGroup(
    brokerId,
    {
      groupId: GROUP,
      generationId,
      memberId,
      assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })),
    },
    2,
  );
}

export function heartbeat(h: Harness, memberId: string, generationId: number, brokerId = COORDINATOR): number {
  return h.coordinator.heartbeat(brokerId, { groupId: GROUP, generationId, memberId }, 2).errorCode;
}

export function groupState(h: Harness, groupId = GROUP): string {
  return h.coordinator.describeGroups(COORDINATOR, { groups: [groupId] }, 2).groups[0].groupState;
}

/** The promise's value if it has settled by the time pending callbacks ran, else 'pending'. */
export async function peek<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

/** Forms a Stable group of one member and returns its id and generation. */
export async function stableSingleMember(
  h: Harness,
  args: JoinArgs = {},
): Promise<{ memberId: string; generationId: number }> {
  const joined = join(h, args);
  h.clock.advance(INITIAL_DELAY_MS);
  const response = await joined;
  const synced = await sync(h, response.memberId, response.generationId, { [response.memberId]: 'all' });
  if (synced.errorCode !== 0) throw new Error(`sync failed with ${synced.errorCode}`);
  return { memberId: response.memberId, generationId: response.generationId };
}

/**
 * Several members join an empty group together. Members after the first arrive during the initial delay, which
 * extends it once, so the group forms after two delays.
 */
export async function formGroup(h: Harness, clientIds: string[]): Promise<JoinGroupResponse[]> {
  const joins = clientIds.map((clientId) => join(h, { clientId }));
  h.clock.advance(INITIAL_DELAY_MS * (clientIds.length > 1 ? 2 : 1));
  return Promise.all(joins);
}

/** Forms a group and completes its SyncGroup round (the leader assigns `<clientId>-part` to each member). */
export async function stableGroup(h: Harness, clientIds: string[]): Promise<JoinGroupResponse[]> {
  const joined = await formGroup(h, clientIds);
  const leader = joined.find((r) => r.memberId === r.leader)!;
  const assignments = Object.fromEntries(joined.map((r, i) => [r.memberId, `${clientIds[i]}-part`]));
  const followers = joined.filter((r) => r !== leader).map((r) => sync(h, r.memberId, r.generationId));
  await sync(h, leader.memberId, leader.generationId, assignments);
  await Promise.all(followers);
  return joined;
}

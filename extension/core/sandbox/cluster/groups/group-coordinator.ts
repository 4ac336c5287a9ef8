/**
 * The sandbox's consumer group coordinator: Kafka's classic group protocol at the API versions of a Kafka 2.1
 * broker (JoinGroup 0-3, so no MEMBER_ID_REQUIRED round trip). Groups live in memory, shared by every broker; the
 * broker that `coordinatorFor` names answers for a group, the others say NOT_COORDINATOR.
 *
 * A rebalance: a join moves the group to PreparingRebalance; it completes when every known member has rejoined or
 * the longest rebalance timeout passes (members that did not rejoin are removed). The generation then goes up, the
 * leader gets every member's metadata, the group waits in CompletingRebalance for the leader's SyncGroup, and once
 * it arrives every member gets its assignment (Stable). The first rebalance of an empty group first waits
 * `initialRebalanceDelayMs` for more members, as `group.initial.rebalance.delay.ms` does.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../kafka/protocol/errors';
import type { Clock } from '../../../util/clock';
import { emptyBuffer, GroupMetadata, type GroupProtocol, type MemberMetadata } from './group-metadata';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../../kafka/protocol';

export interface BrokerAddress {
  id: number;
  host: string;
  port: number;
}

export interface GroupCoordinatorDeps {
  clock: Clock;
  /** The live broker that coordinates the group, or null when none does (yet). */
  coordinatorFor(groupId: string): BrokerAddress | null;
  /**
   * FindCoordinator's answer for a group (key type 0) or a transactional id (1): the coordinator, or the error code
   * to answer (a group's first FindCoordinator creates `__consumer_offsets`). Without it, `coordinatorFor` answers.
   */
  locateCoordinator?(key: string, keyType: 0 | 1): BrokerAddress | number;
  partitionExists(topic: string, partition: number): boolean;
  initialRebalanceDelayMs: number;
  log?: (line: string) => void;
  /** group.min.session.timeout.ms (Kafka's 6000 by default). */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms (Kafka's 300000 by default). */
  maxSessionTimeoutMs?: number;
}

/** Who sent a JoinGroup: the request header's client id and the peer address, shown by DescribeGroups. */
export interface GroupClientInfo {
  clientId: string | null;
  clientHost?: string;
}

/** offset.metadata.max.bytes */
const MAX_OFFSET_METADATA_CHARS = 4096;
/** Kafka's group.min.session.timeout.ms and group.max.session.timeout.ms defaults. */
export const DEFAULT_MIN_SESSION_TIMEOUT_MS = 6000;
export const DEFAULT_MAX_SESSION_TIMEOUT_MS = 300_000;

type GroupCheck = { errorCode: number } | { errorCode: 0; group: GroupMetadata | undefined };

export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  private stopped = false;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;

  constructor(private readonly deps: GroupCoordinatorDeps) {
    this.minSessionTimeoutMs = deps.minSessionTimeoutMs ?? DEFAULT_MIN_SESSION_TIMEOUT_MS;
    this.maxSessionTimeoutMs = deps.maxSessionTimeoutMs ?? DEFAULT_MAX_SESSION_TIMEOUT_MS;
  }

  // ---- FindCoordinator ------------------------------------------------------------------------------------------

  findCoordinator(req: FindCoordinatorRequest, _version: number): FindCoordinatorResponse {
    const keyType = req.keyType ?? 0;
    if (keyType !== 0 && keyType !== 1) {
      return coordinatorError(ErrorCode.INVALID_REQUEST, `key type ${keyType} is not 0 (group) or 1 (transaction)`);
    }
    if (this.stopped) return coordinatorError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the sandbox is stopping');
    const broker = this.deps.locateCoordinator
      ? this.deps.locateCoordinator(req.key, keyType)
      : (this.deps.coordinatorFor(req.key) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // Kafka gives no message with these errors.
    if (typeof broker === 'number') return coordinatorError(broker, null);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: broker.id,
      host: broker.host,
      port: broker.port,
    };
  }

  /** NONE when `brokerId` coordinates `groupId`, else the error a group request sent there gets. */
  coordinatorError(brokerId: number, groupId: string): number {
    return this.checkGroupRequest(brokerId, groupId, false).errorCode;
  }

  // ---- JoinGroup ------------------------------------------------------------------------------------------------

  joinGroup(
    brokerId: number,
    req: JoinGroupRequest,
    version: number,
    client?: GroupClientInfo,
  ): Promise<JoinGroupResponse> {
    const memberId = req.memberId ?? '';
    const fail = (errorCode: number) => Promise.resolve(joinError(errorCode, memberId));
    const check = this.checkGroupRequest(brokerId, req.groupId, true);
    if (check.errorCode !== ErrorCode.NONE) return fail(check.errorCode);
    const sessionTimeoutMs = req.sessionTimeoutMs;
    if (!(sessionTimeoutMs >= this.minSessionTimeoutMs && sessionTimeoutMs <= this.maxSessionTimeoutMs)) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    // v0 has no rebalance timeout: the session timeout serves for both, as in Kafka.
    const rebalanceTimeoutMs = version >= 1 && req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : sessionTimeoutMs;
    const existing = 'group' in check ? check.group : undefined;
    if (!existing && memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const group = existing ?? new GroupMetadata(req.groupId);
    const protocols: GroupProtocol[] = (req.protocols ?? []).map((p) => ({
      name: p.name,
      metadata: p.metadata ?? emptyBuffer(),
    }));
    const protocolType = req.protocolType ?? '';
    if (
      !group.supportsProtocols(
        protocolType,
        protocols.map((p) => p.name),
        memberId || undefined,
      )
    ) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (memberId !== '' && !group.has(memberId)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (!existing) this.groups.set(group.groupId, group);

    const joining = {
      clientId: client?.clientId ?? '',
      clientHost: client?.clientHost ?? '/127.0.0.1',
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
    };
    return new Promise<JoinGroupResponse>((resolve) => {
      if (memberId === '') this.addMemberAndRebalance(group, joining, resolve);
      else this.rejoin(group, group.get(memberId)!, joining, resolve);
    });
  }

  private addMemberAndRebalance(
    group: GroupMetadata,
    joining: JoiningMember,
    resolve: (r: JoinGroupResponse) => void,
  ): void {
    const member: MemberMetadata = {
      memberId: `${joining.clientId}-${randomUUID()}`,
      ...joining,
      assignment: emptyBuffer(),
      awaitingJoin: resolve,
      awaitingSync: null,
      cancelSessionTimer: null,
    };
    if (group.inInitialDelay) group.newMemberAddedDuringDelay = true;
    group.add(member);
    this.log(group, `member ${member.memberId} joined`);
    this.maybePrepareRebalance(group, `member ${member.memberId} joined`);
    this.tryCompleteJoin(group);
  }

  private rejoin(
    group: GroupMetadata,
    member: MemberMetadata,
    joining: JoiningMember,
    resolve: (r: JoinGroupResponse) => void,
  ): void {
    const unchanged =
      member.protocolType === joining.protocolType && sameProtocols(member.protocols, joining.protocols);
    const answerWithCurrentGeneration = () => {
      this.scheduleSessionTimeout(group, member);
      resolve(this.joinResponse(group, member));
    };
    switch (group.state) {
      case 'CompletingRebalance':
        // The member missed its JoinGroup response (e.g. a client timeout): give it again unless it changed.
        if (unchanged) answerWithCurrentGeneration();
        else this.updateMemberAndRebalance(group, member, joining, resolve);
        return;
      case 'Stable':
        // A follower that changed nothing just gets the current generation; a leader rejoining means new metadata.
        if (unchanged && member.memberId !== group.leaderId) answerWithCurrentGeneration();
        else this.updateMemberAndRebalance(group, member, joining, resolve);
        return;
      case 'PreparingRebalance':
        this.updateMemberAndRebalance(group, member, joining, resolve);
        return;
      default: // Empty and Dead groups have no members, so this cannot be reached; answer as Kafka would.
        resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    }
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    joining: JoiningMember,
    resolve: (r: JoinGroupResponse) => void,
  ): void {
    Object.assign(member, joining);
    // A JoinGroup this one replaces (the client gave up on it) is answered so no request is left hanging.
    member.awaitingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    member.awaitingJoin = resolve;
    this.maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
    this.tryCompleteJoin(group);
  }

  // ---- SyncGroup ------------------------------------------------------------------------------------------------

  syncGroup(brokerId: number, req: SyncGroupRequest, _version: number): Promise<SyncGroupResponse> {
    const fail = (errorCode: number) => Promise.resolve(syncResponse(errorCode));
    const found = this.findMember(brokerId, req.groupId, req.memberId);
    if ('errorCode' in found) return fail(found.errorCode);
    const { group, member } = found;
    if (req.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSessionTimeout(group, member);
        return Promise.resolve(syncResponse(ErrorCode.NONE, member.assignment));
      case 'CompletingRebalance':
        return new Promise<SyncGroupResponse>((resolve) => {
          member.awaitingSync?.(syncResponse(ErrorCode.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          this.scheduleSessionTimeout(group, member);
          if (member.memberId === group.leaderId) this.applyLeaderAssignment(group, req.assignments ?? []);
        });
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private applyLeaderAssignment(group: GroupMetadata, assignments: { memberId: string; assignment: Buffer }[]): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    // Members the leader left out get an empty assignment; assignments for unknown members are ignored.
    for (const member of group.members.values()) member.assignment = byMember.get(member.memberId) ?? emptyBuffer();
    group.state = 'Stable';
    this.log(group, `generation ${group.generationId} is stable with ${group.members.size} member(s)`);
    for (const member of group.members.values()) {
      const resolve = member.awaitingSync;
      if (!resolve) continue;
      member.awaitingSync = null;
      this.scheduleSessionTimeout(group, member);
      resolve(syncResponse(ErrorCode.NONE, member.assignment));
    }
  }

  // ---- Heartbeat, LeaveGroup ------------------------------------------------------------------------------------

  heartbeat(brokerId: number, req: HeartbeatRequest, _version: number): HeartbeatResponse {
    const found = this.findMember(brokerId, req.groupId, req.memberId);
    if ('errorCode' in found) return { throttleTimeMs: 0, errorCode: found.errorCode };
    const { group, member } = found;
    if (req.generationId !== group.generationId) return { throttleTimeMs: 0, errorCode: ErrorCode.ILLEGAL_GENERATION };
    this.scheduleSessionTimeout(group, member);
    // As Kafka 2.1: a member between JoinGroup and SyncGroup is told the rebalance is not over yet.
    const errorCode =
      group.is('PreparingRebalance') || group.is('CompletingRebalance')
        ? ErrorCode.REBALANCE_IN_PROGRESS
        : ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode };
  }

  leaveGroup(brokerId: number, req: LeaveGroupRequest, _version: number): LeaveGroupResponse {
    const found = this.findMember(brokerId, req.groupId, req.memberId);
    if ('errorCode' in found) return { throttleTimeMs: 0, errorCode: found.errorCode };
    this.removeMemberAndUpdateGroup(found.group, found.member, 'left the group');
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
  }

  // ---- OffsetCommit, OffsetFetch --------------------------------------------------------------------------------

  offsetCommit(brokerId: number, req: OffsetCommitRequest, version: number): OffsetCommitResponse {
    const topics = req.topics ?? [];
    const answerAll = (errorCode: number): OffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    });
    const check = this.checkGroupRequest(brokerId, req.groupId, false);
    if (check.errorCode !== ErrorCode.NONE) return answerAll(check.errorCode);
    // v0 has neither: it is a commit outside group management.
    const generationId = version >= 1 ? (req.generationId ?? -1) : -1;
    const memberId = version >= 1 ? (req.memberId ?? '') : '';
    const group = 'group' in check ? check.group : undefined;

    if (!group) {
      // A group that does not exist may only take simple commits (generation -1), which create it, Empty.
      if (generationId >= 0) return answerAll(ErrorCode.ILLEGAL_GENERATION);
      return this.storeOffsets(req.groupId, undefined, topics, version);
    }
    if (generationId < 0 && group.is('Empty')) return this.storeOffsets(req.groupId, group, topics, version);
    if (group.is('CompletingRebalance')) return answerAll(ErrorCode.REBALANCE_IN_PROGRESS);
    const member = group.get(memberId);
    if (!member) return answerAll(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return answerAll(ErrorCode.ILLEGAL_GENERATION);
    this.scheduleSessionTimeout(group, member);
    return this.storeOffsets(req.groupId, group, topics, version);
  }

  /** A transaction committed: its TxnOffsetCommit offsets become the group's committed offsets. */
  commitTransactionalOffsets(
    groupId: string,
    offsets: { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string }[],
  ): void {
    const byTopic = new Map<string, OffsetCommitRequest['topics'][number]['partitions']>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch,
        commitTimestamp: -1,
        committedMetadata: o.metadata,
      });
    }
    this.storeOffsets(
      groupId,
      this.groups.get(groupId),
      [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      6,
    );
  }

  private storeOffsets(
    groupId: string,
    existing: GroupMetadata | undefined,
    topics: OffsetCommitRequest['topics'],
    version: number,
  ): OffsetCommitResponse {
    let group = existing;
    const now = this.deps.clock.now();
    const response: OffsetCommitResponse = { throttleTimeMs: 0, topics: [] };
    for (const topic of topics) {
      const partitions: { partitionIndex: number; errorCode: number }[] = [];
      for (const p of topic.partitions) {
        let errorCode: number = ErrorCode.NONE;
        const metadata = p.committedMetadata ?? '';
        if (!this.deps.partitionExists(topic.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (metadata.length > MAX_OFFSET_METADATA_CHARS) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else {
          if (!group) this.groups.set(groupId, (group = new GroupMetadata(groupId)));
          group.commit({
            topic: topic.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: version >= 6 ? (p.committedLeaderEpoch ?? -1) : -1,
            metadata,
            commitTimestamp: now,
          });
        }
        partitions.push({ partitionIndex: p.partitionIndex, errorCode });
      }
      response.topics.push({ name: topic.name, partitions });
    }
    return response;
  }

  offsetFetch(brokerId: number, req: OffsetFetchRequest, version: number): OffsetFetchResponse {
    const check = this.checkGroupRequest(brokerId, req.groupId, false);
    const requested = req.topics ?? null;
    if (check.errorCode !== ErrorCode.NONE) {
      // v0-1 have no top-level error, so each requested partition carries it; v2+ carry it at the top as well.
      const topics = (requested ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => noOffset(partitionIndex, check.errorCode)),
      }));
      return { throttleTimeMs: 0, errorCode: version >= 2 ? check.errorCode : ErrorCode.NONE, topics };
    }
    const group = 'group' in check ? check.group : undefined;
    const toPartition = (topic: string, partitionIndex: number) => {
      const committed = group?.committed(topic, partitionIndex);
      if (!committed) return noOffset(partitionIndex, ErrorCode.NONE);
      return {
        partitionIndex,
        committedOffset: committed.offset,
        committedLeaderEpoch: committed.leaderEpoch,
        metadata: committed.metadata,
        errorCode: ErrorCode.NONE,
      };
    };
    const topics =
      requested === null
        ? [...(group?.offsets ?? new Map<string, Map<number, unknown>>())].map(([name, partitions]) => ({
            name,
            partitions: [...partitions.keys()].sort((a, b) => a - b).map((p) => toPartition(name, p)),
          }))
        : requested.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => toPartition(t.name, p)) }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics };
  }

  // ---- DescribeGroups -------------------------------------------------------------------------------------------

  describeGroups(brokerId: number, req: DescribeGroupsRequest, _version: number): DescribeGroupsResponse {
    const groups = (req.groups ?? []).map((groupId) => {
      const check = this.checkGroupRequest(brokerId, groupId, false);
      const summary = {
        errorCode: check.errorCode,
        groupId,
        groupState: check.errorCode === ErrorCode.NONE ? 'Dead' : '',
        protocolType: '',
        protocolData: '',
        members: [] as DescribeGroupsResponse['groups'][number]['members'],
      };
      const group = 'group' in check ? check.group : undefined;
      if (!group) return summary;
      const stable = group.is('Stable');
      return {
        ...summary,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        // As Kafka: the protocol and the members' metadata and assignments only once the group is Stable.
        protocolData: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? group.metadataFor(m) : emptyBuffer(),
          memberAssignment: stable ? m.assignment : emptyBuffer(),
        })),
      };
    });
    return { throttleTimeMs: 0, groups };
  }

  // ---- ListGroups, DeleteGroups ---------------------------------------------------------------------------------

  /** The groups this broker coordinates, with their protocol type ('' for a group that only holds offsets). */
  listGroups(brokerId: number): ListGroupsResponse {
    const groups = [...this.groups.values()]
      .filter((g) => this.deps.coordinatorFor(g.groupId)?.id === brokerId)
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' }));
    return {
      throttleTimeMs: 0,
      errorCode: this.stopped ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NONE,
      groups,
    };
  }

  /** Deletes empty groups and their offsets: NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for none. */
  deleteGroups(brokerId: number, req: DeleteGroupsRequest): DeleteGroupsResponse {
    const results = req.groupsNames.map((groupId) => {
      const check = this.checkGroupRequest(brokerId, groupId, true);
      if (check.errorCode !== ErrorCode.NONE) return { groupId, errorCode: check.errorCode };
      const group = 'group' in check ? check.group : undefined;
      if (!group) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (!group.is('Empty')) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      this.groups.delete(groupId);
      this.deps.log?.(`group ${groupId} deleted`);
      return { groupId, errorCode: ErrorCode.NONE };
    });
    return { throttleTimeMs: 0, results };
  }

  // ---- Sandbox-wide ---------------------------------------------------------------------------------------------

  /** JSON-able view of every group, for GET /state. */
  state(): unknown[] {
    return [...this.groups.values()].map((g) => ({
      groupId: g.groupId,
      state: g.state,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocol: g.protocolName,
      leader: g.leaderId,
      coordinator: this.stopped ? null : (this.deps.coordinatorFor(g.groupId)?.id ?? null),
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      })),
      offsets: [...g.offsets.values()].flatMap((partitions) =>
        [...partitions.values()].map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
          metadata: o.metadata,
        })),
      ),
    }));
  }

  /** Drops a deleted topic's committed offsets from every group (Kafka does the same on topic deletion). */
  forgetTopic(topic: string): void {
    for (const group of this.groups.values()) group.forgetTopic(topic);
  }

  /** Cancels every timer and answers every waiting JoinGroup and SyncGroup with NOT_COORDINATOR. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const group of this.groups.values()) this.release(group);
  }

  /**
   * Forgets every group, offsets included, as Kafka's coordinators unload them when `__consumer_offsets` is
   * deleted (the topic created again is empty); waiting members are answered NOT_COORDINATOR.
   */
  unloadAll(): void {
    for (const group of this.groups.values()) this.release(group);
    if (this.groups.size > 0) this.deps.log?.(`${this.groups.size} groups unloaded: __consumer_offsets was deleted`);
    this.groups.clear();
  }

  /** Cancels a group's timers and answers its waiting members NOT_COORDINATOR. */
  private release(group: GroupMetadata): void {
    group.cancelJoinTimer?.();
    group.cancelJoinTimer = null;
    for (const member of group.members.values()) {
      member.cancelSessionTimer?.();
      member.cancelSessionTimer = null;
      this.settleWaiting(member, ErrorCode.NOT_COORDINATOR);
    }
  }

  // ---- Rebalance machinery --------------------------------------------------------------------------------------

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty'))
      this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.is('CompletingRebalance')) {
      // The leader's assignment for this generation will never be used: members waiting for it must rejoin.
      for (const member of group.members.values()) {
        member.assignment = emptyBuffer();
        const resolve = member.awaitingSync;
        member.awaitingSync = null;
        resolve?.(syncResponse(ErrorCode.REBALANCE_IN_PROGRESS));
      }
    }
    const wasEmpty = group.is('Empty');
    group.cancelJoinTimer?.();
    group.state = 'PreparingRebalance';
    this.log(group, `preparing to rebalance generation ${group.generationId} (${reason})`);
    const initialDelayMs = this.deps.initialRebalanceDelayMs;
    if (wasEmpty && initialDelayMs > 0) {
      group.inInitialDelay = true;
      group.newMemberAddedDuringDelay = false;
      this.scheduleInitialDelay(group, initialDelayMs, Math.max(group.rebalanceTimeoutMs() - initialDelayMs, 0));
    } else {
      group.cancelJoinTimer = this.deps.clock.setTimeout(() => this.completeJoin(group), group.rebalanceTimeoutMs());
      this.tryCompleteJoin(group);
    }
  }

  /** Waits for more members; each member that arrives during a delay earns one more, within the rebalance timeout. */
  private scheduleInitialDelay(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    group.cancelJoinTimer = this.deps.clock.setTimeout(() => {
      group.cancelJoinTimer = null;
      if (group.newMemberAddedDuringDelay && remainingMs > 0) {
        group.newMemberAddedDuringDelay = false;
        const next = Math.min(this.deps.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelay(group, next, Math.max(remainingMs - next, 0));
      } else {
        this.completeJoin(group);
      }
    }, delayMs);
  }

  private tryCompleteJoin(group: GroupMetadata): void {
    if (group.is('PreparingRebalance') && !group.inInitialDelay && group.allMembersRejoined()) this.completeJoin(group);
  }

  /** Ends PreparingRebalance: drops members that did not rejoin, starts the next generation, answers the joins. */
  private completeJoin(group: GroupMetadata): void {
    if (!group.is('PreparingRebalance') || this.stopped) return;
    group.cancelJoinTimer?.();
    group.cancelJoinTimer = null;
    group.inInitialDelay = false;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin) continue;
      member.cancelSessionTimer?.();
      this.settleWaiting(member, ErrorCode.UNKNOWN_MEMBER_ID);
      group.remove(member.memberId);
      this.log(group, `member ${member.memberId} removed: it did not rejoin within the rebalance timeout`);
    }
    group.generationId += 1;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.state = 'Empty';
      this.log(group, `generation ${group.generationId} has no members; the group is Empty`);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.state = 'CompletingRebalance';
    this.log(
      group,
      `generation ${group.generationId} formed with ${group.members.size} member(s), protocol ${group.protocolName}, leader ${group.leaderId}`,
    );
    for (const member of group.members.values()) {
      const resolve = member.awaitingJoin!;
      member.awaitingJoin = null;
      this.scheduleSessionTimeout(group, member);
      resolve(this.joinResponse(group, member));
    }
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, why: string): void {
    member.cancelSessionTimer?.();
    member.cancelSessionTimer = null;
    this.settleWaiting(member, ErrorCode.UNKNOWN_MEMBER_ID);
    group.remove(member.memberId);
    this.log(group, `member ${member.memberId} ${why}`);
    if (group.is('Stable') || group.is('CompletingRebalance'))
      this.prepareRebalance(group, `member ${member.memberId} ${why}`);
    else if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  /** (Re)starts the member's session: if nothing is heard from it for `sessionTimeoutMs`, it is removed. */
  private scheduleSessionTimeout(group: GroupMetadata, member: MemberMetadata): void {
    member.cancelSessionTimer?.();
    member.cancelSessionTimer = this.deps.clock.setTimeout(() => {
      member.cancelSessionTimer = null;
      if (group.get(member.memberId) !== member) return;
      // A member whose JoinGroup or SyncGroup is waiting on the group is alive: its request is parked here.
      if (member.awaitingJoin || member.awaitingSync) this.scheduleSessionTimeout(group, member);
      else
        this.removeMemberAndUpdateGroup(
          group,
          member,
          `expired: no heartbeat within its ${member.sessionTimeoutMs} ms session timeout`,
        );
    }, member.sessionTimeoutMs);
  }

  private settleWaiting(member: MemberMetadata, errorCode: number): void {
    const join = member.awaitingJoin;
    const sync = member.awaitingSync;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    join?.(joinError(errorCode, member.memberId));
    sync?.(syncResponse(errorCode));
  }

  private joinResponse(group: GroupMetadata, member: MemberMetadata): JoinGroupResponse {
    const isLeader = member.memberId === group.leaderId;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName: group.protocolName ?? '',
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader ? group.currentMemberMetadata() : [],
    };
  }

  // ---- Request checks -------------------------------------------------------------------------------------------

  /**
   * The checks every group API starts with. Join, Sync, Heartbeat and Leave need a non-empty group id; OffsetCommit,
   * OffsetFetch and DescribeGroups accept an empty one (as Kafka does). Then: is this broker the group's coordinator?
   */
  private checkGroupRequest(
    brokerId: number,
    groupId: string | null | undefined,
    requireNonEmpty: boolean,
  ): GroupCheck {
    if (this.stopped) return { errorCode: ErrorCode.NOT_COORDINATOR };
    if (typeof groupId !== 'string' || (requireNonEmpty && groupId === ''))
      return { errorCode: ErrorCode.INVALID_GROUP_ID };
    // As Kafka: a broker that does not lead the group's offsets partition (none does while it is offline) answers
    // NOT_COORDINATOR, and the client looks the coordinator up again.
    const coordinator = this.deps.coordinatorFor(groupId);
    if (!coordinator || coordinator.id !== brokerId) return { errorCode: ErrorCode.NOT_COORDINATOR };
    return { errorCode: ErrorCode.NONE, group: this.groups.get(groupId) };
  }

  private findMember(
    brokerId: number,
    groupId: string,
    memberId: string,
  ): { errorCode: number } | { group: GroupMetadata; member: MemberMetadata } {
    const check = this.checkGroupRequest(brokerId, groupId, true);
    if (check.errorCode !== ErrorCode.NONE) return { errorCode: check.errorCode };
    const group = 'group' in check ? check.group : undefined;
    const member = group?.get(memberId);
    if (!group || !member) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    return { group, member };
  }

  private log(group: GroupMetadata, line: string): void {
    this.deps.log?.(`group ${group.groupId}: ${line}`);
  }
}

type JoiningMember = Pick<
  MemberMetadata,
  'clientId' | 'clientHost' | 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'protocolType' | 'protocols'
>;

function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}

function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return { throttleTimeMs: 0, errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

function syncResponse(errorCode: number, assignment: Buffer = emptyBuffer()): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, assignment };
}

function coordinatorError(errorCode: number, errorMessage: string | null): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

function noOffset(partitionIndex: number, errorCode: number) {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '' as string | null, errorCode };
}

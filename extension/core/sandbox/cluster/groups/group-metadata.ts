/**
 * One consumer group's state as Kafka's classic group coordinator keeps it: its members, the generation, the chosen
 * protocol, the leader and the committed offsets. Pure bookkeeping; the coordinator drives the state machine and
 * owns the timers.
 */
import type { JoinGroupResponse, SyncGroupResponse } from '../../../kafka/protocol';

/** Kafka's group state names, as DescribeGroups reports them. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface MemberMetadata {
  readonly memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** In the member's order of preference. */
  protocols: GroupProtocol[];
  /** What the leader assigned in the current generation (empty until SyncGroup). */
  assignment: Buffer;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((response: JoinGroupResponse) => void) | null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((response: SyncGroupResponse) => void) | null;
  /** Cancels the session timer; a heartbeat (or any group request) restarts it. */
  cancelSessionTimer: (() => void) | null;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: number;
}

const EMPTY = Buffer.alloc(0);

export class GroupMetadata {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** Keyed by `topic` then partition, so OffsetFetch can list a topic's partitions in order. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** Cancels the pending rebalance completion (the initial delay or the rebalance timeout). */
  cancelJoinTimer: (() => void) | null = null;
  /** True while the first rebalance of an empty group waits `initialRebalanceDelayMs` for more members. */
  inInitialDelay = false;
  /** A member joined during the initial delay, so the delay is extended once more (bounded by the rebalance timeout). */
  newMemberAddedDuringDelay = false;
  /** Rebalance time not yet spent on initial-delay extensions. */
  initialDelayRemainingMs = 0;

  constructor(readonly groupId: string) {}

  is(state: GroupState): boolean {
    return this.state === state;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata | undefined {
    return this.members.get(memberId);
  }

  add(member: MemberMetadata): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  /** Removes a member; if it led the group the next member (in join order) becomes leader. */
  remove(memberId: string): void {
    this.members.delete(memberId);
    if (this.leaderId === memberId) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
  }

  /** The longest rebalance timeout of any member: how long a rebalance may wait for everyone to rejoin. */
  rebalanceTimeoutMs(): number {
    let longest = 0;
    for (const member of this.members.values()) longest = Math.max(longest, member.rebalanceTimeoutMs);
    return longest;
  }

  allMembersRejoined(): boolean {
    for (const member of this.members.values()) if (!member.awaitingJoin) return false;
    return true;
  }

  /** Protocol names every member (but `exceptMemberId`) supports. */
  candidateProtocols(exceptMemberId?: string): Set<string> | null {
    const others = [...this.members.values()].filter((m) => m.memberId !== exceptMemberId);
    if (others.length === 0) return null;
    const names = (m: MemberMetadata) => new Set(m.protocols.map((p) => p.name));
    return others.slice(1).reduce((common, m) => {
      const theirs = names(m);
      return new Set([...common].filter((n) => theirs.has(n)));
    }, names(others[0]));
  }

  /** Whether a member with these protocols may join (Kafka's `supportsProtocols`). */
  supportsProtocols(protocolType: string, protocolNames: string[], memberId?: string): boolean {
    if (!protocolType || protocolNames.length === 0) return false;
    const others = this.candidateProtocols(memberId);
    if (others === null) return true; // no other members: anything non-empty goes
    return this.protocolType === protocolType && protocolNames.some((n) => others.has(n));
  }

  /**
   * Each member votes for the first protocol in its preference list that all members support; the most votes wins
   * (ties go to the leader's preference). Joins are refused unless all members share a protocol, so one exists.
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols() ?? new Set<string>();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const vote = member.protocols.find((p) => candidates.has(p.name));
      if (vote) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
    }
    const leader = this.leaderId ? this.members.get(this.leaderId) : undefined;
    const preference = (leader?.protocols ?? []).map((p) => p.name);
    let best: string | null = null;
    for (const [name, count] of votes) {
      const bestCount = best === null ? -1 : votes.get(best)!;
      const better = count > bestCount || (count === bestCount && preference.indexOf(name) < preference.indexOf(best!));
      if (better) best = name;
    }
    // Unreachable while joins are checked with supportsProtocols; still, never throw from a rebalance timer.
    return best ?? preference[0] ?? '';
  }

  /** A member's metadata for the group's chosen protocol. */
  metadataFor(member: MemberMetadata, protocolName: string | null = this.protocolName): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY;
  }

  /** What the leader's JoinGroup response lists: every member with its metadata for the chosen protocol. */
  currentMemberMetadata(): { memberId: string; metadata: Buffer }[] {
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, metadata: this.metadataFor(m) }));
  }

  committed(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  commit(offset: CommittedOffset): void {
    let partitions = this.offsets.get(offset.topic);
    if (!partitions) this.offsets.set(offset.topic, (partitions = new Map()));
    partitions.set(offset.partition, offset);
  }

  /** Forgets a deleted topic's offsets, as Kafka does when a topic is deleted. */
  forgetTopic(topic: string): void {
    this.offsets.delete(topic);
  }
}

export function emptyBuffer(): Buffer {
  return EMPTY;
}

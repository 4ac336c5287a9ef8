/**
 * Incremental fetch sessions (KIP-227), as a Kafka 2.1 broker grants them to Fetch v7+. Each broker has its own cache.
 *
 * - A full fetch (epoch 0) asks for a session: the broker caches the partitions it named and answers a new session
 *   id (0 when the cache is full and nothing can be evicted). Epoch -1 closes the session named and fetches
 *   without one; v0-v6 never have one.
 * - An incremental fetch names the session and its next epoch, plus only the partitions to add or change and those
 *   to forget; the broker fetches every cached partition and answers only those with news (records, a new high
 *   watermark or log start offset, an error). An unknown session gets FETCH_SESSION_ID_NOT_FOUND, a wrong epoch
 *   INVALID_FETCH_SESSION_EPOCH; a session left with no partitions is closed.
 * - At most max.incremental.fetch.session.cache.slots sessions (1000); a new one evicts a session unused for
 *   min.incremental.fetch.session.eviction.ms (2 minutes), or one older than that with fewer partitions.
 *
 * The sandbox also caps the partitions cached over one broker's sessions (Kafka has no cap): past it a full fetch
 * gets no session, and an incremental fetch growing past it closes its session (FETCH_SESSION_ID_NOT_FOUND, which
 * clients answer with a full fetch).
 */
import type { FetchRequest, FetchResponse } from '../../kafka/protocol';
import { ErrorCode } from '../../kafka/protocol/errors';
import type { Clock } from '../../util/clock';

/** max.incremental.fetch.session.cache.slots (Kafka's default). */
export const FETCH_SESSION_CACHE_SLOTS = 1000;
/** min.incremental.fetch.session.eviction.ms (Kafka's default). */
export const FETCH_SESSION_EVICTION_MS = 120_000;
/** The sandbox's bound on the partitions one broker's sessions cache. */
export const FETCH_SESSION_MAX_PARTITIONS = 50_000;

const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const NO_SESSION = 0;
const MAX_INT = 0x7fffffff;

/** The epoch after `epoch`: -1 stays -1, and the largest int wraps to 1. */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === MAX_INT ? 1 : epoch + 1;
}

/** One partition a fetch reads, with the request's parameters for it. */
export interface FetchedPartition {
  topic: string;
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  logStartOffset: number;
  partitionMaxBytes: number;
}

/** A session's partition: the fetcher's last parameters and what the broker last answered for it. */
interface CachedPartition extends FetchedPartition {
  highWatermark: number;
  localLogStartOffset: number;
}

interface FetchSession {
  readonly id: number;
  /** A follower's session (replicaId >= 0), which only another follower's may evict while it is young. */
  readonly privileged: boolean;
  readonly partitions: Map<string, CachedPartition>;
  readonly creationMs: number;
  lastUsedMs: number;
  /** The epoch the next incremental fetch must carry. */
  epoch: number;
  /** The partition count when last touched (what eviction compares). */
  cachedSize: number;
}

/** How one Fetch request is answered, decided before it reads (the session is updated then, as in Kafka). */
export type FetchContext =
  | { kind: 'error'; errorCode: number }
  | { kind: 'sessionless'; partitions: FetchedPartition[] }
  | { kind: 'full'; partitions: FetchedPartition[]; privileged: boolean }
  | { kind: 'incremental'; partitions: FetchedPartition[]; session: FetchSession; requestEpoch: number };

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Entries in order, consecutive ones of one topic under one topic entry (as Kafka batches them by topic). */
export function groupByTopic<P>(
  entries: Iterable<[topic: string, partition: P]>,
): { topic: string; partitions: P[] }[] {
  const out: { topic: string; partitions: P[] }[] = [];
  for (const [topic, partition] of entries) {
    const last = out[out.length - 1];
    if (last && last.topic === topic) last.partitions.push(partition);
    else out.push({ topic, partitions: [partition] });
  }
  return out;
}

function requestedPartitions(req: FetchRequest): FetchedPartition[] {
  return req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.topic,
      partition: p.partition,
      currentLeaderEpoch: p.currentLeaderEpoch,
      fetchOffset: p.fetchOffset,
      logStartOffset: p.logStartOffset,
      partitionMaxBytes: p.partitionMaxBytes,
    })),
  );
}

/** A fetch without a session: every partition it names (v0-v6, or a client that asks for none). */
export function sessionlessContext(req: FetchRequest): FetchContext {
  return { kind: 'sessionless', partitions: requestedPartitions(req) };
}

/** One broker's fetch sessions. */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private cachedPartitions = 0;

  constructor(
    private readonly clock: Clock,
    private readonly slots = FETCH_SESSION_CACHE_SLOTS,
    private readonly evictionMs = FETCH_SESSION_EVICTION_MS,
    private readonly maxPartitions = FETCH_SESSION_MAX_PARTITIONS,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get partitions(): number {
    return this.cachedPartitions;
  }

  /** Decides how a Fetch v7+ is answered, updating the session it names (Kafka's FetchManager.newContext). */
  newContext(req: FetchRequest): FetchContext {
    const privileged = req.replicaId >= 0;
    if (req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH) {
      if (req.sessionId !== NO_SESSION) this.remove(req.sessionId);
      return req.sessionEpoch === FINAL_EPOCH
        ? sessionlessContext(req)
        : { kind: 'full', partitions: requestedPartitions(req), privileged };
    }
    const session = this.sessions.get(req.sessionId);
    if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== req.sessionEpoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };

    for (const p of requestedPartitions(req)) {
      const cached = session.partitions.get(keyOf(p.topic, p.partition));
      // Kafka 2.1 keeps no leader epoch in a session: cached partitions are fetched without one.
      if (cached) Object.assign(cached, { ...p, currentLeaderEpoch: -1 });
      else
        session.partitions.set(keyOf(p.topic, p.partition), {
          ...p,
          currentLeaderEpoch: -1,
          highWatermark: -1,
          localLogStartOffset: -1,
        });
    }
    for (const t of req.forgottenTopicsData)
      for (const partition of t.partitions) session.partitions.delete(keyOf(t.topic, partition));

    if (session.partitions.size === 0) {
      this.remove(session.id);
      return sessionlessContext(req);
    }
    if (this.cachedPartitions - session.cachedSize + session.partitions.size > this.maxPartitions) {
      this.remove(session.id);
      return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    }
    this.touch(session, this.clock.now());
    session.epoch = nextEpoch(session.epoch);
    return {
      kind: 'incremental',
      partitions: [...session.partitions.values()],
      session,
      requestEpoch: req.sessionEpoch,
    };
  }

  /**
   * The answer to send once the partitions were read: a full fetch creates its session here; an incremental one
   * keeps only the partitions with news and moves them to the back of the session, so the others come first
   * next time (as Kafka rotates them).
   */
  finish(context: FetchContext, response: FetchResponse): FetchResponse {
    switch (context.kind) {
      case 'error':
        return { throttleTimeMs: 0, errorCode: context.errorCode, sessionId: NO_SESSION, responses: [] };
      case 'sessionless':
        return { ...response, sessionId: NO_SESSION };
      case 'full':
        return { ...response, sessionId: this.maybeCreateSession(context, response) };
      case 'incremental':
        return this.incrementalResponse(context.session, context.requestEpoch, response);
    }
  }

  /** Drops every session (the broker stopped). */
  clear(): void {
    this.sessions.clear();
    this.cachedPartitions = 0;
  }

  private incrementalResponse(session: FetchSession, requestEpoch: number, response: FetchResponse): FetchResponse {
    if (session.epoch !== nextEpoch(requestEpoch)) {
      // Another fetch in the same session was answered meanwhile: this one is a duplicate.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
        sessionId: session.id,
        responses: [],
      };
    }
    const kept: [string, FetchResponse['responses'][number]['partitions'][number]][] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) if (this.hasNews(session, t.topic, p)) kept.push([t.topic, p]);
    }
    return { ...response, errorCode: ErrorCode.NONE, sessionId: session.id, responses: groupByTopic(kept) };
  }

  /**
   * Whether an incremental fetch answers this partition (Kafka's CachedPartition.maybeUpdateResponseData), noting
   * what it answers; a partition with news moves to the back of the session.
   */
  private hasNews(
    session: FetchSession,
    topic: string,
    p: FetchResponse['responses'][number]['partitions'][number],
  ): boolean {
    const key = keyOf(topic, p.partitionIndex);
    const cached = session.partitions.get(key);
    if (!cached) return true;
    let news = p.records !== null && p.records.length > 0;
    if (cached.highWatermark !== p.highWatermark) {
      news = true;
      cached.highWatermark = p.highWatermark;
    }
    if (cached.localLogStartOffset !== p.logStartOffset) {
      news = true;
      cached.localLogStartOffset = p.logStartOffset;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      news = true;
      cached.highWatermark = -1;
    }
    if (news) {
      session.partitions.delete(key);
      session.partitions.set(key, cached);
    }
    return news;
  }

  private maybeCreateSession(
    context: { partitions: FetchedPartition[]; privileged: boolean },
    response: FetchResponse,
  ): number {
    const now = this.clock.now();
    const size = context.partitions.length;
    if (this.cachedPartitions + size > this.maxPartitions) return NO_SESSION;
    if (this.sessions.size >= this.slots && !this.tryEvict(context.privileged, size, now)) return NO_SESSION;
    const requested = new Map(context.partitions.map((p) => [keyOf(p.topic, p.partition), p]));
    const partitions = new Map<string, CachedPartition>();
    // In the answer's order (which puts unknown partitions last), with what was answered for each.
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const key = keyOf(t.topic, p.partitionIndex);
        const req = requested.get(key);
        if (!req) continue;
        partitions.set(key, {
          ...req,
          currentLeaderEpoch: -1,
          highWatermark: p.highWatermark,
          localLogStartOffset: p.logStartOffset,
        });
      }
    }
    const session: FetchSession = {
      id: this.newSessionId(),
      privileged: context.privileged,
      partitions,
      creationMs: now,
      lastUsedMs: now,
      epoch: nextEpoch(INITIAL_EPOCH),
      cachedSize: 0,
    };
    this.sessions.set(session.id, session);
    this.touch(session, now);
    return session.id;
  }

  /**
   * Makes room for a session of `size` partitions (Kafka's FetchSessionCache.tryEvict): the least recently used
   * session if unused for evictionMs; else the smallest session older than evictionMs, if it is no larger (a
   * consumer's request may evict only consumers' sessions while followers' are young).
   */
  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let lru: FetchSession | undefined;
    for (const s of this.sessions.values())
      if (!lru || s.lastUsedMs < lru.lastUsedMs || (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)) lru = s;
    if (!lru) return false;
    if (now - lru.lastUsedMs > this.evictionMs) {
      this.remove(lru.id);
      return true;
    }
    let smallest: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      const old = s.lastUsedMs - s.creationMs > this.evictionMs;
      const evictable = privileged ? !s.privileged || old : old;
      if (evictable && (!smallest || compareEvictable(s, smallest) < 0)) smallest = s;
    }
    if (!smallest || compareKeys([privileged, size, 0], evictableKey(smallest)) < 0) return false;
    this.remove(smallest.id);
    return true;
  }

  private touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    this.cachedPartitions += session.partitions.size - session.cachedSize;
    session.cachedSize = session.partitions.size;
  }

  private remove(id: number): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.cachedPartitions -= session.cachedSize;
  }

  private newSessionId(): number {
    let id: number;
    do id = 1 + Math.floor(Math.random() * (MAX_INT - 1));
    while (this.sessions.has(id));
    return id;
  }
}

type EvictableKey = [privileged: boolean, size: number, id: number];

function evictableKey(s: FetchSession): EvictableKey {
  return [s.privileged, s.cachedSize, s.id];
}

function compareKeys(a: EvictableKey, b: EvictableKey): number {
  return Number(a[0]) - Number(b[0]) || a[1] - b[1] || a[2] - b[2];
}

function compareEvictable(a: FetchSession, b: FetchSession): number {
  return compareKeys(evictableKey(a), evictableKey(b));
}

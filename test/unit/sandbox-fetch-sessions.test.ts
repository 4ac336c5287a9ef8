/**
 * The fetch session cache's bounds (Kafka's FetchSessionCache): slots, eviction of stale and of old small sessions,
 * and the sandbox's own cap on cached partitions. Time is a fake clock, so two minutes pass at once.
 */
import { strict as assert } from 'node:assert';
import type { FetchRequest, FetchResponse } from '../../extension/core/kafka/protocol';
import { ErrorCode } from '../../extension/core/kafka/protocol';
import {
  FETCH_SESSION_EVICTION_MS,
  FetchSessionCache,
  nextEpoch,
} from '../../extension/core/sandbox/cluster/fetch-sessions';
import { FakeClock } from '../../extension/core/util/clock';

function request(partitions: number, sessionId = 0, sessionEpoch = 0): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics: [
      {
        topic: 't',
        partitions: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: 0,
          logStartOffset: -1,
          partitionMaxBytes: 1024,
        })),
      },
    ],
    forgottenTopicsData: [],
  };
}

/** What the broker read for a request: every partition at high watermark 0, no records. */
function readOf(req: FetchRequest): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition,
        errorCode: 0,
        highWatermark: 0,
        lastStableOffset: 0,
        logStartOffset: 0,
        abortedTransactions: null,
        records: Buffer.alloc(0),
      })),
    })),
  };
}

function open(cache: FetchSessionCache, partitions: number): number {
  const req = request(partitions);
  return cache.finish(cache.newContext(req), readOf(req)).sessionId;
}

describe('sandbox fetch session cache (bounds and eviction)', () => {
  it('grants sessions until its slots are full, then answers session id 0', () => {
    const cache = new FetchSessionCache(new FakeClock(0), 3);
    const ids = [open(cache, 1), open(cache, 1), open(cache, 1)];
    assert.ok(ids.every((id) => id > 0) && new Set(ids).size === 3);
    assert.equal(open(cache, 1), 0);
    assert.equal(cache.size, 3);
  });

  it('evicts the least recently used session once it went unused for min.incremental.fetch.session.eviction.ms', () => {
    const clock = new FakeClock(0);
    const cache = new FetchSessionCache(clock, 2);
    const stale = open(cache, 1);
    clock.advance(10);
    const used = open(cache, 1);
    clock.advance(FETCH_SESSION_EVICTION_MS);
    // Using the second session keeps it fresh; the first is stale and makes room.
    const incremental = request(0, used, 1);
    cache.finish(cache.newContext(incremental), readOf(incremental));
    assert.ok(open(cache, 1) > 0);
    const gone = request(0, stale, 1);
    assert.equal(cache.finish(cache.newContext(gone), readOf(gone)).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const kept = request(0, used, 2);
    assert.equal(cache.finish(cache.newContext(kept), readOf(kept)).errorCode, ErrorCode.NONE);
  });

  it('evicts a session older than the eviction time for a larger one, never for one as small or smaller', () => {
    const clock = new FakeClock(0);
    const cache = new FetchSessionCache(clock, 1);
    const small = open(cache, 2);
    clock.advance(FETCH_SESSION_EVICTION_MS / 2);
    // Touched after the eviction time since creation: it becomes evictable (by size), though recently used.
    clock.advance(FETCH_SESSION_EVICTION_MS / 2 + 1);
    const grow = request(3, small, 1);
    cache.finish(cache.newContext(grow), readOf(grow));
    assert.equal(open(cache, 2), 0, 'a smaller session does not evict a larger one');
    assert.equal(open(cache, 3), 0, 'nor does one as large (Kafka compares the new key with id 0)');
    assert.ok(open(cache, 4) > 0, 'a larger one does');
  });

  it('caps the partitions cached over all sessions: past the cap no session is granted, and a growing one closes', () => {
    const cache = new FetchSessionCache(new FakeClock(0), 10, FETCH_SESSION_EVICTION_MS, 5);
    const id = open(cache, 4);
    assert.ok(id > 0);
    assert.equal(open(cache, 2), 0);
    assert.equal(cache.partitions, 4);
    const grow = request(6, id, 1);
    assert.equal(cache.finish(cache.newContext(grow), readOf(grow)).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    assert.equal(cache.size, 0);
    assert.equal(cache.partitions, 0);
  });

  it('counts epochs as Kafka: 0 opens, -1 stays -1, the largest int wraps to 1', () => {
    assert.equal(nextEpoch(0), 1);
    assert.equal(nextEpoch(-1), -1);
    assert.equal(nextEpoch(0x7fffffff), 1);
  });
});

/**
 * Reads records of chosen partitions from their leaders with Fetch, over a ConsumerTransport: no group, no
 * commits, positions kept here. Start positions come from ListOffsets (earliest, latest, by time) or are given.
 * Every request is reported as a fact in the producer trace's style (which broker, which offsets, how long), so a
 * read can be explained. Leader moves and lost connections are retried after a metadata refresh; an offset out of
 * range, a missing topic or partition are errors that say what is valid.
 */
import { ErrorCode, errorName, isRetriable } from '../kafka/protocol/errors';
import {
  EARLIEST_OFFSET,
  LATEST_OFFSET,
  type ConsumerTransport,
  type IsolationLevel,
  type ListOffsetsPartitionRequest,
} from '../transport/consumer-transport';
import { TransportError, type ClusterMetadata } from '../transport/transport';
import { InvalidInputError, WorkbenchError } from '../util/errors';
import { recordsFromFetch, type ConsumedRecord } from './fetched-records';
import type { StartOffset } from './start-offset';
import { formatDuration } from '../format/duration';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface OffsetRange {
  topic: string;
  partition: number;
  /** The log start offset: the first record still kept. */
  earliest: number;
  /** The next offset to be written (the high watermark, or the last stable offset with read_committed). */
  latest: number;
}

/** One request of a read, as the trace shows it. */
export type ReadFact =
  | {
      kind: 'listOffsets';
      brokerId: number;
      address: string;
      sentAtMs: number;
      durationMs: number;
      partitions: { topic: string; partition: number; asked: string; offset: number; error?: string }[];
    }
  | {
      kind: 'fetch';
      brokerId: number;
      address: string;
      sentAtMs: number;
      durationMs: number;
      isolation: IsolationLevel;
      partitions: {
        topic: string;
        partition: number;
        fetchOffset: number;
        nextOffset: number;
        records: number;
        bytes: number;
        highWatermark: number;
        lastStableOffset: number;
        logStartOffset: number;
        abortedRecords: number;
        error?: string;
      }[];
    }
  | { kind: 'retry'; brokerId?: number; reason: string };

export interface RecordReaderOptions {
  isolation: IsolationLevel;
  /** Bytes asked per partition per fetch (the broker sends at least one whole batch). Default 1 MiB. */
  partitionMaxBytes?: number;
  onFact?: (fact: ReadFact) => void;
  now?: () => number;
  /** Waits between attempts when every broker failed (a real timer by default). */
  sleep?: (ms: number) => Promise<void>;
}

export interface PollOptions {
  /** How long a broker may hold the fetch when it has nothing new. */
  maxWaitMs: number;
  /** Wall-clock time (ms) by which the poll must be over, requests included. */
  deadline: number;
}

/** A read that cannot go on (not a passing problem): the message says what and why. */
export class ReadError extends WorkbenchError {}

const DEFAULT_PARTITION_MAX_BYTES = 1024 * 1024;
const RETRY_BACKOFF_MS = 200;
const ANSWER_SLACK_MS = 100;
const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class RecordReader {
  private readonly positions = new Map<string, TopicPartitionOffset>();
  private leaders = new Map<string, number>();
  private metadataStale = true;
  /** The last passing problem (a lost connection, a leader moving); cleared by a fetch that works. */
  private problem: string | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly transport: ConsumerTransport,
    private readonly options: RecordReaderOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Why the last poll could not read everything (a broker down, a leader moving), or undefined. */
  lastProblem(): string | undefined {
    return this.problem;
  }

  /** The topic's partition numbers; a topic that does not exist is an InvalidInputError naming the topics there are. */
  async partitionsOf(topic: string): Promise<number[]> {
    const metadata = await this.refreshMetadata([topic]);
    const info = metadata.topics.find((t) => t.name === topic);
    if (!info || info.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || info.partitions.length === 0) {
      const all = await this.transport.fetchMetadata(null, false);
      const names = all.topics
        .filter((t) => !t.isInternal)
        .map((t) => t.name)
        .sort();
      throw new InvalidInputError(
        `topic '${topic}' does not exist; the cluster has ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'no topics'}`,
      );
    }
    if (info.errorCode !== 0) throw new ReadError(`topic '${topic}': ${errorName(info.errorCode)}`);
    return info.partitions.map((p) => p.partition);
  }

  /** Checks that the partitions exist, or says which do. */
  async checkPartitions(topic: string, partitions: number[]): Promise<void> {
    const all = await this.partitionsOf(topic);
    const missing = partitions.filter((p) => !all.includes(p));
    if (missing.length) {
      throw new InvalidInputError(
        `topic '${topic}' has no partition ${missing.join(', ')}: its partitions are ${rangeText(all)}`,
      );
    }
  }

  /** The earliest and latest offsets of each partition. */
  async offsetRanges(topic: string, partitions: number[]): Promise<OffsetRange[]> {
    const [earliest, latest] = await Promise.all([
      this.listOffsets(partitions.map((partition) => ({ topic, partition, timestamp: EARLIEST_OFFSET }))),
      this.listOffsets(partitions.map((partition) => ({ topic, partition, timestamp: LATEST_OFFSET }))),
    ]);
    return partitions.map((partition) => ({
      topic,
      partition,
      earliest: earliest.get(key(topic, partition))!,
      latest: latest.get(key(topic, partition))!,
    }));
  }

  /**
   * Positions the partitions (every partition of the topic when none are given) at `start` and returns where each
   * starts. An offset outside a partition's range is an InvalidInputError that gives the valid range.
   */
  async assign(topic: string, start: StartOffset, partitions?: number[]): Promise<TopicPartitionOffset[]> {
    if (partitions) await this.checkPartitions(topic, partitions);
    const chosen = partitions ?? (await this.partitionsOf(topic));
    let starts: Map<string, number>;
    if (start.kind === 'offset') {
      const ranges = await this.offsetRanges(topic, chosen);
      const bad = ranges.filter((r) => start.offset < r.earliest || start.offset > r.latest);
      if (bad.length) {
        const ranges = bad.map(
          (r) =>
            `${r.topic}-${r.partition} has ${r.earliest === r.latest ? `no records (the next offset is ${r.latest})` : `offsets ${r.earliest} to ${r.latest - 1}`}`,
        );
        throw new InvalidInputError(
          `offset ${start.offset} is out of range: ${ranges.join('; ')}; give an offset in range, earliest, latest or @TIMESTAMP`,
        );
      }
      starts = new Map(chosen.map((p) => [key(topic, p), start.offset]));
    } else if (start.kind === 'timestamp') {
      const found = await this.listOffsets(
        chosen.map((partition) => ({ topic, partition, timestamp: start.timestamp })),
      );
      const missing = chosen.filter((p) => found.get(key(topic, p))! < 0);
      // No record at or after the time: start at the end, as the Java consumer's offsetsForTimes users do.
      const latest = missing.length
        ? await this.listOffsets(missing.map((partition) => ({ topic, partition, timestamp: LATEST_OFFSET })))
        : new Map<string, number>();
      starts = new Map(
        chosen.map((p) => [
          key(topic, p),
          found.get(key(topic, p))! >= 0 ? found.get(key(topic, p))! : latest.get(key(topic, p))!,
        ]),
      );
    } else {
      starts = await this.listOffsets(
        chosen.map((partition) => ({
          topic,
          partition,
          timestamp: start.kind === 'earliest' ? EARLIEST_OFFSET : LATEST_OFFSET,
        })),
      );
    }
    const assigned = chosen.map((partition) => ({ topic, partition, offset: starts.get(key(topic, partition))! }));
    for (const p of assigned) this.positions.set(key(p.topic, p.partition), { ...p });
    return assigned;
  }

  /** Positions partitions at offsets already known (noted before a send, or a page of the topic viewer). */
  seek(positions: readonly TopicPartitionOffset[]): void {
    for (const p of positions) this.positions.set(key(p.topic, p.partition), { ...p });
  }

  /** Stops reading a partition. */
  unassign(topic: string, partition: number): void {
    this.positions.delete(key(topic, partition));
  }

  /** Where each assigned partition's next fetch starts. */
  currentPositions(): TopicPartitionOffset[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }

  /**
   * One round of fetches (one request per leader, in parallel); returns the records read, in offset order per
   * partition. Passing problems (a leader moved, a broker went away) are retried on the next poll after a
   * metadata refresh and reported by lastProblem(); anything else throws.
   */
  async poll(options: PollOptions): Promise<ConsumedRecord[]> {
    if (this.positions.size === 0) return [];
    const remaining = () => options.deadline - this.now();
    if (this.metadataStale) {
      try {
        await this.refreshMetadata([...new Set([...this.positions.values()].map((p) => p.topic))]);
      } catch (e) {
        if (!(e instanceof TransportError) || !e.retriable) throw e;
        this.passingProblem(e.message, e.brokerId);
        await this.sleep(Math.max(0, Math.min(RETRY_BACKOFF_MS, remaining())));
        return [];
      }
    }
    const byLeader = new Map<number, TopicPartitionOffset[]>();
    for (const p of this.positions.values()) {
      const leader = this.leaders.get(key(p.topic, p.partition)) ?? -1;
      if (leader < 0) {
        this.metadataStale = true;
        this.passingProblem(`${p.topic}-${p.partition} has no leader right now`);
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const records: ConsumedRecord[] = [];
    let anyWorked = false;
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const got = await this.fetchFrom(leader, partitions, options, remaining());
        if (got) {
          anyWorked = true;
          records.push(...got);
        }
      }),
    );
    if (anyWorked && !this.metadataStale) this.problem = undefined;
    if (!anyWorked && remaining() > 0) await this.sleep(Math.max(0, Math.min(RETRY_BACKOFF_MS, remaining())));
    return records;
  }

  // ---- internals ----

  private async fetchFrom(
    leader: number,
    partitions: TopicPartitionOffset[],
    options: PollOptions,
    remainingMs: number,
  ): Promise<ConsumedRecord[] | undefined> {
    // The broker answers a little after maxWaitMs: leave it room to, within the deadline.
    const maxWaitMs = Math.max(0, Math.min(options.maxWaitMs, remainingMs - ANSWER_SLACK_MS));
    const partitionMaxBytes = this.options.partitionMaxBytes ?? DEFAULT_PARTITION_MAX_BYTES;
    let result;
    try {
      result = await this.transport.fetch(leader, {
        isolationLevel: this.options.isolation,
        maxWaitMs,
        minBytes: 1,
        maxBytes: partitionMaxBytes * partitions.length,
        partitions: partitions.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          fetchOffset: p.offset,
          maxBytes: partitionMaxBytes,
        })),
        timeoutMs: Math.max(1, remainingMs - maxWaitMs),
      });
    } catch (e) {
      if (!(e instanceof TransportError) || !e.retriable) throw e;
      // A request cut short by the caller's own deadline says nothing about the cluster.
      if (e.kind === 'timeout' && this.now() >= options.deadline) return [];
      this.metadataStale = true;
      this.passingProblem(e.message, leader);
      return undefined;
    }
    const fact: Extract<ReadFact, { kind: 'fetch' }> = {
      kind: 'fetch',
      brokerId: leader,
      address: result.timing.address,
      sentAtMs: result.timing.sentAtMs,
      durationMs: result.timing.durationMs,
      isolation: this.options.isolation,
      partitions: [],
    };
    const records: ConsumedRecord[] = [];
    let failure: Error | undefined;
    for (const part of result.partitions) {
      const position = this.positions.get(key(part.topic, part.partition));
      if (!position) continue;
      const row = {
        topic: part.topic,
        partition: part.partition,
        fetchOffset: position.offset,
        nextOffset: position.offset,
        records: 0,
        bytes: part.records?.length ?? 0,
        highWatermark: part.highWatermark,
        lastStableOffset: part.lastStableOffset,
        logStartOffset: part.logStartOffset,
        abortedRecords: 0,
      } as (typeof fact.partitions)[number];
      fact.partitions.push(row);
      if (part.errorCode !== ErrorCode.NONE) {
        row.error = errorName(part.errorCode);
        if (part.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          failure ??= new ReadError(
            `offset ${position.offset} of ${part.topic}-${part.partition} is out of range: the partition has offsets ${part.logStartOffset} to ${part.highWatermark - 1} (records before ${part.logStartOffset} were deleted)`,
          );
        } else if (isRetriable(part.errorCode)) {
          this.metadataStale = true;
          this.passingProblem(
            `${part.topic}-${part.partition}: ${errorName(part.errorCode)} from broker ${leader}`,
            leader,
          );
        } else {
          failure ??= new ReadError(`reading ${part.topic}-${part.partition} failed: ${errorName(part.errorCode)}`);
        }
        continue;
      }
      const fetched = await recordsFromFetch(part, position.offset, this.options.isolation);
      position.offset = fetched.nextOffset;
      row.nextOffset = fetched.nextOffset;
      row.records = fetched.records.length;
      row.abortedRecords = fetched.abortedRecords;
      records.push(...fetched.records);
    }
    this.options.onFact?.(fact);
    if (failure) throw failure;
    return records;
  }

  /** Offsets from ListOffsets, one request per leader; retried after a metadata refresh while the cluster settles. */
  private async listOffsets(partitions: ListOffsetsPartitionRequest[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let pending = partitions;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await this.sleep(RETRY_BACKOFF_MS);
      if (attempt > 0 || this.metadataStale) await this.refreshMetadata([...new Set(pending.map((p) => p.topic))]);
      const retry: ListOffsetsPartitionRequest[] = [];
      let lastProblem = '';
      const byLeader = new Map<number, ListOffsetsPartitionRequest[]>();
      for (const p of pending) {
        const leader = this.leaders.get(key(p.topic, p.partition)) ?? -1;
        if (leader < 0) {
          retry.push(p);
          lastProblem = `${p.topic}-${p.partition} has no leader`;
        } else byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, asked]) => {
          try {
            const result = await this.transport.listOffsets(leader, {
              isolationLevel: this.options.isolation,
              partitions: asked,
            });
            this.options.onFact?.({
              kind: 'listOffsets',
              brokerId: leader,
              address: result.timing.address,
              sentAtMs: result.timing.sentAtMs,
              durationMs: result.timing.durationMs,
              partitions: result.partitions.map((r) => ({
                topic: r.topic,
                partition: r.partition,
                offset: r.offset,
                asked: describeAsked(
                  asked.find((a) => a.topic === r.topic && a.partition === r.partition)?.timestamp ?? 0,
                ),
                ...(r.errorCode ? { error: errorName(r.errorCode) } : {}),
              })),
            });
            for (const r of result.partitions) {
              const request = asked.find((a) => a.topic === r.topic && a.partition === r.partition);
              if (!request) continue;
              if (r.errorCode === 0) out.set(key(r.topic, r.partition), r.offset);
              else if (isRetriable(r.errorCode)) {
                retry.push(request);
                lastProblem = `${r.topic}-${r.partition}: ${errorName(r.errorCode)}`;
              } else
                throw new ReadError(
                  `looking up offsets of ${r.topic}-${r.partition} failed: ${errorName(r.errorCode)}`,
                );
            }
          } catch (e) {
            if (!(e instanceof TransportError) || !e.retriable) throw e;
            retry.push(...asked);
            lastProblem = e.message;
          }
        }),
      );
      if (retry.length && attempt >= 4) throw new ReadError(`cannot look up offsets: ${lastProblem}`);
      if (retry.length) this.options.onFact?.({ kind: 'retry', reason: lastProblem });
      pending = retry;
    }
    return out;
  }

  private async refreshMetadata(topics: string[]): Promise<ClusterMetadata> {
    const metadata = await this.transport.fetchMetadata(topics, false);
    const leaders = new Map(this.leaders);
    for (const t of metadata.topics) for (const p of t.partitions) leaders.set(key(t.name, p.partition), p.leader);
    this.leaders = leaders;
    this.metadataStale = false;
    return metadata;
  }

  private passingProblem(reason: string, brokerId?: number): void {
    this.problem = reason;
    this.options.onFact?.({ kind: 'retry', brokerId, reason });
  }
}

function describeAsked(timestamp: number): string {
  if (timestamp === EARLIEST_OFFSET) return 'earliest';
  if (timestamp === LATEST_OFFSET) return 'latest';
  return `@${new Date(timestamp).toISOString()}`;
}

/** "0 to 3", or "0, 2, 5" when not contiguous. */
function rangeText(partitions: number[]): string {
  const sorted = [...partitions].sort((a, b) => a - b);
  const contiguous = sorted.every((p, i) => p === sorted[0]! + i);
  return contiguous && sorted.length > 2 ? `${sorted[0]} to ${sorted[sorted.length - 1]}` : sorted.join(', ');
}

/** One line for a fact, for logs and `consume --verbose`. */
export function describeFact(fact: ReadFact): string {
  switch (fact.kind) {
    case 'listOffsets':
      return `ListOffsets to broker ${fact.brokerId} (${fact.address}), ${formatDuration(fact.durationMs)}: ${fact.partitions
        .map((p) => `${p.topic}-${p.partition} ${p.asked} = ${p.error ?? p.offset}`)
        .join(', ')}`;
    case 'fetch':
      return `Fetch (${fact.isolation}) to broker ${fact.brokerId} (${fact.address}), ${formatDuration(fact.durationMs)}: ${fact.partitions
        .map((p) =>
          p.error
            ? `${p.topic}-${p.partition} at ${p.fetchOffset}: ${p.error}`
            : `${p.topic}-${p.partition} ${p.fetchOffset}->${p.nextOffset} (${p.records} records, ${p.bytes} bytes, high watermark ${p.highWatermark}, last stable ${p.lastStableOffset}${p.abortedRecords ? `, ${p.abortedRecords} aborted skipped` : ''})`,
        )
        .join(', ')}`;
    case 'retry':
      return `retrying${fact.brokerId !== undefined ? ` (broker ${fact.brokerId})` : ''}: ${fact.reason}`;
  }
}

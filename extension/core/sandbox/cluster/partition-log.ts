/**
 * One partition's log in memory: whole record batches as stamped Buffers, in offset order. The high watermark is
 * the log end offset (replication inside one process is instant). Old batches are dropped from the front to keep
 * within caps; the log start offset moves with them. Transactions are indexed here too (Kafka keeps them with the
 * log): where each open transaction's first record is, which gives the last stable offset, and the offset ranges
 * of aborted transactions that read_committed fetches are told about.
 */

/** An aborted transaction's records on this partition: from its first record to its abort marker. */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly recordCount: number;
  /** The largest record timestamp (the append time for LogAppendTime batches). */
  readonly maxTimestamp: number;
  readonly bytes: Buffer;
  /** Cluster-wide append order, so the total caps can drop the oldest batch of all partitions first. */
  appendSeq?: number;
}

export class PartitionLog {
  // A deque as array + head index: appends at the end, drops at the front without shifting every time.
  private batches: StoredBatch[] = [];
  private head = 0;
  private _logStartOffset = 0;
  private _logEndOffset = 0;
  private _records = 0;
  private _bytes = 0;
  /** Open transactions on this partition: producer id -> offset of its first record in the transaction. */
  private readonly openTransactions = new Map<number, number>();
  private aborted: AbortedTransaction[] = [];

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /** The next offset to be assigned; also the high watermark. */
  get highWatermark(): number {
    return this._logEndOffset;
  }

  /**
   * The last stable offset: the first offset of the oldest open transaction, else the high watermark. read_committed
   * consumers read below it only.
   */
  get lastStableOffset(): number {
    let lso = this._logEndOffset;
    for (const first of this.openTransactions.values()) if (first < lso) lso = first;
    return lso;
  }

  /** A transactional batch of `producerId` was appended at `baseOffset`: its transaction is open here from then. */
  transactionalAppend(producerId: number, baseOffset: number): void {
    if (!this.openTransactions.has(producerId)) this.openTransactions.set(producerId, baseOffset);
  }

  /** Whether `producerId` has a transaction open on this partition. */
  hasOpenTransaction(producerId: number): boolean {
    return this.openTransactions.has(producerId);
  }

  /** The marker for `producerId`'s transaction was appended at `markerOffset`: the transaction is closed here. */
  transactionEnded(producerId: number, markerOffset: number, aborted: boolean): void {
    const first = this.openTransactions.get(producerId);
    this.openTransactions.delete(producerId);
    if (aborted && first !== undefined) this.aborted.push({ producerId, firstOffset: first, lastOffset: markerOffset });
  }

  /** Aborted transactions with records in [from, to) (Fetch's abortedTransactions for read_committed). */
  abortedTransactions(from: number, to: number): AbortedTransaction[] {
    return this.aborted.filter((a) => a.lastOffset >= from && a.firstOffset < to);
  }

  get records(): number {
    return this._records;
  }

  get bytes(): number {
    return this._bytes;
  }

  get batchCount(): number {
    return this.batches.length - this.head;
  }

  /** The next base offset the log will assign to a batch. */
  get nextOffset(): number {
    return this._logEndOffset;
  }

  append(batch: StoredBatch): void {
    if (batch.baseOffset !== this._logEndOffset) {
      throw new Error(
        `internal: batch base offset ${batch.baseOffset} is not the log end offset ${this._logEndOffset}`,
      );
    }
    this.batches.push(batch);
    this._logEndOffset = batch.lastOffset + 1;
    this._records += batch.recordCount;
    this._bytes += batch.bytes.length;
  }

  firstBatch(): StoredBatch | undefined {
    return this.batches[this.head];
  }

  /** Drops the oldest batch; the log start offset moves past it. */
  dropOldest(): StoredBatch | undefined {
    const dropped = this.batches[this.head];
    if (!dropped) return undefined;
    this.batches[this.head] = undefined as unknown as StoredBatch;
    this.head++;
    this._records -= dropped.recordCount;
    this._bytes -= dropped.bytes.length;
    this._logStartOffset = dropped.lastOffset + 1;
    if (this.aborted.length > 0 && this.aborted[0].lastOffset < this._logStartOffset) {
      this.aborted = this.aborted.filter((a) => a.lastOffset >= this._logStartOffset);
    }
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /**
   * Moves the log start offset up to `offset` (DeleteRecords): batches wholly below it are dropped and returned; a
   * batch that straddles it stays, but offsets below the log start are no longer served.
   */
  deleteBefore(offset: number): StoredBatch[] {
    const dropped: StoredBatch[] = [];
    if (offset <= this._logStartOffset) return dropped;
    while (this.batchCount > 0 && this.batches[this.head].lastOffset < offset) dropped.push(this.dropOldest()!);
    this._logStartOffset = offset;
    return dropped;
  }

  /** Index (into `batches`) of the batch holding `offset`, or of the first batch after it; -1 if none. */
  private indexAtOrAfter(offset: number): number {
    let lo = this.head;
    let hi = this.batches.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid].lastOffset >= offset) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    return found;
  }

  /**
   * Whole batches from the one holding `fetchOffset` on, up to `maxBytes`; the first batch is returned even when it
   * alone is larger, when `atLeastOne` (so a consumer can always make progress, as KIP-74 requires). Batches that
   * start at or after `endOffset` are left out (read_committed reads below the last stable offset).
   */
  read(fetchOffset: number, maxBytes: number, atLeastOne: boolean, endOffset = Infinity): Buffer[] {
    const out: Buffer[] = [];
    let i = this.indexAtOrAfter(fetchOffset);
    if (i < 0) return out;
    let size = 0;
    for (; i < this.batches.length && this.batches[i].baseOffset < endOffset; i++) {
      const b = this.batches[i].bytes;
      if (size + b.length > maxBytes && !(atLeastOne && out.length === 0)) break;
      out.push(b);
      size += b.length;
    }
    return out;
  }

  /** The first batch whose max timestamp is at or after `timestamp` (ListOffsets by time), or undefined. */
  firstBatchAtOrAfterTime(timestamp: number): StoredBatch | undefined {
    for (let i = this.head; i < this.batches.length; i++) {
      if (this.batches[i].maxTimestamp >= timestamp) return this.batches[i];
    }
    return undefined;
  }
}

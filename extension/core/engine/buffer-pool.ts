/**
 * Java's BufferPool: buffer.memory, and the batch buffers in it. Batch buffers of exactly batch.size are reused
 * instead of allocated, so a long run does not leave hundreds of megabytes of dead batch buffers for the garbage
 * collector to find (they live outside the JavaScript heap, which stays small and is collected rarely). Buffers in
 * use and free buffers together never exceed buffer.memory. Only a buffer whose bytes nothing can still read comes
 * back for reuse (see ProducerBatch).
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private used = 0;

  constructor(
    /** The size that is pooled (batch.size); other sizes are allocated and dropped. */
    readonly poolableSize: number,
    readonly totalMemory: number,
  ) {}

  /** Bytes that a new batch could still take. */
  get availableMemory(): number {
    return this.totalMemory - this.used;
  }

  /** A buffer of `size` bytes counted against buffer.memory, or undefined when there is no room. */
  allocate(size: number): Buffer | undefined {
    if (size > this.totalMemory - this.used) return undefined;
    this.used += size;
    if (size === this.poolableSize) {
      const reused = this.free.pop();
      if (reused) return reused;
    }
    // Free buffers give way so that what is held stays within buffer.memory.
    while (this.free.length > 0 && this.used + this.free.length * this.poolableSize > this.totalMemory) this.free.pop();
    return Buffer.allocUnsafeSlow(size);
  }

  /** `size` bytes are free again; `buffer` (when given) may be handed out again. */
  deallocate(size: number, buffer: Buffer | undefined): void {
    this.used -= size;
    if (
      buffer &&
      buffer.length === this.poolableSize &&
      this.used + (this.free.length + 1) * this.poolableSize <= this.totalMemory
    ) {
      this.free.push(buffer);
    }
  }
}

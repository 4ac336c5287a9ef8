/**
 * Splits a TCP byte stream into Kafka request frames: a 4-byte big-endian size, then that many bytes.
 * Chunks are kept as a list and joined only when a frame spans them, so a large frame arriving in many reads costs
 * one copy, not one per read.
 */
import { WorkbenchError } from '../../util/errors';

/** The stream cannot be framed (a negative size, or a frame above the limit); the connection must be closed. */
export class FrameError extends WorkbenchError {}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being read, once its 4-byte prefix has arrived; -1 while waiting for the prefix. */
  private pendingSize = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes from the socket and returns every frame they complete (without the size prefix), in order.
   * Each frame is its own exactly-sized buffer, so whoever keeps it (a stored batch) keeps nothing else alive.
   * Throws FrameError when the stream is not framed as Kafka frames are.
   */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.pendingSize < 0) {
        if (this.buffered < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size < 0) throw new FrameError(`frame size ${size} is negative: the bytes are not a Kafka request`);
        if (size > this.maxFrameBytes) {
          throw new FrameError(`frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes} bytes (maxFrameBytes)`);
        }
        this.pendingSize = size;
      }
      if (this.buffered < this.pendingSize) break;
      frames.push(this.take(this.pendingSize));
      this.pendingSize = -1;
    }
    return frames;
  }

  /** Removes `n` buffered bytes (n <= buffered) into a new buffer of exactly n bytes. */
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafeSlow(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const need = n - filled;
      if (head.length <= need) {
        head.copy(out, filled);
        filled += head.length;
        this.chunks.shift();
      } else {
        head.copy(out, filled, 0, need);
        this.chunks[0] = head.subarray(need);
        filled += need;
      }
    }
    this.buffered -= n;
    return out;
  }
}

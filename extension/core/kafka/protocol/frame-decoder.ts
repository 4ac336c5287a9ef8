/**
 * Splits a TCP byte stream into Kafka frames (requests at a broker, responses at a client): a 4-byte big-endian
 * size, then that many bytes.
 * Bytes are copied once, straight into the frame's own buffer, as they arrive: however small the reads (a client
 * trickling one byte at a time), a frame in progress is one buffer, never a list of chunks.
 */
import { WorkbenchError } from '../../util/errors';

/** The stream cannot be framed (a negative size, or a frame above the limit); the connection must be closed. */
export class FrameError extends WorkbenchError {}

/**
 * Frames up to this size get their whole buffer when their size arrives; bigger ones grow (doubling) as their bytes
 * arrive, so a size prefix alone cannot make the broker allocate maxFrameBytes.
 */
const UPFRONT_BYTES = 1024 * 1024;

export class FrameDecoder {
  private readonly sizePrefix = Buffer.alloc(4);
  private sizeFilled = 0;
  /** The frame being read (null while reading a size prefix), its declared size and how much has arrived. */
  private body: Buffer | null = null;
  private size = 0;
  private filled = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes of the frame in progress: of its size prefix while that is incomplete, else of its body so far. */
  get bufferedBytes(): number {
    return this.sizeFilled + this.filled;
  }

  /**
   * Adds bytes from the socket and returns every frame they complete (without the size prefix), in order.
   * Each frame is its own exactly-sized buffer, so whoever keeps it (a stored batch) keeps nothing else alive.
   * Throws FrameError when the stream is not framed as Kafka frames are.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.body === null) {
        const n = Math.min(4 - this.sizeFilled, chunk.length - at);
        chunk.copy(this.sizePrefix, this.sizeFilled, at, at + n);
        this.sizeFilled += n;
        at += n;
        if (this.sizeFilled < 4) break;
        this.sizeFilled = 0;
        const size = this.sizePrefix.readInt32BE(0);
        if (size < 0) throw new FrameError(`frame size ${size} is negative: the bytes are not a Kafka request`);
        if (size > this.maxFrameBytes) {
          throw new FrameError(
            `frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes} bytes (maxFrameBytes)`,
          );
        }
        if (size === 0) {
          frames.push(Buffer.alloc(0));
          continue;
        }
        this.size = size;
        this.filled = 0;
        this.body = Buffer.allocUnsafeSlow(Math.min(size, UPFRONT_BYTES));
      }
      const n = Math.min(this.size - this.filled, chunk.length - at);
      if (this.filled + n > this.body.length) this.grow(this.filled + n);
      chunk.copy(this.body, this.filled, at, at + n);
      this.filled += n;
      at += n;
      if (this.filled === this.size) {
        frames.push(this.body);
        this.body = null;
        this.filled = 0;
      }
    }
    return frames;
  }

  /** Grows the frame buffer to hold at least `needed` bytes: doubling, never past the frame's size. */
  private grow(needed: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.min(this.size, Math.max(needed, this.body!.length * 2)));
    this.body!.copy(bigger, 0, 0, this.filled);
    this.body = bigger;
  }
}

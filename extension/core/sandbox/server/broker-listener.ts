/**
 * One broker's TCP listener. Each connection reads frames and hands them to the handler one at a time, so responses
 * leave in request order as they do from a real broker (clients such as kafkajs pipeline requests and match replies
 * by correlation id, but the Java client relies on the order). A stopped listener closes its server socket and
 * every connection it accepted.
 */
import net from 'node:net';
import tls from 'node:tls';
import { errorMessage } from '../../util/errors';
import { FrameDecoder } from '../../kafka/protocol/frame-decoder';

/** What to do with one request frame. `reply.frame` is a whole response frame, size prefix included. */
export type FrameOutcome =
  | { kind: 'reply'; frame: Buffer }
  /** Nothing to send (acks=0 Produce, or a response the sandbox drops on purpose). */
  | { kind: 'none' }
  /** The request cannot be served; the connection is closed, as a real broker does. */
  | { kind: 'close'; reason: string }
  /** An answer the client must still read (a refused login), then the connection is closed. */
  | { kind: 'replyAndClose'; frame: Buffer; reason: string };

export interface ConnectionContext {
  brokerId: number;
  /** host:port of the client, for log lines. */
  remote: string;
}

export type FrameHandler = (frame: Buffer, connection: ConnectionContext) => Promise<FrameOutcome>;

export interface BrokerListenerOptions {
  brokerId: number;
  host: string;
  /** 0 picks a free port; after a restart the listener reuses the port it had. */
  port: number;
  maxFrameBytes: number;
  handler: FrameHandler;
  /** Serve TLS with this certificate and key (PEM) instead of plain TCP. */
  tls?: { cert: string; key: string } | null;
  log?: (line: string) => void;
}

/** Frames, and their bytes, read ahead of the one being handled before the socket stops reading (bounds memory per connection). */
const MAX_QUEUED_FRAMES = 64;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** Response bytes waiting for a slow reader before the connection stops handling requests. */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** How long a connection closed for bad input may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

export class BrokerListener {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private boundPort: number;

  constructor(private readonly options: BrokerListenerOptions) {
    this.boundPort = options.port;
  }

  get brokerId(): number {
    return this.options.brokerId;
  }

  /** The bound port once started (the requested one before). */
  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Starts listening; resolves with the bound port. Rejects (EADDRINUSE...) with a message naming broker and port. */
  async start(): Promise<number> {
    if (this.server) return this.boundPort;
    const server = this.options.tls
      ? tls.createServer({ cert: this.options.tls.cert, key: this.options.tls.key, noDelay: true }, (socket) =>
          this.accept(socket),
        )
      : net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    // A client that fails the handshake (no CA, or speaking plain text) is the client's problem; log it only.
    server.on('tlsClientError', (e: Error) => this.log(`TLS handshake failed: ${errorMessage(e)}`));
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        reject(
          new Error(
            `broker ${this.options.brokerId} cannot listen on ${this.options.host}:${this.boundPort} (${errorMessage(e)}); is another broker using it? Choose another port, or 0 for free ports`,
          ),
        );
      };
      server.once('error', onError);
      server.listen({ host: this.options.host, port: this.boundPort }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (e) => this.log(`listener error: ${errorMessage(e)}`));
    this.server = server;
    this.boundPort = (server.address() as net.AddressInfo).port;
    return this.boundPort;
  }

  /** Closes the listener and every connection; requests being handled are answered to nobody. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of [...this.connections]) c.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this.options, (line) => this.log(line));
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }

  private log(line: string): void {
    this.options.log?.(`broker ${this.options.brokerId}: ${line}`);
  }
}

/** One client connection: frames in, handled strictly one after another, responses out in the same order. */
class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private readonly context: ConnectionContext;
  private processing = false;
  private closed = false;
  private paused = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: BrokerListenerOptions,
    private readonly log: (line: string) => void,
  ) {
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    this.context = { brokerId: options.brokerId, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A client that resets the connection is ordinary; the error only needs the socket released.
    socket.on('error', () => this.destroy());
    socket.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      this.queuedBytes = 0;
    });
  }

  destroy(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.close(errorMessage(e));
      return;
    }
    if (frames.length === 0) return;
    for (const f of frames) {
      this.queue.push(f);
      this.queuedBytes += f.length;
    }
    if ((this.queue.length >= MAX_QUEUED_FRAMES || this.queuedBytes >= MAX_QUEUED_BYTES) && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.processing) void this.drain();
  }

  /** Handles queued frames one at a time until the queue is empty or the connection closes. */
  private async drain(): Promise<void> {
    this.processing = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const frame = this.queue.shift()!;
        this.queuedBytes -= frame.length;
        if (this.paused && this.queue.length < MAX_QUEUED_FRAMES / 2 && this.queuedBytes < MAX_QUEUED_BYTES / 2) {
          this.paused = false;
          this.socket.resume();
        }
        let outcome: FrameOutcome;
        try {
          outcome = await this.options.handler(frame, this.context);
        } catch (e) {
          // A handler bug must cost this connection only, never the process or other clients.
          outcome = { kind: 'close', reason: `internal error handling a request: ${errorMessage(e)}` };
        }
        if (this.closed) return;
        if (outcome.kind === 'close') {
          this.close(outcome.reason);
          return;
        }
        if (outcome.kind === 'replyAndClose') {
          this.socket.write(outcome.frame);
          this.close(outcome.reason);
          return;
        }
        if (outcome.kind === 'reply') {
          this.socket.write(outcome.frame);
          if (this.socket.writableLength > MAX_UNSENT_BYTES) await this.waitForDrain();
        }
      }
    } finally {
      this.processing = false;
    }
  }

  private waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Closes after flushing what was already answered; logs why, as a broker logs a bad request. */
  private close(reason: string): void {
    if (this.closed) return;
    this.log(`closing connection from ${this.context.remote}: ${reason}`);
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    if (this.paused) this.socket.resume();
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}

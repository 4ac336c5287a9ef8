/**
 * A bare Kafka-protocol client for tests and the differential harness: one socket to one broker, requests encoded
 * by the project's codec exactly as given (so a test can send what no well-behaved client would: a batch that lies
 * about its record count, two batches for one partition, a session timeout out of range), responses decoded by it.
 */
import { Socket, connect } from 'node:net';
import {
  ApiKey,
  decodeResponse,
  encodeRequest,
  type ApiKeyNumber,
  type RequestByKey,
  type ResponseByKey,
} from '../../extension/core/kafka/protocol';

export class WireClient {
  private nextCorrelationId = 1;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, { resolve(payload: Buffer): void; reject(e: Error): void }>();
  private closedWith: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.failAll(new Error('the broker closed the connection')));
    socket.on('error', (e) => this.failAll(e));
  }

  /** Connects to `host:port` (one broker); requests carry `clientId` in their header. */
  static connect(address: string, timeoutMs = 5000, clientId = 'wire-client'): Promise<WireClient> {
    const [host, port] = splitAddress(address);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireClient(socket, clientId));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Sends one request at `version` and decodes its answer; rejects when the broker closes or `timeoutMs` passes. */
  async request<K extends ApiKeyNumber>(
    apiKey: K,
    version: number,
    body: RequestByKey[K],
    timeoutMs = 10_000,
  ): Promise<ResponseByKey[K]> {
    const payload = await this.requestRaw(apiKey, version, body, timeoutMs);
    return decodeResponse(apiKey, version, payload);
  }

  /** Like request() but hands back the bytes after the correlation id undecoded. */
  requestRaw<K extends ApiKeyNumber>(
    apiKey: K,
    version: number,
    body: RequestByKey[K],
    timeoutMs = 10_000,
  ): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequest(apiKey, version, { correlationId, clientId: this.clientId }, body);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        reject(new Error(`no answer to ${apiKey} v${version} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(correlationId, {
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const waiter = this.waiting.get(correlationId);
      this.waiting.delete(correlationId);
      waiter?.resolve(frame.subarray(4));
    }
  }

  private failAll(e: Error): void {
    this.closedWith ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

/** The broker (host:port) that leads a partition, from a Metadata request to `bootstrap`. */
export async function leaderAddress(bootstrap: string, topic: string, partition: number): Promise<string> {
  const c = await WireClient.connect(bootstrap.split(',')[0]);
  try {
    const md = await c.request(ApiKey.Metadata, 5, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    const p = md.topics[0]?.partitions.find((x) => x.partitionIndex === partition);
    const b = md.brokers.find((x) => x.nodeId === p?.leaderId);
    if (!b) throw new Error(`no leader for ${topic}-${partition}`);
    return `${b.host}:${b.port}`;
  } finally {
    c.close();
  }
}

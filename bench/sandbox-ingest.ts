/**
 * `npm run bench:sandbox`: how fast the sandbox ingests Produce requests, and its memory after 1M records.
 * Requests are encoded once before timing (1,000 records of 100 bytes each, kafkajs's encoder, Produce v3, acks=1)
 * and written over loopback to each partition's leader, several in flight per connection, as a fast producer would.
 * Beside it, the same frames go to a listener that answers without doing anything: the gap between the two is the
 * cost of decoding, checking and storing, the part a profile should look at.
 */
import net from 'node:net';
import { startSandbox } from '../extension/core/sandbox';
import { BrokerListener } from '../extension/core/sandbox/server/broker-listener';
import { FrameDecoder } from '../extension/core/sandbox/server/frame-decoder';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const encodeRequest: (r: unknown) => Promise<{ buffer: Buffer }> = require('kafkajs/src/protocol/request');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const produceV3: (r: unknown) => unknown = require('kafkajs/src/protocol/requests/produce/v3/request');

const RECORDS_PER_REQUEST = 1000;
const RECORD_BYTES = 100;
const IN_FLIGHT = 16;
const TOPIC = 'bench';
const PARTITIONS = 3;

async function produceFrame(partition: number): Promise<Buffer> {
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const messages = Array.from({ length: RECORDS_PER_REQUEST }, () => ({ value, timestamp: Date.now() }));
  const request = produceV3({ acks: 1, timeout: 30000, topicData: [{ topic: TOPIC, partitions: [{ partition, messages }] }] });
  return (await encodeRequest({ correlationId: 1, clientId: 'bench', request })).buffer;
}

/** The error code of the single partition in a Produce v3 response frame (without its size prefix). */
function produceErrorCode(frame: Buffer): number {
  let o = 4 + 4; // correlation id, topic count
  o += 2 + frame.readInt16BE(o); // topic name
  o += 4 + 4; // partition count, partition index
  return frame.readInt16BE(o);
}

/** Writes `count` copies of a frame on one connection with IN_FLIGHT outstanding; resolves when all are answered. */
function pump(port: number, frame: Buffer, count: number, check: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(64 * 1024 * 1024);
    let sent = 0;
    let answered = 0;
    const send = () => {
      while (sent < count && sent - answered < IN_FLIGHT) {
        socket.write(frame);
        sent++;
      }
    };
    socket.on('connect', send);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      for (const reply of decoder.push(chunk)) {
        answered++;
        if (check) {
          const code = produceErrorCode(reply);
          if (code !== 0) reject(new Error(`Produce answered error ${code}`));
        }
      }
      if (answered === count) {
        socket.destroy();
        resolve();
      } else send();
    });
  });
}

async function timed(label: string, run: () => Promise<void>, records: number): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = records / seconds;
  const mb = (records * RECORD_BYTES) / seconds / 1e6;
  console.log(`${label.padEnd(34)} ${records.toLocaleString('en')} records in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en')} records/s, ${mb.toFixed(1)} MB/s of values`);
  return rate;
}

function memory(label: string): void {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  console.log(`${label.padEnd(34)} rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)}`);
}

async function main(): Promise<void> {
  const frames = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => produceFrame(p)));
  console.log(`Produce v3 request: ${RECORDS_PER_REQUEST} records x ${RECORD_BYTES} bytes = ${frames[0].length} bytes per frame, ${IN_FLIGHT} in flight per connection`);
  memory('before');

  // The floor: the same frames to a listener that only frames and answers.
  const reply = Buffer.from([0, 0, 0, 4, 0, 0, 0, 1]);
  const noop = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port: 0, maxFrameBytes: 64 * 1024 * 1024, handler: async () => ({ kind: 'reply', frame: reply }) });
  const noopPort = await noop.start();
  const perConnection = Math.ceil(1_000_000 / RECORDS_PER_REQUEST / PARTITIONS);
  const total = perConnection * PARTITIONS * RECORDS_PER_REQUEST;
  await timed('framing only (no-op listener)', () => Promise.all(frames.map((f) => pump(noopPort, f, perConnection, false))).then(() => {}), total);
  await noop.stop();

  const sandbox = await startSandbox({ port: 0, controlPort: 0, topics: [{ name: TOPIC, partitions: PARTITIONS }], maxRecordsPerPartition: 2_000_000, maxTotalRecords: 10_000_000, maxTotalBytes: 2 * 1024 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 * 1024 });
  try {
    const state = sandbox.state() as unknown as { topics: { name: string; partitions: { partition: number; leader: number }[] }[] };
    const leaders = state.topics.find((t) => t.name === TOPIC)!.partitions.map((p) => sandbox.brokers.find((b) => b.id === p.leader)!.port);
    // Warm up (JIT), then the measured million.
    await Promise.all(frames.map((f, p) => pump(leaders[p], f, 20, true)));
    const rate = await timed('sandbox ingest', () => Promise.all(frames.map((f, p) => pump(leaders[p], f, perConnection, true))).then(() => {}), total);
    memory(`after ${(total + 60_000).toLocaleString('en')} records stored`);
    console.log(rate >= 500_000 ? 'target of 500,000 records/s: met' : `target of 500,000 records/s: NOT met (${Math.round(rate).toLocaleString('en')})`);
  } finally {
    await sandbox.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

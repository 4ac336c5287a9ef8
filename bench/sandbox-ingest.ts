/**
 * `npm run bench:sandbox`: how fast the sandbox ingests Produce requests, and its memory after 1M records.
 * Requests are encoded once before timing (1,000 records of 100 bytes each, kafkajs's encoder, Produce v3, acks=1)
 * and written over loopback to each partition's leader from a worker thread, several in flight per connection, as a
 * fast producer in its own process would.
 * Beside it, the same frames go to a listener that answers without doing anything: the gap between the two is the
 * cost of decoding, checking and storing, the part a profile should look at.
 */
import { Worker } from 'node:worker_threads';
import { startSandbox } from '../extension/core/sandbox';
import { BrokerListener } from '../extension/core/sandbox/server/broker-listener';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
const encodeRequest: (r: unknown) => Promise<{ buffer: Buffer }> = require('kafkajs/src/protocol/request');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
const produceV3: (r: unknown) => unknown = require('kafkajs/src/protocol/requests/produce/v3/request');

const RECORDS_PER_REQUEST = 1000;
const RECORD_BYTES = 100;
const IN_FLIGHT = 16;
const TOPIC = 'bench';
const PARTITIONS = 3;

async function produceFrame(partition: number): Promise<Buffer> {
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const messages = Array.from({ length: RECORDS_PER_REQUEST }, () => ({ value, timestamp: Date.now() }));
  const request = produceV3({
    acks: 1,
    timeout: 30000,
    topicData: [{ topic: TOPIC, partitions: [{ partition, messages }] }],
  });
  return (await encodeRequest({ correlationId: 1, clientId: 'bench', request })).buffer;
}

/**
 * The producer side runs in a worker thread (plain JS, its own event loop), as a real producer runs apart from the
 * broker: it writes `count` copies of its frame on one connection per partition with IN_FLIGHT outstanding, reads
 * the replies, checks their error code when asked, and posts 'done' or an error.
 */
const PUMP_WORKER = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { jobs, inFlight, check } = workerData;
function errorCode(frame) {
  let o = 4 + 4 + 4; // size, correlation id, topic count
  o += 2 + frame.readInt16BE(o); // topic name
  o += 4 + 4; // partition count, partition index
  return frame.readInt16BE(o);
}
function pump({ port, frame, count }) {
  frame = Buffer.from(frame);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    let sent = 0, answered = 0, pending = Buffer.alloc(0);
    const send = () => { while (sent < count && sent - answered < inFlight) { socket.write(frame); sent++; } };
    socket.on('connect', send);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        if (check && errorCode(pending) !== 0) return reject(new Error('Produce answered error ' + errorCode(pending)));
        pending = pending.subarray(4 + size);
        answered++;
      }
      if (answered === count) { socket.destroy(); resolve(); } else send();
    });
  });
}
Promise.all(jobs.map(pump)).then(() => parentPort.postMessage('done'), (e) => parentPort.postMessage(String(e)));
`;

/** Sends `count` copies of frames[i] to ports[i] from a worker thread; resolves when every request is answered. */
function pumpFrom(ports: number[], frames: Buffer[], count: number, check: boolean): Promise<void> {
  const jobs = frames.map((frame, i) => ({ port: ports[i], frame: new Uint8Array(frame), count }));
  const worker = new Worker(PUMP_WORKER, { eval: true, workerData: { jobs, inFlight: IN_FLIGHT, check } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      void worker.terminate();
      if (m === 'done') resolve();
      else reject(new Error(String(m)));
    });
    worker.once('error', reject);
  });
}

async function timed(label: string, run: () => Promise<void>, records: number): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = records / seconds;
  const mb = (records * RECORD_BYTES) / seconds / 1e6;
  console.log(
    `${label.padEnd(34)} ${records.toLocaleString('en')} records in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en')} records/s, ${mb.toFixed(1)} MB/s of values`,
  );
  return rate;
}

function memory(label: string): void {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  console.log(`${label.padEnd(34)} rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)}`);
}

/** Rounds of each measurement: these machines are shared and noisy, so the best round is the one to compare. */
const ROUNDS = 3;

async function main(): Promise<void> {
  const frames = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => produceFrame(p)));
  console.log(
    `Produce v3 request: ${RECORDS_PER_REQUEST} records x ${RECORD_BYTES} bytes = ${frames[0].length} bytes per frame, ${IN_FLIGHT} in flight per connection, best of ${ROUNDS} rounds`,
  );
  memory('before');
  const perConnection = Math.ceil(1_000_000 / RECORDS_PER_REQUEST / PARTITIONS);
  const total = perConnection * PARTITIONS * RECORDS_PER_REQUEST;

  // The floor: the same frames to a listener that only frames and answers.
  const reply = Buffer.from([0, 0, 0, 4, 0, 0, 0, 1]);
  const noop = new BrokerListener({
    brokerId: 1,
    host: '127.0.0.1',
    port: 0,
    maxFrameBytes: 64 * 1024 * 1024,
    handler: async () => ({ kind: 'reply', frame: reply }),
  });
  const noopPort = await noop.start();
  let floor = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    floor = Math.max(
      floor,
      await timed(
        `framing only (no-op listener) #${round}`,
        () =>
          pumpFrom(
            frames.map(() => noopPort),
            frames,
            perConnection,
            false,
          ),
        total,
      ),
    );
  }
  await noop.stop();

  const sandbox = await startSandbox({
    port: 0,
    controlPort: 0,
    topics: [{ name: TOPIC, partitions: PARTITIONS }],
    maxRecordsPerPartition: 2_000_000,
    maxTotalRecords: 10_000_000,
    maxTotalBytes: 2 * 1024 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024 * 1024,
  });
  try {
    const state = sandbox.state();
    const leaders = state.topics
      .find((t) => t.name === TOPIC)!
      .partitions.map((p) => sandbox.brokers.find((b) => b.id === p.leader)!.port);
    await pumpFrom(leaders, frames, 20, true); // warm up (JIT)
    let best = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      best = Math.max(
        best,
        await timed(`sandbox ingest #${round}`, () => pumpFrom(leaders, frames, perConnection, true), total),
      );
      if (round === 1) memory(`after ${(total + 60_000).toLocaleString('en')} records stored`);
    }
    memory(`after ${(ROUNDS * total + 60_000).toLocaleString('en')} records stored`);
    console.log(
      `best: framing floor ${Math.round(floor).toLocaleString('en')} records/s, sandbox ingest ${Math.round(best).toLocaleString('en')} records/s (${((best / floor) * 100).toFixed(0)}% of the floor)`,
    );
    console.log(
      best >= 500_000
        ? 'target of 500,000 records/s: met'
        : `target of 500,000 records/s: NOT met (${Math.round(best).toLocaleString('en')})`,
    );
  } finally {
    await sandbox.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

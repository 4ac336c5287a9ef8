import { strict as assert } from 'node:assert';
import net from 'node:net';
import { Partitioners, CompressionTypes } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { kafkaFor, partitionsOf, waitFor } from './sandbox-helpers';

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from the seed it prints. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DELETE_TOPICS = 20;

/** Runs a real kafkajs session (admin, produce, consume) and keeps every request frame it wrote. */
async function recordCorpus(sandbox: Sandbox): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  const socketFactory = ({ host, port, onConnect }: { host: string; port: number; onConnect: () => void }) => {
    const socket = net.connect({ host, port }, onConnect);
    const write = socket.write.bind(socket) as (data: Buffer, ...rest: unknown[]) => boolean;
    socket.write = ((data: Buffer, ...rest: unknown[]) => {
      if (Buffer.isBuffer(data)) frames.push(Buffer.from(data));
      return write(data, ...rest);
    }) as typeof socket.write;
    return socket;
  };
  const { kafka } = kafkaFor(sandbox, { socketFactory: socketFactory as never, clientId: 'corpus' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'corpus', numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  await producer.send({
    topic: 'corpus',
    messages: [
      { key: 'a', value: 'one', headers: { h: 'v' } },
      { key: 'b', value: 'two' },
    ],
  });
  await producer.send({
    topic: 'corpus',
    compression: CompressionTypes.GZIP,
    messages: [{ key: 'c', value: 'three' }],
  });
  await producer.disconnect();
  await admin.fetchTopicOffsets('corpus');
  const consumer = kafka.consumer({ groupId: 'corpus-group', maxWaitTimeInMs: 50 });
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: ['corpus'], fromBeginning: true });
  await consumer.run({ eachMessage: async () => void seen++ });
  await waitFor(() => seen >= 3, 'the corpus consumer reading its records', 10_000);
  await admin.describeGroups(['corpus-group']);
  await consumer.disconnect();
  await admin.disconnect();
  // A mutated DeleteTopics could lawfully delete the data the test checks; keep it out.
  return frames.filter((f) => f.length >= 8 && f.readInt16BE(4) !== DELETE_TOPICS);
}

function withSize(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/**
 * One hostile input: a mutated real request, a random frame, or raw garbage. Kinds 0-5 keep the framing intact, so
 * they reach the header and body decoders and the cluster; 6-8 break the framing, which ends the connection, so they
 * are only sent last on a connection (`framingBreak`).
 */
function mutate(corpus: Buffer[], rnd: () => number, framingBreak: boolean): { bytes: Buffer; kind: string } {
  const int = (n: number) => Math.floor(rnd() * n);
  const original = corpus[int(corpus.length)];
  const body = Buffer.from(original.subarray(4));
  switch (framingBreak ? 6 + int(3) : int(6)) {
    case 0: {
      for (let i = 0, n = 1 + int(4); i < n; i++) body[int(body.length)] ^= 1 << int(8);
      return { bytes: withSize(body), kind: 'bit flips' };
    }
    case 1: {
      for (let i = 0, n = 1 + int(16); i < n; i++) body[int(body.length)] = int(256);
      return { bytes: withSize(body), kind: 'random bytes' };
    }
    case 2:
      return { bytes: withSize(body.subarray(0, int(body.length))), kind: 'truncated body, size fixed' };
    case 3: {
      const tail = Buffer.alloc(int(200));
      for (let i = 0; i < tail.length; i++) tail[i] = int(256);
      return { bytes: withSize(Buffer.concat([body, tail])), kind: 'trailing garbage' };
    }
    case 4: {
      // Lengths and counts set to extremes: a count of 2^31-1 must not make the broker allocate it.
      const at = 8 + int(Math.max(1, body.length - 12));
      const extremes = [0xffffffff, 0x7fffffff, 0x80000000, 0, 0xffff, 0x7fff];
      body.writeUInt32BE(extremes[int(extremes.length)], Math.min(at, body.length - 4));
      return { bytes: withSize(body), kind: 'extreme int' };
    }
    case 5: {
      body.writeInt16BE(int(70) - 3, 0);
      body.writeInt16BE(int(20) - 2, 2);
      return { bytes: withSize(body), kind: 'random api key/version' };
    }
    case 6:
      return { bytes: original.subarray(0, 4 + int(body.length)), kind: 'truncated frame' };
    case 7: {
      const junk = Buffer.alloc(1 + int(300));
      for (let i = 0; i < junk.length; i++) junk[i] = int(256);
      return { bytes: junk, kind: 'garbage' };
    }
    default: {
      const size = Buffer.alloc(4);
      size.writeInt32BE(rnd() < 0.5 ? -1 - int(1000) : 0x7fffffff - int(1000));
      return { bytes: Buffer.concat([size, body]), kind: 'bad size prefix' };
    }
  }
}

/**
 * Writes a few inputs on one connection and ends it; resolves once the broker has closed its side too, that is
 * once it has read everything written (it answers or closes on the way).
 */
async function attack(port: number, inputs: Buffer[]): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  socket.on('data', () => {});
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('connect', () => {
      for (const b of inputs) socket.write(b);
      socket.end();
    });
  });
  socket.destroy();
}

describe('sandbox fuzz: mutated and random frames', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  const logs: string[] = [];
  after(() => sandbox?.stop());

  it('never crashes, keeps serving a normal client, and keeps stored data intact', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const rnd = prng(seed);
    sandbox = await startSandbox(
      {
        port: 0,
        controlPort: 0,
        electionDelayMs: 20,
        maxFrameBytes: 1024 * 1024,
        topics: [{ name: 'kept', partitions: 3 }],
      },
      { log: (l) => logs.push(l) },
    );
    const { kafka } = kafkaFor(sandbox);

    // Data that must survive the attack.
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const kept = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `kept value ${i}` }));
    await producer.send({ topic: 'kept', acks: -1, messages: kept });
    const before = partitionsOf(sandbox, 'kept').map((p) => p.highWatermark);

    const corpus = await recordCorpus(sandbox);
    assert.ok(corpus.length >= 10, `recorded ${corpus.length} request frames`);
    const kinds = new Map<string, number>();
    const deadline = Date.now() + 15_000;
    const total = 3000;
    let sent = 0;
    while (sent < total && Date.now() < deadline) {
      const wave = Array.from({ length: 4 }, (_, c) => {
        const inputs = Array.from({ length: 3 }, (_, i) => {
          const m = mutate(corpus, rnd, i === 2 && rnd() < 0.3);
          kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
          return m.bytes;
        });
        sent += inputs.length;
        return attack(sandbox.brokers[c % sandbox.brokers.length].port, inputs);
      });
      await Promise.all(wave);
    }
    assert.ok(sent >= 200, `sent ${sent} hostile inputs (seed ${seed})`);
    assert.equal(kinds.size, 9, `every kind of input was tried: ${[...kinds.keys()].join(', ')}`);
    assert.ok(
      logs.some((l) => /closing connection/.test(l)),
      'bad input closes connections with a log line',
    );

    // A normal client still works...
    const [meta] = await producer.send({
      topic: 'kept',
      acks: -1,
      messages: [{ key: 'after', value: 'after the fuzz' }],
    });
    assert.equal(meta.errorCode, 0, `seed ${seed}`);
    await producer.disconnect();

    // ...and the data stored before is all there, unchanged.
    const afterHw = partitionsOf(sandbox, 'kept').map((p) => p.highWatermark);
    assert.equal(
      afterHw.reduce((a, b) => a + b, 0),
      before.reduce((a, b) => a + b, 0) + 1,
      `seed ${seed}`,
    );
    const consumer = kafka.consumer({ groupId: `verify-${seed}`, maxWaitTimeInMs: 50 });
    const got = new Map<string, string>();
    await consumer.connect();
    await consumer.subscribe({ topics: ['kept'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void got.set(String(message.key), String(message.value)),
    });
    try {
      await waitFor(() => got.size >= kept.length + 1, 'reading back every kept record', 15_000);
    } finally {
      await consumer.disconnect();
    }
    for (const k of kept) assert.equal(got.get(k.key), k.value, `record ${k.key} intact (seed ${seed})`);
    assert.equal(got.get('after'), 'after the fuzz');
  });
});

import { strict as assert } from 'node:assert';
import { CompressionTypes, Partitioners, type Admin } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { kafkaFor, murmur2Partition, partitionsOf, waitFor } from './sandbox-helpers';

describe('sandbox with kafkajs 2.2.4: topics, produce and consume over TCP', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let admin: Admin;

  before(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, electionDelayMs: 50 });
    admin = kafkaFor(sandbox).kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
    await sandbox?.stop();
  });

  it('creates topics with the asked partition count and replication, and lists them', async () => {
    const created = await admin.createTopics({
      topics: [{ topic: 'orders', numPartitions: 6, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    assert.equal(created, true);
    assert.ok((await admin.listTopics()).includes('orders'));
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    const partitions = meta.topics[0].partitions;
    assert.equal(partitions.length, 6);
    for (const p of partitions) {
      assert.equal(p.replicas.length, 3);
      assert.ok(p.replicas.includes(p.leader), `leader ${p.leader} is one of the replicas ${p.replicas}`);
    }
    // Leaders are spread over the brokers, not all on one.
    assert.equal(new Set(partitions.map((p) => p.leader)).size, 3);
    // Creating it again is refused with TOPIC_ALREADY_EXISTS, which kafkajs reports as `false`.
    assert.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6 }] }), false);
  });

  it('accepts acks=-1 on a topic kafkajs created with replication factor 1 on the default 3 brokers (NOT_ENOUGH_REPLICAS until it gave up: min.insync.replicas 2 was not capped)', async () => {
    assert.equal(
      await admin.createTopics({
        topics: [{ topic: 'single-replica', numPartitions: 2, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
      true,
    );
    const producer = kafkaFor(sandbox, { retry: { retries: 0 } }).kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const [meta] = await producer.send({
        topic: 'single-replica',
        acks: -1,
        messages: [{ key: 'k', value: 'stored' }],
      });
      assert.equal(meta.errorCode, 0);
      assert.equal(partitionsOf(sandbox, 'single-replica')[meta.partition].highWatermark, 1);
    } finally {
      await producer.disconnect();
    }
  });

  it("stores keyed records sent with acks 0, 1 and -1, idempotent and gzip, each on its key's murmur2 partition, and a consumer group reads every one exactly once", async () => {
    const topic = 'keyed';
    const partitions = 5;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    const { kafka } = kafkaFor(sandbox);
    const plain = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const idempotent = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await plain.connect();
    await idempotent.connect();

    const sent: { key: string; value: string }[] = [];
    const batch = (mode: string, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const m = { key: `${mode}-key-${i}`, value: `${mode} value ${i} ${'x'.repeat(i % 50)}` };
        sent.push(m);
        return m;
      });
    const acks0 = batch('acks0', 40);
    const acks1 = batch('acks1', 40);
    const acksAll = batch('acksAll', 40);
    const idem = batch('idempotent', 40);
    const gzip = batch('gzip', 40);

    await plain.send({ topic, acks: 0, messages: acks0 });
    const r1 = await plain.send({ topic, acks: 1, messages: acks1 });
    const rAll = await plain.send({ topic, acks: -1, messages: acksAll });
    const rIdem = await idempotent.send({ topic, acks: -1, messages: idem });
    const rGzip = await plain.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: gzip });
    for (const r of [r1, rAll, rIdem, rGzip]) {
      for (const m of r) assert.equal(m.errorCode, 0, `partition ${m.partition} answered error ${m.errorCode}`);
    }
    await plain.disconnect();
    await idempotent.disconnect();

    // acks=0 gets no answer; wait until the sandbox holds every record.
    await waitFor(
      () => partitionsOf(sandbox, topic).reduce((n, p) => n + p.highWatermark, 0) === sent.length,
      `${sent.length} records stored`,
    );

    const consumer = kafka.consumer({ groupId: 'keyed-readers', maxWaitTimeInMs: 100, heartbeatInterval: 500 });
    const received: { key: string; value: string; partition: number; offset: string }[] = [];
    const next = new Map<number, number>(); // per partition, the offset after the last record read
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ key: String(message.key), value: String(message.value), partition, offset: message.offset });
        next.set(partition, Number(message.offset) + 1);
      },
    });
    try {
      // Read to the end of every partition: anything extra (a duplicate stored) is read by then.
      const readToEnd = () =>
        partitionsOf(sandbox, topic).every((p) => (next.get(p.partition) ?? p.logStartOffset) >= p.highWatermark);
      await waitFor(
        () => received.length >= sent.length && readToEnd(),
        `${sent.length} records consumed, to the end of every partition`,
        15_000,
      );
    } finally {
      await consumer.disconnect();
    }

    assert.equal(received.length, sent.length, 'exact count');
    const byKey = new Map(received.map((m) => [m.key, m]));
    assert.equal(byKey.size, sent.length, 'no duplicates');
    for (const s of sent) {
      const got = byKey.get(s.key);
      assert.ok(got, `record ${s.key} was consumed`);
      assert.equal(got.value, s.value);
      assert.equal(got.partition, murmur2Partition(s.key, partitions), `${s.key} is on its murmur2 partition`);
    }
    // Offsets in each partition are 0..n-1 with no gaps.
    for (let p = 0; p < partitions; p++) {
      const offsets = received
        .filter((m) => m.partition === p)
        .map((m) => Number(m.offset))
        .sort((a, b) => a - b);
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => i),
        `partition ${p} offsets`,
      );
    }
    // The group committed its position: the committed offsets equal the high watermarks.
    const committed = await admin.fetchOffsets({ groupId: 'keyed-readers', topics: [topic] });
    const hw = partitionsOf(sandbox, topic);
    for (const c of committed[0].partitions) {
      assert.equal(
        Number(c.offset),
        hw.find((p) => p.partition === c.partition)!.highWatermark,
        `committed offset of partition ${c.partition}`,
      );
    }
  });

  it("stamps the broker's time on records of a LogAppendTime topic, created over the control server or by a client", async () => {
    const res = await fetch(`${sandbox.controlUrl}/topics`, {
      method: 'POST',
      body: JSON.stringify({ name: 'stamped', partitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } }),
    });
    assert.equal(res.status, 201);
    await admin.createTopics({
      topics: [
        {
          topic: 'stamped2',
          numPartitions: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
    const { kafka } = kafkaFor(sandbox);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const clientTime = '1000000000000'; // 2001: far from now
    const before = Date.now();
    for (const topic of ['stamped', 'stamped2', 'unstamped'])
      await producer.send({ topic, messages: [{ key: 'ts', value: topic, timestamp: clientTime }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'stamp-readers', maxWaitTimeInMs: 100 });
    const seen = new Map<string, number>();
    await consumer.connect();
    await consumer.subscribe({ topics: ['stamped', 'stamped2', 'unstamped'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) =>
        void (String(message.key) === 'ts' && seen.set(topic, Number(message.timestamp))),
    });
    try {
      await waitFor(() => seen.size === 3, 'the three stamped records', 15_000);
    } finally {
      await consumer.disconnect();
    }
    for (const t of ['stamped', 'stamped2'])
      assert.ok(seen.get(t)! >= before - 1000, `${t}: broker time, got ${seen.get(t)}`);
    assert.equal(seen.get('unstamped'), Number(clientTime), "a CreateTime topic keeps the client's timestamp");
  });

  it('creates a topic on first produce when auto-creation is on', async () => {
    const { kafka } = kafkaFor(sandbox);
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
    });
    await producer.connect();
    try {
      const [meta] = await producer.send({ topic: 'auto.created', messages: [{ key: 'k', value: 'v' }] });
      assert.equal(meta.errorCode, 0);
      assert.equal(partitionsOf(sandbox, 'auto.created').length, sandbox.options.partitions);
    } finally {
      await producer.disconnect();
    }
  });
});

describe('sandbox caps seen by kafkajs', function () {
  this.timeout(30_000);
  it('drops the oldest batches past maxRecordsPerPartition, moving the log start offset, and a consumer from the beginning reads what is kept', async () => {
    const sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      brokers: 1,
      maxRecordsPerPartition: 100,
      topics: [{ name: 'capped', partitions: 1 }],
    });
    try {
      const { kafka } = kafkaFor(sandbox);
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (let b = 0; b < 10; b++) {
        await producer.send({
          topic: 'capped',
          messages: Array.from({ length: 50 }, (_, i) => ({ value: `r${b * 50 + i}` })),
        });
      }
      await producer.disconnect();
      const [p] = partitionsOf(sandbox, 'capped');
      assert.equal(p.highWatermark, 500);
      assert.ok(p.logStartOffset >= 400 && p.logStartOffset < 500, `log start offset ${p.logStartOffset}`);

      const consumer = kafka.consumer({ groupId: 'capped-readers', maxWaitTimeInMs: 100 });
      const values: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: ['capped'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
      try {
        await waitFor(() => values.length >= 500 - p.logStartOffset, 'the kept records', 15_000);
      } finally {
        await consumer.disconnect();
      }
      assert.deepEqual(
        values,
        Array.from({ length: 500 - p.logStartOffset }, (_, i) => `r${p.logStartOffset + i}`),
      );
    } finally {
      await sandbox.stop();
    }
  });
});

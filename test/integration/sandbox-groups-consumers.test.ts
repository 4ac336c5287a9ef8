/**
 * The group coordinator over real TCP with real consumers: kafkajs 2.2.4 groups that rebalance, commit, resume and
 * survive a coordinator failover, and (when kcat is installed) librdkafka's classic-protocol consumer.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { requireTool } from '../tools';

interface GroupView {
  groupId: string;
  state: string;
  generationId: number;
  coordinator: number | null;
  members: { memberId: string }[];
  offsets: { offset: number }[];
}

function groupView(sandbox: Sandbox, groupId: string): GroupView | undefined {
  return (sandbox.state().groups as GroupView[]).find((g) => g.groupId === groupId);
}

async function until(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A kafkajs consumer that records what it reads and the partitions of each assignment it gets. */
class RecordingConsumer {
  readonly values: string[] = [];
  assignment: number[] = [];
  readonly consumer: Consumer;

  constructor(kafka: Kafka, groupId: string) {
    this.consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      heartbeatInterval: 200,
      sessionTimeout: 6000,
      rebalanceTimeout: 4000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.assignment = [...(event.payload.memberAssignment[TOPIC] ?? [])].sort((a, b) => a - b);
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    // A short commit interval, so a test can wait for the group's position to be committed.
    await this.consumer.run({
      autoCommitInterval: 100,
      eachMessage: async ({ message }) => void this.values.push(message.value!.toString()),
    });
  }
}

const TOPIC = 'group-work';

describe('sandbox group coordinator with real consumers', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let kafka: Kafka;
  const started: Consumer[] = [];
  /** Records the sandbox holds in the test topic, and what a group has committed (its position, summed). */
  const stored = () =>
    (sandbox.state().topics as { name: string; partitions: { highWatermark: number }[] }[])
      .find((t) => t.name === TOPIC)!
      .partitions.reduce((n, p) => n + p.highWatermark, 0);
  const committed = (groupId: string) =>
    groupView(sandbox, groupId)?.offsets.reduce((sum, o) => sum + o.offset, 0) ?? 0;

  beforeEach(async () => {
    sandbox = await startSandbox({ port: 0, controlPort: 0, initialRebalanceDelayMs: 200, electionDelayMs: 100 });
    kafka = new Kafka({
      clientId: 'groups-test',
      brokers: sandbox.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 10 },
    });
    sandbox.createTopic(TOPIC, 4);
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.disconnect().catch(() => undefined)));
    await sandbox.stop();
  });

  async function produce(prefix: string, count: number): Promise<string[]> {
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    await producer.send({ topic: TOPIC, messages: values.map((value) => ({ key: value, value })) });
    await producer.disconnect();
    return values;
  }

  async function consumer(groupId: string): Promise<RecordingConsumer> {
    const c = new RecordingConsumer(kafka, groupId);
    started.push(c.consumer);
    await c.start();
    return c;
  }

  it('splits the partitions between two kafkajs consumers, reads every record once, and gives all partitions back when one leaves', async () => {
    const first = await consumer('splitters');
    const second = await consumer('splitters');
    await until(
      () => first.assignment.length + second.assignment.length === 4 && second.assignment.length > 0,
      'both consumers to be assigned',
    );
    assert.deepEqual(
      [...first.assignment, ...second.assignment].sort(),
      [0, 1, 2, 3],
      'the assignments are disjoint and cover the topic',
    );

    const sent = await produce('a', 200);
    await until(() => first.values.length + second.values.length >= 200, 'every record to be read');
    assert.deepEqual([...first.values, ...second.values].sort(), [...sent].sort(), 'each record read exactly once');

    await second.consumer.disconnect(); // LeaveGroup: the group rebalances onto the first consumer
    await until(() => first.assignment.length === 4, 'the remaining consumer to own every partition');
    const later = await produce('b', 40);
    await until(() => later.every((v) => first.values.includes(v)), 'the remaining consumer to read the new records');
    assert.equal(groupView(sandbox, 'splitters')?.members.length, 1);
  });

  it('resumes a restarted group from its committed offsets', async () => {
    const before = await consumer('resumers');
    const first = await produce('old', 60);
    await until(() => before.values.length >= first.length, 'the first records');
    await before.consumer.disconnect(); // commits its offsets on the way out
    await until(() => groupView(sandbox, 'resumers')?.state === 'Empty', 'the group to empty');

    const fresh = await produce('new', 20);
    const after = await consumer('resumers');
    await until(() => after.values.length >= fresh.length, 'the new records');
    // Committed to the end of every partition: any old record read again (wrongly) was read before that.
    await until(() => committed('resumers') === stored(), 'the group to commit to the end of every partition');
    assert.deepEqual([...after.values].sort(), [...fresh].sort(), 'only records after the committed offsets');
  });

  it('keeps a group consuming when its coordinator broker stops', async () => {
    const reader = await consumer('survivors');
    const early = await produce('early', 30);
    await until(() => reader.values.length >= early.length, 'the early records');
    // Uncommitted records would be read again after the rejoin (at-least-once), so wait for the commit first.
    await until(() => committed('survivors') === early.length, 'the early records to be committed');
    const coordinator = groupView(sandbox, 'survivors')!.coordinator!;
    await sandbox.stopBroker(coordinator);
    await until(
      () => groupView(sandbox, 'survivors')?.coordinator !== coordinator,
      'another broker to coordinate the group',
    );
    const late = await produce('late', 30);
    await until(() => late.every((v) => reader.values.includes(v)), 'the late records after failover', 20_000);
    // kafkajs keeps calling the stopped coordinator until its retries run out, then restarts the consumer as a new
    // member (records it had not committed are read again, at least once); the coordinator expires the old member.
    const group = groupView(sandbox, 'survivors')!;
    assert.equal(group.state, 'Stable');
    assert.equal(group.members.length, 1, 'only the live member is left');
    assert.notEqual(group.coordinator, coordinator);
  });

  it("lets librdkafka's classic consumer (kcat -G) join, read and commit", async () => {
    requireTool('kcat', ['-V'], 'kcat');
    const sent = await produce('rd', 50);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('kcat', [
        '-b',
        sandbox.bootstrap,
        '-G',
        'rdkafka-readers',
        '-X',
        'auto.offset.reset=earliest',
        '-X',
        'auto.commit.interval.ms=100',
        '-f',
        '%s\\n',
        '-q',
        '-u',
        TOPIC,
      ]);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', () => resolve(out));
      // Once every record is read and an auto-commit has gone out (the group's offsets reach the end), SIGINT: it
      // leaves the group cleanly.
      const stopWhenDone = setInterval(() => {
        if (out.trim().split('\n').length >= sent.length && committed('rdkafka-readers') === stored()) {
          clearInterval(stopWhenDone);
          child.kill('SIGINT');
        }
      }, 50);
      setTimeout(() => {
        clearInterval(stopWhenDone);
        child.kill('SIGINT');
      }, 15_000);
    });
    assert.deepEqual(output.trim().split('\n').sort(), [...sent].sort());
    const offsets = await (async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await admin.fetchOffsets({ groupId: 'rdkafka-readers', topics: [TOPIC] });
      } finally {
        await admin.disconnect();
      }
    })();
    const fetched = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(fetched, sent.length, 'the committed offsets cover every record read');
  });
});

// Captures the request frames real clients send to the sandbox, one per client, API and version, into
// test/fixtures/protocol/<client>/<Api>-v<N>.json (the frame's bytes and what the codec decodes them to), for
// test/unit/protocol-golden.test.ts. Clients: kcat (librdkafka), as a producer, a consumer and a group member, and
// kafkajs (admin, idempotent producer, consumer group). Run by hand when an API or version is added:
//   npx tsx scripts/capture-protocol-fixtures.ts        (needs kcat: apt-get install kcat)
// Review the diff before committing: the decoded objects are the expectations the golden test holds the codec to.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { apiName, decodeRequestBody, decodeRequestHeader, type ApiKeyNumber } from '../extension/core/kafka/protocol';
import { resolveSandboxOptions } from '../extension/core/sandbox/cluster/options';
import { SandboxCluster } from '../extension/core/sandbox/cluster/sandbox-cluster';
import { BrokerListener } from '../extension/core/sandbox/server/broker-listener';
import { RequestDispatcher } from '../extension/core/sandbox/server/request-dispatcher';

const OUT = path.resolve(__dirname, '../test/fixtures/protocol');
const TOPIC = 'golden';

/** Buffers as {"$hex": "..."} so a fixture stays readable JSON; the golden test reads them back. */
export function toFixtureJson(value: unknown): string {
  return JSON.stringify(
    value,
    function replacer(this: Record<string, unknown>, key: string, v: unknown) {
      const original = this[key];
      return Buffer.isBuffer(original) ? { $hex: original.toString('hex') } : v;
    },
    2,
  );
}

interface Captured {
  client: string;
  frame: Buffer;
}

async function main(): Promise<void> {
  const kcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (kcat.status !== 0) throw new Error('kcat is not installed (apt-get install kcat)');
  const kcatVersion = /Version ([\d.]+)/.exec(kcat.stdout)?.[1] ?? '?';
  const librdkafka = /librdkafka ([\d.]+)/.exec(kcat.stdout)?.[1] ?? '?';

  let client = '';
  const captured: Captured[] = [];
  const seen = new Set<string>();
  const options = resolveSandboxOptions({
    port: 0,
    brokers: 1,
    topics: [{ name: TOPIC, partitions: 2 }],
    initialRebalanceDelayMs: 0,
  });
  const dispatcher = new RequestDispatcher();
  const listener = new BrokerListener({
    brokerId: 1,
    host: options.host,
    port: 0,
    maxFrameBytes: options.maxFrameBytes,
    handler: (frame, connection) => {
      const key = `${client}/${frame.readInt16BE(0)}/${frame.readInt16BE(2)}`;
      if (client && !seen.has(key)) {
        seen.add(key);
        captured.push({ client, frame: Buffer.from(frame) });
      }
      return dispatcher.handle(frame, connection);
    },
  });
  const port = await listener.start();
  const cluster = new SandboxCluster(options, [{ id: 1, host: options.host, port }]);
  dispatcher.attach(cluster);
  const bootstrap = `${options.host}:${port}`;

  try {
    client = `librdkafka-${librdkafka}`;
    const kcatClient = `kcat ${kcatVersion} (librdkafka ${librdkafka})`;
    await run('kcat', ['-L', '-b', bootstrap, '-t', TOPIC]);
    await run(
      'kcat',
      [
        '-P',
        '-b',
        bootstrap,
        '-t',
        TOPIC,
        '-K',
        ':',
        '-X',
        'acks=all',
        '-X',
        'enable.idempotence=true',
        '-X',
        'client.id=golden-kcat',
      ],
      'k1:v1\nk2:v2\n',
    );
    await run('kcat', [
      '-C',
      '-b',
      bootstrap,
      '-t',
      TOPIC,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'client.id=golden-kcat',
    ]);
    await run('kcat', [
      '-b',
      bootstrap,
      '-G',
      'golden-group-kcat',
      '-c',
      '2',
      '-q',
      '-o',
      'beginning',
      '-X',
      'client.id=golden-kcat',
      TOPIC,
    ]);
    write(
      captured.filter((c) => c.client === client),
      kcatClient,
    );

    client = 'kafkajs-2.2.4';
    const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'golden-admin', numPartitions: 1 }] });
    await admin.fetchTopicOffsets(TOPIC);
    await admin.deleteTopics({ topics: ['golden-admin'] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ key: 'k3', value: 'v3', headers: { h: 'x' } }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'golden-group-kafkajs', heartbeatInterval: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let count = 0;
      consumer
        .run({
          eachMessage: async () => {
            if (++count === 3) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: '1' }]);
    await consumer.disconnect();
    write(
      captured.filter((c) => c.client === client),
      'kafkajs 2.2.4',
    );
  } finally {
    cluster.stop();
    await listener.stop();
  }
}

function run(command: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'inherit'] });
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
    });
    child.stdin.end(input ?? '');
  });
}

function write(frames: Captured[], clientName: string): void {
  if (frames.length === 0) throw new Error(`no frames captured from ${clientName}`);
  const dir = path.join(OUT, frames[0]!.client);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const { frame } of frames) {
    const header = decodeRequestHeader(frame);
    const name = apiName(header.apiKey);
    const body = decodeRequestBody(header.apiKey as ApiKeyNumber, header.apiVersion, frame, header.bodyOffset);
    const fixture = { client: clientName, api: name, header, body, frame: frame.toString('hex') };
    fs.writeFileSync(path.join(dir, `${name}-v${header.apiVersion}.json`), `${toFixtureJson(fixture)}\n`);
  }
  console.log(`${clientName}: ${frames.length} request frames in ${path.relative(process.cwd(), dir)}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

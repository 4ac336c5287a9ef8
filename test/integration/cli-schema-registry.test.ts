/**
 * `kafka-workbench send --schema-registry` as a user runs it, against the sandbox's registry: the records on the
 * topic decode with the published client's deserializer; every bad input stops before anything is sent.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { jsonLines, recordLines, runCli } from './cli-helpers';
import { consumeRaw, storedCount } from './engine-helpers';

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] }, default: 'NEW' },
  ],
};
const PROTO = 'syntax = "proto3";\npackage acme;\nmessage Ping { string id = 1; }\n';

describe('cli send with a schema registry', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let registry: string;
  const register = async (subject: string, body: object) => {
    const res = await fetch(`${registry}/subjects/${subject}/versions`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: number }).id;
  };

  before(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0, partitions: 1 });
    registry = sandbox.schemaRegistryUrl!;
    await register('orders-value', { schema: JSON.stringify(ORDER) });
    await register('orders-key', { schema: '"string"' });
    await register('orders-bad-value', { schema: JSON.stringify(ORDER) });
    await register('pings-value', { schemaType: 'PROTOBUF', schema: PROTO });
  });
  after(() => sandbox.stop());

  it("consume --schema-registry decodes what Confluent's serializer (Avro) and send (Protobuf) wrote, and leaves plain bytes as they are", async () => {
    const published = new SchemaRegistry({ host: registry });
    const orderId = await published.getLatestSchemaId('orders-value');
    const pingId = await published.getLatestSchemaId('pings-value');
    // (The published client writes Protobuf without Confluent's message indexes, so Protobuf comes from our send.)
    const kafka = new Kafka({ brokers: sandbox.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'decoded',
        messages: [
          { key: 'k1', value: await published.encode(orderId, { id: 'o-9', qty: 3, status: 'PAID' }) },
          { key: 'k3', value: 'plain text' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const sent = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'decoded',
      '--schema-registry',
      registry,
      '--value-subject',
      'pings-value',
      '--key',
      'k2',
      '--value',
      '{"id": "p-1"}',
    ]);
    assert.equal(sent.status, 0, sent.stderr);
    const r = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'decoded',
      '--count',
      '3',
      '--json',
      '--schema-registry',
      registry,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(
      lines.map((l) => [l.key, l.value, l.valueSchema]),
      [
        ['k1', { id: 'o-9', qty: 3, status: 'PAID' }, { id: orderId, type: 'AVRO', recordName: 'com.acme.Order' }],
        ['k3', 'plain text', undefined],
        ['k2', { id: 'p-1' }, { id: pingId, type: 'PROTOBUF', recordName: 'acme.Ping' }],
      ],
    );
    const text = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'decoded',
      '--count',
      '1',
      '--schema-registry',
      registry,
    ]);
    assert.equal(text.stdout.trim(), '0/0\tk1\t{"id":"o-9","qty":3,"status":"PAID"}');
    const unknown = await runCli([
      'consume',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'decoded',
      '--count',
      '1',
      '--schema-registry',
      'http://127.0.0.1:9',
    ]);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /cannot decode the value of decoded-0@0 by its schema: .*check --schema-registry/);
  });

  it("encodes key and value by the subjects' latest schemas; Confluent's deserializer reads them back", async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'orders',
      '--schema-registry',
      registry,
      '--key-subject',
      'orders-key',
      '--key',
      'order-{{$seq}}',
      '--value',
      '{"id": "o-{{$seq}}", "qty": {{$seq}}, "status": "PAID"}',
      '--count',
      '2',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = recordLines(r.stdout);
    assert.deepEqual(lines[0].valueSchema, {
      subject: 'orders-value',
      version: 1,
      id: 1,
      schemaType: 'AVRO',
      recordName: 'com.acme.Order',
    });
    assert.deepEqual(lines[0].keySchema, { subject: 'orders-key', version: 1, id: 2, schemaType: 'AVRO' });
    // The trace's first events name what encoded the record; the engine's own events follow.
    assert.deepEqual(
      lines[0].trace
        .slice(0, 2)
        .map((e: { type: string; part: string; subject: string; id: number }) => [e.type, e.part, e.subject, e.id]),
      [
        ['serialized', 'key', 'orders-key', 2],
        ['serialized', 'value', 'orders-value', 1],
      ],
    );
    assert.equal(lines[0].trace[2].type, 'composed');
    const published = new SchemaRegistry({ host: registry });
    const raw = await consumeRaw(sandbox, 'orders', 2);
    const decoded = await Promise.all(
      raw.map(async (m) => ({ key: await published.decode(m.key!), value: { ...(await published.decode(m.value!)) } })),
    );
    assert.deepEqual(
      decoded.sort((a, b) => String(a.key).localeCompare(String(b.key))),
      [
        { key: 'order-0', value: { id: 'o-0', qty: 0, status: 'PAID' } },
        { key: 'order-1', value: { id: 'o-1', qty: 1, status: 'PAID' } },
      ],
    );
  });

  it('names the schema in the human summary; a Protobuf value by its message', async () => {
    const r = await runCli([
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'pings',
      '--schema-registry',
      registry,
      '--value-record-name',
      'Ping',
      '--value',
      '{"id": "p"}',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /value schema: pings-value v1 \(id 3, PROTOBUF acme\.Ping\)/);
  });

  it('registers a schema file only with --auto-register', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-sr-'));
    const file = path.join(dir, 'event.avsc');
    fs.writeFileSync(file, JSON.stringify({ type: 'record', name: 'Event', fields: [{ name: 'n', type: 'int' }] }));
    const base = [
      'send',
      '--bootstrap',
      sandbox.bootstrap,
      '--topic',
      'events',
      '--schema-registry',
      registry,
      '--value-schema-file',
      file,
      '--value',
      '{"n": 1}',
    ];
    const refused = await runCli(base);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /subject "events-value" is not in the schema registry/);
    assert.equal(storedCount(sandbox, 'events'), 0);
    const registered = await runCli([...base, '--auto-register']);
    assert.equal(registered.status, 0, registered.stderr);
    assert.match(registered.stdout, /value schema: events-value v1/);
  });

  describe('bad input: exit 2, one line naming what and where, nothing sent', () => {
    const cases: [string, string[], RegExp, NodeJS.ProcessEnv?][] = [
      [
        'a value missing a required field',
        ['--value', '{"id": "a"}'],
        /value\.qty: missing required field "qty" of record com\.acme\.Order: expected an int/,
      ],
      [
        'a wrong type',
        ['--value', '{"id": "a", "qty": "two"}'],
        /value\.qty: expected an int \(a whole number from -2147483648 to 2147483647\), got "two"/,
      ],
      [
        'an unknown enum symbol',
        ['--value', '{"id": "a", "qty": 1, "status": "LOST"}'],
        /value\.status: "LOST" is not a symbol of enum com\.acme\.Status; expected one of NEW, PAID/,
      ],
      [
        'a value that is not JSON',
        ['--value', 'hello'],
        /value: is not JSON .*with a schema the value is written as JSON/,
      ],
      [
        'subject not found',
        ['--value-subject', 'ghost', '--value', '{}'],
        /subject "ghost" is not in the schema registry http:\/\/127\.0\.0\.1:\d+; its subjects: .*orders-bad-value, orders-key/,
      ],
      ['schema id unknown', ['--value-schema-id', '77', '--value', '{}'], /schema id 77 is not in the schema registry/],
      [
        'a version that does not exist',
        ['--value-schema-version', '4', '--value', '{}'],
        /subject "orders-bad-value" has no version 4; its versions are 1/,
      ],
      [
        'a Protobuf message name not in the schema',
        ['--value-subject', 'pings-value', '--value-record-name', 'Pong', '--value', '{}'],
        /message "Pong" is not in the schema; its messages are acme\.Ping/,
      ],
      [
        'a key schema without a key',
        ['--key-subject', 'orders-key', '--value', '{"id": "a", "qty": 1}'],
        /a key schema needs a key: give --key/,
      ],
      [
        'a schema flag without a registry',
        ['--value-subject', 'x', '--value', '{}', '--no-registry'],
        /--value-subject needs --schema-registry URL/,
      ],
    ];
    for (const [what, args, expected] of cases) {
      it(what, async () => {
        const withRegistry = args.includes('--no-registry')
          ? args.filter((a) => a !== '--no-registry')
          : ['--schema-registry', registry, ...args];
        const r = await runCli(['send', '--bootstrap', sandbox.bootstrap, '--topic', 'orders-bad', ...withRegistry]);
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stderr, expected);
        assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
        assert.equal(storedCount(sandbox, 'orders-bad'), 0);
      });
    }

    it('registry unreachable', async () => {
      const r = await runCli([
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        'orders-bad',
        '--schema-registry',
        'http://127.0.0.1:1',
        '--value',
        '{}',
      ]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /the schema registry http:\/\/127\.0\.0\.1:1 is not reachable \(connection refused\)/);
      assert.equal(storedCount(sandbox, 'orders-bad'), 0);
    });

    it('wrong credentials, and the password only from the environment', async () => {
      const secured = await startSandbox({
        brokers: 1,
        port: 0,
        schemaRegistry: { auth: { username: 'sr', password: 'right' } },
      });
      try {
        const base = [
          'send',
          '--bootstrap',
          secured.bootstrap,
          '--topic',
          't',
          '--schema-registry',
          secured.schemaRegistryUrl!,
          '--schema-registry-user',
          'sr',
          '--value',
          '{}',
        ];
        const noPassword = await runCli(base, { KAFKA_WORKBENCH_SCHEMA_REGISTRY_PASSWORD: undefined });
        assert.equal(noPassword.status, 2);
        assert.match(
          noPassword.stderr,
          /--schema-registry-user sr needs the password in the environment variable KAFKA_WORKBENCH_SCHEMA_REGISTRY_PASSWORD/,
        );
        const wrong = await runCli(base, { KAFKA_WORKBENCH_SCHEMA_REGISTRY_PASSWORD: 'wrong' });
        assert.equal(wrong.status, 2);
        assert.match(wrong.stderr, /refused the credentials \(401 Unauthorized\)/);
        assert.ok(!wrong.stderr.includes('wrong'), 'the password is never printed');
        assert.equal(storedCount(secured, 't'), 0);
      } finally {
        await secured.stop();
      }
    });

    it('an incompatible schema with --auto-register', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-sr-'));
      const file = path.join(dir, 'order.avsc');
      fs.writeFileSync(file, JSON.stringify({ ...ORDER, fields: [{ name: 'id', type: 'long' }] }));
      const r = await runCli([
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        'orders',
        '--schema-registry',
        registry,
        '--value-schema-file',
        file,
        '--auto-register',
        '--value',
        '{"id": 1}',
      ]);
      assert.equal(r.status, 2);
      assert.match(
        r.stderr,
        /Schema being registered is incompatible with an earlier schema for subject "orders-value"/,
      );
    });

    it('a record that {{$seq}} makes unfit stops the send there; the ones before it are reported', async () => {
      await register('counts-value', {
        schemaType: 'JSON',
        schema: JSON.stringify({ type: 'object', properties: { n: { type: 'integer', maximum: 1 } } }),
      });
      const r = await runCli([
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        'counts',
        '--schema-registry',
        registry,
        '--value',
        '{"n": {{$seq}}}',
        '--count',
        '5',
      ]);
      assert.equal(r.status, 2);
      assert.match(r.stdout, /sent 2 records to counts: 2 acked, 0 failed/);
      assert.match(r.stderr, /record 2: value\.n: must be <= 1 \(got 2\); the 2 record\(s\) before it were sent/);
      assert.equal(storedCount(sandbox, 'counts'), 2);
    });
  });
});

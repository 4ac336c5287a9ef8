/**
 * Collections with keySchema / valueSchema: `kafka-workbench run` with an environment's schema registry (basic
 * auth with the password as a secret), the records decoded by the published client; Problems from the registry.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { parseCollectionText, schemaDiagnostics } from '../../extension/core/collections';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { SchemaRegistryClient } from '../../extension/core/schema-registry';
import { runCli } from './cli-helpers';
import { consumeRaw, storedCount } from './engine-helpers';

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
  ],
};

describe('collections with keySchema / valueSchema', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let dir: string;
  let published: SchemaRegistry;
  const auth = { username: 'sr', password: 's3cret' };
  const secretEnv = { KAFKA_WORKBENCH_SECRET_SR_PASSWORD: auth.password };

  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };
  const environment = () =>
    write('dev.kafka-env.json', {
      connection: { bootstrap: sandbox.bootstrap },
      schemaRegistry: {
        url: sandbox.schemaRegistryUrl,
        basicAuth: { username: auth.username, password: '{{$secret:SR_PASSWORD}}' },
      },
    });

  before(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0, partitions: 1, schemaRegistry: { auth } });
    published = new SchemaRegistry({ host: sandbox.schemaRegistryUrl!, auth });
    await published.register({ type: 'AVRO' as never, schema: JSON.stringify(ORDER) }, { subject: 'orders-value' });
    await fetch(`${sandbox.schemaRegistryUrl}/subjects/orders-key/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: '"string"' }),
      headers: { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-coll-sr-'));
  });
  after(() => sandbox.stop());

  it("run encodes keys and values (templated per record, and data-file lines) by the environment's registry", async () => {
    write('orders.jsonl', '{"id": "f-1", "qty": 10}\n{"id": "f-2", "qty": 20}\n');
    const collection = write('orders.kafka.json', {
      name: 'Orders',
      messages: [
        {
          name: 'new',
          topic: 'orders',
          key: 'order-{{$seq}}',
          keySchema: {},
          value: { id: 'o-{{$seq}}', qty: '{{$seq}}' },
          valueSchema: { version: 'latest' },
          count: 2,
        },
        { name: 'replay', topic: 'orders', value: { file: 'orders.jsonl' }, valueSchema: { subject: 'orders-value' } },
      ],
    });
    const r = await runCli(['run', collection, '--env', environment()], secretEnv);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const records = await consumeRaw(sandbox, 'orders', 4);
    const decoded = await Promise.all(
      records.map(async (m) => ({
        key: m.key ? await published.decode(m.key) : null,
        value: { ...(await published.decode(m.value!)) },
      })),
    );
    assert.deepEqual(
      decoded.sort((a, b) => a.value.id.localeCompare(b.value.id)),
      [
        { key: null, value: { id: 'f-1', qty: 10 } },
        { key: null, value: { id: 'f-2', qty: 20 } },
        { key: 'order-0', value: { id: 'o-0', qty: 0 } },
        { key: 'order-1', value: { id: 'o-1', qty: 1 } },
      ],
    );
  });

  it('a value that does not fit stops the run before anything is sent, naming file, message and field', async () => {
    const collection = write('bad.kafka.json', {
      name: 'Bad',
      messages: [
        { name: 'fine', topic: 'bad-topic', value: { id: 'a', qty: 1 }, valueSchema: { subject: 'orders-value' } },
        {
          name: 'broken',
          topic: 'bad-topic',
          value: { id: 'a', qty: 'many' },
          valueSchema: { subject: 'orders-value' },
        },
      ],
    });
    const r = await runCli(['run', collection, '--env', environment()], secretEnv);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /bad\.kafka\.json:\d+:\d+: message "broken" messages\[1\]\.value: value\.qty: expected an int .*got "many"/,
    );
    assert.equal(storedCount(sandbox, 'bad-topic'), 0);
  });

  it('without a registry, or with a subject it does not have, says so before sending', async () => {
    const collection = write('nosr.kafka.json', {
      name: 'N',
      messages: [{ name: 'm', topic: 'nosr', value: { id: 'a', qty: 1 }, valueSchema: { subject: 'ghost' } }],
    });
    const bare = write('bare.kafka-env.json', { connection: { bootstrap: sandbox.bootstrap } });
    const none = await runCli(['run', collection, '--env', bare]);
    assert.equal(none.status, 2);
    assert.match(
      none.stderr,
      /message "m" messages\[0\]\.valueSchema: valueSchema needs a schema registry: add "schemaRegistry"/,
    );
    const ghost = await runCli(['run', collection, '--env', environment()], secretEnv);
    assert.equal(ghost.status, 2);
    assert.match(ghost.stderr, /messages\[0\]\.valueSchema: subject "ghost" is not in the schema registry/);
    const wrongSecret = await runCli(['run', collection, '--env', environment()], {
      KAFKA_WORKBENCH_SECRET_SR_PASSWORD: 'nope',
    });
    assert.match(wrongSecret.stderr, /refused the credentials \(401 Unauthorized\)/);
    assert.equal(storedCount(sandbox, 'nosr'), 0);
  });

  it('Problems: an unknown subject on its valueSchema, a misfit on its value; nothing when unreachable', async () => {
    const text = JSON.stringify(
      {
        name: 'P',
        messages: [
          { name: 'a', topic: 'orders', value: { id: 'x', qty: true }, valueSchema: {} },
          { name: 'b', topic: 'orders', value: { id: 'x', qty: 1 }, valueSchema: { subject: 'nope' } },
          {
            name: 'c',
            topic: 'orders',
            value: { id: '{{$uuid}}', qty: 'templated, checked when sent' },
            valueSchema: {},
          },
          {
            name: 'd',
            topic: 'orders',
            value: 'plain',
            expect: [
              { topic: 'replies', valueSchema: { subject: 'orders-value', version: 1 } },
              { topic: 'replies', valueSchema: { subject: 'orders-value', version: 9 } },
            ],
          },
        ],
      },
      null,
      2,
    );
    const doc = parseCollectionText(text, 'p.kafka.json');
    const found = await schemaDiagnostics(doc, new SchemaRegistryClient({ url: sandbox.schemaRegistryUrl!, auth }));
    assert.deepEqual(
      found.map((d) => [d.path.join('.'), d.message.replace(/http:\/\/[^;]+/, 'URL')]),
      [
        [
          'messages.0.value',
          'value.qty: expected an int (a whole number from -2147483648 to 2147483647), got true (valueSchema orders-value v1)',
        ],
        [
          'messages.1.valueSchema',
          'subject "nope" is not in the schema registry URL; its subjects: orders-key, orders-value',
        ],
        ['messages.3.expect.1.valueSchema.subject', 'subject "orders-value" has no version 9; its versions are 1'],
      ],
    );
    assert.equal(
      found[0].range.start.line,
      text.split('\n').findIndex((l) => l.includes('"value"')),
    );
    assert.deepEqual(await schemaDiagnostics(doc, new SchemaRegistryClient({ url: 'http://127.0.0.1:1' })), []);
  });
});

/**
 * Our serializers' bytes, decoded by the published client's deserializer (@kafkajs/confluent-schema-registry), so
 * they are what Confluent consumers accept; and every bad input named with what and where.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import protobuf from 'protobufjs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { SchemaDeserializer, SchemaRegistryClient, createSerializer } from '../../extension/core/schema-registry';

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const PROTO =
  'syntax = "proto3";\npackage acme;\nmessage Order { string id = 1; int32 qty = 2; Line line = 3; message Line { string sku = 1; } }\nmessage Ping { bool ok = 1; }\n';

describe('schema registry serializers', function () {
  this.timeout(20000);
  let sandbox: Sandbox;
  let published: SchemaRegistry;
  let client: SchemaRegistryClient;

  before(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0 });
    published = new SchemaRegistry({ host: sandbox.schemaRegistryUrl!, retry: { retries: 0 } });
    client = new SchemaRegistryClient({ url: sandbox.schemaRegistryUrl! });
    await published.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER) }, { subject: 'orders-value' });
    await published.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          ...ORDER,
          fields: [...ORDER.fields, { name: 'region', type: 'string', default: 'eu' }],
        }),
      },
      { subject: 'orders-value' },
    );
    // The published client registers named types only: a plain string key schema goes in over HTTP.
    await fetch(`${sandbox.schemaRegistryUrl}/subjects/orders-key/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: '"string"' }),
    });
    await published.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify({
          type: 'object',
          title: 'Person',
          properties: { name: { type: 'string' }, age: { type: 'integer' } },
          required: ['name'],
        }),
      },
      { subject: 'people-value' },
    );
    await published.register({ type: SchemaType.PROTOBUF, schema: PROTO }, { subject: 'pb-value' });
  });
  after(() => sandbox.stop());

  it('Avro by subject (TopicName: <topic>-value, latest): the published client decodes our bytes', async () => {
    const s = await createSerializer(client, 'orders', 'value', {});
    assert.deepEqual(s.used, {
      part: 'value',
      subject: 'orders-value',
      version: 2,
      id: 2,
      schemaType: 'AVRO',
      recordName: 'com.acme.Order',
    });
    const bytes = s.encodeText('{"id": "o-1", "qty": 2, "status": "PAID", "note": {"string": "fragile"}}');
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), 2);
    assert.deepEqual(
      { ...(await published.decode(bytes)) },
      { id: 'o-1', qty: 2, status: 'PAID', note: 'fragile', region: 'eu' },
    );
  });

  it('Avro by subject and version, and by schema id', async () => {
    const v1 = await createSerializer(client, 'orders', 'value', { version: 1 });
    assert.equal(v1.used.id, 1);
    assert.deepEqual(
      { ...(await published.decode(v1.encode({ id: 'a', qty: 1, status: 'NEW' }))) },
      { id: 'a', qty: 1, status: 'NEW', note: null },
    );
    const byId = await createSerializer(client, 'anything', 'value', { id: 1 });
    assert.deepEqual(byId.used, {
      part: 'value',
      subject: 'orders-value',
      version: 1,
      id: 1,
      schemaType: 'AVRO',
      recordName: 'com.acme.Order',
    });
    const key = await createSerializer(client, 'orders', 'key', {});
    assert.equal(await published.decode(key.encodeText('"order-7"')), 'order-7');
  });

  it('RecordName and TopicRecordName strategies name the subject after the record', async () => {
    await published.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER) }, { subject: 'com.acme.Order' });
    await published.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(ORDER) },
      { subject: 'orders-com.acme.Order' },
    );
    assert.equal(
      (await createSerializer(client, 'orders', 'value', { strategy: 'RecordName', recordName: 'com.acme.Order' })).used
        .subject,
      'com.acme.Order',
    );
    assert.equal(
      (await createSerializer(client, 'orders', 'value', { strategy: 'TopicRecordName', recordName: 'com.acme.Order' }))
        .used.subject,
      'orders-com.acme.Order',
    );
    await assert.rejects(
      createSerializer(client, 'orders', 'value', { strategy: 'RecordName' }),
      /the RecordName strategy names the subject after the record: give the value's record name/,
    );
  });

  it("resolves references (a JSON Schema using another subject's schema by name)", async () => {
    await published.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify({
          $id: 'address.json',
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        }),
      },
      { subject: 'address' },
    );
    await published.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify({ type: 'object', properties: { home: { $ref: 'address.json' } }, required: ['home'] }),
        references: [{ name: 'address.json', subject: 'address', version: 1 }],
      },
      { subject: 'homes-value' },
    );
    const s = await createSerializer(client, 'homes', 'value', {});
    assert.deepEqual(await published.decode(s.encode({ home: { city: 'Oslo' } })), { home: { city: 'Oslo' } });
    assert.throws(() => s.encode({ home: {} }), /value\.home\.city: missing required property "city"/);
  });

  it('JSON Schema: compact UTF-8 JSON after the id, decoded by the published client', async () => {
    const s = await createSerializer(client, 'people', 'value', {});
    const bytes = s.encode({ name: 'Ada', age: 36 });
    assert.equal(bytes.subarray(5).toString('utf8'), '{"name":"Ada","age":36}');
    assert.deepEqual(await published.decode(bytes), { name: 'Ada', age: 36 });
  });

  it('Protobuf: the first message (index [0] as one byte 0) decodes with the published client', async () => {
    const s = await createSerializer(client, 'pb', 'value', {});
    assert.equal(s.used.recordName, 'acme.Order');
    const bytes = s.encode({ id: 'x', qty: 3, line: { sku: 'k' } });
    assert.equal(bytes[5], 0, 'message indexes [0] are the single byte 0');
    const decoded = (await published.decode(bytes)) as { id: string; qty: number; line: { sku: string } };
    assert.deepEqual({ id: decoded.id, qty: decoded.qty, sku: decoded.line.sku }, { id: 'x', qty: 3, sku: 'k' });
  });

  it('Protobuf: other messages carry their indexes as zigzag varints, as Confluent documents', async () => {
    const ping = await createSerializer(client, 'pb', 'value', { recordName: 'Ping' });
    const bytes = ping.encode({ ok: true });
    // [1]: count 1 -> zigzag 2, index 1 -> zigzag 2; then the message, field 1 varint true.
    assert.deepEqual([...bytes.subarray(5)], [0x02, 0x02, 0x08, 0x01]);
    const line = await createSerializer(client, 'pb', 'value', { recordName: 'acme.Order.Line' });
    const lineBytes = line.encode({ sku: 'z' });
    assert.deepEqual([...lineBytes.subarray(5, 8)], [0x04, 0x00, 0x00], '[0, 0]: count 2 -> 4, then 0, 0');
    const type = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('acme.Order.Line');
    assert.equal((type.decode(lineBytes.subarray(8)) as unknown as { sku: string }).sku, 'z');
    // Our reader finds the message by those indexes.
    const decoded = await new SchemaDeserializer(client).decode(lineBytes);
    assert.deepEqual(decoded, {
      schemaId: line.used.id,
      schemaType: 'PROTOBUF',
      recordName: 'acme.Order.Line',
      value: { sku: 'z' },
    });
  });

  it('decodes records read back by the id they carry; other bytes are left alone', async () => {
    const reader = new SchemaDeserializer(client);
    const bytes = await published.encode(2, { id: 'r', qty: 9, status: 'NEW', note: null, region: 'us' });
    assert.deepEqual(await reader.decode(bytes), {
      schemaId: 2,
      schemaType: 'AVRO',
      recordName: 'com.acme.Order',
      value: { id: 'r', qty: 9, status: 'NEW', note: null, region: 'us' },
    });
    assert.equal(await reader.decode(Buffer.from('plain text')), undefined);
    await assert.rejects(reader.decode(Buffer.from([0, 0, 0, 0, 99, 1])), /schema id 99 is not in the schema registry/);
  });

  it('auto.register.schemas is off by default: a local schema must already be registered', async () => {
    const local = {
      schemaType: 'AVRO' as const,
      schema: JSON.stringify({ type: 'record', name: 'New', fields: [{ name: 'a', type: 'int' }] }),
    };
    await assert.rejects(
      createSerializer(client, 'fresh', 'value', { schema: local }),
      /subject "fresh-value" is not in the schema registry/,
    );
    const s = await createSerializer(client, 'fresh', 'value', { schema: local, autoRegister: true });
    assert.equal(s.used.subject, 'fresh-value');
    assert.deepEqual({ ...(await published.decode(s.encode({ a: 5 }))) }, { a: 5 });
    const other = {
      schemaType: 'AVRO' as const,
      schema: JSON.stringify({
        type: 'record',
        name: 'New',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int', default: 1 },
        ],
      }),
    };
    await assert.rejects(
      createSerializer(client, 'fresh', 'value', { schema: other }),
      /the schema is not registered under subject "fresh-value".*auto\.register\.schemas is off/,
    );
  });

  describe('bad input: a clear error naming what and where', () => {
    it('a value missing a required field, a wrong type, an unknown enum symbol', async () => {
      const s = await createSerializer(client, 'orders', 'value', {});
      assert.throws(
        () => s.encode({ id: 'a', status: 'NEW' }),
        /^SchemaValueError: value\.qty: missing required field "qty" of record com\.acme\.Order: expected an int/,
      );
      assert.throws(
        () => s.encode({ id: 'a', qty: 'two', status: 'NEW' }),
        /value\.qty: expected an int \(a whole number from -2147483648 to 2147483647\), got "two"/,
      );
      assert.throws(
        () => s.encode({ id: 'a', qty: 1, status: 'SHIPPED' }),
        /value\.status: "SHIPPED" is not a symbol of enum com\.acme\.Status; expected one of NEW, PAID/,
      );
      assert.throws(() => s.encodeText('{"id": '), /value: is not JSON/);
      const json = await createSerializer(client, 'people', 'value', {});
      assert.throws(() => json.encode({ age: 3 }), /value\.name: missing required property "name": expected string/);
      const pb = await createSerializer(client, 'pb', 'value', {});
      assert.throws(() => pb.encode({ line: { sku: 5 } }), /value\.line\.sku: expected string, got 5/);
    });

    it('a Protobuf message name that is not in the schema', async () => {
      await assert.rejects(
        createSerializer(client, 'pb', 'value', { recordName: 'Pong' }),
        /message "Pong" is not in the schema; its messages are acme\.Order, acme\.Order\.Line, acme\.Ping/,
      );
    });

    it('subject not found, version not found, schema id unknown', async () => {
      await assert.rejects(
        createSerializer(client, 'nope', 'value', {}),
        /subject "nope-value" is not in the schema registry http:\/\/127\.0\.0\.1:\d+; its subjects: .*orders-value/,
      );
      await assert.rejects(
        createSerializer(client, 'orders', 'value', { version: 9 }),
        /subject "orders-value" has no version 9; its versions are 1, 2/,
      );
      await assert.rejects(
        createSerializer(client, 'orders', 'value', { id: 404 }),
        /schema id 404 is not in the schema registry/,
      );
    });

    it('registry unreachable', async () => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      await new Promise<void>((r) => server.close(() => r()));
      const dead = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}` });
      await assert.rejects(
        createSerializer(dead, 'orders', 'value', {}),
        new RegExp(`the schema registry http://127\\.0\\.0\\.1:${port} is not reachable \\(connection refused\\)`),
      );
    });

    it('wrong credentials', async () => {
      const secured = await startSandbox({
        brokers: 1,
        port: 0,
        schemaRegistry: { auth: { username: 'u', password: 'right' } },
      });
      try {
        const wrong = new SchemaRegistryClient({
          url: secured.schemaRegistryUrl!,
          auth: { username: 'u', password: 'wrong' },
        });
        await assert.rejects(
          createSerializer(wrong, 'orders', 'value', {}),
          /the schema registry http:\/\/127\.0\.0\.1:\d+ refused the credentials \(401 Unauthorized\)/,
        );
      } finally {
        await secured.stop();
      }
    });

    it('an incompatible schema with auto-registration on', async () => {
      const incompatible = {
        schemaType: 'AVRO' as const,
        schema: JSON.stringify({ ...ORDER, fields: [{ name: 'id', type: 'int' }] }),
      };
      await assert.rejects(
        createSerializer(client, 'orders', 'value', { schema: incompatible, autoRegister: true }),
        /Schema being registered is incompatible with an earlier schema for subject "orders-value".*\(error 409\)/,
      );
    });
  });
});

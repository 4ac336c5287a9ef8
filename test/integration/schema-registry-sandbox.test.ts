/**
 * The sandbox's schema registry against a client this project did not write (@kafkajs/confluent-schema-registry)
 * and against Confluent's documented REST replies (error codes, content type), over HTTP.
 */
import { strict as assert } from 'node:assert';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';

const ORDER_V1 = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
  ],
};
const ORDER_V2_COMPATIBLE = {
  ...ORDER_V1,
  fields: [...ORDER_V1.fields, { name: 'note', type: ['null', 'string'], default: null }],
};
const ORDER_V2_INCOMPATIBLE = { ...ORDER_V1, fields: [...ORDER_V1.fields, { name: 'region', type: 'string' }] };

async function call(
  sandbox: Sandbox,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${sandbox.schemaRegistryUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    json: json as Record<string, unknown> & unknown[],
    text,
  };
}

describe('sandbox schema registry', function () {
  this.timeout(20000);
  let sandbox: Sandbox;
  let registry: SchemaRegistry;

  beforeEach(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0 });
    registry = new SchemaRegistry({ host: sandbox.schemaRegistryUrl!, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('starts with the sandbox and lists its subjects in the control API state', async () => {
    assert.match(sandbox.schemaRegistryUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V1) }, { subject: 'orders-value' });
    const state = (await (await fetch(`${sandbox.controlUrl}/state`)).json()) as {
      schemaRegistry: {
        url: string;
        subjects: { subject: string; versions: number[]; latest: { id: number; schemaType: string } }[];
      };
    };
    assert.equal(state.schemaRegistry.url, sandbox.schemaRegistryUrl);
    // The published client sets the subject's level after its first registration.
    assert.deepEqual(state.schemaRegistry.subjects, [
      {
        subject: 'orders-value',
        versions: [1],
        latest: { version: 1, id: 1, schemaType: 'AVRO' },
        compatibility: 'BACKWARD',
      },
    ]);
  });

  it('registers, looks up and round-trips Avro records with the published client', async () => {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V1) },
      { subject: 'orders-value' },
    );
    assert.equal(await registry.getLatestSchemaId('orders-value'), id);
    assert.equal(await registry.getRegistryId('orders-value', 1), id);
    assert.equal(
      await registry.getRegistryIdBySchema('orders-value', { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V1) }),
      id,
    );
    const bytes = await registry.encode(id, { id: 'o-1', qty: 3 });
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), id);
    assert.deepEqual({ ...(await registry.decode(bytes)) }, { id: 'o-1', qty: 3 });
  });

  it('refuses an incompatible new version with 409 and takes a compatible one (BACKWARD by default)', async () => {
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V1) }, { subject: 'orders-value' });
    await assert.rejects(
      registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V2_INCOMPATIBLE) },
        { subject: 'orders-value' },
      ),
      (e: Error & { status?: number }) => {
        assert.equal(e.status, 409);
        assert.match(
          e.message,
          /Schema being registered is incompatible with an earlier schema for subject "orders-value"/,
        );
        assert.match(e.message, /region/);
        return true;
      },
    );
    const v2 = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V2_COMPATIBLE) },
      { subject: 'orders-value' },
    );
    assert.equal(v2.id, 2);
    assert.deepEqual((await call(sandbox, 'GET', '/subjects/orders-value/versions')).json, [1, 2]);
  });

  it('round-trips JSON Schema and Protobuf records with the published client', async () => {
    const json = await registry.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }),
      },
      { subject: 'people-value' },
    );
    assert.deepEqual(await registry.decode(await registry.encode(json.id, { id: 'p-1' })), { id: 'p-1' });
    const proto = await registry.register(
      {
        type: SchemaType.PROTOBUF,
        schema: 'syntax = "proto3";\npackage acme;\nmessage Ping { string id = 1; int32 n = 2; }\n',
      },
      { subject: 'pings-value' },
    );
    const decoded = (await registry.decode(await registry.encode(proto.id, { id: 'x', n: 4 }))) as {
      id: string;
      n: number;
    };
    assert.deepEqual({ id: decoded.id, n: decoded.n }, { id: 'x', n: 4 });
    assert.equal((await call(sandbox, 'GET', `/schemas/ids/${proto.id}`)).json.schemaType, 'PROTOBUF');
  });

  it('resolves references: an Avro record using a type registered under another subject', async () => {
    const customer = {
      type: 'record',
      name: 'Customer',
      namespace: 'com.acme',
      fields: [{ name: 'name', type: 'string' }],
    };
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(customer) }, { subject: 'customer' });
    const order = {
      type: 'record',
      name: 'Order',
      namespace: 'com.acme',
      fields: [{ name: 'customer', type: 'com.acme.Customer' }],
    };
    const { id } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify(order),
        references: [{ name: 'com.acme.Customer', subject: 'customer', version: 1 }],
      },
      { subject: 'orders-value' },
    );
    const v = await call(sandbox, 'GET', '/subjects/orders-value/versions/latest');
    assert.deepEqual(v.json.references, [{ name: 'com.acme.Customer', subject: 'customer', version: 1 }]);
    const decoded = (await registry.decode(await registry.encode(id, { customer: { name: 'Ada' } }))) as {
      customer: { name: string };
    };
    assert.equal(decoded.customer.name, 'Ada');
    // The referenced version cannot go while something uses it.
    await call(sandbox, 'DELETE', '/subjects/customer');
    const refused = await call(sandbox, 'DELETE', '/subjects/customer/versions/1');
    assert.equal(refused.json.error_code, 42206);
    const missing = await call(sandbox, 'POST', '/subjects/x/versions', {
      schema: JSON.stringify(order),
      references: [{ name: 'com.acme.Customer', subject: 'nope', version: 1 }],
    });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.error_code, 42201);
    assert.match(String(missing.json.message), /subject 'nope' version 1, which is not registered/);
  });

  it("answers with Confluent's error codes, messages and content type", async () => {
    const notFound = await call(sandbox, 'GET', '/subjects/ghost/versions');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.contentType, 'application/vnd.schemaregistry.v1+json');
    assert.deepEqual(notFound.json, { error_code: 40401, message: "Subject 'ghost' not found." });
    assert.deepEqual((await call(sandbox, 'GET', '/schemas/ids/99')).json, {
      error_code: 40403,
      message: 'Schema 99 not found',
    });
    await call(sandbox, 'POST', '/subjects/s/versions', { schema: JSON.stringify(ORDER_V1) });
    assert.deepEqual((await call(sandbox, 'GET', '/subjects/s/versions/7')).json, {
      error_code: 40402,
      message: 'Version 7 not found.',
    });
    assert.equal((await call(sandbox, 'GET', '/subjects/s/versions/x')).json.error_code, 42202);
    const lookupMiss = await call(sandbox, 'POST', '/subjects/s', { schema: JSON.stringify(ORDER_V2_COMPATIBLE) });
    assert.deepEqual(lookupMiss.json, { error_code: 40403, message: 'Schema not found' });
    const invalid = await call(sandbox, 'POST', '/subjects/s/versions', { schema: '{"type": "record", "name": "X"}' });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.json.error_code, 42201);
    assert.match(String(invalid.json.message), /^Invalid schema/);
    assert.equal((await call(sandbox, 'PUT', '/config', { compatibility: 'SIDEWAYS' })).json.error_code, 42203);
    assert.deepEqual((await call(sandbox, 'GET', '/config/s')).json, {
      error_code: 40408,
      message: "Subject 's' does not have subject-level compatibility configured",
    });
    assert.deepEqual((await call(sandbox, 'GET', '/config/s?defaultToGlobal=true')).json, {
      compatibilityLevel: 'BACKWARD',
    });
  });

  it("serves a version, its raw schema, and a schema id's subjects and versions", async () => {
    await call(sandbox, 'POST', '/subjects/a/versions', { schema: JSON.stringify(ORDER_V1, null, 2) });
    await call(sandbox, 'POST', '/subjects/b/versions', { schema: JSON.stringify(ORDER_V1) });
    const v = await call(sandbox, 'GET', '/subjects/a/versions/1');
    assert.deepEqual(v.json, { subject: 'a', version: 1, id: 1, schema: JSON.stringify(ORDER_V1) });
    assert.deepEqual(JSON.parse((await call(sandbox, 'GET', '/subjects/a/versions/latest/schema')).text), ORDER_V1);
    assert.deepEqual((await call(sandbox, 'GET', '/schemas/ids/1/subjects')).json, ['a', 'b']);
    assert.deepEqual((await call(sandbox, 'GET', '/schemas/ids/1/versions')).json, [
      { subject: 'a', version: 1 },
      { subject: 'b', version: 1 },
    ]);
    assert.deepEqual(JSON.parse((await call(sandbox, 'GET', '/schemas/ids/1/schema')).text), ORDER_V1);
    assert.deepEqual((await call(sandbox, 'GET', '/subjects')).json, ['a', 'b']);
  });

  it('deletes softly first and permanently after, as Confluent does', async () => {
    await call(sandbox, 'POST', '/subjects/d/versions', { schema: JSON.stringify(ORDER_V1) });
    await call(sandbox, 'POST', '/subjects/d/versions', { schema: JSON.stringify(ORDER_V2_COMPATIBLE) });
    assert.equal((await call(sandbox, 'DELETE', '/subjects/d/versions/1?permanent=true')).json.error_code, 40407);
    assert.equal((await call(sandbox, 'DELETE', '/subjects/d/versions/1')).json, 1);
    assert.equal((await call(sandbox, 'DELETE', '/subjects/d/versions/1')).json.error_code, 40406);
    assert.deepEqual((await call(sandbox, 'GET', '/subjects/d/versions')).json, [2]);
    assert.deepEqual((await call(sandbox, 'GET', '/subjects/d/versions?deleted=true')).json, [1, 2]);
    assert.equal((await call(sandbox, 'DELETE', '/subjects/d?permanent=true')).json.error_code, 40405);
    assert.deepEqual((await call(sandbox, 'DELETE', '/subjects/d')).json, [2]);
    assert.equal((await call(sandbox, 'DELETE', '/subjects/d')).json.error_code, 40404);
    assert.deepEqual((await call(sandbox, 'GET', '/subjects')).json, []);
    assert.deepEqual((await call(sandbox, 'GET', '/subjects?deleted=true')).json, ['d']);
    // A soft-deleted schema is still readable by id: consumers of old records need it.
    assert.equal((await call(sandbox, 'GET', '/schemas/ids/1')).status, 200);
    assert.deepEqual((await call(sandbox, 'DELETE', '/subjects/d?permanent=true')).json, [1, 2]);
    assert.equal((await call(sandbox, 'GET', '/schemas/ids/1')).json.error_code, 40403);
    assert.equal((await call(sandbox, 'GET', '/subjects/d/versions?deleted=true')).json.error_code, 40401);
  });

  it('checks compatibility per level, against the latest or every version when transitive', async () => {
    const v1 = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };
    const v2 = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'int', default: 0 },
      ],
    };
    const v3 = { type: 'record', name: 'R', fields: [{ name: 'b', type: 'int', default: 0 }] };
    assert.deepEqual((await call(sandbox, 'PUT', '/config/r', { compatibility: 'FORWARD' })).json, {
      compatibility: 'FORWARD',
    });
    await call(sandbox, 'POST', '/subjects/r/versions', { schema: JSON.stringify(v1) });
    await call(sandbox, 'POST', '/subjects/r/versions', { schema: JSON.stringify(v2) });
    // v3 drops `a`; under FORWARD v2 reads v3's data, and v2's `a` has no default.
    const forward = await call(sandbox, 'POST', '/compatibility/subjects/r/versions/latest?verbose=true', {
      schema: JSON.stringify(v3),
    });
    assert.equal(forward.json.is_compatible, false);
    assert.match(
      String((forward.json.messages as string[])[0]),
      /version 2 cannot read data written with the new schema \(FORWARD\)/,
    );
    assert.deepEqual((await call(sandbox, 'PUT', '/config/r', { compatibility: 'backward' })).json, {
      compatibility: 'BACKWARD',
    });
    assert.deepEqual(
      (await call(sandbox, 'POST', '/compatibility/subjects/r/versions/latest', { schema: JSON.stringify(v3) })).json,
      { is_compatible: true },
    );
    await call(sandbox, 'PUT', '/config/r', { compatibility: 'FULL_TRANSITIVE' });
    const transitive = await call(sandbox, 'POST', '/subjects/r/versions', { schema: JSON.stringify(v3) });
    assert.equal(transitive.status, 409);
    assert.match(String(transitive.json.message), /version 1/);
    await call(sandbox, 'PUT', '/config/r', { compatibility: 'NONE' });
    assert.equal((await call(sandbox, 'POST', '/subjects/r/versions', { schema: JSON.stringify(v3) })).json.id, 3);
    assert.equal(
      (await call(sandbox, 'POST', '/compatibility/subjects/ghost/versions/1', { schema: JSON.stringify(v3) })).json
        .error_code,
      40401,
    );
    assert.equal(
      (await call(sandbox, 'POST', '/compatibility/subjects/r/versions/9', { schema: JSON.stringify(v3) })).json
        .error_code,
      40402,
    );
  });

  it('asks for credentials when started with them: 401 without, the right one passes', async () => {
    await sandbox.stop();
    sandbox = await startSandbox({
      brokers: 1,
      port: 0,
      schemaRegistry: { auth: { username: 'sr', password: 'secret' } },
    });
    const anonymous = await call(sandbox, 'GET', '/subjects');
    assert.equal(anonymous.status, 401);
    assert.deepEqual(anonymous.json, { error_code: 401, message: 'Unauthorized' });
    const wrong = new SchemaRegistry({
      host: sandbox.schemaRegistryUrl!,
      auth: { username: 'sr', password: 'nope' },
      retry: { retries: 0 },
    });
    await assert.rejects(wrong.getLatestSchemaId('x'), (e: Error & { status?: number }) => e.status === 401);
    const right = new SchemaRegistry({
      host: sandbox.schemaRegistryUrl!,
      auth: { username: 'sr', password: 'secret' },
      retry: { retries: 0 },
    });
    const { id } = await right.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V1) }, { subject: 'o' });
    assert.equal(id, 1);
  });

  it('starts without a registry when asked', async () => {
    await sandbox.stop();
    sandbox = await startSandbox({ brokers: 1, port: 0, schemaRegistry: false });
    assert.equal(sandbox.schemaRegistryUrl, null);
    assert.equal(sandbox.state().schemaRegistry, null);
  });
});

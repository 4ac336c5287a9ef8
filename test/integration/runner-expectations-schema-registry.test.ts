/**
 * Expectations on replies in Confluent's wire format: a service on the sandbox answers each request in Avro, JSON
 * Schema and Protobuf, encoded by the published client (@kafkajs/confluent-schema-registry) with the sandbox's
 * schema registry; `kafka-workbench run` with an environment naming that registry matches them decoded.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import protobuf from 'protobufjs';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { frame } from '../../extension/core/schema-registry/wire-format';
import { runCli } from './cli-helpers';
import { startTopicService } from './sandbox-helpers';

const REPLY_AVRO = {
  type: 'record',
  name: 'Reply',
  namespace: 'com.acme',
  fields: [
    { name: 'order', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'qty', type: 'int' },
  ],
};
const REPLY_JSON = {
  type: 'object',
  title: 'Reply',
  properties: { order: { type: 'string' }, status: { type: 'string' }, qty: { type: 'integer' } },
  required: ['order', 'status'],
};
const REPLY_PROTO =
  'syntax = "proto3";\npackage acme;\nmessage Reply { string order = 1; string status = 2; int32 qty = 3; }\n';
const ProtoReply = protobuf.parse(REPLY_PROTO).root.lookupType('acme.Reply');
const protoReply = (reply: object) => Buffer.from(ProtoReply.encode(ProtoReply.fromObject(reply)).finish());
/** A schema id the registry does not have: a reply written by a producer that used another registry. */
const UNKNOWN_ID = 9999;

interface Ids {
  avro: number;
  avroKey: number;
  json: number;
  proto: number;
}

/**
 * Reads `requests` (plain JSON) and answers each on replies-avro (key and value Avro), replies-json, replies-pb,
 * and replies-forged (a schema id no registry knows), with the request's correlation-id header.
 */
async function startReplyService(sandbox: Sandbox, published: SchemaRegistry, ids: Ids) {
  return startTopicService(sandbox, 'requests', async (message, producer) => {
    const headers = { 'correlation-id': message.headers!['correlation-id']! };
    const request = JSON.parse(message.value!.toString()) as { order: string; qty: number };
    const reply = { order: request.order, status: 'accepted', qty: request.qty };
    await producer.send({
      topic: 'replies-avro',
      messages: [
        {
          key: await published.encode(ids.avroKey, message.key!.toString()),
          value: await published.encode(ids.avro, reply),
          headers,
        },
      ],
    });
    await producer.send({
      topic: 'replies-json',
      messages: [{ value: await published.encode(ids.json, reply), headers }],
    });
    // The published client writes Protobuf without Confluent's message indexes; protobufjs and the single byte 0
    // (message index [0]: the first message of the schema) make what Confluent's serializer writes.
    await producer.send({
      topic: 'replies-pb',
      messages: [{ value: frame(ids.proto, Buffer.concat([Buffer.from([0]), protoReply(reply)])), headers }],
    });
    await producer.send({
      topic: 'replies-forged',
      messages: [{ value: frame(UNKNOWN_ID, Buffer.from('{"order":"x"}')), headers }],
    });
  });
}

describe('collection expectations on Avro, JSON Schema and Protobuf replies', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let service: { stop(): Promise<void> };
  let dir: string;
  let ids: Ids;

  const envFile = async (name: string, registryUrl: string | undefined) => {
    const file = path.join(dir, `${name}.kafka-env.json`);
    await fs.writeFile(
      file,
      JSON.stringify({
        connection: { bootstrap: sandbox.bootstrap },
        ...(registryUrl ? { schemaRegistry: { url: registryUrl } } : {}),
      }),
    );
    return file;
  };
  const collection = async (name: string, expect: unknown[]) => {
    const file = path.join(dir, `${name}.kafka.json`);
    const message = {
      name: 'place order',
      topic: 'requests',
      key: 'order-7',
      value: { order: 'o-7', qty: 3 },
      headers: [['correlation-id', '{{$uuid}}']],
      expect,
    };
    await fs.writeFile(file, JSON.stringify({ name: 'Orders', messages: [message] }, null, 2));
    return file;
  };
  const correlated = { correlate: { header: 'correlation-id' } };
  const jsonLines = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      brokers: 1,
      topics: ['requests', 'replies-avro', 'replies-json', 'replies-pb', 'replies-forged'].map((name) => ({
        name,
        partitions: 1,
      })),
    });
    const published = new SchemaRegistry({ host: sandbox.schemaRegistryUrl!, retry: { retries: 0 } });
    const register = (type: SchemaType, schema: string, subject: string) =>
      published.register({ type, schema } as never, { subject }).then((r) => r.id);
    // The published client registers named types only: a plain string key schema goes in over HTTP.
    const key = await fetch(`${sandbox.schemaRegistryUrl}/subjects/replies-avro-key/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: '"string"' }),
    });
    ids = {
      avroKey: ((await key.json()) as { id: number }).id,
      avro: await register(SchemaType.AVRO, JSON.stringify(REPLY_AVRO), 'replies-avro-value'),
      json: await register(SchemaType.JSON, JSON.stringify(REPLY_JSON), 'replies-json-value'),
      proto: await register(SchemaType.PROTOBUF, REPLY_PROTO, 'replies-pb-value'),
    };
    service = await startReplyService(sandbox, published, ids);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-expect-sr-'));
  });
  after(async () => {
    await service?.stop();
    await sandbox?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("matches decoded Avro, JSON Schema and Protobuf replies with the environment's registry; reports show them decoded", async () => {
    const file = await collection('pass', [
      {
        name: 'avro reply',
        topic: 'replies-avro',
        withinMs: 20000,
        ...correlated,
        key: 'order-7',
        keySchema: { subject: 'replies-avro-key' },
        valueSchema: { subject: 'replies-avro-value', version: 1, recordName: 'com.acme.Reply' },
        value: { jsonSubset: { order: 'o-7', status: 'accepted', qty: 3 } },
      },
      // The reply's key is Avro: correlated with the plain key sent by its decoded text.
      { name: 'avro reply by key', topic: 'replies-avro', withinMs: 20000, correlate: 'key' },
      {
        name: 'json reply',
        topic: 'replies-json',
        withinMs: 20000,
        ...correlated,
        value: { jsonSubset: { order: 'o-7', status: 'accepted' } },
      },
      {
        name: 'protobuf reply',
        topic: 'replies-pb',
        withinMs: 20000,
        ...correlated,
        valueSchema: { id: ids.proto },
        value: { regex: '"status":"accepted"' },
      },
    ]);
    const env = await envFile('dev', sandbox.schemaRegistryUrl!);
    const json = await runCli(['run', file, '--env', env, '--reporter', 'json']);
    assert.equal(json.status, 0, json.stdout + json.stderr);
    const lines = jsonLines(json.stdout);
    const matched = (name: string) => lines.find((l) => l.expectation === name)?.matched as Record<string, unknown>;
    assert.deepEqual(matched('avro reply').value, { order: 'o-7', status: 'accepted', qty: 3 });
    assert.equal(matched('avro reply').key, 'order-7');
    assert.deepEqual(matched('avro reply').valueSchema, {
      id: ids.avro,
      type: 'AVRO',
      recordName: 'com.acme.Reply',
      subject: 'replies-avro-value',
      version: 1,
    });
    assert.deepEqual(matched('json reply').value, { order: 'o-7', status: 'accepted', qty: 3 });
    assert.equal((matched('json reply').valueSchema as { type: string }).type, 'JSON');
    assert.deepEqual(matched('protobuf reply').value, { order: 'o-7', status: 'accepted', qty: 3 });
    assert.deepEqual(matched('protobuf reply').valueSchema, {
      id: ids.proto,
      type: 'PROTOBUF',
      recordName: 'acme.Reply',
      subject: 'replies-pb-value',
      version: 1,
    });

    const junit = await runCli(['run', file, '--env', env, '--reporter', 'junit']);
    assert.equal(junit.status, 0, junit.stdout + junit.stderr);
    assert.match(junit.stdout, /tests="5" failures="0"/);
    assert.equal(lines.find((l) => l.expectation === 'avro reply by key')?.status, 'passed');
    assert.match(
      junit.stdout,
      /name="place order expects avro reply"[^]*?<system-out>matched \{[^<]*&quot;value&quot;:\{&quot;order&quot;:&quot;o-7&quot;,&quot;status&quot;:&quot;accepted&quot;,&quot;qty&quot;:3\}/,
    );

    const report = path.join(dir, 'report.html');
    const html = await runCli(['run', file, '--env', env, '--reporter', 'html', '--out', report]);
    assert.equal(html.status, 0, html.stdout + html.stderr);
    const page = await fs.readFile(report, 'utf8');
    assert.match(
      page,
      /<dt>&quot;place order&quot; expects protobuf reply<\/dt><dd>pass protobuf reply: replies-pb-0@\d+ after \d+ ms; value \{&quot;order&quot;:&quot;o-7&quot;,&quot;status&quot;:&quot;accepted&quot;,&quot;qty&quot;:3\}, decoded by replies-pb-value v1 \(id \d+, PROTOBUF acme\.Reply\)<\/dd>/,
    );
  });

  it('a failing expectation shows the decoded value and names subject, version and id (pretty, JUnit, HTML)', async () => {
    const file = await collection('fail', [
      {
        name: 'rejected',
        topic: 'replies-avro',
        withinMs: 4000,
        ...correlated,
        value: { jsonSubset: { status: 'rejected' } },
      },
      { name: 'other schema', topic: 'replies-json', withinMs: 4000, ...correlated, valueSchema: { id: ids.avro } },
    ]);
    const env = await envFile('dev', sandbox.schemaRegistryUrl!);
    const pretty = await runCli(['run', file, '--env', env]);
    assert.equal(pretty.status, 1, pretty.stdout + pretty.stderr);
    const why = `its value, decoded by replies-avro-value v1 \\(id ${ids.avro}, AVRO com\\.acme\\.Reply\\), has \\$\\.status = "accepted", not "rejected": \\{"order":"o-7","status":"accepted","qty":3\\}`;
    assert.match(
      pretty.stdout,
      new RegExp(`expect FAIL rejected: none of the 1 record on 'replies-avro' within 4000 ms matched; first: ${why}`),
    );
    assert.match(pretty.stdout, new RegExp(`saw replies-avro-0@\\d+: ${why}`));
    assert.match(
      pretty.stdout,
      new RegExp(
        `FAIL other schema: .*its value was written with replies-json-value v1 \\(id ${ids.json}, JSON\\), not schema id ${ids.avro}`,
      ),
    );

    const junit = await runCli(['run', file, '--env', env, '--reporter', 'junit']);
    assert.equal(junit.status, 1);
    assert.match(
      junit.stdout,
      /name="place order expects rejected"[^]*?type="ExpectationNotMet">saw \{[^<]*&quot;value&quot;:\{&quot;order&quot;:&quot;o-7&quot;,&quot;status&quot;:&quot;accepted&quot;,&quot;qty&quot;:3\},[^<]*&quot;valueSchema&quot;:\{&quot;id&quot;:\d+,&quot;type&quot;:&quot;AVRO&quot;,&quot;recordName&quot;:&quot;com.acme.Reply&quot;,&quot;subject&quot;:&quot;replies-avro-value&quot;,&quot;version&quot;:1\}/,
    );

    const report = path.join(dir, 'fail.html');
    const html = await runCli(['run', file, '--env', env, '--reporter', 'html', '--out', report]);
    assert.equal(html.status, 1);
    assert.match(
      await fs.readFile(report, 'utf8'),
      /<dd>FAIL rejected: [^<]*decoded by replies-avro-value v1 \(id \d+, AVRO com.acme.Reply\), has \$.status = &quot;accepted&quot;, not &quot;rejected&quot;: \{&quot;order&quot;:&quot;o-7&quot;/,
    );
  });

  it('an unreachable registry or an unknown schema id fails the expectation naming the id and the registry', async () => {
    const file = await collection('unreachable', [
      {
        name: 'avro',
        topic: 'replies-avro',
        withinMs: 3000,
        ...correlated,
        value: { jsonSubset: { status: 'accepted' } },
      },
    ]);
    const down = await runCli(['run', file, '--env', await envFile('down', 'http://127.0.0.1:1')]);
    assert.equal(down.status, 1, down.stdout + down.stderr);
    assert.match(
      down.stdout,
      new RegExp(
        `expect FAIL avro: .*its value is in Confluent's wire format with schema id ${ids.avro}, which cannot be decoded: the schema registry http://127\\.0\\.0\\.1:1 is not reachable`,
      ),
    );

    const forged = await collection('forged', [
      { name: 'forged', topic: 'replies-forged', withinMs: 3000, ...correlated, value: { jsonSubset: { order: 'x' } } },
    ]);
    const unknown = await runCli(['run', forged, '--env', await envFile('dev', sandbox.schemaRegistryUrl!)]);
    assert.equal(unknown.status, 1, unknown.stdout + unknown.stderr);
    assert.match(
      unknown.stdout,
      new RegExp(
        `expect FAIL forged: .*schema id ${UNKNOWN_ID}, which cannot be decoded: schema id ${UNKNOWN_ID} is not in the schema registry ${sandbox.schemaRegistryUrl!.replace(/[.]/g, '\\.')}`,
      ),
    );
  });

  it('without a registry: a wire-format reply matched as JSON gets a hint, and an expected schema stops the run first', async () => {
    const bare = await envFile('bare', undefined);
    const file = await collection('bare', [
      {
        name: 'avro',
        topic: 'replies-avro',
        withinMs: 3000,
        ...correlated,
        value: { jsonSubset: { status: 'accepted' } },
      },
    ]);
    const r = await runCli(['run', file, '--env', bare]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `expect FAIL avro: .*is not JSON; the value looks like Confluent's wire format \\(magic byte 0, schema id ${ids.avro}\\): give the environment a "schemaRegistry"`,
      ),
    );

    const requestsBefore = sandbox.state().topics.find((t) => t.name === 'requests')!;
    const stated = await collection('stated', [
      { topic: 'replies-avro', valueSchema: { subject: 'replies-avro-value' } },
    ]);
    const refused = await runCli(['run', stated, '--env', bare]);
    assert.equal(refused.status, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /expect\[0\]\.valueSchema: valueSchema needs a schema registry/);
    assert.deepEqual(
      sandbox.state().topics.find((t) => t.name === 'requests'),
      requestsBefore,
      'nothing was sent',
    );
  });
});

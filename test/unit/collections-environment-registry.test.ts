import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentSchemaRegistry, loadEnvironmentFile } from '../../extension/core/collections/load';
import { parseEnvironmentText } from '../../extension/core/collections/parse';
import { environmentFromConnection } from '../../extension/core/collections/starter';

describe('environments: schemaRegistry', () => {
  it('New Environment from a connection with a registry writes its URL, the secret as a reference and the CA relative', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wb-env-sr-'));
    const file = path.join(dir, 'envs', 'prod.kafka-env.json');
    const draft = environmentFromConnection('prod eu', file, {
      brokers: ['b:9092'],
      schemaRegistry: {
        url: 'https://sr.example:8081',
        auth: 'basic',
        username: 'key',
        caFile: path.join(dir, 'certs', 'ca.pem'),
      },
    });
    const env = JSON.parse(draft.text);
    assert.deepEqual(env.schemaRegistry, {
      url: 'https://sr.example:8081',
      basicAuth: { username: 'key', password: '{{$secret:PROD_EU_SCHEMA_REGISTRY_PASSWORD}}' },
      ca: '../certs/ca.pem',
    });
    assert.equal(draft.registrySecret, 'PROD_EU_SCHEMA_REGISTRY_PASSWORD');
    assert.match(
      draft.notes.join('\n'),
      /environment variable KAFKA_WORKBENCH_SECRET_PROD_EU_SCHEMA_REGISTRY_PASSWORD/,
    );
    assert.deepEqual(
      parseEnvironmentText(draft.text, 'prod.kafka-env.json').diagnostics,
      [],
      'the file it writes is valid',
    );
  });

  it('reads the registry of an environment file: the secret looked up, the CA read; a missing secret is named', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wb-env-sr-'));
    await fs.writeFile(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    const file = path.join(dir, 'dev.kafka-env.json');
    await fs.writeFile(
      file,
      JSON.stringify({ schemaRegistry: { url: 'https://sr:8081', bearerToken: '{{$secret:SR_TOKEN}}', ca: 'ca.pem' } }),
    );
    const env = await loadEnvironmentFile(file);
    assert.deepEqual(await environmentSchemaRegistry(env, async (n) => (n === 'SR_TOKEN' ? 't0k' : undefined)), {
      url: 'https://sr:8081',
      auth: { token: 't0k' },
      ca: '-----BEGIN CERTIFICATE-----\n',
    });
    await assert.rejects(
      environmentSchemaRegistry(env, async () => undefined),
      /dev\.kafka-env\.json: schema registry token secret "SR_TOKEN" is not set/,
    );
    assert.deepEqual(await environmentSchemaRegistry(env, async () => undefined, { url: 'http://override:1' }), {
      url: 'http://override:1',
    });
  });

  it('refuses a password written into the file and a URL that is not http(s)', () => {
    const d = parseEnvironmentText(
      JSON.stringify({ schemaRegistry: { url: 'localhost:8081', basicAuth: { username: 'u', password: 'hunter2' } } }),
      'x.kafka-env.json',
    ).diagnostics;
    const messages = d.map((x) => `${x.path.join('.')}: ${x.message}`).join('\n');
    assert.match(messages, /schemaRegistry\.url: must be an http:\/\/ or https:\/\/ URL/);
    assert.match(messages, /schemaRegistry\.basicAuth\.password: must be a secret reference/);
    assert.ok(!messages.includes('hunter2'), 'the password is never repeated');
  });
});

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentConnection, loadEnvironmentFile } from '../../extension/core/collections/load';
import { templateDiagnostics } from '../../extension/core/collections/lint';
import { parseCollectionText, parseEnvironmentText, requireValid } from '../../extension/core/collections/parse';
import { MessagePreparer } from '../../extension/core/collections/prepare';
import { environmentFromConnection, starterCollectionText } from '../../extension/core/collections/starter';
import { TemplateEngine } from '../../extension/core/collections/template';
import { selfSignedCertificate } from '../integration/tls-helpers';

describe('collections: starting points for new files', () => {
  it('a new collection is valid, its templates all resolve, and its example renders a record', async () => {
    const text = starterCollectionText('Payments');
    assert.ok(text.endsWith('}\n') && text.includes('\n  "messages": [\n'), 'formatted like every saved collection');
    const doc = parseCollectionText(text, 'payments.kafka.json');
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(templateDiagnostics(doc, '/w/payments.kafka.json'), []);
    const collection = requireValid(doc);
    assert.equal(collection.name, 'Payments');
    const preparer = new MessagePreparer(
      new TemplateEngine({ seed: 7 }),
      { filePath: '/w/payments.kafka.json', collection, source: doc.source },
      undefined,
    );
    const prepared = await preparer.prepare(0);
    const records = [];
    for await (const r of prepared.records()) records.push(r);
    assert.equal(records.length, 1);
    assert.equal(String(records[0].key), 'order-0');
    const value = JSON.parse(String(records[0].value));
    assert.match(value.id, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.ok(value.customer.length > 0);
    assert.ok(
      Number.isInteger(value.quantity) && value.quantity >= 1 && value.quantity <= 5,
      'the quantity is a JSON number',
    );
    assert.ok(!Number.isNaN(Date.parse(value.createdAt)));
  });

  it('an environment from a TLS + SASL connection refers to its password as a secret and its PEM files relatively', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-starter-'));
    const file = path.join(dir, 'envs', 'staging.kafka-env.json');
    const ca = path.join(dir, 'certs', 'ca.pem');
    await fs.mkdir(path.dirname(ca), { recursive: true });
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(ca, selfSignedCertificate().cert);
    const draft = environmentFromConnection(
      'Staging EU',
      file,
      {
        brokers: ['b1.example.com:9093', 'b2.example.com:9093'],
        clientId: 'orders-dev',
        tls: { caFile: ca, skipVerify: true },
        sasl: { mechanism: 'scram-sha-512', username: 'svc-orders' },
      },
      true,
    );
    assert.deepEqual(parseEnvironmentText(draft.text, 'staging.kafka-env.json').diagnostics, []);
    const env = JSON.parse(draft.text);
    assert.deepEqual(env.connection.bootstrap, ['b1.example.com:9093', 'b2.example.com:9093']);
    assert.deepEqual(env.connection.ssl, { ca: '../certs/ca.pem', rejectUnauthorized: false });
    assert.equal(draft.passwordSecret, 'STAGING_EU_PASSWORD');
    assert.deepEqual(env.connection.sasl, {
      mechanism: 'scram-sha-512',
      username: 'svc-orders',
      password: '{{$secret:STAGING_EU_PASSWORD}}',
    });
    assert.ok(
      draft.notes.some((n) => n.includes('client key')),
      'says the client key was left out',
    );
    assert.ok(
      draft.notes.some((n) => n.includes('KAFKA_WORKBENCH_SECRET_STAGING_EU_PASSWORD')),
      'says where CI takes the password from',
    );
    // The written file loads, reads the CA through its relative path and takes the password from the secret store.
    await fs.writeFile(file, draft.text);
    const config = await environmentConnection(await loadEnvironmentFile(file), async (name) =>
      name === 'STAGING_EU_PASSWORD' ? 's3cret' : undefined,
    );
    assert.match(String((config.ssl as { ca: string }).ca), /BEGIN CERTIFICATE/);
    assert.deepEqual(config.sasl, { mechanism: 'scram-sha-512', username: 'svc-orders', password: 's3cret' });
  });

  it('an environment without a connection (the Local sandbox) has variables only', () => {
    const draft = environmentFromConnection('local', '/w/local.kafka-env.json');
    assert.deepEqual(JSON.parse(draft.text), { name: 'local', variables: {} });
    assert.equal(draft.passwordSecret, undefined);
    assert.deepEqual(parseEnvironmentText(draft.text, 'local.kafka-env.json').diagnostics, []);
  });
});

/**
 * What `kafka-workbench send` and `run` refuse before connecting, as a user runs them (the bundled CLI in a child
 * process): set-but-empty secrets, TLS files that do not hold what they should. Each is exit 2 and one line naming
 * the variable or the file and what it should hold.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { runCli } from './cli-helpers';
import { selfSignedCertificate } from './tls-helpers';

describe('cli: inputs refused before connecting', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let dir: string;
  before(async () => {
    sandbox = await startSandbox({ brokers: 1, port: 0, controlPort: 0, topics: [{ name: 'inputs', partitions: 1 }] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-inputs-'));
  });
  after(async () => {
    await sandbox?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Exit 2, one line on stderr matching `expected`, nothing sent to the topic. */
  async function refused(args: string[], env: NodeJS.ProcessEnv, expected: RegExp): Promise<void> {
    const r = await runCli(args, env);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, expected);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(sandbox.state().topics.find((t) => t.name === 'inputs')!.partitions[0].highWatermark, 0);
  }

  it('refuses a set-but-empty secret (KAFKA_WORKBENCH_SECRET_TOKEN=, what CI gives builds of forks) naming it, and sends with {{$secret:TOKEN?}}', async () => {
    const coll = path.join(dir, 'secret.kafka.json');
    fs.writeFileSync(
      coll,
      JSON.stringify({ name: 'S', messages: [{ name: 'm', topic: 'inputs', value: 'token={{$secret:TOKEN}}' }] }),
    );
    await refused(
      ['run', coll, '--bootstrap', sandbox.bootstrap],
      { KAFKA_WORKBENCH_SECRET_TOKEN: '' },
      /secret "TOKEN" is set but empty \(CI gives builds of forks their secrets that way\); set it with .* KAFKA_WORKBENCH_SECRET_TOKEN for the CLI, or write \{\{\$secret:TOKEN\?\}\} where an empty value is meant/,
    );
    const meant = path.join(dir, 'meant.kafka.json');
    fs.writeFileSync(
      meant,
      JSON.stringify({
        name: 'S',
        messages: [{ name: 'm', topic: 'inputs-empty-ok', value: 'token={{$secret:TOKEN?}}' }],
      }),
    );
    const r = await runCli(['run', meant, '--bootstrap', sandbox.bootstrap, '--reporter', 'json'], {
      KAFKA_WORKBENCH_SECRET_TOKEN: '',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim().split('\n')[0]).serializedValueSize, 'token='.length);
  });

  it("refuses an empty SASL password from KAFKA_WORKBENCH_SASL_PASSWORD= and from an environment file's secret", async () => {
    await refused(
      [
        'send',
        '--bootstrap',
        sandbox.bootstrap,
        '--topic',
        'inputs',
        '--value',
        'v',
        '--sasl-mechanism',
        'plain',
        '--sasl-username',
        'u',
      ],
      { KAFKA_WORKBENCH_SASL_PASSWORD: '' },
      /the SASL password is empty \(KAFKA_WORKBENCH_SASL_PASSWORD is set but empty\)/,
    );
    const env = path.join(dir, 'sasl.kafka-env.json');
    fs.writeFileSync(
      env,
      JSON.stringify({
        connection: {
          bootstrap: sandbox.bootstrap,
          sasl: { mechanism: 'PLAIN', username: 'u', password: '{{$secret:PW}}' },
        },
      }),
    );
    const coll = path.join(dir, 'plain.kafka.json');
    fs.writeFileSync(coll, JSON.stringify({ name: 'P', messages: [{ name: 'm', topic: 'inputs', value: 'v' }] }));
    await refused(
      ['run', coll, '--env', env],
      { KAFKA_WORKBENCH_SECRET_PW: '' },
      /sasl\.kafka-env\.json: SASL password secret "PW" is set but empty/,
    );
  });

  it('names the TLS file and what it should hold: a --tls-ca without a certificate (TLS ignored it: "self-signed certificate"), --tls-cert and --tls-key swapped ("PEM routines::no start line"), a missing file, a key of another certificate', async () => {
    const pem = selfSignedCertificate();
    const otherKey = path.join(dir, 'other-key.pem');
    fs.writeFileSync(
      otherKey,
      generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
    );
    const notPem = path.join(dir, 'notes.txt');
    fs.writeFileSync(notPem, 'the CA is on the wiki\n');
    const send = ['send', '--bootstrap', sandbox.bootstrap, '--topic', 'inputs', '--value', 'v'];
    const cases: [string[], RegExp][] = [
      [
        ['--tls-ca', pem.keyFile],
        /^kafka-workbench send: --tls-ca '.*key\.pem' holds a private key, not a PEM certificate \(-----BEGIN CERTIFICATE-----\); are the certificate and key files the other way round\?\n$/,
      ],
      [
        ['--tls-ca', notPem],
        /--tls-ca '.*notes\.txt' holds no PEM block \(a PEM file has lines such as -----BEGIN CERTIFICATE-----\), not a PEM certificate/,
      ],
      [
        ['--tls-cert', pem.keyFile, '--tls-key', pem.certFile],
        /--tls-cert '.*key\.pem' holds a private key, not a PEM certificate .*; are the certificate and key files the other way round\?/,
      ],
      [
        ['--tls-cert', pem.certFile, '--tls-key', pem.certFile],
        /--tls-key '.*cert\.pem' holds a certificate, not a PEM private key/,
      ],
      [
        ['--tls-ca', path.join(dir, 'missing.pem')],
        /cannot read --tls-ca '.*missing\.pem': not found; it should hold a PEM certificate/,
      ],
      [
        ['--tls-cert', pem.certFile, '--tls-key', otherKey],
        /the private key in --tls-key '.*other-key\.pem' does not belong to the certificate in --tls-cert '.*cert\.pem'/,
      ],
    ];
    for (const [flags, expected] of cases) await refused([...send, ...flags], {}, expected);
    // The sandbox's own --tls-cert/--tls-key say the same.
    const r = await runCli(['sandbox', '--port', '0', '--tls-cert', pem.keyFile, '--tls-key', pem.certFile]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--tls-cert '.*key\.pem' holds a private key, not a PEM certificate/);
  });

  it('names a wrong TLS file of an environment by the environment file and field', async () => {
    const pem = selfSignedCertificate();
    const env = path.join(dir, 'tls.kafka-env.json');
    fs.writeFileSync(env, JSON.stringify({ connection: { bootstrap: sandbox.bootstrap, ssl: { ca: pem.keyFile } } }));
    const coll = path.join(dir, 'tls.kafka.json');
    fs.writeFileSync(coll, JSON.stringify({ name: 'T', messages: [{ name: 'm', topic: 'inputs', value: 'v' }] }));
    await refused(
      ['run', coll, '--env', env],
      {},
      /tls\.kafka-env\.json connection\.ssl\.ca '.*key\.pem' holds a private key, not a PEM certificate/,
    );
  });
});

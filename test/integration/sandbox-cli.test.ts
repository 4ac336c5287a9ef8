import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';
import { selfSignedCertificate } from './tls-helpers';

const root = path.resolve(__dirname, '../..');

describe('kafka-workbench sandbox (the CLI)', function () {
  this.timeout(60_000);
  before(() => {
    const build = spawnSync('node', ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed: ${build.stderr}`);
  });

  it('prints bootstrap=, control= and schema-registry= lines when ready, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      'node',
      ['dist/cli.js', 'sandbox', '--port', '0', '--control-port', '0', '--brokers', '2', '--topic', 'cli-topic:4'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines: string[] = [];
      const rl = readline.createInterface({ input: child.stdout });
      await new Promise<void>((resolve, reject) => {
        rl.on('line', (l) => {
          lines.push(l);
          if (lines.length === 3) resolve();
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before printing three lines: ${stderr}`)));
      });
      assert.match(lines[0], /^bootstrap=127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      assert.match(lines[1], /^control=http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(lines[2], /^schema-registry=http:\/\/127\.0\.0\.1:\d+$/);
      const state = (await (await fetch(lines[1].slice('control='.length) + '/state')).json()) as {
        topics: { name: string; partitions: unknown[] }[];
        schemaRegistry: { url: string };
      };
      assert.equal(state.topics.find((t) => t.name === 'cli-topic')?.partitions.length, 4);
      assert.equal(state.schemaRegistry.url, lines[2].slice('schema-registry='.length));
      assert.deepEqual(await (await fetch(lines[2].slice('schema-registry='.length) + '/subjects')).json(), []);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });

  it('with --tls-cert/--tls-key and --sasl-user serves SASL_SSL on every broker and says so', async () => {
    const pem = selfSignedCertificate();
    const child = spawn(
      'node',
      [
        'dist/cli.js',
        'sandbox',
        '--port',
        '0',
        '--brokers',
        '2',
        '--topic',
        'tls-topic:2',
        '--sasl-user',
        'alice:pa:ss',
        '--sasl-mechanisms',
        'SCRAM-SHA-256',
        '--tls-cert',
        pem!.certFile,
        '--tls-key',
        pem!.keyFile,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines: string[] = [];
      const rl = readline.createInterface({ input: child.stdout });
      await new Promise<void>((resolve, reject) => {
        rl.on('line', (l) => {
          lines.push(l);
          if (lines.length === 3) resolve();
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before printing three lines: ${stderr}`)));
      });
      assert.equal(lines[2], 'security=SASL_SSL');
      const t = new KafkaTransport({
        brokers: lines[0].slice('bootstrap='.length).split(','),
        ssl: { ca: pem!.cert },
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'pa:ss' },
        connectionTimeoutMs: 2000,
      });
      try {
        await t.connect();
        assert.ok((await t.describeCluster()).topics.some((x) => x.name === 'tls-topic'));
      } finally {
        await t.close();
      }
      const state = (await (await fetch(lines[1].slice('control='.length) + '/state')).json()) as {
        security: { protocol: string; sasl: { authenticated: number } };
      };
      assert.equal(state.security.protocol, 'SASL_SSL');
      assert.ok(state.security.sasl.authenticated >= 1);
      assert.ok(!JSON.stringify(state).includes('pa:ss'), 'the control server never shows a password');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });

  it('logs users in with passwords from KAFKA_WORKBENCH_SANDBOX_PASSWORD_ALICE and --sasl-password-file, which its command line (what ps shows) never holds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-sandbox-pw-'));
    fs.writeFileSync(path.join(dir, 'bob.pw'), 'b0b-from-file\n');
    const child = spawn(
      'node',
      [
        'dist/cli.js',
        'sandbox',
        '--port',
        '0',
        '--brokers',
        '1',
        '--topic',
        'pw-topic:1',
        '--sasl-user',
        'alice',
        '--sasl-user',
        'bob',
        '--sasl-password-file',
        `bob=${path.join(dir, 'bob.pw')}`,
        '--sasl-mechanisms',
        'PLAIN',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KAFKA_WORKBENCH_SANDBOX_PASSWORD_ALICE: 'al1ce-from-env' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines: string[] = [];
      const rl = readline.createInterface({ input: child.stdout });
      await new Promise<void>((resolve, reject) => {
        rl.on('line', (l) => {
          lines.push(l);
          if (lines.length === 3) resolve();
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before printing three lines: ${stderr}`)));
      });
      const commandLine = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      assert.ok(!/al1ce-from-env|b0b-from-file/.test(commandLine), 'no password in the command line');
      for (const [username, password] of [
        ['alice', 'al1ce-from-env'],
        ['bob', 'b0b-from-file'],
      ]) {
        const t = new KafkaTransport({
          brokers: lines[0].slice('bootstrap='.length).split(','),
          sasl: { mechanism: 'plain', username, password },
          connectionTimeoutMs: 2000,
        });
        try {
          await t.connect();
          assert.ok(
            (await t.describeCluster()).topics.some((x) => x.name === 'pw-topic'),
            username,
          );
        } finally {
          await t.close();
        }
      }
      const state = (await (await fetch(lines[1].slice('control='.length) + '/state')).json()) as {
        security: { sasl: { byUser: Record<string, number>; failed: number } };
      };
      assert.ok(
        state.security.sasl.byUser.alice >= 1 && state.security.sasl.byUser.bob >= 1,
        JSON.stringify(state.security),
      );
      assert.equal(state.security.sasl.failed, 0);
    } finally {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(await exited, 0, stderr);
  });

  it('refuses a bad flag with a message naming it and exit code 2', () => {
    const r = spawnSync('node', ['dist/cli.js', 'sandbox', '--brokers', 'many'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--brokers must be a whole number, got 'many'/);
  });
});

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxOptionsFromArgs } from '../../extension/cli/commands/sandbox';
import { selfSignedCertificate } from '../integration/tls-helpers';

describe('sandbox CLI flags', () => {
  it('maps every flag to its sandbox option, repeated --topic with and without a partition count', () => {
    const o = sandboxOptionsFromArgs([
      '--brokers',
      '5',
      '--port',
      '0',
      '--partitions',
      '7',
      '--replication-factor',
      '2',
      '--min-insync-replicas',
      '1',
      '--topic',
      'orders:12',
      '--topic',
      'audit.log',
      '--control-port',
      '8080',
      '--no-auto-create',
      '--election-delay-ms',
      '10',
    ]);
    assert.deepEqual(o, {
      brokers: 5,
      port: 0,
      partitions: 7,
      replicationFactor: 2,
      minInsyncReplicas: 1,
      topics: [{ name: 'orders', partitions: 12 }, { name: 'audit.log' }],
      controlPort: 8080,
      autoCreateTopics: false,
      electionDelayMs: 10,
    });
  });

  it('leaves unset flags to the sandbox defaults', () => {
    const o = sandboxOptionsFromArgs([]);
    assert.equal(o.brokers, undefined);
    assert.equal(o.autoCreateTopics, undefined);
    assert.deepEqual(o.topics, []);
  });

  it('refuses bad values naming the flag', () => {
    assert.throws(() => sandboxOptionsFromArgs(['--brokers', '0']), /--brokers must be between 1 and 16, got 0/);
    assert.throws(() => sandboxOptionsFromArgs(['--port', '70000']), /--port must be between 0 and 65535/);
    assert.throws(
      () => sandboxOptionsFromArgs(['--topic', 'orders:x']),
      /--topic orders:x: the partition count after ':' must be a whole number/,
    );
    assert.throws(() => sandboxOptionsFromArgs(['--brokerz', '3']), /unknown option --brokerz/);
    assert.throws(() => sandboxOptionsFromArgs(['extra']), /unexpected argument 'extra'/);
  });

  it('maps repeated --sasl-user, --sasl-mechanisms and --tls-cert/--tls-key (read from the files)', () => {
    const pem = selfSignedCertificate();
    const o = sandboxOptionsFromArgs([
      '--sasl-user',
      'alice:pa:ss',
      '--sasl-user',
      'bob:x',
      '--sasl-mechanisms',
      'plain, SCRAM-SHA-512',
      '--tls-cert',
      pem.certFile,
      '--tls-key',
      pem.keyFile,
    ]);
    assert.deepEqual(o.sasl, {
      users: [
        { username: 'alice', password: 'pa:ss' },
        { username: 'bob', password: 'x' },
      ],
      mechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    });
    assert.deepEqual(o.tls, { cert: pem.cert, key: pem.key });
    assert.equal('sasl' in sandboxOptionsFromArgs([]), false);
  });

  it('refuses bad security flags naming the flag and never echoing a password', () => {
    assert.throws(
      () => sandboxOptionsFromArgs(['--sasl-user', ':secretonly']),
      (e: Error) => /--sasl-user needs a user name/.test(e.message) && !e.message.includes('secretonly'),
    );
    assert.throws(
      () => sandboxOptionsFromArgs(['--sasl-user', 'alice:']),
      /--sasl-user alice: the password after ':' is empty/,
    );
    assert.throws(
      () => sandboxOptionsFromArgs(['--sasl-user', 'a:b', '--sasl-mechanisms', 'GSSAPI']),
      /--sasl-mechanisms: 'GSSAPI' is not one of/,
    );
    assert.throws(() => sandboxOptionsFromArgs(['--sasl-mechanisms', 'PLAIN']), /needs at least one --sasl-user/);
    assert.throws(() => sandboxOptionsFromArgs(['--tls-cert', 'c.pem']), /--tls-cert and --tls-key go together/);
    assert.throws(
      () => sandboxOptionsFromArgs(['--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem']),
      /cannot read --tls-cert '\/nonexistent\/c.pem': not found; it should hold a PEM certificate/,
    );
  });

  it("takes --sasl-user NAME's password from KAFKA_WORKBENCH_SANDBOX_PASSWORD_NAME or --sasl-password-file NAME=FILE (it was only on the command line, which ps shows to every user)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-cli-pw-'));
    try {
      const file = path.join(dir, 'bob.pw');
      fs.writeFileSync(file, 'b0b-secret\n');
      const o = sandboxOptionsFromArgs(
        [
          '--sasl-user',
          'alice',
          '--sasl-user',
          'bob',
          '--sasl-user',
          'dev.ops-1',
          '--sasl-password-file',
          `bob=${file}`,
        ],
        { KAFKA_WORKBENCH_SANDBOX_PASSWORD_ALICE: 'wonderland', KAFKA_WORKBENCH_SANDBOX_PASSWORD_DEV_OPS_1: 'ops' },
      );
      assert.deepEqual(o.sasl?.users, [
        { username: 'alice', password: 'wonderland' },
        { username: 'bob', password: 'b0b-secret' },
        { username: 'dev.ops-1', password: 'ops' },
      ]);

      const refusals: [string[], NodeJS.ProcessEnv, RegExp][] = [
        [
          ['--sasl-user', 'carol'],
          {},
          /--sasl-user carol: no password; set KAFKA_WORKBENCH_SANDBOX_PASSWORD_CAROL, or pass --sasl-password-file carol=FILE/,
        ],
        [
          ['--sasl-user', 'carol'],
          { KAFKA_WORKBENCH_SANDBOX_PASSWORD_CAROL: '' },
          /KAFKA_WORKBENCH_SANDBOX_PASSWORD_CAROL is set but empty/,
        ],
        [
          ['--sasl-user', 'carol', '--sasl-password-file', `carol=${path.join(dir, 'missing')}`],
          {},
          /cannot read --sasl-password-file carol=.*missing: not found/,
        ],
        [
          ['--sasl-user', 'carol', '--sasl-password-file', 'carol'],
          {},
          /--sasl-password-file must be NAME=FILE, got 'carol'/,
        ],
        [
          ['--sasl-user', 'alice', '--sasl-password-file', `bob=${file}`],
          { KAFKA_WORKBENCH_SANDBOX_PASSWORD_ALICE: 'x' },
          /--sasl-password-file bob=\.\.\.: there is no --sasl-user bob/,
        ],
        [
          ['--sasl-user', 'bob:other', '--sasl-password-file', `bob=${file}`],
          {},
          /--sasl-user bob: the password is given twice/,
        ],
      ];
      fs.writeFileSync(path.join(dir, 'empty.pw'), '\n');
      refusals.push([
        ['--sasl-user', 'carol', '--sasl-password-file', `carol=${path.join(dir, 'empty.pw')}`],
        {},
        /the file's first line is empty; it should be the password/,
      ]);
      for (const [argv, env, expected] of refusals) {
        assert.throws(
          () => sandboxOptionsFromArgs(argv, env),
          (e: Error) => expected.test(e.message) && !/wonderland|b0b-secret/.test(e.message),
          argv.join(' '),
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

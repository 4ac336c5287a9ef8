import { strict as assert } from 'node:assert';
import { parseArgs } from '../../extension/cli/args';
import {
  REGISTRY_FLAGS,
  SCHEMA_BOOLEAN_FLAGS,
  SCHEMA_FLAGS,
  registryFromArgs,
  selectionsFromArgs,
} from '../../extension/cli/schema-registry-flags';

const parse = (argv: string[]) =>
  parseArgs(argv, {
    known: [...REGISTRY_FLAGS, ...SCHEMA_FLAGS, ...SCHEMA_BOOLEAN_FLAGS],
    booleans: SCHEMA_BOOLEAN_FLAGS,
  });
const select = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const args = parse(argv);
  return selectionsFromArgs(args, registryFromArgs(args, env));
};

describe('CLI schema registry flags', () => {
  it('encodes the value by <topic>-value by default, the key only when a key flag is given', () => {
    assert.deepEqual(select(['--schema-registry', 'http://r:8081']), { value: {} });
    assert.deepEqual(
      select([
        '--schema-registry',
        'http://r:8081',
        '--key-subject',
        'k',
        '--value-schema-version',
        '3',
        '--subject-name-strategy',
        'TopicRecordName',
        '--value-record-name',
        'a.B',
      ]),
      {
        key: { subject: 'k', strategy: 'TopicRecordName' },
        value: { version: 3, recordName: 'a.B', strategy: 'TopicRecordName' },
      },
    );
    assert.deepEqual(select(['--schema-registry', 'http://r:8081', '--key-schema-id', '4', '--value-raw']), {
      key: { id: 4 },
    });
  });

  it('takes credentials from the environment only: a password for --schema-registry-user, or a bearer token', () => {
    assert.deepEqual(
      registryFromArgs(parse(['--schema-registry', 'https://r', '--schema-registry-user', 'key']), {
        KAFKA_WORKBENCH_SCHEMA_REGISTRY_PASSWORD: 'secret',
      }),
      { url: 'https://r', auth: { username: 'key', password: 'secret' } },
    );
    assert.deepEqual(
      registryFromArgs(parse(['--schema-registry', 'https://r']), { KAFKA_WORKBENCH_SCHEMA_REGISTRY_TOKEN: 't0k' }),
      { url: 'https://r', auth: { token: 't0k' } },
    );
    assert.throws(
      () => registryFromArgs(parse(['--schema-registry', 'https://r', '--schema-registry-user', 'key']), {}),
      /needs the password in the environment variable KAFKA_WORKBENCH_SCHEMA_REGISTRY_PASSWORD/,
    );
  });

  it('refuses combinations that cannot mean anything, naming the flags', () => {
    assert.throws(() => select(['--value-subject', 's']), /--value-subject needs --schema-registry URL/);
    assert.throws(
      () => select(['--schema-registry', 'localhost:8081']),
      /--schema-registry must be an http:\/\/ or https:\/\/ URL/,
    );
    assert.throws(
      () => select(['--schema-registry', 'http://r', '--value-schema-id', '1', '--value-schema-version', '2']),
      /give --value-schema-id or --value-schema-version, not both/,
    );
    assert.throws(
      () => select(['--schema-registry', 'http://r', '--subject-name-strategy', 'Topic']),
      /--subject-name-strategy must be TopicName, RecordName, TopicRecordName, got 'Topic'/,
    );
    assert.throws(
      () => select(['--schema-registry', 'http://r', '--value-raw']),
      /--value-raw with no key schema encodes nothing/,
    );
    assert.throws(
      () => select(['--schema-registry', 'http://r', '--auto-register']),
      /--auto-register registers the schema of --value-schema-file/,
    );
    assert.throws(
      () => select(['--schema-registry', 'http://r', '--value-schema-type', 'AVRO']),
      /--value-schema-type goes with --value-schema-file/,
    );
  });
});

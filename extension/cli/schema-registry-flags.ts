/**
 * The schema registry flags `send` and `run` share: where the registry is and how to log in (secrets only from
 * environment variables), and for `send` which schema encodes the key and the value.
 */
import fs from 'node:fs';
import type { SchemaRegistryConfig } from '../core/schema-registry/client';
import {
  SUBJECT_NAME_STRATEGIES,
  type SchemaSelection,
  type SubjectNameStrategy,
} from '../core/schema-registry/serializer';
import { SCHEMA_TYPES, type SchemaType } from '../core/schema-registry/types';
import { InvalidInputError } from '../core/util/errors';
import { flag, intFlag, type ParsedArgs } from './args';
import { fileProblem } from '../core/util/files';

export const PASSWORD_VARIABLE = 'KAFKA_WORKBENCH_SCHEMA_REGISTRY_PASSWORD';
export const TOKEN_VARIABLE = 'KAFKA_WORKBENCH_SCHEMA_REGISTRY_TOKEN';

export const REGISTRY_FLAGS = ['schema-registry', 'schema-registry-user', 'schema-registry-ca'];
const PART_FLAGS = (part: 'key' | 'value') => [
  `${part}-subject`,
  `${part}-schema-version`,
  `${part}-schema-id`,
  `${part}-record-name`,
  `${part}-schema-file`,
  `${part}-schema-type`,
];
export const SCHEMA_FLAGS = [...PART_FLAGS('key'), ...PART_FLAGS('value'), 'subject-name-strategy'];
export const SCHEMA_BOOLEAN_FLAGS = ['auto-register', 'value-raw'];

export const REGISTRY_USAGE = `  --schema-registry URL        Confluent Schema Registry (user: --schema-registry-user U with $${PASSWORD_VARIABLE};
                               or a bearer token in $${TOKEN_VARIABLE}); --schema-registry-ca FILE for a private CA`;

/** The registry the flags name, or undefined without --schema-registry (refusing its other flags then). */
export function registryFromArgs(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv = process.env,
): SchemaRegistryConfig | undefined {
  const url = flag(args, 'schema-registry');
  if (url === undefined) {
    for (const name of ['schema-registry-user', 'schema-registry-ca'])
      if (args.flags.has(name)) throw new InvalidInputError(`--${name} needs --schema-registry URL`);
    return undefined;
  }
  if (url === '') throw new InvalidInputError('--schema-registry needs a URL such as http://localhost:8081');
  if (!/^https?:\/\/[^/]/.test(url))
    throw new InvalidInputError(`--schema-registry must be an http:// or https:// URL, got '${url}'`);
  const config: SchemaRegistryConfig = { url };
  const user = flag(args, 'schema-registry-user');
  if (user !== undefined) {
    const password = env[PASSWORD_VARIABLE];
    if (password === undefined)
      throw new InvalidInputError(
        `--schema-registry-user ${user} needs the password in the environment variable ${PASSWORD_VARIABLE}`,
      );
    config.auth = { username: user, password };
  } else if (env[TOKEN_VARIABLE]) {
    config.auth = { token: env[TOKEN_VARIABLE] as string };
  }
  const ca = flag(args, 'schema-registry-ca');
  if (ca !== undefined) {
    try {
      config.ca = fs.readFileSync(ca, 'utf8');
    } catch (e) {
      throw new InvalidInputError(
        `cannot read --schema-registry-ca '${ca}': ${fileProblem(e as NodeJS.ErrnoException, 'read')}`,
      );
    }
  }
  return config;
}

/**
 * Which schema encodes the key and the value. With a registry the value is encoded (subject <topic>-value by
 * default) unless --value-raw says to send it as written; the key is encoded when a key flag is given.
 */
export function selectionsFromArgs(
  args: ParsedArgs,
  registry: SchemaRegistryConfig | undefined,
): { key?: SchemaSelection; value?: SchemaSelection } {
  const given = (part: 'key' | 'value') => PART_FLAGS(part).some((f) => args.flags.has(f));
  const strategyRaw = flag(args, 'subject-name-strategy');
  if (!registry) {
    const used = [...SCHEMA_FLAGS, ...SCHEMA_BOOLEAN_FLAGS].find((f) => args.flags.has(f));
    if (used) throw new InvalidInputError(`--${used} needs --schema-registry URL`);
    return {};
  }
  if (strategyRaw !== undefined && !(SUBJECT_NAME_STRATEGIES as readonly string[]).includes(strategyRaw)) {
    throw new InvalidInputError(
      `--subject-name-strategy must be ${SUBJECT_NAME_STRATEGIES.join(', ')}, got '${strategyRaw}'`,
    );
  }
  const strategy = strategyRaw as SubjectNameStrategy | undefined;
  const autoRegister = flag(args, 'auto-register') === 'true';
  const part = (p: 'key' | 'value'): SchemaSelection => {
    const selection: SchemaSelection = {};
    const subject = flag(args, `${p}-subject`);
    if (subject !== undefined) {
      if (subject === '') throw new InvalidInputError(`--${p}-subject needs a subject name`);
      selection.subject = subject;
    }
    const version = flag(args, `${p}-schema-version`);
    if (version !== undefined)
      selection.version = version === 'latest' ? 'latest' : intFlag(args, `${p}-schema-version`, 1, 1, 2 ** 31 - 1);
    if (args.flags.has(`${p}-schema-id`)) {
      if (version !== undefined)
        throw new InvalidInputError(`give --${p}-schema-id or --${p}-schema-version, not both`);
      selection.id = intFlag(args, `${p}-schema-id`, 1, 0, 2 ** 31 - 1);
    }
    const recordName = flag(args, `${p}-record-name`);
    if (recordName !== undefined) selection.recordName = recordName;
    if (strategy) selection.strategy = strategy;
    const file = flag(args, `${p}-schema-file`);
    const typeRaw = flag(args, `${p}-schema-type`);
    if (file !== undefined) {
      if (selection.id !== undefined || version !== undefined)
        throw new InvalidInputError(
          `--${p}-schema-file is looked up (or registered) under the subject; leave out --${p}-schema-id and --${p}-schema-version`,
        );
      const schemaType = (typeRaw?.toUpperCase() ?? guessType(file, p)) as SchemaType;
      if (!SCHEMA_TYPES.includes(schemaType))
        throw new InvalidInputError(`--${p}-schema-type must be AVRO, JSON or PROTOBUF, got '${typeRaw}'`);
      let schema: string;
      try {
        schema = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new InvalidInputError(
          `cannot read --${p}-schema-file '${file}': ${fileProblem(e as NodeJS.ErrnoException, 'read')}`,
        );
      }
      selection.schema = { schemaType, schema };
      selection.autoRegister = autoRegister;
    } else if (typeRaw !== undefined) {
      throw new InvalidInputError(`--${p}-schema-type goes with --${p}-schema-file`);
    }
    return selection;
  };
  if (autoRegister && !args.flags.has('key-schema-file') && !args.flags.has('value-schema-file')) {
    throw new InvalidInputError(
      '--auto-register registers the schema of --value-schema-file (or --key-schema-file); give one',
    );
  }
  const out: { key?: SchemaSelection; value?: SchemaSelection } = {};
  if (given('key')) out.key = part('key');
  if (flag(args, 'value-raw') === 'true') {
    if (given('value'))
      throw new InvalidInputError('--value-raw sends the value as written: leave out the --value-* schema flags');
    if (!out.key)
      throw new InvalidInputError(
        '--value-raw with no key schema encodes nothing: leave out --schema-registry, or give a --key-* schema flag',
      );
  } else {
    out.value = part('value');
  }
  return out;
}

function guessType(file: string, part: 'key' | 'value'): string {
  if (/\.proto$/i.test(file)) return 'PROTOBUF';
  if (/\.avsc$/i.test(file)) return 'AVRO';
  if (/\.json$/i.test(file)) return 'JSON';
  throw new InvalidInputError(
    `cannot tell the type of schema file '${file}' from its name: add --${part}-schema-type AVRO, JSON or PROTOBUF`,
  );
}

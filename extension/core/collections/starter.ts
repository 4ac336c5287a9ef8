/**
 * Starting points for new files: a collection whose one message shows the template features, and an environment
 * built from a saved connection so a team can share it in git. Secrets stay references: a password becomes
 * `{{$secret:NAME}}`, and the caller stores its value in the secret store (VS Code) or an environment variable (CLI).
 */
import path from 'node:path';
import type {
  Collection,
  Environment,
  EnvironmentConnection,
  EnvironmentSchemaRegistry,
  EnvironmentTls,
  MessageSpec,
} from './model';
import { formatJson } from './save';
import { secretEnvName } from './template';

/** The example message of a new collection: every part of it is meant to be edited. */
export function starterMessage(): MessageSpec {
  return {
    name: 'example order',
    topic: 'orders',
    key: 'order-{{$seq}}',
    value: {
      id: '{{$uuid}}',
      customer: '{{$faker.person.fullName}}',
      quantity: '{{$randomInt 1 5}}',
      createdAt: '{{$isoTimestamp}}',
    },
    headers: [['source', 'kafka-workbench']],
    count: 1,
  };
}

export function starterCollectionText(name: string): string {
  const collection: Collection = { name, messages: [starterMessage()] };
  return formatJson(collection);
}

/** What an environment file can say of a saved connection (the connection's secrets are not part of it). */
export interface ConnectionOutline {
  brokers: string[];
  clientId?: string;
  tls?: { caFile?: string; certFile?: string; skipVerify?: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string };
  schemaRegistry?: { url: string; auth: 'none' | 'basic' | 'bearer'; username?: string; caFile?: string };
}

export interface EnvironmentDraft {
  text: string;
  /** The secret the file refers to for the SASL password, when there is one. */
  passwordSecret?: string;
  /** The secret the file refers to for the schema registry's password or token, when there is one. */
  registrySecret?: string;
  /** What the user should know about the file (what it leaves out, where the password comes from), in plain words. */
  notes: string[];
}

/**
 * An environment file for `outline`, to be written as `filePath` (PEM paths become relative to it).
 * Without an outline the file has variables only: sends then go to whichever connection is active.
 */
export function environmentFromConnection(
  name: string,
  filePath: string,
  outline?: ConnectionOutline,
  hasClientKey = false,
): EnvironmentDraft {
  const environment: Environment = { name };
  const notes: string[] = [];
  let passwordSecret: string | undefined;
  let registrySecret: string | undefined;
  const secretBase =
    name
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase() || 'KAFKA';
  if (outline) {
    const connection: EnvironmentConnection = {
      bootstrap: outline.brokers.length === 1 ? outline.brokers[0] : outline.brokers,
    };
    if (outline.clientId) connection.clientId = outline.clientId;
    if (outline.tls) {
      const dir = path.dirname(filePath);
      const tls: EnvironmentTls = {};
      // Relative, so the file works from any clone that keeps the PEM files where they are relative to it.
      if (outline.tls.caFile) tls.ca = path.relative(dir, outline.tls.caFile).split(path.sep).join('/');
      if (outline.tls.certFile) tls.cert = path.relative(dir, outline.tls.certFile).split(path.sep).join('/');
      if (outline.tls.skipVerify) tls.rejectUnauthorized = false;
      connection.ssl = Object.keys(tls).length ? tls : true;
      if (hasClientKey)
        notes.push(
          'the client key is kept in VS Code\'s secret storage, not in a file: add "key": "PATH.pem" under "ssl" if the environment needs it',
        );
    }
    if (outline.sasl) {
      passwordSecret = `${secretBase}_PASSWORD`;
      connection.sasl = {
        mechanism: outline.sasl.mechanism,
        username: outline.sasl.username,
        password: `{{$secret:${passwordSecret}}}`,
      };
      notes.push(
        `the SASL password is the secret "${passwordSecret}" (in CI: environment variable ${secretEnvName(passwordSecret)})`,
      );
    }
    environment.connection = connection;
    const r = outline.schemaRegistry;
    if (r) {
      const registry: EnvironmentSchemaRegistry = { url: r.url };
      if (r.auth !== 'none') {
        registrySecret = `${secretBase}_SCHEMA_REGISTRY_${r.auth === 'basic' ? 'PASSWORD' : 'TOKEN'}`;
        if (r.auth === 'basic')
          registry.basicAuth = { username: r.username ?? '', password: `{{$secret:${registrySecret}}}` };
        else registry.bearerToken = `{{$secret:${registrySecret}}}`;
        notes.push(
          `the schema registry's ${r.auth === 'basic' ? 'password' : 'token'} is the secret "${registrySecret}" (in CI: environment variable ${secretEnvName(registrySecret)})`,
        );
      }
      if (r.caFile) registry.ca = path.relative(path.dirname(filePath), r.caFile).split(path.sep).join('/');
      environment.schemaRegistry = registry;
    }
  }
  environment.variables = {};
  return { text: formatJson(environment), passwordSecret, registrySecret, notes };
}

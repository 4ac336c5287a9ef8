/**
 * Add / edit a connection through input boxes and quick picks. Tests and scripts pass a `ConnectionInput` instead
 * of being prompted. Passwords and the client key go to SecretStorage only.
 */
import * as crypto from 'node:crypto';
import { readPemFile } from '../../core/transport/tls-files';
import * as vscode from 'vscode';
import { DEFAULT_CLIENT_ID } from '../../core/kafka/rules/client-id';
import { InvalidInputError } from '../../core/util/errors';
import type { ConnectionSecrets, ConnectionStore } from './connection-store';
import {
  parseBrokerList,
  SASL_MECHANISMS,
  schemaRegistryUrlProblem,
  type SaslMechanism,
  type StoredConnection,
} from './model';

/** What a caller may pass to skip the prompts. */
export interface ConnectionInput {
  id?: string;
  name: string;
  brokers: string | string[];
  clientId?: string;
  tls?: {
    enabled: boolean;
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    keyPassphrase?: string;
    skipVerify?: boolean;
  };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** `secret` is the basic-auth password or the bearer token; it goes to SecretStorage only. */
  schemaRegistry?: {
    url: string;
    auth?: 'none' | 'basic' | 'bearer';
    username?: string;
    secret?: string;
    caFile?: string;
  };
}

export async function saveConnectionInput(store: ConnectionStore, input: ConnectionInput): Promise<StoredConnection> {
  if (typeof input !== 'object' || input === null || typeof input.name !== 'string' || !input.name.trim()) {
    throw new InvalidInputError('A connection needs a name, for example {"name": "dev", "brokers": "localhost:9092"}.');
  }
  const brokers = parseBrokerList(Array.isArray(input.brokers) ? input.brokers.join(',') : String(input.brokers ?? ''));
  if (input.sasl && !SASL_MECHANISMS.includes(input.sasl.mechanism)) {
    throw new InvalidInputError(
      `SASL mechanism "${input.sasl.mechanism}" is not supported: use ${SASL_MECHANISMS.join(', ')}.`,
    );
  }
  const connection: StoredConnection = { id: input.id ?? crypto.randomUUID(), name: input.name.trim(), brokers };
  if (input.clientId) connection.clientId = input.clientId;
  const secrets: ConnectionSecrets = {};
  if (input.tls?.enabled) {
    connection.tls = {
      enabled: true,
      caFile: input.tls.caFile,
      certFile: input.tls.certFile,
      skipVerify: input.tls.skipVerify === true,
    };
    if (input.tls.keyFile)
      secrets.clientKey = await readPemFile(
        input.tls.keyFile,
        'private key',
        `the client key file "${input.tls.keyFile}"`,
        input.tls.keyPassphrase || undefined,
      );
    if (input.tls.keyPassphrase !== undefined) secrets.keyPassphrase = input.tls.keyPassphrase;
  }
  if (input.sasl) {
    connection.sasl = { mechanism: input.sasl.mechanism, username: input.sasl.username };
    secrets.saslPassword = input.sasl.password;
  }
  const registry = input.schemaRegistry;
  if (registry?.url) {
    const problem = schemaRegistryUrlProblem(registry.url);
    if (problem) throw new InvalidInputError(problem);
    const auth = registry.auth ?? 'none';
    if (auth === 'basic' && !registry.username)
      throw new InvalidInputError('Schema registry basic auth needs a user name (for Confluent Cloud, the API key).');
    connection.schemaRegistry = {
      url: registry.url.trim(),
      auth,
      ...(auth === 'basic' ? { username: registry.username } : {}),
      ...(registry.caFile ? { caFile: registry.caFile } : {}),
    };
    if (auth !== 'none' && registry.secret !== undefined) secrets.schemaRegistrySecret = registry.secret;
    if (auth === 'none') secrets.schemaRegistrySecret = '';
  }
  await store.save(connection, secrets);
  return connection;
}

/** Prompts for every field; `existing` pre-fills them (edit). Returns undefined when the user cancels. */
export async function promptConnection(existing?: StoredConnection): Promise<ConnectionInput | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Kafka connection (1/5): name',
    value: existing?.name,
    prompt: 'A name for this cluster',
    validateInput: (v) => (v.trim() ? null : 'Give the connection a name'),
  });
  if (name === undefined) return undefined;
  const brokers = await vscode.window.showInputBox({
    title: 'Kafka connection (2/5): bootstrap servers',
    value: existing?.brokers.join(','),
    prompt: 'host:port, comma separated',
    validateInput: (v) => {
      try {
        parseBrokerList(v);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (brokers === undefined) return undefined;
  const clientId = await vscode.window.showInputBox({
    title: 'Kafka connection (3/5): client id',
    value: existing?.clientId ?? DEFAULT_CLIENT_ID,
  });
  if (clientId === undefined) return undefined;
  const tlsPick = await vscode.window.showQuickPick(
    [
      { label: 'No TLS', value: 'off' },
      { label: 'TLS', value: 'on' },
      {
        label: 'TLS without verifying the certificate',
        description: 'insecure: for test clusters only',
        value: 'skip',
      },
    ],
    { title: 'Kafka connection (4/5): TLS' },
  );
  if (!tlsPick) return undefined;
  const input: ConnectionInput = { id: existing?.id, name, brokers, clientId };
  if (tlsPick.value !== 'off') {
    if (tlsPick.value === 'skip')
      void vscode.window.showWarningMessage(
        'Certificate verification is off for this connection: anyone on the network path can impersonate the broker.',
      );
    const files = async (title: string) =>
      (await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Use this file' }))?.[0]?.fsPath;
    const wantFiles = await vscode.window.showQuickPick(
      ['Use the system CA store', 'Choose CA / client certificate files'],
      { title: 'TLS certificates' },
    );
    input.tls = { enabled: true, skipVerify: tlsPick.value === 'skip' };
    if (wantFiles === 'Choose CA / client certificate files') {
      input.tls.caFile = await files('CA certificate (PEM), or cancel for none');
      input.tls.certFile = await files('Client certificate (PEM), or cancel for none');
      input.tls.keyFile = input.tls.certFile ? await files('Client key (PEM)') : undefined;
      if (input.tls.keyFile)
        input.tls.keyPassphrase =
          (await vscode.window.showInputBox({ title: 'Client key passphrase (empty for none)', password: true })) ?? '';
    }
  }
  const saslPick = await vscode.window.showQuickPick(['none', ...SASL_MECHANISMS], {
    title: 'Kafka connection (5/5): SASL',
  });
  if (!saslPick) return undefined;
  if (saslPick !== 'none') {
    const username = await vscode.window.showInputBox({ title: 'SASL user name', value: existing?.sasl?.username });
    if (username === undefined) return undefined;
    const password = await vscode.window.showInputBox({
      title: "SASL password (stored in VS Code's secret storage)",
      password: true,
    });
    if (password === undefined) return undefined;
    input.sasl = { mechanism: saslPick as SaslMechanism, username, password };
  }
  const registry = await promptSchemaRegistry(existing);
  if (registry === null) return undefined;
  if (registry) input.schemaRegistry = registry;
  return input;
}

/** The optional schema registry: undefined for none, null when the user cancels. */
async function promptSchemaRegistry(existing?: StoredConnection): Promise<ConnectionInput['schemaRegistry'] | null> {
  const url = await vscode.window.showInputBox({
    title: 'Schema registry (optional)',
    value: existing?.schemaRegistry?.url ?? '',
    prompt: "http(s)://host:port of the cluster's schema registry; leave empty for none",
    validateInput: (v) => (v.trim() === '' ? null : (schemaRegistryUrlProblem(v) ?? null)),
  });
  if (url === undefined) return null;
  if (url.trim() === '') return undefined;
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'No authentication', value: 'none' as const },
      { label: 'Basic auth (user and password, or API key and secret)', value: 'basic' as const },
      { label: 'Bearer token', value: 'bearer' as const },
    ],
    { title: 'Schema registry authentication' },
  );
  if (!pick) return null;
  const out: NonNullable<ConnectionInput['schemaRegistry']> = { url, auth: pick.value };
  if (pick.value === 'basic') {
    const username = await vscode.window.showInputBox({
      title: 'Schema registry user (or API key)',
      value: existing?.schemaRegistry?.username,
    });
    if (username === undefined) return null;
    out.username = username;
  }
  if (pick.value !== 'none') {
    const secret = await vscode.window.showInputBox({
      title: `Schema registry ${pick.value === 'basic' ? 'password (or API secret)' : 'token'} (stored in VS Code's secret storage)`,
      password: true,
    });
    if (secret === undefined) return null;
    out.secret = secret;
  }
  if (url.trim().startsWith('https:')) {
    const ca = await vscode.window.showOpenDialog({
      title: 'Schema registry CA certificate (PEM), or cancel for the system store',
      canSelectMany: false,
      openLabel: 'Use this file',
    });
    if (ca?.[0]) out.caFile = ca[0].fsPath;
  }
  return out;
}

/**
 * Saved connections: the non-secret part in global state, secrets in SecretStorage keyed by connection id.
 * Builds the transport's ConnectionConfig (reading PEM files) when a connection is used.
 */
import * as vscode from 'vscode';
import type { SchemaRegistryConfig } from '../../core/schema-registry/client';
import { checkKeyMatchesCertificate, checkPem, readPemFile } from '../../core/transport/tls-files';
import type { ConnectionConfig, TlsConfig } from '../../core/transport/transport';
import { clientIdOrDefault } from '../../core/kafka/rules/client-id';
import { InvalidInputError } from '../../core/util/errors';
import {
  ENVIRONMENT_CONNECTION_ID,
  SANDBOX_CONNECTION_ID,
  SECRET_NAMES,
  secretKey,
  type StoredConnection,
} from './model';

const STATE_KEY = 'kafkaWorkbench.connections';
const ACTIVE_KEY = 'kafkaWorkbench.activeConnection';
/** Connections (by id) whose sends may let the broker create missing topics; every other send asks first. */
const AUTO_CREATE_KEY = 'kafkaWorkbench.autoCreateTopics';

export interface ConnectionSecrets {
  saslPassword?: string;
  clientKey?: string;
  keyPassphrase?: string;
  /** The schema registry's password (basic auth) or token (bearer). */
  schemaRegistrySecret?: string;
}

export class ConnectionStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  list(): StoredConnection[] {
    return this.state.get<StoredConnection[]>(STATE_KEY, []);
  }

  get(id: string): StoredConnection | undefined {
    return this.list().find((c) => c.id === id);
  }

  /** Adds or replaces a connection; secrets given as undefined are left as they were, '' removes them. */
  async save(connection: StoredConnection, secrets: ConnectionSecrets = {}): Promise<void> {
    if (connection.id === SANDBOX_CONNECTION_ID)
      throw new InvalidInputError('The Local sandbox connection is built in and cannot be changed.');
    if (connection.id === ENVIRONMENT_CONNECTION_ID)
      throw new InvalidInputError(
        "The environment's connection comes from its *.kafka-env.json file: edit the file instead.",
      );
    const others = this.list().filter((c) => c.id !== connection.id);
    await this.state.update(STATE_KEY, [...others, connection]);
    for (const name of SECRET_NAMES) {
      const value = secrets[name];
      if (value === undefined) continue;
      if (value === '') await this.secrets.delete(secretKey(connection.id, name));
      else await this.secrets.store(secretKey(connection.id, name), value);
    }
    this.changed.fire();
  }

  async remove(id: string): Promise<void> {
    await this.state.update(
      STATE_KEY,
      this.list().filter((c) => c.id !== id),
    );
    for (const name of SECRET_NAMES) await this.secrets.delete(secretKey(id, name));
    if (this.activeId() === id) await this.setActive(undefined);
    await this.setAutoCreateTopics(id, false);
    this.changed.fire();
  }

  activeId(): string | undefined {
    return this.state.get<string>(ACTIVE_KEY);
  }

  async setActive(id: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_KEY, id);
    this.changed.fire();
  }

  /** Whether sends on this connection let the broker create missing topics without asking (off unless turned on). */
  autoCreateTopics(id: string): boolean {
    return this.state.get<Record<string, boolean>>(AUTO_CREATE_KEY, {})[id] === true;
  }

  async setAutoCreateTopics(id: string, on: boolean): Promise<void> {
    const all = { ...this.state.get<Record<string, boolean>>(AUTO_CREATE_KEY, {}) };
    if (on) all[id] = true;
    else delete all[id];
    await this.state.update(AUTO_CREATE_KEY, all);
    this.changed.fire();
  }

  async secret(id: string, name: (typeof SECRET_NAMES)[number]): Promise<string | undefined> {
    return this.secrets.get(secretKey(id, name));
  }

  /** The transport's view of a saved connection, with PEM files read and secrets filled in. */
  async toConnectionConfig(c: StoredConnection): Promise<ConnectionConfig> {
    const config: ConnectionConfig = { brokers: c.brokers, clientId: clientIdOrDefault(c.clientId) };
    if (c.tls?.enabled) {
      const tls: TlsConfig = { rejectUnauthorized: !c.tls.skipVerify };
      // Checked for what they should hold, naming the file: TLS itself would ignore a CA file without a certificate.
      if (c.tls.caFile)
        tls.ca = await readPemFile(
          c.tls.caFile,
          'certificate',
          `the CA certificate file "${c.tls.caFile}" of connection "${c.name}"`,
        );
      if (c.tls.certFile)
        tls.cert = await readPemFile(
          c.tls.certFile,
          'certificate',
          `the client certificate file "${c.tls.certFile}" of connection "${c.name}"`,
        );
      const key = await this.secret(c.id, 'clientKey');
      const passphrase = await this.secret(c.id, 'keyPassphrase');
      if (key)
        tls.key = checkPem(
          key,
          'private key',
          `the client key stored for connection "${c.name}"`,
          passphrase || undefined,
        );
      if (passphrase) tls.passphrase = passphrase;
      if (tls.cert && tls.key)
        checkKeyMatchesCertificate(
          tls.cert,
          tls.key,
          {
            cert: `the client certificate file "${c.tls.certFile}"`,
            key: `the client key stored for connection "${c.name}"`,
          },
          passphrase || undefined,
        );
      config.ssl = tls;
    }
    if (c.sasl) {
      const password = await this.secret(c.id, 'saslPassword');
      if (!password)
        throw new InvalidInputError(
          `Connection "${c.name}" uses SASL but has ${password === '' ? 'an empty password' : 'no password'} stored: edit the connection and enter it.`,
        );
      config.sasl = { mechanism: c.sasl.mechanism, username: c.sasl.username, password };
    }
    return config;
  }

  /** The connection's schema registry for the serializers, with its secret and CA file filled in; undefined if none. */
  async schemaRegistryConfig(c: StoredConnection): Promise<SchemaRegistryConfig | undefined> {
    const r = c.schemaRegistry;
    if (!r) return undefined;
    const config: SchemaRegistryConfig = { url: r.url };
    if (r.auth !== 'none') {
      const secret = await this.secret(c.id, 'schemaRegistrySecret');
      if (secret === undefined)
        throw new InvalidInputError(
          `Connection "${c.name}" uses schema registry ${r.auth === 'basic' ? 'basic auth' : 'a bearer token'} but has none stored: edit the connection and enter it.`,
        );
      config.auth = r.auth === 'basic' ? { username: r.username ?? '', password: secret } : { token: secret };
    }
    if (r.caFile)
      config.ca = await readPemFile(
        r.caFile,
        'certificate',
        `the schema registry CA certificate file "${r.caFile}" of connection "${c.name}"`,
      );
    return config;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

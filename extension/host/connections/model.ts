/**
 * A saved connection as the user sees it. Only non-secret fields live here (global state); the SASL password,
 * the client key and its passphrase live in SecretStorage under `secretKey(id, ...)`.
 */
import { brokerAddressProblem, splitBrokerList } from '../../core/kafka/rules/broker-address';
import { InvalidInputError } from '../../core/util/errors';

export const SANDBOX_CONNECTION_ID = 'sandbox';
/** The active environment's connection (see WorkbenchService.setEnvironmentCluster): never saved, rebuilt from the file. */
export const ENVIRONMENT_CONNECTION_ID = 'environment';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export interface StoredConnection {
  id: string;
  name: string;
  brokers: string[];
  clientId?: string;
  tls?: {
    enabled: boolean;
    /** Paths of PEM files; read at connect time. The key itself is stored in SecretStorage, not here. */
    caFile?: string;
    certFile?: string;
    /** true = do not verify the broker's certificate (the UI warns). */
    skipVerify?: boolean;
  };
  sasl?: { mechanism: SaslMechanism; username: string };
  /** The cluster's schema registry; its password or token lives in SecretStorage (schemaRegistrySecret). */
  schemaRegistry?: {
    url: string;
    auth: 'none' | 'basic' | 'bearer';
    username?: string;
    /** PEM file of the CA that signed the registry's certificate; read when used. */
    caFile?: string;
  };
}

export type SecretName = 'saslPassword' | 'clientKey' | 'keyPassphrase' | 'schemaRegistrySecret';
export const SECRET_NAMES: readonly SecretName[] = [
  'saslPassword',
  'clientKey',
  'keyPassphrase',
  'schemaRegistrySecret',
];

export function secretKey(connectionId: string, name: SecretName): string {
  return `kafkaWorkbench.connection.${connectionId}.${name}`;
}

/** A schema registry URL as typed: http(s)://host[:port][/path], or the reason it is not one. */
export function schemaRegistryUrlProblem(text: string): string | undefined {
  if (!/^https?:\/\/[^/\s]+/.test(text.trim()))
    return 'Write the schema registry as an http:// or https:// URL, for example http://localhost:8081.';
  try {
    new URL(text.trim());
    return undefined;
  } catch {
    return `"${text}" is not a URL: write it as http://host:port.`;
  }
}

/** Parses "host:port, host:port" as typed by a user; refuses anything else with the reason. */
export function parseBrokerList(text: string): string[] {
  const brokers = splitBrokerList(text);
  if (brokers.length === 0)
    throw new InvalidInputError('Give at least one bootstrap server as host:port, for example localhost:9092.');
  for (const b of brokers) {
    const problem = brokerAddressProblem(b);
    if (problem) throw new InvalidInputError(`Not a bootstrap server: ${problem}.`);
  }
  return brokers;
}

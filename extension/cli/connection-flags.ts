/** The connection flags `send` and `consume` share: the bootstrap brokers, TLS files and SASL (its password from the environment). */
import { SANDBOX_BOOTSTRAP_ENV, sandboxBootstrapFromEnv } from '../core/collections/bootstrap';
import { splitBrokerList } from '../core/kafka/rules';
import type { ConnectionConfig, SaslConfig, TlsConfig } from '../core/transport/transport';
import { checkKeyMatchesCertificate, readPemFileSync, type PemContent } from '../core/transport/tls-files';
import { InvalidInputError } from '../core/util/errors';
import { flag, type ParsedArgs } from './args';

/**
 * The --bootstrap brokers, or without it the Local sandbox when this shell knows its address (VS Code's terminal,
 * npm start), said on stderr: `<command>: no --bootstrap given: <doing> the Local sandbox at ...`.
 */
export function bootstrapFromArgs(
  args: ParsedArgs,
  say: (line: string) => void,
  command: string,
  doing: string,
): string[] {
  const sandbox = flag(args, 'bootstrap') ? undefined : sandboxBootstrapFromEnv();
  const bootstrap = flag(args, 'bootstrap') ?? sandbox;
  if (!bootstrap)
    throw new InvalidInputError(
      `--bootstrap HOST:PORT[,HOST:PORT...] is required (or ${SANDBOX_BOOTSTRAP_ENV}, which VS Code's terminal and npm start set to the Local sandbox)`,
    );
  if (sandbox)
    say(`${command}: no --bootstrap given: ${doing} the Local sandbox at ${sandbox} (from ${SANDBOX_BOOTSTRAP_ENV})`);
  return splitBrokerList(bootstrap);
}

export const CONNECTION_FLAGS = ['tls-ca', 'tls-cert', 'tls-key', 'sasl-mechanism', 'sasl-username', 'sasl-password'];
export const CONNECTION_BOOLEAN_FLAGS = ['tls', 'tls-insecure'];

export function tlsAndSasl(args: ParsedArgs): Pick<ConnectionConfig, 'ssl' | 'sasl'> {
  const out: Pick<ConnectionConfig, 'ssl' | 'sasl'> = {};
  const label = (name: string) => `--${name} '${flag(args, name)}'`;
  const readPem = (name: string, content: PemContent): string | undefined => {
    const file = flag(args, name);
    return file === undefined ? undefined : readPemFileSync(file, content, label(name));
  };
  const ca = readPem('tls-ca', 'certificate');
  const cert = readPem('tls-cert', 'certificate');
  const key = readPem('tls-key', 'private key');
  if ((cert === undefined) !== (key === undefined))
    throw new InvalidInputError('--tls-cert and --tls-key go together (the client certificate and its private key)');
  if (cert !== undefined && key !== undefined)
    checkKeyMatchesCertificate(cert, key, { cert: label('tls-cert'), key: label('tls-key') });
  const insecure = flag(args, 'tls-insecure') === 'true';
  if (ca !== undefined || cert !== undefined || insecure) {
    const tls: TlsConfig = { ca, cert, key };
    if (insecure) tls.rejectUnauthorized = false;
    out.ssl = tls;
  } else if (flag(args, 'tls') === 'true') {
    out.ssl = true;
  }
  const mechanism = flag(args, 'sasl-mechanism');
  if (mechanism !== undefined) {
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism))
      throw new InvalidInputError(`--sasl-mechanism must be plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`);
    const username = flag(args, 'sasl-username');
    const password = flag(args, 'sasl-password') ?? process.env.KAFKA_WORKBENCH_SASL_PASSWORD;
    if (!username) throw new InvalidInputError('--sasl-username is required with --sasl-mechanism');
    if (password === undefined)
      throw new InvalidInputError('no SASL password: set KAFKA_WORKBENCH_SASL_PASSWORD (or pass --sasl-password)');
    // CI gives builds of forks their secrets set but empty: logging in with that would fail with a misleading error.
    if (password === '')
      throw new InvalidInputError(
        `the SASL password is empty (${flag(args, 'sasl-password') === '' ? '--sasl-password' : 'KAFKA_WORKBENCH_SASL_PASSWORD'} is set but empty); set it to the password`,
      );
    out.sasl = { mechanism: mechanism as SaslConfig['mechanism'], username, password };
  } else if (args.flags.has('sasl-username') || args.flags.has('sasl-password')) {
    throw new InvalidInputError('--sasl-username/--sasl-password need --sasl-mechanism');
  }
  return out;
}

/** The connection flags `send`, `consume` and `run` share: TLS files and SASL (its password from the environment). */
import fs from 'node:fs';
import type { ConnectionConfig, SaslConfig, TlsConfig } from '../core/transport/transport';
import { InvalidInputError } from '../core/util/errors';
import { flag, type ParsedArgs } from './args';
import { fileProblem } from './file-problem';

export const CONNECTION_FLAGS = ['tls-ca', 'tls-cert', 'tls-key', 'sasl-mechanism', 'sasl-username', 'sasl-password'];
export const CONNECTION_BOOLEAN_FLAGS = ['tls', 'tls-insecure'];

export function tlsAndSasl(args: ParsedArgs): Pick<ConnectionConfig, 'ssl' | 'sasl'> {
  const out: Pick<ConnectionConfig, 'ssl' | 'sasl'> = {};
  const readPem = (name: string): string | undefined => {
    const file = flag(args, name);
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new InvalidInputError(`cannot read --${name} '${file}': ${fileProblem(e as NodeJS.ErrnoException, 'read')}`);
    }
  };
  const ca = readPem('tls-ca');
  const cert = readPem('tls-cert');
  const key = readPem('tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new InvalidInputError('--tls-cert and --tls-key go together (the client certificate and its private key)');
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
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) throw new InvalidInputError(`--sasl-mechanism must be plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`);
    const username = flag(args, 'sasl-username');
    const password = flag(args, 'sasl-password') ?? process.env.KAFKA_WORKBENCH_SASL_PASSWORD;
    if (!username) throw new InvalidInputError('--sasl-username is required with --sasl-mechanism');
    if (password === undefined) throw new InvalidInputError('no SASL password: set KAFKA_WORKBENCH_SASL_PASSWORD (or pass --sasl-password)');
    out.sasl = { mechanism: mechanism as SaslConfig['mechanism'], username, password };
  } else if (args.flags.has('sasl-username') || args.flags.has('sasl-password')) {
    throw new InvalidInputError('--sasl-username/--sasl-password need --sasl-mechanism');
  }
  return out;
}

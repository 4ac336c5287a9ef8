/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the openssl binary once per test run. Without openssl
 * the suite fails saying so (CI installs it: scripts/ci-apt-packages.txt); it never skips quietly.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../tools';

export interface Pem {
  key: string;
  cert: string;
  /** Files holding the same PEM, for CLI flags; removed when the process exits. */
  keyFile: string;
  certFile: string;
}

let made: Pem | undefined;

export function selfSignedCertificate(): Pem {
  if (made !== undefined) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-tls-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  requireTool('openssl', ['version'], 'openssl');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  made = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), keyFile, certFile };
  return made;
}

/**
 * TLS files a user names (a CA, a client or broker certificate, a private key): read and checked for what they
 * should hold before any connection, so a wrong file is an error naming it and its content, not a later
 * "self-signed certificate" (a CA file without a certificate is ignored by TLS) or "PEM routines::no start line"
 * (a certificate and key given the other way round). One home for the CLI, environment files and the extension.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { InvalidInputError } from '../util/errors';
import { fileProblem } from '../util/files';

/** What a TLS file should hold: certificates (one or a chain, for a CA or a certificate) or one private key. */
export type PemContent = 'certificate' | 'private key';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** What a PEM text holds, in words, for an error: "a private key", "a certificate request", "no PEM block". */
function describeBlocks(labels: string[]): string {
  if (labels.length === 0) return 'no PEM block (a PEM file has lines such as -----BEGIN CERTIFICATE-----)';
  const names = [
    ...new Set(
      labels.map((l) =>
        /PRIVATE KEY$/.test(l) ? 'a private key' : l === 'CERTIFICATE' ? 'a certificate' : `a "${l}" block`,
      ),
    ),
  ];
  return names.join(' and ');
}

function expected(content: PemContent): string {
  return content === 'certificate'
    ? 'a PEM certificate (-----BEGIN CERTIFICATE-----)'
    : 'a PEM private key (-----BEGIN PRIVATE KEY----- or RSA/EC/ENCRYPTED PRIVATE KEY)';
}

/**
 * Checks that `text` holds `content`, parsing it as TLS will; throws InvalidInputError naming `label` (how the
 * user named the file: `--tls-ca 'ca.pem'`), what it holds instead and what it should hold.
 */
export function checkPem(text: string, content: PemContent, label: string, passphrase?: string): string {
  const blocks = [...text.matchAll(BLOCK)];
  const labels = blocks.map((b) => b[1]);
  const wanted = blocks.filter((b) => (content === 'certificate' ? b[1] === 'CERTIFICATE' : /PRIVATE KEY$/.test(b[1])));
  if (wanted.length === 0) {
    const swapped =
      content === 'certificate' ? labels.some((l) => /PRIVATE KEY$/.test(l)) : labels.includes('CERTIFICATE');
    throw new InvalidInputError(
      `${label} holds ${describeBlocks(labels)}, not ${expected(content)}${swapped ? '; are the certificate and key files the other way round?' : ''}`,
    );
  }
  try {
    if (content === 'certificate') for (const b of wanted) new X509Certificate(b[0]);
    else privateKeyOf(text, passphrase);
  } catch (e) {
    throw new InvalidInputError(
      `${label} holds ${content === 'certificate' ? 'a certificate' : 'a private key'} that cannot be read (${(e as Error).message}); it should hold ${expected(content)}`,
    );
  }
  return text;
}

function privateKeyOf(text: string, passphrase?: string): KeyObject {
  return createPrivateKey(passphrase === undefined ? text : { key: text, passphrase });
}

/** Reads a TLS file and checks it holds `content`; errors name the file. */
export async function readPemFile(
  file: string,
  content: PemContent,
  label: string,
  passphrase?: string,
): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(
      `cannot read ${label}: ${fileProblem(e as NodeJS.ErrnoException, 'read')}; it should hold ${expected(content)}`,
    );
  }
  return checkPem(text, content, label, passphrase);
}

/** The same, for the command line, which reads its flags before anything else happens. */
export function readPemFileSync(file: string, content: PemContent, label: string, passphrase?: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(
      `cannot read ${label}: ${fileProblem(e as NodeJS.ErrnoException, 'read')}; it should hold ${expected(content)}`,
    );
  }
  return checkPem(text, content, label, passphrase);
}

/** Refuses a private key that does not belong to the certificate (TLS would fail later with "key values mismatch"). */
export function checkKeyMatchesCertificate(
  cert: string,
  key: string,
  labels: { cert: string; key: string },
  passphrase?: string,
): void {
  const first = [...cert.matchAll(BLOCK)].find((b) => b[1] === 'CERTIFICATE');
  if (!first) return;
  let matches: boolean;
  try {
    matches = new X509Certificate(first[0]).checkPrivateKey(privateKeyOf(key, passphrase));
  } catch {
    return; // checkPem already said what is unreadable
  }
  if (!matches)
    throw new InvalidInputError(
      `the private key in ${labels.key} does not belong to the certificate in ${labels.cert}; give the key the certificate was made with`,
    );
}

/**
 * The server side of SCRAM (RFC 5802; SHA-256 per RFC 7677, SHA-512 as Kafka adds it): the stored credential
 * (salt, iterations, StoredKey, ServerKey; never the password) and one login's two-step exchange.
 */
import crypto from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Kafka's minimum (and the RFC's recommended) iteration count. */
export const SCRAM_ITERATIONS = 4096;

/** A failed login; the message is what the client is told. */
export class SaslLoginError extends Error {}

const hmac = (hash: ScramHash, key: Buffer, text: string): Buffer => crypto.createHmac(hash, key).update(text).digest();

export function scramCredential(
  hash: ScramHash,
  password: string,
  salt = crypto.randomBytes(16),
  iterations = SCRAM_ITERATIONS,
): ScramCredential {
  const salted = crypto.pbkdf2Sync(password, salt, iterations, hash === 'sha256' ? 32 : 64, hash);
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    salt,
    iterations,
    storedKey: crypto.createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

/** saslname (RFC 5802 5.1): ',' and '=' are sent as '=2C' and '=3D'; any other '=' is malformed. */
function decodeSaslName(raw: string): string {
  if (/=(?!2C|3D)/.test(raw)) throw new SaslLoginError('Invalid SCRAM user name encoding');
  return raw.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** One SCRAM login: `first` answers client-first, `final` checks client-final's proof and answers server-final. */
export class ScramExchange {
  private state: {
    gs2Header: string;
    clientFirstBare: string;
    serverFirst: string;
    nonce: string;
    user: string;
    credential: ScramCredential;
    known: boolean;
  } | null = null;

  constructor(
    private readonly hash: ScramHash,
    /** The user's credential, or undefined for an unknown user (who then fails at the proof, like a wrong password). */
    private readonly lookup: (user: string) => ScramCredential | undefined,
    private readonly decoy: (user: string) => ScramCredential,
    /** The server's part of the nonce; fixed only by tests replaying the RFC's example. */
    private readonly serverNonce = () => crypto.randomBytes(18).toString('base64'),
  ) {}

  get user(): string | undefined {
    return this.state?.user;
  }

  first(message: string): string {
    // gs2-header: cbind-flag "," [authzid] ","; then client-first-message-bare.
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(message);
    if (!m) throw new SaslLoginError('Invalid SCRAM client first message');
    if (m[1]!.startsWith('p=')) throw new SaslLoginError('SCRAM channel binding is not supported');
    const clientFirstBare = m[3]!;
    const attrs = /^n=([^,]*),r=([^,]+)(,.*)?$/s.exec(clientFirstBare);
    if (!attrs) throw new SaslLoginError('Invalid SCRAM client first message');
    const user = decodeSaslName(attrs[1]!);
    if (m[2] && decodeSaslName(m[2].slice(2)) !== user)
      throw new SaslLoginError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    const clientNonce = attrs[2]!;
    const found = this.lookup(user);
    const credential = found ?? this.decoy(user);
    const nonce = clientNonce + this.serverNonce();
    const serverFirst = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.state = {
      gs2Header: `${m[1]},${m[2] ?? ''},`,
      clientFirstBare,
      serverFirst,
      nonce,
      user,
      credential,
      known: found !== undefined,
    };
    return serverFirst;
  }

  final(message: string): string {
    const s = this.state;
    if (!s) throw new SaslLoginError('SCRAM client final message before the first');
    const m = /^c=([^,]*),r=([^,]*)(?:,.*)?,p=([A-Za-z0-9+/=]+)$/s.exec(message);
    if (!m) throw new SaslLoginError('Invalid SCRAM client final message');
    if (Buffer.from(m[1]!, 'base64').toString('latin1') !== s.gs2Header)
      throw new SaslLoginError('Invalid SCRAM channel binding');
    if (m[2] !== s.nonce) throw new SaslLoginError('Invalid SCRAM nonce');
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const authMessage = `${s.clientFirstBare},${s.serverFirst},${withoutProof}`;
    const proof = Buffer.from(m[3]!, 'base64');
    const clientSignature = hmac(this.hash, s.credential.storedKey, authMessage);
    let ok = proof.length === clientSignature.length && s.known;
    if (proof.length === clientSignature.length) {
      const clientKey = Buffer.alloc(proof.length);
      for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
      const stored = crypto.createHash(this.hash).update(clientKey).digest();
      ok = crypto.timingSafeEqual(stored, s.credential.storedKey) && ok;
    }
    if (!ok)
      throw new SaslLoginError(
        `Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-${this.hash === 'sha256' ? 'SHA-256' : 'SHA-512'}`,
      );
    return `v=${hmac(this.hash, s.credential.serverKey, authMessage).toString('base64')}`;
  }
}

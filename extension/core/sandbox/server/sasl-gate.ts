/**
 * What makes a broker listener SASL_PLAINTEXT (or SASL_SSL over TLS): each connection must log in before it is
 * served. Before that only ApiVersions, SaslHandshake v0-1 and SaslAuthenticate v0-1 are answered; any other
 * request closes the connection. A refused login is answered (SASL_AUTHENTICATION_FAILED with a message, or
 * UNSUPPORTED_SASL_MECHANISM with the enabled list) and then the connection is closed, as Kafka does.
 */
import crypto from 'node:crypto';
import {
  ApiKey,
  ErrorCode,
  apiName,
  decodeRequestBody,
  decodeRequestHeader,
  encodeResponse,
} from '../../kafka/protocol';
import { errorMessage } from '../../util/errors';
import type { SaslMechanismName } from '../cluster/options';
import type { ConnectionContext, FrameOutcome } from './broker-listener';
import { SaslLoginError, ScramExchange, scramCredential, type ScramCredential, type ScramHash } from './scram';

export interface SaslStats {
  mechanisms: SaslMechanismName[];
  /** Connections that logged in: in total, per user and per broker. */
  authenticated: number;
  byUser: Record<string, number>;
  byBroker: Record<string, number>;
  failed: number;
}

interface Login {
  mechanism: SaslMechanismName;
  /** A v0 handshake: tokens follow bare, without SaslAuthenticate around them. */
  raw: boolean;
  scram?: ScramExchange;
}

type Session = { state: 'start' } | { state: 'login'; login: Login } | { state: 'done' };

const PLAIN_FAILED = 'Authentication failed: Invalid username or password';

export class SaslGate {
  private readonly sessions = new WeakMap<ConnectionContext, Session>();
  private readonly plain = new Map<string, Buffer>();
  private readonly scram = new Map<string, ScramCredential>();
  /** Unknown users get a made-up salt that stays the same per name, so a SCRAM reply does not tell who exists. */
  private readonly decoySecret = crypto.randomBytes(32);
  private readonly counts = {
    authenticated: 0,
    failed: 0,
    byUser: new Map<string, number>(),
    byBroker: new Map<number, number>(),
  };

  constructor(
    readonly mechanisms: SaslMechanismName[],
    users: { username: string; password: string }[],
    private readonly log: (line: string) => void = () => {},
  ) {
    for (const u of users) {
      // Like a broker's credential store: PLAIN keeps a digest, SCRAM its salted keys; neither keeps the password.
      this.plain.set(u.username, sha256(u.password));
      if (mechanisms.includes('SCRAM-SHA-256'))
        this.scram.set(`sha256/${u.username}`, scramCredential('sha256', u.password));
      if (mechanisms.includes('SCRAM-SHA-512'))
        this.scram.set(`sha512/${u.username}`, scramCredential('sha512', u.password));
    }
  }

  stats(): SaslStats {
    return {
      mechanisms: [...this.mechanisms],
      authenticated: this.counts.authenticated,
      byUser: Object.fromEntries(this.counts.byUser),
      byBroker: Object.fromEntries(this.counts.byBroker),
      failed: this.counts.failed,
    };
  }

  /** null: the frame goes on to the cluster (ApiVersions, or any request of a logged-in connection). */
  handle(frame: Buffer, connection: ConnectionContext): FrameOutcome | null {
    const session = this.sessions.get(connection) ?? { state: 'start' };
    if (session.state === 'login' && session.login.raw) return this.rawToken(frame, connection, session.login);
    if (frame.length < 8) return null; // the dispatcher refuses it
    const apiKey = frame.readInt16BE(0);
    const version = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const isSasl = apiKey === ApiKey.SaslHandshake || apiKey === ApiKey.SaslAuthenticate;
    if (session.state === 'done') {
      // A logged-in connection may not log in again; Kafka answers ILLEGAL_SASL_STATE.
      if (!isSasl) return null;
      if (version < 0 || version > 1)
        return { kind: 'close', reason: `${apiName(apiKey)} v${version} is not supported` };
      return {
        kind: 'reply',
        frame:
          apiKey === ApiKey.SaslHandshake
            ? encodeSaslHandshakeResponse(correlationId, ErrorCode.ILLEGAL_SASL_STATE, this.mechanisms)
            : encodeSaslAuthenticateResponse(correlationId, version, {
                errorCode: ErrorCode.ILLEGAL_SASL_STATE,
                errorMessage: 'this connection is already authenticated',
                authBytes: Buffer.alloc(0),
              }),
      };
    }
    if (apiKey === ApiKey.ApiVersions && session.state === 'start') return null;
    const expected = session.state === 'start' ? ApiKey.SaslHandshake : ApiKey.SaslAuthenticate;
    if (apiKey !== expected) {
      return {
        kind: 'close',
        reason: `${apiName(apiKey)} request (correlation id ${correlationId}) before SASL authentication finished; the listener requires SASL`,
      };
    }
    if (version < 0 || version > 1)
      return { kind: 'close', reason: `${apiName(apiKey)} v${version} is not supported (this broker serves v0-v1)` };
    try {
      const header = decodeRequestHeader(frame);
      if (session.state === 'start')
        return this.handshake(
          connection,
          correlationId,
          version,
          decodeRequestBody(ApiKey.SaslHandshake, version, frame, header.bodyOffset).mechanism,
        );
      return this.authenticate(
        connection,
        correlationId,
        version,
        (session as { login: Login }).login,
        decodeRequestBody(ApiKey.SaslAuthenticate, version, frame, header.bodyOffset).authBytes,
      );
    } catch (e) {
      return {
        kind: 'close',
        reason: `malformed ${apiName(apiKey)} request (correlation id ${correlationId}): ${errorMessage(e)}`,
      };
    }
  }

  private handshake(
    connection: ConnectionContext,
    correlationId: number,
    version: number,
    mechanism: string,
  ): FrameOutcome {
    const enabled = this.mechanisms.find((m) => m === mechanism);
    if (!enabled) {
      this.counts.failed++;
      return {
        kind: 'replyAndClose',
        frame: encodeSaslHandshakeResponse(correlationId, ErrorCode.UNSUPPORTED_SASL_MECHANISM, this.mechanisms),
        reason: `SASL mechanism ${JSON.stringify(mechanism)} is not enabled (enabled: ${this.mechanisms.join(', ')})`,
      };
    }
    const login: Login = { mechanism: enabled, raw: version === 0 };
    if (enabled !== 'PLAIN') {
      const hash: ScramHash = enabled === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
      login.scram = new ScramExchange(
        hash,
        (user) => this.scram.get(`${hash}/${user}`),
        (user) => this.decoy(hash, user),
      );
    }
    this.sessions.set(connection, { state: 'login', login });
    return { kind: 'reply', frame: encodeSaslHandshakeResponse(correlationId, ErrorCode.NONE, this.mechanisms) };
  }

  private authenticate(
    connection: ConnectionContext,
    correlationId: number,
    version: number,
    login: Login,
    token: Buffer,
  ): FrameOutcome {
    const step = this.step(connection, login, token);
    if ('error' in step) {
      return {
        kind: 'replyAndClose',
        frame: encodeSaslAuthenticateResponse(correlationId, version, {
          errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
          errorMessage: step.error,
          authBytes: Buffer.alloc(0),
        }),
        reason: step.error,
      };
    }
    return {
      kind: 'reply',
      frame: encodeSaslAuthenticateResponse(correlationId, version, {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        authBytes: step.reply,
      }),
    };
  }

  /** After a v0 handshake: the frame is a bare token; a failed login just closes, as Kafka does there. */
  private rawToken(token: Buffer, connection: ConnectionContext, login: Login): FrameOutcome {
    const step = this.step(connection, login, token);
    if ('error' in step) return { kind: 'close', reason: step.error };
    return { kind: 'reply', frame: encodeRawSaslToken(step.reply) };
  }

  /** One token of the login; marks the connection logged in when the mechanism is done. */
  private step(connection: ConnectionContext, login: Login, token: Buffer): { reply: Buffer } | { error: string } {
    let user: string;
    let reply: Buffer;
    try {
      if (login.scram) {
        const text = token.toString('utf8');
        if (login.scram.user === undefined) return { reply: Buffer.from(login.scram.first(text), 'utf8') };
        user = login.scram.user;
        reply = Buffer.from(login.scram.final(text), 'utf8');
      } else {
        user = this.checkPlain(token);
        reply = Buffer.alloc(0);
      }
    } catch (e) {
      if (!(e instanceof SaslLoginError)) throw e;
      this.counts.failed++;
      this.log(
        `broker ${connection.brokerId}: ${login.mechanism} login from ${connection.remote} refused: ${e.message}`,
      );
      return { error: e.message };
    }
    this.sessions.set(connection, { state: 'done' });
    this.counts.authenticated++;
    this.counts.byUser.set(user, (this.counts.byUser.get(user) ?? 0) + 1);
    this.counts.byBroker.set(connection.brokerId, (this.counts.byBroker.get(connection.brokerId) ?? 0) + 1);
    return { reply };
  }

  /** PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd. Returns the user name. */
  private checkPlain(token: Buffer): string {
    const parts = token.toString('utf8').split('\0');
    if (parts.length !== 3) throw new SaslLoginError('Invalid SASL/PLAIN response: expected 3 tokens');
    const [authzid, user, password] = parts as [string, string, string];
    if (authzid !== '' && authzid !== user)
      throw new SaslLoginError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    const expected = this.plain.get(user);
    // Compare digests so the time taken says nothing about the password's length or prefix.
    const matches = crypto.timingSafeEqual(sha256(password), expected ?? this.decoySecret);
    if (!expected || !matches) throw new SaslLoginError(PLAIN_FAILED);
    return user;
  }

  private decoy(hash: ScramHash, user: string): ScramCredential {
    const salt = crypto.createHmac('sha256', this.decoySecret).update(user).digest().subarray(0, 16);
    return {
      salt,
      iterations: 4096,
      storedKey: crypto.randomBytes(hash === 'sha256' ? 32 : 64),
      serverKey: crypto.randomBytes(hash === 'sha256' ? 32 : 64),
    };
  }
}

function sha256(text: string): Buffer {
  return crypto.createHash('sha256').update(text, 'utf8').digest();
}

function encodeSaslHandshakeResponse(correlationId: number, errorCode: number, mechanisms: readonly string[]): Buffer {
  return encodeResponse(ApiKey.SaslHandshake, 1, correlationId, { errorCode, mechanisms: [...mechanisms] });
}

function encodeSaslAuthenticateResponse(
  correlationId: number,
  version: number,
  r: { errorCode: number; errorMessage: string | null; authBytes: Buffer },
): Buffer {
  // sessionLifetimeMs (v1) 0: the session never expires.
  return encodeResponse(ApiKey.SaslAuthenticate, version, correlationId, { ...r, sessionLifetimeMs: 0 });
}

/** After a v0 handshake, tokens travel bare: a size prefix and the token, no Kafka header. */
function encodeRawSaslToken(token: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + token.length);
  frame.writeInt32BE(token.length, 0);
  token.copy(frame, 4);
  return frame;
}

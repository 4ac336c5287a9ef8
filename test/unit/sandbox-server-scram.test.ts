import assert from 'node:assert/strict';
import { ScramExchange, SaslLoginError, scramCredential } from '../../extension/core/sandbox/server/scram';

// RFC 7677 section 3: user "user", password "pencil".
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const NONCE = CLIENT_NONCE + SERVER_NONCE;

function exchange(users: Record<string, string> = { user: 'pencil' }): ScramExchange {
  const creds = new Map(Object.entries(users).map(([u, p]) => [u, scramCredential('sha256', p, SALT, 4096)]));
  return new ScramExchange(
    'sha256',
    (u) => creds.get(u),
    () => scramCredential('sha256', 'decoy', SALT, 4096),
    () => SERVER_NONCE,
  );
}

describe('SCRAM server (RFC 5802 / RFC 7677)', () => {
  it('replays the RFC 7677 SCRAM-SHA-256 example: server-first and server-final byte for byte', () => {
    const x = exchange();
    assert.equal(x.first(`n,,n=user,r=${CLIENT_NONCE}`), `r=${NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
    assert.equal(x.user, 'user');
    assert.equal(
      x.final(`c=biws,r=${NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`),
      'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });

  it('refuses a proof made with another password, and an unknown user, with the same message', () => {
    const wrong = exchange({ user: 'pencils' });
    wrong.first(`n,,n=user,r=${CLIENT_NONCE}`);
    assert.throws(
      () => wrong.final(`c=biws,r=${NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`),
      (e: unknown) =>
        e instanceof SaslLoginError && /invalid credentials with SASL mechanism SCRAM-SHA-256/.test(e.message),
    );
    const unknown = exchange({});
    assert.match(
      unknown.first(`n,,n=user,r=${CLIENT_NONCE}`),
      /^r=.*,s=.+,i=4096$/,
      'an unknown user still gets a salt',
    );
    assert.throws(
      () => unknown.final(`c=biws,r=${NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`),
      /invalid credentials/,
    );
  });

  it('refuses a changed nonce, a changed channel binding, channel binding itself and a malformed message', () => {
    const nonce = exchange();
    nonce.first(`n,,n=user,r=${CLIENT_NONCE}`);
    assert.throws(
      () => nonce.final(`c=biws,r=${CLIENT_NONCE}x,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`),
      /nonce/,
    );
    const binding = exchange();
    binding.first(`n,,n=user,r=${CLIENT_NONCE}`);
    assert.throws(
      () => binding.final(`c=eSws,r=${NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`),
      /channel binding/,
    );
    assert.throws(() => exchange().first(`p=tls-unique,,n=user,r=${CLIENT_NONCE}`), /channel binding is not supported/);
    assert.throws(() => exchange().first('hello'), /Invalid SCRAM client first message/);
    assert.throws(() => exchange().final(`c=biws,r=${NONCE},p=x`), /before the first/);
  });

  it('decodes =2C and =3D in user names and refuses an authorization id naming someone else', () => {
    const x = exchange({ 'a,b=c': 'pencil' });
    x.first(`n,,n=a=2Cb=3Dc,r=${CLIENT_NONCE}`);
    assert.equal(x.user, 'a,b=c');
    assert.throws(() => exchange().first(`n,a=admin,n=user,r=${CLIENT_NONCE}`), /authorization id that is different/);
    assert.throws(() => exchange().first(`n,,n=us=er,r=${CLIENT_NONCE}`), /user name encoding/);
  });
});

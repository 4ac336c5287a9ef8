/**
 * A small SASL front for tests: answers ApiVersions, SaslHandshake and SaslAuthenticate (PLAIN) itself, checks the
 * credentials, then relays the authenticated connection to a sandbox broker.
 */
import net from 'node:net';

export const USER = 'alice';
export const PASSWORD = 'wonderland';

/** [apiKey, min, max]: SASL plus what the transport uses, at versions the sandbox serves. */
const ADVERTISED: [number, number, number][] = [[0, 3, 7], [3, 1, 6], [18, 0, 2], [17, 0, 1], [36, 0, 1], [22, 0, 1]];

function frame(correlationId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(4 + body.length, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]);
}

function int16(n: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; }
function int32(n: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; }
function str(s: string | null): Buffer { if (s === null) return int16(-1); const b = Buffer.from(s); return Buffer.concat([int16(b.length), b]); }

/** Answers the SASL part of a connection itself, then pipes the rest to the broker. */
export function saslFront(brokerPort: number, attempts: string[]): net.Server {
  return net.createServer((client) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const req = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        const apiKey = req.readInt16BE(0);
        const version = req.readInt16BE(2);
        const correlationId = req.readInt32BE(4);
        const clientIdLen = req.readInt16BE(8);
        const body = req.subarray(10 + Math.max(0, clientIdLen));
        if (apiKey === 18) {
          const list = Buffer.concat(ADVERTISED.map(([k, min, max]) => Buffer.concat([int16(k), int16(min), int16(max)])));
          client.write(frame(correlationId, Buffer.concat([int16(0), int32(ADVERTISED.length), list, version >= 1 ? int32(0) : Buffer.alloc(0)])));
        } else if (apiKey === 17) {
          client.write(frame(correlationId, Buffer.concat([int16(0), int32(1), str('PLAIN')])));
        } else if (apiKey === 36) {
          const auth = body.subarray(4, 4 + body.readInt32BE(0)).toString('utf8').split('\u0000');
          attempts.push(auth[1]);
          const ok = auth[1] === USER && auth[2] === PASSWORD;
          const tail = version >= 1 ? Buffer.alloc(8) : Buffer.alloc(0); // session lifetime 0 = unlimited
          client.write(frame(correlationId, Buffer.concat([int16(ok ? 0 : 58), str(ok ? null : 'Authentication failed: Invalid username or password'), int32(0), tail])));
          if (ok) {
            // Authenticated: from here on the sandbox broker talks to the client directly.
            client.off('data', onData);
            const upstream = net.connect(brokerPort, '127.0.0.1');
            if (buf.length) upstream.write(buf);
            client.pipe(upstream).pipe(client);
            client.on('error', () => upstream.destroy());
            upstream.on('error', () => client.destroy());
            return;
          }
        } else {
          client.destroy(); // anything before authentication is a protocol violation
          return;
        }
      }
    };
    client.on('data', onData);
    client.on('error', () => {});
  });
}

/** Starts a front on a free port; `attempts` collects the user names that tried to log in. */
export async function startSaslFront(brokerPort: number, attempts: string[] = []): Promise<{ server: net.Server; port: number }> {
  const server = saslFront(brokerPort, attempts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

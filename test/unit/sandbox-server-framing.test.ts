import { strict as assert } from 'node:assert';
import net from 'node:net';
import { FrameDecoder, FrameError } from '../../extension/core/kafka/protocol/frame-decoder';
import { BrokerListener, FrameHandler } from '../../extension/core/sandbox/server/broker-listener';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

describe('sandbox server: FrameDecoder', () => {
  it('returns each frame whole, however the bytes are split across reads', () => {
    const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(3000, 7), Buffer.from('last')];
    const stream = Buffer.concat(payloads.map(frame));
    for (const step of [1, 3, 4, 5, 999, stream.length]) {
      const decoder = new FrameDecoder(10_000);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...decoder.push(stream.subarray(i, i + step)));
      assert.deepEqual(out, payloads, `split every ${step} bytes`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('reassembles a frame larger than the upfront allocation from one-byte reads', () => {
    const payload = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const stream = frame(payload);
    const decoder = new FrameDecoder(8 * 1024 * 1024);
    const out: Buffer[] = [];
    for (let i = 0; i < 1000; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    assert.equal(decoder.bufferedBytes, 996);
    out.push(...decoder.push(stream.subarray(1000)));
    assert.equal(out.length, 1);
    assert.ok(out[0].equals(payload));
    assert.equal(out[0].buffer.byteLength, payload.length, 'exactly sized');
  });

  it('gives frames their own memory, not views of the read buffer', () => {
    const chunk = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('de'))]);
    const [a] = new FrameDecoder(100).push(chunk);
    assert.equal(a.buffer.byteLength, 3);
    chunk.fill(0);
    assert.equal(a.toString(), 'abc');
  });

  it('refuses a frame above the limit, naming the size and the limit', () => {
    const size = Buffer.alloc(4);
    size.writeInt32BE(2_000_000);
    assert.throws(
      () => new FrameDecoder(1024).push(size),
      (e: Error) => e instanceof FrameError && /2000000 bytes exceeds the limit of 1024/.test(e.message),
    );
  });

  it('refuses a negative frame size', () => {
    assert.throws(() => new FrameDecoder(1024).push(Buffer.from([0xff, 0xff, 0xff, 0xfe])), /negative/);
  });
});

/** A client that writes raw bytes and collects what comes back. */
async function connect(port: number): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => Buffer.concat(chunks), closed };
}

async function waitFor(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('sandbox server: BrokerListener', () => {
  let listener: BrokerListener | undefined;
  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
  });

  it('answers pipelined requests in request order even when a later one finishes first', async () => {
    // The first request is slow (it waits several turns of the event loop), the second instant: the replies must
    // still leave first, second.
    const handler: FrameHandler = async (f) => {
      for (let turn = 0; turn < f[0]; turn++) await new Promise((r) => setImmediate(r));
      return { kind: 'reply', frame: frame(f) };
    };
    listener = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port: 0, maxFrameBytes: 1024, handler });
    const port = await listener.start();
    const c = await connect(port);
    c.socket.write(
      Buffer.concat([frame(Buffer.from([50, 1])), frame(Buffer.from([0, 2])), frame(Buffer.from([10, 3]))]),
    );
    await waitFor(() => c.received().length === 18, 'three replies');
    const r = c.received();
    assert.deepEqual([r[5], r[11], r[17]], [1, 2, 3]);
    c.socket.destroy();
  });

  it('loses nothing when a client sends far ahead of a slow broker: reading pauses, then every request is answered in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    let handled = 0;
    const handler: FrameHandler = async (f) => {
      started++;
      await gate;
      handled++;
      return { kind: 'reply', frame: frame(f.subarray(0, 4)) };
    };
    listener = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port: 0, maxFrameBytes: 1 << 20, handler });
    const c = await connect(await listener.start());
    const count = 300;
    const payload = (i: number) => {
      const b = Buffer.alloc(20_000);
      b.writeInt32BE(i);
      return b;
    };
    for (let i = 0; i < count; i++) c.socket.write(frame(payload(i)));
    // The first request is being handled and holds the connection: the rest wait, unread or queued.
    await waitFor(() => started === 1, 'the first request to reach the handler');
    assert.equal(handled, 0);
    assert.equal(started, 1, 'one request at a time');
    release();
    await waitFor(() => c.received().length === count * 8, `${count} replies`, 10_000);
    const r = c.received();
    for (let i = 0; i < count; i++) assert.equal(r.readInt32BE(i * 8 + 4), i, `reply ${i} in order`);
    c.socket.destroy();
  });

  it('handles one request at a time per connection', async () => {
    let active = 0;
    let maxActive = 0;
    const handler: FrameHandler = async (f) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setImmediate(r)); // a turn of the event loop, in which another could start
      active--;
      return { kind: 'reply', frame: frame(f) };
    };
    listener = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port: 0, maxFrameBytes: 1024, handler });
    const c = await connect(await listener.start());
    c.socket.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(Buffer.from([i])))));
    await waitFor(() => c.received().length === 20 * 5, 'twenty replies');
    assert.equal(maxActive, 1);
    c.socket.destroy();
  });

  it('closes only the connection that sent an oversized frame, logging why, and keeps serving others', async () => {
    const logs: string[] = [];
    const handler: FrameHandler = async (f) => ({ kind: 'reply', frame: frame(f) });
    listener = new BrokerListener({
      brokerId: 2,
      host: '127.0.0.1',
      port: 0,
      maxFrameBytes: 1024,
      handler,
      log: (l) => logs.push(l),
    });
    const port = await listener.start();
    const bad = await connect(port);
    const good = await connect(port);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(5000);
    bad.socket.write(huge);
    await bad.closed;
    assert.match(
      logs.join('\n'),
      /broker 2: closing connection from 127\.0\.0\.1:\d+: frame of 5000 bytes exceeds the limit of 1024/,
    );
    good.socket.write(frame(Buffer.from('still here')));
    await waitFor(() => good.received().length === 14, "the other client's reply");
    assert.equal(good.received().subarray(4).toString(), 'still here');
    good.socket.destroy();
  });

  it('closes the connection when the handler fails or asks to, without affecting the listener', async () => {
    const logs: string[] = [];
    const handler: FrameHandler = async (f) => {
      if (f.toString() === 'throw') throw new Error('boom');
      if (f.toString() === 'close') return { kind: 'close', reason: 'unknown API key 999' };
      return { kind: 'reply', frame: frame(f) };
    };
    listener = new BrokerListener({
      brokerId: 1,
      host: '127.0.0.1',
      port: 0,
      maxFrameBytes: 1024,
      handler,
      log: (l) => logs.push(l),
    });
    const port = await listener.start();
    const a = await connect(port);
    a.socket.write(
      Buffer.concat([frame(Buffer.from('ok')), frame(Buffer.from('throw')), frame(Buffer.from('never answered'))]),
    );
    await a.closed;
    assert.equal(
      a.received().subarray(4).toString(),
      'ok',
      'the reply before the failure is still delivered, nothing after it',
    );
    const b = await connect(port);
    b.socket.write(frame(Buffer.from('close')));
    await b.closed;
    assert.match(logs.join('\n'), /internal error handling a request: boom/);
    assert.match(logs.join('\n'), /unknown API key 999/);
    const c = await connect(port);
    c.socket.write(frame(Buffer.from('fine')));
    await waitFor(() => c.received().length === 8, 'a reply after the failures');
    c.socket.destroy();
  });

  it('sends nothing for a request the handler leaves unanswered, and answers the next one', async () => {
    const handler: FrameHandler = async (f) =>
      f.toString() === 'acks0' ? { kind: 'none' } : { kind: 'reply', frame: frame(f) };
    listener = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port: 0, maxFrameBytes: 1024, handler });
    const c = await connect(await listener.start());
    c.socket.write(Buffer.concat([frame(Buffer.from('acks0')), frame(Buffer.from('next'))]));
    // Replies leave in request order: one for the first request would have come before this one.
    await waitFor(() => c.received().length >= 8, 'a reply');
    assert.equal(c.received().length, 8);
    assert.equal(c.received().subarray(4).toString(), 'next');
    c.socket.destroy();
  });

  it('closes its listener and every connection on stop, and listens on the same port again on start', async () => {
    const handler: FrameHandler = async (f) => ({ kind: 'reply', frame: frame(f) });
    listener = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port: 0, maxFrameBytes: 1024, handler });
    const port = await listener.start();
    const a = await connect(port);
    const b = await connect(port);
    await waitFor(() => listener!.connectionCount === 2, 'two connections');
    await listener.stop();
    await Promise.all([a.closed, b.closed]);
    await assert.rejects(connect(port), /ECONNREFUSED/);
    assert.equal(await listener.start(), port);
    const c = await connect(port);
    c.socket.write(frame(Buffer.from('back')));
    await waitFor(() => c.received().length === 8, 'a reply after restart');
    c.socket.destroy();
  });
});

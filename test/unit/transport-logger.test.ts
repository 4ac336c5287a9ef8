import assert from 'node:assert/strict';
import net from 'node:net';
import { KafkaTransport } from '../../extension/core/transport/kafka-transport';

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('transport logging', () => {
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;

  async function withConsoleSpy(fn: () => Promise<void>): Promise<string[]> {
    const calls: string[] = [];
    const saved = consoleMethods.map((m) => console[m]);
    for (const m of consoleMethods) console[m] = (...args: unknown[]) => void calls.push(`${m}: ${args.join(' ')}`);
    try {
      await fn();
    } finally {
      consoleMethods.forEach((m, i) => (console[m] = saved[i]));
    }
    return calls;
  }

  it('writes nothing to the console when kafkajs fails to connect and no log is given', async () => {
    const port = await closedPort();
    const calls = await withConsoleSpy(async () => {
      const t = new KafkaTransport({ brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 500 });
      await assert.rejects(t.connect());
      await t.close();
    });
    assert.deepEqual(calls, []);
  });

  it("hands kafkajs's own log lines to the given log function, at debug level", async () => {
    const port = await closedPort();
    const lines: [string, string][] = [];
    const calls = await withConsoleSpy(async () => {
      const t = new KafkaTransport(
        { brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 500 },
        { log: (level, msg) => lines.push([level, msg]) },
      );
      await assert.rejects(t.connect());
      await t.close();
    });
    assert.deepEqual(calls, []);
    assert.ok(lines.length > 0);
    assert.ok(lines.every(([level]) => level === 'debug'));
    assert.ok(
      lines.some(([, msg]) => /^kafkajs Connection: .*ECONNREFUSED/.test(msg)),
      lines.map((l) => l[1]).join('\n'),
    );
  });
});

import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { requireTool } from '../tools';
import { kcat } from './kcat-helpers';
import { murmur2Partition } from './sandbox-helpers';

/**
 * librdkafka (through kcat, an apt package CI installs) is a second, independent client: it opens with an
 * ApiVersions v3 request, which the sandbox answers with the v0 UNSUPPORTED_VERSION reply, and it writes every
 * compression codec.
 */
describe('sandbox with librdkafka (kcat)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  const logs: string[] = [];
  before(async () => {
    requireTool('kcat', ['-V'], 'kcat');
    sandbox = await startSandbox(
      { port: 0, controlPort: 0, topics: [{ name: 'rdk', partitions: 4 }] },
      { log: (l) => logs.push(l) },
    );
  });
  after(() => sandbox?.stop());

  it('stores keyed records in none, gzip, snappy, lz4 and zstd on their murmur2 partitions and reads every one back once', async () => {
    const sent: string[] = [];
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const lines = Array.from({ length: 20 }, (_, i) => `${codec}-key-${i}:${codec} value ${i}`);
      sent.push(...lines);
      const r = await kcat(
        [
          '-b',
          sandbox.bootstrap,
          '-P',
          '-t',
          'rdk',
          '-K',
          ':',
          '-z',
          codec,
          '-X',
          'partitioner=murmur2_random',
          '-X',
          'acks=all',
        ],
        lines.join('\n') + '\n',
      );
      assert.equal(r.code, 0, `kcat -P -z ${codec}: ${r.err}`);
    }
    const c = await kcat(['-b', sandbox.bootstrap, '-C', '-t', 'rdk', '-e', '-q', '-f', '%p|%k|%s\\n']);
    assert.equal(c.code, 0, c.err);
    const got = c.out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|'));
    assert.equal(got.length, sent.length, 'exact count');
    assert.equal(new Set(got.map(([, k]) => k)).size, sent.length, 'no duplicates');
    for (const [partition, key, value] of got) {
      assert.ok(sent.includes(`${key}:${value}`), `${key}=${value} was sent`);
      assert.equal(Number(partition), murmur2Partition(key, 4), `${key} on its murmur2 partition`);
    }
    assert.deepEqual(
      logs.filter((l) => /closing connection/.test(l)),
      [],
      'no connection was closed',
    );
  });

  it('lists the brokers and topic partitions in metadata (kcat -L)', async () => {
    const r = await kcat(['-b', sandbox.bootstrap, '-L', '-t', 'rdk']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /3 brokers:/);
    for (const b of sandbox.brokers) assert.match(r.out, new RegExp(`broker ${b.id} at 127\\.0\\.0\\.1:${b.port}`));
    assert.match(r.out, /topic "rdk" with 4 partitions/);
  });
});

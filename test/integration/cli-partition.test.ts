import assert from 'node:assert/strict';
import { partitionCommand } from '../../extension/cli/commands/partition';
import type { CliIo } from '../../extension/cli/main';
import { runCli } from './cli-helpers';
import { JAVA_MURMUR2_VECTORS as JAVA_MURMUR2 } from '../fixtures/java-murmur2-vectors';

const cli = (...args: string[]) => runCli(args);

async function runInProcess(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: () => {}, verbose: false };
  return { code: await partitionCommand.run(argv, io), out };
}

// Placement is toPositive(hash) % partitions of the Java client's murmur2 hash.

describe('cli partition', () => {
  it('places every key where the Java client places it, for several partition counts', async () => {
    const keys = Object.keys(JAVA_MURMUR2);
    for (const n of [1, 3, 6, 7, 12, 100]) {
      const { code, out } = await runInProcess(['--partitions', String(n), ...keys]);
      assert.equal(code, 0);
      const expected = keys.map((k) => `${k}\t${(JAVA_MURMUR2[k] & 0x7fffffff) % n}`);
      assert.deepEqual(out, expected, `placement with ${n} partitions`);
    }
  });

  it('treats arguments after -- as keys even when they look like options, keeping their order', async () => {
    const { out } = await runInProcess(['--partitions', '3', '--', '--partitions', '0']);
    assert.deepEqual(
      out.map((l) => l.split('\t')[0]),
      ['--partitions', '0'],
    );
    assert.equal(out[1], `0\t${(971027396 & 0x7fffffff) % 3}`);
  });

  it('prints KEY<TAB>PARTITION lines from the real binary and exits 0', async () => {
    const r = await cli('partition', '--partitions', '6', '--', 'user-1', '-x');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^user-1\t[0-5]$/);
    assert.match(lines[1], /^-x\t[0-5]$/);
  });

  it('exits 2 with one stderr line and no stack when --partitions is missing or not a number', async () => {
    for (const args of [
      ['partition', 'k'],
      ['partition', '--partitions', 'abc', 'k'],
      ['partition', '--partitions', '0', 'k'],
      ['partition', '--partitions', '3'],
    ]) {
      const r = await cli(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^kafka-workbench partition: .*(--partitions|keys)/);
    }
  });
});

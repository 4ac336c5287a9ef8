import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { releaseSoon, startReading } from '../../extension/core/util/files';

describe('util: reading files whole', () => {
  it('reads a regular file in one go, with the stat taken before the read', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-files-'));
    try {
      const file = path.join(dir, 'big.json');
      const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 'ab');
      await fs.writeFile(file, bytes);
      const read = await startReading(file);
      assert.equal(read.stat.size, bytes.length);
      assert.ok((await read.bytes).equals(bytes));
      await assert.rejects(
        startReading(path.join(dir, 'missing.json')),
        (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("lets a buffer's own memory go at once, and leaves a buffer cut from the shared pool alone", () => {
    const own = Buffer.allocUnsafeSlow(1024 * 1024);
    releaseSoon(own);
    assert.equal(own.buffer.byteLength, 0, 'the memory moved out of the buffer');

    const pooled = Buffer.from('short text');
    releaseSoon(pooled);
    assert.equal(pooled.toString(), 'short text');
    assert.ok(pooled.buffer.byteLength > pooled.length, 'still the pool');
  });
});

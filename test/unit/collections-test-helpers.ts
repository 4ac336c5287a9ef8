/** Shared by the collections unit tests. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary directory for each test of the enclosing describe block, handed to `use`, removed after. */
export function tempDirEachTest(prefix: string, use: (dir: string) => void): void {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    use(dir);
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
}

export async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

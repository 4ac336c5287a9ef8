import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { requireTool } from '../tools';

const root = path.resolve(__dirname, '../..');

describe('tools the test suites need', () => {
  it('a suite needing a missing tool fails naming it and its apt package (TLS and kcat suites skipped quietly, so CI without openssl looked green)', () => {
    assert.throws(
      () => requireTool('kw-no-such-tool', ['--version'], 'kw-no-such-package'),
      /^Error: this suite needs 'kw-no-such-tool', which is not installed: apt-get install -y kw-no-such-package \(it is listed in scripts\/ci-apt-packages\.txt\)$/,
    );
    assert.doesNotThrow(() => requireTool(process.execPath, ['--version'], 'nodejs'));
  });

  it('CI installs every apt package a suite asks for (openssl was missing from scripts/ci-apt-packages.txt)', () => {
    // Its lines: package, command, what needs it, why; '#' starts a comment.
    const listed = fs
      .readFileSync(path.join(root, 'scripts/ci-apt-packages.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/)[0]);
    const files = fs
      .readdirSync(path.join(root, 'test'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'));
    const asked = new Set<string>();
    for (const f of files) {
      for (const m of fs
        .readFileSync(path.join(root, 'test', f), 'utf8')
        .matchAll(/requireTool\([^,()]+, \[[^\]]*\], '([^']+)'\)/g))
        asked.add(m[1]);
    }
    asked.delete('kw-no-such-package');
    asked.delete('nodejs');
    assert.deepEqual([...asked].sort(), ['chromium', 'kcat', 'openssl']);
    for (const apt of asked)
      assert.ok(listed.includes(apt), `${apt} is used by a suite but not in scripts/ci-apt-packages.txt`);
  });
});

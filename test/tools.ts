/**
 * Tools a test suite runs (openssl, kcat, chromium...): a suite that needs a missing one fails saying which and how
 * to install it, instead of skipping quietly (a skipped TLS suite looked like a passing one in CI).
 */
import { spawnSync } from 'node:child_process';

const checked = new Map<string, boolean>();

/** Throws unless `command args` runs; `apt` is the Debian package that provides it (scripts/ci-apt-packages.txt). */
export function requireTool(command: string, args: string[], apt: string): void {
  let ok = checked.get(command);
  if (ok === undefined) {
    ok = spawnSync(command, args, { stdio: 'ignore' }).status === 0;
    checked.set(command, ok);
  }
  if (!ok)
    throw new Error(
      `this suite needs '${command}', which is not installed: apt-get install -y ${apt} (it is listed in scripts/ci-apt-packages.txt)`,
    );
}

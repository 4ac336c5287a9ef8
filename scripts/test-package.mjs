// `npm test -- package`: what users install. Builds the .vsix (scripts/package.mjs), checks it stays under 2 MB,
// installs it into a fresh code-server profile with --install-extension and runs test/package/ inside that VS Code
// against the installed copy (not the working tree): it activates, connects to the sandbox and sends a record.
// Prints how long activate() took. Prints mocha-style `N passing` / `N failing`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureChromium, ensureCodeServer, root, workDir } from './code-server.mjs';
import { printOutcomes, runExtensionHostSuite } from './extension-host-tests.mjs';

const MAX_VSIX_BYTES = 2 * 1024 * 1024;
const ACTIVATION_TARGET_MS = 50;
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (m) => console.log(`[test:package ${elapsed()}] ${m}`);

try {
  ensureChromium();
  ensureCodeServer();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const vsix = path.join(root, `${manifest.name}-${manifest.version}.vsix`);
  fs.rmSync(vsix, { force: true });
  const packaged = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: root, encoding: 'utf8' });
  const outcomes = [];
  const check = (title, fn) => {
    try {
      fn();
      outcomes.push({ title, state: 'passed' });
    } catch (e) {
      outcomes.push({ title, state: 'failed', error: String(e?.stack ?? e) });
    }
  };
  check('npm run package builds the .vsix', () => {
    const tail = `${packaged.stdout}${packaged.stderr}`
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .slice(-6)
      .join('\n');
    if (packaged.status !== 0 || !fs.existsSync(vsix)) {
      throw new Error(`scripts/package.mjs failed (exit ${packaged.status}):\n${tail}`);
    }
  });
  if (fs.existsSync(vsix)) {
    const bytes = fs.statSync(vsix).size;
    log(`${path.basename(vsix)}: ${(bytes / 1024).toFixed(0)} KiB`);
    check(`the .vsix stays under ${MAX_VSIX_BYTES / 1024 / 1024} MB`, () => {
      const mb = (bytes / 1024 / 1024).toFixed(2);
      if (bytes >= MAX_VSIX_BYTES) throw new Error(`${path.basename(vsix)} is ${mb} MB: see what package.mjs stages`);
    });
    const activationFile = path.join(workDir, 'package-activation.json');
    fs.rmSync(activationFile, { force: true });
    const env = { KW_ACTIVATION_FILE: activationFile };
    outcomes.push(...(await runExtensionHostSuite({ name: 'package', suiteDir: 'test/package', vsix, env, log })));
    if (fs.existsSync(activationFile)) {
      const { activationMs, loadAndActivateMs } = JSON.parse(fs.readFileSync(activationFile, 'utf8'));
      log(
        `activate() of the installed extension took ${activationMs.toFixed(1)} ms (target: under ` +
          `${ACTIVATION_TARGET_MS} ms); with VS Code loading its bundle first, ${loadAndActivateMs.toFixed(1)} ms`,
      );
    }
  }
  process.exit(printOutcomes('Kafka Workbench installed from its .vsix', outcomes, elapsed()) ? 1 : 0);
} catch (e) {
  console.error(`test:package could not run: ${e?.stack ?? e}`);
  console.log('\n  0 passing\n  1 failing\n');
  process.exit(1);
}

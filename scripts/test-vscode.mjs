// `npm run test:vscode`: the extension-host tests, inside real VS Code (code-server 4.100.3, Node extension host),
// driven through Chromium. Builds, installs code-server if missing, compiles the tests, runs them, prints
// mocha-style `N passing` / `N failing` and exits non-zero on failure. Offline once code-server is installed.
// Two sessions: test/extension/ in a trusted workspace, then test/extension-restricted/ in a workspace VS Code does
// not trust (Restricted Mode), which needs workspace trust switched on.
import { spawnSync } from 'node:child_process';
import { ensureChromium, ensureCodeServer, root } from './code-server.mjs';
import { printOutcomes, runExtensionHostSuite } from './extension-host-tests.mjs';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (m) => console.log(`[test:vscode ${elapsed()}] ${m}`);

function fail(message) {
  console.error(message);
  console.log('\n  0 passing\n  1 failing\n');
  process.exit(1);
}

try {
  ensureChromium();
  ensureCodeServer();
  if (!process.env.KW_SKIP_BUILD) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) fail('build failed');
  }
  const outcomes = [
    ...(await runExtensionHostSuite({ name: 'trusted', suiteDir: 'test/extension', trusted: true, log })),
    ...(await runExtensionHostSuite({
      name: 'restricted',
      suiteDir: 'test/extension-restricted',
      trusted: false,
      log,
    })),
  ];
  process.exit(printOutcomes('Kafka Workbench extension host tests', outcomes, elapsed()) ? 1 : 0);
} catch (e) {
  fail(`test:vscode could not run: ${e?.stack ?? e}`);
}

// `npm run test:vscode`: the extension-host tests, inside real VS Code (code-server 4.100.3, Node extension host),
// driven through Chromium. Builds, installs code-server if missing, compiles test/extension/*.ts, runs them, prints
// mocha-style `N passing` / `N failing` and exits non-zero on failure. Offline once code-server is installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromiumArgs, ensureChromium, ensureCodeServer, root, startCodeServer, workbenchUrl, workDir } from './code-server.mjs';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (m) => console.log(`[test:vscode ${elapsed()}] ${m}`);

function fail(message) {
  console.error(message);
  console.log('\n  0 passing\n  1 failing\n');
  process.exit(1);
}

let server;
try {
  ensureChromium();
  ensureCodeServer();
  if (!process.env.KW_SKIP_BUILD) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) fail('build failed');
  }
  const testsDir = path.join(workDir, 'ext-tests');
  fs.rmSync(testsDir, { recursive: true, force: true });
  const entries = fs.readdirSync(path.join(root, 'test/extension')).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, 'test/extension', f));
  await esbuild.build({
    entryPoints: entries, outdir: testsDir, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning',
  });

  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-vscode-'));
  const resultsFile = path.join(runDir, 'results.json');
  const folder = path.join(runDir, 'workspace');
  server = await startCodeServer({
    profileDir: path.join(runDir, 'profile'), folder,
    env: { KW_TEST_RESULTS: resultsFile, KW_MOCHA_PATH: path.join(root, 'node_modules/mocha'), ...(process.env.KW_TEST_GREP ? { KW_TEST_GREP: process.env.KW_TEST_GREP } : {}) },
  });
  log(`code-server up at ${server.url}`);

  const { chromium } = await import('playwright-core');
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-chrome-'));
  const browser = await chromium.launchPersistentContext(udd, { executablePath: ensureChromium(), headless: true, viewport: { width: 1280, height: 800 }, args: chromiumArgs });
  const page = browser.pages()[0] ?? (await browser.newPage());
  let exitCode;
  const done = new Promise((resolve) => { exitCode = resolve; });
  await page.exposeFunction('codeAutomationLog', (type, args) => { if (process.env.VERBOSE) console.log('[ext host]', ...(args ?? [])); });
  await page.exposeFunction('codeAutomationExit', (code) => exitCode(code));
  await page.goto(workbenchUrl(server.url, { folder, testsPath: path.join(testsDir, 'index.js') }));
  const timeoutMs = Number(process.env.TEST_TIMEOUT_MS || 300_000);
  const code = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
  if (code === 'timeout') {
    fs.mkdirSync(path.join(root, 'test-results/screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'test-results/screenshots/vscode-timeout.png') }).catch(() => {});
  }
  await browser.close().catch(() => {});
  fs.rmSync(udd, { recursive: true, force: true });

  const outcomes = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : [];
  console.log('\n  Kafka Workbench extension host tests');
  outcomes.forEach((o, i) => console.log(o.state === 'passed' ? `    ✔ ${o.title}` : `    ${i + 1}) ${o.title}\n${o.error.split('\n').slice(0, 8).map((l) => `        ${l}`).join('\n')}`));
  const passing = outcomes.filter((o) => o.state === 'passed').length;
  let failing = outcomes.filter((o) => o.state === 'failed').length;
  if (code !== 0 && failing === 0) {
    console.error(`the extension host ended with ${code} before reporting a failure; see ${server.logFile}`);
    failing = 1;
  }
  console.log(`\n  ${passing} passing (${elapsed()})`);
  if (failing) console.log(`  ${failing} failing`);
  await server.stop();
  if (failing === 0) fs.rmSync(runDir, { recursive: true, force: true });
  process.exit(failing ? 1 : 0);
} catch (e) {
  await server?.stop();
  fail(`test:vscode could not run: ${e?.stack ?? e}`);
}

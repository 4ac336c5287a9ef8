// Runs a folder of mocha tests inside a real VS Code extension host (code-server 4.100.3, Node extension host),
// driven through Chromium: test/extension/index.ts loads the compiled tests and writes each outcome to a file.
// Used by test-vscode.mjs (the extension from the working tree) and test-package.mjs (the extension installed from
// its .vsix).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import {
  chromiumArgs,
  ensureChromium,
  installVsix,
  root,
  startCodeServer,
  workbenchUrl,
  workDir,
} from './code-server.mjs';

/** Compiles the suite's test files and the shared mocha entry (test/extension/index.ts) into `outDir`. */
async function compileSuite(suiteDir, outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  // Named entries: every output lands flat in outDir, where index.js looks for *.test.js.
  const entryPoints = { index: path.join(root, 'test/extension/index.ts') };
  for (const f of fs.readdirSync(path.join(root, suiteDir)).filter((f) => f.endsWith('.ts')))
    entryPoints[f.replace(/\.ts$/, '')] = path.join(root, suiteDir, f);
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

/**
 * Runs one suite in a fresh code-server profile and browser; returns its outcomes ({ title, state, error }).
 * `trusted: false` opens the workspace in Restricted Mode. With `vsix`, the extension is installed from that file
 * (code-server --install-extension) and the working tree is not loaded; the tests get its folder in
 * KW_INSTALLED_EXTENSION. `env` reaches the extension host.
 */
export async function runExtensionHostSuite({ name, suiteDir, trusted = true, vsix, env = {}, log = console.log }) {
  const testsDir = path.join(workDir, `ext-tests-${name}`);
  await compileSuite(suiteDir, testsDir);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-vscode-'));
  const resultsFile = path.join(runDir, 'results.json');
  const folder = path.join(runDir, 'workspace');
  const profileDir = path.join(runDir, 'profile');
  const installed = vsix ? installVsix(vsix, profileDir) : undefined;
  // Untrusted: workspace trust on, no startup prompt (nothing to click in a headless run); a fresh profile trusts nothing.
  const trust = trusted
    ? {}
    : {
        settings: {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
          'security.workspace.trust.banner': 'never',
        },
        workspaceTrust: true,
      };
  const server = await startCodeServer({
    profileDir,
    folder,
    ...trust,
    env: {
      KW_TEST_RESULTS: resultsFile,
      KW_MOCHA_PATH: path.join(root, 'node_modules/mocha'),
      ...(installed ? { KW_INSTALLED_EXTENSION: installed } : {}),
      ...(process.env.KW_TEST_GREP ? { KW_TEST_GREP: process.env.KW_TEST_GREP } : {}),
      ...env,
    },
  });
  try {
    log(`${name}: code-server up at ${server.url}`);
    const { chromium } = await import('playwright-core');
    const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-chrome-'));
    const browser = await chromium.launchPersistentContext(udd, {
      executablePath: ensureChromium(),
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: chromiumArgs,
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    let exitCode;
    const done = new Promise((resolve) => {
      exitCode = resolve;
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      if (process.env.VERBOSE) console.log('[ext host]', ...(args ?? []));
    });
    await page.exposeFunction('codeAutomationExit', (code) => exitCode(code));
    // The installed extension is tested alone: the development path is the tests' folder, which holds no extension.
    await page.goto(
      workbenchUrl(server.url, {
        folder,
        extPath: installed ? testsDir : root,
        testsPath: path.join(testsDir, 'index.js'),
      }),
    );
    const timeoutMs = Number(process.env.TEST_TIMEOUT_MS || 300_000);
    const code = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
    if (code === 'timeout') {
      fs.mkdirSync(path.join(root, 'test-results/screenshots'), { recursive: true });
      await page
        .screenshot({ path: path.join(root, `test-results/screenshots/vscode-${name}-timeout.png`) })
        .catch(() => {});
    }
    await browser.close().catch(() => {});
    fs.rmSync(udd, { recursive: true, force: true });
    const outcomes = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : [];
    const failed = outcomes.some((o) => o.state === 'failed');
    if (code !== 0 && !failed) {
      console.error(`${name}: the extension host ended with ${code} before reporting a failure; see ${server.logFile}`);
      outcomes.push({
        title: `${name}: the extension host ended with ${code}`,
        state: 'failed',
        error: `see ${server.logFile}`,
      });
    }
    if (!outcomes.some((o) => o.state === 'failed')) fs.rmSync(runDir, { recursive: true, force: true });
    return outcomes;
  } finally {
    await server.stop();
  }
}

/** Prints outcomes as mocha does (`N passing`, `N failing`, which test-runner scripts count); returns the failures. */
export function printOutcomes(heading, outcomes, elapsed) {
  console.log(`\n  ${heading}`);
  outcomes.forEach((o, i) =>
    console.log(
      o.state === 'passed'
        ? `    ✔ ${o.title}`
        : `    ${i + 1}) ${o.title}\n${o.error
            .split('\n')
            .slice(0, 8)
            .map((l) => `        ${l}`)
            .join('\n')}`,
    ),
  );
  const passing = outcomes.filter((o) => o.state === 'passed').length;
  const failing = outcomes.filter((o) => o.state === 'failed').length;
  console.log(`\n  ${passing} passing (${elapsed})`);
  if (failing) console.log(`  ${failing} failing`);
  return failing;
}

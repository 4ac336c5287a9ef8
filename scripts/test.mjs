// Runs every test suite that exists, in order, and ends with the line CI reads: `N passed, N failed`.
// A suite is a command whose output carries mocha's "N passing" / "N failing" summary. First it installs the Debian
// packages the chosen suites need (scripts/system-packages.mjs), or says how to and stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { codeServerInstalled } from './code-server.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2); // e.g. `npm test -- unit integration`

const hasTests = (dir) =>
  fs.existsSync(path.join(root, dir)) &&
  fs.readdirSync(path.join(root, dir), { recursive: true }).some((f) => String(f).endsWith('.test.ts'));

const suites = [
  { name: 'typecheck', run: ['npx', ['tsc', '-p', '.', '--noEmit']], counts: false },
  {
    name: 'typecheck-webview',
    when: () => fs.existsSync(path.join(root, 'webview/tsconfig.json')),
    run: ['npx', ['tsc', '-p', 'webview', '--noEmit']],
    counts: false,
  },
  { name: 'lint', run: ['npm', ['run', '--silent', 'lint']], counts: false },
  { name: 'format', run: ['npm', ['run', '--silent', 'format:check']], counts: false },
  { name: 'build', run: ['node', ['scripts/build.mjs']], counts: false },
  { name: 'unit', when: () => hasTests('test/unit'), run: ['npx', ['mocha', 'test/unit/**/*.test.ts']] },
  {
    name: 'integration',
    when: () => hasTests('test/integration'),
    run: ['npx', ['mocha', '--timeout', '60000', 'test/integration/**/*.test.ts']],
    needs: ['integration'],
  },
  {
    name: 'vscode',
    when: () => fs.existsSync(path.join(root, 'scripts/test-vscode.mjs')),
    run: ['node', ['scripts/test-vscode.mjs']],
    needs: ['browser', 'code-server'],
  },
  {
    name: 'ui',
    when: () => fs.existsSync(path.join(root, 'test/e2e/ui.mjs')),
    run: ['node', ['test/e2e/ui.mjs']],
    needs: ['browser', 'code-server'],
  },
  {
    name: 'ui-viewer',
    when: () => fs.existsSync(path.join(root, 'test/e2e/topic-viewer-ui.mjs')),
    run: ['node', ['test/e2e/topic-viewer-ui.mjs']],
    needs: ['browser', 'code-server'],
  },
  {
    name: 'ui-visual',
    when: () => fs.existsSync(path.join(root, 'test/e2e/ui-visual.mjs')),
    run: ['node', ['test/e2e/ui-visual.mjs']],
    needs: ['browser', 'code-server'],
  },
  { name: 'package', run: ['node', ['scripts/test-package.mjs']], needs: ['browser', 'code-server'] },
];
const chosen = suites.filter((s) => (!only.length || only.includes(s.name)) && (!s.when || s.when()));

function runSuite(suite) {
  return new Promise((resolve) => {
    const [cmd, args] = suite.run;
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
    });
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      out += d;
    });
    child.on('close', (code) => {
      const passing = [...out.matchAll(/^\s*(\d+) passing/gm)].reduce((n, m) => n + Number(m[1]), 0);
      const failing = [...out.matchAll(/^\s*(\d+) failing/gm)].reduce((n, m) => n + Number(m[1]), 0);
      resolve({ code: code ?? 1, passing, failing });
    });
  });
}

// One apt-get run for every suite, before any of them. code-server's build packages only matter until it is installed.
const needs = new Set(chosen.flatMap((s) => s.needs ?? []));
if (codeServerInstalled()) needs.delete('code-server');
try {
  ensureSystemPackages([...needs]);
} catch (e) {
  console.error(String(e?.message ?? e));
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

let passed = 0;
let failed = 0;
const broken = [];
for (const suite of chosen) {
  console.log(`\n=== ${suite.name} ===`);
  const r = await runSuite(suite);
  passed += r.passing;
  failed += r.failing;
  // A suite that exits non-zero without reporting a failing test (a crash, a type error) counts as one failure.
  if (r.code !== 0) {
    broken.push(suite.name);
    if (r.failing === 0) failed += 1;
  }
}
if (broken.length) console.log(`\nsuites with errors: ${broken.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && broken.length === 0 ? 0 : 1);

// `npm run test:fresh-machine`: the README's two commands on a machine as close to fresh as this one allows. In a
// fresh clone of the last commit, with a throwaway HOME (no ~/.npmrc, an empty npm cache) and TMPDIR, no .e2e-work
// (code-server is installed anew), and a PATH on which the commands of every package in scripts/ci-apt-packages.txt
// are missing, it checks that:
//   - as a user other than root, `npm start` and `npm test` stop with the exact command to run;
//   - as root, `npm ci && npm start` says which Debian packages it installs and why, installs them and code-server,
//     and serves the workbench with the Kafka view connected to its sandbox (Chromium loads it);
//   - then `npm test` installs the rest, says so first, and passes with nothing skipped.
// PATH is a folder of links to the standard PATH's programs minus the hidden ones. Its `apt-get` runs the real one
// (with --no-upgrade, so this machine's packages are left as they are) and then links the installed packages'
// programs into the folder, as a real install would put them on PATH. What PATH cannot hide stays visible (headers
// and libraries such as libkrb5-dev's). Needs root on Debian; takes 10-15 minutes. Prints each step's time.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumArgs, ensureChromium } from './code-server.mjs';
import { isDebian, parsePackageList } from './system-packages.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const STANDARD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NOBODY = 65534;
const t0 = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const log = (m) => console.log(`[fresh-machine ${seconds(t0)}] ${m}`);
const results = [];
const timings = [];

async function check(title, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ title, ok: true });
    log(`✔ ${title} (${seconds(started)})`);
  } catch (error) {
    results.push({ title, ok: false, error });
    log(
      `✘ ${title}: ${String(error?.message ?? error)
        .split('\n')
        .slice(0, 30)
        .join('\n    ')}`,
    );
  }
}

/**
 * Starts `command args` in `cwd` with exactly `env`, in its own process group (so a signal reaches every process it
 * starts, as Ctrl+C in a terminal does). `done` resolves { code, out } (stdout and stderr as they came);
 * `waitFor(re, ms)` resolves the first match of `re` in the output so far.
 */
function run(command, args, { cwd, env, uid, gid }) {
  const child = spawn(command, args, { cwd, env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const watchers = new Set();
  const take = (d) => {
    out += d;
    for (const w of watchers) w();
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? signal, out })));
  const waitFor = (re, ms) =>
    new Promise((resolve, reject) => {
      const stop = (fn, value) => {
        watchers.delete(w);
        clearTimeout(timer);
        fn(value);
      };
      const w = () => {
        const m = re.exec(out);
        if (m) stop(resolve, m);
      };
      const fail = (why) => stop(reject, new Error(`${why}:\n${out.slice(-3000)}`));
      const timer = setTimeout(() => fail(`no ${re} in the output within ${ms / 1000} s`), ms);
      watchers.add(w);
      w();
      void done.then(({ code }) => fail(`ended (${code}) before printing ${re}`));
    });
  return { child, done, waitFor };
}

/** Ctrl+C to a process group started by run(): resolves its end, or kills the group if it has not ended in 30 s. */
async function ctrlC({ child, done }) {
  try {
    process.kill(-child.pid, 'SIGINT');
  } catch {
    /* ended */
  }
  let timer;
  const ended = await Promise.race([
    done,
    new Promise((r) => {
      timer = setTimeout(r, 30_000);
    }),
  ]);
  clearTimeout(timer);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* ended */
  }
  return ended ?? done;
}

const must = (cond, message) => {
  if (!cond) throw new Error(message);
};
/** The `apt-get install` command lines run so far, as the PATH's apt-get logged them. */
const aptInstalls = () =>
  fs
    .readFileSync(aptCalls, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('apt-get install'));
const installedOnce = (installs, names) =>
  must(
    installs.length === 1 && names.every((p) => installs[0].split(' ').includes(p)),
    `expected one apt-get install of ${names.join(' ')}; got: ${installs.join(' | ')}`,
  );
/** Whether the output lists `name` with its reason, as ensureSystemPackages() does before installing. */
const saysWhy = (out, name) => new RegExp(`^\\[setup\\] +${name.replace(/[+.]/g, '\\$&')} +\\S`, 'm').test(out);
const before = (out, first, second) => {
  const a = out.indexOf(first);
  const b = out.indexOf(second);
  must(a >= 0, `the output does not say "${first}"`);
  must(b < 0 || a < b, `"${first}" comes after "${second}"`);
};

if (process.getuid?.() !== 0 || !isDebian(fs.readFileSync('/etc/os-release', 'utf8'))) {
  console.error('test:fresh-machine installs Debian packages and runs as another user: run it as root on Debian');
  process.exit(2);
}
const git = (args, cwd = root) => spawnSync('git', args, { cwd, encoding: 'utf8' });
const dirty = git(['status', '--porcelain', '--untracked-files=no']).stdout.trim();
if (dirty) log('note: the working tree has uncommitted changes; the fresh clone has the last commit only');

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-fresh-'));
fs.chmodSync(base, 0o755); // the user `nobody` reads the clone
const repo = path.join(base, 'repo');
const shim = path.join(base, 'bin');
const aptCalls = path.join(base, 'apt-get-calls.log');
log(`working in ${base}`);

// 1. A fresh clone of the last commit.
const head = git(['rev-parse', 'HEAD']).stdout.trim();
const clone = [
  ['clone', '--quiet', '--no-checkout', root, repo],
  ['-C', repo, 'checkout', '--quiet', '--detach', head],
];
for (const args of clone) {
  const r = git(args);
  if (r.status !== 0) {
    console.error(`git ${args.join(' ')} failed:\n${r.stderr}`);
    process.exit(2);
  }
}
const packages = parsePackageList(fs.readFileSync(path.join(repo, 'scripts/ci-apt-packages.txt'), 'utf8'));

// 2. PATH without the packages' programs: every program a package ships in a bin folder, and its listed command.
const binFiles = (pkg) =>
  (spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((f) => /^\/(usr\/)?s?bin\/[^/]+$/.test(f));
const hidden = new Set(packages.flatMap((p) => [p.command, ...binFiles(p.name).map((f) => path.basename(f))]));
fs.mkdirSync(shim);
for (const dir of STANDARD_PATH.split(':')) {
  if (!fs.existsSync(dir)) continue;
  for (const name of fs.readdirSync(dir)) {
    const target = path.join(dir, name);
    if (hidden.has(name) || fs.existsSync(path.join(shim, name))) continue;
    try {
      if (fs.statSync(target).isFile()) fs.symlinkSync(target, path.join(shim, name));
    } catch {
      /* a dangling link */
    }
  }
}
// A package's listed command may come from one of its dependencies (python3's from python3-minimal): it comes back too.
const whereIs = (command) =>
  STANDARD_PATH.split(':')
    .map((d) => path.join(d, command))
    .find((f) => fs.existsSync(f));
const listedCommands = packages
  .filter((p) => whereIs(p.command))
  .map((p) => `    '${p.name}') /usr/bin/ln -sf '${whereIs(p.command)}' '${shim}/' ;;`);
fs.rmSync(path.join(shim, 'apt-get'), { force: true });
fs.writeFileSync(
  path.join(shim, 'apt-get'),
  `#!/bin/sh
# The fresh-machine test's apt-get: the real one, then the installed packages' programs appear on PATH.
echo "apt-get $*" >> '${aptCalls}'
if [ "$1" = install ]; then set -- "$@" --no-upgrade; fi
PATH='${STANDARD_PATH}' /usr/bin/apt-get "$@" || exit $?
if [ "$1" = install ]; then
  for p in "$@"; do
    case "$p" in -*|install) continue ;; esac
    /usr/bin/dpkg -L "$p" | /usr/bin/grep -E '^/(usr/)?s?bin/[^/]+$' |
      while read -r f; do /usr/bin/ln -sf "$f" '${shim}/'; done
    case "$p" in
${listedCommands.join('\n')}
    esac
  done
fi
`,
  { mode: 0o755 },
);
const stillVisible = [...hidden].filter((c) => fs.existsSync(path.join(shim, c)));
if (stillVisible.length) {
  console.error(`could not hide ${stillVisible.join(', ')}`);
  process.exit(2);
}
log(`hidden from PATH: ${[...hidden].sort().join(' ')}`);

// 3. A fresh environment: only what describes the machine (locale, proxies, certificates) is kept.
const MACHINE_VARIABLES = /^(LANG|LC_ALL|TERM|https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR))$/i;
const machine = Object.fromEntries(Object.entries(process.env).filter(([k]) => MACHINE_VARIABLES.test(k)));
const freshEnv = (home) => {
  fs.mkdirSync(home, { recursive: true });
  const tmp = path.join(home, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  return { ...machine, HOME: home, TMPDIR: tmp, PATH: shim, USER: 'root', LOGNAME: 'root' };
};
const env = freshEnv(path.join(base, 'home'));

const codeServerPackages = packages.filter((p) => p.neededFor === 'code-server').map((p) => p.name);
const testPackages = packages.filter((p) => p.neededFor !== 'code-server').map((p) => p.name);

await check('as another user, npm start and npm test print the exact apt-get command and exit non-zero', async () => {
  const home = path.join(base, 'nobody-home');
  const nobodyEnv = { ...freshEnv(home), USER: 'nobody', LOGNAME: 'nobody' };
  fs.chownSync(home, NOBODY, NOBODY);
  fs.chownSync(nobodyEnv.TMPDIR, NOBODY, NOBODY);
  for (const [script, names] of [
    ['start', codeServerPackages],
    ['test', [...testPackages, ...codeServerPackages]],
  ]) {
    const r = await run('npm', [script], { cwd: repo, env: nobodyEnv, uid: NOBODY, gid: NOBODY }).done;
    must(r.code !== 0, `npm ${script} as nobody exited 0:\n${r.out}`);
    must(r.out.includes('Installing them needs root'), `npm ${script} as nobody does not say it needs root:\n${r.out}`);
    const command = /sudo apt-get update && sudo apt-get install -y (.*)/.exec(r.out);
    must(command, `npm ${script} as nobody prints no apt-get command:\n${r.out}`);
    must(
      command[1].split(' ').sort().join(' ') === [...names].sort().join(' '),
      `npm ${script} asks for "${command[1]}", expected ${names.join(' ')}`,
    );
  }
  must(!fs.existsSync(aptCalls), 'nothing was installed');
});

await check('npm ci installs the dependencies with an empty npm cache and no ~/.npmrc', async () => {
  const started = Date.now();
  const r = await run('npm', ['ci'], { cwd: repo, env }).done;
  timings.push(['npm ci', seconds(started)]);
  must(r.code === 0, `npm ci exited ${r.code}:\n${r.out.slice(-3000)}`);
});

await check(
  'npm start installs what code-server needs, saying what and why first, and serves the workbench ' +
    'connected to its sandbox',
  async () => {
    const started = Date.now();
    const npmStart = run('npm', ['start', '--', '--port', '0'], { cwd: repo, env });
    let stopped;
    try {
      const [, url] = await npmStart.waitFor(/Open in a browser:\s+(\S+)/, 30 * 60_000);
      timings.push(['npm start (until the workbench is served)', seconds(started)]);
      const { chromium } = await import('playwright-core');
      const udd = fs.mkdtempSync(path.join(base, 'chrome-'));
      const browser = await chromium.launchPersistentContext(udd, {
        executablePath: ensureChromium(),
        headless: true,
        viewport: { width: 1400, height: 900 },
        args: chromiumArgs,
      });
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        const shot = path.join(root, 'test-results/screenshots/fresh-machine-npm-start.png');
        fs.mkdirSync(path.dirname(shot), { recursive: true });
        try {
          // Opening the Kafka view activates the extension, which attaches to npm start's sandbox.
          await page.goto(url);
          await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().click({ timeout: 120_000 });
          await page.locator('.monaco-list-row', { hasText: 'Broker 1' }).first().waitFor({ timeout: 60_000 });
          await page.locator('.statusbar-item', { hasText: 'Kafka: Local sandbox' }).waitFor({ timeout: 10_000 });
          await page.screenshot({ path: shot });
        } catch (e) {
          await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
          throw e;
        }
      } finally {
        await browser.close();
      }
      // Ctrl+C stops code-server (its own process group) and the sandbox.
      stopped = await ctrlC(npmStart);
      const alive = await fetch(new URL('/healthz', url)).then(
        () => true,
        () => false,
      );
      must(!alive, `code-server still answers on ${new URL(url).origin} after Ctrl+C`);
    } finally {
      if (!stopped) await ctrlC(npmStart);
    }
    const out = stopped.out;
    for (const name of codeServerPackages) must(saysWhy(out, name), `npm start does not say why it installs ${name}`);
    before(out, 'Installing them now with: apt-get update && apt-get install -y', '[setup] installed');
    before(out, '[setup] installed', '[code-server] installing code-server');
    before(out, '[code-server] installing code-server', '[code-server] installed');
    installedOnce(aptInstalls(), codeServerPackages);
  },
);

await check('npm test installs the rest, saying what and why first, and passes with nothing skipped', async () => {
  const started = Date.now();
  const installsBefore = aptInstalls().length;
  const r = await run('npm', ['test'], { cwd: repo, env }).done;
  timings.push(['npm test', seconds(started)]);
  fs.writeFileSync(path.join(base, 'npm-test.log'), r.out);
  const last = r.out.trim().split('\n').at(-1);
  must(r.code === 0, `npm test exited ${r.code}; its last line: "${last}"; output in ${base}/npm-test.log`);
  must(/^[1-9]\d* passed, 0 failed$/.test(last), `npm test ends with "${last}"`);
  must(!/^\s*\d+ pending/m.test(r.out), 'some tests were skipped (pending): a package they need is missing');
  for (const name of testPackages) must(saysWhy(r.out, name), `npm test does not say why it installs ${name}`);
  before(r.out, '[setup] installed', '=== typecheck ===');
  installedOnce(aptInstalls().slice(installsBefore), testPackages);
  log(`npm test: ${last}`);
});

console.log('\n  Kafka Workbench on a fresh machine');
for (const [i, r] of results.entries()) console.log(r.ok ? `    ✔ ${r.title}` : `    ${i + 1}) ${r.title}`);
console.log(`\n  timings: ${timings.map(([what, t]) => `${what} ${t}`).join(', ')}; total ${seconds(t0)}`);
const failing = results.filter((r) => !r.ok).length;
console.log(`\n  ${results.length - failing} passing\n${failing ? `  ${failing} failing\n` : ''}`);
if (failing) console.log(`  kept ${base} to look at`);
else fs.rmSync(base, { recursive: true, force: true });
process.exit(failing ? 1 : 0);

// The one place that checks and installs the Debian packages listed in scripts/ci-apt-packages.txt. `npm start`
// and `npm test` call ensureSystemPackages() before anything else, so on a fresh Debian machine with only Node and
// npm they install what is missing (as root, saying what and why first); anywhere else they print the exact command
// to run and stop. A package counts as present when its command is on PATH: that is what the scripts and tests use.
// Run directly: `node scripts/system-packages.mjs [NEEDED_FOR...]` checks (and installs) them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const PACKAGE_LIST = path.join(root, 'scripts/ci-apt-packages.txt');
const NEEDED_FOR = ['browser', 'code-server', 'integration'];

/**
 * Parses the package list: one `package command needed-for why...` line per package; `#` starts a comment.
 * Throws, naming the file and line, on a line that does not have those four parts.
 */
export function parsePackageList(text, file = PACKAGE_LIST) {
  const packages = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const [name, command, neededFor, ...why] = line.split(/\s+/);
    if (!why.length || !NEEDED_FOR.includes(neededFor)) {
      throw new Error(
        `${file}:${i + 1}: expected "package command needed-for why", where needed-for is one of ` +
          `${NEEDED_FOR.join(', ')}; got "${line}"`,
      );
    }
    packages.push({ name, command, neededFor, why: why.join(' ') });
  });
  return packages;
}

export function readPackageList() {
  return parsePackageList(fs.readFileSync(PACKAGE_LIST, 'utf8'));
}

/** The absolute path of an executable `command` on `pathVar` (like `command -v`), or null. */
export function findOnPath(command, pathVar = process.env.PATH ?? '') {
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Where the command of `pkg` is, or null. CHROMIUM_PATH, when set, says where chromium is. */
export function locate(pkg) {
  if (pkg.command === 'chromium' && process.env.CHROMIUM_PATH) {
    return fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  }
  return findOnPath(pkg.command);
}

/** The packages needed for any of `neededFor` whose command is not on PATH. */
export function missingPackages(neededFor, packages = readPackageList()) {
  return packages.filter((p) => neededFor.includes(p.neededFor) && !locate(p));
}

/** Whether /etc/os-release (its text) describes Debian or a system derived from it, which has apt-get. */
export function isDebian(osReleaseText) {
  const field = (name) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(osReleaseText ?? '')?.[1] ?? '';
  return field('ID') === 'debian' || field('ID_LIKE').split(/\s+/).includes('debian');
}

/**
 * What to do about `missing` packages: install them (root on Debian), or refuse with the exact command to run.
 * Pure: returns { action: 'install' | 'refuse', command, message }.
 */
export function installPlan({ missing, isRoot, osReleaseText }) {
  const names = missing.map((p) => p.name).join(' ');
  const width = Math.max(...missing.map((p) => p.name.length));
  const list = missing.map((p) => `  ${p.name.padEnd(width)}  ${p.why}`).join('\n');
  const what = missing.length === 1 ? 'a Debian package that is' : `${missing.length} Debian packages that are`;
  const header = `Kafka Workbench needs ${what} missing here:\n${list}`;
  if (!isDebian(osReleaseText)) {
    const commands = missing.map((p) => p.command).join(', ');
    return {
      action: 'refuse',
      command: `apt-get update && apt-get install -y ${names}`,
      message:
        `${header}\nThis is not Debian, so they are not installed for you: install your system's equivalents ` +
        `so that these commands are on PATH: ${commands}. On Debian the command is:\n\n` +
        `    apt-get update && apt-get install -y ${names}\n`,
    };
  }
  if (!isRoot) {
    const command = `sudo apt-get update && sudo apt-get install -y ${names}`;
    const message =
      `${header}\nInstalling them needs root. Run this, then run the same npm command again:\n\n` + `    ${command}\n`;
    return { action: 'refuse', command, message };
  }
  const command = `apt-get update && apt-get install -y ${names}`;
  return { action: 'install', command, message: `${header}\nInstalling them now with: ${command}` };
}

const log = (msg) =>
  console.log(
    msg
      .split('\n')
      .map((l) => `[setup] ${l}`)
      .join('\n'),
  );
const readOsRelease = () => {
  try {
    return fs.readFileSync('/etc/os-release', 'utf8');
  } catch {
    return '';
  }
};

/**
 * Makes sure the packages needed for `neededFor` are installed: returns quietly when they are, installs them with
 * apt-get as root on Debian (after saying which and why), and otherwise throws an error carrying the command to run.
 */
export function ensureSystemPackages(neededFor) {
  const missing = missingPackages(neededFor);
  if (!missing.length) return;
  const plan = installPlan({ missing, isRoot: process.getuid?.() === 0, osReleaseText: readOsRelease() });
  if (plan.action === 'refuse') throw Object.assign(new Error(plan.message), { command: plan.command });
  log(plan.message);
  const t0 = Date.now();
  const logFile = path.join(os.tmpdir(), `kafka-workbench-apt-get-${process.pid}.log`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', ...missing.map((p) => p.name)],
  ]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
    fs.appendFileSync(logFile, `$ apt-get ${args.join(' ')}\n${output}\n`);
    if (r.status !== 0) {
      throw new Error(
        `apt-get ${args.join(' ')} failed (exit ${r.status ?? r.error}); its output is in ${logFile}:\n` +
          output.trim().split('\n').slice(-15).join('\n'),
      );
    }
  }
  const stillMissing = missingPackages(neededFor);
  if (stillMissing.length) {
    throw new Error(
      `apt-get installed ${missing.map((p) => p.name).join(' ')}, but these commands are still not on ` +
        `PATH (${process.env.PATH}): ${stillMissing.map((p) => p.command).join(', ')}; see ${logFile}`,
    );
  }
  fs.rmSync(logFile, { force: true });
  log(`installed ${missing.map((p) => p.name).join(', ')} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : NEEDED_FOR;
  try {
    ensureSystemPackages(wanted);
    console.log(`[setup] every package needed for ${wanted.join(', ')} is installed`);
  } catch (e) {
    console.error(String(e?.message ?? e));
    process.exit(1);
  }
}

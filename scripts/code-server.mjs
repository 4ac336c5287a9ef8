// Installs code-server (pinned; it bundles VS Code 1.100.3 with a Node extension host) into .e2e-work/, and starts
// it on 127.0.0.1 with isolated profile folders. Used by start.mjs, the VS Code, package and UI tests.
// Run directly: `node scripts/code-server.mjs install` (prints how long a cold install took).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureSystemPackages, findOnPath, locate, readPackageList } from './system-packages.mjs';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const CODE_SERVER_VERSION = '4.100.3';
/** The @vscode/ripgrep version in code-server 4.100.3's shrinkwrap; its postinstall looks in this cache first. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
export const workDir = path.join(root, '.e2e-work');
const installDir = path.join(workDir, `code-server-${CODE_SERVER_VERSION}`);
const entry = path.join(installDir, 'node_modules/code-server/out/node/entry.js');

const log = (msg) => console.log(`[code-server] ${msg}`);

export const codeServerInstalled = () => fs.existsSync(entry);

/**
 * Installs code-server (and the Debian packages its install needs) if it is missing; returns the path of its entry
 * script. Works offline once installed.
 */
export function ensureCodeServer() {
  if (codeServerInstalled()) return entry;
  ensureSystemPackages(['code-server']);
  const t0 = Date.now();
  log(
    `installing code-server ${CODE_SERVER_VERSION} from the npm registry into ${path.relative(root, installDir)}: it is the VS Code ` +
      'that `npm start` and the VS Code, UI and package tests run (about two minutes, once; it compiles native modules)',
  );
  // @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable: seed its cache with Debian's rg.
  const rg = findOnPath('rg');
  const rgCache = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  fs.mkdirSync(rgCache, { recursive: true });
  execFileSync('tar', [
    'czf',
    path.join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'),
    '-C',
    path.dirname(rg),
    'rg',
  ]);
  // node-gyp downloads Node's headers unless told where they are: Node's own package ships them (Debian: /usr/include/node).
  const nodeHeaders = path.resolve(process.execPath, '../..');
  const nodedir =
    !process.env.npm_config_nodedir && fs.existsSync(path.join(nodeHeaders, 'include/node/common.gypi'))
      ? { npm_config_nodedir: nodeHeaders }
      : {};
  const staging = `${installDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, 'package.json'), '{"private":true}\n');
  const logFile = path.join(workDir, 'code-server-install.log');
  const r = spawnSync(
    'npm',
    ['install', '--prefix', staging, '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
    {
      // root needs unsafe_perm for code-server's postinstall; node-pty's postinstall runs `npx node-gyp` (needs yes).
      env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', ...nodedir },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  fs.writeFileSync(logFile, `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0) {
    throw new Error(
      `code-server install failed (see ${logFile}); it needs libkrb5-dev, ripgrep, g++ and the npm registry:\n${r.stderr.split('\n').slice(-30).join('\n')}`,
    );
  }
  fs.rmSync(installDir, { recursive: true, force: true });
  fs.renameSync(staging, installDir);
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return entry;
}

/** The path of Chromium (CHROMIUM_PATH, else `chromium` on PATH), installing Debian's package if it is missing. */
export function ensureChromium() {
  ensureSystemPackages(['browser']);
  return locate(readPackageList().find((p) => p.command === 'chromium'));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server in its own process group with a fresh profile under `profileDir`. `env` reaches the extension
 * host (it inherits code-server's environment). Workspace trust is off unless `workspaceTrust` (with the trust
 * settings in `settings`). Returns { url, port, stop(), logFile }.
 */
export async function startCodeServer({
  profileDir,
  folder,
  port,
  env = {},
  settings = {},
  extensionsDir,
  workspaceTrust = false,
}) {
  const cs = ensureCodeServer();
  port = port ?? (await freePort());
  const dirs = {
    ud: path.join(profileDir, 'user-data'),
    exts: extensionsDir ?? path.join(profileDir, 'extensions'),
    xdg: path.join(profileDir, 'xdg'),
    tmp: path.join(profileDir, 'tmp'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(
    path.join(dirs.ud, 'User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  const logFile = path.join(profileDir, 'code-server.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      cs,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--config',
      path.join(profileDir, 'config.yaml'),
      '--user-data-dir',
      dirs.ud,
      '--extensions-dir',
      dirs.exts,
      folder,
    ],
    {
      detached: true, // own process group: the extension host outlives the browser, so we kill the whole group
      stdio: ['ignore', out, out],
      env: { ...process.env, TMPDIR: dirs.tmp, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, ...env },
    },
  );
  fs.closeSync(out);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 20 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited)
      throw new Error(`code-server exited at start; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, port, stop, logFile, pid: child.pid };
}

/**
 * Installs a .vsix into the profile under `profileDir` (as startCodeServer lays it out) with code-server's
 * `--install-extension`, the way a user installs it; returns the installed extension's folder.
 */
export function installVsix(vsix, profileDir) {
  const extensionsDir = path.join(profileDir, 'extensions');
  const xdg = path.join(profileDir, 'xdg');
  const r = spawnSync(
    process.execPath,
    [
      ensureCodeServer(),
      '--extensions-dir',
      extensionsDir,
      '--user-data-dir',
      path.join(profileDir, 'user-data'),
      '--install-extension',
      vsix,
    ],
    { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg } },
  );
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout))
    throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const installed = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  if (!fs.existsSync(path.join(installed, 'package.json')))
    throw new Error(`${vsix} installed, but not into ${installed}:\n${r.stdout}`);
  return installed;
}

/** The workbench address that loads the extension from `extPath` (code-server rejects the CLI flag, so it goes in the payload). */
export function workbenchUrl(server, { folder, extPath = root, testsPath }) {
  const authority = new URL(server).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${server}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  if (process.argv[2] === 'install') {
    const t0 = Date.now();
    ensureCodeServer();
    console.log(`code-server ready (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } else {
    console.log('usage: node scripts/code-server.mjs install');
  }
}

// `npm start`: build, install code-server (pinned) if missing, start the sandbox cluster and code-server on 127.0.0.1
// with the extension loaded and attached to that sandbox, and print the address to open. Ctrl+C stops everything.
// Extra arguments go to the sandbox (e.g. `npm start -- --port 0 --brokers 5`). CODE_PORT picks code-server's port.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureCodeServer, root, startCodeServer, workbenchUrl, workDir } from './code-server.mjs';

// code-server first: on a fresh machine it installs the Debian packages its build needs, or says how to and stops.
try {
  ensureCodeServer();
} catch (e) {
  console.error(String(e?.message ?? e));
  process.exit(1);
}
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let sandbox;
let server;
let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  await server?.stop();
  if (sandbox && sandbox.exitCode === null) {
    sandbox.kill('SIGTERM');
    await new Promise((r) => {
      sandbox.once('exit', r);
      setTimeout(r, 3000);
    });
  }
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void stopAll(0));

// 1. The sandbox, as its own process (the CLI), so it outlives extension host restarts.
sandbox = spawn(
  process.execPath,
  ['dist/cli.js', 'sandbox', ...process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'))],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
const addresses = await new Promise((resolve, reject) => {
  let out = '';
  const found = {};
  sandbox.stdout.on('data', (d) => {
    out += d;
    process.stdout.write(d);
    for (const line of out.split('\n')) {
      const m = /^(bootstrap|control)=(\S+)/.exec(line.trim());
      if (m) found[m[1]] = m[2];
    }
    if (found.bootstrap && found.control) resolve(found);
  });
  sandbox.once('exit', (code) =>
    reject(
      new Error(
        `the sandbox exited (${code}) before printing its addresses; is port 9092 busy? try: npm start -- --port 0`,
      ),
    ),
  );
}).catch((e) => {
  console.error(e.message);
  process.exit(1);
});

// 2. code-server with the extension from this tree; the sandbox's addresses reach the extension host through env.
const folder = path.join(workDir, 'start-workspace');
try {
  server = await startCodeServer({
    profileDir: path.join(workDir, 'start-profile'),
    folder,
    port: process.env.CODE_PORT ? Number(process.env.CODE_PORT) : undefined,
    env: { KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP: addresses.bootstrap, KAFKA_WORKBENCH_SANDBOX_CONTROL: addresses.control },
  });
} catch (e) {
  console.error(String(e?.message ?? e));
  await stopAll(1);
}
const url = workbenchUrl(server.url, { folder });
console.log(`
Kafka Workbench is running.
  Open in a browser:  ${url}
  (then click the Kafka icon in the activity bar: the "Local sandbox" connection is ready)
  Sandbox bootstrap:  ${addresses.bootstrap}
  Sandbox control:    ${addresses.control}
Press Ctrl+C to stop code-server and the sandbox.`);
sandbox.on('exit', () => void stopAll(0));

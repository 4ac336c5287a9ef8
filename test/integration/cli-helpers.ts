/**
 * Runs the real CLI in a child process, as a user would. The CLI is bundled once per test run with esbuild (as
 * `npm run build` does), so each run starts in ~0.1 s instead of compiling TypeScript again. Spawned
 * asynchronously: the sandbox the child talks to lives in the test's own event loop.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { main } from '../../extension/cli/main';

const root = path.resolve(__dirname, '../..');
let bundled: Promise<string> | undefined;

function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wb-cli-')), 'cli.js');
    await esbuild.build({
      entryPoints: [path.join(root, 'extension/cli/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    // zstd's WebAssembly is loaded from beside the bundle, as scripts/build.mjs places it in dist/.
    fs.copyFileSync(
      path.join(root, 'node_modules/@bokuweb/zstd-wasm/dist/common/zstd.wasm'),
      path.join(path.dirname(outfile), 'zstd.wasm'),
    );
    return outfile;
  })();
  return bundled;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** closeStdoutEarly: stop reading after the first output, as `| head -1` does. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { closeStdoutEarly?: boolean } = {},
): Promise<CliRun> {
  const entry = await cliBundle();
  return new Promise((resolve) => {
    // A shell in VS Code (or under npm start) knows the Local sandbox's address: a test says when it wants one.
    const { KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, [entry, ...args], { cwd: root, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (options.closeStdoutEarly) child.stdout.destroy();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts the CLI and hands back the child, to signal it mid-run; `done` resolves when it exits. */
export async function startCli(args: string[]): Promise<{
  child: import('node:child_process').ChildProcess;
  output: () => CliRun;
  done: Promise<CliRun>;
  waitForStderr(re: RegExp): Promise<void>;
}> {
  const entry = await cliBundle();
  const child = spawn(process.execPath, [entry, ...args], { cwd: root, env: process.env });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of [...waiters]) {
      if (w.re.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<CliRun>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return {
    child,
    output: () => ({ status: child.exitCode, stdout, stderr }),
    done,
    waitForStderr: (re) =>
      re.test(stderr) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve })),
  };
}

/** The objects of `--json` or `--reporter json` output, one per line (the summary line included). */
export function jsonLines(text: string): ReturnType<typeof JSON.parse>[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/** The per-record lines of `send --json` output, without its summary line. */
export function recordLines(text: string): ReturnType<typeof JSON.parse>[] {
  return jsonLines(text).filter((l) => !l.summary);
}

/** Runs the CLI in-process (its `main`), capturing what it prints; for tests that need no separate process. */
export async function cliInProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (out += String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (err += String(chunk)),
    true
  )) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

/**
 * Many messages against one big message (issue 12, item 5), through the real CLI as a user runs it
 * (`node dist/cli.js run FILE --bootstrap B`, rebuilt first, pretty report to /dev/null), against a sandbox cluster in
 * a child process: a collection of N messages with one record each against one message with `count: N`. The
 * values are alike in size and template work: each of the N messages has its own literal id and the same templated
 * fields, as a generated collection would. Interleaved rounds after a warm-up; best round against best round (the
 * machine is shared and noisy). Prints each run's time, CPU time and peak RSS (read from /proc while it runs, so
 * Linux only), the time ratio many/one (target <= 2.0; the CPU-time ratio beside it is steadier on a busy machine)
 * and the peak RSS of the many-messages run over the one-message run (target < 200 MB: flat, not growing with N);
 * exits 1 if a target is missed.
 * Run: `npx tsx bench/collection-messages.ts [--messages N] [--rounds N]` (default 100,000 and 3).
 * Profile: `--cpu-prof DIR` writes a V8 profile of each CLI run into DIR (open it in Chrome DevTools). */
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSandboxProcess } from './sandbox-process';

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const option = (name: string): string | undefined =>
  argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined;
const whole = (name: string, fallback: number): number => {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a whole number of 1 or more, got '${raw}'`);
  return n;
};
const MESSAGES = whole('messages', 100_000);
const ROUNDS = whole('rounds', 3);
const PROFILE_DIR = option('cpu-prof');
const WARM_UP = Math.min(MESSAGES, 10_000);
const TOPIC = 'bench';
const SETTINGS = { acks: '1', 'linger.ms': 5, 'batch.size': 65536 };
const NOTE = 'x'.repeat(40);

async function writeCollection(file: string, messages: number, countEach: number): Promise<void> {
  const value = (i: number) =>
    countEach > 1
      ? { id: '{{$seq}}', sku: 'sku-{{$randomInt 1 977}}', qty: '{{$randomInt 1 9}}', note: NOTE }
      : { id: i, sku: 'sku-{{$randomInt 1 977}}', qty: '{{$randomInt 1 9}}', note: NOTE };
  const list = Array.from({ length: messages }, (_, i) => ({
    name: `m${i}`,
    topic: TOPIC,
    value: value(i),
    ...(countEach > 1 ? { count: countEach } : {}),
  }));
  await fs.writeFile(file, JSON.stringify({ name: path.basename(file), producer: SETTINGS, messages: list }, null, 2));
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A running process's resident set (VmRSS) in bytes and CPU time (user + system) in seconds; undefined once it is gone. */
function usageOf(pid: number): { rss: number; cpu: number } | undefined {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    // stat: fields after the ")" that ends the command name; utime and stime are the 14th and 15th fields.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rss: rss ? Number(rss[1]) * 1024 : 0, cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

interface Measured {
  seconds: number;
  /** CPU time of the CLI process (the sandbox runs in another): what the machine's other load disturbs least. */
  cpuSeconds: number;
  peakMb: number;
}

/** Runs `kafka-workbench run FILE`; resolves with its time, CPU time and peak RSS once it exits 0. */
function runCli(name: string, bootstrap: string, file: string, records = MESSAGES): Promise<Measured> {
  const node = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...node, path.join(root, 'dist/cli.js'), 'run', file, '--bootstrap', bootstrap],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let peak = 0;
  let cpu = 0;
  const timer = setInterval(() => {
    const usage = usageOf(child.pid!);
    if (usage) {
      peak = Math.max(peak, usage.rss);
      cpu = usage.cpu; // the last reading before it exits: at most 25 ms short
    }
  }, 25);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`${name}: kafka-workbench run exited ${code}: ${stderr.slice(0, 2000)}`));
      const peakMb = peak / 2 ** 20;
      console.log(
        `${name.padEnd(34)} ${Math.round(records / seconds)
          .toLocaleString('en-US')
          .padStart(9)} records/s  ${seconds.toFixed(2)} s (CPU ${cpu.toFixed(2)} s)  peak RSS ${peakMb.toFixed(0)} MB`,
      );
      resolve({ seconds, cpuSeconds: cpu, peakMb });
    });
  });
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) throw new Error('the build failed');
  if (PROFILE_DIR) await fs.mkdir(PROFILE_DIR, { recursive: true });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kw-bench-messages-'));
  const { child, bootstrap } = await startSandboxProcess();
  try {
    const files = {
      many: path.join(dir, 'many.kafka.json'),
      one: path.join(dir, 'one.kafka.json'),
      warmMany: path.join(dir, 'warm-many.kafka.json'),
      warmOne: path.join(dir, 'warm-one.kafka.json'),
    };
    await writeCollection(files.many, MESSAGES, 1);
    await writeCollection(files.one, 1, MESSAGES);
    await writeCollection(files.warmMany, WARM_UP, 1);
    await writeCollection(files.warmOne, 1, WARM_UP);
    const label = {
      many: `${MESSAGES.toLocaleString('en-US')} messages, 1 record each`,
      one: `1 message, count ${MESSAGES.toLocaleString('en-US')}`,
    };
    console.log(
      `collection messages benchmark (kafka-workbench run): ${label.many} against ${label.one}; ${JSON.stringify(SETTINGS)}`,
    );
    // The sandbox's side warms up too (topic, connections, its own JIT), so the first timed round is not penalized.
    await runCli('warm-up, many', bootstrap, files.warmMany, WARM_UP);
    await runCli('warm-up, one', bootstrap, files.warmOne, WARM_UP);

    const rounds: Record<'many' | 'one', Measured[]> = { many: [], one: [] };
    for (let round = 0; round < ROUNDS; round++) {
      rounds.one.push(await runCli(label.one, bootstrap, files.one));
      rounds.many.push(await runCli(label.many, bootstrap, files.many));
    }
    const best = (side: 'many' | 'one', of: 'seconds' | 'cpuSeconds') => Math.min(...rounds[side].map((r) => r[of]));
    const ratio = best('many', 'seconds') / best('one', 'seconds');
    const cpuRatio = best('many', 'cpuSeconds') / best('one', 'cpuSeconds');
    const extraMb = Math.max(...rounds.many.map((r) => r.peakMb)) - Math.max(...rounds.one.map((r) => r.peakMb));
    const okTime = ratio <= 2;
    const okMemory = extraMb < 200;
    console.log(
      `many/one=${ratio.toFixed(2)} (target <= 2.00: ${okTime ? 'ok' : 'MISSED'}; CPU time ${cpuRatio.toFixed(2)}) many-peak-rss-over-one=${extraMb.toFixed(0)}MB (target < 200: ${okMemory ? 'ok' : 'MISSED'})`,
    );
    process.exitCode = okTime && okMemory ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

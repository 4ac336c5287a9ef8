/**
 * `kafka-workbench send` (the bundled CLI, tracing on) against kcat (librdkafka), one after the other on the same
 * sandbox: 1,000,000 records of 100 bytes, acks=1, linger.ms=5, batch.size=65536, as a user would run them. Each is
 * a process of its own; wall time and peak RSS (VmHWM, polled) are taken from outside. Then a 5,000,000-record
 * send, whose peak RSS must stay near the 1,000,000-record one: memory is bounded by buffer.memory and the trace
 * window, never by the count. Skipped, saying so, when kcat is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
export const SEND_TOPIC = 'send-bench';
const VALUE_BYTES = 100;

export interface ProcessRun {
  name: string;
  records: number;
  seconds: number;
  peakRssMb: number;
  ok: boolean;
  detail?: string;
}

export interface KcatComparison {
  kcat: ProcessRun | undefined;
  send1M: ProcessRun;
  send5M: ProcessRun | undefined;
}

export function kcatInstalled(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Runs a command, polling its peak RSS; resolves with its wall time. */
function runMeasured(name: string, records: number, command: string, args: string[]): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    let stderr = '';
    let stdout = '';
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // gone already
      }
    };
    const timer = setInterval(poll, 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(timer);
      const ok = code === 0;
      const run: ProcessRun = {
        name,
        records,
        seconds,
        peakRssMb: peakKb / 1024,
        ok,
        detail: ok ? stdout.split('\n')[0] : stderr.trim().split('\n').slice(-3).join(' | '),
      };
      console.log(
        `${name.padEnd(34)} ${
          ok
            ? `${Math.round(records / seconds)
                .toLocaleString('en-US')
                .padStart(9)} records/s  ${seconds.toFixed(2)} s  peak RSS ${run.peakRssMb.toFixed(0)} MB`
            : `FAILED (exit ${code}): ${run.detail}`
        }`,
      );
      resolve(run);
    });
  });
}

function sendArgs(bootstrap: string, count: number): string[] {
  return [
    CLI,
    'send',
    '--bootstrap',
    bootstrap,
    '--topic',
    SEND_TOPIC,
    '--value',
    'x'.repeat(VALUE_BYTES),
    '--count',
    String(count),
    '--acks',
    '1',
    '--linger-ms',
    '5',
    '--batch-size',
    '65536',
    '--mode',
    'async',
  ];
}

function fastest(runs: ProcessRun[]): ProcessRun {
  const ok = runs.filter((r) => r.ok);
  return (ok.length ? ok : runs).reduce((x, y) => (y.seconds < x.seconds ? y : x));
}

/** Interleaves `rounds` kcat and send runs of 1M records (best of each), then one send of 5M. */
export async function compareWithKcat(bootstrap: string, rounds: number, records = 1_000_000): Promise<KcatComparison> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const hasKcat = kcatInstalled();
  if (!hasKcat)
    console.log(
      'kcat is not installed (apt-get install kcat; it is in scripts/ci-apt-packages.txt): the kcat comparison is skipped',
    );
  let file: string | undefined;
  if (hasKcat) {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kw-kcat-')), 'records.txt');
    const line = Buffer.alloc(VALUE_BYTES + 1, 0x78);
    line[VALUE_BYTES] = 0x0a;
    const fd = fs.openSync(file, 'w');
    const chunk = Buffer.concat(Array.from({ length: 10_000 }, () => line));
    for (let i = 0; i < records; i += 10_000) fs.writeSync(fd, chunk, 0, Math.min(10_000, records - i) * line.length);
    fs.closeSync(fd);
  }
  const kcatRuns: ProcessRun[] = [];
  const sendRuns: ProcessRun[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      if (hasKcat) {
        kcatRuns.push(
          await runMeasured(`kcat -P -l (librdkafka) #${round}`, records, 'kcat', [
            '-P',
            '-b',
            bootstrap,
            '-t',
            SEND_TOPIC,
            '-X',
            'acks=1',
            '-X',
            'linger.ms=5',
            '-X',
            'batch.size=65536',
            '-l',
            file!,
          ]),
        );
      }
      sendRuns.push(
        await runMeasured(`kafka-workbench send #${round}`, records, process.execPath, sendArgs(bootstrap, records)),
      );
    }
    const send5M = await runMeasured(
      'kafka-workbench send, 5x records',
      records * 5,
      process.execPath,
      sendArgs(bootstrap, records * 5),
    );
    // Time: the best round; memory: the worst.
    const send1M = { ...fastest(sendRuns), peakRssMb: Math.max(...sendRuns.map((r) => r.peakRssMb)) };
    return { kcat: hasKcat ? fastest(kcatRuns) : undefined, send1M, send5M };
  } finally {
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

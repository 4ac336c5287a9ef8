// `npm run bench`: the collection runner against the engine, the sandbox's own ingest benchmark, then the producer
// benchmark (engine vs kafkajs in one process; the send CLI vs kcat; memory at 1M and 5M records), whose summary
// (`engine/kcat=... engine/kafkajs-batch=... trace-overhead=... rss-1M=... rss-5M=...`) is the last line.
// Each runs in its own process, one after the other, after a build (the CLI section runs dist/cli.js).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' }).status ?? 1;
if (status !== 0) process.exit(status);
if (fs.existsSync(path.join(root, 'bench/runner.ts'))) {
  console.log('\n=== collection runner ===');
  status = run(['--expose-gc', '--import', 'tsx', 'bench/runner.ts']) || status;
}
if (fs.existsSync(path.join(root, 'bench/sandbox-ingest.ts'))) {
  console.log('\n=== sandbox ingest ===');
  status = run(['--expose-gc', '--import', 'tsx', 'bench/sandbox-ingest.ts']) || status;
}
console.log('\n=== producer: engine vs kafkajs, send CLI vs kcat ===');
status = run(['--expose-gc', '--import', 'tsx', 'bench/producer.ts', ...process.argv.slice(2)]) || status;
process.exit(status);

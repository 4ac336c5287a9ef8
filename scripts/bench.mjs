// `npm run bench`: the producer benchmark (engine vs kafkajs, against the sandbox), the collection runner against
// the engine, then the sandbox's own ingest benchmark. Each runs in its own process, one after the other.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = run(['--expose-gc', '--import', 'tsx', 'bench/producer.ts', ...process.argv.slice(2)]);
if (fs.existsSync(path.join(root, 'bench/runner.ts'))) {
  console.log('\n=== collection runner ===');
  status = run(['--expose-gc', '--import', 'tsx', 'bench/runner.ts']) || status;
}
if (fs.existsSync(path.join(root, 'bench/sandbox-ingest.ts'))) {
  console.log('\n=== sandbox ingest ===');
  // Through its npm script, which builds first.
  status = (spawnSync('npm', ['run', '--silent', 'bench:sandbox'], { cwd: root, stdio: 'inherit' }).status ?? 1) || status;
}
process.exit(status);

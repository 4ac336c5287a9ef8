/** kcat (librdkafka), a client this project did not write, for the integration tests. */
import { spawn } from 'node:child_process';

/** kcat runs asynchronously: the sandbox lives in this process's event loop, which must keep turning. */
export function kcat(args: string[], input = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('kcat', args);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

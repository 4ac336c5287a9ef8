/** Starts bench/producer-sandbox.ts in a child process (so the broker's work does not share the client's event loop). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export async function startSandboxProcess(): Promise<{ child: ChildProcess; bootstrap: string }> {
  const root = path.resolve(__dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/producer-sandbox.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += d;
      const m = /bootstrap=(\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code} before it was ready`)));
  });
  return { child, bootstrap };
}

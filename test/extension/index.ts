/**
 * Runs inside VS Code's extension host (code-server): loads the compiled extension tests into mocha, runs them,
 * and writes each result to the file named by KW_TEST_RESULTS for scripts/test-vscode.mjs to report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Outcome {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
}

export async function run(): Promise<void> {
  const resultsFile = process.env.KW_TEST_RESULTS;
  const mochaPath = process.env.KW_MOCHA_PATH;
  if (!resultsFile || !mochaPath)
    throw new Error('KW_TEST_RESULTS and KW_MOCHA_PATH must be set by scripts/test-vscode.mjs');
  // mocha comes from the repo's node_modules (not bundled: it loads its reporters by path).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- mocha is loaded by the path the test runner passes
  const Mocha = require(mochaPath) as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'dot', grep: process.env.KW_TEST_GREP });
  const dir = __dirname;
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort())
    mocha.addFile(path.join(dir, f));
  const outcomes: Outcome[] = [];
  const write = () => fs.writeFileSync(resultsFile, JSON.stringify(outcomes, null, 2));
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      write();
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      outcomes.push({ title: t.fullTitle(), state: 'passed' });
      write();
    });
    runner.on('fail', (t, err: Error) => {
      outcomes.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) });
      write();
    });
  });
}

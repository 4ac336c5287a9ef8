import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { requireTool } from '../tools';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A page on another origin (another port of 127.0.0.1) that tries to drive the sandbox as a hostile site would. */
function attackPage(control: string): string {
  return `<!doctype html><script>
    const tries = [
      fetch(${JSON.stringify(control)} + '/brokers/2/stop', { method: 'POST', mode: 'no-cors' }),
      fetch(${JSON.stringify(control)} + '/faults', { method: 'POST', mode: 'no-cors', body: '{"api":"Produce","errorCode":6,"count":5}' }),
      fetch(${JSON.stringify(control)} + '/state').then((r) => r.text()),
    ];
    Promise.allSettled(tries).then((r) => { window.outcome = r.map((x) => x.status); });
  </script>`;
}

describe('sandbox control API against a hostile web page (Chromium) and curl', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let browser: Browser;
  let site: http.Server;
  const logged: string[] = [];

  before(async () => {
    requireTool(CHROMIUM, ['--version'], 'chromium'); // or set CHROMIUM_PATH
    sandbox = await startSandbox(
      { port: 0, controlPort: 0, topics: [{ name: 'guarded', partitions: 1 }] },
      { log: (line) => logged.push(line) },
    );
    site = http.createServer((_, res) => res.end(attackPage(sandbox.controlUrl)));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  });
  after(async () => {
    await browser?.close();
    site?.close();
    await sandbox?.stop();
  });

  it('a page from another origin cannot stop a broker, inject a fault or read /state with no-cors fetches', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(site.address() as net.AddressInfo).port}/`);
    const outcome = await page
      .waitForFunction(() => (globalThis as unknown as { outcome?: string[] }).outcome)
      .then((h) => h.jsonValue());
    // The no-cors POSTs "succeed" from the page's view (an opaque response): what matters is what the sandbox did.
    assert.deepEqual(outcome, ['fulfilled', 'fulfilled', 'rejected']);
    assert.equal(sandbox.brokers[1].up, true, 'broker 2 must still be up');
    assert.deepEqual((sandbox.state() as unknown as { faults: unknown[] }).faults, []);
    const refused = logged.filter((l) => l.startsWith('control: refused'));
    assert.equal(refused.length, 3, refused.join('\n'));
    assert.match(refused[0], /POST \/brokers\/2\/stop: Origin "http:\/\/127\.0\.0\.1:\d+" is a web page/);
  });

  it('curl, with no Origin, still stops and starts a broker and reads /state', async () => {
    const curl = (...args: string[]) => promisify(execFile)('curl', ['-sS', '-w', '\\n%{http_code}', ...args]);
    const stop = await curl('-X', 'POST', `${sandbox.controlUrl}/brokers/3/stop`);
    assert.match(stop.stdout, /\n200$/);
    assert.equal(sandbox.brokers[2].up, false);
    assert.match((await curl('-X', 'POST', `${sandbox.controlUrl}/brokers/3/start`)).stdout, /\n200$/);
    const state = await curl(`${sandbox.controlUrl.replace('127.0.0.1', 'localhost')}/state`);
    assert.match(state.stdout, /"brokers":\[/);
    assert.equal(sandbox.brokers[2].up, true);
  });
});

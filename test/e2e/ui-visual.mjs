// `npm run test:ui` (second part): the trace as pictures, clicked through in Chromium in the real workbench against
// the Local sandbox. A record's waterfall (keyboard included) before and after its partition leader is stopped, the
// send's batch timeline (a bar selects a record of its batch), a bulk send's charts updating while it runs, the
// producer metrics by their Java names, and the charts saved as JSON, SVG and PNG. Screenshots go to
// test-results/screenshots/visual/. Prints `N passing` / `N failing`.
import fs from 'node:fs';
import path from 'node:path';
import { workbenchUrl } from '../../scripts/code-server.mjs';
import { runUiSuite } from './harness.mjs';

const suite = {
  label: 'test:ui-visual',
  heading: 'Kafka Workbench UI: the trace as pictures (Chromium through the workbench)',
  shotsDir: 'test-results/screenshots/visual',
  tmpPrefix: 'kw-ui-visual-',
  viewport: { width: 1500, height: 1100 },
};

await runUiSuite(suite, async (ui) => {
  const { page, server, folder, step, shot, shotPath, palette, answerInput, webview, typeInto } = ui;
  const pick = async (dropdown, value) => {
    await webview.locator(dropdown).click();
    await webview.locator(`${dropdown} vscode-option[value="${value}"]`).click();
  };
  /** Accepts the save dialog's proposed file (in the workspace folder) and returns its path once written. */
  const acceptSaveDialog = async (pattern) => {
    const before = new Set(fs.readdirSync(folder));
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.quick-input-widget input').press('Enter');
    for (let deadline = Date.now() + 15_000; Date.now() < deadline; await page.waitForTimeout(200)) {
      const added = fs.readdirSync(folder).filter((f) => !before.has(f) && pattern.test(f));
      if (added.length) {
        await page.waitForTimeout(200);
        return path.join(folder, added[0]);
      }
    }
    throw new Error(`no file matching ${pattern} was saved in ${folder}`);
  };
  const waterfallRows = () => webview.locator('#waterfall svg .row');
  const phasesShown = () =>
    waterfallRows().evaluateAll((rows) =>
      rows.map(
        (r) =>
          `${r.dataset.phase}${r.querySelector('.bar')?.classList.contains('c-retry') ? ':retry' : r.querySelector('.bar')?.classList.contains('c-ok') ? ':ok' : r.querySelector('.bar')?.classList.contains('c-error') ? ':error' : ''}`,
      ),
    );

  await step('opens the composer connected to the Local sandbox', async () => {
    await page.goto(workbenchUrl(server.url, { folder }));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().waitFor({ timeout: 60_000 });
    await palette('Kafka: Connect', 'Local sandbox');
    await page.locator('.statusbar-item', { hasText: 'Kafka: Local sandbox' }).waitFor({ timeout: 30_000 });
    await palette('Kafka: Open Composer');
    await webview.locator('#connection-name', { hasText: 'Local sandbox' }).waitFor({ timeout: 30_000 });
    // A side bar would squeeze the panel: the trace pane needs the width.
    if (await page.locator('.sidebar').isVisible()) await page.keyboard.press('Control+B');
  });

  let partition;
  await step(
    "draws a sent record's waterfall to scale, with the batch close reason on its bar and the text list kept",
    async () => {
      await typeInto('#topic', 'ui-visual');
      await typeInto('#key', 'order-7');
      await typeInto('#value', '{"id": 7}');
      await webview.locator('#send').click();
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'Topic "ui-visual" does not exist' });
      await dialog.waitFor({ timeout: 15_000 });
      await dialog.locator('.monaco-button', { hasText: 'Create with 3 Partitions, RF 3' }).click();
      const row = webview.locator('.result-row.acked').first();
      await row.waitFor({ timeout: 30_000 });
      partition = Number((await row.locator('.col-partition').textContent()).trim());
      await row.click();
      await waterfallRows().first().waitFor({ timeout: 15_000 });
      const phases = await phasesShown();
      // The first record to a new topic waits for its metadata first.
      if (phases.join() !== 'waiting,accumulator,attempt:ok' && phases.join() !== 'accumulator,attempt:ok')
        throw new Error(`waterfall phases: ${phases.join(', ')}`);
      const note = await webview.locator('#waterfall .row[data-phase="accumulator"] text').nth(1).textContent();
      if (!/^(linger\.ms|flush|full)$/.test(note))
        throw new Error(`the accumulator bar says "${note}", not why its batch closed`);
      // The bars are on one axis: the attempt starts where the accumulator's bar ends, or later.
      const [acc, attempt] = await Promise.all(
        ['accumulator', 'attempt'].map((p) =>
          webview.locator(`#waterfall .row[data-phase="${p}"] .bar`).first().boundingBox(),
        ),
      );
      if (attempt.x < acc.x + acc.width - 1)
        throw new Error(
          `the attempt bar (x=${attempt.x}) starts before the accumulator bar ends (${acc.x + acc.width})`,
        );
      await webview.locator('.timeline-entry.acked', { hasText: 'Acked at offset' }).waitFor({ timeout: 5_000 });
      // The charts' styles are allowed by the page's nonce, not by 'unsafe-inline': the CSP stays strict and applies them.
      const csp = await webview.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      if (/unsafe-inline|unsafe-eval/.test(csp) || !/style-src [^;]*'nonce-/.test(csp))
        throw new Error(`webview CSP: ${csp}`);
      // (Run in the page: its window is the element's document's.)
      const fill = await webview
        .locator('#waterfall .row[data-phase="accumulator"] .bar')
        .evaluate((el) => el.ownerDocument.defaultView.getComputedStyle(el).fill);
      const themeBlue = await webview
        .locator('body')
        .evaluate((el) =>
          el.ownerDocument.defaultView
            .getComputedStyle(el.ownerDocument.documentElement)
            .getPropertyValue('--vscode-charts-blue')
            .trim(),
        );
      if (!themeBlue || fill === 'rgb(0, 0, 0)')
        throw new Error(
          `the accumulator bar is filled ${fill} (theme blue: "${themeBlue}"): the chart styles did not apply`,
        );
      await webview.locator('#waterfall').scrollIntoViewIfNeeded();
    },
  );

  await step("moves between the waterfall's bars with the keyboard and reads each one's exact values", async () => {
    await waterfallRows().first().focus();
    // Down walks the rows in order; each one's values show in the detail line (a live region).
    const seen = [];
    for (let i = 0; i < (await waterfallRows().count()); i++) {
      if (i > 0) await page.keyboard.press('ArrowDown');
      const phase = await webview.locator('#waterfall svg .row:focus').getAttribute('data-phase');
      const pattern = {
        waiting: /^Waiting for metadata: [\d.]+ ms to [\d.]+ ms/,
        accumulator: /^In the accumulator: [\d.]+ ms to [\d.]+ ms .*closed: /,
        attempt: /^Attempt 1 → broker \d: .*acknowledged after [\d.]+ ms/,
      }[phase];
      if (!pattern) throw new Error(`row ${i} is a "${phase}" row`);
      await webview.locator('#waterfall-detail', { hasText: pattern }).waitFor({ timeout: 5_000 });
      seen.push(phase);
    }
    if (!seen.includes('accumulator') || seen[seen.length - 1] !== 'attempt')
      throw new Error(`walked ${seen.join(', ')}`);
    await page.keyboard.press('Home');
    if ((await webview.locator('#waterfall svg .row:focus').getAttribute('data-index')) !== '0')
      throw new Error('Home did not focus the first row');
    await page.keyboard.press('End');
    const title = await webview.locator('#waterfall svg .row:focus title').textContent();
    if (!title.startsWith('Attempt')) throw new Error(`End focused "${title}"`);
  });

  await step(
    'stops the partition leader and draws the retry: the failed attempt, its backoff and the attempt to another broker',
    async () => {
      await webview.locator('#refresh').click();
      const optionText = await webview
        .locator(`#partition vscode-option[value="${partition}"]`)
        .textContent({ timeout: 10_000 });
      const leader = Number(/leader (\d+)/.exec(optionText)?.[1]);
      if (!leader) throw new Error(`no leader shown for partition ${partition}: "${optionText}"`);
      await webview.locator('#sandbox-broker').click();
      await webview.locator('#sandbox-broker vscode-option', { hasText: `broker ${leader} (` }).click();
      await webview.locator('#sandbox-stop').click();
      await webview.locator('#sandbox-status', { hasText: '2/3 brokers up' }).waitFor({ timeout: 15_000 });
      await webview.locator('#send').click();
      await webview.locator('#send-status', { hasText: /^1 of 1 record acknowledged/ }).waitFor({ timeout: 60_000 });
      for (let deadline = Date.now() + 10_000; ; await page.waitForTimeout(200)) {
        const phases = await phasesShown();
        if (phases.filter((p) => p.startsWith('attempt')).length >= 2 && phases.includes('attempt:ok')) break;
        if (Date.now() > deadline) throw new Error(`waterfall phases after a stopped leader: ${phases.join(', ')}`);
      }
      const labels = await webview
        .locator('#waterfall .row[data-phase="attempt"]')
        .evaluateAll((rows) => rows.map((r) => r.querySelector('text').textContent));
      if (!labels[0].endsWith(`broker ${leader}`) || labels[labels.length - 1].endsWith(`broker ${leader}`))
        throw new Error(`attempts: ${labels.join(', ')} (stopped leader ${leader})`);
      const failedNote = await webview
        .locator('#waterfall .row[data-phase="attempt"]')
        .first()
        .locator('text')
        .nth(1)
        .textContent();
      if (!/^[A-Z_]+$/.test(failedNote))
        throw new Error(`the failed attempt's bar says "${failedNote}", not its error`);
      if (!(await webview.locator('#waterfall .row[data-phase="backoff"]').count())) throw new Error('no backoff row');
      await webview.locator('.timeline-entry.retry').first().waitFor({ timeout: 5_000 });
      await webview.locator('#waterfall').scrollIntoViewIfNeeded();
      await webview.locator('#sandbox-start').click();
      await webview.locator('#sandbox-status', { hasText: '3/3 brokers up' }).waitFor({ timeout: 15_000 });
    },
  );

  await step('charts a bulk send while it runs, with the producer metrics by their Java names', async () => {
    await palette('Kafka: Sandbox: Add Latency');
    await answerInput('Delay the next Produce requests by', '400');
    await answerInput('How many requests?', '30');
    await pick('#send-mode', 'async');
    await typeInto('#key', 'bulk-{{$seq}}');
    await typeInto('#repeat', '3000');
    await webview.locator('#tab-charts').click();
    await webview.locator('#send').click();
    await webview.locator('#charts-status', { hasText: /\(live\)$/ }).waitFor({ timeout: 20_000 });
    await webview.locator('#chart-throughput').waitFor({ timeout: 10_000 });
    await shot('during-live-charts');
    await webview
      .locator('#send-status', { hasText: /^3,000 of 3,000 records acknowledged/ })
      .waitFor({ timeout: 90_000 });
    await webview
      .locator('#charts-status', { hasText: /3,000 acknowledged, 0 failed, \d+ interval\(s\) of [\d.]+ s$/ })
      .waitFor({ timeout: 10_000 });
    const label = await webview.locator('#chart-throughput').getAttribute('aria-label');
    if (!/^Records per second\. 3,000 acknowledged, 0 failed, peak [\d.]+k? acknowledged\/s$/.test(label))
      throw new Error(`throughput chart: "${label}"`);
    const histogram = await webview.locator('#chart-latency-histogram').getAttribute('aria-label');
    if (!/3,000 records; p99 [\d.]+ (ms|s)/.test(histogram)) throw new Error(`latency histogram: "${histogram}"`);
    for (const id of [
      'chart-latency',
      'chart-batch-records',
      'chart-batch-bytes',
      'chart-close-reasons',
      'chart-brokers',
    ])
      await webview.locator(`#${id}`).waitFor({ timeout: 5_000 });
    const sendTotal = Number(
      (await webview.locator('#metrics tr[data-metric="record-send-total"] td').first().textContent()).replace(
        /,/g,
        '',
      ),
    );
    if (!(sendTotal >= 3000)) throw new Error(`record-send-total reads ${sendTotal}`);
    for (const m of [
      'record-send-rate',
      'batch-size-avg',
      'records-per-request-avg',
      'request-latency-avg',
      'request-latency-max',
      'record-retry-rate',
      'record-error-rate',
      'buffer-available-bytes',
      'bufferpool-wait-ratio',
      'compression-rate-avg',
    ]) {
      await webview.locator(`#metrics tr[data-metric="${m}"]`).first().waitFor({ timeout: 2_000 });
    }
    await webview.locator('#chart-throughput').focus();
    await webview.locator('#charts-detail', { hasText: /^Records per second\./ }).waitFor({ timeout: 5_000 });
    await page.keyboard.press('ArrowDown');
    await webview.locator('#charts-detail', { hasText: /^Latency percentiles/ }).waitFor({ timeout: 5_000 });
    await palette('Kafka: Sandbox: Clear Faults');
  });

  await step('saves the charts as JSON, SVG and PNG', async () => {
    await webview.locator('#save-charts-json').click();
    const json = JSON.parse(fs.readFileSync(await acceptSaveDialog(/^kafka-send-.*\.json$/), 'utf8'));
    const acked = json.intervals.reduce((n, iv) => n + iv.acked, 0);
    if (acked !== 3000 || json.latency.count !== 3000 || !json.metrics[0]?.values['record-send-rate'])
      throw new Error(`saved JSON: ${acked} acked, latency count ${json.latency.count}`);
    await webview.locator('#save-charts-svg').click();
    const svg = fs.readFileSync(await acceptSaveDialog(/^kafka-send-.*\.svg$/), 'utf8');
    if (!svg.startsWith('<svg') || !svg.includes('Records per second') || !/--vscode-charts-green: ?#/.test(svg))
      throw new Error(`saved SVG starts "${svg.slice(0, 200)}"`);
    await webview.locator('#save-charts-png').click();
    const pngFile = await acceptSaveDialog(/^kafka-send-.*\.png$/);
    const png = fs.readFileSync(pngFile);
    if (png.subarray(1, 4).toString() !== 'PNG' || png.length < 10_000)
      throw new Error(`saved PNG has ${png.length} bytes`);
    fs.copyFileSync(pngFile, shotPath('saved-charts'));
    await webview.locator('#charts-save-status', { hasText: /^Saved .*\.png$/ }).waitFor({ timeout: 5_000 });
  });

  await step("shows the send's produce requests in lanes per broker; a bar selects a record of its batch", async () => {
    await webview.locator('#tab-batches').click();
    const span = webview.locator('#batch-lanes svg .span').first();
    await span.waitFor({ timeout: 15_000 });
    const brokers = await webview.locator('#batch-lanes svg g[role="list"]').count();
    if (brokers < 2) throw new Error(`${brokers} broker lane(s) for a send to 3 partitions`);
    const description = await span.getAttribute('aria-label');
    if (
      !/^batch \d+ of producer \d+, attempt \d to broker \d: \d+ record\(s\), [\d,]+ B, [\d.]+ ms, /.test(description)
    )
      throw new Error(`request bar: "${description}"`);
    const batchId = await span.getAttribute('data-batch-id');
    await shot('batch-lanes');
    await span.click();
    await webview.locator('#trace-pane').waitFor({ state: 'visible', timeout: 5_000 });
    await waterfallRows().first().waitFor({ timeout: 10_000 });
    const batchLine = await webview.locator('#trace-metadata dd').nth(3).textContent();
    const n = /^p(\d+)-b(\d+)$/.exec(batchId);
    if (batchLine !== `batch ${n[2]} of producer ${n[1]}`)
      throw new Error(`clicked ${batchId}, the trace shows batch "${batchLine}"`);
  });

  await step('charts a collection run too, and shows its charts when the composer comes back', async () => {
    await webview.locator('#tab-charts').click();
    fs.writeFileSync(
      path.join(folder, 'visual.kafka.json'),
      `${JSON.stringify({ name: 'Visual', messages: [{ name: 'burst', topic: 'ui-visual', key: 'c-{{$seq}}', value: 'v{{$seq}}', count: 400 }] }, null, 2)}\n`,
    );
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('visual.kafka.json');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'visual.kafka.json' })
      .first()
      .click({ timeout: 20_000 });
    await page.locator('.codelens-decoration a', { hasText: 'Send all' }).first().click({ timeout: 30_000 });
    await page
      .locator('.notifications-toasts', { hasText: 'Visual: 400 of 400 records acknowledged' })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.locator('.tab', { hasText: 'Kafka Composer' }).click();
    await webview
      .locator('#charts-status', { hasText: /^Send started .*: 400 acknowledged, 0 failed/ })
      .waitFor({ timeout: 20_000 });
    const label = await webview.locator('#chart-throughput').getAttribute('aria-label');
    if (!label.startsWith('Records per second. 400 acknowledged, 0 failed'))
      throw new Error(`throughput chart after the collection run: "${label}"`);
  });
});

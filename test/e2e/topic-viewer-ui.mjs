// `npm run test:ui:viewer`: the topic viewer in Chromium through the workbench (code-server with the extension
// loaded): connects to the Local sandbox, sends 250 records from the composer, opens the topic from the explorer's
// context menu (Kafka: Open Topic Viewer), sees the first page, clicks Load more, shows values as JSON and filters.
// Saves a screenshot per step under test-results/screenshots/viewer/. Prints `N passing` / `N failing`.
import { workbenchUrl } from '../../scripts/code-server.mjs';
import { runUiSuite } from './harness.mjs';

const TOPIC = 'ui-viewer';
const COUNT = 250;

const suite = {
  label: 'test:ui:viewer',
  heading: 'Kafka Workbench topic viewer UI (Chromium through the workbench)',
  shotsDir: 'test-results/screenshots/viewer',
  tmpPrefix: 'kw-ui-viewer-',
  viewport: { width: 1400, height: 1000 },
};

await runUiSuite(suite, async ({ page, server, folder, step, palette, webview, typeInto }) => {
  // One webview at a time: the composer is closed before the viewer opens.
  const status = () => webview.locator('#status');

  await step('the workbench loads and connects to the Local sandbox', async () => {
    await page.goto(workbenchUrl(server.url, { folder }));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().waitFor({ timeout: 60_000 });
    await palette('Kafka: Connect', 'Local sandbox');
    await page.locator('.statusbar-item', { hasText: 'Kafka: Local sandbox' }).waitFor({ timeout: 30_000 });
  });

  await step(`sends ${COUNT} JSON records from the composer`, async () => {
    await palette('Kafka: Open Composer');
    await webview.locator('#send').waitFor({ timeout: 30_000 });
    await typeInto('#topic', TOPIC);
    await typeInto('#key', 'k-{{$seq}}');
    await typeInto('#value', '{"n": {{$seq}}, "item": "book"}');
    await typeInto('#repeat', String(COUNT));
    await webview.locator('#send').click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Topic "${TOPIC}" does not exist` });
    await dialog.waitFor({ timeout: 15_000 });
    await dialog
      .locator('.monaco-button', { hasText: /^Create with/ })
      .first()
      .click();
    await webview
      .locator('#send-status', { hasText: new RegExp(`^${COUNT} of ${COUNT} records? acknowledged`) })
      .waitFor({ timeout: 60_000 });
    await palette('View: Close All Editors');
    await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 10_000 });
  });

  await step('opens the topic from the explorer context menu and shows the first page', async () => {
    await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().click();
    const topicRow = page.locator('.monaco-list-row', { hasText: TOPIC }).first();
    await topicRow.waitFor({ timeout: 20_000 });
    await topicRow.click({ button: 'right' });
    // VS Code's menu ignores a click that comes too soon after it opened (a right-click's release): click until it closes.
    const item = page.locator('.context-view .action-label', { hasText: 'Open Topic Viewer' }).first();
    for (let attempt = 1; ; attempt++) {
      await item.click({ timeout: 10_000 });
      if (
        await item.waitFor({ state: 'detached', timeout: 2_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
      if (attempt === 3) throw new Error('the context menu stayed open after clicking Open Topic Viewer three times');
    }
    await status()
      .filter({ hasText: `${TOPIC} from earliest: 200 records` })
      .waitFor({ timeout: 30_000 });
    const rows = await webview.locator('#rows tr').count();
    if (rows !== 200) throw new Error(`the first page shows ${rows} rows, expected 200`);
  });

  await step('Load more adds the rest of the topic', async () => {
    await webview.locator('#load-more').click();
    await status()
      .filter({ hasText: `${COUNT} records` })
      .waitFor({ timeout: 30_000 });
    const rows = await webview.locator('#rows tr').count();
    if (rows !== COUNT) throw new Error(`after Load more the table shows ${rows} rows, expected ${COUNT}`);
  });

  await step('shows values as pretty JSON and filters to the matching rows', async () => {
    await webview.locator('#value-format').selectOption('json');
    // The raw value ({"n": 0, "item": "book"}) holds the same text on one line: wait for the table to re-render.
    const firstValue = webview.locator('td.value pre').first();
    let pretty = '';
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      pretty = (await firstValue.textContent()) ?? '';
      if (pretty.includes('\n  "n": ')) break;
    }
    if (!pretty.includes('\n  "n": ')) throw new Error(`the value is not pretty-printed: ${JSON.stringify(pretty)}`);
    await webview.locator('#filter').fill('k-7');
    // k-7 and k-70 to k-79
    await status()
      .filter({ hasText: `11 of ${COUNT} match "k-7"` })
      .waitFor({ timeout: 10_000 });
    const keys = (await webview.locator('#rows td.key').allTextContents()).sort();
    const expected = ['k-7', ...Array.from({ length: 10 }, (_, i) => `k-7${i}`)].sort();
    if (JSON.stringify(keys) !== JSON.stringify(expected)) throw new Error(`the filter shows ${JSON.stringify(keys)}`);
  });
});

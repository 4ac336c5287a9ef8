// `npm run test:ui`: drives the real workbench in Chromium (code-server 4.100.3 with the extension loaded): opens the
// composer from the palette, fills topic/key/value/header, sends, reads the offset in the results table, opens the
// trace timeline, stops the partition leader from the sandbox controls and sees a retry in the next send's trace;
// then collections: saves, sends, opens messages in the composer (hidden and shown), and fills the results table.
// Saves a screenshot per step under test-results/screenshots/. Prints `N passing` / `N failing`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumArgs, ensureChromium, ensureCodeServer, installVsix, root, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const shots = path.join(root, 'test-results/screenshots');
const results = [];
let server;
let browser;
let runDir;

function summary() {
  console.log('\n  Kafka Workbench UI (Chromium through the workbench)');
  results.forEach((r, i) => console.log(r.ok ? `    ✔ ${r.title}` : `    ${i + 1}) ${r.title}\n        ${String(r.error?.stack ?? r.error).split('\n').slice(0, 6).join('\n        ')}`));
  const passing = results.filter((r) => r.ok).length;
  const failing = results.length - passing;
  console.log(`\n  ${passing} passing (${elapsed()})`);
  if (failing) console.log(`  ${failing} failing`);
  return failing;
}

try {
  ensureChromium();
  ensureCodeServer();
  if (!process.env.KW_SKIP_BUILD) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-ui-'));
  const folder = path.join(runDir, 'workspace');
  // KW_VSIX=<file>: test the packaged extension, installed with `code-server --install-extension`, instead of the tree.
  const vsix = process.env.KW_VSIX ? path.resolve(process.env.KW_VSIX) : null;
  const extensionsDir = path.join(runDir, 'profile/extensions');
  if (vsix) console.log(`installed ${vsix} into ${installVsix(vsix, path.join(runDir, 'profile'))}`);
  server = await startCodeServer({ profileDir: path.join(runDir, 'profile'), folder, extensionsDir });
  const { chromium } = await import('playwright-core');
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-chrome-'));
  browser = await chromium.launchPersistentContext(udd, { executablePath: ensureChromium(), headless: true, viewport: { width: 1400, height: 1000 }, args: chromiumArgs });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); if (process.env.VERBOSE) console.log('[browser]', m.type(), m.text().slice(0, 300)); });
  let stepNo = 0;
  let stopRemaining = false;
  const step = async (title, fn) => {
    if (stopRemaining) { results.push({ title, ok: false, error: new Error('skipped: an earlier step failed') }); return; }
    stepNo++;
    const name = `${String(stepNo).padStart(2, '0')}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60)}`;
    try {
      await fn();
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, `${name}.png`) });
      results.push({ title, ok: true });
      console.log(`[test:ui ${elapsed()}] ✔ ${title}`);
    } catch (error) {
      await page.screenshot({ path: path.join(shots, `${name}-FAILED.png`) }).catch(() => {});
      results.push({ title, ok: false, error });
      console.log(`[test:ui ${elapsed()}] ✘ ${title}: ${String(error).split('\n')[0]}`);
      const webviewErrors = consoleErrors.filter((e) => !/404|gallery|marketplace|Failed to load resource/i.test(e));
      if (webviewErrors.length) console.log(`  browser console errors:\n    ${webviewErrors.slice(-8).join('\n    ')}`);
      stopRemaining = true;
    }
  };
  const palette = async (command, pick) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${command}`);
    const exact = new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    if (pick) {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 20_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().click();
    }
  };
  const webview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  /** The number a results badge starts with: "2,003 · 1 pending" -> 2003. */
  const badgeCount = (badge) => Number.parseInt(badge.replace(/,/g, ''), 10);
  const collectionsPane = () => page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Collections' }) });
  /** Answers the quick input titled `prompt` with `value`. */
  const answerInput = async (prompt, value) => {
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ timeout: 10_000 });
    await input.fill(value);
    await input.press('Enter');
  };
  /** "Save Record to Collection" from the composer's title bar, picking `collectionRow` in the list. */
  const saveRecordTo = async (collectionRow) => {
    await page.waitForTimeout(600); // the draft reaches the host 200 ms after the last edit
    await page.locator('.editor-actions [aria-label*="Save Record to Collection"]').first().click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: collectionRow }).first().click({ timeout: 20_000 });
  };
  /** Clicks a message's inline "Open in Composer" button in the Collections view. */
  const openInComposer = async (messageName) => {
    const row = collectionsPane().locator('.monaco-list-row', { hasText: messageName }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.hover();
    await row.locator('[aria-label*="Open Collection Message in Composer"]').click();
  };
  /** Waits until the composer's form shows these field values (the webview applies a draft asynchronously). */
  const expectForm = async (expected) => {
    const read = async () => Object.fromEntries(await Promise.all(Object.keys(expected).map(async (id) =>
      [id, await webview.locator(`#${id} input, #${id} textarea`).first().inputValue({ timeout: 1_000 }).catch(() => '')])));
    let actual = {};
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await page.waitForTimeout(250)) {
      actual = await read();
      if (Object.keys(expected).every((id) => actual[id] === expected[id])) return;
    }
    throw new Error(`the composer shows ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  const typeInto = async (selector, text) => {
    const input = webview.locator(`${selector} input, ${selector} textarea`).first();
    await input.click();
    await input.fill(text);
  };

  await step('the workbench loads with the Kafka activity bar entry', async () => {
    await page.goto(vsix ? `${server.url}/?folder=${encodeURIComponent(folder)}` : workbenchUrl(server.url, { folder }));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().waitFor({ timeout: 60_000 });
  });

  await step('connects to the Local sandbox from the palette and shows it in the status bar and explorer', async () => {
    await palette('Kafka: Connect', 'Local sandbox');
    await page.locator('.statusbar-item', { hasText: 'Kafka: Local sandbox' }).waitFor({ timeout: 30_000 });
    await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().click();
    await page.locator('.monaco-list-row', { hasText: 'Broker 1' }).first().waitFor({ timeout: 20_000 });
  });

  await step('opens the composer from the palette', async () => {
    await palette('Kafka: Open Composer');
    await webview.locator('#send').waitFor({ timeout: 30_000 });
    await webview.locator('#connection-name', { hasText: 'Local sandbox' }).waitFor({ timeout: 15_000 });
  });

  let firstPartition;
  await step('fills topic, key, value and a header, sends, and sees the offset in the results table', async () => {
    await typeInto('#topic', 'ui-orders');
    await typeInto('#key', 'order-42');
    await typeInto('#value', '{"id": 42, "item": "book"}');
    await webview.locator('#add-header').click();
    await typeInto('.header-row:last-child .header-key', 'trace-id');
    await typeInto('.header-row:last-child .header-value', 'abc-123');
    await webview.locator('#send').click();
    const row = webview.locator('.result-row.acked').first();
    await row.waitFor({ timeout: 30_000 });
    const offset = (await row.locator('.col-offset').textContent()).trim();
    if (!/^\d+$/.test(offset)) throw new Error(`expected a numeric offset in the results table, got "${offset}"`);
    firstPartition = Number((await row.locator('.col-partition').textContent()).trim());
    await webview.locator('#send-status', { hasText: `offset ${offset}` }).waitFor({ timeout: 5_000 });
  });

  await step('lists the new topic in the cluster explorer with each partition\'s leader, ISR and high watermark', async () => {
    const topicRow = page.locator('.monaco-list-row', { hasText: 'ui-orders' }).first();
    await topicRow.waitFor({ timeout: 15_000 });
    await topicRow.click();
    const partitionRow = page.locator('.monaco-list-row', { hasText: `Partition ${firstPartition}` }).first();
    await partitionRow.waitFor({ timeout: 15_000 });
    const text = await partitionRow.textContent();
    if (!/leader \d · replicas \[[\d,]+\] · ISR \[[\d,]+\] · HW 1/.test(text)) throw new Error(`partition row reads "${text}"`);
  });

  await step('opens the trace timeline of the sent record', async () => {
    await webview.locator('.result-row.acked').first().click();
    await webview.locator('.timeline-entry.acked', { hasText: 'Acked at offset' }).waitFor({ timeout: 15_000 });
    await webview.locator('.timeline-entry.partitioned', { hasText: 'murmur2' }).waitFor({ timeout: 5_000 });
    await webview.locator('.timeline-entry.attempt-sent').first().waitFor({ timeout: 5_000 });
  });

  await step('stops the partition leader from the sandbox controls and sees a retry in the next send\'s trace', async () => {
    await webview.locator('#sandbox-bar').waitFor({ state: 'visible', timeout: 10_000 });
    await webview.locator('#refresh').click();
    // The partition list shows each partition's leader: stop the one the key lands on.
    const optionText = await webview.locator(`#partition vscode-option[value="${firstPartition}"]`).textContent({ timeout: 10_000 });
    const leader = Number(/leader (\d+)/.exec(optionText)?.[1]);
    if (!leader) throw new Error(`no leader shown for partition ${firstPartition}: "${optionText}"`);
    await webview.locator('#sandbox-broker').click();
    await webview.locator('#sandbox-broker vscode-option', { hasText: `broker ${leader} (` }).click();
    await webview.locator('#sandbox-stop').click();
    await webview.locator('#sandbox-status', { hasText: '2/3 brokers up' }).waitFor({ timeout: 15_000 });
    // Send with the keyboard this time: Ctrl+Enter from the value editor.
    await webview.locator('#value textarea').click();
    await page.keyboard.press('Control+Enter');
    await webview.locator('.result-row').nth(1).waitFor({ timeout: 10_000 });
    const newest = webview.locator('.result-row').first();
    await webview.locator('.result-row.acked').nth(1).waitFor({ timeout: 60_000 });
    await newest.click();
    await webview.locator('.timeline-entry.retry').first().waitFor({ timeout: 15_000 });
    await webview.locator('.timeline-entry.acked').waitFor({ timeout: 15_000 });
  });

  await step('sends 2,000 records asynchronously, keeps the table responsive, and shows how they were batched', async () => {
    await webview.locator('#sandbox-start').click(); // bring the stopped broker back
    await webview.locator('#sandbox-status', { hasText: '3/3 brokers up' }).waitFor({ timeout: 15_000 });
    await webview.locator('#send-mode').click();
    await webview.locator('#send-mode vscode-option[value="async"]').click();
    await typeInto('#repeat', '2000');
    await webview.locator('#send').click();
    // The badge reads "2,002" once every record is acked (it adds "· N pending" / "· N failed" otherwise).
    for (let deadline = Date.now() + 60_000; ; await page.waitForTimeout(250)) {
      const badge = (await webview.locator('#results-count').textContent()).trim();
      if (badge === '2,002') break;
      if (Date.now() > deadline) throw new Error(`results badge still "${badge}" after 60 s`);
    }
    const rendered = await webview.locator('.result-row').count();
    if (rendered > 60) throw new Error(`the table rendered ${rendered} rows for 2002 records: it is not virtualized`);
    await webview.locator('#results').evaluate((el) => { el.scrollTop = 24 * 1500; });
    await webview.locator('.result-row').first().waitFor();
    await webview.locator('#tab-batches').click();
    const batchRow = webview.locator('#batches tr', { hasText: 'ui-orders-' }).first();
    await batchRow.waitFor({ timeout: 10_000 });
    const records = Number((await batchRow.locator('td').nth(2).textContent()).trim());
    if (!(records >= 1)) throw new Error(`a batch should hold records, got ${records}`);
    await webview.locator('#tab-trace').click();
    await typeInto('#repeat', '1');
    await webview.locator('#send-mode').click();
    await webview.locator('#send-mode vscode-option[value="sync"]').click();
  });

  await step('shows invalid JSON next to the value field, in plain words, without sending', async () => {
    const rowsBefore = await webview.locator('.result-row').count();
    await webview.locator('#value-format').click();
    await webview.locator('#value-format vscode-option[value="json"]').click();
    await typeInto('#value', '{"id": 43,');
    await webview.locator('#send').click();
    await webview.locator('#error-value', { hasText: 'The value is not valid JSON' }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    if ((await webview.locator('.result-row').count()) !== rowsBefore) throw new Error('an invalid draft was sent');
    await typeInto('#value', '{"id": 43}');
  });

  await step('keeps the draft and the connection after the window reloads (webview state + panel serializer)', async () => {
    await palette('Developer: Reload Window');
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const topic = webview.locator('#topic input');
    await topic.waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 20_000;
    let value = '';
    while (Date.now() < deadline && value !== 'ui-orders') { value = await topic.inputValue().catch(() => ''); await page.waitForTimeout(250); }
    if (value !== 'ui-orders') throw new Error(`after reload the topic field holds "${value}", not the draft's "ui-orders"`);
    await webview.locator('#connection-name', { hasText: 'Connected to Local sandbox' }).waitFor({ timeout: 30_000 });
    const key = await webview.locator('#key input').inputValue();
    if (key !== 'order-42') throw new Error(`after reload the key field holds "${key}"`);
  });

  await step('offers to connect from the composer after a disconnect, and connects', async () => {
    await palette('Kafka: Disconnect');
    await webview.locator('#connect-bar').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: 'Kafka: not connected' }).waitFor({ timeout: 10_000 });
    await webview.locator('#connect').click();
    await webview.locator('#connection-name', { hasText: 'Connected to Local sandbox' }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: 'Kafka: Local sandbox' }).waitFor({ timeout: 10_000 });
  });

  await step('saves the composer\'s record to a new collection from the panel\'s title bar', async () => {
    await typeInto('#value', '{"id": 44, "item": "pen"}');
    await saveRecordTo('New collection');
    await answerInput('New collection name', 'UI Orders');
    await answerInput('Message name', 'order 44');
    await page.locator('.notifications-toasts', { hasText: 'saved "order 44"' }).waitFor({ timeout: 15_000 });
    const saved = JSON.parse(fs.readFileSync(path.join(folder, 'ui-orders.kafka.json'), 'utf8'));
    const m = saved.messages[0];
    if (saved.name !== 'UI Orders' || m.name !== 'order 44' || m.topic !== 'ui-orders' || m.key !== 'order-42' || m.value?.item !== 'pen') {
      throw new Error(`ui-orders.kafka.json holds ${JSON.stringify(saved)}`);
    }
  });

  await step('lists the new collection and its message in the Collections view and sends it from there', async () => {
    const pane = collectionsPane();
    // The activity bar entry toggles the side bar: click it only when the Kafka side bar is not showing.
    if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().click();
    await pane.waitFor({ timeout: 15_000 });
    const header = pane.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.locator('.monaco-list-row', { hasText: 'UI Orders' }).first().waitFor({ timeout: 20_000 });
    const row = pane.locator('.monaco-list-row', { hasText: 'order 44' }).first();
    await row.waitFor({ timeout: 20_000 });
    const before = (await webview.locator('#results-count').textContent()).trim();
    await row.hover();
    await row.locator('[aria-label*="Send Collection Message"]').click();
    await page.locator('.notifications-toasts', { hasText: '1 of 1 record acknowledged' }).waitFor({ timeout: 30_000 });
    // The progress notification closes once the send is over.
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'sending "order 44"' }).waitFor({ state: 'detached', timeout: 10_000 });
    // The record joins the composer's results, like the composer's own sends.
    for (let deadline = Date.now() + 15_000; ; await page.waitForTimeout(250)) {
      const badge = (await webview.locator('#results-count').textContent()).trim();
      if (badgeCount(badge) === badgeCount(before) + 1) break;
      if (Date.now() > deadline) throw new Error(`results badge went from "${before}" to "${badge}", expected one more`);
    }
    await webview.locator('.result-row.acked').first().waitFor({ timeout: 10_000 });
  });

  await step('shows CodeLens in the collection file and sends all from it', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('ui-orders.kafka.json');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ui-orders.kafka.json' }).first().click({ timeout: 20_000 });
    const sendAll = page.locator('.codelens-decoration a', { hasText: 'Send all' }).first();
    await sendAll.waitFor({ timeout: 30_000 });
    await page.locator('.codelens-decoration a', { hasText: /^\s*Send\s*$/ }).first().waitFor({ timeout: 10_000 });
    await sendAll.click();
    await page.locator('.notifications-toasts', { hasText: 'UI Orders: 1 of 1 record acknowledged' }).nth(0).waitFor({ timeout: 30_000 });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'sending UI Orders' }).waitFor({ state: 'detached', timeout: 10_000 });
  });

  await step('cancels a slow collection send from its progress notification', async () => {
    fs.writeFileSync(path.join(folder, 'slow.kafka.json'), `${JSON.stringify({ name: 'Slow', messages: [{ name: 'trickle', topic: 'ui-slow', value: 'v{{$seq}}', count: 100, ratePerSecond: 4 }] }, null, 2)}\n`);
    const pane = collectionsPane();
    await pane.locator('.pane-header').hover();
    await pane.locator('.pane-header [aria-label*="Refresh Collections"]').click();
    const slowRow = pane.locator('.monaco-list-row', { hasText: 'slow.kafka.json' }).first();
    await slowRow.waitFor({ timeout: 20_000 });
    await slowRow.hover();
    await slowRow.locator('[aria-label*="Send All Messages of Collection"]').click();
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: 'sending Slow' });
    await progress.waitFor({ timeout: 15_000 });
    await progress.locator('.notification-list-item-message', { hasText: /[1-9]\d* of 100 records/ }).waitFor({ timeout: 15_000 });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.notifications-toasts', { hasText: /Slow: \d+ of \d+ records? acknowledged; cancelled, \d+ of 100 not sent/ }).waitFor({ timeout: 15_000 });
  });

  const picksFile = path.join(folder, 'picks.kafka.json');
  await step('opens a collection message in the hidden composer from the Collections view, and the form shows it', async () => {
    fs.writeFileSync(picksFile, `${JSON.stringify({ name: 'Picks', messages: [
      { name: 'pick one', topic: 'ui-pick-one', key: 'first-key', value: 'first value' },
      { name: 'pick two', topic: 'ui-pick-two', key: 'second-key', value: 'second value' },
    ] }, null, 2)}\n`);
    // The collection file opened in the composer's group by the CodeLens step hides the composer: its webview is
    // rebuilt from saved state when shown again, and the opened message must win over that state.
    if (await page.locator('.tab.active', { hasText: 'Kafka Composer' }).count()) throw new Error('the composer tab should be hidden behind the collection file here');
    await collectionsPane().locator('.pane-header').hover();
    await collectionsPane().locator('.pane-header [aria-label*="Refresh Collections"]').click();
    await openInComposer('pick one');
    await page.locator('.tab.active', { hasText: 'Kafka Composer' }).waitFor({ timeout: 15_000 });
    await expectForm({ topic: 'ui-pick-one', key: 'first-key', value: 'first value' });
  });

  await step('opens another message while the composer shows one, the form follows, and an edit of it is what gets saved', async () => {
    await openInComposer('pick two');
    await expectForm({ topic: 'ui-pick-two', key: 'second-key', value: 'second value' });
    // "Save Record to Collection" saves the host's copy of the draft: it must be the opened message, then the edit.
    await typeInto('#key', 'second-key-edited');
    await saveRecordTo('Picks');
    await answerInput('Message name', 'edited pick');
    await page.locator('.notifications-toasts', { hasText: 'saved "edited pick"' }).waitFor({ timeout: 15_000 });
    const saved = JSON.parse(fs.readFileSync(picksFile, 'utf8')).messages.find((m) => m.name === 'edited pick');
    if (saved?.topic !== 'ui-pick-two' || saved.key !== 'second-key-edited' || saved.value !== 'second value') {
      throw new Error(`saved ${JSON.stringify(saved)}, not the record the composer shows`);
    }
  });

  await step('value format "Schema Registry": picks the subject, shows the schema, fills an example and checks as you type', async () => {
    await typeInto('#topic', 'ui-avro');
    await webview.locator('#value-format').click();
    await webview.locator('#value-format vscode-option[value="schema"]').click();
    const hint = webview.locator('#value-schema-registry', { hasText: 'Schema registry http://' });
    await hint.waitFor({ timeout: 15_000 });
    const registry = /Schema registry (http:\/\/[^ ]+)/.exec(await hint.textContent())[1];
    const order = { type: 'record', name: 'Order', namespace: 'ui', fields: [{ name: 'id', type: 'string' }, { name: 'qty', type: 'int' }, { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } }] };
    const res = await fetch(`${registry}/subjects/ui-avro-value/versions`, { method: 'POST', body: JSON.stringify({ schema: JSON.stringify(order) }) });
    if (res.status !== 200) throw new Error(`registering the schema: ${res.status} ${await res.text()}`);
    // Choosing the format again asks for the subjects again.
    await webview.locator('#value-format').click();
    await webview.locator('#value-format vscode-option[value="json"]').click();
    await webview.locator('#value-format').click();
    await webview.locator('#value-format vscode-option[value="schema"]').click();
    await webview.locator('#value-subject vscode-option[value="ui-avro-value"]').waitFor({ state: 'attached', timeout: 15_000 });
    await webview.locator('#value-fill-example').click();
    await webview.locator('#value-schema-status', { hasText: 'Fits ui-avro-value v1' }).waitFor({ timeout: 15_000 });
    const example = JSON.parse(await webview.locator('#value textarea').inputValue());
    if (example.status !== 'NEW' || typeof example.qty !== 'number') throw new Error(`the example is ${JSON.stringify(example)}`);
    await webview.locator('#value-schema-summary').click();
    await webview.locator('#value-schema-text', { hasText: '"name": "Order"' }).waitFor({ timeout: 5_000 });
    await typeInto('#value', '{"id": "o-1", "qty": "two", "status": "NEW"}');
    await webview.locator('#value-schema-status', { hasText: 'value.qty: expected an int' }).waitFor({ timeout: 15_000 });
  });

  await step('refuses to send a value that does not fit its schema, then sends one that does and the trace names subject, version and id', async () => {
    const rowsBefore = await webview.locator('.result-row').count();
    await webview.locator('#send').click();
    await webview.locator('#error-value', { hasText: 'value.qty: expected an int' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    if ((await webview.locator('.result-row').count()) !== rowsBefore) throw new Error('a value that does not fit its schema was sent');
    await typeInto('#value', '{"id": "o-1", "qty": 2, "status": "PAID"}');
    await webview.locator('#value-schema-status', { hasText: 'Fits ui-avro-value v1' }).waitFor({ timeout: 15_000 });
    await webview.locator('#send').click();
    await webview.locator('#send-status', { hasText: 'Sent 1 record' }).waitFor({ timeout: 30_000 });
    await webview.locator('.result-row.acked').first().click();
    const first = webview.locator('.timeline-entry').first();
    await first.waitFor({ timeout: 15_000 });
    const text = await first.textContent();
    if (!/Serialized value with ui-avro-value v1/.test(text) || !/schema id \d+ \(AVRO ui\.Order\)/.test(text)) throw new Error(`the trace starts with "${text}"`);
    await webview.locator('#trace-metadata dd', { hasText: 'ui-avro-value v1' }).waitFor({ timeout: 5_000 });
    await webview.locator('#value-format').click();
    await webview.locator('#value-format vscode-option[value="text"]').click();
  });

  await step('says the results table shows only the latest 10,000 once older results are dropped', async () => {
    if (await webview.locator('#results-cap').isVisible()) throw new Error('the cap note shows before the table is full');
    await webview.locator('#send-mode').click();
    await webview.locator('#send-mode vscode-option[value="async"]').click();
    await typeInto('#repeat', '10000');
    await webview.locator('#send').click();
    for (let deadline = Date.now() + 120_000; ; await page.waitForTimeout(500)) {
      const badge = (await webview.locator('#results-count').textContent()).trim();
      if (badge === '10,000 (latest)') break; // every record acked, older rows dropped
      if (Date.now() > deadline) throw new Error(`results badge still "${badge}" after 120 s`);
    }
    await webview.locator('#results-cap', { hasText: 'Showing the latest 10,000 results' }).waitFor({ state: 'visible', timeout: 5_000 });
  });
} catch (e) {
  results.push({ title: 'the UI test could run', ok: false, error: e });
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
}
const failing = summary();
// Keep the profile (code-server's log) only when something failed.
if (!failing && runDir) fs.rmSync(runDir, { recursive: true, force: true });
else if (runDir) console.log(`code-server profile and log kept in ${runDir}`);
console.log(`screenshots: ${path.relative(root, shots)}/`);
process.exit(failing ? 1 : 0);

// `npm run test:ui`: drives the real workbench in Chromium (code-server 4.100.3 with the extension loaded): opens the
// composer from the palette, fills topic/key/value/header, sends, reads the offset in the results table, opens the
// trace timeline, stops the partition leader from the sandbox controls and sees a retry in the next send's trace;
// then collections: saves, sends, opens messages in the composer (hidden and shown), and fills the results table.
// Saves a screenshot per step under test-results/screenshots/. Prints `N passing` / `N failing`.
import fs from 'node:fs';
import path from 'node:path';
import { workbenchUrl } from '../../scripts/code-server.mjs';
import { runUiSuite } from './harness.mjs';

// KW_VSIX=<file>: test the packaged extension, installed with `code-server --install-extension`, instead of the tree.
const vsix = process.env.KW_VSIX ? path.resolve(process.env.KW_VSIX) : null;

const suite = {
  label: 'test:ui',
  heading: 'Kafka Workbench UI (Chromium through the workbench)',
  shotsDir: 'test-results/screenshots',
  tmpPrefix: 'kw-ui-',
  viewport: { width: 1400, height: 1000 },
  vsix,
};

await runUiSuite(suite, async ({ page, server, folder, step, shot, palette, answerInput, webview, typeInto }) => {
  /** The number a results badge starts with: "2,003 · 1 pending" -> 2003. */
  const badgeCount = (badge) => Number.parseInt(badge.replace(/,/g, ''), 10);
  const collectionsPane = () =>
    page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Collections' }) });
  /** Clicks `button` in the modal dialog that says `text`. */
  const answerDialog = async (text, button) => {
    const dialog = page.locator('.monaco-dialog-box', { hasText: text });
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: button }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  };
  /** "Save Record to Collection" from the composer's title bar, picking `collectionRow` in the list. */
  const saveRecordTo = async (collectionRow) => {
    await page.waitForTimeout(600); // the draft reaches the host 200 ms after the last edit
    await page.locator('.editor-actions [aria-label*="Save Record to Collection"]').first().click();
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: collectionRow })
      .first()
      .click({ timeout: 20_000 });
  };
  /**
   * Clicks a message's inline "Open in Composer" button in the Collections view. A click that lands while the view
   * re-renders (the file watcher reporting a file the test just wrote) reaches the command without its item, which
   * then asks which message: that is VS Code's race, not the step's subject, so the click is made again.
   */
  const openInComposer = async (messageName) => {
    const picker = page.locator('.quick-input-widget', { hasText: 'Open which message in the composer?' });
    for (let attempt = 1; ; attempt++) {
      const row = collectionsPane().locator('.monaco-list-row', { hasText: messageName }).first();
      await row.waitFor({ timeout: 20_000 });
      await row.hover();
      await row.locator('[aria-label*="Open Collection Message in Composer"]').click();
      const asked = await picker.waitFor({ timeout: 1_500 }).then(
        () => true,
        () => false,
      );
      if (!asked) return;
      if (attempt === 3) throw new Error('the Collections view kept re-rendering under the click');
      await page.keyboard.press('Escape');
    }
  };
  /** Fails if a field of the composer shows an error line (its text names the field and the value it read). */
  const expectNoFieldErrors = async (when) => {
    const errors = await webview
      .locator('.composer .error[id^="error-"]')
      .evaluateAll((els) => els.filter((e) => e.textContent.trim()).map((e) => `${e.id}: ${e.textContent.trim()}`));
    if (errors.length) throw new Error(`${when}, the composer shows field errors: ${errors.join('; ')}`);
  };
  /** Waits until the composer's form shows these field values (the webview applies a draft asynchronously). */
  const expectForm = async (expected) => {
    const read = async () =>
      Object.fromEntries(
        await Promise.all(
          Object.keys(expected).map(async (id) => [
            id,
            await webview
              .locator(`#${id} input, #${id} textarea`)
              .first()
              .inputValue({ timeout: 1_000 })
              .catch(() => ''),
          ]),
        ),
      );
    let actual = {};
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await page.waitForTimeout(250)) {
      actual = await read();
      if (Object.keys(expected).every((id) => actual[id] === expected[id])) return;
    }
    throw new Error(`the composer shows ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };

  await step('the workbench loads with the Kafka activity bar entry', async () => {
    await page.goto(
      vsix ? `${server.url}/?folder=${encodeURIComponent(folder)}` : workbenchUrl(server.url, { folder }),
    );
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
    // A new topic: the composer asks before creating it.
    await answerDialog('Topic "ui-orders" does not exist on "Local sandbox"', 'Create with 3 Partitions, RF 3');
    const row = webview.locator('.result-row.acked').first();
    await row.waitFor({ timeout: 30_000 });
    const offset = (await row.locator('.col-offset').textContent()).trim();
    if (!/^\d+$/.test(offset)) throw new Error(`expected a numeric offset in the results table, got "${offset}"`);
    firstPartition = Number((await row.locator('.col-partition').textContent()).trim());
    await webview.locator('#send-status', { hasText: `offset ${offset}` }).waitFor({ timeout: 5_000 });
    await webview
      .locator('#send-mode-hint', {
        hasText: /^sync: each record is handed to the producer only after the one before is acknowledged/,
      })
      .waitFor({ timeout: 5_000 });
  });

  await step(
    'a topic-name typo asks before creating the topic; Cancel creates nothing and says so next to the topic',
    async () => {
      await typeInto('#topic', 'ui-order');
      await webview
        .locator('#partition-preview', {
          hasText: 'No topic "ui-order" on this cluster: Send asks before creating it',
        })
        .waitFor({ timeout: 10_000 });
      await webview.locator('#send').click();
      const dialog = page.locator('.monaco-dialog-box', {
        hasText: 'Topic "ui-order" does not exist on "Local sandbox"',
      });
      await dialog.waitFor({ timeout: 15_000 });
      await shot('during-missing-topic-question');
      await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
      await webview
        .locator('#error-topic', {
          hasText: 'Not sent: topic "ui-order" does not exist on "Local sandbox" and nothing was created',
        })
        .waitFor({ timeout: 10_000 });
      await typeInto('#topic', 'ui-orders');
    },
  );

  await step(
    "lists the new topic in the cluster explorer with each partition's leader, ISR and high watermark",
    async () => {
      const topicRow = page.locator('.monaco-list-row', { hasText: 'ui-orders' }).first();
      await topicRow.waitFor({ timeout: 15_000 });
      if (await page.locator('.monaco-list-row', { hasText: /^ui-order\b(?!s)/ }).count())
        throw new Error('the typo "ui-order" became a topic');
      await topicRow.click();
      const partitionRow = page.locator('.monaco-list-row', { hasText: `Partition ${firstPartition}` }).first();
      await partitionRow.waitFor({ timeout: 15_000 });
      const text = await partitionRow.textContent();
      if (!/leader \d · replicas \[[\d,]+\] · ISR \[[\d,]+\] · HW 1/.test(text))
        throw new Error(`partition row reads "${text}"`);
    },
  );

  await step('opens the trace timeline of the sent record', async () => {
    await webview.locator('.result-row.acked').first().click();
    await webview.locator('.timeline-entry.acked', { hasText: 'Acked at offset' }).waitFor({ timeout: 15_000 });
    await webview.locator('.timeline-entry.partitioned', { hasText: 'murmur2' }).waitFor({ timeout: 5_000 });
    await webview.locator('.timeline-entry.attempt-sent').first().waitFor({ timeout: 5_000 });
    // Events of one millisecond in the order they happened: the batch exists before the record joins it and is sent.
    const kinds = await webview.locator('.timeline-entry').evaluateAll((els) => els.map((el) => el.dataset.kind));
    const at = (k) => kinds.indexOf(k);
    if (!(at('batch-created') >= 0 && at('batch-created') < at('appended') && at('appended') < at('attempt-sent')))
      throw new Error(`timeline order: ${kinds.join(', ')}`);
    await webview
      .locator('.timeline-entry.appended', { hasText: 'started batch 1 of producer 1' })
      .waitFor({ timeout: 5_000 });
  });

  await step(
    'follows sends without Refresh: the sandbox bar counts a used-up fault, the explorer shows the new high watermark',
    async () => {
      await webview.locator('#sandbox-bar').waitFor({ state: 'visible', timeout: 10_000 });
      await webview.locator('#sandbox-inject').click();
      await webview.locator('#sandbox-status', { hasText: '1 fault(s)' }).waitFor({ timeout: 10_000 });
      await webview.locator('#send').click();
      const status = webview.locator('#send-status', { hasText: /^1 of 1 record acknowledged; last at offset \d+/ });
      await status.waitFor({ timeout: 30_000 });
      const offset = Number(/offset (\d+)/.exec(await status.textContent())[1]);
      await webview.locator('#sandbox-status', { hasText: '0 fault(s)' }).waitFor({ timeout: 10_000 });
      // The failed attempt's long title wraps in its column instead of running under the detail next to it.
      const failed = webview.locator('.timeline-entry.attempt-result.retry').first();
      await failed.waitFor({ timeout: 10_000 });
      const title = await failed.locator('.title').evaluate((el) => {
        const r = el.ownerDocument.createRange();
        r.selectNodeContents(el);
        return r.getBoundingClientRect().right;
      });
      const detail = await failed.locator('.detail').boundingBox();
      if (title > detail.x)
        throw new Error(`the title's text ends at x=${title}, over the detail starting at x=${detail.x}`);
      await page
        .locator('.monaco-list-row', { hasText: `Partition ${firstPartition}` })
        .filter({ hasText: `HW ${offset + 1}` })
        .first()
        .waitFor({ timeout: 10_000 });
    },
  );

  await step(
    "stops the partition leader from the sandbox controls and sees a retry in the next send's trace",
    async () => {
      await webview.locator('#sandbox-bar').waitFor({ state: 'visible', timeout: 10_000 });
      await webview.locator('#refresh').click();
      // The partition list shows each partition's leader: stop the one the key lands on.
      const optionText = await webview
        .locator(`#partition vscode-option[value="${firstPartition}"]`)
        .textContent({ timeout: 10_000 });
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
    },
  );

  await step(
    'sends 2,000 records asynchronously, keeps the table responsive, and shows how they were batched',
    async () => {
      await webview.locator('#sandbox-start').click(); // bring the stopped broker back
      await webview.locator('#sandbox-status', { hasText: '3/3 brokers up' }).waitFor({ timeout: 15_000 });
      await webview.locator('#send-mode').click();
      await webview.locator('#send-mode vscode-option[value="async"]').click();
      await typeInto('#repeat', '2000');
      await webview.locator('#send').click();
      // The badge reads "2,003" once every record is acked (it adds "· N pending" / "· N failed" otherwise).
      for (let deadline = Date.now() + 60_000; ; await page.waitForTimeout(250)) {
        const badge = (await webview.locator('#results-count').textContent()).trim();
        if (badge === '2,003') break;
        if (Date.now() > deadline) throw new Error(`results badge still "${badge}" after 60 s`);
      }
      const rendered = await webview.locator('.result-row').count();
      if (rendered > 60) throw new Error(`the table rendered ${rendered} rows for 2003 records: it is not virtualized`);
      await webview.locator('#results').evaluate((el) => {
        el.scrollTop = 24 * 1500;
      });
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
    },
  );

  await step(
    'renders {{$seq}} per record: Repeat 3 sends keys order-0, order-1, order-2, and the rendered record shows the first',
    async () => {
      await typeInto('#key', 'order-{{$seq}}');
      await typeInto('#repeat', '3');
      await webview.locator('#rendered-record .rendered-key', { hasText: /^order-0$/ }).waitFor({ timeout: 10_000 });
      await webview.locator('#send').click();
      await webview
        .locator('#send-status', { hasText: /^3 of 3 records acknowledged; last at offset \d+/ })
        .waitFor({ timeout: 30_000 });
      await webview.locator('#results').evaluate((el) => {
        el.scrollTop = 0;
      });
      let keys = [];
      for (let deadline = Date.now() + 5_000; Date.now() < deadline; await page.waitForTimeout(100)) {
        keys = (await webview.locator('.result-row .col-key').allTextContents()).slice(0, 3);
        if (keys.sort().join(',') === 'order-0,order-1,order-2') break;
      }
      if (keys.sort().join(',') !== 'order-0,order-1,order-2')
        throw new Error(`the newest rows have keys ${keys.join(', ')}`);
      await typeInto('#key', 'order-42');
      await typeInto('#repeat', '1');
    },
  );

  await step(
    'sends Repeat 2 as one transaction and aborts it after sending: the summary says so, the trace names the transaction',
    async () => {
      await webview.locator('#txn-on').click();
      await webview
        .locator('#error-transaction', { hasText: 'Give the transaction a transactional.id' })
        .waitFor({ timeout: 5_000 });
      await typeInto('#transaction', 'ui-orders-tx');
      await webview.locator('#txn-abort').click();
      await typeInto('#repeat', '2');
      await webview.locator('#send').click();
      await webview
        .locator('#send-status', {
          hasText: /2 of 2 records acknowledged.*transaction 'ui-orders-tx'.*aborted as asked/,
        })
        .waitFor({ timeout: 30_000 });
      await webview.locator('#results').evaluate((el) => {
        el.scrollTop = 0;
      });
      await webview.locator('.result-row.acked').first().click();
      await webview
        .locator('.timeline-entry', { hasText: "In transaction 1 of 'ui-orders-tx'" })
        .waitFor({ timeout: 15_000 });
      await webview.locator('#trace-metadata', { hasText: 'ui-orders-tx #1: aborted' }).waitFor({ timeout: 10_000 });
      await webview.locator('#trace-metadata', { hasText: 'abort markers in' }).waitFor({ timeout: 5_000 });
      await webview.locator('#txn-on').click();
      await webview.locator('#txn-abort').click();
      await typeInto('#repeat', '1');
    },
  );

  await step(
    "shows a slow Repeat's progress (acknowledged, failed, remaining, records/s) and Cancel stops it, saying what was never sent",
    async () => {
      await palette('Kafka: Sandbox: Add Latency');
      await answerInput('Delay the next Produce requests by', '300');
      await answerInput('How many requests?', '1000');
      await typeInto('#repeat', '5000');
      await webview.locator('#send').click();
      await webview
        .locator('#send-status', {
          hasText: /^Sending: [1-9]\d* of 5,000 records: \d+ acknowledged, 0 failed, [\d,]+ remaining, \d+ records\/s$/,
        })
        .waitFor({ timeout: 30_000 });
      await webview.locator('#cancel-send').waitFor({ state: 'visible' });
      await shot('during-slow-repeat-progress');
      await webview.locator('#cancel-send').click();
      await webview
        .locator('#send-status', { hasText: /records? acknowledged; cancelled, [\d,]+ of 5,000 not sent/ })
        .waitFor({ timeout: 30_000 });
      await webview.locator('#cancel-send').waitFor({ state: 'hidden' });
      await palette('Kafka: Sandbox: Clear Faults');
      await typeInto('#repeat', '1');
    },
  );

  await step(
    'Clear during a running send keeps the records in flight: their rows, the summary and the last trace arrive',
    async () => {
      await palette('Kafka: Sandbox: Add Latency');
      await answerInput('Delay the next Produce requests by', '1500');
      await answerInput('How many requests?', '20');
      await webview.locator('#send-mode').click();
      await webview.locator('#send-mode vscode-option[value="async"]').click();
      await typeInto('#key', 'clear-{{$seq}}');
      await typeInto('#repeat', '100');
      await webview.locator('#send').click();
      await webview.locator('#results-count', { hasText: '100 pending' }).waitFor({ timeout: 15_000 });
      await webview.locator('#clear-results').click();
      await webview
        .locator('#send-status', { hasText: /^100 of 100 records acknowledged; last at offset \d+/ })
        .waitFor({ timeout: 30_000 });
      await webview.locator('#results-count', { hasText: /^\s*100\s*$/ }).waitFor({ timeout: 10_000 });
      await webview.locator('.timeline-entry.acked').waitFor({ timeout: 10_000 });
      await palette('Kafka: Sandbox: Clear Faults');
      await typeInto('#key', 'order-42');
      await typeInto('#repeat', '1');
      await webview.locator('#send-mode').click();
      await webview.locator('#send-mode vscode-option[value="sync"]').click();
    },
  );

  await step(
    'refuses Repeat "abc" next to the field without sending, and says an empty key is sent as ""',
    async () => {
      const rowsBefore = (await webview.locator('#results-count').textContent()).trim();
      await typeInto('#repeat', 'abc');
      await webview
        .locator('#error-repeat', { hasText: 'Repeat must be a whole number from 1 to 10,000 (it is "abc").' })
        .waitFor({ timeout: 5_000 });
      await webview.locator('#send').click();
      await webview
        .locator('#send-status', { hasText: 'Not sent: fix the fields marked in red.' })
        .waitFor({ timeout: 5_000 });
      await shot('during-repeat-abc');
      if ((await webview.locator('#results-count').textContent()).trim() !== rowsBefore)
        throw new Error('Repeat "abc" sent something');
      await typeInto('#repeat', '1');
      await typeInto('#key', '');
      await webview
        .locator('#partition-preview', { hasText: /^The key is empty: it is sent as an empty string "" \(not null/ })
        .waitFor({ timeout: 10_000 });
      await shot('during-empty-key');
      await typeInto('#key', 'order-42');
    },
  );

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

  await step(
    'keeps the draft and the connection after the window reloads (webview state + panel serializer)',
    async () => {
      await palette('Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      const topic = webview.locator('#topic input');
      await topic.waitFor({ timeout: 60_000 });
      const deadline = Date.now() + 20_000;
      let value = '';
      while (Date.now() < deadline && value !== 'ui-orders') {
        value = await topic.inputValue().catch(() => '');
        await page.waitForTimeout(250);
      }
      if (value !== 'ui-orders')
        throw new Error(`after reload the topic field holds "${value}", not the draft's "ui-orders"`);
      await webview.locator('#connection-name', { hasText: 'Connected to Local sandbox' }).waitFor({ timeout: 30_000 });
      const key = await webview.locator('#key input').inputValue();
      if (key !== 'order-42') throw new Error(`after reload the key field holds "${key}"`);
      await expectNoFieldErrors('after reload');
      // The selected record's trace lived in the old extension host: the pane says so plainly, not as an error.
      await webview
        .locator('#trace .trace-unavailable', { hasText: 'before VS Code reloaded' })
        .waitFor({ timeout: 15_000 });
      if (await webview.locator('#trace .error').count()) throw new Error('the trace pane shows an error after reload');
    },
  );

  await step(
    'keeps Repeat 3000 with no error under it when the composer is hidden and its webview rebuilt',
    async () => {
      await typeInto('#repeat', '3000');
      await expectNoFieldErrors('with Repeat 3000 typed');
      // The composer does not keep its webview when hidden: another editor in its group hides it, showing it again
      // builds the form anew from the webview's saved state.
      await palette('File: New Untitled Text File');
      await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 10_000 });
      await page.locator('.tab', { hasText: 'Kafka Composer' }).click();
      await expectForm({ topic: 'ui-orders', repeat: '3000' });
      await expectNoFieldErrors('after the composer was shown again');
      await shot('during-repeat-3000-shown-again');
      await page.locator('.tab', { hasText: 'Untitled-1' }).locator('[aria-label^="Close"]').click();
      await typeInto('#repeat', '1');
    },
  );

  await step('offers to connect from the composer after a disconnect, and connects', async () => {
    // From the Clusters view: the connected connection offers Disconnect.
    const sandboxRow = page.locator('.monaco-list-row', { hasText: 'Local sandbox' }).first();
    if (!(await sandboxRow.isVisible()))
      await page.locator('.activitybar [aria-label*="Kafka Workbench"]').first().click();
    await sandboxRow.hover();
    await sandboxRow.locator('[aria-label="Disconnect"]').click();
    await webview.locator('#connect-bar').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: 'Kafka: not connected' }).waitFor({ timeout: 10_000 });
    await webview.locator('#connect').click();
    await webview.locator('#connection-name', { hasText: 'Connected to Local sandbox' }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: 'Kafka: Local sandbox' }).waitFor({ timeout: 10_000 });
  });

  await step("saves the composer's record to a new collection from the panel's title bar", async () => {
    await typeInto('#value', '{"id": 44, "item": "pen"}');
    await saveRecordTo('New collection');
    await answerInput('New collection name', 'UI Orders');
    await answerInput('Message name', 'order 44');
    await page.locator('.notifications-toasts', { hasText: 'saved "order 44"' }).waitFor({ timeout: 15_000 });
    const saved = JSON.parse(fs.readFileSync(path.join(folder, 'ui-orders.kafka.json'), 'utf8'));
    const m = saved.messages[0];
    if (
      saved.name !== 'UI Orders' ||
      m.name !== 'order 44' ||
      m.topic !== 'ui-orders' ||
      m.key !== 'order-42' ||
      m.value?.item !== 'pen'
    ) {
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
    // The window reload restarted the embedded sandbox: ui-orders is new again, and the send asks first.
    await answerDialog('Topic "ui-orders" does not exist', 'Create with 3 Partitions, RF 3');
    await page.locator('.notifications-toasts', { hasText: '1 of 1 record acknowledged' }).waitFor({ timeout: 30_000 });
    // The progress notification closes once the send is over.
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: 'sending "order 44"' })
      .waitFor({ state: 'detached', timeout: 10_000 });
    // The record joins the composer's results, like the composer's own sends.
    for (let deadline = Date.now() + 15_000; ; await page.waitForTimeout(250)) {
      const badge = (await webview.locator('#results-count').textContent()).trim();
      if (badgeCount(badge) === badgeCount(before) + 1) break;
      if (Date.now() > deadline)
        throw new Error(`results badge went from "${before}" to "${badge}", expected one more`);
    }
    await webview.locator('.result-row.acked').first().waitFor({ timeout: 10_000 });
  });

  await step('shows CodeLens in the collection file and sends all from it', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('ui-orders.kafka.json');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'ui-orders.kafka.json' })
      .first()
      .click({ timeout: 20_000 });
    const sendAll = page.locator('.codelens-decoration a', { hasText: 'Send all' }).first();
    await sendAll.waitFor({ timeout: 30_000 });
    await page
      .locator('.codelens-decoration a', { hasText: /^\s*Send\s*$/ })
      .first()
      .waitFor({ timeout: 10_000 });
    await sendAll.click();
    await page
      .locator('.notifications-toasts', { hasText: 'UI Orders: 1 of 1 record acknowledged' })
      .nth(0)
      .waitFor({ timeout: 30_000 });
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: 'sending UI Orders' })
      .waitFor({ state: 'detached', timeout: 10_000 });
  });

  await step('cancels a slow collection send from its progress notification', async () => {
    fs.writeFileSync(
      path.join(folder, 'slow.kafka.json'),
      `${JSON.stringify({ name: 'Slow', messages: [{ name: 'trickle', topic: 'ui-slow', value: 'v{{$seq}}', count: 100, ratePerSecond: 4 }] }, null, 2)}\n`,
    );
    // Started from the file's CodeLens: a click in the Collections view right after the file appeared can land while
    // the view re-renders, and VS Code then runs the command without its item.
    // Clicking the message opens the file (its arguments are part of the item, not looked up at click time).
    await collectionsPane().locator('.monaco-list-row', { hasText: 'trickle' }).first().click({ timeout: 20_000 });
    await page.locator('.tab.active', { hasText: 'slow.kafka.json' }).waitFor({ timeout: 15_000 });
    await page.locator('.codelens-decoration a', { hasText: 'Send all' }).first().click({ timeout: 30_000 });
    await answerDialog('Topic "ui-slow" does not exist', 'Create with 3 Partitions, RF 3');
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: 'sending Slow' });
    await progress.waitFor({ timeout: 15_000 });
    await progress
      .locator('.notification-list-item-message', { hasText: /[1-9]\d* of 100 records/ })
      .waitFor({ timeout: 15_000 });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await page
      .locator('.notifications-toasts', {
        hasText: /Slow: \d+ of \d+ records? acknowledged; cancelled, \d+ of 100 not sent/,
      })
      .waitFor({ timeout: 15_000 });
  });

  const picksFile = path.join(folder, 'picks.kafka.json');
  await step(
    'opens a collection message in the hidden composer from the Collections view, and the form shows it',
    async () => {
      fs.writeFileSync(
        picksFile,
        `${JSON.stringify(
          {
            name: 'Picks',
            messages: [
              { name: 'pick one', topic: 'ui-pick-one', key: 'first-key', value: 'first value' },
              { name: 'pick two', topic: 'ui-pick-two', key: 'second-key', value: 'second value' },
            ],
          },
          null,
          2,
        )}\n`,
      );
      // The collection file opened in the composer's group by the CodeLens step hides the composer: its webview is
      // rebuilt from saved state when shown again, and the opened message must win over that state.
      if (await page.locator('.tab.active', { hasText: 'Kafka Composer' }).count())
        throw new Error('the composer tab should be hidden behind the collection file here');
      await collectionsPane().locator('.pane-header').hover();
      await collectionsPane().locator('.pane-header [aria-label*="Refresh Collections"]').click();
      await openInComposer('pick one');
      await page.locator('.tab.active', { hasText: 'Kafka Composer' }).waitFor({ timeout: 15_000 });
      await expectForm({ topic: 'ui-pick-one', key: 'first-key', value: 'first value' });
    },
  );

  await step(
    'opens another message while the composer shows one, the form follows, and an edit of it is what gets saved',
    async () => {
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
    },
  );

  await step(
    'value format "Schema Registry": picks the subject, shows the schema, fills an example and checks as you type',
    async () => {
      await typeInto('#topic', 'ui-avro');
      await webview.locator('#value-format').click();
      await webview.locator('#value-format vscode-option[value="schema"]').click();
      const hint = webview.locator('#value-schema-registry', { hasText: 'Schema registry http://' });
      await hint.waitFor({ timeout: 15_000 });
      const registry = /Schema registry (http:\/\/[^ ]+)/.exec(await hint.textContent())[1];
      const order = {
        type: 'record',
        name: 'Order',
        namespace: 'ui',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'qty', type: 'int' },
          { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
        ],
      };
      const res = await fetch(`${registry}/subjects/ui-avro-value/versions`, {
        method: 'POST',
        body: JSON.stringify({ schema: JSON.stringify(order) }),
      });
      if (res.status !== 200) throw new Error(`registering the schema: ${res.status} ${await res.text()}`);
      // Choosing the format again asks for the subjects again.
      await webview.locator('#value-format').click();
      await webview.locator('#value-format vscode-option[value="json"]').click();
      await webview.locator('#value-format').click();
      await webview.locator('#value-format vscode-option[value="schema"]').click();
      await webview
        .locator('#value-subject vscode-option[value="ui-avro-value"]')
        .waitFor({ state: 'attached', timeout: 15_000 });
      await webview.locator('#value-fill-example').click();
      await webview.locator('#value-schema-status', { hasText: 'Fits ui-avro-value v1' }).waitFor({ timeout: 15_000 });
      const example = JSON.parse(await webview.locator('#value textarea').inputValue());
      if (example.status !== 'NEW' || typeof example.qty !== 'number')
        throw new Error(`the example is ${JSON.stringify(example)}`);
      await webview.locator('#value-schema-summary').click();
      await webview.locator('#value-schema-text', { hasText: '"name": "Order"' }).waitFor({ timeout: 5_000 });
      await typeInto('#value', '{"id": "o-1", "qty": "two", "status": "NEW"}');
      await webview
        .locator('#value-schema-status', { hasText: 'value.qty: expected an int' })
        .waitFor({ timeout: 15_000 });
    },
  );

  await step(
    'refuses to send a value that does not fit its schema, then sends one that does and the trace names subject, version and id',
    async () => {
      const rowsBefore = await webview.locator('.result-row').count();
      await webview.locator('#send').click();
      await webview.locator('#error-value', { hasText: 'value.qty: expected an int' }).waitFor({ timeout: 15_000 });
      await page.waitForTimeout(500);
      if ((await webview.locator('.result-row').count()) !== rowsBefore)
        throw new Error('a value that does not fit its schema was sent');
      await typeInto('#value', '{"id": "o-1", "qty": 2, "status": "PAID"}');
      await webview.locator('#value-schema-status', { hasText: 'Fits ui-avro-value v1' }).waitFor({ timeout: 15_000 });
      await webview.locator('#send').click();
      await answerDialog('Topic "ui-avro" does not exist', 'Create with 3 Partitions, RF 3');
      await webview.locator('#send-status', { hasText: '1 of 1 record acknowledged' }).waitFor({ timeout: 30_000 });
      await webview.locator('.result-row.acked').first().click();
      const first = webview.locator('.timeline-entry').first();
      await first.waitFor({ timeout: 15_000 });
      const text = await first.textContent();
      if (!/Serialized value with ui-avro-value v1/.test(text) || !/schema id \d+ \(AVRO ui\.Order\)/.test(text))
        throw new Error(`the trace starts with "${text}"`);
      await webview.locator('#trace-metadata dd', { hasText: 'ui-avro-value v1' }).waitFor({ timeout: 5_000 });
      await webview.locator('#value-format').click();
      await webview.locator('#value-format vscode-option[value="text"]').click();
    },
  );

  const templatedFile = path.join(folder, 'templated.kafka.json');
  const TEMPLATED = `{
  "name": "Templated",
  "variables": { "region": "eu" },
  "messages": [
    { "name": "templated order", "topic": "ui-templated", "key": "order-{{$seq}}", "value": {"id": "{{$uuid}}", "region": "{{region}}"}, "count": 3 },
    {
      "name": "other",
      "description": "written by hand",
      "topic": "ui-templated",
      "value": "plain"
    }
  ]
}
`;
  await step(
    'opens a templated message in the composer: the form holds its templates, the rendered record shows beside them',
    async () => {
      fs.writeFileSync(templatedFile, TEMPLATED);
      await collectionsPane().locator('.pane-header').hover();
      await collectionsPane().locator('.pane-header [aria-label*="Refresh Collections"]').click();
      await openInComposer('templated order');
      await expectForm({ topic: 'ui-templated', key: 'order-{{$seq}}' });
      await webview
        .locator('#draft-origin', { hasText: 'Editing message "templated order"' })
        .waitFor({ timeout: 10_000 });
      await webview.locator('#rendered-record .rendered-key', { hasText: /^order-0$/ }).waitFor({ timeout: 10_000 });
      const value = JSON.parse(await webview.locator('#rendered-record .rendered-value').textContent());
      if (value.region !== 'eu' || !/^[0-9a-f-]{36}$/.test(value.id))
        throw new Error(`the rendered value is ${JSON.stringify(value)}`);
    },
  );

  await step(
    'edits the key and saves it back with Replace: the templates stay and only the key changes in the file',
    async () => {
      await typeInto('#key', 'order-{{$seq}}-{{region}}');
      await webview.locator('#rendered-record .rendered-key', { hasText: /^order-0-eu$/ }).waitFor({ timeout: 10_000 });
      await saveRecordTo('Templated');
      await answerInput('Message name', 'templated order');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Replace "templated order"' })
        .first()
        .click({ timeout: 10_000 });
      await page
        .locator('.notifications-toasts', { hasText: 'replaced "templated order"' })
        .waitFor({ timeout: 15_000 });
      const text = fs.readFileSync(templatedFile, 'utf8');
      const expected = TEMPLATED.replace('"key": "order-{{$seq}}"', '"key": "order-{{$seq}}-{{region}}"');
      if (text !== expected) throw new Error(`the file changed in more than the key:\n${text}`);
    },
  );

  await step('replacing a message the record was not opened from shows the diff and asks first', async () => {
    await saveRecordTo('Templated');
    await answerInput('Message name', 'other');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Replace "other"' })
      .first()
      .click({ timeout: 10_000 });
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'Replace "other"' });
    await dialog.waitFor({ timeout: 15_000 });
    await page.locator('.tab', { hasText: 'after replacing "other"' }).waitFor({ timeout: 10_000 });
    await shot('during-review-diff-and-question');
    await dialog.locator('.monaco-button', { hasText: 'Replace' }).click();
    await page.locator('.notifications-toasts', { hasText: 'replaced "other"' }).waitFor({ timeout: 15_000 });
    const other = JSON.parse(fs.readFileSync(templatedFile, 'utf8')).messages[1];
    if (other.key !== 'order-{{$seq}}-{{region}}' || other.description !== 'written by hand')
      throw new Error(`"other" is now ${JSON.stringify(other)}`);
  });

  await step(
    "a topic's context menu sends to it from the composer; Export JSON saves every result, from the workspace folder",
    async () => {
      const topicRow = page.locator('.monaco-list-row', { hasText: 'ui-orders' }).first();
      await topicRow.click({ button: 'right' });
      const menu = page.locator('.context-view .monaco-menu');
      await menu.locator('.action-label', { hasText: 'Send to Topic in Composer' }).waitFor({ timeout: 10_000 });
      for (const item of ['Copy Topic Name', 'Delete Topic'])
        await menu.locator('.action-label', { hasText: item }).waitFor({ timeout: 5_000 });
      await shot('during-topic-menu');
      await menu.locator('.action-label', { hasText: 'Send to Topic in Composer' }).click();
      await expectForm({ topic: 'ui-orders' });
      const results = badgeCount((await webview.locator('#results-count').textContent()).trim());
      await webview.locator('#export-json').click();
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      // The dialog fills its path in once it has listed the folder.
      let proposed = '';
      for (
        let deadline = Date.now() + 10_000;
        Date.now() < deadline && !proposed.endsWith('.json');
        await page.waitForTimeout(100)
      )
        proposed = await input.inputValue();
      if (!proposed.startsWith(folder) || !/kafka-traces-[\d-T]+\.json$/.test(proposed))
        throw new Error(`the save dialog proposes "${proposed}", not a file in ${folder}`);
      await input.press('Enter');
      await webview.locator('#send-status', { hasText: 'Trace saved to' }).waitFor({ timeout: 15_000 });
      const saved = JSON.parse(fs.readFileSync(proposed, 'utf8'));
      const exported = saved.producers.reduce((n, p) => n + p.records.length, 0);
      if (exported !== results) throw new Error(`exported ${exported} records of the ${results} results`);
    },
  );

  await step(
    'opens a terminal with kafka-workbench on PATH: a send from the workspace folder finds the Local sandbox',
    async () => {
      await palette('Kafka: Open Terminal with kafka-workbench');
      // The shell may still be starting (keys typed before its prompt are lost): type the line again until it runs.
      await page.locator('.terminal-wrapper .xterm-screen').first().waitFor({ timeout: 30_000 });
      const exitFile = path.join(folder, 'terminal-exit.txt');
      const ran = () => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '';
      for (let attempt = 1; !ran(); attempt++) {
        if (attempt > 4) throw new Error('the send typed into the terminal never ran');
        await page.locator('.terminal-wrapper .xterm-screen').first().click();
        await page.keyboard.press('Control+C');
        await page.keyboard.type(
          'kafka-workbench send --topic ui-orders --key from-terminal --value hello; echo "exit $?" > terminal-exit.txt',
        );
        await page.keyboard.press('Enter');
        for (let deadline = Date.now() + 15_000; !ran() && Date.now() < deadline; await page.waitForTimeout(250));
      }
      const exit = fs.readFileSync(exitFile, 'utf8').trim();
      if (exit !== 'exit 0') {
        await page.keyboard.type(
          '(echo "PATH=$PATH"; type -a kafka-workbench; ls -la "$(echo $PATH | cut -d: -f1)") > terminal-debug.txt 2>&1',
        );
        await page.keyboard.press('Enter');
        await page.waitForTimeout(1000);
        throw new Error(
          `kafka-workbench send in the terminal ended with "${exit}": ${fs.existsSync(path.join(folder, 'terminal-debug.txt')) ? fs.readFileSync(path.join(folder, 'terminal-debug.txt'), 'utf8') : ''}`,
        );
      }
    },
  );

  await step('says the results table shows only the latest 10,000 once older results are dropped', async () => {
    if (await webview.locator('#results-cap').isVisible())
      throw new Error('the cap note shows before the table is full');
    await webview.locator('#send-mode').click();
    await webview.locator('#send-mode vscode-option[value="async"]').click();
    await typeInto('#repeat', '10000');
    await webview.locator('#send').click();
    for (let deadline = Date.now() + 120_000; ; await page.waitForTimeout(500)) {
      const badge = (await webview.locator('#results-count').textContent()).trim();
      if (badge === '10,000 (latest)') break; // every record acked, older rows dropped
      if (Date.now() > deadline) throw new Error(`results badge still "${badge}" after 120 s`);
    }
    await webview
      .locator('#results-cap', { hasText: 'Showing the latest 10,000 results' })
      .waitFor({ state: 'visible', timeout: 5_000 });
  });
});

// The harness the Chromium UI suites share (ui.mjs, ui-visual.mjs, topic-viewer-ui.mjs): builds the extension, starts
// code-server on a fresh profile and workspace, drives it in headless Chromium (playwright-core), runs the suite's
// steps with a screenshot after each one, and prints mocha's summary (`N passing` / `N failing`), which
// scripts/test.mjs and .ci/run count. A suite is its steps: `await runUiSuite(options, async (ui) => { ... })`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  chromiumArgs,
  ensureChromium,
  ensureCodeServer,
  installVsix,
  root,
  startCodeServer,
} from '../../scripts/code-server.mjs';

/** Browser console noise that says nothing about the extension (the marketplace is offline). */
const consoleNoise = /404|gallery|marketplace|Failed to load resource/i;

/** "Opens the composer" -> "opens-the-composer": a step's screenshot name. */
const slug = (title) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60);

/**
 * Runs one UI suite and exits the process with 0 when every step passed, 1 otherwise.
 * @param {object} options
 * @param {string} options.label the log prefix of each step line, e.g. `test:ui`
 * @param {string} options.heading the summary's heading
 * @param {string} options.shotsDir where screenshots go, relative to the repository (emptied first)
 * @param {string} options.tmpPrefix the prefix of the temporary profile and workspace folder
 * @param {{ width: number, height: number }} options.viewport
 * @param {string | null} [options.vsix] a packaged extension to install into the profile instead of loading the tree
 * @param {(ui: UiContext) => Promise<void>} body the suite's steps
 */
export async function runUiSuite({ label, heading, shotsDir, tmpPrefix, viewport, vsix = null }, body) {
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const shots = path.join(root, shotsDir);
  const results = [];
  let server;
  let browser;
  let runDir;

  try {
    ensureChromium();
    ensureCodeServer();
    if (!process.env.KW_SKIP_BUILD) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
      if (b.status !== 0) throw new Error('build failed');
    }
    fs.rmSync(shots, { recursive: true, force: true });
    fs.mkdirSync(shots, { recursive: true });
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    const folder = path.join(runDir, 'workspace');
    const profileDir = path.join(runDir, 'profile');
    if (vsix) console.log(`installed ${vsix} into ${installVsix(vsix, profileDir)}`);
    server = await startCodeServer({ profileDir, folder, extensionsDir: path.join(profileDir, 'extensions') });
    const { chromium } = await import('playwright-core');
    const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-chrome-'));
    browser = await chromium.launchPersistentContext(udd, {
      executablePath: ensureChromium(),
      headless: true,
      viewport,
      args: chromiumArgs,
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const consoleErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
      if (process.env.VERBOSE) console.log('[browser]', m.type(), m.text().slice(0, 300));
    });

    let stepNo = 0;
    let stopRemaining = false;
    /** The path of a screenshot named `name`, numbered with the current step. */
    const shotPath = (name) => path.join(shots, `${String(stepNo).padStart(2, '0')}-${name}.png`);
    /** A screenshot in the middle of a step (a dialog, a send in progress), numbered with the step. */
    const shot = (name) => page.screenshot({ path: shotPath(name) });
    /** Runs one step and saves a screenshot after it; after a failed step the rest are skipped. */
    const step = async (title, fn) => {
      if (stopRemaining) {
        results.push({ title, ok: false, error: new Error('skipped: an earlier step failed') });
        return;
      }
      stepNo++;
      const name = slug(title);
      try {
        await fn();
        await page.waitForTimeout(300);
        await shot(name);
        results.push({ title, ok: true });
        console.log(`[${label} ${elapsed()}] ✔ ${title}`);
      } catch (error) {
        await shot(`${name}-FAILED`).catch(() => {});
        results.push({ title, ok: false, error });
        console.log(`[${label} ${elapsed()}] ✘ ${title}: ${String(error).split('\n')[0]}`);
        const errors = consoleErrors.filter((e) => !consoleNoise.test(e));
        if (errors.length) console.log(`  browser console errors:\n    ${errors.slice(-8).join('\n    ')}`);
        stopRemaining = true;
      }
    };
    await body({ page, server, folder, step, shot, shotPath, ...workbenchHelpers(page) });
  } catch (e) {
    results.push({ title: 'the UI test could run', ok: false, error: e });
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
  }

  console.log(`\n  ${heading}`);
  results.forEach((r, i) =>
    console.log(
      r.ok
        ? `    ✔ ${r.title}`
        : `    ${i + 1}) ${r.title}\n        ${String(r.error?.stack ?? r.error)
            .split('\n')
            .slice(0, 6)
            .join('\n        ')}`,
    ),
  );
  const passing = results.filter((r) => r.ok).length;
  const failing = results.length - passing;
  console.log(`\n  ${passing} passing (${elapsed()})`);
  if (failing) console.log(`  ${failing} failing`);
  // Keep the profile (code-server's log) only when something failed.
  if (!failing && runDir) fs.rmSync(runDir, { recursive: true, force: true });
  else if (runDir) console.log(`code-server profile and log kept in ${runDir}`);
  console.log(`screenshots: ${path.relative(root, shots)}/`);
  process.exit(failing ? 1 : 0);
}

/** What every suite does in the workbench: the command palette, quick inputs, and the fields of the open webview. */
function workbenchHelpers(page) {
  /** Runs `command` from the palette (an exact match) and, if given, picks the row that says `pick`. */
  const palette = async (command, pick) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${command}`);
    const exact = new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: exact }) })
      .first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    if (pick) {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 20_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().click();
    }
  };
  /** Answers the quick input titled `prompt` with `value`. */
  const answerInput = async (prompt, value) => {
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ timeout: 10_000 });
    await input.fill(value);
    await input.press('Enter');
  };
  // The open webview's document (one webview at a time in these suites).
  const webview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  /** Types `text` into the input or textarea of the webview field `selector`. */
  const typeInto = async (selector, text) => {
    const input = webview.locator(`${selector} input, ${selector} textarea`).first();
    await input.click();
    await input.fill(text);
  };
  return { palette, answerInput, webview, typeInto };
}

/**
 * @typedef {object} UiContext
 * @property {import('playwright-core').Page} page
 * @property {{ url: string }} server
 * @property {string} folder the workspace folder code-server opened
 * @property {(title: string, fn: () => Promise<void>) => Promise<void>} step
 * @property {(name: string) => Promise<Buffer>} shot
 * @property {(name: string) => string} shotPath
 * @property {(command: string, pick?: string) => Promise<void>} palette
 * @property {(prompt: string, value: string) => Promise<void>} answerInput
 * @property {import('playwright-core').FrameLocator} webview
 * @property {(selector: string, text: string) => Promise<void>} typeInto
 */

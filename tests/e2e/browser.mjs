// browser.mjs: playwright-core helpers for the browser tests — launch Debian's chromium, open
// pages that record their console errors, and save screenshots + logs to test-results/ on failure.
import { chromium } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './server.mjs';

export const resultsDir = join(repoRoot, 'test-results');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.KEFU_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// A fresh context (own cookies and localStorage) with one page at 1366×768.
export async function openPage(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.kefuName = name;
  page.kefuLog = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') page.kefuLog.push(`[${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => page.kefuLog.push(`[pageerror] ${e.message}`));
  page.on('websocket', (ws) => {
    ws.on('close', () => page.kefuLog.push(`[ws] closed ${ws.url().replace(/token=[^&]+/, 'token=…')}`));
  });
  return page;
}

// A screenshot for looking at the UI (KEFU_SHOTS=1 in the tests).
export async function shot(page, label) {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, '.gitignore'), '*\n');
  await page.screenshot({ path: join(resultsDir, `shot-${page.kefuName}-${label}.png`) });
}

// Runs fn; on failure saves a screenshot and the console log of every page, then rethrows.
export async function onFailureCapture(testName, pages, fn) {
  try {
    await fn();
  } catch (err) {
    await mkdir(resultsDir, { recursive: true });
    await writeFile(join(resultsDir, '.gitignore'), '*\n'); // keeps the results out of git
    const slug = testName.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const notes = [];
    for (const p of pages.filter(Boolean)) {
      const base = join(resultsDir, `${slug}-${p.kefuName}`);
      try {
        await p.screenshot({ path: base + '.png', fullPage: true });
        notes.push(`${base}.png`);
      } catch (_) {}
      await writeFile(base + '.log', `${p.url()}\n${p.kefuLog.join('\n')}\n`);
    }
    err.message += `\n(screenshots and page logs: ${notes.join(', ') || resultsDir})`;
    throw err;
  } finally {
    for (const p of pages.filter(Boolean)) await p.context().close().catch(() => {});
  }
}

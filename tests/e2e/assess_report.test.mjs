// assess_report.test.mjs: browser test of `kefu assess --format html` (issue 5, DESIGN §5.3): the
// report is one self-contained file (ECharts inlined from web/dist/vendor); opened from disk in
// chromium with every network request blocked, its four charts render (a canvas in each) with no
// console errors, and the table carries pay and training columns.
// Run: KEFU_BIN=build/kefu node --test tests/e2e/assess_report.test.mjs (after node web/build.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './server.mjs';
import { launch, openPage, onFailureCapture } from './browser.mjs';

let dir;
let browser;
let report;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-report-e2e-'));
  const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
  const db = join(dir, 'kefu.db');
  execFileSync(bin, ['demo', '--agents', '12', '--days', '31', '--seed', '3', '--db', db], { stdio: 'ignore' });
  const html = execFileSync(bin, ['assess', '--db', db, '--period', '2026-01', '--profile', 'posts', '--format', 'html'],
    { maxBuffer: 64 << 20 });
  report = join(dir, 'report.html');
  await writeFile(report, html);
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the HTML report renders its four ECharts charts offline with no console errors', async () => {
  const page = await openPage(browser, 'report');
  const requests = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await onFailureCapture('assess report', [page], async () => {
    await page.goto(pathToFileURL(report).href);
    for (const id of ['c-dist', 'c-grades', 'c-frt', 'c-dims']) {
      await page.locator(`#${id} canvas`).first().waitFor({ state: 'attached' });
      const size = await page.locator(`#${id} canvas`).first().evaluate((c) => c.width * c.height);
      assert.ok(size > 0, `${id}: the canvas has a size`);
    }
    const rows = await page.locator('table tr').count();
    assert.equal(rows, 13, 'a header row and one row per agent');
    const text = await page.locator('table').innerText();
    assert.match(text, /绩效工资 performance/);
    assert.match(text, /top10_bonus/);
    assert.deepEqual(requests, [], 'the report loads nothing from the network');
    assert.deepEqual(page.kefuLog, [], 'no console errors or warnings');
  });
});

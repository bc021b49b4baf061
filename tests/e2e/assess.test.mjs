// assess.test.mjs: browser test of the console's assessment pages (issue 5) against a real
// `kefu serve` whose store got `kefu demo` data through `kefu import`: the manager opens 考核,
// picks the period, sees the ranking, opens an agent's scorecard, drills down into the sessions
// behind K-01, and sees the TOP 10 lists and the FRT-vs-CSAT view; a lead sees only their team.
// Run: node --test tests/e2e/assess.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, repoRoot } from './server.mjs';
import { launch, openPage, onFailureCapture } from './browser.mjs';

const PERIOD = '2026-01'; // kefu demo's default start is 2026-01-01
let srv;
let browser;
before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-assess-e2e-'));
  const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
  const data = join(dir, 'demo.jsonl');
  const db = join(dir, 'kefu.db');
  execFileSync(bin, ['demo', '--agents', '6', '--days', '31', '--seed', '7', '--out', data], { stdio: 'ignore' });
  execFileSync(bin, ['import', '--db', db, data], { stdio: 'ignore' });
  srv = await startServer({ args: ['--db', db] });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const tid = (id) => `[data-testid="${id}"]`;

async function loginConsole(page, name, pass) {
  await page.goto(`${srv.url}/console/#assess?period=${PERIOD}`);
  await page.locator(tid('login-name')).fill(name);
  await page.locator(tid('login-password')).fill(pass);
  await page.locator(tid('login-submit')).click();
}

test('manager: ranking, scorecard, drill-down, TOP 10 and FRT vs CSAT', { timeout: 60000 }, async () => {
  const pages = [];
  await onFailureCapture('assess-manager', pages, async () => {
    const page = await openPage(browser, 'manager');
    pages.push(page);
    await loginConsole(page, 'mgr1', 'mgr1pass');
    await page.locator(tid('nav-assess')).click();
    await page.locator(tid('assess-period')).fill(PERIOD);
    await page.locator(tid('assess-go')).click();
    await page.locator(`${tid('rank-row')}[data-agent="a0001"]`).waitFor();
    assert.ok((await page.locator(tid('rank-row')).count()) >= 6);
    await page.locator(`${tid('rank-row')}[data-agent="a0003"]`).click();
    const card = page.locator(`${tid('assess-card')}[data-agent="a0003"]`);
    await card.waitFor();
    // pay 6:4 (+ the top-10 bonus) and the training suggestions on the card
    for (const k of ['monthly', 'base', 'performance', 'bonus']) await card.locator(`${tid('pay-row')}[data-key="${k}"]`).waitFor();
    const cell = async (k) => Number(await card.locator(`${tid('pay-row')}[data-key="${k}"] td`).nth(1).textContent());
    assert.equal(await cell('base') + await cell('performance'), await cell('monthly'));
    assert.equal(await cell('base') * 4, await cell('performance') * 6);
    // A-8 monthly team pool: the agent's share of it is on the card
    await card.locator(`${tid('pay-row')}[data-key="team_pool"]`).waitFor();
    assert.ok(await cell('team_pool') >= 0);
    await card.locator(tid('assess-training')).waitFor();
    await card.locator(`${tid('metric-row')}[data-metric="K-01"] ${tid('explain')}`).click();
    await page.locator(`${tid('assess-explain')}[data-metric="K-01"] ${tid('explain-row')}`).first().waitFor();
    // the records behind a people metric (K-42: the agent's exams) in their own columns
    await card.locator(`${tid('metric-row')}[data-metric="K-42"] ${tid('explain')}`).click();
    const exams = page.locator(`${tid('assess-explain')}[data-metric="K-42"]`);
    await exams.locator(tid('explain-row')).first().waitFor();
    assert.ok((await exams.locator('th').allTextContents()).includes('exam'));
    assert.ok((await page.locator(`${tid('assess-top-score')} ${tid('top-row')}`).count()) >= 6);
    await page.locator(`${tid('assess-low-fcr')} ${tid('top-row')}`).first().waitFor();
    await page.locator(`${tid('frt-csat-table')}[data-by="session"] ${tid('frt-fast')}`).waitFor();
    // the manager records the month's results once; the page then says they are recorded
    await page.locator(tid('assess-record')).click();
    await page.locator(tid('assess-recorded')).waitFor();
    assert.equal(await page.locator(tid('assess-record')).count(), 0);
    // the live overview is still one click away
    await page.locator(tid('nav-overview')).click();
    await page.locator(tid('agents')).waitFor();
  });
});

test('lead: the ranking holds only their team', { timeout: 60000 }, async () => {
  const pages = [];
  await onFailureCapture('assess-lead', pages, async () => {
    const page = await openPage(browser, 'lead');
    pages.push(page);
    await loginConsole(page, 'lead1', 'lead1pass');
    await page.locator(tid('assess-ranking')).waitFor();
    const rows = page.locator(tid('rank-row'));
    const n = await rows.count();
    assert.ok(n >= 1);
    for (let i = 0; i < n; i++) assert.equal(await rows.nth(i).locator('td').nth(2).textContent(), 't1');
    assert.equal(await page.locator(`${tid('rank-row')}[data-agent="a0001"]`).count(), 0);
  });
});

test('agent: the console shows their own scorecard only', { timeout: 60000 }, async () => {
  const pages = [];
  await onFailureCapture('assess-agent', pages, async () => {
    const page = await openPage(browser, 'agent');
    pages.push(page);
    await loginConsole(page, 'agent1', 'agent1pass');
    const card = page.locator(tid('assess-card'));
    await card.waitFor();
    const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
    assert.equal(await card.getAttribute('data-agent'), me.id);
    assert.equal(await page.locator(tid('rank-row')).count(), 1);
    assert.equal(await page.locator(tid('nav-overview')).count(), 0);
    assert.equal(await page.locator(tid('assess-top-score')).count(), 0);
    assert.equal(await page.locator(tid('assess-record')).count(), 0);
    await card.locator(tid('assess-training')).waitFor();
    // the workbench links to the same own scorecard (opens in a new tab)
    await page.goto(`${srv.url}/workbench/`);
    const link = page.locator(tid('my-scorecard'));
    await link.waitFor();
    const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    const own = tab.locator(tid('assess-card'));
    await own.waitFor();
    assert.equal(await own.getAttribute('data-agent'), me.id);
    assert.equal(await tab.locator(tid('rank-row')).count(), 1);
    await tab.close();
  });
});

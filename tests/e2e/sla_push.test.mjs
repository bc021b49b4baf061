// sla_push.test.mjs: browser test of the live breach push (issue 6) against a real
// `kefu serve --demo --test-clock`: the supervisor console's breach board is open and live (its
// WebSocket is up; it re-reads the board only once a minute then); a P1 ticket's 30-minute
// deadline breaches when the admin moves the server's test clock past it, and the row appears on
// the board without a reload, pushed over the socket; the agent who created the ticket gets a
// toast in the workbench and the ticket list shows its next deadline as a countdown.
// Run: KEFU_BIN=build/kefu node --test --test-concurrency=1 tests/e2e/sla_push.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, openPage, onFailureCapture } from './browser.mjs';

const AGENT2 = { user: 'agent2', pass: 'agent2pass' };
const SUP = { user: 'sup1', pass: 'sup1pass' };
const ADMIN = { user: 'admin', pass: 'adminpass' };

let srv;
let browser;

before(async () => {
  srv = await startServer({ args: ['--test-clock'] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const tid = (id) => `[data-testid="${id}"]`;

async function apiLogin(who) {
  const r = await fetch(`${srv.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: who.user, password: who.pass }),
  });
  assert.equal(r.status, 200, `login ${who.user}`);
  return (await r.json()).token;
}

async function call(token, method, path, body) {
  const r = await fetch(`${srv.url}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null, text };
}

async function login(page, app, who) {
  await page.goto(`${srv.url}/${app}/`);
  await page.locator(tid('login-name')).fill(who.user);
  await page.locator(tid('login-password')).fill(who.pass);
  await page.locator(tid('login-submit')).click();
  await page.locator(tid('app-title')).waitFor();
}

test('a breach pushed over the socket appears on the open breach board without a reload', { timeout: 120000 }, async () => {
  const pages = [];
  await onFailureCapture('sla-push', pages, async () => {
  const agentTok = await apiLogin(AGENT2);
  const adminTok = await apiLogin(ADMIN);
  const created = await call(agentTok, 'POST', '/tickets', { type: '系统故障', priority: 'P1', department: 'service', description: '支付页面报错，多名客户无法下单' });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  const p1 = created.json.timers.find((x) => x.name === 'p1_group');
  assert.equal(p1.state, 'running');

  // the agent's workbench: the list row counts down from the list's next_deadline
  const agent = await openPage(browser, 'agent');
  pages.push(agent);
  await login(agent, 'workbench', AGENT2);
  await agent.locator(tid('tab-tickets')).click();
  const row = agent.locator(`${tid('ticket-row')}[data-ticket="${id}"]`);
  await row.waitFor();
  assert.equal(await row.locator(tid('sla-countdown')).getAttribute('data-timer'), 'p1_group');

  // the supervisor's console, live
  const sup = await openPage(browser, 'supervisor');
  pages.push(sup);
  await login(sup, 'console', SUP);
  await sup.locator(`${tid('sla-board-card')}[data-live="1"]`).waitFor();
  assert.equal(await sup.locator(`${tid('sla-row')}[data-ticket="${id}"]`).count(), 0, 'nothing on the board before the deadline');
  let navigations = 0;
  sup.on('framenavigated', (f) => { if (f === sup.mainFrame()) navigations++; });

  // the server's clock passes the 30-minute P1 deadline
  const adv = await call(adminTok, 'POST', '/test/clock', { advance_ms: 31 * 60 * 1000 });
  assert.equal(adv.status, 200, adv.text);
  assert.ok(adv.json.fired >= 1);

  const boardRow = sup.locator(`${tid('sla-row')}[data-ticket="${id}"][data-timer="p1_group"][data-state="breached"]`);
  await boardRow.waitFor({ timeout: 10000 }); // the board re-reads only once a minute: this came by the socket
  assert.equal(await boardRow.locator(tid('sla-countdown')).getAttribute('data-level'), 'late');
  assert.equal(navigations, 0, 'the console was not reloaded');

  // the owner hears about it too
  await agent.locator(tid('toast'), { hasText: id }).first().waitFor();
  for (const p of pages) assert.deepEqual(p.kefuLog.filter((l) => l.startsWith('[pageerror]')), [], p.kefuName);
  });
});

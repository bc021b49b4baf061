// sla_push.test.mjs: browser test of the live breach push (issue 6) against a real
// `kefu serve --demo --test-clock`: the supervisor console's breach board is open and live (its
// WebSocket is up; it re-reads the board only once a minute then); a P1 ticket's 30-minute
// deadline breaches when the admin moves the server's test clock past it, and the row appears on
// the board without a reload, pushed over the socket; the agent who created the ticket gets a
// toast in the workbench and the ticket list shows its next deadline as a countdown. Then an email
// ticket (posted by a mail gateway account) is answered by mail from the workbench (the reply waits
// in the outbox), resolved, and archived before the end of the day (N-20).
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

test('an email ticket in the workbench: reply by mail (outbox), resolve, archive before the end of the day', { timeout: 120000 }, async () => {
  const pages = [];
  await onFailureCapture('email-ticket', pages, async () => {
    const adminTok = await apiLogin(ADMIN);
    const u = await call(adminTok, 'POST', '/users', { name: 'gw_e2e', password: 'gw_e2epass', role: 'gateway', display: 'gw' });
    assert.equal(u.status, 201, u.text);
    const gwTok = await apiLogin({ user: 'gw_e2e', pass: 'gw_e2epass' });
    const mail = await call(gwTok, 'POST', '/channels/email', { from: '王丽 <wl@mail.example>', subject: '发票', body: '请帮我开发票', message_id: '<e2e1@mail.example>' });
    assert.equal(mail.status, 201, mail.text);
    const id = mail.json.ticket;

    const agent = await openPage(browser, 'agent-mail');
    pages.push(agent);
    await login(agent, 'workbench', AGENT2);
    await agent.locator(tid('tab-tickets')).click();
    await agent.locator(tid('tf-open')).click();
    await agent.locator(`${tid('ticket-row')}[data-ticket="${id}"]`).click();
    const detail = agent.locator(`${tid('ticket-detail')}[data-ticket="${id}"]`);
    await detail.waitFor();
    await agent.locator(`${tid('ticket-step-item')}[data-step="mail_in"]`).waitFor();
    await agent.locator(tid('step-note')).fill('您好，发票已开具，请查收。');
    await agent.locator(tid('mail-reply')).click();
    await agent.locator(`${tid('ticket-step-item')}[data-step="mail_out"]`).waitFor();
    await agent.locator(`${tid('timer-row')}[data-timer="accept"][data-state="met"]`).waitFor();
    const box = await call(gwTok, 'GET', '/mail/outbox');
    const out = box.json.mails.find((x) => x.ticket === id);
    assert.equal(out.to_addr, 'wl@mail.example');
    assert.equal(out.body, '您好，发票已开具，请查收。');

    await agent.locator(tid('resolve')).click();
    await agent.locator(`${tid('ticket-detail')}[data-ticket="${id}"][data-state="resolved"]`).waitFor();
    await agent.locator(`${tid('timer-row')}[data-timer="archive"][data-state="running"]`).waitFor();
    await agent.locator(tid('archive')).click();
    await agent.locator(`${tid('ticket-step-item')}[data-step="archived"]`).waitFor();
    await agent.locator(`${tid('timer-row')}[data-timer="archive"][data-state="met"]`).waitFor();
    assert.equal(await agent.locator(tid('archive')).count(), 0, 'archived once');
    for (const p of pages) assert.deepEqual(p.kefuLog.filter((l) => l.startsWith('[pageerror]')), [], p.kefuName);
  });
});

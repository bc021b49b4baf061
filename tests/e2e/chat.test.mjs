// chat.test.mjs: browser tests of the three web apps against a real `kefu serve` (or KEFU_URL):
// a customer chats with an agent end to end (widget ↔ workbench), the agent closes with a
// summary, the customer rates 5 + solved, the supervisor console shows the agent and the chat;
// plus a smoke test of the language toggle. Run: node --test tests/e2e/
// Env: KEFU_URL, KEFU_BIN, KEFU_AGENT_USER/KEFU_AGENT_PASS, KEFU_SUP_USER/KEFU_SUP_PASS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverFromEnv } from './server.mjs';
import { launch, openPage, onFailureCapture, shot } from './browser.mjs';

const AGENT = { user: process.env.KEFU_AGENT_USER || 'agent1', pass: process.env.KEFU_AGENT_PASS || 'agent1pass' };
const AGENT2 = { user: process.env.KEFU_AGENT2_USER || 'agent2', pass: process.env.KEFU_AGENT2_PASS || 'agent2pass' };
const SUP = { user: process.env.KEFU_SUP_USER || 'sup1', pass: process.env.KEFU_SUP_PASS || 'sup1pass' };

let srv;
let browser;

before(async () => {
  srv = await serverFromEnv();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const tid = (id) => `[data-testid="${id}"]`;

async function login(page, app, who) {
  await page.goto(`${srv.url}/${app}/`);
  await page.locator(tid('login-name')).fill(who.user);
  await page.locator(tid('login-password')).fill(who.pass);
  await page.locator(tid('login-submit')).click();
  await page.locator(tid('app-title')).waitFor();
}

// A message bubble with this exact text, optionally from a sender kind.
function message(page, text, from) {
  const sel = from ? `${tid('msg')}[data-from="${from}"]` : tid('msg');
  return page.locator(sel).filter({ has: page.locator(tid('msg-text'), { hasText: text }) });
}

async function sendText(page, text) {
  await page.locator(tid('composer-input')).fill(text);
  await page.locator(tid('composer-input')).press('Enter');
}

test('customer and agent chat end to end; supervisor sees it; customer rates', { timeout: 120000 }, async (t) => {
  let customer, agent, sup;
  const pages = [];
  await onFailureCapture('chat-end-to-end', pages, async () => {
    customer = await openPage(browser, 'customer');
    agent = await openPage(browser, 'agent');
    sup = await openPage(browser, 'supervisor');
    pages.push(customer, agent, sup);

    // 1. The customer opens the widget, picks a category (N-12) and is queued.
    await customer.goto(`${srv.url}/widget/`);
    await customer.locator(tid('category-product')).click();
    await customer.locator(tid('start-chat')).click();
    const state = customer.locator(tid('session-state'));
    await state.waitFor();
    const sid = await state.getAttribute('data-session');
    assert.ok(sid, 'the widget shows the session id');

    const q1 = '你好，我想问一下这款耳机的续航参数';
    await sendText(customer, q1);
    await message(customer, q1, 'customer').and(customer.locator('[data-status="acked"], [data-status="delivered"]')).waitFor();

    // 2. The agent logs in, goes online and takes the chat (picked from the queue, or routed).
    await login(agent, 'workbench', AGENT);
    const me = await agent.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
    assert.ok(me.id, 'GET /api/v1/me returns the agent id');
    await agent.locator(tid('presence-online')).click();
    await agent.locator(`${tid('presence')}[data-status="online"]`).waitFor();
    const tab = agent.locator(`${tid('chat-tab')}[data-session="${sid}"]`);
    const pick = agent.locator(`${tid('pick')}[data-session="${sid}"]`);
    await tab.or(pick).first().waitFor();
    if (!(await tab.isVisible())) await pick.click();
    await tab.click();
    await agent.locator(`${tid('chat-view')}[data-session="${sid}"]`).waitFor();
    await message(agent, q1, 'customer').waitFor();
    await customer.locator(`${tid('session-state')}[data-state="assigned"]`).waitFor();

    // 3. Typing indicator and messages both ways.
    await customer.locator(tid('composer-input')).fill('还有');
    await agent.locator(tid('typing')).waitFor();
    const a1 = '您好，这款耳机满电续航约30小时，支持快充。';
    await sendText(agent, a1);
    await message(agent, a1, 'agent').and(agent.locator('[data-status="acked"], [data-status="delivered"]')).waitFor();
    await message(customer, a1, 'agent').waitFor();
    const q2 = '好的，明白了，谢谢！';
    await sendText(customer, q2);
    await message(agent, q2, 'customer').waitFor();
    // The agent's reply reaches "delivered" once the customer's widget has shown it.
    await message(agent, a1, 'agent').and(agent.locator('[data-status="delivered"]')).waitFor();

    // 3a. The customer reloads the page: the same session comes back with its history (resume).
    await customer.reload();
    await customer.locator(`${tid('session-state')}[data-session="${sid}"][data-state="assigned"]`).waitFor();
    await message(customer, q1, 'customer').waitFor();
    await message(customer, a1, 'agent').waitFor();
    await message(customer, q2, 'customer').waitFor();

    // 3b. A message the guard stops (C-01 "绝对") shows the reason and the suggested rewrite; the
    // agent sends the suggestion instead. When the server has no guard yet, the message simply goes.
    const bad = '这款耳机绝对正品，请放心购买。';
    await sendText(agent, bad);
    const blocked = agent.locator(tid('blocked'));
    const went = message(agent, bad, 'agent').and(agent.locator('[data-status="acked"], [data-status="delivered"]'));
    await blocked.or(went).first().waitFor();
    if (await blocked.isVisible()) {
      assert.ok((await blocked.innerText()).length > 0);
      if (await agent.locator(tid('use-suggestion')).isVisible()) {
        const sug = await agent.locator(tid('blocked-suggestion')).innerText();
        await agent.locator(tid('use-suggestion')).click();
        assert.equal(await agent.locator(tid('composer-input')).inputValue(), sug);
        await agent.locator(tid('composer-input')).press('Enter');
        await message(customer, sug.trim(), 'agent').waitFor();
      } else {
        await agent.locator(tid('edit-blocked')).click();
        assert.equal(await agent.locator(tid('composer-input')).inputValue(), bad);
        await agent.locator(tid('composer-input')).fill('');
      }
      assert.equal(await message(customer, bad).count(), 0, 'a blocked message never reaches the customer');
    } else {
      t.diagnostic('the server did not block "绝对" (no guard yet)');
    }

    // 4. The supervisor console shows the agent online and the live chat.
    await login(sup, 'console', SUP);
    await sup.locator(`${tid('agent-row')}[data-agent="${me.id}"][data-status="online"]`).waitFor();
    await sup.locator(`${tid('chat-row')}[data-session="${sid}"]`).waitFor();
    if (process.env.KEFU_SHOTS) for (const p of pages) await shot(p, 'live');

    // 5. The agent closes with a summary (N-10); the customer rates 5 and solved (K-06, K-10).
    await agent.locator(tid('close-open')).click();
    await agent.locator(tid('close-summary')).fill('已告知耳机续航30小时及快充功能，客户确认无其他问题。');
    await agent.locator(tid('close-submit')).click();
    await agent.locator(tid('chat-closed')).waitFor();
    await customer.locator(`${tid('session-state')}[data-state="closed"]`).waitFor();
    await customer.locator(tid('rating-form')).waitFor();
    if (process.env.KEFU_SHOTS) await shot(customer, 'rating');
    await customer.locator(tid('star-5')).click();
    await customer.locator(tid('solved-yes')).click();
    await customer.locator(tid('rate-submit')).click();
    await customer.locator(tid('rating-thanks')).waitFor();
    const errors = await customer.locator(tid('toast')).allInnerTexts();
    assert.deepEqual(errors, [], 'no error toast on the widget after rating');

    // 6. The closed chat leaves the supervisor's live list.
    await sup.locator(`${tid('chat-row')}[data-session="${sid}"]`).waitFor({ state: 'detached', timeout: 10000 });
  });
});

test('transfer to another agent with a note; the new agent sees the history (N-08)', { timeout: 120000 }, async () => {
  const pages = [];
  await onFailureCapture('transfer', pages, async () => {
    const customer = await openPage(browser, 'customer');
    const a1 = await openPage(browser, 'agent1');
    const a2 = await openPage(browser, 'agent2');
    pages.push(customer, a1, a2);
    await login(a1, 'workbench', AGENT);
    await login(a2, 'workbench', AGENT2);
    const me2 = await a2.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
    await a1.locator(tid('presence-online')).click();
    await a1.locator(`${tid('presence')}[data-status="online"]`).waitFor();

    await customer.goto(`${srv.url}/widget/`);
    await customer.locator(tid('category-aftersale')).click();
    await customer.locator(tid('start-chat')).click();
    const sid = await customer.locator(tid('session-state')).getAttribute('data-session');
    const q = '我收到的耳机有杂音，想换货';
    await sendText(customer, q);

    const tab = a1.locator(`${tid('chat-tab')}[data-session="${sid}"]`);
    const pick = a1.locator(`${tid('pick')}[data-session="${sid}"]`);
    await tab.or(pick).first().waitFor();
    if (!(await tab.isVisible())) await pick.click();
    await tab.click();
    await message(a1, q, 'customer').waitFor();

    await a2.locator(tid('presence-online')).click();
    await a2.locator(`${tid('presence')}[data-status="online"]`).waitFor();
    await a1.locator(tid('transfer-open')).click();
    await a1.locator('[data-testid="transfer-form"] input[type="radio"]').nth(1).check();
    await a1.locator(tid('transfer-target')).fill(me2.id);
    await a1.locator(tid('transfer-note')).fill('换货问题，请资深同事处理');
    await a1.locator(tid('transfer-submit')).click();

    await tab.waitFor({ state: 'detached' });
    await a2.locator(`${tid('chat-tab')}[data-session="${sid}"]`).click();
    await message(a2, q, 'customer').waitFor();
    const reply = '您好，我来为您办理换货。';
    await sendText(a2, reply);
    await message(customer, reply, 'agent').waitFor();
    await a2.locator(tid('close-open')).click();
    await a2.locator(tid('close-summary')).fill('已转资深客服办理换货。');
    await a2.locator(tid('close-submit')).click();
    await customer.locator(tid('rating-form')).waitFor();
  });
});

test('language toggle: Chinese by default, English on switch and with ?lang=en', { timeout: 60000 }, async () => {
  const pages = [];
  await onFailureCapture('language-toggle', pages, async () => {
    const page = await openPage(browser, 'lang');
    pages.push(page);
    await page.goto(`${srv.url}/widget/`);
    const title = page.locator(tid('app-title'));
    assert.equal((await title.innerText()).trim(), '在线客服');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.locator(tid('lang-toggle')).click();
    await page.locator(tid('app-title'), { hasText: 'Customer service' }).waitFor();
    await page.reload();
    await page.locator(tid('app-title'), { hasText: 'Customer service' }).waitFor(); // remembered
    await page.locator(tid('lang-toggle')).click();
    await page.locator(tid('app-title'), { hasText: '在线客服' }).waitFor();

    await page.goto(`${srv.url}/workbench/?lang=en`);
    await page.locator(tid('login-submit'), { hasText: 'Log in' }).waitFor();
    await page.goto(`${srv.url}/console/?lang=zh`);
    await page.locator(tid('login-submit'), { hasText: '登录' }).waitFor();

    const landing = await page.goto(`${srv.url}/`);
    assert.equal(landing.status(), 200);
    assert.match(await page.title(), /kefu 客服平台/);
  });
});

test('console shows a fraud alert raised by a customer message', async () => {
  const { login: apiLogin, visitor, wsClient } = await import('../integration/lib.mjs');
  const ag = wsClient(srv.url, await apiLogin(srv.url, AGENT2.user, AGENT2.pass));
  await ag.opened;
  ag.send({ type: 'hello' });
  await ag.type('welcome');
  ag.send({ type: 'presence', status: 'online' });
  await ag.type('presence');
  const cu = wsClient(srv.url, (await visitor(srv.url)).token, { viaQuery: true });
  await cu.opened;
  cu.send({ type: 'hello' });
  await cu.type('welcome');
  cu.send({ type: 'open', category: 'aftersale' });
  const s = (await cu.type('session')).session;
  cu.send({ type: 'send', session: s.id, text: '退款请转账到我的私人账户', client_id: 'z1' });
  await ag.type('alert', (f) => f.kind === 'fraud');
  const page = await openPage(browser, 'console-alert');
  try {
    await login(page, 'console', SUP);
    const row = page.locator(`${tid('alert-row')}[data-session="${s.id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-kind'), 'fraud');
  } finally {
    ag.close();
    cu.close();
    await page.context().close();
  }
});

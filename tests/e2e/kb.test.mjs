// kb.test.mjs: browser tests of the knowledge base in the web apps (issue 7) against a real
// `kefu serve` whose database got FAQ articles through `kefu kb import` before it started: the FAQ
// bot answers a queued customer in the widget and 转人工 hands over (KB-6, N-21); then the agent who
// takes the chat sees the suggestions for the customer's next message under the composer and
// inserts one with a click (KB-3); the agent sees the bot's hand-over note; a supervisor edits an FAQ in
// the console and sees the diff of the versions (KB-4); a senior saves the chat they closed as a
// case from the workbench, PII masked (KB-1, KB-5). Run: node --test tests/e2e/kb.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, repoRoot } from './server.mjs';
import { launch, openPage, onFailureCapture, shot } from './browser.mjs';

const ARTICLES = [
  { kind: 'faq', id: 'faq-refund-timing', title: '退款多久到账', body: '审核通过后1-3个工作日原路退回。', tags: ['售后'] },
  { kind: 'faq', id: 'faq-ship', title: '什么时候发货', body: '付款后48小时内发货。', tags: ['物流'] },
];

let srv;
let dir;
let browser;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-kb-e2e-'));
  const db = join(dir, 'kb.db');
  const file = join(dir, 'articles.jsonl');
  await writeFile(file, ARTICLES.map((a) => JSON.stringify(a)).join('\n') + '\n');
  execFileSync(resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu'), ['kb', 'import', '--db', db, file], { cwd: repoRoot });
  srv = await startServer({ args: ['--db', db] });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const tid = (id) => `[data-testid="${id}"]`;
function message(page, text, from) {
  const sel = from ? `${tid('msg')}[data-from="${from}"]` : tid('msg');
  return page.locator(sel).filter({ has: page.locator(tid('msg-text'), { hasText: text }) });
}
async function sendText(page, text) {
  await page.locator(tid('composer-input')).fill(text);
  await page.locator(tid('composer-input')).press('Enter');
}

test('FAQ bot answers the queued customer, 转人工 hands over; the agent inserts a suggestion', { timeout: 120000 }, async () => {
  const pages = [];
  await onFailureCapture('kb-bot-and-suggestions', pages, async () => {
    const customer = await openPage(browser, 'customer');
    const agent = await openPage(browser, 'agent');
    pages.push(customer, agent);

    // 1. No agent online: the session waits and the bot answers from the FAQ, as a bot.
    await customer.goto(`${srv.url}/widget/`);
    await customer.locator(tid('category-aftersale')).click();
    await customer.locator(tid('start-chat')).click();
    const state = customer.locator(tid('session-state'));
    await state.waitFor();
    const sid = await state.getAttribute('data-session');
    await sendText(customer, '退款了还没到账');
    await message(customer, '原路退回', 'bot').waitFor();
    await message(customer, '转人工', 'bot').waitFor();
    await sendText(customer, '转人工');
    await message(customer, '已为您转人工', 'system').waitFor();

    // 2. The agent takes the chat: the whole exchange is in the history.
    await agent.goto(`${srv.url}/workbench/`);
    await agent.locator(tid('login-name')).fill('agent1');
    await agent.locator(tid('login-password')).fill('agent1pass');
    await agent.locator(tid('login-submit')).click();
    await agent.locator(tid('presence-online')).click();
    const tab = agent.locator(`${tid('chat-tab')}[data-session="${sid}"]`);
    const pick = agent.locator(`${tid('pick')}[data-session="${sid}"]`);
    await tab.or(pick).first().waitFor();
    if (!(await tab.isVisible())) await pick.click();
    await tab.click();
    await message(agent, '原路退回', 'bot').waitFor();
    // the hand-over note: why the bot handed over, what the customer asked and what it answered
    const note = agent.locator(tid('handover-note'));
    await note.waitFor();
    assert.equal(await note.getAttribute('data-reason'), 'asked');
    assert.equal(await agent.locator(tid('handover-reason')).innerText(), '客户要求转人工');
    assert.deepEqual(await agent.locator(`${tid('handover-questions')} li`).allInnerTexts(), ['退款了还没到账', '转人工']);
    assert.match(await agent.locator(`${tid('handover-answers')} li`).first().innerText(), /原路退回/);
    if (process.env.KEFU_SHOTS) await shot(agent, 'kb-handover-note');

    // 3. The customer asks again: suggestions under the composer, one click inserts the answer.
    await sendText(customer, '退款多久能到账呢');
    await message(agent, '退款多久能到账呢', 'customer').waitFor();
    const insert = agent.locator(`${tid('kb-insert')}[data-id="faq-refund-timing"]`);
    await insert.waitFor();
    await insert.click();
    assert.equal(await agent.locator(tid('composer-input')).inputValue(), '审核通过后1-3个工作日原路退回。');
    await agent.locator(tid('composer-input')).press('Enter');
    await message(customer, '审核通过后1-3个工作日原路退回。', 'agent').waitFor();

    // 4. The agent's own search (counted for the weekly list, N-25) inserts like a suggestion.
    await agent.locator(tid('kb-search-input')).fill('什么时候发货');
    await agent.locator(tid('kb-search-go')).click();
    await agent.locator(`${tid('kb-search-insert')}[data-id="faq-ship"]`).click();
    assert.equal(await agent.locator(tid('composer-input')).inputValue(), '付款后48小时内发货。');
  });
});

test('console: a supervisor edits an FAQ with a change note and sees the diff of the two versions', { timeout: 120000 }, async () => {
  const pages = [];
  await onFailureCapture('kb-console-diff', pages, async () => {
    const page = await openPage(browser, 'supervisor');
    pages.push(page);
    await page.goto(`${srv.url}/console/?lang=zh#kb`);
    await page.locator(tid('login-name')).fill('sup1');
    await page.locator(tid('login-password')).fill('sup1pass');
    await page.locator(tid('login-submit')).click();
    await page.locator(tid('kb-page')).waitFor();
    await page.locator(`${tid('kb-row')}[data-id="faq-ship"]`).click();
    const art = page.locator(`${tid('kb-article')}[data-id="faq-ship"]`);
    await art.waitFor();
    const v0 = Number(await art.getAttribute('data-version'));
    await page.locator(tid('kb-edit')).click();
    await page.locator(tid('kb-form-body')).fill('付款后24小时内发货。');
    await page.locator(tid('kb-form-note')).fill('发货提速');
    await page.locator(tid('kb-form-save')).click();
    await page.locator(`${tid('kb-article')}[data-version="${v0 + 1}"]`).waitFor();
    assert.equal(await page.locator(tid('kb-version-row')).count(), v0 + 1);
    await page.locator(tid('kb-diff-show')).click();
    const body = page.locator(tid('kb-diff-body'));
    await body.waitFor();
    // 48 → 24 by characters: the common 4 is kept, 2 added before it, 8 removed after it
    assert.equal(await body.locator(tid('diff-del')).allInnerTexts().then((x) => x.join('')), '8');
    assert.equal(await body.locator(tid('diff-ins')).allInnerTexts().then((x) => x.join('')), '2');
    assert.equal(await body.innerText(), '付款后248小时内发货。');
    if (process.env.KEFU_SHOTS) await shot(page, 'kb-console');
    assert.equal(await page.locator(tid('kb-export-jsonl')).count(), 1, 'a supervisor may export');
    // a lead reads the articles but may not export (kb.edit): no export links that would download a 403
    const lead = await openPage(browser, 'lead');
    pages.push(lead);
    await lead.goto(`${srv.url}/console/?lang=zh#kb`);
    await lead.locator(tid('login-name')).fill('lead1');
    await lead.locator(tid('login-password')).fill('lead1pass');
    await lead.locator(tid('login-submit')).click();
    await lead.locator(`${tid('kb-row')}[data-id="faq-ship"]`).waitFor();
    assert.equal(await lead.locator(tid('kb-export-jsonl')).count(), 0);
    assert.equal(await lead.locator(tid('kb-export-md')).count(), 0);
  });
});

test('workbench: a senior agent saves the chat they closed as a case; the customer\'s phone number is masked in it', { timeout: 120000 }, async () => {
  const { login: apiLogin, visitor, wsClient, api } = await import('../integration/lib.mjs');
  // only the senior is routable (the junior's page of the first test may still be open)
  const junior = wsClient(srv.url, await apiLogin(srv.url, 'agent1', 'agent1pass'));
  await junior.opened;
  junior.send({ type: 'hello' });
  await junior.type('welcome');
  junior.send({ type: 'presence', status: 'offline' });
  await junior.type('presence');
  const pages = [];
  await onFailureCapture('kb-save-case', pages, async () => {
    const agent = await openPage(browser, 'senior');
    pages.push(agent);
    await agent.goto(`${srv.url}/workbench/`);
    await agent.locator(tid('login-name')).fill('agent2');
    await agent.locator(tid('login-password')).fill('agent2pass');
    await agent.locator(tid('login-submit')).click();
    await agent.locator(tid('presence-online')).click();

    const v = await visitor(srv.url);
    const cu = wsClient(srv.url, v.token, { viaQuery: true });
    await cu.opened;
    cu.send({ type: 'hello' });
    await cu.type('welcome');
    cu.send({ type: 'open', category: 'aftersale' });
    const s = (await cu.type('session')).session;
    cu.send({ type: 'send', session: s.id, text: '我的手机13812345678，包裹一直没到', client_id: 'e1' });
    await cu.type('ack', (f) => f.client_id === 'e1');
    const tab = agent.locator(`${tid('chat-tab')}[data-session="${s.id}"]`);
    const pick = agent.locator(`${tid('pick')}[data-session="${s.id}"]`);
    await tab.or(pick).first().waitFor();
    if (!(await tab.isVisible())) await pick.click();
    await tab.click();
    await sendText(agent, '已为您催促快递，明天送达。');
    await message(agent, '已为您催促快递', 'agent').waitFor();
    await agent.locator(tid('close-open')).click();
    await agent.locator(tid('close-summary')).fill('催件');
    await agent.locator(tid('close-submit')).click();
    await agent.locator(tid('chat-closed')).waitFor();
    await agent.locator(tid('save-case')).click();
    await agent.locator(tid('case-title')).fill('包裹未到的催件处理');
    await agent.locator(tid('case-submit')).click();
    await agent.locator(tid('case-saved')).waitFor();

    const sup = await apiLogin(srv.url, 'sup1', 'sup1pass');
    const cases = await api(srv.url, 'GET', '/api/v1/kb/cases', sup);
    const c = cases.json.cases.find((x) => x.session === s.id);
    assert.ok(c, JSON.stringify(cases.json));
    assert.equal(c.title, '包裹未到的催件处理');
    const art = await api(srv.url, 'GET', `/api/v1/kb/articles/${c.id}`, sup);
    assert.match(art.json.article.body, /客服：已为您催促快递/);
    assert.ok(!art.json.article.body.includes('13812345678'));
    cu.close();
  });
  junior.close();
});

// kb.test.mjs — the knowledge base through the real server (issue 7): search over articles imported
// with `kefu kb import` into the server's database before it starts, an article with its versions,
// the contribution review flow with roles (an agent proposes, an agent cannot review, a supervisor
// accepts → a new version; rejects; a second review is a conflict), the workbench "suggestions"
// frame pushed to the serving agent (KB-3), and the FAQ bot on a queued session with 转人工 and its
// deflection / hand-over counters in /metrics (KB-6).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, visitor, api, wsClient, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const ARTICLES = [
  { kind: 'faq', id: 'faq-refund-timing', title: '退款多久到账', body: '审核通过后1-3个工作日原路退回。', alternatives: ['钱什么时候退回来'], tags: ['售后'] },
  { kind: 'faq', id: 'faq-ship', title: '什么时候发货', body: '付款后48小时内发货。', tags: ['物流'] },
  { kind: 'faq', id: 'faq-invoice', title: '怎么开发票', body: '在订单详情页申请电子发票。', tags: ['发票'] },
  { kind: 'manual', id: 'man-stroller', title: '婴儿推车折叠说明', body: '按下把手两侧按钮即可一键折叠。', product: 'stroller' },
  { kind: 'script', id: 'scr-greet', title: '开场白', body: '您好，很高兴为您服务。' },
];

let srv;
let dir;
const tok = {};
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-kb-test-'));
  const db = join(dir, 'kb.db');
  const file = join(dir, 'articles.jsonl');
  await writeFile(file, ARTICLES.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
  execFileSync(bin, ['kb', 'import', '--db', db, file], { cwd: repoRoot });
  srv = await startServer({ args: ['--db', db] });
  for (const role of ['junior', 'senior', 'supervisor', 'qa', 'dept']) tok[role] = await login(srv.url, ...DEMO[role]);
  tok.customer = (await visitor(srv.url)).token;
});
after(async () => {
  await srv.stop();
  await rm(dir, { recursive: true, force: true });
});

test('search: agents find the right article first; filters; customers and departments are refused', async () => {
  const r = await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent('退款多久到账'), tok.junior);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hits[0].id, 'faq-refund-timing');
  assert.equal(r.json.hits[0].title, '退款多久到账');
  assert.ok(r.json.hits[0].body.includes('原路退回'));
  assert.equal(typeof r.json.hits[0].score, 'number');
  const one = await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent('折叠') + '&top=1&kind=manual', tok.qa);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.json.hits.map((h) => h.id), ['man-stroller']);
  const none = await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent('折叠') + '&kind=faq', tok.junior);
  assert.deepEqual(none.json.hits, []);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search?q=x&top=0', tok.junior)).status, 400);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search?q=x&kind=blog', tok.junior)).json.error.field, 'kind');
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search', tok.junior)).json.error.field, 'q');
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search?q=x', tok.customer)).status, 403);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search?q=x', tok.dept)).status, 403);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search?q=x', null)).status, 401);
});

test('article with its versions; unknown article is 404', async () => {
  const r = await api(srv.url, 'GET', '/api/v1/kb/articles/faq-ship', tok.senior);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.article.title, '什么时候发货');
  assert.equal(r.json.article.version, 1);
  assert.match(r.json.article.updated_at, /\+08:00$/);
  assert.equal(r.json.versions.length, 1);
  assert.equal(r.json.versions[0].source, 'import');
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/articles/nope', tok.senior)).status, 404);
});

test('contributions: an agent proposes, cannot review; a supervisor accepts → a new version', async () => {
  const p = await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.junior,
    { article: 'faq-ship', body: '付款后24小时内发货，预售商品以页面为准。', note: '发货时效改为24小时' });
  assert.equal(p.status, 201, p.text);
  const c = p.json.contribution;
  assert.match(c.id, /^kc_/);
  assert.equal(c.state, 'pending');
  assert.equal(c.proposal.title, '什么时候发货'); // fields not given keep the current ones
  assert.equal(c.proposal.body, '付款后24小时内发货，预售商品以页面为准。');

  // an agent cannot review, not even their own proposal
  const own = await api(srv.url, 'POST', `/api/v1/kb/contributions/${c.id}/review`, tok.junior, { decision: 'accepted' });
  assert.equal(own.status, 403);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/contributions?state=pending', tok.senior)).status, 403);
  const list = await api(srv.url, 'GET', '/api/v1/kb/contributions?state=pending', tok.supervisor);
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.contributions.some((x) => x.id === c.id));

  // strict bodies
  const bad = await api(srv.url, 'POST', `/api/v1/kb/contributions/${c.id}/review`, tok.supervisor, { decision: 'accepted', extra: 1 });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'extra');
  assert.equal((await api(srv.url, 'POST', `/api/v1/kb/contributions/${c.id}/review`, tok.supervisor, { decision: 'maybe' })).status, 400);

  const ok = await api(srv.url, 'POST', `/api/v1/kb/contributions/${c.id}/review`, tok.supervisor, { decision: 'accepted', note: '已核对' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.contribution.state, 'accepted');
  assert.equal(ok.json.article.version, 2);
  assert.equal(ok.json.article.body, '付款后24小时内发货，预售商品以页面为准。');
  const again = await api(srv.url, 'POST', `/api/v1/kb/contributions/${c.id}/review`, tok.supervisor, { decision: 'rejected' });
  assert.equal(again.status, 409);

  const art = await api(srv.url, 'GET', '/api/v1/kb/articles/faq-ship', tok.junior);
  assert.equal(art.json.versions.length, 2);
  assert.equal(art.json.versions[1].source, 'contribution');
  assert.equal(art.json.versions[1].contribution, c.id);
  // the new text is what search finds now
  const s = await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent('预售商品'), tok.junior);
  assert.equal(s.json.hits[0].id, 'faq-ship');
});

test('contributions: a new article; rejected changes nothing; bad proposals are 400/404', async () => {
  const n = await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.senior,
    { kind: 'faq', title: '可以改地址吗', body: '发货前可在订单页修改地址。', tags: ['物流'] });
  assert.equal(n.status, 201, n.text);
  const acc = await api(srv.url, 'POST', `/api/v1/kb/contributions/${n.json.contribution.id}/review`, tok.supervisor, { decision: 'accepted' });
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.json.article.version, 1);
  assert.equal(acc.json.article.title, '可以改地址吗');

  const r = await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.junior, { article: 'faq-invoice', title: '发票怎么开' });
  const rej = await api(srv.url, 'POST', `/api/v1/kb/contributions/${r.json.contribution.id}/review`, tok.supervisor, { decision: 'rejected', note: '标题不变' });
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.json.contribution.state, 'rejected');
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/articles/faq-invoice', tok.junior)).json.article.version, 1);

  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.junior, { title: 'x' })).status, 400);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.junior, { article: 'nope', body: 'x' })).status, 404);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.junior, { kind: 'blog', title: 'a', body: 'b' })).json.error.field, 'kind');
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/contributions/kc_nope/review', tok.supervisor, { decision: 'accepted' })).status, 404);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.customer, { title: 'x' })).status, 403);
});

async function customer() {
  const v = await visitor(srv.url);
  const c = wsClient(srv.url, v.token, { viaQuery: true });
  await c.opened;
  c.send({ type: 'hello' });
  await c.type('welcome');
  return c;
}

test('suggestions: a customer message pushes the top articles to the serving agent', async () => {
  const token = await login(srv.url, ...DEMO.junior);
  const ag = wsClient(srv.url, token);
  await ag.opened;
  ag.send({ type: 'hello' });
  await ag.type('welcome');
  ag.send({ type: 'presence', status: 'online' });
  await ag.type('presence');
  const cu = await customer();
  cu.send({ type: 'open', category: 'aftersale' });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  cu.send({ type: 'send', session: s.id, text: '我的退款多久能到账？', client_id: 'k-1' });
  const ack = await cu.type('ack', (f) => f.client_id === 'k-1');
  const msg = await ag.type('msg', (f) => f.seq === ack.seq);
  const sug = await ag.type('suggestions', (f) => f.session === s.id);
  assert.equal(sug.seq, msg.seq);
  assert.ok(sug.items.length >= 1 && sug.items.length <= 3);
  assert.equal(sug.items[0].id, 'faq-refund-timing');
  for (const k of ['id', 'title', 'body', 'score']) assert.ok(k in sug.items[0], k);
  // the customer never sees suggestions
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!cu.queued().some((f) => f.type === 'suggestions'));
  ag.send({ type: 'presence', status: 'offline' });
  await ag.type('presence');
  ag.close();
  cu.close();
});

test('FAQ bot: answers a queued customer, says it is a bot, 转人工 silences it', async () => {
  const cu = await customer();
  cu.send({ type: 'open', category: 'policy' });
  const s = (await cu.type('session')).session;
  assert.equal(s.state, 'queued');
  cu.send({ type: 'send', session: s.id, text: '退款了还没到账', client_id: 'b-1' });
  const bot = await cu.type('msg', (f) => f.from === 'bot');
  assert.match(bot.text, /原路退回/);
  assert.match(bot.text, /机器人/);
  assert.match(bot.text, /转人工/);
  cu.send({ type: 'send', session: s.id, text: '转人工', client_id: 'b-2' });
  const sys = await cu.type('msg', (f) => f.from === 'system' && /人工/.test(f.text));
  cu.send({ type: 'send', session: s.id, text: '退款多久到账', client_id: 'b-3' });
  const ack = await cu.type('ack', (f) => f.client_id === 'b-3');
  assert.ok(ack.seq > sys.seq);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!cu.queued().some((f) => f.type === 'msg' && f.from === 'bot' && f.seq > ack.seq));
  // the bot's answer is no agent reply: the session still waits in the queue
  const q = await api(srv.url, 'GET', '/api/v1/queue', tok.supervisor);
  assert.ok(JSON.stringify(q.json).includes(s.id));
  // deflection and hand-over counts for the rates (KB-6)
  const m = (await api(srv.url, 'GET', '/metrics')).text;
  const val = (name) => Number((m.match(new RegExp('^' + name + ' (\\d+)', 'm')) || [])[1]);
  assert.ok(val('kefu_bot_questions_total') >= 2, m);
  assert.ok(val('kefu_bot_answers_total') >= 1);
  assert.ok(val('kefu_bot_handovers_total') >= 1);
  cu.close();
});

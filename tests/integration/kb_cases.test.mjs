// kb_cases.test.mjs — the rest of the knowledge base through the real server (issue 7): a closed
// chat saved as a case with PII masked (a junior agent may not, a senior or supervisor may; an open
// chat is refused; one case per chat), citations counted once per (case, agent, session) with the
// citations by others (K-41); article create / edit / retire by supervisors only, each a version,
// stale edits refused, the diff of two versions; export as JSON Lines and Markdown; the FAQ bot's
// hand-over when unsure with the note the agent reads, and its deflection / hand-over rates; the
// weekly high-frequency question list (N-25) with roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, visitor, api, wsClient, agentOnline as agentOnlineAt, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const ARTICLES = [
  { kind: 'faq', id: 'faq-refund-timing', title: '退款多久到账', body: '审核通过后1-3个工作日原路退回。', tags: ['售后'] },
  { kind: 'faq', id: 'faq-ship', title: '什么时候发货', body: '付款后48小时内发货。', tags: ['物流'] },
];

let srv;
let dir;
const tok = {};
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-kbcases-test-'));
  const db = join(dir, 'kb.db');
  const file = join(dir, 'articles.jsonl');
  await writeFile(file, ARTICLES.map((a) => JSON.stringify(a)).join('\n') + '\n');
  execFileSync(resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu'), ['kb', 'import', '--db', db, file], { cwd: repoRoot });
  srv = await startServer({ args: ['--db', db] });
  for (const role of ['junior', 'senior', 'lead', 'supervisor', 'manager', 'admin', 'qa']) tok[role] = await login(srv.url, ...DEMO[role]);
});
after(async () => {
  await srv.stop();
  await rm(dir, { recursive: true, force: true });
});

async function customer() {
  const v = await visitor(srv.url);
  const c = wsClient(srv.url, v.token, { viaQuery: true });
  await c.opened;
  c.send({ type: 'hello' });
  await c.type('welcome');
  return c;
}

async function agentOnline(token) {
  return agentOnlineAt(srv.url, token);
}

async function offline(ag) {
  ag.send({ type: 'presence', status: 'offline' });
  await ag.type('presence');
  ag.close();
}

// A chat served by the senior agent (agent2): the customer gives a phone number; left open or closed.
async function servedChat(close, extra) {
  const ag = await agentOnline(tok.senior);
  const cu = await customer();
  cu.send({ type: 'open', category: 'aftersale' });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  cu.send({ type: 'send', session: s.id, text: '我的手机13812345678，退款还没到', client_id: 'c1' });
  await ag.type('msg', (f) => f.from === 'customer');
  if (extra) {
    cu.send({ type: 'send', session: s.id, text: extra, client_id: 'c2' });
    await ag.type('msg', (f) => f.from === 'customer' && f.text === extra);
  }
  ag.send({ type: 'send', session: s.id, text: '已为您加急处理，预计明天到账。', client_id: 'a1' });
  await ag.type('ack', (f) => f.client_id === 'a1');
  if (close) {
    ag.send({ type: 'close', session: s.id, summary: '退款加急' });
    await cu.type('closed');
  }
  await offline(ag);
  cu.close();
  return s.id;
}

test('cases: a closed chat becomes a case with PII masked; roles; open chats and repeats refused', async () => {
  const open = await servedChat(false);
  const sid = await servedChat(true);
  const body = { session: sid, title: '退款加急的处理', tags: ['售后'] };
  const j = await api(srv.url, 'POST', '/api/v1/kb/cases', tok.junior, body);
  assert.equal(j.status, 403, j.text);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/cases', tok.qa, body)).status, 403);
  const o = await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor, { session: open, title: '未结束' });
  assert.equal(o.status, 409, o.text);
  assert.equal(o.json.error.field, 'session');
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor, { session: 's_nope', title: 'x' })).status, 404);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor, { session: sid, title: '' })).json.error.field, 'title');

  const c = await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor, body);
  assert.equal(c.status, 201, c.text);
  const art = c.json.article;
  assert.equal(art.kind, 'case');
  assert.equal(art.version, 1);
  assert.match(art.body, /客户：/);
  assert.match(art.body, /客服：已为您加急处理/);
  assert.ok(!art.body.includes('13812345678'), 'the phone number is masked');
  assert.equal(c.json.case.session, sid);
  const me = await api(srv.url, 'GET', '/api/v1/me', tok.senior);
  assert.equal(c.json.case.agent, me.json.id ?? me.json.user?.id);
  assert.equal(art.author, c.json.case.agent, 'the serving agent owns the case (K-41)');
  // one case per chat
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor, body)).status, 409);
  // the serving senior may save their own closed chat too (a second chat)
  const sid2 = await servedChat(true);
  const s2 = await api(srv.url, 'POST', '/api/v1/kb/cases', tok.senior, { session: sid2, title: '第二个案例' });
  assert.equal(s2.status, 201, s2.text);

  // citations: once per (case, agent, session); self-citations are not by others
  const cite = (t, session) => api(srv.url, 'POST', `/api/v1/kb/articles/${art.id}/cite`, t, session ? { session } : {});
  const first = await cite(tok.junior);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.counted, true);
  const again = await cite(tok.junior);
  assert.equal(again.status, 200);
  assert.equal(again.json.counted, false);
  assert.equal((await cite(tok.supervisor, sid)).json.counted, true, 'another agent, in a session');
  assert.equal((await cite(tok.senior)).json.counted, true, 'the owner');
  assert.equal((await cite(tok.junior, sid)).status, 404, 'a session the junior never served');
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles/faq-ship/cite', tok.junior, {})).status, 400, 'an FAQ is not cited');
  assert.equal((await api(srv.url, 'POST', `/api/v1/kb/articles/${art.id}/cite`, tok.qa, {})).status, 403);
  const got = await api(srv.url, 'GET', `/api/v1/kb/articles/${art.id}`, tok.junior);
  assert.equal(got.json.case.citations, 3);
  assert.equal(got.json.case.citations_by_others, 2);
  const month = new Date().toISOString().slice(0, 7);
  const list = await api(srv.url, 'GET', `/api/v1/kb/cases?month=${month}`, tok.supervisor);
  assert.equal(list.status, 200, list.text);
  const row = list.json.cases.find((x) => x.id === art.id);
  assert.equal(row.citations_by_others, 2);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/cases?month=2026-13', tok.supervisor)).status, 400);
  // K-41 per agent is assessment data: an agent lists only the cases they own, never another's
  const owner = c.json.case.agent;
  const mine = await api(srv.url, 'GET', `/api/v1/kb/cases?month=${month}`, tok.senior);
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.json.cases.some((x) => x.id === art.id));
  assert.ok(mine.json.cases.every((x) => x.agent === owner));
  const other = await api(srv.url, 'GET', `/api/v1/kb/cases?month=${month}&agent=${owner}`, tok.junior);
  assert.equal(other.status, 403, other.text);
  assert.equal(other.json.error.field, 'agent');
  assert.deepEqual((await api(srv.url, 'GET', `/api/v1/kb/cases?month=${month}`, tok.junior)).json.cases, [], 'the junior owns no case');
  assert.ok((await api(srv.url, 'GET', `/api/v1/kb/cases?month=${month}&agent=${owner}`, tok.lead)).json.cases.some((x) => x.id === art.id));
});

test('cases: name, ID number and address in the chat, the title and the tags are masked (C-07)', async () => {
  const sid = await servedChat(true, '我是王小红女士，身份证11010519491231002X，寄到北京市朝阳区建国路88号3单元502室');
  const c = await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor,
    { session: sid, title: '王小红女士13812345678的退款', tags: ['北京市朝阳区建国路88号3单元502室'], note: '客户电话13812345678' });
  assert.equal(c.status, 201, c.text);
  const art = c.json.article;
  const all = JSON.stringify(art);
  for (const pii of ['13812345678', '11010519491231002X', '建国路88号', '小红', '女士']) assert.ok(!all.includes(pii), `${pii} leaked: ${all}`);
  assert.match(art.body, /客户：我的手机138\*{4}5678/);
  assert.match(art.body, /客户：我是王\*\*，身份证110\*{11}002X，寄到北京市\*{4}/);
  assert.equal(art.title, '王**138****5678的退款');
  assert.deepEqual(art.tags, ['北京市****']);
  const v = await api(srv.url, 'GET', `/api/v1/kb/articles/${art.id}`, tok.junior);
  assert.ok(!JSON.stringify(v.json).includes('13812345678'), 'nor in the version history');
});

test('articles: supervisors create, edit and retire (each a version, stale edits refused); diff; agents cannot', async () => {
  const a = { kind: 'faq', id: 'faq-address', title: '可以改地址吗', body: '发货前可以修改。\n发货后请联系快递。', tags: ['物流'] };
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles', tok.junior, a)).status, 403);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles', tok.lead, a)).status, 403);
  const c = await api(srv.url, 'POST', '/api/v1/kb/articles', tok.supervisor, a);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.article.version, 1);
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles', tok.supervisor, a)).status, 409, 'id taken');
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles', tok.supervisor, { kind: 'blog', title: 'x', body: 'y' })).json.error.field, 'kind');
  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles', tok.supervisor, { kind: 'faq', title: 'x' })).json.error.field, 'body');

  const put = (t, body) => api(srv.url, 'PUT', '/api/v1/kb/articles/faq-address', t, body);
  assert.equal((await put(tok.senior, { version: 1, note: 'x', body: 'y' })).status, 403);
  assert.equal((await put(tok.supervisor, { body: 'y', note: 'x' })).json.error.field, 'version');
  assert.equal((await put(tok.supervisor, { version: 1, body: 'y' })).json.error.field, 'note');
  const e = await put(tok.supervisor, { version: 1, note: '发货后也可改', body: '发货前可以修改。\n发货后可在订单页申请改址。' });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.article.version, 2);
  assert.equal(e.json.article.title, '可以改地址吗', 'fields not given stay');
  const stale = await put(tok.manager, { version: 1, note: 'old', title: '旧' });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.field, 'version');
  // the change is searchable
  const s = await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent('订单页申请改址'), tok.junior);
  assert.equal(s.json.hits[0].id, 'faq-address');

  const d = await api(srv.url, 'GET', '/api/v1/kb/articles/faq-address/diff?from=1&to=2', tok.junior);
  assert.equal(d.status, 200, d.text);
  const ops = d.json.fields.body;
  assert.deepEqual(ops.map((o) => o.op), ['=', '-', '+']);
  assert.equal(ops[1].text, '发货后请联系快递。');
  assert.equal(ops[2].text, '发货后可在订单页申请改址。');
  assert.deepEqual(d.json.fields.title, [{ op: '=', text: '可以改地址吗' }]);
  assert.equal(d.json.to.note, '发货后也可改');
  assert.ok(d.json.to.who && d.json.to.at);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/articles/faq-address/diff?from=1&to=9', tok.junior)).status, 404);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/articles/faq-address/diff?from=x&to=2', tok.junior)).status, 400);

  assert.equal((await api(srv.url, 'POST', '/api/v1/kb/articles/faq-address/retire', tok.junior, { version: 2, note: 'x' })).status, 403);
  const r = await api(srv.url, 'POST', '/api/v1/kb/articles/faq-address/retire', tok.admin, { version: 2, note: '政策取消' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.article.deleted, true);
  assert.equal(r.json.article.version, 3);
  const gone = await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent('订单页申请改址'), tok.junior);
  assert.ok(!gone.json.hits.some((h) => h.id === 'faq-address'), 'retired articles are not searched');
  const v = await api(srv.url, 'GET', '/api/v1/kb/articles/faq-address', tok.junior);
  assert.deepEqual(v.json.versions.map((x) => [x.version, x.note]), [[1, 'created'], [2, '发货后也可改'], [3, '政策取消']]);
  const list = await api(srv.url, 'GET', '/api/v1/kb/articles?kind=faq', tok.junior);
  assert.ok(!list.json.articles.some((x) => x.id === 'faq-address'));
  const all = await api(srv.url, 'GET', '/api/v1/kb/articles?kind=faq&deleted=1', tok.junior);
  assert.ok(all.json.articles.some((x) => x.id === 'faq-address'));
});

test('export: JSON Lines in the import format and Markdown, supervisors only', async () => {
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/export', tok.junior)).status, 403);
  const j = await api(srv.url, 'GET', '/api/v1/kb/export?format=jsonl', tok.supervisor);
  assert.equal(j.status, 200);
  assert.match(j.headers.get('content-disposition'), /kb\.jsonl/);
  const lines = j.text.trim().split('\n').map((l) => JSON.parse(l));
  const faq = lines.find((l) => l.id === 'faq-ship');
  assert.deepEqual(faq, { kind: 'faq', id: 'faq-ship', title: '什么时候发货', body: '付款后48小时内发货。', alternatives: [], tags: ['物流'] });
  const m = await api(srv.url, 'GET', '/api/v1/kb/export?format=markdown', tok.manager);
  assert.equal(m.status, 200);
  assert.match(m.text, /## 什么时候发货\n\n- id: faq-ship\n- kind: faq\n- tag: 物流\n\n付款后48小时内发货。/);
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/export?format=pdf', tok.supervisor)).status, 400);
});

test('bot: unsure → hands over; the agent who takes the chat reads the hand-over note; rates per day/week', async () => {
  const cu = await customer();
  cu.send({ type: 'open', category: 'policy' });
  const s = (await cu.type('session')).session;
  assert.equal(s.state, 'queued');
  cu.send({ type: 'send', session: s.id, text: '退款多久到账', client_id: 'b1' });
  const bot = await cu.type('msg', (f) => f.from === 'bot');
  assert.match(bot.text, /原路退回/);
  cu.send({ type: 'send', session: s.id, text: '我买的婴儿车轮子坏了怎么办', client_id: 'b2' });
  const sys = await cu.type('msg', (f) => f.from === 'system' && /人工/.test(f.text));
  assert.match(sys.text, /转人工/);
  // the bot stays silent afterwards
  cu.send({ type: 'send', session: s.id, text: '什么时候发货', client_id: 'b3' });
  const ack = await cu.type('ack', (f) => f.client_id === 'b3');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!cu.queued().some((f) => f.type === 'msg' && f.from === 'bot' && f.seq > ack.seq));

  // the agent takes the chat and reads why
  const ag = await agentOnline(tok.junior);
  const assigned = await ag.type('assigned', (f) => f.session.id === s.id, 10000);
  assert.equal(assigned.session.id, s.id);
  const h = await api(srv.url, 'GET', `/api/v1/kb/handovers/${s.id}`, tok.junior);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.reason, 'unsure');
  assert.deepEqual(h.json.questions, ['退款多久到账', '我买的婴儿车轮子坏了怎么办']);
  assert.equal(h.json.answers.length, 1);
  assert.match(h.json.answers[0], /原路退回/);
  assert.equal((await api(srv.url, 'GET', `/api/v1/kb/handovers/${s.id}`, tok.senior)).status, 404, 'not their chat');
  ag.send({ type: 'close', session: s.id, summary: '转人工处理' });
  await cu.type('closed');
  await offline(ag);

  // a chat the bot answered alone and that closed without an agent counts as deflected
  const cu2 = await customer();
  cu2.send({ type: 'open', category: 'policy' });
  const s2 = (await cu2.type('session')).session;
  cu2.send({ type: 'send', session: s2.id, text: '什么时候发货', client_id: 'd1' });
  await cu2.type('msg', (f) => f.from === 'bot');
  cu2.send({ type: 'close', session: s2.id });
  await cu2.type('closed');

  const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  assert.equal((await api(srv.url, 'GET', `/api/v1/kb/bot/rates?from=${day}&to=${day}`, tok.junior)).status, 403);
  const r = await api(srv.url, 'GET', `/api/v1/kb/bot/rates?from=${day}&to=${day}&by=day`, tok.supervisor);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.rows.length, 1);
  assert.equal(r.json.rows[0].period, day);
  assert.ok(r.json.total.seen >= 2);
  assert.ok(r.json.total.deflected >= 1);
  assert.ok(r.json.total.handed_over >= 1);
  assert.equal(r.json.total.deflection_rate, r.json.total.deflected / r.json.total.seen);
  const w = await api(srv.url, 'GET', `/api/v1/kb/bot/rates?from=${day}&to=${day}&by=week`, tok.lead);
  assert.match(w.json.rows[0].period, /^\d{4}-W\d\d$/);
  assert.equal((await api(srv.url, 'GET', `/api/v1/kb/bot/rates?from=${day}`, tok.supervisor)).json.error.field, 'to');
  cu.close();
  cu2.close();
});

test('N-25: the weekly list counts bot queries and agent searches by article or question, with roles', async () => {
  for (const q of ['退款多久到账？', '退款 多久到账', '发票怎么开呀', '订单13812345678的发票怎么开，王小红女士']) {
    assert.equal((await api(srv.url, 'GET', '/api/v1/kb/search?q=' + encodeURIComponent(q), tok.junior)).status, 200);
  }
  assert.equal((await api(srv.url, 'GET', '/api/v1/kb/report', tok.junior)).status, 403);
  const r = await api(srv.url, 'GET', '/api/v1/kb/report?top=50', tok.supervisor);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.week, /^\d{4}-W\d\d$/);
  const refund = r.json.queries.find((q) => q.article === 'faq-refund-timing');
  // two agent searches here and the bot's query in the hand-over test, all on one article
  assert.ok(refund && refund.count >= 3, JSON.stringify(r.json.queries));
  assert.equal(refund.title, '退款多久到账');
  assert.equal(refund.change, refund.count - refund.previous);
  assert.ok(r.json.categories.some((c) => c.category === 'aftersale' && c.count >= 1));
  for (let i = 1; i < r.json.queries.length; i++) assert.ok(r.json.queries[i - 1].count >= r.json.queries[i].count);
  // C-07: a question's phone number and name are counted masked (symbols dropped by the normalisation)
  assert.ok(!r.text.includes('13812345678') && !r.text.includes('小红'), r.text);
  assert.ok(r.json.queries.some((q) => q.query.includes('1385678')), r.text);
  const bad = await api(srv.url, 'GET', '/api/v1/kb/report?week=2026-47', tok.supervisor);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'week');
  const past = await api(srv.url, 'GET', '/api/v1/kb/report?week=2020-W10', tok.manager);
  assert.deepEqual(past.json.queries, []);
});

test('CLI: kefu kb export (JSON Lines, Markdown) round trips through kefu kb import; kefu kb report; bad input exits 1 or 2', async () => {
  const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
  const run = (args, input) => {
    try {
      return { status: 0, out: execFileSync(bin, args, { cwd: repoRoot, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString() };
    } catch (e) {
      return { status: e.status, out: String(e.stdout), err: String(e.stderr) };
    }
  };
  const a = join(dir, 'cli-a.db'), b = join(dir, 'cli-b.db'), c = join(dir, 'cli-c.db');
  const src = join(dir, 'cli.jsonl');
  await writeFile(src, ARTICLES.map((x) => JSON.stringify(x)).join('\n') + '\n');
  assert.equal(run(['kb', 'import', '--db', a, src]).status, 0);
  const jl = run(['kb', 'export', '--db', a]);
  assert.equal(jl.status, 0);
  assert.deepEqual(jl.out.trim().split('\n').map((l) => JSON.parse(l)), ARTICLES.map((x) => ({ ...x, alternatives: [] })));
  const md = join(dir, 'kb.md');
  assert.equal(run(['kb', 'export', '--db', a, '--format', 'markdown', '--out', md]).status, 0);
  assert.equal(run(['kb', 'import', '--db', b, md]).status, 0);
  assert.equal(run(['kb', 'export', '--db', b]).out, jl.out);
  const jfile = join(dir, 'e.jsonl');
  await writeFile(jfile, jl.out);
  assert.equal(run(['kb', 'import', '--db', c, jfile]).status, 0);
  assert.equal(run(['kb', 'export', '--db', c]).out, jl.out);

  const bad = join(dir, 'bad.md');
  await writeFile(bad, '# x\n\n## 标题\n- id: a\n- kind: faq\n- colour: red\n\n答\n');
  const r = run(['kb', 'import', '--db', c, bad]);
  assert.equal(r.status, 1);
  assert.match(r.err, /bad\.md:6: field 'colour'/);
  assert.equal(run(['kb', 'export', '--db', c, '--format', 'pdf']).status, 2);
  // a write that fails is exit 1 with the reason, also on stdout (it was exit 0 with nothing written)
  const full = openSync('/dev/full', 'w');
  const sf = spawnSync(bin, ['kb', 'export', '--db', a], { cwd: repoRoot, stdio: ['ignore', full, 'pipe'] });
  closeSync(full);
  assert.equal(sf.status, 1);
  assert.match(String(sf.stderr), /kefu kb export: stdout: cannot write: No space left on device/);
  const of = run(['kb', 'export', '--db', a, '--out', '/dev/full']);
  assert.equal(of.status, 1);
  assert.match(of.err, /\/dev\/full: cannot write/);
  const rep = run(['kb', 'report', '--db', a, '--week', '2026-W47']);
  assert.equal(rep.status, 0);
  assert.match(rep.out, /^week 2026-W47 \(2026-11-16 … 2026-11-22\), compared with 2026-W46/);
  const rj = run(['kb', 'report', '--db', a, '--week', '2026-W47', '--format', 'json']);
  assert.deepEqual(JSON.parse(rj.out).queries, []);
  assert.equal(run(['kb', 'report', '--db', a, '--week', '2026W47']).status, 2);
});

// people.test.mjs — live events feed the people and quality metrics (issue 5) like imported ones:
// a KB contribution accepted through the API counts in the proposer's K-40, an agent message the
// guard blocks counts in that agent's K-30 / K-32, and a case cited by another agent counts in its
// owner's K-41 (a citation of one's own case does not), in GET /api/v1/assess of the current month
// and in its explain, without a rebuild.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, servedChat, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

let srv, dir;
const tok = {};
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-people-'));
  const db = join(dir, 'kefu.db');
  const file = join(dir, 'articles.jsonl');
  await writeFile(file, JSON.stringify({ kind: 'faq', id: 'faq-ship', title: '什么时候发货', body: '付款后48小时内发货。' }) + '\n');
  execFileSync(resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu'), ['kb', 'import', '--db', db, file], { cwd: repoRoot });
  srv = await startServer({ args: ['--db', db] });
  for (const role of ['senior', 'junior', 'supervisor', 'manager']) tok[role] = await login(srv.url, ...DEMO[role]);
});
after(async () => {
  await srv?.stop();
  await rm(dir, { recursive: true, force: true });
});

// The organisation's month now (Asia/Shanghai, +08:00), as the assessment periods count it.
function thisMonth() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function agentOf(period, id) {
  const r = await api(srv.url, 'GET', `/api/v1/assess?period=${period}`, tok.manager);
  assert.equal(r.status, 200, r.text);
  const a = r.json.agents.find((x) => x.id === id);
  assert.ok(a, `${id} assessed`);
  return a;
}

test('a live accepted contribution and a live blocked agent message show up in the assessment', async () => {
  const me = await api(srv.url, 'GET', '/api/v1/me', tok.senior);
  assert.equal(me.status, 200, me.text);
  const id = me.json.id ?? me.json.user?.id;
  assert.ok(id, me.text);
  const period = thisMonth();
  const before = await agentOf(period, id);
  assert.equal(before.metrics['K-40'].value, null); // nothing recorded yet: not tracked, null
  assert.equal(before.metrics['K-30'].n, 0);

  // a contribution proposed by the senior agent, accepted by a supervisor
  const p = await api(srv.url, 'POST', '/api/v1/kb/contributions', tok.senior, { article: 'faq-ship', body: '付款后24小时内发货。', note: '时效' });
  assert.equal(p.status, 201, p.text);
  const ok = await api(srv.url, 'POST', `/api/v1/kb/contributions/${p.json.contribution.id}/review`, tok.supervisor, { decision: 'accepted' });
  assert.equal(ok.status, 200, ok.text);

  // a chat in which the agent's first message is blocked (C-01 absolute term, C-02 refusal)
  const { ag, cu, s } = await servedChat(srv.url, tok.senior, 'product');
  ag.send({ type: 'send', session: s.id, text: '亲，这款绝对正品，我们做不到', client_id: 'b1' });
  assert.equal((await ag.type('error', (f) => f.ref === 'b1')).code, 'blocked');
  ag.send({ type: 'send', session: s.id, text: '亲，这款是正品，请放心', client_id: 'ok1' });
  await ag.type('ack', (f) => f.client_id === 'ok1');
  ag.close?.();
  cu.close?.();

  // the guard.hit event is written by the chat loop's writer: poll briefly until it is visible
  let a;
  for (let i = 0; i < 50; i++) {
    a = await agentOf(period, id);
    if (a.metrics['K-30'].value === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(a.metrics['K-40'].value, 1); // one accepted contribution this month
  assert.equal(a.metrics['K-40'].n, 1);
  assert.equal(a.metrics['K-30'].value, 1); // the blocked attempt, counted against the agent
  assert.equal(a.metrics['K-30'].score, 90); // zero tolerance: 100 − 10 per violation
  assert.equal(a.metrics['K-32'].value, 0); // the one session had a violation
  assert.equal(a.metrics['K-32'].n, 1);

  const ex = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${period}&agent=${id}&metric=K-30`, tok.manager);
  assert.equal(ex.status, 200, ex.text);
  const list = ex.json.sessions; // the records behind the metric (here: violating messages)
  assert.equal(list.length, 1, ex.text);
  assert.equal(list[0].session, s.id);
  assert.equal(list[0].delivered, 0);
  assert.match(list[0].rules, /C-01/);
  const kb = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${period}&agent=${id}&metric=K-40`, tok.manager);
  assert.equal(kb.status, 200, kb.text);
  const kl = kb.json.sessions;
  assert.equal(kl.length, 1, kb.text);
  assert.equal(kl[0].contribution, p.json.contribution.id);
});

test("a live citation of an agent's case by another agent counts in the owner's K-41, their own does not", async () => {
  const id = async (t) => { const me = await api(srv.url, 'GET', '/api/v1/me', t); return me.json.id ?? me.json.user?.id; };
  const senior = await id(tok.senior), junior = await id(tok.junior);
  // a chat served and closed by the senior agent becomes a case they own
  const { ag, cu, s } = await servedChat(srv.url, tok.senior, 'aftersale');
  ag.send({ type: 'send', session: s.id, text: '已为您加急处理，预计明天到账。', client_id: 'a1' });
  await ag.type('ack', (f) => f.client_id === 'a1');
  ag.send({ type: 'close', session: s.id, summary: '退款加急' });
  await cu.type('closed');
  ag.close?.();
  cu.close?.();
  const c = await api(srv.url, 'POST', '/api/v1/kb/cases', tok.supervisor, { session: s.id, title: '退款加急的处理' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.article.author, senior);
  const cite = (t) => api(srv.url, 'POST', `/api/v1/kb/articles/${c.json.article.id}/cite`, t, {});
  assert.equal((await cite(tok.junior)).status, 201);
  assert.equal((await cite(tok.senior)).status, 201); // recorded, but not by another agent

  const period = thisMonth();
  let a;
  for (let i = 0; i < 50; i++) {
    a = await agentOf(period, senior);
    if (a.metrics['K-41'].value === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(a.metrics['K-41'].value, 1);
  assert.equal(a.metrics['K-41'].n, 1);
  assert.equal((await agentOf(period, junior)).metrics['K-41'].value, 0); // cited someone else's case
  const ex = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${period}&agent=${senior}&metric=K-41`, tok.manager);
  assert.equal(ex.status, 200, ex.text);
  const rows = ex.json.sessions;
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => [r.cited_by, r.counted]).sort(), [[junior, 1], [senior, 0]].sort());
});

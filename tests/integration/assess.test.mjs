// assess.test.mjs — GET /api/v1/assess and /api/v1/assess/explain on `kefu demo` data imported
// into a fresh store, served with the demo organisation: a manager sees every agent, a lead only
// their team, an agent only themself, a bad period is 400 naming the field, explain lists sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
const PERIOD = '2026-01'; // kefu demo starts on 2026-01-01 by default; --days 31 covers January
let srv;
const tok = {};

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-assess-'));
  const data = join(dir, 'demo.jsonl');
  const db = join(dir, 'kefu.db');
  execFileSync(bin, ['demo', '--agents', '6', '--days', '31', '--seed', '7', '--out', data], { stdio: 'ignore' });
  execFileSync(bin, ['import', '--db', db, data], { stdio: 'ignore' });
  srv = await startServer({ args: ['--db', db] });
  for (const role of ['manager', 'lead', 'supervisor', 'junior', 'admin', 'qa']) tok[role] = await login(srv.url, ...DEMO[role]);
  // a lead of the imported agents' team (kefu demo puts agents 1–10 in team t01)
  const r = await api(srv.url, 'POST', '/api/v1/users', tok.admin, { name: 'lead01', password: 'lead01pass', role: 'lead', level: 'lead', team: 't01' });
  assert.equal(r.status, 201, r.text);
  tok.lead01 = await login(srv.url, 'lead01', 'lead01pass');
});
after(async () => { await srv?.stop(); });

const get = (who, q) => api(srv.url, 'GET', '/api/v1/assess' + q, tok[who]);

test('a manager sees every assessed agent of the period, §5.3 shape', async () => {
  const r = await get('manager', `?period=${PERIOD}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.period, PERIOD);
  assert.equal(r.json.scope, 'all');
  const ids = r.json.agents.map((a) => a.id);
  for (let i = 1; i <= 6; i++) assert.ok(ids.includes(`a000${i}`), `a000${i} in ${ids}`);
  const a = r.json.agents.find((x) => x.id === 'a0001');
  assert.equal(a.team, 't01');
  for (const k of ['score', 'grade', 'rank', 'post', 'metrics', 'results']) assert.ok(k in a, k);
  for (const k of ['value', 'unit', 'target', 'score', 'weight', 'n']) assert.ok(k in a.metrics['K-01'], k);
  assert.ok(a.metrics['K-01'].n > 0);
});

test('a lead or supervisor sees only the agents of their own team', async () => {
  const all = (await get('manager', `?period=${PERIOD}`)).json.agents;
  for (const [who, team] of [['lead', 't1'], ['supervisor', 't1'], ['lead01', 't01']]) {
    const r = await get(who, `?period=${PERIOD}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.scope, 'team');
    assert.deepEqual(r.json.agents.map((a) => a.id).sort(), all.filter((a) => a.team === team).map((a) => a.id).sort(), who);
  }
  // the imported team is not empty, and the demo lead (team t1) sees none of it
  const t01 = (await get('lead01', `?period=${PERIOD}`)).json.agents;
  assert.equal(t01.length, 6);
  assert.ok(!(await get('lead', `?period=${PERIOD}`)).json.agents.some((a) => a.team === 't01'));
});

test('an agent sees themself at most, never anyone else', async () => {
  const me = (await api(srv.url, 'GET', '/api/v1/me', tok.junior)).json;
  const r = await get('junior', `?period=${PERIOD}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.scope, 'self');
  // live agents (users with role agent) are assessed under their user id: agent1 sees exactly itself
  assert.deepEqual(r.json.agents.map((a) => a.id), [me.id]);
  const x = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${PERIOD}&agent=a0001&metric=K-01`, tok.junior);
  assert.equal(x.status, 403, x.text);
});

test('roles without assess.read are refused', async () => {
  for (const who of ['qa', 'admin']) assert.equal((await get(who, `?period=${PERIOD}`)).status, 403, who);
  assert.equal((await api(srv.url, 'GET', `/api/v1/assess?period=${PERIOD}`, null)).status, 401);
});

test('a bad period, profile or metric is 400 naming the field', async () => {
  for (const q of ['', '?period=2026-13', '?period=oct', '?period=2026-Q5']) {
    const r = await get('manager', q);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.error.field, 'period', q);
  }
  let r = await get('manager', `?period=${PERIOD}&profile=../../etc`);
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'profile');
  r = await get('manager', `?period=${PERIOD}&profile=nosuch`);
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'profile');
  r = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${PERIOD}&agent=a0001&metric=K-99`, tok.manager);
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'metric');
});

test('explain lists the sessions behind a metric, scoped like the assessment', async () => {
  const card = (await get('manager', `?period=${PERIOD}`)).json.agents.find((a) => a.id === 'a0002');
  const r = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${PERIOD}&agent=a0002&metric=K-01`, tok.manager);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.agent, 'a0002');
  assert.ok(r.json.sessions.length > 0);
  assert.ok(r.json.sessions.length >= card.metrics['K-01'].n);
  assert.ok('frt_s' in r.json.sessions[0] && 'session' in r.json.sessions[0]);
  assert.equal((await api(srv.url, 'GET', `/api/v1/assess/explain?period=${PERIOD}&agent=a0002&metric=K-01`, tok.lead01)).status, 200);
  assert.equal((await api(srv.url, 'GET', `/api/v1/assess/explain?period=${PERIOD}&agent=a0002&metric=K-01`, tok.lead)).status, 403);
});

test('FRT vs CSAT by session (D-4) agrees with the sessions explain lists, per scope', async () => {
  const want = { fast: { sessions: 0, rated: 0, satisfied: 0 }, slow: { sessions: 0, rated: 0, satisfied: 0 } };
  for (let i = 1; i <= 6; i++) {
    const x = await api(srv.url, 'GET', `/api/v1/assess/explain?period=${PERIOD}&agent=a000${i}&metric=K-01`, tok.manager);
    for (const s of x.json.sessions) {
      if (s.frt_s === null) continue;
      const g = s.frt_s <= 15 ? want.fast : s.frt_s >= 20 ? want.slow : null;
      if (!g) continue;
      g.sessions++;
      if (s.score !== null) { g.rated++; g.satisfied += s.score >= 4 ? 1 : 0; }
    }
  }
  const r = await api(srv.url, 'GET', `/api/v1/assess/frt-csat?period=${PERIOD}`, tok.lead01);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.agents, 6);
  for (const k of ['fast', 'slow']) {
    assert.equal(r.json[k].sessions, want[k].sessions, k);
    assert.equal(r.json[k].rated, want[k].rated, k);
    assert.equal(r.json[k].satisfied, want[k].satisfied, k);
  }
  assert.ok(want.fast.sessions > 0 && want.slow.sessions > 0);
  // the demo lead's team t1 has no imported sessions
  const t1 = await api(srv.url, 'GET', `/api/v1/assess/frt-csat?period=${PERIOD}`, tok.lead);
  assert.equal(t1.status, 200);
  assert.equal(t1.json.fast.sessions + t1.json.slow.sessions, 0);
  assert.equal((await api(srv.url, 'GET', '/api/v1/assess/frt-csat?period=x', tok.manager)).json.error.field, 'period');
});

test('parallel requests all get an answer (worker pool, in-flight cap → 429 at most)', async () => {
  const rs = await Promise.all(Array.from({ length: 6 }, () => get('manager', `?period=${PERIOD}`)));
  for (const r of rs) assert.ok(r.status === 200 || r.status === 429, String(r.status));
  assert.ok(rs.some((r) => r.status === 200));
});

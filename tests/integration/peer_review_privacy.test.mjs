// peer_review_privacy.test.mjs — an agent reading the records behind their own K-44 (peer review)
// through GET /api/v1/assess/explain sees the scores but not who gave them (peer reviewers stay
// anonymous); their manager still sees the reviewer, and a QA review keeps its reviewer for the
// agent too. Imported reviews of an agent whose id is a live user's id (an agent is assessed under
// their user id), so the agent can log in and read their own assessment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
let srv, dir, me;
const tok = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-peer-'));
  const db = join(dir, 'kefu.db');
  // 1. a server on the store: the agent's user id
  let s = await startServer({ args: ['--db', db] });
  try {
    const t = await login(s.url, ...DEMO.junior);
    me = (await api(s.url, 'GET', '/api/v1/me', t)).json;
    me = me.id ?? me.user?.id;
    assert.ok(me);
  } finally {
    await s.stop();
  }
  // 2. reviews of that agent (already an agent of the store as a live user) imported into it
  const at = (d) => `2026-01-${d}T10:00:00+08:00`;
  const lines = [
    { kind: 'agent', id: 'peer01', name: '同事', team: 't1', post: 'presale' },
    { kind: 'review', id: 'pr1', agent: me, at: at('10'), type: 'peer', score: 7, reviewer: 'peer01' },
    { kind: 'review', id: 'qr1', agent: me, at: at('11'), type: 'qa', score: 9, reviewer: 'peer01' },
  ];
  const file = join(dir, 'reviews.jsonl');
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  execFileSync(bin, ['import', '--db', db, file], { cwd: repoRoot, stdio: 'pipe' });
  srv = await startServer({ args: ['--db', db] });
  tok.junior = await login(srv.url, ...DEMO.junior);
  tok.manager = await login(srv.url, ...DEMO.manager);
});
after(async () => {
  await srv?.stop();
  await rm(dir, { recursive: true, force: true });
});

const explain = (who, metric) => api(srv.url, 'GET', `/api/v1/assess/explain?period=2026-01&agent=${me}&metric=${metric}`, tok[who]);

test('an agent sees their peer review scores without the reviewer; a manager sees the reviewer', async () => {
  const own = await explain('junior', 'K-44');
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.sessions.length, 1, own.text);
  assert.equal(own.json.sessions[0].score, 7);
  assert.ok(!('reviewer' in own.json.sessions[0]), own.text);
  assert.doesNotMatch(own.text, /peer01/);
  const mgr = await explain('manager', 'K-44');
  assert.equal(mgr.status, 200, mgr.text);
  assert.equal(mgr.json.sessions[0].reviewer, 'peer01');
  const qa = await explain('junior', 'K-35'); // a QA inspection is not anonymous
  assert.equal(qa.status, 200, qa.text);
  assert.equal(qa.json.sessions[0].reviewer, 'peer01');
});

// assess_record.test.mjs — recording assessment results (issue 5, SPEC A-8): `kefu assess --record`
// appends one assess.result_recorded event per result once per period and profile (a second run
// records nothing), and POST /api/v1/assess/record is a manager-only action (every other role 403,
// no login 401) with the same idempotency; the recorded results then come back from GET /assess;
// the HTML report fails cleanly without the ECharts library.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
let dir;
let db;
let srv;
const tok = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kefu-record-'));
  const data = join(dir, 'demo.jsonl');
  db = join(dir, 'kefu.db');
  execFileSync(bin, ['demo', '--agents', '12', '--days', '62', '--seed', '5', '--out', data], { stdio: 'ignore' });
  execFileSync(bin, ['import', '--db', db, data], { stdio: 'ignore' });
});
after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const assess = (...args) => spawnSync(bin, ['assess', '--db', db, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const events = () => JSON.parse(assess('--period', '2026-01', '--format', 'json').stdout);

test('kefu assess --record records each result once per period and profile', () => {
  const before = events();
  const want = before.agents.reduce((n, a) => n + a.results.length, 0);
  assert.ok(want >= 11, `top 10 and at least one star: ${want}`);
  let r = assess('--period', '2026-01', '--record');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { period: '2026-01', profile: 'default', recorded: want, already: false });
  r = assess('--period', '2026-01', '--record');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { period: '2026-01', profile: 'default', recorded: 0, already: true });
  // another profile of the same period is its own record
  r = assess('--period', '2026-01', '--profile', 'ahp', '--record');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).already, false);
  const after = events();
  assert.ok(after.recorded, 'the assessment says it was recorded');
  assert.equal(after.recorded.results, want);
  for (const a of after.agents) {
    const b = before.agents.find((x) => x.id === a.id);
    assert.deepEqual(a.results, b.results, a.id);
    assert.deepEqual(a.pay, b.pay, a.id);
  }
  // bad input: exit 1 naming the profile, 2 for --record with --explain
  r = assess('--period', '2026-01', '--profile', 'nosuch', '--record');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /scorecard-nosuch\.json/);
  r = assess('--period', '2026-01', '--record', '--explain', 'a0001', 'K-01');
  assert.equal(r.status, 2);
});

test('POST /api/v1/assess/record is for managers only and records once', async () => {
  srv = await startServer({ args: ['--db', db] });
  for (const role of ['manager', 'lead', 'supervisor', 'junior', 'senior', 'admin', 'qa']) tok[role] = await login(srv.url, ...DEMO[role]);
  const body = { period: '2026-02', profile: 'posts' };
  for (const who of ['lead', 'supervisor', 'junior', 'senior', 'admin', 'qa']) {
    const r = await api(srv.url, 'POST', '/api/v1/assess/record', tok[who], body);
    assert.equal(r.status, 403, `${who}: ${r.text}`);
  }
  assert.equal((await api(srv.url, 'POST', '/api/v1/assess/record', null, body)).status, 401);
  let r = await api(srv.url, 'POST', '/api/v1/assess/record', tok.manager, { period: '2026-13' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'period');
  r = await api(srv.url, 'POST', '/api/v1/assess/record', tok.manager, { period: '2026-02', extra: 1 });
  assert.equal(r.status, 400);
  // nothing was recorded by the refused calls
  let g = await api(srv.url, 'GET', '/api/v1/assess?period=2026-02&profile=posts', tok.manager);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.recorded, undefined);
  const want = g.json.agents.reduce((n, a) => n + a.results.length, 0);
  r = await api(srv.url, 'POST', '/api/v1/assess/record', tok.manager, body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { period: '2026-02', profile: 'posts', recorded: want, already: false });
  r = await api(srv.url, 'POST', '/api/v1/assess/record', tok.manager, body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { period: '2026-02', profile: 'posts', recorded: 0, already: true });
  g = await api(srv.url, 'GET', '/api/v1/assess?period=2026-02&profile=posts', tok.manager);
  assert.equal(g.json.recorded.results, want);
});

test('kefu assess --format html without the ECharts library fails naming where it looked', () => {
  const r = spawnSync(bin, ['assess', '--db', db, '--period', '2026-01', '--format', 'html'],
    { encoding: 'utf8', env: { ...process.env, KEFU_ECHARTS: join(dir, 'no-echarts.js') }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '', 'nothing written');
  assert.match(r.stderr, /ECharts library is missing/);
  assert.ok(r.stderr.includes(join(dir, 'no-echarts.js')), r.stderr);
});

// test_clock.test.mjs — the test clock of `kefu serve --test-clock` (issue 6) cannot be switched on
// by accident: a server started without the flag answers POST /api/v1/test/clock with 404 (even
// for an admin), the flag must be spelt out in full (an abbreviation such as --test-c is a usage
// error) and needs a loopback listen address (exit 1 otherwise, nothing started), a server with
// it says so in its log, and only an admin may move the clock (every other role, including the
// mail gateway and a department user, gets 403).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
const servers = [];
const dirs = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const clock = (srv, token, ms = 60000) => api(srv.url, 'POST', '/api/v1/test/clock', token, { advance_ms: ms });

test('without --test-clock the route is 404 for an admin and 403 for everyone else', async () => {
  const srv = await startServer();
  servers.push(srv);
  const admin = await login(srv.url, ...DEMO.admin);
  const r = await clock(srv, admin);
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.code, 'not_found');
  assert.equal((await clock(srv, await login(srv.url, ...DEMO.manager))).status, 403);
  assert.equal((await clock(srv, null)).status, 401);
  assert.doesNotMatch(await srv.log(), /test clock on/);
});

test('an abbreviated flag is a usage error and a non-loopback listen address refuses to start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-clock-'));
  dirs.push(dir);
  const run = (...args) => spawnSync(bin, ['serve', '--db', join(dir, 'kefu.db'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
  let r = run('--listen', '127.0.0.1:0', '--test-c');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--test-clock in full/);
  r = run('--listen', '0.0.0.0:0', '--test-clock');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /--test-clock: only with a loopback listen address.*'0\.0\.0\.0'/);
  r = run('--listen', '[::]:0', '--test-clock');
  assert.equal(r.status, 1, r.stderr);
  assert.ok(!existsSync(join(dir, 'kefu.db')), 'nothing was started or created');
});

test('with --test-clock only an admin moves the clock, forward only, and the log says the clock is on', async () => {
  const srv = await startServer({ args: ['--test-clock'] });
  servers.push(srv);
  const tok = { admin: await login(srv.url, ...DEMO.admin) };
  const gw = await api(srv.url, 'POST', '/api/v1/users', tok.admin, { name: 'gw_clock', password: 'gw_clockpass', role: 'gateway', display: 'gateway' });
  assert.equal(gw.status, 201, gw.text);
  tok.gateway = await login(srv.url, 'gw_clock', 'gw_clockpass');
  for (const role of ['junior', 'senior', 'lead', 'supervisor', 'manager', 'qa', 'dept']) tok[role] = await login(srv.url, ...DEMO[role]);
  for (const [role, t] of Object.entries(tok)) {
    if (role === 'admin') continue;
    assert.equal((await clock(srv, t)).status, 403, role);
  }
  assert.equal((await clock(srv, tok.admin, -1)).status, 400);
  assert.equal((await clock(srv, tok.admin, 0)).status, 400);
  const hours = 5 * 3600 * 1000; // (not days: the sessions' tokens expire with the moved clock)
  const r = await clock(srv, tok.admin, hours);
  assert.equal(r.status, 200, r.text);
  assert.ok(Date.parse(r.json.now_at) >= Date.now() + hours - 60000, r.text); // moved five hours on
  assert.match(await srv.log(), /test clock on/);
});

// perms.test.mjs — walks every route × every role against the permission table compiled into
// the binary (`kefu routes`, built from src/api/routes.c and src/auth/perm.c): a role the table
// allows is never refused with 401/403, a role it does not allow always is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startServer, login, visitor, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

let srv;
const tokens = {};
before(async () => {
  srv = await startServer();
  for (const [role, cred] of Object.entries(DEMO)) tokens[role] = await login(srv.url, ...cred);
  tokens.customer = (await visitor(srv.url)).token;
  tokens.anon = null;
  // the mail gateway role (issue 6) has no demo account: an admin makes one
  const gw = await api(srv.url, 'POST', '/api/v1/users', tokens.admin, { name: 'gw_perm', password: 'gw_permpass', role: 'gateway', display: 'gateway' });
  assert.equal(gw.status, 201, gw.text);
  tokens.gateway = await login(srv.url, 'gw_perm', 'gw_permpass');
});
after(async () => { await srv.stop(); });

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
const routes = execFileSync(bin, ['routes']).toString().trim().split('\n').map((l) => JSON.parse(l));
const ROLES = ['anon', 'customer', 'junior', 'senior', 'lead', 'supervisor', 'manager', 'qa', 'dept', 'admin', 'gateway'];

test('the route table is non-empty and every route names a permission', () => {
  assert.ok(routes.length >= 10);
  for (const r of routes) assert.ok(r.perm && r.perm.length > 0, `${r.method} ${r.path}`);
});

test('every route × every role matches the permission table', async () => {
  const mismatches = [];
  for (const r of routes) {
    const path = r.path.replace(/:[a-z_]+/g, 'x');
    for (const role of ROLES) {
      // logout revokes: use a fresh token so the walk can go on
      let token = tokens[role];
      if (r.path === '/api/v1/logout' && role === 'gateway') token = await login(srv.url, 'gw_perm', 'gw_permpass');
      else if (r.path === '/api/v1/logout' && role !== 'anon' && role !== 'customer') token = await login(srv.url, ...DEMO[role]);
      if (r.path === '/api/v1/logout' && role === 'customer') token = (await visitor(srv.url)).token;
      const body = r.method === 'POST' ? '{}' : undefined;
      const res = await api(srv.url, r.method, path, token, body);
      const allowed = r.roles.includes(role);
      const refused = res.status === 401 || res.status === 403;
      // 403 can also be a domain answer for an allowed role (e.g. a bad signature on /visitor); the
      // gate's own refusals carry code unauthenticated/forbidden and are what we check here.
      const gateRefused = refused && (res.json?.error?.code === 'unauthenticated' || (res.json?.error?.code === 'forbidden' && !allowed));
      if (allowed === gateRefused) mismatches.push(`${r.method} ${r.path} as ${role}: status ${res.status}, table says ${allowed ? 'allow' : 'deny'}`);
      if (!allowed) assert.equal(res.status, role === 'anon' ? 401 : 403, `${r.method} ${r.path} as ${role}`);
    }
  }
  assert.deepEqual(mismatches, []);
});

test('the mail gateway reaches only the mail endpoints, and only an admin the test clock', () => {
  const key = (r) => `${r.method} ${r.path}`;
  const gw = routes.filter((r) => r.roles.includes('gateway') && r.perm !== 'public' && r.perm !== 'session.self').map(key).sort();
  assert.deepEqual(gw, ['GET /api/v1/mail/outbox', 'POST /api/v1/channels/email', 'POST /api/v1/mail/outbox/:id']);
  for (const r of routes.filter((x) => x.perm === 'mail.gateway')) assert.deepEqual(r.roles, ['gateway'], key(r));
  const clock = routes.find((r) => r.path === '/api/v1/test/clock');
  assert.deepEqual(clock.roles, ['admin']);
});

// http.test.mjs — the HTTP surface of a real kefu serve: health, metrics, errors for bad input
// (malformed requests, oversize headers and bodies, bad JSON, unknown fields), keep-alive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, api, rawHttp, DEMO } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { const ex = await srv.stop(); assert.equal(ex.code, 0, 'clean exit on SIGTERM'); });

test('healthz reports ok with the store', async () => {
  const r = await api(srv.url, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok', store: 'ok' });
});

test('metrics are Prometheus text with kefu counters', async () => {
  const r = await api(srv.url, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  assert.match(r.text, /^# TYPE kefu_store_events_committed_total counter$/m);
  assert.match(r.text, /^kefu_http_requests_total \d+$/m);
});

test('malformed request line gets 400 and the connection closes', async () => {
  const out = await rawHttp(srv.port, 'GARBAGE\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 400 /);
});

test('oversize headers get 431', async () => {
  const big = 'X-Big: ' + 'a'.repeat(20000) + '\r\n';
  const out = await rawHttp(srv.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${big}\r\n`);
  assert.match(out, /^HTTP\/1\.1 431 /);
});

test('oversize body gets 413 before it is read', async () => {
  const out = await rawHttp(srv.port, `POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{`);
  assert.match(out, /^HTTP\/1\.1 413 /);
});

test('keep-alive serves two requests on one connection', async () => {
  const out = await rawHttp(srv.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(out.match(/HTTP\/1\.1 200 /g).length, 2);
});

test('invalid JSON is refused with the position', async () => {
  const r = await api(srv.url, 'POST', '/api/v1/login', null, '{"name":"x",}');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid');
  assert.match(r.json.error.message, /line 1 column/);
});

test('unknown fields are refused, naming the field', async () => {
  const r = await api(srv.url, 'POST', '/api/v1/login', null, { name: 'agent1', password: 'agent1pass', remember: true });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'remember');
});

test('wrong password is 401 and records nothing usable', async () => {
  const r = await api(srv.url, 'POST', '/api/v1/login', null, { name: 'agent1', password: 'wrongwrong' });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'unauthenticated');
});

test('login, me, logout with a bearer token', async () => {
  const token = await login(srv.url, ...DEMO.senior);
  const me = await api(srv.url, 'GET', '/api/v1/me', token);
  assert.equal(me.status, 200);
  assert.equal(me.json.role, 'senior');
  assert.equal((await api(srv.url, 'POST', '/api/v1/logout', token)).status, 204);
  assert.equal((await api(srv.url, 'GET', '/api/v1/me', token)).status, 401);
});

test('login sets an HttpOnly SameSite=Strict cookie', async () => {
  const r = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ name: 'agent2', password: 'agent2pass' }) });
  const c = r.headers.get('set-cookie');
  assert.match(c, /kefu_token=[0-9a-f]{64}/);
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Strict/);
  const me = await fetch(srv.url + '/api/v1/me', { headers: { cookie: c.split(';')[0] } });
  assert.equal(me.status, 200);
});

test('repeated failed logins are rate limited with 429 and Retry-After', async () => {
  let last;
  for (let i = 0; i < 7; i++) last = await api(srv.url, 'POST', '/api/v1/login', null, { name: 'lead1', password: 'nopenope' + i });
  assert.equal(last.status, 429);
  assert.ok(Number(last.headers.get('retry-after')) >= 1);
  // another account from another name is still limited by address only after its own failures
  const ok = await api(srv.url, 'GET', '/healthz');
  assert.equal(ok.status, 200, 'other requests unaffected');
});

test('unknown route is 404 JSON, wrong method is 405', async () => {
  const r = await api(srv.url, 'GET', '/api/v1/nothing');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  const m = await api(srv.url, 'DELETE', '/api/v1/me');
  assert.equal(m.status, 405);
});

test('admin creates a user; bad input changes nothing', async () => {
  const token = await login(srv.url, ...DEMO.admin);
  const bad = await api(srv.url, 'POST', '/api/v1/users', token, { name: 'x y', password: 'longenough', role: 'agent' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'name');
  const badRole = await api(srv.url, 'POST', '/api/v1/users', token, { name: 'newbie', password: 'longenough', role: 'god' });
  assert.equal(badRole.status, 400);
  let list = await api(srv.url, 'GET', '/api/v1/users', token);
  assert.ok(!list.json.some((u) => u.name === 'newbie'));
  const ok = await api(srv.url, 'POST', '/api/v1/users', token, { name: 'newbie', password: 'longenough', role: 'agent', level: 'junior', skills: ['presale'], max_chats: 2 });
  assert.equal(ok.status, 201);
  const dup = await api(srv.url, 'POST', '/api/v1/users', token, { name: 'newbie', password: 'longenough', role: 'agent' });
  assert.equal(dup.status, 409);
  list = await api(srv.url, 'GET', '/api/v1/users', token);
  assert.equal(list.json.filter((u) => u.name === 'newbie').length, 1);
  assert.ok(!('pw_hash' in list.json[0]), 'hashes never leave the store');
});

test('the demo department account has its department and can list its tickets', async () => {
  const token = await login(srv.url, ...DEMO.dept);
  const me = await api(srv.url, 'GET', '/api/v1/me', token);
  assert.equal(me.json.role, 'dept');
  assert.equal(me.json.dept, 'logistics');
  const list = await api(srv.url, 'GET', '/api/v1/tickets', token);
  assert.equal(list.status, 200, list.text);
});

test('an unknown login name gets the same 401 as a wrong password', async () => {
  const r = await api(srv.url, 'POST', '/api/v1/login', null, { name: 'nobody-here', password: 'whatever1' });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.message, 'wrong name or password');
});

// guard.test.mjs — the compliance guard as an admin and a senior meet it: lexicons edited through
// the API take effect without a restart, a bad entry is refused with file:line and the rules in
// force stay; a senior reveals a masked field only with a reason, and the reveal is audited; an
// agent cannot send another customer's phone number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, login, api, servedChat, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

let srv, lexdir;
before(async () => {
  lexdir = await mkdtemp(join(tmpdir(), 'kefu-lex-'));
  await cp(join(repoRoot, 'data/lexicons'), lexdir, { recursive: true });
  srv = await startServer({ args: ['--lexicons', lexdir] });
});
after(async () => {
  await srv.stop();
  await rm(lexdir, { recursive: true, force: true });
});

async function chatPair() {
  const token = await login(srv.url, ...DEMO.senior);
  const { ag, cu, s } = await servedChat(srv.url, token, 'product');
  return { ag, cu, s, token };
}

test('a lexicon edit takes effect without a restart', async () => {
  const admin = await login(srv.url, ...DEMO.admin);
  const list = await api(srv.url, 'GET', '/api/v1/lexicons', admin);
  assert.equal(list.status, 200);
  assert.ok(list.json.files.some((f) => f.file === 'rules_c06_impatient.tsv'));
  const { ag, cu, s } = await chatPair();
  ag.send({ type: 'send', session: s.id, text: '请稍等，马上给您查询一下', client_id: 'l1' });
  await ag.type('ack', (f) => f.client_id === 'l1');
  const file = await api(srv.url, 'GET', '/api/v1/lexicons/rules_c06_impatient.tsv', admin);
  assert.equal(file.status, 200);
  const added = file.json.content.replace(/\n?$/, '\n') + '马上给您查询\tliteral\tC-06\tblock\t测试用规则\t=稍后为您查询\n';
  const put = await api(srv.url, 'PUT', '/api/v1/lexicons/rules_c06_impatient.tsv', admin, { content: added });
  assert.equal(put.status, 200, put.text);
  ag.send({ type: 'send', session: s.id, text: '请稍等，马上给您查询一下', client_id: 'l2' });
  const blocked = await ag.type('error', (f) => f.ref === 'l2');
  assert.equal(blocked.code, 'blocked');
  assert.equal(blocked.reason, '测试用规则');
  const onDisk = await readFile(join(lexdir, 'rules_c06_impatient.tsv'), 'utf8');
  assert.match(onDisk, /马上给您查询/);
  for (const c of [ag, cu]) c.close();
});

test('a bad lexicon entry is refused with file and line; the rules in force stay', async () => {
  const admin = await login(srv.url, ...DEMO.admin);
  const before = await readFile(join(lexdir, 'rules_c01_absolute.tsv'), 'utf8');
  const lines = before.split('\n');
  const bad = lines.slice(0, 4).join('\n') + '\n坏条目\tliteral\tC-99\tblock\t原因\t建议\n' + lines.slice(4).join('\n');
  const put = await api(srv.url, 'PUT', '/api/v1/lexicons/rules_c01_absolute.tsv', admin, { content: bad });
  assert.equal(put.status, 400, put.text);
  assert.equal(put.json.error.field, 'rules_c01_absolute.tsv:5');
  assert.equal(await readFile(join(lexdir, 'rules_c01_absolute.tsv'), 'utf8'), before, 'file unchanged');
  const { ag, cu, s } = await chatPair();
  ag.send({ type: 'send', session: s.id, text: '这是最好的选择', client_id: 'b1' });
  assert.equal((await ag.type('error', (f) => f.ref === 'b1')).code, 'blocked', 'old rules still in force');
  for (const c of [ag, cu]) c.close();
  const traversal = await api(srv.url, 'PUT', '/api/v1/lexicons/..%2Fpasswd.tsv', admin, { content: 'x' });
  assert.equal(traversal.status, 400);
  const senior = await login(srv.url, ...DEMO.senior);
  assert.equal((await api(srv.url, 'GET', '/api/v1/lexicons', senior)).status, 403);
});

test('a senior reveals a masked field only with a reason, and it is audited', async () => {
  const junior = await login(srv.url, ...DEMO.junior);
  const senior = await login(srv.url, ...DEMO.senior);
  assert.equal((await api(srv.url, 'POST', '/api/v1/customers/c001/reveal', junior, { field: 'phone', reason: '核对收货信息' })).status, 403);
  const noReason = await api(srv.url, 'POST', '/api/v1/customers/c001/reveal', senior, { field: 'phone', reason: '' });
  assert.equal(noReason.status, 400);
  assert.equal(noReason.json.error.field, 'reason');
  const badField = await api(srv.url, 'POST', '/api/v1/customers/c001/reveal', senior, { field: 'id_card', reason: '核对收货信息' });
  assert.equal(badField.json.error.field, 'field');
  const ok = await api(srv.url, 'POST', '/api/v1/customers/c001/reveal', senior, { field: 'phone', reason: '核对收货信息' });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.value, '13812345678');
  assert.equal((await api(srv.url, 'POST', '/api/v1/customers/nobody/reveal', senior, { field: 'phone', reason: '核对收货信息' })).status, 404);
});

test("an agent cannot send another customer's phone number", async () => {
  const { ag, cu, s } = await chatPair();
  ag.send({ type: 'send', session: s.id, text: '请联系13987654321处理', client_id: 'p1' });
  const e = await ag.type('error', (f) => f.ref === 'p1');
  assert.equal(e.code, 'blocked');
  assert.match(e.reason, /C-07/);
  assert.ok(!cu.queued().some((f) => f.type === 'msg' && /1398765/.test(f.text)));
  for (const c of [ag, cu]) c.close();
});

test('the time the guard adds per message is exported in /metrics', async () => {
  const m = await api(srv.url, 'GET', '/metrics');
  const scans = Number(m.text.match(/^kefu_guard_scans_total (\d+)$/m)?.[1]);
  const ns = Number(m.text.match(/^kefu_guard_scan_nanoseconds_total (\d+)$/m)?.[1]);
  const blocked = Number(m.text.match(/^kefu_guard_blocked_total (\d+)$/m)?.[1]);
  assert.ok(scans >= 4, `scans ${scans}`);
  assert.ok(ns > 0);
  assert.ok(blocked >= 3, `blocked ${blocked}`);
});

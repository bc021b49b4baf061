// chat.test.mjs — live chat end to end over real WebSockets: queue and routing (VIP first),
// greeting, messages with acks after commit and in order, typing, delivery receipts, transfer with
// history, closing with a summary, rating, resume after reconnect, and bad frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, visitor, api, wsClient, DEMO } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

async function customer(body) {
  const v = await visitor(srv.url, body);
  const c = wsClient(srv.url, v.token, { viaQuery: true });
  await c.opened;
  c.send({ type: 'hello' });
  await c.type('welcome');
  return { ...c, id: v.customer.id, token: v.token };
}

async function agent(cred, status = 'online') {
  const token = await login(srv.url, ...cred);
  const c = wsClient(srv.url, token);
  await c.opened;
  c.send({ type: 'hello' });
  const w = await c.type('welcome');
  if (status) {
    c.send({ type: 'presence', status });
    await c.type('presence', (f) => f.status === status);
  }
  return { ...c, token, id: w.user.id };
}

async function newAgent(adminToken, name, maxChats, skills = ['aftersale']) {
  const r = await api(srv.url, 'POST', '/api/v1/users', adminToken, { name, password: name + 'pass1', role: 'agent', level: 'senior', skills, max_chats: maxChats });
  assert.equal(r.status, 201, r.text);
  return [name, name + 'pass1'];
}

test('full chat: open, route, greet, exchange, typing, receipts, close, rate', async () => {
  const ag = await agent(DEMO.junior);
  const cu = await customer();
  cu.send({ type: 'open', category: 'product', item: '参数' });
  const s = (await cu.type('session')).session;
  assert.equal(s.category, 'product');
  const assigned = await ag.type('assigned', (f) => f.session.id === s.id);
  assert.equal(assigned.session.customer, cu.id);
  const greet = await cu.type('msg', (f) => f.from === 'system');
  assert.match(greet.text, /您好/);
  assert.equal(greet.seq, 1);

  cu.send({ type: 'send', session: s.id, text: '这个推车能折叠吗？', client_id: 'c-1' });
  const ack = await cu.type('ack', (f) => f.client_id === 'c-1');
  assert.equal(ack.seq, 2);
  const got = await ag.type('msg', (f) => f.seq === 2);
  assert.equal(got.text, '这个推车能折叠吗？');
  assert.equal(got.from, 'customer');

  ag.send({ type: 'typing', session: s.id });
  await cu.type('typing', (f) => f.from === 'agent');
  ag.send({ type: 'send', session: s.id, text: '可以的，一键折叠。', client_id: 'a-1' });
  assert.equal((await ag.type('ack', (f) => f.client_id === 'a-1')).seq, 3);
  const reply = await cu.type('msg', (f) => f.seq === 3);
  assert.equal(reply.from, 'agent');
  assert.equal(reply.agent, ag.id);
  cu.send({ type: 'recv', session: s.id, seq: 3 });
  assert.equal((await ag.type('delivered')).seq, 3);

  // resending the same client_id is acknowledged again without a second message
  cu.send({ type: 'send', session: s.id, text: '这个推车能折叠吗？', client_id: 'c-1' });
  const dup = await cu.type('ack', (f) => f.client_id === 'c-1');
  assert.equal(dup.seq, 2);
  assert.equal(dup.duplicate, true);

  ag.send({ type: 'close', session: s.id, summary: '解答折叠问题' });
  const closed = await cu.type('closed');
  assert.equal(closed.summary, '解答折叠问题');
  await cu.type('rate_request');
  cu.send({ type: 'rate', session: s.id, score: 5, solved: true });
  assert.equal((await cu.type('rated')).score, 5);

  const hist = await api(srv.url, 'GET', `/api/v1/sessions/${s.id}/messages`, ag.token);
  assert.equal(hist.status, 200);
  const texts = hist.json.messages.map((m) => [m.seq, m.from]);
  assert.deepEqual(texts.slice(0, 3), [[1, 'system'], [2, 'customer'], [3, 'agent']]);
  assert.equal(hist.json.messages.filter((m) => m.from === 'customer').length, 1, 'duplicate not stored');
  const other = await customer();
  assert.equal((await api(srv.url, 'GET', `/api/v1/sessions/${s.id}/messages`, other.token)).status, 404, 'customers see only their own');
  for (const c of [ag, cu, other]) c.close();
});

test('VIP customers are served first; capacity limits routing; agents can pick', async () => {
  const admin = await login(srv.url, ...DEMO.admin);
  const solo = await agent(await newAgent(admin, 'solo1', 1), 'away');
  const normal = await customer();
  normal.send({ type: 'open', category: 'aftersale' });
  const sNormal = (await normal.type('session')).session;
  const sigRes = await api(srv.url, 'GET', '/api/v1/demo/identify?customer=c001');
  const vip = await customer({ channel: 'web', customer: 'c001', sig: sigRes.json.sig });
  vip.send({ type: 'open', category: 'aftersale' });
  const sVip = (await vip.type('session')).session;
  assert.equal(sVip.customer_type, 'vip');
  const q = await api(srv.url, 'GET', '/api/v1/queue', solo.token);
  const ids = q.json.map((x) => x.id);
  assert.ok(ids.indexOf(sVip.id) < ids.indexOf(sNormal.id), 'VIP ahead in the queue');
  solo.send({ type: 'presence', status: 'online' });
  const first = await solo.type('assigned');
  assert.equal(first.session.id, sVip.id, 'VIP routed first');
  // at capacity: the normal customer keeps waiting, and picking is refused
  solo.send({ type: 'pick', session: sNormal.id, ref: 'p1' });
  const err = await solo.type('error', (f) => f.ref === 'p1');
  assert.equal(err.code, 'conflict');
  solo.send({ type: 'close', session: sVip.id, summary: 'ok' });
  const second = await solo.type('assigned');
  assert.equal(second.session.id, sNormal.id, 'freed capacity routes the next waiting chat');
  for (const c of [solo, normal, vip]) c.close();
});

test('transfer to another agent carries the history', async () => {
  const admin = await login(srv.url, ...DEMO.admin);
  const a1 = await agent(await newAgent(admin, 'tr1', 3, ['presale']));
  const cu = await customer();
  cu.send({ type: 'open', category: 'policy' });
  const s = (await cu.type('session')).session;
  await a1.type('assigned', (f) => f.session.id === s.id);
  cu.send({ type: 'send', session: s.id, text: '会员怎么升级？', client_id: 'x1' });
  await a1.type('msg', (f) => f.from === 'customer');
  const a2 = await agent(await newAgent(admin, 'tr2', 3, ['aftersale']), 'online');
  a1.send({ type: 'transfer', session: s.id, to_agent: a2.id, note: '需要售后处理' });
  await a1.type('unassigned', (f) => f.session === s.id);
  const got = await a2.type('assigned', (f) => f.session.id === s.id);
  assert.equal(got.session.agent, a2.id);
  const hist = await api(srv.url, 'GET', `/api/v1/sessions/${s.id}/messages`, a2.token);
  assert.ok(hist.json.messages.some((m) => m.text === '会员怎么升级？'), 'new agent reads the history');
  await cu.type('msg', (f) => f.from === 'system' && /转接/.test(f.text));
  for (const c of [a1, a2, cu]) c.close();
});

test('a reconnecting client resumes after its last shown message', async () => {
  const ag = await agent(DEMO.senior);
  const cu = await customer();
  cu.send({ type: 'open', category: 'order' });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  for (let i = 1; i <= 3; i++) {
    ag.send({ type: 'send', session: s.id, text: `第${i}条`, client_id: `r${i}` });
    await ag.type('ack', (f) => f.client_id === `r${i}`);
  }
  cu.close();
  const again = wsClient(srv.url, cu.token, { viaQuery: true });
  await again.opened;
  again.send({ type: 'hello', resume: { [s.id]: 2 } });
  const w = await again.type('welcome');
  assert.equal(w.sessions[0].id, s.id);
  const seqs = [];
  for (let i = 0; i < 2; i++) seqs.push((await again.type('msg')).seq);
  assert.deepEqual(seqs, [3, 4]);
  ag.close();
  again.close();
});

test('bad frames get clear errors and change nothing; the socket stays usable', async () => {
  const cu = await customer();
  cu.send('{not json');
  assert.equal((await cu.type('error')).code, 'invalid');
  cu.send({ type: 'open', category: 'product', colour: 'red' });
  assert.equal((await cu.type('error')).field, 'colour');
  cu.send({ type: 'fly' });
  assert.equal((await cu.type('error')).field, 'type');
  cu.send({ type: 'presence', status: 'online' });
  assert.equal((await cu.type('error')).code, 'forbidden');
  cu.send({ type: 'send', session: 's_nope', text: 'hi' });
  assert.equal((await cu.type('error')).code, 'not_found');
  cu.send({ type: 'open', category: 'gadgets' });
  assert.equal((await cu.type('error')).field, 'category');
  cu.send({ type: 'open', category: 'product' });
  const s = (await cu.type('session')).session;
  cu.send({ type: 'send', session: s.id, text: '   ' });
  assert.equal((await cu.type('error')).field, 'text');
  cu.send({ type: 'send', session: s.id, text: '好'.repeat(2001) });
  assert.equal((await cu.type('error')).field, 'text');
  cu.send({ type: 'rate', session: s.id, score: 5 });
  assert.equal((await cu.type('error')).code, 'conflict', 'no rating before the end');
  cu.close();
});

test('invalid UTF-8 closes with 1007, oversize message with 1009', async () => {
  const a = await customer();
  a.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  assert.equal((await a.waitClose()).code, 1007);
  const b = await customer();
  b.send('{"type":"hello","ref":"' + 'x'.repeat(70000) + '"}');
  assert.equal((await b.waitClose()).code, 1009);
  const c = await customer();
  c.send({ type: 'hello' });
  await c.type('welcome');
  c.close();
});

test('a WebSocket without a valid token is refused', async () => {
  const c = wsClient(srv.url, 'f'.repeat(64), { viaQuery: true });
  await assert.rejects(c.opened, /401/);
});

test('supervisor overview lists queue, agents and live chats; agents may not see it', async () => {
  const ag = await agent(DEMO.lead);
  const cu = await customer();
  cu.send({ type: 'open', category: 'product' });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  const sup = await login(srv.url, ...DEMO.supervisor);
  const o = await api(srv.url, 'GET', '/api/v1/supervisor/overview', sup);
  assert.equal(o.status, 200);
  assert.ok(o.json.agents.some((a) => a.id === ag.id && a.status === 'online'));
  assert.ok(o.json.chats.some((c) => c.id === s.id));
  const junior = await login(srv.url, ...DEMO.junior);
  assert.equal((await api(srv.url, 'GET', '/api/v1/supervisor/overview', junior)).status, 403);
  ag.close();
  cu.close();
});

test('customer profile is masked for juniors and clear for seniors', async () => {
  const junior = await login(srv.url, ...DEMO.junior);
  const senior = await login(srv.url, ...DEMO.senior);
  const pj = await api(srv.url, 'GET', '/api/v1/customers/c001/profile', junior);
  assert.equal(pj.status, 200);
  assert.equal(pj.json.phone, '138****5678');
  assert.equal(pj.json.name, '王*');
  assert.ok(pj.json.orders.length >= 2);
  const ps = await api(srv.url, 'GET', '/api/v1/customers/c001/profile', senior);
  assert.equal(ps.json.phone, '13812345678');
});

test('guard: a blocked agent message never reaches the customer; the agent gets reason and suggestion', async () => {
  const ag = await agent(DEMO.senior);
  const cu = await customer();
  cu.send({ type: 'open', category: 'product' });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  await cu.type('msg', (f) => f.from === 'system');
  ag.send({ type: 'send', session: s.id, text: '我们家是全网最好的，绝对正品', client_id: 'g1' });
  const blocked = await ag.type('error', (f) => f.ref === 'g1');
  assert.equal(blocked.code, 'blocked');
  assert.ok(blocked.reason.length > 0);
  assert.ok(blocked.suggestion && !/最好|绝对/.test(blocked.suggestion), 'suggestion is compliant');
  assert.ok(blocked.hits.some((h) => h.rule === 'C-01'));
  // the corrected text goes through; the customer sees only it
  ag.send({ type: 'send', session: s.id, text: blocked.suggestion, client_id: 'g2' });
  const ack = await ag.type('ack', (f) => f.client_id === 'g2');
  const m = await cu.type('msg', (f) => f.from === 'agent');
  assert.equal(m.seq, ack.seq);
  assert.equal(m.text, blocked.suggestion);
  assert.ok(!cu.queued().some((f) => f.type === 'msg' && /最好/.test(f.text)), 'blocked text never delivered');
  const hist = await api(srv.url, 'GET', `/api/v1/sessions/${s.id}/messages`, ag.token);
  assert.ok(!hist.json.messages.some((x) => /最好/.test(x.text)), 'blocked text never stored');
  // context exception: 第一时间 is not an absolute claim
  ag.send({ type: 'send', session: s.id, text: '我们会第一时间为您处理', client_id: 'g3' });
  await ag.type('ack', (f) => f.client_id === 'g3');
  for (const c of [ag, cu]) c.close();
});

test('guard: fraud signals from a customer raise an alert to the agent and the supervisor view', async () => {
  const ag = await agent(DEMO.senior);
  const cu = await customer();
  cu.send({ type: 'open', category: 'aftersale' });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  cu.send({ type: 'send', session: s.id, text: '退款请直接转账到我的私人账户，加微信私下交易', client_id: 'f1' });
  await cu.type('ack', (f) => f.client_id === 'f1');
  const alert = await ag.type('alert', (f) => f.kind === 'fraud');
  assert.equal(alert.session, s.id);
  const sup = await login(srv.url, ...DEMO.supervisor);
  const o = await api(srv.url, 'GET', '/api/v1/supervisor/overview', sup);
  assert.ok(o.json.alerts.some((a) => a.kind === 'fraud' && a.session === s.id));
  for (const c of [ag, cu]) c.close();
});

test('transfer to a skill group requeues the chat and routes it to an agent of that group', async () => {
  const admin = await login(srv.url, ...DEMO.admin);
  const pre = await agent(await newAgent(admin, 'grp1', 3, ['presale']));
  const cu = await customer();
  cu.send({ type: 'open', category: 'product' });
  const s = (await cu.type('session')).session;
  await pre.type('assigned', (f) => f.session.id === s.id);
  pre.send({ type: 'transfer', session: s.id, to_group: 'nosuchgroup', ref: 't0' });
  assert.equal((await pre.type('error', (f) => f.ref === 't0')).field, 'to_group');
  pre.send({ type: 'transfer', session: s.id, to_group: 'aftersale', note: '退货问题' });
  await pre.type('unassigned', (f) => f.session === s.id);
  const requeued = await cu.type('session', (f) => f.session.state === 'queued');
  assert.equal(requeued.session.group, 'aftersale');
  const after = await agent(await newAgent(admin, 'grp2', 3, ['aftersale']));
  const got = await after.type('assigned', (f) => f.session.id === s.id);
  assert.equal(got.session.group, 'aftersale');
  for (const c of [pre, cu, after]) c.close();
});

test('the server log holds no message text, token or phone number', async () => {
  const token = await login(srv.url, ...DEMO.junior);
  const { readFile } = await import('node:fs/promises');
  const log = await readFile(srv.logFile, 'utf8');
  assert.ok(log.length > 0);
  // (the demo organisation's logins are printed once on stdout by design — `make run` shows them —
  // so demo passwords are not in this list; real accounts' passwords never reach any output)
  for (const secret of ['这个推车能折叠吗', '可以的，一键折叠', '会员怎么升级', '全网最好', '私人账户', token, '13812345678'])
    assert.ok(!log.includes(secret), `log contains ${secret.slice(0, 8)}…`);
});

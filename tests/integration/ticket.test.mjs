// ticket.test.mjs — tickets and the SLA clock through a real `kefu serve` (issue 6): roles (a
// department user sees only its department's tickets, masked, C-07; a customer link shows only its
// case, N-26), the complaint flow in order (N-16), the customer form (N-06), escalation with the
// expected time (N-19/N-20), the breach board, order notices (N-24), timers surviving a restart, bad input refused with
// a clear error and nothing changed, and `kefu sla deadline` (DESIGN §5.4) exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, visitor, api, wsClient, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
let srv;
let dbDir;
const tok = {};

const logisticsTicket = {
  type: '物流延误', priority: 'P2', department: 'logistics', order: 'O1001', customer: 'c001',
  description: '客户王丽，手机13812345678，订单三天未更新物流',
};

before(async () => {
  dbDir = await mkdtemp(join(tmpdir(), 'kefu-ticket-'));
  srv = await startServer({ args: ['--db', join(dbDir, 'kefu.db')] });
  tok.admin = await login(srv.url, ...DEMO.admin);
  for (const [name, dept] of [['logi1', 'logistics'], ['tech1', 'tech']]) {
    const r = await api(srv.url, 'POST', '/api/v1/users', tok.admin, { name, password: name + 'pass', role: 'dept', dept, display: name });
    assert.equal(r.status, 201, r.text);
    tok[name] = await login(srv.url, name, name + 'pass');
  }
  for (const role of ['junior', 'senior', 'supervisor', 'qa']) tok[role] = await login(srv.url, ...DEMO[role]);
});
after(async () => {
  await srv?.stop();
  await rm(dbDir, { recursive: true, force: true });
});

async function create(body, token = tok.senior) {
  const r = await api(srv.url, 'POST', '/api/v1/tickets', token, body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const step = (id, body, token = tok.senior) => api(srv.url, 'POST', `/api/v1/tickets/${id}/steps`, token, body);
const timer = (tk, name) => tk.timers.find((t) => t.name === name);

test('a department ticket: claim and answer deadlines, the logistics user claims it and sees masked data', async () => {
  const tk = await create(logisticsTicket);
  assert.match(tk.id, /^tk_[0-9a-f]{16}$/);
  assert.equal(tk.state, 'open');
  assert.equal(tk.fields_required, 6);
  assert.equal(tk.fields_filled, 5); // no handling plan (K-34)
  for (const name of ['claim', 'answer', 'p2_solution']) assert.equal(timer(tk, name)?.state, 'running', name);
  assert.match(timer(tk, 'claim').due_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$/);
  assert.equal(tk.customer, 'c001'); // a senior sees the customer

  const list = await api(srv.url, 'GET', '/api/v1/tickets', tok.logi1);
  assert.equal(list.status, 200, list.text);
  const mine = list.json.tickets.find((t) => t.id === tk.id);
  assert.ok(mine, 'the logistics user lists the logistics ticket');
  assert.equal(mine.customer, null);
  assert.equal(mine.customer_label, '订单O1001的客户');
  assert.ok(!mine.description.includes('13812345678'), `phone masked: ${mine.description}`);

  const claim = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/claim`, tok.logi1);
  assert.equal(claim.status, 200, claim.text);
  assert.equal(claim.json.state, 'claimed');
  assert.equal(timer(claim.json, 'claim').state, 'met');
  assert.equal(claim.json.customer, null);
  const again = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/claim`, tok.logi1);
  assert.equal(again.status, 409);
  const answer = await step(tk.id, { step: 'answer', note: '已联系快递加急' }, tok.logi1);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(timer(answer.json, 'answer').state, 'met');
});

test('a department user cannot read, claim or work another department\'s tickets', async () => {
  const tk = await create(logisticsTicket);
  for (const [method, path, body] of [
    ['GET', `/api/v1/tickets/${tk.id}`],
    ['POST', `/api/v1/tickets/${tk.id}/claim`],
    ['POST', `/api/v1/tickets/${tk.id}/steps`, { step: 'note', note: 'x' }],
    ['POST', `/api/v1/tickets/${tk.id}/resolve`, {}],
    ['GET', '/api/v1/tickets?department=logistics'],
  ]) {
    const r = await api(srv.url, method, path, tok.tech1, body);
    assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
  }
  const list = await api(srv.url, 'GET', '/api/v1/tickets', tok.tech1);
  assert.equal(list.status, 200);
  assert.ok(list.json.tickets.every((t) => t.department === 'tech'));
  const after = await api(srv.url, 'GET', `/api/v1/tickets/${tk.id}`, tok.senior);
  assert.equal(after.json.state, 'open'); // nothing changed
  assert.equal(after.json.steps.length, 1);
});

test('bad input gets a clear error naming the field and changes nothing', async () => {
  const before = (await api(srv.url, 'GET', '/api/v1/tickets', tok.senior)).json.tickets.length;
  const cases = [
    [{ ...logisticsTicket, priority: 'P9' }, 'priority'],
    [{ ...logisticsTicket, department: 'moon' }, 'department'],
    [{ ...logisticsTicket, description: undefined }, 'description'],
    [{ ...logisticsTicket, kind: 'return', order: undefined }, 'order'],
    [{ ...logisticsTicket, colour: 'red' }, 'colour'],
    [{ ...logisticsTicket, channel: 'chat' }, 'session'],
  ];
  for (const [body, field] of cases) {
    const r = await api(srv.url, 'POST', '/api/v1/tickets', tok.senior, JSON.parse(JSON.stringify(body)));
    assert.equal(r.status, 400, `${field}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    assert.ok(r.json.error.message.length > 0);
  }
  const broken = await api(srv.url, 'POST', '/api/v1/tickets', tok.senior, '{"type":');
  assert.equal(broken.status, 400);
  const after = (await api(srv.url, 'GET', '/api/v1/tickets', tok.senior)).json.tickets.length;
  assert.equal(after, before);
  const tk = await create(logisticsTicket);
  const bad = await step(tk.id, { step: 'teleport' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'step');
  const esc = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/escalate`, tok.senior, { to: 'boss' });
  assert.equal(esc.status, 400);
  assert.equal(esc.json.error.field, 'to');
  const missing = await api(srv.url, 'GET', '/api/v1/tickets/tk_0000000000000000', tok.senior);
  assert.equal(missing.status, 404);
  const same = await api(srv.url, 'GET', `/api/v1/tickets/${tk.id}`, tok.senior);
  assert.equal(same.json.steps.length, 1);
  assert.equal(same.json.escalated_to, null);
});

test('the complaint flow runs in its order with deadlines; the customer link shows only public progress', async () => {
  // a ticket from a real chat links its history and takes the chat's customer
  const v = await visitor(srv.url);
  const cu = wsClient(srv.url, v.token);
  await cu.opened;
  cu.send({ type: 'open', category: 'aftersale' });
  const session = (await cu.type('session')).session;
  cu.close();
  const complaint = {
    kind: 'complaint', type: '售后投诉', priority: 'P2', department: 'service', order: 'O2002',
    session: session.id, description: '商品到货破损', plan: '安抚后核实',
  };
  const ghost = await api(srv.url, 'POST', '/api/v1/tickets', tok.senior, { ...complaint, session: 's_nope' });
  assert.equal(ghost.status, 400);
  assert.equal(ghost.json.error.field, 'session');
  const tk = await create(complaint);
  assert.equal(tk.channel, 'chat');
  assert.equal(tk.session, session.id);
  assert.equal(tk.customer, session.customer);
  assert.equal(tk.history_url, `/api/v1/sessions/${session.id}/messages`);
  assert.equal(timer(tk, 'record').state, 'running');
  assert.equal(timer(tk, 'progress').state, 'running');
  const skip = await step(tk.id, { step: 'facts', note: 'x' });
  assert.equal(skip.status, 409, skip.text);
  for (const s of [{ step: 'record', note: '要点：破损，要求换货' }, { step: 'soothe' }, { step: 'facts', note: '5W1H' }]) {
    const r = await step(tk.id, s);
    assert.equal(r.status, 200, `${s.step}: ${r.text}`);
  }
  const noOptions = await step(tk.id, { step: 'options' });
  assert.equal(noOptions.status, 400);
  assert.equal((await step(tk.id, { step: 'options', note: '1) 换新 2) 退款 3) 补偿；3天内答复' })).status, 200);
  assert.equal((await step(tk.id, { step: 'note', note: '内部：仓库核查中', public: false })).status, 200);
  assert.equal((await step(tk.id, { step: 'note', note: '已安排换新，明日发出' })).status, 200);
  const fu = await step(tk.id, { step: 'follow_up' });
  assert.equal(fu.json.step, 'follow_up');
  const res = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/resolve`, tok.senior, { resolution: '已换新' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.state, 'resolved');
  assert.equal(timer(res.json, 'complaint_revisit').state, 'running');
  assert.equal(timer(res.json, 'record').state, 'met');

  const page = await api(srv.url, 'GET', `/api/v1/progress/${tk.progress_token}`, null);
  assert.equal(page.status, 200, page.text);
  assert.equal(page.json.id, tk.id);
  assert.equal(page.json.state, 'resolved');
  const notes = page.json.steps.map((s) => s.note).filter(Boolean);
  assert.ok(notes.includes('已安排换新，明日发出'));
  assert.ok(!notes.includes('内部：仓库核查中'), 'private notes stay internal');
  assert.equal(page.json.customer, undefined);
  assert.equal(page.json.description, undefined);
  const guess = await api(srv.url, 'GET', `/api/v1/progress/${'0'.repeat(64)}`, null);
  assert.equal(guess.status, 404);
  const short = await api(srv.url, 'GET', '/api/v1/progress/abc', null);
  assert.equal(short.status, 404);
});

test('a customer submits the form and follows only its own case; staff routes stay closed to it', async () => {
  const v = await visitor(srv.url);
  const r = await api(srv.url, 'POST', '/api/v1/tickets/form', v.token, { kind: 'complaint', type: '投诉', order: 'O3003', description: '客服态度不好' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.progress_url, /^\/api\/v1\/progress\/[0-9a-f]{64}$/);
  assert.equal(r.json.description, undefined); // the customer gets the link, not the record
  const page = await api(srv.url, 'GET', r.json.progress_url, null);
  assert.equal(page.status, 200);
  assert.equal(page.json.id, r.json.id);
  const staff = await api(srv.url, 'GET', `/api/v1/tickets/${r.json.id}`, tok.senior);
  assert.equal(staff.json.channel, 'form');
  for (const name of ['accept', 'solve', 'record']) assert.equal(timer(staff.json, name)?.state, 'running', name);
  assert.equal((await api(srv.url, 'GET', '/api/v1/tickets', v.token)).status, 403);
  assert.equal((await api(srv.url, 'GET', `/api/v1/tickets/${r.json.id}`, v.token)).status, 403);
  const bad = await api(srv.url, 'POST', '/api/v1/tickets/form', v.token, { type: '投诉' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'description');
});

test('an escalation tells the expected time; the SLA board answers supervisors, not juniors', async () => {
  const tk = await create(logisticsTicket);
  const t0 = Date.now();
  const esc = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/escalate`, tok.senior, { to: 'tech', note: '支付系统故障' });
  assert.equal(esc.status, 200, esc.text);
  assert.equal(esc.json.escalated_to, 'tech');
  const expected = Date.parse(esc.json.expected_at);
  assert.ok(Math.abs(expected - (t0 + 10 * 60000)) < 60000, esc.json.expected_at); // N-20: 10 min
  const twice = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/escalate`, tok.senior, { to: 'tech' });
  assert.equal(twice.status, 409);
  const board = await api(srv.url, 'GET', '/api/v1/sla/board', tok.supervisor);
  assert.equal(board.status, 200);
  assert.ok(Array.isArray(board.json.timers));
  assert.equal((await api(srv.url, 'GET', '/api/v1/sla/board', tok.junior)).status, 403);
});

test('a junior sees tickets with PII masked; QA may read but not create', async () => {
  const tk = await create(logisticsTicket);
  const j = await api(srv.url, 'GET', `/api/v1/tickets/${tk.id}`, tok.junior);
  assert.equal(j.status, 200);
  assert.ok(!j.json.description.includes('13812345678'), j.json.description);
  assert.equal((await api(srv.url, 'GET', `/api/v1/tickets/${tk.id}`, tok.qa)).status, 200);
  assert.equal((await api(srv.url, 'POST', '/api/v1/tickets', tok.qa, logisticsTicket)).status, 403);
});

test('an agent sends a proactive order notice from a template (N-24); bad fields are named', async () => {
  const ok = await api(srv.url, 'POST', '/api/v1/orders/O1001/notify', tok.junior, {
    template: 'shipped', customer: 'c001', fields: { carrier: '顺丰', tracking: 'SF123', eta: '10月3日' },
  });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.text, '您好，您的订单O1001已发货，顺丰运单号SF123，预计10月3日送达，请留意查收哦。');
  const missing = await api(srv.url, 'POST', '/api/v1/orders/O1001/notify', tok.junior, { template: 'shipped', fields: { carrier: '顺丰' } });
  assert.equal(missing.status, 400);
  assert.ok(['tracking', 'eta'].includes(missing.json.error.field), missing.text);
  const extra = await api(srv.url, 'POST', '/api/v1/orders/O1001/notify', tok.junior, { template: 'out_for_delivery', fields: { phone: '13812345678' } });
  assert.equal(extra.status, 400);
  assert.equal(extra.json.error.field, 'phone');
  const unknown = await api(srv.url, 'POST', '/api/v1/orders/O1001/notify', tok.junior, { template: 'nope' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error.field, 'template');
  assert.equal((await api(srv.url, 'POST', '/api/v1/orders/O1001/notify', tok.logi1, { template: 'shipped' })).status, 403);
});

test('SLA timers survive a restart: a claim after it still stops the running deadline', async () => {
  const tk = await create(logisticsTicket);
  await srv.stop();
  srv = await startServer({ args: ['--db', join(dbDir, 'kefu.db')] });
  assert.match(await srv.log(), /sla_rebuilt timers=[1-9]/);
  for (const k of Object.keys(tok)) {
    if (k === 'logi1' || k === 'tech1') tok[k] = await login(srv.url, k, k + 'pass');
    else tok[k] = await login(srv.url, ...DEMO[k]);
  }
  const claim = await api(srv.url, 'POST', `/api/v1/tickets/${tk.id}/claim`, tok.logi1);
  assert.equal(claim.status, 200, claim.text);
  assert.equal(timer(claim.json, 'claim').state, 'met'); // the rebuilt engine knew the timer
  assert.equal(timer(claim.json, 'answer').state, 'running');
});

test('kefu sla deadline: RFC 3339 out, exit 0/1/2 with the bad argument named', () => {
  const run = (...args) => spawnSync(bin, ['sla', 'deadline', ...args], { cwd: repoRoot, encoding: 'utf8' });
  let r = run('--start', '2026-09-30T17:00:00+08:00', '--duration', '2h');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '2026-10-08T10:00:00+08:00');
  r = run('--start', '2026-10-09T17:00:00+08:00', '--duration', '1bd');
  assert.equal(r.stdout.trim(), '2026-10-10T17:00:00+08:00'); // make-up Saturday
  r = run('--start', '2026-03-09T09:00:00+08:00', '--duration', '3h');
  assert.equal(r.stdout.trim(), '2026-03-09T12:00:00+08:00'); // end of a period stays
  r = run('--start', 'yesterday', '--duration', '2h');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--start/);
  r = run('--start', '2026-03-09T09:00:00+08:00', '--duration', '2d');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--duration/);
  r = run('--start', '2026-03-09T09:00:00+08:00', '--duration', '2h', '--calendar', '/nonexistent.json');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--calendar/);
  r = run('--duration', '2h');
  assert.equal(r.status, 2);
  r = run('--start', '2026-03-09T09:00:00+08:00', '--duration', '2h', '--bogus', 'x');
  assert.equal(r.status, 2);
});

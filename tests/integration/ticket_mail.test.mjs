// ticket_mail.test.mjs — the rest of issue 6 through a real `kefu serve --test-clock`: the email
// channel (N-06: a mail makes a ticket with the 2 h / 1 business day deadlines, a repeated
// Message-ID makes nothing, replies thread by In-Reply-To / References / subject token and only to
// the same customer, bad mail is refused with the field and changes nothing, only the gateway role
// may post), agents' replies queued in the outbox and reported by the relay, the N-20 archive
// deadline (end of the local day) met by the archive action and breached when the day ends (test
// clock), and the ticket list's next deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');

let srv;
let dbDir;
const tok = {};

before(async () => {
  dbDir = await mkdtemp(join(tmpdir(), 'kefu-mail-'));
  srv = await startServer({ args: ['--db', join(dbDir, 'kefu.db'), '--test-clock'] });
  tok.admin = await login(srv.url, ...DEMO.admin);
  const r = await api(srv.url, 'POST', '/api/v1/users', tok.admin, { name: 'mailgw', password: 'mailgwpass', role: 'gateway', display: 'mail gateway' });
  assert.equal(r.status, 201, r.text);
  tok.gw = await login(srv.url, 'mailgw', 'mailgwpass');
  for (const role of ['junior', 'senior', 'supervisor']) tok[role] = await login(srv.url, ...DEMO[role]);
});
after(async () => {
  await srv?.stop();
  await rm(dbDir, { recursive: true, force: true });
});

// A raw RFC 5322 message (CRLF line ends).
function eml({ from, id, subject, body, inReplyTo, references, headers = [] }) {
  const lines = [`From: ${from}`, 'To: service@shop.example', `Subject: ${subject}`, 'Date: Mon, 23 Nov 2026 10:00:00 +0800'];
  if (id) lines.push(`Message-ID: <${id}>`);
  if (inReplyTo) lines.push(`In-Reply-To: <${inReplyTo}>`);
  if (references) lines.push(`References: ${references.map((x) => `<${x}>`).join('\r\n ')}`);
  lines.push('MIME-Version: 1.0', ...headers);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

async function postRaw(raw, token = tok.gw) {
  const r = await fetch(srv.url + '/api/v1/channels/email', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'message/rfc822' }, body: raw });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  return { status: r.status, json, text };
}

const ticket = async (id) => (await api(srv.url, 'GET', `/api/v1/tickets/${id}`, tok.senior)).json;
const counts = async () => {
  const l = await api(srv.url, 'GET', '/api/v1/tickets', tok.senior);
  const o = await api(srv.url, 'GET', '/api/v1/mail/outbox?status=queued', tok.gw);
  return { tickets: l.json.tickets.length, outbox: o.json.mails.length };
};

// a GBK subject as an RFC 2047 encoded word, a multipart body with a base64 UTF-8 text part
const subject = '=?UTF-8?B?' + Buffer.from('退款还没到账').toString('base64') + '?=';
const multipart = (text) => ['--b1', 'Content-Type: text/html; charset=utf-8', '', '<p>ignored</p>', '--b1',
  'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '',
  Buffer.from(text).toString('base64'), '--b1--', ''].join('\r\n');

let first; // the ticket of the first mail

test('an email becomes an email ticket with N-06 deadlines; the customer is created by address', async () => {
  const raw = eml({ from: '"王丽" <Wang.Li@Example.com>', id: 'm1@mail.example', subject, body: multipart('订单O2001的退款一周了还没到账。'), headers: ['Content-Type: multipart/alternative; boundary="b1"'] });
  const r = await postRaw(raw);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.created, true);
  assert.equal(r.json.duplicate, false);
  assert.match(r.json.progress_url, /^\/api\/v1\/progress\/[0-9a-f]{64}$/);
  first = r.json.ticket;
  const tk = await ticket(first);
  assert.equal(tk.channel, 'email');
  assert.match(tk.customer, /^cm_[0-9a-f]{16}$/);
  assert.match(tk.description, /^退款还没到账\n\n订单O2001的退款一周了还没到账。$/);
  const timers = Object.fromEntries(tk.timers.map((x) => [x.name, x]));
  assert.equal(timers.accept?.state, 'running');
  assert.equal(timers.accept.basis, 'business');
  assert.equal(timers.solve?.state, 'running');
  assert.equal(timers.solve.basis, 'business');
  const mail = tk.steps.find((s) => s.step === 'mail_in');
  assert.equal(mail.note, '订单O2001的退款一周了还没到账。');
  assert.equal(mail.public, 0);
  // the same address (any case) is the same customer
  const again = await api(srv.url, 'POST', '/api/v1/channels/email', tok.gw, { from: 'wang.li@example.com', subject: '另一个问题', body: '发票怎么开？', message_id: '<m2@mail.example>' });
  assert.equal(again.status, 201, again.text);
  assert.notEqual(again.json.ticket, first);
  assert.equal((await ticket(again.json.ticket)).customer, tk.customer);
});

test('a repeated Message-ID creates nothing and answers with the ticket it made', async () => {
  const before = await counts();
  const raw = eml({ from: 'wang.li@example.com', id: 'm1@mail.example', subject: 'again', body: 'resent by the gateway' });
  const r = await postRaw(raw);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.duplicate, true);
  assert.equal(r.json.created, false);
  assert.equal(r.json.ticket, first);
  assert.deepEqual(await counts(), before);
  assert.equal((await ticket(first)).steps.filter((s) => s.step === 'mail_in').length, 1);
});

test('replies thread by In-Reply-To, References and the subject token, only for the same customer', async () => {
  let r = await postRaw(eml({ from: 'wang.li@example.com', id: 'm3@mail.example', subject: 'Re: 退款', body: '补充：付款方式是微信。', inReplyTo: 'm1@mail.example' }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, false);
  assert.equal(r.json.ticket, first);
  r = await postRaw(eml({ from: 'wang.li@example.com', id: 'm4@mail.example', subject: 'Re: 退款', body: '还有一张截图。', references: ['m0@elsewhere', 'm3@mail.example'] }));
  assert.equal(r.json.ticket, first, r.text);
  r = await api(srv.url, 'POST', '/api/v1/channels/email', tok.gw, { from: 'wang.li@example.com', subject: `Re: 退款 [#${first}]`, body: '请尽快处理', message_id: 'm5@mail.example' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ticket, first);
  const notes = (await ticket(first)).steps.filter((s) => s.step === 'mail_in').map((s) => s.note);
  assert.deepEqual(notes, ['订单O2001的退款一周了还没到账。', '补充：付款方式是微信。', '还有一张截图。', '请尽快处理']);
  // a stranger naming the same thread gets a ticket of their own
  r = await postRaw(eml({ from: 'someone@else.example', id: 'm6@else.example', subject: `Re: [#${first}]`, body: '我也要退款', inReplyTo: 'm1@mail.example' }));
  assert.equal(r.status, 201, r.text);
  assert.notEqual(r.json.ticket, first);
  assert.equal((await ticket(first)).steps.filter((s) => s.step === 'mail_in').length, 4);
});

test('an agent reply is queued in the outbox; the relay reports it sent; the answer to it threads back', async () => {
  const r = await api(srv.url, 'POST', `/api/v1/tickets/${first}/reply`, tok.senior, { body: '您好，退款已加急处理，预计24小时内到账。' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.outbox_id, /^mo_[0-9a-f]{16}$/);
  const tk = await ticket(first);
  assert.equal(tk.timers.find((x) => x.name === 'accept').state, 'met'); // N-06 first acceptance
  assert.ok(tk.steps.some((s) => s.step === 'mail_out'));
  const box = await api(srv.url, 'GET', '/api/v1/mail/outbox', tok.gw);
  assert.equal(box.status, 200);
  const m = box.json.mails.find((x) => x.id === r.json.outbox_id);
  assert.equal(m.to_addr, 'wang.li@example.com');
  assert.equal(m.status, 'queued');
  assert.equal(m.in_reply_to, 'm5@mail.example');
  assert.equal(m.subject, `Re: 退款 [#${first}]`);
  assert.match(m.created_at, /\+08:00$/);
  const failed = await api(srv.url, 'POST', `/api/v1/mail/outbox/${m.id}`, tok.gw, { status: 'failed', error: 'relay timeout' });
  assert.equal(failed.status, 200, failed.text);
  const f = (await api(srv.url, 'GET', '/api/v1/mail/outbox?status=failed', tok.gw)).json.mails.find((x) => x.id === m.id);
  assert.equal(f.attempts, 1);
  assert.equal(f.error, 'relay timeout');
  assert.equal((await api(srv.url, 'POST', `/api/v1/mail/outbox/${m.id}`, tok.gw, { status: 'sent' })).status, 200);
  assert.equal((await api(srv.url, 'POST', `/api/v1/mail/outbox/${m.id}`, tok.gw, { status: 'sent' })).status, 409);
  assert.equal((await api(srv.url, 'POST', '/api/v1/mail/outbox/mo_0000000000000000', tok.gw, { status: 'sent' })).status, 404);
  const sent = (await api(srv.url, 'GET', '/api/v1/mail/outbox?status=sent', tok.gw)).json.mails;
  assert.ok(sent.some((x) => x.id === m.id));
  // the customer answers the agent's mail (In-Reply-To = its Message-ID)
  const back = await postRaw(eml({ from: 'Wang.Li@example.com', id: 'm7@mail.example', subject: `Re: ${m.subject}`, body: '收到，谢谢', inReplyTo: m.message_id }));
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.ticket, first);
  // a ticket that did not come by mail is not answered by mail
  const other = await api(srv.url, 'POST', '/api/v1/tickets', tok.senior, { type: '咨询', priority: 'P3', department: 'service', description: '电话咨询' });
  assert.equal((await api(srv.url, 'POST', `/api/v1/tickets/${other.json.id}/reply`, tok.senior, { body: 'x' })).status, 409);
});

test('bad mail is refused with the field named and changes nothing', async () => {
  const before = await counts();
  const cases = [
    [eml({ from: 'no-address-here', id: 'b1@x', subject: 's', body: 'b' }), 400, 'from'],
    [eml({ from: 'a@b.example', subject: 'no id', body: 'b' }), 400, 'message_id'],
    [eml({ from: 'a@b.example', id: 'b3@x', subject: '', body: '' }), 400, 'body'],
    [eml({ from: 'a@b.example', id: 'b4@x', subject: 's', body: '***', headers: ['Content-Transfer-Encoding: base64'] }), 400, 'body'],
    [eml({ from: 'a@b.example', id: 'b5@x', subject: 's', body: 'x', headers: ['Content-Type: multipart/mixed; boundary="zz"'] }), 400, 'body'],
    ['no header block at all', 400, 'header'],
    [eml({ from: 'a@b.example', id: 'b7@x', subject: 's', body: 'x'.repeat(40 * 1024) }), 413, 'body'],
    // a text part over the cap inside a multipart is 413 too (it was answered 429)
    [eml({ from: 'a@b.example', id: 'b8@x', subject: 's', headers: ['Content-Type: multipart/mixed; boundary="b1"'],
      body: ['--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', 'eHh4'.repeat(45000), '--b1--', ''].join('\r\n') }), 413, 'body'],
    [eml({ from: 'a@b.example', id: 'b9@x', subject: '长'.repeat(400), body: 'b' }), 413, 'subject'],
  ];
  for (const [raw, status, field] of cases) {
    const r = await postRaw(raw);
    assert.equal(r.status, status, `${field}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    assert.ok(r.json.error.message.length > 5);
  }
  const j = await api(srv.url, 'POST', '/api/v1/channels/email', tok.gw, { from: 'a@b.example', subject: 's', body: 'b' });
  assert.equal(j.status, 400);
  assert.equal(j.json.error.field, 'message_id');
  assert.equal((await api(srv.url, 'POST', '/api/v1/mail/outbox/x', tok.gw, { status: 'lost' })).status, 400);
  assert.deepEqual(await counts(), before);
  assert.doesNotMatch(await srv.log(), /wang\.li|example\.com|退款/i); // no address or text in the log
});

test('only the gateway role reaches the channel and the outbox; the gateway reads no tickets', async () => {
  const raw = eml({ from: 'a@b.example', id: 'r1@x', subject: 's', body: 'b' });
  assert.equal((await postRaw(raw, tok.senior)).status, 403);
  assert.equal((await postRaw(raw, tok.admin)).status, 403);
  assert.equal((await api(srv.url, 'GET', '/api/v1/mail/outbox', tok.supervisor)).status, 403);
  assert.equal((await api(srv.url, 'GET', '/api/v1/tickets', tok.gw)).status, 403);
  assert.equal((await fetch(srv.url + '/api/v1/channels/email', { method: 'POST', body: raw })).status, 401);
  assert.equal((await api(srv.url, 'POST', `/api/v1/tickets/${first}/reply`, tok.gw, { body: 'x' })).status, 403);
});

test('a department user sees an email ticket masked: no customer id (also not as a step actor), no address or phone in the texts', async () => {
  const u = await api(srv.url, 'POST', '/api/v1/users', tok.admin, { name: 'svcdept', password: 'svcdeptpass', role: 'dept', dept: 'service', display: 'service dept' });
  assert.equal(u.status, 201, u.text);
  const dept = await login(srv.url, 'svcdept', 'svcdeptpass');
  const r = await api(srv.url, 'POST', '/api/v1/channels/email', tok.gw, { from: 'Zhao Min <zhao.min@mail.example>', subject: '换货', body: '请回复 zhao.min@mail.example 或打 13812345678', message_id: 'dm1@mail.example' });
  assert.equal(r.status, 201, r.text);
  const full = await ticket(r.json.ticket);
  assert.match(full.customer, /^cm_/);
  assert.equal(full.steps.find((s) => s.step === 'mail_in').actor, full.customer); // what is hidden below
  const seen = await api(srv.url, 'GET', `/api/v1/tickets/${r.json.ticket}`, dept);
  assert.equal(seen.status, 200, seen.text);
  assert.equal(seen.json.customer, null);
  assert.ok(seen.json.steps.some((s) => s.step === 'mail_in'));
  assert.ok(!seen.text.includes(full.customer), seen.text);
  assert.doesNotMatch(seen.text, /zhao\.min|13812345678/);
  const junior = await api(srv.url, 'GET', `/api/v1/tickets/${r.json.ticket}`, tok.junior); // C-10
  assert.doesNotMatch(junior.text, /zhao\.min@mail\.example|13812345678/);
});

test('kefu ticket ingest posts a mail file to the server: 0 recorded (also a duplicate), 1 bad mail or refused, 2 usage', async () => {
  const tokenFile = join(dbDir, 'gw.token');
  await writeFile(tokenFile, tok.gw + '\n');
  const file = join(dbDir, 'in.eml');
  await writeFile(file, eml({ from: 'pipe@mail.example', id: 'cli1@mail.example', subject: '物流查询', body: '快递到哪了' }));
  const run = (...args) => spawnSync(bin, ['ticket', 'ingest', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, KEFU_URL: '', KEFU_TOKEN: '' } });
  let r = run('--url', srv.url, '--token-file', tokenFile, file);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.created, true);
  assert.equal((await ticket(out.ticket)).channel, 'email');
  r = run('--url', srv.url, '--token-file', tokenFile, file);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).duplicate, true);
  // a bad mail is refused before anything is sent, naming the file and the field
  const before = await counts();
  const bad = join(dbDir, 'bad.eml');
  await writeFile(bad, 'Subject: no sender\r\nMessage-ID: <cli2@x>\r\n\r\nbody\r\n');
  r = run('--url', srv.url, '--token-file', tokenFile, bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.eml: from: /);
  // a token without the gateway role: the server's refusal is reported, exit 1
  const senior = join(dbDir, 'senior.token');
  await writeFile(senior, tok.senior);
  await writeFile(file, eml({ from: 'pipe@mail.example', id: 'cli3@mail.example', subject: 's', body: 'b' }));
  r = run('--url', srv.url, '--token-file', senior, file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /HTTP 403/);
  assert.deepEqual(await counts(), before);
  assert.equal(run('--url', srv.url, file).status, 2); // no token
  assert.equal(run('--url', 'ftp://x', '--token-file', tokenFile, file).status, 2);
  assert.equal(run().status, 2);
});

test('kefu ticket ingest survives a server that announces an absurd Content-Length', async () => {
  const { createServer } = await import('node:net');
  const fake = createServer((sock) => {
    sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n{"ticket":"tk_0"}'));
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  try {
    const file = join(dbDir, 'cl.eml');
    await writeFile(file, eml({ from: 'cl@mail.example', id: 'cl1@mail.example', subject: 's', body: 'b' }));
    const { spawn } = await import('node:child_process');
    const p = spawn(bin, ['ticket', 'ingest', '--url', `http://127.0.0.1:${fake.address().port}`, file], { cwd: repoRoot, env: { ...process.env, KEFU_TOKEN: 'x' } });
    let out = '';
    let errs = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { errs += d; });
    const code = await new Promise((r) => p.on('exit', (c, sig) => r(sig ?? c)));
    assert.equal(code, 0, errs); // (the ASan/UBSan build aborted on the signed overflow)
    assert.equal(out.trim(), '{"ticket":"tk_0"}');
  } finally {
    fake.close();
  }
});

test('the ticket list carries each ticket\'s next deadline', async () => {
  const l = await api(srv.url, 'GET', '/api/v1/tickets', tok.senior);
  const row = l.json.tickets.find((x) => x.id === first);
  const tk = await ticket(first);
  const live = tk.timers.filter((x) => x.state === 'running').sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  assert.equal(row.next_deadline.name, live[0].name);
  assert.equal(row.next_deadline.due_at, live[0].due_at);
  assert.equal(row.next_deadline.state, 'running');
  assert.equal(typeof row.next_deadline.warned, 'boolean');
  assert.ok(!('next_name' in row));
  // waiting for the customer pauses every deadline: the next one is paused with the time left
  const c = await api(srv.url, 'POST', '/api/v1/tickets', tok.senior, { type: '咨询', priority: 'P3', department: 'service', description: '等待客户回复' });
  assert.equal((await api(srv.url, 'POST', `/api/v1/tickets/${c.json.id}/steps`, tok.senior, { step: 'waiting' })).status, 200);
  const p = (await api(srv.url, 'GET', '/api/v1/tickets', tok.senior)).json.tickets.find((x) => x.id === c.json.id);
  assert.equal(p.next_deadline.state, 'paused');
  assert.ok(p.next_deadline.left_ms > 0);
});

test('N-20: a resolved case must be archived by the end of its day; archiving meets it, the end of the day breaches it', async () => {
  const mk = async () => (await api(srv.url, 'POST', '/api/v1/tickets', tok.senior, { type: '系统故障', priority: 'P3', department: 'service', description: '页面打不开' })).json.id;
  const a = await mk();
  assert.equal((await api(srv.url, 'POST', `/api/v1/tickets/${a}/archive`, tok.senior)).status, 409); // not resolved
  assert.equal((await api(srv.url, 'POST', `/api/v1/tickets/${a}/resolve`, tok.senior, { resolution: '已修复' })).status, 200);
  let tk = await ticket(a);
  const arch = tk.timers.find((x) => x.name === 'archive');
  assert.equal(arch.state, 'running');
  assert.match(arch.due_at, /T00:00:00\+08:00$/); // the next local midnight
  const due = Date.parse(arch.due_at);
  const resolvedAt = Date.parse(tk.resolved_at);
  assert.ok(due > resolvedAt && due - resolvedAt <= 24 * 3600 * 1000);
  const r = await api(srv.url, 'POST', `/api/v1/tickets/${a}/archive`, tok.senior);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.archived_at);
  tk = await ticket(a);
  assert.equal(tk.timers.find((x) => x.name === 'archive').state, 'met');
  assert.ok(tk.steps.some((s) => s.step === 'archived'));
  assert.equal((await api(srv.url, 'POST', `/api/v1/tickets/${a}/archive`, tok.senior)).status, 409); // once
  
  // another case is not archived: when its day ends the deadline breaches and a supervisor is called
  const b = await mk();
  await api(srv.url, 'POST', `/api/v1/tickets/${b}/resolve`, tok.senior, {});
  const bdue = Date.parse((await ticket(b)).timers.find((x) => x.name === 'archive').due_at);
  assert.equal((await api(srv.url, 'POST', '/api/v1/test/clock', tok.senior, { advance_ms: 1 })).status, 403);
  const adv = await api(srv.url, 'POST', '/api/v1/test/clock', tok.admin, { advance_ms: bdue - Date.now() + 2000 });
  assert.equal(adv.status, 200, adv.text);
  assert.ok(adv.json.fired >= 1);
  // the breach and its escalation are recorded by the SLA clock right after it fired
  for (let i = 0; i < 100; i++) {
    tk = await ticket(b);
    if (tk.escalated_to) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(tk.timers.find((x) => x.name === 'archive').state, 'breached');
  assert.equal(tk.escalated_to, 'supervisor');
  const board = await api(srv.url, 'GET', '/api/v1/sla/board', tok.supervisor);
  assert.ok(board.json.timers.some((x) => x.ticket === b && x.name === 'archive' && x.state === 'breached'));
  assert.equal((await ticket(a)).timers.find((x) => x.name === 'archive').state, 'met'); // the archived one did not breach
});

test('a subject with a line break reaches the outbox on one line (no header injection at the relay)', async () => {
  const r = await api(srv.url, 'POST', '/api/v1/channels/email', tok.gw, { from: 'inj@mail.example', subject: '退款\r\nBcc: victim@evil.example', body: '请处理', message_id: 'inj1@mail.example' });
  assert.equal(r.status, 201, r.text);
  const raw = eml({ from: 'inj@mail.example', id: 'inj2@mail.example', subject: '=?UTF-8?Q?Re:_x=0D=0ABcc:_v@evil.example?=', body: '补充', inReplyTo: 'inj1@mail.example' });
  assert.equal((await postRaw(raw)).json.ticket, r.json.ticket);
  const rep = await api(srv.url, 'POST', `/api/v1/tickets/${r.json.ticket}/reply`, tok.senior, { body: '已处理' });
  assert.equal(rep.status, 201, rep.text);
  const m = (await api(srv.url, 'GET', '/api/v1/mail/outbox', tok.gw)).json.mails.find((x) => x.id === rep.json.outbox_id);
  assert.equal(m.subject, `Re: x Bcc: v@evil.example [#${r.json.ticket}]`);
  assert.doesNotMatch(m.subject, /[\r\n]/);
});

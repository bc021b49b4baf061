// mock-server.mjs: a small in-memory stand-in for `kefu serve` that follows docs/api.md closely
// enough to develop and debug the web apps and tests/e2e while the C server is not runnable
// (KEFU_MOCK=1). It is NOT the product: no persistence, no auth hardening, no limits. Routing is
// manual (agents pick from the queue) unless MOCK_AUTOROUTE=1.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

const USERS = {
  agent1: { pass: 'agent1pass', id: 'u-agent1', display: '小李', role: 'agent', level: 'junior', skills: ['presale', 'aftersale'], max_chats: 5 },
  agent2: { pass: 'agent2pass', id: 'u-agent2', display: '王老师', role: 'agent', level: 'senior', skills: ['presale', 'aftersale', 'complaint'], max_chats: 8 },
  sup1: { pass: 'sup1pass', id: 'u-sup1', display: '陈主管', role: 'supervisor', level: null, skills: [], max_chats: 0 },
};
const CATS = [
  { id: 'product', name: '产品咨询', items: ['参数', '使用', '对比'], group: 'presale' },
  { id: 'order', name: '订单查询', items: ['物流', '修改', '发票'], group: 'presale' },
  { id: 'aftersale', name: '售后投诉', items: ['退换货', '维修', '投诉'], group: 'aftersale' },
  { id: 'policy', name: '政策咨询', items: ['退换政策', '保修'], group: 'presale' },
];
const NORMS = { greeting_s: 30, frt_s: { web: 15, app: 15, phone: 10, im: 60 }, art_s: 30, art_complex_s: 60, warn_share: 0.66 };
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

const now = () => new Date().toISOString();
const tok = () => randomBytes(16).toString('hex');

export async function startMock({ staticDir, port = 0 } = {}) {
  const tokens = new Map(); // token → {kind:'user',name} | {kind:'customer',id}
  const sessions = new Map(); // id → session
  const conns = new Set(); // {ws, who}
  const presence = new Map(); // user id → status
  let nsess = 0;
  let ncust = 0;

  const who = (req) => {
    const c = /kefu_token=([0-9a-f]+)/.exec(req.headers.cookie || '');
    const b = /^Bearer (\S+)/.exec(req.headers.authorization || '');
    const q = new URL(req.url, 'http://x').searchParams.get('token');
    return tokens.get((b && b[1]) || q || (c && c[1])) || null;
  };
  const userOf = (w) => (w && w.kind === 'user' ? { name: w.name, ...USERS[w.name] } : null);
  const pub = (s) => {
    const q = [...sessions.values()].filter((x) => x.state === 'queued');
    const { msgs, ...rest } = s;
    return { ...rest, queue_position: s.state === 'queued' ? q.indexOf(s) : null };
  };
  const to = (pred, frame) => {
    const d = JSON.stringify(frame);
    for (const c of conns) if (pred(c.who)) c.ws.send(d);
  };
  const toSession = (s, frame) => to((w) => (w.kind === 'customer' && w.id === s.customer) || (w.kind === 'user' && USERS[w.name].id === s.agent), frame);
  const toAgents = (frame) => to((w) => w.kind === 'user' && USERS[w.name].role === 'agent', frame);
  const queueCounts = () => {
    const waiting = {};
    for (const s of sessions.values()) if (s.state === 'queued') waiting[s.group] = (waiting[s.group] || 0) + 1;
    toAgents({ type: 'queue', waiting });
    for (const s of sessions.values()) if (s.state === 'queued') toSession(s, { type: 'session', session: pub(s) });
  };
  const addMsg = (s, from, text, agent) => {
    const m = { session: s.id, seq: s.msgs.length + 1, from, agent: agent || null, text, at: now() };
    s.msgs.push(m);
    toSession(s, { type: 'msg', ...m });
    return m;
  };
  const assign = (s, u) => {
    s.state = 'assigned';
    s.agent = u.id;
    s.agent_display = u.display;
    toSession(s, { type: 'session', session: pub(s) });
    to((w) => w.kind === 'user' && USERS[w.name].id === u.id, { type: 'assigned', session: pub(s), profile_url: `/api/v1/customers/${s.customer}/profile` });
    addMsg(s, 'bot', `您好，我是客服${u.display}，很高兴为您服务。`);
    queueCounts();
  };
  const autoroute = () => {
    if (!process.env.MOCK_AUTOROUTE) return;
    for (const s of sessions.values()) {
      if (s.state !== 'queued') continue;
      const u = Object.values(USERS).find((x) => presence.get(x.id) === 'online' && x.skills.includes(s.group));
      if (u) assign(s, u);
    }
  };

  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const err = (res, status, code, message) => send(res, status, { error: { code, message } });
  const readBody = (req) =>
    new Promise((r) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        try {
          r(b ? JSON.parse(b) : {});
        } catch (_) {
          r(null);
        }
      });
    });

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    const p = u.pathname;
    const w = who(req);
    const user = userOf(w);
    if (p === '/healthz') return send(res, 200, { status: 'ok', store: 'ok' });
    if (p.startsWith('/api/v1/')) {
      const r = p.slice(8);
      if (r === 'login' && req.method === 'POST') {
        const b = await readBody(req);
        const x = b && USERS[b.name];
        if (!x || x.pass !== b.password) return err(res, 401, 'unauthenticated', 'bad name or password');
        const t = tok();
        tokens.set(t, { kind: 'user', name: b.name });
        const { pass, ...me } = x;
        return send(res, 200, { token: t, user: { ...me, name: b.name } }, { 'Set-Cookie': `kefu_token=${t}; HttpOnly; SameSite=Strict; Path=/` });
      }
      if (r === 'visitor' && req.method === 'POST') {
        const b = await readBody(req);
        const id = (b && b.customer) || `v${++ncust}`;
        const t = tok();
        tokens.set(t, { kind: 'customer', id });
        return send(res, 200, { token: t, customer: { id, type: b && b.customer ? 'returning' : 'new' } });
      }
      if (r === 'categories') return send(res, 200, CATS.map(({ group, ...c }) => c));
      if (!w) return err(res, 401, 'unauthenticated', 'login required');
      if (r === 'logout') return send(res, 204);
      if (r === 'me' && user) {
        const { pass, ...me } = user;
        return send(res, 200, me);
      }
      if (r === 'norms') return user && user.role === 'agent' ? send(res, 200, NORMS) : err(res, 403, 'forbidden', 'chat.serve');
      if (r === 'queue') return send(res, 200, [...sessions.values()].filter((s) => s.state === 'queued').map(pub));
      let m = /^sessions\/([^/]+)\/messages$/.exec(r);
      if (m) {
        const s = sessions.get(m[1]);
        if (!s) return err(res, 404, 'not_found', 'no session');
        const after = +(u.searchParams.get('after') || 0);
        return send(res, 200, { messages: s.msgs.filter((x) => x.seq > after) });
      }
      m = /^customers\/([^/]+)\/profile$/.exec(r);
      if (m)
        return send(res, 200, {
          id: m[1], name: '王*', phone: '138****5678', type: 'returning', region: '上海',
          tags: ['价格敏感', '偏好快递'], complaints: 0, masked: true,
          orders: [{ id: 'o1001', status: 'shipped', amount: '299.00', created_at: now() }],
          sessions: [...sessions.values()].filter((s) => s.customer === m[1]).map((s) => ({ id: s.id, category: s.category, state: s.state, opened_at: s.opened_at })),
        });
      if (r === 'supervisor/overview') {
        if (!user || user.role !== 'supervisor') return err(res, 403, 'forbidden', 'chat.supervise');
        const live = [...sessions.values()];
        return send(res, 200, {
          queue: live.filter((s) => s.state === 'queued').map(pub),
          agents: Object.values(USERS)
            .filter((x) => x.role === 'agent')
            .map((x) => ({ id: x.id, display: x.display, status: presence.get(x.id) || 'offline', chats: live.filter((s) => s.state === 'assigned' && s.agent === x.id).length, max_chats: x.max_chats, skills: x.skills })),
          chats: live
            .filter((s) => s.state === 'assigned')
            .map((s) => {
              const fc = s.msgs.find((x) => x.from === 'customer');
              const fa = fc && s.msgs.find((x) => x.from === 'agent' && x.seq > fc.seq);
              let open = null;
              for (const x of s.msgs) if (x.from === 'customer' && !open) open = x; else if (x.from === 'agent') open = null;
              return { id: s.id, agent: s.agent, customer: s.customer, category: s.category, opened_at: s.opened_at,
                frt_s: fa ? (Date.parse(fa.at) - Date.parse(fc.at)) / 1000 : null,
                waiting_s: open ? (Date.now() - Date.parse(open.at)) / 1000 : null };
            }),
        });
      }
      return err(res, 404, 'not_found', 'no route');
    }
    // static files: /x/ → /x/index.html
    let f = normalize(decodeURIComponent(p)).replace(/^(\.\.[/\\])+/, '');
    if (f.endsWith('/')) f += 'index.html';
    try {
      const data = await readFile(join(staticDir, f));
      res.writeHead(200, { 'Content-Type': MIME[extname(f)] || 'application/octet-stream' });
      res.end(data);
    } catch (_) {
      err(res, 404, 'not_found', 'no file');
    }
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, sock, head) => {
    const w = who(req);
    if (!w || new URL(req.url, 'http://x').pathname !== '/ws') return sock.destroy();
    wss.handleUpgrade(req, sock, head, (ws) => {
      const c = { ws, who: w };
      conns.add(c);
      ws.on('close', () => conns.delete(c));
      ws.on('message', (data) => {
        let f;
        try {
          f = JSON.parse(data);
        } catch (_) {
          return ws.send(JSON.stringify({ type: 'error', code: 'invalid', message: 'bad JSON' }));
        }
        const reply = (x) => ws.send(JSON.stringify(x));
        const e = (code, message) => reply({ type: 'error', code, message, ref: f.client_id || f.ref });
        const user = userOf(w);
        const s = f.session && sessions.get(f.session);
        const mine = s && (w.kind === 'customer' ? s.customer === w.id : s.agent === user.id);
        switch (f.type) {
          case 'hello': {
            const live = [...sessions.values()].filter((x) => x.state !== 'closed' && (w.kind === 'customer' ? x.customer === w.id : x.agent === user.id));
            reply({ type: 'welcome', [w.kind === 'customer' ? 'customer' : 'user']: w.kind === 'customer' ? { id: w.id } : { id: user.id }, sessions: live.map(pub) });
            for (const [sid, last] of Object.entries(f.resume || {})) {
              const x = sessions.get(sid);
              if (x) for (const m of x.msgs) if (m.seq > last) reply({ type: 'msg', ...m });
            }
            return;
          }
          case 'open': {
            const cat = CATS.find((x) => x.id === f.category);
            if (w.kind !== 'customer' || !cat) return e('invalid', 'bad category');
            const ns = { id: `s${++nsess}`, state: 'queued', category: cat.id, channel: 'web', customer: w.id, customer_type: 'new', agent: null, agent_display: null, opened_at: now(), group: cat.group, msgs: [] };
            sessions.set(ns.id, ns);
            reply({ type: 'session', session: pub(ns) });
            queueCounts();
            autoroute();
            return;
          }
          case 'send': {
            if (!mine) return e('conflict', 'not your session');
            if (s.state === 'closed') return e('conflict', 'closed');
            if (user && /绝对/.test(f.text)) return reply({ type: 'error', code: 'blocked', message: 'blocked', ref: f.client_id, reason: '广告法禁用词：绝对', suggestion: f.text.replace(/绝对/g, '') });
            const dup = s.msgs.find((x) => x.client_id === f.client_id);
            if (dup) return reply({ type: 'ack', client_id: f.client_id, session: s.id, seq: dup.seq, at: dup.at });
            const m = addMsg(s, w.kind === 'customer' ? 'customer' : 'agent', f.text, user && user.id);
            m.client_id = f.client_id;
            return reply({ type: 'ack', client_id: f.client_id, session: s.id, seq: m.seq, at: m.at });
          }
          case 'recv':
            if (mine) toSession(s, { type: 'delivered', session: s.id, seq: f.seq, by: w.kind === 'customer' ? 'customer' : 'agent' });
            return;
          case 'typing':
            if (mine) toSession(s, { type: 'typing', session: s.id, from: w.kind === 'customer' ? 'customer' : 'agent' });
            return;
          case 'presence':
            presence.set(user.id, f.status);
            reply({ type: 'presence', status: f.status });
            autoroute();
            return;
          case 'pick':
            if (!s || s.state !== 'queued') return e('conflict', 'not waiting');
            return assign(s, user);
          case 'transfer': {
            if (!mine) return e('conflict', 'not your session');
            const target = Object.values(USERS).find((x) => x.id === f.to_agent);
            if (!target) return e('not_found', 'no such agent');
            reply({ type: 'unassigned', session: s.id, reason: 'transfer' });
            return assign(s, target);
          }
          case 'close':
            if (!mine) return e('conflict', 'not your session');
            addMsg(s, 'system', '请您为本次服务评分（1–5）');
            s.state = 'closed';
            toSession(s, { type: 'closed', session: s.id, summary: f.summary });
            toSession(s, { type: 'rate_request', session: s.id });
            reply({ type: 'unassigned', session: s.id });
            return;
          case 'rate':
            if (!mine) return e('conflict', 'not your session');
            s.rating = { score: f.score, solved: f.solved };
            return;
          default:
            return e('invalid', 'unknown type');
        }
      });
    });
  });

  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    mock: true,
    sessions,
    log: async () => '(mock server)',
    async stop() {
      for (const c of conns) c.ws.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

// `node tests/e2e/mock-server.mjs [port]` runs it standalone for manual UI work.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { fileURLToPath } = await import('node:url');
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'web', 'dist');
  const m = await startMock({ staticDir: dir, port: +(process.argv[2] || 8090) });
  console.log(`mock kefu at ${m.url}`);
}

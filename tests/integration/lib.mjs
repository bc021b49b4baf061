// lib.mjs — helpers for integration tests against a real `kefu serve`: logins, visitor tokens,
// a WebSocket client that queues frames and waits for one matching a predicate, raw HTTP.
import net from 'node:net';
import WebSocket from 'ws';
export { startServer } from '../e2e/server.mjs';

export const DEMO = {
  admin: ['admin', 'adminpass'], junior: ['agent1', 'agent1pass'], senior: ['agent2', 'agent2pass'],
  lead: ['lead1', 'lead1pass'], supervisor: ['sup1', 'sup1pass'], manager: ['mgr1', 'mgr1pass'],
  qa: ['qa1', 'qa1pass1'], dept: ['dept1', 'dept1pass'],
};

export async function login(url, name, password) {
  const r = await fetch(url + '/api/v1/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

export async function visitor(url, body = { channel: 'web' }) {
  const r = await fetch(url + '/api/v1/visitor', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`visitor: ${r.status} ${await r.text()}`);
  return r.json();
}

export async function api(url, method, path, token, body) {
  const headers = {};
  if (token) headers.authorization = 'Bearer ' + token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  return { status: r.status, json, text, headers: r.headers };
}

// A WebSocket client: frames are parsed and queued; next(pred) resolves with the first frame
// (queued or future) matching pred, or rejects after timeoutMs.
export function wsClient(url, token, { viaQuery = false } = {}) {
  const wsUrl = url.replace(/^http/, 'ws') + '/ws' + (viaQuery ? '?token=' + token : '');
  const ws = new WebSocket(wsUrl, viaQuery ? {} : { headers: { authorization: 'Bearer ' + token } });
  const queue = [];
  const waiters = [];
  let closed = null;
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString());
    const i = waiters.findIndex((w) => w.pred(f));
    if (i >= 0) { const [w] = waiters.splice(i, 1); clearTimeout(w.timer); w.resolve(f); } else queue.push(f);
  });
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    for (const w of waiters.splice(0)) { clearTimeout(w.timer); w.reject(new Error(`socket closed ${code} while waiting`)); }
  });
  const c = {
    ws,
    opened: new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); }),
    send: (o) => ws.send(typeof o === 'string' ? o : JSON.stringify(o)),
    next(pred, timeoutMs = 5000) {
      const i = queue.findIndex(pred);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
      if (closed) return Promise.reject(new Error(`socket closed ${closed.code}`));
      return new Promise((resolve, reject) => {
        const w = { pred, resolve, reject };
        w.timer = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error('timeout waiting for frame; queued: ' + JSON.stringify(queue).slice(0, 500))); }, timeoutMs);
        waiters.push(w);
      });
    },
    type: (t, extra = () => true, ms) => c.next((f) => f.type === t && extra(f), ms),
    queued: () => queue.slice(),
    closedInfo: () => closed,
    waitClose: (ms = 5000) => new Promise((res, rej) => {
      if (closed) return res(closed);
      const t = setTimeout(() => rej(new Error('no close')), ms);
      ws.once('close', (code, reason) => { clearTimeout(t); res({ code, reason: reason.toString() }); });
    }),
    close: () => ws.close(),
  };
  return c;
}

// Sends raw bytes over TCP and resolves with everything the server sent until it closes or
// timeoutMs passes.
export function rawHttp(port, bytes, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks = [];
    const done = () => { clearTimeout(t); s.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); };
    const t = setTimeout(done, timeoutMs);
    s.on('data', (d) => chunks.push(d));
    s.on('end', done);
    s.on('error', done);
    s.on('connect', () => s.write(bytes));
  });
}

// A staff member's socket after hello, set online (ready to be routed chats).
export async function agentOnline(url, token) {
  const ag = wsClient(url, token);
  await ag.opened;
  ag.send({ type: 'hello' });
  await ag.type('welcome');
  ag.send({ type: 'presence', status: 'online' });
  await ag.type('presence');
  return ag;
}

// A chat routed to the agent: agentOnline, then a new visitor opens a session of category and
// the agent gets it assigned. Returns { ag, cu, s } (s: the session frame's session).
export async function servedChat(url, agentToken, category) {
  const ag = await agentOnline(url, agentToken);
  const v = await visitor(url);
  const cu = wsClient(url, v.token, { viaQuery: true });
  await cu.opened;
  cu.send({ type: 'hello' });
  await cu.type('welcome');
  cu.send({ type: 'open', category });
  const s = (await cu.type('session')).session;
  await ag.type('assigned', (f) => f.session.id === s.id);
  return { ag, cu, s };
}

// durability.test.mjs — "an acknowledged message survives kill -9": customers send as fast as
// acks come back, the server is killed with SIGKILL mid-stream, restarted on the same store, and
// every acknowledged message must be in the history, in order, with the seq it was acked with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, login, visitor, api, wsClient, DEMO } from './lib.mjs';

const CUSTOMERS = 20;

test('acknowledged messages survive kill -9, in order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-durable-'));
  const db = join(dir, 'kefu.db');
  let srv = await startServer({ args: ['--db', db] });
  const acked = new Map(); // session → [{seq, text}]
  const clients = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const v = await visitor(srv.url);
    const c = wsClient(srv.url, v.token, { viaQuery: true });
    await c.opened;
    c.send({ type: 'open', category: 'product' });
    const s = (await c.type('session')).session;
    acked.set(s.id, []);
    clients.push({ c, s: s.id, n: 0, token: v.token });
  }
  // Each client keeps one message in flight: send, wait for the ack, record it, repeat.
  let killed = false;
  const pumps = clients.map(async (cl) => {
    while (!killed) {
      const text = `消息 ${cl.s} #${++cl.n}`;
      const id = `${cl.s}-${cl.n}`;
      try {
        cl.c.send({ type: 'send', session: cl.s, text, client_id: id });
        const ack = await cl.c.type('ack', (f) => f.client_id === id, 3000);
        if (!killed) acked.get(cl.s).push({ seq: ack.seq, text, id });
      } catch (_) {
        return; // socket died with the server
      }
    }
  });
  await new Promise((r) => setTimeout(r, 1500));
  srv.killed = true;
  srv.proc.kill('SIGKILL');
  killed = true; // acks that raced with the kill were recorded before this line only if received
  await Promise.all(pumps);
  const total = [...acked.values()].reduce((n, a) => n + a.length, 0);
  assert.ok(total > 100, `enough traffic before the kill (${total} acked)`);

  srv = await startServer({ args: ['--db', db] });
  try {
    const sup = await login(srv.url, ...DEMO.supervisor);
    for (const [session, list] of acked) {
      const h = await api(srv.url, 'GET', `/api/v1/sessions/${session}/messages?limit=1000`, sup);
      assert.equal(h.status, 200);
      const bySeq = new Map(h.json.messages.map((m) => [m.seq, m.text]));
      for (const m of list) assert.equal(bySeq.get(m.seq), m.text, `acked message ${session}#${m.seq} present`);
      const seqs = h.json.messages.map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'history in seq order');
      assert.equal(new Set(seqs).size, seqs.length, 'no duplicate seq');
    }
    // a client that resends its last acknowledged message after the crash (same client_id) is
    // acknowledged with the same seq and nothing is stored twice
    const cl = clients.find((x) => acked.get(x.s).length > 0);
    const last = acked.get(cl.s).at(-1);
    const again = wsClient(srv.url, cl.token, { viaQuery: true });
    await again.opened;
    again.send({ type: 'hello' });
    await again.type('welcome');
    again.send({ type: 'send', session: cl.s, text: last.text, client_id: last.id });
    const dup = await again.type('ack', (f) => f.client_id === last.id);
    assert.equal(dup.seq, last.seq);
    assert.equal(dup.duplicate, true);
    again.close();
    // the sessions are live again after the restart: the customer can continue
    const h = await api(srv.url, 'GET', '/api/v1/supervisor/overview', sup);
    assert.ok(h.json.queue.length >= CUSTOMERS, 'open sessions recovered into the queue');
  } finally {
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

// chat: the client-side model of live sessions shared by the widget and the workbench.
// Messages are kept per session by seq (the server's order); own messages wait in `pending`
// (keyed by client_id) until their `ack` gives them a seq. Views subscribe and re-render on change.
export class ChatStore {
  constructor(selfKind) {
    this.selfKind = selfKind; // 'customer' | 'agent'
    this.sessions = new Map(); // id → entry (see _entry)
    this.listeners = new Set();
    this.version = 0;
    this.skewMs = null; // local clock − server clock, lower bound seen on live frames
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    this.version++;
    for (const fn of this.listeners) fn(this.version);
  }

  _entry(id) {
    let e = this.sessions.get(id);
    if (!e) {
      e = {
        id,
        session: { id },
        msgs: new Map(),
        pending: [],
        delivered: 0, // the other side has shown everything up to this seq
        recvSent: 0, // our last `recv` seq
        typingUntil: 0,
        summary: null,
        rateRequested: false,
        rated: false,
        openedLocal: Date.now(),
      };
      this.sessions.set(id, e);
    }
    return e;
  }

  get(id) {
    return this.sessions.get(id) || null;
  }

  upsertSession(s) {
    if (!s || !s.id) return null;
    const e = this._entry(s.id);
    e.session = { ...e.session, ...s };
    this.changed();
    return e;
  }

  remove(id) {
    this.sessions.delete(id);
    this.changed();
  }

  // Server clock estimate: now as the server sees it.
  serverNow() {
    return Date.now() - (this.skewMs ?? 0);
  }

  _observe(at) {
    const t = Date.parse(at);
    if (Number.isNaN(t)) return;
    const d = Date.now() - t;
    if (this.skewMs === null || d < this.skewMs) this.skewMs = d;
  }

  addMsg(f, live = true) {
    const e = this._entry(f.session);
    if (typeof f.seq !== 'number') return;
    if (!e.msgs.has(f.seq)) {
      e.msgs.set(f.seq, { seq: f.seq, from: f.from, agent: f.agent, text: f.text, at: f.at });
      if (live && f.at) this._observe(f.at);
    }
    if (f.from !== this.selfKind) e.typingUntil = 0;
    this.changed();
  }

  addPending(session, clientId, text) {
    const e = this._entry(session);
    e.pending.push({ client_id: clientId, text, state: 'pending', at: new Date().toISOString() });
    this.changed();
  }

  ack(f) {
    const e = this._entry(f.session);
    const i = e.pending.findIndex((p) => p.client_id === f.client_id);
    if (i < 0) return;
    const p = e.pending[i];
    e.pending.splice(i, 1);
    if (typeof f.seq === 'number' && !e.msgs.has(f.seq)) {
      e.msgs.set(f.seq, { seq: f.seq, from: this.selfKind, text: p.text, at: f.at || p.at });
    }
    if (f.at) this._observe(f.at);
    this.changed();
  }

  // Marks a pending message as failed (an error frame whose ref is its client_id).
  fail(clientId, error) {
    for (const e of this.sessions.values()) {
      const p = e.pending.find((x) => x.client_id === clientId);
      if (p) {
        p.state = 'failed';
        p.error = error;
        this.changed();
        return { entry: e, pending: p };
      }
    }
    return null;
  }

  dropPending(session, clientId) {
    const e = this.get(session);
    if (!e) return;
    e.pending = e.pending.filter((p) => p.client_id !== clientId);
    this.changed();
  }

  delivered(f) {
    const e = this._entry(f.session);
    if (f.by !== this.selfKind && f.seq > e.delivered) {
      e.delivered = f.seq;
      this.changed();
    }
  }

  typing(f) {
    if (f.from === this.selfKind) return;
    const e = this._entry(f.session);
    e.typingUntil = Date.now() + 4000;
    this.changed();
  }

  closed(f) {
    const e = this._entry(f.session);
    e.session = { ...e.session, state: 'closed' };
    e.summary = f.summary ?? e.summary;
    this.changed();
  }

  rateRequest(f) {
    const e = this._entry(f.session);
    e.rateRequested = true;
    this.changed();
  }

  sorted(id) {
    const e = this.get(id);
    if (!e) return [];
    return Array.from(e.msgs.values()).sort((a, b) => a.seq - b.seq);
  }

  maxSeq(id) {
    const e = this.get(id);
    if (!e) return 0;
    let m = 0;
    for (const s of e.msgs.keys()) if (s > m) m = s;
    return m;
  }

  // True when some seq below the highest one is missing (history must be fetched).
  hasGap(id) {
    const e = this.get(id);
    if (!e || !e.msgs.size) return false;
    return e.msgs.size < this.maxSeq(id);
  }

  resumeMap() {
    const r = {};
    for (const id of this.sessions.keys()) r[id] = this.maxSeq(id);
    return r;
  }
}

// The history route may answer an array or {"messages":[…]}; both become an array.
export function historyList(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.messages)) return data.messages;
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

// Delivery receipts (docs/api.md `recv`): after messages are shown, tell the server the highest seq
// displayed, at most once per 150 ms per session. send(frame) returns false while the socket is
// (re)connecting; the receipt is then retried, never dropped. after(id), if given, runs each time.
export function makeReceipts(store, send, after) {
  const timers = new Map();
  const schedule = (id) => {
    if (timers.has(id)) return;
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        const e = store.get(id);
        const seq = store.maxSeq(id);
        if (e && seq > e.recvSent) {
          if (send({ type: 'recv', session: id, seq })) e.recvSent = seq;
          else schedule(id);
        }
        if (after) after(id);
      }, 150)
    );
  };
  return schedule;
}

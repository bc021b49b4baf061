// workbench: the agent's app. Login (cookie), presence, the queue with "pick", my chats as tabs
// with live FRT / wait clocks against the norms (N-01…N-03), the conversation with composer,
// transfer (N-08), close with a summary (N-10), the customer profile (N-23) and error toasts,
// including the guard's "blocked" verdict with a suggested rewrite.
import '../base.css';
import './workbench.css';
import '../console/kb.css';
import { HandoverNote, KbSearch, SaveCase, citeIfCase } from './kb.js';
import { html, render, useState, useEffect } from '../lib/html.js';
import { t, categoryLabel } from '../i18n.js';
import { api, wsUrl, newClientId } from '../lib/api.js';
import { Socket, throttle } from '../lib/socket.js';
import { ChatStore, historyList, makeReceipts } from '../lib/chat.js';
import { timerName } from '../lib/sla.js';
import { chatClocks, level, fmtSecs, frtNorm, DEFAULT_NORMS } from '../lib/clock.js';
import { LangToggle, Toasts, toast, ConnBadge, LoginForm, MessageList, Composer, useStore, useNow } from '../lib/ui.js';
import { ProfilePanel } from './profile.js';
import { TicketsView } from './tickets.js';

const store = new ChatStore('agent');

// Everything the workbench shows besides messages lives in one small observable object.
const wb = {
  me: null,
  norms: DEFAULT_NORMS,
  conn: 'connecting',
  presence: null, // confirmed by the server
  wanted: null, // what the agent chose; re-sent after a reconnect
  waiting: {}, // queue counts per skill group
  queue: [],
  active: null,
  profiles: {}, // customer id → profile | {error}
  blocked: {}, // session id → {reason, suggestion, text}
  drafts: {}, // session id → composer text
  view: 'chats', // 'chats' | 'tickets' (issue 6)
  createFor: null, // a session id when "new ticket" was pressed in a chat
};
const wbListeners = new Set();
function setWb(patch) {
  Object.assign(wb, patch);
  wbListeners.forEach((f) => f({ ...wb }));
}
function useWb() {
  const [s, set] = useState({ ...wb });
  useEffect(() => {
    wbListeners.add(set);
    return () => wbListeners.delete(set);
  }, []);
  return s;
}

let socket = null;
const historyLoaded = new Set();

async function loadHistory(id) {
  if (historyLoaded.has(id)) return;
  historyLoaded.add(id);
  try {
    const data = await api('GET', `/sessions/${encodeURIComponent(id)}/messages?after=0&limit=500`);
    for (const m of historyList(data)) store.addMsg({ ...m, session: m.session || id }, false);
    scheduleRecv(id);
  } catch (e) {
    historyLoaded.delete(id);
  }
}

async function loadProfile(session) {
  const cid = session && session.customer;
  if (!cid || wb.profiles[cid]) return;
  setWb({ profiles: { ...wb.profiles, [cid]: { loading: true } } });
  try {
    const p = await api('GET', `/customers/${encodeURIComponent(cid)}/profile`);
    setWb({ profiles: { ...wb.profiles, [cid]: p || {} } });
  } catch (e) {
    setWb({ profiles: { ...wb.profiles, [cid]: { error: e.message } } });
  }
}

let queueTimer = null;
async function refreshQueue() {
  clearTimeout(queueTimer);
  queueTimer = null;
  try {
    const q = await api('GET', '/queue');
    const list = Array.isArray(q) ? q : (q && (q.queue || q.sessions || q.items)) || [];
    const at = Date.now();
    setWb({ queue: list.map((x) => ({ ...x, _fetched: at })) });
  } catch (e) {
    if (e.status === 401) location.reload();
  }
}
function refreshQueueSoon() {
  if (!queueTimer) queueTimer = setTimeout(refreshQueue, 200);
}

const scheduleRecv = makeReceipts(store, (f) => !!(socket && socket.send(f)));

function adopt(session) {
  const e = store.upsertSession(session);
  if (!e) return;
  loadHistory(session.id);
  loadProfile(e.session);
  if (!wb.active || !store.get(wb.active)) setWb({ active: session.id });
}

function onFrame(f) {
  switch (f.type) {
    case 'welcome':
      if (f.user && f.user.status && !wb.wanted) setWb({ presence: f.user.status });
      (f.sessions || []).forEach(adopt);
      if (wb.wanted) socket.send({ type: 'presence', status: wb.wanted });
      for (const e of store.sessions.values())
        for (const p of e.pending)
          if (p.state === 'pending') socket.send({ type: 'send', session: e.id, text: p.text, client_id: p.client_id });
      refreshQueue();
      break;
    case 'assigned':
      adopt(f.session);
      refreshQueueSoon();
      break;
    case 'session':
      if (store.get(f.session.id)) store.upsertSession(f.session);
      else if (f.session.state === 'assigned' && f.session.agent === wb.me.id) adopt(f.session);
      refreshQueueSoon();
      break;
    case 'unassigned':
      // After a transfer away the chat is no longer ours; after a close the `closed` frame keeps
      // the tab (with its summary) until the agent dismisses it. Give `closed` a moment to arrive.
      setTimeout(() => {
        const e = store.get(f.session);
        if (e && (f.reason === 'transfer' || e.session.state !== 'closed')) {
          store.remove(f.session);
          if (wb.active === f.session) setWb({ active: firstChat() });
          if (f.reason === 'transfer') toast(`${t('wb.transfer')}: ${f.session}`, 'info', 3000);
        }
      }, f.reason === 'transfer' ? 0 : 500);
      refreshQueueSoon();
      break;
    case 'msg':
      store.addMsg(f);
      scheduleRecv(f.session);
      if (store.hasGap(f.session)) {
        historyLoaded.delete(f.session);
        loadHistory(f.session);
      }
      break;
    case 'ack':
      store.ack(f);
      break;
    case 'delivered':
      store.delivered(f);
      break;
    case 'typing':
      store.typing(f);
      break;
    case 'closed':
      store.closed(f);
      break;
    case 'queue':
      setWb({ waiting: f.waiting || {} });
      refreshQueueSoon();
      break;
    case 'presence':
      setWb({ presence: f.status });
      break;
    case 'sla': // issue 6: a deadline of one of my tickets warned or breached
      toast(t(f.phase === 'breached' ? 'sla.pushBreach' : 'sla.pushWarn', { n: timerName(f.name), id: f.ticket }), f.phase === 'breached' ? 'error' : 'info', 8000);
      window.dispatchEvent(new CustomEvent('kefu:sla', { detail: f }));
      break;
    case 'suggestions': // KB-3: top articles for the customer's last message
      setWb({ suggestions: { ...(wb.suggestions || {}), [f.session]: f } });
      break;
    case 'error':
      onError(f);
      break;
    default:
      break;
  }
}

function onError(f) {
  if (f.field === 'resume') {
    // A session in the resume map is not ours any more: say hello without it.
    socket.send({ type: 'hello' });
    return;
  }
  const failed = f.ref ? store.fail(f.ref, f) : null;
  if (f.code === 'blocked' && (failed || f.session)) {
    // The guard stopped the message (C-01…C-04, C-07): show why and offer the rewrite.
    const id = failed ? failed.entry.id : f.session;
    if (failed) store.dropPending(id, f.ref);
    const text = failed ? failed.pending.text : wb.drafts[id] || '';
    setWb({
      blocked: { ...wb.blocked, [id]: { reason: f.reason || f.message, suggestion: f.suggestion || '', text } },
      active: id,
    });
    return;
  }
  toast(`${t('common.error')} [${f.code}] ${f.message || ''}`);
}

function firstChat() {
  const ids = Array.from(store.sessions.keys());
  return ids.length ? ids[0] : null;
}

const sendTyping = throttle((id) => socket && socket.send({ type: 'typing', session: id }), 2000);

// ---------------------------------------------------------------- views

function Presence({ s }) {
  const set = (status) => {
    setWb({ wanted: status });
    if (!socket.send({ type: 'presence', status })) toast(t('conn.offline'));
  };
  return html`<div class="presence" data-testid="presence" data-status=${s.presence || ''}>
    ${['online', 'away', 'offline'].map(
      (st) => html`<button key=${st} class=${'btn small ' + (s.presence === st ? 'on ' + st : '')}
        data-testid=${'presence-' + st} onClick=${() => set(st)}>${t('presence.' + st)}</button>`
    )}
  </div>`;
}

function QueuePanel({ s, now }) {
  const groups = Object.entries(s.waiting || {});
  return html`<section class="panel">
    <h2>${t('wb.queue')}
      ${groups.map(([g, n]) => html` <span class="badge" key=${g} data-testid="queue-count" data-group=${g}>${g} ${n}</span>`)}
    </h2>
    ${s.queue.length === 0 && html`<p class="muted small">${t('wb.queueEmpty')}</p>`}
    <ul class="queue" data-testid="queue-list">
      ${s.queue.map((q) => {
        const since = waitedSecs(q, now);
        return html`<li key=${q.id} data-testid="queue-item" data-session=${q.id}>
          <div class="grow">
            <div>${q.customer_type === 'vip' && html`<span class="badge vip">${t('wb.vip')}</span>`}
              ${q.customer_display || q.customer || q.id}</div>
            <div class="muted small">${categoryLabel(q.category, q.category_name)}${q.item ? ' · ' + q.item : ''}
              ${q.group ? ' · ' + q.group : ''}${since !== null ? ' · ' + fmtSecs(since) : ''}</div>
          </div>
          <button class="btn small primary" data-testid="pick" data-session=${q.id}
            onClick=${() => socket.send({ type: 'pick', session: q.id }) || toast(t('conn.offline'))}>${t('wb.pick')}</button>
        </li>`;
      })}
    </ul>
  </section>`;
}

// Seconds a queued session has waited: the server's waiting_s plus the time since we fetched it,
// or the time since opened_at.
function waitedSecs(q, now) {
  if (typeof q.waiting_s === 'number') return q.waiting_s + Math.max(0, (Date.now() - (q._fetched || Date.now())) / 1000);
  if (q.opened_at) return Math.max(0, (now - Date.parse(q.opened_at)) / 1000);
  return null;
}

function Clock({ label, secs, norm, warn, testid, running }) {
  const lv = level(secs, norm, warn);
  return html`<span class=${'clock lvl-' + lv} data-testid=${testid} data-level=${lv} title=${label + ' ≤ ' + norm + 's'}>
    ${label} ${fmtSecs(secs)}${running ? '…' : ''}
  </span>`;
}

function clocksFor(e, norms, now) {
  const c = chatClocks(store.sorted(e.id), now);
  return { c, frtN: frtNorm(norms, e.session.channel), artN: norms.art_s ?? 30, warn: norms.warn_share ?? 0.66 };
}

function ChatTabs({ s, now }) {
  const list = Array.from(store.sessions.values());
  return html`<section class="panel grow-panel">
    <h2>${t('wb.myChats')} <span class="badge">${list.length}/${(s.me && s.me.max_chats) || '-'}</span></h2>
    ${list.length === 0 && html`<p class="muted small">${t('wb.noChats')}</p>`}
    <ul class="tabs">
      ${list.map((e) => {
        const { c, frtN, artN, warn } = clocksFor(e, s.norms, now);
        const unread = e.typingUntil > Date.now();
        return html`<li key=${e.id} class=${(s.active === e.id ? 'on ' : '') + (e.session.state === 'closed' ? 'closed' : '')}
            data-testid="chat-tab" data-session=${e.id} onClick=${() => setWb({ active: e.id })}>
          <div class="row between">
            <b>${e.session.customer_display || e.session.customer || e.id}</b>
            ${e.session.customer_type === 'vip' && html`<span class="badge vip">${t('wb.vip')}</span>`}
            ${e.session.state === 'closed' && html`<span class="badge">${t('wb.chatClosed')}</span>`}
          </div>
          <div class="row small">
            <${Clock} label=${t('wb.frt')} secs=${c.frt} norm=${frtN} warn=${warn} running=${c.frtRunning} testid="clock-frt" />
            <${Clock} label=${t('wb.wait')} secs=${c.wait} norm=${artN} warn=${warn} testid="clock-wait" />
            ${unread && html`<span class="muted">✎</span>`}
          </div>
        </li>`;
      })}
    </ul>
  </section>`;
}

function Blocked({ id, b, setDraft }) {
  const clear = () => {
    const n = { ...wb.blocked };
    delete n[id];
    setWb({ blocked: n });
  };
  return html`<div class="blocked" data-testid="blocked">
    <div><b>${t('wb.blocked', { reason: b.reason })}</b></div>
    ${b.suggestion && html`<div class="suggest">${t('wb.suggestion')} <span data-testid="blocked-suggestion">${b.suggestion}</span></div>`}
    <div class="row">
      ${b.suggestion && html`<button class="btn primary small" data-testid="use-suggestion"
        onClick=${() => { setDraft(b.suggestion); clear(); }}>${t('wb.useSuggestion')}</button>`}
      <button class="btn small" data-testid="edit-blocked" onClick=${() => { setDraft(b.text); clear(); }}>${t('wb.edit')}</button>
    </div>
  </div>`;
}

function TransferForm({ e, onDone }) {
  const [mode, setMode] = useState('group');
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const groups = Array.from(new Set([...(wb.me.skills || []), ...Object.keys(wb.waiting || {})]));
  function submit(ev) {
    ev.preventDefault();
    if (!target.trim()) return;
    const f = { type: 'transfer', session: e.id, note };
    if (mode === 'group') f.to_group = target.trim();
    else f.to_agent = target.trim();
    if (socket.send(f)) onDone();
    else toast(t('conn.offline'));
  }
  return html`<form class="dialog" data-testid="transfer-form" onSubmit=${submit}>
    <div class="row">
      <b>${t('wb.transferTo')}</b>
      <label class="inline"><input type="radio" checked=${mode === 'group'} onChange=${() => setMode('group')} /> ${t('wb.toGroup')}</label>
      <label class="inline"><input type="radio" checked=${mode === 'agent'} onChange=${() => setMode('agent')} /> ${t('wb.toAgent')}</label>
    </div>
    <input data-testid="transfer-target" list="kefu-groups" value=${target} onInput=${(x) => setTarget(x.target.value)} required />
    <datalist id="kefu-groups">${groups.map((g) => html`<option value=${g} />`)}</datalist>
    <textarea data-testid="transfer-note" rows="2" placeholder=${t('wb.note')} value=${note} onInput=${(x) => setNote(x.target.value)}></textarea>
    <div class="row">
      <button class="btn primary" data-testid="transfer-submit">${t('wb.transfer')}</button>
      <button type="button" class="btn" onClick=${onDone}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

function CloseForm({ e, onDone }) {
  const [summary, setSummary] = useState('');
  function submit(ev) {
    ev.preventDefault();
    if (!summary.trim()) return;
    if (socket.send({ type: 'close', session: e.id, summary: summary.trim() })) onDone();
    else toast(t('conn.offline'));
  }
  return html`<form class="dialog" data-testid="close-form" onSubmit=${submit}>
    <textarea data-testid="close-summary" rows="3" placeholder=${t('wb.summary')} value=${summary}
      onInput=${(x) => setSummary(x.target.value)} required></textarea>
    <div class="row">
      <button class="btn danger" data-testid="close-submit" disabled=${!summary.trim()}>${t('wb.confirmClose')}</button>
      <button type="button" class="btn" onClick=${onDone}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

// KB-3: the knowledge base's top articles for the customer's last message, under the composer;
// one click puts an article's text into the composer (the guard checks it when it is sent).
function KbSuggestions({ sug, draft, setDraft, session }) {
  if (!sug || !sug.items || sug.items.length === 0) return null;
  return html`<div class="kbsug" data-testid="kb-suggestions" data-seq=${sug.seq}>
    <div class="muted small">${t('wb.kbSuggestions')}</div>
    ${sug.items.map((it) => html`<div class="kbitem" key=${it.id}>
      <div class="grow"><b>${it.title}</b> <span class="muted small">${it.body}</span></div>
      <button class="btn small" data-testid="kb-insert" data-id=${it.id}
        onClick=${() => { setDraft(draft ? draft + it.body : it.body); citeIfCase(it, session); }}>${t('wb.kbInsert')}</button>
    </div>`)}
  </div>`;
}

function ChatView({ s, now }) {
  const [dialog, setDialog] = useState(null); // 'transfer' | 'close' | null
  const id = s.active;
  const e = id && store.get(id);
  useEffect(() => setDialog(null), [id]);
  if (!e) return html`<div class="empty muted">${t('wb.noChats')}</div>`;
  const closed = e.session.state === 'closed';
  const { c, frtN, artN, warn } = clocksFor(e, s.norms, now);
  const draft = s.drafts[id] || '';
  const setDraft = (v) => setWb({ drafts: { ...wb.drafts, [id]: v } });
  function send(text) {
    const client_id = newClientId();
    store.addPending(id, client_id, text);
    socket.send({ type: 'send', session: id, text, client_id });
  }
  const agentName = (aid) => (aid === s.me.id ? t('sender.me') : aid);
  return html`<div class="chatview" data-testid="chat-view" data-session=${id} data-state=${e.session.state || ''}>
    <div class="chathead">
      <div class="grow">
        <b>${e.session.customer_display || e.session.customer}</b>
        <span class="muted small"> · ${categoryLabel(e.session.category)} · ${e.session.channel || 'web'} · ${e.id}</span>
      </div>
      <${Clock} label=${t('wb.frt')} secs=${c.frt} norm=${frtN} warn=${warn} running=${c.frtRunning} testid="active-frt" />
      <${Clock} label=${t('wb.wait')} secs=${c.wait} norm=${artN} warn=${warn} testid="active-wait" />
      <span class="clock muted">${t('wb.art')} ${fmtSecs(c.art)}</span>
      <button class="btn small" data-testid="ticket-from-chat" onClick=${() => setWb({ view: 'tickets', createFor: id + ':' + Date.now() })}>${t('wb.ticketFromChat')}</button>
      ${!closed && html`<button class="btn small" data-testid="transfer-open" onClick=${() => setDialog('transfer')}>${t('wb.transfer')}</button>`}
      ${!closed && html`<button class="btn small danger" data-testid="close-open" onClick=${() => setDialog('close')}>${t('wb.closeChat')}</button>`}
      ${closed && html`<button class="btn small" data-testid="dismiss" onClick=${() => { store.remove(id); setWb({ active: firstChat() }); }}>${t('wb.dismiss')}</button>`}
    </div>
    <${HandoverNote} id=${id} />
    <${MessageList} store=${store} id=${id} agentNames=${agentName} />
    ${e.typingUntil > Date.now() && html`<div class="typing" data-testid="typing">${t('typing')}</div>`}
    ${closed && html`<div class="closedbar" data-testid="chat-closed">${t('wb.chatClosed')}${e.summary ? ' — ' + e.summary : ''} <${SaveCase} id=${id} me=${s.me} /></div>`}
    ${s.blocked[id] && html`<${Blocked} id=${id} b=${s.blocked[id]} setDraft=${setDraft} />`}
    ${dialog === 'transfer' && html`<${TransferForm} e=${e} onDone=${() => setDialog(null)} />`}
    ${dialog === 'close' && html`<${CloseForm} e=${e} onDone=${() => setDialog(null)} />`}
    ${!closed && html`<${Composer} value=${draft} setValue=${setDraft} onSend=${send} onTyping=${() => sendTyping(id)} />`}
    ${!closed && html`<${KbSuggestions} sug=${(s.suggestions || {})[id]} draft=${draft} setDraft=${setDraft} session=${id} />`}
    ${!closed && html`<${KbSearch} session=${id} draft=${draft} setDraft=${setDraft} />`}
  </div>`;
}

function Workbench() {
  const s = useWb();
  useStore(store);
  const now = useNow(1000) - (store.skewMs ?? 0);
  const active = s.active && store.get(s.active);
  const dept = s.me.role === 'dept';
  const view = dept ? 'tickets' : s.view;
  return html`<div class="wb">
    <header>
      <h1 data-testid="app-title">${t('app.workbench')}</h1>
      ${!dept && html`<${ConnBadge} state=${s.conn} />`}
      ${!dept && html`<${Presence} s=${s} />`}
      ${!dept && html`<div class="viewtabs">
        <button class=${'btn small ' + (view === 'chats' ? 'on' : '')} data-testid="tab-chats" onClick=${() => setWb({ view: 'chats' })}>${t('wb.tabChats')}</button>
        <button class=${'btn small ' + (view === 'tickets' ? 'on' : '')} data-testid="tab-tickets" onClick=${() => setWb({ view: 'tickets' })}>${t('wb.tabTickets')}</button>
      </div>`}
      <div class="grow"></div>
      <span data-testid="me">${s.me.display || s.me.name} · ${s.me.level || s.me.role}</span>
      ${!dept && html`<a class="btn ghost small" href="/console/#assess" target="_blank" rel="noopener" data-testid="my-scorecard">${t('wb.myScorecard')}</a>`}
      <${LangToggle} />
      <button class="btn ghost small" data-testid="logout" onClick=${logout}>${t('common.logout')}</button>
    </header>
    ${view === 'tickets' && html`<${TicketsView} me=${s.me} now=${now} session=${active ? active.session : null}
      createFor=${s.createFor} onCreateDone=${() => setWb({ createFor: null })} />`}
    <div class="cols" style=${view === 'tickets' ? 'display:none' : ''}>
      <aside class="left">
        <${QueuePanel} s=${s} now=${now} />
        <${ChatTabs} s=${s} now=${now} />
      </aside>
      <main class="center"><${ChatView} s=${s} now=${now} /></main>
      <aside class="right">
        <${ProfilePanel} session=${active ? active.session : null} profile=${active ? s.profiles[active.session.customer] : null} />
      </aside>
    </div>
    <${Toasts} />
  </div>`;
}

async function logout() {
  try {
    await api('POST', '/logout');
  } catch (_) {}
  location.reload();
}

async function start(user) {
  const me = await api('GET', '/me').catch(() => user);
  setWb({ me });
  if (me && me.role === 'dept') return; // the department inbox: tickets only, no chats (issue 6)
  api('GET', '/norms')
    .then((n) => n && setWb({ norms: { ...DEFAULT_NORMS, ...n } }))
    .catch(() => {});
  socket = new Socket({ url: wsUrl(), getResume: () => store.resumeMap(), onFrame, onState: (c) => setWb({ conn: c }) });
  socket.start();
  setInterval(refreshQueue, 5000);
}

// A customer (visitor) cookie is not a workbench login.
const isStaff = (me) => me && me.role && me.role !== 'customer';

function Root() {
  const [phase, setPhase] = useState('loading');
  useEffect(() => {
    api('GET', '/me')
      .then((me) => (isStaff(me) ? start(me).then(() => setPhase('ready')) : setPhase('login')))
      .catch(() => setPhase('login'));
  }, []);
  if (phase === 'loading') return html`<p class="muted center">${t('common.loading')}</p>`;
  if (phase === 'login')
    return html`<div class="fill"><${LoginForm} title=${t('app.workbench')}
      onDone=${(u) => start(u).then(() => setPhase('ready'))} /><${Toasts} /></div>`;
  return html`<${Workbench} />`;
}

render(html`<${Root} />`, document.getElementById('app'));

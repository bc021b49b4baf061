// widget: the customer chat widget. Gets a visitor token (anonymous, or identified by the page's
// ?customer=&sig=), lets the customer pick a question category (N-12), then chats over /ws with
// resume, acks, delivery receipts and typing, and rates the chat when the agent closes it (N-10).
import '../base.css';
import './widget.css';
import { html, render, useState, useEffect, useRef } from '../lib/html.js';
import { t, categoryLabel } from '../i18n.js';
import { api, wsUrl, newClientId, setCredentials } from '../lib/api.js';
import { Socket, throttle } from '../lib/socket.js';
import { ChatStore, historyList, makeReceipts } from '../lib/chat.js';
import { LangToggle, Toasts, toast, ConnBadge, MessageList, Composer, useStore, useNow } from '../lib/ui.js';

const AUTH_KEY = 'kefu.widget.auth';
const RESUME_KEY = 'kefu.widget.resume';
const TOKEN_MAX_AGE_MS = 11 * 3600 * 1000; // tokens live 12 h

setCredentials('omit'); // Bearer token only, never cookies
const params = new URLSearchParams(location.search);
const ident = { customer: params.get('customer') || '', sig: params.get('sig') || '' };

function load(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch (_) {
    return null;
  }
}
function save(key, v) {
  try {
    localStorage.setItem(key, JSON.stringify(v));
  } catch (_) {}
}

// The visitor token: reused from localStorage while fresh and for the same identity.
let auth = null;
async function getAuth(force) {
  const saved = load(AUTH_KEY);
  if (!force && saved && saved.ident === ident.customer && Date.now() - saved.at < TOKEN_MAX_AGE_MS) {
    auth = saved;
    return auth;
  }
  const body = { channel: 'web' };
  if (ident.customer) {
    body.customer = ident.customer;
    body.sig = ident.sig;
  }
  const r = await api('POST', '/visitor', body);
  auth = { token: r.token, customer: r.customer, ident: ident.customer, at: Date.now() };
  save(AUTH_KEY, auth);
  save(RESUME_KEY, {});
  return auth;
}

const store = new ChatStore('customer');
const ui = { current: null, phase: 'init', conn: 'connecting', rated: {} };
const uiListeners = new Set();
function setUi(patch) {
  Object.assign(ui, patch);
  uiListeners.forEach((f) => f({ ...ui }));
}

// Last shown seq per session, kept across reloads.
function storedResume() {
  return load(RESUME_KEY) || {};
}
function persistResume(id) {
  const r = storedResume();
  const m = store.maxSeq(id);
  if (m > (r[id] || 0)) {
    r[id] = m;
    save(RESUME_KEY, r);
  }
}

let socket = null;
let historyLoaded = new Set();

async function loadHistory(id) {
  if (historyLoaded.has(id)) return;
  historyLoaded.add(id);
  try {
    const data = await api('GET', `/sessions/${encodeURIComponent(id)}/messages?after=0&limit=500`, undefined, {
      token: auth.token,
    });
    for (const m of historyList(data)) store.addMsg({ ...m, session: m.session || id }, false);
    scheduleRecv(id);
  } catch (_) {
    historyLoaded.delete(id);
  }
}

// Delivery receipts: after messages are shown, tell the server the highest seq we displayed.
const scheduleRecv = makeReceipts(store, (f) => !!(socket && socket.send(f)), persistResume);

function pickCurrent(sessions) {
  const live = sessions.filter((s) => s.state !== 'closed');
  if (live.length) return live[live.length - 1].id;
  return null;
}

function onFrame(f) {
  switch (f.type) {
    case 'welcome': {
      const sessions = f.sessions || [];
      sessions.forEach((s) => store.upsertSession(s));
      const cur = ui.current && store.get(ui.current) ? ui.current : pickCurrent(sessions);
      if (cur) {
        setUi({ current: cur, phase: 'chat' });
        loadHistory(cur);
      } else if (ui.phase === 'init') {
        setUi({ phase: 'choose' });
      }
      // Re-send messages that were never acknowledged (client_id makes this idempotent).
      for (const e of store.sessions.values())
        for (const p of e.pending)
          if (p.state === 'pending') socket.send({ type: 'send', session: e.id, text: p.text, client_id: p.client_id });
      break;
    }
    case 'session': {
      const s = f.session || {};
      store.upsertSession(s);
      if (s.state !== 'closed' && (ui.phase !== 'chat' || ui.current !== s.id)) {
        setUi({ current: s.id, phase: 'chat' });
      }
      break;
    }
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
      persistResume(f.session);
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
    case 'rate_request':
      store.rateRequest(f);
      break;
    case 'rated':
      setUi({ rated: { ...ui.rated, [f.session]: true } });
      break;
    case 'error': {
      if (f.field === 'resume') {
        // A session in our resume map is not ours (any more): forget the map and say hello again.
        save(RESUME_KEY, {});
        socket.send({ type: 'hello' });
        break;
      }
      if (f.ref && store.fail(f.ref, f)) toast(`${t('msg.failed')}: ${f.message || f.code}`);
      else toast(`${t('common.error')}: ${f.message || f.code}`);
      if (ui.opening) setUi({ opening: false });
      break;
    }
    default:
      break;
  }
}

function startSocket() {
  socket = new Socket({
    url: () => wsUrl(auth.token),
    getResume: () => {
      const r = { ...storedResume() };
      for (const [id, seq] of Object.entries(store.resumeMap())) r[id] = Math.max(r[id] || 0, seq);
      return r;
    },
    onFrame,
    onState: (s) => setUi({ conn: s }),
    onGiveUp: async () => {
      // The token may have expired or been revoked: get a new one and try again.
      try {
        await getAuth(true);
        socket.reconnect();
      } catch (_) {}
    },
  });
  socket.start();
}

// ---------------------------------------------------------------- views

function CategoryPicker() {
  const [cats, setCats] = useState(null);
  const [failed, setFailed] = useState(false);
  const [sel, setSel] = useState(null); // {category, item}
  useEffect(() => {
    api('GET', '/categories')
      .then((c) => setCats(Array.isArray(c) ? c : c && Array.isArray(c.categories) ? c.categories : []))
      .catch(() => {
        setCats([]);
        setFailed(true);
      });
  }, []);
  function open(category, item) {
    const frame = { type: 'open', category };
    if (item) frame.item = item;
    if (!socket || !socket.send(frame)) {
      toast(t('conn.offline'));
      return;
    }
    setUi({ opening: true });
  }
  const name = (c) => categoryLabel(c.id, c.name, c.name_en);
  return html`<div class="picker" data-testid="category-picker">
    <p class="lead">${t('widget.welcome')}</p>
    ${cats === null && html`<p class="muted">${t('common.loading')}</p>`}
    ${failed && html`<p class="muted">${t('widget.noCategories')}</p>`}
    <div class="cats">
      ${(cats || []).map(
        (c) => html`<div class="cat ${sel && sel.category === c.id ? 'on' : ''}" key=${c.id}>
          <button class="btn" data-testid=${'category-' + c.id} onClick=${() => setSel({ category: c.id, item: null })}>
            ${name(c)}
          </button>
          ${sel && sel.category === c.id && (c.items || []).length > 0 &&
          html`<div class="items">
            ${c.items.map(
              (it) => html`<button key=${it} class="chip ${sel.item === it ? 'on' : ''}" data-testid=${'item-' + it}
                onClick=${() => setSel({ category: c.id, item: it })}>${it}</button>`
            )}
          </div>`}
        </div>`
      )}
    </div>
    <div class="row">
      <button class="btn primary" data-testid="start-chat" disabled=${!sel || ui.opening}
        onClick=${() => sel && open(sel.category, sel.item)}>${t('widget.start')}</button>
      <button class="btn" data-testid="start-default" disabled=${ui.opening}
        onClick=${() => open((cats && cats[0] && cats[0].id) || 'product')}>${t('widget.default')}</button>
    </div>
  </div>`;
}

function StatusBar({ e }) {
  const s = e.session;
  let text = '';
  if (s.state === 'queued')
    text = typeof s.queue_position === 'number' ? t('widget.queued', { n: s.queue_position }) : t('widget.queuedNoPos');
  else if (s.state === 'assigned') text = t('widget.assigned', { name: s.agent_display || s.agent || t('sender.agent') });
  else if (s.state === 'closed') text = t('widget.closed');
  return html`<div class=${'status ' + (s.state || '')} data-testid="session-state" data-state=${s.state || ''}
      data-session=${s.id}>${text}</div>`;
}

function RatingForm({ e }) {
  const [score, setScore] = useState(0);
  const [solved, setSolved] = useState(null);
  if (ui.rated[e.id])
    return html`<div class="card rating done" data-testid="rating-thanks">
      ${t('widget.thanks')}
      <button class="btn" data-testid="new-chat" onClick=${() => setUi({ phase: 'choose', current: null, opening: false })}>
        ${t('widget.newChat')}
      </button>
    </div>`;
  function submit() {
    if (!score || solved === null) return;
    if (socket.send({ type: 'rate', session: e.id, score, solved })) setUi({ rated: { ...ui.rated, [e.id]: true } });
    else toast(t('conn.offline'));
  }
  return html`<div class="card rating" data-testid="rating-form">
    <div class="title">${t('widget.rateTitle')}</div>
    <div class="stars">
      ${[1, 2, 3, 4, 5].map(
        (n) => html`<button key=${n} class=${'star ' + (n <= score ? 'on' : '')} data-testid=${'star-' + n}
          aria-label=${n} onClick=${() => setScore(n)}>★</button>`
      )}
    </div>
    <div class="title">${t('widget.solved')}</div>
    <div class="row">
      <button class=${'btn ' + (solved === true ? 'primary' : '')} data-testid="solved-yes" onClick=${() => setSolved(true)}>
        ${t('widget.yes')}</button>
      <button class=${'btn ' + (solved === false ? 'primary' : '')} data-testid="solved-no" onClick=${() => setSolved(false)}>
        ${t('widget.no')}</button>
    </div>
    <button class="btn primary" data-testid="rate-submit" disabled=${!score || solved === null} onClick=${submit}>
      ${t('widget.submitRating')}</button>
  </div>`;
}

const sendTyping = throttle((id) => socket && socket.send({ type: 'typing', session: id }), 2000);

function Chat({ id }) {
  useNow(1000); // the typing indicator expires on its own
  const e = store.get(id);
  if (!e) return null;
  const closed = e.session.state === 'closed';
  function send(text) {
    const client_id = newClientId();
    store.addPending(id, client_id, text);
    socket.send({ type: 'send', session: id, text, client_id });
  }
  return html`<div class="chat">
    <${StatusBar} e=${e} />
    <${MessageList} store=${store} id=${id} />
    ${e.typingUntil > Date.now() && html`<div class="typing" data-testid="typing">${t('typing')}</div>`}
    ${closed && e.summary && html`<div class="summary" data-testid="close-summary">${t('widget.summary', { text: e.summary })}</div>`}
    ${closed && html`<${RatingForm} e=${e} />`}
    ${!closed && html`<${Composer} onSend=${send} onTyping=${() => sendTyping(id)} />`}
  </div>`;
}

function App() {
  const [u, setU] = useState({ ...ui });
  useStore(store);
  useEffect(() => {
    uiListeners.add(setU);
    return () => uiListeners.delete(setU);
  }, []);
  return html`<div class="widget">
    <header>
      <h1 data-testid="app-title">${t('app.widget')}</h1>
      <${ConnBadge} state=${u.conn} />
      <${LangToggle} />
    </header>
    <main>
      ${u.phase === 'init' && html`<p class="muted center">${t('common.loading')}</p>`}
      ${u.phase === 'choose' && html`<${CategoryPicker} />`}
      ${u.phase === 'chat' && u.current && html`<${Chat} id=${u.current} />`}
    </main>
    <${Toasts} />
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));

getAuth(false)
  .then(startSocket)
  .catch((e) => {
    toast(`${t('common.error')}: ${e.message}`, 'error', 0);
  });

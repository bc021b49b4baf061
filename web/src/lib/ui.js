// ui: components shared by the three apps — language toggle, toasts, login form, connection
// badge, message list and composer — and small hooks (useStore, useNow).
import { html, useState, useEffect, useRef } from './html.js';
import { t, toggleLang } from '../i18n.js';
import { api } from './api.js';

export function LangToggle() {
  return html`<button class="btn ghost small" data-testid="lang-toggle" onClick=${toggleLang}>
    ${t('lang.toggle')}
  </button>`;
}

// Re-render when the store changes.
export function useStore(store) {
  const [, set] = useState(0);
  useEffect(() => store.subscribe((v) => set(v)), [store]);
  return store;
}

// Re-render every `ms` (for live clocks).
export function useNow(ms = 1000) {
  const [now, set] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => set(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

// ---- toasts: a module-level list so any code can raise one ----
let toasts = [];
let toastSeq = 0;
const toastListeners = new Set();
export function toast(text, kind = 'error', ms = 6000) {
  const id = ++toastSeq;
  toasts = [...toasts, { id, text, kind }];
  toastListeners.forEach((f) => f(toasts));
  if (ms) setTimeout(() => dismissToast(id), ms);
  return id;
}
export function dismissToast(id) {
  toasts = toasts.filter((x) => x.id !== id);
  toastListeners.forEach((f) => f(toasts));
}
export function Toasts() {
  const [list, set] = useState(toasts);
  useEffect(() => {
    toastListeners.add(set);
    return () => toastListeners.delete(set);
  }, []);
  return html`<div class="toasts" aria-live="polite">
    ${list.map(
      (x) => html`<div key=${x.id} class=${'toast ' + x.kind} data-testid="toast" onClick=${() => dismissToast(x.id)}>
        ${x.text}
      </div>`
    )}
  </div>`;
}

export function ConnBadge({ state }) {
  const label = state === 'online' ? t('conn.online') : state === 'offline' ? t('conn.offline') : t('conn.connecting');
  return html`<span class=${'conn ' + state} data-testid="conn-state" data-state=${state}>${label}</span>`;
}

// Login for staff apps. onDone(user) after the cookie is set.
export function LoginForm({ title, onDone }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setErr('');
    try {
      const r = await api('POST', '/login', { name, password });
      onDone(r && r.user);
    } catch (e) {
      setErr(e.status === 429 ? t('login.limited') : t('login.failed', { msg: e.message }));
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="login-wrap">
    <form class="card login" onSubmit=${submit} data-testid="login-form">
      <div class="row between"><h1>${title}</h1><${LangToggle} /></div>
      <label>${t('login.name')}
        <input data-testid="login-name" autocomplete="username" value=${name}
          onInput=${(e) => setName(e.target.value)} required /></label>
      <label>${t('login.password')}
        <input data-testid="login-password" type="password" autocomplete="current-password" value=${password}
          onInput=${(e) => setPassword(e.target.value)} required /></label>
      ${err && html`<div class="error" data-testid="login-error">${err}</div>`}
      <button class="btn primary" data-testid="login-submit" disabled=${busy}>${t('login.submit')}</button>
    </form>
  </div>`;
}

export function fmtTime(at) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function senderLabel(m, selfKind) {
  if (m.from === selfKind) return t('sender.me');
  return t('sender.' + m.from) || m.from;
}

// Messages by seq, then own pending ones. Bot/system messages are visibly marked.
export function MessageList({ store, id, agentNames }) {
  const e = store.get(id);
  const ref = useRef(null);
  const msgs = store.sorted(id);
  const pending = e ? e.pending : [];
  const count = msgs.length + pending.length;
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [count, id]);
  const self = store.selfKind;
  return html`<div class="messages" ref=${ref} data-testid="messages">
    ${msgs.map((m) => {
      const mine = m.from === self;
      const kind = m.from === 'bot' || m.from === 'system' ? 'sys' : mine ? 'mine' : 'theirs';
      const status = mine ? (e.delivered >= m.seq ? 'delivered' : 'acked') : null;
      const who = m.from === 'agent' && !mine && agentNames && m.agent ? agentNames(m.agent) : senderLabel(m, self);
      return html`<div key=${'s' + m.seq} class=${'msg ' + kind} data-testid="msg" data-seq=${m.seq}
          data-from=${m.from} data-status=${status || ''}>
        <div class="meta">
          ${kind === 'sys' ? html`<span class="tag">${t('sender.' + m.from)}</span>` : html`<span>${who}</span>`}
          <span class="time">${fmtTime(m.at)}</span>
          ${status && html`<span class=${'st ' + status}>${t('msg.' + status)}</span>`}
        </div>
        <div class="bubble" data-testid="msg-text">${m.text}</div>
      </div>`;
    })}
    ${pending.map(
      (p) => html`<div key=${'p' + p.client_id} class="msg mine" data-testid="msg" data-from=${self} data-status=${p.state}>
        <div class="meta"><span>${t('sender.me')}</span><span class=${'st ' + p.state}>${t('msg.' + p.state)}</span></div>
        <div class="bubble" data-testid="msg-text">${p.text}</div>
      </div>`
    )}
  </div>`;
}

// Text box + send button. Enter sends, Shift+Enter adds a line. onTyping is throttled by the caller.
export function Composer({ onSend, onTyping, disabled, value, setValue }) {
  const [own, setOwn] = useState('');
  const text = value !== undefined ? value : own;
  const set = setValue || setOwn;
  function send() {
    const s = text.trim();
    if (!s || disabled) return;
    if (onSend(s) !== false) set('');
  }
  return html`<div class="composer">
    <textarea data-testid="composer-input" rows="3" maxlength="2000" placeholder=${t('composer.placeholder')}
      value=${text} disabled=${disabled}
      onInput=${(e) => {
        set(e.target.value);
        if (onTyping && e.target.value) onTyping();
      }}
      onKeyDown=${(e) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          send();
        }
      }}></textarea>
    <button class="btn primary" data-testid="composer-send" disabled=${disabled || !text.trim()} onClick=${send}>
      ${t('common.send')}
    </button>
  </div>`;
}

// console: the supervisor view (a first part of D-1). Login, then GET /api/v1/supervisor/overview
// every 2 s: the queue, agents (status, chats/max) and live chats with FRT and current wait,
// coloured against the norms.
import '../base.css';
import './console.css';
import { html, render, useState, useEffect } from '../lib/html.js';
import { t, categoryLabel } from '../i18n.js';
import { api } from '../lib/api.js';
import { level, fmtSecs, frtNorm, DEFAULT_NORMS } from '../lib/clock.js';
import { LangToggle, Toasts, LoginForm, fmtTime, useNow } from '../lib/ui.js';
import { SlaBoard } from './sla.js';
import { AssessPage } from './assess.js';
import { KbPage } from './kb.js';

const POLL_MS = 2000;

function Secs({ s, norm, warn, testid }) {
  const lv = s === null || s === undefined ? 'ok' : level(s, norm, warn);
  return html`<span class=${'lvl-' + lv} data-testid=${testid} data-level=${lv}>${fmtSecs(s)}</span>`;
}

function Overview({ me }) {
  const [data, setData] = useState(null);
  const [err, setErr] = useState('');
  const [at, setAt] = useState(null);
  const [norms, setNorms] = useState(DEFAULT_NORMS);
  const now = useNow(1000);
  useEffect(() => {
    api('GET', '/norms')
      .then((n) => n && setNorms({ ...DEFAULT_NORMS, ...n }))
      .catch(() => {}); // supervisors may lack chat.serve; the defaults are the documented norms
    let stop = false;
    let timer = null;
    async function poll() {
      try {
        const d = await api('GET', '/supervisor/overview');
        if (stop) return;
        setData(d);
        setErr('');
        setAt(new Date());
      } catch (e) {
        if (stop) return;
        if (e.status === 401) return location.reload();
        setErr(`${e.code}: ${e.message}`);
      }
      if (!stop) timer = setTimeout(poll, POLL_MS);
    }
    poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, []);
  const warn = norms.warn_share ?? 0.66;
  const queue = (data && data.queue) || [];
  const fetchedAt = at ? at.getTime() : now;
  const agents = ((data && data.agents) || []).slice().sort((a, b) => rank(a.status) - rank(b.status));
  const chats = (data && data.chats) || [];
  const alerts = ((data && data.alerts) || []).slice().reverse(); // newest first (C-08, C-11)
  const agentName = (id) => {
    const a = agents.find((x) => x.id === id);
    return a ? a.display || a.id : id;
  };
  return html`<div class="console">
    <header>
      <h1 data-testid="app-title">${t('app.console')}</h1>
      <${Nav} view="overview" me=${me} />
      ${at && html`<span class="muted small" data-testid="updated">${t('console.updated', { t: fmtTime(at) })}</span>`}
      ${err && html`<span class="error" data-testid="console-error">${err}</span>`}
      <div class="grow"></div>
      <span>${me && (me.display || me.name)}</span>
      <${LangToggle} />
      <button class="btn ghost small" data-testid="logout" onClick=${logout}>${t('common.logout')}</button>
    </header>
    <div class="grid">
      <${SlaBoard} now=${now} pollMs=${POLL_MS} />
      <section class="card">
        <h2>${t('console.agents')} <span class="badge">${agents.filter((a) => a.status === 'online').length}</span></h2>
        <table data-testid="agents">
          <thead><tr><th>${t('console.agent')}</th><th>${t('console.status')}</th><th>${t('console.load')}</th><th>${t('console.skills')}</th></tr></thead>
          <tbody>
            ${agents.map(
              (a) => html`<tr key=${a.id} data-testid="agent-row" data-agent=${a.id} data-status=${a.status}>
                <td>${a.display || a.id} <span class="muted small">${a.id}</span></td>
                <td><span class=${'badge ' + a.status}>${t('presence.' + a.status)}</span></td>
                <td class=${a.chats >= a.max_chats ? 'lvl-warn' : ''}>${a.chats}/${a.max_chats}</td>
                <td class="small">${(a.skills || []).join(', ')}</td>
              </tr>`
            )}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>${t('console.queue')} <span class="badge">${queue.length}</span></h2>
        ${queue.length === 0 && html`<p class="muted">${t('wb.queueEmpty')}</p>`}
        ${queue.length > 0 && html`<table data-testid="queue">
          <thead><tr><th>${t('wb.customer')}</th><th>${t('wb.category')}</th><th>${t('console.skills')}</th><th>${t('wb.wait')}</th></tr></thead>
          <tbody>
            ${queue.map(
              (q) => html`<tr key=${q.id} data-testid="queue-row" data-session=${q.id}>
                <td>${q.customer_type === 'vip' && html`<span class="badge vip">${t('wb.vip')}</span> `}${q.customer || q.id}</td>
                <td>${categoryLabel(q.category)}</td>
                <td>${q.group || ''}</td>
                <td>${fmtSecs(typeof q.waiting_s === 'number' ? q.waiting_s + (now - fetchedAt) / 1000 : q.opened_at ? (now - Date.parse(q.opened_at)) / 1000 : null)}</td>
              </tr>`
            )}
          </tbody>
        </table>`}
      </section>
      <section class="card wide">
        <h2>${t('console.chats')} <span class="badge">${chats.length}</span></h2>
        <table data-testid="chats">
          <thead><tr><th>ID</th><th>${t('console.agent')}</th><th>${t('wb.customer')}</th><th>${t('wb.category')}</th>
            <th>${t('wb.openedAt')}</th><th>${t('wb.frt')}</th><th>${t('wb.wait')}</th></tr></thead>
          <tbody>
            ${chats.map(
              (c) => html`<tr key=${c.id} data-testid="chat-row" data-session=${c.id} data-agent=${c.agent}>
                <td class="small">${c.id}</td>
                <td>${agentName(c.agent)}</td>
                <td>${c.customer}</td>
                <td>${categoryLabel(c.category)}</td>
                <td>${c.opened_at ? fmtTime(c.opened_at) : '—'}</td>
                <td><${Secs} s=${c.frt_s} norm=${frtNorm(norms, c.channel)} warn=${warn} testid="chat-frt" /></td>
                <td><${Secs} s=${c.waiting_s} norm=${norms.art_s ?? 30} warn=${warn} testid="chat-wait" /></td>
              </tr>`
            )}
          </tbody>
        </table>
      </section>
      <section class="card wide">
        <h2>${t('console.alerts')} <span class="badge">${alerts.length}</span></h2>
        ${alerts.length === 0 && html`<p class="muted">${t('console.noAlerts')}</p>`}
        ${alerts.length > 0 && html`<table data-testid="alerts">
          <thead><tr><th>${t('wb.openedAt')}</th><th>${t('console.alertKind')}</th><th>${t('console.session')}</th><th>${t('console.alertDetail')}</th></tr></thead>
          <tbody>
            ${alerts.map(
              (a, i) => html`<tr key=${i} class=${'alert-' + a.kind} data-testid="alert-row" data-kind=${a.kind} data-session=${a.session}>
                <td>${a.at ? fmtTime(a.at) : '—'}</td>
                <td><span class="badge ${a.kind === 'fraud' ? 'bad' : 'warn'}">${t('console.alert.' + a.kind)}</span></td>
                <td class="small">${a.session}</td>
                <td class="small">${a.kind === 'emotion' ? t('console.negShare', { p: Math.round((a.share || 0) * 100) }) : t('console.from.' + (a.from || 'customer'))}</td>
              </tr>`
            )}
          </tbody>
        </table>`}
      </section>
    </div>
    <${Toasts} />
  </div>`;
}

// The console's two views: the live overview and the assessment pages (#assess).
// Agents (junior/senior) have no overview: the console shows them their own scorecard only.
const isAgent = (me) => me && (me.role === 'junior' || me.role === 'senior');

function Nav({ view, me }) {
  return html`<nav class="tabs">
    ${!isAgent(me) && html`<a href="#" class=${view === 'overview' ? 'on' : ''} data-testid="nav-overview">${t('console.nav.overview')}</a>`}
    <a href="#assess" class=${view === 'assess' ? 'on' : ''} data-testid="nav-assess">${t('console.nav.assess')}</a>
    <a href="#kb" class=${view === 'kb' ? 'on' : ''} data-testid="nav-kb">${t('console.nav.kb')}</a>
  </nav>`;
}

function KbView({ me }) {
  return html`<div class="console">
    <header>
      <h1 data-testid="app-title">${t('app.console')}</h1>
      <${Nav} view="kb" me=${me} />
      <div class="grow"></div>
      <span>${me && (me.display || me.name)}</span>
      <${LangToggle} />
      <button class="btn ghost small" data-testid="logout" onClick=${logout}>${t('common.logout')}</button>
    </header>
    <${KbPage} me=${me} />
    <${Toasts} />
  </div>`;
}

function AssessView({ me }) {
  return html`<div class="console">
    <header>
      <h1 data-testid="app-title">${t('app.console')}</h1>
      <${Nav} view="assess" me=${me} />
      <div class="grow"></div>
      <span>${me && (me.display || me.name)}</span>
      <${LangToggle} />
      <button class="btn ghost small" data-testid="logout" onClick=${logout}>${t('common.logout')}</button>
    </header>
    <${AssessPage} />
    <${Toasts} />
  </div>`;
}

const viewOf = () => (location.hash.startsWith('#assess') ? 'assess' : location.hash.startsWith('#kb') ? 'kb' : 'overview');

function rank(status) {
  return { online: 0, away: 1, offline: 2 }[status] ?? 3;
}

async function logout() {
  try {
    await api('POST', '/logout');
  } catch (_) {}
  location.reload();
}

function Root() {
  const [me, setMe] = useState(undefined);
  const [view, setView] = useState(viewOf);
  useEffect(() => {
    const on = () => setView(viewOf());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    api('GET', '/me')
      .then((m) => setMe(m && m.role && m.role !== 'customer' ? m : null))
      .catch(() => setMe(null));
  }, []);
  if (me === undefined) return html`<p class="muted center">${t('common.loading')}</p>`;
  if (me === null)
    return html`<div class="fill"><${LoginForm} title=${t('app.console')}
      onDone=${() => api('GET', '/me').then(setMe).catch(() => setMe({}))} /><${Toasts} /></div>`;
  if (view === 'kb') return html`<${KbView} me=${me} />`;
  return view === 'assess' || isAgent(me) ? html`<${AssessView} me=${me} />` : html`<${Overview} me=${me} />`;
}

render(html`<${Root} />`, document.getElementById('app'));

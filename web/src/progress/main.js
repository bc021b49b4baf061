// progress: the customer's self-service page for one case (N-26, issue 6). Reads the unguessable
// token from ?t=… and shows the case's state and public steps from GET /api/v1/progress/:token.
// No login; the page shows nothing but what that endpoint returns. Refreshes every 30 s.
import '../base.css';
import './progress.css';
import { html, render, useState, useEffect } from '../lib/html.js';
import { t } from '../i18n.js';
import { api } from '../lib/api.js';
import { LangToggle } from '../lib/ui.js';
import { fmtDateTime } from '../lib/sla.js';

const stepLabel = (s) => {
  const k = 'tk.s.' + s;
  const v = t(k);
  return v === k ? s : v;
};

function token() {
  try {
    const q = new URLSearchParams(location.search);
    return (q.get('t') || q.get('token') || '').trim();
  } catch (_) {
    return '';
  }
}

function Progress() {
  const tok = token();
  const [data, setData] = useState(null);
  const [err, setErr] = useState(tok ? '' : t('progress.noToken'));
  useEffect(() => {
    if (!tok) return undefined;
    let stop = false;
    async function load() {
      try {
        const d = await api('GET', `/progress/${encodeURIComponent(tok)}`);
        if (!stop) {
          setData(d);
          setErr('');
        }
      } catch (e) {
        if (!stop) setErr(e.status === 404 ? t('progress.notFound') : `${t('common.error')}: ${e.message}`);
      }
    }
    load();
    const h = setInterval(load, 30000);
    return () => {
      stop = true;
      clearInterval(h);
    };
  }, [tok]);
  return html`<div class="progress-page">
    <header class="row between">
      <h1 data-testid="app-title">${t('progress.title')}</h1>
      <${LangToggle} />
    </header>
    ${err && html`<div class="card error" data-testid="progress-error">${err}</div>`}
    ${!err && !data && html`<p class="muted">${t('common.loading')}</p>`}
    ${data && html`<div class="card" data-testid="progress-case" data-ticket=${data.id} data-state=${data.state} data-step=${data.step}>
      <dl class="pg-kv">
        <div><dt>${t('progress.case')}</dt><dd data-testid="progress-id">${data.id}</dd></div>
        <div><dt>${t('tk.kind')}</dt><dd>${t('tk.kind.' + data.kind)} · ${data.type || ''}</dd></div>
        <div><dt>${t('tk.state')}</dt><dd data-testid="progress-state">${t('tk.state.' + data.state)}</dd></div>
        <div><dt>${t('tk.step')}</dt><dd>${stepLabel(data.step)}</dd></div>
        <div><dt>${t('tk.createdAt')}</dt><dd>${fmtDateTime(data.created_at)}</dd></div>
        ${data.resolved_at && html`<div><dt>${t('progress.resolvedAt')}</dt><dd>${fmtDateTime(data.resolved_at)}</dd></div>`}
      </dl>
      <h2>${t('progress.steps')}</h2>
      ${(data.steps || []).length === 0 && html`<p class="muted">${t('progress.noSteps')}</p>`}
      <ol class="pg-steps" data-testid="progress-steps">
        ${(data.steps || []).map(
          (s, i) => html`<li key=${i} data-testid="progress-step" data-step=${s.step}>
            <span class="muted small">${fmtDateTime(s.at)}</span> <b>${stepLabel(s.step)}</b>
            ${s.note && html`<div class="note" data-testid="progress-note">${s.note}</div>`}
          </li>`
        )}
      </ol>
    </div>`}
  </div>`;
}

render(html`<${Progress} />`, document.getElementById('app'));

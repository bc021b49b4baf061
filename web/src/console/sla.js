// sla: the supervisor's breach board (issue 6) — GET /api/v1/sla/board polled like the overview:
// breached deadlines and running ones past their warning share, with a live countdown coloured
// amber (warned) or red (past due).
import { html, useState, useEffect } from '../lib/html.js';
import { t } from '../i18n.js';
import { api } from '../lib/api.js';
import { Countdown, fmtDateTime, timerName } from '../lib/sla.js';

export function SlaBoard({ now, pollMs = 2000 }) {
  const [timers, setTimers] = useState(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    let stop = false;
    let timer = null;
    async function poll() {
      try {
        const d = await api('GET', '/sla/board');
        if (stop) return;
        setTimers((d && d.timers) || []);
        setErr('');
      } catch (e) {
        if (stop) return;
        if (e.status === 401) return location.reload();
        setErr(`${e.code}: ${e.message}`);
        if (e.status === 403) return; // no sla.board permission: nothing to poll
      }
      if (!stop) timer = setTimeout(poll, pollMs);
    }
    poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [pollMs]);
  const list = timers || [];
  const breached = list.filter((x) => x.state === 'breached').length;
  return html`<section class="card wide" data-testid="sla-board-card">
    <h2>${t('console.sla')} <span class="badge" data-testid="sla-count">${list.length}</span>
      ${breached > 0 && html` <span class="badge bad">${breached}</span>`}</h2>
    ${err && html`<p class="error small" data-testid="sla-error">${err}</p>`}
    ${timers && list.length === 0 && html`<p class="muted" data-testid="sla-board-empty">${t('console.slaEmpty')}</p>`}
    ${list.length > 0 && html`<table data-testid="sla-board">
      <thead><tr><th>${t('console.ticket')}</th><th>${t('tk.kind')}</th><th>${t('tk.priority')}</th><th>${t('tk.department')}</th>
        <th>${t('console.deadline')}</th><th>${t('console.due')}</th><th>${t('console.left')}</th><th>${t('tk.state')}</th></tr></thead>
      <tbody>
        ${list.map(
          (x) => html`<tr key=${x.timer} data-testid="sla-row" data-ticket=${x.ticket} data-timer=${x.name} data-state=${x.state}>
            <td class="small">${x.ticket}</td>
            <td>${t('tk.kind.' + x.kind)}</td>
            <td>${x.priority}</td>
            <td>${x.department ? t('tk.dept.' + x.department) : ''}</td>
            <td>${timerName(x.name)}</td>
            <td>${fmtDateTime(x.due_at)}</td>
            <td><${Countdown} tm=${{ ...x, warned: x.warned }} now=${now} withName=${false} /></td>
            <td>${x.ticket_state ? t('tk.state.' + x.ticket_state) : ''}</td>
          </tr>`
        )}
      </tbody>
    </table>`}
  </section>`;
}

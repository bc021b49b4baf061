// sla: the supervisor's breach board (issue 6): breached deadlines and running ones past their
// warning share, with a live countdown coloured amber (warned) or red (past due). The board is
// live: the SLA clock pushes each warning and breach over the WebSocket ("sla" frames, docs/api.md)
// and the row appears at once; GET /api/v1/sla/board is read at start and then only as a slow
// safety net (or at pollMs while the socket is down).
import { html, useState, useEffect } from '../lib/html.js';
import { t } from '../i18n.js';
import { api, wsUrl } from '../lib/api.js';
import { Socket } from '../lib/socket.js';
import { Countdown, fmtDateTime, timerName } from '../lib/sla.js';

const LIVE_POLL_MS = 60000; // while pushes arrive, the list is re-read only this often

// Puts a pushed frame into the list (one row per timer), newest due first like the server.
export function mergeSla(list, f) {
  const row = {
    timer: f.timer, ticket: f.ticket, name: f.name, state: f.state, warned: f.warned ? 1 : 0, due_at: f.due_at,
    ended_at: null, department: f.department, priority: f.priority, kind: f.kind, ticket_state: f.ticket_state,
  };
  const rest = (list || []).filter((x) => x.timer !== f.timer);
  return [row, ...rest].sort((a, b) => Date.parse(b.due_at) - Date.parse(a.due_at));
}

export function SlaBoard({ now, pollMs = 2000 }) {
  const [timers, setTimers] = useState(null);
  const [err, setErr] = useState('');
  const [live, setLive] = useState(false);
  useEffect(() => {
    let stop = false;
    let timer = null;
    let online = false;
    async function poll() {
      clearTimeout(timer);
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
      if (!stop) timer = setTimeout(poll, online ? LIVE_POLL_MS : pollMs);
    }
    const socket = new Socket({
      url: wsUrl(),
      onFrame: (f) => {
        if (f.type === 'sla') setTimers((cur) => mergeSla(cur, f));
      },
      onState: (s) => {
        online = s === 'online';
        setLive(online);
        if (online) poll(); // whatever happened while the socket was down
      },
    });
    socket.start();
    poll();
    return () => {
      stop = true;
      clearTimeout(timer);
      socket.stop();
    };
  }, [pollMs]);
  const list = timers || [];
  const breached = list.filter((x) => x.state === 'breached').length;
  return html`<section class="card wide" data-testid="sla-board-card" data-live=${live ? '1' : '0'}>
    <h2>${t('console.sla')} <span class="badge" data-testid="sla-count">${list.length}</span>
      ${breached > 0 && html` <span class="badge bad">${breached}</span>`}
      ${live && html` <span class="badge" data-testid="sla-live">${t('console.slaLive')}</span>`}</h2>
    ${err && html`<p class="error small" data-testid="sla-error">${err}</p>`}
    ${timers && list.length === 0 && html`<p class="muted" data-testid="sla-board-empty">${t('console.slaEmpty')}</p>`}
    ${list.length > 0 && html`<table data-testid="sla-board">
      <thead><tr><th>${t('console.ticket')}</th><th>${t('tk.kind')}</th><th>${t('tk.priority')}</th><th>${t('tk.department')}</th>
        <th>${t('console.deadline')}</th><th>${t('console.due')}</th><th>${t('console.left')}</th><th>${t('tk.state')}</th></tr></thead>
      <tbody>
        ${list.map(
          (x) => html`<tr key=${x.timer} data-testid="sla-row" data-ticket=${x.ticket} data-timer=${x.name} data-state=${x.state}>
            <td class="small">${x.ticket}</td>
            <td>${x.kind ? t('tk.kind.' + x.kind) : ''}</td>
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

// sla: helpers for ticket deadlines (issue 6) shared by the workbench, the console and the
// progress page — the next running deadline of a ticket, its countdown and colour level
// (ok → warn at the policy's warn share, i.e. past warn_at → late past due_at or breached).
import { html } from './html.js';
import { t } from '../i18n.js';

const ms = (s) => (s ? Date.parse(s) : NaN);

// Level of one timer at `now`: 'ok' | 'warn' | 'late' | 'done'.
export function timerLevel(tm, now) {
  if (!tm) return 'ok';
  if (tm.state === 'breached') return 'late';
  if (tm.state !== 'running' && tm.state !== 'paused') return 'done';
  const due = ms(tm.due_at);
  if (!Number.isNaN(due) && now >= due) return 'late';
  const warn = ms(tm.warn_at);
  if (tm.warned || (!Number.isNaN(warn) && now >= warn)) return 'warn';
  return 'ok';
}

// The running (or paused) deadline due first; null when none runs. A list row carries it as
// next_deadline (GET /tickets), a ticket read in full as its timers.
export function nextTimer(tk) {
  if (tk.next_deadline !== undefined) return tk.next_deadline;
  const run = (tk.timers || []).filter((x) => x.state === 'running' || x.state === 'paused');
  run.sort((a, b) => ms(a.due_at) - ms(b.due_at));
  return run[0] || null;
}

// "1h 05m", "4m 12s", "-3m 10s" (past due).
export function fmtLeft(msLeft) {
  if (msLeft === null || msLeft === undefined || Number.isNaN(msLeft)) return '—';
  const neg = msLeft < 0;
  let s = Math.floor(Math.abs(msLeft) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const p2 = (n) => String(n).padStart(2, '0');
  const txt = d ? `${d}d ${h}h` : h ? `${h}h ${p2(m)}m` : `${m}m ${p2(s)}s`;
  return (neg ? '-' : '') + txt;
}

export function timerName(name) {
  const k = 'sla.t.' + name;
  const s = t(k);
  return s === k ? name : s;
}

// A countdown badge for one timer.
export function Countdown({ tm, now, testid = 'sla-countdown', withName = true }) {
  if (!tm) return html`<span class="sla lvl-done" data-testid=${testid} data-level="none">—</span>`;
  const lv = timerLevel(tm, now);
  const left = tm.state === 'paused' ? null : ms(tm.due_at) - now;
  const label = tm.state === 'paused' ? t('sla.paused') : lv === 'late' ? t('sla.overdue', { d: fmtLeft(-left) }) : fmtLeft(left);
  return html`<span class=${'sla lvl-' + lv} data-testid=${testid} data-level=${lv} data-timer=${tm.name}
      title=${tm.due_at || ''}>${withName ? timerName(tm.name) + ' ' : ''}${tm.state === 'met' ? t('sla.met') : label}</span>`;
}

export function fmtDateTime(at) {
  const d = new Date(at);
  if (!at || Number.isNaN(d.getTime())) return '—';
  const p2 = (n) => String(n).padStart(2, '0');
  return `${d.getMonth() + 1}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

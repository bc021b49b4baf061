// profile: the customer profile panel (N-23): past sessions, orders, tags and whatever else the
// server returns. PII is masked by the server for juniors (C-10); this panel shows it as given.
import { html } from '../lib/html.js';
import { t, categoryLabel } from '../i18n.js';
import { fmtTime } from '../lib/ui.js';

const KNOWN = new Set(['sessions', 'past_sessions', 'orders', 'tags', 'complaints', 'customer', 'masked']);

// Field labels for the customer's own fields; other keys are shown as sent.
const label = (k) => (t('pf.' + k) === 'pf.' + k ? k : t('pf.' + k));

function scalar(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const shortDate = (v) => {
  if (!v) return '—';
  const d = new Date(v);
  return `${d.getMonth() + 1}/${d.getDate()} ${fmtTime(v).slice(0, 5)}`;
};
const stars = (r) => (r && typeof r === 'object' ? '★'.repeat(r.score || 0) : typeof r === 'number' ? '★'.repeat(r) : '—');

// Column sets for the lists the server sends (N-23): [key, label key, formatter].
const SESSION_COLS = [
  ['opened_at', 'pf.col.date', shortDate],
  ['category', 'pf.col.category', (v) => categoryLabel(v)],
  ['rating', 'pf.col.rating', stars],
];
const ORDER_COLS = [
  ['at', 'pf.col.date', shortDate],
  ['item', 'pf.col.item', scalar],
  ['amount', 'pf.col.amount', (v) => (typeof v === 'number' ? '¥' + v.toFixed(2) : scalar(v))],
  ['status', 'pf.col.status', (v) => (t('pf.status.' + v) === 'pf.status.' + v ? scalar(v) : t('pf.status.' + v))],
];

// A list as a compact table with known columns; unknown shapes fall back to the first 4 keys.
function Table({ rows, cols, testid }) {
  if (!rows || rows.length === 0) return html`<p class="muted small">${t('common.none')}</p>`;
  if (!Array.isArray(rows)) return html`<p>${scalar(rows)}</p>`;
  if (typeof rows[0] !== 'object') return html`<p>${rows.map(scalar).join('、')}</p>`;
  const use = cols || Object.keys(rows[0]).slice(0, 4).map((k) => [k, null, scalar]);
  return html`<table class="mini" data-testid=${testid}>
    <thead><tr>${use.map(([k, l]) => html`<th key=${k}>${l ? t(l) : k}</th>`)}</tr></thead>
    <tbody>
      ${rows.map((r, i) => html`<tr key=${i}>${use.map(([k, , f]) => html`<td key=${k}>${f(r[k])}</td>`)}</tr>`)}
    </tbody>
  </table>`;
}

export function ProfilePanel({ session, profile }) {
  if (!session) return html`<section class="panel"><h2>${t('wb.profile')}</h2></section>`;
  if (!profile || profile.loading) return html`<section class="panel"><h2>${t('wb.profile')}</h2><p class="muted">${t('common.loading')}</p></section>`;
  if (profile.error)
    return html`<section class="panel" data-testid="profile"><h2>${t('wb.profile')}</h2><p class="error">${profile.error}</p></section>`;
  // The customer's own fields may be at the top level or under "customer".
  const base = profile.customer && typeof profile.customer === 'object' ? profile.customer : profile;
  const fields = Object.entries(base).filter(([k, v]) => !KNOWN.has(k) && (v === null || typeof v !== 'object'));
  const tags = profile.tags || base.tags || [];
  const extra = Object.entries(profile).filter(([k, v]) => !KNOWN.has(k) && Array.isArray(v));
  return html`<section class="panel profile" data-testid="profile" data-customer=${session.customer}>
    <h2>${t('wb.profile')} ${profile.masked && html`<span class="badge" data-testid="profile-masked">${t('pf.masked')}</span>`}</h2>
    <dl>
      ${fields.map(([k, v]) => html`<div key=${k} class="kv"><dt>${label(k)}</dt><dd data-testid=${'profile-' + k}>${scalar(v)}</dd></div>`)}
    </dl>
    <h3>${t('wb.tags')}</h3>
    <div class="row" data-testid="profile-tags">
      ${tags.length ? tags.map((x) => html`<span class="badge" key=${scalar(x)}>${typeof x === 'object' ? x.name || scalar(x) : x}</span>`) : html`<span class="muted small">${t('common.none')}</span>`}
    </div>
    <h3>${t('wb.orders')}</h3>
    <${Table} rows=${profile.orders} cols=${ORDER_COLS} testid="profile-orders" />
    <h3>${t('wb.pastSessions')}</h3>
    <${Table} rows=${profile.sessions || profile.past_sessions} cols=${SESSION_COLS} testid="profile-sessions" />
    ${typeof profile.complaints === 'number' &&
    html`<h3>${t('wb.complaints')}</h3><p data-testid="profile-complaints">${profile.complaints}</p>`}
    ${Array.isArray(profile.complaints) &&
    html`<h3>${t('wb.complaints')}</h3><${Table} rows=${profile.complaints} testid="profile-complaints" />`}
    ${extra.map(([k, v]) => html`<h3 key=${'h' + k}>${k}</h3><${Table} key=${k} rows=${v} />`)}
  </section>`;
}

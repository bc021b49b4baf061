// assess: the assessment pages of the console (issue 5, D-2, D-4, A-10) over GET /api/v1/assess
// and /api/v1/assess/explain. A period picker; the ranking of the agents the caller may see (the
// server scopes it: manager all, lead/supervisor their team); click an agent for the scorecard
// with every metric, click a metric for the sessions behind it; TOP 10 lists (best scores, lowest
// FCR K-10), not shown to an agent, whose own card opens by itself; FRT vs CSAT (D-4): sessions with FRT ≤ 15 s against those ≥ 20 s (GET
// /assess/frt-csat), by agent mean FRT until that answer is in.
import { html, useState, useEffect } from '../lib/html.js';
import { t, getLang } from '../i18n.js';
import { api } from '../lib/api.js';

const FRT_FAST_S = 15; // D-4 groups
const FRT_SLOW_S = 20;
const SESSIONS_SHOWN = 200;
// data/policy/scorecard-*.json shipped with kefu (docs/metrics.md "Profiles")
const PROFILES = ['default', 'ahp', 'posts', 'promotion', 'new_product', 'off_season', 'daily', 'presale', 'aftersale', 'complaint'];
const PAY_KEYS = ['monthly', 'base', 'performance', 'bonus', 'annual_bonus'];

function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export function fmtValue(v, unit) {
  if (v === null || v === undefined) return '—';
  if (unit === 'share') return (v * 100).toFixed(1) + '%';
  if (unit === 's') return v.toFixed(1) + ' s';
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

// A label from the dictionary, else the raw value (grades and results are policy data).
const label = (prefix, v) => {
  const s = t(prefix + v);
  return s === prefix + v ? v : s;
};

const num = (v, d = 1) => (v === null || v === undefined ? '—' : v.toFixed(d));

// D-4: CSAT (K-06, weighted by rated sessions) of the fast-FRT and slow-FRT agent groups.
export function frtCsat(agents) {
  const group = (pred) => {
    let n = 0;
    let sat = 0;
    let count = 0;
    for (const a of agents) {
      const frt = a.metrics['K-01'];
      const cs = a.metrics['K-06'];
      if (!frt || frt.value === null || !cs || cs.value === null || !pred(frt.value)) continue;
      count++;
      n += cs.n;
      sat += cs.value * cs.n;
    }
    return { agents: count, rated: n, csat: n > 0 ? sat / n : null };
  };
  return { fast: group((v) => v <= FRT_FAST_S), slow: group((v) => v >= FRT_SLOW_S) };
}

function Explain({ period, agent, metric }) {
  const [rows, setRows] = useState(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    setRows(null);
    setErr('');
    api('GET', `/assess/explain?period=${encodeURIComponent(period)}&agent=${encodeURIComponent(agent)}&metric=${encodeURIComponent(metric)}`)
      .then((d) => setRows(d.sessions || []))
      .catch((e) => setErr(`${e.code}: ${e.message}`));
  }, [period, agent, metric]);
  if (err) return html`<p class="error small">${err}</p>`;
  if (!rows) return html`<p class="muted small">${t('common.loading')}</p>`;
  const yes = (b) => (b === null || b === undefined ? '—' : b ? '✓' : '');
  // metrics that are not session sums (K-11…K-34 tickets, K-30…K-52 violations, exams, reviews…)
  // list their own records: one column per field, as the API gives them
  if (rows.length > 0 && !('rounds' in rows[0])) {
    const cols = Object.keys(rows[0]);
    const cell = (v) => (v === null || v === undefined ? '—' : String(v));
    return html`<div data-testid="assess-explain" data-metric=${metric}>
      <h3>${t('assess.recordsOf', { metric, n: rows.length })}</h3>
      ${rows.length > SESSIONS_SHOWN && html`<p class="muted small">${t('assess.firstN', { n: SESSIONS_SHOWN })}</p>`}
      <table class="small">
        <thead><tr>${cols.map((c) => html`<th key=${c}>${c}</th>`)}</tr></thead>
        <tbody>
          ${rows.slice(0, SESSIONS_SHOWN).map(
            (r, i) => html`<tr key=${i} data-testid="explain-row">${cols.map((c) => html`<td key=${c}>${cell(r[c])}</td>`)}</tr>`
          )}
        </tbody>
      </table>
    </div>`;
  }
  return html`<div data-testid="assess-explain" data-metric=${metric}>
    <h3>${t('assess.sessionsOf', { metric, n: rows.length })}</h3>
    ${rows.length > SESSIONS_SHOWN && html`<p class="muted small">${t('assess.firstN', { n: SESSIONS_SHOWN })}</p>`}
    <table class="small">
      <thead><tr><th>${t('console.session')}</th><th>${t('assess.start')}</th><th>FRT s</th><th>${t('assess.within')}</th>
        <th>${t('assess.rounds')}</th><th>${t('assess.rating')}</th><th>${t('assess.solved')}</th><th>${t('assess.repeat')}</th>
        <th>${t('assess.credited')}</th><th>${t('assess.ctype')}</th></tr></thead>
      <tbody>
        ${rows.slice(0, SESSIONS_SHOWN).map(
          (s) => html`<tr key=${s.session} data-testid="explain-row">
            <td>${s.session}</td><td>${s.start}</td><td>${num(s.frt_s)}</td><td>${yes(s.within)}</td>
            <td>${s.rounds}</td><td>${s.score ?? '—'}</td><td>${yes(s.solved)}</td><td>${yes(s.repeat)}</td>
            <td>${yes(s.credited)}</td><td>${s.customer_type || ''}</td>
          </tr>`
        )}
      </tbody>
    </table>
  </div>`;
}

function Scorecard({ period, agent, onClose }) {
  const [metric, setMetric] = useState(null);
  const ids = Object.keys(agent.metrics);
  return html`<section class="card wide" data-testid="assess-card" data-agent=${agent.id}>
    <h2>${t('assess.card', { id: agent.id })}
      <span class="badge">${num(agent.score)}</span> <span class="badge">${label('assess.grade.', agent.grade)}</span>
      <button class="btn ghost small" onClick=${onClose}>${t('assess.close')}</button></h2>
    <p class="muted small">${t('assess.cardInfo', { team: agent.team, post: agent.post, rank: agent.rank, team_rank: agent.team_rank })}
      ${agent.scorecard && html` · ${t('assess.cardName', { name: agent.scorecard })}`}
      ${agent.trial && html` · <span class="badge" data-testid="assess-trial">${t('assess.trial', { v: agent.definitions_version })}</span>`}
      ${(agent.results || []).map((r) => html` <span class="badge good" data-testid="assess-result" data-result=${r}>${label('assess.result.', r)}</span>`)}</p>
    ${agent.results_computed && html`<p class="muted small" data-testid="assess-computed">${t('assess.computedDiffers', { r: agent.results_computed.map((r) => label('assess.result.', r)).join('、') || t('assess.none') })}</p>`}
    <div class="row">
      ${agent.pay && html`<table class="small" data-testid="assess-pay">
        <thead><tr><th colspan="2">${t('assess.pay')}</th></tr></thead>
        <tbody>${PAY_KEYS.filter((k) => k in agent.pay).map((k) => html`<tr key=${k} data-testid="pay-row" data-key=${k}><td>${t('assess.pay.' + k)}</td><td>${agent.pay[k].toFixed(2)}</td></tr>`)}
          ${typeof agent.team_pool_share === 'number' && html`<tr data-testid="pay-row" data-key="team_pool"><td>${t('assess.pay.team_pool')}</td><td>${agent.team_pool_share.toFixed(2)}</td></tr>`}</tbody>
      </table>`}
      <div data-testid="assess-training">
        <h3>${t('assess.training')}</h3>
        ${(agent.training || []).length === 0 && html`<p class="muted small">${t('assess.trainingNone')}</p>`}
        <ul>${(agent.training || []).map((c) => html`<li key=${c.metric} data-testid="training-row" data-metric=${c.metric}>${getLang() === 'en' ? c.course_en : c.course} <span class="muted small">(${c.metric} ${num(c.score)})</span></li>`)}</ul>
      </div>
    </div>
    <table data-testid="assess-metrics">
      <thead><tr><th>${t('assess.metric')}</th><th>${t('assess.value')}</th><th>${t('assess.target')}</th>
        <th>${t('assess.mscore')}</th><th>${t('assess.weight')}</th><th>n</th><th></th></tr></thead>
      <tbody>
        ${ids.map((id) => {
          const m = agent.metrics[id];
          const base = id.split('.')[0];
          return html`<tr key=${id} data-testid="metric-row" data-metric=${id} class=${m.weight > 0 ? '' : 'muted'}>
            <td>${id}</td><td>${fmtValue(m.value, m.unit)}</td><td>${fmtValue(m.target, m.unit)}</td>
            <td>${num(m.score)}</td><td>${(m.weight * 100).toFixed(1)}%</td><td>${m.n}</td>
            <td><button class="btn ghost small" data-testid="explain" onClick=${() => setMetric(base)}>${t('assess.explain')}</button></td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${metric && html`<${Explain} period=${period} agent=${agent.id} metric=${metric} />`}
  </section>`;
}

function Top({ title, rows, value, testid }) {
  return html`<section class="card" data-testid=${testid}>
    <h2>${title}</h2>
    ${rows.length === 0 && html`<p class="muted">${t('assess.none')}</p>`}
    <ol>${rows.map((a) => html`<li key=${a.id} data-testid="top-row" data-agent=${a.id}>${a.id} <span class="muted small">${a.team}</span> — ${value(a)}</li>`)}</ol>
  </section>`;
}

// D-4 by session (GET /assess/frt-csat): loaded after the ranking, it reads every session.
function useSessionFrtCsat(period) {
  const [d, setD] = useState(null);
  useEffect(() => {
    setD(null);
    api('GET', `/assess/frt-csat?period=${encodeURIComponent(period)}`)
      .then(setD)
      .catch(() => setD({ error: true }));
  }, [period]);
  return d;
}

function FrtCsat({ agents, period }) {
  const bySession = useSessionFrtCsat(period);
  const hasSessions = bySession && !bySession.error;
  const { fast, slow } = hasSessions
    ? { fast: { ...bySession.fast, agents: bySession.agents }, slow: { ...bySession.slow, agents: bySession.agents } }
    : frtCsat(agents);
  const bar = (g, y, label, cls) => {
    const w = g.csat === null ? 0 : Math.round(g.csat * 300);
    return html`<g>
      <text x="0" y=${y + 14} font-size="12">${label}</text>
      <rect x="120" y=${y} width=${w} height="20" class=${cls}></rect>
      <text x=${128 + w} y=${y + 14} font-size="12">${g.csat === null ? '—' : (g.csat * 100).toFixed(1) + '%'}</text>
    </g>`;
  };
  return html`<section class="card" data-testid="assess-frt-csat">
    <h2>${t('assess.frtCsat')}</h2>
    <svg width="480" height="64" role="img" aria-label=${t('assess.frtCsat')}>
      ${bar(fast, 4, t('assess.fast', { s: FRT_FAST_S }), 'bar-fast')}
      ${bar(slow, 36, t('assess.slow', { s: FRT_SLOW_S }), 'bar-slow')}
    </svg>
    <table class="small" data-testid="frt-csat-table" data-by=${hasSessions ? 'session' : 'agent'}>
      <thead><tr><th></th><th>${hasSessions ? t('assess.sessions') : t('assess.agents')}</th><th>${t('assess.rated')}</th><th>CSAT</th></tr></thead>
      <tbody>
        <tr data-testid="frt-fast"><td>${t('assess.fast', { s: FRT_FAST_S })}</td><td>${hasSessions ? fast.sessions : fast.agents}</td><td>${fast.rated}</td><td>${fmtValue(fast.csat, 'share')}</td></tr>
        <tr data-testid="frt-slow"><td>${t('assess.slow', { s: FRT_SLOW_S })}</td><td>${hasSessions ? slow.sessions : slow.agents}</td><td>${slow.rated}</td><td>${fmtValue(slow.csat, 'share')}</td></tr>
      </tbody>
    </table>
    <p class="muted small">${hasSessions ? t('assess.frtCsatSessionNote') : t('assess.frtCsatNote')}</p>
  </section>`;
}

export function AssessPage() {
  const [period, setPeriod] = useState(() => new URLSearchParams(location.hash.split('?')[1] || '').get('period') || lastMonth());
  const [input, setInput] = useState(period);
  const [data, setData] = useState(null);
  const [err, setErr] = useState('');
  const [sel, setSel] = useState(null);
  const [profile, setProfile] = useState(() => new URLSearchParams(location.hash.split('?')[1] || '').get('profile') || 'default');
  const [note, setNote] = useState('');
  const [reload, setReload] = useState(0);
  useEffect(() => {
    setData(null);
    setErr('');
    setSel(null);
    api('GET', `/assess?period=${encodeURIComponent(period)}&profile=${encodeURIComponent(profile)}`)
      .then(setData)
      .catch((e) => {
        if (e.status === 401) return location.reload();
        setErr(`${e.code}: ${e.message}`);
      });
  }, [period, profile, reload]);
  // A-8: a manager records the period's results once (POST /assess/record)
  const record = () => {
    setNote('');
    api('POST', '/assess/record', { period, profile })
      .then((r) => {
        setNote(r.already ? t('assess.recordAlready') : t('assess.recordDone', { n: r.recorded }));
        setReload((x) => x + 1);
      })
      .catch((e) => setNote(`${e.code}: ${e.message}`));
  };
  const agents = ((data && data.agents) || []).slice().sort((a, b) => b.score - a.score);
  const self = data && data.scope === 'self';
  // an agent's own card opens by itself; rankings and TOP lists are for leads and managers
  const selected = agents.find((a) => a.id === sel) || (self && agents.length === 1 ? agents[0] : null);
  const best = agents.filter((a) => a.metrics['K-01'] && a.metrics['K-01'].n > 0).slice(0, 10);
  const fcrLow = agents
    .filter((a) => a.metrics['K-10'] && a.metrics['K-10'].value !== null)
    .sort((a, b) => a.metrics['K-10'].value - b.metrics['K-10'].value)
    .slice(0, 10);
  const go = (e) => {
    e.preventDefault();
    setPeriod(input.trim());
  };
  return html`<div class="grid" data-testid="assess-page">
    <section class="card wide">
      <form class="row" onSubmit=${go}>
        <label>${t('assess.period')} <input data-testid="assess-period" value=${input} onInput=${(e) => setInput(e.target.value)} placeholder="2026-10 / 2026-Q4 / 2026" size="10" /></label>
        <label>${t('assess.profile')} <select data-testid="assess-profile" value=${profile} onChange=${(e) => setProfile(e.target.value)}>
          ${PROFILES.map((p) => html`<option key=${p} value=${p}>${label('assess.profile.', p)}</option>`)}
        </select></label>
        <button class="btn small" data-testid="assess-go" type="submit">${t('assess.go')}</button>
        ${data && html`<span class="muted small">${t('assess.scope.' + data.scope)} · ${t('assess.profile')} ${data.profile} · v${data.definitions_version}</span>`}
        ${data && data.recorded && html`<span class="badge" data-testid="assess-recorded">${t('assess.recorded', { at: data.recorded.at })}</span>`}
        ${data && data.scope === 'all' && !data.recorded && html`<button class="btn ghost small" type="button" data-testid="assess-record" onClick=${record}>${t('assess.record')}</button>`}
        ${note && html`<span class="muted small" data-testid="assess-record-note">${note}</span>`}
      </form>
      ${err && html`<p class="error" data-testid="assess-error">${err}</p>`}
      ${!data && !err && html`<p class="muted">${t('common.loading')}</p>`}
      ${data && agents.length === 0 && html`<p class="muted" data-testid="assess-empty">${t('assess.empty')}</p>`}
      ${agents.length > 0 && html`<table data-testid="assess-ranking">
        <thead><tr><th>#</th><th>${t('console.agent')}</th><th>${t('assess.team')}</th><th>${t('assess.post')}</th>
          <th>${t('assess.score')}</th><th>${t('assess.gradeH')}</th><th>${t('assess.rankPost')}</th><th>${t('assess.rankTeam')}</th>
          <th>FRT</th><th>CSAT</th><th>FCR</th></tr></thead>
        <tbody>
          ${agents.map(
            (a, i) => html`<tr key=${a.id} data-testid="rank-row" data-agent=${a.id} class=${'clickable' + (a.id === sel ? ' sel' : '')} onClick=${() => setSel(a.id)}>
              <td>${i + 1}</td><td>${a.id}</td><td>${a.team}</td><td>${a.post}</td><td>${num(a.score)}</td>
              <td>${label('assess.grade.', a.grade)}</td><td>${a.rank}</td><td>${a.team_rank}</td>
              <td>${fmtValue(a.metrics['K-01']?.value, 's')}</td><td>${fmtValue(a.metrics['K-06']?.value, 'share')}</td>
              <td>${fmtValue(a.metrics['K-10']?.value, 'share')}</td>
            </tr>`
          )}
        </tbody>
      </table>`}
    </section>
    ${selected && html`<${Scorecard} key=${selected.id} period=${period} agent=${selected} onClose=${() => setSel(null)} />`}
    ${agents.length > 0 && !self && html`<${Top} title=${t('assess.topScore')} testid="assess-top-score" rows=${best} value=${(a) => num(a.score)} />`}
    ${agents.length > 0 && !self && html`<${Top} title=${t('assess.lowFcr')} testid="assess-low-fcr" rows=${fcrLow} value=${(a) => fmtValue(a.metrics['K-10'].value, 'share')} />`}
    ${agents.length > 0 && !self && html`<${FrtCsat} agents=${agents} period=${period} />`}
  </div>`;
}

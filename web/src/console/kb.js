// kb: the console's knowledge-base page (issue 7). Articles by kind with create / edit (a change
// note is required) / retire for supervisors (each a new version), the version history with who,
// when and what, and a diff of two versions (runs computed by the server, GET …/diff); a closed
// chat saved as a case (PII masked by the server); export downloads; the FAQ bot's deflection and
// hand-over rates per day or week (KB-6); the weekly high-frequency questions (N-25).
import { html, useState, useEffect } from '../lib/html.js';
import { t } from '../i18n.js';
import { api, apiBase } from '../lib/api.js';
import { toast, fmtTime } from '../lib/ui.js';
import './kb.css';

const KINDS = ['faq', 'manual', 'script', 'risk', 'case'];
const canEdit = (me) => me && ['supervisor', 'manager', 'admin'].includes(me.role);
const canCase = (me) => me && ['senior', 'lead', 'supervisor', 'manager'].includes(me.role);
const canReport = (me) => me && ['lead', 'supervisor', 'manager', 'admin'].includes(me.role);
const err = (e) => toast(`${e.code}: ${e.message}${e.field ? ' (' + e.field + ')' : ''}`);
const day = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10); // +08:00

// ISO week "2026-W47" of a Date at +08:00.
export function isoWeek(d) {
  const x = new Date(d.getTime() + 8 * 3600e3);
  const t0 = Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), x.getUTCDate());
  const wd = (new Date(t0).getUTCDay() + 6) % 7; // Monday 0
  const thu = t0 + (3 - wd) * 86400e3; // the week's Thursday names its year
  const y = new Date(thu).getUTCFullYear();
  const w = Math.floor((thu - Date.UTC(y, 0, 1)) / (7 * 86400e3)) + 1;
  return `${y}-W${String(w).padStart(2, '0')}`;
}

// The runs of a diff: kept text plain, removed struck through, added underlined.
export function DiffRuns({ ops, testid }) {
  return html`<pre class="diff" data-testid=${testid}>${(ops || []).map((o, i) =>
    o.op === '=' ? html`<span key=${i}>${o.text}</span>`
    : o.op === '-' ? html`<del key=${i} data-testid="diff-del">${o.text}</del>`
    : html`<ins key=${i} data-testid="diff-ins">${o.text}</ins>`)}</pre>`;
}

function ArticleForm({ art, onSaved, onCancel }) {
  const [f, setF] = useState(() => ({
    kind: art ? art.kind : 'faq', title: art ? art.title : '', body: art ? art.body : '',
    tags: art ? (art.tags || []).join(', ') : '', alternatives: art ? (art.alternatives || []).join('\n') : '', note: '',
  }));
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  async function submit(e) {
    e.preventDefault();
    const body = {
      kind: f.kind, title: f.title, body: f.body, note: f.note || undefined,
      tags: f.tags.split(/[,，]/).map((x) => x.trim()).filter(Boolean),
      alternatives: f.alternatives.split('\n').map((x) => x.trim()).filter(Boolean),
    };
    try {
      const r = art
        ? await api('PUT', `/kb/articles/${encodeURIComponent(art.id)}`, { ...body, version: art.version })
        : await api('POST', '/kb/articles', body);
      toast(t('kb.saved', { v: r.article.version }), 'ok');
      onSaved(r.article);
    } catch (x) {
      err(x);
    }
  }
  return html`<form class="dialog kbform" data-testid="kb-article-form" onSubmit=${submit}>
    <label>${t('kb.kind')} <select data-testid="kb-form-kind" value=${f.kind} onChange=${set('kind')}>
      ${KINDS.map((k) => html`<option value=${k}>${t('kb.kind.' + k)}</option>`)}</select></label>
    <label>${t('kb.title')} <input data-testid="kb-form-title" value=${f.title} onInput=${set('title')} required /></label>
    <label>${t('kb.body')} <textarea data-testid="kb-form-body" rows="5" value=${f.body} onInput=${set('body')}></textarea></label>
    <label>${t('kb.alternatives')} <textarea rows="2" value=${f.alternatives} onInput=${set('alternatives')}></textarea></label>
    <label>${t('kb.tags')} <input value=${f.tags} onInput=${set('tags')} /></label>
    <label>${t('kb.note')} <input data-testid="kb-form-note" value=${f.note} onInput=${set('note')} required=${!!art} /></label>
    <div class="row"><button class="btn primary" data-testid="kb-form-save">${t('kb.save')}</button>
      <button type="button" class="btn" onClick=${onCancel}>${t('common.cancel')}</button></div>
  </form>`;
}

function ArticleDetail({ id, me, onChanged }) {
  const [data, setData] = useState(null);
  const [editing, setEditing] = useState(false);
  const [pair, setPair] = useState([0, 0]);
  const [diff, setDiff] = useState(null);
  const load = () => api('GET', `/kb/articles/${encodeURIComponent(id)}`).then((d) => {
    setData(d);
    const n = d.versions.length;
    setPair([Math.max(1, n - 1), n]);
    setDiff(null);
  }).catch(err);
  useEffect(() => { setEditing(false); load(); }, [id]);
  if (!data) return html`<p class="muted">${t('common.loading')}</p>`;
  const a = data.article;
  async function showDiff() {
    try {
      setDiff(await api('GET', `/kb/articles/${encodeURIComponent(id)}/diff?from=${pair[0]}&to=${pair[1]}`));
    } catch (x) { err(x); }
  }
  async function retire() {
    const note = prompt(t('kb.retireWhy'));
    if (!note) return;
    try {
      await api('POST', `/kb/articles/${encodeURIComponent(id)}/retire`, { version: a.version, note });
      load();
      onChanged();
    } catch (x) { err(x); }
  }
  const vsel = (i) => html`<select data-testid=${'kb-diff-' + (i ? 'to' : 'from')} value=${pair[i]}
    onChange=${(e) => { const p = pair.slice(); p[i] = Number(e.target.value); setPair(p); }}>
    ${data.versions.map((v) => html`<option value=${v.version}>v${v.version}</option>`)}</select>`;
  return html`<div data-testid="kb-article" data-id=${a.id} data-version=${a.version}>
    <h3>${a.title} <span class="muted small">${a.id} · ${t('kb.kind.' + a.kind)} · v${a.version}${a.deleted ? ' · ' + t('kb.retired') : ''}</span></h3>
    ${data.case && html`<p class="small" data-testid="kb-case-info">${t('kb.caseFrom', { s: data.case.session, a: data.case.agent, n: data.case.citations_by_others })}</p>`}
    ${!editing && html`<pre class="kbbody">${a.body}</pre>`}
    ${canEdit(me) && !editing && html`<div class="row">
      <button class="btn small" data-testid="kb-edit" onClick=${() => setEditing(true)}>${t('kb.edit')}</button>
      ${!a.deleted && html`<button class="btn small danger" data-testid="kb-retire" onClick=${retire}>${t('kb.retire')}</button>`}</div>`}
    ${editing && html`<${ArticleForm} art=${a} onCancel=${() => setEditing(false)} onSaved=${() => { setEditing(false); load(); onChanged(); }} />`}
    <h4>${t('kb.versions')}</h4>
    <table data-testid="kb-versions"><thead><tr><th>v</th><th>${t('kb.when')}</th><th>${t('kb.who')}</th><th>${t('kb.note')}</th><th>${t('kb.source')}</th></tr></thead>
      <tbody>${data.versions.map((v) => html`<tr key=${v.version} data-testid="kb-version-row">
        <td>${v.version}</td><td>${v.at ? fmtTime(v.at) : '—'}</td><td>${v.who || '—'}</td><td>${v.note}</td><td>${v.source}</td></tr>`)}</tbody></table>
    ${data.versions.length > 1 && html`<div class="row">${t('kb.compare')} ${vsel(0)} → ${vsel(1)}
      <button class="btn small" data-testid="kb-diff-show" onClick=${showDiff}>${t('kb.showDiff')}</button></div>`}
    ${diff && html`<div data-testid="kb-diff">
      ${['title', 'body', 'alternatives', 'tags', 'kind', 'product', 'deleted'].filter((k) => (diff.fields[k] || []).some((o) => o.op !== '='))
        .map((k) => html`<div key=${k}><b>${t('kb.field.' + k)}</b><${DiffRuns} ops=${diff.fields[k]} testid=${'kb-diff-' + k} /></div>`)}
      <p class="muted small">v${diff.from.version} (${diff.from.who || '—'}) → v${diff.to.version} (${diff.to.who || '—'}): ${diff.to.note}</p>
    </div>`}
  </div>`;
}

function Articles({ me }) {
  const [kind, setKind] = useState('faq');
  const [list, setList] = useState([]);
  const [sel, setSel] = useState(null);
  const [creating, setCreating] = useState(false);
  const load = () => api('GET', `/kb/articles?deleted=1${kind ? '&kind=' + kind : ''}`).then((d) => setList(d.articles)).catch(err);
  useEffect(() => { load(); }, [kind]);
  return html`<section class="card wide" data-testid="kb-articles">
    <h2>${t('kb.articles')}</h2>
    <div class="row">
      <select data-testid="kb-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        ${KINDS.map((k) => html`<option value=${k}>${t('kb.kind.' + k)}</option>`)}</select>
      ${canEdit(me) && html`<button class="btn small" data-testid="kb-new" onClick=${() => setCreating(true)}>${t('kb.new')}</button>`}
      ${canEdit(me) && html`<a class="btn small" data-testid="kb-export-jsonl" href=${apiBase() + '/api/v1/kb/export?format=jsonl'} download="kb.jsonl">${t('kb.exportJsonl')}</a>
      <a class="btn small" data-testid="kb-export-md" href=${apiBase() + '/api/v1/kb/export?format=markdown'} download="kb.md">${t('kb.exportMd')}</a>`}
    </div>
    ${creating && html`<${ArticleForm} onCancel=${() => setCreating(false)} onSaved=${(a) => { setCreating(false); setKind(a.kind); load(); setSel(a.id); }} />`}
    <div class="kbsplit">
      <ul class="kblist">${list.map((a) => html`<li key=${a.id}><a href="#kb" data-testid="kb-row" data-id=${a.id}
        class=${(sel === a.id ? 'on ' : '') + (a.deleted ? 'muted' : '')} onClick=${(e) => { e.preventDefault(); setSel(a.id); }}>${a.title}</a></li>`)}</ul>
      <div class="grow">${sel && html`<${ArticleDetail} id=${sel} me=${me} onChanged=${load} />`}</div>
    </div>
  </section>`;
}

function CaseFromChat() {
  const [session, setSession] = useState('');
  const [title, setTitle] = useState('');
  async function submit(e) {
    e.preventDefault();
    try {
      const r = await api('POST', '/kb/cases', { session: session.trim(), title: title.trim() });
      toast(t('kb.caseSaved', { id: r.article.id }), 'ok');
      setSession('');
      setTitle('');
    } catch (x) { err(x); }
  }
  return html`<section class="card" data-testid="kb-case-card">
    <h2>${t('kb.caseFromChat')}</h2>
    <p class="muted small">${t('kb.caseHelp')}</p>
    <form class="row" onSubmit=${submit}>
      <input data-testid="kb-case-session" placeholder=${t('kb.sessionId')} value=${session} onInput=${(e) => setSession(e.target.value)} required />
      <input data-testid="kb-case-title" placeholder=${t('kb.title')} value=${title} onInput=${(e) => setTitle(e.target.value)} required />
      <button class="btn primary" data-testid="kb-case-save">${t('kb.saveCase')}</button>
    </form>
  </section>`;
}

const pct = (v) => (v * 100).toFixed(1) + '%';

function BotRates() {
  const [to, setTo] = useState(() => day(new Date()));
  const [from, setFrom] = useState(() => day(new Date(Date.now() - 27 * 86400e3)));
  const [by, setBy] = useState('day');
  const [data, setData] = useState(null);
  useEffect(() => { api('GET', `/kb/bot/rates?from=${from}&to=${to}&by=${by}`).then(setData).catch(err); }, [from, to, by]);
  return html`<section class="card" data-testid="kb-bot-rates">
    <h2>${t('kb.botRates')}</h2>
    <div class="row"><input type="date" value=${from} onChange=${(e) => setFrom(e.target.value)} />
      <input type="date" value=${to} onChange=${(e) => setTo(e.target.value)} />
      <select data-testid="kb-rates-by" value=${by} onChange=${(e) => setBy(e.target.value)}>
        <option value="day">${t('kb.byDay')}</option><option value="week">${t('kb.byWeek')}</option></select></div>
    ${data && html`<table><thead><tr><th>${t('kb.period')}</th><th>${t('kb.seen')}</th><th>${t('kb.deflected')}</th><th>${t('kb.handedOver')}</th>
      <th>${t('kb.deflectionRate')}</th><th>${t('kb.handoverRate')}</th></tr></thead><tbody>
      ${data.rows.map((r) => html`<tr key=${r.period} data-testid="kb-rate-row"><td>${r.period}</td><td>${r.seen}</td><td>${r.deflected}</td>
        <td>${r.handed_over}</td><td>${pct(r.deflection_rate)}</td><td>${pct(r.handover_rate)}</td></tr>`)}
      <tr class="total"><td>${t('kb.total')}</td><td>${data.total.seen}</td><td>${data.total.deflected}</td><td>${data.total.handed_over}</td>
        <td data-testid="kb-deflection-total">${pct(data.total.deflection_rate)}</td><td>${pct(data.total.handover_rate)}</td></tr></tbody></table>`}
    <p class="muted small">${t('kb.ratesHelp')}</p>
  </section>`;
}

const change = (n) => (n > 0 ? '+' + n : String(n));

function WeeklyQuestions() {
  const [week, setWeek] = useState(() => isoWeek(new Date()));
  const [data, setData] = useState(null);
  useEffect(() => {
    if (/^\d{4}-W\d\d$/.test(week)) api('GET', `/kb/report?week=${week}&top=20`).then(setData).catch(err);
  }, [week]);
  return html`<section class="card wide" data-testid="kb-report">
    <h2>${t('kb.report')}</h2>
    <div class="row"><input data-testid="kb-report-week" value=${week} onChange=${(e) => setWeek(e.target.value.trim())} />
      ${data && html`<span class="muted small">${data.from} … ${data.to} · ${t('kb.vs')} ${data.previous_week}</span>`}</div>
    ${data && html`<div class="kbsplit"><table class="kbwide" data-testid="kb-report-queries"><thead><tr><th>#</th><th>${t('kb.question')}</th><th>${t('kb.article')}</th>
      <th>${t('kb.count')}</th><th>${t('kb.change')}</th></tr></thead><tbody>
      ${data.queries.map((q, i) => html`<tr key=${i} data-testid="kb-report-row" data-article=${q.article || ''}><td>${i + 1}</td><td>${q.query}</td>
        <td>${q.title || html`<span class="lvl-warn">${t('kb.noArticle')}</span>`}</td><td>${q.count}</td><td>${change(q.change)}</td></tr>`)}</tbody></table>
      <table class="kbnarrow" data-testid="kb-report-categories"><thead><tr><th>${t('kb.category')}</th><th>${t('kb.count')}</th><th>${t('kb.change')}</th></tr></thead><tbody>
      ${data.categories.map((c) => html`<tr key=${c.category}><td>${c.category || '—'}</td><td>${c.count}</td><td>${change(c.change)}</td></tr>`)}</tbody></table></div>`}
    <p class="muted small">${t('kb.reportHelp')}</p>
  </section>`;
}

export function KbPage({ me }) {
  return html`<div class="grid kbpage" data-testid="kb-page">
    <${Articles} me=${me} />
    ${canCase(me) && html`<${CaseFromChat} />`}
    ${canReport(me) && html`<${BotRates} />`}
    ${canReport(me) && html`<${WeeklyQuestions} />`}
  </div>`;
}

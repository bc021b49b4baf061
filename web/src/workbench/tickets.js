// tickets: the workbench's ticket view (issue 6). A list (mine / open / claimed / resolved) with
// SLA countdowns, a detail with steps and deadlines, the create form (from the current chat; the
// server's required-field errors mark the field), the complaint flow actions in order (N-16),
// progress notes, escalation and resolution. For department users (role "dept") the same view is
// the department inbox: claim and answer, with the customer data masked as the API returns it.
import { html, useState, useEffect, useCallback } from '../lib/html.js';
import { t } from '../i18n.js';
import { api } from '../lib/api.js';
import { toast, fmtTime } from '../lib/ui.js';
import { Countdown, nextTimer, fmtDateTime, timerLevel } from '../lib/sla.js';

const KINDS = ['general', 'complaint', 'return', 'exchange'];
const PRIORITIES = ['P1', 'P2', 'P3'];
const DEPARTMENTS = ['service', 'logistics', 'warehouse', 'tech', 'legal', 'product'];
const FLOWS = {
  complaint: ['record', 'soothe', 'facts', 'options', 'follow_up'],
  return: ['audit', 'received', 'refunded'],
  exchange: ['audit', 'shipped'],
};
const FLOW_TITLE = { complaint: 'tk.flow', return: 'tk.flowReturn', exchange: 'tk.flowExchange' };
const POLL_MS = 5000;

// Progress links are returned once, at creation: keep them for this page's life.
const progressLinks = {};

const stepLabel = (s) => {
  const k = 'tk.s.' + s;
  const v = t(k);
  return v === k ? s : v;
};
const deptLabel = (d) => (d ? t('tk.dept.' + d) : '');
export const progressPageUrl = (token) => `${location.origin}/progress/?t=${token}`;

// The server's field error in the UI's language when it is a missing field, else its own words.
function fieldError(err) {
  const k = 'tk.' + err.field;
  const name = err.field && t(k) !== k ? t(k) : err.field;
  if (err.field && /required/i.test(err.message)) return t('tk.required', { f: name });
  return (name ? name + ': ' : '') + err.message;
}

function errText(e) {
  return `${e.message}${e.field ? ' (' + e.field + ')' : ''}`;
}

// ---------------------------------------------------------------- list

function TicketRow({ tk, now, on, onPick, dept, onClaim }) {
  const nt = nextTimer(tk);
  return html`<li class=${'tk-row ' + (on ? 'on' : '')} data-testid="ticket-row" data-ticket=${tk.id}
      data-state=${tk.state} data-kind=${tk.kind} onClick=${() => onPick(tk.id)}>
    <div class="row between">
      <b class="small">${tk.type}</b>
      <span class=${'badge pr-' + tk.priority}>${tk.priority}</span>
    </div>
    <div class="muted small">${t('tk.kind.' + tk.kind)} · ${deptLabel(tk.department)} · ${t('tk.state.' + tk.state)}
      ${tk.order_id ? ' · ' + tk.order_id : ''}</div>
    ${dept && html`<div class="small" data-testid="ticket-customer">${tk.customer_label || ''}</div>`}
    <div class="row between">
      <${Countdown} tm=${nt} now=${now} />
      ${dept && tk.state === 'open' && html`<button class="btn small primary" data-testid="claim" data-ticket=${tk.id}
        onClick=${(e) => { e.stopPropagation(); onClaim(tk.id); }}>${t('tk.claim')}</button>`}
    </div>
  </li>`;
}

// ---------------------------------------------------------------- create

function CreateForm({ me, session, onCreated, onCancel }) {
  const [f, setF] = useState({
    kind: 'complaint', type: '', priority: 'P2', department: 'service', order: '', description: '', plan: '', region: '',
  });
  const [link, setLink] = useState(!!session);
  const [complex, setComplex] = useState(false); // K-11: a complex problem, closed within 24 h
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setErr(null);
    const body = {};
    for (const [k, v] of Object.entries(f)) if (String(v).trim()) body[k] = String(v).trim();
    if (link && session) body.session = session.id;
    if (complex) body.complex = true;
    try {
      const tk = await api('POST', '/tickets', body);
      if (tk.progress_token) progressLinks[tk.id] = tk.progress_token;
      toast(t('tk.created', { id: tk.id }), 'info', 3000);
      onCreated(tk);
    } catch (e) {
      setErr({ field: e.field || '', message: e.message });
    } finally {
      setBusy(false);
    }
  }
  const bad = (k) => (err && err.field === k ? 'invalid' : '');
  const field = (k, input) => html`<label class=${'tk-field ' + bad(k)} data-field=${k}>${t('tk.' + k)}${input}</label>`;
  return html`<form class="tk-create panel" data-testid="ticket-create" onSubmit=${submit} novalidate>
    <h2>${t('tk.new')}</h2>
    <div class="tk-grid">
      ${field('kind', html`<select data-testid="tc-kind" value=${f.kind} onChange=${set('kind')}>
        ${KINDS.map((k) => html`<option value=${k}>${t('tk.kind.' + k)}</option>`)}</select>`)}
      ${field('type', html`<input data-testid="tc-type" value=${f.type} onInput=${set('type')} />`)}
      ${field('priority', html`<select data-testid="tc-priority" value=${f.priority} onChange=${set('priority')}>
        ${PRIORITIES.map((k) => html`<option value=${k}>${k}</option>`)}</select>`)}
      ${field('department', html`<select data-testid="tc-department" value=${f.department} onChange=${set('department')}>
        ${DEPARTMENTS.map((k) => html`<option value=${k}>${deptLabel(k)}</option>`)}</select>`)}
      ${field('order', html`<input data-testid="tc-order" value=${f.order} onInput=${set('order')} />`)}
      ${field('region', html`<input data-testid="tc-region" value=${f.region} onInput=${set('region')} />`)}
    </div>
    ${field('description', html`<textarea data-testid="tc-description" rows="3" value=${f.description} onInput=${set('description')}></textarea>`)}
    ${field('plan', html`<textarea data-testid="tc-plan" rows="2" value=${f.plan} onInput=${set('plan')}></textarea>`)}
    <label class="inline small"><input type="checkbox" data-testid="tc-complex" checked=${complex}
      onChange=${(e) => setComplex(e.target.checked)} /> ${t('tk.complex')}</label>
    ${session && html`<label class=${'inline small ' + bad('session')}><input type="checkbox" data-testid="tc-link-chat" checked=${link}
      onChange=${(e) => setLink(e.target.checked)} /> ${t('tk.linkChat', { id: session.id })}</label>`}
    ${err && html`<div class="error" data-testid="create-error" data-field=${err.field}>
      ${fieldError(err)}</div>`}
    <div class="row">
      <button class="btn primary" data-testid="tc-submit" disabled=${busy}>${t('tk.create')}</button>
      <button type="button" class="btn" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

// ---------------------------------------------------------------- detail

function Detail({ tk, now, me, dept, onChange }) {
  const [note, setNote] = useState('');
  const [pub, setPub] = useState(true);
  const [to, setTo] = useState('senior');
  const [resolution, setResolution] = useState('');
  const [err, setErr] = useState('');
  const [info, setInfo] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setErr('');
    setInfo('');
    setNote('');
  }, [tk.id]);
  async function run(method, path, body, after) {
    setBusy(true);
    setErr('');
    try {
      const r = await api(method, path, body);
      if (after) after(r);
      onChange(r);
    } catch (e) {
      setErr(errText(e));
      toast(`${t('common.error')}: ${errText(e)}`);
      if (e.status === 409) onChange(null); // the server's state moved on: reload
    } finally {
      setBusy(false);
    }
  }
  const base = `/tickets/${encodeURIComponent(tk.id)}`;
  const step = (s, withNote = true) => {
    const body = { step: s };
    if (withNote && note.trim()) body.note = note.trim();
    if (withNote && !pub) body.public = false;
    run('POST', base + '/steps', body, () => setNote(''));
  };
  const flow = FLOWS[tk.kind];
  const done = new Set((tk.steps || []).map((x) => x.step));
  const resolved = tk.state === 'resolved';
  const token = progressLinks[tk.id];
  const timers = (tk.timers || []).slice().sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  return html`<div class="tk-detail" data-testid="ticket-detail" data-ticket=${tk.id} data-state=${tk.state} data-step=${tk.step}>
    <div class="row between">
      <h2>${tk.type} <span class=${'badge pr-' + tk.priority}>${tk.priority}</span>
        ${tk.complex ? html` <span class="badge" data-testid="ticket-complex">${t('tk.complexBadge')}</span>` : ''}</h2>
      <span class="muted small">${tk.id}</span>
    </div>
    <dl class="tk-kv">
      <div><dt>${t('tk.kind')}</dt><dd>${t('tk.kind.' + tk.kind)}</dd></div>
      <div><dt>${t('tk.state')}</dt><dd data-testid="ticket-state">${t('tk.state.' + tk.state)}</dd></div>
      <div><dt>${t('tk.step')}</dt><dd data-testid="ticket-step">${stepLabel(tk.step)}</dd></div>
      <div><dt>${t('tk.department')}</dt><dd>${deptLabel(tk.department)}</dd></div>
      <div><dt>${t('tk.order')}</dt><dd>${tk.order_id || '—'}</dd></div>
      <div><dt>${t('tk.customer')}</dt><dd data-testid="ticket-customer-detail">${tk.customer || tk.customer_label || '—'}
        ${dept && html` <span class="badge">${t('dept.masked')}</span>`}</dd></div>
      <div><dt>${t('tk.createdAt')}</dt><dd>${fmtDateTime(tk.created_at)}</dd></div>
      ${tk.session && html`<div><dt>${t('tk.session')}</dt><dd class="small" data-testid="ticket-session">${tk.session}</dd></div>`}
      ${tk.escalated_to && html`<div><dt>${t('tk.escalatedTo')}</dt><dd>${t('tk.esc.' + tk.escalated_to)}</dd></div>`}
      <div><dt></dt><dd class="muted small">${t('tk.completeness', { a: tk.fields_filled ?? '-', b: tk.fields_required ?? '-' })}</dd></div>
    </dl>
    <div class="tk-text" data-testid="ticket-description"><b>${t('tk.description')}</b> ${tk.description}</div>
    ${tk.plan && html`<div class="tk-text"><b>${t('tk.plan')}</b> ${tk.plan}</div>`}
    ${token && html`<div class="tk-text"><b>${t('tk.progressLink')}</b>
      <a data-testid="progress-link" href=${progressPageUrl(token)} target="_blank" rel="noopener">${progressPageUrl(token)}</a></div>`}

    <h3>${t('tk.timers')}</h3>
    <table class="mini" data-testid="ticket-timers">
      <tbody>${timers.map(
        (tm) => html`<tr key=${tm.id} data-testid="timer-row" data-timer=${tm.name} data-state=${tm.state} data-level=${timerLevel(tm, now)}>
          <td>${t('sla.t.' + tm.name) !== 'sla.t.' + tm.name ? t('sla.t.' + tm.name) : tm.name}</td>
          <td>${fmtDateTime(tm.due_at)}</td>
          <td>${tm.state === 'running' || tm.state === 'paused' || tm.state === 'breached'
            ? html`<${Countdown} tm=${tm} now=${now} withName=${false} testid="timer-left" />`
            : html`<span class="muted">${t('sla.' + tm.state) !== 'sla.' + tm.state ? t('sla.' + tm.state) : tm.state}</span>`}</td>
        </tr>`
      )}</tbody>
    </table>

    ${err && html`<div class="error" data-testid="ticket-error">${err}</div>`}
    ${info && html`<div class="info" data-testid="ticket-info">${info}</div>`}

    ${!resolved && tk.state === 'open' && dept && html`<button class="btn primary" data-testid="detail-claim" disabled=${busy}
      onClick=${() => run('POST', base + '/claim')}>${t('tk.claim')}</button>`}

    <div class="tk-actions">
      <textarea data-testid="step-note" rows="2" placeholder=${t('tk.note')} value=${note} onInput=${(e) => setNote(e.target.value)}></textarea>
      <label class="inline small"><input type="checkbox" data-testid="step-public" checked=${pub} onChange=${(e) => setPub(e.target.checked)} /> ${t('tk.public')}</label>
      ${flow && !dept && !resolved && html`<div class="tk-flow" data-testid="flow">
        <b class="small">${t(FLOW_TITLE[tk.kind])}</b>
        ${flow.map(
          (s, i) => html`<button key=${s} class=${'btn small ' + (done.has(s) ? 'done' : '')} data-testid=${'step-' + s}
            data-done=${done.has(s) ? '1' : '0'} disabled=${busy} onClick=${() => step(s)}>${i + 1}. ${stepLabel(s)}${done.has(s) ? ' ✓' : ''}</button>`
        )}
      </div>`}
      <div class="row wrap">
        <button class="btn small" data-testid="add-note" disabled=${busy || !note.trim()} onClick=${() => step('note')}>${t('tk.addNote')}</button>
        ${dept && !resolved && html`<button class="btn small primary" data-testid="answer" disabled=${busy} onClick=${() => step('answer')}>${t('tk.answer')}</button>`}
        ${!resolved && !dept && html`<button class="btn small" data-testid="step-waiting" disabled=${busy} onClick=${() => step('waiting')}>${stepLabel('waiting')}</button>`}
        ${!resolved && !dept && html`<button class="btn small" data-testid="step-resumed" disabled=${busy} onClick=${() => step('resumed')}>${stepLabel('resumed')}</button>`}
        ${resolved && !dept && html`<button class="btn small" data-testid="step-revisit" disabled=${busy} onClick=${() => step('revisit')}>${stepLabel('revisit')}</button>`}
      </div>
      ${!dept && !resolved && html`<div class="row wrap">
        <select data-testid="escalate-to" value=${to} onChange=${(e) => setTo(e.target.value)}>
          ${['senior', 'tech', 'supervisor'].map((x) => html`<option value=${x}>${t('tk.esc.' + x)}</option>`)}
        </select>
        <button class="btn small" data-testid="escalate" disabled=${busy}
          onClick=${() => run('POST', base + '/escalate', note.trim() ? { to, note: note.trim() } : { to },
            (r) => setInfo(t('tk.expected', { t: fmtTime(r.expected_at) })))}>${t('tk.escalate')}</button>
      </div>`}
      ${!dept && !resolved && tk.channel === 'email' && html`<div class="row wrap">
        <button class="btn small" data-testid="mail-reply" disabled=${busy || !note.trim()}
          onClick=${() => run('POST', base + '/reply', { body: note.trim() }, () => { setNote(''); setInfo(t('tk.mailQueued')); })}>${t('tk.mailReply')}</button>
      </div>`}
      ${resolved && !tk.archived_at && html`<button class="btn small primary" data-testid="archive" disabled=${busy}
        onClick=${() => run('POST', base + '/archive')}>${t('tk.archive')}</button>`}
      ${!dept && !resolved && html`<div class="row wrap">
        <input data-testid="resolution" placeholder=${t('tk.resolution')} value=${resolution} onInput=${(e) => setResolution(e.target.value)} />
        <button class="btn small primary" data-testid="resolve" disabled=${busy}
          onClick=${() => run('POST', base + '/resolve', resolution.trim() ? { resolution: resolution.trim() } : {})}>${t('tk.resolve')}</button>
      </div>`}
    </div>

    <h3>${t('tk.steps')}</h3>
    <ol class="tk-steps" data-testid="ticket-steps">
      ${(tk.steps || []).map(
        (x, i) => html`<li key=${i} data-testid="ticket-step-item" data-step=${x.step} data-public=${x.public ? '1' : '0'}>
          <span class="muted small">${fmtDateTime(x.at)}</span> <b>${stepLabel(x.step)}</b>
          ${!x.public && html` <span class="badge">${t('tk.internal')}</span>`}
          ${x.note && html`<div class="small">${x.note}</div>`}
        </li>`
      )}
    </ol>
  </div>`;
}

// ---------------------------------------------------------------- view

export function TicketsView({ me, now, session, createFor, onCreateDone }) {
  const dept = me && me.role === 'dept';
  const [filter, setFilter] = useState(dept ? 'open' : 'mine');
  const [list, setList] = useState([]);
  const [err, setErr] = useState('');
  const [sel, setSel] = useState(null);
  const [detail, setDetail] = useState(null);
  const [creating, setCreating] = useState(!!createFor);
  useEffect(() => {
    if (createFor) setCreating(true);
  }, [createFor]);

  const load = useCallback(async () => {
    try {
      const q = filter === 'mine' || filter === 'all' ? '' : '?state=' + filter;
      const r = await api('GET', '/tickets' + q);
      let l = (r && r.tickets) || [];
      if (filter === 'mine') l = l.filter((x) => x.created_by === me.id || x.claimed_by === me.id);
      // each row carries its next deadline (next_deadline) for the countdown: no request per ticket
      setList(l);
      setErr('');
    } catch (e) {
      if (e.status === 401) return location.reload();
      setErr(errText(e));
    }
  }, [filter, me]);
  const loadDetail = useCallback(async (id) => {
    if (!id) return setDetail(null);
    try {
      setDetail(await api('GET', `/tickets/${encodeURIComponent(id)}`));
    } catch (e) {
      setErr(errText(e));
    }
  }, []);
  useEffect(() => {
    load();
    const h = setInterval(load, POLL_MS);
    // an SLA warning or breach pushed over the socket (workbench main.js): refresh at once
    const onSla = () => {
      load();
      if (sel) loadDetail(sel);
    };
    window.addEventListener('kefu:sla', onSla);
    return () => {
      clearInterval(h);
      window.removeEventListener('kefu:sla', onSla);
    };
  }, [load, sel]);
  useEffect(() => {
    loadDetail(sel);
  }, [sel]);

  const changed = (tk) => {
    if (tk && tk.id) setDetail(tk);
    else loadDetail(sel);
    load();
  };
  async function claim(id) {
    try {
      const tk = await api('POST', `/tickets/${encodeURIComponent(id)}/claim`);
      setSel(id);
      setDetail(tk);
      setFilter('claimed'); // the claimed ticket stays in sight
    } catch (e) {
      toast(`${t('common.error')}: ${errText(e)}`);
      load();
    }
  }
  const filters = dept ? ['open', 'claimed', 'resolved', 'all'] : ['mine', 'open', 'claimed', 'resolved', 'all'];
  return html`<div class="tk-view" data-testid=${dept ? 'dept-inbox' : 'tickets'}>
    <aside class="tk-list">
      <div class="row between">
        <h2>${dept ? t('dept.inbox') : t('tk.title')}</h2>
        ${!dept && html`<button class="btn small primary" data-testid="ticket-new" onClick=${() => { setCreating(true); setSel(null); }}>${t('tk.new')}</button>`}
      </div>
      <div class="row wrap tk-filters">
        ${filters.map((f) => html`<button key=${f} class=${'btn small ' + (filter === f ? 'on' : '')} data-testid=${'tf-' + f}
          onClick=${() => setFilter(f)}>${t('tk.' + f)}</button>`)}
      </div>
      ${err && html`<div class="error small" data-testid="tickets-error">${err}</div>`}
      ${list.length === 0 && html`<p class="muted small" data-testid="tickets-empty">${t('tk.empty')}</p>`}
      <ul class="tk-rows" data-testid="ticket-list">
        ${list.map((tk) => html`<${TicketRow} key=${tk.id} tk=${tk} now=${now} on=${sel === tk.id && !creating} dept=${dept}
          onPick=${(id) => { setCreating(false); setSel(id); }} onClaim=${claim} />`)}
      </ul>
    </aside>
    <section class="tk-main">
      ${creating && !dept
        ? html`<${CreateForm} me=${me} session=${session}
            onCreated=${(tk) => { setCreating(false); setFilter('mine'); setSel(tk.id); setDetail(tk); load(); onCreateDone && onCreateDone(); }}
            onCancel=${() => { setCreating(false); onCreateDone && onCreateDone(); }} />`
        : detail
          ? html`<${Detail} tk=${detail} now=${now} me=${me} dept=${dept} onChange=${changed} />`
          : html`<div class="empty muted">${t('tk.select')}</div>`}
    </section>
  </div>`;
}

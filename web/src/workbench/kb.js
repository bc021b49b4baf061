// kb: the workbench's knowledge-base parts beyond the suggestions (issue 7). The FAQ bot's
// hand-over note on a chat it handed to a human (the customer's questions, the bot's answers, why;
// GET /api/v1/kb/handovers/:session, KB-6); citing a case when the agent inserts it (K-41, counted
// once per case, agent and chat by the server); saving a closed chat as a case (senior and up; the
// server masks PII).
import { html, useState, useEffect } from '../lib/html.js';
import { t } from '../i18n.js';
import { api } from '../lib/api.js';
import { toast } from '../lib/ui.js';

const notes = new Map(); // session id → note | null (none), fetched once per session

export function HandoverNote({ id }) {
  const [note, setNote] = useState(notes.get(id));
  useEffect(() => {
    if (notes.has(id)) return setNote(notes.get(id));
    let stop = false;
    api('GET', `/kb/handovers/${encodeURIComponent(id)}`)
      .then((n) => { notes.set(id, n); if (!stop) setNote(n); })
      .catch((e) => { if (e.status === 404) notes.set(id, null); if (!stop) setNote(null); });
    return () => { stop = true; };
  }, [id]);
  if (!note) return null;
  return html`<div class="handover" data-testid="handover-note" data-reason=${note.reason}>
    <b>${t('wb.handover')}</b>：<span data-testid="handover-reason">${t('wb.handover.' + note.reason)}</span>
    <div class="small">${t('wb.handoverQuestions')}</div>
    <ol data-testid="handover-questions">${note.questions.map((q, i) => html`<li key=${i}>${q}</li>`)}</ol>
    ${note.answers.length > 0 && html`<div class="small">${t('wb.handoverAnswers')}</div>
      <ol data-testid="handover-answers">${note.answers.map((q, i) => html`<li key=${i}>${q}</li>`)}</ol>`}
  </div>`;
}

// K-41: an inserted case is a citation (the server counts it once per case, agent and chat).
export function citeIfCase(item, session) {
  if (item.kind !== 'case') return;
  api('POST', `/kb/articles/${encodeURIComponent(item.id)}/cite`, { session }).catch(() => {});
}

const mayCase = (me) => me && ['senior', 'lead', 'supervisor', 'manager'].includes(me.role);

export function SaveCase({ id, me }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [done, setDone] = useState(false);
  useEffect(() => { setOpen(false); setDone(false); setTitle(''); }, [id]);
  if (!mayCase(me)) return null;
  if (done) return html`<span class="muted small" data-testid="case-saved">${t('wb.caseSaved')}</span>`;
  async function submit(e) {
    e.preventDefault();
    try {
      await api('POST', '/kb/cases', { session: id, title: title.trim() });
      setDone(true);
    } catch (x) {
      toast(`${x.code}: ${x.message}`);
    }
  }
  if (!open) return html`<button class="btn small" data-testid="save-case" onClick=${() => setOpen(true)}>${t('wb.saveCase')}</button>`;
  return html`<form class="row" data-testid="case-form" onSubmit=${submit}>
    <input data-testid="case-title" placeholder=${t('wb.caseTitle')} value=${title} onInput=${(e) => setTitle(e.target.value)} required />
    <button class="btn small primary" data-testid="case-submit" disabled=${!title.trim()}>${t('wb.saveCase')}</button>
  </form>`;
}

// The agent's own knowledge-base search (KB-2) under the composer: results insert like the
// suggestions (a case is cited). Searches count for the weekly high-frequency list (N-25).
export function KbSearch({ session, draft, setDraft }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState(null);
  useEffect(() => { setQ(''); setHits(null); }, [session]);
  async function submit(e) {
    e.preventDefault();
    if (!q.trim()) return;
    try {
      setHits((await api('GET', `/kb/search?q=${encodeURIComponent(q.trim())}&top=5`)).hits);
    } catch (x) {
      toast(`${x.code}: ${x.message}`);
    }
  }
  return html`<div class="kbsearch">
    <form class="row" onSubmit=${submit}>
      <input data-testid="kb-search-input" placeholder=${t('wb.kbSearch')} value=${q} onInput=${(e) => setQ(e.target.value)} />
      <button class="btn small" data-testid="kb-search-go">${t('wb.kbSearchGo')}</button>
    </form>
    ${hits && hits.length === 0 && html`<div class="muted small" data-testid="kb-search-none">${t('wb.kbSearchNone')}</div>`}
    ${hits && hits.map((it) => html`<div class="kbitem" key=${it.id} data-testid="kb-search-hit" data-id=${it.id}>
      <div class="grow"><b>${it.title}</b> <span class="muted small">${it.body}</span></div>
      <button class="btn small" data-testid="kb-search-insert" data-id=${it.id}
        onClick=${() => { setDraft(draft ? draft + it.body : it.body); citeIfCase(it, session); }}>${t('wb.kbInsert')}</button>
    </div>`)}
  </div>`;
}

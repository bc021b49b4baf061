/* scan.c — scans one message: a fast vectorscan pass decides hit or miss and collects literal hits,
 * a start-of-match pass runs only when a lexicon regex matched, context exceptions remove hits that
 * lie inside an allowed phrase, then PII, fraud and emotion are turned into a guard_result.
 * Per-thread state lives in guard_scratch and is reused, so a message without hits allocates
 * nothing. Never logs message text; never touches the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "guard/guard_int.h"

struct guard_scratch *guard_scratch_new(const struct guard *g)
{
	struct guard_scratch *s = xcalloc(1, sizeof *s);
	if (g) {
		hs_database_t *dbs[3] = {g->fast, g->som, g->emotion};
		for (int i = 0; i < 3; i++)
			if (dbs[i] && hs_alloc_scratch(dbs[i], &s->hs) != HS_SUCCESS)
				abort(); /* only fails on OOM */
		s->serial = g->serial;
	}
	return s;
}

void guard_scratch_free(struct guard_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->hs);
	free(s->raw);
	free(s->som);
	free(s->emo);
	free(s->spans);
	free(s);
}

/* A scratch meets a guard it was not sized for (after a hot reload): grow it once. */
static int scratch_bind(const struct guard *g, struct guard_scratch *s, struct kefu_err *err)
{
	if (s->serial == g->serial && s->hs)
		return 0;
	hs_database_t *dbs[3] = {g->fast, g->som, g->emotion};
	for (int i = 0; i < 3; i++)
		if (dbs[i] && hs_alloc_scratch(dbs[i], &s->hs) != HS_SUCCESS)
			return KEFU_ERR(err, KEFU_EINTERNAL, "", "hs_alloc_scratch failed");
	s->serial = g->serial;
	return 0;
}

struct scan_ctx {
	const struct guard *g;
	struct guard_scratch *s;
};

static int push_raw(struct guard__raw **arr, size_t *n, size_t *cap, struct guard_scratch *s, uint32_t id,
		    uint32_t start, uint32_t end)
{
	if (*n >= GUARD__MAX_RAW) {
		s->overflow = 1;
		return 1; /* stop the scan */
	}
	guard__grow((void **)arr, cap, *n, sizeof **arr);
	(*arr)[(*n)++] = (struct guard__raw){.id = id, .start = start, .end = end};
	return 0;
}

static int on_fast_cb(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
		      void *vctx)
{
	struct scan_ctx *c = vctx;
	const struct guard__pat *p = &c->g->pats[id];
	switch (p->kind) {
	case GP_RULE_RE:
		c->s->need_som = 1;
		return 0;
	case GP_TRIG_DIGITS:
	case GP_TRIG_EMAIL:
	case GP_TRIG_ROAD:
		c->s->trig |= 1u << p->kind;
		return 0;
	default:
		return push_raw(&c->s->raw, &c->s->nraw, &c->s->capraw, c->s, id, (uint32_t)(to - p->len),
				(uint32_t)to);
	}
}

static int on_som_cb(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
		     void *vctx)
{
	struct scan_ctx *c = vctx;
	return push_raw(&c->s->som, &c->s->nsom, &c->s->capsom, c->s, c->g->som_ids[id], (uint32_t)from,
			(uint32_t)to);
}

static int on_emo_cb(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
		     void *vctx)
{
	struct scan_ctx *c = vctx;
	const struct guard__pat *p = &c->g->pats[id];
	return push_raw(&c->s->emo, &c->s->nemo, &c->s->capemo, c->s, id, (uint32_t)(to - p->len),
			(uint32_t)to);
}

static int hs_run(const hs_database_t *db, const char *text, size_t len, struct guard_scratch *s,
		  match_event_handler cb, struct scan_ctx *c, struct kefu_err *err)
{
	if (!db)
		return 0;
	hs_error_t e = hs_scan(db, len ? text : "", (unsigned)len, 0, s->hs, cb, c);
	if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
		return KEFU_ERR(err, KEFU_EINTERNAL, "", "hs_scan failed (%d)", (int)e);
	return 0;
}

/* Runs the databases for role into s (raw, som, emo, trig). */
static int run_scans(const struct guard *g, struct guard_scratch *s, enum guard_role role, const char *text,
		     size_t len, int want_emotion, struct kefu_err *err)
{
	if (len > GUARD_MAX_TEXT)
		return KEFU_ERR(err, KEFU_ELIMIT, "", "message longer than %u bytes", GUARD_MAX_TEXT);
	size_t bad_at;
	if (!utf8_valid(text, len, &bad_at)) {
		char field[32];
		snprintf(field, sizeof field, "byte:%zu", bad_at);
		return KEFU_ERR(err, KEFU_EINVAL, field, "message is not valid UTF-8");
	}
	int rc = scratch_bind(g, s, err);
	if (rc)
		return rc;
	s->nraw = s->nsom = s->nemo = s->nspans = 0;
	s->trig = 0;
	s->need_som = 0;
	s->overflow = 0;
	struct scan_ctx c = {g, s};
	if ((rc = hs_run(g->fast, text, len, s, on_fast_cb, &c, err)))
		return rc;
	if (s->need_som && (rc = hs_run(g->som, text, len, s, on_som_cb, &c, err)))
		return rc;
	if (want_emotion && (rc = hs_run(g->emotion, text, len, s, on_emo_cb, &c, err)))
		return rc;
	return 0;
}

/* ---- turning raw matches into hits ---- */

struct cand {
	uint32_t start, end;
	uint32_t rule; /* rule index, or UINT32_MAX for PII */
	uint32_t span; /* PII span index */
	uint8_t family;
	uint8_t severity;
};

static int applies(int family, enum guard_role role)
{
	if (role == GUARD_ROLE_AGENT)
		return 1;
	return family == GF_PII || family == GF_FRAUD;
}

static int excepted(const struct guard *g, const struct guard_scratch *s, int family, uint32_t start,
		    uint32_t end)
{
	for (size_t i = 0; i < s->nraw; i++) {
		const struct guard__raw *r = &s->raw[i];
		const struct guard__pat *p = &g->pats[r->id];
		if (p->kind == GP_EXCEPTION && r->start <= start && end <= r->end &&
		    (g->excs[p->ref].families & (1u << family)))
			return 1;
	}
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1; /* longer first */
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void add_cand(struct cand **c, size_t *n, size_t *cap, struct cand v)
{
	guard__grow((void **)c, cap, *n, sizeof **c);
	(*c)[(*n)++] = v;
}

static uint8_t role_severity(uint8_t sev, enum guard_role role, int family)
{
	if (role == GUARD_ROLE_CUSTOMER) {
		if (family == GF_PII)
			return GUARD_SEV_RECORD; /* a customer's own data: masked, recorded */
		return sev > GUARD_SEV_WARN ? GUARD_SEV_WARN : sev; /* customers' messages are never held */
	}
	return sev;
}

static void build_result(const struct guard *g, struct guard_scratch *s, enum guard_role role,
			 const char *text, size_t len, struct guard_result *out)
{
	struct cand stackc[32];
	struct cand *c = stackc;
	size_t nc = 0, capc = 0; /* capc == 0 means "on the stack" */
	struct cand *heap = NULL;
#define ADD(v)                                                                                               \
	do {                                                                                                 \
		if (!heap && nc < sizeof stackc / sizeof stackc[0]) {                                        \
			stackc[nc++] = (v);                                                                  \
		} else {                                                                                     \
			if (!heap) {                                                                         \
				capc = nc * 2;                                                               \
				heap = xmalloc(capc * sizeof *heap);                                         \
				memcpy(heap, stackc, nc * sizeof *heap);                                     \
				c = heap;                                                                    \
			}                                                                                    \
			add_cand(&heap, &nc, &capc, (v));                                                    \
			c = heap;                                                                            \
		}                                                                                            \
	} while (0)

	for (size_t i = 0; i < s->nraw; i++) {
		const struct guard__raw *r = &s->raw[i];
		const struct guard__pat *p = &g->pats[r->id];
		if (p->kind != GP_RULE_LIT)
			continue;
		const struct guard__rule *ru = &g->rules[p->ref];
		if (!applies(ru->family, role) || excepted(g, s, ru->family, r->start, r->end))
			continue;
		struct cand v = {r->start, r->end,     p->ref,
				 0,	   ru->family, role_severity(ru->severity, role, ru->family)};
		ADD(v);
	}
	for (size_t i = 0; i < s->nsom; i++) {
		const struct guard__raw *r = &s->som[i];
		const struct guard__pat *p = &g->pats[r->id];
		const struct guard__rule *ru = &g->rules[p->ref];
		if (!applies(ru->family, role) || excepted(g, s, ru->family, r->start, r->end))
			continue;
		struct cand v = {r->start, r->end,     p->ref,
				 0,	   ru->family, role_severity(ru->severity, role, ru->family)};
		ADD(v);
	}
	for (size_t i = 0; i < s->nspans; i++) {
		const struct guard__span *sp = &s->spans[i];
		struct cand v = {sp->start,   sp->end, UINT32_MAX,
				 (uint32_t)i, GF_PII,  role_severity(g->pii[sp->pii].severity, role, GF_PII)};
		ADD(v);
	}
#undef ADD
	if (nc == 0)
		return;
	qsort(c, nc, sizeof *c, cmp_cand);
	/* Drop a hit of a family contained in an earlier, longer hit of the same family (a regex's
	 * several end offsets, "最好" inside "最好的"). */
	size_t k = 0;
	for (size_t i = 0; i < nc; i++) {
		int dup = 0;
		for (size_t j = 0; j < k; j++)
			if (c[j].family == c[i].family && c[j].start <= c[i].start && c[i].end <= c[j].end) {
				dup = 1;
				break;
			}
		if (!dup)
			c[k++] = c[i];
	}
	nc = k;

	/* One block: hits, then their texts and PII suggestions. */
	struct buf masked_one;
	buf_init(&masked_one);
	size_t strbytes = 0;
	for (size_t i = 0; i < nc; i++) {
		strbytes += c[i].end - c[i].start + 1;
		if (c[i].rule == UINT32_MAX) {
			buf_reset(&masked_one);
			guard__pii_mask_span(&s->spans[c[i].span], text, &masked_one);
			strbytes += strlen(g->pii[s->spans[c[i].span].pii].suggestion) + masked_one.len + 1;
		}
	}
	char *block = xmalloc(nc * sizeof(struct guard_hit) + strbytes);
	struct guard_hit *hits = (struct guard_hit *)block;
	char *sp = block + nc * sizeof(struct guard_hit);
	enum guard_verdict verdict = GUARD_PASS;
	for (size_t i = 0; i < nc; i++) {
		struct guard_hit *h = &hits[i];
		size_t n = c[i].end - c[i].start;
		memcpy(sp, text + c[i].start, n);
		sp[n] = '\0';
		h->text = sp;
		sp += n + 1;
		h->start = c[i].start;
		h->end = c[i].end;
		h->severity = (enum guard_severity)c[i].severity;
		h->rule = guard__family_rule(c[i].family);
		h->family = guard__family_name(c[i].family);
		if (c[i].rule == UINT32_MAX) {
			const struct guard__span *ps = &s->spans[c[i].span];
			const struct guard__pii_policy *pol = &g->pii[ps->pii];
			h->pii = (enum guard_pii)ps->pii;
			h->replace = false;
			h->reason = pol->reason;
			h->where = pol->where;
			buf_reset(&masked_one);
			buf_puts(&masked_one, pol->suggestion);
			guard__pii_mask_span(ps, text, &masked_one);
			memcpy(sp, masked_one.data, masked_one.len + 1);
			h->suggestion = sp;
			sp += masked_one.len + 1;
		} else {
			const struct guard__rule *ru = &g->rules[c[i].rule];
			h->pii = GUARD_PII_NONE;
			h->reason = ru->reason;
			h->suggestion = ru->suggestion;
			h->replace = ru->drop_in != 0;
			h->where = ru->where;
		}
		if (c[i].family == GF_FRAUD)
			out->fraud = true;
		if (h->severity == GUARD_SEV_BLOCK)
			verdict = GUARD_BLOCK;
		else if (h->severity == GUARD_SEV_WARN && verdict == GUARD_PASS)
			verdict = GUARD_WARN;
	}
	buf_free(&masked_one);
	free(heap);
	out->hits = hits;
	out->nhits = nc;
	out->arena_ = block;
	out->verdict = verdict;
	(void)len;
}

int guard_scan(const struct guard *g, struct guard_scratch *s, enum guard_role role, const char *text,
	       size_t len, struct guard_result *out, struct kefu_err *err)
{
	memset(out, 0, sizeof *out);
	int want_emotion = role == GUARD_ROLE_CUSTOMER;
	int rc = run_scans(g, s, role, text, len, want_emotion, err);
	if (rc)
		return rc;
	out->truncated = s->overflow != 0;
	guard__pii_find(g, s, text, len);
	build_result(g, s, role, text, len, out);
	if (s->nspans) {
		struct buf b;
		buf_init(&b);
		guard__pii_mask_text(s->spans, s->nspans, text, len, &b);
		out->masked_len = b.len;
		out->masked = buf_detach(&b);
	}
	if (want_emotion) {
		out->emotion_score = guard__emotion_score(g, s, text, len);
		out->emotion_label = guard__emotion_label(g, out->emotion_score);
	}
	return 0;
}

void guard_result_clear(struct guard_result *out)
{
	free(out->arena_);
	free(out->masked);
	memset(out, 0, sizeof *out);
}

int guard_mask(const struct guard *g, struct guard_scratch *s, const char *text, size_t len, char **masked,
	       struct kefu_err *err)
{
	*masked = NULL;
	int rc = run_scans(g, s, GUARD_ROLE_CUSTOMER, text, len, 0, err);
	if (rc)
		return rc;
	guard__pii_find(g, s, text, len);
	struct buf b;
	buf_init(&b);
	guard__pii_mask_text(s->spans, s->nspans, text, len, &b);
	*masked = buf_detach(&b);
	return 0;
}

char *guard_rewrite(const struct guard_result *r, const char *text, size_t len)
{
	struct buf b;
	buf_init(&b);
	size_t pos = 0;
	int any = 0;
	for (size_t i = 0; i < r->nhits; i++) {
		const struct guard_hit *h = &r->hits[i];
		if (h->pii != GUARD_PII_NONE || h->severity == GUARD_SEV_RECORD || h->start < pos ||
		    h->end > len)
			continue;
		if (!h->replace)
			continue;
		buf_append(&b, text + pos, h->start - pos);
		buf_puts(&b, h->suggestion);
		pos = h->end;
		any = 1;
	}
	if (!any) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, text + pos, len - pos);
	return buf_detach(&b);
}

/* search.c — kb_search (kb.h, KB-2): keyword-combination triggers first, then BM25 over the query's
 * tokens and their synonyms: all query tokens required first, then an OR of the rarest tokens, each
 * step ranking a bounded candidate set (see ranked()). Match expressions are built from tokens only:
 * each is one quoted phrase marked raw (U+E000) so kb_fts looks up exactly that token; user text
 * never reaches FTS5 syntax. It never touches SQL itself (src/store/kb_store.c runs the expression). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "kb/kb_int.h"
#include "kb/tokenizer.h"

/* Query tokens: bigrams and dictionary words; a lone character is a unigram (so 1- and
 * 2-character queries hit the unigram and bigram tokens of the index). */
#define QUERY_FLAGS (KB_TOK_BIGRAMS | KB_TOK_WORDS)

static const char raw_mark[] = "\xEE\x80\x80"; /* U+E000: kb_store.c's raw-token marker */

struct qbuild {
	struct buf *out; /* the match expression */
	char toks[KB_QUERY_TOKENS_MAX][KB_TOKEN_MAX + 1]; /* distinct tokens so far */
	int n;
};

static int add_token_cb(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start,
			size_t end, bool colocated)
{
	struct qbuild *q = arg;
	if (len > KB_TOKEN_MAX)
		return 0;
	for (int i = 0; i < q->n; i++)
		if (strlen(q->toks[i]) == len && memcmp(q->toks[i], tok, len) == 0)
			return 0;
	if (q->n >= KB_QUERY_TOKENS_MAX)
		return 1; /* enough: stop */
	memcpy(q->toks[q->n], tok, len);
	q->toks[q->n][len] = '\0';
	q->n++;
	if (q->out->len)
		buf_puts(q->out, " OR ");
	buf_puts(q->out, "\"");
	buf_puts(q->out, raw_mark);
	buf_append(q->out, tok, len);
	buf_puts(q->out, "\"");
	return 0;
}

static bool has_hit(const struct kb_hit *hits, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(hits[i].id, id) == 0)
			return true;
	return false;
}

/* Cuts len back so s[0..len) ends on a character boundary and holds at most KB_QUERY_MAX bytes. */
static size_t bounded_len(const char *s, size_t len)
{
	if (len <= KB_QUERY_MAX)
		return len;
	len = KB_QUERY_MAX;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

static int build(const struct kb_config *c, const char *query, size_t len, const char *norm, struct buf *out)
{
	struct qbuild *q = calloc(1, sizeof *q);
	if (!q)
		return 0;
	q->out = out;
	buf_reset(out);
	kb_tokenize(query, len, QUERY_FLAGS, add_token_cb, q);
	/* synonyms: a group with a member in the query adds the tokens of its other members */
	for (int g = 0; c && g < c->nsyn; g++) {
		int hit = -1;
		for (int i = 0; i < c->syn[g].n && hit < 0; i++)
			if (strstr(norm, c->syn[g].v[i]))
				hit = i;
		for (int i = 0; hit >= 0 && i < c->syn[g].n; i++)
			if (i != hit)
				kb_tokenize(c->syn[g].v[i], strlen(c->syn[g].v[i]), QUERY_FLAGS, add_token_cb,
					    q);
	}
	int n = q->n;
	free(q);
	buf_puts(out, ""); /* NUL-terminated even when empty */
	return n;
}

/* The query's distinct tokens: [0, nquery) from the query itself, [nquery, n) from synonyms. */
static void collect(const struct kb_config *c, const char *query, size_t len, const char *norm,
		    struct qbuild *q, int *nquery)
{
	struct buf scratch;
	buf_init(&scratch);
	q->out = &scratch;
	kb_tokenize(query, len, QUERY_FLAGS, add_token_cb, q);
	*nquery = q->n;
	for (int g = 0; c && g < c->nsyn; g++) {
		int hit = -1;
		for (int i = 0; i < c->syn[g].n && hit < 0; i++)
			if (strstr(norm, c->syn[g].v[i]))
				hit = i;
		for (int i = 0; hit >= 0 && i < c->syn[g].n; i++)
			if (i != hit)
				kb_tokenize(c->syn[g].v[i], strlen(c->syn[g].v[i]), QUERY_FLAGS, add_token_cb,
					    q);
	}
	buf_free(&scratch);
	q->out = NULL;
}

/* Appends token t as one raw phrase. */
static void put_phrase(struct buf *b, const char *t)
{
	buf_puts(b, "\"");
	buf_puts(b, raw_mark);
	buf_puts(b, t);
	buf_puts(b, "\"");
}

struct ranked_tok {
	int i; /* index in qbuild.toks */
	int64_t df; /* document frequency */
};

static int cmp_df(const void *a, const void *b)
{
	const struct ranked_tok *x = a, *y = b;
	return x->df < y->df ? -1 : x->df > y->df ? 1 : x->i - y->i;
}

/* Adds found[0..got) to hits (skipping ids already there) until *n == top. */
static void take(struct kb_hit *hits, int *n, int top, const struct store_kb_hit *found, int got)
{
	for (int i = 0; i < got && *n < top; i++) {
		if (has_hit(hits, *n, found[i].id))
			continue;
		memcpy(hits[*n].id, found[i].id, sizeof hits[*n].id);
		hits[*n].score = found[i].score;
		hits[*n].trigger = false;
		(*n)++;
	}
}

/* BM25 in two steps so no query ranks more than KB_RANK_CAP rows: every query token required
 * (FTS5 AND) first; when that finds fewer than top, the OR of the rarest tokens (synonyms included)
 * whose document frequencies add up to at most KB_OR_BUDGET (always the rarest one), so the common
 * tokens that match most articles — and barely move BM25 — no longer make every row a candidate. */
static int ranked(const struct kb_config *c, struct store_kb *k, const char *query, size_t len,
		  const char *norm, const struct store_kb_filter *f, int top, int skip, struct kb_hit *hits,
		  int *n, struct kefu_err *err)
{
	struct qbuild *q = calloc(1, sizeof *q);
	if (!q)
		return KEFU_ERR(err, KEFU_ENOMEM, "query", "out of memory");
	int nquery = 0, r = 0;
	collect(c, query, len, norm, q, &nquery);
	struct buf m, one;
	buf_init(&m);
	buf_init(&one);
	struct ranked_tok rt[KB_QUERY_TOKENS_MAX];
	int64_t df[KB_QUERY_TOKENS_MAX];
	struct store_kb_hit found[KB_TOP_MAX * 2];
	int want = top + skip, got = 0;
	if (want > (int)(sizeof found / sizeof found[0]))
		want = (int)(sizeof found / sizeof found[0]);
	const struct store_kb_weights *w = c ? &c->w : &(struct store_kb_weights){10, 8, 1, 3};
	for (int i = 0; i < q->n; i++) {
		buf_reset(&one);
		put_phrase(&one, q->toks[i]);
		buf_puts(&one, "");
		rt[i].i = i;
		if ((r = store_kb_df(k, one.data, &rt[i].df, err)) < 0)
			goto out;
	}
	/* 1: every informative token of the query (document frequency at most KB_AND_DF_MAX, and always
	 * the rarest): intersecting the doclists of tokens in most articles made this step the slowest
	 * part of a multi-word query while they barely change which articles come first. Skipped when a
	 * token is in no article. */
	int64_t mindf = nquery > 0 ? rt[0].df : 0;
	for (int i = 1; i < nquery; i++)
		if (rt[i].df < mindf)
			mindf = rt[i].df;
	int nand = 0;
	for (int i = 0; i < nquery; i++) {
		if (rt[i].df > KB_AND_DF_MAX && rt[i].df > mindf)
			continue;
		if (nand)
			buf_puts(&m, " AND ");
		put_phrase(&m, q->toks[i]);
		df[nand++] = rt[i].df;
	}
	buf_puts(&m, "");
	if (nand == 1 && df[0] > KB_RANK_CAP) {
		/* 0: one token in more articles than the cap (a one-character query, a common word): the
		 * cap would rank only the oldest articles that hold it. Those with it in the title come
		 * first in BM25 anyway (weight 10 against 1 for the body), and are far fewer: rank them
		 * first, so a new article titled with the word is found whatever its age. */
		buf_reset(&one);
		buf_puts(&one, "{title} : ");
		buf_puts(&one, m.data);
		if ((r = store_kb_rank(k, one.data, df, 1, f, w, KB_RANK_CAP, want, found, &got, err)) < 0)
			goto out;
		take(hits, n, top, found, got);
		if (*n >= top)
			goto out;
	}
	if (nand > 0 && mindf > 0) {
		if ((r = store_kb_rank(k, m.data, df, nand, f, w, KB_RANK_CAP, want, found, &got, err)) < 0)
			goto out;
		take(hits, n, top, found, got);
	}
	if (*n >= top || (q->n == 1 && nquery == 1))
		goto out;
	/* 2: the rarest tokens, within the budget */
	qsort(rt, (size_t)q->n, sizeof rt[0], cmp_df);
	buf_reset(&m);
	int64_t sum = 0;
	int np = 0;
	for (int j = 0; j < q->n; j++) {
		if (rt[j].df == 0)
			continue;
		if (np > 0 && sum + rt[j].df > KB_OR_BUDGET)
			break;
		sum += rt[j].df;
		if (np)
			buf_puts(&m, " OR ");
		put_phrase(&m, q->toks[rt[j].i]);
		df[np++] = rt[j].df;
	}
	buf_puts(&m, "");
	if (np == 0)
		goto out;
	if ((r = store_kb_rank(k, m.data, df, np, f, w, KB_RANK_CAP, want, found, &got, err)) < 0)
		goto out;
	take(hits, n, top, found, got);
out:
	buf_free(&m);
	buf_free(&one);
	free(q);
	return r;
}

int kb_query_build(const struct kb_config *c, const char *query, size_t len, struct buf *out)
{
	len = bounded_len(query, len);
	struct buf norm;
	buf_init(&norm);
	kb_normalize(query, len, &norm);
	buf_puts(&norm, "");
	int n = build(c, query, len, norm.data ? norm.data : "", out);
	buf_free(&norm);
	return n;
}

static bool trigger_fires(const struct kb_trigger *t, const char *norm)
{
	for (int k = 0; k < t->nkw; k++) {
		bool any = false;
		for (int a = 0; a < t->kw[k].n && !any; a++)
			any = strstr(norm, t->kw[k].v[a]) != NULL;
		if (!any)
			return false;
	}
	return t->nkw > 0;
}

int kb_search(const struct kb_config *c, struct store_kb *k, const char *query, size_t len,
	      const struct store_kb_filter *f, int top, struct kb_hit *hits, int *n, struct kefu_err *err)
{
	*n = 0;
	if (top <= 0)
		return 0;
	if (top > KB_TOP_MAX)
		top = KB_TOP_MAX;
	len = bounded_len(query, len);
	struct buf norm;
	buf_init(&norm);
	kb_normalize(query, len, &norm);
	buf_puts(&norm, "");
	int r = 0;
	/* KB-2: triggers come first, in file order */
	for (int t = 0; c && t < c->ntrig && *n < top; t++) {
		if (!trigger_fires(&c->trig[t], norm.data) || has_hit(hits, *n, c->trig[t].article))
			continue;
		bool ok = false;
		if ((r = store_kb_article_passes(k, c->trig[t].article, f, &ok, err)) < 0)
			goto out;
		if (!ok)
			continue;
		snprintf(hits[*n].id, sizeof hits[*n].id, "%s", c->trig[t].article);
		hits[*n].trigger = true;
		hits[*n].score = 0;
		(*n)++;
	}
	int ntrig = *n;
	if (*n < top && (r = ranked(c, k, query, len, norm.data, f, top, ntrig, hits, n, err)) < 0)
		goto out;
	/* triggered answers rank above every search result */
	double best = *n > ntrig ? hits[ntrig].score : 0;
	for (int i = 0; i < ntrig; i++)
		hits[i].score = best + (double)(ntrig - i);
out:
	buf_free(&norm);
	return r;
}

/* kb_store.c — the SQL of the knowledge base (kb_store.h): the FTS5 tokenizer "kefu" wrapped
 * around src/kb/tokenizer.c and registered per connection, the kb.* projections (writer thread and
 * bulk import share them), and the read connection for search and lookups. Every statement is
 * named and prepared once per connection. The FTS5 match expression is always a bound parameter.
 * It never decides a rule: versions, roles and validation are src/kb's. */
#include "store/kb_store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/map.h"
#include "base/mem.h"
#include "kb/tokenizer.h"
#include "store/projection.h"
#include "store/store.h"
#include "store/store_int.h"

/* ---- FTS5 tokenizer "kefu" ------------------------------------------------------------------ */

/* In a query, a phrase that starts with U+E000 (private use, skipped in documents) is one raw
 * token: src/kb builds its match expressions from exactly the tokens it chose. */
static const char raw_mark[] = "\xEE\x80\x80";

struct fts_tok {
	unsigned flags; /* enum kb_tok_flags */
};

static int fts_tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	unsigned flags = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "bigrams") == 0)
			flags |= KB_TOK_BIGRAMS;
		else if (strcmp(argv[i], "unigrams") == 0)
			flags |= KB_TOK_UNIGRAMS;
		else if (strcmp(argv[i], "words") == 0)
			flags |= KB_TOK_WORDS;
		else
			return SQLITE_ERROR;
	}
	struct fts_tok *t = sqlite3_malloc(sizeof *t);
	if (!t)
		return SQLITE_NOMEM;
	t->flags = flags ? flags : KB_TOK_DEFAULT;
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fts_tok_delete(Fts5Tokenizer *t)
{
	sqlite3_free(t);
}

struct fts_emit {
	void *ctx;
	int (*token)(void *ctx, int flags, const char *tok, int n, int start, int end);
};

static int fts_emit_cb(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start,
		       size_t end, bool colocated)
{
	struct fts_emit *e = arg;
	return e->token(e->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, tok, (int)len, (int)start, (int)end);
}

static int fts_tok_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int n,
			    int (*token)(void *, int, const char *, int, int, int))
{
	struct fts_tok *t = (struct fts_tok *)tk;
	if (n <= 0)
		return SQLITE_OK;
	if ((flags & FTS5_TOKENIZE_QUERY) && n > 3 && memcmp(text, raw_mark, 3) == 0)
		return token(ctx, 0, text + 3, n - 3, 3, n);
	struct fts_emit e = {ctx, token};
	return kb_tokenize(text, (size_t)n, t->flags, fts_emit_cb, &e);
}

static fts5_tokenizer fts_tokenizer = {fts_tok_create, fts_tok_delete, fts_tok_tokenize};

/* ---- FTS5 ranking function "kefu_rank" ------------------------------------------------------- */

/* BM25 as FTS5's bm25() computes it (k1 1.2, b 0.75, weighted hits summed over columns, document
 * length over all columns), but with each phrase's document frequency given by the caller instead of
 * counted by a scan of the phrase's whole doclist on every query: that scan made a common token cost
 * tens of milliseconds. Called as kefu_rank(kb_fts, ?) with a struct rank_args bound as a pointer. */
struct rank_args {
	const int64_t *df; /* per phrase, in the order of the match expression */
	int nphrase; /* entries of df */
	struct store_kb_weights w; /* title, alternatives, body, tags */
	bool ready; /* idf and avgdl computed (first row) */
	double avgdl; /* average document length in tokens */
	double idf[STORE_KB_PHRASES_MAX];
};

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		    sqlite3_value **val)
{
	struct rank_args *a = nval == 1 ? sqlite3_value_pointer(val[0], "kefu_rank") : NULL;
	if (!a) {
		sqlite3_result_error(ctx, "kefu_rank: missing arguments", -1);
		return;
	}
	int np = api->xPhraseCount(fts);
	if (np > STORE_KB_PHRASES_MAX)
		np = STORE_KB_PHRASES_MAX;
	if (!a->ready) {
		sqlite3_int64 nrow = 0, ntok = 0;
		api->xRowCount(fts, &nrow);
		api->xColumnTotalSize(fts, -1, &ntok);
		a->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1;
		if (a->avgdl <= 0)
			a->avgdl = 1;
		for (int i = 0; i < np; i++) {
			double df = i < a->nphrase ? (double)a->df[i] : (double)nrow;
			double idf = log(((double)nrow - df + 0.5) / (df + 0.5));
			a->idf[i] = idf > 1e-6 ? idf : 1e-6; /* as bm25(): a very common token counts ~0 */
		}
		a->ready = true;
	}
	const double wcol[4] = {a->w.title, a->w.alternatives, a->w.body, a->w.tags};
	double freq[STORE_KB_PHRASES_MAX] = {0};
	int ninst = 0;
	if (api->xInstCount(fts, &ninst) != SQLITE_OK) {
		sqlite3_result_error(ctx, "kefu_rank: instances", -1);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		int ph, col, off;
		if (api->xInst(fts, i, &ph, &col, &off) == SQLITE_OK && ph >= 0 && ph < np && col >= 0 &&
		    col < 4)
			freq[ph] += wcol[col];
	}
	int dl = 0;
	api->xColumnSize(fts, -1, &dl);
	const double k1 = 1.2, b = 0.75;
	double score = 0, norm = k1 * (1 - b + b * (double)dl / a->avgdl);
	for (int i = 0; i < np; i++)
		if (freq[i] > 0)
			score += a->idf[i] * freq[i] * (k1 + 1) / (freq[i] + norm);
	sqlite3_result_double(ctx, -score);
}

int store__kb_register(sqlite3 *db, struct kefu_err *err)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "fts5: %s", sqlite3_errmsg(db));
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "fts5 is not available");
	if (api->xCreateTokenizer(api, "kefu", NULL, &fts_tokenizer, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "fts5: cannot register tokenizer kefu");
	if (api->xCreateFunction(api, "kefu_rank", NULL, rank_fn, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "fts5: cannot register function kefu_rank");
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static int prepare_all(sqlite3 *db, const char *const *sql, int n, sqlite3_stmt **st, struct kefu_err *err)
{
	for (int i = 0; i < n; i++)
		if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st[i], NULL) != SQLITE_OK)
			return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare kb statement %d: %s", i,
					sqlite3_errmsg(db));
	return 0;
}

static void finalize_all(sqlite3_stmt **st, int n)
{
	for (int i = 0; i < n; i++)
		sqlite3_finalize(st[i]);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static json_t *col_json_str(sqlite3_stmt *st, int i)
{
	const char *s = col_text(st, i);
	return s ? json_string(s) : json_null();
}

static json_t *col_json_doc(sqlite3_stmt *st, int i)
{
	const char *s = col_text(st, i);
	json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
	return v ? v : json_null();
}

/* Steps a statement that returns no rows, then resets it. */
static int exec_step(sqlite3 *db, sqlite3_stmt *st, const char *what, struct kefu_err *err)
{
	int rc = sqlite3_step(st);
	int r = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = KEFU_ERR(err, (rc & 0xff) == SQLITE_CONSTRAINT ? KEFU_ECONFLICT : KEFU_ESTORE, "sqlite",
			     "%s: %s", what, sqlite3_errmsg(db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static char *dump_compact(json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* ---- projections ------------------------------------------------------------------------------ */

enum pstmt {
	P_ARTICLE_VERSION,
	P_ARTICLE_INSERT,
	P_ARTICLE_UPDATE,
	P_VERSION_INSERT,
	P_CONTRIB_INSERT,
	P_CONTRIB_REVIEW,
	P_CONTRIB_STATE,
	P_CITE,
	P_CASE_INSERT,
	P_AUTHOR_SET,
	P_HANDOVER,
	P_QUERY_COUNT,
	P_COUNT
};

static const char *const pstmt_sql[P_COUNT] = {
    [P_ARTICLE_VERSION] = "SELECT version FROM kb_articles WHERE id = ?1",
    [P_ARTICLE_INSERT] =
	"INSERT INTO kb_articles(id, kind, title, body, alternatives, tags, alt_text, tag_text, product, "
	"version, author, updated_ms, updated_by, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	"(SELECT coalesce(group_concat(value, char(10)), '') FROM json_each(?5)), "
	"(SELECT coalesce(group_concat(value, char(10)), '') FROM json_each(?6)), ?7, ?8, ?9, ?10, ?9, ?11)",
    /* the version must follow the stored one (KB-4): a stale writer changes nothing */
    [P_ARTICLE_UPDATE] =
	"UPDATE kb_articles SET kind = ?2, title = ?3, body = ?4, alternatives = ?5, tags = ?6, "
	"alt_text = (SELECT coalesce(group_concat(value, char(10)), '') FROM json_each(?5)), "
	"tag_text = (SELECT coalesce(group_concat(value, char(10)), '') FROM json_each(?6)), "
	"product = ?7, version = ?8, updated_by = ?9, updated_ms = ?10, deleted = ?11 "
	"WHERE id = ?1 AND version = ?8 - 1",
    [P_VERSION_INSERT] = "INSERT INTO kb_article_versions(article, version, at_ms, who, note, source, "
			 "contribution, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [P_CONTRIB_INSERT] =
	"INSERT INTO kb_contributions(id, article, proposer, proposed_ms, proposal, note, state) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
    [P_CONTRIB_REVIEW] = "UPDATE kb_contributions SET state = ?2, reviewer = ?3, reviewed_ms = ?4, "
			 "review_note = ?5 WHERE id = ?1 AND state = 'pending'",
    [P_CONTRIB_STATE] = "SELECT state FROM kb_contributions WHERE id = ?1",
    [P_CITE] = "INSERT INTO kb_citations(article, agent, session, at_ms) "
	       "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM kb_articles WHERE id = ?1) "
	       "ON CONFLICT DO NOTHING",
    [P_CASE_INSERT] =
	"INSERT INTO kb_cases(article, session, agent, saved_by, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    /* a case's owner is the agent who served the chat, not who saved it (K-41) */
    [P_AUTHOR_SET] = "UPDATE kb_articles SET author = ?2 WHERE id = ?1",
    [P_HANDOVER] = "INSERT INTO kb_bot_handovers(session, at_ms, reason, to_seq) VALUES (?1, ?2, ?3, ?4) "
		   "ON CONFLICT DO NOTHING",
    [P_QUERY_COUNT] = "INSERT INTO kb_query_counts(day, source, query, article, n) VALUES "
		      "(strftime('%Y-%m-%d', ?1 / 1000 + 28800, 'unixepoch'), ?2, ?3, ?4, 1) "
		      "ON CONFLICT DO UPDATE SET n = n + 1",
};

struct store_kb_proj {
	sqlite3 *db; /* borrowed */
	sqlite3_stmt *st[P_COUNT]; /* owned */
};

int store__kb_proj_new(sqlite3 *db, struct store_kb_proj **out, struct kefu_err *err)
{
	struct store_kb_proj *p = xcalloc(1, sizeof *p);
	p->db = db;
	int r = prepare_all(db, pstmt_sql, P_COUNT, p->st, err);
	if (r < 0) {
		store__kb_proj_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void store__kb_proj_free(struct store_kb_proj *p)
{
	if (!p)
		return;
	finalize_all(p->st, P_COUNT);
	free(p);
}

static int get_str(json_t *data, const char *key, bool required, const char **out, struct kefu_err *err)
{
	json_t *v = json_object_get(data, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? KEFU_ERR(err, KEFU_EINVAL, key, "missing") : 0;
	if (!json_is_string(v))
		return KEFU_ERR(err, KEFU_EINVAL, key, "not a string");
	*out = json_string_value(v);
	return 0;
}

/* data[key] must be an array of strings (absent = []); *out is its compact JSON (caller frees). */
static int get_str_array(json_t *data, const char *key, char **out, struct kefu_err *err)
{
	json_t *v = json_object_get(data, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		*out = xstrdup("[]");
		return 0;
	}
	if (!json_is_array(v))
		return KEFU_ERR(err, KEFU_EINVAL, key, "not an array");
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return KEFU_ERR(err, KEFU_EINVAL, key, "not an array of strings");
	}
	*out = dump_compact(v);
	return 0;
}

/* "case":{"session","agent"} of a version 1: the case's source chat and owner (KB-1, K-41). */
static int proj_case(struct store_kb_proj *p, const struct store__ev *ev, const char *id, int64_t version,
		     json_t *cs, struct kefu_err *err)
{
	const char *session, *agent;
	int r;
	if (!json_is_object(cs))
		return KEFU_ERR(err, KEFU_EINVAL, "case", "not an object");
	if (version != 1)
		return KEFU_ERR(err, KEFU_EINVAL, "case", "only a new article records its source chat");
	if ((r = get_str(cs, "session", true, &session, err)) < 0 ||
	    (r = get_str(cs, "agent", true, &agent, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[P_CASE_INSERT];
	bind_text(st, 1, id);
	bind_text(st, 2, session);
	bind_text(st, 3, agent);
	bind_text(st, 4, ev->actor);
	sqlite3_bind_int64(st, 5, ev->at_ms);
	if ((r = exec_step(p->db, st, "kb case", err)) < 0)
		return r == -KEFU_ECONFLICT
		    ? KEFU_ERR(err, KEFU_ECONFLICT, "session", "this chat is already a case")
		    : r;
	st = p->st[P_AUTHOR_SET];
	bind_text(st, 1, id);
	bind_text(st, 2, agent);
	return exec_step(p->db, st, "kb case author", err);
}

static int proj_article_saved(struct store_kb_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *id, *kind, *title, *body, *product, *note, *source, *contribution;
	char *alts = NULL, *tags = NULL, *snap = NULL;
	int r;
	json_t *jv = json_object_get(ev->data, "version");
	json_t *jd = json_object_get(ev->data, "deleted");
	if ((r = get_str(ev->data, "id", true, &id, err)) < 0 ||
	    (r = get_str(ev->data, "kind", true, &kind, err)) < 0 ||
	    (r = get_str(ev->data, "title", true, &title, err)) < 0 ||
	    (r = get_str(ev->data, "body", true, &body, err)) < 0 ||
	    (r = get_str(ev->data, "product", false, &product, err)) < 0 ||
	    (r = get_str(ev->data, "note", false, &note, err)) < 0 ||
	    (r = get_str(ev->data, "source", true, &source, err)) < 0 ||
	    (r = get_str(ev->data, "contribution", false, &contribution, err)) < 0)
		return r;
	if (!json_is_integer(jv) || json_integer_value(jv) < 1)
		return KEFU_ERR(err, KEFU_EINVAL, "version", "not a positive integer");
	if (jd && !json_is_boolean(jd) && !json_is_null(jd))
		return KEFU_ERR(err, KEFU_EINVAL, "deleted", "not a boolean");
	int64_t version = json_integer_value(jv);
	int deleted = json_is_true(jd) ? 1 : 0;
	if ((r = get_str_array(ev->data, "alternatives", &alts, err)) < 0 ||
	    (r = get_str_array(ev->data, "tags", &tags, err)) < 0)
		goto out;
	sqlite3_stmt *st = p->st[version == 1 ? P_ARTICLE_INSERT : P_ARTICLE_UPDATE];
	bind_text(st, 1, id);
	bind_text(st, 2, kind);
	bind_text(st, 3, title);
	bind_text(st, 4, body);
	bind_text(st, 5, alts);
	bind_text(st, 6, tags);
	bind_text(st, 7, product);
	sqlite3_bind_int64(st, 8, version);
	bind_text(st, 9, ev->actor);
	sqlite3_bind_int64(st, 10, ev->at_ms);
	sqlite3_bind_int(st, 11, deleted);
	if ((r = exec_step(p->db, st, "kb article", err)) < 0) {
		if (r == -KEFU_ECONFLICT)
			r = KEFU_ERR(err, KEFU_ECONFLICT, "version", "article %s already exists", id);
		goto out;
	}
	if (sqlite3_changes(p->db) == 0) {
		st = p->st[P_ARTICLE_VERSION];
		bind_text(st, 1, id);
		bool known = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		r = known ? KEFU_ERR(err, KEFU_ECONFLICT, "version",
				     "version %lld does not follow the stored one", (long long)version)
			  : KEFU_ERR(err, KEFU_ENOTFOUND, "id", "unknown article");
		goto out;
	}
	json_t *data = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s?,s:b}", "kind", kind, "title", title, "body", body,
				 "alternatives", json_loads(alts, 0, NULL), "tags", json_loads(tags, 0, NULL),
				 "product", product, "deleted", deleted);
	snap = dump_compact(data);
	json_decref(data);
	st = p->st[P_VERSION_INSERT];
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int64(st, 3, ev->at_ms);
	bind_text(st, 4, ev->actor);
	bind_text(st, 5, note ? note : "");
	bind_text(st, 6, source);
	bind_text(st, 7, contribution);
	bind_text(st, 8, snap);
	if ((r = exec_step(p->db, st, "kb version", err)) < 0)
		goto out;
	json_t *cs = json_object_get(ev->data, "case");
	if (cs && !json_is_null(cs))
		r = proj_case(p, ev, id, version, cs, err);
out:
	free(alts);
	free(tags);
	free(snap);
	return r;
}

static int proj_contribution_proposed(struct store_kb_proj *p, const struct store__ev *ev,
				      struct kefu_err *err)
{
	const char *id, *article, *note;
	int r;
	if ((r = get_str(ev->data, "id", true, &id, err)) < 0 ||
	    (r = get_str(ev->data, "article", false, &article, err)) < 0 ||
	    (r = get_str(ev->data, "note", false, &note, err)) < 0)
		return r;
	json_t *prop = json_object_get(ev->data, "proposal");
	if (!json_is_object(prop))
		return KEFU_ERR(err, KEFU_EINVAL, "proposal", "not an object");
	if (!ev->actor)
		return KEFU_ERR(err, KEFU_EINVAL, "actor", "a contribution needs its proposer");
	char *ptext = dump_compact(prop);
	sqlite3_stmt *st = p->st[P_CONTRIB_INSERT];
	bind_text(st, 1, id);
	bind_text(st, 2, article);
	bind_text(st, 3, ev->actor);
	sqlite3_bind_int64(st, 4, ev->at_ms);
	bind_text(st, 5, ptext);
	bind_text(st, 6, note ? note : "");
	r = exec_step(p->db, st, "kb contribution", err);
	free(ptext);
	return r;
}

static int proj_contribution_reviewed(struct store_kb_proj *p, const struct store__ev *ev,
				      struct kefu_err *err)
{
	const char *id, *decision, *note;
	int r;
	if ((r = get_str(ev->data, "id", true, &id, err)) < 0 ||
	    (r = get_str(ev->data, "decision", true, &decision, err)) < 0 ||
	    (r = get_str(ev->data, "note", false, &note, err)) < 0)
		return r;
	if (strcmp(decision, "accepted") != 0 && strcmp(decision, "rejected") != 0)
		return KEFU_ERR(err, KEFU_EINVAL, "decision", "not accepted or rejected");
	sqlite3_stmt *st = p->st[P_CONTRIB_REVIEW];
	bind_text(st, 1, id);
	bind_text(st, 2, decision);
	bind_text(st, 3, ev->actor);
	sqlite3_bind_int64(st, 4, ev->at_ms);
	bind_text(st, 5, note ? note : "");
	if ((r = exec_step(p->db, st, "kb review", err)) < 0)
		return r;
	if (sqlite3_changes(p->db) > 0)
		return 0;
	st = p->st[P_CONTRIB_STATE];
	bind_text(st, 1, id);
	bool known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return known ? KEFU_ERR(err, KEFU_ECONFLICT, "id", "contribution already reviewed")
		     : KEFU_ERR(err, KEFU_ENOTFOUND, "id", "unknown contribution");
}

static int proj_case_cited(struct store_kb_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *article;
	int r;
	if ((r = get_str(ev->data, "article", true, &article, err)) < 0)
		return r;
	if (!ev->actor)
		return KEFU_ERR(err, KEFU_EINVAL, "actor", "a citation needs the citing agent");
	sqlite3_stmt *st = p->st[P_CITE];
	bind_text(st, 1, article);
	bind_text(st, 2, ev->actor);
	bind_text(st, 3, ev->session ? ev->session : "");
	sqlite3_bind_int64(st, 4, ev->at_ms);
	if ((r = exec_step(p->db, st, "kb citation", err)) < 0)
		return r;
	if (sqlite3_changes(p->db) > 0)
		return 0;
	st = p->st[P_ARTICLE_VERSION];
	bind_text(st, 1, article);
	bool known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return known ? 0 : KEFU_ERR(err, KEFU_ENOTFOUND, "article", "unknown article"); /* repeat: no-op */
}

static int proj_bot_handover(struct store_kb_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *reason;
	int r;
	json_t *seq = json_object_get(ev->data, "to_seq");
	if (!ev->session)
		return KEFU_ERR(err, KEFU_EINVAL, "session", "a hand-over needs its session");
	if ((r = get_str(ev->data, "reason", true, &reason, err)) < 0)
		return r;
	if (strcmp(reason, "asked") != 0 && strcmp(reason, "unsure") != 0)
		return KEFU_ERR(err, KEFU_EINVAL, "reason", "not asked or unsure");
	if (!json_is_integer(seq) || json_integer_value(seq) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "to_seq", "not a non-negative integer");
	sqlite3_stmt *st = p->st[P_HANDOVER];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int64(st, 2, ev->at_ms);
	bind_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, json_integer_value(seq));
	return exec_step(p->db, st, "kb hand-over", err);
}

static int proj_query_logged(struct store_kb_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *source, *query, *article;
	int r;
	if ((r = get_str(ev->data, "source", true, &source, err)) < 0 ||
	    (r = get_str(ev->data, "query", true, &query, err)) < 0 ||
	    (r = get_str(ev->data, "article", false, &article, err)) < 0)
		return r;
	if (strcmp(source, "bot") != 0 && strcmp(source, "agent") != 0)
		return KEFU_ERR(err, KEFU_EINVAL, "source", "not bot or agent");
	if (!*query)
		return KEFU_ERR(err, KEFU_EINVAL, "query", "empty");
	sqlite3_stmt *st = p->st[P_QUERY_COUNT];
	sqlite3_bind_int64(st, 1, ev->at_ms);
	bind_text(st, 2, source);
	bind_text(st, 3, query);
	bind_text(st, 4, article ? article : "");
	return exec_step(p->db, st, "kb query count", err);
}

int store__kb_project(struct store_kb_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	if (!json_is_object(ev->data))
		return KEFU_ERR(err, KEFU_EINVAL, "data", "payload is not an object");
	if (strcmp(ev->type, "kb.article_saved") == 0)
		return proj_article_saved(p, ev, err);
	if (strcmp(ev->type, "kb.contribution_proposed") == 0)
		return proj_contribution_proposed(p, ev, err);
	if (strcmp(ev->type, "kb.contribution_reviewed") == 0)
		return proj_contribution_reviewed(p, ev, err);
	if (strcmp(ev->type, "kb.case_cited") == 0)
		return proj_case_cited(p, ev, err);
	if (strcmp(ev->type, "kb.bot_handover") == 0)
		return proj_bot_handover(p, ev, err);
	if (strcmp(ev->type, "kb.query_logged") == 0)
		return proj_query_logged(p, ev, err);
	return KEFU_ERR(err, KEFU_EINVAL, "type", "not a kb event");
}

/* ---- bulk writer ------------------------------------------------------------------------------ */

enum wstmt { W_BEGIN, W_COMMIT, W_ROLLBACK, W_EVENT, W_ARTICLE, W_OPTIMIZE, W_COUNT };

#define ARTICLE_COLS                                                                                         \
	"id, kind, title, body, alternatives, tags, product, version, author, updated_ms, updated_by, "      \
	"deleted"

static const char *const wstmt_sql[W_COUNT] = {
    [W_BEGIN] = "BEGIN IMMEDIATE",
    [W_COMMIT] = "COMMIT",
    [W_ROLLBACK] = "ROLLBACK",
    [W_EVENT] = "INSERT INTO events(at_ms, type, session, actor, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    [W_ARTICLE] = "SELECT " ARTICLE_COLS " FROM kb_articles WHERE id = ?1",
    [W_OPTIMIZE] = "INSERT INTO kb_fts(kb_fts) VALUES ('optimize')",
};

struct store_kb_writer {
	sqlite3 *db; /* owned read-write connection */
	sqlite3_stmt *st[W_COUNT]; /* owned */
	struct store_kb_proj *proj; /* owned */
};

int store_kb_writer_open(struct store *s, struct store_kb_writer **out, struct kefu_err *err)
{
	struct store_kb_writer *w = xcalloc(1, sizeof *w);
	int r = store__db_open(store__path(s), SQLITE_OPEN_READWRITE, &w->db, err);
	if (r == 0)
		r = prepare_all(w->db, wstmt_sql, W_COUNT, w->st, err);
	if (r == 0)
		r = store__kb_proj_new(w->db, &w->proj, err);
	if (r < 0) {
		store_kb_writer_close(w);
		return r;
	}
	*out = w;
	return 0;
}

void store_kb_writer_close(struct store_kb_writer *w)
{
	if (!w)
		return;
	store_kb_writer_rollback(w);
	store__kb_proj_free(w->proj);
	finalize_all(w->st, W_COUNT);
	sqlite3_close(w->db);
	free(w);
}

int store_kb_writer_begin(struct store_kb_writer *w, struct kefu_err *err)
{
	return exec_step(w->db, w->st[W_BEGIN], "begin", err);
}

int store_kb_writer_commit(struct store_kb_writer *w, struct kefu_err *err)
{
	return exec_step(w->db, w->st[W_COMMIT], "commit", err);
}

int store_kb_writer_optimize(struct store_kb_writer *w, struct kefu_err *err)
{
	return exec_step(w->db, w->st[W_OPTIMIZE], "optimize", err);
}

void store_kb_writer_rollback(struct store_kb_writer *w)
{
	if (w->db && !sqlite3_get_autocommit(w->db))
		exec_step(w->db, w->st[W_ROLLBACK], "rollback", NULL);
}

int store_kb_writer_append(struct store_kb_writer *w, const struct store__ev *ev, struct kefu_err *err)
{
	if (!json_is_object(ev->data))
		return KEFU_ERR(err, KEFU_EINVAL, "data", "payload is not an object");
	char *data = dump_compact(ev->data);
	sqlite3_stmt *st = w->st[W_EVENT];
	sqlite3_bind_int64(st, 1, ev->at_ms);
	bind_text(st, 2, ev->type);
	bind_text(st, 3, ev->session);
	bind_text(st, 4, ev->actor);
	bind_text(st, 5, data);
	int r = exec_step(w->db, st, "event insert", err);
	free(data);
	if (r < 0)
		return r;
	return store__kb_project(w->proj, ev, err);
}

static json_t *article_row(sqlite3_stmt *st)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:I,s:o,s:b}", "id", col_json_str(st, 0),
			 "kind", col_json_str(st, 1), "title", col_json_str(st, 2), "body",
			 col_json_str(st, 3), "alternatives", col_json_doc(st, 4), "tags",
			 col_json_doc(st, 5), "product", col_json_str(st, 6), "version",
			 (json_int_t)sqlite3_column_int64(st, 7), "author", col_json_str(st, 8), "updated_ms",
			 (json_int_t)sqlite3_column_int64(st, 9), "updated_by", col_json_str(st, 10),
			 "deleted", sqlite3_column_int(st, 11) != 0);
}

/* Runs a one-row lookup by id on st; fills *out with make(st) or returns -KEFU_ENOTFOUND. */
static int get_one(sqlite3 *db, sqlite3_stmt *st, const char *id, json_t *(*make)(sqlite3_stmt *),
		   json_t **out, struct kefu_err *err)
{
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	int r = 0;
	if (rc == SQLITE_ROW)
		*out = make(st);
	else if (rc == SQLITE_DONE)
		r = KEFU_ERR(err, KEFU_ENOTFOUND, "id", "unknown id");
	else
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

int store_kb_writer_article(struct store_kb_writer *w, const char *id, json_t **out, struct kefu_err *err)
{
	return get_one(w->db, w->st[W_ARTICLE], id, article_row, out, err);
}

/* ---- reads ------------------------------------------------------------------------------------ */

enum rstmt {
	R_SEARCH,
	R_SEARCH_FILTERED,
	R_PASSES,
	R_ARTICLE,
	R_VERSIONS,
	R_CONTRIB,
	R_CONTRIBS,
	R_COUNT_LIVE,
	R_DF_PROBE,
	R_MAX_SEQ,
	R_RANK,
	R_RANK_FILTERED,
	R_LIST,
	R_CASE,
	R_CITED,
	R_CASES,
	R_HANDOVER,
	R_BOT_DAYS,
	R_TOP_QUERIES,
	R_TOP_CATEGORIES,
	R_COUNT
};

#define FILTER_SQL                                                                                           \
	"(?6 IS NULL OR a.kind = ?6) AND (?7 IS NULL OR a.product = ?7) AND "                                \
	"(?8 IS NULL OR EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ?8))"
#define CONTRIB_COLS                                                                                         \
	"id, article, proposer, proposed_ms, proposal, note, state, reviewer, reviewed_ms, review_note"

static const char *const rstmt_sql[R_COUNT] = {
    /* without filters, rank inside FTS5 first and look up only the top rows */
    [R_SEARCH] =
	"SELECT a.id, f.s FROM (SELECT rowid, bm25(kb_fts, ?2, ?3, ?4, ?5) AS s FROM kb_fts "
	"WHERE kb_fts MATCH ?1 ORDER BY s LIMIT ?9) f JOIN kb_articles a ON a.seq = f.rowid ORDER BY f.s",
    [R_SEARCH_FILTERED] = "SELECT a.id, bm25(kb_fts, ?2, ?3, ?4, ?5) AS s FROM kb_fts "
			  "JOIN kb_articles a ON a.seq = kb_fts.rowid WHERE kb_fts MATCH ?1 AND " FILTER_SQL
			  " ORDER BY s LIMIT ?9",
    [R_PASSES] = "SELECT 1 FROM kb_articles a WHERE a.id = ?1 AND a.deleted = 0 AND " FILTER_SQL,
    [R_ARTICLE] = "SELECT " ARTICLE_COLS " FROM kb_articles WHERE id = ?1",
    [R_VERSIONS] = "SELECT version, at_ms, who, note, source, contribution, data FROM kb_article_versions "
		   "WHERE article = ?1 ORDER BY version",
    [R_CONTRIB] = "SELECT " CONTRIB_COLS " FROM kb_contributions WHERE id = ?1",
    [R_CONTRIBS] = "SELECT " CONTRIB_COLS " FROM kb_contributions WHERE ?1 IS NULL OR state = ?1 "
		   "ORDER BY proposed_ms, id LIMIT ?2",
    [R_COUNT_LIVE] = "SELECT count(*) FROM kb_articles WHERE deleted = 0",
    /* the first ?2 rows of a phrase's doclist (rowid order): its count and the last rowid */
    [R_DF_PROBE] =
	"SELECT count(*), max(rowid) FROM (SELECT rowid FROM kb_fts WHERE kb_fts MATCH ?1 LIMIT ?2)",
    [R_MAX_SEQ] = "SELECT coalesce(max(seq), 0) FROM kb_articles",
    /* at most ?3 candidates (rowid order), ranked by kefu_rank, the best ?4 looked up */
    [R_RANK] = "SELECT a.id, f.s FROM (SELECT rowid, s FROM (SELECT rowid, kefu_rank(kb_fts, ?2) AS s FROM "
	       "kb_fts WHERE kb_fts MATCH ?1 LIMIT ?3) ORDER BY s LIMIT ?4) f JOIN kb_articles a ON "
	       "a.seq = f.rowid ORDER BY f.s",
    [R_RANK_FILTERED] = "SELECT id, s FROM (SELECT a.id AS id, kefu_rank(kb_fts, ?2) AS s FROM kb_fts "
			"JOIN kb_articles a ON a.seq = kb_fts.rowid WHERE kb_fts MATCH ?1 AND " FILTER_SQL
			" LIMIT ?3) ORDER BY s LIMIT ?4",
    [R_LIST] =
	"SELECT " ARTICLE_COLS ", seq FROM kb_articles WHERE seq > ?1 AND (?2 IS NULL OR kind = ?2) AND "
	"(?3 = 1 OR deleted = 0) ORDER BY seq LIMIT ?4",
    [R_CASE] = "SELECT c.session, c.agent, c.saved_by, c.at_ms, "
	       "(SELECT count(*) FROM kb_citations i WHERE i.article = c.article), "
	       "(SELECT count(*) FROM kb_citations i WHERE i.article = c.article AND i.agent <> c.agent) "
	       "FROM kb_cases c WHERE c.article = ?1",
    [R_CITED] = "SELECT 1 FROM kb_citations WHERE article = ?1 AND agent = ?2 AND session = ?3",
    /* K-41: citations in [?1, ?2) of each case, all and by agents other than its owner */
    [R_CASES] = "SELECT a.id, a.title, c.session, c.agent, c.at_ms, count(i.agent), "
		"coalesce(sum(i.agent <> c.agent), 0) FROM kb_cases c JOIN kb_articles a ON a.id = c.article "
		"LEFT JOIN kb_citations i ON i.article = c.article AND i.at_ms >= ?1 AND i.at_ms < ?2 "
		"WHERE a.deleted = 0 AND (?3 IS NULL OR c.agent = ?3) GROUP BY c.article "
		"ORDER BY c.at_ms DESC, a.id LIMIT ?4",
    [R_HANDOVER] = "SELECT at_ms, reason, to_seq FROM kb_bot_handovers WHERE session = ?1",
    /* KB-6: per day (+08:00) of opening, the sessions the bot saw (answered or handed over), those
     * it answered alone (closed, never assigned, no hand-over) and those it handed over */
    [R_BOT_DAYS] =
	"SELECT strftime('%Y-%m-%d', opened_ms / 1000 + 28800, 'unixepoch') AS d, count(*), "
	"sum(answered AND NOT handed AND assigned_ms IS NULL AND state = 'closed'), sum(handed) FROM "
	"(SELECT s.opened_ms, s.assigned_ms, s.state, "
	"EXISTS (SELECT 1 FROM messages m WHERE m.session = s.id AND m.sender = 'bot') AS answered, "
	"EXISTS (SELECT 1 FROM kb_bot_handovers h WHERE h.session = s.id) AS handed "
	"FROM sessions s WHERE s.opened_ms >= ?1 AND s.opened_ms < ?2) WHERE answered OR handed "
	"GROUP BY d ORDER BY d",
    /* N-25: clusters (matched article, else the normalised query) of days [?1, ?2] with their count
     * in [?3, ?4] (the week before), most frequent first */
    [R_TOP_QUERIES] =
	"WITH cur AS (SELECT article AS a, CASE WHEN article <> '' THEN '' ELSE query END AS q, sum(n) AS n "
	"FROM kb_query_counts WHERE day BETWEEN ?1 AND ?2 AND (?6 IS NULL OR source = ?6) GROUP BY 1, 2), "
	"prev AS (SELECT article AS a, CASE WHEN article <> '' THEN '' ELSE query END AS q, sum(n) AS n "
	"FROM kb_query_counts WHERE day BETWEEN ?3 AND ?4 AND (?6 IS NULL OR source = ?6) GROUP BY 1, 2) "
	"SELECT cur.a, cur.q, cur.n, coalesce(prev.n, 0), (SELECT query FROM kb_query_counts k WHERE "
	"k.article = cur.a AND cur.a <> '' AND k.day BETWEEN ?1 AND ?2 GROUP BY query ORDER BY sum(n) DESC, "
	"query LIMIT 1), (SELECT title FROM kb_articles WHERE id = cur.a) FROM cur LEFT JOIN prev ON "
	"prev.a = cur.a AND prev.q = cur.q ORDER BY cur.n DESC, cur.a, cur.q LIMIT ?5",
    /* N-25: sessions' categories opened in [?3, ?2) with the count in [?1, ?3) (the week before) */
    [R_TOP_CATEGORIES] =
	"SELECT coalesce(category, ''), sum(opened_ms >= ?3), sum(opened_ms < ?3) FROM sessions "
	"WHERE opened_ms >= ?1 AND opened_ms < ?2 GROUP BY 1 HAVING sum(opened_ms >= ?3) > 0 "
	"ORDER BY 2 DESC, 1 LIMIT ?4",
};

struct store_kb {
	sqlite3 *db; /* owned read-only connection */
	sqlite3_stmt *st[R_COUNT]; /* owned */
	struct map df; /* match expression of one phrase → (void *)(df + 1), for data_version */
	unsigned data_version; /* SQLITE_FCNTL_DATA_VERSION when df was filled */
};

int store_kb_open(struct store *s, struct store_kb **out, struct kefu_err *err)
{
	struct store_kb *k = xcalloc(1, sizeof *k);
	map_init(&k->df);
	int r = store__db_open(store__path(s), SQLITE_OPEN_READONLY, &k->db, err);
	/* searches read kb_fts pages all over the index: map the file instead of a read() per page
	 * (as the writer does), and keep more of it cached (best effort: defaults otherwise) */
	if (r == 0)
		sqlite3_exec(k->db, "PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384", NULL, NULL, NULL);
	if (r == 0)
		r = prepare_all(k->db, rstmt_sql, R_COUNT, k->st, err);
	if (r < 0) {
		store_kb_close(k);
		return r;
	}
	*out = k;
	return 0;
}

void store_kb_close(struct store_kb *k)
{
	if (!k)
		return;
	finalize_all(k->st, R_COUNT);
	map_free(&k->df);
	sqlite3_close(k->db);
	free(k);
}

static void bind_filter(sqlite3_stmt *st, const struct store_kb_filter *f)
{
	bind_text(st, 6, f ? f->kind : NULL);
	bind_text(st, 7, f ? f->product : NULL);
	bind_text(st, 8, f ? f->tag : NULL);
}

/* Steps a bound search statement (id, negated score) into hits, at most top; resets it. */
static int collect_hits(struct store_kb *k, sqlite3_stmt *st, int top, struct store_kb_hit *hits, int *n,
			const char *what, struct kefu_err *err)
{
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < top) {
		const char *id = col_text(st, 0);
		snprintf(hits[*n].id, sizeof hits[*n].id, "%s", id ? id : "");
		hits[*n].score = -sqlite3_column_double(st, 1);
		(*n)++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = KEFU_ERR(err, (rc & 0xff) == SQLITE_ERROR ? KEFU_EINVAL : KEFU_ESTORE, "query", "%s: %s",
			     what, sqlite3_errmsg(k->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

int store_kb_search(struct store_kb *k, const char *match, const struct store_kb_filter *f,
		    const struct store_kb_weights *w, int top, struct store_kb_hit *hits, int *n,
		    struct kefu_err *err)
{
	*n = 0;
	bool filtered = f && (f->kind || f->product || f->tag);
	sqlite3_stmt *st = k->st[filtered ? R_SEARCH_FILTERED : R_SEARCH];
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, w->title);
	sqlite3_bind_double(st, 3, w->alternatives);
	sqlite3_bind_double(st, 4, w->body);
	sqlite3_bind_double(st, 5, w->tags);
	if (filtered)
		bind_filter(st, f);
	sqlite3_bind_int(st, 9, top);
	return collect_hits(k, st, top, hits, n, "search", err);
}

int store_kb_article_passes(struct store_kb *k, const char *id, const struct store_kb_filter *f, bool *ok,
			    struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_PASSES];
	bind_text(st, 1, id);
	bind_filter(st, f);
	int rc = sqlite3_step(st);
	*ok = rc == SQLITE_ROW;
	int r = rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? 0
	    : KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(k->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

int store_kb_article_get(struct store_kb *k, const char *id, json_t **out, struct kefu_err *err)
{
	return get_one(k->db, k->st[R_ARTICLE], id, article_row, out, err);
}

static json_t *version_row(sqlite3_stmt *st)
{
	return json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o}", "version", (json_int_t)sqlite3_column_int64(st, 0),
			 "at_ms", (json_int_t)sqlite3_column_int64(st, 1), "who", col_json_str(st, 2), "note",
			 col_json_str(st, 3), "source", col_json_str(st, 4), "contribution",
			 col_json_str(st, 5), "data", col_json_doc(st, 6));
}

static json_t *contrib_row(sqlite3_stmt *st)
{
	json_t *reviewed = sqlite3_column_type(st, 8) == SQLITE_NULL
	    ? json_null()
	    : json_integer((json_int_t)sqlite3_column_int64(st, 8));
	return json_pack("{s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "id", col_json_str(st, 0), "article",
			 col_json_str(st, 1), "proposer", col_json_str(st, 2), "proposed_ms",
			 (json_int_t)sqlite3_column_int64(st, 3), "proposal", col_json_doc(st, 4), "note",
			 col_json_str(st, 5), "state", col_json_str(st, 6), "reviewer", col_json_str(st, 7),
			 "reviewed_ms", reviewed, "review_note", col_json_str(st, 9));
}

/* Collects every row of st (bound by the caller) into a new array. */
static int list_rows(sqlite3 *db, sqlite3_stmt *st, json_t *(*make)(sqlite3_stmt *), json_t **out,
		     struct kefu_err *err)
{
	json_t *arr = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, make(st));
	int r = 0;
	if (rc != SQLITE_DONE) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(db));
		json_decref(arr);
	} else {
		*out = arr;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

int store_kb_article_versions(struct store_kb *k, const char *id, json_t **out, struct kefu_err *err)
{
	bind_text(k->st[R_VERSIONS], 1, id);
	return list_rows(k->db, k->st[R_VERSIONS], version_row, out, err);
}

int store_kb_contribution_get(struct store_kb *k, const char *id, json_t **out, struct kefu_err *err)
{
	return get_one(k->db, k->st[R_CONTRIB], id, contrib_row, out, err);
}

int store_kb_contributions_list(struct store_kb *k, const char *state, int limit, json_t **out,
				struct kefu_err *err)
{
	bind_text(k->st[R_CONTRIBS], 1, state);
	sqlite3_bind_int(k->st[R_CONTRIBS], 2, limit);
	return list_rows(k->db, k->st[R_CONTRIBS], contrib_row, out, err);
}

int store_kb_count(struct store_kb *k, int64_t *out, struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_COUNT_LIVE];
	int rc = sqlite3_step(st);
	int r = 0;
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(k->db));
	sqlite3_reset(st);
	return r;
}

/* Forgets the cached document frequencies when another connection has committed since they were
 * counted (and when the cache grows past a bound). */
static void df_check(struct store_kb *k)
{
	unsigned v = 0;
	sqlite3_file_control(k->db, "main", SQLITE_FCNTL_DATA_VERSION, &v);
	if (v != k->data_version || k->df.len > 200000) {
		map_free(&k->df);
		map_init(&k->df);
		k->data_version = v;
	}
}

int store_kb_df(struct store_kb *k, const char *phrase, int64_t *df, struct kefu_err *err)
{
	df_check(k);
	void *v = map_get(&k->df, phrase);
	if (v) {
		*df = (int64_t)(intptr_t)v - 1;
		return 0;
	}
	sqlite3_stmt *st = k->st[R_DF_PROBE];
	sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, STORE_KB_DF_PROBE);
	int rc = sqlite3_step(st);
	int64_t count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	int64_t last = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW)
		return KEFU_ERR(err, (rc & 0xff) == SQLITE_ERROR ? KEFU_EINVAL : KEFU_ESTORE, "query",
				"df: %s", sqlite3_errmsg(k->db));
	if (count >= STORE_KB_DF_PROBE && last > 0) {
		/* a common phrase: estimate from how far into the rowids its first rows reach */
		st = k->st[R_MAX_SEQ];
		int64_t max = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : last;
		sqlite3_reset(st);
		count = (int64_t)((double)count * (double)max / (double)last);
	}
	map_put(&k->df, phrase, (void *)(intptr_t)(count + 1));
	*df = count;
	return 0;
}

int store_kb_rank(struct store_kb *k, const char *match, const int64_t *df, int nphrase,
		  const struct store_kb_filter *f, const struct store_kb_weights *w, int cap, int top,
		  struct store_kb_hit *hits, int *n, struct kefu_err *err)
{
	*n = 0;
	bool filtered = f && (f->kind || f->product || f->tag);
	sqlite3_stmt *st = k->st[filtered ? R_RANK_FILTERED : R_RANK];
	struct rank_args a = {.df = df, .nphrase = nphrase, .w = *w};
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(st, 2, &a, "kefu_rank", NULL);
	sqlite3_bind_int(st, 3, cap);
	sqlite3_bind_int(st, 4, top);
	if (filtered)
		bind_filter(st, f);
	return collect_hits(k, st, top, hits, n, "rank", err);
}

/* ---- lists, cases, the bot and the weekly report (issue 7) ------------------------------------ */

int store_kb_articles_page(struct store_kb *k, int64_t after_seq, const char *kind, bool deleted, int limit,
			   json_t **out, int64_t *last_seq, struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_LIST];
	sqlite3_bind_int64(st, 1, after_seq);
	bind_text(st, 2, kind);
	sqlite3_bind_int(st, 3, deleted ? 1 : 0);
	sqlite3_bind_int(st, 4, limit);
	json_t *arr = json_array();
	int rc;
	*last_seq = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(arr, article_row(st));
		*last_seq = sqlite3_column_int64(st, 12);
	}
	int r = 0;
	if (rc != SQLITE_DONE) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(k->db));
		json_decref(arr);
	} else {
		*out = arr;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static json_t *case_row(sqlite3_stmt *st)
{
	return json_pack("{s:o,s:o,s:o,s:I,s:I,s:I}", "session", col_json_str(st, 0), "agent",
			 col_json_str(st, 1), "saved_by", col_json_str(st, 2), "at_ms",
			 (json_int_t)sqlite3_column_int64(st, 3), "citations",
			 (json_int_t)sqlite3_column_int64(st, 4), "citations_by_others",
			 (json_int_t)sqlite3_column_int64(st, 5));
}

int store_kb_case_get(struct store_kb *k, const char *article, json_t **out, struct kefu_err *err)
{
	return get_one(k->db, k->st[R_CASE], article, case_row, out, err);
}

int store_kb_cited(struct store_kb *k, const char *article, const char *agent, const char *session, bool *yes,
		   struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_CITED];
	bind_text(st, 1, article);
	bind_text(st, 2, agent);
	bind_text(st, 3, session ? session : "");
	int rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	int r = rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? 0
	    : KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(k->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static json_t *cases_row(sqlite3_stmt *st)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "id", col_json_str(st, 0), "title",
			 col_json_str(st, 1), "session", col_json_str(st, 2), "agent", col_json_str(st, 3),
			 "at_ms", (json_int_t)sqlite3_column_int64(st, 4), "citations",
			 (json_int_t)sqlite3_column_int64(st, 5), "citations_by_others",
			 (json_int_t)sqlite3_column_int64(st, 6));
}

int store_kb_cases_list(struct store_kb *k, int64_t from_ms, int64_t to_ms, const char *agent, int limit,
			json_t **out, struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_CASES];
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	bind_text(st, 3, agent);
	sqlite3_bind_int(st, 4, limit);
	return list_rows(k->db, st, cases_row, out, err);
}

static json_t *handover_row(sqlite3_stmt *st)
{
	return json_pack("{s:I,s:o,s:I}", "at_ms", (json_int_t)sqlite3_column_int64(st, 0), "reason",
			 col_json_str(st, 1), "to_seq", (json_int_t)sqlite3_column_int64(st, 2));
}

int store_kb_handover_get(struct store_kb *k, const char *session, json_t **out, struct kefu_err *err)
{
	return get_one(k->db, k->st[R_HANDOVER], session, handover_row, out, err);
}

static json_t *bot_day_row(sqlite3_stmt *st)
{
	return json_pack("{s:o,s:I,s:I,s:I}", "day", col_json_str(st, 0), "seen",
			 (json_int_t)sqlite3_column_int64(st, 1), "deflected",
			 (json_int_t)sqlite3_column_int64(st, 2), "handed_over",
			 (json_int_t)sqlite3_column_int64(st, 3));
}

int store_kb_bot_days(struct store_kb *k, int64_t from_ms, int64_t to_ms, json_t **out, struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_BOT_DAYS];
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	return list_rows(k->db, st, bot_day_row, out, err);
}

static json_t *top_query_row(sqlite3_stmt *st)
{
	const char *a = col_text(st, 0);
	bool art = a && *a;
	int64_t n = sqlite3_column_int64(st, 2), prev = sqlite3_column_int64(st, 3);
	return json_pack("{s:o,s:o,s:o,s:I,s:I,s:I}", "article", art ? json_string(a) : json_null(), "title",
			 art ? col_json_str(st, 5) : json_null(), "query",
			 art ? col_json_str(st, 4) : col_json_str(st, 1), "count", (json_int_t)n, "previous",
			 (json_int_t)prev, "change", (json_int_t)(n - prev));
}

int store_kb_top_queries(struct store_kb *k, const char *from_day, const char *to_day, const char *prev_from,
			 const char *prev_to, const char *source, int limit, json_t **out,
			 struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_TOP_QUERIES];
	bind_text(st, 1, from_day);
	bind_text(st, 2, to_day);
	bind_text(st, 3, prev_from);
	bind_text(st, 4, prev_to);
	sqlite3_bind_int(st, 5, limit);
	bind_text(st, 6, source);
	return list_rows(k->db, st, top_query_row, out, err);
}

static json_t *top_category_row(sqlite3_stmt *st)
{
	int64_t n = sqlite3_column_int64(st, 1), prev = sqlite3_column_int64(st, 2);
	return json_pack("{s:o,s:I,s:I,s:I}", "category", col_json_str(st, 0), "count", (json_int_t)n,
			 "previous", (json_int_t)prev, "change", (json_int_t)(n - prev));
}

int store_kb_top_categories(struct store_kb *k, int64_t prev_from_ms, int64_t from_ms, int64_t to_ms,
			    int limit, json_t **out, struct kefu_err *err)
{
	sqlite3_stmt *st = k->st[R_TOP_CATEGORIES];
	sqlite3_bind_int64(st, 1, prev_from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	sqlite3_bind_int64(st, 3, from_ms);
	sqlite3_bind_int(st, 4, limit);
	return list_rows(k->db, st, top_category_row, out, err);
}

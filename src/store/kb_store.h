/* kb_store.h — the SQL of the knowledge base (issue 7, SPEC KB-1…KB-6, K-40, K-41): the
 * projections of the kb.* events (docs/events.md) onto kb_articles, kb_article_versions,
 * kb_contributions and kb_citations; the FTS5 glue that registers kefu's tokenizer "kefu" on every
 * connection; a bulk writer that appends a whole import file as events in one transaction; and a
 * read connection for search and lookups. It never builds a query from user text (the FTS5 match
 * expression comes from src/kb/search.c and is bound as a parameter) and never decides a rule. */
#ifndef KEFU_STORE_KB_STORE_H
#define KEFU_STORE_KB_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct store__ev;
struct store_kb; /* a read connection for the knowledge base */
struct store_kb_writer; /* a read-write connection for bulk imports */
struct store_kb_proj; /* the writer thread's kb statements (projection.c) */

enum {
	STORE_KB_ID_MAX = 128, /* bytes of an article or contribution id */
	STORE_KB_PHRASES_MAX = 64, /* phrases kefu_rank scores in one expression */
	STORE_KB_DF_PROBE = 500, /* doclist rows read to count a phrase; more: estimated */
};

/* ---- internal to src/store ------------------------------------------------------------------ */

/* Registers the FTS5 tokenizer "kefu" on db. store__db_open calls it for every connection, before
 * the connection touches kb_fts. Returns 0 or -KEFU_ESTORE. */
int store__kb_register(sqlite3 *db, struct kefu_err *err);

/* The writer thread's statements for the kb.* projections; caller frees with
 * store__kb_proj_free() before closing db. */
int store__kb_proj_new(sqlite3 *db, struct store_kb_proj **out, struct kefu_err *err);
void store__kb_proj_free(struct store_kb_proj *p);
/* Applies the projection of a kb.* event (inside the caller's savepoint). Returns 0,
 * -KEFU_EINVAL (malformed payload), -KEFU_ENOTFOUND (unknown article or contribution),
 * -KEFU_ECONFLICT (a version that does not follow the stored one, a contribution already
 * reviewed) or -KEFU_ESTORE. */
int store__kb_project(struct store_kb_proj *p, const struct store__ev *ev, struct kefu_err *err);

/* ---- bulk writer (kefu kb import) ------------------------------------------------------------ */

/* Opens a read-write connection to the store's database (already migrated by store_open).
 * Returns 0 and *out (caller frees with store_kb_writer_close()) or -KEFU_ESTORE. */
int store_kb_writer_open(struct store *s, struct store_kb_writer **out, struct kefu_err *err);
void store_kb_writer_close(struct store_kb_writer *w);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (safe without a transaction). */
int store_kb_writer_begin(struct store_kb_writer *w, struct kefu_err *err);
int store_kb_writer_commit(struct store_kb_writer *w, struct kefu_err *err);
void store_kb_writer_rollback(struct store_kb_writer *w);
/* Merges kb_fts into one segment (FTS5 'optimize'), outside a transaction: after a bulk import a
 * search then looks each token up once instead of once per segment. Returns 0 or -KEFU_ESTORE. */
int store_kb_writer_optimize(struct store_kb_writer *w, struct kefu_err *err);
/* Appends one kb.* event (events row + projection) inside the open transaction. ev->data is
 * borrowed. ev->at_ms must be resolved (non-zero). Returns as store__kb_project. */
int store_kb_writer_append(struct store_kb_writer *w, const struct store__ev *ev, struct kefu_err *err);
/* The stored article with this id as in store_kb_article_get, read on the writer's connection
 * (sees the open transaction). -KEFU_ENOTFOUND if unknown. *out is a new ref. */
int store_kb_writer_article(struct store_kb_writer *w, const char *id, json_t **out, struct kefu_err *err);

/* ---- reads ------------------------------------------------------------------------------------ */

/* Opens a read-only connection with its statements prepared. One per thread. Returns 0 and *out
 * (caller frees with store_kb_close()) or -KEFU_ESTORE. */
int store_kb_open(struct store *s, struct store_kb **out, struct kefu_err *err);
void store_kb_close(struct store_kb *k);

/* Search filters; NULL fields do not filter. Strings borrowed for the call. */
struct store_kb_filter {
	const char *kind; /* faq|manual|script|risk|case */
	const char *product;
	const char *tag;
};

/* Field weights of the BM25 ranking (title, alternatives, body, tags). */
struct store_kb_weights {
	double title;
	double alternatives;
	double body;
	double tags;
};

/* One search hit. */
struct store_kb_hit {
	char id[STORE_KB_ID_MAX + 1]; /* article id */
	double score; /* -bm25: higher is better */
};

/* Runs the FTS5 match expression `match` (kb_fts syntax; built by src/kb from tokens, never raw
 * user text) with BM25 weighted by w, keeps articles that pass f, and fills hits[0..*n) best first,
 * *n <= top. Returns 0, -KEFU_EINVAL for a malformed expression, or -KEFU_ESTORE. */
int store_kb_search(struct store_kb *k, const char *match, const struct store_kb_filter *f,
		    const struct store_kb_weights *w, int top, struct store_kb_hit *hits, int *n,
		    struct kefu_err *err);

/* The document frequency of one phrase (a match expression of a single token, built by src/kb):
 * exact up to STORE_KB_DF_PROBE, above it estimated from the rowid its STORE_KB_DF_PROBE-th row
 * reaches (rowids follow import order). Cached per connection until another connection commits, so
 * a token costs at most one bounded doclist read. Returns 0, -KEFU_EINVAL or -KEFU_ESTORE. */
int store_kb_df(struct store_kb *k, const char *phrase, int64_t *df, struct kefu_err *err);

/* Ranks the first `cap` rows (in rowid order) that match `match` — a kb_fts expression built by
 * src/kb — with kefu_rank (BM25 weighted by w, phrase i's document frequency df[i], i < nphrase,
 * nphrase <= STORE_KB_PHRASES_MAX), keeps those that pass f, and fills hits[0..*n) best first,
 * *n <= top. The cap bounds the work of a query whatever its tokens. Returns as store_kb_search. */
int store_kb_rank(struct store_kb *k, const char *match, const int64_t *df, int nphrase,
		  const struct store_kb_filter *f, const struct store_kb_weights *w, int cap, int top,
		  struct store_kb_hit *hits, int *n, struct kefu_err *err);

/* True in *ok when the live (not deleted) article id exists and passes f. */
int store_kb_article_passes(struct store_kb *k, const char *id, const struct store_kb_filter *f, bool *ok,
			    struct kefu_err *err);

/* The current version of an article: {"id","kind","title","body","alternatives":[…],"tags":[…],
 * "product"|null,"version","author"|null,"updated_ms","updated_by"|null,"deleted":bool}.
 * -KEFU_ENOTFOUND if unknown. *out is a new ref. */
int store_kb_article_get(struct store_kb *k, const char *id, json_t **out, struct kefu_err *err);

/* The versions of an article, oldest first: [{"version","at_ms","who","note","source",
 * "contribution","data":{…}}]. Empty array for an unknown id. *out is a new ref. */
int store_kb_article_versions(struct store_kb *k, const char *id, json_t **out, struct kefu_err *err);

/* A contribution: {"id","article","proposer","proposed_ms","proposal":{…},"note","state",
 * "reviewer","reviewed_ms","review_note"}. -KEFU_ENOTFOUND if unknown. */
int store_kb_contribution_get(struct store_kb *k, const char *id, json_t **out, struct kefu_err *err);
/* Contributions in a state (NULL = all), oldest first, at most limit. */
int store_kb_contributions_list(struct store_kb *k, const char *state, int limit, json_t **out,
				struct kefu_err *err);

/* Number of live articles. */
int store_kb_count(struct store_kb *k, int64_t *out, struct kefu_err *err);

/* Articles with seq > after_seq in seq (creation) order, at most limit, as store_kb_article_get;
 * kind NULL = all; deleted: include retired ones. *last_seq: the last row's seq (0 when none). */
int store_kb_articles_page(struct store_kb *k, int64_t after_seq, const char *kind, bool deleted, int limit,
			   json_t **out, int64_t *last_seq, struct kefu_err *err);

/* A case's source (KB-1, KB-5): {"session","agent","saved_by","at_ms","citations",
 * "citations_by_others"}; -KEFU_ENOTFOUND when the article was not saved from a chat. */
int store_kb_case_get(struct store_kb *k, const char *article, json_t **out, struct kefu_err *err);
/* True in *yes when agent already cited article in session ("" / NULL: outside a session). */
int store_kb_cited(struct store_kb *k, const char *article, const char *agent, const char *session, bool *yes,
		   struct kefu_err *err);
/* K-41: live cases (newest first, at most limit; agent NULL = all owners) with their citations in
 * [from_ms, to_ms): [{"id","title","session","agent","at_ms","citations","citations_by_others"}]. */
int store_kb_cases_list(struct store_kb *k, int64_t from_ms, int64_t to_ms, const char *agent, int limit,
			json_t **out, struct kefu_err *err);
/* KB-6: the bot's hand-over of a session: {"at_ms","reason":"asked|unsure","to_seq"};
 * -KEFU_ENOTFOUND when there was none. */
int store_kb_handover_get(struct store_kb *k, const char *session, json_t **out, struct kefu_err *err);
/* KB-6: per day (+08:00) of the sessions opened in [from_ms, to_ms) that the bot saw:
 * [{"day","seen","deflected","handed_over"}], days in order, days without any left out. */
int store_kb_bot_days(struct store_kb *k, int64_t from_ms, int64_t to_ms, json_t **out, struct kefu_err *err);
/* N-25: the most frequent query clusters (matched article, else normalised query) of the days
 * [from_day, to_day] (YYYY-MM-DD, +08:00), with their count in [prev_from, prev_to]; source NULL =
 * bot and agent: [{"article"|null,"title"|null,"query","count","previous","change"}]. */
int store_kb_top_queries(struct store_kb *k, const char *from_day, const char *to_day, const char *prev_from,
			 const char *prev_to, const char *source, int limit, json_t **out,
			 struct kefu_err *err);
/* N-25: sessions' categories opened in [from_ms, to_ms) with the count of [prev_from_ms, from_ms):
 * [{"category","count","previous","change"}], most frequent first. */
int store_kb_top_categories(struct store_kb *k, int64_t prev_from_ms, int64_t from_ms, int64_t to_ms,
			    int limit, json_t **out, struct kefu_err *err);

#endif

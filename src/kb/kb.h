/* kb.h — the knowledge base's rules (issue 7, SPEC KB-1…KB-6): search over the store's kb_fts with
 * kefu's tokenizer, synonyms and keyword-combination triggers loaded from data/kb as data (policy is
 * data: parsed and validated once, then read-only), and `kefu kb import` of JSON Lines articles.
 * SQL stays in src/store (kb_store.h); this module never prints or exits. A `struct kb_config` is
 * immutable after load and may be shared by threads; each thread searches through its own
 * `struct store_kb`. */
#ifndef KEFU_KB_KB_H
#define KEFU_KB_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/kb_store.h"

struct store;
struct kb_config;

enum {
	KB_QUERY_MAX = 4096, /* bytes of a query considered; the rest is ignored */
	KB_QUERY_TOKENS_MAX = 64, /* distinct tokens (incl. synonyms) in one match expression */
	KB_TOP_MAX = 100, /* largest --top */
	KB_LINE_MAX = 1 << 20, /* bytes of one import line */
	KB_TEXT_MAX = 64 * 1024, /* bytes of a title, body or alternative */
	KB_LIST_MAX = 64, /* entries of alternatives or tags */
	KB_RANK_CAP = 250, /* rows one search step ranks at most (rowid order beyond) */
	KB_OPTIMIZE_MIN = 1000, /* articles one import must add before kb_fts is merged */
	KB_AND_DF_MAX = 1000, /* tokens in more articles are left out of the all-tokens step */
	KB_OR_BUDGET = 250, /* summed document frequency of the tokens the OR step may use */
	KB_DIFF_CELLS = 4000000, /* LCS table cells a diff may use; beyond, the middle is replaced whole */
	KB_NORM_MAX = 200, /* bytes of a normalised query kept for the weekly list (N-25) */
};

#define KB_DEFAULT_DIR "data/kb"

/* Loads synonyms.txt and triggers.tsv from dir (a missing file is empty; see data/kb/README.md for
 * the formats). Returns 0 and *out (caller frees with kb_config_free()) or -KEFU_EINVAL with err
 * naming file:line, or -KEFU_EIO. dir NULL: an empty configuration. */
int kb_config_load(const char *dir, struct kb_config **out, struct kefu_err *err);
void kb_config_free(struct kb_config *c);
/* Field weights in force (defaults: title 10, alternatives 8, body 1, tags 3). */
const struct store_kb_weights *kb_config_weights(const struct kb_config *c);
/* Replaces the weights (evaluation and tests). */
void kb_config_set_weights(struct kb_config *c, const struct store_kb_weights *w);

/* One search result. */
struct kb_hit {
	char id[STORE_KB_ID_MAX + 1];
	double score; /* higher is better */
	bool trigger; /* placed first by a keyword-combination trigger (KB-2) */
};

/* Searches query[0..len): the triggers whose keyword combination the query contains come first (in
 * file order, if their article exists and passes f), then BM25 results over the query's tokens and
 * their synonyms. Fills hits[0..*n), *n <= top <= KB_TOP_MAX, best first. f may be NULL. Returns 0
 * or a negative code. */
int kb_search(const struct kb_config *c, struct store_kb *k, const char *query, size_t len,
	      const struct store_kb_filter *f, int top, struct kb_hit *hits, int *n, struct kefu_err *err);

/* Builds the FTS5 match expression for query (its tokens and synonyms) into out (NUL-terminated);
 * returns the number of tokens (0: nothing to search). For tests and the evaluation. */
int kb_query_build(const struct kb_config *c, const char *query, size_t len, struct buf *out);

/* ---- import (kefu kb import, DESIGN §5.4) ---------------------------------------------------- */

struct kb_import_stats {
	int64_t lines; /* articles read */
	int64_t stored; /* new articles (an event appended) */
	int64_t same; /* identical to the stored version: nothing done */
};

/* Validates data[0..len) (named name in messages) completely, then stores every new article as a
 * kb.article_saved event (version 1, source "import") in one transaction. Any error stores
 * nothing: -KEFU_EINVAL with err->msg "NAME:LINE: field 'F': reason" and err->field F. An id
 * already stored (or earlier in the file) with different content is an error; the same content is
 * a no-op, so importing a file twice changes nothing. */
int kb_import_buffer(struct store_kb_writer *w, const char *name, const char *data, size_t len,
		     struct kb_import_stats *st, struct kefu_err *err);
/* Reads the file and imports it (Markdown when its name ends in .md or .markdown, else JSON
 * Lines); -KEFU_EIO when it cannot be read. */
int kb_import_file(struct store_kb_writer *w, const char *path, struct kb_import_stats *st,
		   struct kefu_err *err);

/* Markdown (docs/kb.md "Markdown"): the same articles, validated and stored as kb_import_buffer;
 * errors name the Markdown line. */
int kb_import_markdown(struct store_kb_writer *w, const char *name, const char *data, size_t len,
		       struct kb_import_stats *st, struct kefu_err *err);

/* ---- export, diff, the weekly list (issue 7) -------------------------------------------------- */

enum kb_format { KB_FORMAT_JSONL, KB_FORMAT_MARKDOWN };

/* Writes every live article (creation order) to out: JSON Lines exactly as `kefu kb import` reads
 * them (DESIGN §5.4), or one Markdown document that kb_import_markdown reads back. Returns 0 or
 * -KEFU_ESTORE; *count (may be NULL) the articles written. */
int kb_export(struct store_kb *k, enum kb_format f, struct buf *out, int64_t *count, struct kefu_err *err);

/* The difference from a[0..an) to b[0..bn) over lines (lines true) or UTF-8 characters, as runs
 * [{"op":"=|-|+","text"}] in order (new ref): "=" kept, "-" only in a, "+" only in b. Joining the
 * "=" and "-" texts gives a, the "=" and "+" texts b. */
json_t *kb_diff(const char *a, size_t an, const char *b, size_t bn, bool lines);

/* N-25: a query as counted in the weekly list: ASCII lower-cased, full-width forms folded, spaces,
 * punctuation and symbols dropped, at most KB_NORM_MAX bytes (whole characters). Writes a
 * NUL-terminated string to out (cap > KB_NORM_MAX) and returns its length (0: nothing left). */
size_t kb_normalise_query(const char *q, size_t len, char *out, size_t cap);

/* An ISO week "2026-W47": its Monday 00:00 +08:00 as ms in *from_ms and the next Monday in *to_ms,
 * the days "YYYY-MM-DD" of its Monday and Sunday in mon/sun (11 bytes each). -KEFU_EINVAL if bad. */
int kb_week_parse(const char *week, int64_t *from_ms, int64_t *to_ms, char *mon, char *sun,
		  struct kefu_err *err);
/* The ISO week ("2026-W47", 9+ bytes) that holds the instant ms at +08:00. */
void kb_week_of(int64_t ms, char *out, size_t cap);

/* N-25: the weekly list of high-frequency questions of `week` ("2026-W47"): {"week","from","to"
 * (its Monday and Sunday),"previous_week","queries":[…top clusters of bot queries and agent
 * searches, store_kb_top_queries],"categories":[…sessions' categories, store_kb_top_categories]},
 * each with the week before's count and the change. -KEFU_EINVAL for a bad week. */
int kb_report_week(struct store_kb *k, const char *week, int top, json_t **out, struct kefu_err *err);

/* KB-1, KB-5: a chat's messages (as store_session_messages) as a case's text: one line per
 * customer, agent and bot message ("客户：", "客服：", "机器人："), system messages left out, every
 * text with its PII masked by g (C-07). Appends to out; returns 0 or guard_mask's error. */
struct guard;
int kb_case_text(const struct guard *g, json_t *msgs, struct buf *out, struct kefu_err *err);

/* KB-6: of the sessions opened in [from_ms, to_ms) that the bot saw, those it answered alone
 * (deflected) and those it handed to a human, per day (+08:00) or ISO week:
 * {"by":"day|week","rows":[{"period","seen","deflected","handed_over","deflection_rate",
 * "handover_rate"}],"total":{…}}. */
int kb_bot_rates(struct store_kb *k, int64_t from_ms, int64_t to_ms, bool weekly, json_t **out,
		 struct kefu_err *err);

#endif

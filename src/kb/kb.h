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
/* Reads the file and imports it; -KEFU_EIO when it cannot be read. */
int kb_import_file(struct store_kb_writer *w, const char *path, struct kb_import_stats *st,
		   struct kefu_err *err);

#endif

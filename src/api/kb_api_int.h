/* kb_api_int.h — what the knowledge-base route files share (src/api/kb_api.c: search, articles,
 * contributions, suggestions, the bot; src/api/kb_ops_api.c: article edits, cases and citations,
 * export, hand-over notes, bot rates and the weekly list). Internal to src/api. */
#ifndef KEFU_API_KB_API_INT_H
#define KEFU_API_KB_API_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/map.h"

struct kb_api {
	struct store_kb *reads; /* the loop thread's kb read connection (owned) */
	struct kb_config *config; /* synonyms, triggers, weights (owned) */
	struct map reviewing; /* article id → (void *)1 while an accepted review is being stored */
	struct guard_scratch *scratch; /* kb_api__mask's, bound to the guard in force on use (owned) */
};

/* Rewrites the instants "<x>_ms" of v (recursively) as "<x>_at" ("at_ms" as "at"), RFC 3339. */
void kb_api__times_out(json_t *v);
/* True for faq|manual|script|risk|case. */
bool kb_api__kind_valid(const char *k);
/* Checks a string array field (alternatives, tags); absent is fine. */
int kb_api__check_list(json_t *v, const char *field, struct kefu_err *err);
/* text with its PII masked by the guard in force (C-07), a new string the caller frees; NULL when
 * no guard is loaded or masking failed (then the text must not be used). */
char *kb_api__mask(struct app *a, const char *text, size_t len);
/* N-25: counts a query (PII masked, then normalised; customer text stays out of logs) as
 * kb.query_logged; nothing is counted when it cannot be masked. */
void kb_api__log_query(struct app *a, const char *source, const char *q, size_t len, const char *article);

#endif

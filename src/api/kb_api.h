/* kb_api.h — the knowledge-base routes (src/api/kb_api.c, docs/api.md "Knowledge base") and the
 * knowledge base's life in `kefu serve`: kb_api_start loads data/kb (synonyms, triggers) and opens
 * the loop thread's kb read connection, which the routes, the workbench suggestions and the FAQ bot
 * share; kb_api_free closes it (before the store closes). Loop thread only. */
#ifndef KEFU_API_KB_API_H
#define KEFU_API_KB_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/app.h"
#include "base/err.h"

struct kb_api;

enum {
	KB_API_SUGGEST_TOP = 3, /* suggestions pushed to the serving agent (KB-3) */
};

/* dir: the kb data directory (NULL: KB_DEFAULT_DIR). Returns 0 (a->kb set) or a negative code. */
int kb_api_start(struct app *a, const char *dir, struct kefu_err *err);
void kb_api_free(struct app *a);

/* KB-3: the best `top` articles for a customer's message as [{"id","title","body","score"}]
 * (new ref; empty when nothing matches or the kb is not available). Runs the search on the loop
 * thread's connection: bounded by the search's candidate cap. */
json_t *kb_api_suggest(struct app *a, const char *text, size_t len, int top);

/* KB-6, N-21: the answer of the FAQ whose match is confident enough for the bot to send it, or
 * NULL (caller frees the string). Confident: the first hit is an FAQ placed by a trigger, or its
 * score is at least KB_BOT_MIN_SCORE and clearly above the second hit's. */
char *kb_api_bot_answer(struct app *a, const char *text, size_t len, bool *unsure);

/* /api/v1/kb… (docs/api.md) */
void api_kb_search(struct http_req *req, void *app);
void api_kb_article(struct http_req *req, void *app);
void api_kb_contributions_list(struct http_req *req, void *app);
void api_kb_contribute(struct http_req *req, void *app);
void api_kb_review(struct http_req *req, void *app);
/* src/api/kb_ops_api.c */
void api_kb_articles_list(struct http_req *req, void *app);
void api_kb_article_create(struct http_req *req, void *app);
void api_kb_article_update(struct http_req *req, void *app);
void api_kb_article_retire(struct http_req *req, void *app);
void api_kb_article_diff(struct http_req *req, void *app);
void api_kb_export(struct http_req *req, void *app);
void api_kb_case_create(struct http_req *req, void *app);
void api_kb_cases_list(struct http_req *req, void *app);
void api_kb_cite(struct http_req *req, void *app);
void api_kb_handover(struct http_req *req, void *app);
void api_kb_bot_rates(struct http_req *req, void *app);
void api_kb_report(struct http_req *req, void *app);

#endif

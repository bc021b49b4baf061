/* kb_api.c — the knowledge-base routes (issue 7, KB-1…KB-6, K-40): search, an article with its
 * versions, contributions proposed by agents and reviewed by supervisors (an accepted one becomes
 * the article's next version), plus the loop thread's search for the workbench suggestions and the
 * FAQ bot. Handlers parse, call src/kb or the kb reads, and append kb.* events; the version rule
 * and the projections are src/store's, ranking src/kb's. Loop thread only. */
#include "api/kb_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/kb_api_int.h"
#include "base/clock.h"
#include "base/map.h"
#include "base/mem.h"
#include "base/rand.h"
#include "guard/guard.h"
#include "kb/kb.h"
#include "store/kb_store.h"
#include "store/store.h"

enum {
	SEARCH_TOP_MAX = 20, /* largest ?top= */
	LIST_MAX = 200, /* contributions listed at most */
	NOTE_MAX = 1000, /* bytes of a contribution or review note */
	OUT_OFFSET_MIN = 480, /* times leave at +08:00 */
};

#define KB_BOT_MIN_SCORE 6.0 /* KB-6: first hit's score the bot needs (with a clear lead) */
#define KB_BOT_LEAD 1.5 /* … and at least this many times the second hit's score */

int kb_api_start(struct app *a, const char *dir, struct kefu_err *err)
{
	struct kb_api *k = xcalloc(1, sizeof *k);
	map_init(&k->reviewing);
	k->scratch = guard_scratch_new(NULL);
	int r = kb_config_load(dir ? dir : KB_DEFAULT_DIR, &k->config, err);
	if (r == 0)
		r = store_kb_open(a->store, &k->reads, err);
	if (r < 0) {
		kb_config_free(k->config);
		map_free(&k->reviewing);
		guard_scratch_free(k->scratch);
		free(k);
		return r;
	}
	a->kb = k;
	return 0;
}

void kb_api_free(struct app *a)
{
	struct kb_api *k = a->kb;
	if (!k)
		return;
	store_kb_close(k->reads);
	kb_config_free(k->config);
	map_free(&k->reviewing);
	guard_scratch_free(k->scratch);
	free(k);
	a->kb = NULL;
}

/* ---- helpers -------------------------------------------------------------------------------- */

void kb_api__times_out(json_t *v)
{
	static const char *const keys[] = {"at_ms", "updated_ms", "proposed_ms", "reviewed_ms", NULL};
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) kb_api__times_out(x);
		return;
	}
	if (!json_is_object(v))
		return;
	for (int k = 0; keys[k]; k++) {
		json_t *x = json_object_get(v, keys[k]);
		if (!x)
			continue;
		char name[32], at[48];
		snprintf(name, sizeof name, "%s", keys[k]);
		if (strcmp(keys[k], "at_ms") == 0)
			snprintf(name, sizeof name, "at");
		else
			memcpy(name + strlen(name) - 2, "at", 3);
		if (json_is_integer(x)) {
			clock_format_rfc3339(json_integer_value(x), OUT_OFFSET_MIN, at, sizeof at);
			json_object_set_new(v, name, json_string(at));
		} else {
			json_object_set_new(v, name, json_null());
		}
		json_object_del(v, keys[k]);
	}
	const char *key;
	json_t *x;
	json_object_foreach(v, key, x) if (json_is_object(x) || json_is_array(x)) kb_api__times_out(x);
}

bool kb_api__kind_valid(const char *k)
{
	static const char *const kinds[] = {"faq", "manual", "script", "risk", "case"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (k && strcmp(k, kinds[i]) == 0)
			return true;
	return false;
}

/* Runs a search; hits as [{"id","kind","title","body","score","trigger"}] (new ref). */
static int search_json(struct kb_api *k, const char *q, size_t len, const struct store_kb_filter *f, int top,
		       json_t **out, struct kefu_err *err)
{
	struct kb_hit hits[KB_TOP_MAX];
	int n = 0;
	int r = kb_search(k->config, k->reads, q, len, f, top, hits, &n, err);
	if (r < 0)
		return r;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *art = NULL;
		if (store_kb_article_get(k->reads, hits[i].id, &art, NULL) < 0)
			continue;
		json_array_append_new(arr,
				      json_pack("{s:s,s:O,s:O,s:O,s:f,s:b}", "id", hits[i].id, "kind",
						json_object_get(art, "kind"), "title",
						json_object_get(art, "title"), "body",
						json_object_get(art, "body"), "score", hits[i].score,
						"trigger", hits[i].trigger));
		json_decref(art);
	}
	*out = arr;
	return 0;
}

json_t *kb_api_suggest(struct app *a, const char *text, size_t len, int top)
{
	json_t *hits = NULL, *out = json_array();
	if (!a->kb || search_json(a->kb, text, len, NULL, top, &hits, NULL) < 0)
		return out;
	size_t i;
	json_t *h;
	json_array_foreach(hits, i, h)
	{
		json_array_append_new(
		    out,
		    json_pack("{s:O,s:O,s:O,s:O,s:O}", "id", json_object_get(h, "id"), "kind",
			      json_object_get(h, "kind"), "title", json_object_get(h, "title"), "body",
			      json_object_get(h, "body"), "score", json_object_get(h, "score")));
	}
	json_decref(hits);
	return out;
}

char *kb_api__mask(struct app *a, const char *text, size_t len)
{
	struct guard *g = a->guard ? guard_slot_get(a->guard) : NULL;
	char *masked = NULL;
	if (g && a->kb && guard_mask(g, a->kb->scratch, text, len, &masked, NULL) < 0)
		masked = NULL;
	guard_unref(g);
	return masked;
}

void kb_api__log_query(struct app *a, const char *source, const char *q, size_t len, const char *article)
{
	char norm[KB_NORM_MAX + 1];
	/* C-07: a question may hold a phone number, an ID or an address; the weekly list (and the
	 * event behind it) keep only the masked form */
	char *masked = kb_api__mask(a, q, len);
	size_t n = masked ? kb_normalise_query(masked, strlen(masked), norm, sizeof norm) : 0;
	free(masked);
	if (n == 0)
		return;
	json_t *data = json_pack("{s:s,s:s}", "source", source, "query", norm);
	json_object_set_new(data, "article", article ? json_string(article) : json_null());
	struct store_event ev = {.type = "kb.query_logged", .data = data};
	store_append(a->store, &ev, NULL, NULL); /* best effort: a full queue only loses a count */
}

char *kb_api_bot_answer(struct app *a, const char *text, size_t len, bool *unsure)
{
	struct kb_hit hits[2];
	int n = 0;
	struct store_kb_filter f = {.kind = "faq"};
	*unsure = false;
	if (!a->kb || kb_search(a->kb->config, a->kb->reads, text, len, &f, 2, hits, &n, NULL) < 0)
		return NULL;
	int64_t live = 0;
	if (n == 0) { /* the bot is on only when the knowledge base has articles */
		*unsure = store_kb_count(a->kb->reads, &live, NULL) == 0 && live > 0;
		if (*unsure)
			kb_api__log_query(a, "bot", text, len, NULL);
		return NULL;
	}
	kb_api__log_query(a, "bot", text, len, hits[0].id);
	bool sure = hits[0].trigger ||
	    (hits[0].score >= KB_BOT_MIN_SCORE && (n < 2 || hits[0].score >= KB_BOT_LEAD * hits[1].score));
	if (!sure) {
		*unsure = true;
		return NULL;
	}
	json_t *art = NULL;
	if (store_kb_article_get(a->kb->reads, hits[0].id, &art, NULL) < 0)
		return NULL;
	const char *body = json_string_value(json_object_get(art, "body"));
	char *answer = body && *body ? xstrdup(body) : NULL;
	json_decref(art);
	*unsure = answer == NULL;
	return answer;
}

/* ---- search and articles -------------------------------------------------------------------- */

/* GET /api/v1/kb/search?q=&top=&kind=&product=&tag= */
void api_kb_search(struct http_req *req, void *appv)
{
	struct app *a = appv;
	if (!a->kb)
		return api_reply_code(req, -KEFU_ECLOSED, "the knowledge base is not available", NULL);
	const char *q = http_req_query(req, "q");
	const char *top_s = http_req_query(req, "top");
	struct store_kb_filter f = {http_req_query(req, "kind"), http_req_query(req, "product"),
				    http_req_query(req, "tag")};
	if (!q || !*q || strlen(q) > KB_QUERY_MAX)
		return api_reply_code(req, -KEFU_EINVAL, "q is 1..4096 bytes", "q");
	int top = 5;
	if (top_s) {
		char *end = NULL;
		long t = strtol(top_s, &end, 10);
		if (!*top_s || *end || t < 1 || t > SEARCH_TOP_MAX)
			return api_reply_code(req, -KEFU_EINVAL, "top is 1..20", "top");
		top = (int)t;
	}
	if (f.kind && !kb_api__kind_valid(f.kind))
		return api_reply_code(req, -KEFU_EINVAL, "kind is faq|manual|script|risk|case", "kind");
	json_t *hits = NULL;
	struct kefu_err err = {0};
	if (search_json(a->kb, q, strlen(q), &f, top, &hits, &err) < 0)
		return api_reply_err(req, &err);
	const struct principal *p = http_req_user(req);
	if (p && p->role != ROLE_QA) /* N-25: what agents look up (QA audits are not questions) */
		kb_api__log_query(a, "agent", q, strlen(q),
				  json_string_value(json_object_get(json_array_get(hits, 0), "id")));
	http_reply_json(req, 200, json_pack("{s:s,s:o}", "query", q, "hits", hits), NULL);
}

/* GET /api/v1/kb/articles/:id → {"article":{…},"versions":[…]} */
void api_kb_article(struct http_req *req, void *appv)
{
	struct app *a = appv;
	if (!a->kb)
		return api_reply_code(req, -KEFU_ECLOSED, "the knowledge base is not available", NULL);
	const char *id = http_req_param(req, "id");
	json_t *art = NULL, *versions = NULL;
	struct kefu_err err = {0};
	if (!id || strlen(id) > STORE_KB_ID_MAX)
		return api_reply_code(req, -KEFU_ENOTFOUND, "unknown article", "id");
	if (store_kb_article_get(a->kb->reads, id, &art, &err) < 0)
		return api_reply_err(req, &err);
	if (store_kb_article_versions(a->kb->reads, id, &versions, &err) < 0) {
		json_decref(art);
		return api_reply_err(req, &err);
	}
	json_t *out = json_pack("{s:o,s:o}", "article", art, "versions", versions);
	json_t *cs = NULL;
	if (store_kb_case_get(a->kb->reads, id, &cs, NULL) == 0) /* KB-5: source chat and citations */
		json_object_set_new(out, "case", cs);
	kb_api__times_out(out);
	http_reply_json(req, 200, out, NULL);
}

/* ---- contributions (KB-4, K-40) ----------------------------------------------------------- */

/* GET /api/v1/kb/contributions?state=pending|accepted|rejected */
void api_kb_contributions_list(struct http_req *req, void *appv)
{
	struct app *a = appv;
	if (!a->kb)
		return api_reply_code(req, -KEFU_ECLOSED, "the knowledge base is not available", NULL);
	const char *state = http_req_query(req, "state");
	if (state && strcmp(state, "pending") != 0 && strcmp(state, "accepted") != 0 &&
	    strcmp(state, "rejected") != 0)
		return api_reply_code(req, -KEFU_EINVAL, "state is pending|accepted|rejected", "state");
	json_t *list = NULL;
	struct kefu_err err = {0};
	if (store_kb_contributions_list(a->kb->reads, state, LIST_MAX, &list, &err) < 0)
		return api_reply_err(req, &err);
	kb_api__times_out(list);
	http_reply_json(req, 200, json_pack("{s:o}", "contributions", list), NULL);
}

/* Reply sent once the operation's events committed. */
struct kb_pending {
	struct http_req *req;
	struct app *app;
	char contribution[STORE_KB_ID_MAX + 1]; /* the contribution */
	char article[STORE_KB_ID_MAX + 1]; /* accepted: the article that gets the new version */
	json_t *proposal; /* accepted: the proposed content (owned) */
	char *note; /* accepted: the version's note (owned) */
	char reviewer[80]; /* accepted: who accepted */
	int status; /* HTTP status on success */
};

static void kb_pending_free(struct kb_pending *pd)
{
	if (pd->article[0] && pd->proposal)
		map_del(&pd->app->kb->reviewing, pd->article); /* the article is free for the next review */
	json_decref(pd->proposal);
	free(pd->note);
	free(pd);
}

/* Replies with the contribution (and its article when accepted) as stored now. */
static void reply_contribution(struct kb_pending *pd)
{
	struct kb_api *k = pd->app->kb;
	json_t *c = NULL, *art = NULL;
	if (store_kb_contribution_get(k->reads, pd->contribution, &c, NULL) < 0)
		c = json_pack("{s:s}", "id", pd->contribution);
	json_t *out = json_pack("{s:o}", "contribution", c);
	if (pd->article[0] && store_kb_article_get(k->reads, pd->article, &art, NULL) == 0)
		json_object_set_new(out, "article", art);
	kb_api__times_out(out);
	http_reply_json(pd->req, pd->status, out, NULL);
}

static void done_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct kb_pending *pd = arg;
	(void)event_id;
	if (status < 0)
		api_reply_code(pd->req, status, err && err->msg[0] ? err->msg : "could not record the change",
			       err ? err->field : NULL);
	else
		reply_contribution(pd);
	kb_pending_free(pd);
}

/* The review committed: an accepted contribution becomes the article's next version. */
static void reviewed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct kb_pending *pd = arg;
	if (status < 0 || !pd->proposal)
		return done_cb(arg, status, event_id, err);
	struct kb_api *k = pd->app->kb;
	json_t *cur = NULL;
	int64_t version = 1;
	if (store_kb_article_get(k->reads, pd->article, &cur, NULL) == 0) {
		version = json_integer_value(json_object_get(cur, "version")) + 1;
		json_decref(cur);
	}
	json_t *data = json_deep_copy(pd->proposal);
	json_object_set_new(data, "id", json_string(pd->article));
	json_object_set_new(data, "version", json_integer(version));
	json_object_set_new(data, "note", json_string(pd->note ? pd->note : ""));
	json_object_set_new(data, "source", json_string("contribution"));
	json_object_set_new(data, "contribution", json_string(pd->contribution));
	json_object_set_new(data, "deleted", json_false());
	struct store_event ev = {.type = "kb.article_saved", .actor = pd->reviewer, .data = data};
	int r = store_append(pd->app->store, &ev, done_cb, pd);
	if (r < 0) {
		api_reply_code(pd->req, r, "the review is recorded but the new version could not be stored",
			       NULL);
		kb_pending_free(pd);
	}
}

int kb_api__check_list(json_t *v, const char *field, struct kefu_err *err)
{
	if (!v)
		return 0;
	if (json_array_size(v) > KB_LIST_MAX)
		return KEFU_ERR(err, KEFU_EINVAL, field, "at most %d entries", KB_LIST_MAX);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || json_string_length(e) == 0 || json_string_length(e) > KB_TEXT_MAX)
			return KEFU_ERR(err, KEFU_EINVAL, field, "entries are non-empty strings");
	}
	return 0;
}

/* POST /api/v1/kb/contributions {"article"?, "kind"?, "title"?, "body"?, "alternatives"?, "tags"?,
 * "product"?, "note"?}: a change to an article (fields not given keep the current ones) or, without
 * "article", a new one (kind, title and body required). */
void api_kb_contribute(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"article", JIN_STRING, false, STORE_KB_ID_MAX},
	    {"kind", JIN_STRING, false, 16},
	    {"title", JIN_STRING, false, KB_TEXT_MAX},
	    {"body", JIN_STRING, false, KB_TEXT_MAX},
	    {"alternatives", JIN_ARRAY, false, 0},
	    {"tags", JIN_ARRAY, false, 0},
	    {"product", JIN_STRING, false, 128},
	    {"note", JIN_STRING, false, NOTE_MAX},
	};
	if (!a->kb)
		return api_reply_code(req, -KEFU_ECLOSED, "the knowledge base is not available", NULL);
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *article = json_in_str(body, "article");
	json_t *prop = NULL;
	if (article) {
		json_t *cur = NULL;
		if (store_kb_article_get(a->kb->reads, article, &cur, &err) < 0) {
			json_decref(body);
			return api_reply_code(req, -KEFU_ENOTFOUND, "unknown article", "article");
		}
		prop = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "kind", json_object_get(cur, "kind"), "title",
				 json_object_get(cur, "title"), "body", json_object_get(cur, "body"),
				 "alternatives", json_object_get(cur, "alternatives"), "tags",
				 json_object_get(cur, "tags"), "product", json_object_get(cur, "product"));
		json_decref(cur);
	} else {
		if (!json_in_str(body, "kind") || !json_in_str(body, "title") || !json_in_str(body, "body")) {
			json_decref(body);
			return api_reply_code(req, -KEFU_EINVAL, "a new article needs kind, title and body",
					      !json_in_str(body, "kind")	? "kind"
						  : !json_in_str(body, "title") ? "title"
										: "body");
		}
		prop = json_pack("{s:[],s:[],s:n}", "alternatives", "tags", "product");
	}
	static const char *const fields[] = {"kind", "title", "body", "alternatives", "tags", "product"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		json_t *v = json_object_get(body, fields[i]);
		if (v && !json_is_null(v))
			json_object_set(prop, fields[i], v);
	}
	const char *kind = json_string_value(json_object_get(prop, "kind"));
	const char *title = json_string_value(json_object_get(prop, "title"));
	int r = 0;
	if (!kb_api__kind_valid(kind))
		r = KEFU_ERR(&err, KEFU_EINVAL, "kind", "kind is faq|manual|script|risk|case");
	else if (!title || !*title)
		r = KEFU_ERR(&err, KEFU_EINVAL, "title", "the title is empty");
	else if ((r = kb_api__check_list(json_object_get(prop, "alternatives"), "alternatives", &err)) == 0)
		r = kb_api__check_list(json_object_get(prop, "tags"), "tags", &err);
	if (r < 0) {
		json_decref(prop);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	const struct principal *p = http_req_user(req);
	struct kb_pending *pd = xcalloc(1, sizeof *pd);
	pd->req = req;
	pd->app = a;
	pd->status = 201;
	rand_id(pd->contribution, sizeof pd->contribution, "kc_");
	json_t *data = json_pack("{s:s,s:o,s:s}", "id", pd->contribution, "proposal", prop, "note",
				 json_in_str(body, "note") ? json_in_str(body, "note") : "");
	json_object_set_new(data, "article", article ? json_string(article) : json_null());
	json_decref(body);
	struct store_event ev = {.type = "kb.contribution_proposed", .actor = p->id, .data = data};
	if ((r = store_append(a->store, &ev, done_cb, pd)) < 0) {
		kb_pending_free(pd);
		return api_reply_code(req, r, "the service is busy; try again", NULL);
	}
}

/* POST /api/v1/kb/contributions/:id/review {"decision":"accepted|rejected","note"?} */
void api_kb_review(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"decision", JIN_STRING, true, 16},
	    {"note", JIN_STRING, false, NOTE_MAX},
	};
	if (!a->kb)
		return api_reply_code(req, -KEFU_ECLOSED, "the knowledge base is not available", NULL);
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *decision = json_in_str(body, "decision");
	const char *id = http_req_param(req, "id");
	json_t *c = NULL;
	if (strcmp(decision, "accepted") != 0 && strcmp(decision, "rejected") != 0) {
		json_decref(body);
		return api_reply_code(req, -KEFU_EINVAL, "decision is accepted or rejected", "decision");
	}
	if (!id || strlen(id) > STORE_KB_ID_MAX ||
	    store_kb_contribution_get(a->kb->reads, id, &c, NULL) < 0) {
		json_decref(body);
		return api_reply_code(req, -KEFU_ENOTFOUND, "unknown contribution", "id");
	}
	const char *state = json_string_value(json_object_get(c, "state"));
	const char *note = json_in_str(body, "note");
	const struct principal *p = http_req_user(req);
	struct kb_pending *pd = xcalloc(1, sizeof *pd);
	pd->req = req;
	pd->app = a;
	pd->status = 200;
	snprintf(pd->contribution, sizeof pd->contribution, "%s", id);
	snprintf(pd->reviewer, sizeof pd->reviewer, "%s", p->id);
	int r = 0;
	if (!state || strcmp(state, "pending") != 0) {
		r = KEFU_ERR(&err, KEFU_ECONFLICT, "id", "the contribution was already reviewed");
	} else if (strcmp(decision, "accepted") == 0) {
		const char *article = json_string_value(json_object_get(c, "article"));
		if (article)
			snprintf(pd->article, sizeof pd->article, "%s", article);
		else
			rand_id(pd->article, sizeof pd->article, "kb_");
		if (map_get(&a->kb->reviewing, pd->article)) {
			pd->article[0] = '\0';
			r = KEFU_ERR(&err, KEFU_ECONFLICT, "id",
				     "another change to this article is being stored");
		} else {
			map_put(&a->kb->reviewing, pd->article, (void *)1);
			pd->proposal = json_incref(json_object_get(c, "proposal"));
			const char *cnote = json_string_value(json_object_get(c, "note"));
			pd->note = xstrdup(note && *note ? note : cnote ? cnote : "");
		}
	}
	json_decref(c);
	if (r < 0) {
		json_decref(body);
		kb_pending_free(pd);
		return api_reply_err(req, &err);
	}
	json_t *data = json_pack("{s:s,s:s,s:s}", "id", id, "decision", decision, "note", note ? note : "");
	json_decref(body);
	struct store_event ev = {.type = "kb.contribution_reviewed", .actor = p->id, .data = data};
	if ((r = store_append(a->store, &ev, reviewed_cb, pd)) < 0) {
		kb_pending_free(pd);
		return api_reply_code(req, r, "the service is busy; try again", NULL);
	}
}

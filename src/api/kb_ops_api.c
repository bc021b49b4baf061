/* kb_ops_api.c — the knowledge-base routes beyond search and contributions (issue 7): article
 * create / edit / retire by supervisors (each a new kb.article_saved version, KB-4) and the diff of
 * two versions; the case library (KB-1, KB-5: a closed chat saved as a case with PII masked by the
 * guard, its citations as kb.case_cited for K-41); export as JSON Lines or Markdown; the FAQ bot's
 * hand-over note and its deflection / hand-over rates (KB-6); the weekly high-frequency question
 * list (N-25). Handlers parse, check, append events and reply after the commit; rules, SQL and
 * formats are src/kb's and src/store's. Loop thread only, except the export's work (export_work_cb),
 * which runs on the worker pool with a kb connection of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "api/api.h"
#include "api/kb_api.h"
#include "api/kb_api_int.h"
#include "auth/perm.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "base/rand.h"
#include "chat/chat.h"
#include "guard/guard.h"
#include "kb/kb.h"
#include "store/kb_store.h"
#include "store/store.h"

enum {
	NOTE_MAX = 1000, /* bytes of a change note */
	LIST_PAGE = 100, /* articles per page */
	CASE_MSGS_MAX = 1000, /* messages of a chat put into a case */
	CASES_MAX = 200, /* cases listed */
	RATE_DAYS_MAX = 366, /* longest period of the bot rates */
	REPORT_TOP_MAX = 100,
};

#define DAY_MS 86400000LL

#define NEED_KB(req, a)                                                                                      \
	do {                                                                                                 \
		if (!(a)->kb)                                                                                \
			return api_reply_code((req), -KEFU_ECLOSED, "the knowledge base is not available",   \
					      NULL);                                                         \
	} while (0)

/* ---- replies after the commit ---------------------------------------------------------------- */

struct ops_pending {
	struct http_req *req;
	struct app *app;
	char article[STORE_KB_ID_MAX + 1];
	int status; /* on success */
	bool cite; /* reply {"article","counted":true} instead of the article */
};

/* Replies with the article as stored now (and its case, if any). */
static void reply_article(struct app *a, struct http_req *req, const char *id, int status)
{
	json_t *art = NULL, *cs = NULL;
	struct kefu_err err = {0};
	if (store_kb_article_get(a->kb->reads, id, &art, &err) < 0)
		return api_reply_err(req, &err);
	json_t *out = json_pack("{s:o}", "article", art);
	if (store_kb_case_get(a->kb->reads, id, &cs, NULL) == 0)
		json_object_set_new(out, "case", cs);
	kb_api__times_out(out);
	http_reply_json(req, status, out, NULL);
}

static void saved_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct ops_pending *pd = arg;
	(void)event_id;
	if (status < 0)
		api_reply_code(pd->req, status, err && err->msg[0] ? err->msg : "could not record the change",
			       err ? err->field : NULL);
	else if (pd->cite)
		http_reply_json(pd->req, pd->status,
				json_pack("{s:s,s:b}", "article", pd->article, "counted", 1), NULL);
	else
		reply_article(pd->app, pd->req, pd->article, pd->status);
	free(pd);
}

/* Appends ev (data owned) and replies once it committed. */
static void append_then_reply(struct http_req *req, struct app *a, struct store_event *ev,
			      const char *article, int status, bool cite)
{
	struct ops_pending *pd = xcalloc(1, sizeof *pd);
	pd->req = req;
	pd->app = a;
	pd->status = status;
	pd->cite = cite;
	snprintf(pd->article, sizeof pd->article, "%s", article);
	int r = store_append(a->store, ev, saved_cb, pd);
	if (r < 0) {
		free(pd);
		api_reply_code(req, r, "the service is busy; try again", NULL);
	}
}

/* ---- articles (KB-4) ------------------------------------------------------------------------- */

static bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !*s)
		return false;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* GET /api/v1/kb/articles?kind=&after=&deleted=1 → {"articles":[…],"next":seq|null} */
void api_kb_articles_list(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *kind = http_req_query(req, "kind");
	const char *after_s = http_req_query(req, "after");
	const char *del = http_req_query(req, "deleted");
	int64_t after = 0, last = 0;
	if (kind && !kb_api__kind_valid(kind))
		return api_reply_code(req, -KEFU_EINVAL, "kind is faq|manual|script|risk|case", "kind");
	if (after_s && !parse_i64(after_s, 0, INT64_MAX, &after))
		return api_reply_code(req, -KEFU_EINVAL, "after is the 'next' of the previous page", "after");
	if (del && strcmp(del, "0") != 0 && strcmp(del, "1") != 0)
		return api_reply_code(req, -KEFU_EINVAL, "deleted is 0 or 1", "deleted");
	json_t *list = NULL;
	struct kefu_err err = {0};
	if (store_kb_articles_page(a->kb->reads, after, kind, del && *del == '1', LIST_PAGE, &list, &last,
				   &err) < 0)
		return api_reply_err(req, &err);
	json_t *next = json_array_size(list) == LIST_PAGE ? json_integer(last) : json_null();
	kb_api__times_out(list);
	http_reply_json(req, 200, json_pack("{s:o,s:o}", "articles", list, "next", next), NULL);
}

static const struct json_in_field article_spec[] = {
    {"id", JIN_STRING, false, STORE_KB_ID_MAX},
    {"version", JIN_INT, false, 0},
    {"kind", JIN_STRING, false, 16},
    {"title", JIN_STRING, false, KB_TEXT_MAX},
    {"body", JIN_STRING, false, KB_TEXT_MAX},
    {"alternatives", JIN_ARRAY, false, 0},
    {"tags", JIN_ARRAY, false, 0},
    {"product", JIN_STRING, false, STORE_KB_ID_MAX},
    {"note", JIN_STRING, false, NOTE_MAX},
};

/* Fields of body over base (the current version, or defaults), checked; a new event data object
 * without id/version/source (new ref) or NULL with err. */
static json_t *merged_content(json_t *base, json_t *body, struct kefu_err *err)
{
	static const char *const fields[] = {"kind", "title", "body", "alternatives", "tags", "product"};
	json_t *d = json_object();
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		json_t *v = json_object_get(body, fields[i]);
		if (!v || json_is_null(v))
			v = json_object_get(base, fields[i]);
		json_object_set(d, fields[i], v ? v : json_null());
	}
	const char *kind = json_string_value(json_object_get(d, "kind"));
	const char *title = json_string_value(json_object_get(d, "title"));
	const char *product = json_string_value(json_object_get(d, "product"));
	int r = 0;
	if (!kb_api__kind_valid(kind))
		r = KEFU_ERR(err, KEFU_EINVAL, "kind", "kind is faq|manual|script|risk|case");
	else if (!title || !*title)
		r = KEFU_ERR(err, KEFU_EINVAL, "title", "the title is empty");
	else if (!json_is_string(json_object_get(d, "body")))
		r = KEFU_ERR(err, KEFU_EINVAL, "body", "the body is missing");
	else if (product && !*product)
		r = KEFU_ERR(err, KEFU_EINVAL, "product", "the product is empty (leave it out instead)");
	else if ((r = kb_api__check_list(json_object_get(d, "alternatives"), "alternatives", err)) == 0)
		r = kb_api__check_list(json_object_get(d, "tags"), "tags", err);
	if (r < 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

static bool id_valid(const char *id)
{
	if (!id || !*id || strlen(id) > STORE_KB_ID_MAX)
		return false;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == '/' || *p == '?' || *p == '#' || *p == '%')
			return false;
	return true;
}

/* POST /api/v1/kb/articles {"id"?,"kind","title","body","alternatives"?,"tags"?,"product"?,"note"?}
 * → 201 {"article"} (version 1, source "api") */
void api_kb_article_create(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, article_spec, sizeof article_spec / sizeof article_spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *given = json_in_str(body, "id");
	char id[STORE_KB_ID_MAX + 1];
	json_t *cur = NULL;
	if (given && !id_valid(given)) {
		json_decref(body);
		return api_reply_code(req, -KEFU_EINVAL, "an id is 1..128 visible characters without / ? # %",
				      "id");
	}
	if (given)
		snprintf(id, sizeof id, "%s", given);
	else
		rand_id(id, sizeof id, "kb_");
	if (store_kb_article_get(a->kb->reads, id, &cur, NULL) == 0) {
		json_decref(cur);
		json_decref(body);
		return api_reply_code(req, -KEFU_ECONFLICT, "an article with this id exists", "id");
	}
	if (!json_in_str(body, "kind") || !json_in_str(body, "title") || !json_in_str(body, "body")) {
		const char *f = !json_in_str(body, "kind") ? "kind"
		    : !json_in_str(body, "title")	   ? "title"
							   : "body";
		json_decref(body);
		return api_reply_code(req, -KEFU_EINVAL, "a new article needs kind, title and body", f);
	}
	json_t *base = json_pack("{s:[],s:[],s:n}", "alternatives", "tags", "product");
	json_t *data = merged_content(base, body, &err);
	json_decref(base);
	if (!data) {
		json_decref(body);
		return api_reply_err(req, &err);
	}
	const char *note = json_in_str(body, "note");
	json_object_set_new(data, "id", json_string(id));
	json_object_set_new(data, "version", json_integer(1));
	json_object_set_new(data, "note", json_string(note ? note : "created"));
	json_object_set_new(data, "source", json_string("api"));
	json_object_set_new(data, "deleted", json_false());
	json_decref(body);
	const struct principal *p = http_req_user(req);
	struct store_event ev = {.type = "kb.article_saved", .actor = p->id, .data = data};
	append_then_reply(req, a, &ev, id, 201, false);
}

/* The article named by :id and the version the change was made against ("version" of the body):
 * a stale version is 409, so two editors never overwrite each other. */
static json_t *current_for_change(struct http_req *req, struct app *a, json_t *body, struct kefu_err *err)
{
	const char *id = http_req_param(req, "id");
	json_t *cur = NULL;
	if (!id || strlen(id) > STORE_KB_ID_MAX || store_kb_article_get(a->kb->reads, id, &cur, NULL) < 0) {
		KEFU_ERR(err, KEFU_ENOTFOUND, "id", "unknown article");
		return NULL;
	}
	json_t *v = json_object_get(body, "version");
	json_int_t have = json_integer_value(json_object_get(cur, "version"));
	if (!json_is_integer(v)) {
		KEFU_ERR(err, KEFU_EINVAL, "version",
			 "give the version you changed (the current one is %lld)", (long long)have);
	} else if (json_integer_value(v) != have) {
		KEFU_ERR(err, KEFU_ECONFLICT, "version", "the article changed meanwhile (now version %lld)",
			 (long long)have);
	} else if (!json_in_str(body, "note") || !*json_in_str(body, "note")) {
		KEFU_ERR(err, KEFU_EINVAL, "note", "say what changed and why");
	} else {
		return cur;
	}
	json_decref(cur);
	return NULL;
}

static void change(struct http_req *req, struct app *a, bool retire)
{
	static const struct json_in_field retire_spec[] = {
	    {"version", JIN_INT, true, 0},
	    {"note", JIN_STRING, true, NOTE_MAX},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	int r = retire
	    ? api_parse_body(req, retire_spec, 2, &body, &err)
	    : api_parse_body(req, article_spec, sizeof article_spec / sizeof article_spec[0], &body, &err);
	if (r < 0)
		return api_reply_err(req, &err);
	if (!retire && json_object_get(body, "id")) {
		json_decref(body);
		return api_reply_code(req, -KEFU_EINVAL, "the id of an article does not change", "id");
	}
	json_t *cur = current_for_change(req, a, body, &err);
	if (!cur) {
		json_decref(body);
		return api_reply_err(req, &err);
	}
	if (json_is_true(json_object_get(cur, "deleted")) && retire) {
		json_decref(cur);
		json_decref(body);
		return api_reply_code(req, -KEFU_ECONFLICT, "the article is already retired", "id");
	}
	json_t *data = merged_content(cur, retire ? NULL : body, &err);
	if (!data) {
		json_decref(cur);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	char id[STORE_KB_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(cur, "id")));
	json_object_set_new(data, "id", json_string(id));
	json_object_set_new(data, "version",
			    json_integer(json_integer_value(json_object_get(cur, "version")) + 1));
	json_object_set_new(data, "note", json_string(json_in_str(body, "note")));
	json_object_set_new(data, "source", json_string("api"));
	json_object_set_new(data, "deleted", json_boolean(retire)); /* an edit of a retired one restores it */
	json_decref(cur);
	json_decref(body);
	const struct principal *p = http_req_user(req);
	struct store_event ev = {.type = "kb.article_saved", .actor = p->id, .data = data};
	append_then_reply(req, a, &ev, id, 200, false);
}

/* PUT /api/v1/kb/articles/:id {"version","note", any of kind/title/body/alternatives/tags/product} */
void api_kb_article_update(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	change(req, a, false);
}

/* POST /api/v1/kb/articles/:id/retire {"version","note"}: a new version marked deleted */
void api_kb_article_retire(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	change(req, a, true);
}

/* The text of a field of a version's data as compared (lists one entry per line). */
static char *field_text(json_t *data, const char *field)
{
	json_t *v = json_object_get(data, field);
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	struct buf b;
	buf_init(&b);
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			buf_puts(&b, json_string_value(e) ? json_string_value(e) : "");
			buf_puts(&b, "\n");
		}
	} else if (json_is_boolean(v)) {
		buf_puts(&b, json_is_true(v) ? "true" : "false");
	}
	buf_puts(&b, "");
	return buf_detach(&b);
}

/* GET /api/v1/kb/articles/:id/diff?from=A&to=B → {"id","from":{version,who,at,note},"to":{…},
 * "fields":{"title":[runs],…}} (runs of kb_diff: lines for body, alternatives and tags) */
void api_kb_article_diff(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *id = http_req_param(req, "id");
	int64_t from = 0, to = 0;
	if (!parse_i64(http_req_query(req, "from"), 1, INT32_MAX, &from))
		return api_reply_code(req, -KEFU_EINVAL, "from is a version number", "from");
	if (!parse_i64(http_req_query(req, "to"), 1, INT32_MAX, &to))
		return api_reply_code(req, -KEFU_EINVAL, "to is a version number", "to");
	json_t *versions = NULL;
	struct kefu_err err = {0};
	if (!id || strlen(id) > STORE_KB_ID_MAX)
		return api_reply_code(req, -KEFU_ENOTFOUND, "unknown article", "id");
	if (store_kb_article_versions(a->kb->reads, id, &versions, &err) < 0)
		return api_reply_err(req, &err);
	if (json_array_size(versions) == 0) {
		json_decref(versions);
		return api_reply_code(req, -KEFU_ENOTFOUND, "unknown article", "id");
	}
	json_t *va = NULL, *vb = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(versions, i, v)
	{
		json_int_t n = json_integer_value(json_object_get(v, "version"));
		if (n == from)
			va = v;
		if (n == to)
			vb = v;
	}
	if (!va || !vb) {
		json_decref(versions);
		return api_reply_code(req, -KEFU_ENOTFOUND, "no such version of this article",
				      !va ? "from" : "to");
	}
	static const char *const fields[] = {"kind", "title",	"body",	  "alternatives",
					     "tags", "product", "deleted"};
	json_t *out_fields = json_object();
	for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
		char *ta = field_text(json_object_get(va, "data"), fields[f]);
		char *tb = field_text(json_object_get(vb, "data"), fields[f]);
		bool lines = strcmp(fields[f], "body") == 0 || strcmp(fields[f], "alternatives") == 0 ||
		    strcmp(fields[f], "tags") == 0;
		if (strcmp(fields[f], "body") == 0 && !strchr(ta, '\n') && !strchr(tb, '\n'))
			lines = false; /* a one-line answer: show the characters that changed */
		json_object_set_new(out_fields, fields[f], kb_diff(ta, strlen(ta), tb, strlen(tb), lines));
		free(ta);
		free(tb);
	}
	json_t *meta[2];
	json_t *src[2] = {va, vb};
	for (int k = 0; k < 2; k++)
		meta[k] = json_pack("{s:O,s:O,s:O,s:O,s:O}", "version", json_object_get(src[k], "version"),
				    "who", json_object_get(src[k], "who"), "at_ms",
				    json_object_get(src[k], "at_ms"), "note", json_object_get(src[k], "note"),
				    "source", json_object_get(src[k], "source"));
	json_t *out =
	    json_pack("{s:s,s:o,s:o,s:o}", "id", id, "from", meta[0], "to", meta[1], "fields", out_fields);
	json_decref(versions);
	kb_api__times_out(out);
	http_reply_json(req, 200, out, NULL);
}

/* An export runs on the libuv worker pool with a kb read connection of its own: a large knowledge
 * base takes about a second per 50,000 articles (40 MB of JSON Lines), which on the loop thread
 * stalled every chat for that long. One at a time. */
struct export_work {
	uv_work_t work;
	struct http_req *req;
	struct store *store;
	bool md;
	int rc;
	struct buf out;
	struct kefu_err err;
};

static int exports_running;

static void export_work_cb(uv_work_t *uw)
{
	struct export_work *w = uw->data;
	struct store_kb *k = NULL;
	w->rc = store_kb_open(w->store, &k, &w->err);
	if (w->rc == 0)
		w->rc = kb_export(k, w->md ? KB_FORMAT_MARKDOWN : KB_FORMAT_JSONL, &w->out, NULL, &w->err);
	store_kb_close(k);
}

static void export_after_cb(uv_work_t *uw, int status)
{
	struct export_work *w = uw->data;
	exports_running--;
	if (status < 0) {
		api_reply_code(w->req, -KEFU_EINTERNAL, "the export was cancelled", NULL);
	} else if (w->rc < 0) {
		api_reply_err(w->req, &w->err);
	} else {
		char headers[160];
		snprintf(headers, sizeof headers, "Content-Disposition: attachment; filename=\"kb.%s\"\r\n",
			 w->md ? "md" : "jsonl");
		http_reply(w->req, 200,
			   w->md ? "text/markdown; charset=utf-8" : "application/x-ndjson; charset=utf-8",
			   w->out.data ? w->out.data : "", w->out.len, headers);
	}
	buf_free(&w->out);
	free(w);
}

/* GET /api/v1/kb/export?format=jsonl|markdown: every live article as a file download */
void api_kb_export(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *format = http_req_query(req, "format");
	bool md = format && strcmp(format, "markdown") == 0;
	if (format && !md && strcmp(format, "jsonl") != 0)
		return api_reply_code(req, -KEFU_EINVAL, "format is jsonl or markdown", "format");
	if (exports_running > 0)
		return api_reply_code(req, -KEFU_ELIMIT, "an export is running; try again when it is done",
				      NULL);
	struct export_work *w = xcalloc(1, sizeof *w);
	w->work.data = w;
	w->req = req;
	w->store = a->store;
	w->md = md;
	buf_init(&w->out);
	if (uv_queue_work(a->loop, &w->work, export_work_cb, export_after_cb) < 0) {
		free(w);
		return api_reply_code(req, -KEFU_EINTERNAL, "could not start the export", NULL);
	}
	exports_running++;
}

/* ---- cases (KB-1, KB-5, K-41) ---------------------------------------------------------------- */

/* The chat as a case body with PII masked by the guard in force (kb_case_text). */
static int case_body(struct app *a, json_t *msgs, struct buf *out, struct kefu_err *err)
{
	struct guard *g = a->guard ? guard_slot_get(a->guard) : NULL;
	if (!g)
		return KEFU_ERR(err, KEFU_ECLOSED, "guard",
				"PII masking is not available; the case is not saved");
	int r = kb_case_text(g, msgs, out, err);
	guard_unref(g);
	return r;
}

/* POST /api/v1/kb/cases {"session","title","tags"?,"note"?}: a closed chat becomes a case article
 * (PII masked); its owner (author, K-41) is the agent who served it. */
void api_kb_case_create(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"session", JIN_STRING, true, 128},
	    {"title", JIN_STRING, true, 200},
	    {"tags", JIN_ARRAY, false, 0},
	    {"note", JIN_STRING, false, NOTE_MAX},
	};
	NEED_KB(req, a);
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const struct principal *p = http_req_user(req);
	const char *sid = json_in_str(body, "session");
	const char *title = json_in_str(body, "title");
	json_t *sess = NULL, *msgs = NULL;
	int r = 0;
	if (!*title)
		r = KEFU_ERR(&err, KEFU_EINVAL, "title", "the title is empty");
	else
		r = kb_api__check_list(json_object_get(body, "tags"), "tags", &err);
	if (r < 0)
		; /* reported below */
	else if (!chat_can_read(a->chat, p, sid) || store_session_get(a->reader, sid, &sess, NULL) < 0)
		r = KEFU_ERR(&err, KEFU_ENOTFOUND, "session", "no such session among yours");
	else if (!json_string_value(json_object_get(sess, "state")) ||
		 strcmp(json_string_value(json_object_get(sess, "state")), "closed") != 0)
		r = KEFU_ERR(&err, KEFU_ECONFLICT, "session", "only a closed chat can become a case");
	else if (!json_string_value(json_object_get(sess, "agent")))
		r = KEFU_ERR(&err, KEFU_ECONFLICT, "session", "no agent served this chat");
	else
		r = store_session_messages(a->reader, sid, 0, CASE_MSGS_MAX, &msgs, &err);
	struct buf text;
	buf_init(&text);
	if (r == 0)
		r = case_body(a, msgs, &text, &err);
	if (r == 0 && text.len == 0)
		r = KEFU_ERR(&err, KEFU_ECONFLICT, "session", "the chat has no messages");
	bool too_long = r == 0 && text.len > KB_TEXT_MAX;
	if (r < 0 || too_long) {
		buf_free(&text);
		json_decref(msgs);
		json_decref(sess);
		json_decref(body);
		if (too_long) /* too large is 413, not the 429 of a rate limit */
			return http_reply_error(req, 413, kefu_strerror(KEFU_ELIMIT),
						"the chat is longer than an article may be (64 KiB)",
						"session");
		return api_reply_err(req, &err);
	}
	/* the title, tags and note are typed by whoever saves the case and may name the customer too:
	 * masked like the chat (C-07) */
	json_t *tags = json_array();
	size_t ti;
	json_t *tv;
	json_array_foreach(json_object_get(body, "tags"), ti, tv)
	{
		char *m = kb_api__mask(a, json_string_value(tv), json_string_length(tv));
		json_array_append_new(tags, json_string(m ? m : "（已隐藏）"));
		free(m);
	}
	const char *note = json_in_str(body, "note");
	char *mtitle = kb_api__mask(a, title, strlen(title));
	char *mnote = note && *note ? kb_api__mask(a, note, strlen(note)) : NULL;
	char id[STORE_KB_ID_MAX + 1];
	rand_id(id, sizeof id, "case_");
	json_t *data = json_pack("{s:s,s:s,s:s,s:s%,s:[],s:o,s:n,s:i,s:s,s:s,s:b,s:{s:s,s:O}}", "id", id,
				 "kind", "case", "title", mtitle ? mtitle : "（已隐藏）", "body", text.data,
				 text.len, "alternatives", "tags", tags, "product", "version", 1, "note",
				 mnote ? mnote : "saved from a closed chat", "source", "case", "deleted", 0,
				 "case", "session", sid, "agent", json_object_get(sess, "agent"));
	free(mtitle);
	free(mnote);
	buf_free(&text);
	json_decref(msgs);
	json_decref(sess);
	json_decref(body);
	struct store_event ev = {.type = "kb.article_saved", .actor = p->id, .data = data};
	append_then_reply(req, a, &ev, id, 201, false);
}

/* Start and end (ms) of a month "2026-11" at +08:00. */
static bool month_range(const char *m, int64_t *from, int64_t *to)
{
	int y = 0, mo = 0, used = 0;
	if (!m || strlen(m) != 7 || sscanf(m, "%4d-%2d%n", &y, &mo, &used) != 2 || used != 7 || mo < 1 ||
	    mo > 12)
		return false;
	char a[40], b[40];
	snprintf(a, sizeof a, "%04d-%02d-01T00:00:00+08:00", y, mo);
	snprintf(b, sizeof b, "%04d-%02d-01T00:00:00+08:00", mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1);
	return clock_parse_rfc3339(a, strlen(a), from) == 0 && clock_parse_rfc3339(b, strlen(b), to) == 0;
}

/* GET /api/v1/kb/cases?month=2026-11&agent= → {"month","cases":[{…,"citations",
 * "citations_by_others"}]} (K-41: a case's citations by agents other than its owner that month) */
void api_kb_cases_list(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *month = http_req_query(req, "month");
	int64_t from = 0, to = INT64_MAX;
	if (month && !month_range(month, &from, &to))
		return api_reply_code(req, -KEFU_EINVAL, "month is written 2026-11", "month");
	/* K-41 is assessment data: like /assess, an agent or QA sees only the cases they own; the
	 * roles that read the knowledge-base reports (kb.report) see everyone's */
	const struct principal *p = http_req_user(req);
	const char *agent = http_req_query(req, "agent");
	if (!perm_allows("kb.report", p->role)) {
		if (agent && strcmp(agent, p->id) != 0)
			return api_reply_code(req, -KEFU_EPERM, "you may list only the cases you own",
					      "agent");
		agent = p->id;
	}
	json_t *list = NULL;
	struct kefu_err err = {0};
	if (store_kb_cases_list(a->kb->reads, from, to, agent, CASES_MAX, &list, &err) < 0)
		return api_reply_err(req, &err);
	kb_api__times_out(list);
	http_reply_json(req, 200, json_pack("{s:s?,s:o}", "month", month, "cases", list), NULL);
}

/* POST /api/v1/kb/articles/:id/cite {"session"?}: the agent used a case (e.g. inserted it from the
 * suggestions). Counted once per (case, agent, session): 201 {"counted":true} the first time, 200
 * {"counted":false} after. */
void api_kb_cite(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {{"session", JIN_STRING, false, 128}};
	NEED_KB(req, a);
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, 1, &body, &err) < 0)
		return api_reply_err(req, &err);
	const struct principal *p = http_req_user(req);
	const char *id = http_req_param(req, "id");
	const char *sid = json_in_str(body, "session");
	json_t *art = NULL;
	int r = 0;
	bool cited = false;
	if (!id || strlen(id) > STORE_KB_ID_MAX || store_kb_article_get(a->kb->reads, id, &art, NULL) < 0)
		r = KEFU_ERR(&err, KEFU_ENOTFOUND, "id", "unknown article");
	else if (strcmp(json_string_value(json_object_get(art, "kind")), "case") != 0)
		r = KEFU_ERR(&err, KEFU_EINVAL, "id", "only a case is cited");
	else if (json_is_true(json_object_get(art, "deleted")))
		r = KEFU_ERR(&err, KEFU_ECONFLICT, "id", "the case is retired");
	else if (sid && !chat_can_read(a->chat, p, sid))
		r = KEFU_ERR(&err, KEFU_ENOTFOUND, "session", "no such session among yours");
	else
		r = store_kb_cited(a->kb->reads, id, p->id, sid, &cited, &err);
	json_decref(art);
	if (r < 0) {
		json_decref(body);
		return api_reply_err(req, &err);
	}
	if (cited) {
		json_decref(body);
		return http_reply_json(req, 200, json_pack("{s:s,s:b}", "article", id, "counted", 0), NULL);
	}
	struct store_event ev = {.type = "kb.case_cited",
				 .session = sid,
				 .actor = p->id,
				 .data = json_pack("{s:s}", "article", id)};
	char aid[STORE_KB_ID_MAX + 1];
	snprintf(aid, sizeof aid, "%s", id);
	append_then_reply(req, a, &ev, aid, 201, true);
	json_decref(body);
}

/* ---- the bot (KB-6, N-21) -------------------------------------------------------------------- */

/* GET /api/v1/kb/handovers/:session → {"session","reason":"asked|unsure","at","questions":[…],
 * "answers":[…],"to_seq"}: what the customer asked the bot, what it answered, and why it handed
 * the chat over — for the agent who takes it. */
void api_kb_handover(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *sid = http_req_param(req, "session");
	json_t *h = NULL, *msgs = NULL;
	struct kefu_err err = {0};
	if (!sid || !chat_can_read(a->chat, http_req_user(req), sid))
		return api_reply_code(req, -KEFU_ENOTFOUND, "no such session among yours", "session");
	if (store_kb_handover_get(a->kb->reads, sid, &h, NULL) < 0)
		return api_reply_code(req, -KEFU_ENOTFOUND, "the bot did not hand this chat over", "session");
	json_int_t to_seq = json_integer_value(json_object_get(h, "to_seq"));
	if (store_session_messages(a->reader, sid, 0, (int)(to_seq < CASE_MSGS_MAX ? to_seq : CASE_MSGS_MAX),
				   &msgs, &err) < 0) {
		json_decref(h);
		return api_reply_err(req, &err);
	}
	json_t *questions = json_array(), *answers = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m)
	{
		const char *from = json_string_value(json_object_get(m, "from"));
		if (from && strcmp(from, "customer") == 0)
			json_array_append(questions, json_object_get(m, "text"));
		else if (from && strcmp(from, "bot") == 0)
			json_array_append(answers, json_object_get(m, "text"));
	}
	json_decref(msgs);
	json_object_set_new(h, "session", json_string(sid));
	json_object_set_new(h, "questions", questions);
	json_object_set_new(h, "answers", answers);
	kb_api__times_out(h);
	http_reply_json(req, 200, h, NULL);
}

/* A day "2026-11-23" at 00:00 +08:00. */
static bool day_start(const char *d, int64_t *ms)
{
	char at[40];
	if (!d || strlen(d) != 10)
		return false;
	snprintf(at, sizeof at, "%sT00:00:00+08:00", d);
	return clock_parse_rfc3339(at, strlen(at), ms) == 0;
}

/* GET /api/v1/kb/bot/rates?from=YYYY-MM-DD&to=YYYY-MM-DD&by=day|week (to inclusive) */
void api_kb_bot_rates(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *by = http_req_query(req, "by");
	int64_t from = 0, to = 0;
	if (!day_start(http_req_query(req, "from"), &from))
		return api_reply_code(req, -KEFU_EINVAL, "from is a day, 2026-11-23", "from");
	if (!day_start(http_req_query(req, "to"), &to))
		return api_reply_code(req, -KEFU_EINVAL, "to is a day, 2026-11-29", "to");
	if (to < from || (to - from) / DAY_MS >= RATE_DAYS_MAX)
		return api_reply_code(req, -KEFU_EINVAL, "to is from or later, at most 366 days", "to");
	if (by && strcmp(by, "day") != 0 && strcmp(by, "week") != 0)
		return api_reply_code(req, -KEFU_EINVAL, "by is day or week", "by");
	json_t *out = NULL;
	struct kefu_err err = {0};
	if (kb_bot_rates(a->kb->reads, from, to + DAY_MS, by && strcmp(by, "week") == 0, &out, &err) < 0)
		return api_reply_err(req, &err);
	json_object_set_new(out, "from", json_string(http_req_query(req, "from")));
	json_object_set_new(out, "to", json_string(http_req_query(req, "to")));
	http_reply_json(req, 200, out, NULL);
}

/* GET /api/v1/kb/report?week=2026-W47&top=20 (N-25; default: this week) */
void api_kb_report(struct http_req *req, void *appv)
{
	struct app *a = appv;
	NEED_KB(req, a);
	const char *week = http_req_query(req, "week");
	char now_week[16];
	int64_t top = 20;
	if (http_req_query(req, "top") && !parse_i64(http_req_query(req, "top"), 1, REPORT_TOP_MAX, &top))
		return api_reply_code(req, -KEFU_EINVAL, "top is 1..100", "top");
	if (!week) {
		kb_week_of(clock_now_ms(), now_week, sizeof now_week);
		week = now_week;
	}
	json_t *out = NULL;
	struct kefu_err err = {0};
	if (kb_report_week(a->kb->reads, week, (int)top, &out, &err) < 0)
		return api_reply_err(req, &err);
	http_reply_json(req, 200, out, NULL);
}

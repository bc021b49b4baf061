/* lexicon_api.c — admin editing of the compliance lexicons (issue 4) and the audited reveal of a
 * masked customer field (C-10). A lexicon replacement is validated on the worker pool; only a
 * set that loads is written and swapped in, so a bad entry leaves the rules in force. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/mem.h"
#include "guard/guard.h"
#include "guard/lexicon_admin.h"
#include "store/store.h"

void api_lexicons_list(struct http_req *req, void *appv)
{
	struct app *a = appv;
	json_t *list = NULL;
	struct kefu_err err = {0};
	if (lexicon_list(a->lexicons_dir, &list, &err) < 0)
		return api_reply_err(req, &err);
	struct guard *g = guard_slot_get(a->guard);
	json_t *body = json_pack("{s:o,s:s,s:I}", "files", list, "in_force", g ? guard_version(g) : "",
				 "entries", (json_int_t)(g ? guard_entry_count(g) : 0));
	guard_unref(g);
	http_reply_json(req, 200, body, NULL);
}

void api_lexicon_get(struct http_req *req, void *appv)
{
	struct app *a = appv;
	char *content = NULL;
	size_t len = 0;
	struct kefu_err err = {0};
	if (lexicon_read(a->lexicons_dir, http_req_param(req, "file"), &content, &len, &err) < 0)
		return api_reply_err(req, &err);
	json_t *body = json_pack("{s:s,s:s%}", "file", http_req_param(req, "file"), "content", content, len);
	free(content);
	if (!body)
		return http_reply_error(req, 500, "internal", "the lexicon file is not valid UTF-8", NULL);
	http_reply_json(req, 200, body, NULL);
}

struct replace_work {
	uv_work_t work;
	struct app *app;
	struct http_req *req;
	json_t *body; /* request (owned); content borrowed from it */
	char file[72];
	struct guard *loaded; /* the validated new set (one reference) */
	struct kefu_err err;
	int rc;
};

static void replace_cb(uv_work_t *w)
{
	struct replace_work *rw = w->data;
	json_t *c = json_object_get(rw->body, "content");
	rw->rc = lexicon_replace(rw->app->lexicons_dir, rw->file, json_string_value(c), json_string_length(c),
				 &rw->loaded, &rw->err);
}

static void replace_after_cb(uv_work_t *w, int status)
{
	struct replace_work *rw = w->data;
	struct app *a = rw->app;
	a->lexicon_busy = false;
	if (status < 0 || rw->rc < 0) {
		if (status < 0)
			KEFU_ERR(&rw->err, KEFU_EINTERNAL, "file", "validation did not run");
		api_reply_err(rw->req, &rw->err);
	} else {
		size_t entries = guard_entry_count(rw->loaded);
		json_t *reply = json_pack("{s:s,s:s,s:I}", "file", rw->file, "in_force",
					  guard_version(rw->loaded), "entries", (json_int_t)entries);
		guard_slot_swap(a->guard, rw->loaded); /* the next message is checked against the new rules */
		const struct principal *p = http_req_user(rw->req);
		struct store_event ev = {
		    .type = "lexicon.changed",
		    .actor = p->id,
		    .data = json_pack("{s:s,s:I,s:I}", "file", rw->file, "bytes",
				      (json_int_t)json_string_length(json_object_get(rw->body, "content")),
				      "entries", (json_int_t)entries)};
		store_append(a->store, &ev, NULL, NULL);
		http_reply_json(rw->req, 200, reply, NULL);
	}
	json_decref(rw->body);
	free(rw);
}

void api_lexicon_put(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {{"content", JIN_STRING, true, LEXICON_MAX_BYTES}};
	struct kefu_err err = {0};
	json_t *body = NULL;
	const char *file = http_req_param(req, "file");
	if (!lexicon_name_valid(file))
		return http_reply_error(req, 400, "invalid", "lexicon names are [a-z0-9_.-] ending in .tsv",
					"file");
	if (api_parse_body(req, spec, 1, &body, &err) < 0)
		return api_reply_err(req, &err);
	if (a->lexicon_busy) {
		json_decref(body);
		return http_reply_error(req, 409, "conflict",
					"another lexicon change is being validated; try again", NULL);
	}
	struct replace_work *rw = xcalloc(1, sizeof *rw);
	rw->app = a;
	rw->req = req;
	rw->body = body;
	rw->work.data = rw;
	snprintf(rw->file, sizeof rw->file, "%s", file);
	a->lexicon_busy = true;
	uv_queue_work(a->loop, &rw->work, replace_cb, replace_after_cb);
}

/* POST /api/v1/customers/:id/reveal {"field":"phone|name","reason":"…"} (C-10): the clear value
 * of one masked field, for a senior with a stated reason; every reveal is a pii.revealed event. */
struct reveal {
	struct http_req *req;
	json_t *reply; /* owned */
};

static void reveal_committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct reveal *r = arg;
	(void)event_id;
	(void)err;
	if (status < 0)
		api_reply_code(r->req, status, "could not record the reveal; nothing was shown", NULL);
	else
		http_reply_json(r->req, 200, json_incref(r->reply), NULL);
	json_decref(r->reply);
	free(r);
}

void api_customer_reveal(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {{"field", JIN_STRING, true, 16},
						    {"reason", JIN_STRING, true, 400}};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, 2, &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *field = json_in_str(body, "field");
	const char *reason = json_in_str(body, "reason");
	if (strcmp(field, "phone") && strcmp(field, "name")) {
		json_decref(body);
		return http_reply_error(req, 400, "invalid", "field must be phone or name", "field");
	}
	if (strlen(reason) < 4) {
		json_decref(body);
		return http_reply_error(req, 400, "invalid",
					"give a reason (at least a few words) for the audit log", "reason");
	}
	json_t *prof = NULL;
	const char *customer = http_req_param(req, "id");
	if (store_customer_profile(a->reader, customer, &prof, &err) < 0) {
		json_decref(body);
		return api_reply_err(req, &err);
	}
	const char *value = json_string_value(json_object_get(prof, field));
	struct reveal *r = xcalloc(1, sizeof *r);
	r->req = req;
	r->reply = json_pack("{s:s,s:s,s:s?}", "customer", customer, "field", field, "value", value);
	const struct principal *p = http_req_user(req);
	struct store_event ev = {
	    .type = "pii.revealed",
	    .actor = p->id,
	    .data = json_pack("{s:s,s:s,s:s}", "customer", customer, "field", field, "reason", reason)};
	json_decref(prof);
	json_decref(body);
	int rc = store_append(a->store, &ev, reveal_committed_cb, r);
	if (rc < 0) {
		json_decref(r->reply);
		free(r);
		api_reply_code(req, rc, "the service is busy; try again", NULL);
	}
}

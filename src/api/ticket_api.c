/* ticket_api.c — /api/v1/tickets, the customer form, the progress page (N-26) and the SLA board,
 * plus the ticket service's life on the loop (calendar, policy, reads, SLA tick). Handlers parse,
 * check who may see which ticket (department users: their department only, customer data masked,
 * C-07), call one src/ticket function and reply after its events committed. No SQL, no ticket
 * rules here. Times leave as RFC 3339 (+08:00): every "*_ms" field becomes "*_at". */
#include "api/ticket_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "chat/chat.h"
#include "guard/guard.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "ticket/calendar.h"
#include "ticket/mail.h"
#include "ticket/notice.h"
#include "ticket/ticket.h"
#include "ticket/ticket_sla.h"

#define SLA_TICK_MS 1000 /* how often the loop asks the engine; an empty run is one heap peek */
#define LIST_MAX 200 /* tickets per page */
#define OUT_OFFSET_MIN 480 /* Asia/Shanghai for RFC 3339 output */

struct ticket_api {
	struct calendar *cal; /* owned */
	struct ticket_policy *pol; /* owned */
	struct ticket_store *reads; /* owned, loop thread */
	struct ticket_service *svc; /* owned */
	struct notice_templates *notices; /* owned: N-24 order notice templates */
	uv_timer_t tick; /* SLA clock; closed by ticket_api_stop */
	bool tick_open;
};

static void tick_cb(uv_timer_t *h)
{
	struct ticket_api *t = h->data;
	ticket_sla_run(ticket_service_sla(t->svc));
}

struct ticket_service *ticket_api_service(struct app *a)
{
	return a->tickets ? a->tickets->svc : NULL;
}

struct ticket_store *ticket_api_reads(struct app *a)
{
	return a->tickets ? a->tickets->reads : NULL;
}

static void times_out(json_t *v);

/* Live breach push (issue 6): after an SLA warning or breach was recorded, one "sla" frame goes
 * over the WebSocket to every connected lead, supervisor and manager (the breach board) and to
 * the ticket's owner (who claimed it, else who created it). No text or customer data in it. */
static void sla_fired_cb(void *arg, enum sla_phase phase, const char *ticket, const char *name,
			 const struct sla_state *st)
{
	struct app *a = arg;
	if (!a->chat || !a->tickets)
		return;
	json_t *tk = NULL;
	ticket_store_get(a->tickets->reads, ticket, &tk, NULL);
	const char *owner = json_string_value(json_object_get(tk, "claimed_by"));
	if (!owner)
		owner = json_string_value(json_object_get(tk, "created_by"));
	json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:I}", "type", "sla", "phase",
			      phase == SLA_PHASE_WARN ? "warned" : "breached", "timer", st->id, "ticket",
			      ticket, "name", name, "state", phase == SLA_PHASE_WARN ? "running" : "breached",
			      "warned", 1, "due_ms", (json_int_t)st->due_ms);
	const char *copy[] = {"department", "priority", "kind"};
	for (int i = 0; i < 3; i++)
		json_object_set(f, copy[i],
				tk && json_object_get(tk, copy[i]) ? json_object_get(tk, copy[i])
								   : json_null());
	json_object_set(f, "ticket_state", tk ? json_object_get(tk, "state") : json_null());
	times_out(f);
	char *s = json_dumps(f, JSON_COMPACT);
	if (s)
		chat_push_staff(a->chat, "sla.board", owner, s, strlen(s));
	free(s);
	json_decref(f);
	json_decref(tk);
}

int ticket_api_start(struct app *a, struct kefu_err *err)
{
	struct ticket_api *t = xcalloc(1, sizeof *t);
	char path[4096];
	int r;
	if ((r = calendar_load_file(calendar_default_path(path, sizeof path), &t->cal, err)) < 0 ||
	    (r = ticket_policy_load_file(ticket_policy_default_path(path, sizeof path), &t->pol, err)) < 0 ||
	    (r = notice_templates_load_file(notice_default_path(path, sizeof path), &t->notices, err)) < 0) {
		char msg[sizeof err->msg], field[sizeof err->field];
		snprintf(msg, sizeof msg, "%s", err->msg);
		snprintf(field, sizeof field, "%s", err->field);
		KEFU_ERR(err, -r, field, "%.200s: %s", path, msg);
		goto fail;
	}
	if ((r = ticket_store_open(a->store, &t->reads, err)) < 0)
		goto fail;
	struct ticket_service_options o = {a->store, t->reads, t->pol, t->cal, NULL, sla_fired_cb, a};
	if ((r = ticket_service_new(&o, &t->svc, err)) < 0)
		goto fail;
	uv_timer_init(a->loop, &t->tick);
	t->tick.data = t;
	t->tick_open = true;
	uv_timer_start(&t->tick, tick_cb, SLA_TICK_MS, SLA_TICK_MS);
	a->tickets = t;
	return 0;
fail:
	ticket_service_free(t->svc);
	notice_templates_free(t->notices);
	ticket_store_close(t->reads);
	ticket_policy_free(t->pol);
	calendar_free(t->cal);
	free(t);
	return r;
}

void ticket_api_stop(struct app *a)
{
	struct ticket_api *t = a->tickets;
	if (t && t->tick_open) {
		uv_timer_stop(&t->tick);
		uv_close((uv_handle_t *)&t->tick, NULL);
		t->tick_open = false;
	}
}

void ticket_api_free(struct app *a)
{
	struct ticket_api *t = a->tickets;
	if (!t)
		return;
	ticket_service_free(t->svc);
	notice_templates_free(t->notices);
	ticket_store_close(t->reads);
	ticket_policy_free(t->pol);
	calendar_free(t->cal);
	free(t);
	a->tickets = NULL;
}

/* ---- helpers -------------------------------------------------------------------------------- */

/* Instants that leave as RFC 3339: "<x>_ms" becomes "<x>_at" ("at_ms" becomes "at"); durations
 * such as left_ms stay in ms. */
static const char *const instant_keys[] = {"at_ms",	  "created_ms",	 "claimed_ms", "resolved_ms",
					   "start_ms",	  "due_ms",	 "warn_ms",    "ended_ms",
					   "expected_ms", "archived_ms", NULL};

/* Rewrites the instants of v (recursively) as RFC 3339 at +08:00. */
static void times_out(json_t *v)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) times_out(x);
		return;
	}
	if (!json_is_object(v))
		return;
	const char *key;
	json_t *x;
	void *tmp;
	json_t *add = json_object();
	json_object_foreach_safe(v, tmp, key, x)
	{
		bool instant = false;
		for (int k = 0; instant_keys[k]; k++)
			instant |= strcmp(key, instant_keys[k]) == 0;
		if (instant && (json_is_integer(x) || json_is_null(x))) {
			char name[32], at[48];
			snprintf(name, sizeof name, "%s", strcmp(key, "at_ms") == 0 ? "at" : key);
			if (strcmp(key, "at_ms") != 0)
				memcpy(name + strlen(name) - 2, "at", 2);
			if (json_is_integer(x)) {
				clock_format_rfc3339(json_integer_value(x), OUT_OFFSET_MIN, at, sizeof at);
				json_object_set_new(add, name, json_string(at));
			} else {
				json_object_set_new(add, name, json_null());
			}
			json_object_del(v, key);
		} else {
			times_out(x);
		}
	}
	json_object_update(v, add);
	json_decref(add);
}

void ticket_api_times_out(json_t *v)
{
	times_out(v);
}

/* The caller's department when it is a department user ("" when it has none), else NULL. */
static const char *dept_of(struct app *a, const struct principal *p, char *buf, size_t cap)
{
	if (p->role != ROLE_DEPT)
		return NULL;
	struct store_user u = {0};
	buf[0] = '\0';
	if (store_user_by_id(a->reader, p->id, &u, NULL) == 0) {
		snprintf(buf, cap, "%s", u.dept ? u.dept : "");
		store_user_clear(&u);
	}
	return buf;
}

/* C-07: what a department sees of a ticket: no customer or chat reference, the order number as
 * the customer's label, PII masked in the description and notes. C-10: staff without pii.reveal
 * (juniors, QA) get the texts masked too, with the references kept. */
static void mask_ticket(struct app *a, json_t *tk, bool dept)
{
	if (dept) {
		const char *order = json_string_value(json_object_get(tk, "order_id"));
		char label[96];
		snprintf(label, sizeof label, "订单%s的客户", order ? order : "");
		const char *cust = json_string_value(json_object_get(tk, "customer"));
		size_t i;
		json_t *st;
		json_array_foreach(json_object_get(tk, "steps"), i, st)
		{ /* a mail_in step's actor is the customer (N-06): no customer reference either */
			const char *actor = json_string_value(json_object_get(st, "actor"));
			if (cust && actor && strcmp(actor, cust) == 0)
				json_object_set_new(st, "actor", json_null());
		}
		json_object_set_new(tk, "customer", json_null());
		json_object_set_new(tk, "customer_label", json_string(label));
		json_object_set_new(tk, "session", json_null());
		json_object_del(tk, "history_url");
	}
	struct guard *g = a->guard ? guard_slot_get(a->guard) : NULL;
	struct guard_scratch *s = g ? guard_scratch_new(g) : NULL;
	const char *fields[] = {"description", "plan"};
	for (int pass = 0; pass < 2; pass++) {
		json_t *obj = tk;
		json_t *steps = json_object_get(tk, "steps");
		size_t n = pass == 0 ? 1 : json_array_size(steps);
		for (size_t i = 0; i < n; i++) {
			if (pass == 1)
				obj = json_array_get(steps, i);
			for (int f = 0; f < 2; f++) {
				const char *key = pass == 0 ? fields[f] : (f == 0 ? "note" : NULL);
				const char *text = key ? json_string_value(json_object_get(obj, key)) : NULL;
				if (!text)
					continue;
				char *masked = NULL;
				if (g && guard_mask(g, s, text, strlen(text), &masked, NULL) == 0) {
					json_object_set_new(obj, key, json_string(masked));
					free(masked);
				} else {
					json_object_set_new(obj, key, json_string("（已隐藏）"));
				}
			}
		}
	}
	if (s)
		guard_scratch_free(s);
	if (g)
		guard_unref(g);
}

/* N-14: a ticket from a chat links its history (removed again for departments by the mask). */
static void history_link(json_t *tk)
{
	const char *session = json_string_value(json_object_get(tk, "session"));
	char url[128];
	if (!session)
		return;
	snprintf(url, sizeof url, "/api/v1/sessions/%s/messages", session);
	json_object_set_new(tk, "history_url", json_string(url));
}

/* Issue 6: the list carries each ticket's next live deadline, so the UI needs no request per
 * ticket: "next_deadline":{"name","due_ms","warn_ms","state":"running|paused","warned"} or null;
 * while paused {"name","state","warned","left_ms"} (the time left; due and warn mean nothing). */
static void next_deadline(json_t *tk)
{
	static const char *const keys[] = {"name", "due_ms", "state", "warned", "left_ms", "warn_ms"};
	json_t *name = json_object_get(tk, "next_name");
	json_t *nd = json_is_string(name) ? json_object() : json_null();
	for (int k = 0; k < 6; k++) {
		char key[24];
		snprintf(key, sizeof key, "next_%s", keys[k]);
		if (json_is_object(nd)) {
			json_t *v = json_object_get(tk, key);
			if (k == 3)
				json_object_set_new(nd, keys[k], json_boolean(json_integer_value(v) != 0));
			else
				json_object_set(nd, keys[k], v ? v : json_null());
		}
		json_object_del(tk, key);
	}
	json_t *st = json_object_get(nd, "state");
	if (json_is_string(st) && strcmp(json_string_value(st), "paused") != 0)
		json_object_del(nd, "left_ms");
	else if (json_is_string(st)) { /* while paused the instants mean nothing */
		json_object_del(nd, "due_ms");
		json_object_del(nd, "warn_ms");
	}
	json_object_set_new(tk, "next_deadline", nd);
}

/* Loads a ticket the caller may see: department users only their department's (403 otherwise).
 * Returns 0 with *tk (new ref, masked for departments) or replies and returns < 0. */
static int load_visible(struct http_req *req, struct app *a, const char *id, json_t **tk)
{
	const struct principal *p = http_req_user(req);
	struct kefu_err err = {0};
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL), -1;
	if (!id || strlen(id) >= TICKET_ID_MAX)
		return api_reply_code(req, -KEFU_ENOTFOUND, "no such ticket", "id"), -1;
	if (ticket_store_get(a->tickets->reads, id, tk, &err) < 0)
		return api_reply_err(req, &err), -1;
	char dbuf[32];
	const char *dept = dept_of(a, p, dbuf, sizeof dbuf);
	history_link(*tk);
	if (dept) {
		const char *tdept = json_string_value(json_object_get(*tk, "department"));
		if (!*dept || !tdept || strcmp(dept, tdept) != 0) {
			json_decref(*tk);
			return api_reply_code(req, -KEFU_EPERM, "this ticket belongs to another department",
					      "id"),
			       -1;
		}
		mask_ticket(a, *tk, true);
	} else if (!perm_allows("pii.reveal", p->role)) {
		mask_ticket(a, *tk, false);
	}
	return 0;
}

/* The start of an action on a ticket with a JSON body: the caller may see the ticket (load_visible)
 * and the body matches spec. Returns 0 with *body (new ref) or replies and returns < 0. */
static int visible_with_body(struct http_req *req, struct app *a, const char *id,
			     const struct json_in_field *spec, size_t n, json_t **body)
{
	json_t *tk;
	struct kefu_err err = {0};
	if (load_visible(req, a, id, &tk) < 0)
		return -1;
	json_decref(tk);
	if (api_parse_body(req, spec, n, body, &err) < 0)
		return api_reply_err(req, &err), -1;
	return 0;
}

/* Reply sent once the operation's events committed. */
struct pending {
	struct http_req *req;
	struct app *app;
	char id[TICKET_ID_MAX];
	int status; /* HTTP status on success */
	json_t *extra; /* merged into the reply (owned), may be NULL */
	bool with_ticket; /* reply with the ticket as stored after the commit */
};

static void committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct pending *pd = arg;
	(void)event_id;
	if (status < 0) {
		api_reply_code(pd->req, status, err && err->msg[0] ? err->msg : "could not record the change",
			       err ? err->field : NULL);
	} else {
		json_t *out = NULL;
		if (pd->with_ticket && pd->app->tickets &&
		    ticket_store_get(pd->app->tickets->reads, pd->id, &out, NULL) == 0) {
			const struct principal *p = http_req_user(pd->req);
			history_link(out);
			if (p && (p->role == ROLE_DEPT || !perm_allows("pii.reveal", p->role)))
				mask_ticket(pd->app, out, p->role == ROLE_DEPT);
		} else {
			out = json_pack("{s:s}", "id", pd->id);
		}
		if (pd->extra)
			json_object_update(out, pd->extra);
		times_out(out);
		http_reply_json(pd->req, pd->status, out, NULL);
	}
	json_decref(pd->extra);
	free(pd);
}

static struct pending *pending_new(struct http_req *req, struct app *a, const char *id, int status)
{
	struct pending *pd = xcalloc(1, sizeof *pd);
	pd->req = req;
	pd->app = a;
	pd->status = status;
	pd->with_ticket = true;
	snprintf(pd->id, sizeof pd->id, "%s", id ? id : "");
	return pd;
}

static json_t *progress_link(const struct ticket_created *c)
{
	char url[128];
	snprintf(url, sizeof url, "/api/v1/progress/%s", c->token);
	return json_pack("{s:s,s:s}", "progress_token", c->token, "progress_url", url);
}

/* ---- handlers ------------------------------------------------------------------------------- */

/* Creates the ticket; the 201 reply (with its progress link, and the ticket record when
 * with_ticket) goes out after the commit, an error at once. in's strings stay borrowed from the
 * caller's body, which ticket_create() has copied from by the time this returns. */
static void create_and_reply(struct http_req *req, struct app *a, const struct ticket_new *in,
			     const char *actor, bool with_ticket)
{
	struct kefu_err err = {0};
	struct ticket_created c;
	struct pending *pd = pending_new(req, a, NULL, 201);
	pd->with_ticket = with_ticket;
	if (ticket_create(a->tickets->svc, in, actor, &c, committed_cb, pd, &err) < 0) {
		free(pd);
		return api_reply_err(req, &err);
	}
	snprintf(pd->id, sizeof pd->id, "%s", c.id);
	pd->extra = progress_link(&c);
}

void api_tickets_create(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"kind", JIN_STRING, false, 16},
	    {"type", JIN_STRING, true, 64},
	    {"priority", JIN_STRING, true, 4},
	    {"department", JIN_STRING, true, 16},
	    {"order", JIN_STRING, false, 64},
	    {"customer", JIN_STRING, false, 64},
	    {"session", JIN_STRING, false, 64},
	    {"channel", JIN_STRING, false, 8},
	    {"description", JIN_STRING, true, TICKET_TEXT_MAX},
	    {"plan", JIN_STRING, false, TICKET_TEXT_MAX},
	    {"region", JIN_STRING, false, 64},
	    {"complex", JIN_BOOL, false, 0},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *session = json_in_str(body, "session");
	const char *channel = json_in_str(body, "channel");
	struct ticket_new in = {
	    .kind = json_in_str(body, "kind"),
	    .type = json_in_str(body, "type"),
	    .priority = json_in_str(body, "priority"),
	    .department = json_in_str(body, "department"),
	    .order = json_in_str(body, "order"),
	    .customer = json_in_str(body, "customer"),
	    .session = session,
	    .channel = channel ? channel
		: session      ? "chat"
			       : "api",
	    .description = json_in_str(body, "description"),
	    .plan = json_in_str(body, "plan"),
	    .region = json_in_str(body, "region"),
	    .complex = json_is_true(json_object_get(body, "complex")), /* K-11 */
	};
	const struct principal *p = http_req_user(req);
	json_t *sess = NULL;
	if (session) { /* N-14: a ticket from a chat names a real session; its customer by default */
		if (store_session_get(a->reader, session, &sess, &err) < 0) {
			json_decref(body);
			if (err.code == KEFU_ENOTFOUND)
				return api_reply_code(req, -KEFU_EINVAL, "no chat session with this id",
						      "session");
			return api_reply_err(req, &err);
		}
		if (!in.customer)
			in.customer = json_string_value(json_object_get(sess, "customer"));
	}
	create_and_reply(req, a, &in, p->id, true);
	json_decref(sess);
	json_decref(body);
}

/* N-06: the complaint / after-sale form a customer submits (channel "form"). */
void api_tickets_form(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"kind", JIN_STRING, false, 16},   {"type", JIN_STRING, true, 64},
	    {"order", JIN_STRING, false, 64},  {"description", JIN_STRING, true, TICKET_TEXT_MAX},
	    {"region", JIN_STRING, false, 64},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const struct principal *p = http_req_user(req);
	const char *kind = json_in_str(body, "kind");
	struct ticket_new in = {
	    .kind = kind,
	    .type = json_in_str(body, "type"),
	    .priority = kind && strcmp(kind, "general") != 0 ? "P2" : "P3",
	    .department = "service",
	    .order = json_in_str(body, "order"),
	    .customer = p->id,
	    .channel = "form",
	    .description = json_in_str(body, "description"),
	    .region = json_in_str(body, "region"),
	};
	create_and_reply(req, a, &in, NULL, false);
	json_decref(body);
}

void api_tickets_list(struct http_req *req, void *appv)
{
	struct app *a = appv;
	const struct principal *p = http_req_user(req);
	struct kefu_err err = {0};
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	char dbuf[32];
	const char *dept = dept_of(a, p, dbuf, sizeof dbuf);
	if (dept && !*dept)
		return api_reply_code(req, -KEFU_EPERM, "this account has no department", NULL);
	const char *qdept = http_req_query(req, "department");
	if (dept && qdept && strcmp(qdept, dept) != 0)
		return api_reply_code(req, -KEFU_EPERM, "tickets of another department", "department");
	const char *state = http_req_query(req, "state");
	if (state && strcmp(state, "open") && strcmp(state, "claimed") && strcmp(state, "resolved"))
		return api_reply_code(req, -KEFU_EINVAL, "state must be open, claimed or resolved", "state");
	const char *cursor = http_req_query(req, "cursor");
	int64_t before = 0;
	if (cursor) {
		char *end;
		before = strtoll(cursor, &end, 10);
		if (*end || before <= 0)
			return api_reply_code(req, -KEFU_EINVAL, "cursor is not one this API returned",
					      "cursor");
	}
	json_t *list;
	if (ticket_store_list(a->tickets->reads, dept ? dept : qdept, state, before, LIST_MAX, &list, &err) <
	    0)
		return api_reply_err(req, &err);
	json_t *next = json_null();
	if (json_array_size(list) == LIST_MAX) {
		json_t *last = json_array_get(list, LIST_MAX - 1);
		char buf[32];
		snprintf(buf, sizeof buf, "%lld",
			 (long long)json_integer_value(json_object_get(last, "created_ms")));
		next = json_string(buf);
	}
	if (dept || !perm_allows("pii.reveal", p->role)) {
		size_t i;
		json_t *tk;
		json_array_foreach(list, i, tk) mask_ticket(a, tk, dept != NULL);
	}
	size_t i;
	json_t *tk;
	json_array_foreach(list, i, tk) next_deadline(tk);
	times_out(list);
	http_reply_json(req, 200, json_pack("{s:o,s:o}", "tickets", list, "next", next), NULL);
}

void api_tickets_get(struct http_req *req, void *appv)
{
	json_t *tk;
	if (load_visible(req, appv, http_req_param(req, "id"), &tk) < 0)
		return;
	times_out(tk);
	http_reply_json(req, 200, tk, NULL);
}

/* A body-less action on a ticket the caller can see: op(svc, id, actor) answers 200 after commit. */
static void visible_action(struct http_req *req, struct app *a,
			   int (*op)(struct ticket_service *, const char *, const char *, store_done_cb,
				     void *, struct kefu_err *))
{
	const char *id = http_req_param(req, "id");
	json_t *tk;
	if (load_visible(req, a, id, &tk) < 0)
		return;
	json_decref(tk);
	struct kefu_err err = {0};
	struct pending *pd = pending_new(req, a, id, 200);
	if (op(a->tickets->svc, id, ((const struct principal *)http_req_user(req))->id, committed_cb, pd,
	       &err) < 0) {
		free(pd);
		return api_reply_err(req, &err);
	}
}

void api_tickets_claim(struct http_req *req, void *appv)
{
	visible_action(req, appv, ticket_claim);
}

void api_tickets_step(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"step", JIN_STRING, true, 24},
	    {"note", JIN_STRING, false, TICKET_TEXT_MAX},
	    {"public", JIN_BOOL, false, 0},
	};
	const char *id = http_req_param(req, "id");
	json_t *body = NULL;
	if (visible_with_body(req, a, id, spec, sizeof spec / sizeof spec[0], &body) < 0)
		return;
	struct kefu_err err = {0};
	json_t *pub = json_object_get(body, "public");
	struct pending *pd = pending_new(req, a, id, 200);
	if (ticket_step(a->tickets->svc, id, json_in_str(body, "step"), json_in_str(body, "note"),
			pub ? json_is_true(pub) : true, ((const struct principal *)http_req_user(req))->id,
			committed_cb, pd, &err) < 0) {
		free(pd);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	json_decref(body);
}

void api_tickets_escalate(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"to", JIN_STRING, true, 16},
	    {"note", JIN_STRING, false, TICKET_TEXT_MAX},
	};
	const char *id = http_req_param(req, "id");
	json_t *body = NULL;
	if (visible_with_body(req, a, id, spec, sizeof spec / sizeof spec[0], &body) < 0)
		return;
	struct kefu_err err = {0};
	struct pending *pd = pending_new(req, a, id, 200);
	int64_t expected = 0;
	if (ticket_escalate(a->tickets->svc, id, json_in_str(body, "to"), json_in_str(body, "note"),
			    ((const struct principal *)http_req_user(req))->id, &expected, committed_cb, pd,
			    &err) < 0) {
		free(pd);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	pd->extra = json_pack("{s:I}", "expected_ms", (json_int_t)expected); /* N-19: tell the customer */
	json_decref(body);
}

void api_tickets_resolve(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {{"resolution", JIN_STRING, false, TICKET_TEXT_MAX}};
	const char *id = http_req_param(req, "id");
	json_t *body = NULL;
	if (visible_with_body(req, a, id, spec, 1, &body) < 0)
		return;
	struct kefu_err err = {0};
	struct pending *pd = pending_new(req, a, id, 200);
	if (ticket_resolve(a->tickets->svc, id, json_in_str(body, "resolution"),
			   ((const struct principal *)http_req_user(req))->id, committed_cb, pd, &err) < 0) {
		free(pd);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	json_decref(body);
}

/* N-20: archives a resolved case (before the end of its day: the archive deadline). */
void api_tickets_archive(struct http_req *req, void *appv)
{
	visible_action(req, appv, ticket_archive);
}

/* N-06: an agent answers an email ticket; the mail waits in the outbox for the relay. */
void api_tickets_reply(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {{"body", JIN_STRING, true, MAIL_BODY_MAX}};
	const char *id = http_req_param(req, "id");
	json_t *body = NULL;
	if (visible_with_body(req, a, id, spec, 1, &body) < 0)
		return;
	struct kefu_err err = {0};
	struct pending *pd = pending_new(req, a, id, 201);
	char mo[TICKET_ID_MAX];
	if (ticket_mail_reply(a->tickets->svc, id, json_in_str(body, "body"),
			      ((const struct principal *)http_req_user(req))->id, mo, committed_cb, pd,
			      &err) < 0) {
		free(pd);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	pd->extra = json_pack("{s:s}", "outbox_id", mo);
	json_decref(body);
}

/* `kefu serve --test-clock` only: moves the process clock forward and runs the SLA clock at once,
 * so tests see deadlines warn and breach without waiting. 404 when the flag is off. */
void api_test_clock(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {{"advance_ms", JIN_INT, true, 0}};
	json_t *body = NULL;
	struct kefu_err err = {0};
	if (!clock_test_offset_on())
		return api_reply_code(req, -KEFU_ENOTFOUND, "the test clock is off (kefu serve --test-clock)",
				      NULL);
	if (api_parse_body(req, spec, 1, &body, &err) < 0)
		return api_reply_err(req, &err);
	int64_t ms = json_in_int(body, "advance_ms", 0);
	json_decref(body);
	if (ms <= 0 || ms > 366LL * 24 * 3600 * 1000)
		return api_reply_code(req, -KEFU_EINVAL, "advance_ms must be 1 ms … 366 days", "advance_ms");
	int64_t now = clock_test_advance(ms);
	size_t fired = a->tickets ? ticket_sla_run(ticket_service_sla(a->tickets->svc)) : 0;
	char at[48];
	clock_format_rfc3339(now, OUT_OFFSET_MIN, at, sizeof at);
	http_reply_json(req, 200, json_pack("{s:s,s:I}", "now_at", at, "fired", (json_int_t)fired), NULL);
}

/* N-26: the customer's view of one case through its unguessable link; only public steps. */
void api_progress_get(struct http_req *req, void *appv)
{
	struct app *a = appv;
	const char *token = http_req_param(req, "token");
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	if (!token || strlen(token) != 64)
		return api_reply_code(req, -KEFU_ENOTFOUND, "no case for this link", "token");
	char hash[65], *id = NULL;
	ticket_token_hash(token, hash);
	struct kefu_err err = {0};
	json_t *tk;
	if (ticket_store_by_progress(a->tickets->reads, hash, &id, &err) < 0 ||
	    ticket_store_get(a->tickets->reads, id, &tk, &err) < 0) {
		free(id);
		return api_reply_err(req, &err);
	}
	free(id);
	json_t *steps = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(tk, "steps"), i, s)
	{
		if (json_integer_value(json_object_get(s, "public")) != 1)
			continue;
		json_t *note = json_object_get(s, "note");
		json_array_append_new(steps,
				      json_pack("{s:O,s:O,s:O}", "at_ms", json_object_get(s, "at_ms"), "step",
						json_object_get(s, "step"), "note",
						note ? note : json_null()));
	}
	json_t *out = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o}", "id", json_object_get(tk, "id"), "kind",
				json_object_get(tk, "kind"), "type", json_object_get(tk, "type"), "state",
				json_object_get(tk, "state"), "step", json_object_get(tk, "step"),
				"created_ms", json_object_get(tk, "created_ms"), "resolved_ms",
				json_object_get(tk, "resolved_ms"), "steps", steps);
	json_decref(tk);
	times_out(out);
	http_reply_json(req, 200, out, NULL);
}

/* Supervisor breach board: warned and breached deadlines, newest first. */
void api_sla_board(struct http_req *req, void *appv)
{
	struct app *a = appv;
	struct kefu_err err = {0};
	json_t *list;
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	if (ticket_store_sla_board(a->tickets->reads, LIST_MAX, &list, &err) < 0)
		return api_reply_err(req, &err);
	times_out(list);
	http_reply_json(req, 200, json_pack("{s:o}", "timers", list), NULL);
}

static void notified_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct pending *pd = arg;
	(void)event_id;
	if (status < 0)
		api_reply_code(pd->req, status, err && err->msg[0] ? err->msg : "could not record the notice",
			       err ? err->field : NULL);
	else
		http_reply_json(pd->req, 201, json_incref(pd->extra), NULL);
	json_decref(pd->extra);
	free(pd);
}

/* N-24: a proactive order notice from a template; recorded as order.notified, the text returned for
 * the agent to send in the chat. The order number fills {order} unless given. */
void api_orders_notify(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"template", JIN_STRING, true, 32},
	    {"fields", JIN_OBJECT, false, 0},
	    {"customer", JIN_STRING, false, 64},
	    {"session", JIN_STRING, false, 64},
	};
	const char *order = http_req_param(req, "id");
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (!a->tickets)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	if (!order || !*order || strlen(order) > 64)
		return api_reply_code(req, -KEFU_EINVAL, "order number is 1..64 bytes", "id");
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	json_t *fields = json_object_get(body, "fields");
	fields = fields ? json_deep_copy(fields) : json_object();
	const char *tname = json_in_str(body, "template");
	bool default_order = !json_object_get(fields, "order");
	if (default_order)
		json_object_set_new(fields, "order", json_string(order));
	char *text = NULL;
	int r = notice_render(a->tickets->notices, tname, fields, &text, &err);
	if (r == -KEFU_EINVAL && strcmp(err.field, "order") == 0 && default_order) {
		json_object_del(fields, "order"); /* the template has no {order}: it was only our default */
		kefu_err_clear(&err);
		r = notice_render(a->tickets->notices, tname, fields, &text, &err);
	}
	json_decref(fields);
	if (r < 0) {
		json_decref(body);
		if (r == -KEFU_ENOTFOUND)
			return api_reply_code(req, -KEFU_EINVAL, err.msg, "template");
		return api_reply_err(req, &err);
	}
	const struct principal *p = http_req_user(req);
	json_t *data = json_pack("{s:s,s:s,s:s}", "order", order, "template", tname, "text", text);
	const char *opt[] = {"customer", "session"};
	for (int i = 0; i < 2; i++)
		if (json_in_str(body, opt[i]))
			json_object_set_new(data, opt[i], json_string(json_in_str(body, opt[i])));
	struct pending *pd = pending_new(req, a, NULL, 201);
	pd->extra = json_pack("{s:s,s:s,s:s}", "order", order, "template", tname, "text", text);
	free(text);
	json_decref(body);
	struct store_event ev = {.type = "order.notified", .actor = p->id, .data = data};
	if ((r = store_append(a->store, &ev, notified_cb, pd)) < 0) {
		json_decref(pd->extra);
		free(pd);
		return api_reply_code(req, r, "the service is busy; try again", NULL);
	}
}

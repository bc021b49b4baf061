/* ws_api.c — the live-chat WebSocket protocol of docs/api.md: authenticates the upgrade,
 * parses each frame strictly, checks the action's permission from one table, and calls one
 * chat function. Errors go back as {"type":"error",…} frames; the connection stays open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/log.h"
#include "base/mem.h"
#include "chat/chat.h"

#define MAX_TEXT_BYTES 8000 /* 2000 characters of up to 4 bytes */

struct ws_client {
	struct app *app;
	struct principal p; /* who authenticated the upgrade */
	struct chat_conn *cc; /* attached on the first frame (the transport exists by then) */
};

void api_ws_sink_send(void *ctx, void *transport, const char *frame, size_t len)
{
	(void)ctx;
	ws_send_text(transport, frame, len);
}

int api_ws_accept(struct http_req *req, void *appv, void **conn_data)
{
	struct app *a = appv;
	/* The upgrade already passed the route gate of GET /ws (chat.connect), which attached the
	 * principal; ws_path must be a routed path (http_server_start refuses otherwise). */
	const struct principal *p = http_req_user(req);
	if (!p)
		return -KEFU_EAUTH;
	struct ws_client *wc = xcalloc(1, sizeof *wc);
	wc->app = a;
	wc->p = *p;
	*conn_data = wc;
	return 0;
}

void api_ws_closed(struct ws_conn *c, void *conn_data)
{
	struct ws_client *wc = conn_data;
	(void)c;
	if (!wc)
		return;
	if (wc->cc)
		chat_conn_detach(wc->app->chat, wc->cc);
	free(wc);
}

void api_ws_plain(struct http_req *req, void *appv)
{
	(void)appv;
	http_reply(req, 426, "application/json",
		   "{\"error\":{\"code\":\"invalid\",\"message\":\"this endpoint needs a WebSocket "
		   "upgrade\",\"field\":null}}",
		   strlen("{\"error\":{\"code\":\"invalid\",\"message\":\"this endpoint needs a WebSocket "
			  "upgrade\",\"field\":null}}"),
		   "Upgrade: websocket\r\n");
}

/* ---- actions ----------------------------------------------------------------------------- */

typedef int (*action_fn)(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err);

static int do_hello(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_hello(a->chat, cc, json_object_get(f, "resume"), err);
}

static int do_open(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_open(a->chat, cc, json_in_str(f, "category"), json_in_str(f, "item"), err);
}

static int do_send(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	json_t *t = json_object_get(f, "text");
	return chat_send(a->chat, cc, json_in_str(f, "session"), json_string_value(t), json_string_length(t),
			 json_in_str(f, "client_id"), err);
}

static int do_recv(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_recv(a->chat, cc, json_in_str(f, "session"), json_in_int(f, "seq", 0), err);
}

static int do_typing(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_typing(a->chat, cc, json_in_str(f, "session"), err);
}

static int do_presence(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_presence(a->chat, cc, json_in_str(f, "status"), err);
}

static int do_pick(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_pick(a->chat, cc, json_in_str(f, "session"), err);
}

static int do_transfer(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_transfer(a->chat, cc, json_in_str(f, "session"), json_in_str(f, "to_agent"),
			     json_in_str(f, "to_group"), json_in_str(f, "note"), err);
}

static int do_close(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	return chat_close(a->chat, cc, json_in_str(f, "session"), json_in_str(f, "summary"), err);
}

static int do_rate(struct app *a, struct chat_conn *cc, json_t *f, struct kefu_err *err)
{
	json_t *solved = json_object_get(f, "solved");
	int64_t score = json_in_int(f, "score", 0);
	if (score < 1 || score > 5)
		return KEFU_ERR(err, KEFU_EINVAL, "score", "score must be an integer from 1 to 5");
	return chat_rate(a->chat, cc, json_in_str(f, "session"), (int)score,
			 json_is_boolean(solved) ? json_is_true(solved) : -1, err);
}

#define F_TYPE                                                                                               \
	{                                                                                                    \
		"type", JIN_STRING, true, 16                                                                 \
	}
#define F_REF                                                                                                \
	{                                                                                                    \
		"ref", JIN_STRING, false, 64                                                                 \
	}
#define F_SESSION                                                                                            \
	{                                                                                                    \
		"session", JIN_STRING, true, 23                                                              \
	}

static const struct json_in_field hello_spec[] = {F_TYPE, F_REF, {"resume", JIN_OBJECT, false, 0}};
static const struct json_in_field open_spec[] = {
    F_TYPE, F_REF, {"category", JIN_STRING, false, 16}, {"item", JIN_STRING, false, 32}};
static const struct json_in_field send_spec[] = {
    F_TYPE, F_SESSION, {"text", JIN_STRING, true, MAX_TEXT_BYTES}, {"client_id", JIN_STRING, false, 64}};
static const struct json_in_field recv_spec[] = {F_TYPE, F_SESSION, {"seq", JIN_INT, true, 0}};
static const struct json_in_field typing_spec[] = {F_TYPE, F_SESSION};
static const struct json_in_field presence_spec[] = {F_TYPE, F_REF, {"status", JIN_STRING, true, 8}};
static const struct json_in_field pick_spec[] = {F_TYPE, F_REF, F_SESSION};
static const struct json_in_field transfer_spec[] = {F_TYPE,
						     F_REF,
						     F_SESSION,
						     {"to_agent", JIN_STRING, false, 40},
						     {"to_group", JIN_STRING, false, 23},
						     {"note", JIN_STRING, false, 2000}};
static const struct json_in_field close_spec[] = {
    F_TYPE, F_REF, F_SESSION, {"summary", JIN_STRING, false, 2000}};
static const struct json_in_field rate_spec[] = {
    F_TYPE, F_REF, F_SESSION, {"score", JIN_INT, true, 0}, {"solved", JIN_BOOL, false, 0}};

#define SPEC(s) s, sizeof s / sizeof s[0]

/* Every WebSocket action and the permission it needs (deny by default, like HTTP routes). */
static const struct ws_action {
	const char *type;
	const char *perm;
	const struct json_in_field *spec;
	size_t nspec;
	action_fn fn;
} actions[] = {
    {"hello", "chat.connect", SPEC(hello_spec), do_hello},
    {"open", "chat.customer", SPEC(open_spec), do_open},
    {"send", "chat.connect", SPEC(send_spec), do_send},
    {"recv", "chat.connect", SPEC(recv_spec), do_recv},
    {"typing", "chat.connect", SPEC(typing_spec), do_typing},
    {"presence", "chat.serve", SPEC(presence_spec), do_presence},
    {"pick", "chat.serve", SPEC(pick_spec), do_pick},
    {"transfer", "chat.transfer", SPEC(transfer_spec), do_transfer},
    {"close", "chat.connect", SPEC(close_spec), do_close},
    {"rate", "chat.customer", SPEC(rate_spec), do_rate},
};

static void send_error(struct ws_conn *c, const struct kefu_err *err, const char *ref)
{
	json_t *f = json_pack("{s:s,s:s,s:s}", "type", "error", "code", kefu_strerror(err->code), "message",
			      err->msg);
	json_object_set_new(f, "field", err->field[0] ? json_string(err->field) : json_null());
	json_object_set_new(f, "ref", ref ? json_string(ref) : json_null());
	char *s = json_dumps(f, JSON_COMPACT);
	json_decref(f);
	if (s) {
		ws_send_text(c, s, strlen(s));
		free(s);
	}
}

void api_ws_message(struct ws_conn *c, void *conn_data, const char *text, size_t len)
{
	struct ws_client *wc = conn_data;
	struct kefu_err err = {0};
	json_t *f = NULL;
	if (json_in_parse(text, len, &f, &err) < 0)
		return send_error(c, &err, NULL);
	const char *type = json_in_str(f, "type");
	const char *ref = json_in_str(f, "client_id");
	if (!ref)
		ref = json_in_str(f, "ref");
	if (ref && strlen(ref) > 64)
		ref = NULL;
	const struct ws_action *act = NULL;
	for (size_t i = 0; type && i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].type, type) == 0)
			act = &actions[i];
	if (!act) {
		KEFU_ERR(&err, KEFU_EINVAL, "type", "unknown or missing message type");
	} else if (!perm_allows(act->perm, wc->p.role)) {
		KEFU_ERR(&err, KEFU_EPERM, "type", "your role may not use '%s'", act->type);
	} else if (json_in_check(f, act->spec, act->nspec, &err) == 0) {
		if (!wc->cc)
			wc->cc = chat_conn_attach(wc->app->chat, &wc->p, c);
		act->fn(wc->app, wc->cc, f, &err);
	}
	if (err.code)
		send_error(c, &err, ref);
	json_decref(f);
}

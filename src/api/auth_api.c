/* auth_api.c — logins and the permission gate: POST /login, /logout, /visitor, GET /me, the
 * authorize hook every route passes through, and the token → principal cache. Passwords are
 * verified on libuv's worker pool (argon2id blocks a core for ~25 ms), never on the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sodium.h>

#include "api/api.h"
#include "auth/limiter.h"
#include "auth/password.h"
#include "auth/token.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/rand.h"
#include "store/store.h"

#define COOKIE_NAME "kefu_token"
#define MAX_LOGINS_IN_FLIGHT 4
#define CUSTOMER_PREFIX "cust:"

struct cached_principal {
	struct principal p;
	int64_t expires_ms; /* token expiry */
};

/* ---- principals ---------------------------------------------------------------------------- */

static void principal_from_user(const struct store_user *u, struct principal *p)
{
	memset(p, 0, sizeof *p);
	p->role = auth_role_from_account(u->role, u->level);
	snprintf(p->id, sizeof p->id, "%s", u->id);
	snprintf(p->name, sizeof p->name, "%s", u->name);
	snprintf(p->display, sizeof p->display, "%s", u->display && *u->display ? u->display : u->name);
	snprintf(p->level, sizeof p->level, "%s", u->level ? u->level : "");
	snprintf(p->team, sizeof p->team, "%s", u->team ? u->team : "");
	snprintf(p->dept, sizeof p->dept, "%s", u->dept ? u->dept : "");
	p->max_chats = u->max_chats;
	size_t i;
	json_t *v;
	json_array_foreach(u->skills, i, v)
	{
		if (p->nskills < PRINCIPAL_MAX_SKILLS && json_is_string(v))
			snprintf(p->skills[p->nskills++], sizeof p->skills[0], "%s", json_string_value(v));
	}
}

static void customer_principal(struct app *a, const char *customer_id, const char *type, struct principal *p)
{
	memset(p, 0, sizeof *p);
	p->role = ROLE_CUSTOMER;
	snprintf(p->id, sizeof p->id, "%s", customer_id);
	snprintf(p->display, sizeof p->display, "%s", "顾客");
	if (type) {
		snprintf(p->customer_type, sizeof p->customer_type, "%s", type);
		return;
	}
	json_t *prof = NULL;
	const char *t = NULL;
	if (store_customer_profile(a->reader, customer_id, &prof, NULL) == 0)
		t = json_string_value(json_object_get(prof, "type"));
	snprintf(p->customer_type, sizeof p->customer_type, "%s", t && *t ? t : "new");
	json_decref(prof);
}

static void cache_put(struct app *a, const char *hash, const struct principal *p, int64_t expires_ms)
{
	struct cached_principal *c = xcalloc(1, sizeof *c);
	c->p = *p;
	snprintf(c->p.token_hash, sizeof c->p.token_hash, "%s", hash);
	c->expires_ms = expires_ms;
	free(map_put(&a->principals, hash, c));
}

int api_principal_for_token(struct app *a, const char *token, struct principal *out)
{
	if (!token || strlen(token) != TOKEN_LEN)
		return -KEFU_EAUTH;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, TOKEN_LEN, hash);
	int64_t now = clock_now_ms();
	struct cached_principal *c = map_get(&a->principals, hash);
	if (c && c->expires_ms > now) {
		*out = c->p;
		return 0;
	}
	char *user_id = NULL;
	int64_t expires = 0;
	if (store_token_lookup(a->reader, hash, now, &user_id, &expires, NULL) < 0)
		return -KEFU_EAUTH;
	int rc = 0;
	if (strncmp(user_id, CUSTOMER_PREFIX, strlen(CUSTOMER_PREFIX)) == 0) {
		customer_principal(a, user_id + strlen(CUSTOMER_PREFIX), NULL, out);
	} else {
		struct store_user u = {0};
		if (store_user_by_id(a->reader, user_id, &u, NULL) < 0 || u.disabled)
			rc = -KEFU_EAUTH;
		else
			principal_from_user(&u, out);
		store_user_clear(&u);
	}
	free(user_id);
	if (rc == 0) {
		snprintf(out->token_hash, sizeof out->token_hash, "%s", hash);
		cache_put(a, hash, out, expires);
	}
	return rc;
}

void api_principals_sweep(struct app *a, int64_t now_ms)
{
	const char *k;
	void *v;
	for (size_t it = 0; map_next(&a->principals, &it, &k, &v);) {
		if (((struct cached_principal *)v)->expires_ms <= now_ms)
			free(map_del(&a->principals, k));
	}
}

void api_principals_free(struct app *a)
{
	void *v;
	for (size_t it = 0; map_next(&a->principals, &it, NULL, &v);)
		free(v);
	map_free(&a->principals);
}

/* The token of a request: Bearer header, else the cookie, else ?token= (WebSocket from another
 * origin). Borrowed from the request. */
const char *api_req_token(struct http_req *req)
{
	const char *h = http_req_header(req, "authorization");
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	const char *c = http_req_cookie(req, COOKIE_NAME);
	if (c)
		return c;
	return http_req_query(req, "token");
}

bool api_perm_known(const char *perm, void *app)
{
	(void)app;
	return perm_known(perm);
}

static void free_principal(void *p)
{
	free(p);
}

int api_authorize(struct http_req *req, const char *perm, void *appv)
{
	struct app *a = appv;
	if (strcmp(perm, "public") == 0)
		return 0;
	struct principal p;
	if (api_principal_for_token(a, api_req_token(req), &p) < 0)
		return -KEFU_EAUTH;
	if (!perm_allows(perm, p.role))
		return -KEFU_EPERM;
	struct principal *copy = xmalloc(sizeof *copy);
	*copy = p;
	http_req_set_user(req, copy, free_principal);
	return 0;
}

/* ---- tokens ------------------------------------------------------------------------------ */

struct login_reply {
	struct app *app;
	struct http_req *req;
	char token[TOKEN_LEN + 1];
	json_t *body; /* reply body (owned) */
	int64_t expires_ms;
	bool set_cookie; /* staff logins get the cookie; visitor tokens never do */
};

static void login_committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct login_reply *r = arg;
	(void)event_id;
	(void)err;
	if (status < 0) {
		api_reply_code(r->req, status, "could not record the login; try again", NULL);
	} else {
		char hdr[256] = "";
		if (r->set_cookie) /* staff browsers; widget tokens travel as Bearer/?token= only */
			snprintf(hdr, sizeof hdr,
				 "Set-Cookie: " COOKIE_NAME
				 "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld\r\n",
				 r->token, (long long)(r->app->token_ttl_ms / 1000));
		json_object_set_new(r->body, "token", json_string(r->token));
		http_reply_json(r->req, 200, json_incref(r->body), hdr[0] ? hdr : NULL);
	}
	json_decref(r->body);
	sodium_memzero(r->token, sizeof r->token);
	free(r);
}

/* Issues a token for subject ("u_…" or "cust:…"), records auth.login, replies after commit. */
static void issue_token(struct app *a, struct http_req *req, const char *subject, const char *client,
			json_t *body, const struct principal *p)
{
	struct login_reply *r = xcalloc(1, sizeof *r);
	r->app = a;
	r->req = req;
	r->body = body;
	r->set_cookie = strcmp(client, "widget") != 0;
	token_new(r->token);
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(r->token, TOKEN_LEN, hash);
	int64_t now = clock_now_ms();
	r->expires_ms = now + a->token_ttl_ms;
	cache_put(a, hash, p, r->expires_ms);
	struct store_event ev = {
	    .type = "auth.login",
	    .at_ms = now,
	    .actor = subject,
	    .data = json_pack("{s:s,s:s,s:I,s:s}", "user", subject, "token_hash", hash, "expires_ms",
			      (json_int_t)r->expires_ms, "client", client),
	};
	int rc = store_append(a->store, &ev, login_committed_cb, r);
	if (rc < 0) {
		free(map_del(&a->principals, hash));
		api_reply_code(req, rc, "the service is busy; try again", NULL);
		json_decref(body);
		free(r);
	}
}

/* ---- POST /api/v1/login --------------------------------------------------------------------- */

struct login_work {
	uv_work_t work;
	struct app *app;
	struct http_req *req;
	struct store_user user; /* looked up on the loop thread; empty id when unknown */
	char password[257];
	char name[65];
	char remote[64];
	bool ok; /* result of the verification */
};

static char dummy_hash_buf[PASSWORD_HASH_MAX];
static pthread_once_t dummy_hash_once = PTHREAD_ONCE_INIT;

static void dummy_hash_init(void)
{
	char pw[33];
	rand_hex(pw, 16);
	password_hash(pw, dummy_hash_buf, NULL);
}

/* A hash of a random password, made once (login workers run concurrently). */
static const char *dummy_hash(void)
{
	pthread_once(&dummy_hash_once, dummy_hash_init);
	return dummy_hash_buf;
}

static void login_work_cb(uv_work_t *w)
{
	struct login_work *lw = w->data;
	/* Unknown users are verified against a dummy hash so timing does not reveal which names exist. */
	bool ok = password_verify(lw->user.id ? lw->user.pw_hash : dummy_hash(), lw->password);
	lw->ok = ok && lw->user.id && !lw->user.disabled;
}

static void record_failure(struct app *a, const char *name, const char *reason)
{
	struct store_event ev = {.type = "auth.login_failed",
				 .data = json_pack("{s:s,s:s}", "name", name, "reason", reason)};
	store_append(a->store, &ev, NULL, NULL);
}

static void login_after_cb(uv_work_t *w, int status)
{
	struct login_work *lw = w->data;
	struct app *a = lw->app;
	a->logins_in_flight--;
	sodium_memzero(lw->password, sizeof lw->password);
	char key[128];
	if (status < 0 || !lw->ok) {
		int64_t now = clock_now_ms();
		snprintf(key, sizeof key, "name:%s", lw->name);
		limiter_fail(a->login_limiter, key, now);
		snprintf(key, sizeof key, "ip:%s", lw->remote);
		limiter_fail(a->addr_limiter, key, now);
		record_failure(a, lw->name,
			       !lw->user.id	       ? "unknown_user"
				   : lw->user.disabled ? "disabled"
						       : "bad_password");
		log_info("auth", "login failed remote=%s", lw->remote);
		http_reply_error(lw->req, 401, "unauthenticated", "wrong name or password", NULL);
	} else {
		snprintf(key, sizeof key, "name:%s", lw->name);
		limiter_reset(a->login_limiter, key);
		struct principal p;
		principal_from_user(&lw->user, &p);
		json_t *body = json_pack("{s:o}", "user", api_principal_json(&p));
		issue_token(a, lw->req, lw->user.id,
			    http_req_header(lw->req, "authorization") ? "bearer" : "cookie", body, &p);
		log_info("auth", "login user=%s", lw->user.id);
	}
	store_user_clear(&lw->user);
	free(lw);
}

void api_login(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"name", JIN_STRING, true, 64},
	    {"password", JIN_STRING, true, 256},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *name = json_in_str(body, "name");
	int64_t now = clock_now_ms(), retry = 0, retry2 = 0;
	char key_name[128], key_ip[128];
	snprintf(key_name, sizeof key_name, "name:%s", name);
	snprintf(key_ip, sizeof key_ip, "ip:%s", http_req_remote(req));
	bool ok_name = limiter_allowed(a->login_limiter, key_name, now, &retry);
	bool ok_ip = limiter_allowed(a->addr_limiter, key_ip, now, &retry2);
	if (!ok_name || !ok_ip || a->logins_in_flight >= MAX_LOGINS_IN_FLIGHT) {
		int64_t wait_s = ((retry > retry2 ? retry : retry2) + 999) / 1000;
		if (wait_s < 1)
			wait_s = 1;
		char hdr[64];
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", (long long)wait_s);
		if (!ok_name || !ok_ip)
			record_failure(a, name, "rate_limited");
		json_decref(body);
		http_reply(req, 429, "application/json",
			   "{\"error\":{\"code\":\"limit\",\"message\":\"too many login attempts; wait and "
			   "try again\",\"field\":null}}",
			   strlen("{\"error\":{\"code\":\"limit\",\"message\":\"too many login attempts; "
				  "wait and try again\",\"field\":null}}"),
			   hdr);
		return;
	}
	struct login_work *lw = xcalloc(1, sizeof *lw);
	lw->app = a;
	lw->req = req;
	lw->work.data = lw;
	snprintf(lw->name, sizeof lw->name, "%s", name);
	snprintf(lw->password, sizeof lw->password, "%s", json_in_str(body, "password"));
	snprintf(lw->remote, sizeof lw->remote, "%s", http_req_remote(req));
	json_decref(body);
	if (store_user_by_name(a->reader, lw->name, &lw->user, NULL) < 0)
		memset(&lw->user, 0, sizeof lw->user);
	a->logins_in_flight++;
	uv_queue_work(a->loop, &lw->work, login_work_cb, login_after_cb);
}

/* ---- POST /api/v1/logout, GET /api/v1/me ---------------------------------------------------- */

static void logout_committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct http_req *req = arg;
	(void)event_id;
	(void)err;
	if (status < 0)
		api_reply_code(req, status, "could not record the logout; try again", NULL);
	else
		http_reply(req, 204, NULL, NULL, 0,
			   "Set-Cookie: " COOKIE_NAME "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0\r\n");
}

/* The token is dropped from the cache at once and revoked in the store; the reply waits for the
 * commit, so a 204 means the token is dead even after a restart. */
void api_logout(struct http_req *req, void *appv)
{
	struct app *a = appv;
	const struct principal *p = http_req_user(req);
	free(map_del(&a->principals, p->token_hash));
	struct store_event ev = {
	    .type = "auth.logout", .actor = p->id, .data = json_pack("{s:s}", "token_hash", p->token_hash)};
	int rc = store_append(a->store, &ev, logout_committed_cb, req);
	if (rc < 0)
		api_reply_code(req, rc, "the service is busy; try again", NULL);
}

void api_me(struct http_req *req, void *appv)
{
	(void)appv;
	http_reply_json(req, 200, api_principal_json(http_req_user(req)), NULL);
}

/* ---- POST /api/v1/visitor ------------------------------------------------------------------- */

void api_visitor(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"channel", JIN_STRING, false, 16},
	    {"customer", JIN_STRING, false, 64},
	    {"sig", JIN_STRING, false, 64},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *channel = json_in_str(body, "channel");
	if (channel && strcmp(channel, "web") && strcmp(channel, "app")) {
		json_decref(body);
		return http_reply_error(req, 400, "invalid", "channel must be web or app", "channel");
	}
	const char *customer = json_in_str(body, "customer");
	char id[80];
	struct principal p;
	if (customer) {
		if (!token_hmac_verify(a->widget_secret, customer, json_in_str(body, "sig"))) {
			json_decref(body);
			return http_reply_error(req, 403, "forbidden",
						"the customer signature does not match", "sig");
		}
		snprintf(id, sizeof id, "%s", customer);
		customer_principal(a, id, NULL, &p);
	} else {
		rand_id(id, sizeof id, "v_");
		customer_principal(a, id, "new", &p);
	}
	json_decref(body);
	char subject[96];
	snprintf(subject, sizeof subject, CUSTOMER_PREFIX "%s", id);
	json_t *reply = json_pack("{s:{s:s,s:s}}", "customer", "id", p.id, "type", p.customer_type);
	issue_token(a, req, subject, "widget", reply, &p);
}

/* Demo mode only: the signature a shop's page would compute for a customer id. */
void api_demo_identify(struct http_req *req, void *appv)
{
	struct app *a = appv;
	const char *customer = http_req_query(req, "customer");
	if (!a->demo)
		return http_reply_error(req, 404, "not_found", "only available in demo mode", NULL);
	if (!customer || !*customer || strlen(customer) > 64)
		return http_reply_error(req, 400, "invalid", "customer query parameter required (≤ 64 bytes)",
					"customer");
	char sig[65];
	token_hmac_hex(a->widget_secret, customer, sig);
	http_reply_json(req, 200, json_pack("{s:s,s:s}", "customer", customer, "sig", sig), NULL);
}

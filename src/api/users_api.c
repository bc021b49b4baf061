/* users_api.c — GET/POST /api/v1/users (admin): list and create accounts. Hashing runs on the
 * worker pool; the reply is sent after user.created commits. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/password.h"
#include "auth/users.h"
#include "base/mem.h"
#include "base/rand.h"
#include "store/store.h"

void api_users_list(struct http_req *req, void *appv)
{
	struct app *a = appv;
	json_t *users = NULL;
	struct kefu_err err = {0};
	if (store_users_list(a->reader, &users, &err) < 0)
		return api_reply_err(req, &err);
	http_reply_json(req, 200, users, NULL);
}

struct create_work {
	uv_work_t work;
	struct app *app;
	struct http_req *req;
	json_t *body; /* validated request (owned) */
	struct user_new u; /* borrows strings from body */
	char id[24];
	char hash[PASSWORD_HASH_MAX];
	int rc;
};

static void create_hash_cb(uv_work_t *w)
{
	struct create_work *cw = w->data;
	cw->rc = password_hash(cw->u.password, cw->hash, NULL);
}

static void create_committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct create_work *cw = arg;
	(void)event_id;
	if (status < 0)
		api_reply_code(cw->req, status,
			       err && err->msg[0] ? err->msg : "could not create the account",
			       err ? err->field : NULL);
	else
		http_reply_json(cw->req, 201, json_pack("{s:s,s:s}", "id", cw->id, "name", cw->u.name), NULL);
	json_decref(cw->body);
	free(cw);
}

static void create_after_cb(uv_work_t *w, int status)
{
	struct create_work *cw = w->data;
	if (status < 0 || cw->rc < 0) {
		api_reply_code(cw->req, -KEFU_EINTERNAL, "password hashing failed", NULL);
		json_decref(cw->body);
		free(cw);
		return;
	}
	struct store_event ev = {.type = "user.created",
				 .data = users_created_data(&cw->u, cw->id, cw->hash)};
	int rc = store_append(cw->app->store, &ev, create_committed_cb, cw);
	if (rc < 0) {
		api_reply_code(cw->req, rc, "the service is busy; try again", NULL);
		json_decref(cw->body);
		free(cw);
	}
}

void api_users_create(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"name", JIN_STRING, true, 64},	{"password", JIN_STRING, true, 256},
	    {"display", JIN_STRING, false, 64}, {"role", JIN_STRING, true, 16},
	    {"level", JIN_STRING, false, 16},	{"team", JIN_STRING, false, 31},
	    {"post", JIN_STRING, false, 16},	{"dept", JIN_STRING, false, 31},
	    {"skills", JIN_ARRAY, false, 0},	{"max_chats", JIN_INT, false, 0},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	struct create_work *cw = xcalloc(1, sizeof *cw);
	cw->app = a;
	cw->req = req;
	cw->body = body;
	cw->work.data = cw;
	int64_t mc = json_in_int(body, "max_chats", 0);
	cw->u = (struct user_new){
	    .name = json_in_str(body, "name"),
	    .password = json_in_str(body, "password"),
	    .display = json_in_str(body, "display"),
	    .role = json_in_str(body, "role"),
	    .level = json_in_str(body, "level"),
	    .team = json_in_str(body, "team"),
	    .post = json_in_str(body, "post"),
	    .dept = json_in_str(body, "dept"),
	    .skills = json_object_get(body, "skills"),
	    .max_chats = mc < 0 || mc > 1000 ? -1 : (int)mc,
	};
	struct store_user existing = {0};
	int rc = users_validate(&cw->u, &err);
	if (rc == 0 && store_user_by_name(a->reader, cw->u.name, &existing, NULL) == 0) {
		store_user_clear(&existing);
		rc = KEFU_ERR(&err, KEFU_EEXIST, "name", "an account with this name already exists");
	}
	if (rc < 0) {
		api_reply_err(req, &err);
		json_decref(body);
		free(cw);
		return;
	}
	rand_id(cw->id, sizeof cw->id, "u_");
	uv_queue_work(a->loop, &cw->work, create_hash_cb, create_after_cb);
}

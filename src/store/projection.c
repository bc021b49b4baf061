/* projection.c — the writer side of the store: appends one event row and applies its projection
 * (docs/events.md) to the domain tables with named prepared statements, plus the transaction steps
 * the writer thread drives. It never begins or commits on its own, never sees a callback or a
 * thread, and never logs payload contents. Every step goes through step() so tests can inject a
 * failure at any one of them (store_test.h). */
#include "store/projection.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "store/assess_store.h"
#include "store/kb_store.h"
#include "store/people_store.h"
#include "store/store_int.h"
#include "store/ticket_store.h"

enum wstmt {
	W_EVENT_INSERT,
	W_USER_INSERT,
	W_USER_PASSWORD,
	W_USER_UPDATE,
	W_TOKEN_INSERT,
	W_TOKEN_REVOKE,
	W_PRESENCE_UPSERT,
	W_PRESENCE_LOG,
	W_CUSTOMER_UPSERT,
	W_ORDER_UPSERT,
	W_SESSION_INSERT,
	W_SESSION_QUEUE,
	W_SESSION_ASSIGN,
	W_SESSION_TRANSFER,
	W_MESSAGE_INSERT,
	W_SESSION_MESSAGE,
	W_SESSION_CLOSE,
	W_RATING_UPSERT,
	W_COUNT
};

static const char *const wstmt_sql[W_COUNT] = {
    [W_EVENT_INSERT] = "INSERT INTO events(at_ms, type, session, actor, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    [W_USER_INSERT] =
	"INSERT INTO users(id, name, display, role, level, team, post, dept, skills, max_chats, "
	"pw_hash, disabled, created_ms) VALUES (?1, ?2, coalesce(?3, ''), ?4, coalesce(?5, ''), "
	"coalesce(?6, ''), coalesce(?7, ''), coalesce(?8, ''), coalesce(?9, '[]'), "
	"coalesce(?10, 0), coalesce(?11, ''), 0, ?12)",
    [W_USER_PASSWORD] = "UPDATE users SET pw_hash = ?2 WHERE id = ?1",
    /* user.updated: a NULL parameter keeps the column (the field was absent from the payload) */
    [W_USER_UPDATE] = "UPDATE users SET display = coalesce(?2, display), role = coalesce(?3, role), "
		      "level = coalesce(?4, level), team = coalesce(?5, team), post = coalesce(?6, post), "
		      "dept = coalesce(?7, dept), skills = coalesce(?8, skills), "
		      "max_chats = coalesce(?9, max_chats), disabled = coalesce(?10, disabled) WHERE id = ?1",
    [W_TOKEN_INSERT] = "INSERT INTO tokens(hash, user, expires_ms, revoked, created_ms, client) "
		       "VALUES (?1, ?2, ?3, 0, ?4, ?5)",
    [W_TOKEN_REVOKE] = "UPDATE tokens SET revoked = 1 WHERE hash = ?1",
    [W_PRESENCE_UPSERT] =
	"INSERT INTO presence(agent, status, since_ms) VALUES (?1, ?2, ?3) "
	"ON CONFLICT(agent) DO UPDATE SET status = excluded.status, since_ms = excluded.since_ms",
    [W_PRESENCE_LOG] = "INSERT INTO presence_log(agent, status, at_ms) VALUES (?1, ?2, ?3)",
    /* upserts: a field absent from the payload keeps what an earlier event set */
    [W_CUSTOMER_UPSERT] = "INSERT INTO customers(id, name, phone, type, region, tags) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, '[]')) ON CONFLICT(id) DO UPDATE SET "
			  "name = coalesce(excluded.name, name), phone = coalesce(excluded.phone, phone), "
			  "type = coalesce(excluded.type, type), region = coalesce(excluded.region, region), "
			  "tags = coalesce(?6, tags)",
    [W_ORDER_UPSERT] =
	"INSERT INTO orders(id, customer, at_ms, amount, status, item) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET "
	"customer = coalesce(excluded.customer, customer), at_ms = coalesce(excluded.at_ms, at_ms), "
	"amount = coalesce(excluded.amount, amount), status = coalesce(excluded.status, status), "
	"item = coalesce(excluded.item, item)",
    [W_SESSION_INSERT] = "INSERT INTO sessions(id, channel, customer, customer_type, visitor, category, grp, "
			 "region, state, priority, opened_ms, last_seq) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', 0, ?9, 0)",
    [W_SESSION_QUEUE] = "UPDATE sessions SET state = 'queued', queued_ms = ?2, grp = coalesce(?3, grp), "
			"priority = coalesce(?4, priority) WHERE id = ?1",
    [W_SESSION_ASSIGN] = "UPDATE sessions SET state = 'assigned', agent = ?2, assigned_ms = ?3 WHERE id = ?1",
    [W_SESSION_TRANSFER] = "UPDATE sessions SET agent = CASE WHEN ?2 THEN NULL ELSE agent END WHERE id = ?1",
    [W_MESSAGE_INSERT] = "INSERT INTO messages(session, seq, at_ms, sender, agent, text, client_id) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* bot and system messages are never agent replies (N-01, K-01) */
    [W_SESSION_MESSAGE] = "UPDATE sessions SET last_seq = max(last_seq, ?2), "
			  "first_customer_ms = CASE WHEN ?3 = 'customer' AND first_customer_ms IS NULL "
			  "THEN ?4 ELSE first_customer_ms END, "
			  "first_agent_ms = CASE WHEN ?3 = 'agent' AND first_agent_ms IS NULL "
			  "THEN ?4 ELSE first_agent_ms END WHERE id = ?1",
    [W_SESSION_CLOSE] = "UPDATE sessions SET state = 'closed', closed_ms = ?2, summary = ?3 WHERE id = ?1",
    /* last rating wins; only for a session that exists */
    [W_RATING_UPSERT] =
	"INSERT INTO ratings(session, score, solved, at_ms) "
	"SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?1) "
	"ON CONFLICT(session) DO UPDATE SET score = excluded.score, solved = excluded.solved, "
	"at_ms = excluded.at_ms",
};

static const char *const tx_sql[STORE_TX_COUNT] = {
    [STORE_TX_BEGIN] = "BEGIN IMMEDIATE", [STORE_TX_COMMIT] = "COMMIT",
    [STORE_TX_ROLLBACK] = "ROLLBACK",	  [STORE_TX_SAVEPOINT] = "SAVEPOINT ev",
    [STORE_TX_RELEASE] = "RELEASE ev",	  [STORE_TX_ROLLBACK_TO] = "ROLLBACK TO ev",
};

struct store_proj {
	sqlite3 *db; /* borrowed: the writer connection */
	sqlite3_stmt *st[W_COUNT]; /* owned, prepared once */
	sqlite3_stmt *tx[STORE_TX_COUNT]; /* owned, prepared once */
	struct buf data; /* events.data of the current event, reused */
	struct buf arr; /* one JSON array column (skills, tags), reused */
	struct assess_touch *touch; /* K-: marks the rollup days an event changes (assess_store.c) */
	struct store_kb_proj *kb; /* KB-: statements of the kb.* projections (kb_store.c) */
	struct store_ticket_proj *ticket; /* N-13…N-20: ticket.* and sla.* projections (ticket_store.c) */
	atomic_int fail_in; /* steps until the injected fault; 0 = none armed */
	atomic_int fail_count; /* consecutive steps to fail once fired; <= 0 = all */
	atomic_int fail_left; /* steps still to fail after firing; < 0 = forever */
};

/* ---- statement helpers ---------------------------------------------------------------------- */

/* True when the step about to run is to fail (test fault injection; store_test.h). */
static bool fault_fires(struct store_proj *p)
{
	int left = atomic_load_explicit(&p->fail_left, memory_order_relaxed);
	if (left != 0) {
		if (left > 0)
			atomic_store_explicit(&p->fail_left, left - 1, memory_order_relaxed);
		return true;
	}
	int in = atomic_load_explicit(&p->fail_in, memory_order_relaxed);
	if (in == 0)
		return false;
	atomic_store_explicit(&p->fail_in, in - 1, memory_order_relaxed);
	if (in > 1)
		return false;
	int count = atomic_load_explicit(&p->fail_count, memory_order_relaxed);
	atomic_store_explicit(&p->fail_left, count <= 0 ? -1 : count - 1, memory_order_relaxed);
	return true;
}

/* Steps a statement that returns no rows, then resets it and clears its bindings. */
static int step(struct store_proj *p, sqlite3_stmt *st, const char *what, struct kefu_err *err)
{
	int rc;
	const char *msg;
	if (fault_fires(p)) {
		rc = SQLITE_IOERR;
		msg = "injected fault";
	} else {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
		msg = sqlite3_errmsg(p->db);
	}
	int r = 0;
	if (rc != SQLITE_DONE) {
		int code = (rc & 0xff) == SQLITE_CONSTRAINT ? KEFU_ECONFLICT : KEFU_ESTORE;
		r = KEFU_ERR(err, code, "sqlite", "%s: %s", what, msg);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* ---- payload helpers: the producer validated; these only keep bad input from crashing -------- */

static int get_str(json_t *data, const char *key, bool required, const char **out, struct kefu_err *err)
{
	json_t *v = json_object_get(data, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? KEFU_ERR(err, KEFU_EINVAL, key, "missing") : 0;
	if (!json_is_string(v))
		return KEFU_ERR(err, KEFU_EINVAL, key, "not a string");
	*out = json_string_value(v);
	return 0;
}

/* *present is false when the key is absent or null. */
static int get_int(json_t *data, const char *key, bool required, int64_t *out, bool *present,
		   struct kefu_err *err)
{
	json_t *v = json_object_get(data, key);
	*out = 0;
	*present = false;
	if (!v || json_is_null(v))
		return required ? KEFU_ERR(err, KEFU_EINVAL, key, "missing") : 0;
	if (!json_is_integer(v))
		return KEFU_ERR(err, KEFU_EINVAL, key, "not an integer");
	*out = json_integer_value(v);
	*present = true;
	return 0;
}

/* *out is 1, 0, or -1 when absent or null. */
static int get_bool(json_t *data, const char *key, int *out, struct kefu_err *err)
{
	json_t *v = json_object_get(data, key);
	*out = -1;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return KEFU_ERR(err, KEFU_EINVAL, key, "not a boolean");
	*out = json_is_true(v) ? 1 : 0;
	return 0;
}

static int dump_cb(const char *buffer, size_t size, void *arg)
{
	buf_append(arg, buffer, size);
	return 0;
}

/* Binds the array data[key] as compact JSON text (from p->arr) or NULL when absent. */
static int bind_array(struct store_proj *p, sqlite3_stmt *st, int i, json_t *data, const char *key,
		      struct kefu_err *err)
{
	json_t *v = json_object_get(data, key);
	if (!v || json_is_null(v)) {
		sqlite3_bind_null(st, i);
		return 0;
	}
	if (!json_is_array(v))
		return KEFU_ERR(err, KEFU_EINVAL, key, "not an array");
	buf_reset(&p->arr);
	json_dump_callback(v, dump_cb, &p->arr, JSON_COMPACT);
	sqlite3_bind_text(st, i, p->arr.data ? p->arr.data : "[]", p->arr.data ? (int)p->arr.len : 2,
			  SQLITE_STATIC);
	return 0;
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v, bool present)
{
	if (present)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int need_session(const struct store__ev *ev, struct kefu_err *err)
{
	return ev->session ? 0 : KEFU_ERR(err, KEFU_EINVAL, "session", "%s needs a session", ev->type);
}

/* An UPDATE that matched no row: the user or session named does not exist. */
static int check_changed(struct store_proj *p, const char *what, struct kefu_err *err)
{
	return sqlite3_changes(p->db) > 0 ? 0 : KEFU_ERR(err, KEFU_ENOTFOUND, what, "unknown %s", what);
}

/* ---- projections, one per event type ---------------------------------------------------------- */

typedef int (*proj_fn)(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err);

static int proj_none(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	return 0;
}

/* kb.*: articles, versions, contributions, citations (kb_store.c) */
/* ticket.*, sla.*: tickets, their steps and SLA timers (ticket_store.c) */
static int proj_ticket(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	return store__ticket_project(p->ticket, ev, err);
}

static int proj_kb(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	return store__kb_project(p->kb, ev, err);
}

/* assess.result_recorded: kpi_results (result_store.c) */
static int proj_assess_result(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	return store__result_project(p->db, ev->data, ev->at_ms, err);
}

static int proj_user_created(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	static const char *const keys[] = {"id", "name", "display", "role", "level", "team", "post", "dept"};
	sqlite3_stmt *st = p->st[W_USER_INSERT];
	int r;
	for (int i = 0; i < 8; i++) {
		const char *v;
		bool required = i == 0 || i == 1 || i == 3; /* id, name, role */
		if ((r = get_str(ev->data, keys[i], required, &v, err)) < 0)
			goto fail;
		bind_text(st, i + 1, v);
	}
	if ((r = bind_array(p, st, 9, ev->data, "skills", err)) < 0)
		goto fail;
	int64_t max_chats;
	bool has;
	if ((r = get_int(ev->data, "max_chats", false, &max_chats, &has, err)) < 0)
		goto fail;
	bind_opt_int(st, 10, max_chats, has);
	const char *pw;
	if ((r = get_str(ev->data, "pw_hash", false, &pw, err)) < 0)
		goto fail;
	bind_text(st, 11, pw);
	sqlite3_bind_int64(st, 12, ev->at_ms);
	return step(p, st, "user insert", err);
fail:
	sqlite3_clear_bindings(st);
	return r;
}

static int proj_user_password_set(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *id, *pw;
	int r;
	if ((r = get_str(ev->data, "id", true, &id, err)) < 0 ||
	    (r = get_str(ev->data, "pw_hash", true, &pw, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_USER_PASSWORD];
	bind_text(st, 1, id);
	bind_text(st, 2, pw);
	if ((r = step(p, st, "user password", err)) < 0)
		return r;
	return check_changed(p, "user", err);
}

static int proj_user_updated(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	static const char *const keys[] = {"id", "display", "role", "level", "team", "post", "dept"};
	sqlite3_stmt *st = p->st[W_USER_UPDATE];
	int r;
	for (int i = 0; i < 7; i++) {
		const char *v;
		if ((r = get_str(ev->data, keys[i], i == 0, &v, err)) < 0)
			goto fail;
		bind_text(st, i + 1, v);
	}
	if ((r = bind_array(p, st, 8, ev->data, "skills", err)) < 0)
		goto fail;
	int64_t max_chats;
	bool has;
	if ((r = get_int(ev->data, "max_chats", false, &max_chats, &has, err)) < 0)
		goto fail;
	bind_opt_int(st, 9, max_chats, has);
	int disabled;
	if ((r = get_bool(ev->data, "disabled", &disabled, err)) < 0)
		goto fail;
	bind_opt_int(st, 10, disabled, disabled >= 0);
	if ((r = step(p, st, "user update", err)) < 0)
		return r;
	return check_changed(p, "user", err);
fail:
	sqlite3_clear_bindings(st);
	return r;
}

static int proj_auth_login(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *user, *hash, *client;
	int64_t expires;
	bool has;
	int r;
	if ((r = get_str(ev->data, "user", true, &user, err)) < 0 ||
	    (r = get_str(ev->data, "token_hash", true, &hash, err)) < 0 ||
	    (r = get_int(ev->data, "expires_ms", true, &expires, &has, err)) < 0 ||
	    (r = get_str(ev->data, "client", false, &client, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_TOKEN_INSERT];
	bind_text(st, 1, hash);
	bind_text(st, 2, user);
	sqlite3_bind_int64(st, 3, expires);
	sqlite3_bind_int64(st, 4, ev->at_ms);
	bind_text(st, 5, client);
	return step(p, st, "token insert", err);
}

/* Logging out a token that is unknown or already revoked changes nothing and is not an error. */
static int proj_auth_logout(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *hash;
	int r;
	if ((r = get_str(ev->data, "token_hash", true, &hash, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_TOKEN_REVOKE];
	bind_text(st, 1, hash);
	return step(p, st, "token revoke", err);
}

static int proj_presence_changed(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *agent, *status;
	int r;
	if ((r = get_str(ev->data, "agent", true, &agent, err)) < 0 ||
	    (r = get_str(ev->data, "status", true, &status, err)) < 0)
		return r;
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st = p->st[k == 0 ? W_PRESENCE_UPSERT : W_PRESENCE_LOG];
		bind_text(st, 1, agent);
		bind_text(st, 2, status);
		sqlite3_bind_int64(st, 3, ev->at_ms);
		if ((r = step(p, st, k == 0 ? "presence upsert" : "presence log", err)) < 0)
			return r;
	}
	return 0;
}

static int proj_customer_upserted(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	static const char *const keys[] = {"id", "name", "phone", "type", "region"};
	sqlite3_stmt *st = p->st[W_CUSTOMER_UPSERT];
	int r;
	for (int i = 0; i < 5; i++) {
		const char *v;
		if ((r = get_str(ev->data, keys[i], i == 0, &v, err)) < 0)
			goto fail;
		bind_text(st, i + 1, v);
	}
	if ((r = bind_array(p, st, 6, ev->data, "tags", err)) < 0)
		goto fail;
	return step(p, st, "customer upsert", err);
fail:
	sqlite3_clear_bindings(st);
	return r;
}

static int proj_order_recorded(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *id, *customer, *status, *item;
	int64_t at;
	bool has_at;
	int r;
	if ((r = get_str(ev->data, "id", true, &id, err)) < 0 ||
	    (r = get_str(ev->data, "customer", false, &customer, err)) < 0 ||
	    (r = get_int(ev->data, "at_ms", false, &at, &has_at, err)) < 0 ||
	    (r = get_str(ev->data, "status", false, &status, err)) < 0 ||
	    (r = get_str(ev->data, "item", false, &item, err)) < 0)
		return r;
	json_t *amount = json_object_get(ev->data, "amount");
	sqlite3_stmt *st = p->st[W_ORDER_UPSERT];
	if (!amount || json_is_null(amount))
		sqlite3_bind_null(st, 4);
	else if (json_is_integer(amount))
		sqlite3_bind_int64(st, 4, json_integer_value(amount));
	else if (json_is_real(amount))
		sqlite3_bind_double(st, 4, json_real_value(amount));
	else if (json_is_string(amount))
		sqlite3_bind_text(st, 4, json_string_value(amount), -1, SQLITE_STATIC);
	else
		return KEFU_ERR(err, KEFU_EINVAL, "amount", "not a number or string");
	bind_text(st, 1, id);
	bind_text(st, 2, customer);
	bind_opt_int(st, 3, at, has_at);
	bind_text(st, 5, status);
	bind_text(st, 6, item);
	return step(p, st, "order upsert", err);
}

static int proj_session_opened(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	static const char *const keys[] = {"channel", "customer", "customer_type"};
	const char *id;
	int r;
	if ((r = get_str(ev->data, "id", false, &id, err)) < 0)
		return r;
	if (!id)
		id = ev->session;
	if (!id)
		return KEFU_ERR(err, KEFU_EINVAL, "id", "session.opened needs an id");
	if (ev->session && strcmp(ev->session, id) != 0)
		return KEFU_ERR(err, KEFU_EINVAL, "id", "data.id differs from the event's session");
	sqlite3_stmt *st = p->st[W_SESSION_INSERT];
	bind_text(st, 1, id);
	for (int i = 0; i < 3; i++) {
		const char *v;
		if ((r = get_str(ev->data, keys[i], false, &v, err)) < 0)
			goto fail;
		bind_text(st, i + 2, v);
	}
	int visitor;
	if ((r = get_bool(ev->data, "visitor", &visitor, err)) < 0)
		goto fail;
	sqlite3_bind_int(st, 5, visitor > 0);
	static const char *const keys2[] = {"category", "group", "region"};
	for (int i = 0; i < 3; i++) {
		const char *v;
		if ((r = get_str(ev->data, keys2[i], false, &v, err)) < 0)
			goto fail;
		bind_text(st, i + 6, v);
	}
	sqlite3_bind_int64(st, 9, ev->at_ms);
	return step(p, st, "session insert", err);
fail:
	sqlite3_clear_bindings(st);
	return r;
}

static int proj_session_queued(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *group;
	int64_t priority;
	bool has_priority;
	int r;
	if ((r = need_session(ev, err)) < 0 || (r = get_str(ev->data, "group", false, &group, err)) < 0 ||
	    (r = get_int(ev->data, "priority", false, &priority, &has_priority, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_SESSION_QUEUE];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int64(st, 2, ev->at_ms);
	bind_text(st, 3, group);
	bind_opt_int(st, 4, priority, has_priority);
	if ((r = step(p, st, "session queue", err)) < 0)
		return r;
	return check_changed(p, "session", err);
}

static int proj_session_assigned(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *agent;
	int r;
	if ((r = need_session(ev, err)) < 0 || (r = get_str(ev->data, "agent", true, &agent, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_SESSION_ASSIGN];
	bind_text(st, 1, ev->session);
	bind_text(st, 2, agent);
	sqlite3_bind_int64(st, 3, ev->at_ms);
	if ((r = step(p, st, "session assign", err)) < 0)
		return r;
	return check_changed(p, "session", err);
}

/* The state stays; the agent is cleared when the session goes to a group (a session.queued
 * follows). A transfer to an agent leaves the agent to the session.assigned that follows. */
static int proj_session_transferred(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *to_agent, *to_group;
	int r;
	if ((r = need_session(ev, err)) < 0 ||
	    (r = get_str(ev->data, "to_agent", false, &to_agent, err)) < 0 ||
	    (r = get_str(ev->data, "to_group", false, &to_group, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_SESSION_TRANSFER];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int(st, 2, to_group != NULL || to_agent == NULL);
	if ((r = step(p, st, "session transfer", err)) < 0)
		return r;
	return check_changed(p, "session", err);
}

static int proj_message(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *from, *agent, *text, *client_id;
	int64_t seq;
	bool has;
	int r;
	if ((r = need_session(ev, err)) < 0 || (r = get_int(ev->data, "seq", true, &seq, &has, err)) < 0 ||
	    (r = get_str(ev->data, "from", true, &from, err)) < 0 ||
	    (r = get_str(ev->data, "agent", false, &agent, err)) < 0 ||
	    (r = get_str(ev->data, "text", true, &text, err)) < 0 ||
	    (r = get_str(ev->data, "client_id", false, &client_id, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_SESSION_MESSAGE];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int64(st, 2, seq);
	bind_text(st, 3, from);
	sqlite3_bind_int64(st, 4, ev->at_ms);
	if ((r = step(p, st, "session message", err)) < 0 || (r = check_changed(p, "session", err)) < 0)
		return r;
	st = p->st[W_MESSAGE_INSERT];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, ev->at_ms);
	bind_text(st, 4, from);
	bind_text(st, 5, agent);
	bind_text(st, 6, text);
	bind_text(st, 7, client_id);
	return step(p, st, "message insert", err);
}

static int proj_session_closed(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const char *summary;
	int r;
	if ((r = need_session(ev, err)) < 0 || (r = get_str(ev->data, "summary", false, &summary, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_SESSION_CLOSE];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int64(st, 2, ev->at_ms);
	bind_text(st, 3, summary);
	if ((r = step(p, st, "session close", err)) < 0)
		return r;
	return check_changed(p, "session", err);
}

static int proj_session_rated(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	int64_t score;
	bool has;
	int solved;
	int r;
	if ((r = need_session(ev, err)) < 0 ||
	    (r = get_int(ev->data, "score", true, &score, &has, err)) < 0 ||
	    (r = get_bool(ev->data, "solved", &solved, err)) < 0)
		return r;
	sqlite3_stmt *st = p->st[W_RATING_UPSERT];
	bind_text(st, 1, ev->session);
	sqlite3_bind_int64(st, 2, score);
	bind_opt_int(st, 3, solved, solved >= 0);
	sqlite3_bind_int64(st, 4, ev->at_ms);
	if ((r = step(p, st, "rating upsert", err)) < 0)
		return r;
	return check_changed(p, "session", err);
}

/* K-30…K-32: an agent-role verdict is recorded against the agent (people_store.c). */
static int proj_guard_hit(struct store_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	return store__people_guard_hit(p->db, ev, err);
}

/* The closed catalog of docs/events.md: a type missing here is refused, so a typo never lands in
 * the log. A new event type adds a line here (and a migration when it needs a table). */
static const struct {
	const char *type;
	proj_fn fn;
} projections[] = {
    {"user.created", proj_user_created},
    {"user.password_set", proj_user_password_set},
    {"user.updated", proj_user_updated},
    {"auth.login", proj_auth_login},
    {"auth.login_failed", proj_none},
    {"guard.hit", proj_guard_hit}, /* C-: a guard verdict against a message (K-30…K-32: kpi_violations) */
    {"guard.alert", proj_none}, /* C-08, C-11: fraud signal or negative emotion raised to supervisors */
    {"pii.revealed", proj_none}, /* C-10: a senior revealed a masked field, with a reason */
    {"lexicon.changed", proj_none}, /* an admin replaced a lexicon file; the new rules are in force */
    {"auth.logout", proj_auth_logout},
    {"presence.changed", proj_presence_changed},
    {"customer.upserted", proj_customer_upserted},
    {"order.recorded", proj_order_recorded},
    {"session.opened", proj_session_opened},
    {"session.queued", proj_session_queued},
    {"session.assigned", proj_session_assigned},
    {"session.transferred", proj_session_transferred},
    {"message", proj_message},
    {"session.closed", proj_session_closed},
    {"session.rated", proj_session_rated},
    {"kb.article_saved", proj_kb}, /* KB-1, KB-4: a new version of an article */
    {"kb.contribution_proposed", proj_kb}, /* KB-4: an agent proposes a change */
    {"kb.contribution_reviewed", proj_kb}, /* KB-4, K-40: a supervisor accepts or rejects it */
    {"kb.case_cited", proj_kb}, /* KB-5, K-41: an agent cites a case */
    {"kb.bot_handover", proj_kb}, /* KB-6, N-21: the FAQ bot hands a queued chat to a human */
    {"kb.query_logged", proj_kb}, /* N-25: a bot query or agent search counted for the weekly list */
    {"ticket.created", proj_ticket}, /* N-14, K-34: a ticket from a chat, the API or a form */
    {"ticket.claimed", proj_ticket}, /* N-14: a department or agent claims it */
    {"ticket.step", proj_ticket}, /* N-16, N-18, K-33: a flow step done, progress note */
    {"ticket.escalated", proj_ticket}, /* N-19, N-20: to a senior, tech or a supervisor */
    {"ticket.resolved", proj_ticket}, /* K-11, K-29: solved */
    {"sla.started", proj_ticket}, /* a deadline starts (timer definition, rebuilt at start) */
    {"sla.paused", proj_ticket}, /* waiting for the customer: the clock stops */
    {"sla.resumed", proj_ticket}, /* the clock runs again */
    {"sla.warned", proj_ticket}, /* the warning share of a deadline passed */
    {"sla.breached", proj_ticket}, /* a deadline passed: alert and escalation follow */
    {"sla.stopped", proj_ticket}, /* a deadline met (step done in time) or cancelled */
    {"ticket.archived", proj_ticket}, /* N-20: the case archived (before the end of its day) */
    {"ticket.mailed", proj_ticket}, /* N-06: an inbound email of a ticket (email channel) */
    {"mail.queued", proj_ticket}, /* N-06: an agent's reply to an email ticket, for the relay */
    {"mail.sent", proj_ticket}, /* the relay sent an outbox mail */
    {"mail.failed", proj_ticket}, /* the relay could not send it (it may retry) */
    {"order.notified", proj_none}, /* N-24: a proactive order notice from a template; log only */
    {"assess.result_recorded", proj_assess_result}, /* a result of a period recorded (paid) */
};

/* ---- public (to src/store) ------------------------------------------------------------------ */

int store__proj_new(sqlite3 *db, struct store_proj **out, struct kefu_err *err)
{
	struct store_proj *p = xcalloc(1, sizeof *p);
	p->db = db;
	buf_init(&p->data);
	buf_init(&p->arr);
	atomic_init(&p->fail_in, 0);
	atomic_init(&p->fail_count, 0);
	atomic_init(&p->fail_left, 0);
	int r = 0;
	for (int i = 0; i < W_COUNT; i++) {
		if (sqlite3_prepare_v3(db, wstmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &p->st[i], NULL) !=
		    SQLITE_OK) {
			r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare writer statement %d: %s", i,
				     sqlite3_errmsg(db));
			goto fail;
		}
	}
	for (int i = 0; i < STORE_TX_COUNT; i++) {
		if (sqlite3_prepare_v3(db, tx_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &p->tx[i], NULL) !=
		    SQLITE_OK) {
			r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare %s: %s", tx_sql[i],
				     sqlite3_errmsg(db));
			goto fail;
		}
	}
	if ((r = assess_touch_new(db, &p->touch, err)) < 0)
		goto fail;
	if ((r = store__kb_proj_new(db, &p->kb, err)) < 0)
		goto fail;
	if ((r = store__ticket_proj_new(db, &p->ticket, err)) < 0)
		goto fail;
	*out = p;
	return 0;
fail:
	store__proj_free(p);
	return r;
}

void store__proj_free(struct store_proj *p)
{
	if (!p)
		return;
	for (int i = 0; i < W_COUNT; i++)
		sqlite3_finalize(p->st[i]);
	for (int i = 0; i < STORE_TX_COUNT; i++)
		sqlite3_finalize(p->tx[i]);
	assess_touch_free(p->touch);
	store__kb_proj_free(p->kb);
	store__ticket_proj_free(p->ticket);
	buf_free(&p->data);
	buf_free(&p->arr);
	free(p);
}

int store__proj_tx(struct store_proj *p, enum store__tx op, struct kefu_err *err)
{
	return step(p, p->tx[op], tx_sql[op], err);
}

int store__proj_event(struct store_proj *p, const struct store__ev *ev, int64_t *event_id,
		      struct kefu_err *err)
{
	proj_fn fn = NULL;
	for (size_t i = 0; i < sizeof projections / sizeof projections[0]; i++) {
		if (strcmp(projections[i].type, ev->type) == 0) {
			fn = projections[i].fn;
			break;
		}
	}
	if (!fn)
		return KEFU_ERR(err, KEFU_EINVAL, "type", "unknown event type");
	if (!json_is_object(ev->data))
		return KEFU_ERR(err, KEFU_EINVAL, "data", "payload is not an object");
	buf_reset(&p->data);
	json_dump_callback(ev->data, dump_cb, &p->data, JSON_COMPACT);
	sqlite3_stmt *st = p->st[W_EVENT_INSERT];
	sqlite3_bind_int64(st, 1, ev->at_ms);
	bind_text(st, 2, ev->type);
	bind_text(st, 3, ev->session);
	bind_text(st, 4, ev->actor);
	sqlite3_bind_text(st, 5, p->data.data ? p->data.data : "{}", p->data.data ? (int)p->data.len : 2,
			  SQLITE_STATIC);
	int r = step(p, st, "event insert", err);
	if (r < 0)
		return r;
	int64_t id = sqlite3_last_insert_rowid(p->db);
	if ((r = fn(p, ev, err)) < 0)
		return r;
	if ((r = assess_touch_event(p->touch, ev->type, ev->at_ms, ev->session, ev->data, err)) < 0)
		return r;
	*event_id = id;
	return 0;
}

void store__proj_fail_after(struct store_proj *p, int n, int count)
{
	atomic_store(&p->fail_in, 0);
	atomic_store(&p->fail_left, 0);
	if (n <= 0)
		return;
	atomic_store(&p->fail_count, count);
	atomic_store(&p->fail_in, n);
}

int store__proj_fault_armed(struct store_proj *p)
{
	return atomic_load(&p->fail_in) != 0;
}

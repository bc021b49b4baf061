/* reader.c — the read side of the store: one read-only connection per `struct store_reader`, each
 * query a named statement prepared once at store_reader_open and reused. Results are new JSON
 * values or structs the caller owns. It never writes, never shares a connection across threads,
 * and never masks data (callers mask per role). Times come out as RFC 3339 at UTC+8. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "store/store.h"
#include "store/store_int.h"

enum {
	OUTPUT_OFFSET_MIN = 480, /* Asia/Shanghai, for "at"-style RFC 3339 fields */
	PROFILE_SESSIONS = 20, /* N-23: latest sessions on a customer profile */
	PROFILE_ORDERS = 20, /* N-23: latest orders on a customer profile */
};

enum rstmt {
	R_BEGIN,
	R_COMMIT,
	R_USER_BY_NAME,
	R_USER_BY_ID,
	R_USERS_LIST,
	R_TOKEN,
	R_MESSAGES,
	R_OPEN_SESSIONS,
	R_SESSION_GET,
	R_CUSTOMER,
	R_CUSTOMER_SESSIONS,
	R_CUSTOMER_ORDERS,
	R_SESSIONS_CLOSED,
	R_EVENTS_ALL,
	R_EVENTS_TYPE,
	R_EVENTS_COUNT,
	R_COUNT
};

#define USER_COLS "id, name, display, role, level, team, post, dept, pw_hash, skills, max_chats, disabled"
#define SESSION_COLS                                                                                         \
	"s.id, s.channel, s.customer, s.customer_type, s.category, s.grp, s.state, s.agent, s.opened_ms, "   \
	"s.queued_ms, s.priority, s.last_seq, s.first_customer_ms, s.first_agent_ms"

static const char *const rstmt_sql[R_COUNT] = {
    [R_BEGIN] = "BEGIN",
    [R_COMMIT] = "COMMIT",
    [R_USER_BY_NAME] = "SELECT " USER_COLS " FROM users WHERE name = ?1",
    [R_USER_BY_ID] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
    [R_USERS_LIST] = "SELECT " USER_COLS " FROM users ORDER BY name",
    [R_TOKEN] = "SELECT user, expires_ms FROM tokens WHERE hash = ?1 AND revoked = 0 AND expires_ms > ?2",
    [R_MESSAGES] = "SELECT seq, sender, agent, text, at_ms, client_id FROM messages "
		   "WHERE session = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    [R_OPEN_SESSIONS] = "SELECT " SESSION_COLS " FROM sessions s "
			"WHERE s.state IN ('open', 'queued', 'assigned') ORDER BY s.opened_ms, s.id",
    [R_SESSION_GET] = "SELECT " SESSION_COLS ", s.closed_ms, s.summary, r.score, r.solved "
		      "FROM sessions s LEFT JOIN ratings r ON r.session = s.id WHERE s.id = ?1",
    [R_CUSTOMER] = "SELECT id, name, phone, type, region, tags FROM customers WHERE id = ?1",
    [R_CUSTOMER_SESSIONS] = "SELECT s.id, s.opened_ms, s.category, s.agent, r.score FROM sessions s "
			    "LEFT JOIN ratings r ON r.session = s.id WHERE s.customer = ?1 "
			    "ORDER BY s.opened_ms DESC, s.id DESC LIMIT ?2",
    [R_CUSTOMER_ORDERS] = "SELECT id, at_ms, amount, status, item FROM orders WHERE customer = ?1 "
			  "ORDER BY at_ms DESC, id DESC LIMIT ?2",
    [R_SESSIONS_CLOSED] = "SELECT s.id, s.customer, s.agent, s.category, s.opened_ms, s.closed_ms, r.score "
			  "FROM sessions s LEFT JOIN ratings r ON r.session = s.id "
			  "WHERE s.state = 'closed' AND s.closed_ms >= ?2 AND s.closed_ms < ?3 "
			  "AND (?1 IS NULL OR s.agent = ?1) ORDER BY s.closed_ms DESC, s.id DESC LIMIT ?4",
    [R_EVENTS_ALL] = "SELECT id, type, at_ms, session, actor, data FROM events WHERE id > ?1 "
		     "ORDER BY id LIMIT ?2",
    [R_EVENTS_TYPE] = "SELECT id, type, at_ms, session, actor, data FROM events WHERE id > ?1 AND type = ?3 "
		      "ORDER BY id LIMIT ?2",
    [R_EVENTS_COUNT] = "SELECT count(*) FROM events",
};

struct store_reader {
	sqlite3 *db; /* read-only connection, owned */
	sqlite3_stmt *st[R_COUNT]; /* owned, prepared once */
};

int store_reader_open(struct store *s, struct store_reader **out, struct kefu_err *err)
{
	struct store_reader *r = xcalloc(1, sizeof *r);
	int rc = store__db_open(store__path(s), SQLITE_OPEN_READONLY, &r->db, err);
	if (rc < 0) {
		free(r);
		return rc;
	}
	for (int i = 0; i < R_COUNT; i++) {
		if (sqlite3_prepare_v3(r->db, rstmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->st[i], NULL) !=
		    SQLITE_OK) {
			rc = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare reader statement %d: %s", i,
				      sqlite3_errmsg(r->db));
			store_reader_close(r);
			return rc;
		}
	}
	*out = r;
	return 0;
}

void store_reader_close(struct store_reader *r)
{
	if (!r)
		return;
	for (int i = 0; i < R_COUNT; i++)
		sqlite3_finalize(r->st[i]);
	sqlite3_close(r->db);
	free(r);
}

/* ---- helpers ------------------------------------------------------------------------------- */

/* Steps st: 1 for a row, 0 when done, or a negative code with err filled (st is then reset). */
static int next_row(struct store_reader *r, sqlite3_stmt *st, struct kefu_err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	int e = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read: %s", sqlite3_errmsg(r->db));
	sqlite3_reset(st);
	return e;
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return xstrdup(t ? t : "");
}

static json_t *col_str(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	if (!t)
		return json_null();
	json_t *v = json_stringn(t, (size_t)sqlite3_column_bytes(st, i));
	return v ? v : json_null();
}

static json_t *col_int(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, i));
}

static json_t *col_bool(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_boolean(sqlite3_column_int(st, i) != 0);
}

/* A column of any type as the matching JSON value (orders.amount keeps what was recorded). */
static json_t *col_any(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return col_str(st, i);
	}
}

static json_t *col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	char out[40];
	clock_format_rfc3339(sqlite3_column_int64(st, i), OUTPUT_OFFSET_MIN, out, sizeof out);
	return json_string(out);
}

/* A JSON text column parsed; fallback (a new ref) when NULL or unparsable. */
static json_t *col_json(sqlite3_stmt *st, int i, json_t *fallback)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	json_t *v = t ? json_loadb(t, (size_t)sqlite3_column_bytes(st, i), JSON_DECODE_ANY, NULL) : NULL;
	if (v) {
		json_decref(fallback);
		return v;
	}
	return fallback;
}

/* How one result column becomes a JSON member: the key and the conversion. */
enum col_kind { COL_STR, COL_INT, COL_BOOL, COL_ANY, COL_TIME, COL_JSON_ARRAY, COL_JSON_OBJECT, COL_SKIP };
struct col {
	const char *key; /* member name; column i of the row is cols[i] */
	enum col_kind kind; /* COL_SKIP: a column that is never shown (e.g. pw_hash) */
};

static json_t *col_value(sqlite3_stmt *st, int i, enum col_kind kind)
{
	switch (kind) {
	case COL_STR:
		return col_str(st, i);
	case COL_INT:
		return col_int(st, i);
	case COL_BOOL:
		return col_bool(st, i);
	case COL_ANY:
		return col_any(st, i);
	case COL_TIME:
		return col_time(st, i);
	case COL_JSON_ARRAY:
		return col_json(st, i, json_array());
	case COL_JSON_OBJECT:
		return col_json(st, i, json_object());
	case COL_SKIP:
		break;
	}
	return NULL;
}

/* The current row as an object of the n described columns. */
static json_t *row_json(sqlite3_stmt *st, const struct col *cols, int n)
{
	json_t *o = json_object();
	for (int i = 0; i < n; i++)
		if (cols[i].kind != COL_SKIP)
			json_object_set_new(o, cols[i].key, col_value(st, i, cols[i].kind));
	return o;
}

/* Steps st to the end, appending each row to arr; resets st. Returns the number of rows or a
 * negative code. */
static int rows_append(struct store_reader *r, sqlite3_stmt *st, const struct col *cols, int n, json_t *arr,
		       struct kefu_err *err)
{
	int rc, rows = 0;
	while ((rc = next_row(r, st, err)) > 0) {
		json_array_append_new(arr, row_json(st, cols, n));
		rows++;
	}
	done(st);
	return rc < 0 ? rc : rows;
}

/* rows_append into a new array stored in *out on success. */
static int rows_list(struct store_reader *r, sqlite3_stmt *st, const struct col *cols, int n, json_t **out,
		     struct kefu_err *err)
{
	json_t *arr = json_array();
	int rc = rows_append(r, st, cols, n, arr, err);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

#define NCOLS(a) ((int)(sizeof a / sizeof a[0]))

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int check_limit(int limit, struct kefu_err *err)
{
	return limit > 0 ? 0 : KEFU_ERR(err, KEFU_EINVAL, "limit", "limit must be positive");
}

/* Runs several statements in one read transaction so they see one snapshot. */
static int read_begin(struct store_reader *r, struct kefu_err *err)
{
	int rc = sqlite3_step(r->st[R_BEGIN]);
	sqlite3_reset(r->st[R_BEGIN]);
	return rc == SQLITE_DONE ? 0
				 : KEFU_ERR(err, KEFU_ESTORE, "sqlite", "begin: %s", sqlite3_errmsg(r->db));
}

static void read_end(struct store_reader *r)
{
	sqlite3_step(r->st[R_COMMIT]); /* a read transaction has nothing to lose */
	sqlite3_reset(r->st[R_COMMIT]);
}

/* ---- users and tokens ---------------------------------------------------------------------- */

void store_user_clear(struct store_user *u)
{
	if (!u)
		return;
	free(u->id);
	free(u->name);
	free(u->display);
	free(u->role);
	free(u->level);
	free(u->team);
	free(u->post);
	free(u->dept);
	free(u->pw_hash);
	json_decref(u->skills);
	memset(u, 0, sizeof *u);
}

static int user_one(struct store_reader *r, enum rstmt which, const char *key, struct store_user *out,
		    struct kefu_err *err)
{
	sqlite3_stmt *st = r->st[which];
	bind_text(st, 1, key);
	int rc = next_row(r, st, err);
	if (rc <= 0) {
		done(st);
		return rc < 0 ? rc : KEFU_ERR(err, KEFU_ENOTFOUND, "user", "no such user");
	}
	memset(out, 0, sizeof *out);
	out->id = col_dup(st, 0);
	out->name = col_dup(st, 1);
	out->display = col_dup(st, 2);
	out->role = col_dup(st, 3);
	out->level = col_dup(st, 4);
	out->team = col_dup(st, 5);
	out->post = col_dup(st, 6);
	out->dept = col_dup(st, 7);
	out->pw_hash = col_dup(st, 8);
	out->skills = col_json(st, 9, json_array());
	out->max_chats = sqlite3_column_int(st, 10);
	out->disabled = sqlite3_column_int(st, 11) != 0;
	done(st);
	return 0;
}

int store_user_by_name(struct store_reader *r, const char *name, struct store_user *out, struct kefu_err *err)
{
	return user_one(r, R_USER_BY_NAME, name, out, err);
}

int store_user_by_id(struct store_reader *r, const char *id, struct store_user *out, struct kefu_err *err)
{
	return user_one(r, R_USER_BY_ID, id, out, err);
}

int store_users_list(struct store_reader *r, json_t **out, struct kefu_err *err)
{
	static const struct col cols[] = {
	    {"id", COL_STR},	    {"name", COL_STR},
	    {"display", COL_STR},   {"role", COL_STR},
	    {"level", COL_STR},	    {"team", COL_STR},
	    {"post", COL_STR},	    {"dept", COL_STR},
	    {"pw_hash", COL_SKIP},  /* never listed */ {"skills", COL_JSON_ARRAY},
	    {"max_chats", COL_INT}, {"disabled", COL_BOOL},
	};
	return rows_list(r, r->st[R_USERS_LIST], cols, NCOLS(cols), out, err);
}

int store_token_lookup(struct store_reader *r, const char *token_hash, int64_t now_ms, char **user_id,
		       int64_t *expires_ms, struct kefu_err *err)
{
	sqlite3_stmt *st = r->st[R_TOKEN];
	bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, now_ms);
	int rc = next_row(r, st, err);
	if (rc <= 0) {
		done(st);
		return rc < 0 ? rc : KEFU_ERR(err, KEFU_ENOTFOUND, "token", "no valid token");
	}
	*user_id = col_dup(st, 0);
	if (expires_ms)
		*expires_ms = sqlite3_column_int64(st, 1);
	done(st);
	return 0;
}

/* ---- sessions and messages ----------------------------------------------------------------- */

int store_session_messages(struct store_reader *r, const char *session, int64_t after_seq, int limit,
			   json_t **out, struct kefu_err *err)
{
	int rc = check_limit(limit, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = r->st[R_MESSAGES];
	bind_text(st, 1, session);
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int(st, 3, limit);
	static const struct col cols[] = {{"seq", COL_INT},  {"from", COL_STR}, {"agent", COL_STR},
					  {"text", COL_STR}, {"at", COL_TIME},	{"client_id", COL_STR}};
	return rows_list(r, st, cols, NCOLS(cols), out, err);
}

/* The SESSION_COLS of a row as the store_open_sessions object. */
static const struct col session_cols[] = {
    {"id", COL_STR},
    {"channel", COL_STR},
    {"customer", COL_STR},
    {"customer_type", COL_STR},
    {"category", COL_STR},
    {"group", COL_STR},
    {"state", COL_STR},
    {"agent", COL_STR},
    {"opened_at_ms", COL_INT},
    {"queued_at_ms", COL_INT},
    {"priority", COL_INT},
    {"last_seq", COL_INT},
    {"first_customer_ms", COL_INT},
    {"first_agent_ms", COL_INT},
};

int store_open_sessions(struct store_reader *r, json_t **out, struct kefu_err *err)
{
	return rows_list(r, r->st[R_OPEN_SESSIONS], session_cols, NCOLS(session_cols), out, err);
}

int store_session_get(struct store_reader *r, const char *session, json_t **out, struct kefu_err *err)
{
	sqlite3_stmt *st = r->st[R_SESSION_GET];
	bind_text(st, 1, session);
	int rc = next_row(r, st, err);
	if (rc <= 0) {
		done(st);
		return rc < 0 ? rc : KEFU_ERR(err, KEFU_ENOTFOUND, "session", "no such session");
	}
	json_t *o = row_json(st, session_cols, NCOLS(session_cols));
	json_object_set_new(o, "closed_at_ms", col_int(st, 14));
	json_object_set_new(o, "summary", col_str(st, 15));
	if (sqlite3_column_type(st, 16) == SQLITE_NULL) {
		json_object_set_new(o, "rating", json_null());
	} else {
		json_t *rating = json_object();
		json_object_set_new(rating, "score", col_int(st, 16));
		json_object_set_new(rating, "solved", col_bool(st, 17));
		json_object_set_new(o, "rating", rating);
	}
	done(st);
	*out = o;
	return 0;
}

int store_sessions_closed(struct store_reader *r, const char *agent, int64_t from_ms, int64_t to_ms,
			  int limit, json_t **out, struct kefu_err *err)
{
	int rc = check_limit(limit, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = r->st[R_SESSIONS_CLOSED];
	bind_text(st, 1, agent);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	sqlite3_bind_int(st, 4, limit);
	static const struct col cols[] = {
	    {"id", COL_STR},	     {"customer", COL_STR},   {"agent", COL_STR}, {"category", COL_STR},
	    {"opened_at", COL_TIME}, {"closed_at", COL_TIME}, {"rating", COL_INT}};
	return rows_list(r, st, cols, NCOLS(cols), out, err);
}

/* ---- customers ----------------------------------------------------------------------------- */

/* Fills o["sessions"] and o["orders"]; *found tells whether either had a row. */
static int profile_lists(struct store_reader *r, const char *customer, json_t *o, bool *found,
			 struct kefu_err *err)
{
	sqlite3_stmt *st = r->st[R_CUSTOMER_SESSIONS];
	bind_text(st, 1, customer);
	sqlite3_bind_int(st, 2, PROFILE_SESSIONS);
	static const struct col session_list[] = {{"id", COL_STR},
						  {"opened_at", COL_TIME},
						  {"category", COL_STR},
						  {"agent", COL_STR},
						  {"rating", COL_INT}};
	static const struct col order_list[] = {
	    {"id", COL_STR}, {"at", COL_TIME}, {"amount", COL_ANY}, {"status", COL_STR}, {"item", COL_STR}};
	json_t *sessions = json_array();
	json_object_set_new(o, "sessions", sessions);
	int rc = rows_append(r, st, session_list, NCOLS(session_list), sessions, err);
	if (rc < 0)
		return rc;
	*found = *found || rc > 0;
	st = r->st[R_CUSTOMER_ORDERS];
	bind_text(st, 1, customer);
	sqlite3_bind_int(st, 2, PROFILE_ORDERS);
	json_t *orders = json_array();
	json_object_set_new(o, "orders", orders);
	rc = rows_append(r, st, order_list, NCOLS(order_list), orders, err);
	if (rc < 0)
		return rc;
	*found = *found || rc > 0;
	return 0;
}

int store_customer_profile(struct store_reader *r, const char *customer, json_t **out, struct kefu_err *err)
{
	int rc = read_begin(r, err);
	if (rc < 0)
		return rc;
	json_t *o = json_object();
	bool found = false;
	sqlite3_stmt *st = r->st[R_CUSTOMER];
	bind_text(st, 1, customer);
	rc = next_row(r, st, err);
	if (rc < 0)
		goto fail;
	if (rc > 0) {
		found = true;
		json_object_set_new(o, "id", col_str(st, 0));
		json_object_set_new(o, "name", col_str(st, 1));
		json_object_set_new(o, "phone", col_str(st, 2));
		json_object_set_new(o, "type", col_str(st, 3));
		json_object_set_new(o, "region", col_str(st, 4));
		json_object_set_new(o, "tags", col_json(st, 5, json_array()));
	} else { /* an anonymous visitor: sessions or orders but no customers row */
		json_object_set_new(o, "id", json_string(customer));
		json_object_set_new(o, "name", json_null());
		json_object_set_new(o, "phone", json_null());
		json_object_set_new(o, "type", json_null());
		json_object_set_new(o, "region", json_null());
		json_object_set_new(o, "tags", json_array());
	}
	done(st);
	if ((rc = profile_lists(r, customer, o, &found, err)) < 0)
		goto fail;
	/* No complaints table yet: the ticket module's migration adds it and this count. */
	json_object_set_new(o, "complaints", json_integer(0));
	read_end(r);
	if (!found) {
		json_decref(o);
		return KEFU_ERR(err, KEFU_ENOTFOUND, "customer", "no such customer");
	}
	*out = o;
	return 0;
fail:
	done(st);
	read_end(r);
	json_decref(o);
	return rc;
}

/* ---- events -------------------------------------------------------------------------------- */

int store_events_list(struct store_reader *r, const char *type, int64_t after_id, int limit, json_t **out,
		      struct kefu_err *err)
{
	int rc = check_limit(limit, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = r->st[type ? R_EVENTS_TYPE : R_EVENTS_ALL];
	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int(st, 2, limit);
	if (type)
		bind_text(st, 3, type);
	static const struct col cols[] = {{"id", COL_INT},    {"type", COL_STR},
					  {"at", COL_TIME},   {"session", COL_STR},
					  {"actor", COL_STR}, {"data", COL_JSON_OBJECT}};
	return rows_list(r, st, cols, NCOLS(cols), out, err);
}

int store_events_count(struct store_reader *r, int64_t *out, struct kefu_err *err)
{
	sqlite3_stmt *st = r->st[R_EVENTS_COUNT];
	int rc = next_row(r, st, err);
	if (rc > 0)
		*out = sqlite3_column_int64(st, 0);
	done(st);
	if (rc == 0)
		return KEFU_ERR(err, KEFU_EINTERNAL, "sqlite", "count returned no row");
	return rc < 0 ? rc : 0;
}

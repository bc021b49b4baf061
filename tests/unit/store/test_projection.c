/* Unit tests for src/store/projection.c and reader.c: each event type of docs/events.md appended
 * and read back through the reader functions (or the table, where no reader exists yet), and the
 * JSON shapes the readers promise in store.h. */
#include "store_fixture.h"

#include <sqlite3.h>

#define T0 1790816405000LL /* 2026-10-01T09:00:05+08:00 */

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	assert_non_null(v);
	return json_is_null(v) ? NULL : json_string_value(v);
}

static json_int_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static bool jnull(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	assert_non_null(v);
	return json_is_null(v);
}

/* A one-value query on the database file, for projections without a reader function yet. */
static int64_t db_int(struct fx *f, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void create_user(struct fx *f, const char *id, const char *name)
{
	fx_append(f, "user.created", NULL, NULL, T0,
		  json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s,s],s:i,s:s}", "id", id, "name", name,
			    "display", "Display", "role", "agent", "level", "junior", "team", "t1", "post",
			    "presale", "dept", "", "skills", "presale", "vip", "max_chats", 5, "pw_hash",
			    "$argon2id$x"));
}

static void user_created_reads_by_name_and_id(void **state)
{
	struct fx *f = *state;
	create_user(f, "u_1", "alice");
	struct store_user u;
	assert_int_equal(store_user_by_name(f->r, "alice", &u, NULL), 0);
	assert_string_equal(u.id, "u_1");
	assert_string_equal(u.display, "Display");
	assert_string_equal(u.role, "agent");
	assert_string_equal(u.level, "junior");
	assert_string_equal(u.team, "t1");
	assert_string_equal(u.post, "presale");
	assert_string_equal(u.dept, "");
	assert_string_equal(u.pw_hash, "$argon2id$x");
	assert_int_equal(json_array_size(u.skills), 2);
	assert_string_equal(json_string_value(json_array_get(u.skills, 1)), "vip");
	assert_int_equal(u.max_chats, 5);
	assert_false(u.disabled);
	store_user_clear(&u);
	assert_int_equal(store_user_by_id(f->r, "u_1", &u, NULL), 0);
	assert_string_equal(u.name, "alice");
	store_user_clear(&u);
	struct kefu_err err;
	assert_int_equal(store_user_by_name(f->r, "bob", &u, &err), -KEFU_ENOTFOUND);
	/* a second user with the same name is a conflict and stores nothing */
	assert_int_equal(fx_try(f, "user.created", NULL, 0,
				json_pack("{s:s,s:s,s:s}", "id", "u_2", "name", "alice", "role", "agent"),
				&err),
			 -KEFU_ECONFLICT);
	assert_int_equal(fx_events(f), 1);
}

static void user_password_set_and_updated_change_given_fields(void **state)
{
	struct fx *f = *state;
	create_user(f, "u_1", "alice");
	fx_append(f, "user.password_set", NULL, "u_1", 0,
		  json_pack("{s:s,s:s}", "id", "u_1", "pw_hash", "$new"));
	fx_append(f, "user.updated", NULL, "u_9", 0,
		  json_pack("{s:s,s:s,s:[s],s:b}", "id", "u_1", "role", "lead", "skills", "aftersale",
			    "disabled", 1));
	struct store_user u;
	assert_int_equal(store_user_by_id(f->r, "u_1", &u, NULL), 0);
	assert_string_equal(u.pw_hash, "$new");
	assert_string_equal(u.role, "lead");
	assert_string_equal(u.display, "Display"); /* absent from the update: kept */
	assert_string_equal(u.level, "junior");
	assert_int_equal(u.max_chats, 5);
	assert_true(u.disabled);
	assert_int_equal(json_array_size(u.skills), 1);
	store_user_clear(&u);
	struct kefu_err err;
	assert_int_equal(fx_try(f, "user.password_set", NULL, 0,
				json_pack("{s:s,s:s}", "id", "u_x", "pw_hash", "h"), &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(
	    fx_try(f, "user.updated", NULL, 0, json_pack("{s:s,s:s}", "id", "u_x", "role", "qa"), &err),
	    -KEFU_ENOTFOUND);
	assert_int_equal(fx_events(f), 3);
}

static void users_list_is_ordered_by_name_without_pw_hash(void **state)
{
	struct fx *f = *state;
	create_user(f, "u_2", "zed");
	create_user(f, "u_1", "amy");
	json_t *list;
	assert_int_equal(store_users_list(f->r, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 2);
	json_t *a = json_array_get(list, 0);
	assert_string_equal(jstr(a, "name"), "amy");
	assert_null(json_object_get(a, "pw_hash"));
	assert_int_equal(jint(a, "max_chats"), 5);
	assert_true(json_is_false(json_object_get(a, "disabled")));
	assert_true(json_is_array(json_object_get(a, "skills")));
	assert_string_equal(jstr(json_array_get(list, 1), "name"), "zed");
	json_decref(list);
}

static void token_lookup_honours_expiry_and_revocation(void **state)
{
	struct fx *f = *state;
	create_user(f, "u_1", "alice");
	fx_append(f, "auth.login", NULL, "u_1", T0,
		  json_pack("{s:s,s:s,s:I,s:s}", "user", "u_1", "token_hash", "abc", "expires_ms",
			    (json_int_t)(T0 + 1000), "client", "cookie"));
	fx_append(f, "auth.login", NULL, "u_1", T0,
		  json_pack("{s:s,s:s,s:I,s:s}", "user", "u_1", "token_hash", "def", "expires_ms",
			    (json_int_t)(T0 + 1000), "client", "bearer"));
	char *user = NULL;
	int64_t exp = 0;
	assert_int_equal(store_token_lookup(f->r, "abc", T0 + 999, &user, &exp, NULL), 0);
	assert_string_equal(user, "u_1");
	assert_true(exp == T0 + 1000);
	free(user);
	assert_int_equal(store_token_lookup(f->r, "abc", T0 + 1000, &user, &exp, NULL), -KEFU_ENOTFOUND);
	assert_int_equal(store_token_lookup(f->r, "nope", T0, &user, &exp, NULL), -KEFU_ENOTFOUND);
	fx_append(f, "auth.logout", NULL, "u_1", 0, json_pack("{s:s}", "token_hash", "abc"));
	assert_int_equal(store_token_lookup(f->r, "abc", T0, &user, &exp, NULL), -KEFU_ENOTFOUND);
	assert_int_equal(store_token_lookup(f->r, "def", T0, &user, &exp, NULL), 0); /* others stay valid */
	free(user);
	fx_append(f, "auth.logout", NULL, "u_1", 0, json_pack("{s:s}", "token_hash", "never-issued"));
}

static void login_failed_is_logged_without_projection(void **state)
{
	struct fx *f = *state;
	fx_append(f, "auth.login_failed", NULL, NULL, 0,
		  json_pack("{s:s,s:s}", "name", "x", "reason", "rate_limited"));
	assert_int_equal(fx_events(f), 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM tokens"), 0);
}

static void presence_changed_keeps_current_and_log(void **state)
{
	struct fx *f = *state;
	fx_append(f, "presence.changed", NULL, "u_1", T0,
		  json_pack("{s:s,s:s,s:s}", "agent", "u_1", "status", "online", "prev", "offline"));
	fx_append(f, "presence.changed", NULL, "u_1", T0 + 5,
		  json_pack("{s:s,s:s,s:s}", "agent", "u_1", "status", "away", "prev", "online"));
	assert_int_equal(db_int(f, "SELECT count(*) FROM presence"), 1);
	assert_int_equal(db_int(f, "SELECT since_ms FROM presence WHERE agent = 'u_1' AND status = 'away'"),
			 T0 + 5);
	assert_int_equal(db_int(f, "SELECT count(*) FROM presence_log WHERE agent = 'u_1'"), 2);
}

static void open_session(struct fx *f, const char *id, const char *customer, int64_t at)
{
	fx_append(f, "session.opened", id, customer, at,
		  json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id", id, "channel", "web", "customer",
			    customer, "customer_type", "vip", "visitor", 0, "category", "refund", "group",
			    "presale", "region", "east"));
}

static void message(struct fx *f, const char *session, int seq, const char *from, const char *agent,
		    int64_t at)
{
	fx_append(f, "message", session, agent, at,
		  json_pack("{s:i,s:s,s:s*,s:s,s:s}", "seq", seq, "from", from, "agent", agent, "text",
			    "hello", "client_id", "c-1"));
}

static void session_lifecycle_updates_open_sessions(void **state)
{
	struct fx *f = *state;
	open_session(f, "s_1", "c_1", T0);
	json_t *list;
	assert_int_equal(store_open_sessions(f->r, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	json_t *s = json_array_get(list, 0);
	assert_string_equal(jstr(s, "id"), "s_1");
	assert_string_equal(jstr(s, "channel"), "web");
	assert_string_equal(jstr(s, "customer"), "c_1");
	assert_string_equal(jstr(s, "customer_type"), "vip");
	assert_string_equal(jstr(s, "category"), "refund");
	assert_string_equal(jstr(s, "group"), "presale");
	assert_string_equal(jstr(s, "state"), "open");
	assert_true(jnull(s, "agent"));
	assert_true(jint(s, "opened_at_ms") == T0);
	assert_true(jnull(s, "queued_at_ms"));
	assert_int_equal(jint(s, "priority"), 0);
	assert_int_equal(jint(s, "last_seq"), 0);
	assert_true(jnull(s, "first_customer_ms"));
	assert_true(jnull(s, "first_agent_ms"));
	json_decref(list);

	fx_append(f, "session.queued", "s_1", NULL, T0 + 10,
		  json_pack("{s:s,s:i}", "group", "vipdesk", "priority", 1));
	message(f, "s_1", 1, "customer", NULL, T0 + 20);
	message(f, "s_1", 2, "bot", NULL, T0 + 30);
	fx_append(f, "session.assigned", "s_1", NULL, T0 + 40,
		  json_pack("{s:s,s:s}", "agent", "u_1", "how", "route"));
	message(f, "s_1", 3, "system", NULL, T0 + 45);
	message(f, "s_1", 4, "agent", "u_1", T0 + 50);
	message(f, "s_1", 5, "customer", NULL, T0 + 60);
	assert_int_equal(store_open_sessions(f->r, &list, NULL), 0);
	s = json_array_get(list, 0);
	assert_string_equal(jstr(s, "state"), "assigned");
	assert_string_equal(jstr(s, "agent"), "u_1");
	assert_string_equal(jstr(s, "group"), "vipdesk");
	assert_true(jint(s, "queued_at_ms") == T0 + 10);
	assert_int_equal(jint(s, "priority"), 1);
	assert_int_equal(jint(s, "last_seq"), 5);
	assert_true(jint(s, "first_customer_ms") == T0 + 20);
	assert_true(jint(s, "first_agent_ms") == T0 + 50); /* bot and system replies do not count */
	json_decref(list);

	fx_append(f, "session.transferred", "s_1", "u_1", T0 + 70,
		  json_pack("{s:s,s:n,s:s,s:s}", "from_agent", "u_1", "to_agent", "to_group", "aftersale",
			    "note", "n"));
	assert_int_equal(store_session_get(f->r, "s_1", &s, NULL), 0);
	assert_true(jnull(s, "agent"));
	assert_string_equal(jstr(s, "state"), "assigned"); /* the state stays until session.queued */
	json_decref(s);
	fx_append(f, "session.queued", "s_1", NULL, T0 + 71,
		  json_pack("{s:s,s:i}", "group", "aftersale", "priority", 1));
	fx_append(f, "session.assigned", "s_1", NULL, T0 + 80,
		  json_pack("{s:s,s:s}", "agent", "u_2", "how", "route"));
	fx_append(
	    f, "session.transferred", "s_1", "u_2", T0 + 90,
	    json_pack("{s:s,s:s,s:n,s:s}", "from_agent", "u_2", "to_agent", "u_3", "to_group", "note", "n"));
	fx_append(f, "session.assigned", "s_1", "u_3", T0 + 91,
		  json_pack("{s:s,s:s}", "agent", "u_3", "how", "transfer"));
	fx_append(f, "session.closed", "s_1", "u_3", T0 + 100,
		  json_pack("{s:s,s:s}", "by", "agent", "summary", "refunded"));
	assert_int_equal(store_open_sessions(f->r, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	assert_int_equal(store_session_get(f->r, "s_1", &s, NULL), 0);
	assert_string_equal(jstr(s, "state"), "closed");
	assert_string_equal(jstr(s, "agent"), "u_3");
	assert_true(jint(s, "closed_at_ms") == T0 + 100);
	assert_string_equal(jstr(s, "summary"), "refunded");
	assert_true(jnull(s, "rating"));
	json_decref(s);

	fx_append(f, "session.rated", "s_1", "c_1", T0 + 110, json_pack("{s:i,s:n}", "score", 2, "solved"));
	fx_append(f, "session.rated", "s_1", "c_1", T0 + 120,
		  json_pack("{s:i,s:b}", "score", 5, "solved", 1));
	assert_int_equal(store_session_get(f->r, "s_1", &s, NULL), 0);
	json_t *rating = json_object_get(s, "rating");
	assert_int_equal(jint(rating, "score"), 5); /* the last rating wins */
	assert_true(json_is_true(json_object_get(rating, "solved")));
	json_decref(s);

	struct kefu_err err;
	assert_int_equal(store_session_get(f->r, "s_x", &s, &err), -KEFU_ENOTFOUND);
	assert_int_equal(fx_try(f, "session.rated", "s_x", 0, json_pack("{s:i}", "score", 3), &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(fx_try(f, "session.closed", "s_x", 0, json_pack("{s:s}", "by", "system"), &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(fx_try(f, "session.opened", "s_1", 0, json_pack("{s:s}", "channel", "web"), &err),
			 -KEFU_ECONFLICT);
	assert_int_equal(fx_try(f, "session.opened", "s_2", 0, json_pack("{s:s}", "id", "s_3"), &err),
			 -KEFU_EINVAL);
}

static void session_messages_page_by_after_seq(void **state)
{
	struct fx *f = *state;
	open_session(f, "s_1", "c_1", T0);
	for (int i = 1; i <= 7; i++)
		message(f, "s_1", i, i % 2 ? "customer" : "agent", i % 2 ? NULL : "u_1", T0 + i * 1000);
	json_t *page;
	assert_int_equal(store_session_messages(f->r, "s_1", 0, 3, &page, NULL), 0);
	assert_int_equal(json_array_size(page), 3);
	json_t *m = json_array_get(page, 0);
	assert_int_equal(jint(m, "seq"), 1);
	assert_string_equal(jstr(m, "from"), "customer");
	assert_true(jnull(m, "agent"));
	assert_string_equal(jstr(m, "text"), "hello");
	assert_string_equal(jstr(m, "at"), "2026-10-01T09:00:06+08:00");
	assert_string_equal(jstr(m, "client_id"), "c-1");
	assert_string_equal(jstr(json_array_get(page, 1), "agent"), "u_1");
	json_decref(page);
	assert_int_equal(store_session_messages(f->r, "s_1", 3, 3, &page, NULL), 0);
	assert_int_equal(json_array_size(page), 3);
	assert_int_equal(jint(json_array_get(page, 0), "seq"), 4);
	json_decref(page);
	assert_int_equal(store_session_messages(f->r, "s_1", 6, 3, &page, NULL), 0);
	assert_int_equal(json_array_size(page), 1);
	assert_int_equal(jint(json_array_get(page, 0), "seq"), 7);
	json_decref(page);
	assert_int_equal(store_session_messages(f->r, "s_none", 0, 3, &page, NULL), 0);
	assert_int_equal(json_array_size(page), 0);
	json_decref(page);
}

static void customer_profile_shape(void **state)
{
	struct fx *f = *state;
	fx_append(f, "customer.upserted", NULL, NULL, 0,
		  json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s]}", "id", "c_1", "name", "Wang", "phone",
			    "13800000000", "type", "new", "region", "east", "tags", "big"));
	/* an upsert with fewer fields keeps the others */
	fx_append(f, "customer.upserted", NULL, NULL, 0, json_pack("{s:s,s:s}", "id", "c_1", "type", "vip"));
	for (int i = 0; i < 25; i++) {
		char id[16];
		snprintf(id, sizeof id, "s_%02d", i);
		open_session(f, id, "c_1", T0 + i * 1000);
		fx_append(f, "session.assigned", id, NULL, T0 + i * 1000 + 1,
			  json_pack("{s:s,s:s}", "agent", "u_1", "how", "route"));
		if (i == 24)
			fx_append(f, "session.rated", id, "c_1", 0,
				  json_pack("{s:i,s:b}", "score", 4, "solved", 1));
		char oid[16];
		snprintf(oid, sizeof oid, "o_%02d", i);
		fx_append(f, "order.recorded", NULL, NULL, 0,
			  json_pack("{s:s,s:s,s:I,s:f,s:s,s:s}", "id", oid, "customer", "c_1", "at_ms",
				    (json_int_t)(T0 + i * 1000), "amount", 12.5, "status", "paid", "item",
				    "kettle"));
	}
	fx_append(f, "order.recorded", NULL, NULL, 0,
		  json_pack("{s:s,s:s}", "id", "o_24", "status", "refunded"));
	json_t *p;
	assert_int_equal(store_customer_profile(f->r, "c_1", &p, NULL), 0);
	assert_string_equal(jstr(p, "id"), "c_1");
	assert_string_equal(jstr(p, "name"), "Wang");
	assert_string_equal(jstr(p, "phone"), "13800000000");
	assert_string_equal(jstr(p, "type"), "vip");
	assert_string_equal(jstr(p, "region"), "east");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "tags"), 0)), "big");
	assert_int_equal(jint(p, "complaints"), 0);
	json_t *sessions = json_object_get(p, "sessions");
	assert_int_equal(json_array_size(sessions), 20);
	json_t *s = json_array_get(sessions, 0);
	assert_string_equal(jstr(s, "id"), "s_24"); /* newest first */
	assert_string_equal(jstr(s, "opened_at"), "2026-10-01T09:00:29+08:00");
	assert_string_equal(jstr(s, "category"), "refund");
	assert_string_equal(jstr(s, "agent"), "u_1");
	assert_int_equal(jint(s, "rating"), 4);
	assert_true(jnull(json_array_get(sessions, 1), "rating"));
	json_t *orders = json_object_get(p, "orders");
	assert_int_equal(json_array_size(orders), 20);
	json_t *o = json_array_get(orders, 0);
	assert_string_equal(jstr(o, "id"), "o_24");
	assert_string_equal(jstr(o, "at"), "2026-10-01T09:00:29+08:00");
	assert_true(json_real_value(json_object_get(o, "amount")) == 12.5);
	assert_string_equal(jstr(o, "status"), "refunded");
	assert_string_equal(jstr(o, "item"), "kettle");
	json_decref(p);

	/* an anonymous visitor: sessions but no customers row */
	open_session(f, "s_v", "v_1", T0);
	assert_int_equal(store_customer_profile(f->r, "v_1", &p, NULL), 0);
	assert_string_equal(jstr(p, "id"), "v_1");
	assert_true(jnull(p, "name"));
	assert_int_equal(json_array_size(json_object_get(p, "sessions")), 1);
	assert_int_equal(json_array_size(json_object_get(p, "orders")), 0);
	json_decref(p);
	struct kefu_err err;
	assert_int_equal(store_customer_profile(f->r, "nobody", &p, &err), -KEFU_ENOTFOUND);
}

static void sessions_closed_by_agent_and_range(void **state)
{
	struct fx *f = *state;
	const char *agents[] = {"u_1", "u_2", "u_1", "u_1"};
	for (int i = 0; i < 4; i++) {
		char id[16];
		snprintf(id, sizeof id, "s_%d", i);
		open_session(f, id, "c_1", T0 + i * 100);
		fx_append(f, "session.assigned", id, NULL, T0 + i * 100 + 1,
			  json_pack("{s:s,s:s}", "agent", agents[i], "how", "pick"));
		fx_append(f, "session.closed", id, NULL, T0 + i * 100 + 50,
			  json_pack("{s:s,s:s}", "by", "customer", "summary", ""));
	}
	fx_append(f, "session.rated", "s_2", NULL, 0, json_pack("{s:i}", "score", 3));
	open_session(f, "s_open", "c_1", T0);
	fx_append(f, "session.assigned", "s_open", NULL, T0,
		  json_pack("{s:s,s:s}", "agent", "u_1", "how", "pick"));
	json_t *list;
	assert_int_equal(store_sessions_closed(f->r, "u_1", T0, T0 + 1000, 10, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 3);
	json_t *s = json_array_get(list, 0);
	assert_string_equal(jstr(s, "id"), "s_3");
	assert_string_equal(jstr(s, "customer"), "c_1");
	assert_string_equal(jstr(s, "agent"), "u_1");
	assert_string_equal(jstr(s, "category"), "refund");
	assert_string_equal(jstr(s, "opened_at"), "2026-10-01T09:00:05.300+08:00");
	assert_string_equal(jstr(s, "closed_at"), "2026-10-01T09:00:05.350+08:00");
	assert_true(jnull(s, "rating"));
	assert_int_equal(jint(json_array_get(list, 1), "rating"), 3);
	json_decref(list);
	assert_int_equal(store_sessions_closed(f->r, NULL, T0, T0 + 1000, 10, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 4);
	json_decref(list);
	/* [from, to): s_1 closed at T0+150 is in, s_2 at T0+250 is out */
	assert_int_equal(store_sessions_closed(f->r, NULL, T0 + 150, T0 + 250, 10, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(jstr(json_array_get(list, 0), "id"), "s_1");
	json_decref(list);
	assert_int_equal(store_sessions_closed(f->r, NULL, T0, T0 + 1000, 2, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
}

static void message_to_unknown_session_or_repeated_seq_stores_nothing(void **state)
{
	struct fx *f = *state;
	open_session(f, "s_1", "c_1", T0);
	message(f, "s_1", 1, "customer", NULL, T0 + 1);
	int64_t before = fx_events(f);
	struct kefu_err err;
	assert_int_equal(fx_try(f, "message", "s_1", T0 + 2,
				json_pack("{s:i,s:s,s:s}", "seq", 1, "from", "agent", "text", "again"), &err),
			 -KEFU_ECONFLICT);
	assert_int_equal(fx_try(f, "message", "s_9", T0 + 2,
				json_pack("{s:i,s:s,s:s}", "seq", 1, "from", "agent", "text", "x"), &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(fx_events(f), before);
	json_t *s;
	assert_int_equal(store_session_get(f->r, "s_1", &s, NULL), 0);
	assert_true(jnull(s, "first_agent_ms")); /* the failed agent message left no trace */
	json_decref(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(user_created_reads_by_name_and_id),
	    T(user_password_set_and_updated_change_given_fields),
	    T(users_list_is_ordered_by_name_without_pw_hash),
	    T(token_lookup_honours_expiry_and_revocation),
	    T(login_failed_is_logged_without_projection),
	    T(presence_changed_keeps_current_and_log),
	    T(session_lifecycle_updates_open_sessions),
	    T(session_messages_page_by_after_seq),
	    T(customer_profile_shape),
	    T(sessions_closed_by_agent_and_range),
	    T(message_to_unknown_session_or_repeated_seq_stores_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

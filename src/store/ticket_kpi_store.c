/* ticket_kpi_store.c — the SQL of the ticket metrics (ticket_kpi_store.h): imported tickets as
 * ticket.* events through the ticket projection of ticket_store.c, the tickets of a span with
 * their steps, and the kpi_ticket_daily rows. Statements are prepared on the assess_store
 * connection per call (the rollup calls each a few times per day recomputed); the import writer
 * keeps its own prepared set for the length of one file. */
#include "store/ticket_kpi_store.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "store/projection.h"
#include "store/store_int.h"
#include "store/ticket_store.h"

enum { DAY_MS = 86400000 };

/* The attributed agent of a ticket (ticket_kpi_store.h, docs/metrics.md). */
#define OWNER "coalesce(t.agent, t.created_by, t.claimed_by)"

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct kefu_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare ticket kpi statement: %s",
				sqlite3_errmsg(db));
	return 0;
}

static int done(sqlite3 *db, sqlite3_stmt *st, int rc, const char *what, struct kefu_err *err)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && rc != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "%s: %s", what, sqlite3_errmsg(db));
	return 0;
}

static int exec1(struct assess_store *a, const char *sql, int64_t x, bool bind, const char *what,
		 struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st;
	int r = prep(db, sql, &st, err);
	if (r < 0)
		return r;
	if (bind)
		sqlite3_bind_int64(st, 1, x);
	return done(db, st, sqlite3_step(st), what, err);
}

/* ---- import ---------------------------------------------------------------------------------- */

struct tkpi_writer {
	sqlite3 *db; /* borrowed */
	sqlite3_stmt *event; /* owned */
	struct store_ticket_proj *proj; /* owned: the live projection, on this connection */
	struct buf data;
};

int tkpi_writer_new(struct assess_store *a, struct tkpi_writer **out, struct kefu_err *err)
{
	struct tkpi_writer *w = xcalloc(1, sizeof *w);
	w->db = assess_store__db(a);
	buf_init(&w->data);
	int r =
	    prep(w->db, "INSERT INTO events(at_ms, type, session, actor, data) VALUES (?1, ?2, ?3, ?4, ?5)",
		 &w->event, err);
	if (r == 0)
		r = store__ticket_proj_new(w->db, &w->proj, err);
	if (r < 0) {
		tkpi_writer_free(w);
		return r;
	}
	*out = w;
	return 0;
}

void tkpi_writer_free(struct tkpi_writer *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->event);
	store__ticket_proj_free(w->proj);
	buf_free(&w->data);
	free(w);
}

static int dump_cb(const char *p, size_t n, void *arg)
{
	buf_append(arg, p, n);
	return 0;
}

/* One event: the events row, then the projection. Takes the reference of data. */
static int append(struct tkpi_writer *w, const char *type, int64_t at_ms, const char *actor, json_t *data,
		  struct kefu_err *err)
{
	buf_reset(&w->data);
	json_dump_callback(data, dump_cb, &w->data, JSON_COMPACT);
	sqlite3_stmt *st = w->event;
	sqlite3_bind_int64(st, 1, at_ms);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_null(st, 3);
	if (actor)
		sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, w->data.data, (int)w->data.len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	int r = 0;
	if (rc != SQLITE_DONE)
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "ticket event insert: %s", sqlite3_errmsg(w->db));
	if (r == 0) {
		struct store__ev ev = {.type = type, .at_ms = at_ms, .actor = actor, .data = data};
		r = store__ticket_project(w->proj, &ev, err);
	}
	json_decref(data);
	return r;
}

static void set_s(json_t *o, const char *key, struct assess_str s)
{
	if (s.p)
		json_object_set_new(o, key, json_stringn(s.p, s.n));
}

int tkpi_writer_put(struct tkpi_writer *w, const struct tkpi_ticket_in *t, struct kefu_err *err)
{
	char *id = xstrndup(t->id.p, t->id.n), *agent = xstrndup(t->agent.p, t->agent.n);
	static const struct assess_str empty = {"", 0};
	json_t *d = json_object();
	set_s(d, "id", t->id);
	set_s(d, "kind", t->kind);
	/* N-14 fields a file leaves out are stored empty (K-34 counts them as not filled) */
	set_s(d, "type", t->type.p ? t->type : empty);
	set_s(d, "priority", t->priority.p ? t->priority : empty);
	set_s(d, "department", t->department.p ? t->department : empty);
	set_s(d, "order", t->order);
	set_s(d, "customer", t->customer);
	set_s(d, "session", t->session);
	set_s(d, "channel", t->channel);
	set_s(d, "description", t->description.p ? t->description : empty);
	set_s(d, "plan", t->plan);
	set_s(d, "region", t->region);
	json_object_set_new(d, "step", json_string("new"));
	json_object_set_new(d, "fields_required", json_integer(t->fields_required));
	json_object_set_new(d, "fields_filled", json_integer(t->fields_filled));
	set_s(d, "agent", t->agent);
	json_object_set_new(d, "complex", json_boolean(t->complex == 1));
	json_object_set_new(d, "import_hash", json_string(t->import_hash));
	json_object_set_new(d, "imported", json_true());
	int r = append(w, "ticket.created", t->created_ms, NULL, d, err);
	if (r == 0 && t->claimed_ms >= 0)
		r = append(w, "ticket.claimed", t->claimed_ms, agent,
			   json_pack("{s:s,s:s}", "id", id, "by", agent), err);
	for (size_t i = 0; r == 0 && i < t->n_steps; i++) {
		const struct tkpi_step_in *s = &t->steps[i];
		json_t *sd = json_pack("{s:s,s:s%,s:b}", "id", id, "step", s->step.p, s->step.n, "public", 0);
		if (s->flow)
			json_object_set_new(sd, "flow_step", json_stringn(s->step.p, s->step.n));
		r = append(w, "ticket.step", s->at_ms, agent, sd, err);
	}
	if (r == 0 && t->resolved_ms >= 0)
		r = append(w, "ticket.resolved", t->resolved_ms, agent, json_pack("{s:s}", "id", id), err);
	free(id);
	free(agent);
	return r;
}

int tkpi_store_canon(struct assess_store *a, const char *id, size_t id_len, struct buf *out, bool *found,
		     struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st;
	int r = prep(db, "SELECT coalesce(import_hash, '~') FROM tickets WHERE id = ?1", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, id, (int)id_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		buf_append(out, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	return done(db, st, rc, "ticket lookup", err);
}

/* ---- rollup inputs --------------------------------------------------------------------------- */

int tkpi_store_tickets(struct assess_store *a, int64_t from_ms, int64_t to_ms, const char *agent,
		       int (*fn)(void *arg, const struct tkpi_ticket *t), void *arg, struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st = NULL, *ss = NULL;
	int r = prep(db,
		     "SELECT t.id, " OWNER ", t.kind, t.region, t.complex, t.created_ms, t.resolved_ms, "
		     "t.fields_required, t.fields_filled, t.type FROM tickets t "
		     "WHERE t.created_ms >= ?1 AND t.created_ms < ?2 AND " OWNER " IS NOT NULL "
		     "AND (?3 IS NULL OR " OWNER " = ?3) ORDER BY t.created_ms, t.id",
		     &st, err);
	if (r == 0)
		r = prep(db, "SELECT at_ms, step FROM ticket_steps WHERE ticket = ?1 ORDER BY at_ms, rowid",
			 &ss, err);
	if (r < 0) {
		sqlite3_finalize(st);
		return r;
	}
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	if (agent)
		sqlite3_bind_text(st, 3, agent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	struct tkpi_step *steps = NULL;
	char **names = NULL;
	size_t cap = 0;
	int rc = SQLITE_DONE;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tkpi_ticket t = {
		    .id = (const char *)sqlite3_column_text(st, 0),
		    .agent = (const char *)sqlite3_column_text(st, 1),
		    .kind = (const char *)sqlite3_column_text(st, 2),
		    .region = (const char *)sqlite3_column_text(st, 3),
		    .complex = sqlite3_column_int(st, 4) != 0,
		    .created_ms = sqlite3_column_int64(st, 5),
		    .resolved_ms =
			sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6),
		    .fields_required = sqlite3_column_int(st, 7),
		    .fields_filled = sqlite3_column_int(st, 8),
		    .type = (const char *)sqlite3_column_text(st, 9),
		};
		sqlite3_bind_text(ss, 1, t.id, -1, SQLITE_TRANSIENT);
		size_t n = 0;
		int rs;
		while ((rs = sqlite3_step(ss)) == SQLITE_ROW) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				steps = xrealloc(steps, ncap * sizeof *steps);
				names = xrealloc(names, ncap * sizeof *names);
				memset(names + cap, 0, (ncap - cap) * sizeof *names);
				cap = ncap;
			}
			free(names[n]);
			names[n] = xstrdup((const char *)sqlite3_column_text(ss, 1));
			steps[n].at_ms = sqlite3_column_int64(ss, 0);
			steps[n].step = names[n];
			n++;
		}
		sqlite3_reset(ss);
		if (rs != SQLITE_DONE) {
			r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "ticket steps: %s", sqlite3_errmsg(db));
			break;
		}
		t.steps = steps;
		t.n_steps = n;
		r = fn(arg, &t);
	}
	for (size_t i = 0; i < cap; i++)
		free(names[i]);
	free(names);
	free(steps);
	sqlite3_finalize(ss);
	if (r < 0) {
		sqlite3_finalize(st);
		return r;
	}
	return done(db, st, rc, "tickets of a day", err);
}

/* ---- rollups --------------------------------------------------------------------------------- */

int tkpi_store_day_clear(struct assess_store *a, int64_t day, struct kefu_err *err)
{
	return exec1(a, "DELETE FROM kpi_ticket_daily WHERE day = ?1", day, true, "ticket daily clear", err);
}

int tkpi_store_clear(struct assess_store *a, struct kefu_err *err)
{
	return exec1(a, "DELETE FROM kpi_ticket_daily", 0, false, "ticket daily clear", err);
}

int tkpi_store_day_put(struct assess_store *a, const char *agent, int64_t day, const struct tkpi_daily *d,
		       struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st;
	int r = prep(db,
		     "INSERT INTO kpi_ticket_daily(agent, day, k11_n, k11_in, k27_n, k27_in, k28_n, k28_in, "
		     "k29_n, k29_sum_ms, k33_n, k33_ok, k34_req, k34_filled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		     "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		     &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day);
	const int64_t *v = &d->k11_n;
	for (int i = 0; i < TKPI_DAILY_COLS; i++)
		sqlite3_bind_int64(st, 3 + i, v[i]);
	return done(db, st, sqlite3_step(st), "ticket daily put", err);
}

int tkpi_store_span(struct assess_store *a, int offset_min, int64_t *first, int64_t *last, bool *any,
		    struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st;
	int r = prep(db, "SELECT min(created_ms), max(created_ms) FROM tickets", &st, err);
	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	*any = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (*any) {
		int64_t off = (int64_t)offset_min * 60000;
		int64_t t0 = sqlite3_column_int64(st, 0) + off, t1 = sqlite3_column_int64(st, 1) + off;
		*first = t0 >= 0 ? t0 / DAY_MS : -((-t0 + DAY_MS - 1) / DAY_MS);
		*last = t1 >= 0 ? t1 / DAY_MS : -((-t1 + DAY_MS - 1) / DAY_MS);
	}
	return done(db, st, rc, "ticket span", err);
}

int tkpi_store_period(struct assess_store *a, int64_t day_from, int64_t day_to,
		      void (*fn)(void *arg, const char *agent, const struct tkpi_daily *d), void *arg,
		      struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st;
	bool kept = false; /* a month the rollup keeps (011_kpi_month_sums): one row per agent */
	int r = assess_store_span_kept(a, day_from, day_to, &kept, err);
	if (r < 0)
		return r;
	r = prep(db,
		 kept ? "SELECT agent, k11_n, k11_in, k27_n, k27_in, k28_n, k28_in, k29_n, k29_sum_ms, "
			"k33_n, k33_ok, k34_req, k34_filled FROM kpi_ticket_span "
			"WHERE day_from = ?1 AND day_to = ?2 ORDER BY agent"
		      : "SELECT agent, sum(k11_n), sum(k11_in), sum(k27_n), sum(k27_in), sum(k28_n), "
			"sum(k28_in), sum(k29_n), sum(k29_sum_ms), sum(k33_n), sum(k33_ok), sum(k34_req), "
			"sum(k34_filled) FROM kpi_ticket_daily WHERE day >= ?1 AND day <= ?2 GROUP BY agent "
			"ORDER BY agent",
		 &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, day_from);
	sqlite3_bind_int64(st, 2, day_to);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tkpi_daily d;
		int64_t *v = &d.k11_n;
		for (int i = 0; i < TKPI_DAILY_COLS; i++)
			v[i] = sqlite3_column_int64(st, 1 + i);
		fn(arg, (const char *)sqlite3_column_text(st, 0), &d);
	}
	return done(db, st, rc, "ticket period", err);
}

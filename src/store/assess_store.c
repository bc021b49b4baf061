/* assess_store.c — the SQL of the assessment engine (assess_store.h): bulk import writes (event row
 * + projection per record, on its own read-write connection, inside one caller-driven
 * transaction), the reads behind the daily rollups and the period sums, and the hook that marks
 * rollup days stale as live events are projected. Every statement is named and prepared once.
 * It never decides a metric rule (windows come from src/kpi) and never validates import input. */
#include "store/assess_store.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "base/mem.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/ticket_kpi_store.h"

enum {
	DAY_MS = 86400000,
	TOUCH_OFFSET_MIN = 480, /* the organisation default (Asia/Shanghai) for live-event marking */
};
/* K-10/K-13/K-26: an event can change sessions of the same customer that started up to this long
 * before it (the longest default window, 30 days, plus a day). */
#define TOUCH_LOOKBACK_MS (31LL * DAY_MS)

enum astmt {
	A_BEGIN,
	A_COMMIT,
	A_ROLLBACK,
	A_FILE_SEEN,
	A_FILE_RECORD,
	A_CANON_AGENT,
	A_CANON_USER,
	A_CANON_CUSTOMER,
	A_CANON_SESSION,
	A_CANON_ORDER,
	A_CANON_COMPLAINT,
	A_EVENT,
	A_AGENT,
	A_CUSTOMER,
	A_SESSION,
	A_MESSAGE,
	A_LAST_SEQ,
	A_RATING,
	A_ORDER,
	A_COMPLAINT,
	A_PRESENCE,
	A_SESSIONS,
	A_MESSAGES,
	A_MESSAGES_SEQ,
	A_COMPLAINTS,
	A_PRESENCE_IV,
	A_PRESENCE_LOG,
	A_DAY_CLEAR_DAILY,
	A_DAY_CLEAR_CUST,
	A_DAILY_PUT,
	A_CUST_PUT,
	A_DIRTY_MARK,
	A_DIRTY_LIST,
	A_DIRTY_CLEAR,
	A_SPAN,
	A_CLEAR_DAILY,
	A_CLEAR_CUST,
	A_AGENTS,
	A_PERIOD_DAILY,
	A_PERIOD_CUST,
	A_PRESENT,
	A_INDEXES,
	A_SPAN_DROP_DAY,
	A_SPANC_DROP_DAY,
	A_SPAN_DROP,
	A_SPANC_DROP,
	A_SPANC_PUT,
	A_SPAN_PUT,
	A_SPAN_HAS,
	A_SPAN_GET,
	A_CLEAR_SPANS,
	A_CLEAR_SPANC,
	A_PSPAN_DROP,
	A_TSPAN_DROP,
	A_PSPAN_PUT,
	A_TSPAN_PUT,
	A_CLEAR_PSPAN,
	A_CLEAR_TSPAN,
	A_COUNT
};

#define END_OR_START "coalesce(s.closed_ms, s.opened_ms)"

static const char *const astmt_sql[A_COUNT] = {
    [A_BEGIN] = "BEGIN IMMEDIATE",
    [A_COMMIT] = "COMMIT",
    [A_ROLLBACK] = "ROLLBACK",
    [A_FILE_SEEN] = "SELECT 1 FROM import_files WHERE hash = ?1",
    [A_FILE_RECORD] = "INSERT INTO import_files(hash, name, lines, at_ms) VALUES (?1, ?2, ?3, ?4)",
    /* canonical forms: the columns compared for "an id reused with different content" */
    [A_CANON_AGENT] = "SELECT name, team, post, level FROM kpi_agents WHERE id = ?1",
    [A_CANON_USER] = "SELECT 1 FROM users WHERE id = ?1",
    [A_CANON_CUSTOMER] = "SELECT type, region FROM customers WHERE id = ?1",
    [A_CANON_SESSION] = "SELECT channel, customer, agent, opened_ms, closed_ms, category, complex, last_seq "
			"FROM sessions WHERE id = ?1",
    [A_CANON_ORDER] = "SELECT customer, at_ms, amount, new_product, recommended FROM orders WHERE id = ?1",
    [A_CANON_COMPLAINT] =
	"SELECT customer, at_ms, agent, order_id, session, escalated FROM complaints WHERE id = ?1",
    [A_EVENT] = "INSERT INTO events(at_ms, type, session, actor, data) VALUES (?1, ?2, ?3, NULL, ?4)",
    [A_AGENT] = "INSERT INTO kpi_agents(id, name, team, post, level) VALUES (?1, ?2, ?3, ?4, ?5)",
    /* a field the import leaves out keeps what the store has (customer.upserted semantics) */
    [A_CUSTOMER] = "INSERT INTO customers(id, type, region, tags) VALUES (?1, ?2, ?3, '[]') "
		   "ON CONFLICT(id) DO UPDATE SET type = coalesce(excluded.type, type), "
		   "region = coalesce(excluded.region, region)",
    /* an imported session without end is never live: state 'imported' keeps it out of chat */
    [A_SESSION] = "INSERT INTO sessions(id, channel, customer, visitor, category, state, agent, priority, "
		  "opened_ms, closed_ms, last_seq, complex) VALUES (?1, ?2, ?3, 0, ?4, "
		  "CASE WHEN ?6 IS NULL THEN 'imported' ELSE 'closed' END, ?5, 0, ?7, ?6, ?9, ?8)",
    [A_MESSAGE] =
	"INSERT INTO messages(session, seq, at_ms, sender, agent, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [A_LAST_SEQ] = "UPDATE sessions SET last_seq = max(last_seq, ?2) WHERE id = ?1",
    /* the rating of a session is its last by time; an equal time: the later input wins */
    [A_RATING] = "INSERT INTO ratings(session, score, solved, at_ms) VALUES (?1, ?2, ?3, ?4) "
		 "ON CONFLICT(session) DO UPDATE SET score = excluded.score, solved = excluded.solved, "
		 "at_ms = excluded.at_ms WHERE excluded.at_ms >= ratings.at_ms",
    [A_ORDER] = "INSERT INTO orders(id, customer, at_ms, amount, new_product, recommended) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [A_COMPLAINT] = "INSERT INTO complaints(id, customer, at_ms, agent, order_id, session, escalated) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [A_PRESENCE] = "INSERT OR IGNORE INTO presence_intervals(agent, from_ms, to_ms) VALUES (?1, ?2, ?3)",
    /* K-10 repeat (?4), K-13 credit (?5), K-26 repurchase (?6); DESIGN §5.2 */
    [A_SESSIONS] =
	"SELECT s.id, s.agent, s.customer, s.channel, s.category, coalesce(c.type, s.customer_type), "
	"s.opened_ms, s.closed_ms, r.score, r.solved, "
	"EXISTS (SELECT 1 FROM sessions s2 WHERE s2.customer = s.customer AND s2.category = s.category "
	"  AND s2.id <> s.id AND s2.opened_ms >= " END_OR_START " AND s2.opened_ms <= " END_OR_START
	" + ?4), "
	"EXISTS (SELECT 1 FROM orders o WHERE o.customer = s.customer AND o.at_ms > s.opened_ms "
	"  AND o.at_ms <= " END_OR_START " + ?5 "
	"  AND NOT EXISTS (SELECT 1 FROM sessions s3 WHERE s3.customer = s.customer "
	"    AND s3.opened_ms >= s.opened_ms AND s3.opened_ms < o.at_ms "
	"    AND (s3.opened_ms > s.opened_ms OR s3.id > s.id) "
	"    AND o.at_ms - coalesce(s3.closed_ms, s3.opened_ms) <= ?5)), "
	"EXISTS (SELECT 1 FROM orders o WHERE o.customer = s.customer AND o.at_ms >= " END_OR_START
	"  AND o.at_ms <= " END_OR_START " + ?6) "
	"FROM sessions s LEFT JOIN customers c ON c.id = s.customer LEFT JOIN ratings r ON r.session = s.id "
	"WHERE s.opened_ms >= ?1 AND s.opened_ms < ?2 AND s.agent IS NOT NULL AND (?3 IS NULL OR s.agent = "
	"?3) "
	"ORDER BY s.opened_ms, s.id",
    [A_MESSAGES] = "SELECT at_ms, sender FROM messages WHERE session = ?1 ORDER BY at_ms, seq",
    /* primary-key order needs no sort; used when it already is time order (the usual case) */
    [A_MESSAGES_SEQ] = "SELECT at_ms, sender FROM messages WHERE session = ?1 ORDER BY seq",
    [A_COMPLAINTS] = "SELECT coalesce(c.agent, s.agent), c.at_ms, c.escalated FROM complaints c "
		     "LEFT JOIN sessions s ON s.id = c.session WHERE c.at_ms >= ?1 AND c.at_ms < ?2",
    [A_PRESENCE_IV] = "SELECT agent, from_ms, to_ms FROM presence_intervals "
		      "WHERE to_ms > ?1 AND from_ms < ?2 ORDER BY agent, from_ms",
    [A_PRESENCE_LOG] = "SELECT agent, status, at_ms FROM presence_log WHERE at_ms < ?1 "
		       "ORDER BY agent, at_ms, rowid",
    [A_DAY_CLEAR_DAILY] = "DELETE FROM kpi_daily WHERE day = ?1",
    [A_DAY_CLEAR_CUST] = "DELETE FROM kpi_customer_day WHERE day = ?1",
    [A_DAILY_PUT] =
	"INSERT INTO kpi_daily(agent, day, sessions, frt_n, frt_sum_ms, frt_within, art_n, "
	"art_sum_ms, rated, satisfied, score_sum, resolved, conv, new_n, new_conv, rv_n, rv_conv, "
	"complaints, escalated, online_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    [A_CUST_PUT] = "INSERT INTO kpi_customer_day(agent, day, customer, repurchased) VALUES (?1, ?2, ?3, ?4) "
		   "ON CONFLICT DO UPDATE SET repurchased = max(repurchased, excluded.repurchased)",
    [A_DIRTY_MARK] = "INSERT OR IGNORE INTO kpi_dirty(day) VALUES (?1)",
    [A_DIRTY_LIST] = "SELECT day FROM kpi_dirty ORDER BY day",
    [A_DIRTY_CLEAR] = "DELETE FROM kpi_dirty",
    [A_SPAN] =
	"SELECT min(m), max(m) FROM ("
	"SELECT min(opened_ms) m FROM sessions WHERE agent IS NOT NULL UNION ALL "
	"SELECT max(opened_ms) FROM sessions WHERE agent IS NOT NULL UNION ALL "
	"SELECT min(at_ms) FROM complaints UNION ALL SELECT max(at_ms) FROM complaints UNION ALL "
	"SELECT min(from_ms) FROM presence_intervals UNION ALL SELECT max(to_ms) FROM presence_intervals "
	"UNION ALL SELECT min(at_ms) FROM presence_log UNION ALL SELECT max(at_ms) FROM presence_log)",
    [A_CLEAR_DAILY] = "DELETE FROM kpi_daily",
    [A_CLEAR_CUST] = "DELETE FROM kpi_customer_day",
    [A_AGENTS] = "SELECT id, team, post FROM kpi_agents UNION ALL "
		 "SELECT id, team, post FROM users WHERE role = 'agent' "
		 "AND id NOT IN (SELECT id FROM kpi_agents) ORDER BY 1",
    [A_PERIOD_DAILY] =
	"SELECT agent, sum(sessions), sum(frt_n), sum(frt_sum_ms), sum(frt_within), sum(art_n), "
	"sum(art_sum_ms), sum(rated), sum(satisfied), sum(score_sum), sum(resolved), sum(conv), "
	"sum(new_n), sum(new_conv), sum(rv_n), sum(rv_conv), sum(complaints), sum(escalated), "
	"sum(online_ms), sum(online_ms > 0) FROM kpi_daily WHERE day >= ?1 AND day <= ?2 "
	"GROUP BY agent",
    /* one agent's customer days in order of the key: assess_store_period counts the distinct
     * customers in C (a GROUP BY over the whole period sorted every row: ~2.5 us a row) */
    [A_PERIOD_CUST] = "SELECT customer, repurchased FROM kpi_customer_day "
		      "WHERE agent = ?1 AND day >= ?2 AND day <= ?3",
    /* which id'd kinds have any stored row (agent: kpi_agents or users) */
    [A_PRESENT] = "SELECT EXISTS (SELECT 1 FROM kpi_agents) OR EXISTS (SELECT 1 FROM users), "
		  "EXISTS (SELECT 1 FROM customers), EXISTS (SELECT 1 FROM sessions), "
		  "EXISTS (SELECT 1 FROM orders), EXISTS (SELECT 1 FROM complaints), "
		  "EXISTS (SELECT 1 FROM tickets)",
    [A_INDEXES] =
	"SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
    /* 005_assess_spans: K-26 of a whole span kept per agent; a day's clear drops its spans */
    [A_SPAN_DROP_DAY] = "DELETE FROM kpi_spans WHERE day_from <= ?1 AND day_to >= ?1",
    [A_SPANC_DROP_DAY] = "DELETE FROM kpi_span_agents WHERE day_from <= ?1 AND day_to >= ?1",
    [A_SPAN_DROP] = "DELETE FROM kpi_spans WHERE day_from = ?1 AND day_to = ?2",
    [A_SPANC_DROP] = "DELETE FROM kpi_span_agents WHERE day_from = ?1 AND day_to = ?2",
    /* the same sums as A_PERIOD_DAILY and A_PERIOD_CUST, kept */
    [A_SPANC_PUT] =
	"INSERT INTO kpi_span_agents SELECT ?1, ?2, d.*, coalesce(c.served, 0), coalesce(c.rep, 0) FROM ("
	"SELECT agent, sum(sessions), sum(frt_n), sum(frt_sum_ms), sum(frt_within), sum(art_n), "
	"sum(art_sum_ms), sum(rated), sum(satisfied), sum(score_sum), sum(resolved), sum(conv), "
	"sum(new_n), sum(new_conv), sum(rv_n), sum(rv_conv), sum(complaints), sum(escalated), "
	"sum(online_ms), sum(online_ms > 0) FROM kpi_daily WHERE day >= ?1 AND day <= ?2 GROUP BY agent) d "
	"LEFT JOIN (SELECT agent, count(*) served, sum(rep) rep FROM (SELECT agent, customer, "
	"max(repurchased) rep FROM kpi_customer_day WHERE day >= ?1 AND day <= ?2 GROUP BY agent, customer) "
	"GROUP BY agent) c ON c.agent = d.agent",
    [A_SPAN_PUT] = "INSERT INTO kpi_spans(day_from, day_to) VALUES (?1, ?2)",
    [A_SPAN_HAS] = "SELECT 1 FROM kpi_spans WHERE day_from = ?1 AND day_to = ?2",
    [A_SPAN_GET] =
	"SELECT agent, sessions, frt_n, frt_sum_ms, frt_within, art_n, art_sum_ms, rated, "
	"satisfied, score_sum, resolved, conv, new_n, new_conv, rv_n, rv_conv, complaints, escalated, "
	"online_ms, presence_days, served, repurchased FROM kpi_span_agents "
	"WHERE day_from = ?1 AND day_to = ?2",
    [A_CLEAR_SPANS] = "DELETE FROM kpi_spans",
    [A_CLEAR_SPANC] = "DELETE FROM kpi_span_agents",
    /* 011_kpi_month_sums: the people and ticket day rows of a kept month, summed per agent */
    [A_PSPAN_DROP] = "DELETE FROM kpi_people_span WHERE day_from = ?1 AND day_to = ?2",
    [A_TSPAN_DROP] = "DELETE FROM kpi_ticket_span WHERE day_from = ?1 AND day_to = ?2",
    [A_PSPAN_PUT] =
	"INSERT INTO kpi_people_span SELECT ?1, ?2, agent, sum(viol), sum(viol_blocked), sum(security), "
	"sum(viol_sessions), sum(exam_n), sum(exam_pass), sum(np_exam_n), sum(np_exam_pass), sum(contrib), "
	"sum(contrib_any), sum(cited), sum(cited_any), sum(collab_n), sum(collab_sat), sum(qa_n), "
	"sum(qa_sum), sum(peer_n), sum(peer_sum), sum(self_n), sum(self_sum) "
	"FROM kpi_people_daily WHERE day >= ?1 AND day <= ?2 GROUP BY agent",
    [A_TSPAN_PUT] = "INSERT INTO kpi_ticket_span SELECT ?1, ?2, agent, sum(k11_n), sum(k11_in), sum(k27_n), "
		    "sum(k27_in), sum(k28_n), sum(k28_in), sum(k29_n), sum(k29_sum_ms), sum(k33_n), "
		    "sum(k33_ok), sum(k34_req), sum(k34_filled) "
		    "FROM kpi_ticket_daily WHERE day >= ?1 AND day <= ?2 GROUP BY agent",
    [A_CLEAR_PSPAN] = "DELETE FROM kpi_people_span",
    [A_CLEAR_TSPAN] = "DELETE FROM kpi_ticket_span",
};

struct assess_store {
	sqlite3 *db; /* owned read-write connection */
	sqlite3_stmt *st[A_COUNT]; /* owned, prepared once */
	char **deferred; /* CREATE INDEX statements dropped for a bulk load, to run again */
	size_t n_deferred;
	struct people_store *people; /* K-30…K-44 statements on this connection (people_store.c) */
};

static int prepare_all(sqlite3 *db, const char *const *sql, sqlite3_stmt **st, int n, struct kefu_err *err)
{
	for (int i = 0; i < n; i++)
		if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st[i], NULL) != SQLITE_OK)
			return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare assess statement %d: %s", i,
					sqlite3_errmsg(db));
	return 0;
}

int assess_store_open(struct store *s, struct assess_store **out, struct kefu_err *err)
{
	struct assess_store *a = xcalloc(1, sizeof *a);
	int r = store__db_open(store__path(s), SQLITE_OPEN_READWRITE, &a->db, err);
	if (r < 0) {
		free(a);
		return r;
	}
	sqlite3_exec(a->db, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY",
		     NULL, NULL, NULL);
	if ((r = prepare_all(a->db, astmt_sql, a->st, A_COUNT, err)) < 0 ||
	    (r = people_store_new(a->db, &a->people, err)) < 0) {
		assess_store_close(a);
		return r;
	}
	*out = a;
	return 0;
}

static void deferred_free(struct assess_store *a)
{
	for (size_t i = 0; i < a->n_deferred; i++)
		free(a->deferred[i]);
	free(a->deferred);
	a->deferred = NULL;
	a->n_deferred = 0;
}

void assess_store_close(struct assess_store *a)
{
	if (!a)
		return;
	for (int i = 0; i < A_COUNT; i++)
		sqlite3_finalize(a->st[i]);
	people_store_free(a->people);
	sqlite3_close(a->db);
	deferred_free(a);
	free(a);
}

/* Steps a statement that returns no rows, then resets it. */
static int run(struct assess_store *a, enum astmt i, const char *what, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[i];
	int rc = sqlite3_step(st);
	int r = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int code = (rc & 0xff) == SQLITE_CONSTRAINT ? KEFU_ECONFLICT : KEFU_ESTORE;
		r = KEFU_ERR(err, code, "sqlite", "%s: %s", what, sqlite3_errmsg(a->db));
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static void bind_s(sqlite3_stmt *st, int i, struct assess_str s)
{
	if (s.p)
		sqlite3_bind_text(st, i, s.p, (int)s.n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_b(sqlite3_stmt *st, int i, int b)
{
	if (b >= 0)
		sqlite3_bind_int(st, i, b);
	else
		sqlite3_bind_null(st, i);
}

sqlite3 *assess_store__db(struct assess_store *a)
{
	return a->db;
}

int assess_store_begin(struct assess_store *a, struct kefu_err *err)
{
	return run(a, A_BEGIN, "begin", err);
}

int assess_store_commit(struct assess_store *a, struct kefu_err *err)
{
	return run(a, A_COMMIT, "commit", err);
}

void assess_store_rollback(struct assess_store *a)
{
	if (!sqlite3_get_autocommit(a->db))
		run(a, A_ROLLBACK, "rollback", NULL);
	deferred_free(a); /* the rollback brought the dropped indexes back */
}

struct people_store *assess_store_people(struct assess_store *a)
{
	return a->people;
}

void assess_store_checkpoint(struct assess_store *a)
{
	sqlite3_wal_checkpoint_v2(a->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

int assess_store_present(struct assess_store *a, bool present[ASSESS_KINDS], struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_PRESENT];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		for (int k = 0; k < ASSESS_KINDS; k++)
			present[k] = sqlite3_column_int(st, k) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "present: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_indexes_defer(struct assess_store *a, const char *table, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_INDEXES];
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	char **names = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		a->deferred = xrealloc(a->deferred, (a->n_deferred + 1) * sizeof *a->deferred);
		a->deferred[a->n_deferred++] = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	int r = rc == SQLITE_DONE
	    ? 0
	    : KEFU_ERR(err, KEFU_ESTORE, "sqlite", "indexes: %s", sqlite3_errmsg(a->db));
	for (size_t i = 0; i < n; i++) {
		if (r == 0) {
			char *sql = sqlite3_mprintf("DROP INDEX \"%w\"", names[i]);
			if (sqlite3_exec(a->db, sql, NULL, NULL, NULL) != SQLITE_OK)
				r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "drop index %s: %s", names[i],
					     sqlite3_errmsg(a->db));
			sqlite3_free(sql);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int assess_store_indexes_restore(struct assess_store *a, struct kefu_err *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < a->n_deferred; i++)
		if (sqlite3_exec(a->db, a->deferred[i], NULL, NULL, NULL) != SQLITE_OK)
			r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "create index: %s", sqlite3_errmsg(a->db));
	if (r == 0)
		deferred_free(a);
	return r;
}

int assess_store_file_seen(struct assess_store *a, const char *hash, bool *seen, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_FILE_SEEN];
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*seen = rc == SQLITE_ROW;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "import_files: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_file_record(struct assess_store *a, const char *hash, const char *name, int64_t lines,
			     int64_t now_ms, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_FILE_RECORD];
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, lines);
	sqlite3_bind_int64(st, 4, now_ms);
	return run(a, A_FILE_RECORD, "import_files", err);
}

void store__canon_col(sqlite3_stmt *st, int i, struct buf *out)
{
	if (i > 0)
		buf_append(out, "\x1f", 1);
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		buf_append(out, "~", 1);
		break;
	case SQLITE_INTEGER:
		buf_printf(out, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		buf_printf(out, "%.17g", sqlite3_column_double(st, i));
		break;
	default:
		buf_append(out, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
	}
}

int assess_store_canon(struct assess_store *a, enum assess_kind k, const char *id, size_t id_len,
		       struct buf *out, bool *found, int64_t *last_seq, struct kefu_err *err)
{
	static const enum astmt which[ASSESS_KINDS] = {
	    [ASSESS_AGENT] = A_CANON_AGENT,	    [ASSESS_CUSTOMER] = A_CANON_CUSTOMER,
	    [ASSESS_SESSION] = A_CANON_SESSION,	    [ASSESS_ORDER] = A_CANON_ORDER,
	    [ASSESS_COMPLAINT] = A_CANON_COMPLAINT,
	};
	if (k == ASSESS_TICKET) /* the hash of its imported content (ticket_kpi_store.c) */
		return tkpi_store_canon(a, id, id_len, out, found, err);
	sqlite3_stmt *st = a->st[which[k]];
	sqlite3_bind_text(st, 1, id, (int)id_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		if (k == ASSESS_SESSION) {
			if (last_seq)
				*last_seq = sqlite3_column_int64(st, n - 1);
			n--;
		}
		for (int i = 0; i < n; i++)
			store__canon_col(st, i, out);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "lookup: %s", sqlite3_errmsg(a->db));
	if (!*found && k == ASSESS_AGENT) { /* a live agent account can be referenced too */
		st = a->st[A_CANON_USER];
		sqlite3_bind_text(st, 1, id, (int)id_len, SQLITE_STATIC);
		rc = sqlite3_step(st);
		*found = rc == SQLITE_ROW;
		sqlite3_reset(st);
	}
	return 0;
}

static int put_event(struct assess_store *a, const struct assess_rec *r, struct assess_str session,
		     struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_EVENT];
	sqlite3_bind_int64(st, 1, r->at_ms);
	sqlite3_bind_text(st, 2, r->event_type, -1, SQLITE_STATIC);
	bind_s(st, 3, session);
	sqlite3_bind_text(st, 4, r->event_data, (int)r->event_data_len, SQLITE_STATIC);
	return run(a, A_EVENT, "event insert", err);
}

static const struct assess_str no_str = {NULL, 0};

int assess_store_put_agent(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, no_str, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_AGENT];
	bind_s(st, 1, r->id);
	bind_s(st, 2, r->name);
	bind_s(st, 3, r->team);
	bind_s(st, 4, r->post);
	bind_s(st, 5, r->level);
	return run(a, A_AGENT, "agent insert", err);
}

int assess_store_put_customer(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, no_str, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_CUSTOMER];
	bind_s(st, 1, r->id);
	bind_s(st, 2, r->type);
	bind_s(st, 3, r->region);
	return run(a, A_CUSTOMER, "customer upsert", err);
}

int assess_store_put_session(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, r->id, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_SESSION];
	bind_s(st, 1, r->id);
	bind_s(st, 2, r->channel);
	bind_s(st, 3, r->customer);
	bind_s(st, 4, r->category);
	bind_s(st, 5, r->agent);
	if (r->end_ms >= 0)
		sqlite3_bind_int64(st, 6, r->end_ms);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, r->at_ms);
	bind_b(st, 8, r->complex);
	sqlite3_bind_int64(st, 9, r->seq); /* last_seq: the file's messages of a new session, else 0 */
	return run(a, A_SESSION, "session insert", err);
}

int assess_store_put_message(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, r->session, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_MESSAGE];
	bind_s(st, 1, r->session);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, r->at_ms);
	bind_s(st, 4, r->from);
	bind_s(st, 5, r->agent);
	bind_s(st, 6, r->text);
	return run(a, A_MESSAGE, "message insert", err);
}

int assess_store_set_last_seq(struct assess_store *a, const char *session, size_t len, int64_t seq,
			      struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_LAST_SEQ];
	sqlite3_bind_text(st, 1, session, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	return run(a, A_LAST_SEQ, "session last_seq", err);
}

int assess_store_put_rating(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, r->session, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_RATING];
	bind_s(st, 1, r->session);
	sqlite3_bind_int64(st, 2, r->score);
	bind_b(st, 3, r->solved);
	sqlite3_bind_int64(st, 4, r->at_ms);
	return run(a, A_RATING, "rating upsert", err);
}

int assess_store_put_order(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, no_str, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_ORDER];
	bind_s(st, 1, r->id);
	bind_s(st, 2, r->customer);
	sqlite3_bind_int64(st, 3, r->at_ms);
	if (!r->has_amount)
		sqlite3_bind_null(st, 4);
	else if (r->amount_is_int)
		sqlite3_bind_int64(st, 4, r->amount_i);
	else
		sqlite3_bind_double(st, 4, r->amount_d);
	bind_b(st, 5, r->new_product);
	bind_b(st, 6, r->recommended);
	return run(a, A_ORDER, "order insert", err);
}

int assess_store_put_complaint(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, r->session, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_COMPLAINT];
	bind_s(st, 1, r->id);
	bind_s(st, 2, r->customer);
	sqlite3_bind_int64(st, 3, r->at_ms);
	bind_s(st, 4, r->agent);
	bind_s(st, 5, r->order);
	bind_s(st, 6, r->session);
	bind_b(st, 7, r->escalated);
	return run(a, A_COMPLAINT, "complaint insert", err);
}

int assess_store_put_presence(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err)
{
	int rc = put_event(a, r, no_str, err);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = a->st[A_PRESENCE];
	bind_s(st, 1, r->agent);
	sqlite3_bind_int64(st, 2, r->at_ms);
	sqlite3_bind_int64(st, 3, r->to_ms);
	return run(a, A_PRESENCE, "presence insert", err);
}

/* ---- rollup inputs ------------------------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

void assess_sessions_free(struct assess_sessions *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct assess_session *x = &s->v[i];
		free(x->id);
		free(x->agent);
		free(x->customer);
		free(x->channel);
		free(x->category);
		free(x->ctype);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

int assess_store_sessions(struct assess_store *a, int64_t from_ms, int64_t to_ms, const char *agent,
			  const struct assess_windows *w, struct assess_sessions *out, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_SESSIONS];
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	if (agent)
		sqlite3_bind_text(st, 3, agent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, w->repeat_ms);
	sqlite3_bind_int64(st, 5, w->conv_ms);
	sqlite3_bind_int64(st, 6, w->repurchase_ms);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 256;
			out->v = xrealloc(out->v, out->cap * sizeof *out->v);
		}
		struct assess_session *x = &out->v[out->n++];
		x->id = col_dup(st, 0);
		x->agent = col_dup(st, 1);
		x->customer = col_dup(st, 2);
		x->channel = col_dup(st, 3);
		x->category = col_dup(st, 4);
		x->ctype = col_dup(st, 5);
		x->start_ms = sqlite3_column_int64(st, 6);
		x->end_ms = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 7);
		x->score = sqlite3_column_type(st, 8) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 8);
		x->solved = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 9);
		x->repeat = sqlite3_column_int(st, 10) != 0;
		x->credited = sqlite3_column_int(st, 11) != 0;
		x->repurchased = sqlite3_column_int(st, 12) != 0;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "sessions: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_messages(struct assess_store *a, const char *session, struct assess_msg **out, size_t *n,
			  size_t *cap, struct kefu_err *err)
{
	/* read in seq order; if the times are not ascending there, read again sorted by time, seq */
	sqlite3_stmt *st = a->st[A_MESSAGES_SEQ];
	bool sorted_again = false;
again:
	sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!sorted_again && *n > 0 && sqlite3_column_int64(st, 0) < (*out)[*n - 1].at_ms) {
			sqlite3_reset(st);
			st = a->st[A_MESSAGES];
			sorted_again = true;
			goto again;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*out = xrealloc(*out, *cap * sizeof **out);
		}
		const unsigned char *from = sqlite3_column_text(st, 1);
		(*out)[*n].at_ms = sqlite3_column_int64(st, 0);
		(*out)[*n].from = from ? (char)from[0] : 's';
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "messages: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_complaints(struct assess_store *a, int64_t from_ms, int64_t to_ms,
			    void (*fn)(void *arg, const char *agent, int64_t at_ms, int escalated), void *arg,
			    struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_COMPLAINTS];
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
		   sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "complaints: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_presence(struct assess_store *a, int64_t from_ms, int64_t to_ms,
			  void (*fn)(void *arg, const char *agent, int64_t from, int64_t to), void *arg,
			  struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_PRESENCE_IV];
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
		   sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "presence: %s", sqlite3_errmsg(a->db));
	/* live spells: online from a presence.changed to online until the next change of that agent */
	st = a->st[A_PRESENCE_LOG];
	sqlite3_bind_int64(st, 1, to_ms);
	char agent[256] = "";
	int64_t since = -1; /* start of the current online spell, -1 none */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ag = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		int64_t at = sqlite3_column_int64(st, 2);
		if (!ag || !status)
			continue;
		if (strcmp(ag, agent) != 0) {
			snprintf(agent, sizeof agent, "%s", ag);
			since = -1;
		}
		bool online = strcmp(status, "online") == 0;
		if (online && since < 0)
			since = at;
		else if (!online && since >= 0) {
			if (at > from_ms && at > since)
				fn(arg, agent, since, at);
			since = -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "presence_log: %s", sqlite3_errmsg(a->db));
	return 0;
}

/* ---- rollups ------------------------------------------------------------------------------- */

int assess_store_day_clear(struct assess_store *a, int64_t day, struct kefu_err *err)
{
	int r;
	sqlite3_bind_int64(a->st[A_DAY_CLEAR_DAILY], 1, day);
	if ((r = run(a, A_DAY_CLEAR_DAILY, "daily clear", err)) < 0)
		return r;
	sqlite3_bind_int64(a->st[A_DAY_CLEAR_CUST], 1, day);
	if ((r = run(a, A_DAY_CLEAR_CUST, "customer day clear", err)) < 0)
		return r;
	sqlite3_bind_int64(a->st[A_SPAN_DROP_DAY], 1, day);
	if ((r = run(a, A_SPAN_DROP_DAY, "span clear", err)) < 0)
		return r;
	sqlite3_bind_int64(a->st[A_SPANC_DROP_DAY], 1, day);
	return run(a, A_SPANC_DROP_DAY, "span customers clear", err);
}

int assess_store_span_kept(struct assess_store *a, int64_t day_from, int64_t day_to, bool *kept,
			   struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_SPAN_HAS];
	sqlite3_bind_int64(st, 1, day_from);
	sqlite3_bind_int64(st, 2, day_to);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "span kept: %s", sqlite3_errmsg(a->db));
	*kept = rc == SQLITE_ROW;
	return 0;
}

int assess_store_span_put(struct assess_store *a, int64_t day_from, int64_t day_to, struct kefu_err *err)
{
	static const enum astmt seq[] = {A_SPAN_DROP, A_SPANC_DROP, A_PSPAN_DROP, A_TSPAN_DROP,
					 A_SPANC_PUT, A_PSPAN_PUT,  A_TSPAN_PUT,  A_SPAN_PUT};
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		sqlite3_bind_int64(a->st[seq[i]], 1, day_from);
		sqlite3_bind_int64(a->st[seq[i]], 2, day_to);
		int r = run(a, seq[i], "span put", err);
		if (r < 0)
			return r;
	}
	return 0;
}

int assess_store_daily_put(struct assess_store *a, const char *agent, int64_t day,
			   const struct assess_daily *d, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_DAILY_PUT];
	const int64_t v[] = {d->sessions,   d->frt_n,	  d->frt_sum_ms, d->frt_within, d->art_n,
			     d->art_sum_ms, d->rated,	  d->satisfied,	 d->score_sum,	d->resolved,
			     d->conv,	    d->new_n,	  d->new_conv,	 d->rv_n,	d->rv_conv,
			     d->complaints, d->escalated, d->online_ms};
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day);
	for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
		sqlite3_bind_int64(st, 3 + i, v[i]);
	return run(a, A_DAILY_PUT, "daily insert", err);
}

int assess_store_customer_day_put(struct assess_store *a, const char *agent, int64_t day,
				  const char *customer, bool repurchased, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_CUST_PUT];
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_text(st, 3, customer, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, repurchased);
	return run(a, A_CUST_PUT, "customer day insert", err);
}

int assess_store_dirty_mark(struct assess_store *a, int64_t day, struct kefu_err *err)
{
	sqlite3_bind_int64(a->st[A_DIRTY_MARK], 1, day);
	return run(a, A_DIRTY_MARK, "dirty mark", err);
}

int assess_store_dirty_list(struct assess_store *a, int64_t **days, size_t *n, struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_DIRTY_LIST];
	size_t cap = 0;
	*days = NULL;
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*days = xrealloc(*days, cap * sizeof **days);
		}
		(*days)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "dirty list: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_dirty_clear(struct assess_store *a, struct kefu_err *err)
{
	return run(a, A_DIRTY_CLEAR, "dirty clear", err);
}

static int64_t local_day(int64_t ms, int offset_min)
{
	int64_t t = ms + (int64_t)offset_min * 60000;
	return t >= 0 ? t / DAY_MS : -((-t + DAY_MS - 1) / DAY_MS);
}

int assess_store_day_span(struct assess_store *a, int offset_min, int64_t *first, int64_t *last, bool *any,
			  struct kefu_err *err)
{
	sqlite3_stmt *st = a->st[A_SPAN];
	int rc = sqlite3_step(st);
	*any = false;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*any = true;
		*first = local_day(sqlite3_column_int64(st, 0), offset_min);
		*last = local_day(sqlite3_column_int64(st, 1), offset_min);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "span: %s", sqlite3_errmsg(a->db));
	return 0;
}

int assess_store_rollups_clear(struct assess_store *a, struct kefu_err *err)
{
	int r = run(a, A_CLEAR_DAILY, "daily clear", err);
	if (r == 0)
		r = run(a, A_CLEAR_CUST, "customer day clear", err);
	if (r == 0)
		r = run(a, A_DIRTY_CLEAR, "dirty clear", err);
	if (r == 0)
		r = run(a, A_CLEAR_SPANS, "spans clear", err);
	if (r == 0)
		r = run(a, A_CLEAR_SPANC, "span customers clear", err);
	if (r == 0)
		r = run(a, A_CLEAR_PSPAN, "people spans clear", err);
	if (r == 0)
		r = run(a, A_CLEAR_TSPAN, "ticket spans clear", err);
	return r;
}

/* ---- period reads -------------------------------------------------------------------------- */

void assess_agents_free(struct assess_agents *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].id);
		free(g->v[i].team);
		free(g->v[i].post);
	}
	free(g->v);
	memset(g, 0, sizeof *g);
}

static int agent_cmp(const void *x, const void *y)
{
	return strcmp(((const struct assess_agent *)x)->id, ((const struct assess_agent *)y)->id);
}

static struct assess_agent *agent_find(struct assess_agents *g, const char *id)
{
	struct assess_agent key = {.id = (char *)id};
	return bsearch(&key, g->v, g->n, sizeof *g->v, agent_cmp);
}

static struct assess_agent *agent_add(struct assess_agents *g, size_t *cap, const char *id, const char *team,
				      const char *post)
{
	if (g->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		g->v = xrealloc(g->v, *cap * sizeof *g->v);
	}
	struct assess_agent *x = &g->v[g->n++];
	memset(x, 0, sizeof *x);
	x->id = xstrdup(id);
	x->team = xstrdup(team ? team : "");
	x->post = xstrdup(post ? post : "");
	return x;
}

int assess_store_period(struct assess_store *a, int64_t day_from, int64_t day_to, struct assess_agents *out,
			struct kefu_err *err)
{
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = a->st[A_AGENTS];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		agent_add(out, &cap, (const char *)sqlite3_column_text(st, 0),
			  (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	size_t known = out->n;
	/* a span the rollup keeps (a calendar month) is one row per agent, else sum the day rows */
	st = a->st[A_SPAN_HAS];
	sqlite3_bind_int64(st, 1, day_from);
	sqlite3_bind_int64(st, 2, day_to);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail;
	bool kept = rc == SQLITE_ROW;
	st = a->st[kept ? A_SPAN_GET : A_PERIOD_DAILY];
	sqlite3_bind_int64(st, 1, day_from);
	sqlite3_bind_int64(st, 2, day_to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		struct assess_agent *x = NULL;
		struct assess_agents head = {out->v, known};
		x = agent_find(&head, id);
		if (!x)
			x = agent_add(out, &cap, id, NULL, NULL);
		int64_t *v = &x->sum.sessions;
		for (int i = 0; i < 18; i++)
			v[i] = sqlite3_column_int64(st, 1 + i);
		x->presence_days = sqlite3_column_int64(st, 19);
		if (kept) {
			x->served = sqlite3_column_int64(st, 20);
			x->repurchased = sqlite3_column_int64(st, 21);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (kept) {
		qsort(out->v, out->n, sizeof *out->v, agent_cmp);
		return 0;
	}
	qsort(out->v, out->n, sizeof *out->v, agent_cmp);
	/* K-26 over a span the rollup does not keep: an agent's distinct customers, and of those the
	 * ones repurchased after any of their days (value 1 = served, 2 = repurchased) */
	st = a->st[A_PERIOD_CUST];
	rc = SQLITE_DONE;
	for (size_t i = 0; i < out->n && rc == SQLITE_DONE; i++) {
		struct assess_agent *x = &out->v[i];
		struct map seen;
		map_init(&seen);
		sqlite3_bind_text(st, 1, x->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, day_from);
		sqlite3_bind_int64(st, 3, day_to);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(st, 0);
			bool rep = sqlite3_column_int(st, 1) != 0;
			uintptr_t had = (uintptr_t)map_get(&seen, c ? c : "");
			if (!had)
				x->served++;
			if (rep && had != 2)
				x->repurchased++;
			if (!had || (rep && had != 2))
				map_put(&seen, c ? c : "", (void *)(uintptr_t)(rep ? 2 : 1));
		}
		sqlite3_reset(st);
		map_free(&seen);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	sqlite3_reset(st);
	assess_agents_free(out);
	return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "period: %s", sqlite3_errmsg(a->db));
}

/* ---- live-event hook ----------------------------------------------------------------------- */

enum tstmt { T_MARK, T_SESSION, T_CUSTOMER_DAYS, T_PRESENCE_PREV, T_TICKET, T_COUNT };

static const char *const tstmt_sql[T_COUNT] = {
    [T_MARK] = "INSERT OR IGNORE INTO kpi_dirty(day) VALUES (?1)",
    [T_SESSION] = "SELECT customer, opened_ms FROM sessions WHERE id = ?1",
    [T_CUSTOMER_DAYS] = "INSERT OR IGNORE INTO kpi_dirty(day) SELECT DISTINCT (opened_ms + ?2) / 86400000 "
			"FROM sessions WHERE customer = ?1 AND opened_ms >= ?3 AND opened_ms <= ?4",
    [T_PRESENCE_PREV] = "SELECT at_ms FROM presence_log WHERE agent = ?1 AND at_ms <= ?2 "
			"ORDER BY at_ms DESC LIMIT 1 OFFSET 1",
    [T_TICKET] = "SELECT created_ms FROM tickets WHERE id = ?1",
};

struct assess_touch {
	sqlite3 *db; /* borrowed: the writer connection */
	sqlite3_stmt *st[T_COUNT]; /* owned */
};

int assess_touch_new(void *sqlite_db, struct assess_touch **out, struct kefu_err *err)
{
	struct assess_touch *t = xcalloc(1, sizeof *t);
	t->db = sqlite_db;
	int r = prepare_all(t->db, tstmt_sql, t->st, T_COUNT, err);
	if (r < 0) {
		assess_touch_free(t);
		return r;
	}
	*out = t;
	return 0;
}

void assess_touch_free(struct assess_touch *t)
{
	if (!t)
		return;
	for (int i = 0; i < T_COUNT; i++)
		sqlite3_finalize(t->st[i]);
	free(t);
}

static int touch_step(struct assess_touch *t, sqlite3_stmt *st, struct kefu_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "kpi dirty: %s", sqlite3_errmsg(t->db));
	return 0;
}

static int touch_day(struct assess_touch *t, int64_t ms, struct kefu_err *err)
{
	sqlite3_bind_int64(t->st[T_MARK], 1, local_day(ms, TOUCH_OFFSET_MIN));
	return touch_step(t, t->st[T_MARK], err);
}

static int touch_customer(struct assess_touch *t, const char *customer, int64_t from, int64_t to,
			  struct kefu_err *err)
{
	if (!customer)
		return 0;
	sqlite3_stmt *st = t->st[T_CUSTOMER_DAYS];
	sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (int64_t)TOUCH_OFFSET_MIN * 60000);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	return touch_step(t, st, err);
}

int assess_touch_event(struct assess_touch *t, const char *type, int64_t at_ms, const char *session,
		       void *json_data, struct kefu_err *err)
{
	json_t *data = json_data;
	int r = 0;
	if (strncmp(type, "session.", 8) == 0 || strcmp(type, "message") == 0 ||
	    strcmp(type, "guard.hit") == 0) {
		if (!session)
			return 0;
		sqlite3_stmt *st = t->st[T_SESSION];
		sqlite3_bind_text(st, 1, session, -1, SQLITE_TRANSIENT);
		char *customer = NULL;
		int64_t start = at_ms;
		if (sqlite3_step(st) == SQLITE_ROW) {
			customer = col_dup(st, 0);
			start = sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
		r = touch_day(t, start, err);
		/* the end or a new session of a customer changes the K-10/K-13 rules of their earlier
		 * sessions; messages, ratings and assignment change only their own session */
		if (r == 0 && (strcmp(type, "session.opened") == 0 || strcmp(type, "session.closed") == 0))
			r = touch_customer(t, customer, start - TOUCH_LOOKBACK_MS, at_ms, err);
		free(customer);
	} else if (strcmp(type, "kb.contribution_reviewed") == 0 || strcmp(type, "kb.case_cited") == 0) {
		r = touch_day(t, at_ms, err); /* K-40, K-41 (people.c) count them on their day */
	} else if (strcmp(type, "order.recorded") == 0) {
		json_t *c = json_object_get(data, "customer"), *at = json_object_get(data, "at_ms");
		int64_t when = json_is_integer(at) ? json_integer_value(at) : at_ms;
		if (json_is_string(c))
			r = touch_customer(t, json_string_value(c), when - TOUCH_LOOKBACK_MS, when, err);
	} else if (strcmp(type, "customer.upserted") == 0) {
		json_t *c = json_object_get(data, "id");
		if (json_is_string(c)) /* the customer type splits K-13 for all their sessions */
			r = touch_customer(t, json_string_value(c), INT64_MIN, INT64_MAX, err);
	} else if (strncmp(type, "ticket.", 7) == 0) {
		/* K-11, K-27…K-29, K-33, K-34: a ticket counts on the day it was created */
		json_t *id = json_object_get(data, "id");
		if (!json_is_string(id))
			return 0;
		sqlite3_stmt *st = t->st[T_TICKET];
		sqlite3_bind_text(st, 1, json_string_value(id), -1, SQLITE_TRANSIENT);
		int64_t created = at_ms;
		if (sqlite3_step(st) == SQLITE_ROW)
			created = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		r = touch_day(t, created, err);
	} else if (strcmp(type, "presence.changed") == 0) {
		json_t *ag = json_object_get(data, "agent");
		if (!json_is_string(ag))
			return 0;
		sqlite3_stmt *st = t->st[T_PRESENCE_PREV];
		sqlite3_bind_text(st, 1, json_string_value(ag), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, at_ms);
		int64_t prev = at_ms;
		if (sqlite3_step(st) == SQLITE_ROW)
			prev = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		for (int64_t d = local_day(prev, TOUCH_OFFSET_MIN);
		     r == 0 && d <= local_day(at_ms, TOUCH_OFFSET_MIN); d++) {
			sqlite3_bind_int64(t->st[T_MARK], 1, d);
			r = touch_step(t, t->st[T_MARK], err);
		}
	}
	return r;
}

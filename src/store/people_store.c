/* people_store.c — the SQL of the people and quality metrics (people_store.h, 007_people.sql):
 * import writes of exam, kb_contribution, case_citation, collab_rating and review; guard verdicts
 * against agent messages; the per-day sums of kpi_people_daily; period sums; the records behind a
 * metric. Statements are prepared once per connection. It never decides a metric rule. */
#include "store/people_store.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "store/projection.h"
#include "store/store_int.h"

enum pstmt {
	S_EVENT,
	S_PUT_EXAM,
	S_PUT_CONTRIB,
	S_PUT_CITATION,
	S_PUT_COLLAB,
	S_PUT_REVIEW,
	S_CANON_EXAM,
	S_CANON_CONTRIB,
	S_CANON_COLLAB,
	S_CANON_REVIEW,
	S_PRESENT,
	S_VIOL,
	S_Q_VIOL,
	S_Q_VSESS,
	S_Q_EXAM,
	S_Q_CONTRIB,
	S_Q_CITED,
	S_Q_COLLAB,
	S_Q_REVIEW,
	S_DAY_CLEAR,
	S_DAILY_PUT,
	S_CLEAR,
	S_SPAN,
	S_PERIOD,
	S_PERIOD_KEPT,
	S_E_VIOL,
	S_E_VSESS,
	S_E_EXAM,
	S_E_CONTRIB,
	S_E_CITED,
	S_E_COLLAB,
	S_E_REVIEW,
	S_COUNT
};

/* the day queries: ?1 = day start, ?2 = next day start, ?3 = satisfied_min */
#define IN_DAY(col) col " >= ?1 AND " col " < ?2"
#define PASS "coalesce(passed, score >= pass_mark)"

static const char *const sql[S_COUNT] = {
    [S_EVENT] = "INSERT INTO events(at_ms, type, session, actor, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_PUT_EXAM] = "INSERT INTO kpi_exams(id, agent, at_ms, score, pass_mark, passed, topic) "
		   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_PUT_CONTRIB] = "INSERT INTO kpi_kb_contributions(id, agent, at_ms, article, state) "
		      "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_PUT_CITATION] = "INSERT OR IGNORE INTO kpi_case_citations(case_id, author, by_agent, at_ms, session) "
		       "VALUES (?1, ?2, ?3, ?4, coalesce(?5, ''))",
    [S_PUT_COLLAB] = "INSERT INTO kpi_collab_ratings(id, agent, department, at_ms, score) "
		     "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_PUT_REVIEW] = "INSERT INTO kpi_reviews(id, agent, at_ms, type, score, session, reviewer) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_CANON_EXAM] = "SELECT agent, at_ms, score, pass_mark, passed, topic FROM kpi_exams WHERE id = ?1",
    [S_CANON_CONTRIB] = "SELECT agent, at_ms, article, state FROM kpi_kb_contributions WHERE id = ?1",
    [S_CANON_COLLAB] = "SELECT agent, department, at_ms, score FROM kpi_collab_ratings WHERE id = ?1",
    [S_CANON_REVIEW] = "SELECT agent, at_ms, type, score, session, reviewer FROM kpi_reviews WHERE id = ?1",
    [S_PRESENT] = "SELECT EXISTS (SELECT 1 FROM kpi_exams), EXISTS (SELECT 1 FROM kpi_kb_contributions), "
		  "EXISTS (SELECT 1 FROM kpi_case_citations), EXISTS (SELECT 1 FROM kpi_collab_ratings), "
		  "EXISTS (SELECT 1 FROM kpi_reviews)",
    [S_VIOL] = "INSERT INTO kpi_violations(session, seq, at_ms, agent, delivered, security, rules) "
	       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* K-30, K-31: the sender (else the session's agent), the day of the session's start */
    [S_Q_VIOL] = "SELECT coalesce(v.agent, s.agent) ag, count(*), sum(v.delivered = 0), sum(v.security) "
		 "FROM sessions s JOIN kpi_violations v ON v.session = s.id "
		 "WHERE " IN_DAY("s.opened_ms") " AND coalesce(v.agent, s.agent) IS NOT NULL GROUP BY ag",
    /* K-32: the session's agent */
    [S_Q_VSESS] = "SELECT s.agent, count(*) FROM sessions s WHERE " IN_DAY(
	"s.opened_ms") " AND s.agent IS NOT NULL "
		       "AND EXISTS (SELECT 1 FROM kpi_violations v WHERE v.session = s.id) GROUP BY s.agent",
    [S_Q_EXAM] =
	"SELECT agent, count(*), sum(" PASS "), sum(topic = 'new_product'), "
	"sum(topic = 'new_product' AND " PASS ") FROM kpi_exams WHERE " IN_DAY("at_ms") " GROUP BY agent",
    /* K-40: live contributions by their review time, imported by their at */
    [S_Q_CONTRIB] =
	"SELECT ag, sum(acc), count(*) FROM ("
	"SELECT proposer ag, state = 'accepted' acc FROM kb_contributions WHERE " IN_DAY(
	    "reviewed_ms") " UNION ALL "
			   "SELECT agent, state = 'accepted' FROM kpi_kb_contributions WHERE " IN_DAY(
			       "at_ms") ") GROUP BY ag",
    /* K-41: live citations credit the article's author (who saved version 1) */
    [S_Q_CITED] = "SELECT au, sum(au <> cb), count(*) FROM ("
		  "SELECT a.author au, c.agent cb FROM kb_citations c JOIN kb_articles a ON a.id = c.article "
		  "WHERE " IN_DAY("c.at_ms") " AND a.author IS NOT NULL UNION ALL "
					     "SELECT author, by_agent FROM kpi_case_citations WHERE " IN_DAY(
						 "at_ms") ") GROUP BY au",
    [S_Q_COLLAB] = "SELECT agent, count(*), sum(score >= ?3) FROM kpi_collab_ratings WHERE " IN_DAY(
	"at_ms") " GROUP BY agent",
    [S_Q_REVIEW] = "SELECT agent, sum(type = 'qa'), sum(CASE type WHEN 'qa' THEN score ELSE 0 END), "
		   "sum(type = 'peer'), sum(CASE type WHEN 'peer' THEN score ELSE 0 END), "
		   "sum(type = 'self'), sum(CASE type WHEN 'self' THEN score ELSE 0 END) "
		   "FROM kpi_reviews WHERE " IN_DAY("at_ms") " GROUP BY agent",
    [S_DAY_CLEAR] = "DELETE FROM kpi_people_daily WHERE day = ?1",
    [S_DAILY_PUT] = "INSERT INTO kpi_people_daily VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		    "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    [S_CLEAR] = "DELETE FROM kpi_people_daily",
    [S_SPAN] =
	"SELECT min(m), max(m) FROM ("
	"SELECT min(at_ms) m FROM kpi_exams UNION ALL SELECT max(at_ms) FROM kpi_exams UNION ALL "
	"SELECT min(reviewed_ms) FROM kb_contributions UNION ALL SELECT max(reviewed_ms) FROM "
	"kb_contributions UNION ALL "
	"SELECT min(at_ms) FROM kpi_kb_contributions UNION ALL SELECT max(at_ms) FROM "
	"kpi_kb_contributions UNION ALL "
	"SELECT min(at_ms) FROM kb_citations UNION ALL SELECT max(at_ms) FROM kb_citations UNION ALL "
	"SELECT min(at_ms) FROM kpi_case_citations UNION ALL SELECT max(at_ms) FROM kpi_case_citations "
	"UNION ALL SELECT min(at_ms) FROM kpi_collab_ratings UNION ALL SELECT max(at_ms) FROM "
	"kpi_collab_ratings UNION ALL "
	"SELECT min(at_ms) FROM kpi_reviews UNION ALL SELECT max(at_ms) FROM kpi_reviews)",
    [S_PERIOD] =
	"SELECT agent, sum(viol), sum(viol_blocked), sum(security), sum(viol_sessions), sum(exam_n), "
	"sum(exam_pass), sum(np_exam_n), sum(np_exam_pass), sum(contrib), sum(contrib_any), "
	"sum(cited), sum(cited_any), sum(collab_n), sum(collab_sat), sum(qa_n), sum(qa_sum), "
	"sum(peer_n), sum(peer_sum), sum(self_n), sum(self_sum) FROM kpi_people_daily "
	"WHERE day >= ?1 AND day <= ?2 GROUP BY agent ORDER BY agent",
    /* a month the rollup keeps (011_kpi_month_sums): the same sums, one row per agent */
    [S_PERIOD_KEPT] = "SELECT agent, viol, viol_blocked, security, viol_sessions, exam_n, exam_pass, "
		      "np_exam_n, np_exam_pass, contrib, contrib_any, cited, cited_any, collab_n, "
		      "collab_sat, qa_n, qa_sum, peer_n, peer_sum, self_n, self_sum "
		      "FROM kpi_people_span WHERE day_from = ?1 AND day_to = ?2 ORDER BY agent",
    /* explain: ?1, ?2 the period's bounds, ?3 the agent, ?4 a filter */
    [S_E_VIOL] = "SELECT v.session, s.opened_ms start, v.seq, v.at_ms at, v.delivered, v.security, v.rules "
		 "FROM sessions s JOIN kpi_violations v ON v.session = s.id WHERE " IN_DAY(
		     "s.opened_ms") " AND coalesce(v.agent, s.agent) = ?3 AND (?4 IS NULL OR v.security = 1) "
				    "ORDER BY s.opened_ms, v.session, v.at_ms, v.seq",
    [S_E_VSESS] = "SELECT s.id session, s.opened_ms start, (SELECT count(*) FROM kpi_violations v WHERE "
		  "v.session = s.id) violations FROM sessions s WHERE " IN_DAY(
		      "s.opened_ms") " AND s.agent = ?3 AND (?4 IS NULL OR ?4 IS NOT NULL) "
				     "AND EXISTS (SELECT 1 FROM kpi_violations v WHERE v.session = s.id) "
				     "ORDER BY s.opened_ms, s.id",
    [S_E_EXAM] = "SELECT id exam, at_ms at, score, pass_mark, passed, topic, " PASS " pass FROM kpi_exams "
		 "WHERE " IN_DAY("at_ms") " AND agent = ?3 AND (?4 IS NULL OR topic = ?4) ORDER BY at_ms, id",
    [S_E_CONTRIB] =
	"SELECT id contribution, at, state, source FROM ("
	"SELECT id, reviewed_ms at, state, 'live' source FROM kb_contributions WHERE " IN_DAY(
	    "reviewed_ms") " AND proposer = ?3 UNION ALL "
			   "SELECT id, at_ms, state, 'import' FROM kpi_kb_contributions WHERE " IN_DAY(
			       "at_ms") " AND agent = ?3) WHERE ?4 IS NULL OR state = ?4 ORDER BY at, "
					"contribution",
    [S_E_CITED] = "SELECT case_id, cited_by, session, at, cited_by <> ?3 counted, source FROM ("
		  "SELECT c.article case_id, c.agent cited_by, c.session session, c.at_ms at, 'live' source "
		  "FROM kb_citations c "
		  "JOIN kb_articles a ON a.id = c.article WHERE " IN_DAY(
		      "c.at_ms") " AND a.author = ?3 UNION ALL "
				 "SELECT case_id, by_agent, session, at_ms, 'import' FROM kpi_case_citations "
				 "WHERE " IN_DAY("at_ms") " AND author = ?3) WHERE ?4 IS NULL OR ?4 IS NOT "
							  "NULL ORDER BY at, case_id, cited_by",
    [S_E_COLLAB] = "SELECT id rating, department, at_ms at, score FROM kpi_collab_ratings WHERE " IN_DAY(
	"at_ms") " AND agent = ?3 AND (?4 IS NULL OR ?4 IS NOT NULL) ORDER BY at_ms, id",
    [S_E_REVIEW] =
	"SELECT id review, type, at_ms at, score, session, reviewer FROM kpi_reviews WHERE " IN_DAY(
	    "at_ms") " AND agent = ?3 AND (?4 IS NULL OR type = ?4) ORDER BY at_ms, id",
};

struct people_store {
	sqlite3 *db; /* borrowed */
	sqlite3_stmt *st[S_COUNT];
};

int people_store_new(void *sqlite_db, struct people_store **out, struct kefu_err *err)
{
	struct people_store *ps = xcalloc(1, sizeof *ps);
	ps->db = sqlite_db;
	for (int i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(ps->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &ps->st[i], NULL) !=
		    SQLITE_OK) {
			int r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare people statement %d: %s", i,
					 sqlite3_errmsg(ps->db));
			people_store_free(ps);
			return r;
		}
	*out = ps;
	return 0;
}

void people_store_free(struct people_store *ps)
{
	if (!ps)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(ps->st[i]);
	free(ps);
}

static int fail_sql(struct people_store *ps, sqlite3_stmt *st, const char *what, struct kefu_err *err)
{
	int rc = sqlite3_errcode(ps->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	int code = (rc & 0xff) == SQLITE_CONSTRAINT ? KEFU_ECONFLICT : KEFU_ESTORE;
	return KEFU_ERR(err, code, "sqlite", "%s: %s", what, sqlite3_errmsg(ps->db));
}

/* Steps a statement that returns no rows, then resets it. */
static int run(struct people_store *ps, enum pstmt i, const char *what, struct kefu_err *err)
{
	sqlite3_stmt *st = ps->st[i];
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail_sql(ps, st, what, err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
}

static void bind_str(sqlite3_stmt *st, int i, const char *p, size_t n)
{
	if (p)
		sqlite3_bind_text(st, i, p, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_val(sqlite3_stmt *st, int i, const struct people_val *v)
{
	switch (v->t) {
	case 1:
		sqlite3_bind_text(st, i, v->p, (int)v->n, SQLITE_STATIC);
		break;
	case 2:
		sqlite3_bind_int64(st, i, v->i);
		break;
	case 3:
		sqlite3_bind_double(st, i, v->d);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

int people_store_present(struct people_store *ps, bool present[PEOPLE_KINDS], struct kefu_err *err)
{
	sqlite3_stmt *st = ps->st[S_PRESENT];
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return fail_sql(ps, st, "people present", err);
	for (int k = 0; k < PEOPLE_KINDS; k++)
		present[k] = sqlite3_column_int(st, k) != 0;
	sqlite3_reset(st);
	return 0;
}

int people_store_canon(struct people_store *ps, enum people_kind k, const char *id, size_t len,
		       struct buf *out, bool *found, struct kefu_err *err)
{
	static const enum pstmt which[PEOPLE_KINDS] = {[PEOPLE_EXAM] = S_CANON_EXAM,
						       [PEOPLE_CONTRIB] = S_CANON_CONTRIB,
						       [PEOPLE_CITATION] = S_COUNT,
						       [PEOPLE_COLLAB] = S_CANON_COLLAB,
						       [PEOPLE_REVIEW] = S_CANON_REVIEW};
	*found = false;
	if (which[k] == S_COUNT)
		return 0;
	sqlite3_stmt *st = ps->st[which[k]];
	sqlite3_bind_text(st, 1, id, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		/* a real column holding a whole number prints as the integer the file wrote */
		for (int i = 0; i < sqlite3_column_count(st); i++)
			store__canon_col(st, i, out);
	} else if (rc != SQLITE_DONE) {
		return fail_sql(ps, st, "people lookup", err);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
}

static int put_event(struct people_store *ps, int64_t at_ms, const char *type, const char *session,
		     size_t session_len, const char *actor, size_t actor_len, const char *data,
		     size_t data_len, struct kefu_err *err)
{
	sqlite3_stmt *st = ps->st[S_EVENT];
	sqlite3_bind_int64(st, 1, at_ms);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	bind_str(st, 3, session, session_len);
	bind_str(st, 4, actor, actor_len);
	sqlite3_bind_text(st, 5, data, (int)data_len, SQLITE_STATIC);
	return run(ps, S_EVENT, "event insert", err);
}

int people_store_put(struct people_store *ps, enum people_kind k, int64_t at_ms, const char *event_type,
		     const char *data, size_t data_len, const char *session, size_t session_len,
		     const struct people_val *v, int n, struct kefu_err *err)
{
	static const enum pstmt which[PEOPLE_KINDS] = {[PEOPLE_EXAM] = S_PUT_EXAM,
						       [PEOPLE_CONTRIB] = S_PUT_CONTRIB,
						       [PEOPLE_CITATION] = S_PUT_CITATION,
						       [PEOPLE_COLLAB] = S_PUT_COLLAB,
						       [PEOPLE_REVIEW] = S_PUT_REVIEW};
	int r = put_event(ps, at_ms, event_type, session, session_len, NULL, 0, data, data_len, err);
	if (r < 0)
		return r;
	sqlite3_stmt *st = ps->st[which[k]];
	for (int i = 0; i < n; i++)
		bind_val(st, i + 1, &v[i]);
	return run(ps, which[k], "people insert", err);
}

int people_store_put_violation(struct people_store *ps, const char *session, size_t session_len, int64_t seq,
			       int64_t at_ms, const char *agent, size_t agent_len, bool security,
			       const char *rules, const char *data, size_t data_len, struct kefu_err *err)
{
	int r =
	    put_event(ps, at_ms, "guard.hit", session, session_len, agent, agent_len, data, data_len, err);
	if (r < 0)
		return r;
	sqlite3_stmt *st = ps->st[S_VIOL];
	bind_str(st, 1, session, session_len);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, at_ms);
	bind_str(st, 4, agent, agent_len);
	sqlite3_bind_int(st, 5, 1);
	sqlite3_bind_int(st, 6, security);
	sqlite3_bind_text(st, 7, rules, -1, SQLITE_STATIC);
	return run(ps, S_VIOL, "violation insert", err);
}

/* ---- rollups ---- */

int people_store_day(struct people_store *ps, int64_t t0, int64_t t1, int satisfied_min,
		     void (*fn)(void *arg, const char *agent, int col, int64_t value), void *arg,
		     struct kefu_err *err)
{
	static const struct {
		enum pstmt st;
		int col; /* the first column it fills */
	} q[] = {{S_Q_VIOL, PC_VIOL},	    {S_Q_VSESS, PC_VIOL_SESSIONS}, {S_Q_EXAM, PC_EXAM_N},
		 {S_Q_CONTRIB, PC_CONTRIB}, {S_Q_CITED, PC_CITED},	   {S_Q_COLLAB, PC_COLLAB_N},
		 {S_Q_REVIEW, PC_QA_N}};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st = ps->st[q[i].st];
		sqlite3_bind_int64(st, 1, t0);
		sqlite3_bind_int64(st, 2, t1);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_int(st, 3, satisfied_min);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *agent = (const char *)sqlite3_column_text(st, 0);
			if (!agent)
				continue;
			for (int c = 1; c < sqlite3_column_count(st); c++) {
				int64_t v = sqlite3_column_int64(st, c);
				if (v)
					fn(arg, agent, q[i].col + c - 1, v);
			}
		}
		if (rc != SQLITE_DONE)
			return fail_sql(ps, st, "people day", err);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return 0;
}

int people_store_day_clear(struct people_store *ps, int64_t day, struct kefu_err *err)
{
	sqlite3_bind_int64(ps->st[S_DAY_CLEAR], 1, day);
	return run(ps, S_DAY_CLEAR, "people day clear", err);
}

int people_store_daily_put(struct people_store *ps, const char *agent, int64_t day, const int64_t v[PC_COUNT],
			   struct kefu_err *err)
{
	sqlite3_stmt *st = ps->st[S_DAILY_PUT];
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day);
	for (int i = 0; i < PC_COUNT; i++)
		sqlite3_bind_int64(st, 3 + i, v[i]);
	return run(ps, S_DAILY_PUT, "people daily insert", err);
}

int people_store_clear(struct people_store *ps, struct kefu_err *err)
{
	return run(ps, S_CLEAR, "people clear", err);
}

int people_store_time_span(struct people_store *ps, int64_t *min_ms, int64_t *max_ms, bool *any,
			   struct kefu_err *err)
{
	sqlite3_stmt *st = ps->st[S_SPAN];
	int rc = sqlite3_step(st);
	*any = false;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*any = true;
		*min_ms = sqlite3_column_int64(st, 0);
		*max_ms = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail_sql(ps, st, "people span", err);
	}
	sqlite3_reset(st);
	return 0;
}

int people_store_period(struct people_store *ps, int64_t day_from, int64_t day_to, bool kept,
			void (*fn)(void *arg, const char *agent, const int64_t v[PC_COUNT]), void *arg,
			struct kefu_err *err)
{
	sqlite3_stmt *st = ps->st[kept ? S_PERIOD_KEPT : S_PERIOD];
	sqlite3_bind_int64(st, 1, day_from);
	sqlite3_bind_int64(st, 2, day_to);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *agent = (const char *)sqlite3_column_text(st, 0);
		int64_t v[PC_COUNT];
		for (int i = 0; i < PC_COUNT; i++)
			v[i] = sqlite3_column_int64(st, 1 + i);
		if (agent)
			fn(arg, agent, v);
	}
	if (rc != SQLITE_DONE)
		return fail_sql(ps, st, "people period", err);
	sqlite3_reset(st);
	return 0;
}

/* ---- explain ---- */

int people_store_explain(struct people_store *ps, enum people_explain which, int64_t t0, int64_t t1,
			 const char *agent, const char *filter, int tz_offset_min, void *json_arr,
			 struct kefu_err *err)
{
	static const enum pstmt stmt[PE_COUNT] = {
	    [PE_VIOLATIONS] = S_E_VIOL,	 [PE_VIOL_SESSIONS] = S_E_VSESS, [PE_EXAMS] = S_E_EXAM,
	    [PE_CONTRIBS] = S_E_CONTRIB, [PE_CITATIONS] = S_E_CITED,	 [PE_COLLAB] = S_E_COLLAB,
	    [PE_REVIEWS] = S_E_REVIEW,
	};
	json_t *arr = json_arr;
	sqlite3_stmt *st = ps->st[stmt[which]];
	sqlite3_bind_int64(st, 1, t0);
	sqlite3_bind_int64(st, 2, t1);
	sqlite3_bind_text(st, 3, agent, -1, SQLITE_STATIC);
	bind_str(st, 4, filter, filter ? strlen(filter) : 0);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);
			json_t *v;
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				v = json_null();
				break;
			case SQLITE_INTEGER:
				if (strcmp(name, "at") == 0 || strcmp(name, "start") == 0) {
					char t[40];
					clock_format_rfc3339(sqlite3_column_int64(st, i), tz_offset_min, t,
							     sizeof t);
					v = json_string(t);
				} else {
					v = json_integer(sqlite3_column_int64(st, i));
				}
				break;
			case SQLITE_FLOAT:
				v = json_real(sqlite3_column_double(st, i));
				break;
			default:
				v = json_string((const char *)sqlite3_column_text(st, i));
			}
			json_object_set_new(o, name, v);
		}
		json_array_append_new(arr, o);
	}
	if (rc != SQLITE_DONE)
		return fail_sql(ps, st, "people explain", err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
}

/* ---- live projection ---- */

int store__people_guard_hit(void *sqlite_db, const struct store__ev *ev, struct kefu_err *err)
{
	sqlite3 *db = sqlite_db;
	const char *role = json_string_value(json_object_get(ev->data, "role"));
	if (!role || strcmp(role, "agent") != 0 || !ev->session)
		return 0; /* customer verdicts (C-07, C-08, C-11 on their text) are log only */
	json_t *del = json_object_get(ev->data, "delivered");
	bool delivered = !json_is_false(del);
	json_t *seq = json_object_get(ev->data, "seq");
	bool security = false;
	struct buf rules;
	buf_init(&rules);
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(ev->data, "hits"), i, h)
	{
		const char *rule = json_string_value(json_object_get(h, "rule"));
		const char *sev = json_string_value(json_object_get(h, "severity"));
		if (!rule)
			continue;
		if (rules.len)
			buf_append(&rules, ",", 1);
		buf_append(&rules, rule, strlen(rule));
		security |= strcmp(rule, "C-08") == 0 ||
		    (strcmp(rule, "C-07") == 0 && sev && strcmp(sev, "block") == 0);
	}
	sqlite3_stmt *st = NULL;
	int r = 0;
	if (sqlite3_prepare_v2(db, sql[S_VIOL], -1, &st, NULL) != SQLITE_OK) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "violation prepare: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, ev->session, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, json_is_integer(seq) ? json_integer_value(seq) : 0);
	sqlite3_bind_int64(st, 3, ev->at_ms);
	if (ev->actor)
		sqlite3_bind_text(st, 4, ev->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, delivered);
	sqlite3_bind_int(st, 6, delivered && security);
	sqlite3_bind_text(st, 7, rules.len ? rules.data : "", (int)rules.len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "violation insert: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	buf_free(&rules);
	return r;
}

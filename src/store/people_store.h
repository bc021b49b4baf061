/* people_store.h — the SQL of the people and quality metrics (issue 5; K-30…K-44, K-52;
 * 007_people.sql): the import writes of the kinds exam, kb_contribution, case_citation,
 * collab_rating and review (event row + projection, inside the caller's transaction), the guard's
 * verdicts against agent messages (kpi_violations, from live guard.hit events and from imported
 * agent messages), the per-day sums behind the daily rollup kpi_people_daily, the period sums and
 * the records behind a metric (--explain). It never decides a metric rule (src/kpi/people.c does)
 * and never validates import input (src/kpi/import.c does). One per assess_store connection. */
#ifndef KEFU_STORE_PEOPLE_STORE_H
#define KEFU_STORE_PEOPLE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* The import kinds stored here. */
enum people_kind { PEOPLE_EXAM, PEOPLE_CONTRIB, PEOPLE_CITATION, PEOPLE_COLLAB, PEOPLE_REVIEW, PEOPLE_KINDS };

/* The columns of kpi_people_daily after agent and day, in table order. */
enum people_col {
	PC_VIOL, /* agent messages with a guard hit (K-30) */
	PC_VIOL_BLOCKED,
	PC_SECURITY, /* K-31 */
	PC_VIOL_SESSIONS, /* sessions of the agent with a violating agent message (K-32) */
	PC_EXAM_N,
	PC_EXAM_PASS,
	PC_NP_EXAM_N,
	PC_NP_EXAM_PASS,
	PC_CONTRIB, /* accepted (K-40) */
	PC_CONTRIB_ANY,
	PC_CITED, /* by others (K-41) */
	PC_CITED_ANY,
	PC_COLLAB_N,
	PC_COLLAB_SAT,
	PC_QA_N,
	PC_QA_SUM,
	PC_PEER_N,
	PC_PEER_SUM,
	PC_SELF_N,
	PC_SELF_SUM,
	PC_COUNT
};

/* A period's people sums of one agent (kpi_people_daily summed) plus what src/kpi adds. */
struct assess_people {
	int64_t v[PC_COUNT];
	int64_t months; /* calendar months the period covers (K-40, K-41 per month) */
	int64_t org_contrib_any, org_cited_any; /* the organisation's sums: 0 = K-40 / K-41 have no data */
};

/* One value to bind: t 0 = NULL, 1 = text p[0..n), 2 = integer i, 3 = real d. */
struct people_val {
	int t;
	const char *p;
	size_t n;
	int64_t i;
	double d;
};

struct people_store;
/* db is the assess_store's connection (borrowed). */
int people_store_new(void *sqlite_db, struct people_store **out, struct kefu_err *err);
void people_store_free(struct people_store *ps);

/* Which kinds have any stored row. */
int people_store_present(struct people_store *ps, bool present[PEOPLE_KINDS], struct kefu_err *err);
/* The canonical form of the stored record of an id'd kind (not PEOPLE_CITATION): the columns after
 * the id in table order, as assess_store_canon writes them. *found false when unknown. */
int people_store_canon(struct people_store *ps, enum people_kind k, const char *id, size_t len,
		       struct buf *out, bool *found, struct kefu_err *err);
/* Appends the event row (actor NULL) and inserts v[0..n) as the kind's projection row (columns in
 * table order). A citation already stored (same case, citing agent, session) is kept as it was. */
int people_store_put(struct people_store *ps, enum people_kind k, int64_t at_ms, const char *event_type,
		     const char *data, size_t data_len, const char *session, size_t session_len,
		     const struct people_val *v, int n, struct kefu_err *err);
/* An imported agent message with guard hits: a guard.hit event and its kpi_violations row (agent
 * NULL = the session's agent). */
int people_store_put_violation(struct people_store *ps, const char *session, size_t session_len, int64_t seq,
			       int64_t at_ms, const char *agent, size_t agent_len, bool security,
			       const char *rules, const char *data, size_t data_len, struct kefu_err *err);

/* ---- rollups ---- */

/* Calls fn(arg, agent, col, value) for every non-zero sum of the local day [t0, t1) (satisfied_min:
 * K-43's threshold). */
int people_store_day(struct people_store *ps, int64_t t0, int64_t t1, int satisfied_min,
		     void (*fn)(void *arg, const char *agent, int col, int64_t value), void *arg,
		     struct kefu_err *err);
int people_store_day_clear(struct people_store *ps, int64_t day, struct kefu_err *err);
int people_store_daily_put(struct people_store *ps, const char *agent, int64_t day, const int64_t v[PC_COUNT],
			   struct kefu_err *err);
int people_store_clear(struct people_store *ps, struct kefu_err *err);
/* The first and last time of any record of these kinds (violations follow their sessions). */
int people_store_time_span(struct people_store *ps, int64_t *min_ms, int64_t *max_ms, bool *any,
			   struct kefu_err *err);
/* Calls fn for every agent with rows in local days [day_from, day_to], with the column sums; kept:
 * the span is a month the rollup keeps (assess_store_span_kept), read from its sums. */
int people_store_period(struct people_store *ps, int64_t day_from, int64_t day_to, bool kept,
			void (*fn)(void *arg, const char *agent, const int64_t v[PC_COUNT]), void *arg,
			struct kefu_err *err);

/* ---- explain ---- */
enum people_explain {
	PE_VIOLATIONS, /* K-30, K-31: the agent's violating messages */
	PE_VIOL_SESSIONS, /* K-32: the agent's sessions with a violation */
	PE_EXAMS, /* K-42, K-52 */
	PE_CONTRIBS, /* K-40 */
	PE_CITATIONS, /* K-41 */
	PE_COLLAB, /* K-43 */
	PE_REVIEWS, /* K-35, K-44, K-44.self (filter = the review kind) */
	PE_COUNT
};
/* Appends one object per record of agent in [t0, t1) to arr (a json_t array): the columns by name,
 * times ("at", "start") as RFC 3339 in tz_offset_min. */
int people_store_explain(struct people_store *ps, enum people_explain which, int64_t t0, int64_t t1,
			 const char *agent, const char *filter, int tz_offset_min, void *json_arr,
			 struct kefu_err *err);

/* The projection of a live guard.hit event (src/store/projection.c): an agent-role verdict becomes
 * a kpi_violations row; customer-role verdicts are log only. */
struct store__ev;
int store__people_guard_hit(void *sqlite_db, const struct store__ev *ev, struct kefu_err *err);

#endif

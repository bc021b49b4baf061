/* assess_store.h — the SQL of the assessment engine (issue 5): the bulk writer behind `kefu import`
 * (one transaction, prepared statements, one event row per imported record plus its projection),
 * the reads that feed the daily rollups (sessions of a day with their FCR/conversion/repurchase
 * flags, messages, complaints, presence), the rollup rows themselves and the period sums that
 * `kefu assess` reads. It never decides a metric rule: windows and thresholds come in as
 * parameters from src/kpi, and it never validates import input (src/kpi/import.c does).
 * A `struct assess_store` is one read-write connection for one thread; caller frees with
 * assess_store_close(). Strings it returns are borrowed until the next call on it. */
#ifndef KEFU_STORE_ASSESS_STORE_H
#define KEFU_STORE_ASSESS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/people_store.h"

struct store;
struct assess_store;

/* Opens a read-write connection to the store's database (already migrated by store_open).
 * Returns 0 and *out or -KEFU_ESTORE. */
int assess_store_open(struct store *s, struct assess_store **out, struct kefu_err *err);
void assess_store_close(struct assess_store *a);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on the connection. Rollback is safe without a transaction. */
int assess_store_begin(struct assess_store *a, struct kefu_err *err);
int assess_store_commit(struct assess_store *a, struct kefu_err *err);
void assess_store_rollback(struct assess_store *a);

/* ---- import ---------------------------------------------------------------------------------- */

/* The records of DESIGN §5.1 that carry an id. */
enum assess_kind {
	ASSESS_AGENT,
	ASSESS_CUSTOMER,
	ASSESS_SESSION,
	ASSESS_ORDER,
	ASSESS_COMPLAINT,
	ASSESS_TICKET, /* tickets, returns, exchanges (src/store/ticket_kpi_store.c) */
	ASSESS_KINDS
};

/* The connection's statements of the people and quality metrics (people_store.h); borrowed. */
struct people_store *assess_store_people(struct assess_store *a);
/* A passive WAL checkpoint outside a transaction (after a bulk commit, so that the reads that follow
 * find their pages in the database file rather than through a large WAL). */
void assess_store_checkpoint(struct assess_store *a);
/* Which id'd kinds have any stored row (agent: kpi_agents or live users); an import skips the
 * store lookups of a kind with none. */
int assess_store_present(struct assess_store *a, bool present[ASSESS_KINDS], struct kefu_err *err);
/* Bulk load into an empty table, inside the transaction: drops the table's secondary indexes and
 * keeps their CREATE statements; _restore creates them again (one sorted build each) and must run
 * before anything reads through them and before commit. A rollback brings them back by itself. */
int assess_store_indexes_defer(struct assess_store *a, const char *table, struct kefu_err *err);
int assess_store_indexes_restore(struct assess_store *a, struct kefu_err *err);

/* Whether a file with this content hash was imported before. */
int assess_store_file_seen(struct assess_store *a, const char *hash, bool *seen, struct kefu_err *err);
int assess_store_file_record(struct assess_store *a, const char *hash, const char *name, int64_t lines,
			     int64_t now_ms, struct kefu_err *err);

/* Looks up the stored record of kind k with this id and writes its canonical form into out: the
 * columns listed at assess_store.c `canon_sql`, each as text (integers in decimal, reals as %.17g,
 * NULL as "~"), separated by '\x1f'. *found false when the id is unknown (out untouched). An agent
 * is found in kpi_agents or, for references, as a live `users` row (canonical form then "").
 * For a session, *last_seq receives its last message seq (may be NULL). */
int assess_store_canon(struct assess_store *a, enum assess_kind k, const char *id, size_t id_len,
		       struct buf *out, bool *found, int64_t *last_seq, struct kefu_err *err);

/* One imported record; the fields used depend on the insert function. Strings are borrowed with
 * explicit lengths (NULL = absent → SQL NULL). Bools are 1, 0 or -1 (absent). */
struct assess_str {
	const char *p;
	size_t n;
};
struct assess_rec {
	struct assess_str id, name, team, post, level; /* agent */
	struct assess_str type, region; /* customer */
	struct assess_str channel, customer, agent, category; /* session (agent also message, complaint) */
	struct assess_str session, from, text; /* message, rating, complaint */
	struct assess_str order; /* complaint */
	int64_t at_ms, end_ms, to_ms; /* start/at; end (-1 absent); presence to */
	int64_t score, seq; /* seq: message seq; session: its last_seq at insert */
	int complex, solved, new_product, recommended, escalated;
	bool has_amount; /* order */
	bool amount_is_int;
	int64_t amount_i;
	double amount_d;
	const char *event_type; /* docs/events.md type of the event row */
	const char *event_data; /* compact JSON payload of the event row */
	size_t event_data_len;
};

/* Each appends the event row (event_type, event_data) and applies the projection. */
int assess_store_put_agent(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
int assess_store_put_customer(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
int assess_store_put_session(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
int assess_store_put_message(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
/* Raises sessions.last_seq after the file's messages of that session were inserted. */
int assess_store_set_last_seq(struct assess_store *a, const char *session, size_t len, int64_t seq,
			      struct kefu_err *err);
/* The last rating by time wins; at an equal time the later input wins. */
int assess_store_put_rating(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
int assess_store_put_order(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
int assess_store_put_complaint(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);
int assess_store_put_presence(struct assess_store *a, const struct assess_rec *r, struct kefu_err *err);

/* ---- rollup inputs --------------------------------------------------------------------------- */

/* Windows and thresholds the flag queries use (from src/kpi policy). */
struct assess_windows {
	int64_t repeat_ms; /* K-10 repeat window after end (72 h) */
	int64_t conv_ms; /* K-13 order attribution window after end (72 h) */
	int64_t repurchase_ms; /* K-26 window after end (30 days) */
};

/* A session as the rollup sees it. Strings owned by the array (freed by assess_sessions_free). */
struct assess_session {
	char *id, *agent, *customer, *channel, *category, *ctype; /* ctype: customer type or NULL */
	int64_t start_ms, end_ms; /* end_ms = -1 without end */
	int score; /* the rating's score, 0 = not rated */
	int solved; /* the rating's solved: 1, 0, -1 not given */
	bool repeat; /* K-10: same customer + category started another session within the window */
	bool credited; /* K-13: credited with at least one order */
	bool repurchased; /* K-26: an order within [end, end + window] */
};
struct assess_sessions {
	struct assess_session *v;
	size_t n, cap;
};
void assess_sessions_free(struct assess_sessions *s);

/* Sessions with start in [from_ms, to_ms) (of one agent when agent != NULL), ordered by start, id;
 * appended to out. */
int assess_store_sessions(struct assess_store *a, int64_t from_ms, int64_t to_ms, const char *agent,
			  const struct assess_windows *w, struct assess_sessions *out, struct kefu_err *err);

/* A message for the round rules: time and sender class. */
struct assess_msg {
	int64_t at_ms;
	char from; /* 'c' customer, 'a' agent, 'b' bot, 's' system */
};
/* Messages of a session ordered by at, then input order; *out is reused across calls (caller frees
 * with free()). */
int assess_store_messages(struct assess_store *a, const char *session, struct assess_msg **out, size_t *n,
			  size_t *cap, struct kefu_err *err);

/* Calls fn for each complaint with at in [from_ms, to_ms): its attributed agent (complaint agent,
 * else the session's agent, else NULL), time and escalated flag (1, 0, -1). */
int assess_store_complaints(struct assess_store *a, int64_t from_ms, int64_t to_ms,
			    void (*fn)(void *arg, const char *agent, int64_t at_ms, int escalated), void *arg,
			    struct kefu_err *err);

/* Calls fn for each online interval overlapping [from_ms, to_ms): imported presence.interval rows
 * and live presence_log spells (status online until the agent's next status change; a spell with
 * no later change is still open and not counted). Ordered by agent. */
int assess_store_presence(struct assess_store *a, int64_t from_ms, int64_t to_ms,
			  void (*fn)(void *arg, const char *agent, int64_t from, int64_t to), void *arg,
			  struct kefu_err *err);

/* ---- rollups ------------------------------------------------------------------------------- */

/* One kpi_daily row (see 002_assess.sql for units). */
struct assess_daily {
	int64_t sessions, frt_n, frt_sum_ms, frt_within, art_n, art_sum_ms, rated, satisfied, score_sum,
	    resolved, conv, new_n, new_conv, rv_n, rv_conv, complaints, escalated, online_ms;
};

/* Deletes the rollup rows of one day (both tables) and the kept spans that contain it. */
int assess_store_day_clear(struct assess_store *a, int64_t day, struct kefu_err *err);
int assess_store_daily_put(struct assess_store *a, const char *agent, int64_t day,
			   const struct assess_daily *d, struct kefu_err *err);
int assess_store_customer_day_put(struct assess_store *a, const char *agent, int64_t day,
				  const char *customer, bool repurchased, struct kefu_err *err);
/* Keeps the period sums per agent over local days [day_from, day_to] (kpi_daily summed, presence
 * days, the K-26 distinct-customer counts; 005_assess_spans); assess_store_period() then reads them
 * instead of the day rows when asked for exactly that span. */
int assess_store_span_put(struct assess_store *a, int64_t day_from, int64_t day_to, struct kefu_err *err);
/* Whether the rollup keeps [day_from, day_to] as a span (a calendar month, 005 and 011): its sums per
 * agent are then read from the span tables instead of summed from the day rows. */
int assess_store_span_kept(struct assess_store *a, int64_t day_from, int64_t day_to, bool *kept,
			   struct kefu_err *err);
/* Marks a day stale / lists stale days (ascending; caller frees *days) / clears them all. */
int assess_store_dirty_mark(struct assess_store *a, int64_t day, struct kefu_err *err);
int assess_store_dirty_list(struct assess_store *a, int64_t **days, size_t *n, struct kefu_err *err);
int assess_store_dirty_clear(struct assess_store *a, struct kefu_err *err);
/* Local days (with offset) of the first and last session start, complaint and presence; *any
 * false on an empty store. */
int assess_store_day_span(struct assess_store *a, int offset_min, int64_t *first, int64_t *last, bool *any,
			  struct kefu_err *err);
/* Deletes every rollup row and kept span (for --rebuild). */
int assess_store_rollups_clear(struct assess_store *a, struct kefu_err *err);

/* ---- period reads -------------------------------------------------------------------------- */

/* An agent to assess: imported (kpi_agents) and live (users with role agent). */
struct assess_agent {
	char *id, *team, *post; /* owned */
	struct assess_daily sum; /* kpi_daily summed over the period */
	int64_t presence_days; /* days with online_ms > 0 */
	int64_t served, repurchased; /* K-26: distinct customers; of those with repurchase */
	struct assess_people people; /* K-30…K-44, K-52 sums (src/kpi/people.c fills them) */
};
struct assess_agents {
	struct assess_agent *v;
	size_t n;
};
void assess_agents_free(struct assess_agents *g);

/* Every agent with the period's sums over local days [day_from, day_to]; ordered by id. Agents
 * that only appear as a session's agent are included too. */
int assess_store_period(struct assess_store *a, int64_t day_from, int64_t day_to, struct assess_agents *out,
			struct kefu_err *err);

/* Mirrors a store_proj hook for live events: marks the days an event of docs/events.md can change
 * (the session's start day, the days of the same customer's sessions in the lookback window, the
 * presence spell's days). Uses statements prepared on db on first use, cached per connection. */
struct assess_touch;
int assess_touch_new(void *sqlite_db, struct assess_touch **out, struct kefu_err *err);
void assess_touch_free(struct assess_touch *t);
/* type/session/data as in store__ev; data is a json_t object. */
int assess_touch_event(struct assess_touch *t, const char *type, int64_t at_ms, const char *session,
		       void *json_data, struct kefu_err *err);

#endif

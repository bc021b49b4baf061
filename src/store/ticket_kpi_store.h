/* ticket_kpi_store.h — the SQL of the ticket metrics (issue 6; K-11, K-27, K-28, K-29, K-33, K-34):
 * imported tickets, returns and exchanges written as the ticket.* events of docs/events.md through
 * the same ticket projection as live ones (no sla.* events: no live timers), the tickets of a span
 * with their steps as the rollup reads them, and the kpi_ticket_daily rows (010_ticket_kpi.sql).
 * It runs on the assess_store connection, inside the caller's transaction, and never decides a
 * metric rule (src/kpi/tickets.c does) nor validates import input (src/kpi/import.c does). */
#ifndef KEFU_STORE_TICKET_KPI_STORE_H
#define KEFU_STORE_TICKET_KPI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/assess_store.h"

/* ---- import ---------------------------------------------------------------------------------- */

/* One step of an imported ticket. */
struct tkpi_step_in {
	struct assess_str step;
	int64_t at_ms;
	bool flow; /* a step of the kind's prescribed flow (moves tickets.step) */
};

/* One imported ticket; strings borrowed (p NULL = absent). Steps in the order they are appended
 * (time order, ties in input order). */
struct tkpi_ticket_in {
	struct assess_str id, kind, type, priority, department, order, customer, session, channel,
	    description, plan, region, agent;
	const char *import_hash; /* hex, NUL-terminated */
	int complex; /* 1 or 0 */
	int fields_required, fields_filled; /* K-34 */
	int64_t created_ms, claimed_ms, resolved_ms; /* -1: absent */
	const struct tkpi_step_in *steps;
	size_t n_steps;
};

struct tkpi_writer;
int tkpi_writer_new(struct assess_store *a, struct tkpi_writer **out, struct kefu_err *err);
void tkpi_writer_free(struct tkpi_writer *w);
/* Appends ticket.created, ticket.claimed (when claimed), one ticket.step per step and
 * ticket.resolved (when resolved), each an events row plus the ticket projection. */
int tkpi_writer_put(struct tkpi_writer *w, const struct tkpi_ticket_in *t, struct kefu_err *err);
/* The stored import hash of a ticket id into out ("~" for a live ticket); *found false if none. */
int tkpi_store_canon(struct assess_store *a, const char *id, size_t id_len, struct buf *out, bool *found,
		     struct kefu_err *err);

/* ---- rollup inputs --------------------------------------------------------------------------- */

struct tkpi_step {
	int64_t at_ms;
	const char *step;
};

/* A ticket as the rollup sees it; strings borrowed for the callback. */
struct tkpi_ticket {
	const char *id, *agent, *kind, *region, *type;
	bool complex;
	int64_t created_ms, resolved_ms; /* resolved_ms -1 when unresolved */
	int fields_required, fields_filled;
	const struct tkpi_step *steps; /* ordered by time, then the order they were recorded */
	size_t n_steps;
};

/* Calls fn for each ticket created in [from_ms, to_ms) that belongs to an agent (its imported
 * agent, else the user who created it, else the user who claimed it), of that agent when agent !=
 * NULL, ordered by created time and id. fn returns 0 or a negative code that stops the walk. */
int tkpi_store_tickets(struct assess_store *a, int64_t from_ms, int64_t to_ms, const char *agent,
		       int (*fn)(void *arg, const struct tkpi_ticket *t), void *arg, struct kefu_err *err);

/* ---- rollups --------------------------------------------------------------------------------- */

/* One kpi_ticket_daily row (010_ticket_kpi.sql). */
struct tkpi_daily {
	int64_t k11_n, k11_in, k27_n, k27_in, k28_n, k28_in, k29_n, k29_sum_ms, k33_n, k33_ok, k34_req,
	    k34_filled;
};
enum { TKPI_DAILY_COLS = 12 };

int tkpi_store_day_clear(struct assess_store *a, int64_t day, struct kefu_err *err);
int tkpi_store_day_put(struct assess_store *a, const char *agent, int64_t day, const struct tkpi_daily *d,
		       struct kefu_err *err);
int tkpi_store_clear(struct assess_store *a, struct kefu_err *err);
/* Local days (offset) of the first and last ticket creation; *any false without tickets. */
int tkpi_store_span(struct assess_store *a, int offset_min, int64_t *first, int64_t *last, bool *any,
		    struct kefu_err *err);
/* Calls fn with each agent's sums over local days [day_from, day_to]. */
int tkpi_store_period(struct assess_store *a, int64_t day_from, int64_t day_to,
		      void (*fn)(void *arg, const char *agent, const struct tkpi_daily *d), void *arg,
		      struct kefu_err *err);

#endif

/* ticket_sla.h — the SLA engine bound to the store (issue 6): every deadline start, pause, resume,
 * stop, warning and breach is appended as an sla.* event (docs/events.md), and at start the engine
 * is rebuilt from the sla_timers projection, so timers survive a restart (kill -9 loses at most
 * the events not yet committed; a warning or breach whose event was lost fires again: at least
 * once). Timer ids are "<ticket>/<name>". It never decides what a breach means: on_fire (may be
 * NULL) is called after the event is queued, for alerts and escalations. Not thread-safe. */
#ifndef KEFU_TICKET_TICKET_SLA_H
#define KEFU_TICKET_TICKET_SLA_H

#include "ticket/sla.h"

struct store;
struct ticket_store;
struct ticket_sla;

/* Called after a warning or breach was appended; ticket and name are borrowed for the call. */
typedef void (*ticket_sla_fire_cb)(void *arg, enum sla_phase phase, const char *ticket, const char *name,
				   const struct sla_state *st);

struct ticket_sla_options {
	struct store *store; /* borrowed, required */
	const struct calendar *calendar; /* borrowed, required */
	const struct kefu_clock *clock; /* borrowed; NULL = process clock */
	double warn_share; /* 0 = SLA_WARN_SHARE_DEFAULT */
	ticket_sla_fire_cb on_fire; /* may be NULL */
	void *on_fire_arg;
};

/* Returns 0 and *out (caller frees with ticket_sla_free()) or a negative code. */
int ticket_sla_new(const struct ticket_sla_options *o, struct ticket_sla **out, struct kefu_err *err);
void ticket_sla_free(struct ticket_sla *t);
/* Loads every running or paused timer from the store into the engine. *restored (may be NULL)
 * gets the count. Returns 0 or a negative code (nothing half-loaded is kept on -KEFU_EINVAL). */
int ticket_sla_rebuild(struct ticket_sla *t, struct ticket_store *ts, size_t *restored, struct kefu_err *err);

/* Starts deadline name of ticket at start_ms (0 = now) and appends sla.started. *due (may be NULL)
 * gets the deadline. Returns as sla_start() or store_append(). */
int ticket_sla_start(struct ticket_sla *t, const char *ticket, const char *name, int64_t start_ms,
		     const struct sla_spec *spec, int64_t *due, struct kefu_err *err);
int ticket_sla_pause(struct ticket_sla *t, const char *ticket, const char *name, struct kefu_err *err);
int ticket_sla_resume(struct ticket_sla *t, const char *ticket, const char *name, struct kefu_err *err);
/* Stops a deadline; reason "met" (the step was done in time) or "cancelled". */
int ticket_sla_stop(struct ticket_sla *t, const char *ticket, const char *name, const char *reason,
		    struct kefu_err *err);
/* Fires what is due at the clock's now (appending sla.warned / sla.breached). Returns the count. */
size_t ticket_sla_run(struct ticket_sla *t);
/* The engine, for sla_next_ms(), sla_get() and sla_count(). Borrowed. */
struct sla_engine *ticket_sla_engine(struct ticket_sla *t);

#endif

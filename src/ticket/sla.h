/* sla.h — the one SLA engine every kefu deadline runs on (N-06, N-13…N-20, K-27…K-29): timers keyed
 * by their next due instant in a binary min-heap (never a scan of all timers), a warning at a share
 * of the deadline, a breach callback, pause/resume (waiting for the customer), and plain-data timer
 * states that the caller persists as store events and restores at start (sla_persist.h).
 * Time comes only from the injected struct kefu_clock; business time only from the calendar.
 * The engine never touches the store, never logs and never decides what a breach means: the
 * callback's owner turns it into an event, an alert or an escalation. Not thread-safe: one engine
 * per event-loop thread. */
#ifndef KEFU_TICKET_SLA_H
#define KEFU_TICKET_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "ticket/calendar.h"

#define SLA_ID_MAX 64 /* bytes of a timer id, NUL included */
#define SLA_WARN_SHARE_DEFAULT 0.8 /* warn when 80% of the deadline has passed (policy default) */

/* How a deadline is counted. */
enum sla_basis {
	SLA_WALL, /* wall-clock time: P1 30 min (N-13), system fault 10 min (N-20), 24 h audits (N-18) */
	SLA_BUSINESS, /* business time on the calendar: 2 h first acceptance, 1bd first solution (N-06) */
};

/* What a deadline is: a duration from its start. SLA_WALL takes CAL_MINUTES or CAL_EOD. */
struct sla_spec {
	enum sla_basis basis;
	struct cal_duration dur;
	double warn_share; /* 0 < share < 1: warn after this share of the deadline; 0 = engine default */
};

/* The whole state of one timer as plain data: what the caller persists (store events) and what
 * sla_restore() takes back after a restart. */
struct sla_state {
	char id[SLA_ID_MAX]; /* caller's key, e.g. "tk_42/claim"; unique in the engine */
	enum sla_basis basis;
	int64_t start_ms; /* when the deadline started (ms since epoch) */
	int64_t due_ms; /* the deadline; meaningful while not paused */
	int64_t warn_ms; /* when to warn; meaningful while not paused and not warned */
	bool warned; /* the warning has fired */
	bool paused; /* waiting for the customer: the clock is stopped */
	int64_t left_ms; /* while paused: time left to due_ms, counted on the basis (business ms) */
	int64_t warn_left_ms; /* while paused and not warned: time left to warn_ms on the basis */
};

enum sla_phase {
	SLA_PHASE_WARN, /* warn_ms reached; the timer keeps running towards due_ms */
	SLA_PHASE_BREACH, /* due_ms reached; the timer is finished and removed from the engine */
};

/* Called from sla_run() for each timer that reached its warning or deadline, oldest first.
 * st is borrowed for the call. The callback may start, stop, pause or resume any timer, this one
 * included (after a breach the id is free again). */
typedef void (*sla_fire_cb)(void *arg, enum sla_phase phase, const struct sla_state *st, int64_t now_ms);

struct sla_options {
	const struct kefu_clock *clock; /* borrowed; NULL = the process clock (clock_now_ms) */
	const struct calendar *calendar; /* borrowed, must outlive the engine; NULL = SLA_WALL only */
	sla_fire_cb cb; /* required */
	void *cb_arg;
	double warn_share; /* default share for specs with 0; 0 = SLA_WARN_SHARE_DEFAULT */
};

struct sla_engine;

/* Returns 0 and *out (caller frees with sla_free()) or -KEFU_EINVAL (no callback, bad share). */
int sla_new(const struct sla_options *opts, struct sla_engine **out, struct kefu_err *err);
/* Frees every timer without firing any. Safe with NULL. */
void sla_free(struct sla_engine *e);

/* Starts timer id at start_ms (0 = now) with spec; fills *out (may be NULL) with its state for
 * the caller to persist. Returns 0, -KEFU_EINVAL (bad id or spec; business basis without a
 * calendar), -KEFU_EEXIST (id running), -KEFU_ELIMIT (the calendar has no business time ahead). */
int sla_start(struct sla_engine *e, const char *id, int64_t start_ms, const struct sla_spec *spec,
	      struct sla_state *out, struct kefu_err *err);
/* Puts a persisted state back (restart), without recomputing anything; an overdue one fires at
 * the next sla_run(). Returns 0, -KEFU_EINVAL or -KEFU_EEXIST. */
int sla_restore(struct sla_engine *e, const struct sla_state *st, struct kefu_err *err);
/* Stops the clock of a running timer (now from the clock); fills *out. Returns 0, -KEFU_ENOTFOUND,
 * -KEFU_ECONFLICT (already paused). */
int sla_pause(struct sla_engine *e, const char *id, struct sla_state *out, struct kefu_err *err);
/* Restarts a paused timer: the time left when it paused is counted from now. Returns 0,
 * -KEFU_ENOTFOUND, -KEFU_ECONFLICT (not paused), -KEFU_ELIMIT. */
int sla_resume(struct sla_engine *e, const char *id, struct sla_state *out, struct kefu_err *err);
/* Removes a timer (its step was done in time). Returns 0 or -KEFU_ENOTFOUND. */
int sla_stop(struct sla_engine *e, const char *id, struct kefu_err *err);
/* Copies a timer's state. Returns 0 or -KEFU_ENOTFOUND. */
int sla_get(const struct sla_engine *e, const char *id, struct sla_state *out);

/* Fires every warning and breach due at the clock's now, in due order. Returns how many fired. */
size_t sla_run(struct sla_engine *e);
/* The next instant sla_run() has work (for the loop's timer), or INT64_MAX when none. */
int64_t sla_next_ms(const struct sla_engine *e);
/* Timers in the engine (running or paused). */
size_t sla_count(const struct sla_engine *e);

#endif

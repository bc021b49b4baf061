/* sla.c — the SLA engine (see sla.h): a binary min-heap of running timers keyed by their next
 * instant (warn_ms until warned, then due_ms) with each timer's heap index kept in the timer, so
 * start/stop/pause are O(log n) and sla_run() touches only the timers that fire. Paused timers
 * sit only in the id map. A timer is popped and its state updated before its callback runs, so a
 * callback may change any timer. Never reads the system clock directly, never logs. */
#include "ticket/sla.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "base/mem.h"

#define NOT_IN_HEAP ((size_t)-1)

struct sla_timer {
	struct sla_state st; /* the persisted state */
	size_t heap_idx; /* index in e->heap, NOT_IN_HEAP while paused */
	uint64_t seq; /* insertion order: equal instants fire first-in first-out */
};

struct sla_engine {
	const struct kefu_clock *clock; /* borrowed; NULL = process clock */
	const struct calendar *cal; /* borrowed; may be NULL */
	sla_fire_cb cb;
	void *cb_arg;
	double warn_share; /* default share, 0 < x < 1 */
	struct map by_id; /* id → struct sla_timer * (owned) */
	struct sla_timer **heap; /* min-heap on next_ms(); owned array, borrowed timers */
	size_t heap_len;
	size_t heap_cap;
	uint64_t seq; /* next insertion number */
};

static int64_t now_ms(const struct sla_engine *e)
{
	return e->clock ? e->clock->now_ms(e->clock->ctx) : clock_now_ms();
}

static int64_t next_ms(const struct sla_timer *t)
{
	return t->st.warned ? t->st.due_ms : t->st.warn_ms;
}

/* Heap order: next instant, then insertion order. */
static bool before(const struct sla_timer *a, const struct sla_timer *b)
{
	int64_t x = next_ms(a), y = next_ms(b);
	return x < y || (x == y && a->seq < b->seq);
}

/* ---- heap ----------------------------------------------------------------------------------- */

static void heap_set(struct sla_engine *e, size_t i, struct sla_timer *t)
{
	e->heap[i] = t;
	t->heap_idx = i;
}

static void sift_up(struct sla_engine *e, size_t i)
{
	struct sla_timer *t = e->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(t, e->heap[parent]))
			break;
		heap_set(e, i, e->heap[parent]);
		i = parent;
	}
	heap_set(e, i, t);
}

static void sift_down(struct sla_engine *e, size_t i)
{
	struct sla_timer *t = e->heap[i];
	for (;;) {
		size_t l = 2 * i + 1;
		const struct sla_timer *best = t;
		size_t m = i;
		if (l < e->heap_len && before(e->heap[l], best))
			best = e->heap[m = l];
		if (l + 1 < e->heap_len && before(e->heap[l + 1], best))
			m = l + 1;
		if (m == i)
			break;
		heap_set(e, i, e->heap[m]);
		i = m;
	}
	heap_set(e, i, t);
}

static void heap_push(struct sla_engine *e, struct sla_timer *t)
{
	t->seq = e->seq++;
	if (e->heap_len == e->heap_cap) {
		e->heap_cap = e->heap_cap ? e->heap_cap * 2 : 64;
		e->heap = xrealloc(e->heap, e->heap_cap * sizeof *e->heap);
	}
	heap_set(e, e->heap_len++, t);
	sift_up(e, e->heap_len - 1);
}

static void heap_remove(struct sla_engine *e, struct sla_timer *t)
{
	size_t i = t->heap_idx;
	if (i == NOT_IN_HEAP)
		return;
	t->heap_idx = NOT_IN_HEAP;
	struct sla_timer *last = e->heap[--e->heap_len];
	if (i == e->heap_len)
		return;
	heap_set(e, i, last);
	if (i > 0 && before(last, e->heap[(i - 1) / 2]))
		sift_up(e, i);
	else
		sift_down(e, i);
}

/* ---- public --------------------------------------------------------------------------------- */

int sla_new(const struct sla_options *opts, struct sla_engine **out, struct kefu_err *err)
{
	if (!opts || !opts->cb)
		return KEFU_ERR(err, KEFU_EINVAL, "cb", "the SLA engine needs a callback");
	double share = opts->warn_share ? opts->warn_share : SLA_WARN_SHARE_DEFAULT;
	if (!(share > 0 && share < 1))
		return KEFU_ERR(err, KEFU_EINVAL, "warn_share", "warn share must be between 0 and 1");
	struct sla_engine *e = xcalloc(1, sizeof *e);
	e->clock = opts->clock;
	e->cal = opts->calendar;
	e->cb = opts->cb;
	e->cb_arg = opts->cb_arg;
	e->warn_share = share;
	map_init(&e->by_id);
	*out = e;
	return 0;
}

void sla_free(struct sla_engine *e)
{
	if (!e)
		return;
	const char *k;
	void *v;
	for (size_t i = 0; map_next(&e->by_id, &i, &k, &v);)
		free(v);
	map_free(&e->by_id);
	free(e->heap);
	free(e);
}

static int check_id(const char *id, struct kefu_err *err)
{
	if (!id || !*id || strlen(id) >= SLA_ID_MAX)
		return KEFU_ERR(err, KEFU_EINVAL, "id", "timer id must be 1..%d bytes", SLA_ID_MAX - 1);
	return 0;
}

/* Instant `amount` of basis time after t (business time moves t into hours first). */
static int add_on_basis(const struct sla_engine *e, enum sla_basis b, int64_t t, int64_t amount, int64_t *out)
{
	if (b == SLA_WALL) {
		*out = t + amount;
		return 0;
	}
	return calendar_add_business(e->cal, t, amount, out);
}

static int64_t left_on_basis(const struct sla_engine *e, enum sla_basis b, int64_t from, int64_t to)
{
	if (to <= from)
		return 0;
	return b == SLA_WALL ? to - from : calendar_business_between(e->cal, from, to);
}

int sla_start(struct sla_engine *e, const char *id, int64_t start_ms, const struct sla_spec *spec,
	      struct sla_state *out, struct kefu_err *err)
{
	int r;
	if ((r = check_id(id, err)) < 0)
		return r;
	if (!spec || spec->dur.amount <= 0 || (spec->basis != SLA_WALL && spec->basis != SLA_BUSINESS))
		return KEFU_ERR(err, KEFU_EINVAL, "spec", "a deadline needs a positive duration and a basis");
	if (spec->basis == SLA_WALL && spec->dur.unit == CAL_BDAYS)
		return KEFU_ERR(err, KEFU_EINVAL, "spec", "business days need the business basis");
	if (spec->dur.unit == CAL_EOD && !e->cal)
		return KEFU_ERR(err, KEFU_EINVAL, "spec", "the end of the day needs a calendar");
	if (spec->basis == SLA_BUSINESS && !e->cal)
		return KEFU_ERR(err, KEFU_EINVAL, "spec", "business time needs a calendar");
	double share = spec->warn_share ? spec->warn_share : e->warn_share;
	if (!(share > 0 && share < 1))
		return KEFU_ERR(err, KEFU_EINVAL, "warn_share", "warn share must be between 0 and 1");
	if (map_get(&e->by_id, id))
		return KEFU_ERR(err, KEFU_EEXIST, "id", "timer %s is already running", id);
	struct sla_state st = {0};
	snprintf(st.id, sizeof st.id, "%s", id);
	st.basis = spec->basis;
	st.start_ms = start_ms ? start_ms : now_ms(e);
	if (spec->basis == SLA_WALL) {
		/* "eod": the end of the local day (N-20 archive); otherwise minutes of clock time */
		int64_t total = spec->dur.unit == CAL_EOD
		    ? calendar_end_of_day(e->cal, st.start_ms) - st.start_ms
		    : spec->dur.amount * 60000;
		st.due_ms = st.start_ms + total;
		st.warn_ms = st.start_ms + (int64_t)((double)total * share);
	} else {
		if ((r = calendar_deadline(e->cal, st.start_ms, &spec->dur, &st.due_ms)) < 0)
			return KEFU_ERR(err, KEFU_ELIMIT, "calendar", "no business time ahead");
		int64_t total = calendar_business_between(e->cal, st.start_ms, st.due_ms);
		if ((r = calendar_add_business(e->cal, st.start_ms, (int64_t)((double)total * share),
					       &st.warn_ms)) < 0)
			return KEFU_ERR(err, KEFU_ELIMIT, "calendar", "no business time ahead");
	}
	if (out)
		*out = st;
	return sla_restore(e, &st, err);
}

int sla_restore(struct sla_engine *e, const struct sla_state *st, struct kefu_err *err)
{
	int r;
	if ((r = check_id(st->id, err)) < 0)
		return r;
	if (st->basis == SLA_BUSINESS && !e->cal)
		return KEFU_ERR(err, KEFU_EINVAL, "basis", "business time needs a calendar");
	if (map_get(&e->by_id, st->id))
		return KEFU_ERR(err, KEFU_EEXIST, "id", "timer %s is already running", st->id);
	struct sla_timer *t = xcalloc(1, sizeof *t);
	t->st = *st;
	t->heap_idx = NOT_IN_HEAP;
	map_put(&e->by_id, t->st.id, t);
	if (!t->st.paused)
		heap_push(e, t);
	return 0;
}

int sla_pause(struct sla_engine *e, const char *id, struct sla_state *out, struct kefu_err *err)
{
	struct sla_timer *t = id ? map_get(&e->by_id, id) : NULL;
	if (!t)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no running timer %.64s", id ? id : "");
	if (t->st.paused)
		return KEFU_ERR(err, KEFU_ECONFLICT, "id", "timer %s is already paused", id);
	int64_t now = now_ms(e);
	heap_remove(e, t);
	t->st.paused = true;
	t->st.left_ms = left_on_basis(e, t->st.basis, now, t->st.due_ms);
	t->st.warn_left_ms = t->st.warned ? 0 : left_on_basis(e, t->st.basis, now, t->st.warn_ms);
	if (out)
		*out = t->st;
	return 0;
}

int sla_resume(struct sla_engine *e, const char *id, struct sla_state *out, struct kefu_err *err)
{
	struct sla_timer *t = id ? map_get(&e->by_id, id) : NULL;
	if (!t)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no running timer %.64s", id ? id : "");
	if (!t->st.paused)
		return KEFU_ERR(err, KEFU_ECONFLICT, "id", "timer %s is not paused", id);
	int64_t now = now_ms(e), due, warn = 0;
	if (add_on_basis(e, t->st.basis, now, t->st.left_ms, &due) < 0 ||
	    (!t->st.warned && add_on_basis(e, t->st.basis, now, t->st.warn_left_ms, &warn) < 0))
		return KEFU_ERR(err, KEFU_ELIMIT, "calendar", "no business time ahead");
	t->st.due_ms = due;
	if (!t->st.warned)
		t->st.warn_ms = warn;
	t->st.paused = false;
	t->st.left_ms = t->st.warn_left_ms = 0;
	heap_push(e, t);
	if (out)
		*out = t->st;
	return 0;
}

int sla_stop(struct sla_engine *e, const char *id, struct kefu_err *err)
{
	struct sla_timer *t = id ? map_del(&e->by_id, id) : NULL;
	if (!t)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no running timer %.64s", id ? id : "");
	heap_remove(e, t);
	free(t);
	return 0;
}

int sla_get(const struct sla_engine *e, const char *id, struct sla_state *out)
{
	struct sla_timer *t = id ? map_get(&e->by_id, id) : NULL;
	if (!t)
		return -KEFU_ENOTFOUND;
	*out = t->st;
	return 0;
}

size_t sla_run(struct sla_engine *e)
{
	int64_t now = now_ms(e);
	size_t fired = 0;
	while (e->heap_len && next_ms(e->heap[0]) <= now) {
		struct sla_timer *t = e->heap[0];
		if (!t->st.warned) {
			/* warn, keep running towards due (which may also be past: fires next round) */
			t->st.warned = true;
			sift_down(e, 0);
			struct sla_state copy = t->st;
			e->cb(e->cb_arg, SLA_PHASE_WARN, &copy, now);
		} else {
			heap_remove(e, t);
			map_del(&e->by_id, t->st.id);
			struct sla_state copy = t->st;
			free(t);
			e->cb(e->cb_arg, SLA_PHASE_BREACH, &copy, now);
		}
		fired++;
	}
	return fired;
}

int64_t sla_next_ms(const struct sla_engine *e)
{
	return e->heap_len ? next_ms(e->heap[0]) : INT64_MAX;
}

size_t sla_count(const struct sla_engine *e)
{
	return e->by_id.len;
}

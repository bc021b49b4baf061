/* rollup.c — recomputes daily rollup rows per agent (rollup.h) from sessions, messages, ratings,
 * orders, complaints and presence read through assess_store, with the rules of metrics.c. One code
 * path for incremental refresh and full rebuild. It never starts a transaction and never decides
 * a rule itself. */
#include "kpi/rollup.h"

#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "base/mem.h"
#include "kpi/tickets.h"
#include "kpi/people.h"
#include "kpi/definitions.h"

struct agent_day {
	struct assess_daily d;
};

struct presence_acc {
	struct map agents; /* agent → struct ivs* */
};

struct ivs {
	struct kpi_interval *v;
	size_t n, cap;
	int64_t *online; /* per day of the range, filled after merging */
};

static void presence_cb(void *arg, const char *agent, int64_t from, int64_t to)
{
	struct presence_acc *p = arg;
	if (!agent || to <= from)
		return;
	struct ivs *x = map_get(&p->agents, agent);
	if (!x) {
		x = xcalloc(1, sizeof *x);
		map_put(&p->agents, agent, x);
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->v = xrealloc(x->v, x->cap * sizeof *x->v);
	}
	x->v[x->n++] = (struct kpi_interval){from, to};
}

struct day_acc {
	struct map agents; /* agent → struct agent_day* */
	int64_t day;
};

static struct assess_daily *day_row(struct day_acc *acc, const char *agent)
{
	struct agent_day *x = map_get(&acc->agents, agent);
	if (!x) {
		x = xcalloc(1, sizeof *x);
		map_put(&acc->agents, agent, x);
	}
	return &x->d;
}

/* K-20, K-21: a complaint belongs to its attributed agent and the day of its own at. */
static void complaint_cb(void *arg, const char *agent, int64_t at_ms, int escalated)
{
	struct day_acc *acc = arg;
	if (!agent)
		return;
	struct assess_daily *d = day_row(acc, agent);
	d->complaints++;
	d->escalated += escalated == 1;
}

static void day_acc_clear(struct day_acc *acc)
{
	const char *k;
	void *v;
	for (size_t it = 0; map_next(&acc->agents, &it, &k, &v);)
		free(v);
	map_free(&acc->agents);
	map_init(&acc->agents);
}

static int one_day(struct assess_store *a, const struct kpi_rules *r, int64_t day, struct presence_acc *pres,
		   int64_t day_from, struct assess_msg **msgs, size_t *cap, struct kefu_err *err)
{
	r = kpi_rules_at(r, day, NULL); /* the definitions version in force that day */
	struct day_acc acc = {.day = day};
	map_init(&acc.agents);
	struct assess_sessions ss = {0};
	struct assess_windows w = {r->repeat_ms, r->conv_ms, r->repurchase_ms};
	int64_t t0 = kpi_day_start_ms(r, day), t1 = kpi_day_start_ms(r, day + 1);
	int rc = assess_store_day_clear(a, day, err);
	if (rc == 0)
		rc = assess_store_sessions(a, t0, t1, NULL, &w, &ss, err);
	for (size_t i = 0; rc == 0 && i < ss.n; i++) {
		struct assess_session *s = &ss.v[i];
		size_t n = 0;
		if ((rc = assess_store_messages(a, s->id, msgs, &n, cap, err)) < 0)
			break;
		struct kpi_timing t;
		kpi_session_timing(*msgs, n, r, &t);
		kpi_daily_add_session(day_row(&acc, s->agent), r, s, &t);
		if (s->customer) /* K-26: served customers of the agent on this day */
			rc =
			    assess_store_customer_day_put(a, s->agent, day, s->customer, s->repurchased, err);
	}
	if (rc == 0)
		rc = assess_store_complaints(a, t0, t1, complaint_cb, &acc, err);
	if (rc == 0) {
		const char *k;
		void *v;
		for (size_t it = 0; map_next(&pres->agents, &it, &k, &v);) {
			struct ivs *x = v;
			if (x->online[day - day_from] > 0)
				day_row(&acc, k)->online_ms = x->online[day - day_from];
		}
		for (size_t it = 0; rc == 0 && map_next(&acc.agents, &it, &k, &v);)
			rc = assess_store_daily_put(a, k, day, &((struct agent_day *)v)->d, err);
	}
	if (rc == 0) /* K-11, K-27…K-29, K-33, K-34: kpi_ticket_daily of the same day */
		rc = kpi_tickets_day(a, r, day, err);
	assess_sessions_free(&ss);
	day_acc_clear(&acc);
	map_free(&acc.agents);
	return rc;
}

/* The local days [first, last] of the calendar month that holds day (days since 1970-01-01). */
static void month_of(int64_t day, int64_t *first, int64_t *last)
{
	/* civil_from_days / days_from_civil (H. Hinnant), proleptic Gregorian */
	int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	*first = day - (d - 1);
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t y = yoe + era * 400 + (m <= 2);
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	*last = *first + len[m - 1] + (m == 2 && leap) - 1;
}

int kpi_rollup_days(struct assess_store *a, const struct kpi_rules *r, const int64_t *days, size_t n,
		    struct kefu_err *err)
{
	if (n == 0)
		return 0;
	int64_t day_from = days[0], day_to = days[n - 1];
	struct presence_acc pres;
	map_init(&pres.agents);
	int rc = assess_store_presence(a, kpi_day_start_ms(r, day_from), kpi_day_start_ms(r, day_to + 1),
				       presence_cb, &pres, err);
	const char *k;
	void *v;
	for (size_t it = 0; map_next(&pres.agents, &it, &k, &v);) {
		struct ivs *x = v;
		x->online = xcalloc((size_t)(day_to - day_from + 1), sizeof *x->online);
		kpi_presence_days(x->v, x->n, r, day_from, day_to, x->online);
	}
	struct assess_msg *msgs = NULL;
	size_t cap = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = one_day(a, r, days[i], &pres, day_from, &msgs, &cap, err);
	free(msgs);
	if (rc == 0)
		rc = kpi_people_days(a, r, days, n, err); /* K-30…K-44, K-52 (people.c) */
	/* the calendar months of those days: their K-26 counts are kept again (days ascending) */
	for (size_t i = 0; rc == 0 && i < n;) {
		int64_t m0, m1;
		month_of(days[i], &m0, &m1);
		rc = assess_store_span_put(a, m0, m1, err);
		while (i < n && days[i] <= m1)
			i++;
	}
	for (size_t it = 0; map_next(&pres.agents, &it, &k, &v);) {
		struct ivs *x = v;
		free(x->v);
		free(x->online);
		free(x);
	}
	map_free(&pres.agents);
	return rc;
}

int kpi_rollup_refresh(struct assess_store *a, const struct kpi_rules *r, size_t *n_days,
		       struct kefu_err *err)
{
	int64_t *days = NULL;
	size_t n = 0;
	int rc = assess_store_dirty_list(a, &days, &n, err);
	if (rc == 0)
		rc = kpi_rollup_days(a, r, days, n, err);
	if (rc == 0)
		rc = assess_store_dirty_clear(a, err);
	free(days);
	if (n_days)
		*n_days = n;
	return rc;
}

int kpi_rollup_rebuild(struct assess_store *a, const struct kpi_rules *r, size_t *n_days,
		       struct kefu_err *err)
{
	int rc = assess_store_rollups_clear(a, err);
	if (rc == 0)
		rc = kpi_people_clear(a, err);
	int64_t first = 0, last = -1;
	bool any = false;
	if (rc == 0)
		rc = assess_store_day_span(a, r->tz_offset_min, &first, &last, &any, err);
	if (rc == 0) /* the ticket rows too, over the days that have tickets */
		rc = kpi_tickets_span(a, r, &first, &last, &any, err);
	if (rc == 0)
		rc = kpi_people_span(a, r, &first, &last, &any, err);
	if (rc < 0 || !any) {
		if (n_days)
			*n_days = 0;
		return rc;
	}
	size_t n = (size_t)(last - first + 1);
	int64_t *days = xmalloc(n * sizeof *days);
	for (size_t i = 0; i < n; i++)
		days[i] = first + (int64_t)i;
	rc = kpi_rollup_days(a, r, days, n, err);
	free(days);
	if (n_days)
		*n_days = n;
	return rc;
}

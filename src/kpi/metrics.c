/* metrics.c — the default metric rules of DESIGN §5.2 as pure functions: rounds and their response
 * times (K-01, K-02), presence merged and split at local midnight (K-03, K-05), a session's
 * contribution to its agent's daily row (K-06, K-10, K-13), and period values with their
 * denominators, null with n 0 where there is no data. It never reads the store or the clock. */
#include "kpi/metrics.h"
#include "kpi/people.h"
#include "kpi/tickets.h"

#include <stdlib.h>
#include <string.h>

enum { DAY_MS = 86400000, SECOND_MS = 1000, HOUR_MS = 3600000 };

static const struct kpi_metric_def defs[KPI_METRIC_COUNT] = {
    [KPI_K01] = {"K-01", "first response time (FRT)", "s", false, 15, 60},
    [KPI_K01_WITHIN] = {"K-01.within_target", "FRT within the channel target", "share", true, 0.9, 0.5},
    [KPI_K02] = {"K-02", "average response time (ART)", "s", false, 30, 120},
    [KPI_K03] = {"K-03", "sessions handled per presence day", "sessions/day", true, 30, 0},
    [KPI_K05] = {"K-05", "online time per presence day", "h/day", true, 6, 0},
    [KPI_K06] = {"K-06", "CSAT (satisfied ratings share)", "share", true, 0.95, 0.7},
    [KPI_K06_MEAN] = {"K-06.mean", "mean rating score", "score", true, 4.5, 3},
    [KPI_K10] = {"K-10", "first-contact resolution (FCR)", "share", true, 0.9, 0.6},
    [KPI_K13] = {"K-13", "inquiry conversion rate", "share", true, 0.2, 0},
    [KPI_K13_NEW] = {"K-13.new", "inquiry conversion, new customers", "share", true, 0.15, 0},
    [KPI_K13_RV] = {"K-13.returning_vip", "inquiry conversion, returning and VIP customers", "share", true,
		    0.3, 0},
    [KPI_K20] = {"K-20", "complaint rate per 1,000 sessions", "permille", false, 8, 20},
    [KPI_K21] = {"K-21", "complaint escalation rate", "share", false, 0.05, 0.25},
    [KPI_K26] = {"K-26", "repurchase within 30 days of service", "share", true, 0.2, 0},
    [KPI_K30] = {"K-30", "violations (agent messages with a guard hit)", "count", false, 0, 10},
    [KPI_K31] = {"K-31", "security incidents (PII leak or fraud)", "count", false, 0, 2},
    [KPI_K32] = {"K-32", "script compliance rate", "share", true, 0.95, 0.8},
    [KPI_K35] = {"K-35", "QA score (mean of qa reviews)", "score", true, 9, 6},
    [KPI_K40] = {"K-40", "accepted KB contributions per month", "per month", true, 5, 0},
    [KPI_K41] = {"K-41", "own cases cited by others per month", "per month", true, 2, 0},
    [KPI_K42] = {"K-42", "training pass rate", "share", true, 0.95, 0.7},
    [KPI_K43] = {"K-43", "cross-department collaboration satisfaction", "share", true, 0.9, 0.6},
    [KPI_K44] = {"K-44", "peer review score", "score", true, 8, 5},
    [KPI_K44_SELF] = {"K-44.self", "self review score", "score", true, 8, 5},
    [KPI_K52] = {"K-52", "new-product exam pass rate", "share", true, 0.95, 0.7},
    [KPI_K11] = {"K-11", "complex problems closed within 24 h", "share", true, 1, 0.5},
    [KPI_K27] = {"K-27", "returns audited within 24 h", "share", true, 0.9, 0.5},
    [KPI_K28] = {"K-28", "exchanges shipped within 48 h (72 h remote)", "share", true, 0.85, 0.5},
    [KPI_K29] = {"K-29", "ticket handling time (created to resolved)", "h", false, 24, 72},
    [KPI_K33] = {"K-33", "process compliance (flow steps as prescribed)", "share", true, 0.98, 0.8},
    [KPI_K34] = {"K-34", "ticket completeness (required fields filled)", "share", true, 0.98, 0.8},
};

const struct kpi_metric_def *kpi_metric_def(enum kpi_metric m)
{
	return &defs[m];
}

int kpi_metric_find(const char *id)
{
	for (int i = 0; i < KPI_METRIC_COUNT; i++)
		if (strcmp(defs[i].id, id) == 0)
			return i;
	return -1;
}

void kpi_rules_default(struct kpi_rules *r)
{
	memset(r, 0, sizeof *r);
	r->tz_offset_min = 480;
	r->round_cap_ms = 600 * SECOND_MS;
	r->repeat_ms = 72LL * HOUR_MS;
	r->conv_ms = 72LL * HOUR_MS;
	r->repurchase_ms = 30LL * DAY_MS;
	r->satisfied_min = 4;
	r->target_ms_web = 15 * SECOND_MS;
	r->target_ms_app = 15 * SECOND_MS;
	r->target_ms_phone = 10 * SECOND_MS;
	r->target_ms_im = 60 * SECOND_MS;
	r->target_ms_email = 7200 * SECOND_MS;
	r->target_ms_form = 7200 * SECOND_MS;
	r->target_ms_other = 15 * SECOND_MS;
	r->complex_close_ms = 24LL * HOUR_MS; /* K-11 */
	r->return_audit_ms = 24LL * HOUR_MS; /* K-27, N-18 */
	r->exchange_ship_ms = 48LL * HOUR_MS; /* K-28, N-18 */
	r->exchange_ship_remote_ms = 72LL * HOUR_MS; /* K-28, N-18 remote regions */
}

int64_t kpi_day(const struct kpi_rules *r, int64_t ms)
{
	int64_t t = ms + (int64_t)r->tz_offset_min * 60000;
	return t >= 0 ? t / DAY_MS : -((-t + DAY_MS - 1) / DAY_MS);
}

int64_t kpi_day_start_ms(const struct kpi_rules *r, int64_t day)
{
	return day * DAY_MS - (int64_t)r->tz_offset_min * 60000;
}

/* whether a round starting at ms counts under the rules' counting window (always when the
 * window is off). A window whose end is before its start runs over midnight. */
static bool in_counting_window(const struct kpi_rules *r, int64_t ms)
{
	if (!r->count_window)
		return true;
	int64_t local = ms + (int64_t)r->tz_offset_min * 60000 - kpi_day(r, ms) * DAY_MS;
	int min = (int)(local / 60000);
	if (r->count_from_min <= r->count_to_min)
		return min >= r->count_from_min && min < r->count_to_min;
	return min >= r->count_from_min || min < r->count_to_min;
}

/* K-01, K-02: rounds are maximal runs of customer messages once bot and system messages are
 * dropped; each is answered by the next agent message (any agent). */
void kpi_session_timing(const struct assess_msg *m, size_t n, const struct kpi_rules *r,
			struct kpi_timing *out)
{
	memset(out, 0, sizeof *out);
	bool agent_seen = false; /* an agent message earlier in the session */
	bool first = true;
	size_t i = 0;
	while (i < n) {
		char f = m[i].from;
		if (f == 'a') {
			agent_seen = true;
			i++;
			continue;
		}
		if (f != 'c') { /* bot, system: dropped before anything is computed */
			i++;
			continue;
		}
		int64_t t0 = m[i].at_ms; /* the round's first customer message */
		size_t j = i + 1;
		while (j < n && m[j].from != 'a')
			j++;
		if (!in_counting_window(r, t0)) { /* A-11 variant: outside service hours, not counted */
			i = j;
			continue;
		}
		bool answered = j < n;
		int64_t rt;
		if (answered) {
			int64_t raw = m[j].at_ms - t0;
			rt = raw < r->round_cap_ms ? raw : r->round_cap_ms; /* K-02: 600 s cap */
			if (first)
				out->frt_raw_ms = raw;
		} else if (agent_seen) {
			break; /* an unanswered last round after an agent message is left out entirely */
		} else {
			rt = r->round_cap_ms; /* unanswered: counts the cap */
		}
		if (first) {
			out->has_frt = true;
			out->frt_ms = rt;
			out->frt_answered = answered;
			first = false;
		}
		out->art_sum_ms += rt;
		out->art_n++;
		i = j;
	}
}

bool kpi_frt_within(const struct kpi_rules *r, const char *channel, const struct kpi_timing *t)
{
	if (!t->has_frt || !t->frt_answered)
		return false; /* an unanswered first round is never within target */
	int64_t target = r->target_ms_other;
	if (channel) {
		if (strcmp(channel, "web") == 0)
			target = r->target_ms_web;
		else if (strcmp(channel, "app") == 0)
			target = r->target_ms_app;
		else if (strcmp(channel, "phone") == 0)
			target = r->target_ms_phone;
		else if (strcmp(channel, "im") == 0)
			target = r->target_ms_im;
		else if (strcmp(channel, "email") == 0)
			target = r->target_ms_email;
		else if (strcmp(channel, "form") == 0)
			target = r->target_ms_form;
	}
	return t->frt_raw_ms <= target;
}

static int iv_cmp(const void *x, const void *y)
{
	const struct kpi_interval *a = x, *b = y;
	if (a->from_ms != b->from_ms)
		return a->from_ms < b->from_ms ? -1 : 1;
	return a->to_ms < b->to_ms ? -1 : a->to_ms > b->to_ms;
}

static void add_span(const struct kpi_rules *r, int64_t a, int64_t b, int64_t day_from, int64_t day_to,
		     int64_t *online)
{
	int64_t lo = kpi_day_start_ms(r, day_from), hi = kpi_day_start_ms(r, day_to + 1);
	if (a < lo)
		a = lo; /* clipped to the period */
	if (b > hi)
		b = hi;
	while (a < b) { /* split at local midnight */
		int64_t d = kpi_day(r, a);
		int64_t end = kpi_day_start_ms(r, d + 1);
		int64_t e = b < end ? b : end;
		online[d - day_from] += e - a;
		a = e;
	}
}

/* K-03, K-05: intervals merged where they overlap, split at local midnight, clipped. */
void kpi_presence_days(struct kpi_interval *iv, size_t n, const struct kpi_rules *r, int64_t day_from,
		       int64_t day_to, int64_t *online)
{
	if (n == 0)
		return;
	qsort(iv, n, sizeof *iv, iv_cmp);
	int64_t a = iv[0].from_ms, b = iv[0].to_ms;
	for (size_t i = 1; i < n; i++) {
		if (iv[i].from_ms <= b) {
			if (iv[i].to_ms > b)
				b = iv[i].to_ms;
			continue;
		}
		add_span(r, a, b, day_from, day_to, online);
		a = iv[i].from_ms;
		b = iv[i].to_ms;
	}
	add_span(r, a, b, day_from, day_to, online);
}

void kpi_daily_add_session(struct assess_daily *d, const struct kpi_rules *r, const struct assess_session *s,
			   const struct kpi_timing *t)
{
	d->sessions++;
	if (t->has_frt) {
		d->frt_n++;
		d->frt_sum_ms += t->frt_ms;
		d->frt_within += kpi_frt_within(r, s->channel, t);
	}
	d->art_n += t->art_n;
	d->art_sum_ms += t->art_sum_ms;
	if (s->score > 0) { /* K-06: the session's last rating, in its session's period */
		d->rated++;
		d->satisfied += s->score >= r->satisfied_min;
		d->score_sum += s->score;
	}
	/* K-10: resolved unless the rating says solved:false or the customer came back within 72 h */
	d->resolved += !(s->solved == 0 || s->repeat);
	d->conv += s->credited;
	if (s->ctype && strcmp(s->ctype, "new") == 0) {
		d->new_n++;
		d->new_conv += s->credited;
	} else if (s->ctype && (strcmp(s->ctype, "returning") == 0 || strcmp(s->ctype, "vip") == 0)) {
		d->rv_n++;
		d->rv_conv += s->credited;
	}
}

static void ratio(struct kpi_value *v, double num, int64_t den, double scale)
{
	v->n = den;
	v->null = den == 0;
	v->value = den ? num * scale / (double)den : 0;
}

void kpi_values(const struct assess_agent *g, struct kpi_value out[KPI_METRIC_COUNT])
{
	const struct assess_daily *d = &g->sum;
	ratio(&out[KPI_K01], (double)d->frt_sum_ms, d->frt_n, 1.0 / SECOND_MS);
	ratio(&out[KPI_K01_WITHIN], (double)d->frt_within, d->frt_n, 1);
	ratio(&out[KPI_K02], (double)d->art_sum_ms, d->art_n, 1.0 / SECOND_MS);
	/* K-03: null without presence; 0 with presence and no sessions */
	ratio(&out[KPI_K03], (double)d->sessions, g->presence_days, 1);
	ratio(&out[KPI_K05], (double)d->online_ms, g->presence_days, 1.0 / HOUR_MS);
	ratio(&out[KPI_K06], (double)d->satisfied, d->rated, 1);
	ratio(&out[KPI_K06_MEAN], (double)d->score_sum, d->rated, 1);
	ratio(&out[KPI_K10], (double)d->resolved, d->sessions, 1);
	ratio(&out[KPI_K13], (double)d->conv, d->sessions, 1);
	ratio(&out[KPI_K13_NEW], (double)d->new_conv, d->new_n, 1);
	ratio(&out[KPI_K13_RV], (double)d->rv_conv, d->rv_n, 1);
	/* K-20: per 1,000 sessions; 0 with sessions and no complaints, null without sessions */
	ratio(&out[KPI_K20], (double)d->complaints, d->sessions, 1000);
	ratio(&out[KPI_K21], (double)d->escalated, d->complaints, 1);
	ratio(&out[KPI_K26], (double)g->repurchased, g->served, 1);
	kpi_people_values(g, out); /* K-30…K-44, K-52 */
	kpi_ticket_values(NULL, out); /* K-11…K-34 null here; assess.c fills them (kpi_ticket_daily) */
}

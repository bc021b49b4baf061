/* calendar.c — business-time arithmetic on a loaded calendar (DESIGN §5.4): which hours a local
 * day has, the next open instant, adding business minutes or business days, and business time
 * between two instants (pause support for the SLA engine). Pure functions of their arguments:
 * never reads the clock, never allocates, never prints. Parsing lives in calendar_load.c. */
#include "ticket/calendar_int.h"

#include <stdlib.h>
#include <string.h>

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Local day number of instant t. */
static int64_t local_day(const struct calendar *c, int64_t t)
{
	return floor_div(t + (int64_t)c->offset_min * 60000, CAL_DAY_MS);
}

/* UTC instant of local day `day` at local ms-of-day tod. */
static int64_t instant(const struct calendar *c, int64_t day, int64_t tod)
{
	return day * CAL_DAY_MS + tod - (int64_t)c->offset_min * 60000;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool listed(const int64_t *days, size_t n, int64_t day)
{
	return n && bsearch(&day, days, n, sizeof *days, cmp_i64) != NULL;
}

static const struct cal_hours closed_day = {.n = 0};

static const struct cal_hours *hours_of_day(const struct calendar *c, int64_t day)
{
	if (listed(c->holidays, c->n_holidays, day))
		return &closed_day;
	int wd = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday (3 with Monday = 0) */
	if (listed(c->workdays, c->n_workdays, day))
		return c->week[wd].n ? &c->week[wd] : &c->week[0];
	return &c->week[wd];
}

int calendar_offset_min(const struct calendar *c)
{
	return c->offset_min;
}

const char *calendar_timezone(const struct calendar *c)
{
	return c->timezone;
}

/* Year of a local day number (civil calendar, proleptic Gregorian). */
static int year_of_day(int64_t z)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	return (int)(yoe + era * 400 + (m <= 2));
}

bool calendar_covers_year(const struct calendar *c, int year)
{
	for (size_t i = 0; i < c->n_holidays; i++)
		if (year_of_day(c->holidays[i]) == year)
			return true;
	for (size_t i = 0; i < c->n_workdays; i++)
		if (year_of_day(c->workdays[i]) == year)
			return true;
	return false;
}

const struct cal_hours *calendar_hours_at(const struct calendar *c, int64_t t)
{
	return hours_of_day(c, local_day(c, t));
}

int calendar_next_open(const struct calendar *c, int64_t t, int64_t *out)
{
	int64_t day = local_day(c, t);
	int64_t tod = t + (int64_t)c->offset_min * 60000 - day * CAL_DAY_MS;
	for (int i = 0; i <= CAL_SEARCH_DAYS; i++, day++, tod = 0) {
		const struct cal_hours *h = hours_of_day(c, day);
		for (int k = 0; k < h->n; k++) {
			int64_t s = (int64_t)h->p[k].start_min * 60000, e = (int64_t)h->p[k].end_min * 60000;
			if (tod < e) {
				*out = instant(c, day, tod > s ? tod : s);
				return 0;
			}
		}
	}
	return -KEFU_ELIMIT;
}

/* End (UTC) of the period that contains open instant t. t must be inside a period. */
static int64_t period_end(const struct calendar *c, int64_t t)
{
	int64_t day = local_day(c, t);
	int64_t tod = t + (int64_t)c->offset_min * 60000 - day * CAL_DAY_MS;
	const struct cal_hours *h = hours_of_day(c, day);
	for (int k = 0; k < h->n; k++)
		if (tod < (int64_t)h->p[k].end_min * 60000)
			return instant(c, day, (int64_t)h->p[k].end_min * 60000);
	return t; /* unreachable for an open t; callers then make no progress and stop at the limit */
}

int calendar_add_business(const struct calendar *c, int64_t t, int64_t dur_ms, int64_t *out)
{
	int64_t cur;
	int r = calendar_next_open(c, t, &cur);
	if (r < 0)
		return r;
	int64_t left = dur_ms > 0 ? dur_ms : 0;
	/* each step consumes one whole period; bound the walk like next_open does */
	for (long steps = 0; steps < (long)CAL_SEARCH_DAYS * CAL_MAX_PERIODS; steps++) {
		int64_t end = period_end(c, cur);
		if (left <= end - cur) {
			*out = cur + left; /* exactly at end: stays there (§5.4) */
			return 0;
		}
		left -= end - cur;
		if ((r = calendar_next_open(c, end, &cur)) < 0)
			return r;
	}
	return -KEFU_ELIMIT;
}

/* True when local ms-of-day tod is exactly the end of one of h's periods. */
static bool at_period_end(const struct cal_hours *h, int64_t tod)
{
	for (int k = 0; k < h->n; k++)
		if ((int64_t)h->p[k].end_min * 60000 == tod)
			return true;
	return false;
}

int calendar_add_bdays(const struct calendar *c, int64_t t, int64_t n, int64_t *out)
{
	int64_t cur;
	int r = calendar_next_open(c, t, &cur);
	if (r < 0)
		return r;
	int64_t day = local_day(c, cur);
	int64_t tod = cur + (int64_t)c->offset_min * 60000 - day * CAL_DAY_MS;
	int64_t seen = 0;
	for (int64_t i = 0; seen < n; i++) {
		if (i > CAL_SEARCH_DAYS + n * 7)
			return -KEFU_ELIMIT;
		day++;
		if (hours_of_day(c, day)->n > 0)
			seen++;
	}
	int64_t cand = instant(c, day, tod);
	if (at_period_end(hours_of_day(c, day), tod)) {
		*out = cand;
		return 0;
	}
	return calendar_next_open(c, cand, out);
}

int64_t calendar_end_of_day(const struct calendar *c, int64_t t)
{
	return instant(c, local_day(c, t) + 1, 0);
}

int calendar_deadline(const struct calendar *c, int64_t start, const struct cal_duration *d, int64_t *out)
{
	if (d->unit == CAL_EOD) {
		*out = calendar_end_of_day(c, start);
		return 0;
	}
	if (d->unit == CAL_BDAYS)
		return calendar_add_bdays(c, start, d->amount, out);
	return calendar_add_business(c, start, d->amount * 60000, out);
}

int64_t calendar_business_between(const struct calendar *c, int64_t a, int64_t b)
{
	int64_t sum = 0;
	if (b <= a)
		return 0;
	int64_t last = local_day(c, b - 1);
	for (int64_t day = local_day(c, a); day <= last; day++) {
		const struct cal_hours *h = hours_of_day(c, day);
		for (int k = 0; k < h->n; k++) {
			int64_t s = instant(c, day, (int64_t)h->p[k].start_min * 60000);
			int64_t e = instant(c, day, (int64_t)h->p[k].end_min * 60000);
			int64_t lo = s > a ? s : a, hi = e < b ? e : b;
			if (hi > lo)
				sum += hi - lo;
		}
	}
	return sum;
}

int calendar_duration_parse(const char *s, struct cal_duration *out, struct kefu_err *err)
{
	if (!s || !*s)
		return KEFU_ERR(err, KEFU_EINVAL, "duration", "duration is empty; use e.g. 90m, 2h or 1bd");
	if (strcmp(s, "eod") == 0) {
		out->unit = CAL_EOD;
		out->amount = 1;
		return 0;
	}
	const char *p = s;
	int64_t v = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > 10LL * 366 * 24 * 60)
			return KEFU_ERR(err, KEFU_EINVAL, "duration",
					"duration '%.32s' is longer than 10 years", s);
		p++;
	}
	if (p == s)
		return KEFU_ERR(err, KEFU_EINVAL, "duration",
				"duration '%.32s' must start with a whole number (e.g. 90m, 2h, 1bd)", s);
	if (v == 0)
		return KEFU_ERR(err, KEFU_EINVAL, "duration", "duration '%.32s' must be greater than zero",
				s);
	if (strcmp(p, "m") == 0) {
		out->unit = CAL_MINUTES;
		out->amount = v;
	} else if (strcmp(p, "h") == 0) {
		out->unit = CAL_MINUTES;
		out->amount = v * 60;
	} else if (strcmp(p, "bd") == 0) {
		if (v > 10 * 366)
			return KEFU_ERR(err, KEFU_EINVAL, "duration",
					"duration '%.32s' is longer than 10 years", s);
		out->unit = CAL_BDAYS;
		out->amount = v;
	} else {
		return KEFU_ERR(
		    err, KEFU_EINVAL, "duration",
		    "duration '%.32s' has unit '%.8s'; use m (minutes), h (hours), bd (business days) or eod",
		    s, p);
	}
	if (out->unit == CAL_MINUTES && out->amount > 10LL * 366 * 24 * 60)
		return KEFU_ERR(err, KEFU_EINVAL, "duration", "duration '%.32s' is longer than 10 years", s);
	return 0;
}

/* clock.c — injectable clock and RFC 3339 (see clock.h). */
#include "base/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"

static int64_t system_now_ms(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct kefu_clock system_clock = {system_now_ms, NULL};
static const struct kefu_clock *current = &system_clock;

int64_t clock_now_ms(void)
{
	return current->now_ms(current->ctx);
}

void clock_set(const struct kefu_clock *c)
{
	current = c ? c : &system_clock;
}

/* `kefu serve --test-clock`: the system clock plus an offset that only moves forward */
static _Atomic int64_t test_offset_ms;
static atomic_bool test_clock_on;

static int64_t offset_now_ms(void *ctx)
{
	return system_now_ms(ctx) + atomic_load(&test_offset_ms);
}

static const struct kefu_clock offset_clock = {offset_now_ms, NULL};

void clock_use_test_offset(void)
{
	atomic_store(&test_clock_on, true);
	current = &offset_clock;
}

bool clock_test_offset_on(void)
{
	return atomic_load(&test_clock_on);
}

int64_t clock_test_advance(int64_t ms)
{
	if (ms > 0)
		atomic_fetch_add(&test_offset_ms, ms);
	return clock_now_ms();
}

/* Howard Hinnant's algorithm, restated (see clock.h). */
int64_t clock_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

size_t clock_format_rfc3339(int64_t ms, int offset_min, char *out, size_t cap)
{
	int64_t local = ms + (int64_t)offset_min * 60000;
	int64_t secs = local >= 0 ? local / 1000 : (local - 999) / 1000;
	int frac = (int)(local - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int sod = (int)(secs - days * 86400);
	int y, mo, d;
	civil_from_days(days, &y, &mo, &d);
	char off[24];
	if (offset_min == 0)
		snprintf(off, sizeof off, "Z");
	else
		snprintf(off, sizeof off, "%c%02d:%02d", offset_min < 0 ? '-' : '+',
			 (offset_min < 0 ? -offset_min : offset_min) / 60,
			 (offset_min < 0 ? -offset_min : offset_min) % 60);
	int n;
	if (frac)
		n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", y, mo, d, sod / 3600,
			     sod / 60 % 60, sod % 60, frac, off);
	else
		n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, sod / 3600, sod / 60 % 60,
			     sod % 60, off);
	return n < 0 ? 0 : (size_t)n;
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int clock_parse_rfc3339(const char *s, size_t len, int64_t *out_ms)
{
	int y, mo, d, h, mi, se;
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return -KEFU_EINVAL;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -KEFU_EINVAL;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
		return -KEFU_EINVAL;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return -KEFU_EINVAL;
	size_t i = 19;
	int frac_ms = 0;
	if (i < len && s[i] == '.') {
		i++;
		size_t start = i;
		int scale = 100;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			frac_ms += (s[i] - '0') * scale;
			scale /= 10;
			i++;
		}
		if (i == start || i - start > 9)
			return -KEFU_EINVAL;
	}
	int off = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;
		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -KEFU_EINVAL;
		off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return -KEFU_EINVAL;
	}
	if (i != len)
		return -KEFU_EINVAL;
	if (se == 60)
		se = 59; /* leap second: clamp */
	int64_t days = clock_days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
	*out_ms = secs * 1000 + frac_ms;
	return 0;
}

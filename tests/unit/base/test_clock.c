/* Unit tests for src/base/clock.c: RFC 3339 parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/clock.h"

static void parses_offset_and_converts_to_utc(void **state)
{
	int64_t ms;
	const char *s = "2026-10-01T09:00:05+08:00";
	assert_int_equal(clock_parse_rfc3339(s, strlen(s), &ms), 0);
	const char *z = "2026-10-01T01:00:05Z";
	int64_t ms2;
	assert_int_equal(clock_parse_rfc3339(z, strlen(z), &ms2), 0);
	assert_true(ms == ms2);
	assert_true(ms == 1790816405000LL);
}

static void parses_fraction(void **state)
{
	int64_t ms;
	const char *s = "1970-01-01T00:00:01.250Z";
	assert_int_equal(clock_parse_rfc3339(s, strlen(s), &ms), 0);
	assert_true(ms == 1250);
}

static void rejects_missing_offset_and_bad_dates(void **state)
{
	int64_t ms;
	const char *bad[] = {"2026-10-01T09:00:05",   "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
			     "2026-13-01T00:00:00Z",  "2026-10-01T24:00:00Z", "2026-10-01T09:00:05+0800",
			     "2026-10-01T09:00:05.Z", "x026-10-01T09:00:05Z", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_not_equal(clock_parse_rfc3339(bad[i], strlen(bad[i]), &ms), 0);
}

static void formats_round_trip(void **state)
{
	char out[40];
	clock_format_rfc3339(1790816405000LL, 480, out, sizeof out);
	assert_string_equal(out, "2026-10-01T09:00:05+08:00");
	clock_format_rfc3339(1250, 0, out, sizeof out);
	assert_string_equal(out, "1970-01-01T00:00:01.250Z");
	clock_format_rfc3339(-1000, 0, out, sizeof out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
}

static int64_t fixed_now(void *ctx)
{
	return *(int64_t *)ctx;
}

static void injected_clock_is_used(void **state)
{
	int64_t t = 42;
	struct kefu_clock c = {fixed_now, &t};
	clock_set(&c);
	assert_true(clock_now_ms() == 42);
	clock_set(NULL);
	assert_true(clock_now_ms() > 1700000000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_offset_and_converts_to_utc),
	    cmocka_unit_test(parses_fraction),
	    cmocka_unit_test(rejects_missing_offset_and_bad_dates),
	    cmocka_unit_test(formats_round_trip),
	    cmocka_unit_test(injected_clock_is_used),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/ticket/calendar.c and calendar_load.c: the shipped 2026 policy calendar
 * (holidays, weekends, make-up days), the DESIGN §5.4 deadline rules (start outside hours moves
 * forward, business minutes, Nbd at the same clock time, end of a period stays) and refusal of bad
 * calendars and durations with the key that is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/clock.h"
#include "ticket/calendar.h"

static struct calendar *shipped(void)
{
	char path[4096];
	const char *src = getenv("KEFU_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/%s", src && *src ? src : KEFU_SOURCE_DIR, CAL_DEFAULT_FILE);
	struct calendar *c = NULL;
	struct kefu_err err = {0};
	if (calendar_load_file(path, &c, &err) < 0)
		print_error("%s: %s %s\n", path, err.field, err.msg);
	assert_non_null(c);
	return c;
}

static struct calendar *parse(const char *json)
{
	struct calendar *c = NULL;
	struct kefu_err err = {0};
	if (calendar_parse(json, strlen(json), "test", &c, &err) < 0)
		print_error("%s %s\n", err.field, err.msg);
	assert_non_null(c);
	return c;
}

static int64_t T(const char *s)
{
	int64_t ms;
	assert_int_equal(clock_parse_rfc3339(s, strlen(s), &ms), 0);
	return ms;
}

/* Deadline of start + duration on c, formatted at c's offset. */
static const char *due(struct calendar *c, const char *start, const char *dur)
{
	static char out[48];
	struct cal_duration d;
	assert_int_equal(calendar_duration_parse(dur, &d, NULL), 0);
	int64_t t;
	assert_int_equal(calendar_deadline(c, T(start), &d, &t), 0);
	clock_format_rfc3339(t, calendar_offset_min(c), out, sizeof out);
	return out;
}

static bool open_at(struct calendar *c, const char *s)
{
	int64_t t = T(s), n;
	assert_int_equal(calendar_next_open(c, t, &n), 0);
	return n == t;
}

static void shipped_calendar_closes_every_2026_holiday_block(void **state)
{
	struct calendar *c = shipped();
	assert_string_equal(calendar_timezone(c), "Asia/Shanghai");
	assert_int_equal(calendar_offset_min(c), 480);
	/* 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆: a weekday inside each block is closed at 10:00 */
	const char *closed[] = {
	    "2026-01-02T10:00:00+08:00", "2026-02-16T10:00:00+08:00", "2026-02-23T10:00:00+08:00",
	    "2026-04-06T10:00:00+08:00", "2026-05-04T10:00:00+08:00", "2026-06-19T10:00:00+08:00",
	    "2026-09-25T10:00:00+08:00", "2026-10-01T10:00:00+08:00", "2026-10-07T10:00:00+08:00"};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
		assert_false(open_at(c, closed[i]));
	assert_true(calendar_covers_year(c, 2026));
	assert_false(calendar_covers_year(c, 2027));
	calendar_free(c);
}

static void shipped_calendar_opens_make_up_workdays_with_monday_hours(void **state)
{
	struct calendar *c = shipped();
	const char *open[] = {"2026-01-04T10:00:00+08:00", "2026-02-14T10:00:00+08:00",
			      "2026-02-28T14:00:00+08:00", "2026-05-09T10:00:00+08:00",
			      "2026-09-20T10:00:00+08:00", "2026-10-10T17:59:00+08:00"};
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
		assert_true(open_at(c, open[i]));
	/* Monday's lunch break applies on a make-up Saturday too */
	assert_false(open_at(c, "2026-10-10T12:30:00+08:00"));
	calendar_free(c);
}

static void weekends_and_nights_are_closed(void **state)
{
	struct calendar *c = shipped();
	assert_false(open_at(c, "2026-03-07T10:00:00+08:00")); /* Saturday */
	assert_false(open_at(c, "2026-03-08T10:00:00+08:00")); /* Sunday */
	assert_false(open_at(c, "2026-03-09T08:59:59+08:00"));
	assert_true(open_at(c, "2026-03-09T09:00:00+08:00"));
	assert_false(open_at(c, "2026-03-09T12:00:00+08:00")); /* a period's end is outside it */
	assert_false(open_at(c, "2026-03-09T18:00:00+08:00"));
	calendar_free(c);
}

static void start_outside_hours_moves_forward_first(void **state)
{
	struct calendar *c = shipped();
	assert_string_equal(due(c, "2026-03-09T07:00:00+08:00", "30m"), "2026-03-09T09:30:00+08:00");
	assert_string_equal(due(c, "2026-03-09T12:10:00+08:00", "30m"), "2026-03-09T14:00:00+08:00");
	assert_string_equal(due(c, "2026-03-09T12:00:00+08:00", "1m"), "2026-03-09T13:31:00+08:00");
	assert_string_equal(due(c, "2026-03-06T19:00:00+08:00", "2h"), "2026-03-09T11:00:00+08:00");
	/* a start in another offset is converted first: 01:00Z is 09:00 in Shanghai */
	assert_string_equal(due(c, "2026-03-09T01:00:00Z", "1h"), "2026-03-09T10:00:00+08:00");
	calendar_free(c);
}

static void hours_count_business_minutes_only(void **state)
{
	struct calendar *c = shipped();
	assert_string_equal(due(c, "2026-03-09T11:00:00+08:00", "2h"), "2026-03-09T14:30:00+08:00");
	assert_string_equal(due(c, "2026-03-09T17:00:00+08:00", "2h"), "2026-03-10T10:00:00+08:00");
	assert_string_equal(due(c, "2026-03-13T17:00:00+08:00", "90m"), "2026-03-16T09:30:00+08:00");
	/* seconds survive */
	assert_string_equal(due(c, "2026-03-09T10:15:30+08:00", "90m"), "2026-03-09T11:45:30+08:00");
	calendar_free(c);
}

static void deadlines_cross_national_day_and_spring_festival(void **state)
{
	struct calendar *c = shipped();
	/* Wednesday 30 Sep 17:00 + 2h: 1 h left that day, then 1–7 Oct off, Thursday 8 Oct */
	assert_string_equal(due(c, "2026-09-30T17:00:00+08:00", "2h"), "2026-10-08T10:00:00+08:00");
	assert_string_equal(due(c, "2026-09-30T17:00:00+08:00", "1bd"), "2026-10-08T17:00:00+08:00");
	/* Friday 9 Oct + 1bd lands on the make-up Saturday 10 Oct */
	assert_string_equal(due(c, "2026-10-09T17:00:00+08:00", "1bd"), "2026-10-10T17:00:00+08:00");
	assert_string_equal(due(c, "2026-10-09T17:00:00+08:00", "2h"), "2026-10-10T10:00:00+08:00");
	/* Friday 13 Feb → make-up Saturday 14 Feb → 24 Feb after 春节 (15–23) */
	assert_string_equal(due(c, "2026-02-13T10:00:00+08:00", "1bd"), "2026-02-14T10:00:00+08:00");
	assert_string_equal(due(c, "2026-02-13T10:00:00+08:00", "2bd"), "2026-02-24T10:00:00+08:00");
	/* Sunday 4 Jan is a make-up workday after 元旦 */
	assert_string_equal(due(c, "2026-12-31T10:00:00+08:00", "30m"), "2026-12-31T10:30:00+08:00");
	assert_string_equal(due(c, "2025-12-31T17:30:00+08:00", "1h"), "2026-01-04T09:30:00+08:00");
	calendar_free(c);
}

static void ending_exactly_at_a_period_end_stays_there(void **state)
{
	struct calendar *c = shipped();
	assert_string_equal(due(c, "2026-03-09T09:00:00+08:00", "3h"), "2026-03-09T12:00:00+08:00");
	assert_string_equal(due(c, "2026-03-09T13:30:00+08:00", "270m"), "2026-03-09T18:00:00+08:00");
	assert_string_equal(due(c, "2026-09-30T17:00:00+08:00", "1h"), "2026-09-30T18:00:00+08:00");
	calendar_free(c);
}

static const char short_saturday[] = "{\"timezone\":\"+08:00\",\"hours\":{"
				     "\"mon\":[\"09:00-18:00\"],\"tue\":[\"09:00-18:00\"],"
				     "\"wed\":[\"09:00-18:00\"],\"thu\":[\"09:00-18:00\"],"
				     "\"fri\":[\"09:00-18:00\"],\"sat\":[\"10:00-16:00\"],\"sun\":[]}}";

static void business_days_land_on_the_same_clock_time_moved_into_hours(void **state)
{
	struct calendar *c = parse(short_saturday);
	/* Friday 17:00 + 1bd = Saturday 17:00, outside Saturday's 10–16 → Monday 09:00 */
	assert_string_equal(due(c, "2026-03-13T17:00:00+08:00", "1bd"), "2026-03-16T09:00:00+08:00");
	/* Friday 16:00 + 1bd = Saturday 16:00: exactly the end of Saturday's period, stays */
	assert_string_equal(due(c, "2026-03-13T16:00:00+08:00", "1bd"), "2026-03-14T16:00:00+08:00");
	/* Friday 09:30 + 1bd = Saturday 09:30 → moved to 10:00 */
	assert_string_equal(due(c, "2026-03-13T09:30:00+08:00", "1bd"), "2026-03-14T10:00:00+08:00");
	/* a start on Sunday moves to Monday 09:00 first, then one business day */
	assert_string_equal(due(c, "2026-03-15T11:00:00+08:00", "1bd"), "2026-03-17T09:00:00+08:00");
	calendar_free(c);
}

static void business_time_between_skips_nights_lunch_and_holidays(void **state)
{
	struct calendar *c = shipped();
	assert_true(calendar_business_between(c, T("2026-03-09T11:00:00+08:00"),
					      T("2026-03-09T14:30:00+08:00")) == 2 * 3600000LL);
	assert_true(calendar_business_between(c, T("2026-09-30T17:00:00+08:00"),
					      T("2026-10-08T10:00:00+08:00")) == 2 * 3600000LL);
	assert_true(calendar_business_between(c, T("2026-03-09T14:30:00+08:00"),
					      T("2026-03-09T11:00:00+08:00")) == 0);
	/* between and add are inverse */
	int64_t s = T("2026-04-30T15:20:00+08:00"), d;
	assert_int_equal(calendar_add_business(c, s, 7 * 3600000LL + 60000, &d), 0);
	assert_true(calendar_business_between(c, s, d) == 7 * 3600000LL + 60000);
	calendar_free(c);
}

static void other_offsets_are_fixed(void **state)
{
	struct calendar *c = parse("{\"timezone\":\"UTC\",\"hours\":{\"mon\":[\"00:00-24:00\"]}}");
	assert_int_equal(calendar_offset_min(c), 0);
	/* only Mondays open, all day: Monday 23:00 + 2h = next Monday 01:00 */
	assert_string_equal(due(c, "2026-03-09T23:00:00Z", "2h"), "2026-03-16T01:00:00Z");
	assert_string_equal(due(c, "2026-03-09T23:00:00Z", "1bd"), "2026-03-16T23:00:00Z");
	calendar_free(c);
}

static void calendar_without_hours_gives_a_limit_error(void **state)
{
	struct calendar *c = parse("{\"timezone\":\"Asia/Shanghai\",\"hours\":{}}");
	int64_t out;
	assert_int_equal(calendar_next_open(c, T("2026-03-09T10:00:00+08:00"), &out), -KEFU_ELIMIT);
	struct cal_duration d = {CAL_MINUTES, 60};
	assert_int_equal(calendar_deadline(c, 0, &d, &out), -KEFU_ELIMIT);
	calendar_free(c);
}

static void bad_calendars_are_refused_naming_the_key(void **state)
{
	static const struct {
		const char *json;
		const char *field;
	} bad[] = {
	    {"[]", "json"},
	    {"{\"timezone\":\"Asia/Shanghai\",", "json"},
	    {"{\"hours\":{}}", "timezone"},
	    {"{\"timezone\":\"Europe/London\",\"hours\":{}}", "timezone"},
	    {"{\"timezone\":\"+08:00\"}", "hours"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{\"monday\":[]}}", "hours"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{\"mon\":[\"9-12\"]}}", "hours.mon"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{\"mon\":[\"12:00-09:00\"]}}", "hours.mon"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{\"mon\":[\"09:00-12:00\",\"11:00-13:00\"]}}", "hours.mon"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{\"mon\":[\"24:00-24:00\"]}}", "hours.mon"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{},\"holidays\":[\"2026-02-30\"]}", "holidays[0]"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{},\"holidays\":[\"2026-10-01\",\"2026-10-01\"]}",
	     "holidays"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{},\"holidays\":[\"2026-10-10\"],\"workdays\":[\"2026-10-"
	     "10\"]}",
	     "workdays"},
	    {"{\"timezone\":\"+08:00\",\"hours\":{},\"extra\":1}", "json"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct calendar *c = NULL;
		struct kefu_err err = {0};
		assert_int_equal(calendar_parse(bad[i].json, strlen(bad[i].json), "t", &c, &err),
				 -KEFU_EINVAL);
		assert_null(c);
		if (strcmp(err.field, bad[i].field) != 0)
			print_error("case %zu: field '%s' (%s)\n", i, err.field, err.msg);
		assert_string_equal(err.field, bad[i].field);
		assert_true(err.msg[0] != '\0');
	}
}

static void durations_parse_and_bad_ones_say_why(void **state)
{
	struct cal_duration d;
	assert_int_equal(calendar_duration_parse("90m", &d, NULL), 0);
	assert_true(d.unit == CAL_MINUTES && d.amount == 90);
	assert_int_equal(calendar_duration_parse("2h", &d, NULL), 0);
	assert_true(d.unit == CAL_MINUTES && d.amount == 120);
	assert_int_equal(calendar_duration_parse("3bd", &d, NULL), 0);
	assert_true(d.unit == CAL_BDAYS && d.amount == 3);
	const char *bad[] = {"", "h", "0h", "-1h", "2d", "2 h", "1.5h", "2hh", "99999999999m", "5000bd"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kefu_err err = {0};
		assert_int_equal(calendar_duration_parse(bad[i], &d, &err), -KEFU_EINVAL);
		assert_string_equal(err.field, "duration");
	}
}

/* N-20: "eod" is the end of the local calendar day the deadline starts on (the next local
 * midnight at the calendar's offset), whatever the hours or holidays. */
static void end_of_day_is_the_next_local_midnight(void **state)
{
	struct calendar *c = shipped();
	assert_string_equal(due(c, "2026-03-10T15:20:00+08:00", "eod"), "2026-03-11T00:00:00+08:00");
	assert_string_equal(due(c, "2026-03-10T23:59:59+08:00", "eod"), "2026-03-11T00:00:00+08:00");
	assert_string_equal(due(c, "2026-03-11T00:00:00+08:00", "eod"), "2026-03-12T00:00:00+08:00");
	/* 17:00 UTC is already the next local day in Shanghai */
	assert_string_equal(due(c, "2026-03-10T17:00:00Z", "eod"), "2026-03-12T00:00:00+08:00");
	assert_string_equal(due(c, "2026-10-01T10:00:00+08:00", "eod"),
			    "2026-10-02T00:00:00+08:00"); /* holiday */
	struct cal_duration d;
	struct kefu_err err = {0};
	assert_int_equal(calendar_duration_parse("eod", &d, &err), 0);
	assert_int_equal(d.unit, CAL_EOD);
	const char *bad[] = {"1eod", "EOD", "eod ", "2eod"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(calendar_duration_parse(bad[i], &d, &err), -KEFU_EINVAL);
	calendar_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_calendar_closes_every_2026_holiday_block),
	    cmocka_unit_test(shipped_calendar_opens_make_up_workdays_with_monday_hours),
	    cmocka_unit_test(weekends_and_nights_are_closed),
	    cmocka_unit_test(start_outside_hours_moves_forward_first),
	    cmocka_unit_test(hours_count_business_minutes_only),
	    cmocka_unit_test(deadlines_cross_national_day_and_spring_festival),
	    cmocka_unit_test(ending_exactly_at_a_period_end_stays_there),
	    cmocka_unit_test(business_days_land_on_the_same_clock_time_moved_into_hours),
	    cmocka_unit_test(business_time_between_skips_nights_lunch_and_holidays),
	    cmocka_unit_test(other_offsets_are_fixed),
	    cmocka_unit_test(calendar_without_hours_gives_a_limit_error),
	    cmocka_unit_test(bad_calendars_are_refused_naming_the_key),
	    cmocka_unit_test(durations_parse_and_bad_ones_say_why),
	    cmocka_unit_test(end_of_day_is_the_next_local_midnight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/ticket/sla.c: warnings and breaches on wall-clock and business time, pause and
 * resume, stop, due order, callbacks that change timers, restoring states after a restart, and
 * refusal of bad input — all on a simulated clock, so days pass in microseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/clock.h"
#include "ticket/sla.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

struct sim {
	int64_t now; /* simulated ms since epoch */
	struct kefu_clock clock;
	char log[64][80]; /* "warn:id" / "breach:id" in firing order */
	int n;
	struct sla_engine *e;
	const char *start_on_breach; /* id to start from the callback, or NULL */
};

static int64_t sim_now(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

static void fired_cb(void *arg, enum sla_phase phase, const struct sla_state *st, int64_t now)
{
	struct sim *s = arg;
	if (s->n < 64)
		snprintf(s->log[s->n++], sizeof s->log[0], "%s:%s",
			 phase == SLA_PHASE_WARN ? "warn" : "breach", st->id);
	if (phase == SLA_PHASE_BREACH && s->start_on_breach) {
		struct sla_spec sp = {SLA_WALL, {CAL_MINUTES, 10}, 0};
		assert_int_equal(sla_start(s->e, s->start_on_breach, 0, &sp, NULL, NULL), 0);
		s->start_on_breach = NULL;
	}
}

static int64_t T(const char *s)
{
	int64_t ms;
	assert_int_equal(clock_parse_rfc3339(s, strlen(s), &ms), 0);
	return ms;
}

static struct calendar *cal_load(void)
{
	char path[4096];
	const char *src = getenv("KEFU_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/%s", src && *src ? src : KEFU_SOURCE_DIR, CAL_DEFAULT_FILE);
	struct calendar *c = NULL;
	assert_int_equal(calendar_load_file(path, &c, NULL), 0);
	return c;
}

static struct sim *sim_new(const struct calendar *cal, const char *start)
{
	struct sim *s = calloc(1, sizeof *s);
	s->now = T(start);
	s->clock.now_ms = sim_now;
	s->clock.ctx = s;
	struct sla_options o = {&s->clock, cal, fired_cb, s, 0};
	assert_int_equal(sla_new(&o, &s->e, NULL), 0);
	return s;
}

static void sim_free(struct sim *s)
{
	sla_free(s->e);
	free(s);
}

/* Advances the simulated clock to t, running the engine at every instant it asks for. */
static void advance_to(struct sim *s, int64_t t)
{
	while (sla_next_ms(s->e) <= t) {
		if (sla_next_ms(s->e) > s->now)
			s->now = sla_next_ms(s->e);
		sla_run(s->e);
	}
	s->now = t;
	sla_run(s->e);
}

static void warns_at_the_share_then_breaches_on_wall_time(void **state)
{
	struct sim *s = sim_new(NULL, "2026-03-07T10:00:00+08:00"); /* a Saturday: wall time ignores it */
	struct sla_spec p1 = {SLA_WALL, {CAL_MINUTES, 30}, 0}; /* N-13: P1 within 30 min */
	struct sla_state st;
	assert_int_equal(sla_start(s->e, "tk_1/p1", 0, &p1, &st, NULL), 0);
	assert_true(st.due_ms == s->now + 30 * MIN);
	assert_true(st.warn_ms == s->now + 24 * MIN); /* default share 0.8 */
	advance_to(s, s->now + 24 * MIN - 1);
	assert_int_equal(s->n, 0);
	advance_to(s, s->now + 1);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->log[0], "warn:tk_1/p1");
	advance_to(s, s->now + 6 * MIN);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->log[1], "breach:tk_1/p1");
	assert_int_equal(sla_count(s->e), 0);
	assert_true(sla_next_ms(s->e) == INT64_MAX);
	sim_free(s);
}

/* N-20 archive: a wall deadline at the end of the local day; warns at the share of the time left
 * to midnight and breaches at midnight. Without a calendar there is no local day: refused. */
static void end_of_day_deadline_breaches_at_local_midnight(void **state)
{
	struct calendar *cal = cal_load();
	struct sim *s = sim_new(cal, "2026-03-10T14:00:00+08:00");
	struct sla_spec eod = {SLA_WALL, {CAL_EOD, 1}, 0.5};
	struct sla_state st;
	assert_int_equal(sla_start(s->e, "tk_9/archive", 0, &eod, &st, NULL), 0);
	assert_true(st.due_ms == T("2026-03-11T00:00:00+08:00"));
	assert_true(st.warn_ms == T("2026-03-10T19:00:00+08:00"));
	advance_to(s, T("2026-03-10T23:59:59+08:00"));
	assert_int_equal(s->n, 1);
	assert_string_equal(s->log[0], "warn:tk_9/archive");
	advance_to(s, T("2026-03-11T00:00:00+08:00"));
	assert_int_equal(s->n, 2);
	assert_string_equal(s->log[1], "breach:tk_9/archive");
	sim_free(s);
	struct sim *nocal = sim_new(NULL, "2026-03-10T14:00:00+08:00");
	assert_int_equal(sla_start(nocal->e, "tk_9/archive", 0, &eod, NULL, NULL), -KEFU_EINVAL);
	assert_int_equal(sla_count(nocal->e), 0);
	sim_free(nocal);
	calendar_free(cal);
}

static void business_deadline_waits_over_the_weekend_and_holidays(void **state)
{
	struct calendar *cal = cal_load();
	struct sim *s = sim_new(cal, "2026-09-30T17:00:00+08:00");
	struct sla_spec first = {SLA_BUSINESS, {CAL_MINUTES, 120}, 0.5}; /* N-06: accept within 2 h */
	struct sla_state st;
	assert_int_equal(sla_start(s->e, "tk_2/accept", 0, &first, &st, NULL), 0);
	assert_true(st.due_ms == T("2026-10-08T10:00:00+08:00"));
	assert_true(st.warn_ms == T("2026-09-30T18:00:00+08:00"));
	advance_to(s, T("2026-10-07T23:59:59+08:00")); /* the whole National Day week in one call */
	assert_int_equal(s->n, 1);
	advance_to(s, T("2026-10-08T10:00:00+08:00"));
	assert_int_equal(s->n, 2);
	assert_string_equal(s->log[1], "breach:tk_2/accept");
	sim_free(s);
	calendar_free(cal);
}

static void one_business_day_lands_on_the_make_up_saturday(void **state)
{
	struct calendar *cal = cal_load();
	struct sim *s = sim_new(cal, "2026-10-09T15:00:00+08:00");
	struct sla_spec solve = {SLA_BUSINESS, {CAL_BDAYS, 1}, 0}; /* N-06: first solution ≤ 1bd */
	struct sla_state st;
	assert_int_equal(sla_start(s->e, "tk_3/solve", 0, &solve, &st, NULL), 0);
	assert_true(st.due_ms == T("2026-10-10T15:00:00+08:00"));
	advance_to(s, T("2026-10-12T00:00:00+08:00"));
	assert_int_equal(s->n, 2);
	sim_free(s);
	calendar_free(cal);
}

static void pause_stops_the_clock_and_resume_counts_the_rest(void **state)
{
	struct calendar *cal = cal_load();
	struct sim *s = sim_new(cal, "2026-03-09T09:00:00+08:00"); /* Monday */
	struct sla_spec sp = {SLA_BUSINESS, {CAL_MINUTES, 240}, 0.5};
	assert_int_equal(sla_start(s->e, "tk_4/answer", 0, &sp, NULL, NULL), 0);
	advance_to(s, T("2026-03-09T10:00:00+08:00"));
	struct sla_state st;
	assert_int_equal(sla_pause(s->e, "tk_4/answer", &st, NULL), 0); /* waiting for the customer */
	assert_true(st.paused);
	assert_true(st.left_ms == 3 * HOUR);
	assert_true(st.warn_left_ms == 1 * HOUR);
	assert_int_equal(sla_pause(s->e, "tk_4/answer", NULL, NULL), -KEFU_ECONFLICT);
	advance_to(s, T("2026-03-12T10:00:00+08:00")); /* three days later: nothing fires */
	assert_int_equal(s->n, 0);
	assert_int_equal(sla_resume(s->e, "tk_4/answer", &st, NULL), 0);
	assert_true(st.warn_ms == T("2026-03-12T11:00:00+08:00"));
	assert_true(st.due_ms == T("2026-03-12T14:30:00+08:00")); /* 2 h to noon, 1 h after 13:30 */
	assert_int_equal(sla_resume(s->e, "tk_4/answer", NULL, NULL), -KEFU_ECONFLICT);
	advance_to(s, T("2026-03-12T14:29:59+08:00"));
	assert_int_equal(s->n, 1);
	advance_to(s, T("2026-03-12T14:30:00+08:00"));
	assert_int_equal(s->n, 2);
	sim_free(s);
	calendar_free(cal);
}

static void stopped_timers_never_fire(void **state)
{
	struct sim *s = sim_new(NULL, "2026-03-09T09:00:00+08:00");
	struct sla_spec sp = {SLA_WALL, {CAL_MINUTES, 60}, 0};
	assert_int_equal(sla_start(s->e, "a", 0, &sp, NULL, NULL), 0);
	assert_int_equal(sla_start(s->e, "b", 0, &sp, NULL, NULL), 0);
	assert_int_equal(sla_stop(s->e, "a", NULL), 0);
	assert_int_equal(sla_stop(s->e, "a", NULL), -KEFU_ENOTFOUND);
	advance_to(s, s->now + 2 * HOUR);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->log[0], "warn:b");
	assert_string_equal(s->log[1], "breach:b");
	sim_free(s);
}

static void timers_fire_in_due_order_and_callbacks_may_start_new_ones(void **state)
{
	struct sim *s = sim_new(NULL, "2026-03-09T09:00:00+08:00");
	static const int mins[] = {50, 11, 43, 27, 35};
	for (int i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof id, "t%d", mins[i]);
		struct sla_spec sp = {SLA_WALL, {CAL_MINUTES, mins[i]}, 0.5};
		assert_int_equal(sla_start(s->e, id, 0, &sp, NULL, NULL), 0);
	}
	s->start_on_breach = "escalation"; /* N-19: a breach starts the escalation's own deadline */
	advance_to(s, s->now + 2 * HOUR);
	/* warns at half of each (5.5, 13.5, 17.5, 21.5, 25 min); the escalation starts at 11 min */
	const char *want[] = {"warn:t11",	 "breach:t11",	      "warn:t27",   "warn:t35",
			      "warn:escalation", "breach:escalation", "warn:t43",   "warn:t50",
			      "breach:t27",	 "breach:t35",	      "breach:t43", "breach:t50"};
	assert_int_equal(s->n, 12);
	for (int i = 0; i < 12; i++)
		assert_string_equal(s->log[i], want[i]);
	sim_free(s);
}

static void equal_instants_fire_first_in_first_out(void **state)
{
	struct sim *s = sim_new(NULL, "2026-03-09T09:00:00+08:00");
	struct sla_spec sp = {SLA_WALL, {CAL_MINUTES, 10}, 0};
	const char *ids[] = {"c", "a", "d", "b"};
	for (int i = 0; i < 4; i++)
		assert_int_equal(sla_start(s->e, ids[i], 0, &sp, NULL, NULL), 0);
	advance_to(s, s->now + 8 * MIN);
	assert_int_equal(s->n, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(s->log[i] + 5, ids[i]);
	sim_free(s);
}

static void restored_states_fire_as_before_a_restart(void **state)
{
	struct calendar *cal = cal_load();
	struct sim *s = sim_new(cal, "2026-03-09T09:00:00+08:00");
	struct sla_spec biz = {SLA_BUSINESS, {CAL_MINUTES, 120}, 0.5},
			wall = {SLA_WALL, {CAL_MINUTES, 600}, 0};
	struct sla_state a, b, c;
	assert_int_equal(sla_start(s->e, "a", 0, &biz, &a, NULL), 0);
	assert_int_equal(sla_start(s->e, "b", 0, &wall, &b, NULL), 0);
	assert_int_equal(sla_start(s->e, "c", 0, &biz, NULL, NULL), 0);
	advance_to(s, T("2026-03-09T10:00:00+08:00")); /* a and c warned */
	assert_int_equal(sla_get(s->e, "a", &a), 0);
	assert_true(a.warned);
	assert_int_equal(sla_pause(s->e, "c", &c, NULL), 0);
	int64_t now = s->now;
	sim_free(s); /* "kill" the process; the states are what the store kept */

	s = sim_new(cal, "2026-03-09T09:00:00+08:00");
	s->now = now + 5 * HOUR; /* restarted after a while: a's deadline passed meanwhile */
	assert_int_equal(sla_restore(s->e, &a, NULL), 0);
	assert_int_equal(sla_restore(s->e, &b, NULL), 0);
	assert_int_equal(sla_restore(s->e, &c, NULL), 0);
	assert_int_equal(sla_restore(s->e, &c, NULL), -KEFU_EEXIST);
	sla_run(s->e);
	assert_int_equal(s->n, 1); /* a breaches at once, not warned twice; c stays paused */
	assert_string_equal(s->log[0], "breach:a");
	assert_int_equal(sla_resume(s->e, "c", &c, NULL), 0);
	assert_true(c.due_ms == T("2026-03-09T16:00:00+08:00")); /* 1 h left from 15:00 */
	advance_to(s, T("2026-03-10T00:00:00+08:00"));
	assert_int_equal(s->n, 4);
	sim_free(s);
	calendar_free(cal);
}

static void simulated_month_with_many_timers_runs_in_milliseconds(void **state)
{
	struct calendar *cal = cal_load();
	struct sim *s = sim_new(cal, "2026-09-01T08:00:00+08:00");
	int started = 0;
	for (int i = 0; i < 5000; i++) {
		char id[16];
		snprintf(id, sizeof id, "t%d", i);
		struct sla_spec sp = {i % 2 ? SLA_BUSINESS : SLA_WALL, {CAL_MINUTES, 5 + i % 1440}, 0};
		assert_int_equal(sla_start(s->e, id, s->now + (int64_t)i * MIN, &sp, NULL, NULL), 0);
		started++;
	}
	advance_to(s, T("2026-10-31T00:00:00+08:00"));
	assert_int_equal(sla_count(s->e), 0);
	sim_free(s);
	calendar_free(cal);
	(void)started;
}

static void bad_input_is_refused_and_changes_nothing(void **state)
{
	struct sim *s = sim_new(NULL, "2026-03-09T09:00:00+08:00");
	struct sla_spec ok = {SLA_WALL, {CAL_MINUTES, 10}, 0};
	struct sla_spec zero = {SLA_WALL, {CAL_MINUTES, 0}, 0};
	struct sla_spec bd_wall = {SLA_WALL, {CAL_BDAYS, 1}, 0};
	struct sla_spec biz = {SLA_BUSINESS, {CAL_MINUTES, 10}, 0};
	struct sla_spec share = {SLA_WALL, {CAL_MINUTES, 10}, 1.5};
	char long_id[100];
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	struct kefu_err err = {0};
	assert_int_equal(sla_start(s->e, "", 0, &ok, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(sla_start(s->e, long_id, 0, &ok, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(sla_start(s->e, "a", 0, &zero, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(sla_start(s->e, "a", 0, &bd_wall, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(sla_start(s->e, "a", 0, &biz, NULL, &err), -KEFU_EINVAL); /* no calendar */
	assert_int_equal(sla_start(s->e, "a", 0, &share, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(sla_count(s->e), 0);
	assert_int_equal(sla_start(s->e, "a", 0, &ok, NULL, &err), 0);
	assert_int_equal(sla_start(s->e, "a", 0, &ok, NULL, &err), -KEFU_EEXIST);
	assert_int_equal(sla_pause(s->e, "nope", NULL, &err), -KEFU_ENOTFOUND);
	assert_int_equal(sla_resume(s->e, "nope", NULL, &err), -KEFU_ENOTFOUND);
	assert_int_equal(sla_count(s->e), 1);
	struct sla_options none = {0};
	struct sla_engine *e2 = NULL;
	assert_int_equal(sla_new(&none, &e2, &err), -KEFU_EINVAL);
	assert_null(e2);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(warns_at_the_share_then_breaches_on_wall_time),
	    cmocka_unit_test(business_deadline_waits_over_the_weekend_and_holidays),
	    cmocka_unit_test(one_business_day_lands_on_the_make_up_saturday),
	    cmocka_unit_test(pause_stops_the_clock_and_resume_counts_the_rest),
	    cmocka_unit_test(stopped_timers_never_fire),
	    cmocka_unit_test(timers_fire_in_due_order_and_callbacks_may_start_new_ones),
	    cmocka_unit_test(equal_instants_fire_first_in_first_out),
	    cmocka_unit_test(restored_states_fire_as_before_a_restart),
	    cmocka_unit_test(simulated_month_with_many_timers_runs_in_milliseconds),
	    cmocka_unit_test(bad_input_is_refused_and_changes_nothing),
	    cmocka_unit_test(end_of_day_deadline_breaches_at_local_midnight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

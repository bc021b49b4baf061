/* Unit tests for src/kpi/metrics.c and rollup.c: hand-computed small cases for every rule of
 * DESIGN §5.2 — rounds (a burst, the 600 s cap, the unanswered last round, bots dropped), channel
 * targets, presence merged and split at midnight, the 72 h windows inclusive, a session without
 * end, no ratings → null (not 0), complaints attribution — and rollups equal a rebuild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/import.h"
#include "kpi/metrics.h"
#include "kpi/rollup.h"
#include "store/store.h"

#include "store_fixture.h"

#define S(x) ((int64_t)(x)*1000)
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static struct kpi_rules R;

static void timing(const struct assess_msg *m, size_t n, struct kpi_timing *t)
{
	kpi_session_timing(m, n, &R, t);
}

static void burst_counts_from_first_message(void **state)
{
	/* customer at 0, 5, 9 s; agent at 20 s → one round of 20 s */
	struct assess_msg m[] = {{S(0), 'c'}, {S(5), 'c'}, {S(9), 'c'}, {S(20), 'a'}};
	struct kpi_timing t;
	timing(m, 4, &t);
	assert_true(t.has_frt);
	assert_int_equal(t.frt_ms, S(20));
	assert_int_equal(t.art_n, 1);
	assert_int_equal(t.art_sum_ms, S(20));
}

static void rounds_pooled_and_capped_at_600s(void **state)
{
	/* round 1: 0 → 10 s; round 2: 100 → 1000 s (900 s, capped 600); round 3: 2000 → 2030 s */
	struct assess_msg m[] = {{S(0), 'c'},	 {S(10), 'a'},	 {S(100), 'c'}, {S(1000), 'a'},
				 {S(2000), 'c'}, {S(2030), 'a'}, {S(2031), 'a'}};
	struct kpi_timing t;
	timing(m, 7, &t);
	assert_int_equal(t.frt_ms, S(10));
	assert_int_equal(t.art_n, 3);
	assert_int_equal(t.art_sum_ms, S(10 + 600 + 30));
}

static void bot_and_system_neither_split_nor_answer(void **state)
{
	/* c 0, bot 1 (dropped), c 3, system 4 (dropped), agent 30 → one round of 30 s */
	struct assess_msg m[] = {{S(0), 'c'}, {S(1), 'b'}, {S(3), 'c'}, {S(4), 's'}, {S(30), 'a'}};
	struct kpi_timing t;
	timing(m, 5, &t);
	assert_int_equal(t.art_n, 1);
	assert_int_equal(t.frt_ms, S(30));
}

static void unanswered_last_round_after_agent_is_left_out(void **state)
{
	/* c 0, a 12, c 100 ("谢谢") with no reply: the last round is left out */
	struct assess_msg m[] = {{S(0), 'c'}, {S(12), 'a'}, {S(100), 'c'}};
	struct kpi_timing t;
	timing(m, 3, &t);
	assert_int_equal(t.art_n, 1);
	assert_int_equal(t.art_sum_ms, S(12));
	assert_int_equal(t.frt_ms, S(12));
}

static void unanswered_only_round_counts_600s_and_is_never_within(void **state)
{
	struct assess_msg m[] = {{S(0), 'c'}, {S(1), 'b'}};
	struct kpi_timing t;
	timing(m, 2, &t);
	assert_true(t.has_frt);
	assert_false(t.frt_answered);
	assert_int_equal(t.frt_ms, S(600));
	assert_int_equal(t.art_n, 1);
	assert_false(kpi_frt_within(&R, "email", &t));
}

static void agent_first_then_unanswered_round_has_no_frt(void **state)
{
	struct assess_msg m[] = {{S(0), 'a'}, {S(5), 'c'}};
	struct kpi_timing t;
	timing(m, 2, &t);
	assert_false(t.has_frt);
	assert_int_equal(t.art_n, 0);
}

static void no_customer_messages_no_rounds(void **state)
{
	struct assess_msg m[] = {{S(0), 'a'}, {S(5), 'b'}};
	struct kpi_timing t;
	timing(m, 2, &t);
	assert_false(t.has_frt);
	assert_int_equal(t.art_n, 0);
}

static void within_target_per_channel_uses_the_uncapped_time(void **state)
{
	struct assess_msg m[] = {{S(0), 'c'}, {S(15), 'a'}};
	struct kpi_timing t;
	timing(m, 2, &t);
	assert_true(kpi_frt_within(&R, "web", &t)); /* 15 s ≤ 15 s: inclusive */
	assert_false(kpi_frt_within(&R, "phone", &t)); /* > 10 s */
	struct assess_msg m2[] = {{S(0), 'c'}, {S(3600), 'a'}};
	timing(m2, 2, &t);
	assert_int_equal(t.frt_ms, S(600)); /* capped for the mean */
	assert_true(kpi_frt_within(&R, "email", &t)); /* 1 h ≤ 2 h */
	assert_false(kpi_frt_within(&R, "im", &t));
}

static void presence_merged_split_at_midnight_and_clipped(void **state)
{
	/* day D starts at local midnight; intervals 22:00–01:00 and 23:00–02:00 of D/D+1 overlap:
	 * merged 22:00–02:00 → 2 h on D, 2 h on D+1; clipped to [D, D] gives only 2 h */
	int64_t d = 20727; /* 2026-10-01 local */
	int64_t t0 = kpi_day_start_ms(&R, d);
	struct kpi_interval iv[] = {{t0 + S(23 * 3600), t0 + S(26 * 3600)},
				    {t0 + S(22 * 3600), t0 + S(25 * 3600)}};
	int64_t online[2] = {0, 0};
	kpi_presence_days(iv, 2, &R, d, d + 1, online);
	assert_int_equal(online[0], S(2 * 3600));
	assert_int_equal(online[1], S(2 * 3600));
	struct kpi_interval iv2[] = {{t0 + S(22 * 3600), t0 + S(26 * 3600)}};
	int64_t one[1] = {0};
	kpi_presence_days(iv2, 1, &R, d, d, one);
	assert_int_equal(one[0], S(2 * 3600));
}

static void local_day_is_asia_shanghai(void **state)
{
	/* 2026-09-30T16:00:00Z is 2026-10-01 00:00 in +08:00 */
	assert_int_equal(kpi_day(&R, 1790784000000LL), 20727);
	assert_int_equal(kpi_day(&R, 1790784000000LL - 1), 20726);
}

/* ---- through the store: import a small file, refresh rollups, read the period --------------- */

static void import_text(struct fx *f, const char *text)
{
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int r = kpi_import_buffer(f->a, &R, "t.jsonl", text, strlen(text), &st, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
}

static const struct assess_agent *period(struct fx *f, struct assess_agents *g, const char *agent,
					 struct kpi_value v[KPI_METRIC_COUNT])
{
	struct kefu_err err;
	assert_int_equal(assess_store_period(f->a, 20727, 20757, g, &err), 0); /* 2026-10 */
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].id, agent) == 0) {
			kpi_values(&g->v[i], v);
			return &g->v[i];
		}
	fail_msg("agent %s missing", agent);
	return NULL;
}

#define HEAD                                                                                                 \
	"{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"team\":\"t1\",\"post\":\"presale\"}\n"           \
	"{\"kind\":\"agent\",\"id\":\"a2\",\"name\":\"B\",\"team\":\"t1\",\"post\":\"aftersale\"}\n"         \
	"{\"kind\":\"customer\",\"id\":\"c1\",\"type\":\"new\"}\n"                                           \
	"{\"kind\":\"customer\",\"id\":\"c2\",\"type\":\"vip\"}\n"                                           \
	"{\"kind\":\"customer\",\"id\":\"c3\"}\n"

static void repeat_within_72h_inclusive_breaks_fcr(void **state)
{
	struct fx *f = *state;
	/* s1 ends 10-01 10:00; s2 (same customer+category) starts exactly 72 h later → s1 not resolved.
	 * s3 (another category) does not count. s4 of c2 without end, s5 starts 72 h + 1 s after s4's
	 * start → s4 resolved. s5 rated solved:false → not resolved. */
	import_text(
	    f,
	    HEAD
	    "{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","
	    "\"start\":\"2026-10-01T09:00:00+08:00\",\"end\":\"2026-10-01T10:00:00+08:00\",\"category\":"
	    "\"order\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s2\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a2\","
	    "\"start\":\"2026-10-04T10:00:00+08:00\",\"category\":\"order\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s3\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a2\","
	    "\"start\":\"2026-10-02T10:00:00+08:00\",\"category\":\"product\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s4\",\"channel\":\"app\",\"customer\":\"c2\",\"agent\":\"a1\","
	    "\"start\":\"2026-10-05T10:00:00+08:00\",\"category\":\"policy\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s5\",\"channel\":\"app\",\"customer\":\"c2\",\"agent\":\"a2\","
	    "\"start\":\"2026-10-08T10:00:01+08:00\",\"category\":\"policy\"}\n"
	    "{\"kind\":\"rating\",\"session\":\"s5\",\"at\":\"2026-10-08T11:00:00+08:00\",\"score\":4,"
	    "\"solved\":false}\n");
	struct assess_agents g;
	struct kpi_value v[KPI_METRIC_COUNT];
	period(f, &g, "a1", v);
	assert_int_equal(v[KPI_K10].n, 2);
	assert_near(v[KPI_K10].value, 0.5); /* s1 repeated, s4 resolved */
	/* a1 has no ratings: K-06 is null with n 0, never 0 */
	assert_true(v[KPI_K06].null);
	assert_int_equal(v[KPI_K06].n, 0);
	assert_true(v[KPI_K06_MEAN].null);
	/* no presence: K-03 null */
	assert_true(v[KPI_K03].null);
	assess_agents_free(&g);
	period(f, &g, "a2", v);
	assert_int_equal(v[KPI_K10].n, 3); /* s2, s3 resolved; s5 solved:false */
	assert_near(v[KPI_K10].value, 2.0 / 3);
	assert_int_equal(v[KPI_K06].n, 1);
	assert_near(v[KPI_K06].value, 1.0);
	assert_near(v[KPI_K06_MEAN].value, 4.0);
	assess_agents_free(&g);
}

static void conversion_credits_the_latest_session_within_72h(void **state)
{
	struct fx *f = *state;
	/* c1 (new): s1 a1 10-01 09:00–10:00, s2 a2 10-02 09:00–09:30; order 10-04 09:30 (exactly 72 h
	 * after s2's end) credits s2 only. c2 (vip): s3 a1 10-10 09:00–, order during s3 (no end) credits
	 * s3. c3 (no type): s4 a1 10-11 09:00–10:00; order 72 h + 1 s after end → no credit. */
	import_text(
	    f,
	    HEAD
	    "{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","
	    "\"start\":\"2026-10-01T09:00:00+08:00\",\"end\":\"2026-10-01T10:00:00+08:00\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s2\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a2\","
	    "\"start\":\"2026-10-02T09:00:00+08:00\",\"end\":\"2026-10-02T09:30:00+08:00\"}\n"
	    "{\"kind\":\"order\",\"id\":\"o1\",\"customer\":\"c1\",\"at\":\"2026-10-05T09:30:00+08:00\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s3\",\"channel\":\"app\",\"customer\":\"c2\",\"agent\":\"a1\","
	    "\"start\":\"2026-10-10T09:00:00+08:00\"}\n"
	    "{\"kind\":\"order\",\"id\":\"o2\",\"customer\":\"c2\",\"at\":\"2026-10-10T09:05:00+08:00\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s4\",\"channel\":\"app\",\"customer\":\"c3\",\"agent\":\"a1\","
	    "\"start\":\"2026-10-11T09:00:00+08:00\",\"end\":\"2026-10-11T10:00:00+08:00\"}\n"
	    "{\"kind\":\"order\",\"id\":\"o3\",\"customer\":\"c3\",\"at\":\"2026-10-14T10:00:01+08:00\"}\n");
	struct assess_agents g;
	struct kpi_value v[KPI_METRIC_COUNT];
	period(f, &g, "a1", v);
	assert_int_equal(v[KPI_K13].n, 3);
	assert_near(v[KPI_K13].value, 1.0 / 3); /* s3 only */
	assert_int_equal(v[KPI_K13_NEW].n, 1);
	assert_near(v[KPI_K13_NEW].value, 0.0); /* s1 lost the order to the later s2 */
	assert_int_equal(v[KPI_K13_RV].n, 1);
	assert_near(v[KPI_K13_RV].value, 1.0);
	/* K-26: c1, c2, c3 served; c1 ordered within 30 days of s1's end; c2 during s3 is before
	 * "end" (= start, no end)… the order at 09:05 is after start: counted; c3 within 30 days */
	assert_int_equal(v[KPI_K26].n, 3);
	assert_near(v[KPI_K26].value, 1.0);
	assess_agents_free(&g);
	period(f, &g, "a2", v);
	assert_near(v[KPI_K13_NEW].value, 1.0);
	assess_agents_free(&g);
}

static void complaints_presence_and_timing_through_the_store(void **state)
{
	struct fx *f = *state;
	/* a1: presence 10-01 22:00 → 10-02 02:00 plus an overlapping 10-01 23:00–23:30: presence days
	 * 2, online 4 h → K-05 2 h/day; 1 session → K-03 0.5. A complaint naming only the session goes
	 * to a1; one naming a2 explicitly goes to a2 (who has no sessions: K-20 null). */
	import_text(
	    f,
	    HEAD
	    "{\"kind\":\"presence\",\"agent\":\"a1\",\"from\":\"2026-10-01T22:00:00+08:00\","
	    "\"to\":\"2026-10-02T02:00:00+08:00\"}\n"
	    "{\"kind\":\"presence\",\"agent\":\"a1\",\"from\":\"2026-10-01T23:00:00+08:00\","
	    "\"to\":\"2026-10-01T23:30:00+08:00\"}\n"
	    "{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","
	    "\"start\":\"2026-10-01T22:10:00+08:00\",\"end\":\"2026-10-01T22:30:00+08:00\"}\n"
	    "{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"customer\",\"at\":\"2026-10-01T22:10:00+08:"
	    "00\","
	    "\"text\":\"在吗\"}\n"
	    "{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"bot\",\"at\":\"2026-10-01T22:10:01+08:00\","
	    "\"text\":\"您好，请稍等\"}\n"
	    "{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"customer\",\"at\":\"2026-10-01T22:10:05+08:"
	    "00\","
	    "\"text\":\"有人吗\"}\n"
	    "{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"agent\",\"at\":\"2026-10-01T22:10:20+08:"
	    "00\","
	    "\"text\":\"亲，在的\"}\n"
	    "{\"kind\":\"complaint\",\"id\":\"p1\",\"customer\":\"c1\",\"at\":\"2026-10-03T10:00:00+08:00\","
	    "\"session\":\"s1\",\"escalated\":true}\n"
	    "{\"kind\":\"complaint\",\"id\":\"p2\",\"customer\":\"c1\",\"at\":\"2026-10-03T11:00:00+08:00\","
	    "\"session\":\"s1\",\"agent\":\"a2\"}\n");
	struct assess_agents g;
	struct kpi_value v[KPI_METRIC_COUNT];
	period(f, &g, "a1", v);
	assert_int_equal(v[KPI_K03].n, 2);
	assert_near(v[KPI_K03].value, 0.5);
	assert_near(v[KPI_K05].value, 2.0);
	assert_int_equal(v[KPI_K01].n, 1);
	assert_near(v[KPI_K01].value, 20.0);
	assert_int_equal(v[KPI_K01_WITHIN].n, 1);
	assert_near(v[KPI_K01_WITHIN].value, 0.0); /* 20 s > 15 s on web */
	assert_near(v[KPI_K20].value, 1000.0);
	assert_int_equal(v[KPI_K21].n, 1);
	assert_near(v[KPI_K21].value, 1.0);
	assess_agents_free(&g);
	period(f, &g, "a2", v);
	assert_true(v[KPI_K20].null); /* no sessions */
	assert_int_equal(v[KPI_K21].n, 1);
	assert_near(v[KPI_K21].value, 0.0);
	assess_agents_free(&g);
}

static void incremental_rollups_equal_rebuild(void **state)
{
	struct fx *f = *state;
	/* a second file adds a rating and a repeat session for the first file's session */
	import_text(
	    f,
	    HEAD
	    "{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\","
	    "\"agent\":\"a1\",\"start\":\"2026-10-01T09:00:00+08:00\",\"end\":\"2026-10-01T10:00:00+08:00\","
	    "\"category\":\"order\"}\n");
	import_text(
	    f,
	    "{\"kind\":\"rating\",\"session\":\"s1\",\"at\":\"2026-10-09T09:00:00+08:00\",\"score\":2}\n"
	    "{\"kind\":\"session\",\"id\":\"s2\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a2\","
	    "\"start\":\"2026-10-02T09:00:00+08:00\",\"category\":\"order\"}\n");
	struct assess_agents g;
	struct kpi_value v[KPI_METRIC_COUNT], w[KPI_METRIC_COUNT];
	period(f, &g, "a1", v);
	assess_agents_free(&g);
	assert_near(v[KPI_K10].value, 0.0);
	assert_near(v[KPI_K06].value, 0.0);
	struct kefu_err err;
	assert_int_equal(assess_store_begin(f->a, &err), 0);
	assert_int_equal(kpi_rollup_rebuild(f->a, &R, NULL, &err), 0);
	assert_int_equal(assess_store_commit(f->a, &err), 0);
	period(f, &g, "a1", w);
	assess_agents_free(&g);
	for (int i = 0; i < KPI_METRIC_COUNT; i++) {
		assert_int_equal(v[i].null, w[i].null);
		assert_int_equal(v[i].n, w[i].n);
		assert_true(v[i].value == w[i].value);
	}
}

int main(void)
{
	kpi_rules_default(&R);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(burst_counts_from_first_message),
	    cmocka_unit_test(rounds_pooled_and_capped_at_600s),
	    cmocka_unit_test(bot_and_system_neither_split_nor_answer),
	    cmocka_unit_test(unanswered_last_round_after_agent_is_left_out),
	    cmocka_unit_test(unanswered_only_round_counts_600s_and_is_never_within),
	    cmocka_unit_test(agent_first_then_unanswered_round_has_no_frt),
	    cmocka_unit_test(no_customer_messages_no_rounds),
	    cmocka_unit_test(within_target_per_channel_uses_the_uncapped_time),
	    cmocka_unit_test(presence_merged_split_at_midnight_and_clipped),
	    cmocka_unit_test(local_day_is_asia_shanghai),
	    cmocka_unit_test_setup_teardown(repeat_within_72h_inclusive_breaks_fcr, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(conversion_credits_the_latest_session_within_72h, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(complaints_presence_and_timing_through_the_store, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(incremental_rollups_equal_rebuild, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

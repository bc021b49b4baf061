/* Unit tests for src/ticket/ticket_sla.c with src/store/ticket_store.c on a real store: every timer
 * operation is an sla.* event, timers survive a restart (rebuilt from sla_timers, paused ones stay
 * paused, warned ones do not warn again, overdue ones breach at once), and bad sla.* payloads are
 * refused by the store without changing anything. Simulated clock throughout. */
#include "../store/store_fixture.h"

#include "store/ticket_store.h"
#include "ticket/ticket_sla.h"

#define MIN 60000LL

struct sim {
	int64_t now;
	struct kefu_clock clock;
	int warns, breaches;
	char last[SLA_ID_MAX * 2];
};

static int64_t sim_now(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

static void on_fire(void *arg, enum sla_phase phase, const char *ticket, const char *name,
		    const struct sla_state *st)
{
	struct sim *s = arg;
	if (phase == SLA_PHASE_WARN)
		s->warns++;
	else
		s->breaches++;
	snprintf(s->last, sizeof s->last, "%s:%s", ticket, name);
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

static struct ticket_sla *tsla_new(struct fx *f, struct calendar *cal, struct sim *s)
{
	struct ticket_sla_options o = {f->s, cal, &s->clock, 0.5, on_fire, s};
	struct ticket_sla *t = NULL;
	assert_int_equal(ticket_sla_new(&o, &t, NULL), 0);
	return t;
}

static int64_t count_events(struct fx *f, const char *type)
{
	json_t *arr;
	assert_int_equal(store_events_list(f->r, type, 0, 1000, &arr, NULL), 0);
	int64_t n = (int64_t)json_array_size(arr);
	json_decref(arr);
	return n;
}

static void timers_survive_a_restart(void **state)
{
	struct fx *f = *state;
	struct calendar *cal = cal_load();
	struct sim s = {.now = T("2026-03-09T09:00:00+08:00")};
	s.clock = (struct kefu_clock){sim_now, &s};
	struct ticket_sla *t = tsla_new(f, cal, &s);
	struct sla_spec claim = {SLA_BUSINESS, {CAL_MINUTES, 60}, 0}; /* N-14: claim within 1 h */
	struct sla_spec answer = {SLA_BUSINESS, {CAL_MINUTES, 120}, 0}; /* N-14: answer within 2 h */
	struct sla_spec p1 = {SLA_WALL, {CAL_MINUTES, 30}, 0}; /* N-13 */
	int64_t due;
	assert_int_equal(ticket_sla_start(t, "tk_1", "claim", 0, &claim, &due, NULL), 0);
	assert_true(due == T("2026-03-09T10:00:00+08:00"));
	assert_int_equal(ticket_sla_start(t, "tk_1", "answer", 0, &answer, NULL, NULL), 0);
	assert_int_equal(ticket_sla_start(t, "tk_2", "p1", 0, &p1, NULL, NULL), 0);
	assert_int_equal(ticket_sla_start(t, "tk_3", "claim", 0, &claim, NULL, NULL), 0);
	s.now = T("2026-03-09T09:40:00+08:00");
	ticket_sla_run(t); /* warns: tk_1/claim (30 m), tk_2/p1 (15 m), tk_3/claim */
	assert_int_equal(s.breaches, 1); /* tk_2/p1 was due at 09:30 */
	assert_int_equal(s.warns, 3);
	assert_int_equal(ticket_sla_pause(t, "tk_1", "answer", NULL), 0); /* waiting for the customer */
	assert_int_equal(ticket_sla_stop(t, "tk_3", "claim", "met", NULL), 0);
	ticket_sla_free(t);
	fx_close_store(f); /* commits what was queued; the process "dies" here */

	fx_open_store(f, NULL);
	struct ticket_store *ts;
	assert_int_equal(ticket_store_open(f->s, &ts, NULL), 0);
	s.now = T("2026-03-09T10:30:00+08:00"); /* restarted 50 min later */
	t = tsla_new(f, cal, &s);
	size_t n = 0;
	assert_int_equal(ticket_sla_rebuild(t, ts, &n, NULL), 0);
	assert_int_equal(n, 2); /* tk_2/p1 breached, tk_3/claim was met */
	struct sla_state st;
	assert_int_equal(sla_get(ticket_sla_engine(t), "tk_1/answer", &st), 0);
	assert_true(st.paused);
	assert_true(st.left_ms == 80 * MIN);
	ticket_sla_run(t);
	assert_int_equal(s.warns, 3); /* nothing warns twice */
	assert_int_equal(s.breaches, 2); /* tk_1/claim (due 10:00) breaches at once */
	assert_int_equal(ticket_sla_resume(t, "tk_1", "answer", NULL), 0);
	assert_int_equal(sla_get(ticket_sla_engine(t), "tk_1/answer", &st), 0);
	assert_true(st.due_ms == T("2026-03-09T11:50:00+08:00"));
	s.now = T("2026-03-09T12:00:00+08:00");
	ticket_sla_run(t);
	assert_int_equal(s.warns, 4);
	assert_int_equal(s.breaches, 3);
	assert_string_equal(s.last, "tk_1:answer");
	ticket_sla_free(t);
	ticket_store_close(ts);
	fx_close_store(f);
	fx_open_store(f, NULL);
	assert_int_equal(count_events(f, "sla.started"), 4);
	assert_int_equal(count_events(f, "sla.warned"), 4); /* tk_1/answer warned after resuming */
	assert_int_equal(count_events(f, "sla.breached"), 3);
	assert_int_equal(count_events(f, "sla.paused"), 1);
	assert_int_equal(count_events(f, "sla.resumed"), 1);
	assert_int_equal(count_events(f, "sla.stopped"), 1);
	/* after a second restart nothing is left to run */
	assert_int_equal(ticket_store_open(f->s, &ts, NULL), 0);
	t = tsla_new(f, cal, &s);
	assert_int_equal(ticket_sla_rebuild(t, ts, &n, NULL), 0);
	assert_int_equal(n, 0);
	ticket_sla_free(t);
	ticket_store_close(ts);
	calendar_free(cal);
}

static void bad_sla_events_are_refused_and_change_nothing(void **state)
{
	struct fx *f = *state;
	struct kefu_err err = {0};
	int64_t before = count_events(f, NULL);
	assert_int_equal(fx_try(f, "sla.started", NULL, 0, json_pack("{s:s}", "id", "x/y"), &err),
			 -KEFU_EINVAL);
	assert_int_equal(
	    fx_try(f, "sla.paused", NULL, 0,
		   json_pack("{s:s,s:i,s:i}", "id", "nope/claim", "left_ms", 1, "warn_left_ms", 0), &err),
	    -KEFU_ENOTFOUND);
	assert_int_equal(fx_try(f, "sla.breached", NULL, 0, json_pack("{s:s}", "id", "nope/claim"), &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(count_events(f, NULL), before);
}

static void bad_names_are_refused(void **state)
{
	struct fx *f = *state;
	struct calendar *cal = cal_load();
	struct sim s = {.now = T("2026-03-09T09:00:00+08:00")};
	s.clock = (struct kefu_clock){sim_now, &s};
	struct ticket_sla *t = tsla_new(f, cal, &s);
	struct sla_spec sp = {SLA_WALL, {CAL_MINUTES, 30}, 0};
	assert_int_equal(ticket_sla_start(t, "tk_1", "a/b", 0, &sp, NULL, NULL), -KEFU_EINVAL);
	assert_int_equal(ticket_sla_start(t, "", "claim", 0, &sp, NULL, NULL), -KEFU_EINVAL);
	assert_int_equal(ticket_sla_stop(t, "tk_1", "claim", "whatever", NULL), -KEFU_EINVAL);
	assert_int_equal(ticket_sla_pause(t, "tk_1", "claim", NULL), -KEFU_ENOTFOUND);
	assert_int_equal(sla_count(ticket_sla_engine(t)), 0);
	ticket_sla_free(t);
	calendar_free(cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(timers_survive_a_restart, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(bad_sla_events_are_refused_and_change_nothing, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(bad_names_are_refused, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

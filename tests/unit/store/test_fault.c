/* Fault injection for src/store (STYLE 14): for every statement step of one append group, make
 * that step fail (once, twice in a row, or from there on) and prove that every callback gets a
 * clean result, that an event whose callback failed left no trace in any table, that an event
 * whose callback succeeded is fully there, and that the store keeps working and keeps everything
 * committed across a reopen. */
#include "store_fixture.h"

#include "store/store_test.h"

enum { GROUP = 5 }; /* events per group; the group timer is long, so a group closes when full */

struct run {
	int done;
	int status[GROUP];
	int64_t event_id[GROUP];
	int err_code[GROUP];
};

struct slot {
	struct run *run;
	int i;
};

static void run_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct slot *sl = arg;
	sl->run->status[sl->i] = status;
	sl->run->event_id[sl->i] = event_id;
	sl->run->err_code[sl->i] = err ? err->code : -1;
	sl->run->done++;
}

/* Appends the group for tag (session s_<tag>, customer c_<tag>) and waits for its callbacks. */
static void run_group(struct fx *f, int tag, struct run *run)
{
	char sid[32], cid[32];
	snprintf(sid, sizeof sid, "s_%d", tag);
	snprintf(cid, sizeof cid, "c_%d", tag);
	struct store_event ev[GROUP] = {
	    {"session.opened", 0, sid, cid, json_pack("{s:s,s:s}", "channel", "web", "customer", cid)},
	    {"message", 0, sid, cid, json_pack("{s:i,s:s,s:s}", "seq", 1, "from", "customer", "text", "hi")},
	    {"message", 0, sid, "u_1",
	     json_pack("{s:i,s:s,s:s,s:s}", "seq", 2, "from", "agent", "agent", "u_1", "text", "yo")},
	    {"session.closed", 0, sid, "u_1", json_pack("{s:s,s:s}", "by", "agent", "summary", "done")},
	    {"customer.upserted", 0, NULL, NULL, json_pack("{s:s,s:s}", "id", cid, "name", "N")},
	};
	struct slot slots[GROUP];
	memset(run, 0, sizeof *run);
	for (int i = 0; i < GROUP; i++) {
		slots[i] = (struct slot){run, i};
		assert_int_equal(store_append(f->s, &ev[i], run_cb, &slots[i]), 0);
	}
	fx_poll_until(f, &run->done, GROUP);
}

/* Checks each event of the group for tag is either fully stored or not at all, as its callback
 * said. Returns how many succeeded. */
static int check_group(struct fx *f, int tag, const struct run *run)
{
	int ok = 0;
	for (int i = 0; i < GROUP; i++) {
		if (run->status[i] == 0) {
			assert_true(run->event_id[i] > 0);
			ok++;
		} else {
			assert_true(run->status[i] < 0);
			assert_int_equal(run->err_code[i], -run->status[i]);
			assert_int_equal(run->event_id[i], 0);
		}
	}
	char sid[32], cid[32];
	snprintf(sid, sizeof sid, "s_%d", tag);
	snprintf(cid, sizeof cid, "c_%d", tag);
	json_t *s = NULL;
	int r = store_session_get(f->r, sid, &s, NULL);
	assert_int_equal(r == 0, run->status[0] == 0);
	if (r == 0) {
		json_t *msgs;
		assert_int_equal(store_session_messages(f->r, sid, 0, 10, &msgs, NULL), 0);
		size_t want = (run->status[1] == 0) + (run->status[2] == 0);
		assert_int_equal(json_array_size(msgs), want);
		json_decref(msgs);
		assert_int_equal(json_is_null(json_object_get(s, "first_customer_ms")), run->status[1] != 0);
		assert_int_equal(json_is_null(json_object_get(s, "first_agent_ms")), run->status[2] != 0);
		assert_int_equal(strcmp(json_string_value(json_object_get(s, "state")), "closed") == 0,
				 run->status[3] == 0);
		json_decref(s);
	} else {
		for (int i = 1; i <= 3; i++)
			assert_int_not_equal(run->status[i], 0); /* nothing can land on a missing session */
	}
	json_t *p = NULL;
	r = store_customer_profile(f->r, cid, &p, NULL);
	if (r == 0) {
		assert_int_equal(json_is_string(json_object_get(p, "name")), run->status[4] == 0);
		json_decref(p);
	} else {
		assert_int_not_equal(run->status[4], 0);
		assert_int_not_equal(run->status[0], 0);
	}
	return ok;
}

/* One sweep: n = 1, 2, … until the fault no longer fires inside the group. */
static void sweep(int count)
{
	struct store_options o = {.group_max_events = GROUP, .group_max_wait_us = 30 * 1000 * 1000};
	struct fx *f = fx_new(&o);
	int64_t committed = 0;
	int tag = 0;
	int n;
	for (n = 1; n < 200; n++) {
		struct run run;
		store__fail_run(f->s, n, count);
		run_group(f, ++tag, &run);
		bool fired = !store__fault_armed(f->s);
		store__fail_after(f->s, 0);
		int ok = check_group(f, tag, &run);
		committed += ok;
		assert_int_equal(fx_events(f), committed);
		if (!fired) {
			assert_int_equal(ok, GROUP);
			break;
		}
		assert_true(ok < GROUP); /* a fired fault always costs at least one event */
		/* the store still works: a clean group commits whole */
		run_group(f, ++tag, &run);
		assert_int_equal(check_group(f, tag, &run), GROUP);
		committed += GROUP;
	}
	print_message("fault sweep count=%d: %d steps\n", count, n);
	/* every step of the group was hit: BEGIN, COMMIT and per event SAVEPOINT, INSERT, RELEASE */
	assert_true(n > 2 + 3 * GROUP);
	assert_true(n < 200);
	fx_close_store(f);
	fx_open_store(f, NULL); /* nothing committed is lost, nothing failed appears */
	assert_int_equal(fx_events(f), committed);
	fx_free(f);
}

static void one_failing_step_fails_cleanly_at_every_step(void **state)
{
	sweep(1);
}

static void two_failing_steps_fail_cleanly_at_every_step(void **state)
{
	sweep(2); /* also fails the ROLLBACK TO after a failed event: the group is rolled back whole */
}

static void failing_from_a_step_on_fails_cleanly_at_every_step(void **state)
{
	sweep(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_failing_step_fails_cleanly_at_every_step),
	    cmocka_unit_test(two_failing_steps_fail_cleanly_at_every_step),
	    cmocka_unit_test(failing_from_a_step_on_fails_cleanly_at_every_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

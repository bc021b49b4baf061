/* Unit tests for src/store/store.c: async appends complete only after commit and only through
 * store_poll on the caller's thread, group commit groups, one failing event fails only itself,
 * close and drain commit what is queued, limits and closing are refused, backups, stats. */
#include "store_fixture.h"

#include <sqlite3.h>

/* One async append's outcome. */
struct outcome {
	int status;
	int64_t event_id;
	int err_code;
	bool ran;
};

/* Shared by the callbacks of one test. */
struct tally {
	struct fx *f;
	int done; /* callbacks run */
	int visible; /* callbacks that found their event through a reader */
	pthread_t thread; /* the thread that must run the callbacks */
	bool wrong_thread;
	struct outcome *outcomes; /* indexed by the callback arg's slot, may be NULL */
};

struct slot {
	struct tally *t;
	int i;
};

static void tally_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct slot *sl = arg;
	struct tally *t = sl->t;
	t->done++;
	if (!pthread_equal(pthread_self(), t->thread))
		t->wrong_thread = true;
	assert_non_null(err);
	if (t->outcomes) {
		t->outcomes[sl->i] = (struct outcome){status, event_id, err->code, true};
	}
	if (status == 0 && t->f) {
		json_t *list = NULL;
		assert_int_equal(store_events_list(t->f->r, NULL, event_id - 1, 1, &list, NULL), 0);
		if (json_array_size(list) == 1 &&
		    json_integer_value(json_object_get(json_array_get(list, 0), "id")) == event_id)
			t->visible++;
		json_decref(list);
	}
}

static json_t *login_failed(int i)
{
	return json_pack("{s:s,s:s,s:i}", "name", "someone", "reason", "bad_password", "i", i);
}

static int append_async(struct fx *f, const char *type, const char *session, json_t *data, struct slot *sl)
{
	struct store_event ev = {.type = type, .session = session, .data = data};
	return store_append(f->s, &ev, tally_cb, sl);
}

static void async_callbacks_run_after_commit_on_polling_thread(void **state)
{
	struct fx *f = *state;
	enum { N = 200 };
	struct tally t = {.f = f, .thread = pthread_self()};
	struct slot slots[N];
	for (int i = 0; i < N; i++) {
		slots[i] = (struct slot){&t, i};
		assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(i), &slots[i]), 0);
	}
	assert_int_equal(t.done, 0); /* nothing runs without store_poll */
	fx_poll_until(f, &t.done, N);
	assert_int_equal(t.done, N);
	assert_int_equal(t.visible, N); /* committed before the callback ran */
	assert_false(t.wrong_thread);
	assert_int_equal(fx_events(f), N);
	assert_int_equal(store_poll(f->s), 0);
}

static void append_sync_needs_no_poll(void **state)
{
	struct fx *f = *state;
	int64_t a = fx_append(f, "auth.login_failed", NULL, NULL, 0, login_failed(1));
	int64_t b = fx_append(f, "auth.login_failed", NULL, NULL, 0, login_failed(2));
	assert_true(b > a);
	assert_int_equal(store_poll(f->s), 0); /* sync completions never go through the poll list */
	json_t *list;
	assert_int_equal(store_events_list(f->r, "auth.login_failed", 0, 10, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 2);
	json_t *e = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(e, "id")), a);
	assert_string_equal(json_string_value(json_object_get(e, "type")), "auth.login_failed");
	assert_true(json_is_null(json_object_get(e, "session")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "reason")),
			    "bad_password");
	json_decref(list);
}

static void burst_of_appends_is_committed_in_groups(void **state)
{
	struct fx *f = *state;
	enum { N = 5000 };
	struct tally t = {.thread = pthread_self()};
	struct slot sl = {&t, 0};
	for (int i = 0; i < N; i++)
		assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(i), &sl), 0);
	fx_poll_until(f, &t.done, N);
	struct store_stats st;
	store_stats_get(f->s, &st);
	assert_int_equal(st.events_committed, N);
	assert_true(st.commits < N / 2);
	assert_int_equal(st.queue_depth, 0);
	assert_int_equal(fx_events(f), N);
}

static void failing_event_fails_only_itself(void **state)
{
	/* one group of five: the wait is long, so the group closes when it is full */
	struct store_options o = {.group_max_events = 5, .group_max_wait_us = 30 * 1000 * 1000};
	struct fx *f = fx_new(&o);
	struct outcome out[5] = {0};
	struct tally t = {.thread = pthread_self(), .outcomes = out};
	struct slot sl[5];
	for (int i = 0; i < 5; i++)
		sl[i] = (struct slot){&t, i};
	assert_int_equal(append_async(f, "session.opened", "s1",
				      json_pack("{s:s,s:s}", "channel", "web", "customer", "c1"), &sl[0]),
			 0);
	assert_int_equal(append_async(f, "message", "s1",
				      json_pack("{s:i,s:s,s:s}", "seq", 1, "from", "customer", "text", "a"),
				      &sl[1]),
			 0);
	assert_int_equal(append_async(f, "message", "s1",
				      json_pack("{s:i,s:s,s:s}", "seq", 1, "from", "customer", "text", "dup"),
				      &sl[2]),
			 0);
	assert_int_equal(append_async(f, "no.such.type", "s1", json_object(), &sl[3]), 0);
	assert_int_equal(append_async(f, "message", "s1",
				      json_pack("{s:i,s:s,s:s}", "seq", 2, "from", "agent", "text", "b"),
				      &sl[4]),
			 0);
	fx_poll_until(f, &t.done, 5);
	assert_int_equal(out[0].status, 0);
	assert_int_equal(out[1].status, 0);
	assert_int_equal(out[2].status, -KEFU_ECONFLICT);
	assert_int_equal(out[2].err_code, KEFU_ECONFLICT);
	assert_int_equal(out[2].event_id, 0);
	assert_int_equal(out[3].status, -KEFU_EINVAL);
	assert_int_equal(out[4].status, 0);
	assert_true(out[4].event_id > out[1].event_id);
	struct store_stats st;
	store_stats_get(f->s, &st);
	assert_int_equal(st.commits, 1);
	assert_int_equal(st.events_committed, 3);
	json_t *msgs;
	assert_int_equal(store_session_messages(f->r, "s1", 0, 10, &msgs, NULL), 0);
	assert_int_equal(json_array_size(msgs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "text")), "a");
	json_decref(msgs);
	json_t *sess;
	assert_int_equal(store_session_get(f->r, "s1", &sess, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(sess, "last_seq")), 2);
	json_decref(sess);
	assert_int_equal(fx_events(f), 3);
	fx_free(f);
}

static void close_commits_queued_events(void **state)
{
	struct store_options o = {.group_max_events = 1000, .group_max_wait_us = 60 * 1000 * 1000};
	struct fx *f = fx_new(&o);
	struct tally t = {.thread = pthread_self()};
	struct slot sl = {&t, 0};
	for (int i = 0; i < 10; i++)
		assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(i), &sl), 0);
	time_t t0 = time(NULL);
	fx_close_store(f); /* does not wait for the 60 s group timer */
	assert_true(time(NULL) - t0 < 30);
	assert_int_equal(t.done, 0); /* dropped after commit: no poll came */
	fx_open_store(f, NULL);
	assert_int_equal(fx_events(f), 10);
	fx_free(f);
}

static void drain_commits_then_poll_runs_callbacks_and_appends_are_refused(void **state)
{
	struct store_options o = {.group_max_wait_us = 60 * 1000 * 1000};
	struct fx *f = fx_new(&o);
	struct tally t = {.thread = pthread_self()};
	struct slot sl = {&t, 0};
	for (int i = 0; i < 5; i++)
		assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(i), &sl), 0);
	store_drain(f->s);
	assert_int_equal(store_poll(f->s), 5);
	assert_int_equal(t.done, 5);
	assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(9), &sl), -KEFU_ECLOSED);
	struct kefu_err err;
	assert_int_equal(fx_try(f, "auth.login_failed", NULL, 0, login_failed(9), &err), -KEFU_ECLOSED);
	assert_int_equal(err.code, KEFU_ECLOSED);
	store_drain(f->s); /* again: returns at once */
	assert_int_equal(store_poll(f->s), 0);
	assert_int_equal(t.done, 5); /* refused appends never call back */
	assert_int_equal(fx_events(f), 5);
	fx_free(f);
}

static void full_queue_is_refused(void **state)
{
	struct store_options o = {.queue_max = 3, .group_max_wait_us = 60 * 1000 * 1000};
	struct fx *f = fx_new(&o);
	struct tally t = {.thread = pthread_self()};
	struct slot sl = {&t, 0};
	for (int i = 0; i < 3; i++)
		assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(i), &sl), 0);
	assert_int_equal(append_async(f, "auth.login_failed", NULL, login_failed(3), &sl), -KEFU_ELIMIT);
	struct store_stats st;
	store_stats_get(f->s, &st);
	assert_int_equal(st.queue_depth, 3);
	store_drain(f->s);
	assert_int_equal(store_poll(f->s), 3);
	assert_int_equal(fx_events(f), 3);
	fx_free(f);
}

static void invalid_events_are_refused(void **state)
{
	struct fx *f = *state;
	struct tally t = {.thread = pthread_self()};
	struct slot sl = {&t, 0};
	struct store_event ev = {.type = NULL, .data = json_object()};
	assert_int_equal(store_append(f->s, &ev, tally_cb, &sl), -KEFU_EINVAL);
	ev = (struct store_event){.type = "auth.login_failed", .data = json_array()};
	assert_int_equal(store_append(f->s, &ev, tally_cb, &sl), -KEFU_EINVAL);
	struct kefu_err err;
	assert_int_equal(fx_try(f, "no.such.type", NULL, 0, json_object(), &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "type");
	assert_int_equal(fx_try(f, "message", "nope", 0,
				json_pack("{s:i,s:s,s:s}", "seq", 1, "from", "customer", "text", "x"), &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(fx_try(f, "message", "nope", 0, json_pack("{s:s}", "seq", "1"), &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "seq");
	assert_int_equal(store_poll(f->s), 0);
	assert_int_equal(t.done, 0);
	assert_int_equal(fx_events(f), 0);
}

static void backup_is_an_openable_copy(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 50; i++)
		fx_append(f, "auth.login_failed", NULL, NULL, 0, login_failed(i));
	char dest[300];
	snprintf(dest, sizeof dest, "%s/backups/copy.db", f->dir);
	struct kefu_err err;
	int r = store_backup(f->s, dest, &err);
	if (r < 0)
		print_error("backup: %s\n", err.msg);
	assert_int_equal(r, 0);
	fx_append(f, "auth.login_failed", NULL, NULL, 0, login_failed(99)); /* not in the copy */
	struct store *copy;
	assert_int_equal(store_open(dest, NULL, &copy, &err), 0);
	struct store_reader *cr;
	assert_int_equal(store_reader_open(copy, &cr, &err), 0);
	int64_t n = 0;
	assert_int_equal(store_events_count(cr, &n, &err), 0);
	assert_int_equal(n, 50);
	store_reader_close(cr);
	store_close(copy);
	assert_int_equal(fx_events(f), 51);
}

static void events_list_pages_and_filters_by_type(void **state)
{
	struct fx *f = *state;
	int64_t ids[6];
	for (int i = 0; i < 6; i++) {
		if (i % 2)
			ids[i] = fx_append(f, "presence.changed", NULL, "u_1", 1790816405000LL + i,
					   json_pack("{s:s,s:s,s:s}", "agent", "u_1", "status",
						     i % 4 == 1 ? "online" : "away", "prev", "offline"));
		else
			ids[i] = fx_append(f, "auth.login_failed", NULL, NULL, 1790816405000LL + i,
					   login_failed(i));
	}
	json_t *list;
	assert_int_equal(store_events_list(f->r, NULL, ids[1], 2, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), ids[2]);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "at")),
			    "2026-10-01T09:00:05.002+08:00");
	json_decref(list);
	assert_int_equal(store_events_list(f->r, "presence.changed", 0, 100, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "actor")), "u_1");
	json_decref(list);
	assert_int_equal(store_events_list(f->r, NULL, 0, 0, &list, NULL), -KEFU_EINVAL);
}

struct appender {
	struct fx *f;
	int n;
	int failures;
};

static void *appender_main(void *arg)
{
	struct appender *a = arg;
	for (int i = 0; i < a->n; i++) {
		struct store_event ev = {.type = "auth.login_failed", .data = login_failed(i)};
		if (store_append_sync(a->f->s, &ev, NULL, NULL) != 0)
			a->failures++;
	}
	return NULL;
}

static void concurrent_appenders_all_commit(void **state)
{
	struct fx *f = *state;
	enum { THREADS = 8, EACH = 100 };
	pthread_t th[THREADS];
	struct appender a[THREADS];
	for (int i = 0; i < THREADS; i++) {
		a[i] = (struct appender){f, EACH, 0};
		assert_int_equal(pthread_create(&th[i], NULL, appender_main, &a[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	assert_int_equal(fx_events(f), THREADS * EACH);
	struct store_stats st;
	store_stats_get(f->s, &st);
	assert_int_equal(st.events_committed, THREADS * EACH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(async_callbacks_run_after_commit_on_polling_thread, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(append_sync_needs_no_poll, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(burst_of_appends_is_committed_in_groups, fx_setup, fx_teardown),
	    cmocka_unit_test(failing_event_fails_only_itself),
	    cmocka_unit_test(close_commits_queued_events),
	    cmocka_unit_test(drain_commits_then_poll_runs_callbacks_and_appends_are_refused),
	    cmocka_unit_test(full_queue_is_refused),
	    cmocka_unit_test_setup_teardown(invalid_events_are_refused, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(backup_is_an_openable_copy, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(events_list_pages_and_filters_by_type, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_appenders_all_commit, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* store_fixture.h — shared helpers for the src/store unit tests: a temporary directory per test,
 * a store and a reader in it, synchronous appends that assert success, and waiting for async
 * completions through the notify hook (no sleeping to synchronise). Header-only: the build globs
 * test_*.c, one binary each. */
#ifndef KEFU_TEST_STORE_FIXTURE_H
#define KEFU_TEST_STORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

struct fx {
	char dir[128]; /* mkdtemp directory, removed at teardown */
	char path[256]; /* dir/data/kefu.db: the parent is created by store_open */
	struct store *s;
	struct store_reader *r; /* a reader for the test thread */
	pthread_mutex_t mu; /* guards notified */
	pthread_cond_t cv;
	int notified; /* notify calls not yet consumed */
};

static inline void fx_notify_cb(void *arg)
{
	struct fx *f = arg;
	pthread_mutex_lock(&f->mu);
	f->notified++;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static inline int fx_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static inline void fx_open_store(struct fx *f, const struct store_options *opts)
{
	struct kefu_err err;
	int r = store_open(f->path, opts, &f->s, &err);
	if (r < 0)
		print_error("store_open: %s\n", err.msg);
	assert_int_equal(r, 0);
	store_set_notify(f->s, fx_notify_cb, f);
	assert_int_equal(store_reader_open(f->s, &f->r, &err), 0);
}

static inline void fx_close_store(struct fx *f)
{
	store_reader_close(f->r);
	f->r = NULL;
	store_close(f->s);
	f->s = NULL;
}

static inline struct fx *fx_new(const struct store_options *opts)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kefu-store-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/data/kefu.db", f->dir);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (opts != (const struct store_options *)-1)
		fx_open_store(f, opts);
	return f;
}

static inline void fx_free(struct fx *f)
{
	if (f->s)
		fx_close_store(f);
	nftw(f->dir, fx_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static inline int fx_setup(void **state)
{
	*state = fx_new(NULL);
	return 0;
}

static inline int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* Appends synchronously and asserts success; returns the event id. Takes data. */
static inline int64_t fx_append(struct fx *f, const char *type, const char *session, const char *actor,
				int64_t at_ms, json_t *data)
{
	struct store_event ev = {
	    .type = type, .at_ms = at_ms, .session = session, .actor = actor, .data = data};
	int64_t id = 0;
	struct kefu_err err;
	int r = store_append_sync(f->s, &ev, &id, &err);
	if (r < 0)
		print_error("append %s: %s (%s)\n", type, err.msg, err.field);
	assert_int_equal(r, 0);
	assert_true(id > 0);
	return id;
}

/* Appends synchronously and returns the status (err filled). Takes data. */
static inline int fx_try(struct fx *f, const char *type, const char *session, int64_t at_ms, json_t *data,
			 struct kefu_err *err)
{
	struct store_event ev = {.type = type, .at_ms = at_ms, .session = session, .data = data};
	return store_append_sync(f->s, &ev, NULL, err);
}

/* Runs store_poll until *count reaches want, waiting on the notify hook between polls; fails the
 * test after 60 s. */
static inline void fx_poll_until(struct fx *f, const int *count, int want)
{
	time_t give_up = time(NULL) + 60;
	for (;;) {
		store_poll(f->s);
		if (*count >= want)
			return;
		assert_true(time(NULL) < give_up);
		pthread_mutex_lock(&f->mu);
		if (!f->notified) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&f->cv, &f->mu, &ts);
		}
		f->notified = 0;
		pthread_mutex_unlock(&f->mu);
	}
}

static inline int64_t fx_events(struct fx *f)
{
	int64_t n = -1;
	assert_int_equal(store_events_count(f->r, &n, NULL), 0);
	return n;
}

#endif

/* store_fixture.h — the temporary store the kpi unit tests run against: a fresh SQLite file in a
 * directory of its own under /tmp with the assess store open on it, removed with its directory
 * after the test. Header-only (static inline) for the test files of this folder. */
#ifndef KEFU_TESTS_KPI_STORE_FIXTURE_H
#define KEFU_TESTS_KPI_STORE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/assess_store.h"
#include "store/store.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	struct assess_store *a;
};

static inline int fx_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline struct fx *fx_open(void)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kefu-kpi-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/kefu.db", f->dir);
	struct kefu_err err;
	assert_int_equal(store_open(f->path, NULL, &f->s, &err), 0);
	assert_int_equal(assess_store_open(f->s, &f->a, &err), 0);
	return f;
}

static inline void fx_close(struct fx *f)
{
	assess_store_close(f->a);
	store_close(f->s);
	nftw(f->dir, fx_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
}

/* cmocka setup / teardown */
static inline int fx_setup(void **state)
{
	*state = fx_open();
	return 0;
}

static inline int fx_teardown(void **state)
{
	fx_close(*state);
	return 0;
}

#endif

/* kb_fixture.h — shared helpers for the src/kb unit tests: a store in a temporary directory, the kb
 * bulk writer and read connection on it, importing JSON Lines from a string, and a kb data
 * directory written from strings. Header-only: the build globs test_*.c, one binary each. */
#ifndef KEFU_TEST_KB_FIXTURE_H
#define KEFU_TEST_KB_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb/kb.h"
#include "store/kb_store.h"
#include "store/store.h"

struct kfx {
	char dir[128]; /* mkdtemp, removed at teardown */
	char path[256]; /* dir/kefu.db */
	struct store *s;
	struct store_kb_writer *w;
	struct store_kb *k;
	struct kb_config *c; /* empty unless kfx_config() */
};

static inline struct kfx *kfx_new(void)
{
	struct kfx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kefu-kb-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/kefu.db", f->dir);
	struct kefu_err err = {0};
	assert_int_equal(store_open(f->path, NULL, &f->s, &err), 0);
	assert_int_equal(store_kb_writer_open(f->s, &f->w, &err), 0);
	assert_int_equal(store_kb_open(f->s, &f->k, &err), 0);
	assert_int_equal(kb_config_load(NULL, &f->c, &err), 0);
	return f;
}

static inline int kfx_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static inline void kfx_free(struct kfx *f)
{
	kb_config_free(f->c);
	store_kb_close(f->k);
	store_kb_writer_close(f->w);
	store_close(f->s);
	nftw(f->dir, kfx_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
}

/* Imports text as file name; returns the result, fills st and err. */
static inline int kfx_import(struct kfx *f, const char *name, const char *text, struct kb_import_stats *st,
			     struct kefu_err *err)
{
	kefu_err_clear(err);
	return kb_import_buffer(f->w, name, text, strlen(text), st, err);
}

/* Writes a file into the fixture directory (for kb_config_load). */
static inline void kfx_write(struct kfx *f, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", f->dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Reloads the configuration from the fixture directory. */
static inline int kfx_config(struct kfx *f, struct kefu_err *err)
{
	kb_config_free(f->c);
	f->c = NULL;
	int r = kb_config_load(f->dir, &f->c, err);
	if (r < 0)
		assert_int_equal(kb_config_load(NULL, &f->c, NULL), 0);
	return r;
}

/* Searches and returns the hit ids joined by ',' (static buffer). */
static inline const char *kfx_search(struct kfx *f, const char *q, const struct store_kb_filter *flt, int top)
{
	static char out[1024];
	struct kb_hit hits[KB_TOP_MAX];
	int n = 0;
	struct kefu_err err = {0};
	assert_int_equal(kb_search(f->c, f->k, q, strlen(q), flt, top, hits, &n, &err), 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, hits[i].id);
		if (i)
			assert_true(hits[i - 1].score >= hits[i].score);
	}
	return out;
}

#endif

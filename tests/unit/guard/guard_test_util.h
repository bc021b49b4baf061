/* guard_test_util.h — shared helpers for the guard unit tests: locating the shipped lexicons via
 * KEFU_SOURCE_DIR (set by ctest, or the compile definition) and scanning a C string. Test-only. */
#ifndef KEFU_TEST_GUARD_UTIL_H
#define KEFU_TEST_GUARD_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard.h"

static inline const char *gt_lexicon_dir(void)
{
	static char buf[4096];
	const char *src = getenv("KEFU_SOURCE_DIR");
#ifdef KEFU_SOURCE_DIR
	if (!src)
		src = KEFU_SOURCE_DIR;
#endif
	snprintf(buf, sizeof buf, "%s/data/lexicons", src ? src : ".");
	return buf;
}

static inline struct guard *gt_load(void)
{
	struct guard *g = NULL;
	struct kefu_err err = {0};
	if (guard_load(gt_lexicon_dir(), &g, &err) != 0) {
		fprintf(stderr, "guard_load: %s: %s\n", err.field, err.msg);
		abort();
	}
	return g;
}

/* Scans s; returns the verdict; r is left filled for inspection. */
static inline enum guard_verdict gt_scan(struct guard *g, struct guard_scratch *s, enum guard_role role,
					 const char *text, struct guard_result *r)
{
	if (guard_scan(g, s, role, text, strlen(text), r, NULL) != 0)
		abort();
	return r->verdict;
}

/* True when r has a hit of rule (e.g. "C-01") whose text equals t (t NULL: any text). */
static inline int gt_has(const struct guard_result *r, const char *rule, const char *t)
{
	for (size_t i = 0; i < r->nhits; i++)
		if (strcmp(r->hits[i].rule, rule) == 0 && (!t || strcmp(r->hits[i].text, t) == 0))
			return 1;
	return 0;
}

#endif

/* fuzz_guard_scan.c — libFuzzer harness for guard_scan and guard_mask with the shipped lexicons:
 * any byte string is either refused (invalid UTF-8, too long) or scanned without memory errors,
 * with hit offsets inside the input and a masked text. Built only with -DKEFU_FUZZ=ON (clang). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard.h"

static struct guard *g;
static struct guard_scratch *s;

static void init(void)
{
	char dir[4096];
	const char *src = getenv("KEFU_SOURCE_DIR");
#ifdef KEFU_SOURCE_DIR
	if (!src)
		src = KEFU_SOURCE_DIR;
#endif
	snprintf(dir, sizeof dir, "%s/data/lexicons", src ? src : ".");
	struct kefu_err err = {0};
	if (guard_load(dir, &g, &err) != 0) {
		fprintf(stderr, "fuzz_guard_scan: %s: %s\n", err.field, err.msg);
		abort();
	}
	s = guard_scratch_new(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g)
		init();
	if (size < 1)
		return 0;
	enum guard_role role = data[0] & 1 ? GUARD_ROLE_CUSTOMER : GUARD_ROLE_AGENT;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct guard_result r;
	if (guard_scan(g, s, role, text, len, &r, NULL) == 0) {
		for (size_t i = 0; i < r.nhits; i++)
			if (r.hits[i].start > r.hits[i].end || r.hits[i].end > len ||
			    memcmp(text + r.hits[i].start, r.hits[i].text, r.hits[i].end - r.hits[i].start) !=
				0)
				abort();
		char *rw = guard_rewrite(&r, text, len);
		free(rw);
		guard_result_clear(&r);
		char *m = NULL;
		if (guard_mask(g, s, text, len, &m, NULL) != 0 || !m)
			abort();
		free(m);
	}
	return 0;
}

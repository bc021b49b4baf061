/* fuzz_guard_lexicon.c — libFuzzer harness for the lexicon loader: the input becomes one lexicon
 * file (the first byte picks its type header, the rest is the body) in a private temp directory;
 * guard_load must either refuse it with "file:line" or load a guard that scans. Built only with
 * -DKEFU_FUZZ=ON (clang). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/guard.h"

static char dir[64];
static char path[128];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const headers[] = {"rules",	 "exceptions", "pii",
					      "emotion", "surnames",   "divisions"};
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/kefu-fuzz-lex-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof path, "%s/fuzz.tsv", dir);
	}
	if (size < 1 || size > 65536)
		return 0;
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fprintf(f, "#kefu-lexicon %s 1\n", headers[data[0] % 6]);
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	struct guard *g = NULL;
	struct kefu_err err = {0};
	int rc = guard_load(dir, &g, &err);
	if (rc == 0) {
		struct guard_scratch *s = guard_scratch_new(g);
		struct guard_result r;
		const char *t = "这是最好的,电话13812345678,加微信";
		if (guard_scan(g, s, GUARD_ROLE_AGENT, t, strlen(t), &r, NULL) == 0)
			guard_result_clear(&r);
		guard_scratch_free(s);
		guard_unref(g);
	} else if (rc == -KEFU_EINVAL && !strchr(err.field, ':') && strcmp(err.field, "built-in") != 0) {
		abort(); /* a refused entry always names file:line */
	}
	return 0;
}

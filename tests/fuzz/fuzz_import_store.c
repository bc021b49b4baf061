/* fuzz_import_store.c — libFuzzer harness for the whole `kefu import` path (src/kpi/import.c with
 * the ticket, return and exchange kinds and their steps, the store writes and the rollup refresh):
 * each input is imported as one file into one store kept for the run, which starts with a few
 * agents, customers and sessions to reference. Nothing may crash, and bad input must be refused
 * with a message naming the file and line. Built only with -DKEFU_FUZZ=ON (tests/fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/import.h"
#include "kpi/metrics.h"
#include "store/store.h"

static const char base[] =
    "{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"team\":\"t1\",\"post\":\"aftersale\"}\n"
    "{\"kind\":\"agent\",\"id\":\"a2\",\"name\":\"B\",\"team\":\"t1\",\"post\":\"complaint\"}\n"
    "{\"kind\":\"customer\",\"id\":\"c1\",\"region\":\"新疆\"}\n"
    "{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","
    "\"start\":\"2026-10-01T09:00:00+08:00\"}\n";

static struct store *st;
static struct assess_store *as;
static struct kpi_rules rules;

static void init(void)
{
	char dir[] = "/tmp/kefu-fuzz-import-XXXXXX", path[64];
	struct kefu_err err = {0};
	struct kpi_import_stats s;
	kpi_rules_default(&rules);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/kefu.db", dir);
	if (store_open(path, NULL, &st, &err) < 0 || assess_store_open(st, &as, &err) < 0 ||
	    kpi_import_buffer(as, &rules, "base.jsonl", base, sizeof base - 1, &s, &err) < 0) {
		fprintf(stderr, "fuzz_import_store: %s\n", err.msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!as)
		init();
	struct kpi_import_stats s;
	struct kefu_err err = {0};
	int r = kpi_import_buffer(as, &rules, "fuzz.jsonl", (const char *)data, size, &s, &err);
	if (r == -KEFU_EINVAL && strncmp(err.msg, "fuzz.jsonl:", 11) != 0)
		abort(); /* an input error names file and line */
	if (r < 0 && r != -KEFU_EINVAL)
		abort(); /* the store itself never fails on input */
	return 0;
}

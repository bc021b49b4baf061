/* fuzz_kb.c — libFuzzer harness for the knowledge-base parsers and the version diff (issue 7):
 * each input is imported into one store kept for the run, as JSON Lines when it starts with '{',
 * else as Markdown (kb_import_markdown / kb_import_buffer). An error must name the file and line;
 * after a successful import the Markdown and JSON Lines exports must read back into the same store
 * as "unchanged" (while the store is small enough to export on every run). The input's two halves,
 * when valid UTF-8 without NUL, are diffed (kb_diff) and the runs must rebuild both halves. Built
 * only with -DKEFU_FUZZ=ON (tests/fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "kb/kb.h"
#include "store/kb_store.h"
#include "store/store.h"

enum { EXPORT_MAX = 300 }; /* articles up to which every successful run checks the round trip */

static struct store *st;
static struct store_kb_writer *w;
static struct store_kb *k;

static void init(void)
{
	char dir[] = "/tmp/kefu-fuzz-kb-XXXXXX", path[64];
	struct kefu_err err = {0};
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/kefu.db", dir);
	if (store_open(path, NULL, &st, &err) < 0 || store_kb_writer_open(st, &w, &err) < 0 ||
	    store_kb_open(st, &k, &err) < 0) {
		fprintf(stderr, "fuzz_kb: %s\n", err.msg);
		abort();
	}
}

static void round_trip(enum kb_format f, const char *name)
{
	struct buf out;
	buf_init(&out);
	struct kefu_err err = {0};
	struct kb_import_stats s;
	int64_t n = 0;
	if (kb_export(k, f, &out, &n, &err) < 0)
		abort();
	int r = f == KB_FORMAT_MARKDOWN
	    ? kb_import_markdown(w, name, out.data ? out.data : "", out.len, &s, &err)
	    : kb_import_buffer(w, name, out.data ? out.data : "", out.len, &s, &err);
	if (r < 0 || s.stored != 0 || s.same != n) {
		fprintf(stderr, "fuzz_kb: %s export does not read back unchanged: %s\n", name, err.msg);
		abort();
	}
	buf_free(&out);
}

static void rebuild(json_t *ops, char other, struct buf *b)
{
	size_t i;
	json_t *o;
	json_array_foreach(ops, i, o)
	{
		const char *op = json_string_value(json_object_get(o, "op"));
		if (!op)
			abort();
		if (op[0] == '=' || op[0] == other)
			buf_append(b, json_string_value(json_object_get(o, "text")),
				   json_string_length(json_object_get(o, "text")));
	}
}

static void diff_halves(const char *s, size_t n)
{
	size_t h = n / 2;
	if (!utf8_valid(s, n, NULL) || memchr(s, '\0', n))
		return;
	while (h > 0 && ((unsigned char)s[h] & 0xC0) == 0x80)
		h--; /* split between characters */
	json_t *ops = kb_diff(s, h, s + h, n - h, n > 0 && (s[0] & 2));
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	rebuild(ops, '-', &a);
	rebuild(ops, '+', &b);
	if (a.len != h || b.len != n - h || memcmp(a.data ? a.data : "", s, h) != 0 ||
	    memcmp(b.data ? b.data : "", s + h, n - h) != 0)
		abort(); /* the runs must give back both texts */
	buf_free(&a);
	buf_free(&b);
	json_decref(ops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!w)
		init();
	const char *s = (const char *)data;
	bool md = size == 0 || data[0] != '{';
	const char *name = md ? "fuzz.md" : "fuzz.jsonl";
	struct kb_import_stats stats;
	struct kefu_err err = {0};
	int r = md ? kb_import_markdown(w, name, s, size, &stats, &err)
		   : kb_import_buffer(w, name, s, size, &stats, &err);
	if (r == -KEFU_EINVAL && strncmp(err.msg, name, strlen(name)) != 0)
		abort(); /* an input error names file and line */
	if (r < 0 && r != -KEFU_EINVAL)
		abort(); /* the store itself never fails on input */
	int64_t live = 0;
	if (r == 0 && stats.stored > 0 && store_kb_count(k, &live, NULL) == 0 && live <= EXPORT_MAX) {
		round_trip(KB_FORMAT_MARKDOWN, "rt.md");
		round_trip(KB_FORMAT_JSONL, "rt.jsonl");
	}
	diff_halves(s, size);
	return 0;
}

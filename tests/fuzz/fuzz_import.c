/* fuzz_import.c — libFuzzer harness for the import line parser (src/kpi/jsonl.c): every input is
 * parsed as one line, and each string value found is unescaped; nothing may crash, read out of
 * bounds or decode to more bytes than its token. Built only with -DKEFU_FUZZ=ON (tests/fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "kpi/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonl_field f[32]; /* ticket lines have up to 20 fields */
	int nf = 0;
	size_t off = 0;
	const char *why = NULL;
	if (jsonl_parse((const char *)data, size, f, 32, &nf, &off, &why) < 0) {
		if (off > size || !why)
			abort();
		return 0;
	}
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < nf; i++) {
		if (f[i].type != JSONL_STR)
			continue;
		buf_reset(&b);
		if (jsonl_unescape(f[i].raw, f[i].raw_len, &b) == 0 && b.len > f[i].raw_len)
			abort();
	}
	buf_free(&b);
	return 0;
}

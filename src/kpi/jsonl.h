/* jsonl.h — the strict, allocation-free parser for one line of the import format (DESIGN §5.1):
 * one flat JSON object whose values are strings, numbers, booleans or null. It only finds and
 * checks tokens; it never decides which keys are allowed (import.c does) and never allocates:
 * fields point into the caller's line. Nested objects and arrays are refused. */
#ifndef KEFU_KPI_JSONL_H
#define KEFU_KPI_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

enum jsonl_type { JSONL_STR, JSONL_NUM, JSONL_TRUE, JSONL_FALSE, JSONL_NULL };

struct jsonl_field {
	const char *key; /* borrowed from the line, without quotes; keys never hold escapes */
	size_t key_len;
	enum jsonl_type type;
	const char *raw; /* the value token as written (a string with its quotes) */
	size_t raw_len;
	bool escaped; /* a string token that holds a backslash escape */
};

/* Parses s[0..n) (no newline) as one object of at most max fields. Returns 0 with *nf fields in
 * input order, or -KEFU_EINVAL with *off the byte offset of the problem and *why a static reason
 * ("invalid UTF-8", "duplicate key", "nested value", …). */
int jsonl_parse(const char *s, size_t n, struct jsonl_field *f, int max, int *nf, size_t *off,
		const char **why);

/* Appends the decoded text of a string token (raw, with quotes, as jsonl_parse found it) to out.
 * Returns 0 or -KEFU_EINVAL (a lone surrogate or bad \u escape). Appends at most raw_len bytes. */
int jsonl_unescape(const char *raw, size_t raw_len, struct buf *out);

#endif

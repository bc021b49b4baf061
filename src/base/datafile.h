/* datafile.h — the shipped data and policy files (data/…): reading one with a size bound, and
 * finding it: an environment override, else the path relative to the working directory, else the
 * same path under the source tree (so tests and tools work from any directory). */
#ifndef KEFU_BASE_DATAFILE_H
#define KEFU_BASE_DATAFILE_H

#include <stddef.h>

#include "base/err.h"

/* Reads path (at most max bytes) into a NUL-terminated buffer; caller frees *text. Returns 0,
 * -KEFU_EIO (cannot open; err names path and reason) or -KEFU_EINVAL (larger than max). field
 * names the setting in err (e.g. "calendar"). */
int datafile_read(const char *path, size_t max, const char *field, char **text, size_t *len,
		  struct kefu_err *err);
/* $env when set and non-empty (env may be NULL), else rel when it exists, else
 * $KEFU_SOURCE_DIR/rel (the build's source directory when the variable is unset). Writes into out
 * (cap bytes) and returns out. */
/* An optional policy file: reads dir/name (at most max bytes, field as in datafile_read) and hands
 * it to parse(text, len, ctx, err). Returns 1 when dir/name cannot be opened (the caller applies its
 * default), 0 when parsed, or the negative code of the read or parse with err->msg prefixed by the
 * path. */
typedef int (*datafile_parse_fn)(const char *text, size_t len, void *ctx, struct kefu_err *err);
int datafile_load_optional(const char *dir, const char *name, size_t max, const char *field,
			   datafile_parse_fn parse, void *ctx, struct kefu_err *err);
const char *datafile_path(const char *env, const char *rel, char *out, size_t cap);

#endif

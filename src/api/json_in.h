/* json_in.h — strict parsing of JSON request bodies and frames: an object, no duplicate keys,
 * no unknown fields, required fields present with the right type. Errors name the field. */
#ifndef KEFU_API_JSON_IN_H
#define KEFU_API_JSON_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum json_in_type { JIN_STRING, JIN_INT, JIN_BOOL, JIN_OBJECT, JIN_ARRAY };

struct json_in_field {
	const char *name;
	enum json_in_type type;
	bool required;
	size_t max_len; /* strings: max bytes (0 = no limit beyond the body limit) */
};

/* Parses len bytes as one JSON object. *out is a new ref. Returns 0 or -KEFU_EINVAL with the
 * parser's line/column in err. */
int json_in_parse(const char *text, size_t len, json_t **out, struct kefu_err *err);
/* Checks o against spec (n fields): unknown fields, missing required ones, wrong types, string
 * lengths. Null counts as absent for optional fields. */
int json_in_check(json_t *o, const struct json_in_field *spec, size_t n, struct kefu_err *err);
/* Accessors returning NULL / fallback when absent or null. */
const char *json_in_str(json_t *o, const char *name);
int64_t json_in_int(json_t *o, const char *name, int64_t fallback);

#endif

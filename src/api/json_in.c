/* json_in.c — strict JSON input checking (see json_in.h). */
#include "api/json_in.h"

#include <string.h>

int json_in_parse(const char *text, size_t len, json_t **out, struct kefu_err *err)
{
	json_error_t je;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return KEFU_ERR(err, KEFU_EINVAL, "body", "invalid JSON at line %d column %d: %s", je.line,
				je.column, je.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return KEFU_ERR(err, KEFU_EINVAL, "body", "expected a JSON object");
	}
	*out = o;
	return 0;
}

static const char *type_name(enum json_in_type t)
{
	static const char *const names[] = {"a string", "an integer", "true or false", "an object",
					    "an array"};
	return names[t];
}

static bool type_ok(json_t *v, enum json_in_type t)
{
	switch (t) {
	case JIN_STRING:
		return json_is_string(v);
	case JIN_INT:
		return json_is_integer(v);
	case JIN_BOOL:
		return json_is_boolean(v);
	case JIN_OBJECT:
		return json_is_object(v);
	case JIN_ARRAY:
		return json_is_array(v);
	}
	return false;
}

int json_in_check(json_t *o, const struct json_in_field *spec, size_t n, struct kefu_err *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		size_t i = 0;
		while (i < n && strcmp(spec[i].name, key) != 0)
			i++;
		if (i == n)
			return KEFU_ERR(err, KEFU_EINVAL, key, "unknown field '%.40s'", key);
		if (json_is_null(v) && !spec[i].required)
			continue;
		if (!type_ok(v, spec[i].type))
			return KEFU_ERR(err, KEFU_EINVAL, key, "%s must be %s", key, type_name(spec[i].type));
		if (spec[i].type == JIN_STRING && spec[i].max_len && json_string_length(v) > spec[i].max_len)
			return KEFU_ERR(err, KEFU_EINVAL, key, "%s is longer than %zu bytes", key,
					spec[i].max_len);
	}
	for (size_t i = 0; i < n; i++) {
		if (!spec[i].required)
			continue;
		v = json_object_get(o, spec[i].name);
		if (!v || json_is_null(v))
			return KEFU_ERR(err, KEFU_EINVAL, spec[i].name, "%s is required", spec[i].name);
	}
	return 0;
}

const char *json_in_str(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

int64_t json_in_int(json_t *o, const char *name, int64_t fallback)
{
	json_t *v = json_object_get(o, name);
	return json_is_integer(v) ? json_integer_value(v) : fallback;
}

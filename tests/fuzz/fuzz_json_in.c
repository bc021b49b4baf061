/* fuzz_json_in.c — libFuzzer harness for src/api/json_in.c: every HTTP body and WebSocket frame
 * is parsed and checked against a field spec before any handler sees it. */
#include <stddef.h>
#include <stdint.h>

#include "api/json_in.h"

static const struct json_in_field spec[] = {
    {"type", JIN_STRING, true, 16},  {"session", JIN_STRING, false, 23}, {"text", JIN_STRING, false, 8000},
    {"seq", JIN_INT, false, 0},	     {"solved", JIN_BOOL, false, 0},	 {"resume", JIN_OBJECT, false, 0},
    {"skills", JIN_ARRAY, false, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = NULL;
	struct kefu_err err = {0};
	if (json_in_parse((const char *)data, size, &o, &err) == 0) {
		if (json_in_check(o, spec, sizeof spec / sizeof spec[0], &err) == 0) {
			(void)json_in_str(o, "type");
			(void)json_in_int(o, "seq", 0);
		}
		json_decref(o);
	}
	return 0;
}

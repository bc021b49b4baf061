/* Unit tests for src/base/buf.c: growth, printf, consume and JSON string escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "base/buf.h"

static void appends_and_formats(void **state)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	buf_consume(&b, 2);
	assert_memory_equal(b.data, "1,2,", 4);
	char *p = buf_detach(&b);
	assert_null(b.data);
	free(p);
}

/* Every escaped string parses back (jansson) to exactly the input bytes. */
static void json_string_round_trips(void **state)
{
	const char *cases[] = {
	    "",		  "plain",     "引号\"与\\反斜杠", "换行\n回车\r制表\t", "\x01\x1f控制",
	    "emoji 😀 ok", "/</script>"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;
		buf_init(&b);
		buf_json_string(&b, cases[i], strlen(cases[i]));
		json_error_t je;
		json_t *v = json_loadb(b.data, b.len, JSON_DECODE_ANY, &je);
		assert_non_null(v);
		assert_string_equal(json_string_value(v), cases[i]);
		json_decref(v);
		buf_free(&b);
	}
}

static void json_string_escapes_controls_as_unicode(void **state)
{
	struct buf b;
	buf_init(&b);
	buf_json_string(&b,
			"a\x01"
			"b",
			3);
	assert_string_equal(b.data, "\"a\\u0001b\"");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(appends_and_formats),
	    cmocka_unit_test(json_string_round_trips),
	    cmocka_unit_test(json_string_escapes_controls_as_unicode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

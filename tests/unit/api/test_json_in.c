/* Unit tests for src/api/json_in.c: strict request parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "api/json_in.h"

static const struct json_in_field spec[] = {
    {"name", JIN_STRING, true, 8},
    {"n", JIN_INT, false, 0},
    {"ok", JIN_BOOL, false, 0},
};

static int check(const char *text, struct kefu_err *err)
{
	json_t *o = NULL;
	int rc = json_in_parse(text, strlen(text), &o, err);
	if (rc == 0) {
		rc = json_in_check(o, spec, 3, err);
		json_decref(o);
	}
	return rc;
}

static void accepts_valid_object(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(check("{\"name\":\"ab\",\"n\":3,\"ok\":true}", &err), 0);
	assert_int_equal(check("{\"name\":\"ab\",\"n\":null}", &err), 0);
}

static void rejects_syntax_errors_with_position(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(check("{\"name\":\"ab\",}", &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "line 1 column"));
	assert_int_equal(check("[1,2]", &err), -KEFU_EINVAL);
	assert_int_equal(check("{\"name\":\"a\"} trailing", &err), -KEFU_EINVAL);
	assert_int_equal(check("{\"name\":\"\xff\"}", &err), -KEFU_EINVAL);
}

static void rejects_duplicate_keys(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(check("{\"name\":\"a\",\"name\":\"b\"}", &err), -KEFU_EINVAL);
}

static void names_the_unknown_field(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(check("{\"name\":\"a\",\"extra\":1}", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "extra");
}

static void names_missing_and_mistyped_fields(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(check("{\"n\":1}", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(check("{\"name\":null}", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(check("{\"name\":\"a\",\"n\":\"3\"}", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "n");
	assert_int_equal(check("{\"name\":\"a\",\"ok\":1}", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "ok");
}

static void enforces_string_length(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(check("{\"name\":\"123456789\"}", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts_valid_object),
	    cmocka_unit_test(rejects_syntax_errors_with_position),
	    cmocka_unit_test(rejects_duplicate_keys),
	    cmocka_unit_test(names_the_unknown_field),
	    cmocka_unit_test(names_missing_and_mistyped_fields),
	    cmocka_unit_test(enforces_string_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

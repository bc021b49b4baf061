/* Unit tests for src/ticket/notice.c: the shipped N-24 templates load and render; a missing or an
 * unknown field, a bad value and an unknown template are refused naming what is wrong; malformed
 * templates are refused at load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ticket/notice.h"

static struct notice_templates *shipped(void)
{
	char path[4096];
	const char *src = getenv("KEFU_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/%s", src && *src ? src : KEFU_SOURCE_DIR, NOTICE_POLICY_FILE);
	struct notice_templates *t = NULL;
	struct kefu_err err = {0};
	if (notice_templates_load_file(path, &t, &err) < 0)
		print_error("%s: %s %s\n", path, err.field, err.msg);
	assert_non_null(t);
	return t;
}

static void shipped_notice_renders_every_field(void **state)
{
	struct notice_templates *t = shipped();
	json_t *f = json_pack("{s:s,s:s,s:s,s:s}", "order", "O1001", "carrier", "顺丰", "tracking", "SF123",
			      "eta", "10月3日");
	char *text = NULL;
	assert_int_equal(notice_render(t, "shipped", f, &text, NULL), 0);
	assert_string_equal(text,
			    "您好，您的订单O1001已发货，顺丰运单号SF123，预计10月3日送达，请留意查收哦。");
	free(text);
	json_decref(f);
	f = json_pack("{s:s,s:f,s:s}", "order", "O2", "amount", 59.9, "eta", "3个工作日");
	assert_int_equal(notice_render(t, "refunded", f, &text, NULL), 0);
	assert_non_null(strstr(text, "59.90元"));
	free(text);
	json_decref(f);
	notice_templates_free(t);
}

static void missing_unknown_and_bad_fields_are_refused(void **state)
{
	struct notice_templates *t = shipped();
	struct kefu_err err = {0};
	char *text = NULL;
	json_t *f = json_pack("{s:s,s:s,s:s}", "order", "O1", "carrier", "顺丰", "eta", "明天");
	assert_int_equal(notice_render(t, "shipped", f, &text, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "tracking");
	json_object_set_new(f, "tracking", json_string("SF1"));
	json_object_set_new(f, "phone", json_string("13812345678"));
	assert_int_equal(notice_render(t, "shipped", f, &text, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "phone");
	json_object_del(f, "phone");
	json_object_set_new(f, "eta", json_true());
	assert_int_equal(notice_render(t, "shipped", f, &text, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "eta");
	assert_int_equal(notice_render(t, "teleported", f, &text, &err), -KEFU_ENOTFOUND);
	assert_null(text);
	json_decref(f);
	notice_templates_free(t);
}

static void malformed_templates_are_refused(void **state)
{
	const char *bad[] = {"{}",
			     "{\"templates\":{}}",
			     "{\"templates\":{\"a\":\"x{order\"}}",
			     "{\"templates\":{\"a\":\"x}\"}}",
			     "{\"templates\":{\"a\":\"{}\"}}",
			     "{\"templates\":{\"a\":\"{Order}\"}}",
			     "{\"templates\":{\"a\":1}}",
			     "{\"templates\":{\"a\":\"x\"},\"more\":1}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct notice_templates *t = NULL;
		assert_int_equal(notice_templates_parse(bad[i], strlen(bad[i]), &t, NULL), -KEFU_EINVAL);
		assert_null(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_notice_renders_every_field),
	    cmocka_unit_test(missing_unknown_and_bad_fields_are_refused),
	    cmocka_unit_test(malformed_templates_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/guard/pii.c: ID-number and card checksum edge cases, mobile segments, and
 * detection and masking of every PII kind (C-07) through guard_mask and guard_scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guard_test_util.h"

static void id_numbers_follow_gb11643(void **state)
{
	/* the verified examples in ../shared/data/cn_id_checksum, incl. retired area codes */
	const char *ok[] = {"11010519491231002X", "440524188001010014", "34052419800101001X",
			    "370101190102039973", "513101198201130014", "11010519491231002x"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_true(guard_id_valid(ok[i], 18));
	const char *bad[] = {
	    "11010519491231003X", /* one digit changed: checksum fails */
	    "110105194902310025", /* 31 February */
	    "99010519491231002X", /* no province 99 */
	    "11010519491231002Y", /* letter other than X */
	    "110105190002290010", /* 1900 is not a leap year */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(guard_id_valid(bad[i], 18));
	assert_false(guard_id_valid("11010519491231002", 17));
	assert_false(guard_id_valid("11010519491231002XX", 19));
}

static void leap_day_id_is_valid(void **state)
{
	/* 2000-02-29 exists; build the check digit with the standard's weights */
	char id[19] = "11010520000229001";
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (id[i] - '0') * w[i];
	id[17] = "10X98765432"[sum % 11];
	assert_true(guard_id_valid(id, 18));
}

static void luhn_edge_cases(void **state)
{
	assert_true(guard_luhn_valid("4111111111111111", 16));
	assert_true(guard_luhn_valid("6222021234567890128", 19));
	assert_false(guard_luhn_valid("4111111111111112", 16));
	assert_false(guard_luhn_valid("41111111111a1111", 16));
	assert_false(guard_luhn_valid("0", 1));
}

static void mobile_segments(void **state)
{
	assert_true(guard_mobile_valid("13812345678", 11));
	assert_true(guard_mobile_valid("19912345678", 11));
	assert_true(guard_mobile_valid("17400123456", 11)); /* 1740x */
	assert_false(guard_mobile_valid("15412345678", 11)); /* 154 unassigned */
	assert_false(guard_mobile_valid("12812345678", 11));
	assert_false(guard_mobile_valid("17491234567", 10));
	assert_false(guard_mobile_valid("14012345678", 11)); /* IoT, 13 digits */
}

struct fx {
	struct guard *g;
	struct guard_scratch *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->g = gt_load();
	f->s = guard_scratch_new(f->g);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	guard_scratch_free(f->s);
	guard_unref(f->g);
	free(f);
	return 0;
}

static void masks(struct fx *f, const char *in, const char *want)
{
	char *m = NULL;
	assert_int_equal(guard_mask(f->g, f->s, in, strlen(in), &m, NULL), 0);
	if (strcmp(m, want) != 0)
		fail_msg("mask('%s') = '%s', want '%s'", in, m, want);
	free(m);
}

static void every_kind_is_masked(void **state)
{
	struct fx *f = *state;
	masks(f, "电话13812345678", "电话138****5678");
	masks(f, "电话138 1234 5678谢谢", "电话138 **** 5678谢谢");
	masks(f, "+8613812345678", "+86138****5678");
	masks(f, "座机010-87654321", "座机010-****4321");
	masks(f, "身份证11010519491231002X", "身份证110***********002X");
	masks(f, "卡号6222021234567890128", "卡号****0128");
	masks(f, "卡号 6222 0212 3456 7890 128", "卡号 ****0128");
	masks(f, "邮箱zhangsan@example.com", "邮箱z***@example.com");
	masks(f, "寄到北京市朝阳区建国路88号3单元502室", "寄到北京市****");
	masks(f, "地址:广东省深圳市南山区科技园路1号", "地址:广东省深圳市****");
	masks(f, "地址改为建国路88号院3号楼", "地址改为****");
	masks(f, "王小红女士您好", "王**您好");
	masks(f, "联系王先生", "联系王**");
	masks(f, "欧阳娜娜小姐", "欧阳**");
}

static void non_pii_numbers_stay(void **state)
{
	struct fx *f = *state;
	masks(f, "订单号12345678901234已发货", "订单号12345678901234已发货"); /* not Luhn, not a card BIN */
	masks(f, "12345678901", "12345678901"); /* 123… is no mobile segment */
	masks(f, "11010519491231003X", "11010519491231003X"); /* bad checksum */
	masks(f, "138123456789", "138123456789"); /* 12 digits */
	masks(f, "型号abc13812345678", "型号abc13812345678"); /* glued to letters */
	masks(f, "客服热线400-123-4567", "客服热线400-123-4567");
	masks(f, "谢谢先生", "谢谢先生");
	masks(f, "北京市朝阳区的订单什么时候到", "北京市朝阳区的订单什么时候到");
}

static void pii_hits_carry_kind_and_severity(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "您的身份证11010519491231002X和手机13812345678", &r);
	assert_int_equal(r.verdict, GUARD_BLOCK); /* id_card is block for agents */
	assert_int_equal(r.nhits, 2);
	assert_int_equal(r.hits[0].pii, GUARD_PII_ID);
	assert_int_equal(r.hits[1].pii, GUARD_PII_MOBILE);
	assert_string_equal(r.hits[1].rule, "C-07");
	assert_non_null(strstr(r.hits[1].suggestion, "138****5678"));
	assert_string_equal(r.masked, "您的身份证110***********002X和手机138****5678");
	guard_result_clear(&r);
	/* the customer's own data: recorded and masked, not held */
	gt_scan(f->g, f->s, GUARD_ROLE_CUSTOMER, "我的手机13812345678", &r);
	assert_int_equal(r.verdict, GUARD_PASS);
	assert_int_equal(r.hits[0].severity, GUARD_SEV_RECORD);
	assert_string_equal(r.masked, "我的手机138****5678");
	guard_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(id_numbers_follow_gb11643),
	    cmocka_unit_test(leap_day_id_is_valid),
	    cmocka_unit_test(luhn_edge_cases),
	    cmocka_unit_test(mobile_segments),
	    cmocka_unit_test_setup_teardown(every_kind_is_masked, setup, teardown),
	    cmocka_unit_test_setup_teardown(non_pii_numbers_stay, setup, teardown),
	    cmocka_unit_test_setup_teardown(pii_hits_carry_kind_and_severity, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

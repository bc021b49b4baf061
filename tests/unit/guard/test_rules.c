/* Unit tests for the guard's rule families (src/guard/scan.c with the shipped data/lexicons):
 * a positive and a negative example per family C-01…C-08, context exceptions, roles, rewrite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guard_test_util.h"

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

struct example {
	const char *text;
	const char *rule; /* expected rule, NULL: no lexicon hit */
	const char *hit; /* expected matched text */
	enum guard_verdict verdict;
};

static void check(struct fx *f, const struct example *ex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct guard_result r;
		enum guard_verdict v = gt_scan(f->g, f->s, GUARD_ROLE_AGENT, ex[i].text, &r);
		if (v != ex[i].verdict || (ex[i].rule && !gt_has(&r, ex[i].rule, ex[i].hit)))
			fail_msg("'%s': verdict %s, %zu hits (first %s '%s')", ex[i].text,
				 guard_verdict_name(v), r.nhits, r.nhits ? r.hits[0].rule : "-",
				 r.nhits ? r.hits[0].text : "");
		guard_result_clear(&r);
	}
}

static void c01_absolute_terms_block(void **state)
{
	static const struct example ex[] = {
	    {"这款是全网最好的吹风机", "C-01", "最好的", GUARD_BLOCK},
	    {"绝对正品,放心购买", "C-01", "绝对", GUARD_BLOCK},
	    {"我们是国家级认证产品", "C-01", "国家级", GUARD_BLOCK},
	    {"这款销量第一", "C-01", "销量第一", GUARD_BLOCK},
	    {"100%纯棉", "C-01", "100%", GUARD_BLOCK},
	    {"这是顶级面料", "C-01", "顶级", GUARD_BLOCK},
	    {"这款面料很舒服,性价比很高", NULL, NULL, GUARD_PASS},
	};
	check(*state, ex, sizeof ex / sizeof ex[0]);
}

static void c01_context_exceptions_pass(void **state)
{
	static const struct example ex[] = {
	    {"到货后我们会第一时间为您发出", NULL, NULL, GUARD_PASS},
	    {"最晚明天送达哦", NULL, NULL, GUARD_PASS},
	    {"帮您查一下最近的订单", NULL, NULL, GUARD_PASS},
	    {"最快明天就能到", NULL, NULL, GUARD_PASS},
	    {"这是您第一次下单吗", NULL, NULL, GUARD_PASS},
	    {"唯一的订单号是这个", NULL, NULL, GUARD_PASS},
	    /* an exception covers only its own span: a second, real hit still counts */
	    {"第一时间发货,这是最好的款", "C-01", "最好的", GUARD_BLOCK},
	};
	check(*state, ex, sizeof ex / sizeof ex[0]);
}

static void c02_refusal(void **state)
{
	static const struct example ex[] = {
	    {"这个我们做不到", "C-02", "做不到", GUARD_BLOCK},
	    {"退款不可能的", "C-02", "不可能", GUARD_BLOCK},
	    {"这个暂时没办法修改", "C-02", "没办法", GUARD_WARN},
	    {"我帮您申请一下看看", NULL, NULL, GUARD_PASS},
	};
	check(*state, ex, sizeof ex / sizeof ex[0]);
}

static void c03_buck_passing(void **state)
{
	static const struct example ex[] = {
	    {"这是物流的问题,和我们无关", "C-03", "和我们无关", GUARD_BLOCK},
	    {"这个不归我管", "C-03", "不归我管", GUARD_BLOCK},
	    {"这个我不清楚", "C-03", "不清楚", GUARD_BLOCK},
	    {"你去找物流吧", "C-03", "你去找物流", GUARD_BLOCK},
	    {"如有不清楚的地方随时问我", NULL, NULL, GUARD_PASS},
	    {"图片看不清楚的话我再发一张", NULL, NULL, GUARD_PASS},
	};
	check(*state, ex, sizeof ex / sizeof ex[0]);
}

static void c04_over_promising(void **state)
{
	static const struct example ex[] = {
	    {"放心,绝对不会出问题", "C-04", "绝对不会出问题", GUARD_BLOCK},
	    {"保证明天到", "C-04", "保证明天到", GUARD_BLOCK},
	    {"我给您全额退款", "C-04", "全额退款", GUARD_WARN},
	    {"预计明天送达,具体以物流为准", NULL, NULL, GUARD_PASS},
	};
	check(*state, ex, sizeof ex / sizeof ex[0]);
}

static void c05_command_tone_has_polite_rewrite(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	const char *t = "必须提供身份证";
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_AGENT, t, &r), GUARD_WARN);
	assert_true(gt_has(&r, "C-05", "必须提供身份证"));
	assert_string_equal(r.hits[0].suggestion, "为了保障您的权益,需要您提供身份证信息完成实名认证哦");
	char *rw = guard_rewrite(&r, t, strlen(t));
	assert_non_null(rw);
	assert_string_equal(rw, "为了保障您的权益,需要您提供身份证信息完成实名认证哦");
	free(rw);
	guard_result_clear(&r);
	static const struct example ex[] = {{"麻烦您提供一下订单号", NULL, NULL, GUARD_PASS}};
	check(f, ex, 1);
}

static void c06_impatient(void **state)
{
	static const struct example ex[] = {
	    {"我已经说过了,你听不懂吗", "C-06", "你听不懂吗", GUARD_WARN},
	    {"烦不烦啊", "C-06", "烦不烦", GUARD_WARN},
	    {"不好意思,我再为您解释一下", NULL, NULL, GUARD_PASS},
	};
	check(*state, ex, sizeof ex / sizeof ex[0]);
}

static void c08_fraud_both_directions(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "退款请转到私人账户", &r), GUARD_BLOCK);
	assert_true(r.fraud);
	assert_true(gt_has(&r, "C-08", "私人账户"));
	guard_result_clear(&r);
	/* customer messages are flagged but never held */
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_CUSTOMER, "客服让我加微信私下交易", &r), GUARD_WARN);
	assert_true(r.fraud);
	guard_result_clear(&r);
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "点这个链接 http://192.168.1.20/refund", &r),
			 GUARD_BLOCK);
	assert_true(gt_has(&r, "C-08", NULL));
	guard_result_clear(&r);
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "短链 t.cn/Ab12", &r), GUARD_BLOCK);
	guard_result_clear(&r);
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "请关注我们的微信公众号", &r), GUARD_PASS);
	assert_false(r.fraud);
	guard_result_clear(&r);
}

static void customer_wording_rules_do_not_apply(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_CUSTOMER, "你们是最差的店,我绝对不再买了", &r),
			 GUARD_PASS);
	assert_false(gt_has(&r, "C-01", NULL));
	assert_string_equal(r.emotion_label, "negative");
	guard_result_clear(&r);
}

static void hit_offsets_are_bytes_into_the_text(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	const char *t = "ab最好的";
	gt_scan(f->g, f->s, GUARD_ROLE_AGENT, t, &r);
	assert_int_equal(r.nhits, 1);
	assert_int_equal(r.hits[0].start, 2);
	assert_int_equal(r.hits[0].end, 11);
	assert_memory_equal(t + r.hits[0].start, r.hits[0].text, 9);
	assert_non_null(r.hits[0].reason);
	assert_true(strchr(r.hits[0].where, ':') != NULL);
	guard_result_clear(&r);
}

static void clean_message_allocates_nothing(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	assert_int_equal(gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "您好,请问有什么可以帮您?", &r), GUARD_PASS);
	assert_int_equal(r.nhits, 0);
	assert_null(r.hits);
	assert_null(r.masked);
	guard_result_clear(&r);
}

static void invalid_utf8_is_refused(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	struct kefu_err err = {0};
	assert_int_equal(guard_scan(f->g, f->s, GUARD_ROLE_AGENT, "ab\xff", 3, &r, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "byte:2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(c01_absolute_terms_block),
	    cmocka_unit_test(c01_context_exceptions_pass),
	    cmocka_unit_test(c02_refusal),
	    cmocka_unit_test(c03_buck_passing),
	    cmocka_unit_test(c04_over_promising),
	    cmocka_unit_test(c05_command_tone_has_polite_rewrite),
	    cmocka_unit_test(c06_impatient),
	    cmocka_unit_test(c08_fraud_both_directions),
	    cmocka_unit_test(customer_wording_rules_do_not_apply),
	    cmocka_unit_test(hit_offsets_are_bytes_into_the_text),
	    cmocka_unit_test(clean_message_allocates_nothing),
	    cmocka_unit_test(invalid_utf8_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Unit tests for src/guard/emotion.c (C-11): negative, positive and neutral customer messages,
 * negation, degree words, punctuation and repetition cues; agent messages get no emotion. */
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

static double score(struct fx *f, const char *t, const char **label)
{
	struct guard_result r;
	gt_scan(f->g, f->s, GUARD_ROLE_CUSTOMER, t, &r);
	double v = r.emotion_score;
	*label = r.emotion_label;
	guard_result_clear(&r);
	return v;
}

static void labels(void **state)
{
	struct fx *f = *state;
	const char *l;
	score(f, "质量太差了,客服态度恶劣,我要投诉", &l);
	assert_string_equal(l, "negative");
	score(f, "东西很好,物流也快,非常满意", &l);
	assert_string_equal(l, "positive");
	score(f, "请问什么时候发货", &l);
	assert_string_equal(l, "neutral");
}

static void negation_flips(void **state)
{
	struct fx *f = *state;
	const char *l;
	assert_true(score(f, "这个东西不好", &l) < 0);
	assert_true(score(f, "这个东西不太满意", &l) < 0);
	assert_true(score(f, "质量不差", &l) > 0);
}

static void degree_and_punctuation_intensify(void **state)
{
	struct fx *f = *state;
	const char *l;
	double plain = score(f, "有点失望", &l);
	double strong = score(f, "非常失望", &l);
	double shout = score(f, "非常失望！！", &l);
	assert_true(strong < plain);
	assert_true(shout < strong);
	assert_true(score(f, "？？？", &l) < 0);
	assert_true(score(f, "差差差", &l) < score(f, "差", &l));
}

static void contrast_weighs_the_second_clause(void **state)
{
	struct fx *f = *state;
	const char *l;
	assert_true(score(f, "包装不错,但是质量很差", &l) < 0);
	assert_true(score(f, "物流有点慢,但是东西很好很喜欢", &l) > 0);
}

static void agent_messages_have_no_emotion(void **state)
{
	struct fx *f = *state;
	struct guard_result r;
	gt_scan(f->g, f->s, GUARD_ROLE_AGENT, "非常抱歉给您带来不好的体验", &r);
	assert_null(r.emotion_label);
	guard_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(labels),
	    cmocka_unit_test(negation_flips),
	    cmocka_unit_test(degree_and_punctuation_intensify),
	    cmocka_unit_test(contrast_weighs_the_second_clause),
	    cmocka_unit_test(agent_messages_have_no_emotion),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

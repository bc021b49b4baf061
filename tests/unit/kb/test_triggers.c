/* Unit tests for src/kb/config.c and the trigger step of kb_search (KB-2): a keyword combination
 * ("退款" + "未到账") puts its article first, alternatives and full-width forms match, a partial
 * combination does not fire, filters and unknown articles are respected, bad lines name file:line. */
#include "kb_fixture.h"

static const char articles[] =
    "{\"kind\":\"faq\",\"id\":\"faq-refund-timing\",\"title\":\"退款时效\",\"body\":\"1-3个工作日原路退回，"
    "在订单详情-退款进度查看。\"}\n"
    "{\"kind\":\"faq\",\"id\":\"faq-refund-how\",\"title\":\"退款未到账怎么申请退款\",\"body\":"
    "\"在订单页申请退款。\"}\n"
    "{\"kind\":\"faq\",\"id\":\"faq-wifi\",\"title\":\"WiFi连接\",\"body\":\"重启路由器。\"}\n";

static const char triggers[] = "# KB-2\n"
			       "faq-refund-timing\t退款|退钱+未到账|没到账\n"
			       "faq-missing\t路由器+坏了\n"
			       "faq-wifi\twifi+密码\n";

static int setup(void **state)
{
	struct kfx *f = kfx_new();
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, "a.jsonl", articles, &st, &err), 0);
	kfx_write(f, "triggers.tsv", triggers);
	assert_int_equal(kfx_config(f, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	kfx_free(*state);
	return 0;
}

static void combination_puts_its_article_first(void **state)
{
	struct kfx *f = *state;
	/* without the trigger, faq-refund-how matches the words better */
	const char *r = kfx_search(f, "我的退款还未到账", NULL, 5);
	assert_memory_equal(r, "faq-refund-timing,faq-refund-how",
			    strlen("faq-refund-timing,faq-refund-how"));
	struct kb_hit hits[5];
	int n = 0;
	struct kefu_err err = {0};
	assert_int_equal(kb_search(f->c, f->k, "退钱没到账", strlen("退钱没到账"), NULL, 5, hits, &n, &err),
			 0);
	assert_true(n >= 1);
	assert_true(hits[0].trigger);
	assert_string_equal(hits[0].id, "faq-refund-timing");
	for (int i = 1; i < n; i++)
		assert_false(hits[i].trigger);
}

static void part_of_a_combination_does_not_fire(void **state)
{
	struct kfx *f = *state;
	struct kb_hit hits[5];
	int n = 0;
	struct kefu_err err = {0};
	assert_int_equal(kb_search(f->c, f->k, "退款流程", strlen("退款流程"), NULL, 5, hits, &n, &err), 0);
	for (int i = 0; i < n; i++)
		assert_false(hits[i].trigger);
}

static void keywords_match_after_folding(void **state)
{
	struct kfx *f = *state;
	const char *r = kfx_search(f, "ＷＩＦＩ密码忘了", NULL, 1);
	assert_string_equal(r, "faq-wifi");
}

static void unknown_articles_and_filters_are_respected(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "路由器坏了", NULL, 5), "faq-wifi"); /* faq-missing not stored */
	struct store_kb_filter risk = {.kind = "risk"};
	assert_string_equal(kfx_search(f, "退款未到账", &risk, 5), "");
}

static void bad_lines_name_file_and_line(void **state)
{
	struct kfx *f = *state;
	struct kefu_err err = {0};
	kfx_write(f, "triggers.tsv", "# ok\nfaq-a\t退款\nno tab here\n");
	assert_int_equal(kfx_config(f, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "triggers.tsv:3"));
	kfx_write(f, "triggers.tsv", "faq-a\t退款++到账\n");
	assert_int_equal(kfx_config(f, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "triggers.tsv:1"));
	kfx_write(f, "triggers.tsv", "");
	kfx_write(f, "synonyms.txt", "退款 退钱\n孤单\n");
	assert_int_equal(kfx_config(f, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "synonyms.txt:2"));
}

static void shipped_data_loads(void **state)
{
	const char *src = getenv("KEFU_SOURCE_DIR");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/data/kb", src && *src ? src : KEFU_SOURCE_DIR);
	struct kb_config *c = NULL;
	struct kefu_err err = {0};
	assert_int_equal(kb_config_load(dir, &c, &err), 0);
	kb_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(combination_puts_its_article_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(part_of_a_combination_does_not_fire, setup, teardown),
	    cmocka_unit_test_setup_teardown(keywords_match_after_folding, setup, teardown),
	    cmocka_unit_test_setup_teardown(unknown_articles_and_filters_are_respected, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_lines_name_file_and_line, setup, teardown),
	    cmocka_unit_test(shipped_data_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/kb/search.c and kb_store's search (KB-2): BM25 with field weights (title and
 * alternatives above body), one- and two-character Chinese queries, mixed Latin and full-width
 * queries, filters by library, product and tag, synonyms, and deleted articles leaving the index. */
#include "kb_fixture.h"

static const char articles[] =
    "{\"kind\":\"faq\",\"id\":\"refund\",\"title\":\"退款多久到账\",\"body\":\"审核后1-3个工作日原路退回。\","
    "\"alternatives\":[\"钱什么时候退回来\"],\"tags\":[\"售后\"]}\n"
    "{\"kind\":\"faq\",\"id\":\"ship\",\"title\":\"什么时候发货\",\"body\":"
    "\"付款后48小时内发货，退款请走售后。\","
    "\"tags\":[\"物流\"]}\n"
    "{\"kind\":\"manual\",\"id\":\"phone\",\"title\":\"iPhone 15 Pro 手册\",\"body\":\"使用USB-C充电。\","
    "\"product\":\"iphone15\",\"tags\":[\"手机\"]}\n"
    "{\"kind\":\"risk\",\"id\":\"fraud\",\"title\":\"冒充客服诈骗\",\"body\":"
    "\"客服不会索要验证码，也不会让您退款到陌生账户。\","
    "\"tags\":[\"风控\",\"售后\"]}\n"
    "{\"kind\":\"script\",\"id\":\"greet\",\"title\":\"开场白\",\"body\":\"您好，很高兴为您服务。\"}\n";

static int setup(void **state)
{
	struct kfx *f = kfx_new();
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, "a.jsonl", articles, &st, &err), 0);
	assert_int_equal(st.stored, 5);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	kfx_free(*state);
	return 0;
}

static void title_match_ranks_above_body_match(void **state)
{
	struct kfx *f = *state;
	/* 退款 is in refund's title, in ship's and fraud's bodies */
	const char *r = kfx_search(f, "退款", NULL, 5);
	assert_memory_equal(r, "refund,", 7);
	assert_non_null(strstr(r, "ship"));
	assert_non_null(strstr(r, "fraud"));
}

static void alternatives_are_searched(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "钱什么时候退回来", NULL, 1), "refund");
}

static void one_and_two_character_queries_work(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "货", NULL, 1), "ship"); /* inside a run: a unigram token */
	assert_string_equal(kfx_search(f, "发货", NULL, 1), "ship");
	assert_string_equal(kfx_search(f, "诈", NULL, 5), "fraud");
	assert_string_equal(kfx_search(f, "手册", NULL, 5), "phone");
	assert_string_equal(kfx_search(f, "龘", NULL, 5), "");
}

static void latin_and_full_width_queries_work(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "IPHONE", NULL, 5), "phone");
	assert_string_equal(kfx_search(f, "ｉｐｈｏｎｅ　１５", NULL, 5), "phone");
	assert_string_equal(kfx_search(f, "usb-c", NULL, 5), "phone");
}

static void punctuation_only_or_empty_queries_find_nothing(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "", NULL, 5), "");
	assert_string_equal(kfx_search(f, "？！。\"*OR AND", NULL, 5), ""); /* no FTS5 syntax leaks */
}

static void filters_by_kind_product_and_tag(void **state)
{
	struct kfx *f = *state;
	struct store_kb_filter kind = {.kind = "risk"}, product = {.product = "iphone15"},
			       tag = {.tag = "售后"};
	assert_string_equal(kfx_search(f, "退款", &kind, 5), "fraud");
	assert_string_equal(kfx_search(f, "充电", &product, 5), "phone");
	assert_string_equal(kfx_search(f, "退款", &product, 5), "");
	const char *r = kfx_search(f, "退款", &tag, 5);
	assert_null(strstr(r, "ship"));
	assert_non_null(strstr(r, "refund"));
}

static void top_limits_the_hits(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "退款", NULL, 1), "refund");
}

static void synonyms_widen_the_query(void **state)
{
	struct kfx *f = *state;
	assert_string_equal(kfx_search(f, "开场", NULL, 5), "greet");
	assert_string_equal(kfx_search(f, "问候语", NULL, 5), "");
	kfx_write(f, "synonyms.txt", "# comment\n问候语 开场白 招呼\n");
	struct kefu_err err = {0};
	assert_int_equal(kfx_config(f, &err), 0);
	assert_string_equal(kfx_search(f, "问候语", NULL, 5), "greet");
}

static void query_build_uses_raw_tokens_only(void **state)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(kb_query_build(NULL, "退款 \"OR\" NEAR(", 17, &b), 3); /* 退款, or, near */
	assert_null(strstr(b.data, "\"OR\""));
	buf_free(&b);
}

static void a_deleted_article_leaves_the_index(void **state)
{
	struct kfx *f = *state;
	json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:[],s:[],s:n,s:i,s:s,s:s,s:b}", "id", "greet", "kind",
				 "script", "title", "开场白", "body", "您好", "alternatives", "tags",
				 "product", "version", 2, "note", "withdrawn", "source", "api", "deleted", 1);
	struct store_event ev = {"kb.article_saved", 0, NULL, "u_admin", data};
	struct kefu_err err = {0};
	assert_int_equal(store_append_sync(f->s, &ev, NULL, &err), 0);
	assert_string_equal(kfx_search(f, "开场白", NULL, 5), "");
	json_t *a = NULL;
	assert_int_equal(store_kb_article_get(f->k, "greet", &a, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "version")), 2);
	json_decref(a);
	json_t *v = NULL;
	assert_int_equal(store_kb_article_versions(f->k, "greet", &v, &err), 0);
	assert_int_equal(json_array_size(v), 2);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(title_match_ranks_above_body_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(alternatives_are_searched, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_and_two_character_queries_work, setup, teardown),
	    cmocka_unit_test_setup_teardown(latin_and_full_width_queries_work, setup, teardown),
	    cmocka_unit_test_setup_teardown(punctuation_only_or_empty_queries_find_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(filters_by_kind_product_and_tag, setup, teardown),
	    cmocka_unit_test_setup_teardown(top_limits_the_hits, setup, teardown),
	    cmocka_unit_test_setup_teardown(synonyms_widen_the_query, setup, teardown),
	    cmocka_unit_test(query_build_uses_raw_tokens_only),
	    cmocka_unit_test_setup_teardown(a_deleted_article_leaves_the_index, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

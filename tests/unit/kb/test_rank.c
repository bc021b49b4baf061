/* Unit tests for the bounded search of src/kb/search.c and kb_store's kefu_rank / store_kb_df
 * (issue 7, task "search speed"): kefu_rank orders like FTS5's bm25() when given the true document
 * frequencies, articles holding every query token come first, the OR step still finds an article
 * that shares only a rare token, tokens in most articles do not slow the all-tokens step, a common
 * token's frequency is estimated, and the cached frequencies are forgotten when another connection
 * commits. */
#include "base/buf.h"
#include "kb_fixture.h"

static void import_n(struct kfx *f, const char *name, int from, int n, const char *title, const char *body)
{
	struct buf b;
	buf_init(&b);
	for (int i = from; i < from + n; i++)
		buf_printf(&b, "{\"kind\":\"faq\",\"id\":\"%s%d\",\"title\":\"%s%d\",\"body\":\"%s\"}\n",
			   name, i, title, i, body);
	buf_puts(&b, "");
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, name, b.data, &st, &err), 0);
	buf_free(&b);
}

static void rank_orders_like_bm25(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	struct kb_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(
	    kfx_import(
		f, "a",
		"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"退款到账\",\"body\":\"退款\"}\n"
		"{\"kind\":\"faq\",\"id\":\"b\",\"title\":\"发货时间\",\"body\":\"退款和到账很慢很慢\"}\n"
		"{\"kind\":\"faq\",\"id\":\"c\",\"title\":\"退款\",\"body\":\"没有\"}\n"
		"{\"kind\":\"faq\",\"id\":\"d\",\"title\":\"开票\",\"body\":\"发票\"}\n",
		&st, &err),
	    0);
	const char *match = "\"\xEE\x80\x80退款\" OR \"\xEE\x80\x80到账\"";
	int64_t df[2];
	assert_int_equal(store_kb_df(f->k, "\"\xEE\x80\x80退款\"", &df[0], &err), 0);
	assert_int_equal(store_kb_df(f->k, "\"\xEE\x80\x80到账\"", &df[1], &err), 0);
	assert_int_equal(df[0], 3);
	assert_int_equal(df[1], 2);
	struct store_kb_weights w = {10, 8, 1, 3};
	struct store_kb_hit a[5], b[5];
	int na = 0, nb = 0;
	assert_int_equal(store_kb_search(f->k, match, NULL, &w, 5, a, &na, &err), 0);
	assert_int_equal(store_kb_rank(f->k, match, df, 2, NULL, &w, 100, 5, b, &nb, &err), 0);
	assert_int_equal(na, 3);
	assert_int_equal(nb, na);
	for (int i = 0; i < na; i++) {
		assert_string_equal(a[i].id, b[i].id);
		assert_true(a[i].score - b[i].score < 1e-6 && b[i].score - a[i].score < 1e-6);
	}
	kfx_free(f);
}

static void every_token_first_then_rare_tokens(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	/* far more articles with 订单 than one step ranks; one with every token, one with 暂停 only */
	import_n(f, "common", 0, KB_RANK_CAP + 200, "订单问题", "订单");
	struct kb_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(
	    kfx_import(f, "b",
		       "{\"kind\":\"faq\",\"id\":\"all\",\"title\":\"订单暂停发货\",\"body\":\"\"}\n"
		       "{\"kind\":\"faq\",\"id\":\"rare\",\"title\":\"暂停营业\",\"body\":\"\"}\n",
		       &st, &err),
	    0);
	/* the article at the end of the rowids is found although 订单 matches more than the cap */
	assert_memory_equal(kfx_search(f, "订单暂停发货", NULL, 5), "all,", 4);
	/* nothing holds every token: the OR of the rare ones finds both, the common token is left out */
	const char *r = kfx_search(f, "订单暂停吗", NULL, 2);
	assert_non_null(strstr(r, "rare"));
	assert_non_null(strstr(r, "all"));
	/* a one-character query over many articles still answers, bounded */
	assert_int_equal(strlen(kfx_search(f, "订", NULL, 5)) > 0, 1);
	kfx_free(f);
}

static void tokens_in_most_articles_are_left_out_of_the_all_tokens_step(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	import_n(f, "c", 0, KB_AND_DF_MAX + 50, "常见问题", "");
	struct kb_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(
	    kfx_import(f, "b",
		       "{\"kind\":\"faq\",\"id\":\"full\",\"title\":\"常见问题退货运费\",\"body\":\"\"}\n"
		       "{\"kind\":\"faq\",\"id\":\"other\",\"title\":\"退货运费说明\",\"body\":\"\"}\n",
		       &st, &err),
	    0);
	/* 常见/问题 are in nearly every article: the exact article is still first, the other follows */
	const char *r = kfx_search(f, "常见问题退货运费", NULL, 5);
	assert_memory_equal(r, "full,", 5);
	assert_non_null(strstr(r, "other"));
	kfx_free(f);
}

static void common_token_frequency_is_estimated(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	int n = STORE_KB_DF_PROBE * 4;
	import_n(f, "x", 0, n, "常见", "正文");
	int64_t df = 0;
	struct kefu_err err = {0};
	assert_int_equal(store_kb_df(f->k, "\"\xEE\x80\x80常见\"", &df, &err), 0);
	assert_true(df > n * 9 / 10 && df < n * 11 / 10);
	/* merging the index (done after a large import) keeps what is found */
	assert_int_equal(store_kb_writer_optimize(f->w, &err), 0);
	assert_string_equal(kfx_search(f, "常见", NULL, 1), "x0");
	kfx_free(f);
}

static void cached_frequency_follows_new_commits(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	import_n(f, "x", 0, 3, "保修", "");
	int64_t df = 0;
	struct kefu_err err = {0};
	assert_int_equal(store_kb_df(f->k, "\"\xEE\x80\x80保修\"", &df, &err), 0);
	assert_int_equal(df, 3);
	import_n(f, "y", 0, 2, "保修", "");
	assert_int_equal(store_kb_df(f->k, "\"\xEE\x80\x80保修\"", &df, &err), 0);
	assert_int_equal(df, 5);
	kfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rank_orders_like_bm25),
	    cmocka_unit_test(every_token_first_then_rare_tokens),
	    cmocka_unit_test(tokens_in_most_articles_are_left_out_of_the_all_tokens_step),
	    cmocka_unit_test(common_token_frequency_is_estimated),
	    cmocka_unit_test(cached_frequency_follows_new_commits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

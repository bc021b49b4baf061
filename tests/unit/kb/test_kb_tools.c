/* Unit tests for issue 7's knowledge-base tools: the version diff (kb_diff: runs that rebuild both
 * texts, lines and characters, the coarse fallback), a case's text from a chat with PII masked by
 * the real guard (kb_case_text), export → import round trips (JSON Lines and Markdown, a second
 * import changes nothing, Markdown errors name the line), the projection of a case (owner, one case
 * per chat), query normalisation and ISO weeks (N-25), and a one-character query past the rank cap
 * still finding a new article titled with it. */
#include "base/buf.h"
#include "guard/guard.h"
#include "kb_fixture.h"
#include "store/projection.h"

/* Joins the runs of ops whose op is keep or other. */
static char *rebuild(json_t *ops, char other)
{
	struct buf b;
	buf_init(&b);
	size_t i;
	json_t *o;
	json_array_foreach(ops, i, o)
	{
		const char *op = json_string_value(json_object_get(o, "op"));
		if (op[0] == '=' || op[0] == other)
			buf_puts(&b, json_string_value(json_object_get(o, "text")));
	}
	buf_puts(&b, "");
	return buf_detach(&b);
}

static void check_diff(const char *a, const char *b, bool lines)
{
	json_t *ops = kb_diff(a, strlen(a), b, strlen(b), lines);
	char *ra = rebuild(ops, '-'), *rb = rebuild(ops, '+');
	assert_string_equal(ra, a);
	assert_string_equal(rb, b);
	free(ra);
	free(rb);
	json_decref(ops);
}

static void diff_rebuilds_both_versions(void **state)
{
	(void)state;
	check_diff("", "", false);
	check_diff("", "新内容", false);
	check_diff("旧内容", "", true);
	check_diff("退款1-3个工作日到账", "退款1-5个工作日原路到账", false);
	check_diff("第一行\n第二行\n第三行\n", "第一行\n第2行\n第三行\n第四行\n", true);
	check_diff("a\nb\nc", "c\nb\na", true);
	check_diff("same", "same", false);
}

static void diff_marks_exactly_what_changed(void **state)
{
	(void)state;
	json_t *ops = kb_diff("退款3天到账", 16, "退款5天到账", 16, false);
	/* 退款 kept, 3 removed, 5 added, 天到账 kept */
	assert_int_equal(json_array_size(ops), 4);
	const char *want[4][2] = {{"=", "退款"}, {"-", "3"}, {"+", "5"}, {"=", "天到账"}};
	for (int i = 0; i < 4; i++) {
		json_t *o = json_array_get(ops, (size_t)i);
		assert_string_equal(json_string_value(json_object_get(o, "op")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(o, "text")), want[i][1]);
	}
	json_decref(ops);
	const char *a = "一\n二\n三\n", *b = "一\n三\n";
	ops = kb_diff(a, strlen(a), b, strlen(b), true);
	assert_int_equal(json_array_size(ops), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ops, 1), "op")), "-");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ops, 1), "text")), "二\n");
	json_decref(ops);
}

static void diff_too_large_is_replaced_whole(void **state)
{
	(void)state;
	/* 3,000 × 3,000 characters with nothing in common at either end: past KB_DIFF_CELLS */
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	for (int i = 0; i < 3000; i++) {
		buf_puts(&a, i % 2 ? "x" : "y");
		buf_puts(&b, i % 3 ? "x" : "z");
	}
	buf_puts(&a, "A");
	buf_puts(&b, "B");
	json_t *ops = kb_diff(a.data, a.len, b.data, b.len, false);
	assert_true(json_array_size(ops) <= 3);
	char *ra = rebuild(ops, '-'), *rb = rebuild(ops, '+');
	assert_string_equal(ra, a.data);
	assert_string_equal(rb, b.data);
	free(ra);
	free(rb);
	json_decref(ops);
	buf_free(&a);
	buf_free(&b);
}

/* A 64 KiB one-line body against one character: each side's units gather into one run (the runs
 * used to be rebuilt per character, quadratic in the run's length). */
static void diff_long_runs_are_whole(void **state)
{
	(void)state;
	struct buf a;
	buf_init(&a);
	for (int i = 0; i < KB_TEXT_MAX; i++)
		buf_puts(&a, "x");
	json_t *ops = kb_diff(a.data, a.len, "y", 1, false);
	assert_int_equal(json_array_size(ops), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ops, 0), "op")), "-");
	assert_int_equal(json_string_length(json_object_get(json_array_get(ops, 0), "text")), KB_TEXT_MAX);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ops, 1), "op")), "+");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ops, 1), "text")), "y");
	json_decref(ops);
	buf_free(&a);
}

static void case_text_masks_pii_and_drops_system_lines(void **state)
{
	(void)state;
	char dir[600];
	const char *src = getenv("KEFU_SOURCE_DIR");
	snprintf(dir, sizeof dir, "%s/data/lexicons", src ? src : KEFU_SOURCE_DIR);
	struct guard *g = NULL;
	struct kefu_err err = {0};
	assert_int_equal(guard_load(dir, &g, &err), 0);
	json_t *msgs = json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "from", "system", "text",
				 "客服小王为您服务", "from", "customer", "text",
				 "我的手机13812345678收不到短信", "from", "bot", "text", "【智能助手】请稍候",
				 "from", "agent", "text", "已为您处理，身份证110101199003074514已核验");
	struct buf out;
	buf_init(&out);
	assert_int_equal(kb_case_text(g, msgs, &out, &err), 0);
	buf_puts(&out, "");
	assert_null(strstr(out.data, "13812345678"));
	assert_null(strstr(out.data, "110101199003074514"));
	assert_null(strstr(out.data, "客服小王为您服务"));
	assert_non_null(strstr(out.data, "客户：我的手机"));
	assert_non_null(strstr(out.data, "机器人：【智能助手】请稍候\n"));
	assert_non_null(strstr(out.data, "客服：已为您处理"));
	buf_free(&out);
	json_decref(msgs);
	guard_unref(g);
}

static const char ARTICLES[] =
    "{\"kind\":\"faq\",\"id\":\"faq-1\",\"title\":\"退款多久到账\",\"body\":\"1-3个工作日。\","
    "\"alternatives\":[\"钱什么时候退\"],\"tags\":[\"售后\"]}\n"
    "{\"kind\":\"manual\",\"id\":\"man:2\",\"title\":\"推车\\n折叠\",\"body\":\"第一步\\n## "
    "不是标题\\n\\\\反斜杠\\n- "
    "列表\",\"product\":\"stroller\",\"tags\":[\"a\",\"b\"]}\n"
    "{\"kind\":\"risk\",\"id\":\"risk-3\",\"title\":\"风险\",\"body\":\"\"}\n";

static char *export_all(struct kfx *f, enum kb_format fmt)
{
	struct buf b;
	buf_init(&b);
	int64_t n = 0;
	struct kefu_err err = {0};
	assert_int_equal(kb_export(f->k, fmt, &b, &n, &err), 0);
	buf_puts(&b, "");
	return buf_detach(&b);
}

static void export_round_trips(void **state)
{
	(void)state;
	struct kfx *a = kfx_new();
	struct kb_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(kfx_import(a, "a.jsonl", ARTICLES, &st, &err), 0);
	char *jl = export_all(a, KB_FORMAT_JSONL);
	char *md = export_all(a, KB_FORMAT_MARKDOWN);
	/* JSON Lines: the same lines as imported (the import format, product only when set) */
	struct kfx *b = kfx_new();
	assert_int_equal(kfx_import(b, "e.jsonl", jl, &st, &err), 0);
	assert_int_equal(st.stored, 3);
	char *jl2 = export_all(b, KB_FORMAT_JSONL);
	assert_string_equal(jl2, jl);
	assert_non_null(strstr(jl, "\"product\":\"stroller\""));
	assert_null(strstr(jl, "\"product\":null"));
	/* importing the export into the source changes nothing */
	assert_int_equal(kfx_import(a, "e.jsonl", jl, &st, &err), 0);
	assert_int_equal(st.stored, 0);
	assert_int_equal(st.same, 3);
	/* Markdown: readable, and read back to the same articles */
	assert_non_null(strstr(
	    md, "## 退款多久到账\n\n- id: faq-1\n- kind: faq\n- tag: 售后\n- alternative: 钱什么时候退\n"));
	assert_non_null(strstr(md, "\\## 不是标题\n"));
	struct kfx *c = kfx_new();
	assert_int_equal(kb_import_markdown(c->w, "e.md", md, strlen(md), &st, &err), 0);
	assert_int_equal(st.stored, 3);
	char *jl3 = export_all(c, KB_FORMAT_JSONL);
	assert_string_equal(jl3, jl);
	assert_int_equal(kb_import_markdown(c->w, "e.md", md, strlen(md), &st, &err), 0);
	assert_int_equal(st.stored, 0);
	free(jl);
	free(jl2);
	free(jl3);
	free(md);
	kfx_free(a);
	kfx_free(b);
	kfx_free(c);
}

/* Bodies the Markdown form used to lose (a trailing newline, CRLF lines, blank lines at either
 * end, a tab-only last line): the export read back gives the same articles, and importing it into
 * the store it came from changes nothing (it failed: "already stored with different content"). */
static void markdown_keeps_every_body(void **state)
{
	(void)state;
	static const char src[] =
	    "{\"kind\":\"faq\",\"id\":\"t1\",\"title\":\"尾部换行\",\"body\":\"答案\\n\"}\n"
	    "{\"kind\":\"faq\",\"id\":\"t2\",\"title\":\"回车\",\"body\":\"第一行\\r\\n第二行\\r\"}\n"
	    "{\"kind\":\"faq\",\"id\":\"t3\",\"title\":\"前导空行\",\"body\":\"\\n  \\n正文\\n\\n\"}\n"
	    "{\"kind\":\"faq\",\"id\":\"t4\",\"title\":\"tab\",\"body\":\"\\t缩进\\n\\t\"}\n"
	    "{\"kind\":\"faq\",\"id\":\"t5\",\"title\":\"空白\",\"body\":\" \"}\n";
	struct kfx *a = kfx_new();
	struct kb_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(kfx_import(a, "a.jsonl", src, &st, &err), 0);
	char *jl = export_all(a, KB_FORMAT_JSONL);
	char *md = export_all(a, KB_FORMAT_MARKDOWN);
	assert_int_equal(kb_import_markdown(a->w, "e.md", md, strlen(md), &st, &err), 0);
	assert_int_equal(st.stored, 0);
	assert_int_equal(st.same, 5);
	struct kfx *b = kfx_new();
	assert_int_equal(kb_import_markdown(b->w, "e.md", md, strlen(md), &st, &err), 0);
	char *jl2 = export_all(b, KB_FORMAT_JSONL);
	assert_string_equal(jl2, jl);
	free(jl);
	free(jl2);
	free(md);
	kfx_free(a);
	kfx_free(b);
}

static void markdown_errors_name_the_line_and_store_nothing(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	struct kb_import_stats st;
	struct kefu_err err = {0};
	const char *bad_kind =
	    "# KB\n\n## 好\n\n- id: a\n- kind: faq\n\n答\n\n## 坏\n\n- id: b\n- kind: nope\n\nx\n";
	assert_int_equal(kb_import_markdown(f->w, "k.md", bad_kind, strlen(bad_kind), &st, &err),
			 -KEFU_EINVAL);
	assert_string_equal(err.field, "kind");
	assert_non_null(strstr(err.msg, "k.md:10:"));
	const char *bad_field = "## 标题\n- id: a\n- kind: faq\n- colour: red\n\n答\n";
	assert_int_equal(kb_import_markdown(f->w, "f.md", bad_field, strlen(bad_field), &st, &err),
			 -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "f.md:4:"));
	const char *no_id = "## 标题\n- kind: faq\n\n答\n";
	assert_int_equal(kb_import_markdown(f->w, "i.md", no_id, strlen(no_id), &st, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "id");
	/* text but no "## " article (other headings) is an error naming the first such line, not a
	 * silent import of nothing; an empty export (its title only) still reads as no articles */
	const char *h3 = "# 手册\n\n### 退款\n\n- id: a\n- kind: faq\n\n答\n";
	assert_int_equal(kb_import_markdown(f->w, "h.md", h3, strlen(h3), &st, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "h.md:3:"));
	assert_non_null(strstr(err.msg, "no article"));
	const char *empty = "# 知识库 / Knowledge base\n\n";
	assert_int_equal(kb_import_markdown(f->w, "e.md", empty, strlen(empty), &st, &err), 0);
	assert_int_equal(st.lines, 0);
	int64_t n = -1;
	assert_int_equal(store_kb_count(f->k, &n, &err), 0);
	assert_int_equal(n, 0);
	kfx_free(f);
}

static void case_projection_sets_owner_once_per_chat(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	struct kefu_err err = {0};
	assert_int_equal(store_kb_writer_begin(f->w, &err), 0);
	json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:b,s:{s:s,s:s}}", "id", "case_1", "kind", "case",
			      "title", "好案例", "body", "客户：问\n客服：答\n", "version", 1, "source",
			      "case", "deleted", 0, "case", "session", "s_1", "agent", "u_agent1");
	struct store__ev ev = {"kb.article_saved", 1000, NULL, "u_sup1", d};
	assert_int_equal(store_kb_writer_append(f->w, &ev, &err), 0);
	assert_int_equal(store_kb_writer_commit(f->w, &err), 0);
	json_t *art = NULL, *cs = NULL;
	assert_int_equal(store_kb_article_get(f->k, "case_1", &art, &err), 0);
	assert_string_equal(json_string_value(json_object_get(art, "author")), "u_agent1");
	assert_int_equal(store_kb_case_get(f->k, "case_1", &cs, &err), 0);
	assert_string_equal(json_string_value(json_object_get(cs, "session")), "s_1");
	assert_string_equal(json_string_value(json_object_get(cs, "saved_by")), "u_sup1");
	json_decref(art);
	json_decref(cs);
	/* a second case from the same chat is a conflict */
	json_object_set_new(d, "id", json_string("case_2"));
	assert_int_equal(store_kb_writer_begin(f->w, &err), 0);
	assert_int_equal(store_kb_writer_append(f->w, &ev, &err), -KEFU_ECONFLICT);
	assert_string_equal(err.field, "session");
	store_kb_writer_rollback(f->w);
	json_decref(d);
	kfx_free(f);
}

static void normalise_and_weeks(void **state)
{
	(void)state;
	char out[KB_NORM_MAX + 1];
	const char *q = "  退款，多久到账？？ＡＢＣ 12 ";
	size_t n = kb_normalise_query(q, strlen(q), out, sizeof out);
	assert_string_equal(out, "退款多久到账abc12");
	assert_int_equal(n, strlen(out));
	assert_int_equal(kb_normalise_query("？！。 ", 10, out, sizeof out), 0);
	int64_t from = 0, to = 0;
	char mon[11], sun[11], wk[16];
	struct kefu_err err = {0};
	assert_int_equal(kb_week_parse("2026-W47", &from, &to, mon, sun, &err), 0);
	assert_string_equal(mon, "2026-11-16");
	assert_string_equal(sun, "2026-11-22");
	assert_int_equal(to - from, 7 * 86400000LL);
	kb_week_of(from, wk, sizeof wk);
	assert_string_equal(wk, "2026-W47");
	kb_week_of(from - 1, wk, sizeof wk);
	assert_string_equal(wk, "2026-W46");
	assert_int_equal(kb_week_parse("2026-W01", &from, &to, mon, sun, &err), 0);
	assert_string_equal(mon, "2025-12-29"); /* ISO week 1 holds 4 January */
	assert_int_equal(kb_week_parse("2020-W53", &from, &to, mon, sun, &err), 0);
	assert_int_equal(kb_week_parse("2026-W53", &from, &to, mon, sun, &err),
			 0); /* 2026 starts on a Thursday */
	assert_int_equal(kb_week_parse("2025-W53", &from, &to, mon, sun, &err), -KEFU_EINVAL);
	assert_int_equal(kb_week_parse("2026-47", &from, &to, mon, sun, &err), -KEFU_EINVAL);
	assert_int_equal(kb_week_parse("2026-W00", &from, &to, mon, sun, &err), -KEFU_EINVAL);
}

/* A one-character query whose character is in more articles than the rank cap still finds a new
 * article titled with it (the cap alone ranks the oldest KB_RANK_CAP rows only). */
static void one_character_finds_new_titles(void **state)
{
	(void)state;
	struct kfx *f = kfx_new();
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < KB_RANK_CAP + 50; i++)
		buf_printf(
		    &b,
		    "{\"kind\":\"faq\",\"id\":\"old%d\",\"title\":\"问题%d\",\"body\":\"关于退的说明\"}\n", i,
		    i);
	buf_puts(&b, "{\"kind\":\"faq\",\"id\":\"new\",\"title\":\"退\",\"body\":\"新\"}\n");
	struct kb_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(kfx_import(f, "a", b.data, &st, &err), 0);
	buf_free(&b);
	const char *got = kfx_search(f, "退", NULL, 3);
	assert_true(strncmp(got, "new,", 4) == 0);
	assert_int_equal(strlen(got), strlen("new,oldN,oldN")); /* filled from the body matches */
	kfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(diff_rebuilds_both_versions),
	    cmocka_unit_test(diff_marks_exactly_what_changed),
	    cmocka_unit_test(diff_too_large_is_replaced_whole),
	    cmocka_unit_test(diff_long_runs_are_whole),
	    cmocka_unit_test(case_text_masks_pii_and_drops_system_lines),
	    cmocka_unit_test(export_round_trips),
	    cmocka_unit_test(markdown_keeps_every_body),
	    cmocka_unit_test(markdown_errors_name_the_line_and_store_nothing),
	    cmocka_unit_test(case_projection_sets_owner_once_per_chat),
	    cmocka_unit_test(normalise_and_weeks),
	    cmocka_unit_test(one_character_finds_new_titles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/guard/lexicon.c: the shipped lexicons load; a bad entry is refused with
 * "file:line" and a reason; the hot-reload slot keeps the rules in force when a reload fails;
 * references keep a swapped-out guard alive. Lexicon files are written to a temp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "guard_test_util.h"

static char tmpdir[256];

static int mk_dir(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/kefu-guard-lex-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int rm_dir(void **state)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void write_file(const char *name, const char *content)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void shipped_lexicons_load(void **state)
{
	struct guard *g = gt_load();
	assert_true(guard_entry_count(g) > 1000);
	assert_non_null(strstr(guard_version(g), "rules_c01_absolute.tsv@"));
	guard_unref(g);
}

static void expect_refusal(const char *content, const char *field, const char *msg_part)
{
	write_file("rules.tsv", content);
	struct guard *g = NULL;
	struct kefu_err err = {0};
	int rc = guard_load(tmpdir, &g, &err);
	assert_int_equal(rc, -KEFU_EINVAL);
	assert_null(g);
	if (strcmp(err.field, field) != 0 || !strstr(err.msg, msg_part))
		fail_msg("field '%s' msg '%s'; want '%s' / '%s'", err.field, err.msg, field, msg_part);
}

static void bad_entries_name_file_and_line(void **state)
{
	expect_refusal("#kefu-lexicon rules 1\n最好\tliteral\tC-99\tblock\t理由\t建议\n", "rules.tsv:2",
		       "unknown rule");
	expect_refusal("#kefu-lexicon rules 1\n# comment\n\n最好\tliteral\tC-01\tfatal\t理由\t建议\n",
		       "rules.tsv:4", "unknown severity");
	expect_refusal("#kefu-lexicon rules 1\n最好\tliteral\tC-01\tblock\t理由\n", "rules.tsv:2",
		       "6 tab-separated");
	expect_refusal("#kefu-lexicon rules 1\n最好\tglob\tC-01\tblock\t理由\t建议\n", "rules.tsv:2",
		       "unknown kind");
	expect_refusal("#kefu-lexicon rules 1\n\tliteral\tC-01\tblock\t理由\t建议\n", "rules.tsv:2",
		       "pattern is empty");
	expect_refusal("#kefu-lexicon rules "
		       "1\n最好\tliteral\tC-01\tblock\t理由\t建议\n最好\tliteral\tC-01\twarn\t理由\t建议\n",
		       "rules.tsv:3", "duplicate");
	expect_refusal("#kefu-lexicon rules "
		       "1\nok\tliteral\tC-01\tblock\t理由\t建议\n(ab\tregex\tC-08\tblock\t理由\t建议\n",
		       "rules.tsv:3", "refused by vectorscan");
	expect_refusal("#kefu-lexicon rules 1\na\xff\tliteral\tC-01\tblock\t理由\t建议\n", "rules.tsv:2",
		       "UTF-8");
	expect_refusal("rules 1\n", "rules.tsv:1", "first line");
	expect_refusal("#kefu-lexicon nonsense 1\n", "rules.tsv:1", "unknown lexicon type");
	expect_refusal("#kefu-lexicon exceptions 1\n第一时间\tC-77\n", "rules.tsv:2", "unknown rule");
	expect_refusal("#kefu-lexicon emotion 1\n好\tpos\t9\n", "rules.tsv:2", "weight");
	expect_refusal("#kefu-lexicon pii 1\nphone\twarn\tr\ts\n", "rules.tsv:2", "unknown PII kind");
}

static void empty_directory_is_an_error(void **state)
{
	struct guard *g = NULL;
	struct kefu_err err = {0};
	assert_int_equal(guard_load(tmpdir, &g, &err), -KEFU_ENOTFOUND);
	assert_int_equal(guard_load("/nonexistent/kefu", &g, &err), -KEFU_EIO);
}

static void regex_rules_report_spans(void **state)
{
	write_file("rules.tsv", "#kefu-lexicon rules 1\n退款[0-9]+元\tregex\tC-04\twarn\t理由\t建议\n");
	struct guard *g;
	assert_int_equal(guard_load(tmpdir, &g, NULL), 0);
	struct guard_scratch *s = guard_scratch_new(g);
	struct guard_result r;
	const char *t = "给您退款200元可以吗";
	gt_scan(g, s, GUARD_ROLE_AGENT, t, &r);
	assert_int_equal(r.nhits, 1);
	assert_string_equal(r.hits[0].text, "退款200元");
	assert_int_equal(r.hits[0].start, 6);
	guard_result_clear(&r);
	guard_scratch_free(s);
	guard_unref(g);
}

static void reload_keeps_rules_in_force_on_error(void **state)
{
	write_file("rules.tsv", "#kefu-lexicon rules 1\n测试词\tliteral\tC-01\tblock\t理由\t建议\n");
	struct guard *g;
	assert_int_equal(guard_load(tmpdir, &g, NULL), 0);
	struct guard_slot *slot = guard_slot_new(g);
	struct guard *held = guard_slot_get(slot); /* a chat loop holding the current rules */
	struct guard_scratch *s = guard_scratch_new(held);

	write_file("rules.tsv", "#kefu-lexicon rules 2\n测试词\tliteral\tC-01\tbogus\t理由\t建议\n");
	struct kefu_err err = {0};
	assert_int_equal(guard_slot_reload(slot, tmpdir, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "rules.tsv:2");
	struct guard *cur = guard_slot_get(slot);
	assert_ptr_equal(cur, held);
	guard_unref(cur);

	write_file("rules.tsv", "#kefu-lexicon rules 3\n新词\tliteral\tC-02\tblock\t理由\t建议\n");
	assert_int_equal(guard_slot_reload(slot, tmpdir, NULL), 0);
	cur = guard_slot_get(slot);
	assert_ptr_not_equal(cur, held);
	struct guard_result r;
	/* the old guard stays valid for its holder; the same scratch works with the new one */
	assert_int_equal(gt_scan(held, s, GUARD_ROLE_AGENT, "测试词", &r), GUARD_BLOCK);
	guard_result_clear(&r);
	assert_int_equal(gt_scan(cur, s, GUARD_ROLE_AGENT, "测试词", &r), GUARD_PASS);
	guard_result_clear(&r);
	assert_int_equal(gt_scan(cur, s, GUARD_ROLE_AGENT, "新词", &r), GUARD_BLOCK);
	guard_result_clear(&r);
	assert_non_null(strstr(guard_version(cur), "rules.tsv@3"));
	guard_unref(cur);
	guard_unref(held);
	guard_scratch_free(s);
	guard_slot_free(slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_lexicons_load),
	    cmocka_unit_test_setup_teardown(bad_entries_name_file_and_line, mk_dir, rm_dir),
	    cmocka_unit_test_setup_teardown(empty_directory_is_an_error, mk_dir, rm_dir),
	    cmocka_unit_test_setup_teardown(regex_rules_report_spans, mk_dir, rm_dir),
	    cmocka_unit_test_setup_teardown(reload_keeps_rules_in_force_on_error, mk_dir, rm_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

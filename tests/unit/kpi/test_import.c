/* Unit tests for src/kpi/import.c: each error names file, line and field and stores nothing;
 * importing the same file twice changes nothing; references resolve in any line order and
 * against the store; and on `kefu demo` data the rollups kept current by two imports equal a full
 * rebuild, and the month sums the rollup keeps (kpi_span_agents) equal the sums of the day rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/assess.h"
#include "kpi/demo.h"
#include "kpi/import.h"
#include "kpi/rollup.h"
#include "store/store.h"

#include "store_fixture.h"

static struct kpi_rules R;

static int import(struct fx *f, const char *text, struct kpi_import_stats *st, struct kefu_err *err)
{
	return kpi_import_buffer(f->a, &R, "f.jsonl", text, strlen(text), st, err);
}

static int64_t count_events(struct fx *f)
{
	struct store_reader *r;
	int64_t n = -1;
	assert_int_equal(store_reader_open(f->s, &r, NULL), 0);
	assert_int_equal(store_events_count(r, &n, NULL), 0);
	store_reader_close(r);
	return n;
}

#define AGENT "{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"team\":\"t1\",\"post\":\"presale\"}\n"
#define CUST "{\"kind\":\"customer\",\"id\":\"c1\",\"type\":\"new\"}\n"
#define SESS                                                                                                 \
	"{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","      \
	"\"start\":\"2026-10-01T09:00:00+08:00\"}\n"

static void expect_error(struct fx *f, const char *text, const char *want)
{
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int64_t before = count_events(f);
	assert_int_equal(import(f, text, &st, &err), -KEFU_EINVAL);
	if (!strstr(err.msg, want))
		print_error("got: %s\nwant: %s\n", err.msg, want);
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(count_events(f), before); /* nothing stored */
}

static void errors_name_file_line_and_field_and_store_nothing(void **state)
{
	struct fx *f = *state;
	expect_error(f, AGENT CUST "{\"kind\":\"robot\",\"id\":\"x\"}\n", "f.jsonl:3: field 'kind'");
	expect_error(f, AGENT "{\"id\":\"c1\",\"kind\":\"customer\"}\n", "f.jsonl:2: field 'kind'");
	expect_error(f, AGENT CUST "{\"kind\":\"customer\",\"id\":\"c2\",\"vip\":true}\n",
		     "f.jsonl:3: field 'vip'");
	expect_error(f,
		     AGENT CUST "{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\","
				"\"agent\":\"a1\",\"start\":\"2026-10-01T09:00:00\"}\n",
		     "f.jsonl:3: field 'start'");
	expect_error(f,
		     AGENT CUST SESS
		     "{\"kind\":\"rating\",\"session\":\"s2\",\"at\":\"2026-10-01T09:00:00Z\",\"score\":5}\n",
		     "f.jsonl:4: field 'session'");
	expect_error(f,
		     AGENT CUST SESS
		     "{\"kind\":\"rating\",\"session\":\"s1\",\"at\":\"2026-10-01T09:00:00Z\",\"score\":6}\n",
		     "f.jsonl:4: field 'score'");
	expect_error(f, AGENT CUST "{\"kind\":\"customer\",\"id\":\"c1\",\"type\":\"vip\"}\n",
		     "f.jsonl:3: field 'id'");
	expect_error(f, AGENT "{\"kind\":\"customer\",\"id\":\"c1\"", "f.jsonl:2:");
	expect_error(
	    f,
	    AGENT
	    "{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"agent\",\"at\":\"2026-10-01T09:00:00Z\"}\n",
	    "f.jsonl:2: field 'text'");
	assert_int_equal(count_events(f), 0);
}

static void references_resolve_in_any_order_and_against_the_store(void **state)
{
	struct fx *f = *state;
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	/* the message comes before its session, the session before its agent and customer */
	assert_int_equal(import(f,
				"{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"customer\","
				"\"at\":\"2026-10-01T09:00:00+08:00\",\"text\":\"在吗\"}\n" SESS CUST AGENT,
				&st, &err),
			 0);
	assert_int_equal(st.stored[3], 1);
	/* a second file refers to the stored session and customer */
	assert_int_equal(
	    import(
		f,
		"{\"kind\":\"rating\",\"session\":\"s1\",\"at\":\"2026-10-01T09:30:00+08:00\",\"score\":4}\n"
		"{\"kind\":\"order\",\"id\":\"o1\",\"customer\":\"c1\",\"at\":\"2026-10-02T09:00:00+08:00\"}"
		"\n",
		&st, &err),
	    0);
	assert_int_equal(st.stored[4] + st.stored[5], 2);
}

static void same_file_twice_changes_nothing_and_identical_ids_are_no_ops(void **state)
{
	struct fx *f = *state;
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	const char *text = AGENT CUST SESS "{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"customer\","
					   "\"at\":\"2026-10-01T09:00:00+08:00\",\"text\":\"a\\u4f60\"}\n";
	assert_int_equal(import(f, text, &st, &err), 0);
	int64_t n = count_events(f);
	assert_int_equal(n, 4);
	assert_int_equal(import(f, text, &st, &err), 0);
	assert_true(st.already);
	assert_int_equal(count_events(f), n);
	/* another file repeating the same records (identical content) adds nothing */
	assert_int_equal(import(f, AGENT CUST AGENT SESS, &st, &err), 0);
	assert_int_equal(st.stored[0] + st.stored[1] + st.stored[2], 0);
	assert_int_equal(count_events(f), n);
}

static int64_t count_indexes(struct fx *f)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT "
			       "NULL AND tbl_name IN ('sessions', 'orders', 'complaints')",
			       -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

/* Into an empty store the secondary indexes are dropped for the load and built after it; an error
 * after the drop (an unknown reference is found in the second pass) leaves them as they were. */
static void bulk_load_into_an_empty_store_keeps_its_indexes(void **state)
{
	struct fx *f = *state;
	int64_t n = count_indexes(f);
	assert_true(n >= 5);
	expect_error(f,
		     AGENT CUST SESS "{\"kind\":\"message\",\"session\":\"s9\",\"from\":\"customer\","
				     "\"at\":\"2026-10-01T09:00:00+08:00\",\"text\":\"a\"}\n",
		     "f.jsonl:4: field 'session'");
	assert_int_equal(count_indexes(f), n);
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	assert_int_equal(import(f, AGENT CUST SESS, &st, &err), 0);
	assert_int_equal(st.stored[2], 1);
	assert_int_equal(count_indexes(f), n);
	/* the store is not empty now: a second file is stored with the indexes in place */
	assert_int_equal(import(f,
				"{\"kind\":\"session\",\"id\":\"s2\",\"channel\":\"web\",\"customer\":\"c1\","
				"\"agent\":\"a1\",\"start\":\"2026-10-02T09:00:00+08:00\"}\n",
				&st, &err),
			 0);
	assert_int_equal(st.stored[2], 1);
	assert_int_equal(count_indexes(f), n);
}

static void demo_rollups_kept_current_equal_a_rebuild(void **state)
{
	struct fx *f = *state;
	struct kpi_demo_opts o = {.agents = 6, .days = 20, .seed = 3, .start_day = 20722};
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	struct kpi_demo_counts c;
	assert_int_equal(kpi_demo_write(mf, &o, &c), 0);
	fclose(mf);
	/* two files: the lines up to a session in the middle and the rest (the demo writes each
	 * definition before its first use, and a session's messages just before the session) */
	char *sl = strstr(text + len / 2, "\n{\"kind\":\"session\""); /* cut after a session line */
	assert_non_null(sl);
	size_t cut = (size_t)(strchr(sl + 1, '\n') + 1 - text);
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int r = kpi_import_buffer(f->a, &R, "d1.jsonl", text, cut, &st, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	r = kpi_import_buffer(f->a, &R, "d2.jsonl", text + cut, len - cut, &st, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	free(text);
	struct kpi_scorecard sc;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/data/policy",
		 getenv("KEFU_SOURCE_DIR") ? getenv("KEFU_SOURCE_DIR") : KEFU_SOURCE_DIR);
	r = kpi_scorecard_load(dir, "default", &sc, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	json_t *inc = NULL, *reb = NULL;
	assert_int_equal(kpi_assess(f->a, &R, &sc, "2026-10", &inc, &err), 0);
	assert_int_equal(assess_store_begin(f->a, &err), 0);
	assert_int_equal(kpi_rollup_rebuild(f->a, &R, NULL, &err), 0);
	assert_int_equal(assess_store_commit(f->a, &err), 0);
	assert_int_equal(kpi_assess(f->a, &R, &sc, "2026-10", &reb, &err), 0);
	char *a = json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS),
	     *b = json_dumps(reb, JSON_COMPACT | JSON_SORT_KEYS);
	assert_true(json_array_size(json_object_get(inc, "agents")) == 6);
	/* the demo's tickets are in it (K-29, K-34 have data), so the equality covers the ticket rows */
	size_t ai;
	json_t *ag;
	int64_t resolved = 0, fields = 0;
	json_array_foreach(json_object_get(inc, "agents"), ai, ag)
	{
		json_t *ms = json_object_get(ag, "metrics");
		resolved += json_integer_value(json_object_get(json_object_get(ms, "K-29"), "n"));
		fields += json_integer_value(json_object_get(json_object_get(ms, "K-34"), "n"));
	}
	assert_true(resolved > 0 && fields > 0);
	assert_string_equal(a, b);
	/* without the kept month (005_assess_spans) the period is summed from the day rows: same */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM kpi_span_agents WHERE day_from = 20727",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 6); /* 2026-10 is kept, one row per agent */
	sqlite3_finalize(q);
	/* and so are its people and ticket sums (011_kpi_month_sums), which the equality below covers */
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT (SELECT count(*) FROM kpi_people_span WHERE day_from = 20727), "
			       "(SELECT count(*) FROM kpi_ticket_span WHERE day_from = 20727)",
			       -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_true(sqlite3_column_int(q, 0) > 0 && sqlite3_column_int(q, 1) > 0);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM kpi_spans", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	json_t *days = NULL;
	assert_int_equal(kpi_assess(f->a, &R, &sc, "2026-10", &days, &err), 0);
	char *d = json_dumps(days, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(a, d);
	free(d);
	json_decref(days);
	free(a);
	free(b);
	json_decref(inc);
	json_decref(reb);
}

int main(void)
{
	kpi_rules_default(&R);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(errors_name_file_line_and_field_and_store_nothing, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(references_resolve_in_any_order_and_against_the_store, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(same_file_twice_changes_nothing_and_identical_ids_are_no_ops,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(bulk_load_into_an_empty_store_keeps_its_indexes, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(demo_rollups_kept_current_equal_a_rebuild, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/kpi/people.c and the people import kinds (exam, kb_contribution,
 * case_citation, collab_rating, review) with the guard over imported agent messages: hand-computed
 * K-30…K-44/K-52 values, null without data, the zero-tolerance deduction, a citation of one's own
 * case not counting, import errors naming line and field with nothing stored, and on `kefu demo`
 * data (guard on) the rollups kept current equal a rebuild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard.h"
#include "kpi/assess.h"
#include "kpi/demo.h"
#include "kpi/definitions.h"
#include "kpi/import.h"
#include "kpi/rollup.h"
#include "store/store.h"

#include "store_fixture.h"

static struct kpi_rules R;
static struct guard *G;
static struct kpi_scorecard SC;

static const char *src_dir(void)
{
	return getenv("KEFU_SOURCE_DIR") ? getenv("KEFU_SOURCE_DIR") : KEFU_SOURCE_DIR;
}

static int setup(void **state)
{
	*state = fx_open();
	kpi_import_set_guard(G);
	return 0;
}

static int teardown(void **state)
{
	kpi_import_set_guard(NULL);
	fx_close(*state);
	return 0;
}

static int import(struct fx *f, const char *text, struct kefu_err *err)
{
	struct kpi_import_stats st;
	return kpi_import_buffer(f->a, &R, "p.jsonl", text, strlen(text), &st, err);
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

/* The metric object of agent in the period's assessment (owned by *doc). */
static json_t *metric(struct fx *f, const char *period, const char *agent, const char *id, json_t **doc)
{
	struct kefu_err err = {0};
	if (!*doc)
		assert_int_equal(kpi_assess(f->a, &R, &SC, period, doc, &err), 0);
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(*doc, "agents"), i, ag)
	{
		if (strcmp(json_string_value(json_object_get(ag, "id")), agent) == 0)
			return json_object_get(json_object_get(ag, "metrics"), id);
	}
	fail_msg("agent %s not assessed", agent);
	return NULL;
}

static void expect(struct fx *f, json_t **doc, const char *period, const char *agent, const char *id,
		   double value, int64_t n)
{
	json_t *m = metric(f, period, agent, id, doc);
	assert_non_null(m);
	json_t *v = json_object_get(m, "value");
	if (!json_is_number(v))
		fail_msg("%s %s: value is not a number", agent, id);
	if (json_number_value(v) < value - 1e-6 || json_number_value(v) > value + 1e-6)
		fail_msg("%s %s: %f, expected %f", agent, id, json_number_value(v), value);
	assert_int_equal(json_integer_value(json_object_get(m, "n")), n);
}

static void expect_null(struct fx *f, json_t **doc, const char *period, const char *agent, const char *id)
{
	json_t *m = metric(f, period, agent, id, doc);
	assert_non_null(m);
	if (!json_is_null(json_object_get(m, "value")))
		fail_msg("%s %s: expected null", agent, id);
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 0);
}

#define BASE                                                                                                 \
	"{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"team\":\"t1\",\"post\":\"presale\"}\n"           \
	"{\"kind\":\"agent\",\"id\":\"a2\",\"name\":\"B\",\"team\":\"t1\",\"post\":\"presale\"}\n"           \
	"{\"kind\":\"agent\",\"id\":\"a3\",\"name\":\"C\",\"team\":\"t1\",\"post\":\"presale\"}\n"           \
	"{\"kind\":\"customer\",\"id\":\"c1\"}\n"                                                            \
	"{\"kind\":\"session\",\"id\":\"s1\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","      \
	"\"start\":\"2026-01-05T10:00:00+08:00\",\"end\":\"2026-01-05T10:10:00+08:00\"}\n"                   \
	"{\"kind\":\"session\",\"id\":\"s2\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a1\","      \
	"\"start\":\"2026-01-06T10:00:00+08:00\",\"end\":\"2026-01-06T10:10:00+08:00\"}\n"                   \
	"{\"kind\":\"session\",\"id\":\"s3\",\"channel\":\"web\",\"customer\":\"c1\",\"agent\":\"a2\","      \
	"\"start\":\"2026-01-07T10:00:00+08:00\",\"end\":\"2026-01-07T10:10:00+08:00\"}\n"                   \
	"{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"customer\",\"at\":\"2026-01-05T10:00:00+08:"    \
	"00\","                                                                                              \
	"\"text\":\"在吗\"}\n"                                                                             \
	"{\"kind\":\"message\",\"session\":\"s1\",\"from\":\"agent\",\"at\":\"2026-01-05T10:00:10+08:00\","  \
	"\"text\":\"亲，我们是国家级品质，绝对第一\"}\n"                                      \
	"{\"kind\":\"message\",\"session\":\"s2\",\"from\":\"agent\",\"at\":\"2026-01-06T10:00:10+08:00\","  \
	"\"text\":\"亲，您好，在的，请问有什么可以帮您\"}\n"                                \
	"{\"kind\":\"message\",\"session\":\"s3\",\"from\":\"agent\",\"at\":\"2026-01-07T10:00:10+08:00\","  \
	"\"text\":\"好的亲，已为您备注加急\"}\n"

#define PEOPLE                                                                                               \
	"{\"kind\":\"exam\",\"id\":\"e1\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:00+08:00\",\"score\":"  \
	"85,"                                                                                                \
	"\"pass_mark\":80,\"topic\":\"product\"}\n"                                                          \
	"{\"kind\":\"exam\",\"id\":\"e2\",\"agent\":\"a1\",\"at\":\"2026-01-21T18:00:00+08:00\","            \
	"\"score\":79.5,\"pass_mark\":80}\n"                                                                 \
	"{\"kind\":\"exam\",\"id\":\"e3\",\"agent\":\"a1\",\"at\":\"2026-01-22T18:00:00+08:00\",\"score\":"  \
	"60,"                                                                                                \
	"\"passed\":true,\"topic\":\"new_product\"}\n"                                                       \
	"{\"kind\":\"kb_contribution\",\"id\":\"k1\",\"agent\":\"a1\",\"at\":\"2026-01-10T09:00:00+08:00\"," \
	"\"state\":\"accepted\"}\n"                                                                          \
	"{\"kind\":\"kb_contribution\",\"id\":\"k2\",\"agent\":\"a1\",\"at\":\"2026-01-11T09:00:00+08:00\"," \
	"\"state\":\"rejected\"}\n"                                                                          \
	"{\"kind\":\"kb_contribution\",\"id\":\"k3\",\"agent\":\"a1\",\"at\":\"2026-01-12T09:00:00+08:00\"," \
	"\"article\":\"faq-1\",\"state\":\"accepted\"}\n"                                                    \
	"{\"kind\":\"kb_contribution\",\"id\":\"k4\",\"agent\":\"a1\",\"at\":\"2026-02-12T09:00:00+08:00\"," \
	"\"state\":\"accepted\"}\n"                                                                          \
	"{\"kind\":\"case_citation\",\"case\":\"case-1\",\"author\":\"a1\",\"by\":\"a2\","                   \
	"\"at\":\"2026-01-15T09:00:00+08:00\",\"session\":\"s3\"}\n"                                         \
	"{\"kind\":\"case_citation\",\"case\":\"case-1\",\"author\":\"a1\",\"by\":\"a1\","                   \
	"\"at\":\"2026-01-16T09:00:00+08:00\",\"session\":\"s2\"}\n"                                         \
	"{\"kind\":\"case_citation\",\"case\":\"case-2\",\"author\":\"a2\",\"by\":\"a1\","                   \
	"\"at\":\"2026-01-17T09:00:00+08:00\"}\n"                                                            \
	"{\"kind\":\"collab_rating\",\"id\":\"cr1\",\"agent\":\"a1\",\"department\":\"logistics\","          \
	"\"at\":\"2026-01-20T09:00:00+08:00\",\"score\":5}\n"                                                \
	"{\"kind\":\"collab_rating\",\"id\":\"cr2\",\"agent\":\"a1\",\"department\":\"finance\","            \
	"\"at\":\"2026-01-20T09:00:00+08:00\",\"score\":3}\n"                                                \
	"{\"kind\":\"review\",\"id\":\"r1\",\"agent\":\"a1\",\"at\":\"2026-01-20T09:00:00+08:00\","          \
	"\"type\":\"qa\",\"score\":8,\"session\":\"s1\"}\n"                                                  \
	"{\"kind\":\"review\",\"id\":\"r2\",\"agent\":\"a1\",\"at\":\"2026-01-21T09:00:00+08:00\","          \
	"\"type\":\"qa\",\"score\":6,\"session\":\"s2\",\"reviewer\":\"a3\"}\n"                              \
	"{\"kind\":\"review\",\"id\":\"r3\",\"agent\":\"a1\",\"at\":\"2026-01-22T09:00:00+08:00\","          \
	"\"type\":\"peer\",\"score\":9,\"reviewer\":\"a2\"}\n"                                               \
	"{\"kind\":\"review\",\"id\":\"r4\",\"agent\":\"a1\",\"at\":\"2026-01-22T09:00:00+08:00\","          \
	"\"type\":\"self\",\"score\":10}\n"

/* Every value worked out by hand from the lines above. */
static void hand_computed_values(void **state)
{
	struct fx *f = *state;
	struct kefu_err err = {0};
	int r = import(f, BASE PEOPLE, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	json_t *doc = NULL;
	expect(f, &doc, "2026-01", "a1", "K-30", 1, 2); /* the C-01 "绝对第一" in s1 */
	json_t *k30 = metric(f, "2026-01", "a1", "K-30", &doc);
	assert_true(json_number_value(json_object_get(k30, "score")) == 90); /* 100 − 10 × 1 */
	expect(f, &doc, "2026-01", "a1", "K-31", 0, 2);
	expect(f, &doc, "2026-01", "a1", "K-32", 0.5, 2); /* s2 clean, s1 not */
	expect(f, &doc, "2026-01", "a1", "K-35", 7, 2); /* (8 + 6) / 2 */
	expect(f, &doc, "2026-01", "a1", "K-40", 2, 1); /* k1, k3; k2 rejected; k4 in February */
	expect(f, &doc, "2026-01", "a1", "K-41", 1, 1); /* by a2; a1's own citation does not count */
	expect(f, &doc, "2026-01", "a1", "K-42", 2.0 / 3, 3); /* e1 85 ≥ 80, e2 79.5 < 80, e3 passed */
	expect(f, &doc, "2026-01", "a1", "K-52", 1, 1);
	expect(f, &doc, "2026-01", "a1", "K-43", 0.5, 2);
	expect(f, &doc, "2026-01", "a1", "K-44", 9, 1);
	expect(f, &doc, "2026-01", "a1", "K-44.self", 10, 1);
	expect(f, &doc, "2026-01", "a2", "K-30", 0, 1);
	expect(f, &doc, "2026-01", "a2", "K-32", 1, 1);
	expect(f, &doc, "2026-01", "a2", "K-41", 1, 1);
	expect(f, &doc, "2026-01", "a2", "K-40", 0, 1); /* the organisation tracks contributions */
	expect_null(f, &doc, "2026-01", "a2", "K-35");
	expect_null(f, &doc, "2026-01", "a2", "K-42");
	expect_null(f, &doc, "2026-01", "a2", "K-43");
	expect_null(f, &doc, "2026-01", "a3", "K-30"); /* no sessions */
	expect_null(f, &doc, "2026-01", "a3", "K-32");
	json_decref(doc);
	doc = NULL;
	expect(f, &doc, "2026-Q1", "a1", "K-40", 1, 3); /* (2 + 1) / 3 months */
	json_decref(doc);
	/* the records behind them */
	json_t *ex = NULL;
	assert_int_equal(kpi_explain(f->a, &R, "2026-01", "a1", "K-41", &ex, &err), 0);
	assert_int_equal(json_array_size(ex), 2);
	int counted = 0;
	size_t i;
	json_t *o;
	json_array_foreach(ex, i, o) counted += (int)json_integer_value(json_object_get(o, "counted"));
	assert_int_equal(counted, 1);
	json_decref(ex);
	assert_int_equal(kpi_explain(f->a, &R, "2026-01", "a1", "K-30", &ex, &err), 0);
	assert_int_equal(json_array_size(ex), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "session")), "s1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "rules")), "C-01");
	json_decref(ex);
	assert_int_equal(kpi_explain(f->a, &R, "2026-01", "a1", "K-42", &ex, &err), 0);
	assert_int_equal(json_array_size(ex), 3);
	json_decref(ex);
}

/* K-30 counts a violating message against its sender, K-32 against the session's agent whoever
 * sent it (SPEC: sessions with no C- violation), K-31 a delivered C-08 hit (an imported message
 * is delivered), as docs/metrics.md states: a1 sends "私下转账" (C-08, block) in a2's session s3. */
static void a_violation_in_someone_elses_session(void **state)
{
	struct fx *f = *state;
	struct kefu_err err = {0};
	int r = import(f,
		       BASE "{\"kind\":\"message\",\"session\":\"s3\",\"from\":\"agent\",\"agent\":\"a1\","
			    "\"at\":\"2026-01-07T10:01:00+08:00\",\"text\":\"您可以私下转账\"}\n",
		       &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	json_t *doc = NULL;
	expect(f, &doc, "2026-01", "a1", "K-30", 2, 2); /* s1's C-01 and the C-08 in s3 */
	expect(f, &doc, "2026-01", "a1", "K-31", 1, 2);
	assert_true(json_number_value(json_object_get(metric(f, "2026-01", "a1", "K-31", &doc), "score")) ==
		    50); /* 100 − 50 × 1 */
	expect(f, &doc, "2026-01", "a1", "K-32", 0.5, 2); /* over a1's own sessions s1, s2 */
	expect(f, &doc, "2026-01", "a2", "K-30", 0, 1); /* a1 sent it */
	expect(f, &doc, "2026-01", "a2", "K-31", 0, 1);
	expect(f, &doc, "2026-01", "a2", "K-32", 0, 1); /* but a2's session s3 is not clean */
	json_decref(doc);
	json_t *ex = NULL;
	assert_int_equal(kpi_explain(f->a, &R, "2026-01", "a1", "K-31", &ex, &err), 0);
	assert_int_equal(json_array_size(ex), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "session")), "s3");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(ex, 0), "rules")), "C-08"));
	json_decref(ex);
	assert_int_equal(kpi_explain(f->a, &R, "2026-01", "a2", "K-32", &ex, &err), 0);
	assert_int_equal(json_array_size(ex), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "session")), "s3");
	json_decref(ex);
}

/* A-11 (48716c8): K-43's satisfied threshold is the one of the definitions version in force on
 * the rating's day: version 2 lowers satisfied_min to 3 from 2026-01-20, so a 3 on the 19th is not
 * satisfied and a 3 on the 21st is. */
static void collaboration_threshold_of_the_days_version(void **state)
{
	struct fx *f = *state;
	struct kefu_err err = {0};
	static const char defs_json[] =
	    "{\"versions\":[{\"version\":1,\"effective\":\"1970-01-01\",\"rules\":{}},"
	    "{\"version\":2,\"effective\":\"2026-01-20\",\"rules\":{\"satisfied_min\":3}}]}";
	static struct kpi_definitions defs;
	int r = kpi_definitions_parse(defs_json, strlen(defs_json), &defs, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	const struct kpi_definitions *saved = R.versions;
	R.versions = &defs;
	r = import(f,
		   BASE "{\"kind\":\"collab_rating\",\"id\":\"v1\",\"agent\":\"a1\",\"department\":\"tech\","
			"\"at\":\"2026-01-19T09:00:00+08:00\",\"score\":3}\n"
			"{\"kind\":\"collab_rating\",\"id\":\"v2\",\"agent\":\"a1\",\"department\":\"tech\","
			"\"at\":\"2026-01-21T09:00:00+08:00\",\"score\":3}\n",
		   &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	json_t *doc = NULL;
	expect(f, &doc, "2026-01", "a1", "K-43", 0.5, 2);
	json_decref(doc);
	doc = NULL;
	assert_int_equal(kpi_rollup_rebuild(f->a, &R, NULL, &err), 0); /* a rebuild agrees */
	expect(f, &doc, "2026-01", "a1", "K-43", 0.5, 2);
	json_decref(doc);
	R.versions = saved;
}

/* Without any people records every people metric but the session-based ones is null. */
static void null_without_data(void **state)
{
	struct fx *f = *state;
	struct kefu_err err = {0};
	assert_int_equal(import(f, BASE, &err), 0);
	json_t *doc = NULL;
	static const char *const ids[] = {"K-35", "K-40", "K-41",      "K-42",
					  "K-43", "K-44", "K-44.self", "K-52"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		expect_null(f, &doc, "2026-01", "a1", ids[i]);
	expect(f, &doc, "2026-01", "a1", "K-30", 1, 2);
	json_decref(doc);
}

/* Each kind: a bad field is named with its line, and nothing of the file is stored. */
static void import_errors_name_line_and_field(void **state)
{
	struct fx *f = *state;
	struct kefu_err err = {0};
	assert_int_equal(import(f, BASE, &err), 0);
	int64_t before = count_events(f);
	static const struct {
		const char *line, *field;
	} cases[] = {
	    {"{\"kind\":\"exam\",\"id\":\"e1\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:00+08:00\","
	     "\"score\":101,"
	     "\"pass_mark\":80}",
	     "score"},
	    {"{\"kind\":\"exam\",\"id\":\"e1\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:00+08:00\","
	     "\"score\":90}",
	     "pass_mark"},
	    {"{\"kind\":\"exam\",\"id\":\"e1\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:00+08:00\","
	     "\"score\":70,"
	     "\"pass_mark\":80,\"passed\":true}",
	     "passed"},
	    {"{\"kind\":\"kb_contribution\",\"id\":\"k1\",\"agent\":\"zz\",\"at\":\"2026-01-10T09:00:00+08:"
	     "00\","
	     "\"state\":\"accepted\"}",
	     "agent"},
	    {"{\"kind\":\"kb_contribution\",\"id\":\"k1\",\"agent\":\"a1\",\"at\":\"2026-01-10T09:00:00+08:"
	     "00\","
	     "\"state\":\"maybe\"}",
	     "state"},
	    {"{\"kind\":\"case_citation\",\"case\":\"c\",\"author\":\"a1\",\"by\":\"a2\",\"at\":"
	     "\"yesterday\"}",
	     "at"},
	    {"{\"kind\":\"case_citation\",\"case\":\"c\",\"author\":\"a1\",\"by\":\"a2\",\"at\":\"2026-01-"
	     "10T09:00:00+"
	     "08:00\",\"session\":\"nope\"}",
	     "session"},
	    {"{\"kind\":\"collab_rating\",\"id\":\"x\",\"agent\":\"a1\",\"department\":\"d\",\"at\":\"2026-"
	     "01-10T09:"
	     "00:00+08:00\",\"score\":6}",
	     "score"},
	    {"{\"kind\":\"collab_rating\",\"id\":\"x\",\"agent\":\"a1\",\"at\":\"2026-01-10T09:00:00+08:00\","
	     "\"score\":4}",
	     "department"},
	    {"{\"kind\":\"review\",\"id\":\"r\",\"agent\":\"a1\",\"at\":\"2026-01-10T09:00:00+08:00\","
	     "\"type\":\"qa\","
	     "\"score\":8.5}",
	     "score"},
	    {"{\"kind\":\"review\",\"id\":\"r\",\"agent\":\"a1\",\"at\":\"2026-01-10T09:00:00+08:00\","
	     "\"type\":\"qa\","
	     "\"score\":8,\"grade\":\"A\"}",
	     "grade"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[1024];
		/* a good line first, so the bad one is line 2 */
		snprintf(text, sizeof text,
			 "{\"kind\":\"review\",\"id\":\"ok\",\"agent\":\"a1\",\"at\":\"2026-01-10T09:00:00+"
			 "08:00\","
			 "\"type\":\"self\",\"score\":8}\n%s\n",
			 cases[i].line);
		memset(&err, 0, sizeof err);
		assert_int_equal(import(f, text, &err), -KEFU_EINVAL);
		assert_string_equal(err.field, cases[i].field);
		char want[64];
		snprintf(want, sizeof want, "p.jsonl:2: field '%s'", cases[i].field);
		if (!strstr(err.msg, want))
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(count_events(f), before);
	}
	/* an id again with different content: an error on the later line; the same content: no-op */
	const char *e =
	    "{\"kind\":\"exam\",\"id\":\"e9\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:00+08:00\","
	    "\"score\":85,\"pass_mark\":80}\n";
	assert_int_equal(import(f, e, &err), 0);
	int64_t after = count_events(f);
	assert_int_equal(after, before + 1);
	assert_int_equal(import(f,
				"{\"kind\":\"exam\",\"id\":\"e9\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:"
				"00+08:00\",\"score\":85.0,\"pass_mark\":80}\n",
				&err),
			 0);
	assert_int_equal(count_events(f), after);
	assert_int_equal(import(f,
				"{\"kind\":\"exam\",\"id\":\"e9\",\"agent\":\"a1\",\"at\":\"2026-01-20T18:00:"
				"00+08:00\",\"score\":86,\"pass_mark\":80}\n",
				&err),
			 -KEFU_EINVAL);
	assert_string_equal(err.field, "id");
	assert_int_equal(count_events(f), after);
}

/* On demo data with the guard on: rollups kept current by an import equal a full rebuild. */
static void demo_people_rollups_equal_a_rebuild(void **state)
{
	struct fx *f = *state;
	struct kpi_demo_opts o = {.agents = 5, .days = 40, .seed = 11, .start_day = 20454 /* 2026-01-01 */};
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	struct kpi_demo_counts c;
	assert_int_equal(kpi_demo_write(mf, &o, &c), 0);
	fclose(mf);
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int r = kpi_import_buffer(f->a, &R, "d.jsonl", text, len, &st, &err);
	free(text);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	json_t *inc = NULL, *reb = NULL;
	assert_int_equal(kpi_assess(f->a, &R, &SC, "2026-01", &inc, &err), 0);
	assert_int_equal(assess_store_begin(f->a, &err), 0);
	assert_int_equal(kpi_rollup_rebuild(f->a, &R, NULL, &err), 0);
	assert_int_equal(assess_store_commit(f->a, &err), 0);
	assert_int_equal(kpi_assess(f->a, &R, &SC, "2026-01", &reb, &err), 0);
	/* the demo's banned phrases were found, and every people metric has data */
	json_t *m = metric(f, "2026-01", "a0001", "K-30", &inc);
	assert_true(json_integer_value(json_object_get(m, "n")) > 0);
	static const char *const ids[] = {"K-32", "K-35", "K-40", "K-41", "K-42", "K-43", "K-44", "K-52"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		assert_false(
		    json_is_null(json_object_get(metric(f, "2026-01", "a0001", ids[i], &inc), "value")));
	int64_t viol = 0;
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(inc, "agents"), i, ag) viol += (int64_t)json_number_value(
	    json_object_get(json_object_get(json_object_get(ag, "metrics"), "K-30"), "value"));
	assert_true(viol > 0);
	char *a = json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS),
	     *b = json_dumps(reb, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(inc);
	json_decref(reb);
}

int main(void)
{
	kpi_rules_default(&R);
	char dir[512];
	struct kefu_err err = {0};
	snprintf(dir, sizeof dir, "%s/data/lexicons", src_dir());
	if (guard_load(dir, &G, &err) < 0) {
		fprintf(stderr, "lexicons: %s\n", err.msg);
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/data/policy", src_dir());
	if (kpi_scorecard_load(dir, "default", &SC, &err) < 0) {
		fprintf(stderr, "scorecard: %s\n", err.msg);
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(hand_computed_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_violation_in_someone_elses_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(collaboration_threshold_of_the_days_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(null_without_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(import_errors_name_line_and_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(demo_people_rollups_equal_a_rebuild, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_free(G);
	return rc;
}

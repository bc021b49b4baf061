/* Unit tests for issue 5's profiles, results and definitions (src/kpi/scorecard.c post cards and
 * targets, src/kpi/results.c, src/kpi/definitions.c): every shipped profile loads and is refused
 * naming the node when a weight is changed; profile targets and post cards score (A-3…A-5),
 * and metrics nobody computes give their weight to the rest;
 * the history rules (two failed months → retraining, three excellent quarters → lead candidate,
 * annual top N and the failed year) on a real store; pay 6:4 with the top-10 bonus; training
 * suggestions; recording is idempotent; a version change and a trial team give
 * each period and team the numbers of its own version; the counting window variant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "kpi/assess.h"
#include "kpi/definitions.h"
#include "kpi/import.h"
#include "kpi/results.h"
#include "kpi/scorecard.h"
#include "store/store.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

static const char *policy_dir(void)
{
	static char dir[512];
	snprintf(dir, sizeof dir, "%s/data/policy",
		 getenv("KEFU_SOURCE_DIR") ? getenv("KEFU_SOURCE_DIR") : KEFU_SOURCE_DIR);
	return dir;
}

/* ---- profiles ------------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	char *buf = calloc(1, 1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, fp);
	fclose(fp);
	return buf;
}

/* The first leaf under node n (depth first) and the id of its parent. */
static json_t *first_leaf(json_t *n, const char **parent)
{
	json_t *kids = json_object_get(n, "children");
	json_t *k0 = json_array_get(kids, 0);
	if (!json_object_get(k0, "children")) {
		*parent = json_string_value(json_object_get(n, "id"));
		return k0;
	}
	return first_leaf(k0, parent);
}

static void every_shipped_profile_loads_and_a_changed_weight_is_refused_naming_its_node(void **state)
{
	static const char *const names[] = {"default",	  "ahp",       "posts",	    "presale",
					    "aftersale",  "complaint", "promotion", "new_product",
					    "off_season", "daily"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct kpi_scorecard sc = {0};
		struct kefu_err err = {0};
		int r = kpi_scorecard_load(policy_dir(), names[i], &sc, &err);
		if (r < 0)
			print_error("%s: %s\n", names[i], err.msg);
		assert_int_equal(r, 0);
		assert_string_equal(sc.profile, names[i]);
		double sum = 0;
		for (int l = 0; l < sc.n_leaves; l++)
			sum += sc.leaves[l].weight;
		assert_near(sum, 1.0);
		assert_int_equal(sc.n_post_cards, strcmp(names[i], "posts") == 0 ? 3 : 0);
		kpi_scorecard_free(&sc);
		/* the same file with its first leaf's weight raised by 1: refused naming the leaf's parent */
		char path[700];
		size_t len;
		snprintf(path, sizeof path, "%s/scorecard-%s.json", policy_dir(), names[i]);
		char *text = slurp(path, &len);
		json_t *root = json_loadb(text, len, 0, NULL);
		assert_non_null(root);
		const char *parent = NULL;
		json_t *leaf = first_leaf(json_array_get(json_object_get(root, "tree"), 0), &parent);
		json_object_set_new(leaf, "weight",
				    json_real(json_number_value(json_object_get(leaf, "weight")) + 1));
		char *bad = json_dumps(root, 0);
		struct kpi_scorecard b;
		assert_int_equal(kpi_scorecard_parse(bad, strlen(bad), &b, &err), -KEFU_EINVAL);
		assert_string_equal(err.field, parent);
		char want[80];
		snprintf(want, sizeof want, "node '%s'", parent);
		assert_non_null(strstr(err.msg, want));
		free(bad);
		json_decref(root);
		free(text);
	}
}

static void ahp_and_period_profiles_carry_the_source_weights(void **state)
{
	struct kpi_scorecard sc = {0};
	struct kefu_err err = {0};
	double w[8] = {0};
	assert_int_equal(kpi_scorecard_load(policy_dir(), "ahp", &sc, &err), 0);
	for (int l = 0; l < sc.n_leaves; l++) {
		w[sc.leaves[l].dimension] += sc.leaves[l].weight;
		if (strcmp(sc.leaves[l].metric, "K-06") == 0)
			assert_near(sc.leaves[l].weight, 0.4 * 0.3); /* CSAT 30% of experience 40% */
		if (strcmp(sc.leaves[l].metric, "K-10") == 0)
			assert_near(sc.leaves[l].weight, 0.4 * 0.4);
		if (strcmp(sc.leaves[l].metric, "K-26") == 0)
			assert_near(sc.leaves[l].weight, 0.4 * 0.3);
	}
	assert_string_equal(sc.dims[0], "customer_experience");
	assert_near(w[0], 0.40);
	assert_near(w[1], 0.35);
	assert_near(w[2], 0.25);
	kpi_scorecard_free(&sc);
	/* promotion: response efficiency 35, K-50/K-51 15, FRT target 10 s */
	assert_int_equal(kpi_scorecard_load(policy_dir(), "promotion", &sc, &err), 0);
	memset(w, 0, sizeof w);
	for (int l = 0; l < sc.n_leaves; l++)
		w[sc.leaves[l].dimension] += sc.leaves[l].weight;
	assert_string_equal(sc.dims[0], "response_efficiency");
	assert_near(w[0], 0.35);
	assert_near(w[1], 0.15);
	double t, f;
	kpi_scorecard_target(&sc, NULL, KPI_K01, &t, &f);
	assert_near(t, 10);
	assert_near(f, 60);
	/* FRT 12 s scores (12 − 60) / (10 − 60) = 96 under promotion, 100 under the default target */
	assert_near(kpi_score_linear(12, f, t, false), 96);
	/* K-50 and K-51 are computed by nobody: their dimension's weight goes to the others */
	struct kpi_value v[KPI_METRIC_COUNT];
	memset(v, 0, sizeof v);
	double wt[KPI_METRIC_COUNT];
	int spread = 0;
	kpi_scorecard_weights(&sc, v, wt, &spread);
	assert_int_equal(spread, 2);
	assert_near(wt[KPI_K01], 0.15 / 0.85);
	kpi_scorecard_free(&sc);
	/* daily: resolution 40 */
	assert_int_equal(kpi_scorecard_load(policy_dir(), "daily", &sc, &err), 0);
	kpi_scorecard_weights(&sc, v, wt, &spread);
	assert_near(wt[KPI_K10], 0.40); /* alone in its dimension */
	kpi_scorecard_free(&sc);
}

/* Weight of metric id on profile name when every computed metric has data. */
static double weight_on(const char *name, const char *id)
{
	struct kpi_scorecard sc = {0};
	struct kefu_err err = {0};
	assert_int_equal(kpi_scorecard_load(policy_dir(), name, &sc, &err), 0);
	struct kpi_value v[KPI_METRIC_COUNT];
	memset(v, 0, sizeof v);
	double w[KPI_METRIC_COUNT];
	kpi_scorecard_weights(&sc, v, w, NULL);
	kpi_scorecard_free(&sc);
	int m = kpi_metric_find(id);
	assert_true(m >= 0);
	return w[m];
}

static void metrics_nobody_computes_give_their_weight_to_the_rest_of_their_dimension(void **state)
{
	/* presale: K-16 and K-15 are not computed → conversion carries the whole sales 60 */
	assert_near(weight_on("presale", "K-13"), 0.60);
	assert_near(weight_on("presale", "K-01"), 0.15);
	/* new_product: K-15 not computed → K-52 carries the new-product 20 */
	assert_near(weight_on("new_product", "K-52"), 0.20);
	assert_near(weight_on("new_product", "K-13"), 0.15);
	/* off_season: knowledge and collaboration 25 */
	assert_near(weight_on("off_season", "K-40") + weight_on("off_season", "K-41") +
			weight_on("off_season", "K-43"),
		    0.25);
	/* complaint: K-23, K-24, K-25 not computed → the control dimension carries everything */
	assert_near(weight_on("complaint", "K-21"), 0.15 / 0.40);
	assert_near(weight_on("complaint", "K-20"), 0.10 / 0.40);
	assert_near(weight_on("complaint", "K-10"), 0.15 / 0.40);
}

static void posts_profile_scores_each_post_with_its_card(void **state)
{
	struct kpi_scorecard sc = {0};
	struct kefu_err err = {0};
	assert_int_equal(kpi_scorecard_load(policy_dir(), "posts", &sc, &err), 0);
	assert_string_equal(kpi_scorecard_for_post(&sc, "aftersale")->profile, "aftersale");
	assert_string_equal(kpi_scorecard_for_post(&sc, "presale")->profile, "presale");
	assert_string_equal(kpi_scorecard_for_post(&sc, "complaint")->profile, "complaint");
	assert_ptr_equal(kpi_scorecard_for_post(&sc, "logistics"), &sc);
	kpi_scorecard_free(&sc);
	/* a post card may not list cards itself; a card that does not exist is an error */
	const char *tree =
	    "{\"tree\":[{\"id\":\"d\",\"weight\":100,\"children\":[{\"id\":\"K-01\",\"weight\":100}]}]";
	char dir[] = "/tmp/kefu-prof-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/scorecard-p.json", dir);
	FILE *fp = fopen(path, "w");
	fprintf(fp, "%s,\"post_cards\":{\"presale\":\"q\"}}", tree);
	fclose(fp);
	snprintf(path, sizeof path, "%s/scorecard-q.json", dir);
	fp = fopen(path, "w");
	fprintf(fp, "%s,\"post_cards\":{\"presale\":\"p\"}}", tree);
	fclose(fp);
	assert_int_equal(kpi_scorecard_load(dir, "p", &sc, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "cannot list post cards"));
	kpi_scorecard_free(&sc);
	remove(path);
	assert_true(kpi_scorecard_load(dir, "p", &sc, &err) < 0); /* q is gone */
	kpi_scorecard_free(&sc);
	snprintf(path, sizeof path, "%s/scorecard-p.json", dir);
	remove(path);
	rmdir(dir);
	/* a target on a metric nobody knows, or a floor on the wrong side, is refused */
	const char *t1 =
	    "{\"targets\":{\"K-99\":{\"target\":1,\"floor\":0}},\"tree\":[{\"id\":\"d\",\"weight\":100,"
	    "\"children\":[{\"id\":\"K-01\",\"weight\":100}]}]}";
	assert_int_equal(kpi_scorecard_parse(t1, strlen(t1), &sc, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "K-99");
	const char *t2 =
	    "{\"targets\":{\"K-01\":{\"target\":30,\"floor\":10}},\"tree\":[{\"id\":\"d\",\"weight\":100,"
	    "\"children\":[{\"id\":\"K-01\",\"weight\":100}]}]}";
	assert_int_equal(kpi_scorecard_parse(t2, strlen(t2), &sc, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "K-01");
}

/* ---- pay, history rules, suggestions -------------------------------------------------------- */

static void pay_is_split_6_4_and_the_bonus_is_20_percent_of_performance(void **state)
{
	struct kpi_results_policy p;
	struct kefu_err err = {0};
	const char *txt = "{\"pay\":{\"monthly\":{\"default\":5000,\"presale\":8000}}}";
	assert_int_equal(kpi_results_policy_parse(txt, strlen(txt), &p, &err), 0);
	struct kpi_pay pay;
	kpi_pay_month(&p, "presale", true, &pay);
	assert_near(pay.monthly, 8000);
	assert_near(pay.base, 4800);
	assert_near(pay.performance, 3200);
	assert_near(pay.bonus, 640);
	kpi_pay_month(&p, "aftersale", false, &pay);
	assert_near(pay.base, 3000);
	assert_near(pay.performance, 2000);
	assert_near(pay.bonus, 0);
	const char *bad = "{\"pay\":{\"base_share\":0.7,\"performance_share\":0.4}}";
	assert_int_equal(kpi_results_policy_parse(bad, strlen(bad), &p, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "performance_share");
	/* the shipped policy loads */
	assert_int_equal(kpi_results_policy_load(policy_dir(), &p, &err), 0);
	assert_near(p.base_share, 0.6);
	assert_near(p.top_share, 0.2);
}

static void grade_runs_need_every_period_of_the_run(void **state)
{
	const char *two_fail[] = {"pass", "fail", "fail"};
	const char *gap[] = {"fail", "pass", "fail"};
	const char *missing[] = {NULL, "fail"};
	const char *exc[] = {"excellent", "excellent", "excellent"};
	assert_true(kpi_grades_run(two_fail, 3, 2, "fail"));
	assert_false(kpi_grades_run(gap, 3, 2, "fail"));
	assert_false(kpi_grades_run(missing, 2, 2, "fail")); /* not assessed the month before */
	assert_true(kpi_grades_run(exc, 3, 3, "excellent"));
	assert_false(kpi_grades_run(exc, 2, 3, "excellent"));
	char prev[16];
	assert_int_equal(kpi_period_prev("2026-01", prev), 0);
	assert_string_equal(prev, "2025-12");
	assert_int_equal(kpi_period_prev("2026-Q1", prev), 0);
	assert_string_equal(prev, "2025-Q4");
	assert_int_equal(kpi_period_prev("2026-Q3", prev), 0);
	assert_string_equal(prev, "2026-Q2");
	assert_int_equal(kpi_period_prev("2026", prev), 0);
	assert_string_equal(prev, "2025");
}

static void training_suggests_courses_for_the_weakest_scored_metrics(void **state)
{
	struct kpi_results_policy p;
	struct kefu_err err = {0};
	assert_int_equal(kpi_results_policy_load(policy_dir(), &p, &err), 0);
	json_t *ag = json_loads("{\"metrics\":{"
				"\"K-20\":{\"score\":10,\"weight\":0.1}," /* high complaint rate */
				"\"K-10\":{\"score\":40,\"weight\":0.2}," /* low resolution */
				"\"K-01\":{\"score\":95,\"weight\":0.2}," /* good: no course */
				"\"K-02\":{\"score\":5,\"weight\":0}," /* not on the card */
				"\"K-06\":{\"score\":null,\"weight\":0.2}}}", /* no data */
				0, NULL);
	assert_non_null(ag);
	json_t *t = kpi_training(&p, ag);
	assert_int_equal(json_array_size(t), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 0), "metric")), "K-20");
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 0), "course_en")),
			    "communication course");
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 1), "metric")), "K-10");
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 1), "course_en")),
			    "product knowledge course");
	json_decref(t);
	p.max_suggestions = 1;
	t = kpi_training(&p, ag);
	assert_int_equal(json_array_size(t), 1);
	json_decref(t);
	json_decref(ag);
}

/* ---- a real store ---------------------------------------------------------------------------- */

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	struct assess_store *a;
	struct kpi_rules r;
	struct kpi_definitions defs;
	struct kpi_scorecard sc;
	struct kpi_results_policy pol;
};

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

/* Agents a1 (t1) and a3 (t2) answer the first message of each session in 100 s, a2 (t2) in 5 s;
 * one session each on the 10th of every month April–December 2026 at 09:00 local time, and a1
 * one more at 07:00 local (before an 08:00 counting window). */
static void data(struct buf *b)
{
	buf_printf(b,
		   "{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"team\":\"t1\",\"post\":\"presale\"}\n"
		   "{\"kind\":\"agent\",\"id\":\"a2\",\"name\":\"B\",\"team\":\"t2\",\"post\":\"presale\"}\n"
		   "{\"kind\":\"agent\",\"id\":\"a3\",\"name\":\"C\",\"team\":\"t2\",\"post\":\"presale\"}\n"
		   "{\"kind\":\"customer\",\"id\":\"c1\",\"type\":\"new\"}\n");
	static const struct {
		const char *id;
		int frt;
	} ag[] = {{"a1", 100}, {"a2", 5}, {"a3", 100}};
	for (int m = 4; m <= 12; m++)
		for (int i = 0; i < 3; i++) {
			buf_printf(b,
				   "{\"kind\":\"session\",\"id\":\"s-%s-%d\",\"channel\":\"web\","
				   "\"customer\":\"c1\","
				   "\"agent\":\"%s\",\"start\":\"2026-%02d-10T01:00:00Z\"}\n"
				   "{\"kind\":\"message\",\"session\":\"s-%s-%d\",\"from\":\"customer\","
				   "\"at\":\"2026-%02d-10T01:00:00Z\",\"text\":\"q\"}\n"
				   "{\"kind\":\"message\",\"session\":\"s-%s-%d\",\"from\":\"agent\","
				   "\"at\":\"2026-%02d-10T01:%02d:%02dZ\",\"text\":\"a\"}\n",
				   ag[i].id, m, ag[i].id, m, ag[i].id, m, m, ag[i].id, m, m, ag[i].frt / 60,
				   ag[i].frt % 60);
		}
	/* 2026-10-11 07:00 local = 2026-10-10T23:00Z, answered in 10 s */
	buf_printf(b,
		   "{\"kind\":\"session\",\"id\":\"early\",\"channel\":\"web\",\"customer\":\"c1\","
		   "\"agent\":\"a1\",\"start\":\"2026-10-10T23:00:00Z\"}\n"
		   "{\"kind\":\"message\",\"session\":\"early\",\"from\":\"customer\","
		   "\"at\":\"2026-10-10T23:00:00Z\",\"text\":\"q\"}\n"
		   "{\"kind\":\"message\",\"session\":\"early\",\"from\":\"agent\","
		   "\"at\":\"2026-10-10T23:00:10Z\",\"text\":\"a\"}\n");
}

/* A store with data() imported under the definitions defs_json (NULL: the built-in ones). */
static struct fx *fixture(const char *defs_json)
{
	struct fx *f = calloc(1, sizeof *f);
	struct kefu_err err = {0};
	snprintf(f->dir, sizeof f->dir, "/tmp/kefu-res-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/kefu.db", f->dir);
	assert_int_equal(store_open(f->path, NULL, &f->s, &err), 0);
	assert_int_equal(assess_store_open(f->s, &f->a, &err), 0);
	kpi_rules_default(&f->r);
	if (defs_json) {
		int r = kpi_definitions_parse(defs_json, strlen(defs_json), &f->defs, &err);
		if (r < 0)
			print_error("%s\n", err.msg);
		assert_int_equal(r, 0);
	} else {
		kpi_definitions_default(&f->defs);
	}
	f->r.versions = &f->defs;
	const char *card =
	    "{\"grades\":[{\"min\":90,\"grade\":\"excellent\"},{\"min\":60,\"grade\":\"pass\"},"
	    "{\"min\":0,\"grade\":\"fail\"}],\"tree\":[{\"id\":\"speed\",\"weight\":100,"
	    "\"children\":[{\"id\":\"K-01\",\"weight\":100}]}]}";
	assert_int_equal(kpi_scorecard_parse(card, strlen(card), &f->sc, &err), 0);
	assert_int_equal(kpi_results_policy_load(policy_dir(), &f->pol, &err), 0); /* shipped courses */
	f->pol.annual_top = 1;
	struct buf b = {0};
	data(&b);
	struct kpi_import_stats st;
	int r = kpi_import_buffer(f->a, &f->r, "d.jsonl", b.data, b.len, &st, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	buf_free(&b);
	return f;
}

static void fixture_free(struct fx *f)
{
	assess_store_close(f->a);
	store_close(f->s);
	nftw(f->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
}

static json_t *assess(struct fx *f, const char *period)
{
	json_t *res = NULL;
	struct kefu_err err = {0};
	int r = kpi_assess_results(f->a, &f->r, &f->sc, &f->pol, period, &res, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
	return res;
}

static json_t *agent(json_t *res, const char *id)
{
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		if (strcmp(json_string_value(json_object_get(ag, "id")), id) == 0)
			return ag;
	}
	fail_msg("agent %s not in the output", id);
	return NULL;
}

static bool has(json_t *ag, const char *result)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(ag, "results"), i, r)
	{
		if (strcmp(json_string_value(r), result) == 0)
			return true;
	}
	return false;
}

static double metric(json_t *ag, const char *id)
{
	return json_number_value(
	    json_object_get(json_object_get(json_object_get(ag, "metrics"), id), "value"));
}

static void history_results_follow_the_earlier_periods(void **state)
{
	struct fx *f = fixture(NULL);
	/* April: a1 fails but March was not assessed; May: April and May failed → retraining */
	json_t *apr = assess(f, "2026-04"), *may = assess(f, "2026-05");
	assert_string_equal(json_string_value(json_object_get(agent(apr, "a1"), "grade")), "fail");
	assert_false(has(agent(apr, "a1"), "retraining"));
	assert_true(has(agent(may, "a1"), "retraining"));
	assert_true(has(agent(may, "a3"), "retraining"));
	assert_false(has(agent(may, "a2"), "retraining"));
	/* pay of the month: everyone with sessions is in the top 10 here */
	json_t *pay = json_object_get(agent(may, "a2"), "pay");
	assert_near(json_number_value(json_object_get(pay, "base")), 3600);
	assert_near(json_number_value(json_object_get(pay, "performance")), 2400);
	assert_near(json_number_value(json_object_get(pay, "bonus")), 480);
	/* a2 is excellent every quarter: Q4 (Q2, Q3, Q4) → lead candidate; Q3 (Q1 empty) → not */
	json_t *q3 = assess(f, "2026-Q3"), *q4 = assess(f, "2026-Q4");
	assert_string_equal(json_string_value(json_object_get(agent(q4, "a2"), "grade")), "excellent");
	assert_false(has(agent(q3, "a2"), "lead_candidate"));
	assert_true(has(agent(q4, "a2"), "lead_candidate"));
	assert_false(has(agent(q4, "a1"), "lead_candidate"));
	/* the year: top 1 → annual bonus of 3 months' performance pay; failed agents flagged */
	json_t *y = assess(f, "2026");
	assert_true(has(agent(y, "a2"), "annual_bonus_x3"));
	assert_near(
	    json_number_value(json_object_get(json_object_get(agent(y, "a2"), "pay"), "annual_bonus")), 7200);
	assert_false(has(agent(y, "a1"), "annual_bonus_x3"));
	assert_true(has(agent(y, "a1"), "failed_year_review"));
	assert_false(has(agent(y, "a2"), "failed_year_review"));
	/* training for the failing agent: its one scored metric, K-01 */
	json_t *tr = json_object_get(agent(may, "a1"), "training");
	assert_int_equal(json_array_size(tr), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(tr, 0), "metric")), "K-01");
	json_decref(apr);
	json_decref(may);
	json_decref(q3);
	json_decref(q4);
	json_decref(y);
	fixture_free(f);
}

/* A-8 team pool (document 003: the monthly pool floats with the team's goal): per_agent × assessed
 * agents × clamp(mean score / goal_score); shares by score, in cents adding up to the pool. */
static void team_pool_floats_with_the_team_mean_and_shares_add_up_to_it(void **state)
{
	struct fx *f = fixture(NULL);
	/* May: a1 (t1) FRT 100 s → score 0; t2: a2 FRT 5 s → 100, a3 100 s → 0; mean 50 of goal 80 */
	json_t *may = assess(f, "2026-05");
	json_t *pools = json_object_get(may, "team_pools");
	assert_int_equal(json_array_size(pools), 2);
	json_t *t1 = json_array_get(pools, 0), *t2 = json_array_get(pools, 1);
	assert_string_equal(json_string_value(json_object_get(t1, "team")), "t1");
	assert_near(json_number_value(json_object_get(t1, "pool")), 0);
	assert_int_equal(json_integer_value(json_object_get(t2, "agents")), 2);
	assert_near(json_number_value(json_object_get(t2, "factor")), 0.625);
	assert_near(json_number_value(json_object_get(t2, "pool")), 500 * 2 * 0.625);
	assert_near(json_number_value(json_object_get(agent(may, "a2"), "team_pool_share")), 625);
	assert_near(json_number_value(json_object_get(agent(may, "a3"), "team_pool_share")), 0);
	json_decref(may);
	/* a floor of 0.5 and odd amounts: t1's pool is shared equally (score sum 0), t2's by score,
	 * every share in whole cents and each team's shares add up to its pool exactly */
	f->pol.pool_min_factor = 0.5;
	f->pol.pool_per_agent = 333.33;
	may = assess(f, "2026-05");
	pools = json_object_get(may, "team_pools");
	assert_near(json_number_value(json_object_get(json_array_get(pools, 0), "pool")), 166.67);
	assert_near(json_number_value(json_object_get(agent(may, "a1"), "team_pool_share")), 166.67);
	double t2pool = json_number_value(json_object_get(json_array_get(pools, 1), "pool"));
	assert_near(t2pool, 416.66);
	double a2 = json_number_value(json_object_get(agent(may, "a2"), "team_pool_share"));
	double a3 = json_number_value(json_object_get(agent(may, "a3"), "team_pool_share"));
	assert_int_equal(llround((a2 + a3) * 100), llround(t2pool * 100));
	json_decref(may);
	/* a quarter has no pool; the factor is capped */
	json_t *q = assess(f, "2026-Q2");
	assert_null(json_object_get(q, "team_pools"));
	json_decref(q);
	double factor = 0;
	assert_near(kpi_team_pool(&f->pol, 2, 200, &factor), 999.99);
	assert_near(factor, 1.5);
	/* min above max is refused naming the setting */
	struct kpi_results_policy p;
	struct kefu_err err = {0};
	const char *bad = "{\"team_pool\":{\"min_factor\":2,\"max_factor\":1}}";
	assert_int_equal(kpi_results_policy_parse(bad, strlen(bad), &p, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "min_factor"));
	fixture_free(f);
}

static void recording_is_once_per_period_and_profile_and_wins_over_later_data(void **state)
{
	struct fx *f = fixture(NULL);
	struct kefu_err err = {0};
	json_t *may = assess(f, "2026-05");
	size_t n = 0;
	bool already = true;
	assert_int_equal(kpi_results_record(f->a, may, 1000, "m1", &n, &already, &err), 0);
	assert_false(already);
	assert_int_equal(n, 2 + 3 + 1); /* a1, a3: top10 + retraining; a1, a2, a3 top10; one star */
	json_decref(may);
	may = assess(f, "2026-05");
	assert_non_null(json_object_get(may, "recorded"));
	assert_int_equal(kpi_results_record(f->a, may, 2000, "m1", &n, &already, &err), 0);
	assert_true(already);
	assert_int_equal(n, 0);
	/* late sessions that lift a1 to pass in May: the recorded results stay, the new ones are
	 * shown beside them */
	struct buf late = {0}; /* three sessions answered in 1 s: a1's May mean FRT 25.75 s → pass */
	for (int i = 0; i < 3; i++)
		buf_printf(&late,
			   "{\"kind\":\"session\",\"id\":\"late%d\",\"channel\":\"web\",\"customer\":\"c1\","
			   "\"agent\":\"a1\",\"start\":\"2026-05-2%dT01:00:00Z\"}\n"
			   "{\"kind\":\"message\",\"session\":\"late%d\",\"from\":\"customer\","
			   "\"at\":\"2026-05-2%dT01:00:00Z\",\"text\":\"q\"}\n"
			   "{\"kind\":\"message\",\"session\":\"late%d\",\"from\":\"agent\","
			   "\"at\":\"2026-05-2%dT01:00:01Z\",\"text\":\"a\"}\n",
			   i, i, i, i, i, i);
	struct kpi_import_stats st;
	assert_int_equal(kpi_import_buffer(f->a, &f->r, "late.jsonl", late.data, late.len, &st, &err), 0);
	buf_free(&late);
	json_decref(may);
	may = assess(f, "2026-05");
	json_t *a1 = agent(may, "a1");
	assert_true(has(a1, "retraining")); /* as recorded */
	assert_non_null(json_object_get(a1, "results_computed"));
	json_decref(may);
	fixture_free(f);
}

#define DEFS_V2(trial)                                                                                       \
	"{\"versions\":[{\"version\":1,\"effective\":\"1970-01-01\"},"                                       \
	"{\"version\":2,\"effective\":\"2026-10-01\",\"rules\":{\"round_cap_s\":60,"                         \
	"\"counting_window\":\"08:00-23:00\",\"frt_target_s\":{\"web\":120}}" trial "}]}"

static void each_period_gets_the_numbers_of_its_own_version(void **state)
{
	struct fx *f = fixture(DEFS_V2(""));
	json_t *sep = assess(f, "2026-09"), *oct = assess(f, "2026-10");
	assert_int_equal(json_integer_value(json_object_get(sep, "definitions_version")), 1);
	assert_int_equal(json_integer_value(json_object_get(oct, "definitions_version")), 2);
	assert_near(metric(agent(sep, "a1"), "K-01"), 100); /* v1: answered in 100 s */
	/* v2: capped at 60 s, and the 07:00 session is outside the counting window */
	assert_near(metric(agent(oct, "a1"), "K-01"), 60);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(agent(oct, "a1"), "metrics"), "K-01"), "n")),
			 1);
	assert_near(metric(agent(oct, "a2"), "K-01"), 5);
	assert_null(json_object_get(agent(oct, "a1"), "trial"));
	/* the web FRT target of v2 is 120 s: a1's 100 s answer is within it in October only */
	assert_near(metric(agent(sep, "a1"), "K-01.within_target"), 0);
	assert_near(metric(agent(oct, "a1"), "K-01.within_target"), 1);
	/* explain gives each session the numbers of its own day's version */
	struct kefu_err err = {0};
	json_t *ex = NULL;
	assert_int_equal(kpi_explain(f->a, &f->r, "2026-10", "a1", "K-01", &ex, &err), 0);
	assert_int_equal(json_array_size(ex), 2); /* the 07:00 session is listed, without rounds */
	json_t *s10 = json_array_get(ex, 0);
	assert_true(json_is_true(json_object_get(s10, "within")));
	assert_near(json_number_value(json_object_get(s10, "frt_s")), 60);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ex, 1), "rounds")), 0);
	json_decref(ex);
	json_decref(sep);
	json_decref(oct);
	fixture_free(f);
}

static void a_trial_team_gets_the_new_version_early_and_the_others_do_not(void **state)
{
	struct fx *f = fixture(DEFS_V2(",\"trial\":{\"team\":\"t1\",\"from\":\"2026-09-01\"}"));
	json_t *aug = assess(f, "2026-08"), *sep = assess(f, "2026-09");
	json_t *a1 = agent(sep, "a1"), *a3 = agent(sep, "a3");
	assert_near(metric(a1, "K-01"), 60); /* team t1 on trial: v2 from September */
	assert_true(json_is_true(json_object_get(a1, "trial")));
	assert_int_equal(json_integer_value(json_object_get(a1, "definitions_version")), 2);
	assert_near(metric(a3, "K-01"), 100); /* team t2: still v1 */
	assert_null(json_object_get(a3, "trial"));
	assert_int_equal(json_integer_value(json_object_get(sep, "definitions_version")), 1);
	assert_near(metric(agent(aug, "a1"), "K-01"), 100); /* before the trial */
	assert_null(json_object_get(agent(aug, "a1"), "trial"));
	json_decref(aug);
	json_decref(sep);
	fixture_free(f);
}

static void definitions_are_refused_naming_the_version_and_setting(void **state)
{
	struct kpi_definitions d;
	struct kefu_err err = {0};
	const char *down = "{\"versions\":[{\"version\":2,\"effective\":\"2026-01-01\"},"
			   "{\"version\":1,\"effective\":\"2026-02-01\"}]}";
	assert_int_equal(kpi_definitions_parse(down, strlen(down), &d, &err), -KEFU_EINVAL);
	assert_non_null(strstr(err.msg, "ascend"));
	const char *unk =
	    "{\"versions\":[{\"version\":1,\"effective\":\"2026-01-01\",\"rules\":{\"cap\":1}}]}";
	assert_int_equal(kpi_definitions_parse(unk, strlen(unk), &d, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "cap");
	const char *win = "{\"versions\":[{\"version\":1,\"effective\":\"2026-01-01\","
			  "\"rules\":{\"counting_window\":\"8-23\"}}]}";
	assert_int_equal(kpi_definitions_parse(win, strlen(win), &d, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "counting_window");
	const char *late = "{\"versions\":[{\"version\":1,\"effective\":\"2026-01-01\","
			   "\"trial\":{\"team\":\"t1\",\"from\":\"2026-02-01\"}}]}";
	assert_int_equal(kpi_definitions_parse(late, strlen(late), &d, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "trial");
	/* the shipped file loads: version 1 */
	assert_int_equal(kpi_definitions_load(policy_dir(), &d, &err), 0);
	assert_int_equal(kpi_definitions_at(&d, 20500, NULL)->version, 1);
}

static void counting_window_leaves_out_rounds_outside_it(void **state)
{
	struct kpi_rules r;
	kpi_rules_default(&r);
	/* local 07:59:00 (outside), answered 07:59:20; local 08:00:00 (inside), answered 08:00:05 */
	int64_t day = 20736LL * 86400000 - 8 * 3600000LL; /* local midnight */
	struct assess_msg m[] = {
	    {day + (7 * 60 + 59) * 60000LL, 'c'},
	    {day + (7 * 60 + 59) * 60000LL + 20000, 'a'},
	    {day + 8 * 3600000LL, 'c'},
	    {day + 8 * 3600000LL + 5000, 'a'},
	};
	struct kpi_timing t;
	kpi_session_timing(m, 4, &r, &t); /* off by default: both rounds */
	assert_int_equal(t.art_n, 2);
	assert_int_equal(t.frt_ms, 20000);
	r.count_window = true;
	r.count_from_min = 8 * 60;
	r.count_to_min = 23 * 60;
	kpi_session_timing(m, 4, &r, &t);
	assert_int_equal(t.art_n, 1);
	assert_int_equal(t.frt_ms, 5000); /* the first round inside the window */
	r.count_from_min = 23 * 60; /* a window over midnight: 23:00–08:00 */
	r.count_to_min = 8 * 60;
	kpi_session_timing(m, 4, &r, &t);
	assert_int_equal(t.art_n, 1);
	assert_int_equal(t.frt_ms, 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_shipped_profile_loads_and_a_changed_weight_is_refused_naming_its_node),
	    cmocka_unit_test(ahp_and_period_profiles_carry_the_source_weights),
	    cmocka_unit_test(metrics_nobody_computes_give_their_weight_to_the_rest_of_their_dimension),
	    cmocka_unit_test(posts_profile_scores_each_post_with_its_card),
	    cmocka_unit_test(pay_is_split_6_4_and_the_bonus_is_20_percent_of_performance),
	    cmocka_unit_test(grade_runs_need_every_period_of_the_run),
	    cmocka_unit_test(training_suggests_courses_for_the_weakest_scored_metrics),
	    cmocka_unit_test(history_results_follow_the_earlier_periods),
	    cmocka_unit_test(team_pool_floats_with_the_team_mean_and_shares_add_up_to_it),
	    cmocka_unit_test(recording_is_once_per_period_and_profile_and_wins_over_later_data),
	    cmocka_unit_test(each_period_gets_the_numbers_of_its_own_version),
	    cmocka_unit_test(a_trial_team_gets_the_new_version_early_and_the_others_do_not),
	    cmocka_unit_test(definitions_are_refused_naming_the_version_and_setting),
	    cmocka_unit_test(counting_window_leaves_out_rounds_outside_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* results.c — on top of an assessment (results.h): the results policy file, pay with the
 * top-10 bonus, history results from the earlier periods' assessments, training suggestions, and
 * recorded results (read back and appended through src/store/result_store.c). Never prints. */
#include "kpi/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/datafile.h"
#include "kpi/assess.h"
#include "store/result_store.h"

enum { RESULTS_MAX_BYTES = 1 << 20, MAX_HISTORY = 12 };

void kpi_results_policy_default(struct kpi_results_policy *p)
{
	memset(p, 0, sizeof *p);
	p->pay_default = 6000;
	p->base_share = 0.6;
	p->performance_share = 0.4;
	p->top_share = 0.2;
	p->retrain_months = 2;
	snprintf(p->retrain_grade, sizeof p->retrain_grade, "fail");
	p->retrain_days = 3;
	p->lead_quarters = 3;
	snprintf(p->lead_grade, sizeof p->lead_grade, "excellent");
	p->annual_top = 3;
	p->annual_months = 3;
	snprintf(p->review_grade, sizeof p->review_grade, "fail");
	p->max_suggestions = 3;
	p->below_score = 80;
	p->pool_per_agent = 500;
	p->pool_goal_score = 80;
	p->pool_min_factor = 0;
	p->pool_max_factor = 1.5;
}

static int num(json_t *o, const char *key, const char *where, double lo, double hi, double *out,
	       struct kefu_err *err)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
		return KEFU_ERR(err, KEFU_EINVAL, key, "%s.%s must be a number in [%g, %g]", where, key, lo,
				hi);
	*out = json_number_value(v);
	return 0;
}

static int str(json_t *o, const char *key, const char *where, char *out, size_t cap, struct kefu_err *err)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap)
		return KEFU_ERR(err, KEFU_EINVAL, key, "%s.%s must be a grade name", where, key);
	snprintf(out, cap, "%s", json_string_value(v));
	return 0;
}

static int parse_pay(json_t *pay, struct kpi_results_policy *p, struct kefu_err *err)
{
	json_t *m = json_object_get(pay, "monthly");
	const char *k;
	json_t *v;
	if (m && !json_is_object(m))
		return KEFU_ERR(err, KEFU_EINVAL, "monthly", "pay.monthly must be an object of post: amount");
	json_object_foreach(m, k, v)
	{
		if (!json_is_number(v) || json_number_value(v) < 0)
			return KEFU_ERR(err, KEFU_EINVAL, "monthly", "pay.monthly.%s must be an amount ≥ 0",
					k);
		if (strcmp(k, "default") == 0) {
			p->pay_default = json_number_value(v);
			continue;
		}
		if (p->n_pay >= KPI_RES_MAX_POSTS || strlen(k) >= sizeof p->pay[0].post)
			return KEFU_ERR(err, KEFU_EINVAL, "monthly",
					"pay.monthly: too many posts or a long name");
		snprintf(p->pay[p->n_pay].post, sizeof p->pay[0].post, "%s", k);
		p->pay[p->n_pay++].monthly = json_number_value(v);
	}
	int rc = num(pay, "base_share", "pay", 0, 1, &p->base_share, err);
	if (rc == 0)
		rc = num(pay, "performance_share", "pay", 0, 1, &p->performance_share, err);
	if (rc == 0 && fabs(p->base_share + p->performance_share - 1) > 1e-9)
		rc = KEFU_ERR(err, KEFU_EINVAL, "performance_share",
			      "pay: base_share + performance_share must be 1 (they are %g + %g)",
			      p->base_share, p->performance_share);
	return rc;
}

static int parse_courses(json_t *tr, struct kpi_results_policy *p, struct kefu_err *err)
{
	double max = p->max_suggestions;
	int rc = num(tr, "max_suggestions", "training", 0, 20, &max, err);
	if (rc == 0)
		rc = num(tr, "below_score", "training", 0, 100, &p->below_score, err);
	if (rc < 0)
		return rc;
	p->max_suggestions = (int)max;
	json_t *cs = json_object_get(tr, "courses");
	const char *k;
	json_t *v;
	if (cs && !json_is_object(cs))
		return KEFU_ERR(err, KEFU_EINVAL, "courses",
				"training.courses must be an object of metric: course");
	json_object_foreach(cs, k, v)
	{
		const char *zh = json_string_value(json_object_get(v, "zh"));
		const char *en = json_string_value(json_object_get(v, "en"));
		if (!zh || !en || !*zh || !*en || strlen(zh) >= sizeof p->courses[0].zh ||
		    strlen(en) >= sizeof p->courses[0].en || strlen(k) >= sizeof p->courses[0].metric)
			return KEFU_ERR(err, KEFU_EINVAL, k,
					"training.courses.%s needs zh and en course names", k);
		if (p->n_courses >= KPI_RES_MAX_COURSES)
			return KEFU_ERR(err, KEFU_EINVAL, "courses", "training.courses: more than %d",
					KPI_RES_MAX_COURSES);
		snprintf(p->courses[p->n_courses].metric, sizeof p->courses[0].metric, "%s", k);
		snprintf(p->courses[p->n_courses].zh, sizeof p->courses[0].zh, "%s", zh);
		snprintf(p->courses[p->n_courses].en, sizeof p->courses[0].en, "%s", en);
		p->n_courses++;
	}
	return 0;
}

int kpi_results_policy_parse(const char *text, size_t len, struct kpi_results_policy *p, struct kefu_err *err)
{
	kpi_results_policy_default(p);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return KEFU_ERR(err, KEFU_EINVAL, "json", "line %d: %s", je.line, je.text);
	json_t *x;
	double d;
	int rc = 0;
	if ((x = json_object_get(root, "pay")))
		rc = parse_pay(x, p, err);
	if (rc == 0 && (x = json_object_get(root, "top_bonus")))
		rc = num(x, "share_of_performance", "top_bonus", 0, 10, &p->top_share, err);
	if (rc == 0 && (x = json_object_get(root, "retraining"))) {
		d = p->retrain_months;
		if ((rc = num(x, "consecutive_failed_months", "retraining", 1, MAX_HISTORY, &d, err)) == 0)
			p->retrain_months = (int)d;
		d = p->retrain_days;
		if (rc == 0 && (rc = num(x, "days", "retraining", 1, 365, &d, err)) == 0)
			p->retrain_days = (int)d;
		if (rc == 0)
			rc = str(x, "grade", "retraining", p->retrain_grade, sizeof p->retrain_grade, err);
	}
	if (rc == 0 && (x = json_object_get(root, "lead_candidate"))) {
		d = p->lead_quarters;
		if ((rc = num(x, "consecutive_quarters", "lead_candidate", 1, MAX_HISTORY, &d, err)) == 0)
			p->lead_quarters = (int)d;
		if (rc == 0)
			rc = str(x, "grade", "lead_candidate", p->lead_grade, sizeof p->lead_grade, err);
	}
	if (rc == 0 && (x = json_object_get(root, "annual"))) {
		d = p->annual_top;
		if ((rc = num(x, "top", "annual", 0, 10000, &d, err)) == 0)
			p->annual_top = (int)d;
		if (rc == 0)
			rc = num(x, "bonus_months_of_performance", "annual", 0, 100, &p->annual_months, err);
		if (rc == 0)
			rc = str(x, "review_grade", "annual", p->review_grade, sizeof p->review_grade, err);
	}
	if (rc == 0 && (x = json_object_get(root, "team_pool"))) {
		rc = num(x, "per_agent", "team_pool", 0, 1e7, &p->pool_per_agent, err);
		if (rc == 0)
			rc = num(x, "goal_score", "team_pool", 1, 100, &p->pool_goal_score, err);
		if (rc == 0)
			rc = num(x, "min_factor", "team_pool", 0, 10, &p->pool_min_factor, err);
		if (rc == 0)
			rc = num(x, "max_factor", "team_pool", 0, 10, &p->pool_max_factor, err);
		if (rc == 0 && p->pool_min_factor > p->pool_max_factor)
			rc = KEFU_ERR(err, KEFU_EINVAL, "team_pool.min_factor",
				      "team_pool: min_factor %g is above max_factor %g", p->pool_min_factor,
				      p->pool_max_factor);
	}
	if (rc == 0 && (x = json_object_get(root, "training")))
		rc = parse_courses(x, p, err);
	json_decref(root);
	return rc;
}

static int policy_parse(const char *text, size_t len, void *ctx, struct kefu_err *err)
{
	return kpi_results_policy_parse(text, len, ctx, err);
}

int kpi_results_policy_load(const char *dir, struct kpi_results_policy *p, struct kefu_err *err)
{
	int rc =
	    datafile_load_optional(dir, "results.json", RESULTS_MAX_BYTES, "results", policy_parse, p, err);
	if (rc == 1) {
		kpi_results_policy_default(p);
		return 0;
	}
	return rc;
}

static double cents(double v)
{
	return round(v * 100) / 100;
}

void kpi_pay_month(const struct kpi_results_policy *p, const char *post, bool top, struct kpi_pay *out)
{
	double monthly = p->pay_default;
	for (int i = 0; post && i < p->n_pay; i++)
		if (strcmp(p->pay[i].post, post) == 0)
			monthly = p->pay[i].monthly;
	out->monthly = cents(monthly);
	out->base = cents(monthly * p->base_share);
	out->performance = cents(monthly * p->performance_share);
	out->bonus = top ? cents(out->performance * p->top_share) : 0;
}

double kpi_team_pool(const struct kpi_results_policy *p, int n, double mean_score, double *factor)
{
	double f = p->pool_goal_score > 0 ? mean_score / p->pool_goal_score : 0;
	f = f < p->pool_min_factor ? p->pool_min_factor : f > p->pool_max_factor ? p->pool_max_factor : f;
	*factor = round(f * 1e4) / 1e4;
	return n > 0 ? cents(p->pool_per_agent * n * *factor) : 0;
}

bool kpi_grades_run(const char *const *grades, int n, int need, const char *grade)
{
	if (need <= 0 || n < need)
		return false;
	for (int i = n - need; i < n; i++)
		if (!grades[i] || strcmp(grades[i], grade) != 0)
			return false;
	return true;
}

struct sugg {
	const char *metric;
	double score, weight;
	int course;
};

static int by_weakest(const void *x, const void *y)
{
	const struct sugg *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return strcmp(a->metric, b->metric);
}

json_t *kpi_training(const struct kpi_results_policy *p, const json_t *agent)
{
	json_t *out = json_array();
	json_t *ms = json_object_get(agent, "metrics");
	struct sugg *v = calloc(json_object_size(ms) + 1, sizeof *v);
	size_t n = 0;
	const char *k;
	json_t *m;
	if (!v)
		return out;
	json_object_foreach(ms, k, m)
	{
		json_t *sc = json_object_get(m, "score");
		double w = json_number_value(json_object_get(m, "weight"));
		if (!json_is_number(sc) || w <= 0 || json_number_value(sc) >= p->below_score)
			continue;
		for (int c = 0; c < p->n_courses; c++)
			if (strcmp(p->courses[c].metric, k) == 0) {
				v[n++] = (struct sugg){k, json_number_value(sc), w, c};
				break;
			}
	}
	qsort(v, n, sizeof *v, by_weakest);
	for (size_t i = 0; i < n && (int)json_array_size(out) < p->max_suggestions; i++) {
		bool dup = false; /* one course once, for its weakest metric */
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(p->courses[v[j].course].zh, p->courses[v[i].course].zh) == 0;
		if (dup)
			continue;
		double sc = round(v[i].score * 10) / 10;
		if (sc == 0)
			sc = 0; /* not -0 */
		json_array_append_new(out,
				      json_pack("{s:s,s:f,s:s,s:s}", "metric", v[i].metric, "score", sc,
						"course", p->courses[v[i].course].zh, "course_en",
						p->courses[v[i].course].en));
	}
	free(v);
	return out;
}

int kpi_period_prev(const char *period, char out[16])
{
	int64_t d0, d1;
	char tmp[48];
	if (kpi_period_parse(period, &d0, &d1) < 0)
		return -KEFU_EINVAL;
	int y = atoi(period), x; /* parsed above: 4 digits */
	if (strlen(period) == 4) {
		snprintf(tmp, sizeof tmp, "%04d", y - 1);
	} else if (period[5] == 'Q') {
		x = period[6] - '0';
		snprintf(tmp, sizeof tmp, "%04d-Q%d", x == 1 ? y - 1 : y, x == 1 ? 4 : x - 1);
	} else {
		x = atoi(period + 5);
		snprintf(tmp, sizeof tmp, "%04d-%02d", x == 1 ? y - 1 : y, x == 1 ? 12 : x - 1);
	}
	if (strlen(tmp) >= 16 || kpi_period_parse(tmp, &d0, &d1) < 0)
		return -KEFU_EINVAL;
	memcpy(out, tmp, strlen(tmp) + 1);
	return 0;
}

/* Whether the agent was assessed: some metric of its card had data (a weight above 0). */
static bool assessed(const json_t *agent)
{
	const char *k;
	json_t *m;
	json_object_foreach(json_object_get((json_t *)agent, "metrics"), k, m)
	{
		if (json_number_value(json_object_get(m, "weight")) > 0)
			return true;
	}
	return false;
}

static bool has_result(const json_t *agent, const char *name)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get((json_t *)agent, "results"), i, r)
	{
		if (json_string_value(r) && strcmp(json_string_value(r), name) == 0)
			return true;
	}
	return false;
}

/* The grade of each agent in an earlier period (assessed agents only): a new object id → grade. */
static int grades_of(struct assess_store *a, const struct kpi_rules *r, const struct kpi_scorecard *sc,
		     const char *period, json_t **out, struct kefu_err *err)
{
	json_t *res = NULL;
	int rc = kpi_assess(a, r, sc, period, &res, err);
	if (rc < 0)
		return rc;
	json_t *g = json_object();
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		if (assessed(ag))
			json_object_set(g, json_string_value(json_object_get(ag, "id")),
					json_object_get(ag, "grade"));
	}
	json_decref(res);
	*out = g;
	return 0;
}

/* History rule over this and the `need` − 1 earlier periods: adds result to every agent for whom
 * the run holds. */
static int history(struct assess_store *a, const struct kpi_rules *r, const struct kpi_scorecard *sc,
		   const char *period, json_t *agents, int need, const char *grade, const char *result,
		   struct kefu_err *err)
{
	json_t *earlier[MAX_HISTORY] = {0};
	char p[16] = "";
	snprintf(p, sizeof p, "%s", period);
	int rc = 0, k = 0;
	for (; rc == 0 && k < need - 1 && k < MAX_HISTORY; k++) { /* earlier[0] the previous period */
		char prev[16] = "";
		if ((rc = kpi_period_prev(p, prev)) == 0)
			rc = grades_of(a, r, sc, prev, &earlier[k], err);
		memcpy(p, prev, sizeof p);
	}
	size_t i;
	json_t *ag;
	json_array_foreach(agents, i, ag)
	{
		if (rc < 0)
			break;
		const char *id = json_string_value(json_object_get(ag, "id"));
		const char *run[MAX_HISTORY + 1];
		int n = 0;
		for (int j = k - 1; j >= 0; j--) /* oldest first */
			run[n++] = json_string_value(json_object_get(earlier[j], id));
		run[n++] = assessed(ag) ? json_string_value(json_object_get(ag, "grade")) : NULL;
		if (kpi_grades_run(run, n, need, grade))
			json_array_append_new(json_object_get(ag, "results"), json_string(result));
	}
	for (int j = 0; j < k; j++)
		json_decref(earlier[j]);
	return rc;
}

static json_t *pay_json(const struct kpi_pay *p)
{
	return json_pack("{s:f,s:f,s:f,s:f}", "monthly", p->monthly, "base", p->base, "performance",
			 p->performance, "bonus", p->bonus);
}

static int by_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Whether two arrays of result names hold the same names (order aside). */
static bool same_results(const json_t *a, const json_t *b)
{
	size_t n = json_array_size(a);
	if (n != json_array_size(b))
		return false;
	if (n == 0)
		return true;
	const char **x = calloc(2 * n, sizeof *x);
	if (!x)
		return false;
	for (size_t i = 0; i < n; i++) {
		x[i] = json_string_value(json_array_get(a, i));
		x[n + i] = json_string_value(json_array_get(b, i));
		if (!x[i] || !x[n + i]) {
			free(x);
			return false;
		}
	}
	qsort(x, n, sizeof *x, by_str);
	qsort(x + n, n, sizeof *x, by_str);
	bool same = true;
	for (size_t i = 0; i < n && same; i++)
		same = strcmp(x[i], x[n + i]) == 0;
	free(x);
	return same;
}

/* A-8 monthly team pools: "team_pools" [{team, agents, mean_score, goal_score, factor, pool}] by
 * team, and each assessed agent's "team_pool_share" = pool × own score / the team's score sum
 * (equal shares when that sum is 0). Agents without a scored metric take no part. */
static void team_pools(const struct kpi_results_policy *p, json_t *res)
{
	json_t *teams = json_object(); /* team → [n, score sum] */
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		const char *team = json_string_value(json_object_get(ag, "team"));
		if (!team || !assessed(ag))
			continue;
		json_t *t = json_object_get(teams, team);
		if (!t) {
			t = json_pack("[i,f]", 0, 0.0);
			json_object_set_new(teams, team, t);
		}
		json_array_set_new(t, 0, json_integer(json_integer_value(json_array_get(t, 0)) + 1));
		json_array_set_new(t, 1,
				   json_real(json_real_value(json_array_get(t, 1)) +
					     json_number_value(json_object_get(ag, "score"))));
	}
	json_t *out = json_array();
	const char **names = calloc(json_object_size(teams) + 1, sizeof *names);
	size_t n = 0;
	const char *k;
	json_t *t;
	json_object_foreach(teams, k, t)
	{
		if (names)
			names[n++] = k;
	}
	if (names)
		qsort(names, n, sizeof *names, by_str);
	for (size_t j = 0; j < n; j++) {
		t = json_object_get(teams, names[j]);
		int members = (int)json_integer_value(json_array_get(t, 0));
		double sum = json_real_value(json_array_get(t, 1)), factor = 0;
		double mean = members ? sum / members : 0;
		double pool = kpi_team_pool(p, members, mean, &factor);
		json_array_append_new(out,
				      json_pack("{s:s,s:i,s:f,s:f,s:f,s:f}", "team", names[j], "agents",
						members, "mean_score", round(mean * 10) / 10, "goal_score",
						p->pool_goal_score, "factor", factor, "pool", pool));
		json_array_append_new(t, json_real(pool));
	}
	free(names);
	/* shares in whole cents, rounded down; the cents left go one each to the team's best scores
	 * (agents are in score order), so the shares add up to the pool exactly */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(json_object_get(res, "agents"), i, ag)
		{
			const char *team = json_string_value(json_object_get(ag, "team"));
			t = team ? json_object_get(teams, team) : NULL;
			if (!t || !assessed(ag))
				continue;
			int members = (int)json_integer_value(json_array_get(t, 0));
			double sum = json_real_value(json_array_get(t, 1));
			int64_t pool = (int64_t)llround(json_real_value(json_array_get(t, 2)) * 100);
			double score = json_number_value(json_object_get(ag, "score"));
			if (pass == 0) {
				int64_t share = (int64_t)floor(sum > 0 ? (double)pool * score / sum
								       : (double)pool / members);
				json_object_set_new(ag, "team_pool_share", json_integer(share));
				if (json_array_size(t) < 4)
					json_array_append_new(t, json_integer(pool));
				json_array_set_new(
				    t, 3, json_integer(json_integer_value(json_array_get(t, 3)) - share));
			} else {
				int64_t share = json_integer_value(json_object_get(ag, "team_pool_share"));
				int64_t left = json_integer_value(json_array_get(t, 3));
				if (left > 0) {
					share++;
					json_array_set_new(t, 3, json_integer(left - 1));
				}
				json_object_set_new(ag, "team_pool_share", json_real((double)share / 100));
			}
		}
	}
	json_object_set_new(res, "team_pools", out);
	json_decref(teams);
}

/* Replaces computed results and pay with the recorded ones (A-8: a paid bonus stays as paid). */
static void merge_recorded(json_t *res, json_t *rec, int tz_offset_min)
{
	json_t *by_agent = json_object();
	size_t i;
	json_t *e, *ag;
	int64_t at = 0;
	json_array_foreach(rec, i, e)
	{
		const char *id = json_string_value(json_object_get(e, "agent"));
		json_t *x = json_object_get(by_agent, id);
		if (!x) {
			x = json_pack("{s:[],s:O}", "results", "pay", json_object_get(e, "pay"));
			json_object_set_new(by_agent, id, x);
		}
		json_array_append(json_object_get(x, "results"), json_object_get(e, "result"));
		at = json_integer_value(json_object_get(e, "at_ms"));
	}
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		json_t *x = json_object_get(by_agent, json_string_value(json_object_get(ag, "id")));
		json_t *now = json_object_get(ag, "results");
		json_t *was = x ? json_object_get(x, "results") : NULL;
		json_t *keep = was ? json_incref(was) : json_array();
		if (same_results(now, keep)) { /* the computed order */
			json_decref(keep);
			keep = json_incref(now);
		} else {
			json_object_set(ag, "results_computed", now);
		}
		json_object_set_new(ag, "results", keep);
		if (x && json_is_object(json_object_get(x, "pay")))
			json_object_set(ag, "pay", json_object_get(x, "pay"));
	}
	char when[40];
	clock_format_rfc3339(at, tz_offset_min, when, sizeof when);
	json_object_set_new(res, "recorded",
			    json_pack("{s:s,s:I}", "at", when, "results", (json_int_t)json_array_size(rec)));
	json_decref(by_agent);
}

int kpi_assess_results(struct assess_store *a, const struct kpi_rules *r, const struct kpi_scorecard *sc,
		       const struct kpi_results_policy *p, const char *period, json_t **out,
		       struct kefu_err *err)
{
	json_t *res = NULL;
	int rc = kpi_assess(a, r, sc, period, &res, err);
	if (rc < 0)
		return rc;
	bool year = strlen(period) == 4, quarter = !year && period[5] == 'Q', month = !year && !quarter;
	json_t *agents = json_object_get(res, "agents");
	if (month)
		rc =
		    history(a, r, sc, period, agents, p->retrain_months, p->retrain_grade, "retraining", err);
	if (quarter)
		rc =
		    history(a, r, sc, period, agents, p->lead_quarters, p->lead_grade, "lead_candidate", err);
	size_t i;
	json_t *ag;
	int top = 0;
	json_array_foreach(agents, i, ag)
	{
		if (rc < 0)
			break;
		const char *post = json_string_value(json_object_get(ag, "post"));
		struct kpi_pay pay;
		bool ok = assessed(ag);
		json_t *results = json_object_get(ag, "results");
		if (month) {
			kpi_pay_month(p, post, has_result(ag, "top10_bonus"), &pay);
			json_object_set_new(ag, "pay", pay_json(&pay));
		}
		if (year && ok) { /* agents are in score order */
			kpi_pay_month(p, post, false, &pay);
			if (top++ < p->annual_top) {
				json_array_append_new(results, json_string("annual_bonus_x3"));
				json_object_set_new(ag, "pay",
						    json_pack("{s:f}", "annual_bonus",
							      cents(pay.performance * p->annual_months)));
			}
			if (strcmp(json_string_value(json_object_get(ag, "grade")), p->review_grade) == 0)
				json_array_append_new(results, json_string("failed_year_review"));
		}
		json_object_set_new(ag, "training", kpi_training(p, ag));
	}
	if (rc == 0 && month)
		team_pools(p, res);
	json_t *rec = NULL;
	if (rc == 0)
		rc = assess_results_get(a, period, json_string_value(json_object_get(res, "profile")), &rec,
					err);
	if (rc == 0 && json_array_size(rec) > 0)
		merge_recorded(res, rec, r->tz_offset_min);
	json_decref(rec);
	if (rc < 0) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

int kpi_results_record(struct assess_store *a, const json_t *res, int64_t now_ms, const char *actor,
		       size_t *n, bool *already, struct kefu_err *err)
{
	const char *period = json_string_value(json_object_get(res, "period"));
	const char *profile = json_string_value(json_object_get(res, "profile"));
	*n = 0;
	*already = json_object_get(res, "recorded") != NULL;
	if (*already)
		return 0;
	json_t *events = json_array();
	size_t i, j;
	json_t *ag, *r;
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		json_array_foreach(json_object_get(ag, "results"), j, r)
		{
			json_t *e = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "agent",
					      json_object_get(ag, "id"), "team", json_object_get(ag, "team"),
					      "post", json_object_get(ag, "post"), "result", r, "score",
					      json_object_get(ag, "score"), "grade",
					      json_object_get(ag, "grade"), "definitions_version",
					      json_object_get(ag, "definitions_version")
						  ? json_object_get(ag, "definitions_version")
						  : json_object_get(res, "definitions_version"));
			if (json_object_get(ag, "pay"))
				json_object_set(e, "pay", json_object_get(ag, "pay"));
			json_array_append_new(events, e);
		}
	}
	int rc = assess_results_record(a, period, profile, events, now_ms, actor, already, n, err);
	json_decref(events);
	return rc;
}

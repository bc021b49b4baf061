/* results.h — what an assessment leads to (SPEC) as policy data
 * (data/policy/results.json): pay split base:performance with the top-10 bonus, the history rules
 * (consecutive failed months → retraining, consecutive excellent quarters → lead candidate,
 * annual top N → annual bonus, a failed year → review), training suggestions from the weakest
 * scored metrics, and the recorded results of a period (assess.result_recorded) that later runs
 * show instead of recomputing them. History comes from assessing the earlier periods with the same
 * profile and the definitions in force then. docs/metrics.md "Results". */
#ifndef KEFU_KPI_RESULTS_H
#define KEFU_KPI_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "kpi/metrics.h"
#include "kpi/scorecard.h"
#include "store/assess_store.h"

enum { KPI_RES_MAX_POSTS = 16, KPI_RES_MAX_COURSES = 96 };

struct kpi_results_policy {
	double pay_default; /* monthly pay of a post not listed */
	int n_pay;
	struct {
		char post[32];
		double monthly;
	} pay[KPI_RES_MAX_POSTS];
	double base_share, performance_share; /* 0.6, 0.4 */
	int top_n; /* monthly top N get the bonus (10) */
	double top_share; /* of that month's performance pay (0.2) */
	int retrain_months; /* consecutive months graded retrain_grade → retraining (2) */
	char retrain_grade[24];
	int retrain_days;
	int lead_quarters; /* consecutive quarters graded lead_grade → lead_candidate (3) */
	char lead_grade[24];
	int annual_top; /* annual top N → annual_bonus_x3 */
	double annual_months; /* the annual bonus in months of performance pay (3) */
	char review_grade[24]; /* a year graded so → failed_year_review */
	/* A-8 monthly team bonus pool (document 003: 月度奖金池根据团队目标浮动): per_agent × the team's
	 * assessed agents × factor, factor = the team's mean score / goal_score within [min, max] */
	double pool_per_agent, pool_goal_score, pool_min_factor, pool_max_factor;
	int max_suggestions; /* */
	double below_score; /* only metrics scoring below this are suggested */
	int n_courses;
	struct {
		char metric[32];
		char zh[128], en[128];
	} courses[KPI_RES_MAX_COURSES];
};

/* The built-in policy (the numbers of SPEC A-8). */
void kpi_results_policy_default(struct kpi_results_policy *p);
/* Parses results.json; refuses bad input naming the setting. Returns 0 or -KEFU_EINVAL. */
int kpi_results_policy_parse(const char *text, size_t len, struct kpi_results_policy *p,
			     struct kefu_err *err);
/* Loads DIR/results.json (missing file: the built-in policy). */
int kpi_results_policy_load(const char *dir, struct kpi_results_policy *p, struct kefu_err *err);

/* A month's pay of an agent of post: monthly = base + performance; bonus = top_share × performance
 * when top. */
struct kpi_pay {
	double monthly, base, performance, bonus;
};
void kpi_pay_month(const struct kpi_results_policy *p, const char *post, bool top, struct kpi_pay *out);
/* The history rules over grades of consecutive periods, oldest first, the last being the period
 * assessed (NULL = not assessed then): whether the last `need` are all `grade`. */
bool kpi_grades_run(const char *const *grades, int n, int need, const char *grade);
/* A-8 team pool of a month for a team of n assessed agents with this mean score: fills the factor
 * and returns the pool in yuan (cents rounded). */
double kpi_team_pool(const struct kpi_results_policy *p, int n, double mean_score, double *factor);
/* up to max_suggestions courses for the agent's weakest scored metrics (metrics of the §5.3
 * agent object with weight > 0, a score below below_score and a course), weakest first:
 * [{"metric","score","course","course_en"}]. A new array. */
json_t *kpi_training(const struct kpi_results_policy *p, const json_t *agent);
/* The earlier period of the same kind: "2026-10" → "2026-09", "2026-Q1" → "2025-Q4", "2026" →
 * "2025". out has room for 16 bytes. Returns 0 or -KEFU_EINVAL. */
int kpi_period_prev(const char *period, char out[16]);

/* kpi_assess plus: each agent gets "pay" (a month), history results added to "results",
 * and "training"; when the period+profile was recorded, "results" and "pay" are the recorded ones,
 * the computed ones are kept as "results_computed" where they differ, and the object gets
 * "recorded": {"at": …, "results": N}. */
int kpi_assess_results(struct assess_store *a, const struct kpi_rules *r, const struct kpi_scorecard *sc,
		       const struct kpi_results_policy *p, const char *period, json_t **out,
		       struct kefu_err *err);
/* Records the results of an output of kpi_assess_results (not already recorded): one
 * assess.result_recorded event per agent × result, idempotent per period+profile. *n gets how
 * many were recorded, *already whether the period+profile had been recorded before. */
int kpi_results_record(struct assess_store *a, const json_t *res, int64_t now_ms, const char *actor,
		       size_t *n, bool *already, struct kefu_err *err);

#endif

/* scorecard.h — scorecards as policy data (SPEC ): a weight tree whose leaves are
 * metric ids, validated once when loaded (weights of the children of every node add up to the
 * node, the top level to 100%), the scoring rule per metric (linear between floor and target,
 * capped; per-occurrence deduction), weight spreading when a metric has no data, and grades.
 * Read-only after load. Never reads the store. */
#ifndef KEFU_KPI_SCORECARD_H
#define KEFU_KPI_SCORECARD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "kpi/definitions.h"
#include "kpi/metrics.h"

enum { KPI_SC_MAX_LEAVES = 64, KPI_SC_MAX_GRADES = 8, KPI_SC_MAX_POSTS = 8 };

struct kpi_sc_leaf {
	char metric[32]; /* "K-01" */
	int dimension; /* index of its top-level node */
	double weight; /* fraction of the total, 0..1 */
};

struct kpi_scorecard {
	char profile[32];
	int n_dims;
	char dims[16][32]; /* top-level node ids */
	int n_leaves;
	struct kpi_sc_leaf leaves[KPI_SC_MAX_LEAVES];
	int n_grades;
	struct {
		double min;
		char grade[24];
	} grades[KPI_SC_MAX_GRADES]; /* descending by min */
	struct kpi_target targets[KPI_METRIC_COUNT]; /* the profile's own targets and floors */
	/* "post_cards": {"presale": "presale", …} — agents of a listed post are scored with
	 * scorecard-<card>.json (loaded with the profile; a card cannot list cards itself) */
	int n_post_cards;
	char post_names[KPI_SC_MAX_POSTS][32];
	struct kpi_scorecard *post_cards[KPI_SC_MAX_POSTS]; /* owned: kpi_scorecard_free() */
};

/* Parses a scorecard from JSON text. Returns 0, or -KEFU_EINVAL with err naming the node
 * ("node 'basics': children add up to 35%, not 40%"). */
int kpi_scorecard_parse(const char *text, size_t len, struct kpi_scorecard *out, struct kefu_err *err);
/* The policy directory: given when not NULL, else data/policy when it exists (run from a
 * checkout or an install root), else the source tree's data/policy. Used by `kefu assess` and the
 * assessment API. */
const char *kpi_policy_dir(const char *given);
/* Whether name is a usable profile name (1–31 of [A-Za-z0-9_-]; no path characters). */
bool kpi_profile_name_ok(const char *name);
/* Loads DIR/scorecard-NAME.json and the post cards it names; out->profile is NAME. Free with
 * kpi_scorecard_free() (also after a failed load). */
int kpi_scorecard_load(const char *dir, const char *name, struct kpi_scorecard *out, struct kefu_err *err);
void kpi_scorecard_free(struct kpi_scorecard *sc);
/* The card an agent of post is scored with: the post's card when the profile has one, else sc. */
const struct kpi_scorecard *kpi_scorecard_for_post(const struct kpi_scorecard *sc, const char *post);
/* Target and floor of metric m on card sc under version v (may be NULL): the card's override,
 * else the version's, else the built-in default. */
void kpi_scorecard_target(const struct kpi_scorecard *sc, const struct kpi_def_version *v, int m,
			  double *target, double *floor);

/* 0–100, linear from floor (0) to target (100), capped at both ends. */
double kpi_score_linear(double value, double floor, double target, bool higher_better);
/* zero-tolerance metric: 100 − points per occurrence, never below 0. */
double kpi_score_deduct(double occurrences, double points);

/* Weights per metric for one agent: leaves with no data (null[] true or not computed) give their
 * weight to the other leaves of the same dimension in proportion; a dimension with no data at all
 * gives its weight to the other dimensions. weight[m] is 0 for metrics not on the card. *spread
 * (may be NULL) counts the leaves whose weight was spread. */
void kpi_scorecard_weights(const struct kpi_scorecard *sc, const struct kpi_value v[KPI_METRIC_COUNT],
			   double weight[KPI_METRIC_COUNT], int *spread);
const char *kpi_scorecard_grade(const struct kpi_scorecard *sc, double score);

#endif

/* definitions.h — versioned metric definitions as policy data (SPEC A-11): each version has an
 * effective date and the rule settings it changes (round cap, windows, satisfied_min, per-channel
 * FRT targets, the optional counting window, metric targets and floors), and may run first as a
 * trial on one team from an earlier date. The rollups use the version in force on each day, the
 * scoring the version in force on the period's last day; a trial team's agents get the trial
 * version from its start. Read-only after load; never reads the store. docs/metrics.md
 * "Definitions versions". */
#ifndef KEFU_KPI_DEFINITIONS_H
#define KEFU_KPI_DEFINITIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "kpi/metrics.h"

enum { KPI_DEF_MAX_VERSIONS = 16 };

/* A metric's scoring target and floor set by a version or a profile. */
struct kpi_target {
	bool set;
	double target, floor;
};

struct kpi_def_version {
	int version; /* ascending, > 0 */
	int64_t effective_day; /* local day (days since 1970-01-01) from which it applies to everyone */
	bool has_trial;
	char trial_team[32]; /* the trial: this team gets the version from trial_day on */
	int64_t trial_day;
	struct kpi_rules rules; /* complete rules of this version (defaults + its settings) */
	struct kpi_target targets[KPI_METRIC_COUNT];
};

struct kpi_definitions {
	int n; /* ascending by version and effective day */
	struct kpi_def_version v[KPI_DEF_MAX_VERSIONS];
};

/* One version: version 1 with the default rules, effective from the beginning. */
void kpi_definitions_default(struct kpi_definitions *d);
/* Parses {"versions":[{"version":1,"effective":"2026-01-01","rules":{…},"targets":{…},
 * "trial":{"team":"t1","from":"2026-10-15"}},…]}. Refuses bad input naming the version and the
 * setting; versions and effective dates must ascend. Returns 0 or -KEFU_EINVAL. */
int kpi_definitions_parse(const char *text, size_t len, struct kpi_definitions *d, struct kefu_err *err);
/* Loads DIR/definitions.json; a missing file gives kpi_definitions_default(). */
int kpi_definitions_load(const char *dir, struct kpi_definitions *d, struct kefu_err *err);
/* The version in force on local day for an agent of team (NULL: no trial applies). */
const struct kpi_def_version *kpi_definitions_at(const struct kpi_definitions *d, int64_t day,
						 const char *team);
/* The rules of day for team: the version's when r->versions is set, else r itself. */
const struct kpi_rules *kpi_rules_at(const struct kpi_rules *r, int64_t day, const char *team);
/* {"K-01":{"target":10,"floor":60},…} into t[] (versions and scorecards); where prefixes the
 * message ("version 2"). Refuses unknown metrics and a floor on the wrong side of the target. */
int kpi_targets_parse(json_t *obj, struct kpi_target t[KPI_METRIC_COUNT], const char *where,
		      struct kefu_err *err);
/* Parses "YYYY-MM-DD" into a day number; -KEFU_EINVAL if malformed. */
int kpi_date_parse(const char *s, int64_t *day);

#endif

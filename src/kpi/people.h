/* people.h — the people and quality metrics (SPEC K-30…K-44, K-52; docs/metrics.md): violations,
 * security incidents and script compliance from the guard's verdicts on agent messages (live and
 * imported), QA / peer / self reviews, accepted KB contributions and case citations per month,
 * exam pass rates and cross-department collaboration satisfaction. Their daily rollup
 * (kpi_people_daily) is recomputed by the same per-day path as kpi_daily (rollup.c calls in);
 * assess.c reads the period sums and the records behind a metric through here. */
#ifndef KEFU_KPI_PEOPLE_H
#define KEFU_KPI_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kpi/metrics.h"
#include "store/assess_store.h"

/* Recomputes the kpi_people_daily rows of the given local days (ascending). */
int kpi_people_days(struct assess_store *a, const struct kpi_rules *r, const int64_t *days, size_t n,
		    struct kefu_err *err);
/* Deletes every kpi_people_daily row (--rebuild). */
int kpi_people_clear(struct assess_store *a, struct kefu_err *err);
/* Widens [*first, *last] (local days; *any false = empty) to the days of the people records. */
int kpi_people_span(struct assess_store *a, const struct kpi_rules *r, int64_t *first, int64_t *last,
		    bool *any, struct kefu_err *err);
/* Fills g->v[i].people with the sums over local days [day_from, day_to]. */
int kpi_people_period(struct assess_store *a, int64_t day_from, int64_t day_to, struct assess_agents *g,
		      struct kefu_err *err);
/* The metric values from those sums (and g->sum.sessions for K-30…K-32). */
void kpi_people_values(const struct assess_agent *g, struct kpi_value out[KPI_METRIC_COUNT]);
/* A-1 zero tolerance: the points a K-30 violation (10) or K-31 incident (50) deducts from 100;
 * 0 for every other metric (scored linearly). */
double kpi_people_deduct(int m);
/* Whether metric m is one of these. */
bool kpi_people_metric(int m);
/* the records behind metric m of agent in local days [day_from, day_to] as a new array. */
int kpi_people_explain(struct assess_store *a, const struct kpi_rules *r, int64_t day_from, int64_t day_to,
		       const char *agent, int m, json_t **out, struct kefu_err *err);

#endif

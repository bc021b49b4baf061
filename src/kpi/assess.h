/* assess.h — one assessment run (DESIGN §5.3, SPEC ): brings the rollups current, reads
 * a period's sums per agent, computes every metric, scores it against the scorecard, grades and
 * ranks agents, and names the results, as one JSON object. Also the per-session detail behind
 * a metric (--explain). Never prints; the caller owns the JSON it returns. */
#ifndef KEFU_KPI_ASSESS_H
#define KEFU_KPI_ASSESS_H

#include <jansson.h>
#include <stdint.h>

#include "kpi/metrics.h"
#include "kpi/scorecard.h"
#include "store/assess_store.h"

enum { KPI_DEFINITIONS_VERSION = 1 /* bumped whenever a default rule of metrics.c changes */ };

/* Parses "2026-10" (month), "2026-Q4" (quarter) or "2026" (year) into local days [from, to].
 * Returns 0 or -KEFU_EINVAL. */
int kpi_period_parse(const char *s, int64_t *day_from, int64_t *day_to);

/* Refreshes stale rollups, then assesses the period. *out (caller decrefs) is the §5.3 object. */
int kpi_assess(struct assess_store *a, const struct kpi_rules *r, const struct kpi_scorecard *sc,
	       const char *period, json_t **out, struct kefu_err *err);

/* the sessions of agent in the period behind metric, one object per session with the values
 * the rule used ({"session","start","frt_s","within","rounds","art_sum_s","score","solved",
 * "repeat","credited","customer_type","repurchased"}). *out is a new array. */
int kpi_explain(struct assess_store *a, const struct kpi_rules *r, const char *period, const char *agent,
		const char *metric, json_t **out, struct kefu_err *err);

/* The sessions of the period (of agent, or of every agent when NULL), ordered by start, each with
 * the timing the round rules give it; fn returns 0 to go on or a negative code to stop with it.
 * kpi_explain and the API's FRT-vs-CSAT view (D-4) are built on it. */
int kpi_sessions_each(struct assess_store *a, const struct kpi_rules *r, const char *period,
		      const char *agent,
		      int (*fn)(void *arg, const struct assess_session *s, const struct kpi_timing *t),
		      void *arg, struct kefu_err *err);
/* As kpi_sessions_each, and fn also gets rr, the rules of the session's day (A-11: the definitions
 * version in force then) that its timing was computed with. */
int kpi_sessions_each_r(struct assess_store *a, const struct kpi_rules *r, const char *period,
			const char *agent,
			int (*fn)(void *arg, const struct assess_session *s, const struct kpi_timing *t,
				  const struct kpi_rules *rr),
			void *arg, struct kefu_err *err);

#endif

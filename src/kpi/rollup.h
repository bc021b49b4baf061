/* rollup.h — the daily rollups per agent (kpi_daily, kpi_customer_day) kept current from the
 * events: days marked stale as events arrive are recomputed by kpi_rollup_refresh(), and
 * kpi_rollup_rebuild() recomputes every day from the recorded data (`kefu assess --rebuild`).
 * Both run the same per-day computation, so they give identical rows. Never opens a transaction:
 * the caller holds one (assess_store_begin). */
#ifndef KEFU_KPI_ROLLUP_H
#define KEFU_KPI_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "kpi/metrics.h"
#include "store/assess_store.h"

/* Recomputes the rollup rows of the given local days (ascending, no duplicates). */
int kpi_rollup_days(struct assess_store *a, const struct kpi_rules *r, const int64_t *days, size_t n,
		    struct kefu_err *err);
/* Recomputes the days in kpi_dirty and clears it. *n_days (may be NULL) gets how many. */
int kpi_rollup_refresh(struct assess_store *a, const struct kpi_rules *r, size_t *n_days,
		       struct kefu_err *err);
/* Deletes every rollup row and recomputes every day that has data. */
int kpi_rollup_rebuild(struct assess_store *a, const struct kpi_rules *r, size_t *n_days,
		       struct kefu_err *err);

#endif

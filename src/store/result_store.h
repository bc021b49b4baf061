/* result_store.h — recorded assessment results (SPEC A-8; 009_assess_results, docs/events.md
 * assess.result_recorded): appending one event per result of a period+profile once (idempotent:
 * a period+profile already recorded is left as it is), and reading them back. The SQL only; the
 * results themselves are decided in src/kpi/results.c. */
#ifndef KEFU_STORE_RESULT_STORE_H
#define KEFU_STORE_RESULT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct assess_store;

/* In one transaction of its own: when (period, profile) has no recorded result, appends an
 * assess.result_recorded event per element of events (objects with at least "agent" and
 * "result"; "period" and "profile" are set here) and its kpi_results row; else changes nothing and
 * sets *already. *n gets how many were appended. actor may be NULL. */
int assess_results_record(struct assess_store *a, const char *period, const char *profile, json_t *events,
			  int64_t now_ms, const char *actor, bool *already, size_t *n, struct kefu_err *err);
/* The recorded results of (period, profile) as a new array of their event payloads, each with
 * "at_ms" added, ordered by agent and result (empty when none). */
int assess_results_get(struct assess_store *a, const char *period, const char *profile, json_t **out,
		       struct kefu_err *err);

#endif

/* tickets.h — the ticket metrics of the assessment (issue 6): K-11 complex problems closed within
 * 24 h, K-27 returns audited within 24 h, K-28 exchanges shipped within 48 h (72 h to remote
 * regions), K-29 mean handling time, K-33 process compliance, K-34 completeness. A ticket — live or
 * imported alike — belongs to its owning agent and to the local day of its creation; its
 * contribution to that agent's kpi_ticket_daily row is a pure function of the ticket (no clock),
 * so incremental refresh and --rebuild give the same rows. docs/metrics.md states every rule. */
#ifndef KEFU_KPI_TICKETS_H
#define KEFU_KPI_TICKETS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "kpi/metrics.h"
#include "store/assess_store.h"
#include "store/ticket_kpi_store.h"

/* What one ticket counts for (the rules applied to it). */
struct kpi_ticket_eval {
	bool k11, k11_in; /* complex; closed within the window */
	bool k27, k27_in; /* a return; audited within the window */
	bool k28, k28_in, remote; /* an exchange; shipped within its window; remote region */
	bool k29; /* resolved: counts in K-29 with hours */
	double hours; /* created → resolved */
	bool k33, k33_ok; /* a resolved return or complaint; its flow steps as prescribed */
	int64_t audited_ms, shipped_ms; /* first audit / shipped step, -1 none */
};
/* Applies the rules to one ticket; remote says whether its region is remote (N-18). */
void kpi_ticket_eval(const struct kpi_rules *r, const struct tkpi_ticket *t, bool remote,
		     struct kpi_ticket_eval *out);
/* Adds a ticket's evaluation to a daily row. */
void kpi_ticket_add(struct tkpi_daily *d, const struct tkpi_ticket *t, const struct kpi_ticket_eval *e);
/* Fills the ticket metrics' slots of out from period sums (null with n 0 without data). */
void kpi_ticket_values(const struct tkpi_daily *d, struct kpi_value out[KPI_METRIC_COUNT]);
/* Whether metric m is one of the ticket metrics. */
bool kpi_ticket_metric(int m);

/* Recomputes the kpi_ticket_daily rows of one local day (inside the caller's transaction). */
int kpi_tickets_day(struct assess_store *a, const struct kpi_rules *r, int64_t day, struct kefu_err *err);
/* For --rebuild: deletes every kpi_ticket_daily row and widens [*first, *last] (with *any) by
 * the days that have tickets. */
int kpi_tickets_span(struct assess_store *a, const struct kpi_rules *r, int64_t *first, int64_t *last,
		     bool *any, struct kefu_err *err);
/* The period sums per agent, one per entry of g (ordered by id as assess_store_period returns
 * them); *out is a new array of g->n rows (caller frees). */
int kpi_tickets_period(struct assess_store *a, int64_t day_from, int64_t day_to,
		       const struct assess_agents *g, struct tkpi_daily **out, struct kefu_err *err);
/* the tickets of agent in [day_from, day_to] behind metric m, one object each with what
 * the rule used. *out is a new array. */
int kpi_tickets_explain(struct assess_store *a, const struct kpi_rules *r, int64_t day_from, int64_t day_to,
			const char *agent, int m, json_t **out, struct kefu_err *err);

#endif

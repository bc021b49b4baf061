/* metrics.h — the metric rules of DESIGN §5.2 (K-01, K-02, K-03, K-05, K-06, K-10, K-13, K-20,
 * K-21, K-26) as pure functions over one session's messages, one agent's presence, and period
 * sums, plus the policy settings they read (struct kpi_rules). It never touches the store:
 * rollup.c feeds it and writes the daily rows. Every definition here is docs/metrics.md. */
#ifndef KEFU_KPI_METRICS_H
#define KEFU_KPI_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/assess_store.h"

struct kpi_definitions;

/* The catalog of computed metrics, in output order. */
enum kpi_metric {
	KPI_K01,
	KPI_K01_WITHIN,
	KPI_K02,
	KPI_K03,
	KPI_K05,
	KPI_K06,
	KPI_K06_MEAN,
	KPI_K10,
	KPI_K13,
	KPI_K13_NEW,
	KPI_K13_RV,
	KPI_K20,
	KPI_K21,
	KPI_K26,
	KPI_K11, /* ticket metrics (src/kpi/tickets.c) */
	KPI_K27,
	KPI_K28,
	KPI_K29,
	KPI_K33,
	KPI_K34,
	KPI_K30, /* people and quality metrics (src/kpi/people.c) */
	KPI_K31,
	KPI_K32,
	KPI_K35,
	KPI_K40,
	KPI_K41,
	KPI_K42,
	KPI_K43,
	KPI_K44,
	KPI_K44_SELF,
	KPI_K52,
	KPI_METRIC_COUNT
};

struct kpi_metric_def {
	const char *id; /* "K-01", "K-01.within_target", … */
	const char *name;
	const char *unit; /* "s", "share", "sessions/day", "h/day", "score", "permille" */
	bool higher_better; /* direction */
	double target; /* default target (policy) */
	double floor; /* the value that scores 0 (linear up to the target) */
};
/* The built-in definitions (borrowed, static). */
const struct kpi_metric_def *kpi_metric_def(enum kpi_metric m);
/* Index of id or -1. */
int kpi_metric_find(const char *id);

/* Policy settings of the default rules (DESIGN §5.2); every one is a named setting. */
struct kpi_rules {
	int tz_offset_min; /* organisation time zone as a fixed offset (Asia/Shanghai: +480) */
	int64_t round_cap_ms; /* a round's response time is capped here; an unanswered round counts it */
	int64_t repeat_ms; /* K-10: repeat window after end */
	int64_t conv_ms; /* K-13: attribution window after end */
	int64_t repurchase_ms; /* K-26: window after end */
	int satisfied_min; /* K-06: a score at or above this is satisfied */
	int64_t target_ms_web, target_ms_app, target_ms_im, target_ms_phone, target_ms_email,
	    target_ms_form; /* K-01.within_target per channel */
	int64_t target_ms_other; /* a channel not listed (live sessions may carry none) */
	/* tickets (src/kpi/tickets.c): K-11 complex closed, K-27 return audited, K-28 exchange shipped */
	int64_t complex_close_ms, return_audit_ms, exchange_ship_ms, exchange_ship_remote_ms;
	/* A-11 counting window (default off): K-01/K-02 leave out rounds whose first customer message
	 * is outside [count_from_min, count_to_min) local minutes of the day (e.g. 08:00–23:00) */
	bool count_window;
	int count_from_min, count_to_min;
	const struct kpi_definitions *versions; /* set → each day uses its version's rules */
};
void kpi_rules_default(struct kpi_rules *r);
/* Local day (days since 1970-01-01 in the rules' offset) of a time, and the day's start. */
int64_t kpi_day(const struct kpi_rules *r, int64_t ms);
int64_t kpi_day_start_ms(const struct kpi_rules *r, int64_t day);

/* K-01/K-02 of one session from its messages (ordered by at, then input order; bot and system
 * messages included here and dropped by the function). */
struct kpi_timing {
	bool has_frt; /* the first round counts (K-01) */
	int64_t frt_ms; /* its response time, capped */
	int64_t frt_raw_ms; /* its uncapped answer time (K-01.within_target compares this) */
	bool frt_answered; /* the first round got an agent reply (else it counted the cap) */
	int64_t art_sum_ms; /* K-02: sum over counted rounds */
	int64_t art_n; /* counted rounds */
};
void kpi_session_timing(const struct assess_msg *m, size_t n, const struct kpi_rules *r,
			struct kpi_timing *out);
/* K-01.within_target for a session on channel (NULL allowed). */
bool kpi_frt_within(const struct kpi_rules *r, const char *channel, const struct kpi_timing *t);

/* Presence: merges one agent's intervals (sorted in place) and adds the online ms of each local
 * day in [day_from, day_to] to online[day - day_from]. */
struct kpi_interval {
	int64_t from_ms, to_ms;
};
void kpi_presence_days(struct kpi_interval *iv, size_t n, const struct kpi_rules *r, int64_t day_from,
		       int64_t day_to, int64_t *online);

/* Adds one session (its rollup flags from the store and its timing) to a daily row. */
void kpi_daily_add_session(struct assess_daily *d, const struct kpi_rules *r, const struct assess_session *s,
			   const struct kpi_timing *t);

/* A metric value for one agent and period: value is meaningful only when n > 0 or is_zero_rule. */
struct kpi_value {
	bool null; /* no data: null with n 0 */
	double value;
	int64_t n; /* the denominator (DESIGN §5.2) */
};
/* Computes every metric from period sums. */
void kpi_values(const struct assess_agent *g, struct kpi_value out[KPI_METRIC_COUNT]);

#endif

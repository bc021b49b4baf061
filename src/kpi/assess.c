/* assess.c — an assessment run (assess.h): period → rollup sums → metric values (metrics.c) →
 * scores, weights and grades (scorecard.c) → ranks within post and team and the monthly results
 * of A-8 that one period can decide (top 10 bonus, 服务之星). Never prints, never writes except
 * the rollup refresh it runs first. */
#include "kpi/assess.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "kpi/definitions.h"
#include "kpi/people.h"
#include "kpi/rollup.h"
#include "kpi/tickets.h"

enum { TOP_BONUS = 10 /* monthly top 10 get the bonus */ };

int kpi_period_parse(const char *s, int64_t *day_from, int64_t *day_to)
{
	int y = 0, m = 0, q = 0;
	char tail;
	if (sscanf(s, "%4d-Q%1d%c", &y, &q, &tail) == 2 && strlen(s) == 7 && q >= 1 && q <= 4) {
		*day_from = clock_days_from_civil(y, (q - 1) * 3 + 1, 1);
		*day_to =
		    (q == 4 ? clock_days_from_civil(y + 1, 1, 1) : clock_days_from_civil(y, q * 3 + 1, 1)) -
		    1;
		return 0;
	}
	if (sscanf(s, "%4d-%2d%c", &y, &m, &tail) == 2 && strlen(s) == 7 && m >= 1 && m <= 12) {
		*day_from = clock_days_from_civil(y, m, 1);
		*day_to =
		    (m == 12 ? clock_days_from_civil(y + 1, 1, 1) : clock_days_from_civil(y, m + 1, 1)) - 1;
		return 0;
	}
	if (sscanf(s, "%4d%c", &y, &tail) == 1 && strlen(s) == 4 && y >= 1970) {
		*day_from = clock_days_from_civil(y, 1, 1);
		*day_to = clock_days_from_civil(y + 1, 1, 1) - 1;
		return 0;
	}
	return -KEFU_EINVAL;
}

static bool is_month(const char *p)
{
	return strlen(p) == 7 && p[4] == '-' && p[5] != 'Q';
}

struct row {
	struct assess_agent *g;
	const struct kpi_scorecard *card; /* the post's card, else the profile's */
	const struct kpi_def_version *ver; /* scoring version (NULL without versions) */
	bool trial; /* the agent's team runs a trial version in this period */
	double target[KPI_METRIC_COUNT], floor[KPI_METRIC_COUNT];
	struct kpi_value v[KPI_METRIC_COUNT];
	double w[KPI_METRIC_COUNT];
	double s[KPI_METRIC_COUNT];
	double score;
	int rank, team_rank;
	int spread;
};

static int by_score(const void *x, const void *y)
{
	const struct row *a = *(const struct row *const *)x, *b = *(const struct row *const *)y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->g->id, b->g->id);
}

static json_t *num_or_null(bool null, double v)
{
	return null ? json_null() : json_real(round(v * 1e6) / 1e6);
}

static int refresh(struct assess_store *a, const struct kpi_rules *r, struct kefu_err *err)
{
	int rc = assess_store_begin(a, err);
	if (rc == 0)
		rc = kpi_rollup_refresh(a, r, NULL, err);
	if (rc == 0)
		rc = assess_store_commit(a, err);
	if (rc < 0)
		assess_store_rollback(a);
	return rc;
}

/* The sessions of [d0, d1] (of agent, or all when NULL) in runs of days that share one version of
 * the definitions for team (NULL: no trial), each run read with its own windows and timed with its
 * own rules. */
static int sessions_by_version(struct assess_store *a, const struct kpi_rules *r, int64_t d0, int64_t d1,
			       const char *agent, const char *team,
			       int (*fn)(void *arg, const struct assess_session *s,
					 const struct kpi_timing *t, const struct kpi_rules *rr),
			       void *arg, struct kefu_err *err)
{
	struct assess_msg *msgs = NULL;
	size_t cap = 0;
	int rc = 0;
	for (int64_t d = d0; rc == 0 && d <= d1;) {
		const struct kpi_rules *rr = kpi_rules_at(r, d, team);
		int64_t e = d;
		while (e + 1 <= d1 && kpi_rules_at(r, e + 1, team) == rr)
			e++;
		struct assess_sessions ss = {0};
		struct assess_windows w = {rr->repeat_ms, rr->conv_ms, rr->repurchase_ms};
		rc = assess_store_sessions(a, kpi_day_start_ms(r, d), kpi_day_start_ms(r, e + 1), agent, &w,
					   &ss, err);
		for (size_t i = 0; rc == 0 && i < ss.n; i++) {
			size_t n = 0;
			if ((rc = assess_store_messages(a, ss.v[i].id, &msgs, &n, &cap, err)) < 0)
				break;
			struct kpi_timing t;
			kpi_session_timing(msgs, n, rr, &t);
			rc = fn(arg, &ss.v[i], &t, rr);
		}
		assess_sessions_free(&ss);
		d = e + 1;
	}
	free(msgs);
	return rc;
}

static int trial_add(void *arg, const struct assess_session *s, const struct kpi_timing *t,
		     const struct kpi_rules *rr)
{
	kpi_daily_add_session(arg, rr, s, t);
	return 0;
}

/* A-11 trial: whether team gets another version than everyone on some day of [d0, d1]. */
static bool trial_in_period(const struct kpi_rules *r, const char *team, int64_t d0, int64_t d1)
{
	if (!r->versions || !team || !team[0])
		return false;
	for (int64_t d = d0; d <= d1; d++)
		if (kpi_rules_at(r, d, team) != kpi_rules_at(r, d, NULL))
			return true;
	return false;
}

/* The session sums of a trial team's agent recomputed with the trial rules (the stored rollups hold
 * everyone's version); presence, complaints and K-26 stay those of the rollups (docs/metrics.md). */
static int trial_sums(struct assess_store *a, const struct kpi_rules *r, int64_t d0, int64_t d1,
		      struct assess_agent *g, struct kefu_err *err)
{
	struct assess_daily f = {0};
	int rc = sessions_by_version(a, r, d0, d1, g->id, g->team, trial_add, &f, err);
	if (rc < 0)
		return rc;
	struct assess_daily *d = &g->sum;
	d->sessions = f.sessions;
	d->frt_n = f.frt_n;
	d->frt_sum_ms = f.frt_sum_ms;
	d->frt_within = f.frt_within;
	d->art_n = f.art_n;
	d->art_sum_ms = f.art_sum_ms;
	d->rated = f.rated;
	d->satisfied = f.satisfied;
	d->score_sum = f.score_sum;
	d->resolved = f.resolved;
	d->conv = f.conv;
	d->new_n = f.new_n;
	d->new_conv = f.new_conv;
	d->rv_n = f.rv_n;
	d->rv_conv = f.rv_conv;
	return 0;
}

int kpi_assess(struct assess_store *a, const struct kpi_rules *r, const struct kpi_scorecard *sc,
	       const char *period, json_t **out, struct kefu_err *err)
{
	int64_t d0, d1;
	if (kpi_period_parse(period, &d0, &d1) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "period", "period must be YYYY-MM, YYYY-Qn or YYYY: %s",
				period);
	int rc = refresh(a, r, err);
	struct assess_agents g = {0};
	if (rc == 0)
		rc = assess_store_period(a, d0, d1, &g, err);
	if (rc == 0 && (rc = kpi_people_period(a, d0, d1, &g, err)) < 0) /* K-30…K-44 (people.c) */
		assess_agents_free(&g);
	struct tkpi_daily *tk = NULL; /* the ticket metrics' sums per agent (tickets.c) */
	if (rc == 0 && (rc = kpi_tickets_period(a, d0, d1, &g, &tk, err)) < 0)
		assess_agents_free(&g);
	if (rc < 0)
		return rc;
	struct row *rows = xcalloc(g.n ? g.n : 1, sizeof *rows);
	struct row **order = xcalloc(g.n ? g.n : 1, sizeof *order);
	for (size_t i = 0; rc == 0 && i < g.n; i++) {
		struct row *x = &rows[i];
		x->g = &g.v[i];
		x->card = kpi_scorecard_for_post(sc, x->g->post);
		x->ver = r->versions ? kpi_definitions_at(r->versions, d1, x->g->team) : NULL;
		if ((x->trial = trial_in_period(r, x->g->team, d0, d1)))
			rc = trial_sums(a, r, d0, d1, x->g, err);
		kpi_values(x->g, x->v);
		kpi_ticket_values(&tk[i], x->v);
		kpi_scorecard_weights(x->card, x->v, x->w, &x->spread);
		for (int m = 0; m < KPI_METRIC_COUNT; m++) {
			const struct kpi_metric_def *d = kpi_metric_def(m);
			kpi_scorecard_target(x->card, x->ver, m, &x->target[m], &x->floor[m]);
			x->s[m] = x->v[m].null ? 0
			    : kpi_people_deduct(m) > 0 /* zero tolerance (K-30, K-31) */
			    ? kpi_score_deduct(x->v[m].value, kpi_people_deduct(m))
			    : kpi_score_linear(x->v[m].value, x->floor[m], x->target[m], d->higher_better);
			x->score += x->w[m] * x->s[m];
		}
		order[i] = x;
	}
	if (rc < 0) {
		free(rows);
		free(order);
		free(tk);
		assess_agents_free(&g);
		return rc;
	}
	qsort(order, g.n, sizeof *order, by_score);
	/* ranks within post and within team */
	for (size_t i = 0; i < g.n; i++) {
		int rp = 1, rt = 1;
		for (size_t j = 0; j < i; j++) {
			rp += strcmp(order[j]->g->post, order[i]->g->post) == 0;
			rt += strcmp(order[j]->g->team, order[i]->g->team) == 0;
		}
		order[i]->rank = rp;
		order[i]->team_rank = rt;
	}
	json_t *agents = json_array();
	for (size_t i = 0; i < g.n; i++) {
		struct row *x = order[i];
		json_t *ms = json_object();
		for (int m = 0; m < KPI_METRIC_COUNT; m++) {
			const struct kpi_metric_def *d = kpi_metric_def(m);
			/* built member by member: json_pack's format parsing was a quarter of a month's
			 * assessment (500 agents x every metric) */
			json_t *o = json_object();
			json_object_set_new_nocheck(o, "value", num_or_null(x->v[m].null, x->v[m].value));
			json_object_set_new_nocheck(o, "unit", json_string(d->unit));
			json_object_set_new_nocheck(o, "target", json_real(x->target[m]));
			json_object_set_new_nocheck(o, "score", num_or_null(x->v[m].null, x->s[m]));
			json_object_set_new_nocheck(o, "weight", json_real(round(x->w[m] * 1e6) / 1e6));
			json_object_set_new_nocheck(o, "n", json_integer((json_int_t)x->v[m].n));
			json_object_set_new_nocheck(ms, d->id, o);
		}
		json_t *results = json_array();
		if (is_month(period) && i < TOP_BONUS && x->g->sum.sessions > 0)
			json_array_append_new(results, json_string("top10_bonus")); /* */
		if (is_month(period) && x->rank == 1 && x->g->sum.sessions > 0)
			json_array_append_new(results, json_string("service_star")); /* 服务之星 */
		json_t *ag = json_pack("{s:s,s:s,s:s,s:f,s:s,s:i,s:i,s:o,s:o}", "id", x->g->id, "team",
				       x->g->team, "post", x->g->post, "score", round(x->score * 10) / 10,
				       "grade", kpi_scorecard_grade(x->card, x->score), "rank", x->rank,
				       "team_rank", x->team_rank, "metrics", ms, "results", results);
		if (x->spread)
			json_object_set_new(ag, "weights_spread",
					    json_integer(x->spread)); /* scorecard metrics without data */
		json_t *dims = json_object(); /* points each top-level node adds to the score */
		double dp[16] = {0};
		bool seen[KPI_METRIC_COUNT] = {0};
		for (int l = 0; l < x->card->n_leaves; l++) {
			int m = kpi_metric_find(x->card->leaves[l].metric);
			if (m >= 0 && !seen[m]) {
				seen[m] = true;
				dp[x->card->leaves[l].dimension] += x->w[m] * x->s[m];
			}
		}
		for (int d = 0; d < x->card->n_dims; d++)
			json_object_set_new(dims, x->card->dims[d], json_real(round(dp[d] * 10) / 10));
		json_object_set_new(ag, "dimensions", dims);
		if (x->card != sc) /* scored with the post's card */
			json_object_set_new(ag, "scorecard", json_string(x->card->profile));
		if (x->trial) { /* a trial version for this agent's team */
			json_object_set_new(ag, "definitions_version", json_integer(x->ver->version));
			json_object_set_new(ag, "trial", json_true());
		}
		json_array_append_new(agents, ag);
	}
	*out = json_pack("{s:s,s:s,s:i,s:o}", "period", period, "profile", sc->profile, "definitions_version",
			 r->versions ? kpi_definitions_at(r->versions, d1, NULL)->version
				     : KPI_DEFINITIONS_VERSION,
			 "agents", agents);
	free(rows);
	free(order);
	free(tk);
	assess_agents_free(&g);
	return 0;
}

struct each_ctx {
	int (*fn)(void *arg, const struct assess_session *s, const struct kpi_timing *t);
	void *arg;
};

static int each_one(void *arg, const struct assess_session *s, const struct kpi_timing *t,
		    const struct kpi_rules *rr)
{
	struct each_ctx *x = arg;
	(void)rr;
	return x->fn(x->arg, s, t);
}

int kpi_sessions_each(struct assess_store *a, const struct kpi_rules *r, const char *period,
		      const char *agent,
		      int (*fn)(void *arg, const struct assess_session *s, const struct kpi_timing *t),
		      void *arg, struct kefu_err *err)
{
	int64_t d0, d1;
	if (kpi_period_parse(period, &d0, &d1) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "period", "period must be YYYY-MM, YYYY-Qn or YYYY: %s",
				period);
	struct each_ctx x = {fn, arg};
	/* each day's sessions with the version in force that day (everyone's; A-11) */
	return sessions_by_version(a, r, d0, d1, agent, NULL, each_one, &x, err);
}

int kpi_sessions_each_r(struct assess_store *a, const struct kpi_rules *r, const char *period,
			const char *agent,
			int (*fn)(void *arg, const struct assess_session *s, const struct kpi_timing *t,
				  const struct kpi_rules *rr),
			void *arg, struct kefu_err *err)
{
	int64_t d0, d1;
	if (kpi_period_parse(period, &d0, &d1) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "period", "period must be YYYY-MM, YYYY-Qn or YYYY: %s",
				period);
	return sessions_by_version(a, r, d0, d1, agent, NULL, fn, arg, err);
}

struct explain_ctx {
	const struct kpi_rules *r;
	json_t *arr;
};

static int explain_one(void *arg, const struct assess_session *s, const struct kpi_timing *t,
		       const struct kpi_rules *rr)
{
	struct explain_ctx *x = arg;
	char start[40];
	clock_format_rfc3339(s->start_ms, x->r->tz_offset_min, start, sizeof start);
	json_array_append_new(
	    x->arr,
	    json_pack("{s:s,s:s,s:o,s:b,s:I,s:f,s:o,s:o,s:b,s:b,s:o,s:b}", "session", s->id, "start", start,
		      "frt_s", t->has_frt ? json_real((double)t->frt_ms / 1000) : json_null(), "within",
		      kpi_frt_within(rr, s->channel, t), "rounds", (json_int_t)t->art_n, "art_sum_s",
		      (double)t->art_sum_ms / 1000, "score", s->score ? json_integer(s->score) : json_null(),
		      "solved", s->solved < 0 ? json_null() : json_boolean(s->solved), "repeat", s->repeat,
		      "credited", s->credited, "customer_type",
		      s->ctype ? json_string(s->ctype) : json_null(), "repurchased", s->repurchased));
	return 0;
}

int kpi_explain(struct assess_store *a, const struct kpi_rules *r, const char *period, const char *agent,
		const char *metric, json_t **out, struct kefu_err *err)
{
	int64_t d0, d1;
	if (kpi_period_parse(period, &d0, &d1) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "period", "period must be YYYY-MM, YYYY-Qn or YYYY: %s",
				period);
	if (kpi_metric_find(metric) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "metric", "unknown metric %s", metric);
	if (kpi_ticket_metric(kpi_metric_find(metric))) /* the tickets behind a ticket metric */
		return kpi_tickets_explain(a, r, d0, d1, agent, kpi_metric_find(metric), out, err);
	if (kpi_people_metric(kpi_metric_find(metric))) /* the records behind a people metric */
		return kpi_people_explain(a, r, d0, d1, agent, kpi_metric_find(metric), out, err);
	struct explain_ctx x = {r, json_array()};
	int rc = kpi_sessions_each_r(a, r, period, agent, explain_one, &x, err);
	if (rc < 0) {
		json_decref(x.arr);
		return rc;
	}
	*out = x.arr;
	return 0;
}

/* assess_api.c — GET /api/v1/assess, /assess/explain and /assess/frt-csat (docs/api.md
 * "Assessment", DESIGN §5.3, SPEC A-10, D-2, D-4): the same kpi_assess / kpi_explain calls as
 * `kefu assess`, run on the libuv worker pool with a store connection of their own per request
 * (the engine refreshes rollups and reads a month of sums: blocking SQLite work that must not run
 * on the loop thread). One permission, assess.read; the scope is decided here from the principal:
 * a manager sees every agent, a lead or supervisor the agents of their own team, an agent only
 * their own record (an assessed agent id equal to their user id; none → an empty list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/mem.h"
#include "api/json_in.h"
#include "base/clock.h"
#include "kpi/assess.h"
#include "kpi/definitions.h"
#include "kpi/results.h"
#include "kpi/scorecard.h"
#include "store/assess_store.h"
#include "store/store.h"

enum { ASSESS_MAX_IN_FLIGHT = 2 /* leaves the rest of the worker pool to logins and hashing */ };

static int in_flight; /* loop thread only */

enum scope { SCOPE_ALL, SCOPE_TEAM, SCOPE_SELF };

struct assess_work {
	uv_work_t work;
	struct http_req *req;
	struct store *store;
	enum scope scope;
	char team[32]; /* SCOPE_TEAM */
	char self[80]; /* SCOPE_SELF: the principal's user id */
	char period[16];
	char profile[32];
	char agent[80]; /* explain only */
	char metric[32]; /* explain only */
	enum { W_ASSESS, W_EXPLAIN, W_FRT_CSAT, W_RECORD } kind;
	struct kpi_definitions defs; /* A-11, loaded on the worker */
	struct kpi_results_policy policy; /* */
	json_t *out; /* reply body (owned until replied) */
	struct kefu_err err;
	int rc;
};

static enum scope scope_of(const struct principal *p)
{
	if (p->role == ROLE_MANAGER)
		return SCOPE_ALL;
	if (p->role == ROLE_LEAD || p->role == ROLE_SUPERVISOR)
		return SCOPE_TEAM;
	return SCOPE_SELF;
}

static bool in_scope(const struct assess_work *w, const char *id, const char *team)
{
	switch (w->scope) {
	case SCOPE_ALL:
		return true;
	case SCOPE_TEAM:
		return w->team[0] && team && strcmp(team, w->team) == 0;
	default:
		return id && strcmp(id, w->self) == 0;
	}
}

/* The assessment, then the agents outside the caller's scope dropped (ranks stay those of the
 * whole assessment). */
static int run_assess(struct assess_work *w, struct assess_store *as, const struct kpi_rules *rules)
{
	struct kpi_scorecard sc = {0};
	int rc = kpi_scorecard_load(kpi_policy_dir(NULL), w->profile, &sc, &w->err);
	if (rc == -KEFU_EIO)
		rc = KEFU_ERR(&w->err, KEFU_EINVAL, "profile", "unknown profile %s", w->profile);
	json_t *res = NULL;
	if (rc == 0)
		rc = kpi_assess_results(as, rules, &sc, &w->policy, w->period, &res, &w->err);
	if (rc == 0 && w->kind == W_RECORD) { /* manager only (assess.record) */
		size_t n = 0;
		bool already = false;
		rc = kpi_results_record(as, res, clock_now_ms(), w->self, &n, &already, &w->err);
		if (rc == 0)
			w->out = json_pack("{s:s,s:s,s:I,s:b}", "period", w->period, "profile", sc.profile,
					   "recorded", (json_int_t)n, "already", already);
		json_decref(res);
		kpi_scorecard_free(&sc);
		return rc;
	}
	kpi_scorecard_free(&sc);
	if (rc < 0)
		return rc;
	json_t *all = json_object_get(res, "agents"), *kept = json_array();
	size_t i;
	json_t *ag;
	json_array_foreach(all, i, ag)
	{
		if (in_scope(w, json_string_value(json_object_get(ag, "id")),
			     json_string_value(json_object_get(ag, "team"))))
			json_array_append(kept, ag);
	}
	json_object_set_new(res, "agents", kept);
	json_object_set_new(res, "scope",
			    json_string(w->scope == SCOPE_ALL	     ? "all"
					    : w->scope == SCOPE_TEAM ? "team"
								     : "self"));
	w->out = res;
	return 0;
}

/* The agent's team in the period's agent list (for the team scope); *found false if unknown. */
static int agent_team_ok(struct assess_work *w, struct assess_store *as, bool *ok)
{
	int64_t d0, d1;
	*ok = false;
	if (kpi_period_parse(w->period, &d0, &d1) < 0)
		return KEFU_ERR(&w->err, KEFU_EINVAL, "period", "period must be YYYY-MM, YYYY-Qn or YYYY");
	struct assess_agents g = {0};
	int rc = assess_store_period(as, d0, d1, &g, &w->err);
	for (size_t i = 0; rc == 0 && i < g.n; i++)
		if (strcmp(g.v[i].id, w->agent) == 0)
			*ok = in_scope(w, g.v[i].id, g.v[i].team);
	assess_agents_free(&g);
	return rc;
}

static int run_explain(struct assess_work *w, struct assess_store *as, const struct kpi_rules *rules)
{
	bool ok = w->scope == SCOPE_ALL || (w->scope == SCOPE_SELF && strcmp(w->agent, w->self) == 0);
	int rc = 0;
	if (!ok && w->scope == SCOPE_TEAM && (rc = agent_team_ok(w, as, &ok)) < 0)
		return rc;
	if (!ok)
		return KEFU_ERR(&w->err, KEFU_EPERM, "agent",
				"this agent's assessment is outside your scope");
	json_t *sessions = NULL;
	if ((rc = kpi_explain(as, rules, w->period, w->agent, w->metric, &sessions, &w->err)) < 0)
		return rc;
	if (w->scope == SCOPE_SELF && strcmp(w->metric, "K-44") == 0) { /* peer reviewers stay anonymous */
		size_t i;
		json_t *row;
		json_array_foreach(sessions, i, row) json_object_del(row, "reviewer");
	}
	w->out = json_pack("{s:s,s:s,s:s,s:o}", "period", w->period, "agent", w->agent, "metric", w->metric,
			   "sessions", sessions);
	return 0;
}

/* D-4 by session: CSAT of the in-scope agents' rated sessions with FRT ≤ FRT_FAST_S against those
 * with FRT ≥ FRT_SLOW_S, from the same per-session values as explain (kpi_explain per agent). */
enum { FRT_FAST_S = 15, FRT_SLOW_S = 20 };

struct frt_group {
	json_int_t sessions, rated, satisfied;
};

static json_t *group_json(const struct frt_group *g)
{
	return json_pack("{s:I,s:I,s:I,s:o}", "sessions", g->sessions, "rated", g->rated, "satisfied",
			 g->satisfied, "csat",
			 g->rated ? json_real((double)g->satisfied / (double)g->rated) : json_null());
}

struct frt_ctx {
	struct assess_work *w;
	const struct kpi_rules *r;
	struct assess_agents g; /* the period's agents with their teams (team scope) */
	struct frt_group fast, slow;
};

static int frt_one(void *arg, const struct assess_session *s, const struct kpi_timing *t,
		   const struct kpi_rules *rr)
{
	struct frt_ctx *x = arg;
	if (x->w->scope == SCOPE_TEAM) {
		bool ok = false;
		for (size_t i = 0; i < x->g.n && !ok; i++) /* a team scope keeps a short list */
			ok = strcmp(x->g.v[i].id, s->agent) == 0;
		if (!ok)
			return 0;
	}
	if (!t->has_frt)
		return 0;
	double f = (double)t->frt_ms / 1000;
	struct frt_group *gr = f <= FRT_FAST_S ? &x->fast : f >= FRT_SLOW_S ? &x->slow : NULL;
	if (!gr)
		return 0;
	gr->sessions++;
	if (s->score) {
		gr->rated++;
		gr->satisfied += s->score >= rr->satisfied_min; /* the day's definitions */
	}
	return 0;
}

/* One pass over the period's sessions: every agent's for a manager, the team's agents' one by one
 * would scan the period once per agent, so the team scope filters the single pass instead. */
static int run_frt_csat(struct assess_work *w, struct assess_store *as, const struct kpi_rules *rules)
{
	int64_t d0, d1;
	if (kpi_period_parse(w->period, &d0, &d1) < 0)
		return KEFU_ERR(&w->err, KEFU_EINVAL, "period", "period must be YYYY-MM, YYYY-Qn or YYYY");
	struct frt_ctx x = {.w = w, .r = rules};
	struct assess_agents all = {0};
	int rc = assess_store_period(as, d0, d1, &all, &w->err);
	json_int_t agents = 0;
	/* keep only the agents in scope (ownership of their strings moves to x.g) */
	x.g.v = xcalloc(all.n ? all.n : 1, sizeof *x.g.v);
	for (size_t i = 0; rc == 0 && i < all.n; i++)
		if (in_scope(w, all.v[i].id, all.v[i].team)) {
			x.g.v[x.g.n++] = all.v[i];
			all.v[i] = (struct assess_agent){0};
		}
	assess_agents_free(&all);
	agents = (json_int_t)x.g.n;
	if (rc == 0 && w->scope == SCOPE_SELF)
		rc = kpi_sessions_each_r(as, rules, w->period, w->self, frt_one, &x, &w->err);
	else if (rc == 0 && (w->scope == SCOPE_ALL || x.g.n > 0))
		rc = kpi_sessions_each_r(as, rules, w->period, NULL, frt_one, &x, &w->err);
	assess_agents_free(&x.g);
	if (rc < 0)
		return rc;
	w->out = json_pack("{s:s,s:s,s:I,s:i,s:i,s:o,s:o}", "period", w->period, "scope",
			   w->scope == SCOPE_ALL	? "all"
			       : w->scope == SCOPE_TEAM ? "team"
							: "self",
			   "agents", agents, "fast_max_s", FRT_FAST_S, "slow_min_s", FRT_SLOW_S, "fast",
			   group_json(&x.fast), "slow", group_json(&x.slow));
	return 0;
}

static void work_cb(uv_work_t *uw)
{
	struct assess_work *w = uw->data;
	struct kpi_rules rules;
	kpi_rules_default(&rules);
	struct assess_store *as = NULL;
	w->rc = kpi_definitions_load(kpi_policy_dir(NULL), &w->defs, &w->err);
	if (w->rc == 0)
		w->rc = kpi_results_policy_load(kpi_policy_dir(NULL), &w->policy, &w->err);
	rules.versions = &w->defs;
	if (w->rc == 0)
		w->rc = assess_store_open(w->store, &as, &w->err);
	if (w->rc == 0)
		w->rc = w->kind == W_EXPLAIN ? run_explain(w, as, &rules)
		    : w->kind == W_FRT_CSAT  ? run_frt_csat(w, as, &rules)
					     : run_assess(w, as, &rules);
	if (as)
		assess_store_close(as);
}

static void after_cb(uv_work_t *uw, int status)
{
	struct assess_work *w = uw->data;
	in_flight--;
	if (status < 0)
		api_reply_code(w->req, -KEFU_EINTERNAL, "the assessment was cancelled", NULL);
	else if (w->rc < 0)
		api_reply_err(w->req, &w->err);
	else {
		http_reply_json(w->req, 200, w->out, NULL);
		w->out = NULL;
	}
	json_decref(w->out);
	free(w);
}

/* Checks the common query (the body for a record) and queues the work; reply comes from
 * after_cb. */
static void start(struct http_req *req, struct app *a, int kind, json_t *body)
{
	bool explain = kind == W_EXPLAIN;
	const struct principal *p = http_req_user(req);
	const char *period = body ? json_in_str(body, "period") : http_req_query(req, "period");
	const char *profile = body ? json_in_str(body, "profile") : http_req_query(req, "profile");
	const char *agent = http_req_query(req, "agent");
	const char *metric = http_req_query(req, "metric");
	int64_t d0, d1;
	if (!p)
		return api_reply_code(req, -KEFU_EAUTH, "login required", NULL);
	if (!period || strlen(period) >= 16 || kpi_period_parse(period, &d0, &d1) < 0)
		return api_reply_code(req, -KEFU_EINVAL, "period must be YYYY-MM, YYYY-Qn or YYYY", "period");
	if (!profile || !profile[0])
		profile = "default";
	if (!kpi_profile_name_ok(profile))
		return api_reply_code(req, -KEFU_EINVAL, "profile must be 1–31 letters, digits, _ or -",
				      "profile");
	if (explain && (!agent || !agent[0] || strlen(agent) >= 80))
		return api_reply_code(req, -KEFU_EINVAL, "agent is required", "agent");
	if (explain && (!metric || kpi_metric_find(metric) < 0))
		return api_reply_code(req, -KEFU_EINVAL, "metric must be a metric id such as K-01", "metric");
	if (in_flight >= ASSESS_MAX_IN_FLIGHT)
		return api_reply_code(req, -KEFU_ELIMIT, "assessments are busy; try again", NULL);
	struct assess_work *w = xcalloc(1, sizeof *w);
	w->work.data = w;
	w->req = req;
	w->store = a->store;
	w->scope = scope_of(p);
	w->kind = kind;
	snprintf(w->team, sizeof w->team, "%s", p->team);
	snprintf(w->self, sizeof w->self, "%s", p->id);
	snprintf(w->period, sizeof w->period, "%s", period);
	snprintf(w->profile, sizeof w->profile, "%s", profile);
	if (explain) {
		snprintf(w->agent, sizeof w->agent, "%s", agent);
		snprintf(w->metric, sizeof w->metric, "%s", metric);
	}
	if (uv_queue_work(a->loop, &w->work, work_cb, after_cb) < 0) {
		free(w);
		return api_reply_code(req, -KEFU_EINTERNAL, "could not start the assessment", NULL);
	}
	in_flight++;
}

void api_assess(struct http_req *req, void *app)
{
	start(req, app, W_ASSESS, NULL);
}

void api_assess_explain(struct http_req *req, void *app)
{
	start(req, app, W_EXPLAIN, NULL);
}

void api_assess_frt_csat(struct http_req *req, void *app)
{
	start(req, app, W_FRT_CSAT, NULL);
}

/* POST /api/v1/assess/record {"period","profile"?}: records the period's results once per
 * period and profile; a second call changes nothing ("already": true). */
void api_assess_record(struct http_req *req, void *app)
{
	static const struct json_in_field spec[] = {
	    {"period", JIN_STRING, true, 15},
	    {"profile", JIN_STRING, false, 31},
	};
	struct kefu_err err = {0};
	json_t *body = NULL;
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	start(req, app, W_RECORD, body); /* copies what it keeps */
	json_decref(body);
}

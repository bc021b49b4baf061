/* tickets.c — the ticket metrics (tickets.h): the rule per ticket (K-11, K-27, K-28, K-29, K-33,
 * K-34), the per-day recompute of kpi_ticket_daily that rollup.c runs with kpi_daily, the period
 * values and the --explain rows. Remote regions (N-18) come from data/policy/tickets.json, the
 * prescribed flows from the ticket rules (ticket_flow), so live tickets and the metrics agree. */
#include "kpi/tickets.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/map.h"
#include "base/mem.h"
#include "ticket/ticket.h"

enum { HOUR_MS = 3600000 };

/* ---- rules ------------------------------------------------------------------------------------ */

static int64_t first_step(const struct tkpi_ticket *t, const char *name)
{
	for (size_t i = 0; i < t->n_steps; i++)
		if (strcmp(t->steps[i].step, name) == 0)
			return t->steps[i].at_ms;
	return -1;
}

/* K-33: the flow steps recorded (in time order) are exactly the prescribed flow, each once, the
 * last no later than the resolution. */
static bool flow_followed(const struct tkpi_ticket *t)
{
	const char *const *flow = ticket_flow(t->kind);
	if (!flow)
		return false;
	size_t k = 0;
	for (size_t i = 0; i < t->n_steps; i++) {
		bool in_flow = false;
		for (size_t j = 0; flow[j]; j++)
			in_flow |= strcmp(flow[j], t->steps[i].step) == 0;
		if (!in_flow)
			continue;
		if (!flow[k] || strcmp(flow[k], t->steps[i].step) != 0 || t->steps[i].at_ms > t->resolved_ms)
			return false;
		k++;
	}
	return flow[k] == NULL;
}

void kpi_ticket_eval(const struct kpi_rules *r, const struct tkpi_ticket *t, bool remote,
		     struct kpi_ticket_eval *out)
{
	memset(out, 0, sizeof *out);
	bool resolved = t->resolved_ms >= 0;
	int64_t took = resolved ? t->resolved_ms - t->created_ms : 0;
	out->audited_ms = first_step(t, "audit");
	out->shipped_ms = first_step(t, "shipped");
	out->remote = remote;
	if (t->complex) { /* K-11: unresolved counts as not closed in time */
		out->k11 = true;
		out->k11_in = resolved && took <= r->complex_close_ms;
	}
	if (strcmp(t->kind, "return") == 0) { /* K-27: not audited yet counts as late */
		out->k27 = true;
		out->k27_in = out->audited_ms >= 0 && out->audited_ms - t->created_ms <= r->return_audit_ms;
	}
	if (strcmp(t->kind, "exchange") == 0) { /* K-28 */
		int64_t limit = remote ? r->exchange_ship_remote_ms : r->exchange_ship_ms;
		out->k28 = true;
		out->k28_in = out->shipped_ms >= 0 && out->shipped_ms - t->created_ms <= limit;
	}
	if (resolved) { /* K-29: unresolved tickets are left out */
		out->k29 = true;
		out->hours = (double)took / HOUR_MS;
	}
	if (resolved && (strcmp(t->kind, "return") == 0 || strcmp(t->kind, "complaint") == 0)) {
		out->k33 = true; /* K-33 */
		out->k33_ok = flow_followed(t);
	}
}

void kpi_ticket_add(struct tkpi_daily *d, const struct tkpi_ticket *t, const struct kpi_ticket_eval *e)
{
	d->k11_n += e->k11;
	d->k11_in += e->k11_in;
	d->k27_n += e->k27;
	d->k27_in += e->k27_in;
	d->k28_n += e->k28;
	d->k28_in += e->k28_in;
	if (e->k29) {
		d->k29_n++;
		d->k29_sum_ms += t->resolved_ms - t->created_ms;
	}
	d->k33_n += e->k33;
	d->k33_ok += e->k33_ok;
	d->k34_req += t->fields_required;
	d->k34_filled += t->fields_filled;
}

static void ratio(struct kpi_value *v, double num, int64_t den, double scale)
{
	v->n = den;
	v->null = den == 0;
	v->value = den ? num * scale / (double)den : 0;
}

void kpi_ticket_values(const struct tkpi_daily *d, struct kpi_value out[KPI_METRIC_COUNT])
{
	static const struct tkpi_daily none;
	if (!d)
		d = &none;
	ratio(&out[KPI_K11], (double)d->k11_in, d->k11_n, 1);
	ratio(&out[KPI_K27], (double)d->k27_in, d->k27_n, 1);
	ratio(&out[KPI_K28], (double)d->k28_in, d->k28_n, 1);
	ratio(&out[KPI_K29], (double)d->k29_sum_ms, d->k29_n, 1.0 / HOUR_MS);
	ratio(&out[KPI_K33], (double)d->k33_ok, d->k33_n, 1);
	/* K-34: n is the number of required fields */
	ratio(&out[KPI_K34], (double)d->k34_filled, d->k34_req, 1);
}

bool kpi_ticket_metric(int m)
{
	return m == KPI_K11 || m == KPI_K27 || m == KPI_K28 || m == KPI_K29 || m == KPI_K33 || m == KPI_K34;
}

/* ---- the ticket policy (remote regions), loaded once ------------------------------------------ */

static pthread_once_t policy_once = PTHREAD_ONCE_INIT;
static struct ticket_policy *policy;
static struct kefu_err policy_err;

static void policy_load(void)
{
	char path[1024];
	const char *p = ticket_policy_default_path(path, sizeof path);
	if (ticket_policy_load_file(p ? p : TICKET_POLICY_FILE, &policy, &policy_err) < 0)
		policy = NULL;
}

static int policy_get(const struct ticket_policy **out, struct kefu_err *err)
{
	pthread_once(&policy_once, policy_load);
	if (!policy)
		return KEFU_ERR(err, KEFU_EINVAL, "policy", "ticket policy (remote regions): %s",
				policy_err.msg);
	*out = policy;
	return 0;
}

/* ---- rollup --------------------------------------------------------------------------------- */

struct day_ctx {
	const struct kpi_rules *r;
	const struct ticket_policy *p;
	struct map agents; /* agent → struct tkpi_daily* */
};

static int day_cb(void *arg, const struct tkpi_ticket *t)
{
	struct day_ctx *c = arg;
	struct tkpi_daily *d = map_get(&c->agents, t->agent);
	if (!d) {
		d = xcalloc(1, sizeof *d);
		map_put(&c->agents, t->agent, d);
	}
	struct kpi_ticket_eval e;
	kpi_ticket_eval(c->r, t, ticket_policy_remote(c->p, t->region), &e);
	kpi_ticket_add(d, t, &e);
	return 0;
}

int kpi_tickets_day(struct assess_store *a, const struct kpi_rules *r, int64_t day, struct kefu_err *err)
{
	struct day_ctx c = {.r = r};
	int rc = policy_get(&c.p, err);
	if (rc < 0)
		return rc;
	map_init(&c.agents);
	rc = tkpi_store_day_clear(a, day, err);
	if (rc == 0)
		rc = tkpi_store_tickets(a, kpi_day_start_ms(r, day), kpi_day_start_ms(r, day + 1), NULL,
					day_cb, &c, err);
	const char *k;
	void *v;
	for (size_t it = 0; rc == 0 && map_next(&c.agents, &it, &k, &v);)
		rc = tkpi_store_day_put(a, k, day, v, err);
	for (size_t it = 0; map_next(&c.agents, &it, &k, &v);)
		free(v);
	map_free(&c.agents);
	return rc;
}

int kpi_tickets_span(struct assess_store *a, const struct kpi_rules *r, int64_t *first, int64_t *last,
		     bool *any, struct kefu_err *err)
{
	int64_t f = 0, l = -1;
	bool has = false;
	int rc = tkpi_store_clear(a, err);
	if (rc == 0)
		rc = tkpi_store_span(a, r->tz_offset_min, &f, &l, &has, err);
	if (rc < 0 || !has)
		return rc;
	if (!*any || f < *first)
		*first = f;
	if (!*any || l > *last)
		*last = l;
	*any = true;
	return 0;
}

struct period_ctx {
	const struct assess_agents *g;
	struct tkpi_daily *rows;
};

static int agent_cmp(const void *key, const void *x)
{
	return strcmp(key, ((const struct assess_agent *)x)->id);
}

static void period_cb(void *arg, const char *agent, const struct tkpi_daily *d)
{
	struct period_ctx *c = arg;
	const struct assess_agent *x = bsearch(agent, c->g->v, c->g->n, sizeof *c->g->v, agent_cmp);
	if (x) /* tickets of users who are not assessed agents are not reported */
		c->rows[x - c->g->v] = *d;
}

int kpi_tickets_period(struct assess_store *a, int64_t day_from, int64_t day_to,
		       const struct assess_agents *g, struct tkpi_daily **out, struct kefu_err *err)
{
	struct period_ctx c = {g, xcalloc(g->n ? g->n : 1, sizeof *c.rows)};
	int rc = tkpi_store_period(a, day_from, day_to, period_cb, &c, err);
	if (rc < 0) {
		free(c.rows);
		return rc;
	}
	*out = c.rows;
	return 0;
}

/* ---- explain -------------------------------------------------------------------------------- */

struct explain_ctx {
	const struct kpi_rules *r;
	const struct ticket_policy *p;
	int m;
	json_t *arr;
};

static json_t *time_or_null(const struct kpi_rules *r, int64_t ms)
{
	if (ms < 0)
		return json_null();
	char buf[40];
	clock_format_rfc3339(ms, r->tz_offset_min, buf, sizeof buf);
	return json_string(buf);
}

static int explain_cb(void *arg, const struct tkpi_ticket *t)
{
	struct explain_ctx *c = arg;
	struct kpi_ticket_eval e;
	kpi_ticket_eval(c->r, t, ticket_policy_remote(c->p, t->region), &e);
	bool counts = c->m == KPI_K11 ? e.k11
	    : c->m == KPI_K27	      ? e.k27
	    : c->m == KPI_K28	      ? e.k28
	    : c->m == KPI_K29	      ? e.k29
	    : c->m == KPI_K33	      ? e.k33
				      : true;
	if (!counts)
		return 0;
	json_t *o =
	    json_pack("{s:s,s:s,s:o,s:o}", "ticket", t->id, "kind", t->kind, "created",
		      time_or_null(c->r, t->created_ms), "resolved", time_or_null(c->r, t->resolved_ms));
	switch (c->m) {
	case KPI_K11:
		json_object_set_new(o, "within", json_boolean(e.k11_in));
		break;
	case KPI_K27:
		json_object_set_new(o, "audited", time_or_null(c->r, e.audited_ms));
		json_object_set_new(o, "within", json_boolean(e.k27_in));
		break;
	case KPI_K28:
		json_object_set_new(o, "shipped", time_or_null(c->r, e.shipped_ms));
		json_object_set_new(o, "region", t->region ? json_string(t->region) : json_null());
		json_object_set_new(o, "remote", json_boolean(e.remote));
		json_object_set_new(o, "within", json_boolean(e.k28_in));
		break;
	case KPI_K29:
		json_object_set_new(o, "hours", json_real(e.hours));
		break;
	case KPI_K33: {
		json_t *steps = json_array();
		for (size_t i = 0; i < t->n_steps; i++)
			json_array_append_new(steps, json_string(t->steps[i].step));
		json_object_set_new(o, "steps", steps);
		json_object_set_new(o, "compliant", json_boolean(e.k33_ok));
		break;
	}
	default:
		json_object_set_new(o, "fields_required", json_integer(t->fields_required));
		json_object_set_new(o, "fields_filled", json_integer(t->fields_filled));
	}
	json_array_append_new(c->arr, o);
	return 0;
}

int kpi_tickets_explain(struct assess_store *a, const struct kpi_rules *r, int64_t day_from, int64_t day_to,
			const char *agent, int m, json_t **out, struct kefu_err *err)
{
	struct explain_ctx c = {.r = r, .m = m};
	int rc = policy_get(&c.p, err);
	if (rc < 0)
		return rc;
	c.arr = json_array();
	rc = tkpi_store_tickets(a, kpi_day_start_ms(r, day_from), kpi_day_start_ms(r, day_to + 1), agent,
				explain_cb, &c, err);
	if (rc < 0) {
		json_decref(c.arr);
		return rc;
	}
	*out = c.arr;
	return 0;
}

/* people.c — the people and quality metrics (people.h): the per-day sums of kpi_people_daily from
 * people_store, the period values with their denominators (null with n 0 without data), and the
 * records behind each value. Every definition here is docs/metrics.md. It never opens a
 * transaction (the caller holds one for the rollups). */
#include "kpi/people.h"

#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "base/mem.h"
#include "kpi/definitions.h"

struct day_rows {
	struct map agents; /* agent → int64_t[PC_COUNT] */
};

static void day_cb(void *arg, const char *agent, int col, int64_t value)
{
	struct day_rows *d = arg;
	int64_t *v = map_get(&d->agents, agent);
	if (!v) {
		v = xcalloc(PC_COUNT, sizeof *v);
		map_put(&d->agents, agent, v);
	}
	v[col] += value;
}

int kpi_people_days(struct assess_store *a, const struct kpi_rules *r, const int64_t *days, size_t n,
		    struct kefu_err *err)
{
	struct people_store *ps = assess_store_people(a);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct day_rows d;
		map_init(&d.agents);
		rc = people_store_day_clear(ps, days[i], err);
		if (rc == 0) /* K-43's threshold of the definitions version in force that day */
			rc = people_store_day(ps, kpi_day_start_ms(r, days[i]),
					      kpi_day_start_ms(r, days[i] + 1),
					      kpi_rules_at(r, days[i], NULL)->satisfied_min, day_cb, &d, err);
		const char *k;
		void *v;
		for (size_t it = 0; rc == 0 && map_next(&d.agents, &it, &k, &v);)
			rc = people_store_daily_put(ps, k, days[i], v, err);
		for (size_t it = 0; map_next(&d.agents, &it, &k, &v);)
			free(v);
		map_free(&d.agents);
	}
	return rc;
}

int kpi_people_clear(struct assess_store *a, struct kefu_err *err)
{
	return people_store_clear(assess_store_people(a), err);
}

int kpi_people_span(struct assess_store *a, const struct kpi_rules *r, int64_t *first, int64_t *last,
		    bool *any, struct kefu_err *err)
{
	int64_t lo, hi;
	bool some = false;
	int rc = people_store_time_span(assess_store_people(a), &lo, &hi, &some, err);
	if (rc < 0 || !some)
		return rc;
	int64_t d0 = kpi_day(r, lo), d1 = kpi_day(r, hi);
	if (!*any || d0 < *first)
		*first = d0;
	if (!*any || d1 > *last)
		*last = d1;
	*any = true;
	return 0;
}

/* Calendar months that local days [d0, d1] touch (civil_from_days, H. Hinnant). */
static int64_t month_index(int64_t day)
{
	int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	return y * 12 + m - 1;
}

struct period_ctx {
	struct assess_agents *g;
	int64_t contrib_any, cited_any;
};

static int agent_cmp(const void *x, const void *y)
{
	return strcmp(((const struct assess_agent *)x)->id, ((const struct assess_agent *)y)->id);
}

static void period_cb(void *arg, const char *agent, const int64_t v[PC_COUNT])
{
	struct period_ctx *p = arg;
	p->contrib_any += v[PC_CONTRIB_ANY];
	p->cited_any += v[PC_CITED_ANY];
	struct assess_agent key = {.id = (char *)agent};
	struct assess_agent *x = bsearch(&key, p->g->v, p->g->n, sizeof *p->g->v, agent_cmp);
	if (x) /* a citation can credit an author who is not an assessed agent */
		memcpy(x->people.v, v, sizeof x->people.v);
}

int kpi_people_period(struct assess_store *a, int64_t day_from, int64_t day_to, struct assess_agents *g,
		      struct kefu_err *err)
{
	struct period_ctx p = {.g = g};
	bool kept = false;
	int rc = assess_store_span_kept(a, day_from, day_to, &kept, err);
	if (rc == 0)
		rc = people_store_period(assess_store_people(a), day_from, day_to, kept, period_cb, &p, err);
	int64_t months = month_index(day_to) - month_index(day_from) + 1;
	for (size_t i = 0; i < g->n; i++) {
		g->v[i].people.months = months;
		g->v[i].people.org_contrib_any = p.contrib_any;
		g->v[i].people.org_cited_any = p.cited_any;
	}
	return rc;
}

static void ratio(struct kpi_value *v, double num, int64_t den)
{
	v->n = den;
	v->null = den == 0;
	v->value = den ? num / (double)den : 0;
}

/* A count per period: null without sessions, else the count (n = sessions). */
static void count(struct kpi_value *v, int64_t c, int64_t sessions)
{
	v->n = sessions;
	v->null = sessions == 0;
	v->value = sessions ? (double)c : 0;
}

/* A count per month: null when the organisation recorded none in the period (not tracked). */
static void per_month(struct kpi_value *v, int64_t c, int64_t months, int64_t org_any)
{
	v->n = org_any ? months : 0;
	v->null = org_any == 0 || months <= 0;
	v->value = v->null ? 0 : (double)c / (double)months;
}

void kpi_people_values(const struct assess_agent *g, struct kpi_value out[KPI_METRIC_COUNT])
{
	const int64_t *p = g->people.v;
	int64_t sessions = g->sum.sessions;
	count(&out[KPI_K30], p[PC_VIOL], sessions);
	count(&out[KPI_K31], p[PC_SECURITY], sessions);
	ratio(&out[KPI_K32], (double)(sessions - p[PC_VIOL_SESSIONS]), sessions);
	ratio(&out[KPI_K35], (double)p[PC_QA_SUM], p[PC_QA_N]);
	per_month(&out[KPI_K40], p[PC_CONTRIB], g->people.months, g->people.org_contrib_any);
	per_month(&out[KPI_K41], p[PC_CITED], g->people.months, g->people.org_cited_any);
	ratio(&out[KPI_K42], (double)p[PC_EXAM_PASS], p[PC_EXAM_N]);
	ratio(&out[KPI_K43], (double)p[PC_COLLAB_SAT], p[PC_COLLAB_N]);
	ratio(&out[KPI_K44], (double)p[PC_PEER_SUM], p[PC_PEER_N]);
	ratio(&out[KPI_K44_SELF], (double)p[PC_SELF_SUM], p[PC_SELF_N]);
	ratio(&out[KPI_K52], (double)p[PC_NP_EXAM_PASS], p[PC_NP_EXAM_N]);
}

double kpi_people_deduct(int m)
{
	return m == KPI_K30 ? 10 : m == KPI_K31 ? 50 : 0;
}

bool kpi_people_metric(int m)
{
	return m == KPI_K30 || m == KPI_K31 || m == KPI_K32 || m == KPI_K35 || m == KPI_K40 || m == KPI_K41 ||
	    m == KPI_K42 || m == KPI_K43 || m == KPI_K44 || m == KPI_K44_SELF || m == KPI_K52;
}

int kpi_people_explain(struct assess_store *a, const struct kpi_rules *r, int64_t day_from, int64_t day_to,
		       const char *agent, int m, json_t **out, struct kefu_err *err)
{
	enum people_explain which;
	const char *filter = NULL;
	switch (m) {
	case KPI_K30:
		which = PE_VIOLATIONS;
		break;
	case KPI_K31:
		which = PE_VIOLATIONS;
		filter = "security"; /* only the security incidents */
		break;
	case KPI_K32:
		which = PE_VIOL_SESSIONS;
		break;
	case KPI_K35:
		which = PE_REVIEWS;
		filter = "qa";
		break;
	case KPI_K40:
		which = PE_CONTRIBS;
		filter = "accepted";
		break;
	case KPI_K41:
		which = PE_CITATIONS;
		break;
	case KPI_K42:
		which = PE_EXAMS;
		break;
	case KPI_K43:
		which = PE_COLLAB;
		break;
	case KPI_K44:
		which = PE_REVIEWS;
		filter = "peer";
		break;
	case KPI_K44_SELF:
		which = PE_REVIEWS;
		filter = "self";
		break;
	case KPI_K52:
		which = PE_EXAMS;
		filter = "new_product";
		break;
	default:
		return KEFU_ERR(err, KEFU_EINVAL, "metric", "not a people metric");
	}
	json_t *arr = json_array();
	int rc =
	    people_store_explain(assess_store_people(a), which, kpi_day_start_ms(r, day_from),
				 kpi_day_start_ms(r, day_to + 1), agent, filter, r->tz_offset_min, arr, err);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

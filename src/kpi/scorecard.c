/* scorecard.c — scorecard policy files (scorecard.h): parse and validate the weight tree,
 * score a value against its target, spread the weight of metrics without data, and grade.
 * It never reads the store and never changes a loaded card. */
#include "kpi/scorecard.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WEIGHT_EPS 1e-6

static int walk(json_t *nodes, const char *parent, double parent_w, int dim, struct kpi_scorecard *sc,
		int depth, struct kefu_err *err)
{
	if (!json_is_array(nodes) || json_array_size(nodes) == 0)
		return KEFU_ERR(err, KEFU_EINVAL, parent, "node '%s': children must be a non-empty array",
				parent);
	if (depth > 8)
		return KEFU_ERR(err, KEFU_EINVAL, parent, "node '%s': tree too deep", parent);
	double sum = 0;
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n)
	{
		const char *id = json_string_value(json_object_get(n, "id"));
		json_t *w = json_object_get(n, "weight");
		if (!id || !*id)
			return KEFU_ERR(err, KEFU_EINVAL, parent, "node '%s': a child without id", parent);
		if (!json_is_number(w) || json_number_value(w) < 0)
			return KEFU_ERR(err, KEFU_EINVAL, id, "node '%s': weight must be a number ≥ 0", id);
		double wv = json_number_value(w);
		sum += wv;
		int d = dim;
		if (depth == 0) {
			if (sc->n_dims >= 16)
				return KEFU_ERR(err, KEFU_EINVAL, id, "node '%s': too many dimensions", id);
			d = sc->n_dims++;
			snprintf(sc->dims[d], sizeof sc->dims[d], "%s", id);
		}
		json_t *kids = json_object_get(n, "children");
		if (kids) {
			int r = walk(kids, id, wv, d, sc, depth + 1, err);
			if (r < 0)
				return r;
		} else {
			if (depth == 0)
				return KEFU_ERR(err, KEFU_EINVAL, id, "node '%s': a dimension needs children",
						id);
			if (sc->n_leaves >= KPI_SC_MAX_LEAVES)
				return KEFU_ERR(err, KEFU_EINVAL, id, "node '%s': too many metrics", id);
			struct kpi_sc_leaf *l = &sc->leaves[sc->n_leaves++];
			snprintf(l->metric, sizeof l->metric, "%s", id);
			l->dimension = d;
			l->weight = wv / 100.0;
		}
	}
	/* the children of every node add up to 100% of it */
	if (fabs(sum - parent_w) > WEIGHT_EPS)
		return KEFU_ERR(err, KEFU_EINVAL, parent,
				"node '%s': children weights add up to %g%%, not %g%% (100%% of the node)",
				parent, sum, parent_w);
	return 0;
}

int kpi_scorecard_parse(const char *text, size_t len, struct kpi_scorecard *out, struct kefu_err *err)
{
	memset(out, 0, sizeof *out);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return KEFU_ERR(err, KEFU_EINVAL, "json", "line %d: %s", je.line, je.text);
	int r = 0;
	const char *profile = json_string_value(json_object_get(root, "profile"));
	snprintf(out->profile, sizeof out->profile, "%s", profile ? profile : "default");
	r = walk(json_object_get(root, "tree"), "total", 100.0, -1, out, 0, err);
	json_t *tg = json_object_get(root, "targets");
	if (r == 0 && tg)
		r = kpi_targets_parse(tg, out->targets, "scorecard", err);
	json_t *grades = json_object_get(root, "grades");
	size_t i;
	json_t *g;
	if (r == 0 && json_is_array(grades)) {
		json_array_foreach(grades, i, g)
		{
			if (out->n_grades >= KPI_SC_MAX_GRADES)
				break;
			const char *name = json_string_value(json_object_get(g, "grade"));
			json_t *min = json_object_get(g, "min");
			if (!name || !json_is_number(min)) {
				r = KEFU_ERR(err, KEFU_EINVAL, "grades", "grade %zu needs min and grade", i);
				break;
			}
			out->grades[out->n_grades].min = json_number_value(min);
			snprintf(out->grades[out->n_grades].grade, sizeof out->grades[0].grade, "%s", name);
			out->n_grades++;
		}
	}
	json_decref(root);
	return r;
}

static int load_one(const char *dir, const char *name, struct kpi_scorecard *out, json_t **posts,
		    struct kefu_err *err);

int kpi_scorecard_load(const char *dir, const char *name, struct kpi_scorecard *out, struct kefu_err *err)
{
	json_t *posts = NULL;
	int r = load_one(dir, name, out, &posts, err);
	const char *post;
	json_t *card;
	if (r == 0 && posts && !json_is_object(posts))
		r = KEFU_ERR(err, KEFU_EINVAL, "post_cards",
			     "scorecard-%s.json: post_cards must be an object", name);
	json_object_foreach(posts, post, card)
	{
		const char *cn = json_string_value(card);
		if (r < 0)
			break;
		if (!cn || !kpi_profile_name_ok(cn) || strlen(post) >= sizeof out->post_names[0]) {
			r = KEFU_ERR(err, KEFU_EINVAL, "post_cards",
				     "scorecard-%s.json: post_cards.%s must name a scorecard", name, post);
			break;
		}
		if (out->n_post_cards >= KPI_SC_MAX_POSTS) {
			r = KEFU_ERR(err, KEFU_EINVAL, "post_cards",
				     "scorecard-%s.json: more than %d post cards", name, KPI_SC_MAX_POSTS);
			break;
		}
		struct kpi_scorecard *c = calloc(1, sizeof *c);
		json_t *nested = NULL;
		if (!c) {
			r = KEFU_ERR(err, KEFU_ENOMEM, "post_cards", "out of memory");
			break;
		}
		snprintf(out->post_names[out->n_post_cards], sizeof out->post_names[0], "%s", post);
		out->post_cards[out->n_post_cards++] = c;
		r = load_one(dir, cn, c, &nested, err);
		if (r == 0 && nested)
			r = KEFU_ERR(err, KEFU_EINVAL, "post_cards",
				     "scorecard-%s.json: a post card cannot list post cards itself", cn);
		json_decref(nested);
	}
	json_decref(posts);
	return r;
}

void kpi_scorecard_free(struct kpi_scorecard *sc)
{
	for (int i = 0; i < sc->n_post_cards; i++)
		free(sc->post_cards[i]);
	sc->n_post_cards = 0;
}

const struct kpi_scorecard *kpi_scorecard_for_post(const struct kpi_scorecard *sc, const char *post)
{
	for (int i = 0; post && i < sc->n_post_cards; i++)
		if (strcmp(sc->post_names[i], post) == 0)
			return sc->post_cards[i];
	return sc;
}

void kpi_scorecard_target(const struct kpi_scorecard *sc, const struct kpi_def_version *v, int m,
			  double *target, double *floor)
{
	const struct kpi_metric_def *d = kpi_metric_def(m);
	*target = d->target;
	*floor = d->floor;
	if (v && v->targets[m].set) {
		*target = v->targets[m].target;
		*floor = v->targets[m].floor;
	}
	if (sc->targets[m].set) {
		*target = sc->targets[m].target;
		*floor = sc->targets[m].floor;
	}
}

static int load_one(const char *dir, const char *name, struct kpi_scorecard *out, json_t **posts,
		    struct kefu_err *err)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/scorecard-%s.json", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return KEFU_ERR(err, KEFU_EIO, "profile", "cannot read %s", path);
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf, fp);
	bool more = !feof(fp);
	fclose(fp);
	if (more)
		return KEFU_ERR(err, KEFU_ELIMIT, "profile", "%s: larger than %zu bytes", path, sizeof buf);
	int r = kpi_scorecard_parse(buf, n, out, err);
	if (r == 0) {
		snprintf(out->profile, sizeof out->profile, "%s", name);
		json_t *root = json_loadb(buf, n, 0, NULL);
		*posts = json_incref(json_object_get(root, "post_cards"));
		json_decref(root);
	}
	if (r < 0) {
		char msg[sizeof err->msg];
		if (err) {
			snprintf(msg, sizeof msg, "%s", err->msg);
			snprintf(err->msg, sizeof err->msg, "%.100s: %.150s", path, msg);
		}
	}
	return r;
}

double kpi_score_linear(double value, double floor, double target, bool higher_better)
{
	if (target == floor)
		return (higher_better ? value >= target : value <= target) ? 100 : 0;
	double s = (value - floor) / (target - floor) * 100; /* same formula both directions */
	(void)higher_better;
	return s < 0 ? 0 : s > 100 ? 100 : s;
}

double kpi_score_deduct(double occurrences, double points)
{
	double s = 100 - occurrences * points;
	return s < 0 ? 0 : s;
}

void kpi_scorecard_weights(const struct kpi_scorecard *sc, const struct kpi_value v[KPI_METRIC_COUNT],
			   double weight[KPI_METRIC_COUNT], int *spread)
{
	double dim_total[16] = {0}, dim_avail[16] = {0};
	int sp = 0;
	for (int m = 0; m < KPI_METRIC_COUNT; m++)
		weight[m] = 0;
	for (int i = 0; i < sc->n_leaves; i++) {
		const struct kpi_sc_leaf *l = &sc->leaves[i];
		int m = kpi_metric_find(l->metric);
		dim_total[l->dimension] += l->weight;
		if (m >= 0 && !v[m].null)
			dim_avail[l->dimension] += l->weight;
		else
			sp++;
	}
	double avail_total = 0, all = 0; /* weight of dimensions that have data */
	for (int d = 0; d < sc->n_dims; d++) {
		all += dim_total[d];
		if (dim_avail[d] > 0)
			avail_total += dim_total[d];
	}
	for (int i = 0; i < sc->n_leaves; i++) {
		const struct kpi_sc_leaf *l = &sc->leaves[i];
		int m = kpi_metric_find(l->metric);
		int d = l->dimension;
		if (m < 0 || v[m].null || dim_avail[d] <= 0)
			continue;
		/* within the dimension, then across dimensions */
		weight[m] += l->weight * (dim_total[d] / dim_avail[d]) * (all / avail_total);
	}
	if (spread)
		*spread = sp;
}

const char *kpi_scorecard_grade(const struct kpi_scorecard *sc, double score)
{
	for (int i = 0; i < sc->n_grades; i++)
		if (score >= sc->grades[i].min)
			return sc->grades[i].grade;
	return sc->n_grades ? sc->grades[sc->n_grades - 1].grade : "";
}

const char *kpi_policy_dir(const char *given)
{
	struct stat sb;
	if (given)
		return given;
	if (stat("data/policy", &sb) == 0)
		return "data/policy";
	return KEFU_SOURCE_DIR "/data/policy";
}

bool kpi_profile_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 31)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* definitions.c — versioned definitions (definitions.h, SPEC A-11): parse and validate
 * data/policy/definitions.json, and pick the version in force on a day for a team. It never reads
 * the store and never changes a loaded set. */
#include "kpi/definitions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datafile.h"

enum { DEFS_MAX_BYTES = 1 << 20, SEC_MS = 1000, HOUR_MS = 3600000, DAY_MS = 86400000 };

static int64_t civil_day(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int kpi_date_parse(const char *s, int64_t *day)
{
	int y, m, d;
	char tail;
	static const int len[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > len[m - 1])
		return -KEFU_EINVAL;
	*day = civil_day(y, m, d);
	return 0;
}

void kpi_definitions_default(struct kpi_definitions *d)
{
	memset(d, 0, sizeof *d);
	d->n = 1;
	d->v[0].version = 1;
	d->v[0].effective_day = 0;
	kpi_rules_default(&d->v[0].rules);
}

/* A non-negative number setting in seconds/hours/days → ms; absent keeps *out. */
static int num_ms(json_t *rules, const char *key, double scale, int64_t *out, int ver, struct kefu_err *err)
{
	json_t *v = json_object_get(rules, key);
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) <= 0)
		return KEFU_ERR(err, KEFU_EINVAL, key, "version %d: rules.%s must be a number > 0", ver, key);
	*out = (int64_t)(json_number_value(v) * scale);
	return 0;
}

static int hhmm(const char *s, int *min)
{
	int h, m;
	char tail;
	if (!s || strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 ||
	    m > 59 || (h == 24 && m))
		return -1;
	*min = h * 60 + m;
	return 0;
}

static int parse_rules(json_t *rules, struct kpi_rules *r, int ver, struct kefu_err *err)
{
	static const char *const known[] = {"round_cap_s",     "repeat_h",	"conversion_h",
					    "repurchase_days", "satisfied_min", "frt_target_s",
					    "counting_window"};
	const char *k;
	json_t *v;
	if (!json_is_object(rules))
		return KEFU_ERR(err, KEFU_EINVAL, "rules", "version %d: rules must be an object", ver);
	json_object_foreach(rules, k, v)
	{
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= strcmp(k, known[i]) == 0;
		if (!ok)
			return KEFU_ERR(err, KEFU_EINVAL, k, "version %d: unknown rule setting '%s'", ver, k);
	}
	int rc = num_ms(rules, "round_cap_s", SEC_MS, &r->round_cap_ms, ver, err);
	if (rc == 0)
		rc = num_ms(rules, "repeat_h", HOUR_MS, &r->repeat_ms, ver, err);
	if (rc == 0)
		rc = num_ms(rules, "conversion_h", HOUR_MS, &r->conv_ms, ver, err);
	if (rc == 0)
		rc = num_ms(rules, "repurchase_days", DAY_MS, &r->repurchase_ms, ver, err);
	if (rc < 0)
		return rc;
	if ((v = json_object_get(rules, "satisfied_min"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
			return KEFU_ERR(err, KEFU_EINVAL, "satisfied_min",
					"version %d: rules.satisfied_min must be an integer 1–5", ver);
		r->satisfied_min = (int)json_integer_value(v);
	}
	if ((v = json_object_get(rules, "frt_target_s"))) {
		static const char *const ch[] = {"web", "app", "im", "phone", "email", "form", "other"};
		int64_t *dst[] = {&r->target_ms_web,   &r->target_ms_app,   &r->target_ms_im,
				  &r->target_ms_phone, &r->target_ms_email, &r->target_ms_form,
				  &r->target_ms_other};
		if (!json_is_object(v))
			return KEFU_ERR(
			    err, KEFU_EINVAL, "frt_target_s",
			    "version %d: rules.frt_target_s must be an object of channel: seconds", ver);
		json_t *x;
		json_object_foreach(v, k, x)
		{
			int i = 0;
			while (i < 7 && strcmp(k, ch[i]) != 0)
				i++;
			if (i == 7 || !json_is_number(x) || json_number_value(x) <= 0)
				return KEFU_ERR(
				    err, KEFU_EINVAL, "frt_target_s",
				    "version %d: rules.frt_target_s.%s must be a known channel with "
				    "seconds > 0",
				    ver, k);
			*dst[i] = (int64_t)(json_number_value(x) * SEC_MS);
		}
	}
	if ((v = json_object_get(rules, "counting_window")) && !json_is_null(v)) {
		const char *s = json_string_value(v);
		char a[8] = "", b[8] = "";
		if (s && strlen(s) == 11 && s[5] == '-') {
			memcpy(a, s, 5);
			memcpy(b, s + 6, 5);
		}
		if (hhmm(a, &r->count_from_min) < 0 || hhmm(b, &r->count_to_min) < 0 ||
		    r->count_from_min == r->count_to_min)
			return KEFU_ERR(err, KEFU_EINVAL, "counting_window",
					"version %d: rules.counting_window must be \"HH:MM-HH:MM\" (e.g. "
					"\"08:00-23:00\") or null",
					ver);
		r->count_window = true;
	}
	return 0;
}

int kpi_targets_parse(json_t *obj, struct kpi_target t[KPI_METRIC_COUNT], const char *where,
		      struct kefu_err *err)
{
	const char *k;
	json_t *v;
	if (!json_is_object(obj))
		return KEFU_ERR(err, KEFU_EINVAL, "targets", "%s: targets must be an object", where);
	json_object_foreach(obj, k, v)
	{
		int m = kpi_metric_find(k);
		json_t *tg = json_object_get(v, "target"), *fl = json_object_get(v, "floor");
		if (m < 0)
			return KEFU_ERR(err, KEFU_EINVAL, k, "%s: targets: unknown metric %s", where, k);
		if (!json_is_number(tg) || !json_is_number(fl) || json_object_size(v) != 2)
			return KEFU_ERR(err, KEFU_EINVAL, k,
					"%s: targets.%s needs exactly a numeric target and floor", where, k);
		t[m].set = true;
		t[m].target = json_number_value(tg);
		t[m].floor = json_number_value(fl);
		bool higher = kpi_metric_def(m)->higher_better;
		if (higher ? t[m].floor > t[m].target : t[m].floor < t[m].target)
			return KEFU_ERR(err, KEFU_EINVAL, k,
					"%s: targets.%s: the floor must be on the %s side of the target",
					where, k, higher ? "lower" : "higher");
	}
	return 0;
}

static int parse_version(json_t *o, struct kpi_def_version *v, int idx, struct kefu_err *err)
{
	json_t *ver = json_object_get(o, "version");
	if (!json_is_object(o) || !json_is_integer(ver) || json_integer_value(ver) < 1 ||
	    json_integer_value(ver) > 1000000)
		return KEFU_ERR(err, KEFU_EINVAL, "version", "versions[%d]: needs an integer version ≥ 1",
				idx);
	v->version = (int)json_integer_value(ver);
	if (kpi_date_parse(json_string_value(json_object_get(o, "effective")), &v->effective_day) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "effective",
				"version %d: effective must be a date YYYY-MM-DD", v->version);
	kpi_rules_default(&v->rules);
	json_t *x;
	int rc = 0;
	if ((x = json_object_get(o, "rules")) && (rc = parse_rules(x, &v->rules, v->version, err)) < 0)
		return rc;
	char where[32];
	snprintf(where, sizeof where, "version %d", v->version);
	if ((x = json_object_get(o, "targets")) && (rc = kpi_targets_parse(x, v->targets, where, err)) < 0)
		return rc;
	if ((x = json_object_get(o, "trial"))) {
		const char *team = json_string_value(json_object_get(x, "team"));
		if (!team || !*team || strlen(team) >= sizeof v->trial_team)
			return KEFU_ERR(err, KEFU_EINVAL, "trial", "version %d: trial.team must be a team id",
					v->version);
		if (kpi_date_parse(json_string_value(json_object_get(x, "from")), &v->trial_day) < 0 ||
		    v->trial_day >= v->effective_day)
			return KEFU_ERR(err, KEFU_EINVAL, "trial",
					"version %d: trial.from must be a date YYYY-MM-DD before effective",
					v->version);
		v->has_trial = true;
		snprintf(v->trial_team, sizeof v->trial_team, "%s", team);
	}
	return 0;
}

int kpi_definitions_parse(const char *text, size_t len, struct kpi_definitions *d, struct kefu_err *err)
{
	memset(d, 0, sizeof *d);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return KEFU_ERR(err, KEFU_EINVAL, "json", "line %d: %s", je.line, je.text);
	json_t *vs = json_object_get(root, "versions");
	int rc = 0;
	if (!json_is_array(vs) || json_array_size(vs) == 0 || json_array_size(vs) > KPI_DEF_MAX_VERSIONS)
		rc = KEFU_ERR(err, KEFU_EINVAL, "versions", "versions must be an array of 1–%d versions",
			      KPI_DEF_MAX_VERSIONS);
	size_t i;
	json_t *o;
	json_array_foreach(vs, i, o)
	{
		if (rc < 0)
			break;
		struct kpi_def_version *v = &d->v[d->n];
		if ((rc = parse_version(o, v, (int)i, err)) < 0)
			break;
		if (d->n > 0 &&
		    (v->version <= d->v[d->n - 1].version ||
		     v->effective_day <= d->v[d->n - 1].effective_day))
			rc = KEFU_ERR(err, KEFU_EINVAL, "version",
				      "version %d: versions and effective dates must ascend", v->version);
		d->n++;
	}
	json_decref(root);
	return rc;
}

static int defs_parse(const char *text, size_t len, void *ctx, struct kefu_err *err)
{
	return kpi_definitions_parse(text, len, ctx, err);
}

int kpi_definitions_load(const char *dir, struct kpi_definitions *d, struct kefu_err *err)
{
	int rc = datafile_load_optional(dir, "definitions.json", DEFS_MAX_BYTES, "definitions", defs_parse, d,
					err);
	if (rc == 1) {
		kpi_definitions_default(d);
		return 0;
	}
	return rc;
}

const struct kpi_def_version *kpi_definitions_at(const struct kpi_definitions *d, int64_t day,
						 const char *team)
{
	const struct kpi_def_version *best = &d->v[0];
	for (int i = 0; i < d->n; i++) {
		const struct kpi_def_version *v = &d->v[i];
		bool on = v->effective_day <= day ||
		    (team && v->has_trial && v->trial_day <= day && strcmp(team, v->trial_team) == 0);
		if (on)
			best = v; /* ascending: the latest that applies */
	}
	return best;
}

const struct kpi_rules *kpi_rules_at(const struct kpi_rules *r, int64_t day, const char *team)
{
	if (!r->versions)
		return r;
	return &kpi_definitions_at(r->versions, day, team)->rules;
}

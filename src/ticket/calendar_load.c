/* calendar_load.c — parses and validates the calendar policy file of DESIGN §5.4 into an immutable
 * struct calendar: the zone (a fixed offset; see calendar.h), working periods per weekday, holidays
 * and make-up workdays. Every bad value is refused with the key that holds it; nothing is guessed.
 * Never does arithmetic (calendar.c) and never prints. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/datafile.h"
#include "base/mem.h"
#include "ticket/calendar_int.h"

#define CAL_MAX_FILE (1 << 20) /* bytes */

/* Zones kefu knows, all without daylight saving (offset in minutes). */
static const struct {
	const char *name;
	int offset_min;
} zones[] = {
    {"Asia/Shanghai", 480},
    {"Asia/Chongqing", 480},
    {"Asia/Harbin", 480},
    {"Asia/Urumqi", 360},
    {"PRC", 480},
    {"Asia/Hong_Kong", 480},
    {"Asia/Macau", 480},
    {"Asia/Taipei", 480},
    {"Asia/Singapore", 480},
    {"Asia/Tokyo", 540},
    {"Asia/Seoul", 540},
    {"Asia/Kolkata", 330},
    {"UTC", 0},
    {"Etc/UTC", 0},
    {"Z", 0},
};

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int zone_parse(const char *s, int *out)
{
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (strcmp(zones[i].name, s) == 0) {
			*out = zones[i].offset_min;
			return 0;
		}
	/* "+08:00" / "-03:30" */
	if (strlen(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' && s[4] >= '0' && s[4] <= '5' && s[5] >= '0' && s[5] <= '9') {
		int h = (s[1] - '0') * 10 + (s[2] - '0'), m = (s[4] - '0') * 10 + (s[5] - '0');
		if (h > 14)
			return -1;
		*out = (h * 60 + m) * (s[0] == '-' ? -1 : 1);
		return 0;
	}
	return -1;
}

/* "HH:MM" → minutes; "24:00" allowed only as an end. */
static int hhmm(const char *s, bool is_end, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && (m != 0 || !is_end)))
		return -1;
	*out = h * 60 + m;
	return 0;
}

static int parse_hours(json_t *arr, const char *key, struct cal_hours *out, struct kefu_err *err)
{
	char field[32];
	snprintf(field, sizeof field, "hours.%s", key);
	if (!json_is_array(arr))
		return KEFU_ERR(err, KEFU_EINVAL, field, "must be an array of \"HH:MM-HH:MM\" periods");
	if (json_array_size(arr) > CAL_MAX_PERIODS)
		return KEFU_ERR(err, KEFU_EINVAL, field, "has more than %d periods", CAL_MAX_PERIODS);
	out->n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		struct cal_period p;
		if (!s || strlen(s) != 11 || s[5] != '-' || hhmm(s, false, &p.start_min) ||
		    hhmm(s + 6, true, &p.end_min))
			return KEFU_ERR(err, KEFU_EINVAL, field,
					"period %zu is not \"HH:MM-HH:MM\" (got %.32s)", i,
					s ? s : "a non-string");
		if (p.end_min <= p.start_min)
			return KEFU_ERR(err, KEFU_EINVAL, field, "period %.11s ends before it starts", s);
		if (out->n && p.start_min < out->p[out->n - 1].end_min)
			return KEFU_ERR(
			    err, KEFU_EINVAL, field,
			    "period %.11s overlaps or precedes the one before it (list them in order)", s);
		out->p[out->n++] = p;
	}
	return 0;
}

static int parse_date(const char *s, int64_t *day)
{
	char buf[32];
	int64_t ms;
	if (!s || strlen(s) != 10)
		return -1;
	snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
	if (clock_parse_rfc3339(buf, strlen(buf), &ms) < 0)
		return -1;
	*day = ms / CAL_DAY_MS;
	return 0;
}

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int parse_dates(json_t *arr, const char *key, int64_t **out, size_t *n, struct kefu_err *err)
{
	if (!arr) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (!json_is_array(arr))
		return KEFU_ERR(err, KEFU_EINVAL, key, "must be an array of \"YYYY-MM-DD\" dates");
	size_t len = json_array_size(arr);
	if (len > CAL_MAX_DATES)
		return KEFU_ERR(err, KEFU_EINVAL, key, "has more than %d dates", CAL_MAX_DATES);
	*out = len ? xcalloc(len, sizeof **out) : NULL;
	*n = len;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (parse_date(json_string_value(v), &(*out)[i]) < 0) {
			char field[40];
			snprintf(field, sizeof field, "%s[%zu]", key, i);
			return KEFU_ERR(err, KEFU_EINVAL, field, "is not a date \"YYYY-MM-DD\" (got %.32s)",
					json_is_string(v) ? json_string_value(v) : "a non-string");
		}
	}
	if (len)
		qsort(*out, len, sizeof **out, cmp_day);
	for (i = 1; i < len; i++)
		if ((*out)[i] == (*out)[i - 1])
			return KEFU_ERR(err, KEFU_EINVAL, key, "lists a date twice");
	return 0;
}

int calendar_parse(const char *text, size_t len, const char *origin, struct calendar **out,
		   struct kefu_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return KEFU_ERR(err, KEFU_EINVAL, "json", "%.64s:%d:%d: %.120s", origin ? origin : "calendar",
				je.line, je.column, je.text);
	struct calendar *c = xcalloc(1, sizeof *c);
	int r = 0;
	if (!json_is_object(root)) {
		r = KEFU_ERR(err, KEFU_EINVAL, "json", "the calendar must be a JSON object");
		goto fail;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "timezone") && strcmp(key, "hours") && strcmp(key, "holidays") &&
		    strcmp(key, "workdays") && strcmp(key, "note") && strcmp(key, "source")) {
			r = KEFU_ERR(err, KEFU_EINVAL, "json", "unknown key '%.40s'", key);
			goto fail;
		}
	}
	const char *tz = json_string_value(json_object_get(root, "timezone"));
	if (!tz) {
		r = KEFU_ERR(err, KEFU_EINVAL, "timezone",
			     "is required, e.g. \"Asia/Shanghai\" or \"+08:00\"");
		goto fail;
	}
	if (strlen(tz) >= sizeof c->timezone || zone_parse(tz, &c->offset_min) < 0) {
		r = KEFU_ERR(
		    err, KEFU_EINVAL, "timezone",
		    "'%.40s' is not a fixed-offset zone kefu knows; write an offset such as \"+08:00\"", tz);
		goto fail;
	}
	snprintf(c->timezone, sizeof c->timezone, "%s", tz);
	json_t *hours = json_object_get(root, "hours");
	if (!json_is_object(hours)) {
		r = KEFU_ERR(err, KEFU_EINVAL, "hours", "is required: an object with keys mon … sun");
		goto fail;
	}
	json_object_foreach(hours, key, v)
	{
		int d = -1;
		for (int k = 0; k < 7; k++)
			if (strcmp(key, day_keys[k]) == 0)
				d = k;
		if (d < 0) {
			r = KEFU_ERR(err, KEFU_EINVAL, "hours", "unknown weekday '%.16s' (use mon … sun)",
				     key);
			goto fail;
		}
		if ((r = parse_hours(v, key, &c->week[d], err)) < 0)
			goto fail;
	}
	if ((r = parse_dates(json_object_get(root, "holidays"), "holidays", &c->holidays, &c->n_holidays,
			     err)) < 0 ||
	    (r = parse_dates(json_object_get(root, "workdays"), "workdays", &c->workdays, &c->n_workdays,
			     err)) < 0)
		goto fail;
	for (size_t i = 0; i < c->n_workdays; i++)
		for (size_t k = 0; k < c->n_holidays; k++)
			if (c->workdays[i] == c->holidays[k]) {
				r = KEFU_ERR(err, KEFU_EINVAL, "workdays",
					     "a date is both a holiday and a workday");
				goto fail;
			}
	json_decref(root);
	*out = c;
	return 0;
fail:
	json_decref(root);
	calendar_free(c);
	return r;
}

int calendar_load_file(const char *path, struct calendar **out, struct kefu_err *err)
{
	char *text = NULL;
	size_t n = 0;
	int r = datafile_read(path, CAL_MAX_FILE, "calendar", &text, &n, err);
	if (r == 0)
		r = calendar_parse(text, n, path, out, err);
	free(text);
	return r;
}

const char *calendar_default_path(char *out, size_t cap)
{
	return datafile_path("KEFU_CALENDAR", CAL_DEFAULT_FILE, out, cap);
}

void calendar_free(struct calendar *c)
{
	if (!c)
		return;
	free(c->holidays);
	free(c->workdays);
	free(c);
}

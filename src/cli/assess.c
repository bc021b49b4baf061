/* assess.c (cli) — `kefu assess` (DESIGN §5.3, §5.4): --period P [--profile NAME] [--format
 * json|csv|html], --explain AGENT METRIC and --rebuild (recompute every daily rollup from the
 * recorded data). It owns only the command line and the output formats; the numbers come from
 * src/kpi. Exit 0 ok, 1 bad input, 2 usage. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "kpi/assess.h"
#include "kpi/rollup.h"
#include "store/assess_store.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kefu assess --period 2026-10|2026-Q4|2026 [--profile NAME] [--format json|csv|html]\n"
		"       kefu assess --period P --explain AGENT METRIC\n"
		"       kefu assess --rebuild\n"
		"  [--db PATH] [--policy-dir DIR] (default data/policy, else the source tree's)\n"
		"  [--timing] (stderr: in-process time of the assessment and of the output)\n");
}

static void print_csv(json_t *res)
{
	printf("period,agent,team,post,score,grade,rank,metric,value,unit,target,metric_score,weight,n\n");
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		const char *k;
		json_t *m;
		json_object_foreach(json_object_get(ag, "metrics"), k, m)
		{
			json_t *v = json_object_get(m, "value"), *s = json_object_get(m, "score");
			printf("%s,%s,%s,%s,%.1f,%s,%lld,%s,",
			       json_string_value(json_object_get(res, "period")),
			       json_string_value(json_object_get(ag, "id")),
			       json_string_value(json_object_get(ag, "team")),
			       json_string_value(json_object_get(ag, "post")),
			       json_number_value(json_object_get(ag, "score")),
			       json_string_value(json_object_get(ag, "grade")),
			       (long long)json_integer_value(json_object_get(ag, "rank")), k);
			if (json_is_null(v))
				printf(",");
			else
				printf("%.6g,", json_number_value(v));
			printf("%s,%g,", json_string_value(json_object_get(m, "unit")),
			       json_number_value(json_object_get(m, "target")));
			if (json_is_null(s))
				printf(",");
			else
				printf("%.2f,", json_number_value(s));
			printf("%.6g,%lld\n", json_number_value(json_object_get(m, "weight")),
			       (long long)json_integer_value(json_object_get(m, "n")));
		}
	}
}

static void html_escape(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", stdout);
		else if (*s == '&')
			fputs("&amp;", stdout);
		else if (*s == '"')
			fputs("&quot;", stdout);
		else
			putchar(*s);
	}
}

/* A self-contained report: the ranking table with each agent's score bar (no external files). */
static void print_html(json_t *res)
{
	printf("<!doctype html><html lang=\"zh\"><meta charset=\"utf-8\"><title>kefu assessment ");
	html_escape(json_string_value(json_object_get(res, "period")));
	printf("</title><style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
	       "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.l{text-align:left}"
	       ".bar{background:#4a90d9;height:10px}</style><h1>Assessment ");
	html_escape(json_string_value(json_object_get(res, "period")));
	printf("</h1><p>profile ");
	html_escape(json_string_value(json_object_get(res, "profile")));
	printf("</p><table><tr><th>agent</th><th>team</th><th>post</th><th>rank</th><th>score</th><th></th>"
	       "<th>grade</th><th>FRT "
	       "s</th><th>CSAT</th><th>FCR</th><th>conversion</th><th>results</th></tr>\n");
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(res, "agents"), i, ag)
	{
		double score = json_number_value(json_object_get(ag, "score"));
		printf("<tr><td class=l>");
		html_escape(json_string_value(json_object_get(ag, "id")));
		printf("</td><td class=l>");
		html_escape(json_string_value(json_object_get(ag, "team")));
		printf("</td><td class=l>");
		html_escape(json_string_value(json_object_get(ag, "post")));
		printf(
		    "</td><td>%lld</td><td>%.1f</td><td><div class=bar style=\"width:%dpx\"></div></td><td>",
		    (long long)json_integer_value(json_object_get(ag, "rank")), score, (int)score);
		html_escape(json_string_value(json_object_get(ag, "grade")));
		printf("</td>");
		static const char *const ids[] = {"K-01", "K-06", "K-10", "K-13"};
		for (int k = 0; k < 4; k++) {
			json_t *v =
			    json_object_get(json_object_get(json_object_get(ag, "metrics"), ids[k]), "value");
			if (json_is_null(v))
				printf("<td>–</td>");
			else
				printf("<td>%.3g</td>", json_number_value(v));
		}
		printf("<td class=l>");
		size_t j;
		json_t *r;
		json_array_foreach(json_object_get(ag, "results"), j, r)
		{
			html_escape(json_string_value(r));
			putchar(' ');
		}
		printf("</td></tr>\n");
	}
	printf("</table></html>\n");
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int cli_assess(int argc, char **argv)
{
	const char *db = "var/kefu.db", *period = NULL, *profile = "default", *format = "json", *pdir = NULL;
	const char *explain_agent = NULL;
	bool rebuild = false, timing = false;
	static const struct option opts[] = {
	    {"db", required_argument, 0, 'd'},
	    {"period", required_argument, 0, 'p'},
	    {"profile", required_argument, 0, 'P'},
	    {"format", required_argument, 0, 'f'},
	    {"explain", required_argument, 0, 'e'},
	    {"rebuild", no_argument, 0, 'r'},
	    {"policy-dir", required_argument, 0, 'D'},
	    {"timing", no_argument, 0, 't'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			db = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'P':
			profile = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'e':
			explain_agent = optarg;
			break;
		case 'r':
			rebuild = true;
			break;
		case 'D':
			pdir = optarg;
			break;
		case 't':
			timing = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	const char *explain_metric = explain_agent && optind < argc ? argv[optind++] : NULL;
	if (optind != argc || (!rebuild && !period) || (explain_agent && !explain_metric) ||
	    (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html"))) {
		usage(stderr);
		return 2;
	}
	struct kpi_rules rules;
	kpi_rules_default(&rules);
	struct kpi_scorecard sc;
	struct kefu_err err = {0};
	if (!rebuild && !explain_agent && kpi_scorecard_load(kpi_policy_dir(pdir), profile, &sc, &err) < 0) {
		fprintf(stderr, "kefu assess: %s\n", err.msg);
		return 1;
	}
	struct store *s = cli_open_store(db);
	if (!s)
		return 1;
	struct assess_store *a = NULL;
	int status = 0;
	if (assess_store_open(s, &a, &err) < 0) {
		fprintf(stderr, "kefu assess: %s\n", err.msg);
		store_close(s);
		return 1;
	}
	json_t *res = NULL;
	if (rebuild) {
		struct timespec t0, t1;
		size_t days = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = assess_store_begin(a, &err);
		if (rc == 0)
			rc = kpi_rollup_rebuild(a, &rules, &days, &err);
		if (rc == 0)
			rc = assess_store_commit(a, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc < 0) {
			assess_store_rollback(a);
			fprintf(stderr, "kefu assess: rebuild: %s\n", err.msg);
			status = 1;
		} else {
			fprintf(stderr, "kefu assess: rebuilt the rollups of %zu days in %.2f s\n", days,
				(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		}
	}
	if (status == 0 && period) {
		struct timespec t0, t1, t2;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = explain_agent
		    ? kpi_explain(a, &rules, period, explain_agent, explain_metric, &res, &err)
		    : kpi_assess(a, &rules, &sc, period, &res, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc < 0) {
			fprintf(stderr, "kefu assess: %s\n", err.msg);
			status = 1;
		} else if (explain_agent) {
			size_t i;
			json_t *x;
			json_array_foreach(res, i, x)
			{
				json_dumpf(x, stdout, JSON_COMPACT);
				putchar('\n');
			}
		} else if (strcmp(format, "csv") == 0) {
			print_csv(res);
		} else if (strcmp(format, "html") == 0) {
			print_html(res);
		} else {
			json_dumpf(res, stdout, JSON_COMPACT | JSON_REAL_PRECISION(10));
			putchar('\n');
		}
		clock_gettime(CLOCK_MONOTONIC, &t2);
		if (timing && rc == 0)
			fprintf(stderr, "kefu assess: %s: assessment %.2f ms, output %.2f ms\n", period,
				ms_between(&t0, &t1), ms_between(&t1, &t2));
	}
	json_decref(res);
	assess_store_close(a);
	store_close(s);
	return status;
}

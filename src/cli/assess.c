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
#include "base/clock.h"
#include "cli/html_report.h"
#include "kpi/assess.h"
#include "kpi/definitions.h"
#include "kpi/results.h"
#include "kpi/rollup.h"
#include "store/assess_store.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: kefu assess --period 2026-10|2026-Q4|2026 [--profile NAME] [--format json|csv|html]\n"
	    "       kefu assess --period P [--profile NAME] --record\n"
	    "       kefu assess --period P --explain AGENT METRIC\n"
	    "       kefu assess --rebuild\n"
	    "  [--db PATH] [--policy-dir DIR] (default data/policy, else the source tree's)\n"
	    "  [--timing] (stderr: in-process time of the assessment and of the output)\n"
	    "  --record: append the period's results (A-8) as assess.result_recorded events, once per\n"
	    "            period and profile; later runs show the recorded results\n"
	    "profiles (DIR/scorecard-NAME.json):\n"
	    "  default      A-2 tree (document 003): basics 40, quality 40, extra 20\n"
	    "  ahp          A-3 (001, AHP): customer experience 40, operational efficiency 35, team growth "
	    "25\n"
	    "  posts        A-4: default tree, but presale/aftersale/complaint agents get their post's card\n"
	    "  presale, aftersale, complaint   A-4 post cards (also usable alone)\n"
	    "  promotion    A-5 大促: response efficiency 35, K-50/K-51 15 (not computed: spread), FRT "
	    "target 10 s\n"
	    "  new_product  A-5 新品: K-52 + new-product conversion (K-15, not computed) 20\n"
	    "  off_season   A-5 淡季: knowledge + collaboration 25\n"
	    "  daily        A-5 日常: resolution 40\n"
	    "definitions versions (A-11): DIR/definitions.json; results and pay (A-8, A-9): "
	    "DIR/results.json\n");
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

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int cli_assess(int argc, char **argv)
{
	const char *db = "var/kefu.db", *period = NULL, *profile = "default", *format = "json", *pdir = NULL;
	const char *explain_agent = NULL;
	bool rebuild = false, timing = false, record = false;
	static const struct option opts[] = {
	    {"db", required_argument, 0, 'd'},
	    {"period", required_argument, 0, 'p'},
	    {"profile", required_argument, 0, 'P'},
	    {"format", required_argument, 0, 'f'},
	    {"explain", required_argument, 0, 'e'},
	    {"rebuild", no_argument, 0, 'r'},
	    {"policy-dir", required_argument, 0, 'D'},
	    {"timing", no_argument, 0, 't'},
	    {"record", no_argument, 0, 'R'},
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
		case 'R':
			record = true;
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
	    (record && (explain_agent || !period)) ||
	    (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html"))) {
		usage(stderr);
		return 2;
	}
	struct kpi_rules rules;
	kpi_rules_default(&rules);
	struct kpi_scorecard sc = {0};
	struct kefu_err err = {0};
	static struct kpi_definitions defs; /* large; one per process */
	static struct kpi_results_policy pol;
	if (!kpi_profile_name_ok(profile)) {
		fprintf(stderr, "kefu assess: --profile must be 1–31 letters, digits, _ or -\n");
		return 1;
	}
	if (kpi_definitions_load(kpi_policy_dir(pdir), &defs, &err) < 0 ||
	    kpi_results_policy_load(kpi_policy_dir(pdir), &pol, &err) < 0 ||
	    (!rebuild && !explain_agent &&
	     kpi_scorecard_load(kpi_policy_dir(pdir), profile, &sc, &err) < 0)) {
		fprintf(stderr, "kefu assess: %s\n", err.msg);
		kpi_scorecard_free(&sc);
		return 1;
	}
	rules.versions = &defs;
	struct store *s = cli_open_store(db);
	if (!s) {
		kpi_scorecard_free(&sc);
		return 1;
	}
	struct assess_store *a = NULL;
	int status = 0;
	if (assess_store_open(s, &a, &err) < 0) {
		fprintf(stderr, "kefu assess: %s\n", err.msg);
		store_close(s);
		kpi_scorecard_free(&sc);
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
		    : kpi_assess_results(a, &rules, &sc, &pol, period, &res, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc < 0) {
			fprintf(stderr, "kefu assess: %s\n", err.msg);
			status = 1;
		} else if (record) {
			size_t n = 0;
			bool already = false;
			rc = kpi_results_record(a, res, clock_now_ms(), NULL, &n, &already, &err);
			if (rc < 0) {
				fprintf(stderr, "kefu assess: record: %s\n", err.msg);
				status = 1;
			} else if (already) {
				printf("{\"period\":\"%s\",\"profile\":\"%s\",\"recorded\":0,\"already\":"
				       "true}\n",
				       period, sc.profile);
			} else {
				printf("{\"period\":\"%s\",\"profile\":\"%s\",\"recorded\":%zu,\"already\":"
				       "false}\n",
				       period, sc.profile, n);
			}
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
			if (html_report(stdout, res, &err) < 0) {
				fprintf(stderr, "kefu assess: %s\n", err.msg);
				status = 1;
			}
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
	kpi_scorecard_free(&sc);
	return status;
}

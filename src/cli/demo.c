/* demo.c (cli) — `kefu demo [--agents N] [--days D] [--seed S] [--start YYYY-MM-DD] [--out FILE]`
 * (DESIGN §5.4): writes src/kpi/demo.c data to FILE, or without --out imports it into the store
 * (a demo organisation) through the same path as `kefu import`. Owns only the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "kpi/definitions.h"
#include "kpi/demo.h"
#include "guard/guard.h"
#include "kpi/import.h"
#include "kpi/scorecard.h"
#include "store/assess_store.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: kefu demo [--agents N] [--days D] [--seed S] [--start YYYY-MM-DD] [--out FILE] [--db "
	    "PATH]\n"
	    "  deterministic data in the `kefu import` format; without --out it is loaded into the store\n");
}

int cli_demo(int argc, char **argv)
{
	struct kpi_demo_opts o = {.agents = 50, .days = 31, .seed = 1, .start_day = 20454 /* 2026-01-01 */};
	const char *out = NULL, *db = "var/kefu.db";
	static const struct option opts[] = {
	    {"agents", required_argument, 0, 'a'}, {"days", required_argument, 0, 'n'},
	    {"seed", required_argument, 0, 's'},   {"start", required_argument, 0, 'S'},
	    {"out", required_argument, 0, 'o'},	   {"db", required_argument, 0, 'd'},
	    {"help", no_argument, 0, 'h'},	   {0, 0, 0, 0},
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			o.agents = atoi(optarg);
			break;
		case 'n':
			o.days = atoi(optarg);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 10);
			break;
		case 'S': {
			int y, m, d;
			if (sscanf(optarg, "%4d-%2d-%2d", &y, &m, &d) != 3) {
				usage(stderr);
				return 2;
			}
			y -= m <= 2;
			long era = (y >= 0 ? y : y - 399) / 400;
			long yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
			o.start_day = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
			break;
		}
		case 'o':
			out = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.agents < 1 || o.agents > 100000 || o.days < 1 || o.days > 3660) {
		usage(stderr);
		return 2;
	}
	char tmp[] = "/tmp/kefu-demo-XXXXXX";
	const char *path = out;
	if (!out) {
		int fd = mkstemp(tmp);
		if (fd < 0) {
			perror("kefu demo: mkstemp");
			return 1;
		}
		close(fd);
		path = tmp;
	}
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	struct kpi_demo_counts c;
	int rc = kpi_demo_write(f, &o, &c);
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "kefu demo: cannot write %s\n", path);
		return 1;
	}
	fprintf(
	    stderr,
	    "kefu demo: %lld lines, %lld sessions, %lld messages, %lld agent replies with a banned phrase\n",
	    (long long)c.lines, (long long)c.sessions, (long long)c.messages, (long long)c.violations);
	if (out)
		return 0;
	int status = 0;
	struct store *s = cli_open_store(db);
	struct assess_store *a = NULL;
	struct kefu_err err = {0};
	struct kpi_rules rules;
	struct kpi_import_stats st;
	kpi_rules_default(&rules);
	static struct kpi_definitions defs; /* the rollups follow each day's version */
	int drc = kpi_definitions_load(kpi_policy_dir(NULL), &defs, &err);
	rules.versions = &defs;
	struct guard *g = cli_import_guard(NULL); /* K-30…K-32 from the demo's agent texts */
	kpi_import_set_guard(g);
	if (drc < 0 || !g || !s || assess_store_open(s, &a, &err) < 0 ||
	    kpi_import_file(a, &rules, tmp, &st, &err) < 0) {
		if (g) /* without lexicons cli_import_guard() said why */
			fprintf(stderr, "kefu demo: %s\n", err.msg);
		status = 1;
	} else {
		printf("demo organisation loaded: %lld records (%d agents, %d days)\n", (long long)st.lines,
		       o.agents, o.days);
	}
	assess_store_close(a);
	store_close(s);
	kpi_import_set_guard(NULL);
	guard_free(g);
	unlink(tmp);
	return status;
}

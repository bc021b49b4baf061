/* import.c (cli) — `kefu import [--db PATH] FILE…` (DESIGN §5.1, §5.4): imports each file as one
 * transaction through src/kpi/import.c and prints the counts per kind; the first file with an error
 * stops the run with exit status 1 and a message naming file, line and field. It owns only the
 * command line: validation and storage live in src/kpi and src/store. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "guard/guard.h"
#include "kpi/definitions.h"
#include "kpi/import.h"
#include "kpi/scorecard.h"
#include "store/assess_store.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kefu import [--db PATH] [--lexicons DIR] FILE…\n"
		"  JSON Lines per DESIGN §5.1 (kinds: agent customer session message rating order complaint\n"
		"  presence exam kb_contribution case_citation collab_rating review); each file is one\n"
		"  transaction; a file imported before changes nothing. Agent messages are checked by the\n"
		"  compliance guard with the lexicons of DIR (default data/lexicons) for K-30…K-32.\n");
}

struct guard *cli_import_guard(const char *dir)
{
	struct stat sb;
	if (!dir)
		dir = stat(GUARD_DEFAULT_DIR, &sb) == 0 ? GUARD_DEFAULT_DIR
							: KEFU_SOURCE_DIR "/" GUARD_DEFAULT_DIR;
	struct guard *g = NULL;
	struct kefu_err err = {0};
	if (guard_load(dir, &g, &err) < 0) {
		fprintf(stderr, "kefu: lexicons %s: %s%s%s\n", dir, err.field, err.field[0] ? ": " : "",
			err.msg);
		return NULL;
	}
	return g;
}

int cli_import(int argc, char **argv)
{
	const char *db = "var/kefu.db", *lexicons = NULL;
	static const struct option opts[] = {
	    {"db", required_argument, 0, 'd'},
	    {"lexicons", required_argument, 0, 'x'},
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
		case 'x':
			lexicons = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	struct guard *g = cli_import_guard(lexicons);
	if (!g)
		return 1;
	struct store *s = cli_open_store(db);
	if (!s) {
		guard_free(g);
		return 1;
	}
	kpi_import_set_guard(g);
	struct assess_store *a = NULL;
	struct kefu_err err = {0};
	int status = 0;
	if (assess_store_open(s, &a, &err) < 0) {
		fprintf(stderr, "kefu import: %s\n", err.msg);
		store_close(s);
		return 1;
	}
	struct kpi_rules rules;
	kpi_rules_default(&rules);
	static struct kpi_definitions defs; /* refreshed rollups follow each day's version */
	if (kpi_definitions_load(kpi_policy_dir(NULL), &defs, &err) < 0) {
		fprintf(stderr, "kefu import: %s\n", err.msg);
		assess_store_close(a);
		store_close(s);
		return 1;
	}
	rules.versions = &defs;
	for (int i = optind; i < argc; i++) {
		struct kpi_import_stats st;
		if (kpi_import_file(a, &rules, argv[i], &st, &err) < 0) {
			fprintf(stderr, "kefu import: %s\n", err.msg);
			fprintf(stderr, "kefu import: %s: nothing stored\n", argv[i]);
			status = 1;
			break;
		}
		if (st.already) {
			printf("%s: already imported, nothing changed\n", argv[i]);
			continue;
		}
		if (st.rollups_stale)
			fprintf(stderr,
				"kefu import: %s: stored; the rollup refresh failed, the next kefu "
				"assess recomputes those days\n",
				argv[i]);
		printf("%s: %lld records", argv[i], (long long)st.lines);
		for (int k = 0; k < KPI_IMPORT_KINDS; k++)
			if (st.read[k])
				printf(", %s %lld (new %lld)", kpi_import_kind_name(k), (long long)st.read[k],
				       (long long)st.stored[k]);
		double t = st.parse_s + st.store_s;
		printf("\n%s: %.0f records/s (check %.2f s, store %.2f s), rollups of %zu days in %.2f s\n",
		       argv[i], t > 0 ? (double)st.lines / t : 0, st.parse_s, st.store_s, st.days,
		       st.rollup_s);
	}
	assess_store_close(a);
	store_close(s);
	kpi_import_set_guard(NULL);
	guard_free(g);
	return status;
}

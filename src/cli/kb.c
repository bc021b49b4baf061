/* kb.c — `kefu kb import FILE…`, `kefu kb search [--top K] [--format text|json] [QUERY]`
 * (DESIGN §5.4, SPEC KB-1, KB-2), `kefu kb export` (JSON Lines / Markdown) and `kefu kb report`
 * (N-25). Import: each file validated whole and stored in one transaction,
 * errors name file, line and field. Search: one query per stdin line without QUERY; JSON output
 * {"line":N,"hits":[{"id","score"}]} best first. The rules live in src/kb; this file parses options
 * and prints. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "kb/kb.h"
#include "store/kb_store.h"
#include "store/store.h"

enum { DEFAULT_TOP = 5 };

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: kefu kb import FILE… [--db PATH]\n"
	    "       kefu kb search [--top K] [--format text|json] [--kind K] [--product P] [--tag T]\n"
	    "                      [--kb-dir DIR] [--db PATH] [QUERY]\n"
	    "       kefu kb export [--format jsonl|markdown] [--out FILE] [--db PATH]\n"
	    "       kefu kb report [--week 2026-W47] [--top N] [--format text|json] [--db PATH]\n"
	    "import: articles as JSON Lines "
	    "{\"kind\":\"faq|manual|script|risk|case\",\"id\",\"title\",\"body\",\n"
	    "        \"alternatives\":[…],\"tags\":[…],\"product\"}; a file with an error stores nothing.\n"
	    "        A FILE ending in .md or .markdown is read as Markdown (docs/kb.md).\n"
	    "search: without QUERY, one query per line of stdin; --kb-dir holds synonyms.txt and\n"
	    "        triggers.tsv (default data/kb, else $KEFU_SOURCE_DIR/data/kb).\n"
	    "export: every live article, JSON Lines as import reads them (default) or one Markdown\n"
	    "        document; stdout without --out.\n"
	    "report: the week's high-frequency questions (N-25; default this week, top 20) and the\n"
	    "        sessions' categories, with the week before's counts.\n");
}

static bool is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* --kb-dir, else $KEFU_KB_DIR, else data/kb when it exists, else the source tree's. */
static const char *kb_dir(const char *given, char *fallback, size_t cap)
{
	if (given)
		return given;
	const char *env = getenv("KEFU_KB_DIR");
	if (env && *env)
		return env;
	if (is_dir(KB_DEFAULT_DIR))
		return KB_DEFAULT_DIR;
	const char *src = getenv("KEFU_SOURCE_DIR");
#ifdef KEFU_SOURCE_DIR
	if (!src || !*src)
		src = KEFU_SOURCE_DIR;
#endif
	if (!src)
		return NULL;
	snprintf(fallback, cap, "%s/%s", src, KB_DEFAULT_DIR);
	return is_dir(fallback) ? fallback : NULL;
}

static int do_import(const char *db, int nfiles, char **files)
{
	if (nfiles == 0) {
		fprintf(stderr, "kefu kb import: no FILE given\n");
		usage(stderr);
		return 2;
	}
	struct store *s = cli_open_store(db);
	if (!s)
		return 1;
	struct store_kb_writer *w = NULL;
	struct kefu_err err = {0};
	int status = 0;
	if (store_kb_writer_open(s, &w, &err) < 0) {
		fprintf(stderr, "kefu kb import: %s\n", err.msg);
		store_close(s);
		return 1;
	}
	for (int i = 0; i < nfiles; i++) {
		struct kb_import_stats st;
		kefu_err_clear(&err);
		if (kb_import_file(w, files[i], &st, &err) < 0) {
			fprintf(stderr, "kefu kb import: %s\n", err.msg);
			status = 1;
			continue;
		}
		printf("%s: %lld articles, %lld new, %lld unchanged\n", files[i], (long long)st.lines,
		       (long long)st.stored, (long long)st.same);
	}
	store_kb_writer_close(w);
	store_close(s);
	return status;
}

static void print_hits(int line, const struct kb_hit *hits, int n, bool json)
{
	if (!json) {
		for (int i = 0; i < n; i++)
			printf("%d\t%s\t%.4f%s\n", line, hits[i].id, hits[i].score,
			       hits[i].trigger ? "\ttrigger" : "");
		if (n == 0)
			printf("%d\t-\n", line);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr,
				      json_pack("{s:s,s:f}", "id", hits[i].id, "score",
						(double)(long long)(hits[i].score * 10000 + 0.5) / 10000));
	json_t *o = json_pack("{s:i,s:o}", "line", line, "hits", arr);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	puts(s);
	free(s);
	json_decref(o);
}

static int do_search(const char *db, const char *dir, int top, bool json, const struct store_kb_filter *f,
		     const char *query)
{
	struct kefu_err err = {0};
	struct kb_config *c = NULL;
	if (kb_config_load(dir, &c, &err) < 0) {
		fprintf(stderr, "kefu kb search: %s\n", err.msg);
		return 1;
	}
	struct store *s = cli_open_store(db);
	if (!s) {
		kb_config_free(c);
		return 1;
	}
	struct store_kb *k = NULL;
	int status = 0;
	if (store_kb_open(s, &k, &err) < 0) {
		fprintf(stderr, "kefu kb search: %s\n", err.msg);
		status = 1;
		goto out;
	}
	struct kb_hit hits[KB_TOP_MAX];
	int n = 0;
	if (query) {
		if (kb_search(c, k, query, strlen(query), f, top, hits, &n, &err) < 0) {
			fprintf(stderr, "kefu kb search: %s\n", err.msg);
			status = 1;
		} else {
			print_hits(1, hits, n, json);
		}
		goto out;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	for (int no = 1; (got = getline(&line, &cap, stdin)) >= 0; no++) {
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		if (kb_search(c, k, line, (size_t)got, f, top, hits, &n, &err) < 0) {
			fprintf(stderr, "kefu kb search: stdin:%d: %s\n", no, err.msg);
			status = 1;
			n = 0;
		}
		print_hits(no, hits, n, json);
	}
	free(line);
out:
	store_kb_close(k);
	store_close(s);
	kb_config_free(c);
	return status;
}

static int do_export(const char *db, const char *format, const char *out)
{
	bool md = strcmp(format, "markdown") == 0;
	struct store *s = cli_open_store(db);
	if (!s)
		return 1;
	struct store_kb *k = NULL;
	struct kefu_err err = {0};
	struct buf b;
	buf_init(&b);
	int64_t n = 0;
	int status = 0;
	if (store_kb_open(s, &k, &err) < 0 ||
	    kb_export(k, md ? KB_FORMAT_MARKDOWN : KB_FORMAT_JSONL, &b, &n, &err) < 0) {
		fprintf(stderr, "kefu kb export: %s\n", err.msg);
		status = 1;
	} else {
		FILE *f = out ? fopen(out, "wb") : stdout;
		/* stdout is flushed here so that a full disk or a closed pipe is an error, not exit 0 */
		bool ok = f && fwrite(b.data ? b.data : "", 1, b.len, f) == b.len && fflush(f) == 0;
		int e = errno;
		if (f && out && fclose(f) != 0 && ok) {
			ok = false;
			e = errno;
		}
		if (!ok) {
			fprintf(stderr, "kefu kb export: %s: cannot write: %s\n", out ? out : "stdout",
				strerror(e));
			status = 1;
		} else if (out) {
			fprintf(stderr, "%s: %lld articles\n", out, (long long)n);
		}
	}
	buf_free(&b);
	store_kb_close(k);
	store_close(s);
	return status;
}

static void print_report(json_t *r)
{
	printf("week %s (%s … %s), compared with %s\n\nquestions (bot queries and agent searches):\n",
	       json_string_value(json_object_get(r, "week")), json_string_value(json_object_get(r, "from")),
	       json_string_value(json_object_get(r, "to")),
	       json_string_value(json_object_get(r, "previous_week")));
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(r, "queries"), i, q)
	{
		const char *title = json_string_value(json_object_get(q, "title"));
		printf("%3zu. %6lld (%+lld)  %s%s%s%s\n", i + 1,
		       (long long)json_integer_value(json_object_get(q, "count")),
		       (long long)json_integer_value(json_object_get(q, "change")),
		       json_string_value(json_object_get(q, "query")), title ? "  → " : "",
		       title ? title : "", title ? "" : "  (no article)");
	}
	printf("\ncategories of sessions:\n");
	json_array_foreach(json_object_get(r, "categories"), i, q)
	{
		const char *c = json_string_value(json_object_get(q, "category"));
		printf("%3zu. %6lld (%+lld)  %s\n", i + 1,
		       (long long)json_integer_value(json_object_get(q, "count")),
		       (long long)json_integer_value(json_object_get(q, "change")), c && *c ? c : "(none)");
	}
}

static int do_report(const char *db, const char *week, int top, bool json)
{
	char now[16];
	struct kefu_err err = {0};
	if (!week) {
		kb_week_of(clock_now_ms(), now, sizeof now);
		week = now;
	} else {
		int64_t f, t;
		if (kb_week_parse(week, &f, &t, NULL, NULL, &err) < 0) {
			fprintf(stderr, "kefu kb report: --week: %s, not '%s'\n", err.msg, week);
			return 2;
		}
	}
	struct store *s = cli_open_store(db);
	if (!s)
		return 1;
	struct store_kb *k = NULL;
	json_t *r = NULL;
	int status = 0;
	if (store_kb_open(s, &k, &err) < 0 || kb_report_week(k, week, top, &r, &err) < 0) {
		fprintf(stderr, "kefu kb report: %s\n", err.msg);
		status = 1;
	} else if (json) {
		char *t = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
		puts(t);
		free(t);
	} else {
		print_report(r);
	}
	json_decref(r);
	store_kb_close(k);
	store_close(s);
	return status;
}

int cli_kb(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *verb = argv[1];
	const char *db = "var/kefu.db", *format = NULL, *dir = NULL, *out = NULL, *week = NULL;
	bool top_given = false;
	struct store_kb_filter f = {0};
	int top = DEFAULT_TOP;
	static const struct option opts[] = {
	    {"db", required_argument, 0, 'd'},
	    {"top", required_argument, 0, 't'},
	    {"format", required_argument, 0, 'f'},
	    {"kind", required_argument, 0, 'k'},
	    {"product", required_argument, 0, 'p'},
	    {"tag", required_argument, 0, 'g'},
	    {"kb-dir", required_argument, 0, 'D'},
	    {"out", required_argument, 0, 'o'},
	    {"week", required_argument, 0, 'w'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			db = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > KB_TOP_MAX) {
				fprintf(stderr, "kefu kb search: --top must be 1..%d, not '%s'\n", KB_TOP_MAX,
					optarg);
				return 2;
			}
			top = (int)v;
			top_given = true;
			break;
		}
		case 'f':
			format = optarg;
			break;
		case 'k':
			f.kind = optarg;
			break;
		case 'p':
			f.product = optarg;
			break;
		case 'g':
			f.tag = optarg;
			break;
		case 'D':
			dir = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'w':
			week = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(verb, "export") == 0) {
		if (optind < argc) {
			fprintf(stderr, "kefu kb export: unexpected argument '%s'\n", argv[optind]);
			return 2;
		}
		if (format && strcmp(format, "jsonl") != 0 && strcmp(format, "markdown") != 0) {
			fprintf(stderr, "kefu kb export: --format must be jsonl or markdown, not '%s'\n",
				format);
			return 2;
		}
		return do_export(db, format ? format : "jsonl", out);
	}
	if (!format)
		format = "text";
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "kefu kb: --format must be text or json, not '%s'\n", format);
		return 2;
	}
	if (strcmp(verb, "report") == 0) {
		if (optind < argc) {
			fprintf(stderr, "kefu kb report: unexpected argument '%s'\n", argv[optind]);
			return 2;
		}
		return do_report(db, week, top_given ? top : 20, strcmp(format, "json") == 0);
	}
	if (strcmp(verb, "import") == 0)
		return do_import(db, argc - optind, argv + optind);
	if (strcmp(verb, "search") == 0) {
		if (argc - optind > 1) {
			fprintf(stderr, "kefu kb search: one QUERY at most (quote it)\n");
			return 2;
		}
		char fallback[4096];
		return do_search(db, kb_dir(dir, fallback, sizeof fallback), top, strcmp(format, "json") == 0,
				 &f, optind < argc ? argv[optind] : NULL);
	}
	fprintf(stderr, "kefu kb: unknown command '%s'\n", verb);
	usage(stderr);
	return 2;
}

/* cli.c — `kefu scan` (DESIGN §5.4): one message per input line through the guard, results as
 * text or one JSON object per line with byte offsets into the line. This is a CLI boundary: it
 * prints to stdout/stderr and returns an exit status (0 ok, 1 bad input, 2 usage); it never exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "guard/guard.h"

static const char usage[] =
    "usage: kefu scan [--role agent|customer] [--format text|json] [--lexicons DIR] [FILE…]\n"
    "\n"
    "Checks one message per input line (stdin without FILE) against the compliance guard:\n"
    "C-01…C-06 wording rules (agent messages), C-07 personal data, C-08 fraud signals,\n"
    "C-11 emotion (customer messages).\n"
    "\n"
    "  --role agent|customer  who wrote the messages (default agent)\n"
    "  --format text|json     output; json is one object per line:\n"
    "                         {\"line\":N,\"verdict\":\"pass|warn|block\",\"hits\":[{\"rule\":\"C-01\",\n"
    "                         \"start\":B,\"end\":E,\"text\":\"…\",\"suggestion\":\"…\"}],\"masked\":\"…\",\n"
    "                         \"emotion\":{\"score\":S,\"label\":\"negative|neutral|positive\"}}\n"
    "                         (byte offsets into the line; emotion for customer messages)\n"
    "  --lexicons DIR         lexicon directory (default data/lexicons)\n"
    "  --db PATH              accepted for uniformity; scan does not use the store\n"
    "  --help                 this text\n"
    "\n"
    "Exit status: 0 every line scanned, 1 bad input (unreadable file, invalid UTF-8, bad lexicon),\n"
    "2 usage error.\n";

static void json_str(struct buf *b, const char *s, size_t n)
{
	buf_append(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		default:
			buf_printf(b, "\\u%04x", c);
		}
	}
	buf_append(b, s + run, n - run);
	buf_append(b, "\"", 1);
}

static void emit_json(struct buf *b, long lineno, const struct guard_result *r, const char *text, size_t len,
		      int customer)
{
	buf_printf(b, "{\"line\":%ld,\"verdict\":\"%s\",\"hits\":[", lineno, guard_verdict_name(r->verdict));
	for (size_t i = 0; i < r->nhits; i++) {
		const struct guard_hit *h = &r->hits[i];
		buf_printf(b, "%s{\"rule\":\"%s\",\"start\":%zu,\"end\":%zu,\"text\":", i ? "," : "", h->rule,
			   h->start, h->end);
		json_str(b, h->text, strlen(h->text));
		buf_puts(b, ",\"suggestion\":");
		json_str(b, h->suggestion, strlen(h->suggestion));
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"masked\":");
	if (r->masked)
		json_str(b, r->masked, r->masked_len);
	else
		json_str(b, text, len);
	if (customer)
		buf_printf(b, ",\"emotion\":{\"score\":%.3f,\"label\":\"%s\"}", r->emotion_score,
			   r->emotion_label);
	buf_puts(b, "}\n");
}

static void emit_text(struct buf *b, long lineno, const struct guard_result *r, const char *text, size_t len,
		      int customer)
{
	buf_printf(b, "%ld: %s", lineno, guard_verdict_name(r->verdict));
	if (customer)
		buf_printf(b, "  emotion %.3f %s", r->emotion_score, r->emotion_label);
	if (r->fraud)
		buf_puts(b, "  FRAUD");
	buf_puts(b, "\n");
	for (size_t i = 0; i < r->nhits; i++) {
		const struct guard_hit *h = &r->hits[i];
		buf_printf(b, "  %s %s [%zu,%zu) %s: %s\n    → %s\n", h->rule,
			   guard_severity_name(h->severity), h->start, h->end, h->text, h->reason,
			   h->suggestion);
	}
	if (r->masked) {
		buf_puts(b, "  masked: ");
		buf_append(b, r->masked, r->masked_len);
		buf_puts(b, "\n");
	}
	(void)text, (void)len;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Scans one stream; returns 0, or 1 when a line was bad. */
static int scan_stream(const struct guard *g, struct guard_scratch *s, FILE *f, const char *name,
		       enum guard_role role, int json)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int status = 0;
	struct buf out;
	buf_init(&out);
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		struct guard_result r;
		struct kefu_err err = {0};
		int rc = guard_scan(g, s, role, line, len, &r, &err);
		if (rc) {
			fprintf(stderr, "kefu scan: %s:%ld: %s%s%s\n", name, lineno, err.msg,
				err.field[0] ? " at " : "", err.field);
			status = 1;
			continue;
		}
		buf_reset(&out);
		if (json)
			emit_json(&out, lineno, &r, line, len, role == GUARD_ROLE_CUSTOMER);
		else
			emit_text(&out, lineno, &r, line, len, role == GUARD_ROLE_CUSTOMER);
		fwrite(out.data, 1, out.len, stdout);
		guard_result_clear(&r);
	}
	if (ferror(f)) {
		fprintf(stderr, "kefu scan: %s: read error: %s\n", name, strerror(errno));
		status = 1;
	}
	free(line);
	buf_free(&out);
	return status;
}

int guard_cli_scan(int argc, char **argv)
{
	enum guard_role role = GUARD_ROLE_AGENT;
	int json = 0;
	const char *dir = NULL;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--role") == 0 || strcmp(a, "--format") == 0 ||
			   strcmp(a, "--lexicons") == 0 || strcmp(a, "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "kefu scan: %s needs a value\n%s", a, usage);
				return 2;
			}
			const char *v = argv[++i];
			if (strcmp(a, "--role") == 0) {
				if (strcmp(v, "agent") == 0)
					role = GUARD_ROLE_AGENT;
				else if (strcmp(v, "customer") == 0)
					role = GUARD_ROLE_CUSTOMER;
				else {
					fprintf(stderr,
						"kefu scan: --role must be agent or customer, not '%s'\n", v);
					return 2;
				}
			} else if (strcmp(a, "--format") == 0) {
				if (strcmp(v, "json") == 0)
					json = 1;
				else if (strcmp(v, "text") == 0)
					json = 0;
				else {
					fprintf(stderr,
						"kefu scan: --format must be text or json, not '%s'\n", v);
					return 2;
				}
			} else if (strcmp(a, "--lexicons") == 0) {
				dir = v;
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "kefu scan: unknown option '%s'\n%s", a, usage);
			return 2;
		} else {
			break;
		}
	}
	char fallback[4096];
	if (!dir) {
		dir = getenv("KEFU_LEXICONS");
		if (!dir && !is_dir(GUARD_DEFAULT_DIR)) {
			const char *src = getenv("KEFU_SOURCE_DIR");
#ifdef KEFU_SOURCE_DIR
			if (!src)
				src = KEFU_SOURCE_DIR;
#endif
			if (src) {
				snprintf(fallback, sizeof fallback, "%s/%s", src, GUARD_DEFAULT_DIR);
				dir = fallback;
			}
		}
	}
	struct guard *g;
	struct kefu_err err = {0};
	if (guard_load(dir, &g, &err)) {
		fprintf(stderr, "kefu scan: lexicon %s: %s\n",
			err.field[0] ? err.field : (dir ? dir : GUARD_DEFAULT_DIR), err.msg);
		return 1;
	}
	struct guard_scratch *s = guard_scratch_new(g);
	int status = 0;
	if (i >= argc) {
		status |= scan_stream(g, s, stdin, "stdin", role, json);
	} else {
		for (; i < argc; i++) {
			FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "rb");
			if (!f) {
				fprintf(stderr, "kefu scan: %s: %s\n", argv[i], strerror(errno));
				status = 1;
				continue;
			}
			status |= scan_stream(g, s, f, argv[i], role, json);
			if (f != stdin)
				fclose(f);
		}
	}
	fflush(stdout);
	guard_scratch_free(s);
	guard_unref(g);
	return status;
}

/* sla.c — `kefu sla deadline --start TIME --duration 2h|90m|1bd [--calendar FILE]` (DESIGN §5.4):
 * prints the deadline in RFC 3339 at the calendar's offset, counted on the same calendar code the
 * SLA engine uses (src/ticket/calendar.c). Exit 0 on success, 1 on bad input (the message names
 * the argument or calendar key), 2 on usage errors. Never opens the store. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "ticket/calendar.h"

static const char usage_text[] =
    "usage: kefu sla deadline --start TIME --duration DURATION [--calendar FILE]\n"
    "  --start TIME         RFC 3339 with an offset, e.g. 2026-10-09T17:00:00+08:00\n"
    "  --duration DURATION  business time: 90m, 2h (business minutes) or 1bd (business days)\n"
    "  --calendar FILE      calendar JSON (default: the policy calendar, " CAL_DEFAULT_FILE ")\n"
    "Prints the deadline (RFC 3339) counted in business time.\n";

/* Year of instant ms at offset_min, for the coverage warning. */
static int year_at(int64_t ms, int offset_min)
{
	char buf[40];
	clock_format_rfc3339(ms, offset_min, buf, sizeof buf);
	int y = 0;
	for (int i = 0; i < 4; i++)
		y = y * 10 + (buf[i] - '0');
	return y;
}

static int sla_deadline(int argc, char **argv)
{
	const char *start = NULL, *duration = NULL, *calfile = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		const char **slot = strcmp(a, "--start") == 0 ? &start
		    : strcmp(a, "--duration") == 0	      ? &duration
		    : strcmp(a, "--calendar") == 0	      ? &calfile
							      : NULL;
		if (!slot) {
			fprintf(stderr, "kefu sla deadline: unknown argument '%s'\n%s", a, usage_text);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "kefu sla deadline: %s needs a value\n%s", a, usage_text);
			return 2;
		}
		if (*slot) {
			fprintf(stderr, "kefu sla deadline: %s given twice\n", a);
			return 2;
		}
		*slot = argv[++i];
	}
	if (!start || !duration) {
		fprintf(stderr, "kefu sla deadline: %s is required\n%s", !start ? "--start" : "--duration",
			usage_text);
		return 2;
	}
	int64_t t0;
	if (clock_parse_rfc3339(start, strlen(start), &t0) < 0) {
		fprintf(stderr,
			"kefu sla deadline: --start '%s' is not an RFC 3339 time with an offset "
			"(e.g. 2026-10-09T17:00:00+08:00)\n",
			start);
		return 1;
	}
	struct kefu_err err = {0};
	struct cal_duration d;
	if (calendar_duration_parse(duration, &d, &err) < 0) {
		fprintf(stderr, "kefu sla deadline: --duration: %s\n", err.msg);
		return 1;
	}
	char path[4096];
	if (!calfile)
		calfile = calendar_default_path(path, sizeof path);
	struct calendar *cal;
	if (calendar_load_file(calfile, &cal, &err) < 0) {
		fprintf(stderr, "kefu sla deadline: --calendar %s: %s%s%s\n", calfile,
			err.field[0] ? err.field : "", err.field[0] ? ": " : "", err.msg);
		return 1;
	}
	int64_t due;
	int r = calendar_deadline(cal, t0, &d, &due);
	int status = 0;
	if (r < 0) {
		fprintf(
		    stderr,
		    "kefu sla deadline: the calendar %s has no business hours within 10 years of --start\n",
		    calfile);
		status = 1;
	} else {
		int off = calendar_offset_min(cal);
		for (int y = year_at(t0, off); y <= year_at(due, off); y++)
			if (!calendar_covers_year(cal, y))
				fprintf(
				    stderr,
				    "kefu sla deadline: warning: the calendar %s lists no holidays for %d; "
				    "that year is counted without them\n",
				    calfile, y);
		char out[48];
		clock_format_rfc3339(due, off, out, sizeof out);
		printf("%s\n", out);
	}
	calendar_free(cal);
	return status;
}

int cli_sla(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "deadline") == 0)
		return sla_deadline(argc - 1, argv + 1);
	fprintf(stderr, "kefu sla: unknown verb '%s'\n%s", argv[1], usage_text);
	return 2;
}

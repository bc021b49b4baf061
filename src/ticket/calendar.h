/* calendar.h — the business calendar every kefu deadline is counted on (N-06, N-13, N-14, DESIGN
 * §5.4): a fixed UTC offset, working periods per weekday, public holidays and make-up workdays
 * (调休) as policy data, and the deadline arithmetic of `kefu sla deadline`.
 * Time zones are FIXED offsets ("Asia/Shanghai" = +08:00, no daylight saving): every zone kefu
 * ships for has none; a zone with DST is refused at load rather than computed wrongly.
 * A calendar is immutable after load (STYLE 11) and safe to share between threads. It never
 * touches the store or the clock: callers pass every instant in, as ms since the Unix epoch. */
#ifndef KEFU_TICKET_CALENDAR_H
#define KEFU_TICKET_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CAL_MAX_PERIODS 8 /* working periods per weekday */
#define CAL_MAX_DATES 4096 /* holidays + workdays per calendar file */
#define CAL_SEARCH_DAYS 3660 /* a deadline search gives up after ~10 years without business time */
#define CAL_DEFAULT_FILE "data/policy/calendar-cn-2026.json"

/* One working period of a day, local minutes from midnight, half-open [start, end). */
struct cal_period {
	int start_min; /* 0..1439 */
	int end_min; /* start_min+1..1440 */
};

/* The working hours of one day: periods sorted, never overlapping (they may touch). */
struct cal_hours {
	struct cal_period p[CAL_MAX_PERIODS];
	int n; /* 0 = closed all day */
};

struct calendar; /* opaque; see calendar.c */

/* Duration of a deadline as written in policy and on the command line: "90m", "2h", "1bd". */
enum cal_unit {
	CAL_MINUTES, /* business minutes ("m"; "h" is stored as 60 m) */
	CAL_BDAYS, /* business days ("bd"): same clock time N business days later */
	CAL_EOD, /* "eod": the end of the local calendar day (midnight), amount 1 (N-20 archive) */
};
struct cal_duration {
	enum cal_unit unit;
	int64_t amount; /* minutes for CAL_MINUTES, days for CAL_BDAYS; > 0 */
};

/* Parses the JSON calendar of DESIGN §5.4 from text (origin names it in errors, e.g. the path).
 * Unknown keys other than "note" and "source" are refused; err->field names the key and the
 * message the bad value. Returns 0 and *out (caller frees with calendar_free()) or -KEFU_EINVAL. */
int calendar_parse(const char *text, size_t len, const char *origin, struct calendar **out,
		   struct kefu_err *err);
/* Reads and parses a calendar file (at most 1 MiB). Returns 0, -KEFU_EIO or -KEFU_EINVAL. */
int calendar_load_file(const char *path, struct calendar **out, struct kefu_err *err);
/* Path of the shipped policy calendar: $KEFU_CALENDAR, else CAL_DEFAULT_FILE when it exists in the
 * working directory, else the same file under $KEFU_SOURCE_DIR (or the build's source dir).
 * Writes into out (cap bytes) and returns out. */
const char *calendar_default_path(char *out, size_t cap);
void calendar_free(struct calendar *c);

/* The calendar's fixed UTC offset in minutes (+480 for Asia/Shanghai) and its zone name
 * (borrowed, valid until calendar_free). */
int calendar_offset_min(const struct calendar *c);
const char *calendar_timezone(const struct calendar *c);
/* True when the calendar lists at least one holiday or workday in that year, i.e. its holidays
 * for the year are known (a deadline in another year silently counts holidays as workdays). */
bool calendar_covers_year(const struct calendar *c, int year);

/* Working hours of the local day that contains t: a holiday is closed, a make-up workday uses its
 * weekday's hours or, when that weekday has none, Monday's. Borrowed from c. */
const struct cal_hours *calendar_hours_at(const struct calendar *c, int64_t t);

/* The first instant >= t inside a working period (a period's end is outside it).
 * Returns 0 and *out, or -KEFU_ELIMIT when no working time exists within CAL_SEARCH_DAYS. */
int calendar_next_open(const struct calendar *c, int64_t t, int64_t *out);

/* t moved into business time, then dur_ms of business time counted from there; a result that
 * falls exactly on the end of a period stays there. Returns 0 or -KEFU_ELIMIT. */
int calendar_add_business(const struct calendar *c, int64_t t, int64_t dur_ms, int64_t *out);

/* t moved into business time, then the same local clock time n business days later (a business
 * day has at least one period), moved forward into business time unless it lies exactly on the
 * end of a period. Returns 0 or -KEFU_ELIMIT. */
int calendar_add_bdays(const struct calendar *c, int64_t t, int64_t n, int64_t *out);

/* DESIGN §5.4: the deadline for start + d. Returns 0 or -KEFU_ELIMIT. */
int calendar_deadline(const struct calendar *c, int64_t start, const struct cal_duration *d, int64_t *out);

/* The end of the local calendar day that contains t: the next local midnight. */
int64_t calendar_end_of_day(const struct calendar *c, int64_t t);

/* Business time (ms) inside [a, b); 0 when b <= a. Used to pause a running deadline. */
int64_t calendar_business_between(const struct calendar *c, int64_t a, int64_t b);

/* Parses "90m", "2h", "1bd" (a positive integer and a unit, nothing else; at most 10 years), or
 * "eod" (the end of the local day).
 * Returns 0 or -KEFU_EINVAL with a message saying what is wrong. */
int calendar_duration_parse(const char *s, struct cal_duration *out, struct kefu_err *err);

#endif

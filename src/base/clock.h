/* clock.h — time for the whole program through one interface, so tests can inject a simulated
 * clock, plus RFC 3339 formatting and parsing. Times are int64 milliseconds since the Unix epoch. */
#ifndef KEFU_BASE_CLOCK_H
#define KEFU_BASE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kefu_clock {
	int64_t (*now_ms)(void *ctx); /* wall-clock ms since epoch */
	void *ctx;
};

/* The process-wide clock; defaults to the system clock. */
int64_t clock_now_ms(void);
/* Replaces the process-wide clock (tests). Not thread-safe: call before starting threads.
 * NULL restores the system clock. Borrowed: c must outlive its use. */
void clock_set(const struct kefu_clock *c);

/* Test clock of `kefu serve --test-clock` (integration and browser tests of deadlines): the
 * process clock becomes the system clock plus an offset; clock_test_advance() moves it forward by
 * ms (> 0) and returns the new now. Call clock_use_test_offset() before starting threads; the
 * offset itself is atomic. Never on in production (the flag is off by default). */
void clock_use_test_offset(void);
bool clock_test_offset_on(void);
int64_t clock_test_advance(int64_t ms);

/* Writes "2026-10-01T09:00:05.123+08:00" (ms only when non-zero) for ms at the given UTC offset
 * in minutes. out must hold at least 32 bytes. Returns length. */
size_t clock_format_rfc3339(int64_t ms, int offset_min, char *out, size_t cap);
/* Parses RFC 3339 with a mandatory offset (Z or ±hh:mm), optional fraction. Returns 0 or
 * -KEFU_EINVAL. */
int clock_parse_rfc3339(const char *s, size_t len, int64_t *out_ms);
/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12, d 1..31; negative before
 * 1970). */
int64_t clock_days_from_civil(int64_t y, int m, int d);

#endif

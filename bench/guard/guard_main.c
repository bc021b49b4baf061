/* guard_main.c — benchmark of the compliance guard on one core: messages/s and per-message
 * latency (p50/p99) of guard_scan over a corpus (one message per line), and the same corpus
 * through a PCRE2-JIT loop over the same patterns (the naive baseline). bench/guard/run.sh adds
 * `grep -F -f` and prints the ratios. Reads its inputs; writes only to stdout.
 *   bench_guard --lexicons DIR --corpus FILE [--patterns FILE] [--rounds N] [--label NAME]
 * --patterns: one literal per line for the PCRE2 loop (skipped when absent). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "guard/guard.h"

struct corpus {
	char **msg;
	size_t *len;
	size_t n, cap;
	size_t bytes;
};

static int load_lines(const char *path, struct corpus *c)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0 || !utf8_valid(line, (size_t)n, NULL))
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->msg = realloc(c->msg, c->cap * sizeof *c->msg);
			c->len = realloc(c->len, c->cap * sizeof *c->len);
		}
		c->msg[c->n] = strndup(line, (size_t)n);
		c->len[c->n] = (size_t)n;
		c->bytes += (size_t)n;
		c->n++;
	}
	free(line);
	fclose(f);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *label, const char *engine, size_t msgs, size_t bytes, uint64_t ns,
		   uint32_t *lat, size_t nlat, size_t hits)
{
	double s = (double)ns / 1e9;
	printf("%-10s %-8s msgs=%zu  msgs/s=%.0f  MB/s=%.1f", label, engine, msgs, (double)msgs / s,
	       (double)bytes / s / 1e6);
	if (lat && nlat) {
		qsort(lat, nlat, sizeof *lat, cmp_u32);
		printf("  p50=%uns  p99=%uns", lat[nlat / 2], lat[(size_t)((double)nlat * 0.99)]);
	}
	printf("  hit_msgs=%zu\n", hits);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *corpus_path = NULL, *pat_path = NULL, *label = "shipped";
	int rounds = 3;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--lexicons") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--corpus") == 0)
			corpus_path = argv[i + 1];
		else if (strcmp(argv[i], "--patterns") == 0)
			pat_path = argv[i + 1];
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--label") == 0)
			label = argv[i + 1];
	}
	if (!dir || !corpus_path) {
		fprintf(stderr,
			"usage: bench_guard --lexicons DIR --corpus FILE [--patterns FILE] [--rounds N] "
			"[--label NAME]\n");
		return 2;
	}
	struct corpus c = {0};
	if (load_lines(corpus_path, &c) || c.n == 0)
		return 1;
	uint64_t t0 = now_ns();
	struct guard *g;
	struct kefu_err err = {0};
	if (guard_load(dir, &g, &err)) {
		fprintf(stderr, "bench_guard: %s: %s\n", err.field, err.msg);
		return 1;
	}
	printf("%-10s load+compile %.2f s, %zu entries\n", label, (double)(now_ns() - t0) / 1e9,
	       guard_entry_count(g));
	struct guard_scratch *s = guard_scratch_new(g);
	struct guard_result r;

	/* warm-up, then rounds over the corpus; throughput without per-call clocks, latency with */
	for (size_t i = 0; i < c.n && i < 10000; i++) {
		guard_scan(g, s, GUARD_ROLE_AGENT, c.msg[i], c.len[i], &r, NULL);
		guard_result_clear(&r);
	}
	size_t hits = 0;
	uint64_t best = UINT64_MAX;
	for (int k = 0; k < rounds; k++) {
		size_t h = 0;
		uint64_t a = now_ns();
		for (size_t i = 0; i < c.n; i++) {
			guard_scan(g, s, GUARD_ROLE_AGENT, c.msg[i], c.len[i], &r, NULL);
			h += r.nhits > 0;
			guard_result_clear(&r);
		}
		uint64_t d = now_ns() - a;
		if (d < best)
			best = d;
		hits = h;
	}
	uint32_t *lat = malloc(c.n * sizeof *lat);
	for (size_t i = 0; i < c.n; i++) {
		uint64_t a = now_ns();
		guard_scan(g, s, GUARD_ROLE_AGENT, c.msg[i], c.len[i], &r, NULL);
		guard_result_clear(&r);
		uint64_t d = now_ns() - a;
		lat[i] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	}
	report(label, "guard", c.n, c.bytes, best, lat, c.n, hits);

	/* customer role adds the emotion pass */
	best = UINT64_MAX;
	for (int k = 0; k < rounds; k++) {
		uint64_t a = now_ns();
		for (size_t i = 0; i < c.n; i++) {
			guard_scan(g, s, GUARD_ROLE_CUSTOMER, c.msg[i], c.len[i], &r, NULL);
			guard_result_clear(&r);
		}
		uint64_t d = now_ns() - a;
		if (d < best)
			best = d;
	}
	report(label, "guard-cu", c.n, c.bytes, best, NULL, 0, 0);

	if (pat_path) {
		/* PCRE2 JIT: every pattern tried on every message, the loop the guard replaces */
		struct corpus p = {0};
		if (load_lines(pat_path, &p) == 0 && p.n) {
			pcre2_code **re = calloc(p.n, sizeof *re);
			size_t nre = 0;
			for (size_t i = 0; i < p.n; i++) {
				int ec;
				PCRE2_SIZE eo;
				re[nre] = pcre2_compile((PCRE2_SPTR)p.msg[i], p.len[i],
							PCRE2_LITERAL | PCRE2_UTF, &ec, &eo, NULL);
				if (re[nre]) {
					pcre2_jit_compile(re[nre], PCRE2_JIT_COMPLETE);
					nre++;
				}
			}
			pcre2_match_data *md = pcre2_match_data_create(1, NULL);
			/* the stress list makes this slow: time a sample and extrapolate */
			size_t sample = c.n;
			if (nre > 1000 && sample > 2000)
				sample = 2000;
			size_t h = 0;
			uint64_t a = now_ns();
			for (size_t i = 0; i < sample; i++) {
				int hit = 0;
				for (size_t k = 0; k < nre; k++)
					if (pcre2_match(re[k], (PCRE2_SPTR)c.msg[i], c.len[i], 0,
							PCRE2_NO_UTF_CHECK, md, NULL) >= 0)
						hit = 1;
				h += hit;
			}
			uint64_t d = now_ns() - a;
			size_t sb = 0;
			for (size_t i = 0; i < sample; i++)
				sb += c.len[i];
			report(label, "pcre2", sample, sb, d, NULL, 0, h);
			pcre2_match_data_free(md);
			for (size_t i = 0; i < nre; i++)
				pcre2_code_free(re[i]);
			free(re);
		}
		for (size_t i = 0; i < p.n; i++)
			free(p.msg[i]);
		free(p.msg);
		free(p.len);
	}
	free(lat);
	guard_scratch_free(s);
	guard_unref(g);
	for (size_t i = 0; i < c.n; i++)
		free(c.msg[i]);
	free(c.msg);
	free(c.len);
	return 0;
}

/* kb_main.c — knowledge-base search benchmark (issue 7, KB-2): 100,000 generated articles
 * (deterministic: a fixed-seed generator over the embedded dictionary, word choice skewed like
 * natural text), imported through kefu kb import's code path, then N queries (1- and 2-character
 * words, words from titles, mixed phrases) through kb_search top 5 — queries/s and p50/p99 latency —
 * and, in the same run, the same queries through FTS5's built-in trigram tokenizer over the same
 * texts (OR of the query's trigrams, bm25 top 5), with how many queries each answers at all.
 * Usage: bench_kb [ARTICLES] [QUERIES] */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "kb/kb.h"
#include "kb/tokenizer.h"
#include "store/kb_store.h"
#include "store/store.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull; /* fixed seed: the same articles every run */

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const char **words; /* the dictionary split into words */
static int nwords;

/* A word index skewed towards the front (a few common words, a long tail). */
static const char *word(void)
{
	double u = (double)(next_rand() % 1000000) / 1000000.0;
	return words[(int)(u * u * u * nwords) % nwords];
}

/* A 1- or 2-character piece of a word (short queries). */
static void piece(char *out, size_t cap, int chars)
{
	const char *w = word();
	size_t n = 0;
	for (int c = 0; c < chars && w[n]; c++) {
		n++;
		while (((unsigned char)w[n] & 0xC0) == 0x80)
			n++;
	}
	snprintf(out, cap, "%.*s", (int)n, w);
}

static void phrase(struct buf *b, int n)
{
	for (int i = 0; i < n; i++)
		buf_puts(b, word());
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, double *lat, int n, int answered, double total)
{
	qsort(lat, (size_t)n, sizeof *lat, cmp_double);
	printf("%-28s %8.0f queries/s   p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms   answered %d/%d\n", name,
	       n / total, lat[n / 2] * 1e3, lat[(int)(n * 0.99)] * 1e3, lat[n - 1] * 1e3, answered, n);
}

static int trigram_match(const char *q, struct buf *out)
{
	buf_reset(out);
	size_t st[512];
	int nc = 0, n = 0;
	for (size_t i = 0; q[i] && nc < 511; i++)
		if (((unsigned char)q[i] & 0xC0) != 0x80)
			st[nc++] = i;
	st[nc] = strlen(q);
	for (int i = 0; i + 3 <= nc; i++)
		buf_printf(out, "%s\"%.*s\"", n++ ? " OR " : "", (int)(st[i + 3] - st[i]), q + st[i]);
	buf_puts(out, "");
	return n;
}

int main(int argc, char **argv)
{
	int narticles = argc > 1 ? atoi(argv[1]) : 100000;
	int nqueries = argc > 2 ? atoi(argv[2]) : 2000;
	char *dict = xstrdup(kb__words_embedded);
	for (char *save = NULL, *t = strtok_r(dict, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		words = xrealloc(words, sizeof *words * (size_t)(nwords + 1));
		words[nwords++] = t;
	}
	static const char *const kinds[] = {"faq", "manual", "script", "risk", "case"};
	struct buf jl, t;
	buf_init(&jl);
	buf_init(&t);
	char **texts =
	    xcalloc((size_t)narticles, sizeof *texts); /* title + alternatives + body, for trigram */
	for (int i = 0; i < narticles; i++) {
		struct buf title, alt, body;
		buf_init(&title);
		buf_init(&alt);
		buf_init(&body);
		phrase(&title, 2 + (int)(next_rand() % 3));
		phrase(&alt, 2 + (int)(next_rand() % 2));
		for (int s = 0, ns = 2 + (int)(next_rand() % 3); s < ns; s++) {
			phrase(&body, 3 + (int)(next_rand() % 4));
			buf_puts(&body, "，");
		}
		buf_printf(&jl,
			   "{\"kind\":\"%s\",\"id\":\"a%06d\",\"title\":\"%s\",\"body\":\"%s\","
			   "\"alternatives\":[\"%s\"],"
			   "\"tags\":[\"t%d\"],\"product\":\"p%d\"}\n",
			   kinds[i % 5], i, title.data, body.data, alt.data, (int)(next_rand() % 50),
			   (int)(next_rand() % 200));
		buf_reset(&t);
		buf_printf(&t, "%s\n%s\n%s", title.data, alt.data, body.data);
		texts[i] = xstrdup(t.data);
		buf_free(&title);
		buf_free(&alt);
		buf_free(&body);
	}
	char **queries = xcalloc((size_t)nqueries, sizeof *queries);
	for (int i = 0; i < nqueries; i++) {
		char p[32];
		buf_reset(&t);
		switch (i % 4) {
		case 0: /* one character */
			piece(p, sizeof p, 1);
			buf_puts(&t, p);
			break;
		case 1: /* two characters */
			piece(p, sizeof p, 2);
			buf_puts(&t, p);
			break;
		case 2: /* two words, as a customer would type them */
			phrase(&t, 2);
			break;
		default: /* a sentence of four words with punctuation */
			phrase(&t, 2);
			buf_puts(&t, "，");
			phrase(&t, 2);
			buf_puts(&t, "？");
		}
		queries[i] = xstrdup(t.data);
	}

	char dir[] = "/tmp/kefu-kb-bench-XXXXXX", path[256];
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/kefu.db", dir);
	struct store *s = NULL;
	struct store_kb_writer *w = NULL;
	struct store_kb *k = NULL;
	struct kb_config *c = NULL;
	struct kefu_err err = {0};
	if (store_open(path, NULL, &s, &err) < 0 || store_kb_writer_open(s, &w, &err) < 0 ||
	    kb_config_load(NULL, &c, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 1;
	}
	struct kb_import_stats st;
	double t0 = now_s();
	if (kb_import_buffer(w, "bench.jsonl", jl.data, jl.len, &st, &err) < 0) {
		fprintf(stderr, "import: %s\n", err.msg);
		return 1;
	}
	printf("kefu: %d articles imported (events + projection + kb_fts) in %.1f s\n", narticles,
	       now_s() - t0);
	if (store_kb_open(s, &k, &err) < 0)
		return 1;
	double *lat = xcalloc((size_t)nqueries, sizeof *lat);
	struct kb_hit hits[5];
	for (int i = 0; i < nqueries / 10; i++) { /* warm the page cache */
		int n;
		kb_search(c, k, queries[i], strlen(queries[i]), NULL, 5, hits, &n, &err);
	}
	int answered = 0;
	t0 = now_s();
	for (int i = 0; i < nqueries; i++) {
		int n = 0;
		double q0 = now_s();
		kb_search(c, k, queries[i], strlen(queries[i]), NULL, 5, hits, &n, &err);
		lat[i] = now_s() - q0;
		answered += n > 0;
	}
	double total = now_s() - t0;
	/* per query shape (i % 4), before report() sorts lat */
	static const char *const shapes[] = {"  1 character", "  2 characters", "  two words", "  sentence"};
	for (int sh = 0; sh < 4; sh++) {
		int m = 0;
		double *part = xcalloc((size_t)nqueries / 4 + 1, sizeof *part);
		for (int i = sh; i < nqueries; i += 4)
			part[m++] = lat[i];
		double sum = 0;
		for (int i = 0; i < m; i++)
			sum += part[i];
		if (m > 0)
			report(shapes[sh], part, m, m, sum);
		free(part);
	}
	report("kefu kb_search top 5", lat, nqueries, answered, total);

	/* baseline: FTS5 trigram over the same texts, same queries */
	sqlite3 *db;
	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(body, tokenize='trigram')", NULL, NULL, NULL);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *ins, *q;
	sqlite3_prepare_v2(db, "INSERT INTO f(rowid, body) VALUES (?1, ?2)", -1, &ins, NULL);
	t0 = now_s();
	for (int i = 0; i < narticles; i++) {
		sqlite3_bind_int(ins, 1, i + 1);
		sqlite3_bind_text(ins, 2, texts[i], -1, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	printf("trigram: %d articles indexed in %.1f s (in memory)\n", narticles, now_s() - t0);
	sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1 ORDER BY bm25(f) LIMIT 5", -1, &q, NULL);
	struct buf m;
	buf_init(&m);
	answered = 0;
	t0 = now_s();
	for (int i = 0; i < nqueries; i++) {
		double q0 = now_s();
		int n = 0;
		if (trigram_match(queries[i], &m) > 0) {
			sqlite3_bind_text(q, 1, m.data, -1, SQLITE_STATIC);
			while (sqlite3_step(q) == SQLITE_ROW)
				n++;
			sqlite3_reset(q);
		}
		lat[i] = now_s() - q0;
		answered += n > 0;
	}
	report("FTS5 trigram top 5", lat, nqueries, answered, now_s() - t0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	buf_free(&m);

	store_kb_close(k);
	store_kb_writer_close(w);
	store_close(s);
	kb_config_free(c);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	for (int i = 0; i < narticles; i++)
		free(texts[i]);
	free(texts);
	for (int i = 0; i < nqueries; i++)
		free(queries[i]);
	free(queries);
	free(lat);
	free(words);
	free(dict);
	buf_free(&jl);
	buf_free(&t);
	return 0;
}

/* kb_eval_main.c — measures kefu's knowledge-base search on the ATEC question pairs (issue 7,
 * KB-2) against plain FTS5 BM25 baselines in the same run. Method (docs/kb.md): every distinct
 * text_a of a positive pair becomes one FAQ article (its title); every positive pair's text_b is a
 * query whose right answer is that article; we count how often it is the first hit and in the top 5.
 * Baselines index the same titles in an in-memory SQLite with FTS5's trigram and unicode61
 * tokenizers and rank by bm25() over the OR of the query's tokens. The data is research-only: it is
 * read from ../shared/data/atec where it lies and never copied. Usage: bench_kb_eval ATEC_CSV [KB_DIR] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/map.h"
#include "base/mem.h"
#include "kb/kb.h"
#include "store/kb_store.h"
#include "store/store.h"

struct pair {
	int faq; /* index of text_a among the FAQ titles */
	char *query; /* text_b */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void json_str(struct buf *b, const char *s)
{
	json_t *v = json_string(s);
	char *d = json_dumps(v, JSON_ENCODE_ANY);
	buf_puts(b, d);
	free(d);
	json_decref(v);
}

/* Appends the OR of quoted tokens: trigrams of characters (trigram) or runs split at ASCII
 * punctuation/space and CJK punctuation (unicode61 treats a CJK run as one token). */
static int baseline_query(const char *q, bool trigram, struct buf *out)
{
	buf_reset(out);
	int n = 0;
	if (trigram) {
		size_t starts[1024];
		int nc = 0;
		for (size_t i = 0; q[i] && nc < 1023; i++)
			if (((unsigned char)q[i] & 0xC0) != 0x80)
				starts[nc++] = i;
		starts[nc] = strlen(q);
		for (int i = 0; i + 3 <= nc; i++) {
			char t[64];
			size_t len = starts[i + 3] - starts[i];
			if (len >= sizeof t || memchr(q + starts[i], '"', len))
				continue;
			memcpy(t, q + starts[i], len);
			t[len] = '\0';
			buf_printf(out, "%s\"%s\"", n++ ? " OR " : "", t);
		}
		buf_puts(out, "");
		return n;
	}
	/* unicode61: separators are ASCII non-alnum and the common CJK punctuation */
	char *copy = xstrdup(q);
	static const char *const punct[] = {"，", "。", "？", "！", "、", "：", "；", "“", "”", "（", "）"};
	for (size_t p = 0; p < sizeof punct / sizeof punct[0]; p++)
		for (char *h; (h = strstr(copy, punct[p]));)
			memset(h, ' ', strlen(punct[p]));
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c < 0x80 &&
		    !((*c >= '0' && *c <= '9') || ((*c | 32) >= 'a' && (*c | 32) <= 'z')))
			*c = ' ';
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		buf_printf(out, "%s\"%s\"", n++ ? " OR " : "", t);
	buf_puts(out, "");
	free(copy);
	return n;
}

struct result {
	int top1, top5, n;
	double secs;
};

static void baseline(const char *tokenizer, char **titles, int nt, struct pair *pairs, int np,
		     struct result *res)
{
	sqlite3 *db;
	sqlite3_open(":memory:", &db);
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE f USING fts5(title, tokenize='%s')", tokenizer);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *ins, *q;
	sqlite3_prepare_v2(db, "INSERT INTO f(rowid, title) VALUES (?1, ?2)", -1, &ins, NULL);
	for (int i = 0; i < nt; i++) {
		sqlite3_bind_int(ins, 1, i + 1);
		sqlite3_bind_text(ins, 2, titles[i], -1, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1 ORDER BY bm25(f) LIMIT 5", -1, &q, NULL);
	struct buf m;
	buf_init(&m);
	memset(res, 0, sizeof *res);
	double t0 = now_s();
	bool tri = strcmp(tokenizer, "trigram") == 0;
	for (int i = 0; i < np; i++) {
		res->n++;
		if (baseline_query(pairs[i].query, tri, &m) == 0)
			continue;
		sqlite3_bind_text(q, 1, m.data, -1, SQLITE_STATIC);
		for (int rank = 0; sqlite3_step(q) == SQLITE_ROW; rank++) {
			if (sqlite3_column_int(q, 0) == pairs[i].faq + 1) {
				res->top1 += rank == 0;
				res->top5++;
			}
		}
		sqlite3_reset(q);
	}
	res->secs = now_s() - t0;
	buf_free(&m);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void print_result(const char *name, const struct result *r)
{
	printf("%-34s top1 %5d/%d = %.3f   top5 %5d/%d = %.3f   %.0f queries/s\n", name, r->top1, r->n,
	       (double)r->top1 / r->n, r->top5, r->n, (double)r->top5 / r->n, r->n / r->secs);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s ATEC_CSV [KB_DIR]\n", argv[0]);
		return 2;
	}
	FILE *fp = fopen(argv[1], "r");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	struct map faq_ix; /* text_a → index + 1 */
	map_init(&faq_ix);
	char **titles = NULL;
	int nt = 0, np = 0;
	struct pair *pairs = NULL;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		char *f[4];
		char *save = NULL, *s = line;
		int k = 0;
		for (char *t = strtok_r(s, "\t", &save); t && k < 4; t = strtok_r(NULL, "\t", &save))
			f[k++] = t;
		if (k < 4 || strcmp(f[3], "1") != 0 || strcmp(f[1], f[2]) == 0)
			continue;
		if (strncmp(f[1], "\xEF\xBB\xBF", 3) == 0)
			f[1] += 3;
		uintptr_t ix = (uintptr_t)map_get(&faq_ix, f[1]);
		if (!ix) {
			titles = xrealloc(titles, sizeof *titles * (size_t)(nt + 1));
			titles[nt++] = xstrdup(f[1]);
			ix = (uintptr_t)nt;
			map_put(&faq_ix, f[1], (void *)ix);
		}
		pairs = xrealloc(pairs, sizeof *pairs * (size_t)(np + 1));
		pairs[np].faq = (int)ix - 1;
		pairs[np].query = xstrdup(f[2]);
		np++;
	}
	free(line);
	fclose(fp);
	printf("ATEC positive pairs: %d queries against %d FAQ titles\n", np, nt);

	/* kefu: a fresh store, the FAQ imported through kb_import_buffer */
	char dir[] = "/tmp/kefu-kb-eval-XXXXXX", path[256];
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/kefu.db", dir);
	struct store *s = NULL;
	struct store_kb_writer *w = NULL;
	struct store_kb *k = NULL;
	struct kb_config *c = NULL;
	struct kefu_err err = {0};
	if (store_open(path, NULL, &s, &err) < 0 || store_kb_writer_open(s, &w, &err) < 0 ||
	    store_kb_open(s, &k, &err) < 0 || kb_config_load(argc > 2 ? argv[2] : NULL, &c, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 1;
	}
	struct buf jl;
	buf_init(&jl);
	for (int i = 0; i < nt; i++) {
		buf_printf(&jl, "{\"kind\":\"faq\",\"id\":\"q%d\",\"title\":", i);
		json_str(&jl, titles[i]);
		buf_puts(&jl, ",\"body\":\"\"}\n");
	}
	struct kb_import_stats st;
	double t0 = now_s();
	if (kb_import_buffer(w, "atec-faq.jsonl", jl.data, jl.len, &st, &err) < 0) {
		fprintf(stderr, "import: %s\n", err.msg);
		return 1;
	}
	printf("kefu import: %lld articles in %.2f s\n", (long long)st.stored, now_s() - t0);
	struct result kr = {0};
	struct kb_hit hits[5];
	/* KB-6: the first two scores and whether the first hit is right, for the bot's thresholds */
	double *s1 = calloc((size_t)np, sizeof *s1), *s2 = calloc((size_t)np, sizeof *s2);
	bool *ok1 = calloc((size_t)np, sizeof *ok1), *trig = calloc((size_t)np, sizeof *trig);
	t0 = now_s();
	for (int i = 0; i < np; i++) {
		int n = 0;
		kr.n++;
		if (kb_search(c, k, pairs[i].query, strlen(pairs[i].query), NULL, 5, hits, &n, &err) < 0)
			continue;
		char want[32];
		snprintf(want, sizeof want, "q%d", pairs[i].faq);
		s1[i] = n > 0 ? hits[0].score : 0;
		s2[i] = n > 1 ? hits[1].score : 0;
		trig[i] = n > 0 && hits[0].trigger;
		ok1[i] = n > 0 && strcmp(hits[0].id, want) == 0;
		for (int j = 0; j < n; j++)
			if (strcmp(hits[j].id, want) == 0) {
				kr.top1 += j == 0;
				kr.top5++;
			}
	}
	kr.secs = now_s() - t0;
	print_result(argc > 2 ? "kefu (bigram+unigram+words, syn.)" : "kefu (bigram+unigram+words)", &kr);
	/* the bot answers when the first hit is a trigger's, or scores at least MIN and LEAD times the
	 * second's (src/api/kb_api.c: 6 and 1.5): how often it would answer, and how often rightly */
	printf("bot thresholds (answered share, right among answered):\n");
	static const double mins[] = {6, 20, 30, 40, 60}, leads[] = {1.5, 2.0, 3.0};
	for (size_t a = 0; a < sizeof mins / sizeof mins[0]; a++) {
		printf("  min %4.1f", mins[a]);
		for (size_t b = 0; b < sizeof leads / sizeof leads[0]; b++) {
			int ans = 0, right = 0;
			for (int i = 0; i < np; i++) {
				bool sure = trig[i] ||
				    (s1[i] >= mins[a] && (s2[i] <= 0 || s1[i] >= leads[b] * s2[i]));
				ans += sure;
				right += sure && ok1[i];
			}
			printf("   lead %.1f: %5.1f%% %5.1f%%", leads[b], 100.0 * ans / np,
			       ans ? 100.0 * right / ans : 0.0);
		}
		printf("\n");
	}
	free(s1);
	free(s2);
	free(ok1);
	free(trig);
	struct result tr, ur;
	baseline("trigram", titles, nt, pairs, np, &tr);
	print_result("baseline FTS5 trigram BM25", &tr);
	baseline("unicode61", titles, nt, pairs, np, &ur);
	print_result("baseline FTS5 unicode61 BM25", &ur);

	buf_free(&jl);
	kb_config_free(c);
	store_kb_close(k);
	store_kb_writer_close(w);
	store_close(s);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	for (int i = 0; i < nt; i++)
		free(titles[i]);
	free(titles);
	for (int i = 0; i < np; i++)
		free(pairs[i].query);
	free(pairs);
	map_free(&faq_ix);
	return 0;
}

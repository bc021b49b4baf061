/* guard_eval_main.c — recomputes the guard's two quality numbers for docs/guard.md:
 *   falseblock JDDC_FILE  share of real agent replies (jddc2019_sample) the block rules stop,
 *                         overall and on the held-out second half of the sessions, with every hit;
 *   emotion CSV_FILE      accuracy and F1 of the C-11 emotion label against the review labels of
 *                         online_shopping_10_cats (1 positive, 0 negative).
 * Reads test-only data from ../shared/data where it lies; never copies it. Prints to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard.h"

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: bench_guard_eval [--lexicons DIR] falseblock JDDC_FILE | emotion CSV_FILE [--show N]\n");
	return 2;
}

/* Field k (0-based) of a tab-separated line, in place. */
static char *field(char *line, int k, char sep, int rest)
{
	char *p = line;
	for (int i = 0; i < k; i++) {
		p = strchr(p, sep);
		if (!p)
			return NULL;
		p++;
	}
	if (!rest) {
		char *e = strchr(p, sep);
		if (e)
			*e = '\0';
	}
	return p;
}

static int falseblock(const struct guard *g, const char *path, int show)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	struct guard_scratch *s = guard_scratch_new(g);
	/* first pass: count sessions to find the half-way point */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	char prev[64] = "";
	long nsess = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		size_t k = (size_t)(tab - line) < sizeof prev - 1 ? (size_t)(tab - line) : sizeof prev - 1;
		if (strncmp(prev, line, k) != 0 || prev[k] != '\0') {
			memcpy(prev, line, k);
			prev[k] = '\0';
			nsess++;
		}
	}
	rewind(f);
	prev[0] = '\0';
	long sess = 0, replies = 0, blocked = 0, warned = 0, held = 0, held_blocked = 0;
	long per_rule[9] = {0};
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		size_t k = (size_t)(tab - line) < sizeof prev - 1 ? (size_t)(tab - line) : sizeof prev - 1;
		if (strncmp(prev, line, k) != 0 || prev[k] != '\0') {
			memcpy(prev, line, k);
			prev[k] = '\0';
			sess++;
		}
		char *who = field(line, 2, '\t', 1);
		if (!who || who[0] != '1')
			continue;
		char *text = field(line, 6, '\t', 1);
		if (!text || strcmp(text, "NULL") == 0 || strcmp(text, "nan") == 0)
			continue;
		struct guard_result r;
		if (guard_scan(g, s, GUARD_ROLE_AGENT, text, strlen(text), &r, NULL))
			continue;
		int second_half = sess > nsess / 2;
		replies++;
		held += second_half;
		if (r.verdict == GUARD_WARN)
			warned++;
		if (r.verdict == GUARD_BLOCK) {
			blocked++;
			held_blocked += second_half;
			if (show-- > 0)
				printf("BLOCK %s| %s\n", second_half ? "[held-out] " : "", text);
			for (size_t i = 0; i < r.nhits; i++) {
				const struct guard_hit *h = &r.hits[i];
				if (h->severity != GUARD_SEV_BLOCK)
					continue;
				int rn = atoi(h->rule + 2);
				if (rn >= 0 && rn < 9)
					per_rule[rn]++;
				if (show >= 0)
					printf("      %s %s \"%s\" (%s)\n", h->rule, h->family, h->text,
					       h->where);
			}
		}
		guard_result_clear(&r);
	}
	printf("agent replies: %ld (sessions %ld)\n", replies, nsess);
	printf("blocked: %ld = %.3f%%   warned: %ld = %.3f%%\n", blocked,
	       100.0 * (double)blocked / (double)replies, warned, 100.0 * (double)warned / (double)replies);
	printf("held-out (second half of sessions): %ld of %ld blocked = %.3f%%\n", held_blocked, held,
	       held ? 100.0 * (double)held_blocked / (double)held : 0.0);
	printf("block hits by rule:");
	for (int i = 1; i < 9; i++)
		if (per_rule[i])
			printf(" C-0%d:%ld", i, per_rule[i]);
	printf("\n");
	free(line);
	fclose(f);
	guard_scratch_free(s);
	return 0;
}

static int emotion(const struct guard *g, const char *path, int show)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	struct guard_scratch *s = guard_scratch_new(g);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long tp = 0, fp = 0, tn = 0, fn = 0, neutral = 0, total = 0, skipped = 0;
	long tp0 = 0, fp0 = 0, tn0 = 0, fn0 = 0; /* variant: negative iff score < 0 */
	int first = 1;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (first) {
			first = 0;
			continue;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *lab = field(line, 1, ',', 1);
		char *text = field(line, 2, ',', 1);
		if (!lab || !text || (lab[0] != '0' && lab[0] != '1')) {
			skipped++;
			continue;
		}
		/* strip a UTF-8 BOM some reviews carry, and CSV quotes */
		if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
		    (unsigned char)text[2] == 0xBF)
			text += 3;
		int truth_neg = lab[0] == '0';
		struct guard_result r;
		if (guard_scan(g, s, GUARD_ROLE_CUSTOMER, text, strlen(text), &r, NULL)) {
			skipped++;
			continue;
		}
		total++;
		int pred_neg = strcmp(r.emotion_label, "negative") == 0;
		neutral += strcmp(r.emotion_label, "neutral") == 0;
		tp += pred_neg && truth_neg, fp += pred_neg && !truth_neg;
		tn += !pred_neg && !truth_neg, fn += !pred_neg && truth_neg;
		int p0 = r.emotion_score < 0;
		tp0 += p0 && truth_neg, fp0 += p0 && !truth_neg, tn0 += !p0 && !truth_neg,
		    fn0 += !p0 && truth_neg;
		if (show > 0 && pred_neg != truth_neg) {
			show--;
			printf("MISS truth=%s score=%.3f | %.150s\n", truth_neg ? "neg" : "pos",
			       r.emotion_score, text);
		}
		guard_result_clear(&r);
	}
	double prec = tp ? (double)tp / (double)(tp + fp) : 0, rec = tp ? (double)tp / (double)(tp + fn) : 0;
	double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
	printf("reviews: %ld (skipped %ld), labelled neutral: %ld = %.1f%%\n", total, skipped, neutral,
	       100.0 * (double)neutral / (double)total);
	printf("label=negative vs rest: accuracy %.4f  precision %.4f  recall %.4f  F1(negative) %.4f\n",
	       (double)(tp + tn) / (double)total, prec, rec, f1);
	double prec0 = tp0 ? (double)tp0 / (double)(tp0 + fp0) : 0,
	       rec0 = tp0 ? (double)tp0 / (double)(tp0 + fn0) : 0;
	double f10 = prec0 + rec0 > 0 ? 2 * prec0 * rec0 / (prec0 + rec0) : 0;
	printf("score<0 vs rest:        accuracy %.4f  precision %.4f  recall %.4f  F1(negative) %.4f\n",
	       (double)(tp0 + tn0) / (double)total, prec0, rec0, f10);
	/* macro F1 over both classes for the label variant */
	double pp = tn ? (double)tn / (double)(tn + fn) : 0, rp = tn ? (double)tn / (double)(tn + fp) : 0;
	double f1p = pp + rp > 0 ? 2 * pp * rp / (pp + rp) : 0;
	printf("label variant macro-F1 (negative, positive): %.4f\n", (f1 + f1p) / 2);
	free(line);
	fclose(f);
	guard_scratch_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int i = 1, show = 0;
	if (i + 1 < argc && strcmp(argv[i], "--lexicons") == 0) {
		dir = argv[i + 1];
		i += 2;
	}
	if (i + 1 >= argc)
		return usage();
	const char *mode = argv[i], *path = argv[i + 1];
	if (i + 3 < argc + 1 && i + 2 < argc && strcmp(argv[i + 2], "--show") == 0 && i + 3 < argc)
		show = atoi(argv[i + 3]);
	char buf[4096];
	if (!dir) {
		const char *src = getenv("KEFU_SOURCE_DIR");
#ifdef KEFU_SOURCE_DIR
		if (!src)
			src = KEFU_SOURCE_DIR;
#endif
		snprintf(buf, sizeof buf, "%s/data/lexicons", src ? src : ".");
		dir = buf;
	}
	struct guard *g;
	struct kefu_err err = {0};
	if (guard_load(dir, &g, &err)) {
		fprintf(stderr, "bench_guard_eval: %s: %s\n", err.field, err.msg);
		return 1;
	}
	int rc = strcmp(mode, "falseblock") == 0 ? falseblock(g, path, show)
	    : strcmp(mode, "emotion") == 0	 ? emotion(g, path, show)
						 : usage();
	guard_unref(g);
	return rc;
}

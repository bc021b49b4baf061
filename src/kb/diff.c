/* diff.c — the difference between two versions of an article's text (KB-4, the console's diff
 * view): a longest-common-subsequence diff over lines or UTF-8 characters, written as runs of
 * kept, removed and added text. Common prefix and suffix are taken off first; the middle is compared
 * cell by cell only while it stays below KB_DIFF_CELLS, beyond that it is shown as removed whole and
 * added whole (still a correct diff, just a coarse one). Pure: no store, no I/O. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "kb/kb.h"

/* One unit (a line with its newline, or one UTF-8 character) as an offset and length. */
struct unit {
	size_t off, len;
};

static size_t split(const char *s, size_t n, bool lines, struct unit **out)
{
	size_t cap = 16, k = 0;
	struct unit *u = xmalloc(sizeof *u * cap);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		if (lines) {
			const char *nl = memchr(s + i, '\n', n - i);
			j = nl ? (size_t)(nl - s) + 1 : n;
		} else {
			while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
				j++;
		}
		if (k == cap) {
			cap *= 2;
			u = xrealloc(u, sizeof *u * cap);
		}
		u[k].off = i;
		u[k].len = j - i;
		k++;
		i = j;
	}
	*out = u;
	return k;
}

static bool same(const char *a, const struct unit *x, const char *b, const struct unit *y)
{
	return x->len == y->len && memcmp(a + x->off, b + y->off, x->len) == 0;
}

/* The runs so far and the one being built: consecutive units of the same op are gathered in
 * `text` and become one run when the op changes (appending to the last JSON string instead copied
 * the whole run per unit: quadratic, ~24 s for a 64 KiB one-line body against one character). */
struct runs {
	json_t *ops;
	const char *op; /* op of the run being built, NULL when none */
	struct buf text;
};

static void flush(struct runs *r)
{
	if (r->op && r->text.len)
		json_array_append_new(
		    r->ops, json_pack("{s:s,s:s%}", "op", r->op, "text", r->text.data, r->text.len));
	r->op = NULL;
	buf_reset(&r->text);
}

/* Appends n bytes of s to the run of op (a new run when op differs from the last). */
static void emit(struct runs *r, const char *op, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (r->op && strcmp(r->op, op) != 0)
		flush(r);
	r->op = op;
	buf_append(&r->text, s, n);
}

json_t *kb_diff(const char *a, size_t an, const char *b, size_t bn, bool lines)
{
	struct runs ops = {.ops = json_array()};
	buf_init(&ops.text);
	struct unit *ua = NULL, *ub = NULL;
	size_t na = split(a, an, lines, &ua), nb = split(b, bn, lines, &ub);
	size_t pre = 0, suf = 0;
	while (pre < na && pre < nb && same(a, &ua[pre], b, &ub[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && same(a, &ua[na - 1 - suf], b, &ub[nb - 1 - suf]))
		suf++;
	if (pre > 0)
		emit(&ops, "=", a, ua[pre - 1].off + ua[pre - 1].len);
	size_t ma = na - pre - suf, mb = nb - pre - suf;
	const struct unit *xa = ua + pre, *xb = ub + pre;
	if (ma > 0 && mb > 0 && (uint64_t)(ma + 1) * (mb + 1) <= KB_DIFF_CELLS) {
		/* lcs[i][j]: LCS length of xa[i..] and xb[j..] */
		uint32_t *lcs = xcalloc((ma + 1) * (mb + 1), sizeof *lcs);
#define L(i, j) lcs[(size_t)(i) * (mb + 1) + (j)]
		for (size_t i = ma; i-- > 0;)
			for (size_t j = mb; j-- > 0;)
				L(i, j) = same(a, &xa[i], b, &xb[j]) ? L(i + 1, j + 1) + 1
				    : L(i + 1, j) >= L(i, j + 1)     ? L(i + 1, j)
								     : L(i, j + 1);
		size_t i = 0, j = 0;
		while (i < ma || j < mb) {
			if (i < ma && j < mb && same(a, &xa[i], b, &xb[j])) {
				emit(&ops, "=", a + xa[i].off, xa[i].len);
				i++, j++;
			} else if (i < ma && (j == mb || L(i + 1, j) >= L(i, j + 1))) {
				emit(&ops, "-", a + xa[i].off, xa[i].len);
				i++;
			} else {
				emit(&ops, "+", b + xb[j].off, xb[j].len);
				j++;
			}
		}
#undef L
		free(lcs);
	} else {
		if (ma > 0)
			emit(&ops, "-", a + xa[0].off, xa[ma - 1].off + xa[ma - 1].len - xa[0].off);
		if (mb > 0)
			emit(&ops, "+", b + xb[0].off, xb[mb - 1].off + xb[mb - 1].len - xb[0].off);
	}
	if (suf > 0)
		emit(&ops, "=", a + ua[na - suf].off, an - ua[na - suf].off);
	flush(&ops);
	buf_free(&ops.text);
	free(ua);
	free(ub);
	return ops.ops;
}

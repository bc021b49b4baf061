/* config.c — the knowledge base's data files (kb.h): synonyms.txt (one group of equivalent terms
 * per line, separated by spaces) and triggers.tsv (article id TAB keyword combination, where `+`
 * joins keywords that must all occur and `|` separates alternatives of one keyword; KB-2). Both are
 * parsed and validated once, normalised like tokens, and read-only afterwards. Never prints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "kb/kb_int.h"
#include "kb/tokenizer.h"

enum {
	CONFIG_LINE_MAX = 4096, /* bytes of one line of synonyms.txt or triggers.tsv */
	CONFIG_TERMS_MAX = 32, /* terms of one synonym group, alternatives of one keyword */
	CONFIG_KEYWORDS_MAX = 8, /* keywords of one trigger */
};

static void terms_free(struct kb_terms *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void kb_config_free(struct kb_config *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nsyn; i++)
		terms_free(&c->syn[i]);
	free(c->syn);
	for (int i = 0; i < c->ntrig; i++) {
		for (int j = 0; j < c->trig[i].nkw; j++)
			terms_free(&c->trig[i].kw[j]);
		free(c->trig[i].kw);
		free(c->trig[i].article);
	}
	free(c->trig);
	free(c);
}

/* Splits s[0..n) at any byte of seps into normalised, non-empty terms appended to t. Returns the
 * number added or -1 when more than max. */
static int split_terms(const char *s, size_t n, const char *seps, int max, struct kb_terms *t)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && strchr(seps, s[i]))
			i++;
		size_t j = i;
		while (j < n && !strchr(seps, s[j]))
			j++;
		if (j > i) {
			if (t->n >= max)
				return -1;
			struct buf b;
			buf_init(&b);
			kb_normalize(s + i, j - i, &b);
			t->v = xrealloc(t->v, sizeof *t->v * (size_t)(t->n + 1));
			t->v[t->n++] = buf_detach(&b);
		}
		i = j;
	}
	return t->n;
}

typedef int (*line_fn)(struct kb_config *c, const char *name, int line, char *s, size_t n,
		       struct kefu_err *err);

static int parse_synonym(struct kb_config *c, const char *name, int line, char *s, size_t n,
			 struct kefu_err *err)
{
	struct kb_terms t = {0};
	if (split_terms(s, n, " \t,", CONFIG_TERMS_MAX, &t) < 0) {
		terms_free(&t);
		return KEFU_ERR(err, KEFU_EINVAL, "synonyms", "%s:%d: more than %d terms", name, line,
				CONFIG_TERMS_MAX);
	}
	if (t.n < 2) {
		terms_free(&t);
		return KEFU_ERR(err, KEFU_EINVAL, "synonyms", "%s:%d: a group needs at least two terms", name,
				line);
	}
	c->syn = xrealloc(c->syn, sizeof *c->syn * (size_t)(c->nsyn + 1));
	c->syn[c->nsyn++] = t;
	return 0;
}

static int parse_trigger(struct kb_config *c, const char *name, int line, char *s, size_t n,
			 struct kefu_err *err)
{
	char *tab = memchr(s, '\t', n);
	if (!tab || tab == s)
		return KEFU_ERR(err, KEFU_EINVAL, "triggers", "%s:%d: expected ARTICLE<TAB>KEYWORD+KEYWORD",
				name, line);
	size_t idlen = (size_t)(tab - s);
	if (idlen > STORE_KB_ID_MAX)
		return KEFU_ERR(err, KEFU_EINVAL, "triggers", "%s:%d: article id longer than %d bytes", name,
				line, STORE_KB_ID_MAX);
	struct kb_trigger t = {0};
	t.article = xstrndup(s, idlen);
	t.line = line;
	const char *p = tab + 1, *end = s + n;
	while (p < end) {
		const char *plus = memchr(p, '+', (size_t)(end - p));
		const char *kend = plus ? plus : end;
		struct kb_terms alts = {0};
		if (split_terms(p, (size_t)(kend - p), "| \t", CONFIG_TERMS_MAX, &alts) < 0 || alts.n == 0 ||
		    t.nkw >= CONFIG_KEYWORDS_MAX) {
			terms_free(&alts);
			for (int j = 0; j < t.nkw; j++)
				terms_free(&t.kw[j]);
			free(t.kw);
			free(t.article);
			return KEFU_ERR(err, KEFU_EINVAL, "triggers",
					"%s:%d: empty keyword or too many keywords", name, line);
		}
		t.kw = xrealloc(t.kw, sizeof *t.kw * (size_t)(t.nkw + 1));
		t.kw[t.nkw++] = alts;
		p = plus ? plus + 1 : end;
	}
	c->trig = xrealloc(c->trig, sizeof *c->trig * (size_t)(c->ntrig + 1));
	c->trig[c->ntrig++] = t;
	return 0;
}

/* Reads dir/file line by line (a missing file is empty); '#' starts a comment line. */
static int load_lines(struct kb_config *c, const char *dir, const char *file, line_fn fn,
		      struct kefu_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errno == ENOENT ? 0 : KEFU_ERR(err, KEFU_EIO, file, "%s: %s", path, strerror(errno));
	char line[CONFIG_LINE_MAX + 2];
	int no = 0, r = 0;
	while (fgets(line, sizeof line, fp)) {
		no++;
		size_t n = strlen(line);
		if (n > CONFIG_LINE_MAX) {
			r = KEFU_ERR(err, KEFU_EINVAL, file, "%s:%d: line longer than %d bytes", path, no,
				     CONFIG_LINE_MAX);
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		size_t lead = strspn(line, " \t");
		if (line[lead] == '\0' || line[lead] == '#')
			continue;
		if ((r = fn(c, path, no, line, n, err)) < 0)
			break;
	}
	fclose(fp);
	return r;
}

int kb_config_load(const char *dir, struct kb_config **out, struct kefu_err *err)
{
	struct kb_config *c = xcalloc(1, sizeof *c);
	c->w = (struct store_kb_weights){.title = 10, .alternatives = 8, .body = 1, .tags = 3};
	int r = 0;
	if (dir &&
	    ((r = load_lines(c, dir, "synonyms.txt", parse_synonym, err)) < 0 ||
	     (r = load_lines(c, dir, "triggers.tsv", parse_trigger, err)) < 0)) {
		kb_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

const struct store_kb_weights *kb_config_weights(const struct kb_config *c)
{
	return &c->w;
}

void kb_config_set_weights(struct kb_config *c, const struct store_kb_weights *w)
{
	c->w = *w;
}

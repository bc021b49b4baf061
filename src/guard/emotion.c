/* emotion.c — negative-emotion score of a customer message (C-11) from the emotion lexicon
 * (data/lexicons/emotion*.tsv): sentiment words with weights, negation words that flip the word
 * after them, degree words that scale it, contrast words (但是) after which words weigh more, and
 * cues from punctuation (！！, ？？) and repeated characters. The matches come from the emotion
 * vectorscan pass in scan.c. Pure function of text and lexicon: no state, no allocation. */
#include <math.h>
#include <stdlib.h>

#include "guard/guard_int.h"

/* A modifier reaches a sentiment word at most this many bytes after it ("不太好": 不 … 好). */
#define EMO_REACH 7
/* Weight of words after a contrast word, and before it. */
#define EMO_AFTER_CONTRAST 1.5
#define EMO_BEFORE_CONTRAST 0.7
/* A negated negative word ("不差") is only mildly positive. */
#define EMO_NEGATED_NEG 0.5
/* Emphatic punctuation (！！ ？？ !!) and character repetition scale the negative part. */
#define EMO_EMPHASIS 1.3
/* The sum is squashed into [-1, 1] with tanh(sum / EMO_SCALE). */
#define EMO_SCALE 3.0

static int cmp_emo(const void *a, const void *b)
{
	const struct guard__raw *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

static int clause_break(const char *text, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == ',' || c == '.' || c == '!' || c == '?' || c == ';' || c == ' ' || c == '~')
			return 1;
		if (c == 0xEF || c == 0xE3) /* fullwidth punctuation ，！？； and 、。 */
			return 1;
	}
	return 0;
}

static int emphasis(const char *text, size_t len)
{
	int run = 0;
	size_t i = 0;
	uint32_t prev = 0;
	int rep = 1;
	while (i < len) {
		size_t n;
		uint32_t c = guard__cp(text, i, &n);
		int mark = c == '!' || c == '?' || c == 0xFF01 || c == 0xFF1F;
		run = mark ? run + 1 : 0;
		if (run >= 2)
			return 1;
		rep = (c == prev && c >= 0x4E00) ? rep + 1 : 1;
		if (rep >= 3) /* 啊啊啊, 差差差 */
			return 1;
		prev = c;
		i += n;
	}
	return 0;
}

double guard__emotion_score(const struct guard *g, struct guard_scratch *s, const char *text, size_t len)
{
	if (s->nemo > 1)
		qsort(s->emo, s->nemo, sizeof *s->emo, cmp_emo);
	/* longest match wins an overlap: keep a match only if it starts after the last kept end */
	size_t k = 0;
	uint32_t last_end = 0;
	for (size_t i = 0; i < s->nemo; i++) {
		if (k && s->emo[i].start < last_end)
			continue;
		s->emo[k++] = s->emo[i];
		last_end = s->emo[i].end;
	}
	double pos = 0, neg = 0;
	double contrast = 1.0;
	size_t prev_end = 0;
	int negations = 0;
	double degree = 1.0;
	size_t mod_end = 0;
	for (size_t i = 0; i < k; i++) {
		const struct guard__raw *r = &s->emo[i];
		const struct guard__pat *p = &g->pats[r->id];
		/* modifiers expire across a clause break or when too far */
		if (mod_end && (r->start - mod_end > EMO_REACH || clause_break(text, mod_end, r->start))) {
			negations = 0;
			degree = 1.0;
			mod_end = 0;
		}
		switch (p->kind) {
		case GP_EMO_NEGATION:
			negations++;
			mod_end = r->end;
			break;
		case GP_EMO_DEGREE:
			degree *= p->weight;
			mod_end = r->end;
			break;
		case GP_EMO_CONTRAST:
			pos *= EMO_BEFORE_CONTRAST;
			neg *= EMO_BEFORE_CONTRAST;
			contrast = EMO_AFTER_CONTRAST;
			negations = 0, degree = 1.0, mod_end = 0;
			break;
		case GP_EMO_POS:
		case GP_EMO_NEG: {
			double v = p->weight * degree * contrast;
			int positive = p->kind == GP_EMO_POS;
			if (negations & 1) {
				if (positive)
					positive = 0; /* 不好 */
				else
					positive = 1, v *= EMO_NEGATED_NEG; /* 不差 */
			}
			if (positive)
				pos += v;
			else
				neg += v;
			negations = 0, degree = 1.0, mod_end = 0;
			break;
		}
		}
		prev_end = r->end;
	}
	(void)prev_end;
	if (neg > 0 && emphasis(text, len))
		neg *= EMO_EMPHASIS;
	else if (neg == 0 && pos == 0 && emphasis(text, len))
		neg = 0.5; /* "？？？" alone is impatience */
	return tanh((pos - neg) / EMO_SCALE);
}

const char *guard__emotion_label(const struct guard *g, double score)
{
	if (score <= -g->emo_neutral)
		return "negative";
	if (score >= g->emo_neutral)
		return "positive";
	return "neutral";
}

/* guard_int.h — internals shared by the guard's files (lexicon loader, scanner, PII, emotion).
 * Not for other modules: they include guard.h only. Everything here is owned by the guard and is
 * read-only after guard_load returns. */
#ifndef KEFU_GUARD_INT_H
#define KEFU_GUARD_INT_H

#include <hs/hs.h>
#include <stdatomic.h>
#include <stdint.h>

#include "guard/guard.h"

/* Kind of a compiled vectorscan pattern; the pattern id indexes guard.pats. */
enum guard__pat_kind {
	GP_RULE_LIT, /* lexicon literal; start = end - len */
	GP_RULE_RE, /* lexicon regex; flagged in the fast db, spans from the SOM db */
	GP_EXCEPTION, /* context exception literal */
	GP_TRIG_DIGITS, /* ≥ 4 consecutive digits: run the number classifier */
	GP_TRIG_EMAIL, /* x@y: run the email scanner */
	GP_TRIG_ROAD, /* road/lane + number + 号/弄: run the street-address scanner */
	GP_HONORIFIC, /* 先生/女士/…: look back for a surname */
	GP_DIVISION, /* province/city/district name: start an address */
	GP_EMO_POS, /* emotion db only */
	GP_EMO_NEG,
	GP_EMO_NEGATION,
	GP_EMO_DEGREE,
	GP_EMO_CONTRAST, /* 但是/可是: what follows weighs more */
};

/* Families C-01…C-08 (C-07 is PII, not a lexicon family). */
enum guard__family {
	GF_ABSOLUTE, /* C-01 */
	GF_REFUSAL, /* C-02 */
	GF_BUCK, /* C-03 */
	GF_PROMISE, /* C-04 */
	GF_COMMAND, /* C-05 */
	GF_IMPATIENT, /* C-06 */
	GF_PII, /* C-07 */
	GF_FRAUD, /* C-08 */
	GF_COUNT
};

struct guard__rule {
	uint8_t family; /* enum guard__family */
	uint8_t severity; /* enum guard_severity, for agent messages */
	uint8_t is_regex; /* 1 when pattern is a vectorscan regex */
	const char *pattern; /* as written in the file */
	const char *reason; /* why */
	const char *suggestion; /* compliant wording ("" when none) */
	uint8_t drop_in; /* suggestion replaces the matched text as is (no "…" advice) */
	const char *where; /* "file:line" */
};

struct guard__pat {
	uint8_t kind; /* enum guard__pat_kind */
	uint8_t level; /* GP_DIVISION: 1 province, 2 city, 3 district */
	uint16_t len; /* byte length of a literal */
	uint32_t ref; /* GP_RULE_*: rule index; GP_EXCEPTION: exception index */
	float weight; /* GP_EMO_*: weight (pos/neg ≥ 0, degree multiplier, negation unused) */
};

struct guard__exception {
	uint32_t families; /* bit mask of enum guard__family it applies to */
	const char *where;
};

struct guard__pii_policy {
	uint8_t severity; /* for agent messages; customer messages are recorded */
	const char *reason;
	const char *suggestion; /* prefix; the masked form is appended */
	const char *where;
};

struct guard__surname {
	uint32_t cp; /* code point */
	uint32_t rank; /* 1 = most frequent (order of the surnames file) */
};

struct guard {
	atomic_int refs;
	uint64_t serial; /* unique per load; lets a scratch notice it met a new guard */
	hs_database_t *fast; /* all roles: literals, regex flags (SINGLEMATCH), PII triggers */
	hs_database_t *som; /* lexicon regexes with SOM_LEFTMOST; NULL when there are none */
	hs_database_t *emotion; /* emotion words, scanned for customer messages only; may be NULL */
	struct guard__pat *pats;
	size_t npats;
	uint32_t *som_ids; /* som db id → pats index */
	struct guard__rule *rules;
	size_t nrules;
	struct guard__exception *excs;
	size_t nexcs;
	struct guard__pii_policy pii[GUARD_PII_COUNT];
	/* surnames from the surnames file (cn_surnames, Apache-2.0) */
	struct guard__surname *surname1; /* single-character surnames, sorted by code point */
	size_t nsurname1;
	uint64_t *surname2; /* compound surnames as cp1 << 32 | cp2, sorted */
	size_t nsurname2;
	float emo_neutral; /* |score| below this is neutral */
	char *version;
	size_t nentries;
	char **strings; /* every string the guard owns, freed at the end */
	size_t nstrings, capstrings;
};

struct guard__raw {
	uint32_t id; /* pattern id */
	uint32_t start; /* byte offset (computed for literals) */
	uint32_t end;
};

struct guard__span {
	uint32_t start, end;
	uint8_t pii; /* enum guard_pii */
	uint32_t keep; /* bytes at the start kept clear (address: province/city) */
};

struct guard_scratch {
	hs_scratch_t *hs;
	uint64_t serial; /* guard the hs scratch was last sized for */
	struct guard__raw *raw;
	size_t nraw, capraw;
	struct guard__raw *som;
	size_t nsom, capsom;
	struct guard__raw *emo;
	size_t nemo, capemo;
	struct guard__span *spans;
	size_t nspans, capspans;
	uint32_t trig; /* bit per trigger kind seen in the fast pass */
	int need_som; /* a lexicon regex matched in the fast pass */
	int overflow; /* raw matches were capped */
};

/* Most raw matches kept per message and database; beyond it the scan stops (result.truncated). */
#define GUARD__MAX_RAW 8192

/* lexicon.c */
const char *guard__family_rule(int family); /* "C-01"… */
const char *guard__family_name(int family); /* "absolute"… */

/* pii.c: finds PII spans in text (sorted, non-overlapping) into s->spans; uses s->raw for the
 * division/honorific hits and s->trig for the triggers. */
void guard__pii_find(const struct guard *g, struct guard_scratch *s, const char *text, size_t len);
/* Appends the masked form of text[sp] to b. */
struct buf;
void guard__pii_mask_span(const struct guard__span *sp, const char *text, struct buf *b);
/* Writes text with all spans masked into b. */
void guard__pii_mask_text(const struct guard__span *spans, size_t n, const char *text, size_t len,
			  struct buf *b);

/* emotion.c: polarity in [-1, 1] from the emotion matches in s->emo. */
double guard__emotion_score(const struct guard *g, struct guard_scratch *s, const char *text, size_t len);
const char *guard__emotion_label(const struct guard *g, double score);

/* Grows an array of elem-sized items to hold one more; aborts on OOM. */
void guard__grow(void **arr, size_t *cap, size_t n, size_t elem);

/* Decodes the code point at s[i] (valid UTF-8 assumed); *n gets its byte length. */
static inline uint32_t guard__cp(const char *s, size_t i, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s + i;
	if (u[0] < 0x80) {
		*n = 1;
		return u[0];
	}
	if ((u[0] & 0xE0) == 0xC0) {
		*n = 2;
		return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
	}
	if ((u[0] & 0xF0) == 0xE0) {
		*n = 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	*n = 4;
	return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
	    ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

/* Start of the code point that ends just before byte i (i > 0). */
static inline size_t guard__prev(const char *s, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
	return i;
}

#endif

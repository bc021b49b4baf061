/* tokenizer.c — the CJK/ASCII tokenizer of tokenizer.h (KB-2) and the built-in dictionary lookup.
 * The dictionary is a read-only hash of offsets into the embedded word list, built once per process
 * (pthread_once) and never freed. Tokens are assembled in a stack buffer; nothing is allocated per
 * call. It never touches SQLite or files. */
#include "kb/tokenizer.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"

/* ---- dictionary --------------------------------------------------------------------------- */

struct dict_slot {
	uint32_t off; /* byte offset of the word in kb__words_embedded */
	uint32_t len; /* bytes; 0 = empty slot */
};

static struct dict_slot *dict_slots; /* dict_cap entries, built once */
static size_t dict_cap; /* power of two */
static size_t dict_len; /* words in the table */
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void dict_build(void)
{
	size_t words = 0;
	for (const char *p = kb__words_embedded; *p; p++)
		if (*p == '\n')
			words++;
	dict_cap = 16;
	while (dict_cap < words * 2 + 2)
		dict_cap <<= 1;
	dict_slots = xcalloc(dict_cap, sizeof *dict_slots);
	const char *p = kb__words_embedded;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0) {
			size_t i = hash_bytes(p, n) & (dict_cap - 1);
			while (dict_slots[i].len &&
			       !(dict_slots[i].len == n &&
				 memcmp(kb__words_embedded + dict_slots[i].off, p, n) == 0))
				i = (i + 1) & (dict_cap - 1);
			if (!dict_slots[i].len) {
				dict_slots[i].off = (uint32_t)(p - kb__words_embedded);
				dict_slots[i].len = (uint32_t)n;
				dict_len++;
			}
		}
		p += n + (nl ? 1 : 0);
	}
}

bool kb_dict_has(const char *word, size_t len)
{
	pthread_once(&dict_once, dict_build);
	if (len == 0)
		return false;
	size_t i = hash_bytes(word, len) & (dict_cap - 1);
	while (dict_slots[i].len) {
		if (dict_slots[i].len == len &&
		    memcmp(kb__words_embedded + dict_slots[i].off, word, len) == 0)
			return true;
		i = (i + 1) & (dict_cap - 1);
	}
	return false;
}

size_t kb_dict_size(void)
{
	pthread_once(&dict_once, dict_build);
	return dict_len;
}

/* ---- characters --------------------------------------------------------------------------- */

enum cclass {
	C_SKIP, /* punctuation, symbols, spaces, emoji, invalid bytes */
	C_ALPHA, /* ASCII letter (after folding) */
	C_DIGIT, /* ASCII digit (after folding) */
	C_OTHER, /* a letter of another script: part of a word, kept as is */
	C_CJK, /* Han ideograph or kana: bigrams */
};

/* Decodes one code point at s[0..n); returns its length (>= 1) and *cp (-1 for an invalid byte). */
static size_t utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t need;
	int32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = -1;
		return 1;
	}
	if (need > n) {
		*cp = -1;
		return 1;
	}
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = v;
	return need;
}

/* Full-width ASCII (U+FF01–U+FF5E) and the ideographic space fold to ASCII, then ASCII letters are
 * lower-cased. */
static int32_t fold(int32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		cp -= 0xFEE0;
	else if (cp == 0x3000)
		cp = ' ';
	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	return cp;
}

static enum cclass classify(int32_t cp)
{
	if (cp < 0)
		return C_SKIP;
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z')
			return C_ALPHA;
		if (cp >= '0' && cp <= '9')
			return C_DIGIT;
		return C_SKIP;
	}
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) ||
	    (cp >= 0x3041 && cp <= 0x30FA))
		return C_CJK;
	/* Latin-1 punctuation, general punctuation to symbols and arrows, CJK punctuation, private
	 * use, variation selectors and vertical forms, the rest of the half/full-width block, specials,
	 * emoji and pictographs */
	if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
	    (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xE000 && cp <= 0xF8FF) ||
	    (cp >= 0xFE00 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFFF) || cp >= 0x1F000)
		return C_SKIP;
	return C_OTHER;
}

static size_t utf8_put(int32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- tokenizing --------------------------------------------------------------------------- */

enum { CJK_WINDOW = KB_WORD_MAX_CHARS + 1 }; /* characters of a CJK run kept for look-ahead */

/* One decoded character of a CJK run. */
struct cjk_char {
	size_t start; /* byte offset in the input */
	size_t end; /* byte offset after it */
	char enc[4]; /* UTF-8 of the (unfolded) character */
	unsigned char n; /* bytes in enc */
};

struct tokenizer {
	const char *text;
	size_t len;
	unsigned flags;
	kb_token_cb cb;
	void *arg;
};

/* Emits the tokens that start at character w[0] of a CJK run; w has `have` characters (w[0] is
 * the current one, the rest look-ahead within the run); first says w[0] opens the run. */
static int emit_cjk_at(struct tokenizer *t, const struct cjk_char *w, int have, bool first)
{
	char tok[4 * KB_WORD_MAX_CHARS];
	int r;
	bool placed = false; /* a token already holds this position */
	if (have >= 2 && (t->flags & KB_TOK_BIGRAMS)) {
		memcpy(tok, w[0].enc, w[0].n);
		memcpy(tok + w[0].n, w[1].enc, w[1].n);
		if ((r = t->cb(t->arg, KB_TOK_KIND_BIGRAM, tok, (size_t)w[0].n + w[1].n, w[0].start, w[1].end,
			       false)) != 0)
			return r;
		placed = true;
	}
	/* a run of one character is its own token (a unigram) even without KB_TOK_UNIGRAMS */
	bool lone = first && have == 1 && (t->flags & KB_TOK_BIGRAMS);
	if ((t->flags & KB_TOK_UNIGRAMS) || lone) {
		if ((r = t->cb(t->arg, KB_TOK_KIND_UNIGRAM, w[0].enc, w[0].n, w[0].start, w[0].end,
			       placed)) != 0)
			return r;
		placed = true;
	}
	if ((t->flags & KB_TOK_WORDS) && placed) {
		size_t n = 0;
		for (int k = 0; k < have && k < KB_WORD_MAX_CHARS; k++) {
			memcpy(tok + n, w[k].enc, w[k].n);
			n += w[k].n;
			if (k + 1 >= KB_WORD_MIN_CHARS && kb_dict_has(tok, n) &&
			    (r = t->cb(t->arg, KB_TOK_KIND_DICT, tok, n, w[0].start, w[k].end, true)) != 0)
				return r;
		}
	}
	return 0;
}

/* Tokenizes a CJK run starting at byte *pos; leaves *pos after it. Whether a run of one is "lone"
 * depends on the character after it, so the window holds one look-ahead beyond the longest word. */
static int run_cjk(struct tokenizer *t, size_t *pos)
{
	struct cjk_char w[CJK_WINDOW];
	int have = 0;
	size_t p = *pos;
	bool more = true; /* the run may continue past the window */
	bool first = true;
	for (;;) {
		while (more && have < CJK_WINDOW) {
			if (p >= t->len) {
				more = false;
				break;
			}
			int32_t cp;
			size_t n = utf8_next((const unsigned char *)t->text + p, t->len - p, &cp);
			if (classify(fold(cp)) != C_CJK) {
				more = false;
				break;
			}
			w[have].start = p;
			w[have].end = p + n;
			memcpy(w[have].enc, t->text + p, n);
			w[have].n = (unsigned char)n;
			have++;
			p += n;
		}
		if (have == 0)
			break;
		int r = emit_cjk_at(t, w, have, first);
		if (r != 0)
			return r;
		first = false;
		memmove(w, w + 1, sizeof w[0] * (size_t)(have - 1));
		have--;
	}
	*pos = p;
	return 0;
}

/* Tokenizes a word (ASCII letters, digits or other letters) starting at byte *pos; a letter/digit
 * boundary ends the word; pieces are at most KB_TOKEN_MAX bytes. */
static int run_word(struct tokenizer *t, size_t *pos)
{
	char tok[KB_TOKEN_MAX];
	size_t n = 0, start = *pos, p = *pos;
	enum cclass first = C_SKIP;
	while (p < t->len) {
		int32_t cp;
		size_t used = utf8_next((const unsigned char *)t->text + p, t->len - p, &cp);
		int32_t f = fold(cp);
		enum cclass c = classify(f);
		if (c == C_SKIP || c == C_CJK)
			break;
		bool digit = c == C_DIGIT;
		if (first == C_SKIP)
			first = digit ? C_DIGIT : C_ALPHA;
		else if ((first == C_DIGIT) != digit)
			break;
		char enc[4];
		size_t en = utf8_put(f, enc);
		if (n + en > sizeof tok) {
			int r = t->cb(t->arg, KB_TOK_KIND_WORD, tok, n, start, p, false);
			if (r != 0)
				return r;
			n = 0;
			start = p;
		}
		memcpy(tok + n, enc, en);
		n += en;
		p += used;
	}
	*pos = p;
	return n ? t->cb(t->arg, KB_TOK_KIND_WORD, tok, n, start, p, false) : 0;
}

int kb_tokenize(const char *text, size_t len, unsigned flags, kb_token_cb cb, void *arg)
{
	struct tokenizer t = {text, len, flags, cb, arg};
	size_t p = 0;
	while (p < len) {
		int32_t cp;
		size_t n = utf8_next((const unsigned char *)text + p, len - p, &cp);
		enum cclass c = classify(fold(cp));
		int r = 0;
		if (c == C_CJK)
			r = run_cjk(&t, &p);
		else if (c == C_SKIP)
			p += n;
		else
			r = run_word(&t, &p);
		if (r != 0)
			return r;
	}
	return 0;
}

void kb_normalize(const char *s, size_t n, struct buf *out)
{
	size_t p = 0;
	while (p < n) {
		int32_t cp;
		size_t used = utf8_next((const unsigned char *)s + p, n - p, &cp);
		if (cp < 0) {
			buf_append(out, s + p, used);
		} else {
			char enc[4];
			buf_append(out, enc, utf8_put(fold(cp), enc));
		}
		p += used;
	}
}

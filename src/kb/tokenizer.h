/* tokenizer.h — kefu's own tokenizer for Chinese customer-service text (KB-2). It turns UTF-8 text
 * into search tokens: runs of Han/kana characters become overlapping bigrams (a lone character a
 * unigram), optionally every character as a unigram too and dictionary words of 3–4 characters;
 * ASCII letters and digits become lower-cased words (split at letter/digit boundaries); full-width
 * forms are folded to half-width (Ａ→a, ０→0) and punctuation, symbols and emoji are skipped.
 * Pure computation: it never touches SQLite or the file system (src/store wraps it as the FTS5
 * tokenizer "kefu") and never allocates per token. Thread-safe. */
#ifndef KEFU_KB_TOKENIZER_H
#define KEFU_KB_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>

enum {
	KB_TOKEN_MAX = 64, /* bytes: a longer ASCII/other word is cut into pieces of at most this */
	KB_WORD_MIN_CHARS = 3, /* dictionary words shorter than this equal a bigram: not emitted */
	KB_WORD_MAX_CHARS = 4, /* longest dictionary word looked up */
};

/* What kb_tokenize emits; combine with |. */
enum kb_tok_flags {
	KB_TOK_BIGRAMS = 1 << 0, /* overlapping bigrams of CJK runs (a run of one: its unigram) */
	KB_TOK_UNIGRAMS = 1 << 1, /* every CJK character as well, colocated (1-character queries) */
	KB_TOK_WORDS = 1 << 2, /* dictionary words of 3–4 characters, colocated with their start */
	KB_TOK_DEFAULT = KB_TOK_BIGRAMS | KB_TOK_UNIGRAMS | KB_TOK_WORDS,
};

/* Kinds of token (what produced it). */
enum kb_tok_kind {
	KB_TOK_KIND_WORD, /* ASCII letters, digits, or other non-CJK letters */
	KB_TOK_KIND_BIGRAM, /* two CJK characters */
	KB_TOK_KIND_UNIGRAM, /* one CJK character */
	KB_TOK_KIND_DICT, /* a dictionary word of 3–4 CJK characters */
};

/* One token: tok[0..len) is the normalised text (not NUL-terminated, borrowed for the call);
 * [start, end) its byte range in the input; colocated is true when it shares the position of the
 * token before it (FTS5_TOKEN_COLOCATED). Return 0 to go on, non-zero to stop (kb_tokenize then
 * returns that value). */
typedef int (*kb_token_cb)(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start,
			   size_t end, bool colocated);

/* Tokenizes text[0..len) (invalid UTF-8 bytes are skipped like punctuation). Returns 0, or the
 * first non-zero value a callback returned. */
int kb_tokenize(const char *text, size_t len, unsigned flags, kb_token_cb cb, void *arg);

/* Appends s[0..n) to out with full-width forms folded and ASCII letters lower-cased, the way
 * tokens are normalised; other characters (and invalid bytes) are copied unchanged. Used to match
 * trigger keywords and synonyms as substrings. */
struct buf;
void kb_normalize(const char *s, size_t n, struct buf *out);

/* True when word[0..len) (UTF-8) is in the built-in dictionary (src/kb/words_embedded.c, generated
 * from data/kb/words.txt). */
bool kb_dict_has(const char *word, size_t len);
/* Number of words in the built-in dictionary. */
size_t kb_dict_size(void);

/* The embedded word list: words separated by '\n' (words_embedded.c). */
extern const char kb__words_embedded[];

#endif

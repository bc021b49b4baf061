/* Unit tests for src/kb/tokenizer.c (KB-2): CJK bigrams and unigrams, dictionary words, ASCII words
 * split at letter/digit boundaries, full-width folding, punctuation and emoji skipped, byte offsets,
 * colocation flags, and the embedded dictionary equal to data/kb/words.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/tokenizer.h"

/* Tokens joined as "tok|tok|…", colocated ones prefixed with '+'. */
struct collect {
	char out[2048];
	size_t len;
};

static int collect_cb(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start, size_t end,
		      bool colocated)
{
	struct collect *c = arg;
	assert_true(start < end);
	c->len += (size_t)snprintf(c->out + c->len, sizeof c->out - c->len, "%s%s%.*s", c->len ? "|" : "",
				   colocated ? "+" : "", (int)len, tok);
	return 0;
}

static const char *toks(const char *text, unsigned flags)
{
	static struct collect c;
	memset(&c, 0, sizeof c);
	assert_int_equal(kb_tokenize(text, strlen(text), flags, collect_cb, &c), 0);
	return c.out;
}

static void cjk_runs_become_overlapping_bigrams(void **state)
{
	assert_string_equal(toks("退款流程", KB_TOK_BIGRAMS), "退款|款流|流程");
	assert_string_equal(toks("退", KB_TOK_BIGRAMS), "退"); /* a lone character is a unigram */
	assert_string_equal(toks("退，款", KB_TOK_BIGRAMS), "退|款");
	assert_string_equal(toks("发货", KB_TOK_BIGRAMS), "发货");
}

static void unigrams_are_colocated_with_the_bigram_at_their_position(void **state)
{
	assert_string_equal(toks("发货了", KB_TOK_BIGRAMS | KB_TOK_UNIGRAMS), "发货|+发|货了|+货|了");
	assert_string_equal(toks("退", KB_TOK_BIGRAMS | KB_TOK_UNIGRAMS), "退");
}

static void dictionary_words_of_three_or_four_characters(void **state)
{
	assert_true(kb_dict_size() > 5000);
	assert_true(kb_dict_has("信用卡", strlen("信用卡")));
	assert_false(kb_dict_has("退款", strlen("退款"))); /* 2 characters: a bigram already */
	assert_string_equal(toks("信用卡", KB_TOK_BIGRAMS | KB_TOK_WORDS), "信用|+信用卡|用卡");
}

static void ascii_words_are_lower_cased_and_split_at_digits(void **state)
{
	assert_string_equal(toks("iPhone15 Pro", KB_TOK_DEFAULT), "iphone|15|pro");
	assert_string_equal(toks("订单ABC123已发货", KB_TOK_BIGRAMS), "订单|abc|123|已发|发货");
	assert_string_equal(toks("3.5mm", KB_TOK_BIGRAMS), "3|5|mm");
}

static void full_width_forms_fold_to_half_width(void **state)
{
	assert_string_equal(toks("ＡＢｃ１２３", KB_TOK_BIGRAMS), "abc|123");
	assert_string_equal(toks("Ｗｉｆｉ　密码", KB_TOK_BIGRAMS), "wifi|密码");
}

static void punctuation_symbols_and_emoji_are_skipped(void **state)
{
	assert_string_equal(toks("“退款”！？😀……【急】", KB_TOK_BIGRAMS), "退款|急");
	assert_string_equal(toks("  ,,;;  ", KB_TOK_DEFAULT), "");
	assert_string_equal(toks("", KB_TOK_DEFAULT), "");
}

static void accented_and_other_letters_are_words(void **state)
{
	assert_string_equal(toks("café Москва", KB_TOK_BIGRAMS),
			    "café|Москва"); /* only ASCII is case-folded */
}

struct offsets {
	size_t start[16], end[16];
	int n;
};

static int offsets_cb(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start, size_t end,
		      bool colocated)
{
	struct offsets *o = arg;
	if (o->n < 16) {
		o->start[o->n] = start;
		o->end[o->n] = end;
		o->n++;
	}
	return 0;
}

static void offsets_are_bytes_of_the_input(void **state)
{
	struct offsets o = {0};
	const char *s = "Ａ1 退款";
	kb_tokenize(s, strlen(s), KB_TOK_BIGRAMS, offsets_cb, &o);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.start[0], 0); /* Ａ: 3 bytes */
	assert_int_equal(o.end[0], 3);
	assert_int_equal(o.start[1], 3);
	assert_int_equal(o.end[1], 4);
	assert_int_equal(o.start[2], 5);
	assert_int_equal(o.end[2], 11);
}

static void invalid_utf8_is_skipped(void **state)
{
	assert_string_equal(toks("ab\xff\xfe退款\xe9", KB_TOK_BIGRAMS), "ab|退款");
	assert_string_equal(toks("\xe9\x80", KB_TOK_BIGRAMS), ""); /* truncated sequence */
}

static void long_words_are_cut(void **state)
{
	char s[300];
	memset(s, 'a', 200);
	s[200] = '\0';
	const char *t = toks(s, KB_TOK_BIGRAMS);
	assert_int_equal(strlen(t), 200 + 3); /* 64+64+64+8 with three separators */
}

static int stop_cb(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start, size_t end,
		   bool colocated)
{
	int *n = arg;
	return ++*n == 2 ? 7 : 0;
}

static void a_callback_can_stop(void **state)
{
	int n = 0;
	assert_int_equal(kb_tokenize("退款流程很慢", strlen("退款流程很慢"), KB_TOK_BIGRAMS, stop_cb, &n), 7);
	assert_int_equal(n, 2);
}

static void embedded_dictionary_equals_words_txt(void **state)
{
	const char *src = getenv("KEFU_SOURCE_DIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/data/kb/words.txt", src && *src ? src : KEFU_SOURCE_DIR);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *text = malloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	text[n] = '\0';
	fclose(fp);
	assert_string_equal(text, kb__words_embedded);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cjk_runs_become_overlapping_bigrams),
	    cmocka_unit_test(unigrams_are_colocated_with_the_bigram_at_their_position),
	    cmocka_unit_test(dictionary_words_of_three_or_four_characters),
	    cmocka_unit_test(ascii_words_are_lower_cased_and_split_at_digits),
	    cmocka_unit_test(full_width_forms_fold_to_half_width),
	    cmocka_unit_test(punctuation_symbols_and_emoji_are_skipped),
	    cmocka_unit_test(accented_and_other_letters_are_words),
	    cmocka_unit_test(offsets_are_bytes_of_the_input),
	    cmocka_unit_test(invalid_utf8_is_skipped),
	    cmocka_unit_test(long_words_are_cut),
	    cmocka_unit_test(a_callback_can_stop),
	    cmocka_unit_test(embedded_dictionary_equals_words_txt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

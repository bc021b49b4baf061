/* Unit tests for src/auth/password.c, token.c and limiter.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "auth/limiter.h"
#include "auth/password.h"
#include "auth/token.h"
#include "base/rand.h"

static int setup(void **state)
{
	return rand_init();
}

static void password_hash_verifies_only_the_right_password(void **state)
{
	char h[PASSWORD_HASH_MAX];
	assert_int_equal(password_hash("correct horse", h, NULL), 0);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_true(password_verify(h, "correct horse"));
	assert_false(password_verify(h, "correct horsE"));
	assert_false(password_verify("", "correct horse"));
}

static void password_policy_refuses_short_and_invalid(void **state)
{
	struct kefu_err err = {0};
	assert_int_equal(password_check_policy("short", &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "password");
	assert_int_equal(password_check_policy("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", &err), -KEFU_EINVAL);
	assert_int_equal(password_check_policy("long enough", &err), 0);
}

static void tokens_are_random_hex_and_hash_stably(void **state)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], ha[TOKEN_HASH_LEN + 1], hb[TOKEN_HASH_LEN + 1];
	token_new(a);
	token_new(b);
	assert_int_equal(strlen(a), TOKEN_LEN);
	assert_string_not_equal(a, b);
	token_hash(a, TOKEN_LEN, ha);
	token_hash(a, TOKEN_LEN, hb);
	assert_string_equal(ha, hb);
	token_hash(b, TOKEN_LEN, hb);
	assert_string_not_equal(ha, hb);
	assert_string_not_equal(ha, a);
}

static void hmac_signature_verifies_and_rejects_tampering(void **state)
{
	char sig[65];
	token_hmac_hex("secret", "c001", sig);
	assert_true(token_hmac_verify("secret", "c001", sig));
	assert_false(token_hmac_verify("secret", "c002", sig));
	assert_false(token_hmac_verify("other", "c001", sig));
	sig[0] = sig[0] == 'a' ? 'b' : 'a';
	assert_false(token_hmac_verify("secret", "c001", sig));
	assert_false(token_hmac_verify("secret", "c001", "abc"));
	assert_false(token_hmac_verify("secret", "c001", NULL));
}

static void limiter_blocks_after_max_failures_within_window(void **state)
{
	struct limiter *l = limiter_new(3, 1000, 16);
	int64_t retry = 0;
	for (int i = 0; i < 3; i++) {
		assert_true(limiter_allowed(l, "name:a", 100, &retry));
		limiter_fail(l, "name:a", 100);
	}
	assert_false(limiter_allowed(l, "name:a", 200, &retry));
	assert_true(retry == 900);
	assert_true(limiter_allowed(l, "name:b", 200, &retry)); /* other keys unaffected */
	assert_true(limiter_allowed(l, "name:a", 1101, &retry)); /* window over */
	limiter_free(l);
}

static void limiter_reset_clears_a_key(void **state)
{
	struct limiter *l = limiter_new(1, 1000, 16);
	limiter_fail(l, "k", 0);
	assert_false(limiter_allowed(l, "k", 1, NULL));
	limiter_reset(l, "k");
	assert_true(limiter_allowed(l, "k", 1, NULL));
	limiter_free(l);
}

static void limiter_table_is_bounded_and_evicts_oldest(void **state)
{
	struct limiter *l = limiter_new(1, 100000, 4);
	char key[16];
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "k%d", i);
		limiter_fail(l, key, i);
	}
	assert_false(limiter_allowed(l, "k9", 20, NULL)); /* newest kept */
	assert_true(limiter_allowed(l, "k0", 20, NULL)); /* oldest evicted */
	limiter_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(password_hash_verifies_only_the_right_password),
	    cmocka_unit_test(password_policy_refuses_short_and_invalid),
	    cmocka_unit_test(tokens_are_random_hex_and_hash_stably),
	    cmocka_unit_test(hmac_signature_verifies_and_rejects_tampering),
	    cmocka_unit_test(limiter_blocks_after_max_failures_within_window),
	    cmocka_unit_test(limiter_reset_clears_a_key),
	    cmocka_unit_test(limiter_table_is_bounded_and_evicts_oldest),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

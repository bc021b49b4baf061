/* token.c — random login tokens, their stored hashes, and widget identity HMACs. */
#include "auth/token.h"

#include <sodium.h>
#include <string.h>

#include "base/rand.h"

void token_new(char out[TOKEN_LEN + 1])
{
	rand_hex(out, TOKEN_LEN / 2);
}

void token_hash(const char *token, size_t len, char out[TOKEN_HASH_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, len);
	sodium_bin2hex(out, TOKEN_HASH_LEN + 1, h, sizeof h);
}

static void hmac(const char *key, const char *msg, unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, out);
}

void token_hmac_hex(const char *key, const char *msg, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(key, msg, mac);
	sodium_bin2hex(out, 65, mac, sizeof mac);
}

bool token_hmac_verify(const char *key, const char *msg, const char *sig_hex)
{
	if (!sig_hex || strlen(sig_hex) != 64)
		return false;
	char want[65];
	token_hmac_hex(key, msg, want);
	return sodium_memcmp(want, sig_hex, 64) == 0;
}

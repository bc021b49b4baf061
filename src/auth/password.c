/* password.c — argon2id hashing and verification via libsodium (see password.h). */
#include "auth/password.h"

#include <sodium.h>
#include <string.h>

#include "base/utf8.h"

#define PW_OPSLIMIT 3ULL
#define PW_MEMLIMIT (19ULL * 1024 * 1024)

int password_check_policy(const char *pw, struct kefu_err *err)
{
	size_t n = strlen(pw);
	if (n < PASSWORD_MIN_LEN)
		return KEFU_ERR(err, KEFU_EINVAL, "password", "password must have at least %d characters",
				PASSWORD_MIN_LEN);
	if (n > 256)
		return KEFU_ERR(err, KEFU_EINVAL, "password", "password longer than 256 bytes");
	if (!utf8_valid(pw, n, NULL))
		return KEFU_ERR(err, KEFU_EINVAL, "password", "password is not valid UTF-8");
	return 0;
}

int password_hash(const char *pw, char out[PASSWORD_HASH_MAX], struct kefu_err *err)
{
	if (crypto_pwhash_str(out, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
		return KEFU_ERR(err, KEFU_ENOMEM, "password", "argon2id hashing failed (out of memory)");
	return 0;
}

bool password_verify(const char *hash, const char *pw)
{
	if (!hash || !*hash)
		return false;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

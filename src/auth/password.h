/* password.h — argon2id password hashing with libsodium (t=3, 19 MiB: the OWASP minimum,
 * ~25 ms here). Hashing blocks a core: servers call these on a worker thread. */
#ifndef KEFU_AUTH_PASSWORD_H
#define KEFU_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_LEN 8

/* Checks the policy (length 8–256 bytes, valid UTF-8). Returns 0 or -KEFU_EINVAL with err. */
int password_check_policy(const char *pw, struct kefu_err *err);
/* Writes the "$argon2id$…" string into out (PASSWORD_HASH_MAX bytes). 0 or -KEFU_ENOMEM. */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX], struct kefu_err *err);
/* Constant-time verification. */
bool password_verify(const char *hash, const char *pw);

#endif

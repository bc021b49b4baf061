/* token.h — login tokens: 256-bit random, shown to the client once, stored only as the hex
 * SHA-256 of the token. Also the widget identity signature (HMAC-SHA256). */
#ifndef KEFU_AUTH_TOKEN_H
#define KEFU_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_LEN 64 /* hex characters of a token */
#define TOKEN_HASH_LEN 64 /* hex characters of its SHA-256 */

/* Writes a new token (TOKEN_LEN hex + NUL) into out. */
void token_new(char out[TOKEN_LEN + 1]);
/* Writes hex SHA-256 of token into out (TOKEN_HASH_LEN + 1). */
void token_hash(const char *token, size_t len, char out[TOKEN_HASH_LEN + 1]);
/* Is sig_hex the hex HMAC-SHA256 of msg under key? Constant time. */
bool token_hmac_verify(const char *key, const char *msg, const char *sig_hex);
/* Writes hex HMAC-SHA256(key, msg) (65 bytes). */
void token_hmac_hex(const char *key, const char *msg, char out[65]);

#endif

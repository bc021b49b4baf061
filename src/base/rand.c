/* rand.c — random ids and tokens (see rand.h). */
#include "base/rand.h"

#include <sodium.h>
#include <stdio.h>

#include "base/err.h"

int rand_init(void)
{
	return sodium_init() < 0 ? -KEFU_EINTERNAL : 0;
}

void rand_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	if (nbytes > sizeof raw)
		nbytes = sizeof raw;
	randombytes_buf(raw, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}

void rand_id(char *out, size_t cap, const char *prefix)
{
	char hex[17];
	rand_hex(hex, 8);
	snprintf(out, cap, "%s%s", prefix, hex);
}

/* rand.h — random identifiers and tokens from libsodium's CSPRNG. Call rand_init() once at start. */
#ifndef KEFU_BASE_RAND_H
#define KEFU_BASE_RAND_H

#include <stddef.h>

/* Returns 0 or -KEFU_EINTERNAL when libsodium cannot initialise. */
int rand_init(void);
/* Writes `nbytes` random bytes as lowercase hex plus NUL into out (cap ≥ 2*nbytes+1). */
void rand_hex(char *out, size_t nbytes);
/* Writes an id "<prefix><16 hex>" into out (cap ≥ strlen(prefix)+17). */
void rand_id(char *out, size_t cap, const char *prefix);

#endif

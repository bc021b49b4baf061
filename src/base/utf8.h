/* utf8.h — strict UTF-8 validation (no overlongs, no surrogates, ≤ U+10FFFF). */
#ifndef KEFU_BASE_UTF8_H
#define KEFU_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is valid UTF-8. On false, *bad_at (if non-NULL) is the offset of the first
 * invalid byte. */
bool utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Number of code points in valid UTF-8. */
size_t utf8_count(const char *s, size_t n);

#endif

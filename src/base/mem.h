/* mem.h — allocation wrappers for small fixed-size allocations: out-of-memory is decided here,
 * once, by aborting. Allocations sized by untrusted input use plain malloc and return an error. */
#ifndef KEFU_BASE_MEM_H
#define KEFU_BASE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Caller frees with free(). */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif

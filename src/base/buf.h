/* buf.h — growable byte buffer. The buffer owns its bytes; free with buf_free(). Growth uses the
 * aborting allocator, so callers bound sizes that come from untrusted input before appending. */
#ifndef KEFU_BASE_BUF_H
#define KEFU_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated when len < cap; may be NULL when cap == 0 */
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps capacity */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends s[0..n) as a JSON string literal with quotes: '"', '\\' and control characters are
 * escaped; other bytes pass through (the caller has validated UTF-8). */
void buf_json_string(struct buf *b, const char *s, size_t n);
/* Removes the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Returns data and gives up ownership; caller frees with free(). Never NULL. */
char *buf_detach(struct buf *b);

#endif
